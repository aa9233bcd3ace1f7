"""Whole-chain Monte Carlo: flowsheet + SX train design + economics, once per draw.

Each draw perturbs the inputs whose ranges the sources give — head grade (1.0–3.14 % TREO),
beneficiation recovery (32–72.6 %), bake-leach dissolution (75–90 %) — as triangular
distributions (low, project value, high) taken from the project's provenance ranges. The per-draw
function is a pure function of its row, so the serial and Dask backends of
:func:`reeflow.economics.run_whole_chain` give identical results for one seed. Orchestration only:
the physics is in the plant, SX and economics rooms.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.project import LoadedProject, load_project

__all__ = ["CHAIN_INPUTS", "chain_draws", "chain_draw_result", "whole_chain_monte_carlo"]

#: Inputs drawn per run: name → project provenance path carrying the source range.
CHAIN_INPUTS: dict[str, str] = {
    "treo_grade_frac": "ore.treo_grade",
    "ree_recovery_frac": "plant.beneficiation.ree_recovery",
    "ree_dissolution_frac": "plant.leach.ree_dissolution",
}


def _base_values(loaded: LoadedProject) -> dict[str, float]:
    p = loaded.project
    return {"treo_grade_frac": p.ore.treo_grade,
            "ree_recovery_frac": p.plant.beneficiation.ree_recovery,
            "ree_dissolution_frac": p.plant.leach.ree_dissolution}


def chain_draws(loaded: LoadedProject, n: int, *, seed: int) -> pd.DataFrame:
    """Triangular draws (low, project value, high) for every input in :data:`CHAIN_INPUTS`."""
    if not 1 <= n <= 100_000:
        raise InputError("draws", n, "1..100000", "ask for fewer draws")
    rng = np.random.default_rng(seed)
    base = _base_values(loaded)
    cols = {}
    for name, path in CHAIN_INPUTS.items():
        pv = loaded.provenance.get(path)
        if pv is None or pv.range is None:
            raise InputError(path, None, "a value with a source range", "add range: [low, high]")
        lo, hi = float(pv.range[0]), float(pv.range[1])
        mode = min(max(base[name], lo), hi)
        cols[name] = rng.triangular(lo, mode, hi, size=n) if hi > lo else np.full(n, lo)
    return pd.DataFrame(cols)


@lru_cache(maxsize=4)
def _loaded(project_path: str | None) -> LoadedProject:
    return load_project(project_path)


def chain_draw_result(row: dict[str, Any], project_path: str | None = None) -> dict[str, float]:
    """Plant (with SX redesigned for the draw's feed) and economics for one draw."""
    from reeflow.economics import evaluate
    from reeflow.phases import economic_inputs, plant_phase

    loaded = _loaded(project_path)
    state: dict[str, Any] = {"loaded": loaded, "results": {},
                             "overrides": {"ree_recovery": float(row["ree_recovery_frac"]),
                                           "ree_dissolution": float(row["ree_dissolution_frac"])},
                             "treo_frac": float(row["treo_grade_frac"])}
    plant_phase(state)
    result = evaluate(economic_inputs(state), deck=loaded.project.economics.price_deck)
    rate = 0.08 if 0.08 in result.npv_usd else next(iter(result.npv_usd))
    return {"npv_usd": float(result.npv_usd[rate]), "rate_frac": rate,
            "reo_t_per_a": float(state["results"]["kpis"]["reo_t_per_a"]),
            "sx_total_stages": float(state["results"].get("sx", {}).get("total_stages", 0))}


def _row_fn(project_path: str | None) -> Any:
    from functools import partial

    return partial(chain_draw_result, project_path=project_path)


def whole_chain_monte_carlo(project: str | None = None, *, draws: int = 50, seed: int = 0,
                            backend: str = "serial", **backend_options: Any) -> pd.DataFrame:
    """Run the chain per draw on ``backend`` ("serial" or "dask"); one row per draw."""
    from reeflow.economics.montecarlo import run_whole_chain

    loaded = _loaded(project)
    table = chain_draws(loaded, draws, seed=seed)
    out = run_whole_chain(_row_fn(project), table, backend=backend, **backend_options)
    return pd.concat([table, out], axis=1)
