"""Recompute published rare-earth project studies from their disclosed inputs.

Studies and their disclosed figures: ``data/economics/published_studies.yaml`` (from the
reference notes beylikova_market.md §4: Songwe Hill DFS 2022, Monte Muambe scoping 2023,
Phalaborwa PEA 2022, Nolans DFS 2019). What a study does not disclose (tax terms, schedule,
ramp-up, profiles) is entered under ``assumed`` and named in the output, so each difference can be
read against what is missing. The same DCF (:func:`reeflow.economics.dcf.project_cash_flows`) is
used as for a reeflow project, with flat full-rate production from the first operating year.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.economics import dcf
from reeflow.economics._data import read_yaml

__all__ = ["studies", "recompute_study", "validation_table"]


def studies() -> dict[str, dict[str, Any]]:
    """The published-study table {name: record}."""
    return read_yaml("published_studies.yaml")


def _terms(rec: dict[str, Any]) -> tuple[dcf.Schedule, dcf.FiscalTerms]:
    a = rec["assumed"]
    sched = dcf.Schedule(construction_years=int(a["construction_years"]),
                         life_years=int(rec["life_years"]),
                         capex_phasing_frac=tuple(a["capex_phasing_frac"]), ramp_up_frac=(),
                         depreciation_years=10, sustaining_capex_frac_per_a=0.0,
                         working_capital_frac=0.0, closure_cost_frac=0.0)
    fiscal = dcf.FiscalTerms(tax_rate_frac=float(a["tax_rate_frac"]),
                             royalty_rate_frac=float(a["royalty_rate_frac"]),
                             loss_carry_forward_years=10)
    return sched, fiscal


def _flows(rec: dict[str, Any]) -> tuple[float, float]:
    """(revenue, opex) per year at full production from what the study discloses."""
    if "ebitda_usd_per_a" in rec and "revenue_usd_per_a" in rec:
        return rec["revenue_usd_per_a"], rec["revenue_usd_per_a"] - rec["ebitda_usd_per_a"]
    if "ebitda_usd_per_a" in rec:
        return rec["ebitda_usd_per_a"], 0.0
    if "basket_usd_per_kg" in rec:
        kg = rec["product_t_per_a"] * 1e3
        return kg * rec["basket_usd_per_kg"], kg * rec["opex_usd_per_kg"]
    raise InputError("study", rec.get("title"), "revenue/EBITDA/basket disclosed",
                     "this study needs a price solve (see recompute_study)")


def _solve_price_for_irr(rec: dict[str, Any], sched: dcf.Schedule,
                         fiscal: dcf.FiscalTerms) -> float:
    """Price per kg NdPr at which the IRR equals the published IRR (vectorised bracketing)."""
    kg = rec["ndpr_t_per_a"] * 1e3
    opex = kg * rec["opex_usd_per_kg_ndpr"]
    target = rec["published"]["irr_frac"]
    lo, hi = 0.0, 1000.0
    for _ in range(8):
        grid = np.linspace(lo, hi, 33)
        cf = dcf.project_cash_flows(grid * kg, opex, 0.0, rec["capex_usd"] + 0 * grid,
                                    schedule=sched, fiscal=fiscal)["net_cash_flow"]
        vals = dcf.npv(cf, target * np.ones(1))[:, 0]
        k = int(np.argmax(vals >= 0))
        lo, hi = grid[k - 1], grid[k]
    return 0.5 * (lo + hi)


def recompute_study(name: str) -> dict[str, Any]:
    """Recompute NPV, IRR (and payback / sensitivity where disclosed) of study ``name``.

    Returns {title, published, computed, diff, assumed, missing, note}. For Nolans the price
    deck is not disclosed: the NdPr price is solved from the published IRR and the NPV at 10 %
    and the NPV change per US$/kg are then predicted and compared.
    """
    table = studies()
    if name not in table:
        raise InputError("study", name, f"one of {sorted(table)}", "pick a listed study")
    rec = table[name]
    sched, fiscal = _terms(rec)
    pub = rec["published"]
    comp: dict[str, float] = {}
    if "ndpr_t_per_a" in rec:
        price = _solve_price_for_irr(rec, sched, fiscal)
        comp["solved_price_per_kg_ndpr"] = float(price)
        kg = rec["ndpr_t_per_a"] * 1e3
        rev, opex = price * kg, kg * rec["opex_usd_per_kg_ndpr"]
        up = dcf.project_cash_flows(rev + kg, opex, 0.0, rec["capex_usd"], schedule=sched,
                                    fiscal=fiscal)["net_cash_flow"]
        comp["npv_per_unit_price_usd"] = float(dcf.npv(up, pub["npv_frac_rate"]))
    else:
        rev, opex = _flows(rec)
        if opex > 0:  # a margin only where revenue and opex are both disclosed
            comp["ebitda_margin_frac"] = (rev - opex) / rev
    cf = dcf.project_cash_flows(rev, opex, 0.0, rec["capex_usd"], schedule=sched,
                                fiscal=fiscal)["net_cash_flow"]
    comp["npv_usd"] = float(dcf.npv(cf, pub["npv_frac_rate"]))
    comp["irr_frac"] = float(dcf.irr(cf))
    comp["payback_years"] = float(dcf.payback_years(cf, sched.first_production))
    if "npv_per_unit_price_usd" in comp:
        comp["npv_per_unit_price_usd"] -= comp["npv_usd"]
    diff: dict[str, float] = {k: comp[k] - pub[k] for k in ("npv_usd", "irr_frac",
                                                            "payback_years")
                              if k in pub and k in comp}
    diff["npv_rel"] = comp["npv_usd"] / pub["npv_usd"] - 1.0
    return {"title": rec["title"], "currency": rec["currency"], "published": pub,
            "computed": comp, "diff": diff, "assumed": rec["assumed"],
            "missing": rec["missing"], "note": rec.get("assumed_note", ""),
            "source": rec["source"]}


def validation_table() -> pd.DataFrame:
    """One row per study: published vs computed NPV and IRR, relative NPV difference."""
    rows = []
    for name in studies():
        r = recompute_study(name)
        rows.append({"study": name, "currency": r["currency"],
                     "rate": r["published"]["npv_frac_rate"],
                     "npv_published": r["published"]["npv_usd"],
                     "npv_computed": r["computed"]["npv_usd"],
                     "npv_rel_diff": r["diff"]["npv_rel"],
                     "irr_published": r["published"]["irr_frac"],
                     "irr_computed": r["computed"]["irr_frac"],
                     "missing": "; ".join(r["missing"])})
    return pd.DataFrame(rows)
