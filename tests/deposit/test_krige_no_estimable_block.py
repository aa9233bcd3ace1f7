"""``reeflow krige`` over its own grid where no block can be estimated (every collar at one
point, too few samples for search.min_samples) is refused, not written as a header-only CSV."""

from __future__ import annotations

from reeflow.cli import main

_MODEL = """variogram: {nugget: 0.1, structures: [{kind: spherical, sill: 0.9, ranges_m: [100, 100, 50]}]}
search: {ranges_m: [200, 200, 100], min_samples: 6, max_samples: 12}
variables: [treo]
grid: {block_size_m: [20, 20, 10]}
"""


def _inputs(tmp_path, n: int):
    comps = tmp_path / "comps.csv"
    comps.write_text("x,y,z,treo\n" + "".join(f"100,200,{10 * i},{1 + 0.1 * i}\n"
                                             for i in range(n)))
    model = tmp_path / "model.yaml"
    model.write_text(_MODEL)
    return str(comps), str(model)


def test_krige_with_every_collar_at_one_point_and_no_estimable_block_is_refused(
        tmp_path, capsys):
    comps, model = _inputs(tmp_path, 4)  # 4 samples < search.min_samples = 6
    out = tmp_path / "out.csv"
    assert main(["krige", comps, "--model", model, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reeflow: error: DRILLHOLES: got '4 composites at 1 collar position")
    assert "search.min_samples = 6" in err and "no block could be estimated" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_krige_one_vertical_hole_with_enough_samples_still_runs(tmp_path, capsys):
    comps, model = _inputs(tmp_path, 10)
    out = tmp_path / "out.csv"
    assert main(["krige", comps, "--model", model, "--out", str(out)]) == 0
    assert "estimated 9 of 9 blocks" in capsys.readouterr().out
    assert len(out.read_text().splitlines()) == 10


def test_krige_with_an_empty_out_is_refused(tmp_path, capsys):
    """--out "" kriged, wrote nothing and exited 0 (fuzz round 34); study and risk refuse it."""
    comps, model = _inputs(tmp_path, 10)
    assert main(["krige", comps, "--model", model, "--out", ""]) == 2
    assert capsys.readouterr().err.startswith("reeflow: error: --out: got ''; allowed: a file")


def test_krige_s_drillhole_errors_say_the_model_file_s_key(monkeypatch):
    """The tables' refusal told krige's user to set deposit.drillholes.mode, a project key
    krige has no file for (fuzz round 34); krige reads mode from its --model file."""
    import pytest

    import reeflow.deposit.commands as dc
    from reeflow.core.errors import InputError

    def refuse(*a, **k):
        raise InputError("deposit.drillholes", "1 data errors", "clean drillhole tables",
                         "c.csv: hole 1: x='nan'; or set deposit.drillholes.mode: lenient to "
                         "exclude them and list each in the findings")

    monkeypatch.setattr(dc, "read_drillholes", refuse)
    cfg = type("Cfg", (), {"mode": "strict", "length_unit": "m", "dip_positive_down": True})()
    with pytest.raises(InputError) as exc:
        dc._samples(["c.csv", "s.csv", "a.csv"], cfg)
    assert exc.value.field == "DRILLHOLES"
    assert "set mode: lenient in the --model file" in exc.value.fix


def test_krige_s_model_file_refuses_true_for_a_count(tmp_path, capsys):
    """search.min_samples: true was read as 1 (fuzz round 34), as max_blocks: true was in a
    project file; both models share the rule (core.projectfile.no_bool_for_int)."""
    comps, model = _inputs(tmp_path, 10)
    m = tmp_path / "model.yaml"
    m.write_text(_MODEL.replace("min_samples: 6", "min_samples: true"))
    assert main(["krige", comps, "--model", str(m)]) == 2
    err = capsys.readouterr().err
    assert "min_samples" in err and "a whole number, not true or false" in err, err
