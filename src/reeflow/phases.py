"""The study's phases: each takes the shared ``state`` dict, calls one room's public API and files
its section of the results (results.json schema). Wiring only — no physics here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reeflow.core.projectfile import unit_at
from reeflow.plant.bastnasite import build_flowsheet
from reeflow.plant.config import ore_feed_from_project, plant_params_from_project
from reeflow.plant.flowsheet import FlowsheetSolution
from reeflow.plant.stream import PHASES as STREAM_PHASES
from reeflow.plant.summary import summarise_plant
from reeflow.project import Project

__all__ = ["STUDY_PHASES", "plant_phase", "market_phase", "claims_phase", "assumptions_phase"]

State = dict[str, Any]


def _flowsheet_section(sol: FlowsheetSolution) -> dict[str, Any]:
    streams = []
    for name, s in sol.streams.items():
        src, dst = sol.ends[name]
        species = {sp: {ph: float(v) for ph, v in zip(STREAM_PHASES, s.flows_kg_per_h[:, j], strict=True)
                        if v > 0}
                   for j, sp in enumerate(s.components.species) if s.flows_kg_per_h[:, j].sum() > 0}
        streams.append({"name": name, "source_unit": src, "target_unit": dst,
                        "temperature_c": s.temperature_c, "total_kg_per_h": s.total_kg_per_h,
                        "species_kg_per_h": species})
    ef = sol.element_flows()
    rows = ef.to_dict("records")
    for unit, res in sol.results.items():
        for reagent, s in res.reagents.items():
            for el, kg in s.element_kg_per_h().items():
                if kg > 0:
                    rows.append({"stream": f"reagent:{reagent}→{unit}", "source_unit": None,
                                 "target_unit": unit, "element": el, "kg_per_h": float(kg)})
    units = [{"name": u, "kind": sol.kinds[u], "power_kw": r.power_kw,
              "reagents_kg_per_h": {k: v.total_kg_per_h for k, v in r.reagents.items()},
              "info": {k: v for k, v in r.info.items() if isinstance(v, (int, float, str))}}
             for u, r in sol.results.items()]
    return {"units": units, "streams": streams, "element_flows": rows,
            "balance": sol.balance_table().to_dict("records"), "recycles": sol.recycles,
            "max_rel_closure": float(sol.balance_table().rel_closure.max())}


def _solve_plant(p: Project, separation: Any = None, *, treo_frac: float | None = None
                 ) -> FlowsheetSolution:
    feed = ore_feed_from_project(p, treo_frac=treo_frac)
    return build_flowsheet(feed, plant_params_from_project(p, separation)).solve()


def plant_phase(state: State) -> None:
    """Solve the flowsheet; with ``separation.method: sx`` the SX train replaces the placeholder."""
    p: Project = state["loaded"].project
    ree = tuple(p.ore.ree_distribution)
    sol = _solve_plant(p)
    separation = None
    if p.plant.separation.method == "sx":
        from reeflow.plant.sx_adapter import design_separation

        separation, train = design_separation(sol.streams["sx_feed"], p)
        state["results"]["sx"] = train
        sol = _solve_plant(p, separation)
    state["separation"] = separation
    summary = summarise_plant(sol, ree, p.plant.operating_hours)
    r = state["results"]
    r["flowsheet"] = _flowsheet_section(sol)
    r["products"] = summary.products
    r["kpis"] = dict(summary.kpis)
    r["reagents_t_per_a"] = summary.reagents_t_per_a
    state["plant_summary"] = summary
    state["solution"] = sol


def market_phase(state: State) -> None:
    """The project's oxides added to world supply: shares and HHI per stage, before and after."""
    from reeflow.market import market_scenario

    p: Project = state["loaded"].project
    summary = state["plant_summary"]
    at_home = bool(p.market.get("separation_at_home", True))
    res = market_scenario(summary.kpis["reo_t_per_a"], dict(summary.oxide_t_per_a),
                          separation_at_home=at_home, year=int(p.market.get("year", 2025)))
    state["results"]["market"] = res.to_report()


def _facts(state: State) -> dict[str, Any]:
    p: Project = state["loaded"].project
    k = state["results"].get("kpis", {})
    econ = state["results"].get("economics") or {}
    facts = dict(k)
    facts.update({
        "head_grade_frac": p.ore.treo_grade,
        "ree_distribution": dict(p.ore.ree_distribution),
        "barite_t_per_a": k.get("barite_concentrate_t_per_a"),
        "fluorite_t_per_a": k.get("fluorite_concentrate_t_per_a"),
        "revenue_usd_per_a": econ.get("steady_revenue_usd_per_a"),
        "reo_revenue_usd_per_a": econ.get("steady_oxide_revenue_usd_per_a", 0.0),
        "price_deck": (econ.get("price_deck") or {}).get("name"),
        "npv_at_1pct_usd": state.get("npv_at_1pct_usd"),
        "npv_rate_label": state.get("npv_rate_label", ""),
    })
    return facts


def claims_phase(state: State) -> None:
    """Check every public claim: model claims here, market and record claims by the market room."""
    from reeflow.claims import check_model_claim
    from reeflow.market import check_market_claims, load_claims

    facts = _facts(state)
    market_checks = check_market_claims()
    rows = []
    for claim in load_claims():
        base = {"id": claim.id, "claim": claim.claim, "outlet": claim.outlet,
                "date": str(claim.date), "note": claim.note}
        claimed = "; ".join(f"{a.quantity} = {a.value}" for a in claim.asserts)
        if claim.checker == "model":
            base.update(check_model_claim(claim.id, facts))
        elif claim.id in market_checks:
            chk = market_checks[claim.id]
            base.update({"status": chk.status, "claimed": claimed, "model": chk.model_value,
                         "reason": chk.reason, "quantity": claim.asserts[0].quantity})
        else:
            base.update({"status": "unverifiable", "claimed": claimed, "model": None,
                         "quantity": claim.asserts[0].quantity if claim.asserts else "",
                         "reason": f"Not a model quantity (a dated record). Known: {claim.note}"})
        rows.append(base)
    state["results"]["claims"] = rows


def assumptions_phase(state: State) -> None:
    """Every sourced or assumed input, with its unit, evidence tag and range."""
    loaded = state["loaded"]
    rows = []
    flat = _flatten(loaded.project.model_dump())
    for path, pv in sorted(loaded.provenance.items()):
        rows.append({"path": path, "value": flat.get(path), "unit": unit_at(Project, path) or "",
                     "source": pv.source, "evidence": pv.evidence,
                     "range": list(pv.range) if pv.range else None, "note": pv.note})
    state["results"]["assumptions"] = rows


def _flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = tree
    return out


STUDY_PHASES: list[tuple[str, Callable[[State], None]]] = [
    ("plant flowsheet and SX train", plant_phase),
    ("market scenario", market_phase),
    ("claims check", claims_phase),
    ("assumptions", assumptions_phase),
]
