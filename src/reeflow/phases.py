"""The study's phases: each takes the shared ``state`` dict, calls one room's public API and files
its section of the results (results.json schema). Wiring only — no physics here."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
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


def _solve_plant(p: Project, separation: Any = None, *, treo_frac: float | None = None,
                 overrides: dict[str, float] | None = None) -> FlowsheetSolution:
    feed = ore_feed_from_project(p, treo_frac=treo_frac)
    params = plant_params_from_project(p, separation, overrides=overrides)
    return build_flowsheet(feed, params).solve()


def plant_phase(state: State) -> None:
    """Solve the flowsheet; with ``separation.method: sx`` the SX train replaces the placeholder."""
    p: Project = state["loaded"].project
    ree = tuple(p.ore.ree_distribution)
    over, grade = state.get("overrides"), state.get("treo_frac")  # set by whole-chain draws
    sol = _solve_plant(p, treo_frac=grade, overrides=over)
    separation = None
    if p.plant.separation.method == "sx":
        from reeflow.plant.sx_adapter import design_separation

        separation, train = design_separation(sol.streams["sx_feed"], p)
        state["results"]["sx"] = train
        sol = _solve_plant(p, separation, treo_frac=grade, overrides=over)
    state["separation"] = separation
    groups = {k: list(v) for k, v in p.plant.separation.products.items()}
    summary = summarise_plant(sol, ree, p.plant.operating_hours, groups=groups)
    r = state["results"]
    r["flowsheet"] = _flowsheet_section(sol)
    r["products"] = summary.products
    r["kpis"] = dict(summary.kpis)
    r["reagents_t_per_a"] = summary.reagents_t_per_a
    state["plant_summary"] = summary
    state["solution"] = sol

    def plant_at(treo_frac: float) -> SimpleNamespace:
        other = _solve_plant(p, separation, treo_frac=treo_frac)
        summ = summarise_plant(other, ree, p.plant.operating_hours, groups=groups)
        return SimpleNamespace(solution=other, products=summ.products, kpis=summ.kpis,
                               reagents_t_per_a=summ.reagents_t_per_a)

    state["plant_at"] = plant_at


_REAGENT_NAMES = {"H2C2O4": "oxalic acid"}
_UNPRICED = {"H2O", "O2 (air)"}  # process water and air are not bought


def economic_inputs(state: State, *, treo_frac: float | None = None) -> Any:
    """EconomicInputs from the plant summary, the SX train and the project's economics section."""
    from reeflow.economics import EconomicInputs
    from reeflow.plant.sizing import equipment_sizes

    p: Project = state["loaded"].project
    summary = state["plant_summary"] if treo_frac is None else state["plant_at"](treo_frac)
    sol = state["solution"] if treo_frac is None else summary.solution
    products: dict[str, float] = {}
    purity: dict[str, float] = {}
    for row in summary.products:
        if row["kind"] == "oxide":
            products[row["sale_name"]] = row["t_per_a"]
            purity[row["sale_name"]] = row["purity_frac"]
    products["CaF2 concentrate"] = summary.kpis["fluorite_concentrate_t_per_a"]
    products["BaSO4 concentrate"] = summary.kpis["barite_concentrate_t_per_a"]
    reagents = {_REAGENT_NAMES.get(k, k): v for k, v in summary.reagents_t_per_a.items()
                if k not in _UNPRICED}
    sx = state["results"].get("sx") or {}
    sizes = equipment_sizes(
        sol, work_index_kwh_per_t=p.plant.comminution.work_index, f80_um=p.plant.comminution.f80,
        sx_mixer_settler_m3=float(sx.get("mixer_settler_volume_m3", 0.0)),
        sx_organic_inventory_m3=float(sx.get("organic_inventory_m3", 0.0)),
        bake_temperature_c=p.plant.bake.temperature,
        calcination_temperature_c=p.plant.calcination.temperature)
    residue = sum(r["t_per_a"] for r in summary.products if r["kind"] == "residue")
    capex = _capex_basis(state, sizes)
    return EconomicInputs(
        capex_usd=capex["capex_usd"] if p.economics.capex_basis == "analogue" else None,
        ore_t_per_a=summary.kpis["ore_t_per_a"], products_t_per_a=products,
        product_purity_frac=purity, reagents_t_per_a=reagents,
        reagent_price_overrides_usd_per_t=dict(p.economics.reagent_prices),
        mining_cost_usd_per_t_ore=p.economics.mining_cost,
        power_mwh_per_a=summary.kpis["power_mw"] * p.plant.operating_hours,
        equipment_sizes={k: v for k, v in sizes.items() if v > 0},
        organic_fill_usd_per_m3=p.economics.organic_fill,
        residue_t_per_a=residue, residue_handling_usd_per_t=p.economics.residue_handling)


