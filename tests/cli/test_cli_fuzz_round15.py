"""Regressions of the CLI new-user fuzz round 15 (an independent helper, 2026-12-01, ~200
commands from an empty folder): each was a silent or unhelpful answer."""

from __future__ import annotations

import pytest

from reeflow.cli import main


def _project(tmp_path, text: str):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _err(capsys) -> str:
    return capsys.readouterr().err


def test_a_misspelt_key_is_named_not_the_key_it_meant(tmp_path, capsys):
    import shutil

    from reeflow.project import source_path

    case = tmp_path / "case"
    shutil.copytree(source_path("builtin:beylikova").parent, case)
    text = (case / "project.yaml").read_text(encoding="utf-8")
    assert "\n  treo_grade:\n" in text
    (case / "project.yaml").write_text(text.replace("\n  treo_grade:\n", "\n  treo_grad:\n"),
                                       encoding="utf-8")
    assert main(["validate", str(case / "project.yaml")]) == 2
    err = _err(capsys)
    assert "ore.treo_grad:" in err and "did you mean 'treo_grade'" in err


def test_a_bare_grade_above_one_suggests_percent(tmp_path, capsys):
    project = _project(tmp_path, "extends: builtin:beylikova\nore:\n  treo_grade: 1.8\n")
    assert main(["validate", project]) == 2
    assert "write '1.8 %' for a percentage" in _err(capsys)


def test_a_case_name_or_a_case_folder_points_to_the_file(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "ngualla"]) == 2
    assert "write builtin:ngualla" in _err(capsys)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "project.yaml").write_text("extends: builtin:ngualla\n")
    assert main(["validate", "mine"]) == 2
    assert "name the file: mine/project.yaml" in _err(capsys)


def test_compare_names_the_project_that_failed_to_load(tmp_path, capsys):
    project = _project(tmp_path, "extends: builtin:beylikova\nore:\n  treo_grade: 1.8\n")
    assert main(["compare", "builtin:beylikova", project, "--out", str(tmp_path / "c")]) == 2
    assert f"{project}: ore.treo_grade" in _err(capsys)
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("flags, field", [(["--gap", "-1"], "--gap"),
                                          (["--prec", "x.prec"], "--prec")])
def test_schedule_of_a_project_refuses_flags_it_would_ignore(flags, field, capsys):
    assert main(["schedule", "builtin:mine/babbitt_mine", *flags]) == 2
    assert _err(capsys).startswith(f"reeflow: error: {field}: got")


def test_a_cpit_line_with_a_destination_field_is_refused(tmp_path, capsys):
    (tmp_path / "t.cpit").write_text(
        "NAME: t\nTYPE: CPIT\nNBLOCKS: 3\nNPERIODS: 2\nNRESOURCE_SIDE_CONSTRAINTS: 1\n"
        "DISCOUNT_RATE: 0.1\nOBJECTIVE_FUNCTION:\n0 5\n1 -3\n2 2\n"
        "RESOURCE_CONSTRAINT_LIMITS:\n0 0 L 2\n0 1 L 2\n"
        "RESOURCE_CONSTRAINT_COEFFICIENTS:\n0 0 0 1\n1 0 0 1\n2 0 0 1\nEOF\n")
    (tmp_path / "t.prec").write_text("0 1 1\n1 0\n2 0\n")
    assert main(["schedule", str(tmp_path / "t.cpit")]) == 2
    err = _err(capsys)
    assert "RESOURCE_CONSTRAINT_COEFFICIENTS: got '0 0 0 1'" in err and "3 fields" in err


def test_econ_evaluate_without_fiscal_terms_names_the_flag(capsys):
    from pathlib import Path

    inputs = Path(__file__).resolve().parents[2] / "examples" / "economics" / \
        "beylikova_inputs.yaml"
    assert main(["econ", "evaluate", str(inputs)]) == 2
    err = _err(capsys)
    assert err.startswith("reeflow: error: --params: got None") and "params=" not in err


def test_risk_names_the_inputs_flag_the_user_wrote(capsys):
    assert main(["risk", "builtin:beylikova", "--inputs", "nope.x", "--draws", "2"]) == 2
    assert _err(capsys).startswith("reeflow: error: --inputs: got 'nope.x'")


def test_a_zero_block_size_is_one_line(tmp_path, capsys):
    import warnings

    (tmp_path / "b.csv").write_text("x,y,z,value_usd\n0,0,0,5\n0,0,10,-3\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's divide-by-zero warnings came first before
        assert main(["pit", str(tmp_path / "b.csv"), "--block-size", "0", "10", "10",
                     "--missing", "air"]) == 2
    assert "block_size_m: got (0.0, 10.0, 10.0)" in _err(capsys)


def test_a_copied_example_input_is_never_an_output(tmp_path, capsys):
    """krige --out naming the copied assay file replaced it with kriged blocks."""
    assert main(["examples", "--copy", str(tmp_path / "ex")]) == 0
    data = tmp_path / "ex" / "babbitt" / "data"
    assay = data / "assay_BABBITT.csv"
    before = assay.read_bytes()
    capsys.readouterr()
    assert main(["krige", str(data / "collar_BABBITT.csv"), str(data / "survey_BABBITT.csv"),
                 str(assay), "--model", str(tmp_path / "ex" / "babbitt" / "krige_model.yaml"),
                 "--out", str(assay)]) == 2
    assert "reeflow does not replace a file it did not write" in _err(capsys)
    assert assay.read_bytes() == before


@pytest.mark.parametrize("argv, flag", [
    (["resource", "builtin:babbitt/babbitt", "--blocks-out", "x.xlsx"], "--blocks-out"),
    (["pit", "builtin:mine/babbitt_blocks", "--economics", "builtin:mine/babbitt_economics",
      "--value-column", "foo", "--missing", "waste"], "--value-column"),
    (["pit", "builtin:mine/babbitt_blocks", "--economics", "builtin:mine/babbitt_economics",
      "--grid", "1", "2", "3", "--missing", "waste"], "--grid"),
])
def test_an_option_that_would_be_ignored_or_misread_is_refused(argv, flag, capsys, tmp_path,
                                                              monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert _err(capsys).startswith(f"reeflow: error: {flag}: got")
    assert not (tmp_path / "x.xlsx").exists()


def test_report_refuses_nan_in_a_hand_edited_results_file(tmp_path, capsys):
    """A NaN IRR rendered as "capital never returned"; a NaN capex as a dash."""
    (tmp_path / "results.json").write_text('{"schema_version": "1", "economics": '
                                           '{"irr_frac": NaN}}', encoding="utf-8")
    assert main(["report", str(tmp_path / "results.json"), "--out", str(tmp_path / "o")]) == 2
    assert "instead of NaN" in _err(capsys)


def test_report_of_another_reeflow_file_says_what_it_is(tmp_path, capsys):
    (tmp_path / "risk.json").write_text('{"risk": {}, "summary": {}}', encoding="utf-8")
    assert main(["report", str(tmp_path / "risk.json"), "--out", str(tmp_path / "o")]) == 2
    err = _err(capsys)
    assert "a results.json written by `reeflow study`" in err and "re-run" not in err
