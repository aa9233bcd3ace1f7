"""Desurvey (minimum curvature), fixed-length compositing by domain, top-cuts, declustering.

- Minimum curvature: each survey segment is a circular arc joining the two station directions;
  ratio factor RF = (2/β)·tan(β/2), β the dogleg angle. Standard formulation, e.g. SPE
  "Directional survey calculation" (Sawaryn & Thorogood, 2005, SPE Drilling & Completion 20(1),
  eq. 1–4). Intermediate depths are placed on the same arc by spherical interpolation of the
  tangent (exact for a circular arc).
- Compositing: length-weighted averages over fixed lengths from the top of each contiguous domain
  run in a hole (composites never straddle a domain boundary); unsampled gaps carry no weight.
  Residuals shorter than ``min_fraction × length`` are merged into the previous composite.
- Top-cut rules (registry ``TOPCUT_RULES``): ``percentile`` (cap at the p-th percentile of the
  composites of each domain) and ``fixed`` (a cap per column) — stated in the output table.
- Declustering: cell declustering (Journel 1983; Deutsch & Journel 1998, GSLIB §VI.2.2): weight
  ∝ 1 / (samples in the cell).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.deposit.drillholes import Drillholes

#: Refused above this many composites (memory ~1 kB each with desurvey and grades).
MAX_COMPOSITES = 5_000_000

__all__ = [
    "MAX_COMPOSITES",
    "direction_vectors",
    "min_curvature_positions",
    "desurvey",
    "composite",
    "top_cut",
    "TOPCUT_RULES",
    "cell_declustering_weights",
    "declustered_stats",
]


def direction_vectors(azimuth_deg: np.ndarray, dip_deg: np.ndarray) -> np.ndarray:
    """Unit tangent (east, north, up) for azimuth clockwise from north and dip (negative down)."""
    az = np.radians(np.asarray(azimuth_deg, float))
    dp = np.radians(np.asarray(dip_deg, float))
    return np.stack([np.cos(dp) * np.sin(az), np.cos(dp) * np.cos(az), np.sin(dp)], axis=-1)


def _slerp(t1: np.ndarray, t2: np.ndarray, frac: np.ndarray) -> np.ndarray:
    cosb = np.clip(np.sum(t1 * t2, axis=-1), -1.0, 1.0)
    beta = np.arccos(cosb)
    small = beta < 1e-9
    sb = np.where(small, 1.0, np.sin(beta))
    w1 = np.where(small, 1.0 - frac, np.sin((1.0 - frac) * beta) / sb)
    w2 = np.where(small, frac, np.sin(frac * beta) / sb)
    v = w1[..., None] * t1 + w2[..., None] * t2
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _arc_step(t1: np.ndarray, t2: np.ndarray, md: np.ndarray) -> np.ndarray:
    beta = np.arccos(np.clip(np.sum(t1 * t2, axis=-1), -1.0, 1.0))
    rf = np.where(beta < 1e-9, 1.0, 2.0 / np.where(beta < 1e-9, 1.0, beta) * np.tan(beta / 2))
    return (md * rf / 2.0)[..., None] * (t1 + t2)


def min_curvature_positions(collar_xyz: np.ndarray, station_depth_m: np.ndarray,
                            azimuth_deg: np.ndarray, dip_deg: np.ndarray,
                            depth_m: np.ndarray) -> np.ndarray:
    """Positions (n, 3) of ``depth_m`` along one hole by minimum curvature.

    Stations must be strictly increasing in depth. The first station's direction applies from the
    collar down to it, and the last one's beyond the last station (straight extrapolation).
    """
    sd = np.asarray(station_depth_m, float)
    t = direction_vectors(azimuth_deg, dip_deg)
    if sd[0] > 0:
        sd, t = np.r_[0.0, sd], np.vstack([t[:1], t])
    steps = _arc_step(t[:-1], t[1:], np.diff(sd))
    pos = np.vstack([np.zeros(3), np.cumsum(steps, axis=0)]) + np.asarray(collar_xyz, float)
    d = np.asarray(depth_m, float)
    k = np.clip(np.searchsorted(sd, d, side="right") - 1, 0, len(sd) - 1)
    out = np.empty((len(d), 3))
    last = k == len(sd) - 1
    out[last] = pos[k[last]] + (d[last] - sd[k[last]])[:, None] * t[k[last]]
    kk = k[~last]
    seg = sd[kk + 1] - sd[kk]
    frac = (d[~last] - sd[kk]) / seg
    tm = _slerp(t[kk], t[kk + 1], frac)
    out[~last] = pos[kk] + _arc_step(t[kk], tm, d[~last] - sd[kk])
    return out


def desurvey(dh: Drillholes, table: pd.DataFrame, *, depth_column: str = "mid_m") -> pd.DataFrame:
    """Add x, y, z (m) to ``table`` (rows with ``hole_id`` and ``depth_column``).

    Holes without surveys are taken as straight using collar columns ``azimuth_deg``/``dip_deg``
    when present; otherwise an InputError names the hole.
    """
    out = table.copy()
    xyz = np.full((len(out), 3), np.nan)
    surveys = {h: g for h, g in dh.surveys.groupby("hole_id", sort=False)}
    collars = dh.collars.set_index("hole_id")
    for hole, idx in out.groupby("hole_id", sort=False).indices.items():
        c = collars.loc[hole]
        sv = surveys.get(hole)
        if sv is None:
            if "azimuth_deg" not in collars.columns:
                raise InputError(f"survey[{hole}]", None, "at least one survey station",
                                 f"add a survey row for hole {hole} (depth 0, azimuth, dip)")
            st = (np.array([0.0]), np.array([c["azimuth_deg"]]), np.array([c["dip_deg"]]))
        else:
            st = (sv["depth_m"].to_numpy(float), sv["azimuth_deg"].to_numpy(float),
                  sv["dip_deg"].to_numpy(float))
        d = out[depth_column].to_numpy(float)[idx]
        xyz[idx] = min_curvature_positions(np.array([c["x"], c["y"], c["z"]]), *st, d)
    out["x"], out["y"], out["z"] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    return out


def _composite_run(fr: np.ndarray, to: np.ndarray, vals: np.ndarray, length_m: float,
                   min_fraction: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    top, bot = fr[0], to[-1]
    edges = np.arange(top, bot, length_m)
    edges = np.r_[edges, bot]
    if len(edges) > 2 and edges[-1] - edges[-2] < min_fraction * length_m:
        edges = np.delete(edges, -2)
    # cumulative integrals of sampled length and of grade*length: piecewise linear in depth
    sampled = np.isfinite(vals)
    seg = (to - fr)[:, None]
    x = np.r_[fr, to]
    o = np.argsort(x, kind="stable")
    xs = x[o]
    idx = np.clip(np.searchsorted(xs, edges, side="right") - 1, 0, len(xs) - 2)
    den = xs[idx + 1] - xs[idx]
    t = np.where(den > 0, (edges - xs[idx]) / np.where(den > 0, den, 1.0), 0.0)[:, None]

    def integral(w: np.ndarray) -> np.ndarray:
        cum_to = np.cumsum(w * seg, axis=0)
        y = np.vstack([cum_to - w * seg, cum_to])[o]
        return y[idx] + t * (y[idx + 1] - y[idx])

    slen = integral(sampled.astype(float))
    smet = integral(np.where(sampled, vals, 0.0))
    dlen = np.diff(slen, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        grade = np.where(dlen > 1e-12, np.diff(smet, axis=0) / dlen, np.nan)
    return edges[:-1], edges[1:], grade, dlen


def composite(dh: Drillholes, *, length_m: float = 2.0, min_fraction: float = 0.5,
              columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Fixed-length composites honouring domains, desurveyed to x, y, z (composite midpoints).

    Returns columns ``hole_id, domain, from_m, to_m, mid_m, length_m, sampled_length_m,
    <grade columns>, x, y, z``.
    """
    if not length_m > 0:
        raise InputError("composite.length_m", length_m, "> 0 m", "e.g. 2 m")
    cols = tuple(columns or dh.grade_columns)
    a = dh.assays
    if a.empty:
        raise InputError("drillholes.assays", "no valid intervals", "at least one assay interval",
                         "every interval was excluded or the assay table is empty: see the "
                         "drillhole findings (strict mode lists them)")
    n_est = float(((a["to_m"] - a["from_m"]).clip(lower=0).sum()) / length_m + len(a))
    if n_est > MAX_COMPOSITES:
        raise InputError("composite.length_m", length_m,
                         f"at most {MAX_COMPOSITES:,} composites ({n_est:,.0f} estimated for "
                         f"{float((a['to_m'] - a['from_m']).sum()):,.0f} m of intervals)",
                         "use a longer composite length")
    run_id = ((a["hole_id"] != a["hole_id"].shift())
              | (a["domain"] != a["domain"].shift())).cumsum().to_numpy()
    fr_all, to_all = a["from_m"].to_numpy(float), a["to_m"].to_numpy(float)
    vals_all = a[list(cols)].to_numpy(float)
    bounds = np.flatnonzero(np.r_[True, np.diff(run_id) != 0, True])
    parts: dict[str, list] = {"row": [], "from_m": [], "to_m": [], "grade": [], "slen": []}
    for s0, s1 in zip(bounds[:-1], bounds[1:], strict=True):
        s, e, grade, slen = _composite_run(fr_all[s0:s1], to_all[s0:s1], vals_all[s0:s1],
                                           length_m, min_fraction)
        parts["row"].append(np.full(len(s), s0))
        parts["from_m"].append(s)
        parts["to_m"].append(e)
        parts["grade"].append(grade)
        parts["slen"].append(slen.max(axis=1))
    row = np.concatenate(parts["row"])
    out = pd.DataFrame({"hole_id": a["hole_id"].to_numpy()[row],
                        "domain": a["domain"].to_numpy()[row],
                        "from_m": np.concatenate(parts["from_m"]),
                        "to_m": np.concatenate(parts["to_m"])})
    out[list(cols)] = np.concatenate(parts["grade"])
    out["sampled_length_m"] = np.concatenate(parts["slen"])
    out = out[out["sampled_length_m"] > 0].reset_index(drop=True)
    out["mid_m"] = 0.5 * (out["from_m"] + out["to_m"])
    out["length_m"] = out["to_m"] - out["from_m"]
    return desurvey(dh, out)


