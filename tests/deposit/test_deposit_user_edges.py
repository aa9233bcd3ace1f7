"""User drillholes whose ordinary-kriging estimate dips below 0 at the edge of the data.

Fuzz round 5 (2026-11-30): 49 vertical holes on a 40 m grid, an ore zone 6-36 m down at
~3.5 % TREO. The blocks above the collars, screened by the nearer samples, take negative
kriging weights and estimates down to -0.28 % TREO; the mine step then refused the
deposit's own block model ("estimate or set the grade of every block"), so no user
drillhole project could be studied. The estimate is now clipped at 0 with a finding, and the
break-even cut-off takes its TREO basket from the user's oxide assays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reeflow.deposit.estimate import _clip_negative, _ree_oxides, run_deposit
from reeflow.deposit.params import DepositParams

SHARES = {"LA2O3": 0.32, "CEO2": 0.48, "PR6O11": 0.045, "ND2O3": 0.135, "SM2O3": 0.02}


def _holes(folder, seed=7, n=7, spacing=40.0, depth=60.0, step=2.0):
    """A seeded grid of vertical holes: ~3.5 % TREO between ~6 and ~36 m, 0.25 % around it."""
    rng = np.random.default_rng(seed)
    col, sur, ass = [], [], []
    for k in range(n * n):
        hid = f"H{k:03d}"
        x, y = 500000 + (k // n) * spacing + rng.normal(0, 2), 7000000 + (k % n) * spacing
        col.append((hid, x, y, 1200 + rng.normal(0, 1), depth))
        sur += [(hid, 0.0, 0.0, -90.0), (hid, depth, 0.0, -90.0)]
        top, bot = 6 + rng.normal(0, 1.5), 36 + rng.normal(0, 2)
        for d in np.arange(0.0, depth, step):
            m = 3.5 if top <= d + step / 2 <= bot else 0.25
            t = max(0.01, rng.lognormal(np.log(m) - 0.06, 0.35))
            ass.append((hid, d, d + step, t, *(t * s for s in SHARES.values())))
    pd.DataFrame(col, columns=["HOLEID", "EASTING", "NORTHING", "RL", "DEPTH"]).to_csv(
        folder / "collars.csv", index=False)
    pd.DataFrame(sur, columns=["HOLEID", "DEPTH", "AZIMUTH", "DIP"]).to_csv(
        folder / "surveys.csv", index=False)
    pd.DataFrame(ass, columns=["HOLEID", "FROM", "TO", "TREO_PCT",
                               *(f"{k}_PCT" for k in SHARES)]).to_csv(
        folder / "assays.csv", index=False)


def test_clip_negative_sets_grades_to_zero_and_says_how_many():
    bm = pd.DataFrame({"treo_frac": [0.03, -0.002, 0.0], "la2o3_frac": [0.01, -0.001, -1e-5]})
    out, row = _clip_negative(bm, ["treo_frac", "la2o3_frac"])
    assert (out.to_numpy() >= 0).all() and out["treo_frac"].iloc[0] == 0.03
    assert row["severity"] == "warning" and "2 blocks kriged below 0" in row["message"]
    assert bm["treo_frac"].iloc[1] < 0  # the caller's frame is not changed
    assert _clip_negative(out, ["treo_frac"])[1] is None


def test_ree_oxides_are_the_components_of_treo():
    assert _ree_oxides(["treo", "la2o3", "ceo2", "tho2", "caf2", "y2o3"]) == \
        ["la2o3", "ceo2", "y2o3"]


@pytest.mark.slow
def test_user_drillholes_with_edge_blocks_give_a_block_model_the_mine_accepts(tmp_path):
    from reeflow.mine.blockmodel import block_grid

    _holes(tmp_path)
    params = DepositParams.model_validate({
        "drillholes": {"collar_file": "collars.csv", "survey_file": "surveys.csv",
                       "assay_file": "assays.csv"},
        "grades": {"treo": {"column": "TREO_PCT", "unit": "%"},
                   **{k.lower(): {"column": f"{k}_PCT"} for k in SHARES}},
        "composite_length": "2 m", "block_size": {"x": "25 m", "y": "25 m", "z": "5 m"},
        "orientation": {"azimuth": "0 deg", "dip": "0 deg", "rake": "0 deg"},
        "density": {"method": "fixed", "fixed": "2.8 t/m**3"},
        "search": {"major": "120 m", "semi": "120 m", "minor": "12 m", "min_samples": 4,
                   "max_samples": 24, "max_per_hole": 6}})
    res = run_deposit(params, base_dir=tmp_path, prices_usd_per_kg={
        "la2o3": 1.0, "ceo2": 1.71, "pr6o11": 69.0, "nd2o3": 69.0, "sm2o3": 2.82},
        recovery_frac=0.4, cost_usd_per_t_ore=60.0)
    grades = [c for c in res.block_model if c.endswith("_frac")]
    assert (res.block_model[grades].to_numpy() >= 0).all()
    block_grid(res.block_model, allow_missing=True)  # raised before: negative grades
    kinds = set(res.issues["kind"])
    assert "negative kriged grade" in kinds
    # the break-even is priced from the user's oxide assays, not the 1 % fallback
    assert "fallback" not in str(res.cutoff_basis) and res.cutoff_frac != pytest.approx(0.01)


def _treo_project(tmp_path, **deposit):
    """A project on the drillholes of :func:`_holes` with a TREO assay only (fixed density)."""
    import yaml

    project = {"extends": "builtin:ngualla", "deposit": {
        "synthetic": None,
        "drillholes": {"collar_file": "collars.csv", "survey_file": "surveys.csv",
                       "assay_file": "assays.csv"},
        "grades": {"treo": {"column": "TREO_PCT", "unit": "%"}},
        "density": {"method": "fixed", "fixed": "2.8 t/m**3"}, **deposit}}
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(project), encoding="utf-8")
    return p


def test_validate_reads_the_drillhole_files(tmp_path, capsys):
    """Fuzz round 5: ``reeflow validate`` passed seven broken drillhole folders; only the
    study found them. It now reads the files as the study does (no estimate)."""
    from reeflow.cli import main

    _holes(tmp_path)
    p = _treo_project(tmp_path)
    assert main(["validate", str(p)]) == 0, capsys.readouterr().err
    assays = pd.read_csv(tmp_path / "assays.csv")
    assays.loc[0, "FROM"] = -2.0
    assays.to_csv(tmp_path / "assays.csv", index=False)
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert "assays.csv: hole H000" in err and "starts above the collar" in err


def test_validate_lists_the_findings_and_checks_the_density_column(tmp_path, capsys):
    """Fuzz round 14: one collar elevation in feet among metres went unflagged (the study then
    stopped at the mine's block limit), and ``reeflow validate`` passed a regressed density
    with no density column, which the study refused."""
    from reeflow.cli import main

    _holes(tmp_path)
    collars = pd.read_csv(tmp_path / "collars.csv")
    z = collars.columns[3]
    collars.loc[5, z] = collars.loc[5, z] * 3.28084
    collars.to_csv(tmp_path / "collars.csv", index=False)
    p = _treo_project(tmp_path)
    assert main(["validate", str(p)]) == 0
    out = capsys.readouterr().out
    assert "1 drillhole finding:" in out and "hole H005: collar z=" in out
    assert "from the median collar elevation" in out and "feet among metres" in out
    p = _treo_project(tmp_path, density={"method": "regression"})
    assert main(["validate", str(p)]) == 2
    assert "deposit.density: got 'no density column'" in capsys.readouterr().err


def test_collars_within_a_hilly_deposit_relief_are_not_flagged():
    from reeflow.deposit import validate_drillholes

    rng = np.random.default_rng(3)
    n = 40
    ids = [f"H{k}" for k in range(n)]
    collars = pd.DataFrame({"hole_id": ids, "x": rng.uniform(0, 2000, n),
                            "y": rng.uniform(0, 2000, n), "z": rng.uniform(900, 1500, n),
                            "max_depth_m": 50.0})
    surveys = pd.DataFrame({"hole_id": ids, "depth_m": 0.0, "azimuth_deg": 0.0,
                            "dip_deg": -90.0})
    assays = pd.DataFrame({"hole_id": ids, "from_m": 0.0, "to_m": 10.0, "treo_pct": 2.0})
    kinds = set(validate_drillholes(collars, surveys, assays).issues["kind"])
    assert "collar_elevation" not in kinds
    collars.loc[7, "z"] = 1500 * 3.28084
    issues = validate_drillholes(collars, surveys, assays).issues
    assert list(issues.loc[issues["kind"] == "collar_elevation", "hole_id"]) == ["H7"]


def test_a_block_limit_names_the_grid_that_broke_it():
    from reeflow.core.errors import InputError
    from reeflow.mine.plan import pad_with_waste

    blocks = pd.DataFrame({"x": [5.0, 5.0], "y": [5.0, 5.0], "z": [5.0, 4995.0],
                           "tonnes": 1.0, "treo_frac": 0.02})
    with pytest.raises(InputError, match=r"a 1 x 1 x 500 grid 5,000 m tall") as err:
        pad_with_waste(blocks, [[0.0, 45.0]], 1000, block_size_m=(10.0, 10.0, 10.0))
    assert "elevation in another unit" in str(err.value)


def _own_project(tmp_path, **deposit):
    import yaml

    from reeflow.project import load_project

    _holes(tmp_path)
    project = {"extends": "builtin:ngualla", "deposit": {
        "synthetic": None,
        "drillholes": {"collar_file": "collars.csv", "survey_file": "surveys.csv",
                       "assay_file": "assays.csv"},
        "grades": {"treo": {"column": "TREO_PCT", "unit": "%"},
                   **{k.lower(): {"column": f"{k}_PCT"} for k in SHARES}},
        "composite_length": "2 m", "block_size": {"x": "25 m", "y": "25 m", "z": "5 m"},
        "density": {"method": "fixed", "fixed": "2.8 t/m**3"}, **deposit}}
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(project), encoding="utf-8")
    return load_project(p)


@pytest.mark.slow
def test_the_head_grade_what_if_of_own_drillholes_scales_the_estimate(tmp_path):
    """Fuzz round 5: on a project with its own drillholes the grid's "head grade" moved
    ore.treo_grade, which never scales user data: only the plant's design basis moved, and
    NPV fell as the "grade" rose. The head-grade what-if is now deposit.grade_factor, which
    scales the estimate; ore.treo_grade is labelled as the design basis it is."""
    from reeflow.chain.mine_steps import estimate_resource_step
    from reeflow.report.figures_econ import grid_figure
    from reeflow.sensitivity import grade_input, input_label

    lp = _own_project(tmp_path, grade_factor={"value": 1.0, "range": [0.9, 1.1]})
    assert grade_input(lp) == "deposit.grade_factor"
    assert input_label(lp, "ore.treo_grade").startswith("Design-basis grade")
    kw = {"prices_usd_per_kg": {"la2o3": 1.0, "nd2o3": 69.0}, "recovery_frac": 0.4,
          "cost_usd_per_t_ore": 60.0}
    base = estimate_resource_step(lp.project, **kw).block_model
    up = lp.project.model_copy(update={"deposit": lp.project.deposit.model_copy(
        update={"grade_factor_frac": 1.1})})
    scaled = estimate_resource_step(up, **kw).block_model
    for col in ("treo_frac", "nd2o3_frac"):
        np.testing.assert_allclose(scaled[col], 1.1 * base[col], rtol=1e-12)
    fig = grid_figure({"x_input": "deposit.grade_factor", "x": [0.9, 1.0, 1.1],
                       "y": [1.0], "npv_usd": [[1e6, 2e6, 3e6]], "x_base": 1.0, "y_base": 1.0})
    assert fig.data[0].x == ("×0.90", "×1.00", "×1.10")
    assert "estimate" in fig.layout.xaxis.title.text


def test_a_synthetic_deposit_keeps_ore_treo_grade_as_its_head_grade():
    from reeflow.project import load_project
    from reeflow.sensitivity import grade_input, input_label

    lp = load_project("builtin:beylikova")
    assert grade_input(lp) == "ore.treo_grade"
    assert input_label(lp, "ore.treo_grade") == "Head grade (TREO)"
    assert lp.project.deposit.grade_factor_frac == 1.0


def test_a_partial_oxide_suite_does_not_price_all_of_treo():
    """Review: TREO with Nd2O3 and Pr6O11 alone would have priced all of TREO as NdPr (a
    0.22 % cut-off against 0.92 % with every oxide); under 95 % coverage none price it."""
    from reeflow.deposit.estimate import _covering

    bm = pd.DataFrame({"tonnes": [1.0, 1.0], "treo_frac": [0.03, 0.03],
                       "nd2o3_frac": [0.0054, 0.0054], "pr6o11_frac": [0.0015, 0.0015],
                       "la2o3_frac": [0.0096, 0.0096], "ceo2_frac": [0.0135, 0.0135]})
    own = DepositParams.model_validate({"drillholes": {
        "collar_file": "c.csv", "survey_file": "s.csv", "assay_file": "a.csv"}})
    assert _covering(bm, "treo_frac", ["nd2o3", "pr6o11"], own) == []
    every = ["la2o3", "ceo2", "pr6o11", "nd2o3"]
    assert _covering(bm, "treo_frac", every, own) == every  # 0.3/0.3 = 100 %
    stated = own.model_copy(update={"primary_components": ["nd2o3", "pr6o11"]})
    assert _covering(bm, "treo_frac", ["nd2o3", "pr6o11"], stated) == ["nd2o3", "pr6o11"]


def test_a_missing_drillhole_file_is_named_by_its_project_key(tmp_path):
    """Fuzz round 17: a missing survey file was named ``survey_csv``, a name the user never
    wrote; it is ``deposit.drillholes.survey_file``."""
    from reeflow.core.errors import InputError
    from reeflow.deposit.estimate import check_user_drillholes

    lp = _own_project(tmp_path)
    (tmp_path / "surveys.csv").unlink()
    with pytest.raises(InputError) as err:
        check_user_drillholes(lp.project.deposit)
    assert err.value.field == "deposit.drillholes.survey_file"


def test_validate_checks_a_blending_attribute_against_the_drillhole_grades(tmp_path, capsys):
    """Fuzz round 32 (recorded): a blending limit on a grade no assay gives passed validate on
    a drillhole deposit and the study refused it; validate now names it. TREO alone gives the
    oxides the chain fills from ore.ree_distribution, so a limit on one of them passes."""
    import yaml

    from reeflow.cli import main

    _holes(tmp_path)
    p = _treo_project(tmp_path)
    tree = yaml.safe_load(p.read_text())
    for attr, code in (("nd2o3_frac", 0), ("caf2_frac", 2)):
        tree["mine"] = {"blending": [{"attribute": attr, "max_frac": "10 %"}]}
        p.write_text(yaml.safe_dump(tree), encoding="utf-8")
        assert main(["validate", str(p)]) == code
        err = capsys.readouterr().err
        if code:
            assert "mine.blending[0].attribute" in err and "caf2_frac" in err
            assert "treo_frac" in err and len(err.strip().splitlines()) == 1
