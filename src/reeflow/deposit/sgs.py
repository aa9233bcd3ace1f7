"""Normal-score transform and sequential Gaussian simulation (SGS) of block/point grids.

- Normal scores: y = Φ⁻¹(F(z)) with the (optionally declustering-weighted) empirical CDF at
  mid-ranks; back-transform by linear interpolation in the transform table, linear tails to
  stated minimum/maximum (Deutsch & Journel 1998, *GSLIB* §V.2.4 ``nscore``/``backtr``).
- SGS (Deutsch & Journel 1998, §V.2.3 ``sgsim``; Isaaks 1990, MSc thesis, Stanford): visit the
  nodes along a random path; at each node simple kriging (mean 0, normal-score variogram) from
  the data and the previously simulated nodes gives a mean and variance, a value is drawn and
  added to the conditioning set. Nodes are processed in batches of ``batch`` nodes along the
  path: ``batch=1`` is the exact algorithm; ``batch > 1`` (faster) does not condition nodes of
  one batch on each other — a stated approximation, tolerable when a batch is small next to the
  number of nodes inside one variogram range.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import ndtri  # the standard normal quantile (scipy.stats.norm.ppf's own)

from reeflow.core.errors import InputError
from reeflow.deposit.kriging import SearchParams, krige
from reeflow.deposit.models import VariogramModel

__all__ = ["NormalScore", "normal_score", "sgs", "MAX_REALISATIONS", "MAX_VALUES"]

#: SGS is refused above this many realisations or realisations x nodes simulated values
#: (each value is one kriging system; 1e8 values is hours of CPU and ~1 GB of output).
MAX_REALISATIONS = 1000
MAX_VALUES = 100_000_000


class NormalScore:
    """Transform table (sorted z, matching y) with forward and back transforms."""

    def __init__(self, z_sorted: np.ndarray, y_sorted: np.ndarray, zmin: float, zmax: float):
        self.z, self.y, self.zmin, self.zmax = z_sorted, y_sorted, zmin, zmax

    def forward(self, z: np.ndarray) -> np.ndarray:
        return np.interp(z, self.z, self.y)

    def back(self, y: np.ndarray) -> np.ndarray:
        """Back-transform; beyond the table, linear to (zmin, y=-5) and (zmax, y=+5)."""
        y = np.asarray(y, float)
        yy = np.r_[-5.0, self.y, 5.0]
        zz = np.r_[self.zmin, self.z, self.zmax]
        return np.interp(np.clip(y, -5.0, 5.0), yy, zz)


def normal_score(z: np.ndarray, *, weights: np.ndarray | None = None,
                 zmin: float | None = None, zmax: float | None = None,
                 ) -> tuple[np.ndarray, NormalScore]:
    """Normal scores of ``z`` and the transform (ties broken by order, GSLIB-style)."""
    z = np.asarray(z, float)
    if z.ndim != 1 or len(z) < 3 or not np.all(np.isfinite(z)):
        raise InputError("normal_score.z", len(z), ">= 3 finite values",
                         "give at least 3 finite grades (drop blank or NaN samples)")
    w = np.ones_like(z) if weights is None else np.asarray(weights, float)
    order = np.argsort(z, kind="stable")
    cw = np.cumsum(w[order])
    p = (cw - 0.5 * w[order]) / cw[-1]
    y_sorted = ndtri(p)
    y = np.empty_like(z)
    y[order] = y_sorted
    lo = float(z.min()) if zmin is None else zmin
    hi = float(z.max()) if zmax is None else zmax
    return y, NormalScore(z[order], y_sorted, lo, hi)


def sgs(data_xyz: np.ndarray, data_y: np.ndarray, node_xyz: np.ndarray,
        model: VariogramModel, search: SearchParams, *, n_realisations: int = 1,
        seed: int = 0, batch: int = 64) -> np.ndarray:
    """Sequential Gaussian simulation of normal scores at ``node_xyz``; returns
    (n_realisations, n_nodes) normal scores. ``model`` should have unit sill (normal scores).
    Nodes without enough conditioning take an unconditional draw N(0, 1)."""
    if batch < 1 or n_realisations < 1:
        raise InputError("sgs.batch/n_realisations", (batch, n_realisations), ">= 1",
                         "pass batch and n_realisations as whole numbers of at least 1")
    nodes = np.asarray(node_xyz, float).reshape(-1, 3)
    if n_realisations > MAX_REALISATIONS or n_realisations * len(nodes) > MAX_VALUES:
        raise InputError("sgs.n_realisations", n_realisations,
                         f"at most {MAX_REALISATIONS} realisations and {MAX_VALUES:,} simulated "
                         f"values ({len(nodes):,} nodes; {n_realisations * len(nodes):,} asked)",
                         "fewer realisations or nodes")
    rng = np.random.default_rng(seed)
    dx, dy = np.asarray(data_xyz, float).reshape(-1, 3), np.asarray(data_y, float)
    # nodes on a datum take its value (GSLIB assigns data to nodes) and are not re-simulated,
    # which would duplicate a location in the conditioning set
    dist, near = cKDTree(dx).query(nodes, distance_upper_bound=1e-9)
    on_data = np.isfinite(dist)
    free = np.flatnonzero(~on_data)
    out = np.empty((n_realisations, len(nodes)))
    for r in range(n_realisations):
        path = free[rng.permutation(len(free))]
        cx, cy = dx, dy
        sim = np.empty(len(nodes))
        sim[on_data] = dy[near[on_data]]
        for s in range(0, len(path), batch):
            idx = path[s:s + batch]
            k = krige(cx, cy, nodes[idx], model, search, method="sk", sk_mean=np.zeros(1))
            mean = np.nan_to_num(k["est"][:, 0], nan=0.0)
            var = np.where(np.isfinite(k["kvar"]), np.maximum(k["kvar"], 0.0), model.sill)
            sim[idx] = mean + np.sqrt(var) * rng.standard_normal(len(idx))
            cx = np.vstack([cx, nodes[idx]])
            cy = np.r_[cy, sim[idx]]
        out[r] = sim
    return out
