"""Lane's cut-off policy: limiting cases that reduce to closed forms, and policy invariants."""

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.mine import BlockEconomics, Product, block_values
from reeflow.mine.cutoff import LaneEconomics, lane_cutoff, lane_policy

rng = np.random.default_rng(7)
GRADES = rng.lognormal(np.log(0.01), 0.6, 5000)
TONNES = np.full(5000, 1000.0)
ECON = dict(price_usd_per_kg=10.0, recovery_frac=0.7, mining_cost_usd_per_t=2.0,
            processing_cost_usd_per_t=30.0, selling_cost_usd_per_kg=1.0)


def test_mill_only_without_time_costs_is_break_even():
    e = LaneEconomics(**ECON, mill_capacity_t_per_a=5e5)
    c = lane_cutoff(GRADES, TONNES, e)["cutoff_frac"]
    assert c == pytest.approx(30.0 / (9.0 * 700.0))
    econ = BlockEconomics((Product("x", "g_frac", 0.7, 10_000.0, selling_cost_usd_per_t=1000.0),),
                          mining_cost_usd_per_t=2.0, processing_cost_usd_per_t=30.0)
    ore = block_values(TONNES, {"g_frac": GRADES}, econ).is_ore
    np.testing.assert_array_equal(ore, c < GRADES)  # the block valuation's break-even rule


def test_mill_limited_cutoff_rises_with_opportunity_cost():
    e = LaneEconomics(**ECON, mill_capacity_t_per_a=5e5, fixed_cost_usd_per_a=1e6)
    cs = [lane_cutoff(GRADES, TONNES, e, opportunity_cost_usd_per_a=F)["cutoff_frac"]
          for F in (0.0, 1e6, 5e6)]
    assert cs[0] < cs[1] < cs[2]
    assert cs[2] == pytest.approx((30.0 + 6e6 / 5e5) / (9.0 * 700.0))


def test_huge_mine_capacity_gives_mill_limited_optimum():
    e = LaneEconomics(**ECON, mill_capacity_t_per_a=5e5, mine_capacity_t_per_a=1e12,
                      fixed_cost_usd_per_a=2e6)
    c = lane_cutoff(GRADES, TONNES, e)
    assert c["cutoff_frac"] == pytest.approx(c["limit_H"])


def test_policy_cutoffs_decline_and_respect_capacity():
    e = LaneEconomics(**ECON, mill_capacity_t_per_a=4e5, mine_capacity_t_per_a=1.2e6,
                      fixed_cost_usd_per_a=1e6)
    df = lane_policy(GRADES, TONNES, e, discount_rate=0.1)
    assert len(df) > 3
    assert np.all(np.diff(df["cutoff_frac"].to_numpy()) <= 1e-12)
    assert np.all(df["ore_t"] <= 4e5 * (1 + 1e-9))
    assert np.all(df["material_t"] <= 1.2e6 * (1 + 1e-9))
    assert df["material_t"].sum() == pytest.approx(TONNES.sum(), rel=1e-6)


def test_bad_lane_inputs():
    with pytest.raises(InputError, match="capacities"):
        LaneEconomics(**ECON)
    with pytest.raises(InputError, match="recovery_frac"):
        LaneEconomics(**{**ECON, "recovery_frac": 0.0}, mill_capacity_t_per_a=1.0)
