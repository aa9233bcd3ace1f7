"""Lane's cut-off grade policy (an option beside the break-even cut-off of the block values).

Lane (1964), "Choosing the optimum cut-off grade", Quarterly of the Colorado School of Mines
59(4):811-829; Lane (1988), *The Economic Definition of Ore: Cut-off Grades in Theory and Practice*,
Mining Journal Books, ch. 4-6. Notation (per year; product in kg, material and ore in t):

    capacities  M (t material), H (t ore), K (kg product)     costs  m (USD/t material),
    h (USD/t ore), k (USD/kg product), f (fixed USD/a)         price p (USD/kg), recovery y
    F = δ·V: the opportunity cost of time (δ discount rate, V the NPV of the remaining reserve)

Limiting cut-offs (grade as a mass fraction, product = grade · 1000 kg/t · y per t of ore):

    g_M = h / ((p − k) y')                   mine-limited
    g_H = (h + (f + F)/H) / ((p − k) y')     mill-limited
    g_K = h / ((p − k − (f + F)/K) y')       market-limited        with y' = 1000 y

Balancing cut-offs come from the grade-tonnage curve of what is left: g_MH where ore/material = H/M,
g_HK where product/ore = K/H, g_MK where product/material = K/M. Each pair's effective optimum is
the middle value of its two limiting and one balancing cut-off; the optimum is the middle value of
the three effective optima (Lane 1988, ch. 6). The life-of-mine policy iterates V (Lane 1988,
ch. 7): cut-offs fall as the reserve, and with it F, is depleted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reeflow.core.errors import ConvergenceError, InputError

__all__ = ["LaneEconomics", "lane_cutoff", "lane_policy"]

KG_PER_T = 1000.0


@dataclass(frozen=True)
class LaneEconomics:
    """Prices, costs and capacities of Lane's model (per year; None capacity = unlimited)."""

    price_usd_per_kg: float
    recovery_frac: float
    mining_cost_usd_per_t: float
    processing_cost_usd_per_t: float
    selling_cost_usd_per_kg: float = 0.0
    fixed_cost_usd_per_a: float = 0.0
    mine_capacity_t_per_a: float | None = None
    mill_capacity_t_per_a: float | None = None
    market_capacity_kg_per_a: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.recovery_frac <= 1:
            raise InputError("recovery_frac", self.recovery_frac, "0 < y <= 1", "a fraction")
        if self.price_usd_per_kg <= self.selling_cost_usd_per_kg:
            raise InputError("price_usd_per_kg", self.price_usd_per_kg,
                             "> selling_cost_usd_per_kg", "no cut-off exists without a margin")
        if all(c is None for c in (self.mine_capacity_t_per_a, self.mill_capacity_t_per_a,
                                   self.market_capacity_kg_per_a)):
            raise InputError("capacities", None, "at least one finite capacity",
                             "give the mill capacity (e.g. 570 kt/a)")


def _curve(grade_frac: np.ndarray, tonnes: np.ndarray):
    """Grades sorted descending, and cumulative tonnes and metal above each grade."""
    order = np.argsort(-grade_frac)
    g, t = grade_frac[order], tonnes[order]
    return g, np.cumsum(t), np.cumsum(t * g)


def _balance(g, cum_t, cum_metal, total_t, target, kind: str) -> float:
    """Cut-off at which ore/material (``ore``), product/ore (``grade``) or product/material
    (``metal``) equals ``target``; ratios are monotone in the cut-off."""
    ratio = {"ore": cum_t / total_t, "grade": cum_metal / cum_t, "metal": cum_metal / total_t}[kind]
    # ratio as a function of position along descending grades: ore and metal rise, grade falls
    idx = np.searchsorted(ratio if kind != "grade" else -ratio,
                          target if kind != "grade" else -target)
    return float(g[min(idx, g.size - 1)])


