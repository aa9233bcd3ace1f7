"""Deposit uncertainty: SGS realisations of the block model → pit → schedule → chain."""

from __future__ import annotations

import numpy as np
import pytest

from reeflow.risk.plans import realised_resource, representatives, revenue_factor_ladder


def test_realised_block_model_keeps_shares_and_follows_density(base_outcome):
    res = base_outcome.resource
    bm = res.block_model
    rng = np.random.default_rng(0)
    new = bm["treo_frac"].to_numpy() * rng.uniform(0.5, 1.5, len(bm))
    out = realised_resource(res, new).block_model
    np.testing.assert_allclose(out["treo_frac"], new)
    share = bm["nd2o3_frac"] / bm["treo_frac"]
    np.testing.assert_allclose(out["nd2o3_frac"] / out["treo_frac"], share, rtol=1e-12)
    np.testing.assert_allclose(out["caf2_frac"], bm["caf2_frac"])  # gangue kept
    vol = out["dx"] * out["dy"] * out["dz"] * out["domain_share"]
    np.testing.assert_allclose(out["tonnes"], vol * out["density_t_per_m3"], rtol=1e-12)
    # density follows the deposit's own regression on TREO (its sign decides the direction)
    assert not np.allclose(out["density_t_per_m3"], bm["density_t_per_m3"])
    assert bm is res.block_model and "tonnes" in bm  # the estimate is untouched


def test_revenue_factor_ladder_spans_the_draws():
    rf = np.random.default_rng(1).lognormal(0.0, 0.2, 5000)
    ladder = revenue_factor_ladder(rf, n=5)
    assert 1.0 in ladder and ladder == sorted(ladder)
    assert ladder[0] <= np.quantile(rf, 0.05) and ladder[-1] >= np.quantile(rf, 0.95)
    assert revenue_factor_ladder(rf, n=1) == [1.0]


def test_representatives_are_real_draws_spread_over_the_cloud():
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(-2, 0.1, (300, 2)), rng.normal(2, 0.1, (300, 2))])
    idx = representatives(X, 2)
    assert len(idx) == 2 and np.array_equal(idx, representatives(X, 2))  # deterministic
    assert sorted(np.sign(X[idx, 0])) == [-1.0, 1.0]  # one in each cluster
    assert len(representatives(X[:3], 10)) <= 3


@pytest.mark.slow
def test_realisations_run_through_the_chain(loaded, base_outcome):
    from reeflow.risk import run_risk

    res = run_risk(loaded, draws=120, seed=4, inputs=["economics.price_scale_ndpr"],
                   workers=1, realisations=2, n_plans=2, outcome=base_outcome)
    sec = res.section()
    assert sec["realisations"] == 2
    assert [r["realisation"] for r in sec["by_realisation"]] == [0, 1]
    assert set(np.unique(res.draws.realisation)) == {0, 1}
    plans = res.model["plans"]
    assert {p["realisation"] for p in plans} == {0, 1}
    # draws on different realisations run on different block models: different outcomes
    npv = res.outputs["npv_usd"]
    real = res.draws.realisation
    assert np.nanmedian(npv[real == 0]) != np.nanmedian(npv[real == 1])
