"""Nested pits over revenue factors, the pit-by-pit table, and pushbacks with a minimum width.

Parametric pits: scaling revenue by a factor RF leaves every block value non-decreasing in RF, so
the maximum closures are nested (Picard 1976; Lerchs & Grossmann 1965; Whittle 1988). Nesting is
enforced by construction, not hoped for: pits are solved from the largest RF down and each one only
inside the previous pit — still the exact optimum at its RF, because for v1 <= v2 any optimal
closure C2 at v2 contains an optimal closure at v1 (the intersection argument of Picard 1976).
Solving inside a pit keeps every arc, since a pit is closed under its predecessors.

Pushbacks group shells into phases of about equal tonnes; a phase boundary is accepted only where
the ring it leaves is wide enough: on each bench the ring is opened (binary erosion then dilation)
by a square of ``min_width_blocks`` blocks and at least ``min_width_retained_frac`` of its tonnes
must survive (a simple minimum-mining-width rule; Hustrulid, Kuchta & Martin 2013, §6.4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import ndimage

from reeflow.core.errors import InputError
from reeflow.mine.pit import PitResult, resolve_solver, ultimate_pit

__all__ = ["nested_pits", "pit_by_pit", "pushbacks", "ring_width_ok"]


def _subproblem(mask: np.ndarray, src: np.ndarray, dst: np.ndarray):
    """Blocks of ``mask`` renumbered, and the arcs among them."""
    keep = np.flatnonzero(mask)
    new = np.full(mask.size, -1, dtype=np.int64)
    new[keep] = np.arange(keep.size)
    inside = mask[src] & mask[dst]
    return keep, new[src[inside]], new[dst[inside]]


def nested_pits(value_at: Callable[[float], np.ndarray], src: np.ndarray, dst: np.ndarray,
                revenue_factors: Sequence[float], *, solver: str = "auto"
                ) -> tuple[np.ndarray, list[PitResult]]:
    """Solve the pit at each revenue factor, nested by construction.

    ``value_at(rf)`` returns block values (USD) at revenue factor ``rf``. Returns
    ``(shell, results)`` where ``shell[i]`` is the index (into sorted ``revenue_factors``) of the
    smallest pit holding block ``i`` (-1: in no pit), and ``results[k]`` the :class:`PitResult` of
    factor ``k`` on the full block index.
    """
    rfs = np.asarray(sorted(float(r) for r in revenue_factors))
    if rfs.size == 0 or np.any(rfs <= 0):
        raise InputError("revenue_factors", list(revenue_factors), "positive numbers",
                         "e.g. 0.3 .. 1.3")
    solver = resolve_solver(solver)
    n = value_at(float(rfs[-1])).size
    mask = np.ones(n, dtype=bool)
    shell = np.full(n, -1, dtype=np.int64)
    results: list[PitResult] = [None] * rfs.size  # type: ignore[list-item]
    for k in range(rfs.size - 1, -1, -1):
        keep, s, d = _subproblem(mask, src, dst)
        v = value_at(float(rfs[k]))
        sub = ultimate_pit(v[keep], s, d, solver=solver)
        mask = np.zeros(n, dtype=bool)
        mask[keep[sub.mask]] = True
        shell[mask] = k
        results[k] = PitResult(mask=mask, value=float(v[mask].sum()), int_value=sub.int_value,
                               resolution=sub.resolution, solver=solver, max_flow=sub.max_flow,
                               n_arcs=sub.n_arcs)
    return shell, results


def pit_by_pit(shell: np.ndarray, revenue_factors: Sequence[float], tonnes: np.ndarray,
               is_ore: np.ndarray, value_usd: np.ndarray,
               grades: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pit-by-pit table: per revenue factor, tonnes, ore, waste, strip ratio, base value, grades.

    ``value_usd`` and ``is_ore`` are at the base case (RF = 1); grades are ore-tonne weighted.
    """
    rfs = sorted(float(r) for r in revenue_factors)
    rows = []
    for k, rf in enumerate(rfs):
        m = (shell >= 0) & (shell <= k)
        ore = m & is_ore
        ore_t = float(tonnes[ore].sum())
        row = {"revenue_factor": rf, "blocks": int(m.sum()), "tonnes": float(tonnes[m].sum()),
               "ore_t": ore_t, "waste_t": float(tonnes[m & ~is_ore].sum()),
               "value_usd": float(value_usd[m].sum())}
        row["strip_ratio"] = row["waste_t"] / ore_t if ore_t > 0 else np.nan
        if grades is not None:
            for c in grades.columns:
                g = grades[c].to_numpy(float)
                row[c] = float((g[ore] * tonnes[ore]).sum() / ore_t) if ore_t > 0 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def ring_width_ok(ring: np.ndarray, tonnes: np.ndarray, grid_index: tuple[np.ndarray, ...],
                  shape: tuple[int, int, int], *, min_width_blocks: int,
                  retained_frac: float) -> bool:
    """True when a binary opening by a ``min_width_blocks`` square keeps ``retained_frac`` of the
    ring's tonnes (all benches together)."""
    total = float(tonnes[ring].sum())
    if total <= 0:
        return False
    ix, iy, iz = (a[ring] for a in grid_index)
    nx, ny, nz = shape
    vol = np.zeros((nz, ny, nx), dtype=bool)
    vol[iz, iy, ix] = True
    w = max(int(min_width_blocks), 1)
    structure = np.zeros((3, w, w), dtype=bool)
    structure[1] = True  # bench by bench: no opening across z
    opened = ndimage.binary_opening(vol, structure=structure)
    kept = opened[iz, iy, ix]
    return float(tonnes[ring][kept].sum()) >= retained_frac * total


def pushbacks(shell: np.ndarray, final_shell: int, tonnes: np.ndarray,
              grid_index: tuple[np.ndarray, ...], shape: tuple[int, int, int], *,
              n_pushbacks: int, min_width_blocks: int, retained_frac: float) -> np.ndarray:
    """Pushback number of each block (0 = first mined, -1 = outside the final pit).

    Walks the shells up to ``final_shell``; closes a pushback once its tonnes reach
    ``final-pit tonnes / n_pushbacks`` and its ring passes :func:`ring_width_ok`; a last ring that
    is too small or too thin is merged into the previous pushback.
    """
    if n_pushbacks < 1:
        raise InputError("n_pushbacks", n_pushbacks, ">= 1", "use 1 for a single phase")
    in_pit = (shell >= 0) & (shell <= final_shell)
    target = float(tonnes[in_pit].sum()) / n_pushbacks
    out = np.full(shell.size, -1, dtype=np.int64)
    phase, start = 0, 0
    for k in range(final_shell + 1):
        ring = (shell >= start) & (shell <= k)
        if k < final_shell and (float(tonnes[ring].sum()) < target or not ring_width_ok(
                ring, tonnes, grid_index, shape, min_width_blocks=min_width_blocks,
                retained_frac=retained_frac)):
            continue
        if k == final_shell and phase > 0 and (
                float(tonnes[ring].sum()) < 0.5 * target or not ring_width_ok(
                    ring, tonnes, grid_index, shape, min_width_blocks=min_width_blocks,
                    retained_frac=retained_frac)):
            out[ring] = phase - 1
            break
        out[ring] = phase
        phase, start = phase + 1, k + 1
    return out
