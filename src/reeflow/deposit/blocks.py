"""Block estimation by domain: domain shares of each block, ordinary block kriging of every
estimation domain from its own composites (hard boundaries), and the tonnage-weighted merge
into one row per block (the block model the mine side reads).

Stated simplifications: a block's share of a domain is the share of its 2 x 2 x 2 sub-cells
whose nearest composite lies in that domain (a nearest-neighbour stand-in for wireframes; it
plays the role of a partial-block percentage). All variables share one variogram model per
domain: the primary grade's RELATIVE variogram (values divided by their domain mean, pooled
over the domains — the proportional effect), so kriging weights do not depend on the domain's
scale; kriging variances are reported in absolute units (relative × domain mean²).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from reeflow.deposit.blockmodel import BlockGrid
from reeflow.deposit.kriging import SearchParams, discretisation_offsets, idw, krige
from reeflow.deposit.models import VariogramModel

__all__ = ["domain_shares", "estimate_blocks", "scale_model"]

#: the IDW and nearest-neighbour global checks use a seeded sample of at most this many blocks
#: per domain (a check of global means; the sample's standard error is far below its tolerance)
_CHECK_BLOCKS = 4000
_STATS = ("kvar", "kvar_ratio", "slope", "mean_dist_m", "n_samples", "n_holes")


def domain_shares(comps: pd.DataFrame, centres: np.ndarray, grid: BlockGrid,
                  domains: list[str], ndisc: int = 2, classify=None) -> np.ndarray:
    """(n_blocks, n_domains) share of each block in each domain (sub-cells whose nearest
    composite, of any domain, lies in it; or, with ``classify(points) -> labels``, e.g. a
    wireframe, whose label it is). Sub-cells are only queried for blocks near a boundary: a
    sub-cell lies within r (half the block diagonal) of its centre, so when the nearest
    composite group (a domain, or the rest) is nearer the centre than any other group by more
    than 2r, every sub-cell has that group nearest (triangle inequality)."""
    off = discretisation_offsets(grid.block_size_m, (ndisc,) * 3, rotation_deg=grid.rotation_deg)
    if classify is not None:
        lookup = {d: i for i, d in enumerate(domains)}
        shares = np.zeros((len(centres), len(domains)))
        for o in off:
            c = pd.Series(classify(centres + o)).map(lookup).fillna(-1).to_numpy(np.int64)
            ok = c >= 0
            np.add.at(shares, (np.flatnonzero(ok), c[ok]), 1.0)
        return shares / len(off)
    xyz = comps[["x", "y", "z"]].to_numpy()
    code = comps["domain"].map({d: i for i, d in enumerate(domains)}).fillna(-1)
    code = code.astype(np.int64).to_numpy()
    r = 0.5 * float(np.linalg.norm(grid.block_size_m))
    # distance of every centre to the nearest composite of each group (domains, then the rest)
    groups = [g for g in (*range(len(domains)), -1) if np.any(code == g)]
    dist = np.column_stack([cKDTree(xyz[code == g]).query(centres, workers=-1)[0]
                            for g in groups])
    order = np.argsort(dist, axis=1)
    first = dist[np.arange(len(centres)), order[:, 0]]
    second = (dist[np.arange(len(centres)), order[:, 1]] if len(groups) > 1
              else np.full(len(centres), np.inf))
    nearest = np.asarray(groups)[order[:, 0]]
    shares = np.zeros((len(centres), len(domains)))
    # a block whose nearest group is closer by more than its diameter is pure (triangle
    # inequality: no sub-cell can have another group nearer); only the others are sampled
    pure = second - first > 2.0 * r
    in_dom = pure & (nearest >= 0)
    shares[np.flatnonzero(in_dom), nearest[in_dom]] = 1.0
    mixed = np.flatnonzero(~pure)
    tree = cKDTree(xyz)
    for o in off:
        c = code[tree.query(centres[mixed] + o, workers=-1)[1]]
        ok = c >= 0
        np.add.at(shares, (mixed[ok], c[ok]), 1.0 / len(off))
    return shares


def scale_model(model: VariogramModel, factor: float) -> VariogramModel:
    """The model with nugget and sills multiplied by ``factor``."""
    return VariogramModel(model.nugget * factor, tuple(replace(s, sill=s.sill * factor)
                                                       for s in model.structures))


def estimate_blocks(comps: pd.DataFrame, grid: BlockGrid, domains: list[str],
                    grade_cols: list[str], rel_model: VariogramModel, search: SearchParams,
                    ndisc: tuple[int, int, int], density, primary_col: str,
                    classify=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One row per block with any share in the estimation ``domains``: coordinates, indices,
    ``domain`` (largest share), ``domain_share``, ``density_t_per_m3``, ``tonnes``, the grades
    (tonnage-weighted over the block's domains) and the kriging statistics of its main domain.
    ``density(df_of_grades) -> t/m³`` per domain estimate. Also returns the per-block checks
    (IDW and nearest-neighbour primary grade of the main domain) and the summary by domain
    (tonnes and tonnage-weighted grades of each domain's part of the blocks: what a merged
    block's label cannot show). ``kvar_ratio`` is the kriging variance over the domain's sill
    (scale-free, for classification)."""
    frame = grid.to_frame().rename(columns={"i": "ix", "j": "iy", "k": "iz"})
    centres = frame[["x", "y", "z"]].to_numpy()
    shares = domain_shares(comps, centres, grid, domains, classify=classify)
    keep = shares.sum(axis=1) > 0
    frame, shares, centres = frame[keep].reset_index(drop=True), shares[keep], centres[keep]
    vol = float(np.prod(grid.block_size_m))
    n, nd = len(frame), len(domains)
    t_d = np.zeros((n, nd))
    g_d = np.full((n, nd, len(grade_cols)), np.nan)
    stats = {k: np.full((n, nd), np.nan) for k in _STATS}
    chk = np.full((n, nd, 2), np.nan)
    p = grade_cols.index(primary_col)
    for j, dom in enumerate(domains):
        rows = np.flatnonzero(shares[:, j] > 0)
        c = comps[(comps["domain"] == dom) & comps[primary_col].notna()]
        if not len(rows) or len(c) < search.min_samples:
            continue
        xyz = c[["x", "y", "z"]].to_numpy()
        mean = float(np.mean(c[primary_col]))
        model = scale_model(rel_model, mean * mean)
        kw: dict[str, Any] = {"block_size_m": grid.block_size_m, "ndisc": ndisc,
                              "rotation_deg": grid.rotation_deg}
        joint = not c[grade_cols].isna().any().any()
        r = krige(xyz, c[grade_cols if joint else [primary_col]].to_numpy(float), centres[rows],
                  model, search, sample_hole=c["hole_id"].to_numpy(), **kw)
        est = r["est"] if joint else _separately(c, grade_cols, primary_col, r["est"][:, 0],
                                                  centres[rows], model, search, kw)
        ok = np.isfinite(est[:, p])
        g_d[rows, j] = est
        rho = density(pd.DataFrame(est, columns=grade_cols))
        t_d[rows, j] = np.where(ok, vol * shares[rows, j] * rho, 0.0)
        for k in _STATS:
            if k != "kvar_ratio":
                stats[k][rows, j] = r[k]
        stats["kvar_ratio"][rows, j] = r["kvar"] / (rel_model.sill * mean * mean)
        prim = c[primary_col].to_numpy(float)
        sub = rows if len(rows) <= _CHECK_BLOCKS else np.sort(
            np.random.default_rng(j).choice(rows, _CHECK_BLOCKS, replace=False))
        chk[sub, j, 0] = idw(xyz, prim, centres[sub], search)[:, 0]
        chk[sub, j, 1] = prim[cKDTree(xyz).query(centres[sub])[1]]
    bm, checks = _merge(frame, shares, t_d, g_d, stats, chk, domains, grade_cols, vol)
    return bm, checks, _by_domain(t_d, g_d, domains, grade_cols)


