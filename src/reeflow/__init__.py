"""reeflow: rare-earth projects from drillholes to separated oxides to an investment case.

The main entry points are reachable from the top level, for notebooks and scripts::

    import reeflow
    result = reeflow.run_study("builtin:beylikova", out_dir=None)   # the whole chain
    result                      # KPI cards in a notebook; result.tables(), result.figures()
    loaded = reeflow.load_project("builtin:beylikova")
    reeflow.what_if(loaded, {"ore.treo_grade": "1 %"}).npv_usd()

Each name is imported on first use (``import reeflow`` itself loads no room, so the command
line starts fast); :data:`ENTRY_POINTS` lists them with the module they come from.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Top-level name -> the module that defines it (imported lazily on first access).
ENTRY_POINTS: dict[str, str] = {
    # the study and its project files
    "run_study": "reeflow.study",
    "compute_results": "reeflow.study",
    "StudyResult": "reeflow.study",
    "load_project": "reeflow.project",
    "load_project_text": "reeflow.project",
    "builtin_cases": "reeflow.project",
    "StudyResults": "reeflow.results",
    "load_results": "reeflow.results",
    # the chain: one question, one code path
    "run_chain": "reeflow.chain",
    "what_if": "reeflow.chain",
    "whole_chain_monte_carlo": "reeflow.risk",
    # the rooms' main entry points
    "run_deposit": "reeflow.deposit",
    "load_deposit_section": "reeflow.deposit",
    "read_drillholes": "reeflow.deposit",
    "plan_mine": "reeflow.mine",
    "ultimate_pit": "reeflow.mine",
    "simulate": "reeflow.plant.sx",
    "design_cut": "reeflow.plant.sx",
    "design_train": "reeflow.plant.sx",
    "evaluate": "reeflow.economics",
    "EconomicInputs": "reeflow.economics",
    "market_scenario": "reeflow.market",
    "render_report": "reeflow.report",
    # the shipped examples
    "copy_examples": "reeflow.example_inputs",
}

__all__ = ["__version__", "ENTRY_POINTS", "run_study", "compute_results", "StudyResult",
           "load_project", "load_project_text", "builtin_cases", "StudyResults",
           "load_results", "run_chain", "what_if", "whole_chain_monte_carlo", "run_deposit",
           "load_deposit_section", "read_drillholes", "plan_mine", "ultimate_pit", "simulate",
           "design_cut", "design_train", "evaluate", "EconomicInputs", "market_scenario",
           "render_report", "copy_examples"]


def __getattr__(name: str) -> Any:
    module = ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reeflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *ENTRY_POINTS})


if TYPE_CHECKING:  # for type checkers and IDEs; never executed
    from reeflow.chain import run_chain, what_if
    from reeflow.deposit import load_deposit_section, read_drillholes, run_deposit
    from reeflow.economics import EconomicInputs, evaluate
    from reeflow.example_inputs import copy_examples
    from reeflow.market import market_scenario
    from reeflow.mine import plan_mine, ultimate_pit
    from reeflow.plant.sx import design_cut, design_train, simulate
    from reeflow.project import builtin_cases, load_project, load_project_text
    from reeflow.report import render_report
    from reeflow.results import StudyResults, load_results
    from reeflow.risk import whole_chain_monte_carlo
    from reeflow.study import StudyResult, compute_results, run_study
