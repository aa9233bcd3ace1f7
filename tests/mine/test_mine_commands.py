"""CLI handlers: pit on every input kind (deposit CSV with # headers, pure value model, GSLIB vs
plain .dat, MineLib), schedule on MineLib CPIT and on a project file; bad input is one
InputError; outputs are written atomically."""

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import reeflow.core.io as core_io
from reeflow.core.errors import InputError
from reeflow.core.io import TMP_PREFIX
from reeflow.mine import synthetic_block_model
from reeflow.mine.commands import register

NEWMAN1 = Path(__file__).resolve().parents[1] / "data" / "minelib" / "newman1"
VALUATION = {
    "products": [
        {"name": "REO", "grade_column": "treo_frac", "recovery_frac": 0.6,
         "price_usd_per_t": "8000 USD/t"},
        {"name": "fluorite", "grade_column": "caf2_frac", "recovery_frac": "50 %",
         "price_usd_per_t": "300 USD/t", "conversion_t_per_t": 1.031}],
    "processing_cost_usd_per_t": "60 USD/t", "royalty_frac": "3.75 %"}


def _run(*argv):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args([str(a) for a in argv])
    return args.func(args)


@pytest.fixture(scope="module")
def model_csv(tmp_path_factory):
    """Written like ``reeflow resource --blocks-out``: '#' header lines, then the CSV."""
    d = tmp_path_factory.mktemp("bm")
    df = synthetic_block_model(20, 20, 8, seed=2)
    p = d / "bm.csv"
    with p.open("w") as fh:
        fh.write("# SYNTHETIC test model\n# origin=(0, 0, 0) block_size_m=(10, 10, 5)\n")
        df.to_csv(fh, index=False)
    return p


def test_pit_reads_deposit_csv_with_economics(model_csv, tmp_path, capfd):
    econ = tmp_path / "econ.yaml"
    econ.write_text(yaml.safe_dump({"mine": {"mining_cost_usd_per_t_moved": "3 USD/t",
                                             "valuation": VALUATION}}))
    out = tmp_path / "pit.json"
    assert _run("pit", model_csv, "--json", "--economics", econ, "--out", out) == 0
    res = json.loads(capfd.readouterr().out)
    assert res["blocks_total"] == 3200 and res["blocks_in_pit"] > 0 and res["value_usd"] > 0
    assert json.loads(out.read_text()) == res
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TMP_PREFIX)]  # none left


def test_pure_value_model_needs_no_sizes_or_tonnes(tmp_path, capfd):
    n = 6
    iz, iy, ix = np.meshgrid(range(3), range(n), range(n), indexing="ij")
    v = np.where((iz.ravel() == 0) & (ix.ravel() == 2) & (iy.ravel() == 2), 100.0, -1.0)
    p = tmp_path / "v.csv"
    pd.DataFrame({"ix": ix.ravel(), "iy": iy.ravel(), "iz": iz.ravel(), "value_usd": v}).to_csv(
        p, index=False)
    blocks = tmp_path / "flags.csv"
    assert _run("pit", p, "--json", "--solver", "scipy", "--blocks-out", blocks) == 0
    res = json.loads(capfd.readouterr().out)
    # a 45° circular cone over the bottom block: 1 + 5 + 13 blocks, value 100 - 18
    assert res["blocks_in_pit"] == 19 and res["value_usd"] == pytest.approx(82.0)
    assert "cubic" in res["note"] and pd.read_csv(blocks)["in_pit"].sum() == 19


def test_dat_is_not_blindly_gslib(tmp_path, capfd):
    plain = tmp_path / "values.dat"
    plain.write_text("\n".join(str(x) for x in [-1, -1, -1, -1, 5, -1, -1, -1]) + "\n")
    with pytest.raises(InputError, match="--grid"):
        _run("pit", plain)
    assert _run("pit", plain, "--grid", 2, 2, 2, "--json") == 0
    assert json.loads(capfd.readouterr().out)["blocks_total"] == 8
    garbage = tmp_path / "junk.dat"
    garbage.write_text("some title\nnot a number\n1 2 3\n")
    with pytest.raises(InputError, match="GSLIB"):
        _run("pit", garbage)
    gslib = tmp_path / "model.dat"
    gslib.write_text("title\n4\nix\niy\niz\nvalue_usd\n0 0 0 -1\n0 0 1 2\n")
    assert _run("pit", gslib, "--json") == 0