def _separately(c: pd.DataFrame, grade_cols: list[str], primary_col: str, prim: np.ndarray,
                targets: np.ndarray, model: VariogramModel, search: SearchParams, kw: dict,
                ) -> np.ndarray:
    """Grades with unassayed composites are kriged one by one from the composites that have
    them; a block left without an estimate of such a grade takes the domain's mean of it
    (stated: it cannot stay NaN in a block model the mine side values)."""
    out = np.empty((len(targets), len(grade_cols)))
    for k, col in enumerate(grade_cols):
        if col == primary_col:
            out[:, k] = prim
            continue
        sub = c[c[col].notna()]
        v = np.full(len(targets), np.nan)
        if len(sub) >= search.min_samples:
            v = krige(sub[["x", "y", "z"]].to_numpy(), sub[col].to_numpy(float), targets,
                      model, search, sample_hole=sub["hole_id"].to_numpy(), **kw)["est"][:, 0]
        out[:, k] = np.where(np.isfinite(v), v, float(sub[col].mean()) if len(sub) else 0.0)
    return out


def _by_domain(t_d, g_d, domains, grade_cols) -> pd.DataFrame:
    rows = []
    for j, dom in enumerate(domains):
        t = t_d[:, j]
        ok = t > 0
        row = {"domain": dom, "tonnes": float(t[ok].sum())}
        for k, col in enumerate(grade_cols):
            row[col] = float(np.average(g_d[ok, j, k], weights=t[ok])) if ok.any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _merge(frame, shares, t_d, g_d, stats, chk, domains, grade_cols, vol):
    tonnes = t_d.sum(axis=1)
    est = tonnes > 0
    main = np.argmax(np.where(t_d > 0, shares, -1.0), axis=1)
    idx = np.arange(len(frame))
    w = np.where(t_d > 0, t_d, 0.0) / np.where(est, tonnes, 1.0)[:, None]
    out = frame.assign(domain=np.asarray(domains, dtype=object)[main],
                       domain_share=np.where(t_d > 0, shares, 0.0).sum(axis=1))
    out["density_t_per_m3"] = tonnes / np.where(est, vol * out["domain_share"], 1.0)
    out["tonnes"] = tonnes
    for k, col in enumerate(grade_cols):
        out[col] = np.nansum(w * np.nan_to_num(g_d[:, :, k]), axis=1)
    for key, a in stats.items():
        out[key] = a[idx, main]
    checks = pd.DataFrame({"idw": chk[idx, main, 0], "nn": chk[idx, main, 1]})
    keep = est.copy()
    return out[keep].reset_index(drop=True), checks[keep].reset_index(drop=True)
