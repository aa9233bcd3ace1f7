"""Whole-chain Monte Carlo: the study chain over drawn inputs, in milliseconds per draw.

Every input of a project file with a stated ``range`` (or a ``distribution``) can be drawn, named
by its project path; correlations, price paths by year and geostatistical realisations of the
deposit come from the project's ``risk:`` section (:mod:`reeflow.risk.params`). Each draw runs
the study chain — plant design and SX train, mine plan, the plant at every year's feed, the
annual cash flow — through its fast path (:mod:`reeflow.risk.fast`, built from rigorous probes
of the chain itself and checked against :func:`reeflow.chain.what_if`), on this process, local
worker processes or a Dask cluster, with identical results.

Public API::

    run_risk(project=None, *, draws=None, seed=None, inputs=None, workers=None,
             scheduler=None, realisations=None, method="auto", n_plans=13,
             progress=False) -> RiskResult       # .summary(), .section(), .table()
    ranged_inputs(loaded) -> {path: (low, value, high)}
    input_specs(loaded, inputs=None) -> [InputSpec]
    draw(loaded, n, *, seed, inputs=None, realisations=None) -> Draws
    study_section(outcome, *, draws=None, seed=None, workers=1, n_plans=13) -> RiskSection
    whole_chain_monte_carlo(project=None, *, draws=50, seed=0, inputs=None) -> DataFrame
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reeflow.risk.engine import RiskResult, run_risk, study_section
    from reeflow.risk.inputs import MAX_DRAWS, draw, input_specs, ranged_inputs
    from reeflow.risk.params import RiskParams

__all__ = ["run_risk", "RiskResult", "study_section", "ranged_inputs", "input_specs", "draw", "draw_inputs",
           "whole_chain_monte_carlo", "MAX_DRAWS", "RiskParams"]

_LAZY = {"run_risk": "reeflow.risk.engine", "RiskResult": "reeflow.risk.engine",
         "study_section": "reeflow.risk.engine",
         "ranged_inputs": "reeflow.risk.inputs", "input_specs": "reeflow.risk.inputs",
         "draw": "reeflow.risk.inputs", "MAX_DRAWS": "reeflow.risk.inputs",
         "RiskParams": "reeflow.risk.params"}


def __getattr__(name: str) -> Any:
    """Import the heavy modules only when used (``reeflow.project`` imports the params)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'reeflow.risk' has no attribute {name!r}")


def draw_inputs(loaded: Any, n: int, *, seed: int, inputs: Any = None) -> Any:
    """``n`` draws of the drawn inputs as a DataFrame (one column per project path)."""
    import pandas as pd

    from reeflow.risk.inputs import draw

    d = draw(loaded, n, seed=seed, inputs=inputs)
    return pd.DataFrame(d.values, columns=list(d.names))


def whole_chain_monte_carlo(project: Any = None, *, draws: int = 50, seed: int = 0,
                            inputs: Any = None, **options: Any) -> Any:
    """One row per draw: the drawn inputs, NPV at the headline rate, mean annual REO and the
    production years (see :func:`run_risk` for the options)."""
    from reeflow.risk.engine import run_risk

    res = run_risk(project, draws=draws, seed=seed, inputs=inputs, **options)
    table = res.table()
    return table.rename(columns={"reo_t_per_a": "reo_t_per_a",
                                 "mine_life_years": "production_years"})
