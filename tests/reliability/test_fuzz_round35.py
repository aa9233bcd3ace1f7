"""Fuzz round 35 (``pit``, ``schedule``, ``compare``, ``report``): inputs read wrong or taken
silently, and two outputs written to one file.

- a block CSV whose first data row had one field more than the header was read with every
  column shifted (pandas takes the extra field as a row label): dz read as the block's value;
- a MineLib CPIT limit or coefficient of ``nan`` was taken and its constraint dropped, and an
  upper limit below 0 was reported as a schedule of value 0 (exit 0);
- two block values of 1e308 overflowed to an empty pit of value 0 (exit 0);
- ``--out`` and ``--blocks-out`` naming one file kept only the second;
- ``compare`` of two projects with one name labelled both scenarios alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CPIT = """NAME: tiny
TYPE: CPIT
NBLOCKS: 3
NPERIODS: 2
NDESTINATIONS: 1
NRESOURCE_SIDE_CONSTRAINTS: 1
DISCOUNT_RATE: 0.1
OBJECTIVE_FUNCTION:
0 5
1 -1
2 4
RESOURCE_CONSTRAINT_COEFFICIENTS:
0 0 1
1 0 1
2 0 1
RESOURCE_CONSTRAINT_LIMITS:
0 0 L 2
0 1 L 2
EOF
"""


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from reeflow.cli import main

    rc = main(argv)
    return rc, capsys.readouterr().err


def test_a_first_row_with_an_extra_field_is_refused_not_shifted(tmp_path, capsys):
    f = tmp_path / "blocks.csv"
    f.write_text("x,y,z,dx,dy,dz,value_usd\n0,0,0,10,10,10,5,9\n")
    rc, err = _run(["pit", str(f), "--json"], capsys)
    assert rc == 2 and "the first data row has 8 fields where the header has 7" in err
    f.write_text("x,y,z,dx,dy,dz,value_usd\n0,0,0,10,10,10,5\n")  # the same block, well formed
    assert _run(["pit", str(f), "--json"], capsys)[0] == 0


@pytest.mark.parametrize(("old", "new", "says"), [
    ("0 0 L 2", "0 0 L nan", "RESOURCE_CONSTRAINT_LIMITS: got '0 0 L nan'"),
    ("2 0 1\n", "2 0 inf\n", "RESOURCE_CONSTRAINT_COEFFICIENTS: got '2 0 inf'"),
    ("0 5\n", "0 nan\n", "OBJECTIVE_FUNCTION: got '0 nan'"),
    ("0 0 L 2", "0 0 L -5", "mining nothing breaks one of them too")])
def test_a_cpit_file_s_non_finite_number_or_impossible_limit_is_refused(tmp_path, capsys, old,
                                                                        new, says):
    (tmp_path / "m.cpit").write_text(CPIT.replace(old, new, 1))
    (tmp_path / "m.prec").write_text("0 0\n1 1 0\n2 0\n")
    rc, err = _run(["schedule", str(tmp_path / "m.cpit"), "--time-limit", "5"], capsys)
    assert rc == 2 and says in err and len(err.strip().splitlines()) == 1


def test_block_values_whose_sum_overflows_are_refused(tmp_path, capsys):
    f = tmp_path / "huge.csv"
    f.write_text("x,y,z,dx,dy,dz,value_usd\n0,0,0,10,10,10,1e308\n10,0,0,10,10,10,1e308\n")
    rc, err = _run(["pit", str(f), "--json"], capsys)
    assert rc == 2 and "block_model.value_usd" in err and "larger money unit" in err


def test_an_inf_block_value_is_named_with_its_row(tmp_path, capsys):
    f = tmp_path / "inf.csv"
    f.write_text("x,y,z,dx,dy,dz,value_usd\n0,0,0,10,10,10,5\n10,0,0,10,10,10,inf\n")
    rc, err = _run(["pit", str(f), "--json"], capsys)
    assert rc == 2 and "block_model.value_usd (data row 2): got inf" in err


def test_out_and_blocks_out_must_be_two_files(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("one.csv").write_text("x,y,z,dx,dy,dz,value_usd\n0,0,0,10,10,10,5\n")
    rc, err = _run(["pit", "one.csv", "--out", "p.json", "--blocks-out", "./p.json"], capsys)
    assert rc == 2 and "--blocks-out" in err and not Path("p.json").exists()


def test_compare_labels_projects_that_share_a_name_by_their_files():
    from types import SimpleNamespace

    from reeflow.compare import _labels

    def lp(name: str) -> SimpleNamespace:
        return SimpleNamespace(project=SimpleNamespace(name=name))

    assert _labels(["a.yaml", "b.yaml", "c.yaml"], [lp("X"), lp("X"), lp("Y")]) == [
        "X (a.yaml)", "X (b.yaml)", "Y"]


@pytest.mark.parametrize(("where", "value", "says"), [
    (("products", 0, "t_per_a"), -5, "products.0.t_per_a: got -5; allowed: >= 0"),
    (("products", 0, "purity_frac"), 2.0, "products.0.purity_frac: got 2.0; allowed: from 0"),
    (("kpis", "overall_reo_recovery_frac"), 1.5, "kpis.overall_reo_recovery_frac: got 1.5"),
    (("summary", "capex_usd"), -1e9, "summary.capex_usd: got -1000000000.0; allowed: >= 0")])
def test_report_refuses_an_impossible_value_in_results_json(builtin_results_dict, where, value,
                                                            says):
    import copy

    from reeflow.core.errors import InputError
    from reeflow.results import load_results

    data = copy.deepcopy(builtin_results_dict)
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    with pytest.raises(InputError) as exc:
        load_results(data)
    assert str(exc.value).startswith(says)


def test_a_study_s_own_results_load(builtin_results_dict):
    from reeflow.results import load_results

    load_results(builtin_results_dict)  # its fractions within 0..1 up to round-off


def test_an_empty_vintage_is_refused_not_read_as_the_default(capsys):
    rc, err = _run(["market", "--vintage", ""], capsys)
    assert rc == 2 and err.startswith("reeflow: error: --vintage: got ''")


def test_a_full_disk_is_one_line_not_an_internal_error(capsys, monkeypatch):
    import errno
    import io

    class Full(io.StringIO):
        def write(self, s: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("sys.stdout", Full())
    rc, err = _run(["schema"], capsys)
    assert rc == 1 and err.strip() == "reeflow: error: cannot write the output: No space " \
        "left on device"


def test_a_cpit_with_lower_limits_and_no_incumbent_is_not_called_infeasible():
    """Mining nothing proves infeasibility only where every limit is an upper one (a lower
    limit above 0 is always broken by the empty schedule; the last read of this stop)."""
    from reeflow.mine.cpit import _refuse_infeasible

    class Inst:
        name, n_blocks = "x", 2

        @staticmethod
        def evaluate(per):
            return 0.0, 0, 1.0  # the empty schedule breaks a lower limit

    _refuse_infeasible(Inst(), None, "Time limit reached", False)  # no error
    with pytest.raises(Exception, match="mining nothing breaks"):
        _refuse_infeasible(Inst(), None, "Empty", True)


@pytest.mark.parametrize(("limit", "ok"), [("0 0 L inf", True), ("0 0 L -inf", False),
                                           ("0 0 G -inf", True), ("0 0 G inf", False)])
def test_a_cpit_limit_may_be_an_infinity_of_the_right_sign(tmp_path, limit, ok):
    from reeflow.core.errors import InputError
    from reeflow.mine.minelib import read_minelib_cpit

    (tmp_path / "m.cpit").write_text(CPIT.replace("0 0 L 2", limit, 1))
    (tmp_path / "m.prec").write_text("0 0\n1 1 0\n2 0\n")
    if ok:
        read_minelib_cpit(tmp_path / "m.cpit")
    else:
        with pytest.raises(InputError, match="inf for no upper limit"):
            read_minelib_cpit(tmp_path / "m.cpit")


def test_a_gslib_first_row_with_an_extra_field_is_refused(tmp_path, capsys):
    f = tmp_path / "g.dat"
    f.write_text("title\n3\nx\ny\nv\n0 0 5 7\n1 1 6\n")
    rc, err = _run(["pit", str(f), "--json"], capsys)
    assert rc == 2 and "the first data row has 4 fields where the header has 3" in err


def test_a_upit_model_with_no_block_is_refused_as_a_csv_is(tmp_path, capsys):
    (tmp_path / "e.upit").write_text("NAME: e\nTYPE: UPIT\nNBLOCKS: 0\nOBJECTIVE_FUNCTION:\nEOF\n")
    (tmp_path / "e.prec").write_text("")
    rc, err = _run(["pit", str(tmp_path / "e.upit"), "--json"], capsys)
    assert rc == 2 and "e.upit.NBLOCKS: got 0; allowed: >= 1 block" in err


def test_a_project_mine_plan_names_its_block_model_file(tmp_path, capsys):
    (tmp_path / "negt.csv").write_text("x,y,z,dx,dy,dz,tonnes,treo_frac\n"
                                       "0,0,0,10,10,10,-5,0.02\n10,0,0,10,10,10,2500,0.02\n")
    (tmp_path / "m.yaml").write_text(
        "mine:\n  block_model: negt.csv\n  mining_cost_usd_per_t_moved: 1.5 USD/t\n"
        "  plant_capacity_t_per_a: 1 Mt/a\n  horizon_years: 5\n  discount_rate: 8 %\n"
        "  valuation:\n    processing_cost_usd_per_t: 8 USD/t\n    products:\n"
        "      - {name: treo, grade_column: treo_frac, recovery_frac: 60 %, "
        "price_usd_per_t: 10000 USD/t}\n")
    rc, err = _run(["schedule", str(tmp_path / "m.yaml")], capsys)
    assert rc == 2 and err.startswith("reeflow: error: mine.block_model (negt.csv).tonnes: ")


def test_a_folder_in_the_way_of_an_output_file_says_so(tmp_path):
    """``report --out m4`` with a folder m4/report.html suggested ``--out
    m4/report.html/<file name>``, a path for a file option (fuzz round 35)."""
    from reeflow.core.errors import InputError
    from reeflow.core.io import write_outputs

    (tmp_path / "report.html").mkdir()
    with pytest.raises(InputError, match="a folder named report.html is in the way"):
        write_outputs(tmp_path, {"results.json": "{}", "report.html": "<html></html>"})
    assert not (tmp_path / "results.json").exists()  # nothing written


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["pit", "--help"]])
def test_help_and_version_to_a_full_disk_exit_1(argv):
    """argparse drops a failed write of its help or version: ``reeflow --version > /dev/full``
    exited 0 with nothing written (fuzz round 35)."""
    import subprocess
    import sys

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "reeflow", *argv], stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 1
    assert p.stderr.strip() == "reeflow: error: cannot write the output: No space left on device"


def test_a_results_json_with_a_key_twice_is_refused_not_read_as_its_last(tmp_path, capsys):
    """The JSON reader kept the last of two equal keys of results.json (fuzz round 35)."""
    f = tmp_path / "results.json"
    f.write_text('{"schema_version": "3.1", "meta": {"project": "a", "project": "b"}}')
    rc, err = _run(["report", str(f)], capsys)
    assert rc == 2 and "key 'project' twice in one object" in err
