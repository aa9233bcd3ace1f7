"""Experimental variograms against brute force, model fitting recovers known parameters,
cross-validation against an independent dense solve."""

import numpy as np
import pandas as pd
import pytest

from reeflow.deposit import (
    SearchParams,
    Structure,
    VariogramModel,
    cross_validate,
    directional_variograms,
    experimental_variogram,
    fit_variogram,
)


def test_experimental_variogram_matches_brute_force():
    rng = np.random.default_rng(3)
    xyz = rng.uniform(0, 50, (120, 3))
    z = rng.normal(size=120)
    exp = experimental_variogram(xyz, z, lag_m=5.0, n_lags=6)
    d = np.linalg.norm(xyz[:, None] - xyz[None], axis=-1)
    iu = np.triu_indices(120, 1)
    dd, sq = d[iu], 0.5 * (z[:, None] - z[None])[iu] ** 2
    for _, row in exp.iterrows():
        k = round(row["lag_m"] / 5.0)
        m = np.abs(dd - 5.0 * k) <= 2.5
        m &= np.rint(dd / 5.0) == k
        assert row["n_pairs"] == m.sum()
        assert row["gamma"] == pytest.approx(sq[m].mean(), rel=1e-12)


def test_directional_variogram_selects_pairs_along_direction():
    x = np.arange(20.0)
    xyz = np.column_stack([np.r_[x, x], np.r_[np.zeros(20), np.full(20, 100.0)], np.zeros(40)])
    z = np.r_[x, -x]
    ew = experimental_variogram(xyz, z, lag_m=1.0, n_lags=3, azimuth_deg=90.0,
                                angle_tol_deg=5.0)
    # along x (east): pairs within each row only; gamma(h) = h^2 / 2
    np.testing.assert_allclose(ew["gamma"], 0.5 * ew["lag_m"] ** 2)
    many = directional_variograms(xyz, z, lag_m=1.0, n_lags=3, azimuths_deg=(0.0, 90.0))
    assert set(many["azimuth_deg"]) == {90.0}  # no pairs to the north within 3 m


def test_fit_recovers_nested_model():
    true = VariogramModel(0.1, (Structure("spherical", 0.5, (30, 30, 30)),
                                Structure("exponential", 0.4, (120, 120, 120))))
    h = np.linspace(5, 200, 30)
    exp = pd.DataFrame({"lag_m": h, "gamma": true.gamma_iso(h), "n_pairs": 100})
    fit = fit_variogram(exp, kinds=("spherical", "exponential"))
    np.testing.assert_allclose(fit.gamma_iso(h), true.gamma_iso(h), atol=2e-3)
    assert fit.sill == pytest.approx(1.0, rel=0.02)


def test_fit_anisotropic_axes():
    true = VariogramModel(0.0, (Structure("gaussian", 1.0, (100, 40, 10)),))
    curves = []
    for ax in range(3):
        h = np.linspace(2, 150, 25)
        curves.append(pd.DataFrame({"lag_m": h, "gamma": true.gamma_iso(h, axis=ax),
                                    "n_pairs": 50}))
    fit = fit_variogram(curves, kinds=("gaussian",), fit_nugget=False)
    np.testing.assert_allclose(fit.structures[0].ranges_m, (100, 40, 10), rtol=1e-3)


def test_leave_one_out_equals_dense_solve():
    rng = np.random.default_rng(5)
    xyz = rng.uniform(0, 100, (60, 3))
    z = rng.normal(size=60)
    m = VariogramModel(0.1, (Structure("spherical", 0.9, (80, 80, 80)),))
    df, stats = cross_validate(xyz, z, m, SearchParams((1e4,) * 3, min_samples=1,
                                                       max_samples=60))
    i = 17
    keep = np.arange(60) != i
    xs = xyz[keep]
    c = m.covariance(xs[:, None] - xs[None])
    a = np.ones((60, 60))
    a[:59, :59] = c
    a[59, 59] = 0
    b = np.r_[m.covariance(xs - xyz[i]), 1.0]
    w = np.linalg.solve(a, b)
    assert df["estimate"].iat[i] == pytest.approx(w[:59] @ z[keep], abs=1e-10)
    assert stats["n"] == 60 and -1 < stats["mean_std_error"] < 1


