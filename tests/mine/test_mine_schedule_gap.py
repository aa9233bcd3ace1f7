"""The schedule's gap on a case with a known optimum: one column of benches, lean ore on top and
rich ore below, the plant the bottleneck (issue #17: the study's start stopped at half its bound).

By hand (end-of-year discounting at 10 %): mining one bench a year and feeding everything
(break-even cut-off) earns 800, 800, 800, 9 800, 9 800, 9 800 -> NPV 20 300; stripping the lean
benches in year 1 as waste and feeding only rich ore earns 9 200, 9 800, 9 800 -> NPV 23 826; the
MIP's proven optimum is higher still (about 25 911).
Lane (1988, *The Economic Definition of Ore*, ch. 4): with the plant the bottleneck the cut-off
rises above break-even. The MIP proves the optimum; the start must find it without the MIP.
"""

import numpy as np
import pandas as pd
import pytest

from reeflow.mine.panels import Panels
from reeflow.mine.schedule import ScheduleSpec, schedule_panels

BENCH_T = 100.0
LEAN, RICH, MINING = 10.0, 100.0, 2.0   # USD/t margin before mining; USD/t moved
RATE = 0.10
BREAK_EVEN_NPV = sum(c / 1.1 ** (t + 1) for t, c in enumerate([800.0] * 3 + [9800.0] * 3))
STRIP_FIRST_NPV = 9200 / 1.1 + 9800 / 1.1 ** 2 + 9800 / 1.1 ** 3


def _column(n_lean: int = 3, n_rich: int = 3) -> Panels:
    n = n_lean + n_rich
    panels = pd.DataFrame({"pushback": np.zeros(n, np.int64), "bench": np.arange(n)[::-1],
                           "tonnes": np.full(n, BENCH_T), "mining_usd": np.full(n, -MINING
                                                                                * BENCH_T)})
    margin = np.array([LEAN] * n_lean + [RICH] * n_rich) * BENCH_T
    parcels = pd.DataFrame({"panel": np.arange(n), "code": np.zeros(n, np.int64),
                            "feed_t": np.full(n, BENCH_T), "margin_usd": margin})
    src, dst = np.arange(1, n), np.arange(n - 1)  # each bench needs the one above
    return Panels(panels=panels, parcels=parcels, src=src, dst=dst,
                  block_panel=np.arange(n), block_parcel=np.arange(n), attributes=(),
                  products=())


def _spec(time_limit_s: float) -> ScheduleSpec:
    return ScheduleSpec(plant_t_per_a=(BENCH_T,) * 6, discount_rate=RATE,
                        time_limit_s=time_limit_s, rel_gap=0.0, max_nodes=100_000)


@pytest.fixture(scope="module")
def optimum():
    res = schedule_panels(_column(), _spec(20.0))
    assert res.gap_frac <= 1e-6, res.status  # proven optimal on 6 panels x 6 years
    return res


def test_mip_optimum_beats_break_even_greedy(optimum):
    assert optimum.npv_usd >= STRIP_FIRST_NPV - 1e-6
    assert optimum.bound_usd >= optimum.npv_usd - 1e-6


def test_start_without_branch_and_cut_finds_the_optimum(optimum):
    """Time limit 0 (the study's default): the cut-off ladder of the greedy start alone."""
    res = schedule_panels(_column(), _spec(0.0))
    assert res.npv_usd > 1.05 * BREAK_EVEN_NPV  # the break-even greedy alone fails this
    assert res.npv_usd == pytest.approx(optimum.npv_usd, rel=1e-3)
    assert res.bound_usd >= res.npv_usd
    assert res.gap_frac == pytest.approx((res.bound_usd - res.npv_usd) / res.bound_usd)


def test_bound_is_at_least_the_schedule_on_a_rich_over_lean_column(optimum):
    """Reversed grades (rich on top): the break-even order is already optimal; the ladder must
    not make it worse."""
    pan = _column()
    pan.parcels["margin_usd"] = pan.parcels["margin_usd"].to_numpy()[::-1]
    fast = schedule_panels(pan, _spec(0.0))
    best = schedule_panels(pan, _spec(20.0))
    assert best.bound_usd >= fast.npv_usd - 1e-6
    assert fast.npv_usd == pytest.approx(best.npv_usd, rel=1e-3)


