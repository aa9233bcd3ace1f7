"""Ultimate pit of a full regular grid without storing the arcs (large models).

With ``pymineflow`` installed, MineFlow's own ``Pit`` generates the minimum search pattern on the
fly (Deutsch, Dağdelen & Johnson 2022), so memory is the values and the flow network only: 2.3 GB
instead of 5.6 GB for 10 M blocks / 163 M arcs (docs/benchmarks_mine.md). MineFlow's pattern is
checked offset by offset against :func:`~reeflow.mine.precedence.min_search_offsets`; the pit is
checked against every arc, one offset at a time. Other solvers fall back to explicit arcs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reeflow.core.errors import InputError, ReeflowError
from reeflow.mine.pit import PitResult, integer_values, resolve_solver, ultimate_pit
from reeflow.mine.precedence import grid_arc_count, grid_arcs, min_search_offsets

__all__ = ["grid_ultimate_pit", "grid_closure_violations"]


def grid_closure_violations(mask: np.ndarray, shape: tuple[int, int, int],
                            offsets: np.ndarray) -> int:
    """Arcs of the full grid violated by ``mask`` (x fastest), counted offset by offset."""
    nx, ny, nz = shape
    m = np.asarray(mask, dtype=bool).reshape(nz, ny, nx)
    bad = 0
    for dx, dy, dz in np.asarray(offsets, dtype=np.int64):
        if abs(dx) >= nx or abs(dy) >= ny or dz >= nz:
            continue
        src = m[max(0, -dz):nz - max(0, dz), max(0, -dy):ny - max(0, dy),
                max(0, -dx):nx - max(0, dx)]
        dst = m[max(0, dz):nz - max(0, -dz), max(0, dy):ny - max(0, -dy),
                max(0, dx):nx - max(0, -dx)]
        bad += int(np.count_nonzero(src & ~dst))
    return bad


def _sectors(slopes_deg) -> dict:
    if isinstance(slopes_deg, (int, float, np.number)):
        return {"slope_deg": float(slopes_deg)}
    return {"slope_deg": None, "sectors": [(float(a), float(s)) for a, s in slopes_deg]}


def grid_ultimate_pit(values: np.ndarray, shape: tuple[int, int, int],
                      block_size_m: tuple[float, float, float],
                      slopes_deg: float | Sequence[tuple[float, float]] = 45.0, *,
                      n_benches: int = 8, solver: str = "auto") -> PitResult:
    """Maximum-value pit of a full grid (values x fastest, z up) under a min-search pattern."""
    v = np.asarray(values, dtype=float)
    shape = (int(shape[0]), int(shape[1]), int(shape[2]))
    if v.ndim != 1 or v.size != int(np.prod(shape)) or not np.all(np.isfinite(v)):
        raise InputError("values", f"{v.size} values", f"{int(np.prod(shape))} finite values "
                         "(nx·ny·nz, x fastest)", "pass one value per grid cell")
    offsets = min_search_offsets(block_size_m, slopes_deg, n_benches=n_benches)
    solver = resolve_solver(solver)
    if solver != "pymineflow":
        src, dst = grid_arcs(shape, offsets)
        return ultimate_pit(v, src, dst, solver=solver)
    from pymineflow import _mineflow

    w, res = integer_values(v)
    pit = _mineflow.Pit(*shape, w, pattern="minsearch", n_benches=int(n_benches),
                        block_size=(float(block_size_m[0]), float(block_size_m[1]),
                                    float(block_size_m[2])), **_sectors(slopes_deg))
    theirs = sorted(map(tuple, pit.offsets().tolist()))
    if theirs != sorted(map(tuple, offsets.tolist())):  # never seen; keep our pattern then
        src, dst = grid_arcs(shape, offsets)
        return ultimate_pit(v, src, dst, solver=solver)
    mask = np.asarray(pit.solve()[0], dtype=bool)
    bad = grid_closure_violations(mask, shape, offsets)
    if bad:
        raise ReeflowError(f"MineFlow returned a pit violating {bad} precedence arcs")
    return PitResult(mask=mask, value=float(v[mask].sum()), int_value=int(w[mask].sum()),
                     resolution=res, solver="pymineflow", max_flow=None,
                     n_arcs=grid_arc_count(shape, offsets))