def _capex_basis(state: State, sizes: dict[str, float]) -> dict[str, Any]:
    """Both capex estimates: the factored one (sized equipment only) and the scaled analogue plus
    a factored separation section (the analogue has no separation plant)."""
    from reeflow.economics import factored_capex
    from reeflow.economics.analogue import analogue_capex

    p: Project = state["loaded"].project
    year = 2025
    fac = factored_capex({k: v for k, v in sizes.items() if v > 0}, currency_year=year,
                         organic_fill_usd_per_m3=p.economics.organic_fill)
    sx_sizes = {k: sizes[k] for k in ("mixer_settler_volume_m3", "organic_inventory_m3")
                if sizes.get(k, 0.0) > 0}
    sx = factored_capex(sx_sizes, currency_year=year,
                        organic_fill_usd_per_m3=p.economics.organic_fill).total_usd if sx_sizes \
        else 0.0
    ana = analogue_capex(p.ore.throughput, name=p.economics.capex_analogue, currency_year=year)
    out = {"basis": p.economics.capex_basis, "factored_usd": fac.total_usd,
           "analogue": ana.to_dict(), "separation_factored_usd": sx,
           "capex_usd": ana.capex_usd + sx if p.economics.capex_basis == "analogue"
           else fac.total_usd,
           "note": ("The factored estimate covers only equipment with a cost reference (no "
                    "flotation, mine infrastructure or tailings storage); the analogue scales a "
                    "published whole-project capex by the six-tenths rule and adds the factored "
                    "separation section.")}
    state["capex_basis"] = out
    return out


def economics_phase(state: State) -> None:
    """Factored capex, opex, DCF, sensitivity and Monte Carlo (economics room)."""
    from reeflow.economics import evaluate
    from reeflow.economics.payload import economics_payload

    p: Project = state["loaded"].project
    result = evaluate(economic_inputs(state), deck=p.economics.price_deck)
    payload = economics_payload(result, mc_draws=p.economics.monte_carlo_draws,
                                seed=p.economics.seed)
    oxide_rev = float(result.revenue.loc[~result.revenue["product"].str.contains("concentrate"),
                                         "usd_per_a"].sum()) if "usd_per_a" in result.revenue else 0.0
    payload["steady_revenue_usd_per_a"] = result.revenue_usd_per_a
    payload["steady_oxide_revenue_usd_per_a"] = oxide_rev
    if p.economics.floor_case_deck:
        floor = evaluate(economic_inputs(state), deck=p.economics.floor_case_deck)
        payload["floor_case"] = {"deck": p.economics.floor_case_deck,
                                 "npv_usd": {f"{r:.4f}": v for r, v in floor.npv_usd.items()},
                                 "irr_frac": floor.irr_frac}
    payload["capex_estimates"] = state["capex_basis"]
    state["results"]["economics"] = payload
    state["economic_result"] = result
    low = state["loaded"].provenance.get("ore.treo_grade")
    if low is not None and low.range is not None:
        at_low = evaluate(economic_inputs(state, treo_frac=float(low.range[0])),
                          deck=p.economics.price_deck)
        rate = 0.08 if 0.08 in at_low.npv_usd else next(iter(at_low.npv_usd))
        state["npv_at_1pct_usd"] = at_low.npv_usd[rate]
        state["npv_rate_label"] = f"NPV{rate * 100:.0f}"


