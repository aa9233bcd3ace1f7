"""Chain fuzz round 25 (an independent helper, on projects the developers had not seen)."""

from __future__ import annotations

import pandas as pd
import pytest

from reeflow.core.errors import InputError
from reeflow.deposit.params import DepositParams


def _files(folder, treo):
    """Six vertical holes on a 40 m grid, 2 m assays; ``treo(k, d)`` gives each grade (%)."""
    col, sur, ass = [], [], []
    for k in range(6):
        hid = f"H{k}"
        col.append((hid, (k % 3) * 40.0, (k // 3) * 40.0, 500.0, 40.0))
        sur.append((hid, 0.0, 0.0, -90.0))
        ass += [(hid, d, d + 2.0, treo(k, d)) for d in range(0, 40, 2)]
    pd.DataFrame(col, columns=["hole_id", "x", "y", "z", "depth"]).to_csv(
        folder / "collar.csv", index=False)
    pd.DataFrame(sur, columns=["hole_id", "at", "azimuth", "dip"]).to_csv(
        folder / "survey.csv", index=False)
    pd.DataFrame(ass, columns=["hole_id", "from", "to", "treo_pct"]).to_csv(
        folder / "assay.csv", index=False)
    return DepositParams.model_validate({
        "drillholes": {"collar_file": "collar.csv", "survey_file": "survey.csv",
                       "assay_file": "assay.csv"},
        "grades": {"treo": {"column": "treo_pct", "unit": "%"}},
        "density": {"method": "fixed", "fixed": "2.9 t/m**3"}})


def test_assays_without_any_primary_grade_are_refused_by_validate_and_the_estimate(tmp_path):
    """All-zero TREO assays passed validate, then stopped `reeflow resource` and the study
    with "ValueError: zero-size array to reduction operation maximum" (exit 1)."""
    from reeflow.deposit.estimate import check_user_drillholes, run_deposit

    params = _files(tmp_path, lambda k, d: 0.0)
    with pytest.raises(InputError) as exc:
        check_user_drillholes(params, tmp_path)
    assert exc.value.field == "deposit.drillholes.assay_file"
    assert "no treo above 0 in 120 assayed intervals" in str(exc.value.value)
    with pytest.raises(InputError) as exc2:
        run_deposit(params, base_dir=tmp_path)
    assert exc2.value.field == exc.value.field


def test_some_grade_passes_the_check(tmp_path):
    from reeflow.deposit.estimate import check_user_drillholes

    params = _files(tmp_path, lambda k, d: 2.0 if 10 <= d < 30 else 0.0)
    check_user_drillholes(params, tmp_path)  # no error


def test_a_barren_estimation_domain_is_named():
    """Grades are estimated relative to their domain's mean: a domain whose assays are all 0
    is named, with the fix to list it as waste (it gave NaN relative grades)."""
    from reeflow.deposit.estimate import _estimation_composites

    comps = pd.DataFrame({"domain": ["ORE"] * 12 + ["LOW"] * 12,
                          "treo_frac": [0.03] * 12 + [0.0] * 12,
                          "x": range(24), "y": 0.0, "z": 0.0, "hole_id": "H1"})
    with pytest.raises(InputError) as exc:
        _estimation_composites(comps, DepositParams())
    assert exc.value.field == "deposit.domains" and exc.value.value == ["LOW"]
    assert "waste_domains" in exc.value.fix and "keep HOST, WASTE, AIR" in exc.value.fix
    with pytest.raises(InputError) as exc:  # listed domains: waste_domains is not read
        _estimation_composites(comps, DepositParams(domains=["ORE", "LOW"]))
    assert exc.value.fix.startswith("remove them from deposit.domains")


def _ramped(ore_t, ramp):
    from types import SimpleNamespace as Ns

    project = Ns(economics=Ns(schedule=Ns(ramp_up=ramp)), ore=Ns(throughput_t_per_a=570_000.0))
    return Ns(project=project, mine=Ns(schedule=pd.DataFrame({"ore_t": ore_t})))


def test_a_life_of_ramp_up_years_only_is_flagged():
    """A 2-year life with ramp_up [0.3, 0.5] sized and costed the plant for 285 kt/a while
    the KPIs said 570 kt/a, with no word (chain fuzz round 25)."""
    from reeflow.consistency import CHECKS, plant_reaches_nameplate

    assert plant_reaches_nameplate in CHECKS
    low = plant_reaches_nameplate(_ramped([171_000.0, 285_000.0], [0.3, 0.5]))
    assert not low.ok and low.severity == "warning"
    assert "sized and costed for 285,000 t/a" in low.detail
    assert "implies a 570,000 t/a plant" in low.detail
    assert plant_reaches_nameplate(_ramped([171_000.0, 285_000.0, 570_000.0],
                                           [0.3, 0.5])).ok
    assert plant_reaches_nameplate(_ramped([342_000.0, 570_000.0], [0.6, 1.0])).ok
    assert plant_reaches_nameplate(_ramped([300_000.0], [])).ok  # a short deposit, no ramp
    # the ore runs out after a one-year ramp-up: a 285 kt/a plant for the 570 kt/a ramp-up
    assert not plant_reaches_nameplate(_ramped([285_000.0, 200_000.0], [0.5])).ok
    none = _ramped([1.0], [])
    none.mine.schedule = pd.DataFrame({"year": [1]})
    assert "no mine schedule" in plant_reaches_nameplate(none).detail
    # a year at capacity x ramp to round-off is not a plant above its heaviest year (fuzz 26)
    assert plant_reaches_nameplate(_ramped([171_000.0, 570_000.0], [0.3 * (1 - 4e-9)])).ok


def _fed(caf2, tho2, synthetic=True):
    from types import SimpleNamespace as Ns

    ore = Ns(caf2_grade_frac=0.0, baso4_grade_frac=0.18, tho2_grade_frac=0.12)
    deposit = Ns(synthetic=Ns(parameters_file="/x/synthetic_deposit.yaml") if synthetic
                 else None)
    s = pd.DataFrame({"ore_t": [100.0, 300.0, 0.0], "caf2_frac": caf2, "baso4_frac": 0.18,
                      "tho2_frac": tho2})
    return Ns(project=Ns(ore=ore, deposit=deposit), mine=Ns(schedule=s))


def test_by_product_and_thorium_grades_the_design_does_not_feed_are_flagged():
    """caf2_grade: 0 % on a synthetic deposit fed 27-29 % CaF2 every year, and ThO2 12 %
    designed for 60 kt/a of ThO2 while the pit fed 0.84 %, with no word (chain fuzz
    round 25)."""
    from reeflow.consistency import CHECKS, minor_grades_match_feed

    assert minor_grades_match_feed in CHECKS
    low = minor_grades_match_feed(_fed([0.27, 0.29, 0.5], [0.0084, 0.0084, 0.3]))
    assert not low.ok and low.severity == "warning"
    assert "CaF2 0.00% (ore.caf2_grade) against 28.50% fed" in low.detail  # ore-weighted
    assert "ThO2 12.00% (ore.tho2_grade) against 0.84% fed" in low.detail
    assert "BaSO4 18" not in low.detail and "synthetic_deposit.yaml" in low.detail
    assert "deposit's data" in minor_grades_match_feed(
        _fed([0.27, 0.29, 0.5], [0.12] * 3, synthetic=False)).detail
    assert minor_grades_match_feed(_fed([0.0005] * 3, [0.125] * 3)).ok  # within 0.1 % / 10 %
    bare = _fed([0.27, 0.29, 0.5], [0.12] * 3)
    bare.mine.schedule = bare.mine.schedule.drop(columns="ore_t")
    assert "no mine schedule" in minor_grades_match_feed(bare).detail  # it raised (fuzz 26)
    nan = minor_grades_match_feed(_fed([0.27, float("nan"), 0.5], [0.12] * 3))
    assert "CaF2 0.00% (ore.caf2_grade) against 27.00% fed" in nan.detail  # NaN rows left out


def test_block_grades_that_overfill_the_ore_name_where_they_come_from():
    """A synthetic deposit's CaF2 and BaSO4 with the project's ThO2 of 15 % overfilled some
    blocks; the fix said "check the deposit's grade columns", which the user does not have
    (chain fuzz round 25)."""
    from reeflow.chain.adapters import _check_feed_fits

    with pytest.raises(InputError) as exc:
        _check_feed_fits(0.3, {"tho2_grade_frac": 0.33, "caf2_grade_frac": 0.28,
                               "baso4_grade_frac": 0.16}, True)
    assert exc.value.field == "mine.schedule (the block model's grades)"
    assert "deposit.synthetic.parameters_file" in exc.value.fix
    assert "ore.tho2_grade" in exc.value.fix


def test_an_output_file_named_as_a_folder_is_refused_without_asking_to_delete_it(tmp_path):
    """`--out schdir/` wrote a file named schdir; `--out userdir` (a folder) asked the user
    to remove their folder (chain fuzz round 25)."""
    from reeflow.core.io import check_output_file

    with pytest.raises(InputError) as exc:
        check_output_file(f"{tmp_path}/new/", field="--out")
    assert "ending in '/'" in exc.value.allowed and "creating the folder" in exc.value.fix
    assert not (tmp_path / "new").exists()
    (tmp_path / "userdir").mkdir()
    with pytest.raises(InputError) as exc:
        check_output_file(str(tmp_path / "userdir"), field="--out")
    assert "remove" not in exc.value.fix and "userdir/<file name>" in exc.value.fix
    with pytest.raises(InputError) as exc:  # an existing folder, written with its '/'
        check_output_file(f"{tmp_path / 'userdir'}/", field="--out")
    assert "creating" not in exc.value.fix


_SX = """model: constant_beta
params: {alpha: {Pr: 1.0, Nd: 2.0}, organic_RE_mol_per_h: 1.7, scrub_RE_mol_per_h: 1.2}
sections: [[extraction, 5], [scrub, 5]]
feeds:
  - {stage: STAGE, phase: aqueous, flow_L_per_h: FLOW, mol_per_L: {Pr: 0.5, Nd: 0.5}}
  - {stage: 1, phase: organic, flow_L_per_h: 1.0, mol_per_L: {}}
"""


@pytest.mark.parametrize("stage,flow,words", [
    (99, 1.0, "give a stage of the cascade, 1 to 10 (it has 10 stages)"),
    (5, 0.0, "flow_L_per_h above 0"),
    (5, 1.0, "got 'aqueous 0 L/h, organic 1 L/h'"),  # no scrub feed: stage 6 has no aqueous
])
def test_sx_cascade_errors_say_what_to_change(tmp_path, capsys, stage, flow, words):
    """The fix for a feed on stage 99 of 10 was "more than 10 is refused up front"; a feed at
    0 L/h was "give … element concentration", which the file did; a stage without aqueous
    flow printed numpy's repr (chain fuzz round 25)."""
    from reeflow.cli import main

    f = tmp_path / "c.yaml"
    f.write_text(_SX.replace("STAGE", str(stage)).replace("FLOW", str(flow)))
    assert main(["sx", "simulate", str(f)]) == 2
    err = capsys.readouterr().err
    assert words in err and "np.float64" not in err and len(err.strip().splitlines()) == 1


def test_compare_refuses_the_same_project_twice(tmp_path):
    """`compare a.yaml b.yaml a.yaml` gave two scenario columns of one name (fuzz round 25);
    it is refused before any study runs."""
    from reeflow.compare import compare

    with pytest.raises(InputError) as exc:
        compare(["builtin:beylikova", str(tmp_path / "x.yaml"), str(tmp_path / "." / "x.yaml")])
    assert exc.value.field == "PROJECTS" and "each project file once" in exc.value.allowed
    from reeflow.project import builtin_project_path

    with pytest.raises(InputError, match="each project file once"):  # two spellings, one file
        compare(["builtin:beylikova", str(builtin_project_path("beylikova"))])


def test_a_risk_draw_with_no_project_says_where_the_chain_refused():
    """One of 5 fast-path draws on a project with no mine plan had no project, explained as
    'no ore pays at the drawn inputs'; the note now names the input the setup's scans found
    the chain refusing, and why (chain fuzz round 25)."""
    import numpy as np

    from reeflow.risk.engine import RiskResult
    from reeflow.risk.inputs import Draws

    d = Draws(names=("x",), values=np.ones((2, 1)), path_names=(), paths=np.zeros((2, 0, 0)),
              realisation=np.full(2, -1))
    out = {"npv_usd": np.array([-1.0, np.nan]), "feasible": np.array([1.0, 0.0])}
    scans = [{"path": "plant.separation.separation_factors.Ce/La", "failures": [
        {"value": 1.9, "feasible_to": 2.05, "error": "InfeasibleSpecError: La|Ce " + "x" * 300}]}]
    note = RiskResult(d, out, "fast", 1, [], {"scans": scans}).infeasible()["infeasible_note"]
    assert "the chain refused plant.separation.separation_factors.Ce/La at 1.9 (it works to " \
        "2.05): InfeasibleSpecError: La|Ce" in note and note.endswith("...")
    assert "refused" not in RiskResult(d, out, "rigorous", 1, []).infeasible()["infeasible_note"]
