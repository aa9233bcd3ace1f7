"""What a Monte Carlo draws: marginals (cross-checked against scipy.stats), integers, shares,
correlations (Iman–Conover, Gaussian copula), price paths and the project-file keys."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from reeflow.core.errors import InputError
from reeflow.project import load_project, load_project_text
from reeflow.risk.inputs import (
    InputSpec,
    correlation_matrix,
    draw,
    effective_row,
    iman_conover,
    input_specs,
    price_paths,
    ranged_inputs,
)
from reeflow.risk.params import CorrelationPair, PricePath

U = np.linspace(0.001, 0.999, 97)


@pytest.fixture(scope="module")
def loaded():
    return load_project()


def test_triangular_matches_scipy():
    s = InputSpec("x", "triangular", 2.0, 3.0, 7.0)
    ref = stats.triang(c=(3.0 - 2.0) / 5.0, loc=2.0, scale=5.0).ppf(U)
    np.testing.assert_allclose(s.ppf(U), ref, rtol=1e-12)


def test_pert_matches_scipy_beta():
    s = InputSpec("x", "pert", 0.32, 0.6, 0.726)
    a = 1 + 4 * (0.6 - 0.32) / (0.726 - 0.32)
    b = 1 + 4 * (0.726 - 0.6) / (0.726 - 0.32)
    ref = 0.32 + (0.726 - 0.32) * stats.beta(a, b).ppf(U)
    np.testing.assert_allclose(s.ppf(U), ref, rtol=1e-10)


def test_uniform_and_degenerate():
    np.testing.assert_allclose(InputSpec("x", "uniform", 1.0, 1.5, 3.0).ppf(U), 1 + 2 * U)
    assert np.all(InputSpec("x", "triangular", 1.0, 1.0, 1.0).ppf(U) == 1.0)


def test_normal_reads_range_as_central_90_and_truncates():
    s = InputSpec("x", "normal", 0.8, 1.0, 1.2)  # unbounded field
    sd = 0.4 / (2 * stats.norm.ppf(0.95))
    np.testing.assert_allclose(s.ppf(U), stats.norm(1.0, sd).ppf(U), rtol=1e-10)
    t = InputSpec("r", "normal", 0.6, 0.9, 1.0, bound_low=0.0, bound_high=1.0)
    x = t.ppf(U)
    assert x.min() >= 0.0 and x.max() <= 1.0
    sd = 0.4 / (2 * stats.norm.ppf(0.95))
    ref = stats.truncnorm((0 - 0.9) / sd, (1 - 0.9) / sd, loc=0.9, scale=sd).ppf(U)
    np.testing.assert_allclose(x, ref, rtol=1e-8)


def test_lognormal_median_and_spread():
    s = InputSpec("p", "lognormal", 0.5, 1.0, 2.0, bound_low=0.0)
    sigma = np.log(4.0) / (2 * stats.norm.ppf(0.95))
    np.testing.assert_allclose(s.ppf(U), stats.lognorm(sigma, scale=1.0).ppf(U), rtol=1e-10)
    with pytest.raises(InputError):
        InputSpec("p", "lognormal", 0.0, 1.0, 2.0).ppf(U)


def test_integer_input_draws_whole_numbers(loaded):
    specs = {s.path: s for s in input_specs(loaded)}
    spec = specs["economics.closure.aftercare_years"]
    assert spec.integer
    d = draw(loaded, 200, seed=3, inputs=["economics.closure.aftercare_years"])
    assert np.all(d.values == np.round(d.values))
    assert d.values.min() >= 30 and d.values.max() <= 300


def test_every_ranged_input_is_drawn_by_default(loaded):
    d = draw(loaded, 50, seed=1)
    assert set(d.names) == set(ranged_inputs(loaded))
    for j, s in enumerate(input_specs(loaded)):
        assert s.low - 1e-12 <= d.values[:, j].min() and d.values[:, j].max() <= s.high + 1e-12


def test_draws_are_reproducible_and_seed_dependent(loaded):
    a = draw(loaded, 100, seed=7).values
    b = draw(loaded, 100, seed=7).values
    c = draw(loaded, 100, seed=8).values
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # a prefix of a larger run is the smaller run (draws made up front, column streams)
    big = draw(loaded, 300, seed=7).values
    assert np.array_equal(big[:100], a) or big.shape[0] == 300


def test_shares_renormalised_like_with_overrides(loaded):
    row = {"ore.ree_distribution.Ce": 0.45, "ore.ree_distribution.La": 0.44}
    eff = effective_row(loaded, row)
    shares = [v for k, v in eff.items() if k.startswith("ore.ree_distribution.")]
    assert sum(shares) == pytest.approx(1.0, abs=1e-12)
    assert eff["ore.ree_distribution.Ce"] / eff["ore.ree_distribution.La"] == \
        pytest.approx(0.45 / 0.44)


def test_unknown_or_unranged_input_is_refused(loaded):
    with pytest.raises(InputError, match="risk.inputs"):
        draw(loaded, 10, seed=0, inputs=["ore.throughput"])
    with pytest.raises(InputError):
        draw(loaded, 0, seed=0)


def test_iman_conover_keeps_marginals_and_hits_rank_target():
    rng = np.random.default_rng(0)
    n = 4000
    x = np.column_stack([rng.lognormal(size=n), rng.uniform(size=n), rng.triangular(0, 1, 5, n)])
    R = np.array([[1.0, 0.7, -0.4], [0.7, 1.0, 0.0], [-0.4, 0.0, 1.0]])
    y = iman_conover(x, R, np.random.default_rng(1))
    for j in range(3):
        assert np.array_equal(np.sort(y[:, j]), np.sort(x[:, j]))
    rho = stats.spearmanr(y).statistic
    np.testing.assert_allclose(rho, R, atol=0.04)


def test_correlation_must_be_psd_and_name_drawn_inputs():
    specs = [InputSpec(n, "uniform", 0, 0.5, 1) for n in ("a", "b", "c")]
    ok = correlation_matrix(specs, [CorrelationPair(inputs=("a", "b"), rho=0.5)])
    assert ok[0, 1] == ok[1, 0] == 0.5
    bad = [CorrelationPair(inputs=("a", "b"), rho=0.9),
           CorrelationPair(inputs=("a", "c"), rho=0.9),
           CorrelationPair(inputs=("b", "c"), rho=-0.9)]
    with pytest.raises(InputError, match="eigenvalue"):
        correlation_matrix(specs, bad)
    with pytest.raises(InputError):
        correlation_matrix(specs, [CorrelationPair(inputs=("a", "z"), rho=0.1)])


def _project_with(extra: str) -> object:
    return load_project_text("extends: builtin:beylikova\n" + extra)


def test_project_file_distribution_and_correlation():
    loaded = _project_with(
        "economics:\n"
        "  price_scale_ndpr: {value: 1.0, range: [0.8, 1.6], distribution: pert}\n"
        "risk:\n"
        "  inputs: [economics.price_scale_ndpr, economics.price_scale_other]\n"
        "  correlation:\n"
        "    method: gaussian_copula\n"
        "    pairs:\n"
        "      - {inputs: [economics.price_scale_ndpr, economics.price_scale_other],"
        " rho: 0.8, evidence: assumed}\n")
    specs = input_specs(loaded)
    assert [s.kind for s in specs] == ["pert", "triangular"]
    d = draw(loaded, 3000, seed=2)
    rho = stats.spearmanr(d.values[:, 0], d.values[:, 1]).statistic
    assert rho == pytest.approx(0.8, abs=0.05)


def test_bad_distribution_key_is_an_input_error():
    with pytest.raises(InputError, match="distribution"):
        _project_with("economics:\n  price_scale_ndpr: {value: 1.0, range: [0.8, 1.6], "
                      "distribution: gamma}\n")
    with pytest.raises(InputError, match="range"):
        _project_with("economics:\n  price_scale_ndpr: {value: 1.0, distribution: pert}\n")
    with pytest.raises(InputError):
        _project_with("risk:\n  price_paths:\n    economics.capex_scale: "
                      "{volatility: 10 %, mean_reversion: 0.5}\n")


def test_price_paths_have_mean_one_and_stated_volatility():
    pp = {"economics.price_scale_ndpr": PricePath(volatility="30 %", mean_reversion=0.0)}
    m = price_paths(20000, pp, 10, seed=1)[:, 0, :]
    np.testing.assert_allclose(m.mean(axis=0), 1.0, atol=0.02)
    # a random walk of the log price: Var(log m_t) = sigma^2 t
    np.testing.assert_allclose(np.log(m).var(axis=0), 0.09 * np.arange(1, 11), rtol=0.05)
    pp = {"economics.price_scale_ndpr": PricePath(volatility="30 %", mean_reversion=1.0)}
    m = price_paths(20000, pp, 30, seed=1)[:, 0, :]
    stationary = 0.09 / 2.0  # sigma^2 / (2 kappa)
    assert np.log(m[:, -1]).var() == pytest.approx(stationary, rel=0.05)
