"""Block model input: regular-grid block models from DataFrames, CSV and GSLIB files, validated.

A block model is one row per block with either centroid coordinates ``x, y, z`` (m) and block
sizes ``dx, dy, dz`` (m; columns or one size for all), or integer indices ``ix, iy, iz`` plus a
block size.
``z`` grows upwards. Cells are numbered ``(iz * ny + iy) * nx + ix`` (x fastest, the GSLIB and
MineFlow order). Tonnes come from a ``tonnes`` column or from ``density_t_per_m3 × dx·dy·dz``.

Validation (at the boundary; each failure raises :class:`~reeflow.core.errors.InputError` naming the
column): missing required columns, non-finite coordinates, block sizes that differ between blocks,
coordinates off the grid, duplicate cells, NaN grades, negative tonnes, and missing blocks (cells of
the bounding grid with no row) unless ``allow_missing=True`` (then they are air: free to mine).
GSLIB / Geo-EAS format: Deutsch & Journel (1998), *GSLIB: Geostatistical Software Library*, 2nd ed.,
Oxford University Press, §II.1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.core.gslib import BlockGrid, read_block_model

__all__ = ["GridBlocks", "block_grid", "fill_missing_as_waste", "grade_columns", "read_block_model"]

_SIZE_RTOL = 1e-6
#: Most cells the bounding grid of a block model may hold (assumed: a modelling choice, 50 M
#: cells are 400 MB per int64 array; models beyond mine.limits.max_blocks are refused later).
MAX_GRID_CELLS = 50_000_000


@dataclass(frozen=True)
class GridBlocks:
    """The rows of a block model placed on their :class:`~reeflow.core.gslib.BlockGrid` (the one
    grid class, shared with the deposit room): the cell ``ix, iy, iz`` and the tonnes of every
    row. A model given by indices sits on a grid whose block (0, 0, 0) is centred at the origin;
    a model given by centroids, on the grid whose block (0, 0, 0) is centred at the smallest
    x, y and z."""

    grid: BlockGrid
    ix: np.ndarray
    iy: np.ndarray
    iz: np.ndarray
    tonnes: np.ndarray

    @property
    def shape(self) -> tuple[int, int, int]:
        """Blocks along x, y, z (the grid's counts)."""
        return self.grid.counts

    @property
    def block_size_m(self) -> tuple[float, float, float]:
        return self.grid.block_size_m

    @property
    def cell(self) -> np.ndarray:
        nx, ny, _ = self.shape
        return (self.iz.astype(np.int64) * ny + self.iy) * nx + self.ix

    @property
    def n_cells(self) -> int:
        return self.grid.n_blocks

    def row_of_cell(self) -> np.ndarray:
        """Row index of each grid cell, -1 where the cell has no block (air)."""
        out = np.full(self.n_cells, -1, dtype=np.int64)
        out[self.cell] = np.arange(self.ix.size)
        return out


def grade_columns(df: pd.DataFrame) -> list[str]:
    """Names of the grade columns (mass fractions): every column ending in ``_frac``."""
    return [c for c in df.columns if str(c).endswith("_frac")]


def _size(df: pd.DataFrame, axis: str, block_size_m, name: str) -> float:
    col = f"d{axis}"
    if col in df.columns:
        s = pd.to_numeric(df[col], errors="coerce").to_numpy(float)
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise InputError(f"{name}.{col}", "non-positive or missing", "> 0 m",
                             f"fill every block's {col}")
        if np.ptp(s) > _SIZE_RTOL * s.max():
            raise InputError(f"{name}.{col}", f"{s.min():g}..{s.max():g} m",
                             "one block size for all blocks (regular grid)",
                             "regularise sub-blocked models to the parent block size first")
        return float(s[0])
    if block_size_m is None:
        raise InputError(f"{name}.{col}", "absent",
                         f"a '{col}' column or block_size_m=(dx, dy, dz)", "add block sizes")
    size = float(np.broadcast_to(np.asarray(block_size_m, float), (3,))["xyz".index(axis)])
    if not (np.isfinite(size) and size > 0):  # a 0 printed NumPy warnings first (fuzz round 15)
        raise InputError("block_size_m", tuple(np.broadcast_to(np.asarray(block_size_m, float),
                                                              (3,)).tolist()),
                         "three block sizes > 0 m (dx, dy, dz)",
                         "give each block size in metres, e.g. --block-size 10 10 5")
    return size


_INDEX_NAMES = (("ix", "iy", "iz"), ("i", "j", "k"))


def _indices(df: pd.DataFrame, size: tuple[float, float, float], name: str):
    names = next((n for n in _INDEX_NAMES if all(c in df.columns for c in n)), None)
    if names is not None:  # grid indices win over coordinates (rotated grids)
        idx = [pd.to_numeric(df[c], errors="coerce").to_numpy(float) for c in names]
        origin = (0.0, 0.0, 0.0)
        for c, a in zip(names, idx, strict=True):
            if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
                raise InputError(f"{name}.{c}", "non-integer or missing", "integers",
                                 "give integer grid indices")
        idx = [a - a.min() for a in idx]
    elif all(c in df.columns for c in ("x", "y", "z")):
        idx, first = [], []
        for c, s in zip(("x", "y", "z"), size, strict=True):
            a = pd.to_numeric(df[c], errors="coerce").to_numpy(float)
            if not np.all(np.isfinite(a)):
                raise InputError(f"{name}.{c}", "NaN", "finite coordinates (m)", "fill coordinates")
            f = (a - a.min()) / s
            if np.max(np.abs(f - np.round(f)), initial=0.0) > 1e-3:
                raise InputError(f"{name}.{c}", "off-grid coordinates",
                                 f"centroids spaced by whole blocks of {s:g} m",
                                 "check block sizes or regularise the model")
            idx.append(np.round(f))
            first.append(float(a.min()))
        origin = (first[0], first[1], first[2])
    else:
        raise InputError(f"{name}.columns", list(df.columns)[:12],
                         "x, y, z or ix, iy, iz (or i, j, k)",
                         "add block centroid coordinates or grid indices")
    for c, a in zip("xyz", idx, strict=True):
        if a.size and float(a.max()) >= MAX_GRID_CELLS:
            raise InputError(f"{name}.{c}", f"a grid {float(a.max()) + 1:.3g} blocks long",
                             f"at most {MAX_GRID_CELLS:,} grid cells in all",
                             "check the coordinates, indices and block size")
    return [a.astype(np.int64) for a in idx], origin


#: The density of osmium, the densest element at ambient conditions, 22.59 g/cm3 (CRC Handbook
#: of Chemistry and Physics, "Physical constants of inorganic compounds"; Arblaster 1989,
#: Platinum Metals Rev. 33(1):14-16): no block of rock can hold more tonnes per m3 (ores are
#: 2-5 t/m3). A certain ceiling, not a plausibility window.
MAX_DENSITY_T_PER_M3 = 22.59


def _tonnes(df: pd.DataFrame, size: tuple[float, float, float], name: str) -> np.ndarray:
    if "tonnes" in df.columns:
        t = pd.to_numeric(df["tonnes"], errors="coerce").to_numpy(float)
        col = "tonnes"
    elif "density_t_per_m3" in df.columns:
        t = pd.to_numeric(df["density_t_per_m3"], errors="coerce").to_numpy(float) * np.prod(size)
        col = "density_t_per_m3"
    else:
        raise InputError(f"{name}.tonnes", "absent", "a 'tonnes' or 'density_t_per_m3' column",
                         "add block tonnages or densities")
    bad = ~np.isfinite(t) | (t < 0)
    if np.any(bad):
        raise InputError(f"{name}.{col}", f"{int(bad.sum())} blocks NaN or negative "
                         f"(first at {_data_row(bad)})", ">= 0", "fill them")
    vol = float(np.prod(size))
    dense = t > MAX_DENSITY_T_PER_M3 * vol
    if np.any(dense):  # a 1e15 t block was planned (fuzz round 33)
        i = int(np.flatnonzero(dense)[0])
        raise InputError(f"{name}.{col}", f"{t[i]:.4g} t in {vol:g} m3 = {t[i] / vol:.4g} t/m3 "
                         f"(data row {i + 1}; {int(dense.sum())} such blocks)",
                         f"at most {MAX_DENSITY_T_PER_M3} t/m3 x the block's volume (osmium, "
                         "the densest element)", "check the tonnes' unit (kg is 1000 times "
                         "larger) and the block size")
    return t


def _data_row(bad: np.ndarray) -> str:
    """Where the first flagged block is, as a person counts rows of the file's table."""
    return f"data row {int(np.flatnonzero(bad)[0]) + 1}, 1 = the first row under the header"


def block_grid(df: pd.DataFrame, *, block_size_m=None, allow_missing: bool = False,
               name: str = "block_model") -> GridBlocks:
    """Validate a block model DataFrame and return its rows placed on their grid
    (:class:`GridBlocks`).

    ``block_size_m``: (dx, dy, dz) in m when the frame has no ``dx, dy, dz`` columns.
    ``allow_missing``: treat cells of the bounding grid that have no row as air (else an error).
    """
    if not isinstance(df, pd.DataFrame) or len(df) == 0:
        raise InputError(name, "no blocks" if isinstance(df, pd.DataFrame)
                         else type(df).__name__, "at least one block (a row per block)",
                         "the file or table holds no block rows: check it")
    size = (_size(df, "x", block_size_m, name), _size(df, "y", block_size_m, name),
            _size(df, "z", block_size_m, name))
    (ix, iy, iz), origin = _indices(df, size, name)
    shape = (int(ix.max()) + 1, int(iy.max()) + 1, int(iz.max()) + 1)
    if float(np.prod(np.asarray(shape, float))) > MAX_GRID_CELLS:
        raise InputError(f"{name}.cells", f"a {shape[0]} x {shape[1]} x {shape[2]} grid",
                         f"at most {MAX_GRID_CELLS:,} grid cells (the blocks' bounding grid)",
                         "check the coordinates and block size, or split the model")
    for col in grade_columns(df):
        g = pd.to_numeric(df[col], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(g) | (g < 0) | (g > 1)
        if np.any(bad):
            raise InputError(f"{name}.{col}", f"{int(bad.sum())} blocks NaN or outside 0..1 "
                             f"(first at {_data_row(bad)})",
                             "mass fraction in [0, 1]", "estimate or set the grade of every block")
    corner = (origin[0] - 0.5 * size[0], origin[1] - 0.5 * size[1], origin[2] - 0.5 * size[2])
    grid = GridBlocks(BlockGrid(corner, size, shape), ix=ix, iy=iy, iz=iz,
                      tonnes=_tonnes(df, size, name))
    counts = np.bincount(grid.cell, minlength=grid.n_cells)
    if np.any(counts > 1):
        raise InputError(f"{name}.cells", f"{int((counts > 1).sum())} duplicated cells "
                         f"({len(df)} rows in {int((counts > 0).sum())} cells of "
                         f"{size[0]:g} x {size[1]:g} x {size[2]:g} m)",
                         "one row per grid cell", "remove repeated rows, or check the block "
                         "size: blocks larger than the centroid spacing fall in one cell")
    missing = int((counts == 0).sum())
    if missing and not allow_missing:
        first = int(np.flatnonzero(counts == 0)[0])
        nx, ny, _ = shape
        where = f"{first % nx}, {first // nx % ny}, {first // (nx * ny)}"
        raise InputError(f"{name}.cells", f"{missing} of {grid.n_cells} grid cells have no block "
                         f"(first ix, iy, iz = {where})", "a full regular grid",
                         "add the missing blocks, or say what they are: missing='air' or "
                         "'waste' (CLI: --missing air|waste)")
    return grid


def fill_missing_as_waste(df: pd.DataFrame, *, block_size_m=None, pad_cells: int = 0,
                          waste_density_t_per_m3: float | None = None,
                          name: str = "block_model") -> pd.DataFrame:
    """A complete grid: the model's blocks plus waste blocks in every empty cell.

    Resource models often hold only estimated blocks; the rock around them still has to be moved.
    Empty cells of the bounding grid, widened by ``pad_cells`` on each horizontal side (so pit walls
    are not cut by the model edge), become waste: grades 0 (an assumption, flagged by
    ``filled = True``), tonnes from ``waste_density_t_per_m3`` (default: the model's
    tonnage-weighted mean density). Columns: ``ix, iy, iz, dx, dy, dz, tonnes``, the grade columns,
    ``class``, ``filled`` and ``source_row`` (row of ``df``, -1 for fill).
    """
    grid = block_grid(df, block_size_m=block_size_m, allow_missing=True, name=name)
    vol = float(np.prod(grid.block_size_m))
    if waste_density_t_per_m3 is None:
        waste_density_t_per_m3 = float(grid.tonnes.sum() / (vol * grid.tonnes.size))
    if not waste_density_t_per_m3 > 0:
        raise InputError("waste_density_t_per_m3", waste_density_t_per_m3, "> 0 t/m3",
                         "give the density of the country rock")
    p = int(pad_cells)
    nx, ny, nz = grid.shape[0] + 2 * p, grid.shape[1] + 2 * p, grid.shape[2]
    iz, iy, ix = (a.ravel() for a in np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx),
                                                 indexing="ij"))
    cell_of_row = (grid.iz * ny + grid.iy + p) * nx + grid.ix + p
    source = np.full(nx * ny * nz, -1, dtype=np.int64)
    source[cell_of_row] = np.arange(len(df))
    filled = source < 0
    out = pd.DataFrame({"ix": ix, "iy": iy, "iz": iz})
    for a, s in zip("xyz", grid.block_size_m, strict=True):
        out[f"d{a}"] = s
    tonnes = np.full(out.shape[0], waste_density_t_per_m3 * vol)
    tonnes[~filled] = grid.tonnes[source[~filled]]
    out["tonnes"] = tonnes
    for c in grade_columns(df):
        g = np.zeros(out.shape[0])
        g[~filled] = pd.to_numeric(df[c]).to_numpy(float)[source[~filled]]
        out[c] = g
    cls = df["class"].astype(str).to_numpy() if "class" in df.columns else np.full(len(df), "")
    out["class"] = np.where(filled, "waste_fill", cls[np.maximum(source, 0)])
    out["filled"] = filled
    out["source_row"] = source
    return out
