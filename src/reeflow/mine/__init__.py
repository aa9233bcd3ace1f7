"""Mine planning: block models, block economics, slope precedence, exact ultimate pit, nested pits
and pushbacks, and a life-of-mine schedule that gives the plant feed by year.

Study hook: :func:`plan_mine` (returns :class:`MinePlan`).
"""

from reeflow.mine.blockmodel import (
    BlockGrid,
    block_grid,
    fill_missing_as_waste,
    grade_columns,
    read_block_model,
    read_gslib,
)
from reeflow.mine.cutoff import LaneEconomics, lane_cutoff, lane_policy
from reeflow.mine.economics import block_values_usd, nsr_usd_per_t, ore_mask
from reeflow.mine.gridpit import grid_closure_violations, grid_ultimate_pit
from reeflow.mine.nested import nested_pits, pit_by_pit, pushbacks
from reeflow.mine.pit import (
    PIT_SOLVERS,
    PitResult,
    closure_lp_value,
    closure_violations,
    resolve_solver,
    ultimate_pit,
)
from reeflow.mine.plan import MinePlan, block_arcs, plan_mine
from reeflow.mine.precedence import grid_arc_count, grid_arcs, min_search_offsets
from reeflow.mine.schedule import feed_by_year, make_panels, schedule_panels
from reeflow.mine.synthetic import synthetic_block_model, synthetic_values

__all__ = [
    "BlockGrid", "block_grid", "fill_missing_as_waste", "grade_columns", "read_block_model", "read_gslib",
    "block_values_usd", "nsr_usd_per_t", "ore_mask",
    "LaneEconomics", "lane_cutoff", "lane_policy",
    "nested_pits", "pit_by_pit", "pushbacks",
    "PIT_SOLVERS", "PitResult", "closure_lp_value", "closure_violations",
    "resolve_solver", "ultimate_pit",
    "MinePlan", "block_arcs", "plan_mine", "grid_ultimate_pit", "grid_closure_violations",
    "grid_arc_count", "grid_arcs", "min_search_offsets",
    "feed_by_year", "make_panels", "schedule_panels",
    "synthetic_block_model", "synthetic_values",
]
