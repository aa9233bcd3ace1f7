"""Mine planning: block models, block valuation with every saleable product, slope precedence,
exact ultimate pit, nested pits and pushbacks, a life-of-mine schedule over the evaluation horizon
(destinations, stockpiles, blending, ramp-up) that gives the plant feed by year, block-level CPIT
scheduling with a proven gap (MineLib), and the Ore Reserve statement.

Study hook: :func:`plan_mine` (returns :class:`MinePlan`) with :class:`BlockEconomics` /
:class:`Product` (the caller's prices, recoveries and costs) and :class:`MineParams` (the project
file's ``mine:`` section).

The names load lazily (importing the package imports none of its modules; the first use of a
name imports the module that defines it), so commands start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reeflow.core.lazy import lazy_package

if TYPE_CHECKING:
    from reeflow.mine.blockmodel import (
        GridBlocks,
        block_grid,
        fill_missing_as_waste,
        grade_columns,
        read_block_model,
    )
    from reeflow.mine.cpit import (
        CPIT_LIMITS,
        CpitInstance,
        CpitSolution,
        solve_cpit,
    )
    from reeflow.mine.cutoff import (
        LaneEconomics,
        lane_cutoff,
        lane_policy,
    )
    from reeflow.mine.gridpit import (
        grid_closure_violations,
        grid_ultimate_pit,
    )
    from reeflow.mine.minelib import (
        read_minelib_blocks,
        read_minelib_cpit,
        read_minelib_prec,
        read_minelib_upit,
    )
    from reeflow.mine.nested import (
        nested_pits,
        pit_by_pit,
        pushbacks,
    )
    from reeflow.mine.panels import (
        Panels,
        make_panels,
    )
    from reeflow.mine.params import (
        BlendParams,
        MineLimits,
        MineParams,
        ProductParams,
        SlopeSector,
        StockpileParams,
        ValuationParams,
    )
    from reeflow.mine.pit import (
        PIT_SOLVERS,
        PitResult,
        closure_lp_value,
        closure_violations,
        resolve_solver,
        ultimate_pit,
    )
    from reeflow.mine.plan import (
        MinePlan,
        block_arcs,
        plan_mine,
    )
    from reeflow.mine.precedence import (
        grid_arc_count,
        grid_arcs,
        min_search_offsets,
    )
    from reeflow.mine.reserve import (
        ReserveStatement,
        reserve_statement,
    )
    from reeflow.mine.schedule import (
        BlendLimit,
        ScheduleResult,
        ScheduleSpec,
        Stockpile,
        capacity_by_year,
        schedule_panels,
        schedule_table,
    )
    from reeflow.mine.synthetic import (
        synthetic_block_model,
        synthetic_values,
    )
    from reeflow.mine.valuation import (
        BlockEconomics,
        BlockValues,
        Product,
        block_values,
        block_values_usd,
        nsr_usd_per_t,
    )

_WHERE: dict[str, str] = {  # name -> the module that defines it
    "GridBlocks": "blockmodel", "block_grid": "blockmodel", "fill_missing_as_waste": "blockmodel",
    "grade_columns": "blockmodel", "read_block_model": "blockmodel",
    "CPIT_LIMITS": "cpit", "CpitInstance": "cpit", "CpitSolution": "cpit", "solve_cpit": "cpit",
    "LaneEconomics": "cutoff", "lane_cutoff": "cutoff", "lane_policy": "cutoff",
    "grid_closure_violations": "gridpit", "grid_ultimate_pit": "gridpit",
    "read_minelib_blocks": "minelib", "read_minelib_cpit": "minelib",
    "read_minelib_prec": "minelib", "read_minelib_upit": "minelib",
    "nested_pits": "nested", "pit_by_pit": "nested", "pushbacks": "nested",
    "Panels": "panels", "make_panels": "panels",
    "BlendParams": "params", "MineLimits": "params", "MineParams": "params",
    "ProductParams": "params", "SlopeSector": "params", "StockpileParams": "params",
    "ValuationParams": "params",
    "PIT_SOLVERS": "pit", "PitResult": "pit", "closure_lp_value": "pit",
    "closure_violations": "pit", "resolve_solver": "pit", "ultimate_pit": "pit",
    "MinePlan": "plan", "block_arcs": "plan", "plan_mine": "plan",
    "grid_arc_count": "precedence", "grid_arcs": "precedence", "min_search_offsets": "precedence",
    "ReserveStatement": "reserve", "reserve_statement": "reserve",
    "BlendLimit": "schedule", "ScheduleResult": "schedule", "ScheduleSpec": "schedule",
    "Stockpile": "schedule", "capacity_by_year": "schedule", "schedule_panels": "schedule",
    "schedule_table": "schedule",
    "synthetic_block_model": "synthetic", "synthetic_values": "synthetic",
    "BlockEconomics": "valuation", "BlockValues": "valuation", "Product": "valuation",
    "block_values": "valuation", "block_values_usd": "valuation", "nsr_usd_per_t": "valuation",
}

__all__ = [
    "GridBlocks", "block_grid", "fill_missing_as_waste", "grade_columns", "read_block_model",
    "Product", "BlockEconomics", "BlockValues", "block_values", "nsr_usd_per_t", "block_values_usd",
    "MineParams", "MineLimits", "SlopeSector", "StockpileParams", "BlendParams", "ProductParams",
    "ValuationParams",
    "LaneEconomics", "lane_cutoff", "lane_policy",
    "nested_pits", "pit_by_pit", "pushbacks",
    "PIT_SOLVERS", "PitResult", "closure_lp_value", "closure_violations",
    "resolve_solver", "ultimate_pit", "grid_ultimate_pit", "grid_closure_violations",
    "MinePlan", "block_arcs", "plan_mine",
    "grid_arc_count", "grid_arcs", "min_search_offsets",
    "Panels", "make_panels", "Stockpile", "BlendLimit", "ScheduleSpec", "ScheduleResult",
    "capacity_by_year", "schedule_panels", "schedule_table",
    "ReserveStatement", "reserve_statement",
    "CpitInstance", "CpitSolution", "solve_cpit", "CPIT_LIMITS",
    "read_minelib_cpit", "read_minelib_blocks", "read_minelib_prec", "read_minelib_upit",
    "synthetic_block_model", "synthetic_values",
]


lazy_package(__name__)
