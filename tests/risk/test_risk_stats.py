"""Monte Carlo statistics: percentiles, loss, VaR, standard error, rank correlations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from reeflow.risk import stats


def test_summary_matches_numpy_and_loss_measures():
    rng = np.random.default_rng(0)
    x = rng.normal(10.0, 20.0, 20000)
    s = stats.summary(x, loss=True)
    assert s["p10"] == pytest.approx(np.percentile(x, 10))
    assert s["p50"] == pytest.approx(np.median(x))
    assert s["stderr_mean"] == pytest.approx(x.std(ddof=1) / np.sqrt(x.size))
    assert s["prob_loss"] == pytest.approx(np.mean(x < 0))
    assert s["prob_loss"] == pytest.approx(sps.norm(10, 20).cdf(0), abs=0.01)
    # VaR95 is the loss at the 5th percentile; CVaR95 >= VaR95
    assert s["var95"] == pytest.approx(-np.percentile(x, 5))
    assert s["cvar95"] >= s["var95"]
    lo, hi = s["p50_ci95"]
    assert lo < s["p50"] < hi


def test_missing_draws_are_counted_not_used():
    s = stats.summary(np.array([1.0, np.nan, 3.0]))
    assert s["n"] == 2 and s["n_missing"] == 1 and s["mean"] == 2.0


def test_percentile_interval_covers_the_truth():
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(200):
        lo, hi = stats.summary(rng.standard_normal(400))["p90_ci95"]
        hits += lo <= sps.norm.ppf(0.9) <= hi
    assert 0.9 <= hits / 200 <= 0.99


def test_convergence_ends_at_the_full_sample():
    x = np.random.default_rng(2).normal(size=1000)
    rows = stats.convergence(x)
    assert rows[-1]["n"] == 1000 and rows[-1]["mean"] == pytest.approx(x.mean())
    assert rows[0]["mean_lo"] < rows[0]["mean"] < rows[0]["mean_hi"]


def test_rank_correlations_match_scipy_and_sort():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 3))
    y = 2 * X[:, 1] - 0.5 * X[:, 0] + 0.1 * rng.normal(size=500)
    rows = stats.rank_correlations(X, ["a", "b", "c"], y)
    assert [r["input"] for r in rows][:2] == ["b", "a"]
    assert rows[0]["spearman"] == pytest.approx(sps.spearmanr(X[:, 1], y).statistic)


def test_histogram_and_s_curve():
    x = np.arange(100.0)
    h = stats.histogram(x, bins=10)
    assert sum(h["counts"]) == 100 and len(h["edges"]) == 11
    c = stats.s_curve(x, points=11)
    assert c["value"][0] == 0.0 and c["value"][-1] == 99.0
    fan = stats.fan(np.array([[1.0, 2.0], [3.0, np.nan]]))
    assert fan[1]["n"] == 1


def test_identical_draws_have_no_spread():
    """np.std of 561,409,523 three times is 6e-8: the report showed "s.e. 4.87e-08"."""
    from reeflow.risk.stats import summary

    s = summary(np.full(3, 561_409_523.4))
    assert s["sd"] == 0.0 and s["stderr_mean"] == 0.0