def test_value_column_missing_is_named(model_csv):
    with pytest.raises(InputError, match="value_usd"):
        _run("pit", model_csv)


def test_pit_reads_minelib_upit_and_blocks(capfd):
    assert _run("pit", NEWMAN1 / "newman1.upit", "--json") == 0
    res = json.loads(capfd.readouterr().out)
    assert round(res["value"]) == res["published_optimum"] == 26_086_899
    assert _run("pit", NEWMAN1 / "newman1.blocks", "--json") == 0
    assert json.loads(capfd.readouterr().out)["blocks_in_pit"] == 1059


def test_schedule_reads_cpit_and_reports_bound(tmp_path, capfd):
    out = tmp_path / "cpit.json"
    # a generous limit: the solver stops at the 1 % gap (seconds on a quiet machine), but a CI box
    # under heavy load must not fail the test
    assert _run("schedule", NEWMAN1 / "newman1.cpit", "--json", "--time-limit", 120,
                "--gap", 0.01, "--out", out) == 0
    res = json.loads(capfd.readouterr().out)
    assert res["value"] <= res["bound"] and res["gap_frac"] <= 0.01
    assert len(json.loads(out.read_text())["period_of_block"]) == 1060
    with pytest.raises(InputError, match="PCPSP"):
        _run("schedule", NEWMAN1 / "newman1.pcpsp")


def test_schedule_project_file(model_csv, tmp_path, capfd):
    proj = tmp_path / "project.yaml"
    proj.write_text(yaml.safe_dump({"name": "t", "mine": {
        "block_model": str(model_csv), "mining_cost_usd_per_t_moved": "3 USD/t",
        "plant_capacity_t_per_a": {"value": "150 kt/a", "source": "test"},
        "ramp_up_frac": [0.6, 0.85], "horizon_years": 6, "discount_rate": "8 %",
        "stockpiles": [{"capacity_t": "200 kt", "rehandle_cost_usd_per_t": "1 USD/t"}],
        "valuation": VALUATION}}))
    assert _run("schedule", proj, "--json") == 0
    res = json.loads(capfd.readouterr().out)
    assert len(res["schedule"]) == 6 and res["schedule"][0]["ore_t"] <= 90_000 * (1 + 1e-6)
    assert res["reserve"]["statement"][-1]["class"] == "Total"
    assert _run("schedule", proj) == 0  # the text form: units a reader reads, no raw dicts
    text = capfd.readouterr().out
    assert "Ultimate pit:" in text and " Mt (" in text and "TREO %" in text
    assert "Schedule value:" in text and "MUSD" in text and "{" not in text
    bad = tmp_path / "bad.yaml"
    bad.write_text("mine: {slope: 45}\n")
    with pytest.raises(InputError, match="slope"):
        _run("schedule", bad)
    nomodel = tmp_path / "nomodel.yaml"
    nomodel.write_text("mine: {run: true}\n")
    with pytest.raises(InputError, match="block_model"):
        _run("schedule", nomodel)


def test_out_is_refused_before_solving_and_written_by_the_one_atomic_writer(
        model_csv, tmp_path, monkeypatch, capfd):
    """--out in a missing folder is one InputError before any work; a good --out and
    --blocks-out go through reeflow.core.io.atomic_write (no second writer in mine)."""
    with pytest.raises(InputError, match="--out"):
        _run("pit", model_csv, "--value-column", "treo_frac", "--out", tmp_path / "no" / "x.json")
    with pytest.raises(InputError, match="--blocks-out"):
        _run("pit", model_csv, "--value-column", "treo_frac", "--blocks-out", tmp_path)
    calls = []
    real = core_io.atomic_write

    def spy(path, data, **kw):
        calls.append((Path(path).name, kw.get("field")))
        return real(path, data, **kw)

    monkeypatch.setattr(core_io, "atomic_write", spy)
    out, flags = tmp_path / "pit.json", tmp_path / "flags.csv"
    assert _run("pit", model_csv, "--value-column", "treo_frac", "--solver", "scipy",
                "--out", out, "--blocks-out", flags) == 0
    assert sorted(calls) == [("flags.csv", "--blocks-out"), ("pit.json", "--out")]
    assert json.loads(out.read_text())["blocks_total"] == 3200


