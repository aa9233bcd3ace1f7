"""Sensitivity (tornado/spider) and Monte Carlo: reproducibility, correlation, bad input."""

import time

import numpy as np
import pytest
from econ_fixtures import cached_inputs, cached_result
from scipy import stats

from reeflow.core.errors import InputError
from reeflow.economics.model import npv_of
from reeflow.economics.montecarlo import (
    Distribution,
    correlated_draws,
    default_distributions,
    monte_carlo,
    run_whole_chain,
)
from reeflow.economics.sensitivity import spider, tornado


@pytest.fixture(scope="module")
def inputs():
    return cached_inputs()


@pytest.fixture(scope="module")
def result():
    return cached_result()


def test_tornado_sorted_and_consistent(result):
    t = tornado(result.base, rate=0.08)
    assert list(t["swing_usd"]) == sorted(t["swing_usd"], reverse=True)
    assert t["base_npv_usd"].iloc[0] == pytest.approx(result.npv_usd[0.08], rel=1e-12)
    row = t.set_index("driver")
    assert row.loc["price_ndpr", "npv_high_usd"] > row.loc["price_ndpr", "npv_low_usd"]
    assert row.loc["capex", "npv_high_usd"] < row.loc["capex", "npv_low_usd"]
    assert row.loc["discount_rate", "npv_high_usd"] < row.loc["discount_rate", "npv_low_usd"]
    assert set(row.index) >= {"price_ndpr", "grade", "recovery", "capex", "opex", "fx",
                              "discount_rate"}


def test_spider_passes_through_base(result):
    sp = spider(result.base, rate=0.08)
    at1 = sp[np.isclose(sp["multiplier"], 1.0)]
    np.testing.assert_allclose(at1["npv_usd"], result.npv_usd[0.08], rtol=1e-12)


def test_mc_reproducible_fast_and_ordered(result):
    t = time.perf_counter()
    a = monte_carlo(result.base, n=10_000, seed=7)
    elapsed = time.perf_counter() - t
    b = monte_carlo(result.base, n=10_000, seed=7)
    c = monte_carlo(result.base, n=10_000, seed=8)
    np.testing.assert_array_equal(a.npv_usd, b.npv_usd)
    assert not np.array_equal(a.npv_usd, c.npv_usd)
    s = a.summary
    assert s["p10_usd"] < s["p50_usd"] < s["p90_usd"]
    assert 0.0 <= s["prob_npv_negative"] <= 1.0
    assert elapsed < 5.0
    assert bool(a.convergence["converged"].iloc[-1])
    # the vectorised draws equal a per-draw recomputation
    d = a.draws.iloc[123].to_dict()
    rate = d.pop("discount_rate")
    assert float(npv_of(result.base, rate, d)) == pytest.approx(a.npv_usd[123], rel=1e-10)


def test_copula_reaches_target_rank_correlation():
    dists = {"price_ndpr": Distribution("triangular", {"low": 0.8, "mode": 1.0, "high": 1.6}),
             "price_other": Distribution("uniform", {"low": 0.7, "high": 1.0})}
    R = np.array([[1.0, 0.7], [0.7, 1.0]])
    d = correlated_draws(dists, 20_000, seed=1, correlation=R)
    rho = stats.spearmanr(d["price_ndpr"], d["price_other"]).statistic
    # Spearman of a Gaussian copula: (6/pi) asin(r/2)
    assert rho == pytest.approx(6 / np.pi * np.arcsin(0.35), abs=0.02)
    assert d["price_other"].between(0.7, 1.0).all()


def test_non_psd_correlation_is_input_error():
    dists = {k: Distribution("uniform", {"low": 0.5, "high": 1.5}) for k in "abc"}
    R = np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1.0]])
    with pytest.raises(InputError, match="eigenvalue"):
        correlated_draws(dists, 10, correlation=R)
    with pytest.raises(InputError, match="symmetric"):
        correlated_draws(dists, 10, correlation=np.eye(3) + np.triu(np.ones((3, 3)), 1) * 0.1)