@pytest.fixture(scope="module")
def chosen():
    from mine_inputs import ECON, params

    from reeflow.mine import plan_mine, synthetic_block_model

    df = synthetic_block_model(30, 30, 10, seed=3)
    kw = {"plant_capacity_t_per_a": 150_000.0, "ramp_up_frac": (0.6, 0.85),
          "horizon_years": 12, "discount_rate": 0.08}
    auto = plan_mine(df, ECON, params(pushback_candidates=[1, 2, 4, 8]), **kw)
    one = plan_mine(df, ECON, params(n_pushbacks=1), **kw)
    return auto, one


def test_pushback_count_is_the_best_scheduled_partition(chosen):
    auto, _ = chosen
    curve = auto.schedule_stats["pushback_selection"]
    assert len(curve) >= 2  # distinct partitions were tried
    assert auto.schedule_stats["npv_usd"] == pytest.approx(max(r["npv_usd"] for r in curve))
    assert auto.pit["n_pushbacks"] in {r["n_pushbacks"] for r in curve}
    for r in curve:
        assert r["bound_usd"] >= r["npv_usd"] - 1e-6 * abs(r["npv_usd"])
    requested = sorted(n for r in curve for n in r["requested"])
    assert requested == [1, 2, 4, 8]


def test_fixed_pushback_count_is_honoured_and_never_beats_the_choice(chosen):
    auto, one = chosen
    assert [r["requested"] for r in one.schedule_stats["pushback_selection"]] == [[1]]
    assert one.pit["n_pushbacks"] == 1
    assert auto.schedule_stats["npv_usd"] >= one.schedule_stats["npv_usd"] - 1e-6


def test_horizon_coverage_is_what_the_pit_and_the_schedule_say(chosen):
    auto, _ = chosen
    st = auto.schedule_stats
    cap = max(auto.schedule["plant_capacity_t"])
    assert st["pit_ore_feed_t"] == pytest.approx(auto.pit["ore_feed_t"])
    assert st["pit_life_years_at_capacity"] == pytest.approx(auto.pit["ore_feed_t"] / cap)
    # the horizon covers the pit when the plan leaves none of it unmined (it said so of the
    # nameplate arithmetic before, of a plan that had mined the whole pit: validation round 8)
    assert st["horizon_covers_pit"] == (auto.remaining["ore_feed_t"] <= 1e-6 * st[
        "pit_ore_feed_t"])
    fed = auto.schedule["ore_t"].sum()
    assert fed + auto.remaining["ore_feed_t"] <= auto.pit["ore_feed_t"] * (1 + 1e-9)
    assert st["pit_ore_to_waste_t"] == pytest.approx(max(
        auto.pit["ore_feed_t"] - fed - auto.remaining["ore_feed_t"]
        - auto.remaining["stockpile_t"], 0.0), rel=1e-9, abs=1e-3)
    if st["horizon_covers_pit"]:  # the whole pit is mined within the horizon; the only ore not
        # fed is what a cut-off above break-even sends to the dump
        assert auto.remaining["pit_tonnes_t"] == pytest.approx(0.0, abs=1e-6)
        assert fed >= 0.9 * auto.pit["ore_feed_t"]


def test_a_short_horizon_says_the_pit_outlives_it():
    from mine_inputs import ECON, params

    from reeflow.mine import plan_mine, synthetic_block_model

    df = synthetic_block_model(30, 30, 10, seed=3)
    plan = plan_mine(df, ECON, params(n_pushbacks=2), plant_capacity_t_per_a=150_000.0,
                     ramp_up_frac=(), horizon_years=3, discount_rate=0.08)
    st = plan.schedule_stats
    assert st["horizon_covers_pit"] is False
    assert st["pit_life_years_at_capacity"] > 3
    assert "not mined in the 3 scheduled years" in st["npv_basis_note"]
    assert st["bound_usd"] >= st["npv_usd"]


def test_an_empty_pit_with_a_stockpile_has_the_stockpile_s_empty_flows():
    """An empty region scheduled with a stockpile gave flows for no stockpile, and the
    schedule's table failed on the stockpile's rehandling (IndexError; found with a project at
    an operating-cost scale of 1.5 whose grown region was empty)."""
    from reeflow.mine.schedule import Stockpile

    empty = _column(0, 0)
    spec = ScheduleSpec(plant_t_per_a=(BENCH_T,) * 3, discount_rate=RATE, time_limit_s=0.0,
                        stockpiles=(Stockpile(name="low", capacity_t=1e3,
                                              rehandle_cost_usd_per_t=2.0),))
    res = schedule_panels(empty, spec)
    assert res.reclaim.shape == res.inventory.shape == (1, 0, 3)
    feed = empty.parcels["feed_t"].to_numpy()
    assert (feed @ res.reclaim[0]).tolist() == [0.0, 0.0, 0.0]