def test_anisotropy_search_finds_major_axis():
    """Field elongated north-east (azimuth 45): longest fitted range at 45 degrees."""
    rng = np.random.default_rng(4)
    xyz = np.column_stack([rng.uniform(0, 400, 1500), rng.uniform(0, 400, 1500),
                           np.zeros(1500)])
    u = (xyz[:, 0] + xyz[:, 1]) / np.sqrt(2)  # along 45
    v = (xyz[:, 0] - xyz[:, 1]) / np.sqrt(2)  # across
    z = np.sin(u / 60.0) + np.sin(v / 12.0) * 0.0 + np.cos(v / 10.0)
    from reeflow.deposit import anisotropy_search
    t = anisotropy_search(xyz, z, lag_m=8.0, n_lags=12, azimuths_deg=(0.0, 45.0, 90.0, 135.0),
                          angle_tol_deg=15.0, bandwidth_m=20.0)
    assert t.loc[t["is_major"], "azimuth_deg"].iat[0] == 45.0


def _drilled_field(seed, true):
    """A field simulated with known parameters, sampled by vertical holes on a 40 m grid every
    4 m (1,024 holes x 64 samples over 1,280 x 1,280 x 256 m)."""
    from reeflow.deposit.fftsim import simulate_grid
    fld, neg = simulate_grid(true, (128, 128, 64), (10.0, 10.0, 4.0), seed=seed)
    assert neg < 1e-6  # the embedding is (numerically) exact
    ij = np.arange(0, 128, 4)
    i, j, k = (a.ravel() for a in np.meshgrid(ij, ij, np.arange(64), indexing="ij"))
    xyz = np.column_stack([i * 10.0, j * 10.0, k * 4.0])
    return xyz, fld[i, j, k], i * 1000 + j


@pytest.mark.slow
def test_variogram_recovers_known_parameters():
    """Issue #17: on seeded simulated anisotropic fields (spherical, nugget 0.2, sill 1,
    ranges 240 / 120 / 30 m, major axis at azimuth 30), the default variography recovers the
    major, semi-major and vertical ranges within 10 % and nugget and sill within 5 %, on
    average over the seeds (each seed is a different realisation of the same model)."""
    from reeflow.deposit import model_variogram
    true = VariogramModel(0.2, (Structure("spherical", 0.8, (240.0, 120.0, 30.0),
                                          (30.0, 0.0, 0.0)),))
    fits = []
    for seed in range(4):
        xyz, z, hole = _drilled_field(seed, true)
        m, curves = model_variogram(xyz, z, angles_deg=(30.0, 0.0, 0.0), hole=hole)
        assert [len(c) for c in curves] == [len(c.dropna()) for c in curves]
        fits.append([m.nugget, m.sill, *m.structures[0].ranges_m])
    nug, sill, a1, a2, a3 = np.mean(fits, axis=0)
    assert nug == pytest.approx(0.2, rel=0.05)
    assert sill == pytest.approx(1.0, rel=0.05)
    assert a1 == pytest.approx(240.0, rel=0.10)
    assert a2 == pytest.approx(120.0, rel=0.10)
    assert a3 == pytest.approx(30.0, rel=0.10)


def test_unbounded_bandwidth_shortens_major_range():
    """The failure the defaults fix: with no cap on the vertical offset the major-axis curve
    mixes in pairs offset vertically (short range) and the fitted major range comes out short;
    the default caps recover it on the same data (a quarter of the holes, 10 lags)."""
    from reeflow.deposit import axis_variograms, sampling_lags
    true = VariogramModel(0.2, (Structure("spherical", 0.8, (240.0, 120.0, 30.0),
                                          (30.0, 0.0, 0.0)),))
    xyz, z, hole = _drilled_field(0, true)
    lags, _ = sampling_lags(xyz, hole, (30.0, 0.0, 0.0))
    assert lags == pytest.approx((40.0, 40.0, 4.0))
    keep = np.isin(hole, np.random.default_rng(0).choice(np.unique(hole), 256, replace=False))
    ranges = {}
    for name, bw in (("unbounded", (20.0, 20.0, np.inf)), ("default", None)):
        c = axis_variograms(xyz[keep], z[keep], angles_deg=(30.0, 0.0, 0.0), lags_m=lags,
                            n_lags=(10, 10, 15), bandwidths_m=bw)
        ranges[name] = fit_variogram(c, angles_deg=(30.0, 0.0, 0.0)).structures[0].ranges_m[0]
    assert ranges["unbounded"] < 0.85 * 240.0
    assert ranges["default"] == pytest.approx(240.0, rel=0.10)