_OXIDE_KEYS = {"La": "la2o3", "Ce": "ceo2", "Pr": "pr6o11", "Nd": "nd2o3", "Sm": "sm2o3",
               "Y": "y2o3"}


def _deck_prices(state: State) -> dict[str, float]:
    """USD/kg oxide by block-model key, from the study's price deck."""
    from reeflow.core.elements import oxide_formula
    from reeflow.economics import load_deck

    p: Project = state["loaded"].project
    deck = load_deck(p.economics.price_deck)
    return {key: deck.price(oxide_formula(el)) for el, key in _OXIDE_KEYS.items()
            if el in p.ore.ree_distribution and deck.has(oxide_formula(el))}


def _ore_cost_usd_per_t(state: State) -> float:
    econ = state.get("economic_result")
    kpis = state["results"]["kpis"]
    return float(econ.opex_usd_per_a / kpis["ore_t_per_a"]) if econ is not None else float("nan")


def deposit_phase(state: State) -> None:
    """SYNTHETIC Beylikova-like drillholes → kriged, classified block model and statement."""
    from reeflow.deposit import beylikova_resource

    p: Project = state["loaded"].project
    if not p.deposit.get("run", True):
        return
    rec = state["results"]["kpis"]["overall_reo_recovery_frac"]
    res = beylikova_resource(seed=int(p.deposit.get("seed", 2025)),
                             prices_usd_per_kg=_deck_prices(state), recovery_frac=rec,
                             cost_usd_per_t_ore=_ore_cost_usd_per_t(state))
    gt = res.grade_tonnage
    state["resource"] = res
    state.setdefault("synthetic_labels", []).append(res.label)
    state["results"]["resource"] = {
        "synthetic": True, "label": res.label, "disclaimer": res.disclaimer,
        "cutoff_frac": res.cutoff_frac, "cutoff_basis": res.cutoff_basis,
        "statement": res.statement.to_dict("records"),
        "grade_tonnage": gt.rename(columns={"class": "class_"}).to_dict("records"),
        "variograms": [{"variable": "treo_frac",
                        **{k: res.variogram_table()[k].tolist()
                           for k in ("lag_m", "gamma", "model_gamma")}}],
        "cross_validation_stats": res.cross_validation_stats,
        "table1": res.table1.to_dict("records"),
    }


def mine_phase(state: State) -> None:
    """Ultimate pit, nested pits, pushbacks and LOM schedule of the (synthetic) block model."""
    from reeflow.mine import plan_mine

    p: Project = state["loaded"].project
    res = state.get("resource")
    if res is None or not p.mine.get("run", True):
        return
    rec = state["results"]["kpis"]["overall_reo_recovery_frac"]
    prices = _deck_prices(state)
    econ = state.get("economic_result")
    plan = plan_mine(res.block_model, prices_usd_per_kg=prices,
                     recoveries_frac={k: rec for k in prices},
                     mining_cost_usd_per_t=float(p.mine.get("mining_cost_usd_per_t_moved",
                                                            p.economics.mining_cost)),
                     processing_cost_usd_per_t=_ore_cost_usd_per_t(state),
                     discount_rate=0.08 if econ is None else float(
                         state["results"]["economics"].get("sensitivity_rate_frac", 0.08)),
                     royalty_frac=float(p.mine.get("royalty_frac", 0.0)), missing="waste",
                     plant_capacity_t_per_a=p.ore.throughput)
    state["results"]["mine"] = {"synthetic": True, **plan.to_dict()}


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
    ("economics", economics_phase),
    ("resource (synthetic drillholes)", deposit_phase),
    ("mine plan", mine_phase),
    ("market scenario", market_phase),
    ("claims check", claims_phase),
    ("assumptions", assumptions_phase),
]
