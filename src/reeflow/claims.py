"""Checks of the public Beylikova claims against the model (the 'model' claims of the dataset).

The claims themselves (text, outlet, date, asserted quantities) are data in
``reeflow/data/market/claims.yaml`` (loaded by :func:`reeflow.market.load_claims`). Each check here
is a pure function of the claim and a ``facts`` mapping of model results (plant KPIs, economics,
grades), registered by claim id; it returns the status (consistent / inconsistent / unverifiable),
the claimed and model values and the reason in numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["MODEL_CHECKS", "check_model_claim"]

Check = Callable[[Mapping[str, Any]], dict[str, Any]]


def _row(status: str, claimed: Any, model: Any, reason: str, quantity: str) -> dict[str, Any]:
    return {"status": status, "claimed": claimed, "model": model, "reason": reason,
            "quantity": quantity}


def _c1(f: Mapping[str, Any]) -> dict[str, Any]:
    reo_mt = 690e6 * f["head_grade_frac"] / 1e6
    return _row("inconsistent", "690 Mt of rare earths", f"690 Mt of ore ≈ {reo_mt:.1f} Mt REO",
                f"690–694 Mt is ore tonnage; at {f['head_grade_frac']:.2%} REO it holds "
                f"≈ {reo_mt:.1f} Mt REO (12.5 Mt stated Oct 2025). No JORC/NI 43-101 statement "
                "exists, so it is neither a reserve nor a code-compliant resource.", "ore_t")


def _c2(f: Mapping[str, Any]) -> dict[str, Any]:
    reo_t = 1200.0 * f["head_grade_frac"]
    return _row("inconsistent", "1,200 t/a of rare earths", f"1,200 t/a of ore ≈ {reo_t:.0f} t REO",
                f"The pilot plant treats 1,200 t of ore a year; at {f['head_grade_frac']:.2%} REO "
                f"that contains ≈ {reo_t:.0f} t REO, before losses.", "pilot_ore_t_per_a")


def _c3(f: Mapping[str, Any]) -> dict[str, Any]:
    reo, head, rec = f["reo_t_per_a"], f["head_reo_t_per_a"], f["overall_reo_recovery_frac"]
    ore = f["ore_t_per_a"]
    need_rec = 10_000.0 / head
    need_grade = 10_000.0 / (ore * rec)
    ok = reo >= 9_500.0
    return _row("consistent" if ok else "inconsistent", "10,000 t/a REO from 570 kt/a ore",
                f"{reo:,.0f} t/a REO", (
                    f"570 kt/a at {f['head_grade_frac']:.2%} REO contains {head:,.0f} t REO; the "
                    f"model's ore-to-oxide recovery of {rec:.1%} gives {reo:,.0f} t/a. 10,000 t/a "
                    f"needs {need_rec:.0%} recovery at this grade, or a head grade of "
                    f"{need_grade:.2%} at the modelled recovery (inside the historic 2.78–3.14 % "
                    "cores, above the official 1.8 %)."), "reo_t_per_a")


def _c4(f: Mapping[str, Any]) -> dict[str, Any]:
    npv = f.get("npv_at_1pct_usd")
    if npv is None:
        return _row("unverifiable", "> 1 % REO, commercially viable", None,
                    "economics at 1 % REO were not evaluated in this study", "head_grade_reo_frac")
    status = "consistent" if npv > 0 else "inconsistent"
    return _row(status, "> 1 % REO, commercially viable", f"NPV at 1 % REO: {npv / 1e6:,.0f} MUSD",
                f"At 1.0 % REO the model's NPV ({f.get('npv_rate_label', '')}) is "
                f"{npv / 1e6:,.0f} MUSD with {f.get('price_deck', 'the base')} prices; La+Ce are "
                f"≈ 88 % of the REO and sell near 1–2 USD/kg, so the basket, not the grade alone, "
                "decides viability.", "head_grade_reo_frac")


def _c5(f: Mapping[str, Any]) -> dict[str, Any]:
    dist = f["ree_distribution"]
    la = dist.get("La", 0.0)
    return _row("consistent", "Ce, Pr, Nd present", ", ".join(f"{k} {v:.1%}" for k, v in dist.items()),
                f"Ce, Pr and Nd are present, but the list omits La, {la:.1%} of the REO — the second "
                "largest component.", "elements_present")


def _c11(f: Mapping[str, Any]) -> dict[str, Any]:
    rev = f.get("revenue_usd_per_a")
    if rev is None:
        return _row("unverifiable", 220e6, None, "economics not run", "revenue_usd_per_a")
    ok = abs(rev - 220e6) / 220e6 <= 0.25
    return _row("consistent" if ok else "inconsistent", "≈ 220 MUSD/a", f"{rev / 1e6:,.0f} MUSD/a",
                f"Steady-state revenue of the modelled slate at {f.get('price_deck', 'base')} prices "
                f"is {rev / 1e6:,.0f} MUSD/a ({f.get('reo_revenue_usd_per_a', 0) / 1e6:,.0f} from "
                "oxides, the rest by-products); 220 MUSD/a would need ≈ 22 USD/kg REO or large "
                "by-product credits.", "revenue_usd_per_a")


def _c12(f: Mapping[str, Any]) -> dict[str, Any]:
    bar, flu, th = f["barite_t_per_a"], f["fluorite_t_per_a"], f["th_in_feed_t_per_a"]
    parts = [f"barite {bar:,.0f} t/a (plan 70–72 kt)", f"fluorite {flu:,.0f} t/a (plan 70 kt)",
             f"Th in feed {th:,.0f} t/a (plan 250 t ⇒ {250 / th:.0%} recovery)"]
    ok = 0.8 <= bar / 72_000 <= 1.25 and 0.8 <= flu / 70_000 <= 1.25
    return _row("consistent" if ok else "inconsistent", "72 kt barite, 70 kt fluorite, 250 t Th",
                "; ".join(parts),
                "By-product tonnages depend on the CaF2/BaSO4 head grades (one MTA sector: 40 % / "
                "29 %) and on flotation recoveries with no public test work (assumed 50 %). The plan's "
                "tonnages are 12.3 % and 12.6 % of the ore mass; 250 t Th is a quarter of the Th fed.",
                "barite_t_per_a")


#: Registry of model-side checks by claim id.
MODEL_CHECKS: dict[str, Check] = {"C1": _c1, "C2": _c2, "C3": _c3, "C4": _c4, "C5": _c5,
                                  "C11": _c11, "C12": _c12}


def check_model_claim(claim_id: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    """Run the registered model check of a claim; unknown ids are 'unverifiable'."""
    check = MODEL_CHECKS.get(claim_id)
    if check is None:
        return _row("unverifiable", None, None, "no model check registered", "")
    return check(facts)
