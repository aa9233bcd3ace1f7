"""Ordinary / simple kriging with a moving neighbourhood, block discretisation, and IDW.

Method: Matheron (1963), Econ. Geol. 58:1246; system and block kriging as in Deutsch & Journel
(1998), *GSLIB* 2nd ed., §IV.1 (eq. IV.2–IV.6, ``kt3d``) and Journel & Huijbregts (1978),
*Mining Geostatistics*, §V.A. Ordinary kriging system (convention used here; solved through a
Cholesky factor of the data covariance matrix, C⁻¹c and C⁻¹1: the same bordered system)::

    Σ_j C_ij w_j + μ = C̄_iV,   Σ_j w_j = 1
    σ²_OK = C̄_VV − Σ w_i C̄_iV − μ,   slope of regression = Σ w_i C̄_iV / (Σ w_i C̄_iV − μ)

Block averages C̄ use the discretisation points; the nugget is counted in point–point covariances
(data–data matrix, and point targets when ``ndisc == 1``) and excluded from block averages
(a nugget has no spatial extent).

Neighbourhood (:mod:`reeflow.deposit.neighbours`): samples are mapped into search-ellipsoid space
(rotation + division by the three search radii) and bucketed in a uniform grid; a compiled
k-nearest pass keeps at most ``max_per_hole`` per hole and ``max_per_octant`` per octant
(octants of the search ellipsoid) of the nearest candidates inside the unit sphere, up to
``max_samples``; fewer than ``min_samples`` leaves the target unestimated (NaN).

Speed: targets are ordered in columns (y, then x, then z fastest: a regular grid's vertical
neighbours follow each other); each thread walks a contiguous run of targets, and when a target's
neighbour set equals the previous one's, the Cholesky factor and C⁻¹1 are reused and only the
right-hand side is assembled and solved. The neighbour sets are kept in ascending sample order,
so the system does not depend on the search order. Targets are processed in chunks (memory
bounded by the chunk size); :func:`krige_chunk` is a pure function of its arrays.

One neighbourhood search and one set of weights per target serve every variable (all variables
share the given variogram model, a stated simplification).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.deposit.models import VariogramModel, anisotropy_matrix
from reeflow.deposit.neighbours import NeighbourIndex, _sort_ints, build_index, knn_select

__all__ = [
    "SearchParams",
    "MAX_DISCRETISATION_POINTS",
    "discretisation_offsets",
    "search_neighbours",
    "column_order",
    "krige_chunk",
    "krige",
    "krige_grid",
    "idw",
]

#: Refused above this many discretisation points per block (the kernel's cost grows linearly;
#: 10 x 10 x 10 is already far beyond practice, where 2 x 2 x 2 to 5 x 5 x 2 is usual).
MAX_DISCRETISATION_POINTS = 1000
#: Refused above this many neighbours per target (the per-target system is max_samples²).
MAX_SAMPLES_LIMIT = 256


@dataclass(frozen=True)
class SearchParams:
    """Moving-neighbourhood search (ranges in m along major, semi-major, minor axes)."""

    ranges_m: tuple[float, float, float]
    angles_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    min_samples: int = 4
    max_samples: int = 32
    max_per_hole: int = 0  # 0: no limit
    max_per_octant: int = 0  # 0: no octant search
    candidates: int = 0  # nearest candidates examined per target; 0: automatic

    def __post_init__(self) -> None:
        anisotropy_matrix(self.ranges_m, self.angles_deg)
        if not 1 <= self.min_samples <= self.max_samples <= MAX_SAMPLES_LIMIT:
            raise InputError("search.min_samples/max_samples", (self.min_samples,
                                                                 self.max_samples),
                             f"1 <= min_samples <= max_samples <= {MAX_SAMPLES_LIMIT}",
                             "e.g. min 4, max 24")
        if self.max_per_hole < 0 or self.max_per_octant < 0 or self.candidates < 0:
            raise InputError("search.max_per_hole/max_per_octant/candidates",
                             (self.max_per_hole, self.max_per_octant, self.candidates),
                             ">= 0 (0: no limit / automatic)",
                             "set search.max_per_hole, max_per_octant and candidates to 0 (no "
                             "limit / automatic) or more")

    def n_candidates(self) -> int:
        if self.candidates:
            return min(max(self.candidates, self.max_samples), 4 * MAX_SAMPLES_LIMIT)
        limited = self.max_per_hole > 0 or self.max_per_octant > 0
        return self.max_samples * (3 if limited else 1)

    def matrix(self) -> np.ndarray:
        """World → search-space matrix (the search ellipsoid becomes the unit sphere)."""
        return anisotropy_matrix(self.ranges_m, self.angles_deg)


def discretisation_offsets(block_size_m: tuple[float, float, float], ndisc: tuple[int, int, int],
                           *, rotation_deg: float = 0.0) -> np.ndarray:
    """Offsets (nd, 3) of regular discretisation points (sub-cell centres) from a block centre.

    ``rotation_deg``: block-model rotation about the vertical, clockwise from north (the local
    y axis points to this azimuth). More than :data:`MAX_DISCRETISATION_POINTS` points are
    refused (the kernel's cost and memory grow with their number).
    """
    d = np.asarray(block_size_m, float)
    n = np.asarray(ndisc, int)
    if n.shape != (3,) or np.any(n < 1):
        raise InputError("ndisc", tuple(np.ravel(n)), "three integers >= 1", "e.g. (3, 3, 2)")
    if int(np.prod(n)) > MAX_DISCRETISATION_POINTS:
        raise InputError("ndisc", tuple(int(v) for v in n),
                         f"at most {MAX_DISCRETISATION_POINTS} points per block "
                         f"({int(np.prod(n))} asked)", "use e.g. (4, 4, 2)")
    axes = [((np.arange(k) + 0.5) / k - 0.5) * s for k, s in zip(n, d, strict=True)]
    g = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    return g @ _zrot(rotation_deg).T


def _zrot(rotation_deg: float) -> np.ndarray:
    t = np.radians(rotation_deg)
    # local x -> world (cos t, -sin t); local y -> world (sin t, cos t): azimuth t clockwise
    return np.array([[np.cos(t), np.sin(t), 0.0], [-np.sin(t), np.cos(t), 0.0], [0, 0, 1.0]])


def column_order(xyz: np.ndarray) -> np.ndarray:
    """Permutation visiting targets column by column (y, then x, then z fastest)."""
    p = np.asarray(xyz, float).reshape(-1, 3)
    return np.lexsort((p[:, 2], p[:, 0], p[:, 1]))


def search_neighbours(prep: _Prepared, targets: np.ndarray, target_hole: np.ndarray,
                      sp: SearchParams) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour indices (m, max_samples; ascending, -1 padded) and counts for ``targets``."""
    ts = np.ascontiguousarray(np.asarray(targets, float).reshape(-1, 3) @ prep.smat.T)
    return knn_select(prep.index, ts, np.asarray(target_hole, np.int64), prep.hole,
                      sp.n_candidates(), sp.max_samples, sp.max_per_hole, sp.max_per_octant)


_FM = {"nsz", "arcp", "contract", "afn", "reassoc"}  # fast maths without no-NaN assumptions


@nb.njit(cache=True, fastmath=_FM)
def _assemble(a, p, w, n, codes, sills, nugget, dup, ids):
    """Lower triangle (row-major) of the data covariance matrix from gathered coordinates
    ``p`` (ns, 3, k: structure space, one row per axis) and world coordinates ``w`` (3, k).
    The nugget is added where two samples coincide (the diagonal, and duplicated samples).
    Row views and branch-free inner loops let the compiler vectorise them."""
    ns = codes.shape[0]
    for i in range(n):
        row = a[i]
        for j in range(i + 1):
            row[j] = 0.0
    for s in range(ns):
        code, sill = codes[s], sills[s]
        q0, q1, q2 = p[s, 0], p[s, 1], p[s, 2]
        for i in range(n):
            x0, x1, x2 = q0[i], q1[i], q2[i]
            row = a[i]
            if code == 0:  # spherical; r clamped at 1 gives exactly 0
                for j in range(i + 1):
                    d0 = x0 - q0[j]
                    d1 = x1 - q1[j]
                    d2 = x2 - q2[j]
                    r2 = min(d0 * d0 + d1 * d1 + d2 * d2, 1.0)
                    r = np.sqrt(r2)
                    row[j] += sill * (1.0 - r * (1.5 - 0.5 * r2))
            elif code == 1:
                for j in range(i + 1):
                    d0 = x0 - q0[j]
                    d1 = x1 - q1[j]
                    d2 = x2 - q2[j]
                    row[j] += sill * np.exp(-3.0 * np.sqrt(d0 * d0 + d1 * d1 + d2 * d2))
            else:
                for j in range(i + 1):
                    d0 = x0 - q0[j]
                    d1 = x1 - q1[j]
                    d2 = x2 - q2[j]
                    row[j] += sill * np.exp(-3.0 * (d0 * d0 + d1 * d1 + d2 * d2))
    for i in range(n):
        a[i, i] += nugget
        if dup[ids[i]]:
            for j in range(i):
                if dup[ids[j]]:
                    e0 = w[0, i] - w[0, j]
                    e1 = w[1, i] - w[1, j]
                    e2 = w[2, i] - w[2, j]
                    if e0 * e0 + e1 * e1 + e2 * e2 < 1e-20:
                        a[i, j] += nugget


@nb.njit(cache=True, fastmath=_FM)
def _rhs(c, p, w, n, t, txs, tx, discs, codes, sills, nugget):
    """Point-to-block covariances C̄_iV averaged over the discretisation points."""
    ns = codes.shape[0]
    nd = discs.shape[1]
    for i in range(n):
        c[i] = 0.0
    for s in range(ns):
        code, sill = codes[s], sills[s]
        for d in range(nd):
            y0 = txs[s, t, 0] + discs[s, d, 0]
            y1 = txs[s, t, 1] + discs[s, d, 1]
            y2 = txs[s, t, 2] + discs[s, d, 2]
            if code == 0:
                for i in range(n):
                    d0 = p[s, 0, i] - y0
                    d1 = p[s, 1, i] - y1
                    d2 = p[s, 2, i] - y2
                    r2 = min(d0 * d0 + d1 * d1 + d2 * d2, 1.0)
                    r = np.sqrt(r2)
                    c[i] += sill * (1.0 - r * (1.5 - 0.5 * r2))
            elif code == 1:
                for i in range(n):
                    d0 = p[s, 0, i] - y0
                    d1 = p[s, 1, i] - y1
                    d2 = p[s, 2, i] - y2
                    c[i] += sill * np.exp(-3.0 * np.sqrt(d0 * d0 + d1 * d1 + d2 * d2))
            else:
                for i in range(n):
                    d0 = p[s, 0, i] - y0
                    d1 = p[s, 1, i] - y1
                    d2 = p[s, 2, i] - y2
                    c[i] += sill * np.exp(-3.0 * (d0 * d0 + d1 * d1 + d2 * d2))
    inv = 1.0 / nd
    for i in range(n):
        c[i] *= inv
        if nd == 1:
            e0 = w[0, i] - tx[t, 0]
            e1 = w[1, i] - tx[t, 1]
            e2 = w[2, i] - tx[t, 2]
            if e0 * e0 + e1 * e1 + e2 * e2 < 1e-20:
                c[i] += nugget


@nb.njit(cache=True, fastmath=_FM, inline="always")
def _pivot(r, j):
    """Diagonal pivot of row r at column j (dot form); 0 when not numerically positive."""
    d = r[j]
    for k in range(j):
        d -= r[k] * r[k]
    if d <= 1e-14 * abs(r[j]) or d <= 0.0:
        return 0.0
    return np.sqrt(d)


@nb.njit(cache=True, fastmath=_FM)
def _cholesky(a, n):
    """In-place lower Cholesky factor L (A = LLᵀ) of the lower triangle of a[:n, :n], rows
    contiguous; left-looking dot-product form, two columns per pass (each row of L is read
    once for both); False when A is not numerically positive definite (pivot <= 1e-14 of its
    diagonal entry)."""
    j = 0
    while j < n:
        rj = a[j]
        d = _pivot(rj, j)
        if d == 0.0:
            return False
        rj[j] = d
        inv = 1.0 / d
        if j + 1 == n:
            return True
        r1 = a[j + 1]
        v = r1[j]
        for k in range(j):
            v -= r1[k] * rj[k]
        r1[j] = v * inv
        d1 = _pivot(r1, j + 1)
        if d1 == 0.0:
            return False
        r1[j + 1] = d1
        inv1 = 1.0 / d1
        for i in range(j + 2, n):
            ri = a[i]
            v0 = ri[j]
            v1 = ri[j + 1]
            for k in range(j):
                x = ri[k]
                v0 -= x * rj[k]
                v1 -= x * r1[k]
            v0 *= inv
            ri[j] = v0
            ri[j + 1] = (v1 - v0 * r1[j]) * inv1
        j += 2
    return True


@nb.njit(cache=True, fastmath=_FM)
def _chol_solve(lo, b, n):
    """Solve LLᵀx = b in place: forward by row dot products, backward by row axpys (both
    read rows of L contiguously)."""
    for i in range(n):
        li = lo[i]
        v = b[i]
        for k in range(i):
            v -= li[k] * b[k]
        b[i] = v / li[i]
    for i in range(n - 1, -1, -1):
        li = lo[i]
        x = b[i] / li[i]
        b[i] = x
        for k in range(i):
            b[k] -= li[k] * x


@nb.njit(cache=True, fastmath=_FM)
def _chol_solve2(lo, b, e, n):
    """Solve LLᵀx = b and LLᵀy = e in place in one pass over L."""
    for i in range(n):
        li = lo[i]
        v = b[i]
        f = e[i]
        for k in range(i):
            v -= li[k] * b[k]
            f -= li[k] * e[k]
        b[i] = v / li[i]
        e[i] = f / li[i]
    for i in range(n - 1, -1, -1):
        li = lo[i]
        x = b[i] / li[i]
        y = e[i] / li[i]
        b[i] = x
        e[i] = y
        for k in range(i):
            b[k] -= li[k] * x
            e[k] -= li[k] * y


@nb.njit(cache=True)
def _sorted_ids(sel, t, n, out):
    """Neighbour ids of target t in ascending order (the system's canonical order)."""
    for i in range(n):
        out[i] = sel[t, i]
    _sort_ints(out, n)


@nb.njit(cache=True)
def _n_holes(hole, ids, n, seen):
    """Number of distinct holes among the neighbours (O(n x holes))."""
    nh = 0
    for i in range(n):
        h = hole[ids[i]]
        new = True
        for j in range(nh):
            if seen[j] == h:
                new = False
                break
        if new:
            seen[nh] = h
            nh += 1
    return nh


@nb.njit(cache=True)
def _gather(ids, n, sx, sxs, w3, p, prev):
    """Coordinates of the neighbours: world (3, k) and per structure (ns, 3, k)."""
    for i in range(n):
        q = ids[i]
        prev[i] = q
        for r in range(3):
            w3[r, i] = sx[q, r]
            for s in range(sxs.shape[0]):
                p[s, r, i] = sxs[s, q, r]


@nb.njit(cache=True, fastmath=_FM)
def _weights(a, c, u, wts, n, refactored, simple):
    """Kriging weights into ``wts`` from the factor in ``a`` and right-hand side ``c``; a new
    factor also gives u = C⁻¹1 (both in one pass). Returns the Lagrange term μ (0 for SK)."""
    for i in range(n):  # weights solve a copy of c; c is kept for the variance
        wts[i] = c[i]
    if refactored:
        for i in range(n):
            u[i] = 1.0
        _chol_solve2(a, wts, u, n)
    else:
        _chol_solve(a, wts, n)
    if simple:
        return 0.0
    su, sw = 0.0, 0.0
    for i in range(n):
        su += u[i]
        sw += wts[i]
    mu = (sw - 1.0) / su
    for i in range(n):
        wts[i] -= mu * u[i]
    return mu


@nb.njit(cache=True)
def _store(t, n, ids, wts, c, mu, vals, sk_mean, simple, cbb, w3, tx, est, kvar, sor, lag):
    """Estimates of every variable, kriging variance, slope and mean distance of target t."""
    wc = 0.0
    for i in range(n):
        wc += wts[i] * c[i]
    for v in range(vals.shape[1]):
        acc = 0.0
        for i in range(n):
            z = vals[ids[i], v]
            acc += wts[i] * (z - sk_mean[v] if simple else z)
        est[t, v] = acc + sk_mean[v] if simple else acc
    kvar[t] = cbb - wc - mu
    sor[t] = wc / (wc - mu) if wc - mu != 0.0 else np.nan
    dist = 0.0
    for i in range(n):
        dist += np.sqrt((w3[0, i] - tx[t, 0]) ** 2 + (w3[1, i] - tx[t, 1]) ** 2
                        + (w3[2, i] - tx[t, 2]) ** 2)
    lag[t] = dist / n


@nb.njit(cache=True, parallel=True)
def _krige_kernel(sx, sxs, vals, hole, dup, sel, nsel, tx, txs, discs, codes, sills, nugget,
                  cbb, min_samples, simple, sk_mean, nblk):
    """OK/SK per target: Cholesky of the data covariance C, then (OK) w = C⁻¹c − μ C⁻¹1 with
    μ = (1ᵀC⁻¹c − 1)/(1ᵀC⁻¹1) — algebraically the bordered OK system of the module docstring.
    Each of ``nblk`` runs of consecutive targets reuses the factor while the (sorted)
    neighbour set repeats."""
    m = tx.shape[0]
    kmax = sel.shape[1]
    est = np.full((m, vals.shape[1]), np.nan)
    kvar = np.full(m, np.nan)
    sor = np.full(m, np.nan)
    lag = np.full(m, np.nan)
    nholes = np.zeros(m, np.int64)
    reused = np.zeros(nblk, np.int64)
    for b in nb.prange(nblk):
        a = np.empty((kmax, kmax))
        p = np.empty((codes.shape[0], 3, kmax))
        w3 = np.empty((3, kmax))
        ids = np.empty(kmax, np.int64)
        prev = np.full(kmax, -1, np.int64)
        u, c, wts = np.empty(kmax), np.empty(kmax), np.empty(kmax)
        seen = np.empty(kmax, np.int64)
        prev_n, nh = -1, 0
        for t in range(b * m // nblk, (b + 1) * m // nblk):
            n = nsel[t]
            if n < min_samples:
                continue
            _sorted_ids(sel, t, n, ids)
            same = n == prev_n
            for i in range(n if same else 0):
                if ids[i] != prev[i]:
                    same = False
                    break
            if same:
                reused[b] += 1
            else:
                _gather(ids, n, sx, sxs, w3, p, prev)
                _assemble(a, p, w3, n, codes, sills, nugget, dup, ids)
                if not _cholesky(a, n):
                    prev_n = -1
                    continue
                prev_n = n
                nh = _n_holes(hole, ids, n, seen)
            _rhs(c, p, w3, n, t, txs, tx, discs, codes, sills, nugget)
            mu = _weights(a, c, u, wts, n, not same, simple)
            _store(t, n, ids, wts, c, mu, vals, sk_mean, simple, cbb, w3, tx, est, kvar, sor, lag)
            nholes[t] = nh
    return est, kvar, sor, lag, nholes, reused.sum()


def _block_cov_mean(model: VariogramModel, disc: np.ndarray) -> float:
    if len(disc) == 1:
        return model.sill
    lag = disc[:, None, :] - disc[None, :, :]
    return float(np.mean(model.covariance(lag) - model.nugget * (np.linalg.norm(lag, axis=-1)
                                                                  <= 1e-10)))


@dataclass(frozen=True)
class _Prepared:
    xyz: np.ndarray
    vals: np.ndarray
    hole: np.ndarray
    smat: np.ndarray
    index: NeighbourIndex
    dup: np.ndarray
    cache: dict


def _prepare(xyz, values, hole, sp: SearchParams) -> _Prepared:
    xyz = np.ascontiguousarray(np.asarray(xyz, float).reshape(-1, 3))
    vals = np.ascontiguousarray(np.asarray(values, float).reshape(len(xyz), -1))
    if len(xyz) == 0:
        raise InputError("samples", 0, ">= 1 sample", "check the composites")
    if not np.all(np.isfinite(xyz)) or not np.all(np.isfinite(vals)):
        raise InputError("samples", "non-finite values", "finite coordinates and grades",
                         "drop composites with missing grades before kriging")
    hole = np.zeros(len(xyz), np.int64) - 1 if hole is None else _codes(hole)
    smat = sp.matrix()
    ss = np.ascontiguousarray(xyz @ smat.T)
    return _Prepared(xyz, vals, hole, smat, build_index(ss, sp.n_candidates()),
                     _duplicated(xyz), {})


def _duplicated(xyz: np.ndarray) -> np.ndarray:
    """True for samples sharing their coordinates with another sample."""
    o = np.lexsort((xyz[:, 2], xyz[:, 1], xyz[:, 0]))
    same = np.all(np.diff(xyz[o], axis=0) == 0.0, axis=1)
    dup = np.zeros(len(xyz), bool)
    dup[o[1:][same]] = True
    dup[o[:-1][same]] = True
    return dup


def _codes(hole) -> np.ndarray:
    h = np.asarray(hole)
    if h.dtype.kind in "iu":
        return h.astype(np.int64)
    return pd.factorize(pd.Series(h))[0].astype(np.int64)


def _transformed(prep: _Prepared, mats: np.ndarray) -> np.ndarray:
    """Sample coordinates in each structure's anisotropy space (ns, n, 3), cached per model."""
    key = mats.tobytes()
    if prep.cache.get("key") != key:
        prep.cache["key"] = key
        prep.cache["sxs"] = np.ascontiguousarray(np.einsum("sij,nj->sni", mats, prep.xyz))
    return prep.cache["sxs"]


def krige_chunk(prep: _Prepared, targets: np.ndarray, target_hole: np.ndarray,
                model: VariogramModel, sp: SearchParams, disc: np.ndarray, cbb: float, *,
                method: str = "ok", sk_mean: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Estimate one chunk of targets (in the order given); pure function of its arrays."""
    targets = np.ascontiguousarray(targets, float).reshape(-1, 3)
    sel, nsel = search_neighbours(prep, targets, target_hole, sp)
    codes, sills, mats = model.arrays()
    simple = method == "sk"
    mean = np.zeros(prep.vals.shape[1]) if sk_mean is None else np.asarray(sk_mean, float)
    txs = np.ascontiguousarray(np.einsum("sij,nj->sni", mats, targets))
    discs = np.ascontiguousarray(np.einsum("sij,nj->sni", mats, disc))
    nblk = max(1, min(len(targets), 8 * nb.get_num_threads()))
    est, kv, sor, lag, nh, reused = _krige_kernel(
        prep.xyz, _transformed(prep, mats), prep.vals, prep.hole, prep.dup, sel, nsel, targets,
        txs, discs, codes, sills, float(model.nugget), float(cbb), sp.min_samples, simple, mean, nblk)
    return {"est": est, "kvar": kv, "slope": sor, "mean_dist_m": lag, "n_samples": nsel,
            "n_holes": nh, "n_reused": np.array([reused])}


def _check_method(method: str, chunk: int) -> None:
    if method not in ("ok", "sk"):
        raise InputError("kriging.method", method, "'ok' or 'sk'",
                         "pass method='ok' (ordinary kriging) or method='sk' (simple kriging)")
    if chunk < 1:
        raise InputError("kriging.chunk", chunk, ">= 1 target per chunk",
                         "pass chunk as a whole number of targets per batch, at least 1")


def krige(sample_xyz: np.ndarray, values: np.ndarray, target_xyz: np.ndarray,
          model: VariogramModel, search: SearchParams, *, sample_hole=None, target_hole=None,
          block_size_m: tuple[float, float, float] | None = None,
          ndisc: tuple[int, int, int] = (1, 1, 1), rotation_deg: float = 0.0,
          method: str = "ok", sk_mean: np.ndarray | None = None,
          chunk: int = 100_000) -> dict[str, np.ndarray]:
    """Ordinary (``method="ok"``) or simple (``"sk"``) kriging of points or blocks.

    Parameters
    ----------
    sample_xyz : (n, 3) sample coordinates, m.
    values : (n,) or (n, nv) grades (any unit; estimates come back in the same unit).
    target_xyz : (m, 3) point or block-centre coordinates, m.
    sample_hole, target_hole : hole labels; a target skips samples of its own hole
        (leave-one-hole-out) where ``target_hole`` is given (int codes >= 0 of ``sample_hole``).
    block_size_m, ndisc : block kriging with ``ndisc`` points per axis (point kriging when None).

    Returns dict (in the order of ``target_xyz``): ``est`` (m, nv), ``kvar``, ``slope``,
    ``mean_dist_m``, ``n_samples``, ``n_holes`` (NaN / 0 where fewer than ``min_samples`` were
    found) and ``n_reused`` (targets whose factorisation was reused).
    """
    _check_method(method, chunk)
    prep = _prepare(sample_xyz, values, sample_hole, search)
    tx = np.ascontiguousarray(target_xyz, float).reshape(-1, 3)
    th = (np.full(len(tx), -1, np.int64) if target_hole is None
          else np.asarray(target_hole, np.int64))
    disc = (np.zeros((1, 3)) if block_size_m is None
            else discretisation_offsets(block_size_m, ndisc, rotation_deg=rotation_deg))
    cbb = _block_cov_mean(model, disc)
    if len(tx) == 0:
        return {"est": np.empty((0, prep.vals.shape[1]))}
    order = column_order(tx)
    out: dict[str, np.ndarray] = {}
    reused = 0
    for s in range(0, len(tx), chunk):
        o = order[s:s + chunk]
        r = krige_chunk(prep, tx[o], th[o], model, search, disc, cbb, method=method,
                        sk_mean=sk_mean)
        reused += int(r.pop("n_reused")[0])
        for k, v in r.items():
            if k not in out:
                out[k] = np.empty((len(tx),) + v.shape[1:], v.dtype)
            out[k][o] = v
    out["n_reused"] = np.array([reused])
    return out


def krige_grid(sample_xyz: np.ndarray, values: np.ndarray, grid, model: VariogramModel,
               search: SearchParams, *, sample_hole=None, ndisc: tuple[int, int, int] = (1, 1, 1),
               method: str = "ok", chunk: int = 100_000):
    """Block kriging over a regular grid (e.g. :class:`~reeflow.core.gslib.BlockGrid`).

    Chunks are whole slabs of rows (all x and z for a run of y indices, about ``chunk`` blocks)
    visited column by column, so memory stays bounded by the chunk; yields
    ``(block_indices, result_dict)`` per chunk, ``block_indices`` in GSLIB order (x fastest).
    Hand the chunks to Dask/Ray to distribute them.
    """
    _check_method(method, chunk)
    prep = _prepare(sample_xyz, values, sample_hole, search)
    disc = discretisation_offsets(grid.block_size_m, ndisc, rotation_deg=grid.rotation_deg)
    cbb = _block_cov_mean(model, disc)
    nx, ny, nz = grid.counts
    rows = max(1, chunk // max(1, nx * nz))
    for y0 in range(0, ny, rows):
        iy = np.arange(y0, min(ny, y0 + rows))
        # column order: y slowest, then x, then z fastest
        jy, jx, jz = np.meshgrid(iy, np.arange(nx), np.arange(nz), indexing="ij")
        idx = ((jz * ny + jy) * nx + jx).ravel()
        t = np.ascontiguousarray(grid.centres_of(idx))
        yield idx, krige_chunk(prep, t, np.full(len(idx), -1, np.int64), model, search, disc,
                               cbb, method=method)


@nb.njit(cache=True, parallel=True)
def _idw_kernel(sx, vals, sel, nsel, tx, smat, power, min_samples):
    m = tx.shape[0]
    nv = vals.shape[1]
    out = np.full((m, nv), np.nan)
    for t in nb.prange(m):
        n = nsel[t]
        if n < min_samples:
            continue
        wsum = 0.0
        acc = np.zeros(nv)
        exact = -1
        for i in range(n):
            p = sel[t, i]
            d2 = 0.0
            for r in range(3):
                u = (smat[r, 0] * (sx[p, 0] - tx[t, 0]) + smat[r, 1] * (sx[p, 1] - tx[t, 1])
                     + smat[r, 2] * (sx[p, 2] - tx[t, 2]))
                d2 += u * u
            if d2 < 1e-24:
                exact = p
                break
            w = d2 ** (-0.5 * power)
            wsum += w
            for v in range(nv):
                acc[v] += w * vals[p, v]
        for v in range(nv):
            out[t, v] = vals[exact, v] if exact >= 0 else acc[v] / wsum
    return out


def idw(sample_xyz: np.ndarray, values: np.ndarray, target_xyz: np.ndarray,
        search: SearchParams, *, power: float = 2.0, sample_hole=None,
        chunk: int = 100_000) -> np.ndarray:
    """Inverse-distance weighting (Shepard 1968, Proc. ACM Natl. Conf., eq. 1) with the same
    neighbourhood; distances are anisotropic (search-ellipsoid space). Returns (m, nv)."""
    _check_method("ok", chunk)
    prep = _prepare(sample_xyz, values, sample_hole, search)
    tx = np.ascontiguousarray(target_xyz, float).reshape(-1, 3)
    out = np.empty((len(tx), prep.vals.shape[1]))
    order = column_order(tx)
    for s in range(0, len(tx), chunk):
        o = order[s:s + chunk]
        t = np.ascontiguousarray(tx[o])
        sel, nsel = search_neighbours(prep, t, np.full(len(t), -1, np.int64), search)
        out[o] = _idw_kernel(prep.xyz, prep.vals, sel, nsel, t, prep.smat, float(power),
                             search.min_samples)
    return out
