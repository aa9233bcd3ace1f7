"""Normal-score transform round trip and SGS invariants: conditioning honoured, N(0,1) scores,
reproducible by seed, spatial correlation present."""

import numpy as np
import pytest

from reeflow.deposit.kriging import SearchParams
from reeflow.deposit.models import Structure, VariogramModel
from reeflow.deposit.sgs import normal_score, sgs


def test_normal_score_round_trip_and_moments():
    z = np.random.default_rng(0).lognormal(0, 0.8, 2000)
    y, ns = normal_score(z)
    assert abs(y.mean()) < 1e-3 and y.std() == pytest.approx(1.0, abs=0.02)
    np.testing.assert_allclose(ns.back(y), z, rtol=1e-12)
    np.testing.assert_allclose(ns.back(ns.forward(z)), z, rtol=1e-12)
    assert ns.back(np.array([9.0]))[0] == pytest.approx(z.max())


def test_sgs_honours_data_and_has_unit_scores():
    rng = np.random.default_rng(1)
    g = np.stack(np.meshgrid(np.arange(16.0), np.arange(16.0), [0.0], indexing="ij"),
                 -1).reshape(-1, 3) * 5.0
    data_xyz = g[rng.choice(len(g), 15, replace=False)]
    data_y = rng.normal(size=15)
    m = VariogramModel(0.0, (Structure("spherical", 1.0, (40, 40, 40)),))
    sp = SearchParams((60, 60, 60), min_samples=1, max_samples=16)
    sims = sgs(data_xyz, data_y, g, m, sp, n_realisations=2, seed=3, batch=16)
    at = [np.flatnonzero((g == p).all(1))[0] for p in data_xyz]
    np.testing.assert_allclose(sims[:, at], np.tile(data_y, (2, 1)), atol=1e-8)
    assert abs(sims.mean()) < 0.35 and 0.6 < sims.std() < 1.4
    again = sgs(data_xyz, data_y, g, m, sp, n_realisations=2, seed=3, batch=16)
    np.testing.assert_array_equal(sims, again)
    # spatial correlation: neighbours 5 m apart are more alike than nodes 60 m apart
    grid = sims.reshape(2, 16, 16)
    near = np.mean((grid[:, 1:, :] - grid[:, :-1, :]) ** 2)
    far = np.mean((grid[:, 10:, :] - grid[:, :-10, :]) ** 2)
    assert near < 0.5 * far
