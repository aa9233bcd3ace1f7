"""Monte Carlo on the economics: correlated draws (Gaussian copula), vectorised evaluation,
percentiles, probability of loss and a convergence check; an optional Dask backend for
whole-chain runs.

Gaussian copula (Nelsen, *An Introduction to Copulas*, 2nd ed., Springer 2006, §2.10;
Iman & Conover 1982 for rank-correlated inputs in risk analysis): z ~ N(0, R) by a symmetric
square root of the correlation matrix R (eigen-decomposition, so singular PSD matrices work),
u = Phi(z), x_i = F_i^-1(u_i). A matrix that is not symmetric, has a diagonal other than 1 or
is not positive semi-definite is an InputError naming the smallest eigenvalue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from reeflow.core.errors import InputError
from reeflow.economics._data import read_yaml
from reeflow.economics.model import DRIVERS, BaseCase, npv_of

__all__ = ["Distribution", "correlated_draws", "monte_carlo", "MonteCarloResult",
           "default_distributions", "default_correlation", "run_whole_chain", "BACKENDS"]


def _ppf_uniform(u: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    return p["low"] + u * (p["high"] - p["low"])


def _ppf_triangular(u: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    """Inverse CDF of the triangular distribution (closed form)."""
    lo, mode, hi = p["low"], p["mode"], p["high"]
    w = hi - lo
    c = (mode - lo) / w
    left = lo + np.sqrt(u * w * (mode - lo))
    right = hi - np.sqrt((1.0 - u) * w * (hi - mode))
    return np.where(u < c, left, right)


def _ppf_normal(u: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    return p["mean"] + p["sd"] * special.ndtri(u)


def _ppf_lognormal(u: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    return p["median"] * np.exp(p["sigma"] * special.ndtri(u))


_PPF: dict[str, Callable[[np.ndarray, Mapping[str, float]], np.ndarray]] = {
    "uniform": _ppf_uniform, "triangular": _ppf_triangular, "normal": _ppf_normal,
    "lognormal": _ppf_lognormal,
}
_PARAMS = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
           "normal": ("mean", "sd"), "lognormal": ("median", "sigma")}


@dataclass(frozen=True)
class Distribution:
    """A marginal distribution: ``kind`` in uniform | triangular | normal | lognormal.

    lower_bound : smallest physically possible value (e.g. 0 for a grade or a multiplier);
    a distribution whose support reaches below it is refused (normal is unbounded below).
    """

    kind: str
    params: Mapping[str, float]
    lower_bound: float | None = 0.0
    source: str = ""

    def check(self, name: str) -> None:
        if self.kind not in _PPF:
            raise InputError(f"distributions.{name}.kind", self.kind, f"one of {sorted(_PPF)}",
                             "choose a supported distribution")
        need = _PARAMS[self.kind]
        missing = [k for k in need if k not in self.params]
        if missing:
            raise InputError(f"distributions.{name}.params", dict(self.params),
                             f"keys {need}", f"add {missing}")
        p = self.params
        if self.kind in ("uniform", "triangular") and not (
                p["low"] <= p.get("mode", p["low"]) <= p["high"] and p["low"] < p["high"]):
            raise InputError(f"distributions.{name}.params", dict(p), "low <= mode <= high, "
                             "low < high", "order the parameters")
        if self.kind == "normal" and p["sd"] <= 0 or self.kind == "lognormal" and (
                p["sigma"] <= 0 or p["median"] <= 0):
            raise InputError(f"distributions.{name}.params", dict(p), "positive spread",
                             "give sd/sigma > 0 and median > 0")
        lb = self.lower_bound
        if lb is not None:
            low = {"uniform": p.get("low", -np.inf), "triangular": p.get("low", -np.inf),
                   "normal": -np.inf, "lognormal": 0.0}[self.kind]
            if low < lb:
                raise InputError(f"distributions.{name}", dict(p),
                                 f"a support >= {lb} (draws below it are impossible)",
                                 "use a bounded distribution (triangular/uniform/lognormal) "
                                 "that cannot draw negative values")

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return _PPF[self.kind](u, self.params)


def _corr_root(corr: np.ndarray, names: Sequence[str]) -> np.ndarray:
    R = np.asarray(corr, float)
    k = len(names)
    if R.shape != (k, k):
        raise InputError("correlation", R.shape, f"a {k}x{k} matrix ordered as {list(names)}",
                         "give one row and column per distribution")
    if not np.allclose(R, R.T, atol=1e-12) or not np.allclose(np.diag(R), 1.0, atol=1e-12) \
            or np.any(np.abs(R) > 1 + 1e-12):
        raise InputError("correlation", R.tolist(), "symmetric, unit diagonal, |r| <= 1",
                         "fix the matrix entries")
    w, V = np.linalg.eigh(R)
    if w.min() < -1e-10:
        raise InputError("correlation", f"smallest eigenvalue {w.min():.4g}",
                         "a positive semi-definite matrix (all eigenvalues >= 0)",
                         "the correlations are mutually inconsistent; reduce them or use a "
                         "nearest-PSD repair before passing them")
    return V * np.sqrt(np.clip(w, 0.0, None))


def correlated_draws(distributions: Mapping[str, Distribution], n: int, *, seed: int = 0,
                     correlation: np.ndarray | None = None) -> pd.DataFrame:
    """``n`` correlated draws (DataFrame, one column per distribution, in the given order)."""
    names = list(distributions)
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError("n", n, "an integer >= 1", "give the number of draws")
    for k, d in distributions.items():
        d.check(k)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(names)))
    if correlation is not None:
        z = z @ _corr_root(correlation, names).T
    u = np.clip(special.ndtr(z), 1e-12, 1 - 1e-12)
    return pd.DataFrame({k: distributions[k].ppf(u[:, j]) for j, k in enumerate(names)})


def default_distributions() -> dict[str, Distribution]:
    """Triangular marginals from ``risk_ranges.yaml`` (low, mode, high) for every driver."""
    rr = read_yaml("risk_ranges.yaml")
    out = {}
    for k, v in rr.items():
        lo, mo, hi = float(v["low"]), float(v["mode"]), float(v["high"])
        if hi <= lo:
            continue  # degenerate range (e.g. price_other has 2025 as its highest year)
        mo = min(max(mo, lo), hi)
        out[k] = Distribution("triangular", {"low": lo, "mode": mo, "high": hi},
                              source=str(v["source"]))
    return out


def default_correlation(names: Sequence[str]) -> np.ndarray:
    """Correlation matrix for ``names`` from ``risk_correlations.yaml`` (others independent)."""
    R = np.eye(len(names))
    pos = {n: i for i, n in enumerate(names)}
    items: list[dict[str, Any]] = read_yaml("risk_correlations.yaml")  # type: ignore[assignment]
    for item in items:
        a, b = item["pair"]
        if a in pos and b in pos:
            R[pos[a], pos[b]] = R[pos[b], pos[a]] = float(item["value"])
    return R


@dataclass(frozen=True)
class MonteCarloResult:
    """NPV draws and their summary (USD)."""

    npv_usd: np.ndarray
    draws: pd.DataFrame
    summary: Mapping[str, float]
    convergence: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        return {"summary": dict(self.summary),
                "convergence": self.convergence.to_dict(orient="list")}


def _summary(x: np.ndarray) -> dict[str, float]:
    p10, p50, p90 = np.percentile(x, [10, 50, 90])
    return {"n": int(x.size), "mean_usd": float(x.mean()), "p10_usd": float(p10),
            "p50_usd": float(p50), "p90_usd": float(p90),
            "prob_npv_negative": float(np.mean(x < 0)),
            "stderr_mean_usd": float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else np.nan}


def _convergence(x: np.ndarray, *, rel_tol: float) -> pd.DataFrame:
    sizes = np.unique(np.geomspace(min(100, x.size), x.size, 12).astype(int))
    rows = [{"n": int(m), **{k: v for k, v in _summary(x[:m]).items() if k != "n"}}
            for m in sizes]
    df = pd.DataFrame(rows)
    scale = max(abs(df["p50_usd"].iloc[-1]), df["stderr_mean_usd"].iloc[-1] * np.sqrt(x.size))
    half = df[df["n"] >= x.size // 2]
    df["converged"] = False
    stable = (half["p50_usd"].max() - half["p50_usd"].min()) <= rel_tol * scale
    df.loc[df.index[-1], "converged"] = bool(stable)
    return df


def monte_carlo(base: BaseCase, *, n: int = 10_000, seed: int = 0, rate: float = 0.08,
                distributions: Mapping[str, Distribution] | None = None,
                correlation: np.ndarray | None = None, basis: str = "real",
                rel_tol: float = 0.02) -> MonteCarloResult:
    """Vectorised Monte Carlo of NPV over correlated driver multipliers.

    distributions : {driver or 'discount_rate': Distribution}; default from risk_ranges.yaml.
    correlation : matrix in the order of ``distributions``; default (None) uses
    :func:`default_correlation` (sourced pairs only); pass ``np.eye(k)`` for independence.
    Convergence: the P50 over the last half of the draws (n/2 ... n) must stay within
    ``rel_tol`` of the scale of the NPV distribution; reported in ``convergence``.
    """
    dists = dict(distributions or default_distributions())
    bad = set(dists) - set(DRIVERS) - {"discount_rate"}
    if bad:
        raise InputError("distributions", sorted(bad), f"drivers {DRIVERS} or discount_rate",
                         "rename the variables")
    if correlation is None:
        correlation = default_correlation(list(dists))
    draws = correlated_draws(dists, n, seed=seed, correlation=correlation)
    scal = {k: draws[k].to_numpy() for k in draws if k != "discount_rate"}
    r = draws["discount_rate"].to_numpy() if "discount_rate" in draws else rate
    npvs = np.asarray(npv_of(base, r, scal, basis=basis), float)
    if npvs.ndim == 0:
        npvs = np.full(n, float(npvs))
    return MonteCarloResult(npvs, draws, _summary(npvs), _convergence(npvs, rel_tol=rel_tol))


def _serial(func: Callable[[dict], Any], rows: list[dict], **_: Any) -> list[Any]:
    return [func(r) for r in rows]


def _dask(func: Callable[[dict], Any], rows: list[dict], *, chunk_size: int = 16,
          scheduler: str = "threads", num_workers: int | None = None) -> list[Any]:
    try:
        import dask
    except ImportError:  # pragma: no cover - exercised only without dask
        raise InputError("backend", "dask", "an installed dask (pip install dask)",
                         "install dask or use backend='serial'") from None
    chunks = [rows[i:i + chunk_size] for i in range(0, len(rows), chunk_size)]
    tasks = [dask.delayed(_serial)(func, c) for c in chunks]
    out = dask.compute(*tasks, scheduler=scheduler, num_workers=num_workers)
    return [x for part in out for x in part]


#: Execution backends for whole-chain Monte Carlo (name -> runner). Results are identical for a
#: seed whatever the backend: draws are made up front, and outputs keep the draw order.
BACKENDS: dict[str, Callable[..., list[Any]]] = {"serial": _serial, "dask": _dask}


def run_whole_chain(func: Callable[[dict], Mapping[str, float] | float], draws: pd.DataFrame, *,
                    backend: str = "serial", **backend_options: Any) -> pd.DataFrame:
    """Evaluate ``func(row_dict)`` for every draw (e.g. flowsheet + SX + economics) and return
    a DataFrame in draw order (columns from the returned mapping, or ``value``).

    ``func`` must be a pure function of its row (take any randomness from the row, not from a
    global generator) so that every backend gives identical results for one seed.
    """
    runner = BACKENDS.get(backend)
    if runner is None:
        raise InputError("backend", backend, f"one of {sorted(BACKENDS)}", "pick a backend")
    rows = draws.to_dict(orient="records")
    out = runner(func, rows, **backend_options)
    if out and isinstance(out[0], Mapping):
        return pd.DataFrame(list(out), index=draws.index)
    return pd.DataFrame({"value": out}, index=draws.index)
