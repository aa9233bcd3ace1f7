"""Compact 3-D scene of a mine plan for a browser view: decimated blocks above a cut-off, the final
pit and the pushback shells as floor surfaces (one elevation per block column).

World coordinates: a grid given by indices (possibly rotated, possibly padded with waste) is put
back in the block model's own ``x, y, z`` by the affine map ``(ix, iy, iz) -> (x, y, z)`` fitted by
least squares on the rows that carry coordinates (exact for a regular, rotated grid); without
coordinates the grid frame (origin + index × block size) is used.

Light by construction: at most ``max_blocks`` block points (a seeded random subset, the cap stated
in the scene) and surfaces of at most ``max_grid`` × ``max_grid`` columns (every k-th column).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.gslib import BlockGrid

__all__ = ["world_coordinates", "plan_scene", "SCENE_CAPS"]

#: default caps of the scene (points and surface columns per side)
SCENE_CAPS = {"max_blocks": 20_000, "max_grid": 150}


def world_coordinates(ix: np.ndarray, iy: np.ndarray, iz: np.ndarray,
                      known: pd.DataFrame | None, rows: np.ndarray | None,
                      grid: BlockGrid) -> np.ndarray:
    """``(n, 3)`` world coordinates of grid cells. ``known`` holds ``x, y, z`` of some rows
    (``rows[i]`` = the row of ``known`` for cell i, -1 when none). Coordinates that are not
    finite numbers (|v| < 1e12 m) are ignored; the ``grid`` places the cells when fewer than
    four rows remain (the grid indices, not the coordinates, define the model: see block_grid)."""
    idx = np.column_stack([ix, iy, iz, np.ones(ix.size)]).astype(float)
    if known is not None and rows is not None and all(c in known.columns for c in "xyz"):
        table = np.column_stack([pd.to_numeric(known[c], errors="coerce").to_numpy(float)
                                 for c in "xyz"])
        ok = np.all(np.isfinite(table) & (np.abs(table) < 1e12), axis=1)
        have = rows >= 0
        have[have] = ok[rows[have]]
        if have.sum() >= 4:
            xyz = table[rows[have]]
            coef, *_ = np.linalg.lstsq(idx[have], xyz, rcond=None)
            return idx @ coef
    return grid.centres_at(idx[:, :3])


def _floor(blocks: pd.DataFrame, mask: np.ndarray, shape, step: int) -> dict:
    """Elevation of the pit floor (bottom of the lowest mined block) per column; None (a hole in
    the surface) where nothing is mined."""
    nx, ny, _ = shape
    ix, iy, iz = (blocks[c].to_numpy() for c in ("ix", "iy", "iz"))
    lowest = np.full((ny, nx), np.iinfo(np.int64).max, np.int64)
    np.minimum.at(lowest, (iy[mask], ix[mask]), iz[mask])
    top = np.full((ny, nx), -1, np.int64)
    np.maximum.at(top, (iy, ix), iz)
    k = np.where(lowest == np.iinfo(np.int64).max, top + 1, lowest)  # floor at bench k's base
    xyz = blocks[["x_m", "y_m", "z_m"]].to_numpy(float)
    # coordinates of the column base at bench k from the affine map of the blocks
    coef, *_ = np.linalg.lstsq(np.column_stack([ix, iy, iz, np.ones(ix.size)]).astype(float),
                               xyz, rcond=None)
    jj, ii = np.meshgrid(np.arange(0, ny, step), np.arange(0, nx, step), indexing="ij")
    kk = k[jj, ii].astype(float) - 0.5
    pts = np.stack([ii, jj, kk, np.ones_like(kk)], axis=-1) @ coef
    mined = (lowest != np.iinfo(np.int64).max)[jj, ii]
    z = np.where(mined, pts[..., 2].round(2), np.nan)
    return {"x": pts[..., 0].round(2).tolist(), "y": pts[..., 1].round(2).tolist(),
            "z": [[None if np.isnan(v) else float(v) for v in row] for row in z]}


def plan_scene(blocks: pd.DataFrame, *, grade_column: str = "treo_frac",
               cutoff_frac: float | None = None, max_blocks: int = SCENE_CAPS["max_blocks"],
               max_grid: int = SCENE_CAPS["max_grid"], seed: int = 0) -> dict[str, Any]:
    """JSON-ready scene from :attr:`MinePlan.blocks` (needs ``ix, iy, iz, x_m, y_m, z_m,
    in_pit, pushback`` and ``grade_column``). Blocks shown: ``grade >= cutoff_frac`` (default:
    the plan's ore blocks)."""
    shape = (int(blocks["ix"].max()) + 1, int(blocks["iy"].max()) + 1,
             int(blocks["iz"].max()) + 1)
    g = blocks[grade_column].to_numpy(float) if grade_column in blocks else None
    show = (g >= cutoff_frac) if (cutoff_frac is not None and g is not None) else \
        blocks["is_ore"].to_numpy(bool)
    idx = np.flatnonzero(show)
    total = int(idx.size)
    if idx.size > max_blocks:
        idx = np.sort(np.random.default_rng(seed).choice(idx, max_blocks, replace=False))
    step = max(1, int(np.ceil(max(shape[0], shape[1]) / max_grid)))
    pb = blocks["pushback"].to_numpy()
    shells = [{"name": f"pushback {k + 1}", **_floor(blocks, (pb >= 0) & (pb <= k), shape, step)}
              for k in range(int(pb.max()) + 1)]
    return {
        "blocks": {"x": blocks["x_m"].to_numpy()[idx].round(2).tolist(),
                   "y": blocks["y_m"].to_numpy()[idx].round(2).tolist(),
                   "z": blocks["z_m"].to_numpy()[idx].round(2).tolist(),
                   "grade": (g[idx].round(6).tolist() if g is not None else None),
                   "in_pit": blocks["in_pit"].to_numpy(bool)[idx].astype(int).tolist()},
        "grade_column": grade_column, "cutoff_frac": cutoff_frac,
        "blocks_shown": int(idx.size), "blocks_selected": total,
        "pit": _floor(blocks, blocks["in_pit"].to_numpy(bool), shape, step),
        "pushbacks": shells,
        "caps": {"max_blocks": max_blocks, "max_grid": max_grid, "column_step": step},
    }
