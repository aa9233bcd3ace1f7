"""Whole-chain Monte Carlo: draw project inputs over their stated ranges, run the chain per draw.

Every input of the project file that states a ``range`` (in its provenance) can be drawn; by
default all of them are, each from a triangular distribution (low, the project's value, high) —
the common choice when a source gives a range and a most likely value (Vose 2008, *Risk
Analysis*, 3rd ed., Wiley, §9.1.6). Each draw runs :func:`reeflow.chain.what_if`, the same chain
a study runs, so a draw at the base values reproduces the study's NPV exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.project import LoadedProject, load_project

__all__ = ["ranged_inputs", "draw_inputs", "whole_chain_monte_carlo", "MAX_DRAWS"]

#: Most draws one call may ask for (each runs the whole chain).
MAX_DRAWS = 100_000


def _seed(seed: int) -> np.random.Generator:
    """A generator for any integer seed (negative and huge ones map into numpy's range)."""
    return np.random.default_rng(int(seed) % 2**128)


def ranged_inputs(loaded: LoadedProject) -> dict[str, tuple[float, float, float]]:
    """Project paths with a stated numeric range: path → (low, value, high), canonical units."""
    from reeflow.core.projectfile import value_at

    out = {}
    for path, pv in loaded.provenance.items():
        if pv.range is None:
            continue
        lo, hi = pv.range
        value = value_at(loaded.project, path)
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (lo, hi, value)):
            out[path] = (float(lo), float(value), float(hi))
    return out


def draw_inputs(loaded: LoadedProject, n: int, *, seed: int,
                inputs: Sequence[str] | None = None) -> pd.DataFrame:
    """``n`` triangular draws (low, project value, high) of each ranged input; one column per
    project path."""
    if not (isinstance(n, int) and 1 <= n <= MAX_DRAWS):
        raise InputError("--draws", n, f"an integer 1..{MAX_DRAWS}", "ask for fewer draws")
    ranged = ranged_inputs(loaded)
    names = list(ranged) if inputs is None else list(inputs)
    for name in names:
        if name not in ranged:
            raise InputError("inputs", name, f"a project path with a stated range: {sorted(ranged)}",
                             "add range: [low, high] to the input in the project file")
    from reeflow.core.projectfile import value_at

    rng = _seed(seed)
    cols = {}
    for name in names:
        lo, mode, hi = ranged[name]
        cols[name] = rng.triangular(lo, min(max(mode, lo), hi), hi, size=n) if hi > lo \
            else np.full(n, lo)
        if isinstance(value_at(loaded.project, name), int):  # whole years, counts: whole draws
            cols[name] = np.rint(cols[name]).astype(int)
    return pd.DataFrame(cols)


def _ratio_group(loaded: LoadedProject, row: dict[str, float]) -> dict[str, float]:
    """Shares of one distribution drawn independently are renormalised to sum to one."""
    out = dict(row)
    dist = {k: v for k, v in out.items() if k.startswith("ore.ree_distribution.")}
    if dist:
        base = {f"ore.ree_distribution.{el}": v
                for el, v in loaded.project.ore.ree_distribution.items()}
        base.update(dist)
        total = sum(base.values())
        out.update({k: v / total for k, v in base.items()})
    return out


def whole_chain_monte_carlo(project: str | None = None, *, draws: int = 50, seed: int = 0,
                            inputs: Sequence[str] | None = None,
                            progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Run the chain once per draw; one row per draw (inputs, NPV at 8 %, REO, years).
    ``progress(done, total)`` is called after each draw (e.g. a command-line progress bar)."""
    from reeflow.chain import what_if

    loaded = load_project(project)
    table = draw_inputs(loaded, draws, seed=seed, inputs=inputs)
    rows: list[dict[str, Any]] = []
    for _, row in table.iterrows():
        out = what_if(loaded, _ratio_group(loaded, row.to_dict()))
        rows.append({"npv_usd": out.npv_usd(),
                     "reo_t_per_a": float(out.design.summary.kpis["reo_t_per_a"]),
                     "production_years": len(out.years)})
        if progress is not None:
            progress(len(rows), len(table))
    return pd.concat([table, pd.DataFrame(rows)], axis=1)