@pytest.mark.slow
def test_schedule_of_a_built_in_case_is_the_study_chain_plan(capsys):
    """`reeflow schedule builtin:beylikova` plans the mine the study plans (the chain's own
    step) and reports the schedule's value, its bound and the horizon it covers."""
    import json

    from reeflow.chain import run_chain
    from reeflow.cli import main
    from reeflow.project import load_project

    assert main(["schedule", "builtin:beylikova", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    stats = out["schedule_stats"]
    plan = run_chain(load_project("builtin:beylikova")).mine.plan
    assert stats["npv_usd"] == pytest.approx(plan.schedule_stats["npv_usd"], rel=1e-12)
    assert stats["bound_usd"] >= stats["npv_usd"] > 0
    assert len(out["schedule"]) == 20 and stats["horizon_covers_pit"] is False


def test_schedule_of_a_block_model_without_classes(model_csv, tmp_path, capfd):
    """Fuzz round 6: a block model with no ``class`` column crashed the schedule table
    (KeyError 'measured_t'); its feed is now all unclassified."""
    df = pd.read_csv(model_csv, comment="#")
    plain = tmp_path / "plain.csv"
    df.drop(columns=[c for c in df.columns if c == "class"]).to_csv(plain, index=False)
    proj = tmp_path / "project.yaml"
    proj.write_text(yaml.safe_dump({"name": "t", "mine": {
        "block_model": str(plain), "mining_cost_usd_per_t_moved": "3 USD/t",
        "plant_capacity_t_per_a": "150 kt/a", "horizon_years": 3, "discount_rate": "8 %",
        "valuation": VALUATION}}))
    assert _run("schedule", proj, "--json") == 0
    rows = json.loads(capfd.readouterr().out)["schedule"]
    fed = [r for r in rows if r["ore_t"] > 0]
    assert fed and all(r["measured_t"] == 0 and r["unclassified_t"] == pytest.approx(r["ore_t"])
                       for r in fed)


def _minelib_copy(tmp_path):
    for f in NEWMAN1.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    return tmp_path


def test_a_truncated_prec_is_refused_not_a_larger_pit(tmp_path):
    """Fuzz round 6: a .prec cut in half was read as 530 blocks without predecessors and
    the pit came out at 27.5 M against the proven optimum 26.1 M."""
    d = _minelib_copy(tmp_path)
    lines = (d / "newman1.prec").read_text().splitlines()
    (d / "newman1.prec").write_text("\n".join(lines[:530]) + "\n")
    with pytest.raises(InputError, match="each of 0..1059 once"):
        _run("pit", d / "newman1.upit", "--json")
    with pytest.raises(InputError, match="each of 0..1059 once"):
        _run("schedule", d / "newman1.cpit")


@pytest.mark.parametrize("edit,match", [
    (("NPERIODS: 6", "NPERIODS: 9"), "2 x 9 = 18"),  # limits for 6 periods only
    (("NRESOURCE_SIDE_CONSTRAINTS: 2", "NRESOURCE_SIDE_CONSTRAINTS: 3"), "3 x 6 = 18"),
    (("TYPE: CPIT", "TYPE: UPIT"), "CPIT in a .cpit file"),
])
def test_cpit_header_counts_are_checked(tmp_path, edit, match):
    d = _minelib_copy(tmp_path)
    text = (d / "newman1.cpit").read_text()
    (d / "newman1.cpit").write_text(text.replace(*edit, 1))
    with pytest.raises(InputError, match=match):
        _run("schedule", d / "newman1.cpit")


def test_an_infeasible_cpit_is_an_error_not_a_zero(tmp_path):
    from reeflow.core.errors import InfeasibleSpecError

    d = _minelib_copy(tmp_path)
    text = (d / "newman1.cpit").read_text()
    (d / "newman1.cpit").write_text(text.replace("0 0 L 2000000", "0 0 L -5", 1))
    with pytest.raises(InfeasibleSpecError, match="RESOURCE_CONSTRAINT_LIMITS"):
        _run("schedule", d / "newman1.cpit", "--time-limit", "5")


def test_blocks_out_lists_the_users_blocks_by_their_own_keys(model_csv, tmp_path, capfd):
    """Fuzz round 6: with --missing waste the flags were written on the padded grid's
    indices (shifted by the pad), so a join on ix, iy, iz attached every flag to the wrong
    block. Each row now carries the user's own keys, in the user's order."""
    df = pd.read_csv(model_csv, comment="#")
    sparse = tmp_path / "sparse.csv"
    df[df["treo_frac"] > df["treo_frac"].median()].to_csv(sparse, index=False)
    econ = tmp_path / "econ.yaml"
    econ.write_text(yaml.safe_dump({"mine": {"mining_cost_usd_per_t_moved": "3 USD/t",
                                             "valuation": VALUATION}}))
    flags = tmp_path / "flags.csv"
    assert _run("pit", sparse, "--json", "--economics", econ, "--missing", "waste",
                "--blocks-out", flags) == 0
    res = json.loads(capfd.readouterr().out)
    given = pd.read_csv(sparse)
    out = pd.read_csv(flags)
    assert len(out) == len(given) < res["blocks_total"]  # the fill is not listed
    keys = [c for c in ("x", "y", "z", "ix", "iy", "iz") if c in given]
    np.testing.assert_array_equal(out[keys].to_numpy(), given[keys].to_numpy())
    assert 0 < out["in_pit"].sum() <= res["blocks_in_pit"]


def test_a_pure_value_model_reports_no_tonnes(tmp_path, capfd):
    p = tmp_path / "v.csv"
    pd.DataFrame({"ix": [0, 1, 0, 1], "iy": [0, 0, 0, 0], "iz": [1, 1, 0, 0],
                  "value_usd": [-1.0, -1.0, 5.0, -9.0]}).to_csv(p, index=False)
    assert _run("pit", p, "--json", "--solver", "scipy") == 0
    res = json.loads(capfd.readouterr().out)
    assert "tonnes_in_pit" not in res and "tonnes not reported" in res["note"]


def test_blocks_out_ignores_a_source_row_column_the_user_wrote(tmp_path):
    """Review: a user's own ``source_row`` column (reeflow's block output writes one) was read
    as the padding's row map when no padding had been done."""
    p = tmp_path / "v.csv"
    pd.DataFrame({"ix": [0, 1, 0, 1], "iy": [0, 0, 0, 0], "iz": [1, 1, 0, 0],
                  "value_usd": [-1.0, -1.0, 5.0, -9.0],
                  "source_row": [3, 2, -1, 0]}).to_csv(p, index=False)
    flags = tmp_path / "flags.csv"
    assert _run("pit", p, "--json", "--solver", "scipy", "--blocks-out", flags) == 0
    out = pd.read_csv(flags)
    assert len(out) == 4 and list(out["iz"]) == [1, 1, 0, 0]
    assert list(out["value_usd"]) == [-1.0, -1.0, 5.0, -9.0]


def test_a_builtin_block_model_in_a_mine_file_is_the_shipped_example(tmp_path, monkeypatch):
    """``block_model: builtin:NAME`` was read as a relative path (fuzz round 6)."""
    import reeflow.mine.commands as commands
    from reeflow.example_inputs import resolve

    seen = []

    def stop(path, **_):
        seen.append(Path(path))
        raise InputError("block_model", str(path), "stop here", "test")

    monkeypatch.setattr(commands, "read_any_block_model", stop)
    mine = yaml.safe_load(Path(resolve("builtin:mine/babbitt_mine")).read_text())
    mine["mine"]["block_model"] = "builtin:mine/babbitt_blocks"
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(mine))
    with pytest.raises(InputError, match="stop here"):
        _run("schedule", tmp_path / "m.yaml")
    assert seen == [Path(resolve("builtin:mine/babbitt_blocks"))]
    mine["mine"]["block_model"] = "builtin:mine/no_such_file"
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(mine))
    with pytest.raises(InputError, match="mine.block_model: got 'builtin:mine/no_such_file'"):
        _run("schedule", tmp_path / "m.yaml")


def test_builtin_drillhole_files_in_a_deposit_section_are_the_shipped_examples():
    from reeflow.deposit.params import DrillholeFiles
    from reeflow.example_inputs import resolve

    files = DrillholeFiles(collar_file="builtin:babbitt/data/collar_BABBITT",
                           survey_file="data/survey.csv", assay_file="/abs/assay.csv")
    collar, survey, assay = files.paths(Path("/proj"))
    assert collar == Path(resolve("builtin:babbitt/data/collar_BABBITT")) and collar.is_file()
    assert survey == Path("/proj/data/survey.csv") and assay == Path("/abs/assay.csv")