def test_impossible_distributions_rejected():
    with pytest.raises(InputError, match="negative"):
        correlated_draws({"grade": Distribution("normal", {"mean": 1.0, "sd": 0.3})}, 10)
    with pytest.raises(InputError, match="grade"):
        correlated_draws({"grade": Distribution("uniform", {"low": -0.1, "high": 1.0})}, 10)
    with pytest.raises(InputError, match="kind"):
        correlated_draws({"grade": Distribution("weibull", {"k": 1.0})}, 10)


def test_default_correlation_is_used_and_sourced():
    from reeflow.economics.montecarlo import default_correlation

    R = default_correlation(["grade", "price_ndpr", "price_other"])
    assert R[1, 2] == R[2, 1] == 0.54 and R[0, 1] == 0.0
    dists = default_distributions()
    d = correlated_draws(dists, 20_000, seed=2, correlation=default_correlation(list(dists)))
    rho = stats.spearmanr(d["price_ndpr"], d["price_other"]).statistic
    assert rho == pytest.approx(6 / np.pi * np.arcsin(0.27), abs=0.03)


def test_default_distributions_are_sourced():
    d = default_distributions()
    assert {"price_ndpr", "grade", "recovery", "capex", "discount_rate"} <= set(d)
    assert all(len(x.source) > 10 for x in d.values())


def _chain(row):
    # stands in for flowsheet + SX + economics: a pure function of its row
    return {"npv": row["price_ndpr"] * 100.0 - row["capex"] * 50.0, "x": row["capex"] ** 2}


def _chain_econ(row):
    # an economics evaluation per draw, as the whole-chain function will do after its flowsheet
    d = dict(row)
    rate = d.pop("discount_rate")
    return {"npv": float(npv_of(cached_result().base, rate, d))}


def test_whole_chain_serial_matches_vectorised_draws():
    draws = correlated_draws(default_distributions(), 200, seed=3)
    out = run_whole_chain(_chain, draws)
    np.testing.assert_allclose(out["npv"], draws["price_ndpr"] * 100 - draws["capex"] * 50)
    with pytest.raises(InputError, match="backend"):
        run_whole_chain(_chain, draws, backend="ray")


def test_whole_chain_identical_across_backends():
    pytest.importorskip("dask")
    draws = correlated_draws(default_distributions(), 300, seed=11)
    serial = run_whole_chain(_chain, draws)
    threads = run_whole_chain(_chain, draws, backend="dask", chunk_size=7)
    procs = run_whole_chain(_chain, draws, backend="dask", chunk_size=50,
                            scheduler="processes", num_workers=2)
    np.testing.assert_array_equal(serial.to_numpy(), threads.to_numpy())
    np.testing.assert_array_equal(serial.to_numpy(), procs.to_numpy())
    econ_serial = run_whole_chain(_chain_econ, draws.iloc[:40])
    econ_procs = run_whole_chain(_chain_econ, draws.iloc[:40], backend="dask", chunk_size=20,
                                 scheduler="processes", num_workers=2)
    np.testing.assert_array_equal(econ_serial.to_numpy(), econ_procs.to_numpy())
    vec = monte_carlo(cached_result().base, n=300, seed=11,
                      correlation=np.eye(len(default_distributions())))
    np.testing.assert_allclose(econ_serial["npv"], vec.npv_usd[:40], rtol=1e-10)


def test_triangular_inverse_cdf_matches_scipy():
    u = np.linspace(0.001, 0.999, 101)
    d = Distribution("triangular", {"low": 0.7, "mode": 1.0, "high": 1.5})
    ref = stats.triang.ppf(u, (1.0 - 0.7) / 0.8, loc=0.7, scale=0.8)
    np.testing.assert_allclose(d.ppf(u), ref, rtol=1e-12)
    edge = Distribution("triangular", {"low": 0.7, "mode": 1.0, "high": 1.0})
    np.testing.assert_allclose(edge.ppf(u), stats.triang.ppf(u, 1.0, loc=0.7, scale=0.3),
                               rtol=1e-12)
