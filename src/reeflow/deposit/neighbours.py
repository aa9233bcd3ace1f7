"""Batched k-nearest neighbourhood search in search-ellipsoid space, with hole and octant limits.

Samples are mapped to search space (the search ellipsoid becomes the unit sphere) and bucketed
in a uniform grid of cubic cells (counting sort by cell; a row of cells along x is one contiguous
run of samples). A compiled pass visits the targets in contiguous runs per thread; for each
target it scans the cells overlapping a box of half-width r, keeps the ``k`` nearest samples
inside the unit sphere in a bounded sorted buffer, and doubles r until ``k`` are found (or r
reaches 1). The first r is the previous target's k-th distance plus the distance between the two
targets: by the triangle inequality that box already holds ``k`` samples, so on a regular grid
visited column by column almost every target is answered by one scan.

The result equals an exact k-nearest query (e.g. SciPy's cKDTree with
``distance_upper_bound=1``) up to the order of exact ties. Hole and octant limits then pick, in
distance order, at most ``max_per_hole`` samples of one hole and ``max_per_octant`` of one octant
(octants of the search ellipsoid: the sign of each search-space axis), up to ``max_samples``
(the GSLIB ``kt3d`` rules, Deutsch & Journel 1998 §IV.1.2 and Table IV.1 ``noct``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from reeflow.core.errors import InputError

__all__ = ["NeighbourIndex", "build_index", "knn_select", "MAX_CELLS"]

#: Bucket grids are refused above this many cells (the cell size grows to stay under it).
MAX_CELLS = 8_000_000
_MIN_CELL = 0.05  # search-space units: at most 40 cells across the unit sphere


@dataclass(frozen=True)
class NeighbourIndex:
    """Samples bucketed by cell: ``coords`` (n, 3, search space) and ``order`` (original index)
    sorted by cell id; ``start`` (ncell + 1) offsets; grid ``lo``, cell size ``h``, ``dims``."""

    coords: np.ndarray
    order: np.ndarray
    start: np.ndarray
    lo: np.ndarray
    h: float
    dims: np.ndarray


def build_index(ss: np.ndarray, k: int) -> NeighbourIndex:
    """Bucket search-space coordinates ``ss`` (n, 3); cells sized to hold about k/4 samples
    each at the mean density (at least 0.05 search radii, at most :data:`MAX_CELLS` cells)."""
    ss = np.ascontiguousarray(ss, float)
    n = len(ss)
    if n == 0:
        raise InputError("samples", 0, ">= 1 sample",
                         "pass at least one sample; check that the domain has composites with "
                         "grades")
    lo = ss.min(axis=0)
    ext = ss.max(axis=0) - lo
    per_cell = float(np.clip(k / 4.0, 2.0, 16.0))
    h = max(float(ext.max()) / max(n, 1) ** (1 / 3), 1e-12)
    for _ in range(8):  # fixed point: flat or linear data sets have zero extent on some axes
        h = float((np.prod(np.maximum(ext, h)) * per_cell / n) ** (1 / 3))
    h = max(h, _MIN_CELL)
    while np.prod(np.floor(ext / h) + 1) > MAX_CELLS:
        h *= 1.25
    dims = (np.floor(ext / h) + 1).astype(np.int64)
    cell = np.minimum(((ss - lo) / h).astype(np.int64), dims - 1)
    cid = (cell[:, 2] * dims[1] + cell[:, 1]) * dims[0] + cell[:, 0]
    order = np.argsort(cid, kind="stable")
    counts = np.bincount(cid, minlength=int(np.prod(dims)))
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return NeighbourIndex(np.ascontiguousarray(ss[order]), order.astype(np.int64), start,
                          lo, h, dims)


@nb.njit(cache=True)
def _box(lo, h, dims, t, r, c0, c1):
    """Cell index range of the box of half-width r around t; False when it misses the grid."""
    for a in range(3):
        c0[a] = max(0, int(np.floor((t[a] - r - lo[a]) / h)))
        c1[a] = min(dims[a] - 1, int(np.floor((t[a] + r - lo[a]) / h)))
        if c0[a] > c1[a]:
            return False
    return True


@nb.njit(cache=True)
def _box_count(start, dims, c0, c1):
    cnt = 0
    for cz in range(c0[2], c1[2] + 1):
        for cy in range(c0[1], c1[1] + 1):
            base = (cz * dims[1] + cy) * dims[0]
            cnt += start[base + c1[0] + 1] - start[base + c0[0]]
    return cnt


@nb.njit(cache=True, fastmath={"nsz", "arcp", "contract", "reassoc"})
def _scan(coords, order, start, dims, c0, c1, t, r2, hole, th, bd, bq):
    """All samples of the box closer than sqrt(r2) to t (skipping hole th): count, and their
    squared distances and sorted-row numbers in bd, bq."""
    cnt = 0
    for cz in range(c0[2], c1[2] + 1):
        for cy in range(c0[1], c1[1] + 1):
            base = (cz * dims[1] + cy) * dims[0]
            for q in range(start[base + c0[0]], start[base + c1[0] + 1]):
                e0 = coords[q, 0] - t[0]
                e1 = coords[q, 1] - t[1]
                e2 = coords[q, 2] - t[2]
                d2 = e0 * e0 + e1 * e1 + e2 * e2
                if d2 < r2 and (th < 0 or hole[order[q]] != th):
                    bd[cnt] = d2
                    bq[cnt] = q
                    cnt += 1
    return cnt


@nb.njit(cache=True)
def _kth(x, n, k):
    """k-th smallest (0-based) of x[:n], by quickselect (Hoare 1961, Comm. ACM 4(7):321);
    reorders x."""
    lo, hi = 0, n - 1
    while lo < hi:
        piv = x[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while x[i] < piv:
                i += 1
            while x[j] > piv:
                j -= 1
            if i <= j:
                x[i], x[j] = x[j], x[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return x[k]
    return x[k]


@nb.njit(cache=True)
def _nearest(bd, bq, cnt, kc, scratch, od, oq):
    """The kc nearest of cnt candidates into (od, oq), in scan order (ties at the k-th
    distance broken by scan order); returns their number."""
    if cnt <= kc:
        for i in range(cnt):
            od[i] = bd[i]
            oq[i] = bq[i]
        return cnt
    for i in range(cnt):
        scratch[i] = bd[i]
    kth = _kth(scratch, cnt, kc - 1)
    m = 0
    for i in range(cnt):
        if bd[i] < kth:
            od[m] = bd[i]
            oq[m] = bq[i]
            m += 1
    for i in range(cnt):
        if m >= kc:
            break
        if bd[i] == kth:
            od[m] = bd[i]
            oq[m] = bq[i]
            m += 1
    return m


@nb.njit(cache=True)
def _sort_by(key, val, n):
    """Insertion sort of (key, val) pairs by key (n is small)."""
    for i in range(1, n):
        k, v = key[i], val[i]
        j = i
        while j > 0 and key[j - 1] > k:
            key[j] = key[j - 1]
            val[j] = val[j - 1]
            j -= 1
        key[j] = k
        val[j] = v


@nb.njit(cache=True)
def _sort_ints(x, n):
    for i in range(1, n):
        v = x[i]
        j = i
        while j > 0 and x[j - 1] > v:
            x[j] = x[j - 1]
            j -= 1
        x[j] = v


@nb.njit(cache=True)
def _limited(coords, order, hole, t, od, oq, m, max_samples, max_per_hole, max_per_octant,
             out):
    """Apply hole and octant limits in distance order; selected original indices into out."""
    _sort_by(od, oq, m)
    octc = np.zeros(8, np.int64)
    n = 0
    for j in range(m):
        if n >= max_samples:
            break
        q = oq[j]
        i = order[q]
        if max_per_hole > 0:
            same = 0
            for p in range(n):
                if hole[out[p]] == hole[i]:
                    same += 1
            if same >= max_per_hole:
                continue
        if max_per_octant > 0:
            o = ((coords[q, 0] >= t[0]) * 1 + (coords[q, 1] >= t[1]) * 2
                 + (coords[q, 2] >= t[2]) * 4)
            if octc[o] >= max_per_octant:
                continue
            octc[o] += 1
        out[n] = i
        n += 1
    return n


@nb.njit(cache=True, parallel=True)
def _knn_kernel(coords, order, start, lo, h, dims, ts, th, hole, kc, max_samples, max_per_hole,
                max_per_octant, nblk):
    m = ts.shape[0]
    sel = np.full((m, max_samples), -1, np.int64)
    nsel = np.zeros(m, np.int64)
    limited = max_per_hole > 0 or max_per_octant > 0
    for b in nb.prange(nblk):
        cap = 1024
        bd = np.empty(cap)
        bq = np.empty(cap, np.int64)
        scratch = np.empty(cap)
        od = np.empty(kc)
        oq = np.empty(kc, np.int64)
        out = np.empty(max_samples, np.int64)
        c0 = np.empty(3, np.int64)
        c1 = np.empty(3, np.int64)
        prev_r = -1.0
        first = b * m // nblk
        for t in range(first, (b + 1) * m // nblk):
            tt = ts[t]
            r = h
            if prev_r > 0.0 and t > first:
                dt = np.sqrt((tt[0] - ts[t - 1, 0]) ** 2 + (tt[1] - ts[t - 1, 1]) ** 2
                             + (tt[2] - ts[t - 1, 2]) ** 2)
                r = min(prev_r + dt + 1e-12, 1.0)
            elif prev_r == 0.0:
                r = 1.0
            cnt = 0
            while True:
                r2 = min(r * r, 1.0)
                if _box(lo, h, dims, tt, r, c0, c1):
                    need = _box_count(start, dims, c0, c1)
                    if need > cap:
                        cap = 2 * need
                        bd = np.empty(cap)
                        bq = np.empty(cap, np.int64)
                        scratch = np.empty(cap)
                    cnt = _scan(coords, order, start, dims, c0, c1, tt, r2, hole, th[t],
                                bd, bq)
                else:
                    cnt = 0
                if cnt >= kc or r >= 1.0:
                    break
                r = min(2.0 * r, 1.0)
            k = _nearest(bd, bq, cnt, kc, scratch, od, oq)
            prev_r = 0.0
            if k >= kc:
                for i in range(k):
                    prev_r = max(prev_r, od[i])
                prev_r = np.sqrt(prev_r)
            if limited:
                n = _limited(coords, order, hole, tt, od, oq, k, max_samples, max_per_hole,
                             max_per_octant, out)
            else:
                n = min(k, max_samples)
                for i in range(n):
                    out[i] = order[oq[i]]
            _sort_ints(out, n)  # ascending sample index: the system's canonical order
            for i in range(n):
                sel[t, i] = out[i]
            nsel[t] = n
    return sel, nsel


def knn_select(index: NeighbourIndex, ts: np.ndarray, target_hole: np.ndarray,
               hole: np.ndarray, k_candidates: int, max_samples: int, max_per_hole: int = 0,
               max_per_octant: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Selected neighbours (m, max_samples; original sample indices in ascending order, -1 padded)
    and their counts for search-space targets ``ts`` (m, 3). A target skips samples whose hole
    equals its ``target_hole`` (>= 0; -1 for none)."""
    ts = np.ascontiguousarray(ts, float).reshape(-1, 3)
    th = np.ascontiguousarray(target_hole, np.int64).reshape(-1)
    if len(th) != len(ts):
        raise InputError("target_hole", len(th), f"{len(ts)} labels (one per target)",
                         "pass one target_hole label per target (-1 for none)")
    kc = int(max(k_candidates, max_samples))
    nblk = max(1, min(len(ts), 8 * nb.get_num_threads()))
    return _knn_kernel(index.coords, index.order, index.start, index.lo, index.h, index.dims,
                       ts, th, np.ascontiguousarray(hole, np.int64), kc, int(max_samples),
                       int(max_per_hole), int(max_per_octant), nblk)