def lane_cutoff(grade_frac: np.ndarray, tonnes: np.ndarray, econ: LaneEconomics, *,
                opportunity_cost_usd_per_a: float = 0.0) -> dict[str, float]:
    """Lane's optimum cut-off (mass fraction) for the remaining material, with its components."""
    g, cum_t, cum_m = _curve(np.asarray(grade_frac, float), np.asarray(tonnes, float))
    total = float(cum_t[-1])
    e = econ
    yk = KG_PER_T * e.recovery_frac
    margin = e.price_usd_per_kg - e.selling_cost_usd_per_kg
    time_cost = e.fixed_cost_usd_per_a + opportunity_cost_usd_per_a
    M, H, K = e.mine_capacity_t_per_a, e.mill_capacity_t_per_a, e.market_capacity_kg_per_a
    lim = {"M": e.processing_cost_usd_per_t / (margin * yk)}
    lim["H"] = ((e.processing_cost_usd_per_t + time_cost / H) / (margin * yk)
                if H else lim["M"])
    lim["K"] = (e.processing_cost_usd_per_t / ((margin - time_cost / K) * yk)
                if K and margin > time_cost / K else (np.inf if K else lim["M"]))
    bal = {}
    if M and H:
        bal["MH"] = _balance(g, cum_t, cum_m, total, H / M, "ore")
    if H and K:
        bal["HK"] = _balance(g, cum_t, cum_m, total, K / (H * yk), "grade")
    if M and K:
        bal["MK"] = _balance(g, cum_t, cum_m, total, K / (M * yk), "metal")
    eff = {}
    for pair in ("MH", "HK", "MK"):
        a, b = lim[pair[0]], lim[pair[1]]
        eff[pair] = float(np.median([a, b, bal[pair]])) if pair in bal else None
    present = [v for v in eff.values() if v is not None]
    if present:
        opt = float(np.median(present)) if len(present) == 3 else max(present)
    else:  # one capacity only: that stage's limiting cut-off
        opt = lim["H"] if H else (lim["K"] if K else lim["M"])
    return {"cutoff_frac": opt, **{f"limit_{k}": v for k, v in lim.items()},
            **{f"balance_{k}": v for k, v in bal.items()}}


def _year(g, t, econ: LaneEconomics, cutoff: float):
    """Material, ore and product of one year at ``cutoff``, limited by the tightest capacity."""
    ore = g >= cutoff
    tot_t, ore_t = float(t.sum()), float(t[ore].sum())
    prod = float((t[ore] * g[ore]).sum()) * KG_PER_T * econ.recovery_frac
    caps = [c / q for c, q in ((econ.mine_capacity_t_per_a, tot_t),
                               (econ.mill_capacity_t_per_a, ore_t),
                               (econ.market_capacity_kg_per_a, prod)) if c and q > 0]
    share = min([1.0, *caps])
    cash = share * (prod * (econ.price_usd_per_kg - econ.selling_cost_usd_per_kg)
                    - ore_t * econ.processing_cost_usd_per_t
                    - tot_t * econ.mining_cost_usd_per_t) - econ.fixed_cost_usd_per_a
    return share, share * tot_t, share * ore_t, share * prod, cash


def lane_policy(grade_frac: np.ndarray, tonnes: np.ndarray, econ: LaneEconomics, *,
                discount_rate: float, max_years: int = 100, tol_frac: float = 1e-6,
                max_iter: int = 50) -> pd.DataFrame:
    """Year-by-year Lane cut-offs over a reserve mined as a uniform mix (no spatial sequence).

    Iterates the NPV V until the cut-offs (which use F = δ·V_t) stop changing; returns per year the
    cut-off, material, ore, product, cash flow and the NPV of what remains at the start of it.
    """
    if not 0 < discount_rate < 1:
        raise InputError("discount_rate", discount_rate, "0 < r < 1", "e.g. 0.08")
    g0, t0 = np.asarray(grade_frac, float), np.asarray(tonnes, float)
    values = None
    for _ in range(max_iter):
        rows, left = [], 1.0
        for year in range(1, max_years + 1):
            if left <= 1e-9:
                break
            v_rem = values[year - 1] if values is not None and year - 1 < len(values) else 0.0
            c = lane_cutoff(g0, t0 * left, econ,
                            opportunity_cost_usd_per_a=discount_rate * max(v_rem, 0.0))
            share, tot, ore, prod, cash = _year(g0, t0 * left, econ, c["cutoff_frac"])
            left *= 1.0 - share
            rows.append({"year": year, "cutoff_frac": c["cutoff_frac"], "material_t": tot,
                         "ore_t": ore, "product_kg": prod, "cash_usd": cash})
        df = pd.DataFrame(rows)
        cash = df["cash_usd"].to_numpy()
        npv_rem = np.array([np.sum(cash[i:] / (1 + discount_rate) ** np.arange(1, cash.size - i + 1))
                            for i in range(cash.size)])
        if values is not None and len(values) == cash.size and np.allclose(
                values, npv_rem, rtol=tol_frac, atol=tol_frac * max(abs(npv_rem[0]), 1.0)):
            df["npv_remaining_usd"] = npv_rem
            return df.set_index("year")
        values = npv_rem
    last = float(values[0]) if values is not None else float("nan")
    raise ConvergenceError(f"lane_policy: NPV did not settle in {max_iter} iterations "
                           f"(last V0 = {last:,.0f} USD)")
