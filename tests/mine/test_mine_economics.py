"""Block economics: hand-computed values, break-even and grade cut-offs, monotone in RF."""

import numpy as np
import pandas as pd
import pytest

from reeflow.core.errors import InputError
from reeflow.mine import block_values_usd, nsr_usd_per_t


def test_nsr_by_hand():
    grades = pd.DataFrame({"nd2o3_frac": [0.001, 0.0], "caf2_frac": [0.10, 0.05]})
    nsr = nsr_usd_per_t(grades, {"nd2o3": 60.0, "CaF2": 0.3}, {"nd2o3": 0.5, "caf2": 0.8},
                        payability_frac={"nd2o3": 0.9}, selling_cost_usd_per_kg={"caf2": 0.1})
    # 0.001*1000*0.5*0.9*60 = 27; 0.10*1000*0.8*1*(0.3-0.1) = 16
    np.testing.assert_allclose(nsr, [27.0 + 16.0, 8.0])


def test_block_values_break_even_and_cutoff():
    t = np.array([100.0, 100.0])
    nsr = np.array([50.0, 10.0])
    v, ore = block_values_usd(t, nsr, mining_cost_usd_per_t=2.0, processing_cost_usd_per_t=20.0,
                              royalty_frac=0.1)
    np.testing.assert_allclose(v, [100 * (45.0 - 20.0 - 2.0), -200.0])
    assert list(ore) == [True, False]
    v, ore = block_values_usd(t, nsr, mining_cost_usd_per_t=2.0, processing_cost_usd_per_t=20.0,
                              grade_frac=np.array([0.01, 0.02]), cutoff_grade_frac=0.015)
    assert list(ore) == [False, True]
    np.testing.assert_allclose(v, [-200.0, 100 * (10.0 - 22.0)])


def test_values_non_decreasing_in_revenue_factor():
    rng = np.random.default_rng(0)
    t, nsr = rng.uniform(1, 10, 500), rng.uniform(0, 80, 500)
    prev = None
    for rf in np.linspace(0.2, 2.0, 10):
        v, _ = block_values_usd(t, nsr, mining_cost_usd_per_t=3, processing_cost_usd_per_t=30,
                                revenue_factor=rf)
        if prev is not None:
            assert np.all(v >= prev - 1e-12)
        prev = v


def test_bad_economics_inputs():
    g = pd.DataFrame({"nd2o3_frac": [0.001]})
    with pytest.raises(InputError, match="recoveries_frac.nd2o3"):
        nsr_usd_per_t(g, {"nd2o3": 60.0}, {})
    with pytest.raises(InputError, match="prices_usd_per_kg.dy2o3"):
        nsr_usd_per_t(g, {"dy2o3": 300.0}, {"dy2o3": 0.5})
    with pytest.raises(InputError, match="mining_cost_usd_per_t"):
        block_values_usd(np.ones(1), np.ones(1), mining_cost_usd_per_t=-1,
                         processing_cost_usd_per_t=1)
