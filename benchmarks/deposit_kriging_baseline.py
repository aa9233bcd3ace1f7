"""FROZEN BASELINE for benchmarks/deposit_kriging.py: the kriging kernel of reeflow as it was
before the batched-search / factor-reuse rewrite (src/reeflow/deposit/kriging.py at main
26c3080), kept callable so the benchmark can report the speed-up in the same run. Not used by
the package; do not edit.

Original module docstring follows.

Ordinary / simple kriging with a moving neighbourhood, block discretisation, and IDW.

Method: Matheron (1963), Econ. Geol. 58:1246; system and block kriging as in Deutsch & Journel
(1998), *GSLIB* 2nd ed., §IV.1 (eq. IV.2–IV.6, ``kt3d``) and Journel & Huijbregts (1978),
*Mining Geostatistics*, §V.A. Ordinary kriging system (convention used here; solved through a
Cholesky factor of the data covariance matrix, C⁻¹c and C⁻¹1: the same bordered system)::

    Σ_j C_ij w_j + μ = C̄_iV,   Σ_j w_j = 1
    σ²_OK = C̄_VV − Σ w_i C̄_iV − μ,   slope of regression = Σ w_i C̄_iV / (Σ w_i C̄_iV − μ)

Block averages C̄ use the discretisation points; the nugget is counted in point–point covariances
(data–data matrix, and point targets when ``ndisc == 1``) and excluded from block averages
(a nugget has no spatial extent).

Neighbourhood: samples are mapped into search-ellipsoid space (rotation + division by the three
search radii) where a SciPy cKDTree finds candidates inside the unit sphere, nearest first; a
compiled pass then keeps at most ``max_per_hole`` per hole and ``max_per_octant`` per octant
(octants of the search ellipsoid), up to ``max_samples``; fewer than ``min_samples`` leaves the
block unestimated (NaN). Targets are processed in chunks, so memory is bounded by the chunk size;
:func:`krige_chunk` is a pure function of arrays that Dask/Ray can map over chunks.

One neighbourhood search and one set of weights per target serve every variable (all variables
share the given variogram model, e.g. modelled on TREO, a stated simplification).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from reeflow.core.errors import InputError
from reeflow.deposit.models import VariogramModel, anisotropy_matrix, rotation_matrix

__all__ = [
    "SearchParams",
    "discretisation_offsets",
    "search_neighbours",
    "krige_chunk",
    "krige",
    "krige_grid",
    "idw",
]


@dataclass(frozen=True)
class SearchParams:
    """Moving-neighbourhood search (ranges in m along major, semi-major, minor axes)."""

    ranges_m: tuple[float, float, float]
    angles_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    min_samples: int = 4
    max_samples: int = 32
    max_per_hole: int = 0  # 0: no limit
    max_per_octant: int = 0  # 0: no octant search
    candidates: int = 0  # KD-tree candidates per target; 0: automatic

    def __post_init__(self) -> None:
        anisotropy_matrix(self.ranges_m, self.angles_deg)
        if not 1 <= self.min_samples <= self.max_samples:
            raise InputError("search.min_samples", (self.min_samples, self.max_samples),
                             "1 <= min_samples <= max_samples", "")

    def n_candidates(self) -> int:
        if self.candidates:
            return max(self.candidates, self.max_samples)
        limited = self.max_per_hole > 0 or self.max_per_octant > 0
        return self.max_samples * (3 if limited else 1)


def discretisation_offsets(block_size_m: tuple[float, float, float], ndisc: tuple[int, int, int],
                           *, rotation_deg: float = 0.0) -> np.ndarray:
    """Offsets (nd, 3) of regular discretisation points (sub-cell centres) from a block centre.

    ``rotation_deg``: block-model rotation about the vertical, clockwise from north (the local
    y axis points to this azimuth).
    """
    d = np.asarray(block_size_m, float)
    n = np.asarray(ndisc, int)
    if np.any(n < 1):
        raise InputError("ndisc", tuple(n), "three integers >= 1", "e.g. (3, 3, 2)")
    axes = [((np.arange(k) + 0.5) / k - 0.5) * s for k, s in zip(n, d, strict=True)]
    g = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    return g @ _zrot(rotation_deg).T


def _zrot(rotation_deg: float) -> np.ndarray:
    t = np.radians(rotation_deg)
    # local x -> world (cos t, -sin t); local y -> world (sin t, cos t): azimuth t clockwise
    return np.array([[np.cos(t), np.sin(t), 0.0], [-np.sin(t), np.cos(t), 0.0], [0, 0, 1.0]])


@nb.njit(cache=True, parallel=True)
def _select(cand, sample_s, ts, hole, target_hole, max_samples, max_per_hole, max_per_octant):
    """Pick neighbours from sorted candidates (m, k) honouring hole and octant limits."""
    m, k = cand.shape
    n = hole.shape[0]
    sel = np.full((m, max_samples), -1, np.int64)
    nsel = np.zeros(m, np.int64)
    for t in nb.prange(m):
        octc = np.zeros(8, np.int64)
        cnt = 0
        for j in range(k):
            i = cand[t, j]
            if i >= n or cnt >= max_samples:
                break
            h = hole[i]
            if target_hole[t] >= 0 and h == target_hole[t]:
                continue
            if max_per_hole > 0:
                same = 0
                for q in range(cnt):
                    if hole[sel[t, q]] == h:
                        same += 1
                if same >= max_per_hole:
                    continue
            if max_per_octant > 0:
                o = ((sample_s[i, 0] >= ts[t, 0]) * 1 + (sample_s[i, 1] >= ts[t, 1]) * 2
                     + (sample_s[i, 2] >= ts[t, 2]) * 4)
                if octc[o] >= max_per_octant:
                    continue
                octc[o] += 1
            sel[t, cnt] = i
            cnt += 1
        nsel[t] = cnt
    return sel, nsel


def search_neighbours(tree: cKDTree, search_mat: np.ndarray, sample_s: np.ndarray,
                      hole: np.ndarray, targets: np.ndarray, target_hole: np.ndarray,
                      sp: SearchParams) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour indices (m, max_samples; -1 padded) and counts for ``targets`` (m, 3)."""
    n = sample_s.shape[0]
    k = min(sp.n_candidates() + (1 if np.any(target_hole >= 0) else 0), n)
    ts = targets @ search_mat.T
    _, cand = tree.query(ts, k=k, distance_upper_bound=1.0, workers=-1)
    cand = np.asarray(cand, np.int64).reshape(len(targets), k)
    return _select(cand, sample_s, ts, hole, target_hole, sp.max_samples, sp.max_per_hole,
                   sp.max_per_octant)


