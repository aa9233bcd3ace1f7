"""Statistics of Monte Carlo outputs: percentiles, probability of loss, value at risk, the
estimate's standard error, convergence, histograms, S-curves and rank correlations.

- Percentiles P10/P50/P90 are the 10th/50th/90th percentiles of the draws (P10 the low case);
  their 95 % confidence intervals are distribution-free, from the order statistics
  (binomial ranks n·p ± 1.96·√(n·p·(1−p)); Conover 1999, *Practical Nonparametric Statistics*,
  3rd ed., Wiley, §3.2).
- Value at risk at 95 % (Jorion 2006, *Value at Risk*, 3rd ed., McGraw-Hill, ch. 5): the loss
  not exceeded with 95 % probability, −P5 of NPV; the expected shortfall (CVaR) is the mean loss
  in the worst 5 % of draws. Both positive when they are losses.
- Standard error of the mean NPV: s/√n (the Monte Carlo estimate's own uncertainty).
- Rank correlations: Spearman's ρ of each drawn input with NPV over the draws (the tornado of
  a Monte Carlo; Saltelli et al. 2008, §1.2.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["summary", "convergence", "histogram", "s_curve", "rank_correlations", "fan"]

_Z95 = 1.959963984540054


def _f(x: Any) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _order_ci(sorted_x: np.ndarray, p: float) -> tuple[float | None, float | None]:
    n = sorted_x.size
    if n < 20:
        return None, None
    half = _Z95 * np.sqrt(n * p * (1 - p))
    lo = int(np.clip(np.floor(n * p - half), 0, n - 1))
    hi = int(np.clip(np.ceil(n * p + half), 0, n - 1))
    return _f(sorted_x[lo]), _f(sorted_x[hi])


def summary(x: np.ndarray, *, loss: bool = False) -> dict[str, Any]:
    """Mean, spread, percentiles with confidence intervals of the finite draws of ``x``; with
    ``loss`` (NPV) also the probability of loss, VaR95 and CVaR95."""
    x = np.asarray(x, float)
    ok = x[np.isfinite(x)]
    n = int(ok.size)
    out: dict[str, Any] = {"n": n, "n_missing": int(x.size - n)}
    if n == 0:
        return out
    s = np.sort(ok)
    pct = np.percentile(s, [5, 10, 50, 90, 95])
    # identical draws have no spread: np.std of 561,409,523 three times is 6e-8 (round-off
    # shown as "s.e. 4.87e-08" in the report)
    sd = (0.0 if s[0] == s[-1] else float(s.std(ddof=1))) if n > 1 else float("nan")
    out.update({"mean": _f(s.mean()), "sd": _f(sd), "min": _f(s[0]), "max": _f(s[-1]),
                "p5": _f(pct[0]), "p10": _f(pct[1]), "p50": _f(pct[2]), "p90": _f(pct[3]),
                "p95": _f(pct[4]), "stderr_mean": _f(sd / np.sqrt(n)) if n > 1 else None})
    for name, p in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        lo, hi = _order_ci(s, p)
        out[f"{name}_ci95"] = [lo, hi]
    if loss:
        tail = s[: max(int(np.ceil(0.05 * n)), 1)]
        out.update({"prob_loss": _f(np.mean(s < 0)), "var95": _f(-pct[0]),
                    "cvar95": _f(-tail.mean())})
    return out


def convergence(x: np.ndarray, *, points: int = 16) -> list[dict[str, Any]]:
    """The running estimate against the number of draws (draw order): mean with its 95 %
    band and P10/P50/P90 at log-spaced sample sizes."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return []
    sizes = np.unique(np.geomspace(min(20, x.size), x.size, points).astype(int))
    rows = []
    for m in sizes:
        part = x[:m]
        sd = part.std(ddof=1) if m > 1 else np.nan
        p10, p50, p90 = np.percentile(part, [10, 50, 90])
        rows.append({"n": int(m), "mean": _f(part.mean()),
                     "mean_lo": _f(part.mean() - _Z95 * sd / np.sqrt(m)),
                     "mean_hi": _f(part.mean() + _Z95 * sd / np.sqrt(m)),
                     "p10": _f(p10), "p50": _f(p50), "p90": _f(p90)})
    return rows


def histogram(x: np.ndarray, *, bins: int = 40) -> dict[str, Any]:
    """Counts over equal bins of the finite draws (edges in the data's unit)."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return {"edges": [], "counts": []}
    lo, hi = float(x.min()), float(x.max())
    if hi <= lo:
        hi = lo + max(abs(lo) * 1e-6, 1e-12)
    counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
    return {"edges": edges.tolist(), "counts": counts.astype(int).tolist()}


def s_curve(x: np.ndarray, *, points: int = 101) -> dict[str, Any]:
    """The empirical cumulative distribution at ``points`` probabilities 0..1."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    p = np.linspace(0.0, 1.0, points)
    if x.size == 0:
        return {"prob": p.tolist(), "value": []}
    return {"prob": p.tolist(), "value": np.quantile(x, p).tolist()}


def _ranks(a: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(a)


def rank_correlations(values: np.ndarray, names: Sequence[str], target: np.ndarray,
                      labels: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Spearman's ρ of each input with ``target`` over the draws where it is finite, largest
    magnitude first (inputs that do not vary are left out)."""
    y = np.asarray(target, float)
    ok = np.isfinite(y)
    rows: list[dict[str, Any]] = []
    if ok.sum() < 3:
        return rows
    ry = _ranks(y[ok])
    for j, name in enumerate(names):
        x = np.asarray(values[ok, j], float)
        if np.ptp(x) <= 0:
            continue
        rho = float(np.corrcoef(_ranks(x), ry)[0, 1])
        rows.append({"input": name, "label": (labels or {}).get(name, name),
                     "spearman": rho if np.isfinite(rho) else None})
    return sorted(rows, key=lambda r: -abs(r["spearman"] or 0.0))


def fan(by_year: np.ndarray) -> list[dict[str, Any]]:
    """P10/P50/P90 of a quantity by production year over the draws that have that year."""
    rows = []
    for t in range(by_year.shape[1]):
        col = by_year[:, t]
        col = col[np.isfinite(col)]
        if col.size == 0:
            continue
        p10, p50, p90 = np.percentile(col, [10, 50, 90])
        rows.append({"production_year": t + 1, "n": int(col.size), "p10": _f(p10),
                     "p50": _f(p50), "p90": _f(p90)})
    return rows
