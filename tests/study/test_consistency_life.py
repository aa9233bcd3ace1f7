"""Check ``schedule_fills_the_life``: a mine plan that stops before the stated life is named
(a project whose pit gave 3 production years against life_years = 30 said nothing; validation
round 8)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from reeflow.consistency import CHECKS, schedule_fills_the_life


def _outcome(ore_t, life):
    project = SimpleNamespace(economics=SimpleNamespace(schedule=SimpleNamespace(
        life_years=life)))
    return SimpleNamespace(project=project,
                           mine=SimpleNamespace(schedule=pd.DataFrame({"ore_t": ore_t})))


def test_a_plan_shorter_than_the_life_is_a_warning_that_names_both():
    c = schedule_fills_the_life(_outcome([1e5, 2e5, 2e5], 30))
    assert not c.ok and c.severity == "warning"
    assert c.detail.startswith("3 years of production against economics.schedule.life_years = 30")


def test_a_plan_that_fills_the_life_passes_and_empty_years_do_not_count():
    assert schedule_fills_the_life(_outcome([2e5] * 20, 20)).ok
    assert not schedule_fills_the_life(_outcome([2e5] * 19 + [0.0], 20)).ok
    gap = schedule_fills_the_life(_outcome([2e5] * 9 + [0.0] + [2e5] * 10, 20))
    assert gap.ok and "1 of them without feed" in gap.detail  # a stripping gap, not a stop


def test_the_check_runs_with_the_study():
    assert schedule_fills_the_life in CHECKS


def test_a_short_plan_that_wastes_pit_ore_says_so_not_that_no_ore_pays():
    """An unseen-project check (stop 40): the warning said the pit "holds no more ore that
    pays" beside 10.85 Mt of the pit's above-break-even ore sent to waste by the plan's cut-off;
    it now names those tonnes."""
    o = _outcome([1e5, 2e5, 2e5], 30)
    o.mine.plan = SimpleNamespace(schedule_stats={"pit_ore_to_waste_t": 10.85e6})
    c = schedule_fills_the_life(o)
    assert not c.ok and "10.85 Mt of the pit's ore" in c.detail
    assert "holds no more ore that pays" not in c.detail
    o.mine.plan = SimpleNamespace(schedule_stats={"pit_ore_to_waste_t": 0.0})
    assert "holds no more ore that pays" in schedule_fills_the_life(o).detail