@nb.njit(cache=True, inline="always")
def _gam(code, r):
    if code == 0:
        return 1.0 if r >= 1.0 else 1.5 * r - 0.5 * r * r * r
    if code == 1:
        return 1.0 - np.exp(-3.0 * r)
    return 1.0 - np.exp(-3.0 * r * r)


@nb.njit(cache=True, inline="always")
def _cov_t(codes, sills, u, v, p, q):
    """Covariance between two pre-transformed points: u (ns, ·, 3)[p] and v (ns, ·, 3)[q]."""
    c = 0.0
    for s in range(codes.shape[0]):
        a = u[s, p, 0] - v[s, q, 0]
        b = u[s, p, 1] - v[s, q, 1]
        e = u[s, p, 2] - v[s, q, 2]
        c += sills[s] * (1.0 - _gam(codes[s], np.sqrt(a * a + b * b + e * e)))
    return c


@nb.njit(cache=True)
def _cholesky(a, n):
    """In-place lower Cholesky factor of a[:n, :n]; False when not positive definite."""
    for j in range(n):
        d = a[j, j]
        for k in range(j):
            d -= a[j, k] * a[j, k]
        if d <= 1e-14 * abs(a[j, j]) or d <= 0.0:
            return False
        d = np.sqrt(d)
        a[j, j] = d
        for i in range(j + 1, n):
            v = a[i, j]
            for k in range(j):
                v -= a[i, k] * a[j, k]
            a[i, j] = v / d
    return True


@nb.njit(cache=True)
def _chol_solve(lo, b, n):
    for i in range(n):
        v = b[i]
        for k in range(i):
            v -= lo[i, k] * b[k]
        b[i] = v / lo[i, i]
    for i in range(n - 1, -1, -1):
        v = b[i]
        for k in range(i + 1, n):
            v -= lo[k, i] * b[k]
        b[i] = v / lo[i, i]