def _cap_percentile(values: np.ndarray, *, percentile: float = 99.0, **_: object) -> float:
    v = values[np.isfinite(values)]
    return float(np.percentile(v, percentile)) if len(v) else np.nan


def _cap_fixed(values: np.ndarray, *, cap: float, **_: object) -> float:
    return float(cap)


TOPCUT_RULES: dict[str, Callable[..., float]] = {
    "percentile": _cap_percentile,
    "fixed": _cap_fixed,
}


def top_cut(comps: pd.DataFrame, columns: dict[str, dict], *, by_domain: bool = True,
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cap grades by a stated rule per column.

    ``columns`` maps column -> ``{"rule": "percentile", "percentile": 99}`` or
    ``{"rule": "fixed", "cap": 4.0}``. Returns (capped composites, table of caps with the rule,
    count capped and the fraction of metal removed, length-weighted).
    """
    out = comps.copy()
    rows = []
    groups = out.groupby("domain").indices if by_domain else {"ALL": np.arange(len(out))}
    for col, spec in columns.items():
        rule = spec.get("rule", "percentile")
        if rule not in TOPCUT_RULES:
            raise InputError(f"top_cut.{col}.rule", rule, ", ".join(TOPCUT_RULES),
                             "set the rule to one of the listed top-cut rules, or omit it for "
                             "'percentile'")
        for dom, idx in groups.items():
            v = out[col].to_numpy(float)[idx]
            cap = TOPCUT_RULES[rule](v, **{k: x for k, x in spec.items() if k != "rule"})
            w = out["length_m"].to_numpy(float)[idx]
            capped = np.minimum(v, cap)
            ok = np.isfinite(v)
            metal = float(np.sum(w[ok] * v[ok]))
            removed = (metal - float(np.sum(w[ok] * capped[ok]))) / metal if metal > 0 else 0.0
            out.loc[out.index[idx], col] = capped
            rows.append({"column": col, "domain": dom, "rule": rule,
                         "parameter": spec.get("percentile", spec.get("cap")), "cap": cap,
                         "n_capped": int(np.sum(v[ok] > cap)), "metal_removed_frac": removed})
    return out, pd.DataFrame(rows)


def cell_declustering_weights(xyz: np.ndarray, cell_m: float | tuple[float, float, float], *,
                              origin: np.ndarray | None = None, n_offsets: int = 1,
                              ) -> np.ndarray:
    """Cell-declustering weights (mean 1): w_i ∝ 1 / n(cell of i) (GSLIB ``declus``), averaged
    over ``n_offsets`` origins shifted diagonally by cell/n_offsets (as ``declus`` does)."""
    xyz = np.asarray(xyz, float)
    cell = np.broadcast_to(np.asarray(cell_m, float), (3,))
    o = xyz.min(axis=0) if origin is None else np.asarray(origin, float)
    w = np.zeros(len(xyz))
    for k in range(max(1, int(n_offsets))):
        ijk = np.floor((xyz - o + k * cell / max(1, n_offsets)) / cell).astype(np.int64)
        _, inv, counts = np.unique(ijk, axis=0, return_inverse=True, return_counts=True)
        wk = 1.0 / counts[inv.ravel()]
        w += wk * len(wk) / wk.sum()
    return w / w.mean()


def declustered_stats(values: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Weighted mean, variance, CV and count of finite values."""
    v, w = np.asarray(values, float), np.asarray(weights, float)
    ok = np.isfinite(v)
    v, w = v[ok], w[ok]
    m = float(np.sum(w * v) / np.sum(w))
    var = float(np.sum(w * (v - m) ** 2) / np.sum(w))
    return {"n": int(len(v)), "mean": m, "variance": var,
            "cv": float(np.sqrt(var) / m) if m else np.nan,
            "naive_mean": float(v.mean())}
