"""Geological domains from a wireframe: a closed triangulated solid represented as a pair of
gridded surfaces (bottom and top elevation per column), and point classification against it.

For a body that every vertical line crosses at most once (a tabular or layered zone), the
solid is exactly the set of points between its lower and upper surfaces; the surfaces are
found by casting a vertical ray through the centre of each grid column and taking the lowest
and highest crossings with the triangles (barycentric interpolation of the triangle's plane).
Columns crossed more than twice (a fold or an overhang) are reduced to their outermost
crossings, a stated simplification; :func:`surfaces_from_mesh` reports how many columns that
affects. Binary STL: 80-byte header, uint32 triangle count, 50 bytes a triangle (normal,
three vertices as float32, attribute uint16) — the de-facto format of 3D Systems (1989).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.core.io import read_csv
from reeflow.deposit.drillholes import LENGTH_UNITS

__all__ = ["SurfaceDomain", "read_stl", "surfaces_from_mesh", "read_surface_domain",
           "MAX_STL_TRIANGLES"]

#: STL files declaring more triangles than this are refused (50 bytes each).
MAX_STL_TRIANGLES = 20_000_000


@dataclass(frozen=True)
class SurfaceDomain:
    """Bottom and top elevations (m) on a regular grid of columns (x fastest); NaN where the
    solid is absent. ``origin`` is the centre of column (0, 0)."""

    name: str
    origin: tuple[float, float]
    cell_m: float
    bottom: np.ndarray  # (ny, nx)
    top: np.ndarray  # (ny, nx)

    def inside(self, xyz: np.ndarray) -> np.ndarray:
        """True for points between the surfaces of their column."""
        p = np.asarray(xyz, float).reshape(-1, 3)
        ny, nx = self.bottom.shape
        i = np.rint((p[:, 0] - self.origin[0]) / self.cell_m).astype(np.int64)
        j = np.rint((p[:, 1] - self.origin[1]) / self.cell_m).astype(np.int64)
        ok = (i >= 0) & (i < nx) & (j >= 0) & (j < ny)
        out = np.zeros(len(p), bool)
        b = self.bottom[j[ok], i[ok]]
        t = self.top[j[ok], i[ok]]
        with np.errstate(invalid="ignore"):
            out[ok] = (p[ok, 2] >= b) & (p[ok, 2] <= t)
        return out

    def labels(self, xyz: np.ndarray, outside: str = "WASTE") -> np.ndarray:
        """Domain name per point: ``name`` inside, ``outside`` elsewhere."""
        return np.where(self.inside(xyz), self.name, outside).astype(object)

    def volume_m3(self) -> float:
        return float(np.nansum(self.top - self.bottom) * self.cell_m ** 2)

    def to_frame(self) -> pd.DataFrame:
        ny, nx = self.bottom.shape
        jj, ii = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
        df = pd.DataFrame({"x": self.origin[0] + ii.ravel() * self.cell_m,
                           "y": self.origin[1] + jj.ravel() * self.cell_m,
                           "bottom": self.bottom.ravel(), "top": self.top.ravel()})
        return df.dropna().reset_index(drop=True)


def read_stl(path: str | Path) -> np.ndarray:
    """Triangles (n, 3, 3) of a binary STL file (float64)."""
    p = Path(path)
    if not p.is_file():
        raise InputError("stl", str(path), "an existing binary STL file",
                         "give the path of an existing binary STL file (convert an ASCII STL to "
                         "binary first)")
    with p.open("rb") as fh:
        head = fh.read(84)
        if len(head) < 84:
            raise InputError("stl", str(path), "a binary STL (84-byte header)",
                             "the file is empty or cut short: export the surface again as a binary "
                             "STL")
        n = int(np.frombuffer(head[80:84], np.uint32)[0])
        if n > MAX_STL_TRIANGLES or 84 + 50 * n > p.stat().st_size:
            raise InputError("stl.triangles", n, f"at most {MAX_STL_TRIANGLES:,} triangles, "
                             "all present in the file", "check the file (ASCII STL is not read)")
        dt = np.dtype([("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
        tri = np.frombuffer(fh.read(50 * n), dt)
    return tri["v"].astype(float)


def surfaces_from_mesh(tri: np.ndarray, cell_m: float, *, name: str = "DOMAIN",
                       ) -> tuple[SurfaceDomain, dict]:
    """Lowest and highest crossing of a vertical ray at each column centre of a grid of
    ``cell_m`` over the mesh's plan extent; returns the domain and counts of columns hit once,
    twice (the normal case) and more than twice."""
    tri = np.asarray(tri, float)
    lo, hi = tri.reshape(-1, 3).min(0), tri.reshape(-1, 3).max(0)
    xs = np.arange(lo[0] + 0.5 * cell_m, hi[0], cell_m)
    ys = np.arange(lo[1] + 0.5 * cell_m, hi[1], cell_m)
    nx, ny = len(xs), len(ys)
    bottom = np.full((ny, nx), np.inf)
    top = np.full((ny, nx), -np.inf)
    hits = np.zeros((ny, nx), np.int64)
    for t in tri:
        i0, i1 = np.searchsorted(xs, t[:, 0].min()), np.searchsorted(xs, t[:, 0].max(), "right")
        j0, j1 = np.searchsorted(ys, t[:, 1].min()), np.searchsorted(ys, t[:, 1].max(), "right")
        if i0 >= i1 or j0 >= j1:
            continue
        X, Y = np.meshgrid(xs[i0:i1], ys[j0:j1])
        (ax, ay, az), (bx, by, bz), (cx, cy, cz) = t
        det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy)
        if abs(det) < 1e-12:
            continue  # vertical facet: a vertical ray does not cross it
        l1 = ((by - cy) * (X - cx) + (cx - bx) * (Y - cy)) / det
        l2 = ((cy - ay) * (X - cx) + (ax - cx) * (Y - cy)) / det
        l3 = 1.0 - l1 - l2
        inside = (l1 >= 0) & (l2 >= 0) & (l3 >= 0)
        z = l1 * az + l2 * bz + l3 * cz
        sub = (slice(j0, j1), slice(i0, i1))
        bottom[sub] = np.where(inside, np.minimum(bottom[sub], z), bottom[sub])
        top[sub] = np.where(inside, np.maximum(top[sub], z), top[sub])
        hits[sub] += inside
    absent = hits < 2
    bottom[absent], top[absent] = np.nan, np.nan
    stats = {"columns_hit_once": int((hits == 1).sum()), "columns_hit_twice":
             int((hits == 2).sum()), "columns_hit_more": int((hits > 2).sum())}
    return SurfaceDomain(name, (float(xs[0]), float(ys[0])), float(cell_m), bottom, top), stats


def read_surface_domain(path: str | Path, *, name: str = "DOMAIN",
                        length_unit: str = "m") -> SurfaceDomain:
    """Read a surfaces CSV (columns x, y, bottom, top on a regular square grid; ``#``
    comment lines skipped), converting lengths to metres."""
    p = Path(path)
    if not p.is_file():
        raise InputError("domain_surfaces.path", str(path), "an existing CSV file",
                         "check deposit.domain_surfaces.surfaces_file: a CSV path relative to the "
                         "project YAML")
    if length_unit not in LENGTH_UNITS:
        raise InputError("domain_surfaces.length_unit", length_unit, " or ".join(LENGTH_UNITS),
                         "set deposit.domain_surfaces.length_unit to m or ft")
    df = read_csv(p, field="domain_surfaces.path", comment="#")
    if not {"x", "y", "bottom", "top"} <= set(df.columns) or df.empty:
        raise InputError("domain_surfaces.columns", list(df.columns), "x, y, bottom, top",
                         "give the surfaces CSV a header row x, y, bottom, top and at least one "
                         "data row")
    f = LENGTH_UNITS[length_unit]
    x, y = df["x"].to_numpy(float) * f, df["y"].to_numpy(float) * f
    dx = np.diff(np.unique(np.round(x, 6)))
    cell = float(dx.min()) if len(dx) else 1.0
    x0, y0 = x.min(), y.min()
    i = np.rint((x - x0) / cell).astype(int)
    j = np.rint((y - y0) / cell).astype(int)
    if np.max(np.abs(x - x0 - i * cell)) > 1e-3 * cell or np.max(np.abs(
            y - y0 - j * cell)) > 1e-3 * cell:
        raise InputError("domain_surfaces", str(path), "columns on one regular square grid",
                         "grid the surfaces on one square cell (same spacing in x and y), with no "
                         "off-grid points")
    bottom = np.full((j.max() + 1, i.max() + 1), np.nan)
    top = bottom.copy()
    bottom[j, i] = df["bottom"].to_numpy(float) * f
    top[j, i] = df["top"].to_numpy(float) * f
    return SurfaceDomain(name, (float(x0), float(y0)), cell, bottom, top)