@nb.njit(cache=True)
def _neigh_stats(sx, hole, sel, tx, t, n):
    """Mean Euclidean distance (m) to the n neighbours of target t and their number of holes."""
    dist = 0.0
    nh = 0
    for i in range(n):
        p = sel[t, i]
        dist += np.sqrt((sx[p, 0] - tx[t, 0]) ** 2 + (sx[p, 1] - tx[t, 1]) ** 2
                        + (sx[p, 2] - tx[t, 2]) ** 2)
        new = True
        for j in range(i):
            if hole[sel[t, j]] == hole[p]:
                new = False
                break
        if new:
            nh += 1
    return dist / n, nh


@nb.njit(cache=True, parallel=True)
def _krige_kernel(sx, sxs, vals, hole, sel, nsel, tx, txs, discs, codes, sills, nugget, cbb,
                  min_samples, simple, sk_mean):
    """OK/SK per target: Cholesky of the data covariance C, then (OK) w = C⁻¹c − μ C⁻¹1 with
    μ = (1ᵀC⁻¹c − 1)/(1ᵀC⁻¹1) — algebraically the bordered OK system of the module docstring."""
    m = tx.shape[0]
    nv = vals.shape[1]
    nd = discs.shape[1]
    ns = codes.shape[0]
    est = np.full((m, nv), np.nan)
    kvar = np.full(m, np.nan)
    sor = np.full(m, np.nan)
    lag = np.full(m, np.nan)
    nholes = np.zeros(m, np.int64)
    for t in nb.prange(m):
        n = nsel[t]
        if n < min_samples:
            continue
        a = np.empty((n, n))
        c = np.empty(n)
        u = np.ones(n)
        for i in range(n):
            p = sel[t, i]
            for j in range(i + 1):
                q = sel[t, j]
                cv = _cov_t(codes, sills, sxs, sxs, p, q)
                if (sx[p, 0] - sx[q, 0]) ** 2 + (sx[p, 1] - sx[q, 1]) ** 2 + \
                        (sx[p, 2] - sx[q, 2]) ** 2 < 1e-20:
                    cv += nugget
                a[i, j] = cv
            acc = 0.0
            for d in range(nd):
                for s in range(ns):
                    x0 = sxs[s, p, 0] - txs[s, t, 0] - discs[s, d, 0]
                    x1 = sxs[s, p, 1] - txs[s, t, 1] - discs[s, d, 1]
                    x2 = sxs[s, p, 2] - txs[s, t, 2] - discs[s, d, 2]
                    acc += sills[s] * (1.0 - _gam(codes[s], np.sqrt(x0 * x0 + x1 * x1
                                                                    + x2 * x2)))
                if nd == 1 and (sx[p, 0] - tx[t, 0]) ** 2 + (sx[p, 1] - tx[t, 1]) ** 2 + \
                        (sx[p, 2] - tx[t, 2]) ** 2 < 1e-20:
                    acc += nugget
            c[i] = acc / nd
        if not _cholesky(a, n):
            continue
        w = c.copy()
        _chol_solve(a, w, n)
        mu = 0.0
        if not simple:
            _chol_solve(a, u, n)
            su, sw = 0.0, 0.0
            for i in range(n):
                su += u[i]
                sw += w[i]
            mu = (sw - 1.0) / su
            for i in range(n):
                w[i] -= mu * u[i]
        wc = 0.0
        for i in range(n):
            wc += w[i] * c[i]
        for v in range(nv):
            acc = 0.0
            for i in range(n):
                z = vals[sel[t, i], v]
                acc += w[i] * (z - sk_mean[v] if simple else z)
            est[t, v] = acc + sk_mean[v] if simple else acc
        kvar[t] = cbb - wc - mu
        sor[t] = wc / (wc - mu) if wc - mu != 0.0 else np.nan
        lag[t], nholes[t] = _neigh_stats(sx, hole, sel, tx, t, n)
    return est, kvar, sor, lag, nholes


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
    tree: cKDTree
    smat: np.ndarray
    sample_s: np.ndarray
    cache: dict


