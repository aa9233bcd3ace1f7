"""Vectorised project model on base annual quantities: the engine behind evaluate, the
sensitivity analysis, break-even search and Monte Carlo.

A :class:`BaseCase` holds full-production annual money flows split by driver (NdPr-linked
revenue, other revenue, variable and fixed opex, local-currency share) plus capex, schedule and
fiscal terms. :func:`run` applies multiplicative scalers (arrays broadcast over draws) and returns
the annual cash flows (draws, T). Drivers (all multipliers, 1 = base):

price_ndpr, price_other (other rare-earth oxides), price_byproduct (fluorspar, barite), grade and
recovery (scalers on rare-earth revenue only), capex, opex, fx (local-currency units per USD
relative to base: fx > 1 makes the local share of opex cheaper in USD).

Multiplicative driver scaling is the usual one-at-a-time/what-if model of project evaluation
(e.g. Rudenno, *The Mining Valuation Handbook*, 4th ed., Wiley 2012, ch. on sensitivity); the
cash flows themselves come from :func:`reeflow.economics.dcf.project_cash_flows`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from reeflow.core.errors import InputError
from reeflow.economics import dcf

__all__ = ["BaseCase", "DRIVERS", "run", "npv_of", "breakeven_ndpr_multiplier"]

DRIVERS = ("price_ndpr", "price_other", "price_byproduct", "grade", "recovery", "capex", "opex", "fx")


@dataclass(frozen=True)
class BaseCase:
    """Full-production annual quantities (USD/a, currency-year dollars) and project terms.

    closure_usd : closure cost paid after the last production year (currency-year USD); None
    uses ``schedule.closure_cost_frac`` x capex. It does not scale with the capex driver.
    """

    revenue_ndpr_usd_per_a: float
    revenue_other_usd_per_a: float
    opex_variable_usd_per_a: float
    opex_fixed_usd_per_a: float
    capex_usd: float
    revenue_byproduct_usd_per_a: float
    schedule: dcf.Schedule = dcf.Schedule()
    fiscal: dcf.FiscalTerms = dcf.FiscalTerms()
    fx_local_share_of_opex: float = 0.0
    ndpr_price_usd_per_kg: float = float("nan")
    opex_mining_usd_per_a: float = 0.0
    closure_usd: float | None = None


def _scalers(scalers: Mapping[str, np.ndarray | float] | None) -> dict[str, np.ndarray]:
    s = dict(scalers or {})
    unknown = set(s) - set(DRIVERS)
    if unknown:
        raise InputError("scalers", sorted(unknown), f"drivers {DRIVERS}", "rename the driver")
    out = {}
    for k in DRIVERS:
        v = np.asarray(s.get(k, 1.0), float)
        if np.any(~np.isfinite(v)) or np.any(v < 0) or (k == "fx" and np.any(v <= 0)):
            raise InputError(f"scalers.{k}", "non-finite or negative values",
                             "finite multipliers >= 0 (fx > 0)", "check the draws")
        out[k] = v
    return out


def run(base: BaseCase, scalers: Mapping[str, np.ndarray | float] | None = None,
        *, basis: str = "real") -> dict[str, np.ndarray]:
    """Annual cash-flow arrays (..., T) for scaled drivers (see module doc)."""
    s = _scalers(scalers)
    rev = (base.revenue_ndpr_usd_per_a * s["price_ndpr"]
           + base.revenue_other_usd_per_a * s["price_other"]) * s["grade"] * s["recovery"] \
        + base.revenue_byproduct_usd_per_a * s["price_byproduct"]
    ls = base.fx_local_share_of_opex
    fx_mult = (1.0 - ls) + ls / s["fx"]
    var = base.opex_variable_usd_per_a * s["opex"] * fx_mult
    fix = base.opex_fixed_usd_per_a * s["opex"] * fx_mult
    mining = base.opex_mining_usd_per_a * s["opex"] * fx_mult
    cap = base.capex_usd * s["capex"]
    shape = np.broadcast_shapes(np.shape(rev), np.shape(var), np.shape(cap))
    return dcf.project_cash_flows(np.broadcast_to(rev, shape), np.broadcast_to(var, shape),
                                  np.broadcast_to(fix, shape), np.broadcast_to(cap, shape),
                                  schedule=base.schedule, fiscal=base.fiscal, basis=basis,
                                  opex_mining_full_usd_per_a=np.broadcast_to(mining, shape),
                                  closure_usd=base.closure_usd)


def npv_of(base: BaseCase, rate: float | np.ndarray,
           scalers: Mapping[str, np.ndarray | float] | None = None, *,
           basis: str = "real") -> np.ndarray:
    """NPV (USD) of the scaled case; ``rate`` may be an array broadcasting with the draws."""
    cf = run(base, scalers, basis=basis)["net_cash_flow"]
    r = np.asarray(rate, float)
    if r.ndim == 0:
        return dcf.npv(cf, float(r))
    if cf.ndim == 1:
        return dcf.npv(cf, r)
    t = np.arange(cf.shape[-1], dtype=float)
    return np.sum(cf * (1.0 + r[..., None]) ** -t, axis=-1)


def breakeven_ndpr_multiplier(base: BaseCase, rate: float, *, hi: float = 100.0,
                              basis: str = "real", rounds: int = 8, n: int = 33) -> float:
    """NdPr price multiplier at which NPV(rate) = 0 (NPV rises with the NdPr price).

    Vectorised bracketing: NPV on ``n`` multipliers per round, the first sign change narrows
    the bracket (``rounds`` times), then linear interpolation inside the final bracket.
    Returns 0.0 when NPV >= 0 even at a zero NdPr price and NaN when not reached at ``hi``.
    """
    if base.revenue_ndpr_usd_per_a <= 0:
        return float("nan")
    lo_m, hi_m = 0.0, float(hi)
    ends = npv_of(base, rate, {"price_ndpr": np.array([lo_m, hi_m])}, basis=basis)
    if ends[0] >= 0:
        return 0.0
    if ends[1] < 0:
        return float("nan")
    for _ in range(rounds):
        grid = np.linspace(lo_m, hi_m, n)
        vals = npv_of(base, rate, {"price_ndpr": grid}, basis=basis)
        k = int(np.argmax(vals >= 0))
        lo_m, hi_m = grid[k - 1], grid[k]
        f_lo, f_hi = vals[k - 1], vals[k]
    return float(lo_m - f_lo * (hi_m - lo_m) / (f_hi - f_lo))