def _prepare(xyz, values, hole, sp: SearchParams) -> _Prepared:
    xyz = np.ascontiguousarray(xyz, float)
    vals = np.ascontiguousarray(np.asarray(values, float).reshape(len(xyz), -1))
    if not np.all(np.isfinite(xyz)) or not np.all(np.isfinite(vals)):
        raise InputError("samples", "non-finite values", "finite coordinates and grades",
                         "drop composites with missing grades before kriging")
    hole = np.zeros(len(xyz), np.int64) - 1 if hole is None else _codes(hole)
    smat = rotation_matrix(sp.angles_deg) / np.asarray(sp.ranges_m, float)[:, None]
    ss = xyz @ smat.T
    return _Prepared(xyz, vals, hole, cKDTree(ss), smat, ss, {})


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
    """Estimate one chunk of targets; pure function of its arrays."""
    sel, nsel = search_neighbours(prep.tree, prep.smat, prep.sample_s, prep.hole, targets,
                                  target_hole, sp)
    codes, sills, mats = model.arrays()
    simple = method == "sk"
    mean = np.zeros(prep.vals.shape[1]) if sk_mean is None else np.asarray(sk_mean, float)
    txs = np.ascontiguousarray(np.einsum("sij,nj->sni", mats, targets))
    discs = np.ascontiguousarray(np.einsum("sij,nj->sni", mats, disc))
    est, kv, sor, lag, nh = _krige_kernel(prep.xyz, _transformed(prep, mats), prep.vals,
                                          prep.hole, sel, nsel, targets, txs, discs, codes,
                                          sills, float(model.nugget), float(cbb),
                                          sp.min_samples, simple, mean)
    return {"est": est, "kvar": kv, "slope": sor, "mean_dist_m": lag, "n_samples": nsel,
            "n_holes": nh}


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

    Returns dict: ``est`` (m, nv), ``kvar``, ``slope``, ``mean_dist_m``, ``n_samples``,
    ``n_holes`` (NaN / 0 where fewer than ``min_samples`` were found).
    """
    if method not in ("ok", "sk"):
        raise InputError("kriging.method", method, "'ok' or 'sk'", "")
    if chunk < 1:
        raise InputError("kriging.chunk", chunk, ">= 1 target per chunk", "")
    prep = _prepare(sample_xyz, values, sample_hole, search)
    tx = np.ascontiguousarray(target_xyz, float).reshape(-1, 3)
    th = (np.full(len(tx), -1, np.int64) if target_hole is None
          else np.asarray(target_hole, np.int64))
    disc = (np.zeros((1, 3)) if block_size_m is None
            else discretisation_offsets(block_size_m, ndisc, rotation_deg=rotation_deg))
    cbb = _block_cov_mean(model, disc)
    parts = [krige_chunk(prep, tx[s:s + chunk], th[s:s + chunk], model, search, disc, cbb,
                         method=method, sk_mean=sk_mean) for s in range(0, len(tx), chunk)]
    if not parts:
        return {"est": np.empty((0, prep.vals.shape[1]))}
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def krige_grid(sample_xyz: np.ndarray, values: np.ndarray, grid, model: VariogramModel,
               search: SearchParams, *, sample_hole=None, ndisc: tuple[int, int, int] = (1, 1, 1),
               method: str = "ok", chunk: int = 100_000):
    """Block kriging over a regular grid (e.g. :class:`~reeflow.deposit.blockmodel.BlockGrid`),
    generating block centres chunk by chunk so memory stays bounded by ``chunk``; yields
    ``(start, stop, result_dict)`` per chunk (hand the chunks to Dask/Ray to distribute)."""
    prep = _prepare(sample_xyz, values, sample_hole, search)
    disc = discretisation_offsets(grid.block_size_m, ndisc, rotation_deg=grid.rotation_deg)
    cbb = _block_cov_mean(model, disc)
    for s in range(0, grid.n_blocks, chunk):
        e = min(s + chunk, grid.n_blocks)
        t = np.ascontiguousarray(grid.centres(s, e))
        yield s, e, krige_chunk(prep, t, np.full(e - s, -1, np.int64), model, search, disc, cbb,
                                method=method)


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
    prep = _prepare(sample_xyz, values, sample_hole, search)
    tx = np.ascontiguousarray(target_xyz, float).reshape(-1, 3)
    out = []
    for s in range(0, len(tx), chunk):
        t = tx[s:s + chunk]
        sel, nsel = search_neighbours(prep.tree, prep.smat, prep.sample_s, prep.hole, t,
                                      np.full(len(t), -1, np.int64), search)
        out.append(_idw_kernel(prep.xyz, prep.vals, sel, nsel, t, prep.smat, float(power),
                               search.min_samples))
    return np.concatenate(out) if out else np.empty((0, prep.vals.shape[1]))
