"""Chain steps of the economics: the design-basis evaluation (capex by area from the sized plant,
the complete opex, residue storage and closure), then the annual cash flow built from the plant's
yearly solutions.

Wiring only: prices, costs, capex and the DCF are the economics room's
(:func:`reeflow.economics.annual.design_basis`, :func:`evaluate_annual`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reeflow.chain.cache import CACHE, step_key
from reeflow.chain.plant_steps import (
    PlantDesign,
    bought_reagents,
    residue_t,
    sold_products,
    tailings_t,
)
from reeflow.core.errors import BelowCorrelationError, InfeasibleSpecError, InputError

__all__ = ["economic_inputs", "equipment_sizes", "design_economics", "sx_cost_model", "years_key",
           "ProcessingCosts", "processing_costs"]


def years_key(project: Any, schedule: Any, first_year: int) -> str:
    """The cache key of :func:`~reeflow.chain.plant_steps.solve_years` on ``schedule``: what
    the yearly plant solves read (the ore, the plant and the design those two and
    :func:`sx_cost_model` fix, the schedule's rows, the first year), not the prices."""
    return step_key(project.ore, project.plant, sx_cost_model(project).__dict__,
                    schedule.to_dict("list"), first_year)


def sx_cost_model(project: Any) -> Any:
    """The SX sequence ranking's weights at the study's own prices: HCl and NaOH from the
    economics room's reagent prices (the project's overrides first, in its currency year), the
    organic fill, the plant's operating hours, and the installed cost of a mixer-settler stage
    from the capex estimate's own correlation and installation factors (knots at
    :data:`_STAGE_M3`) — one price per thing in the whole study."""
    from reeflow.economics.opex import reagent_costs
    from reeflow.plant.sx import SXCostModel

    e = project.economics
    year = int(e.currency_year)
    tab = reagent_costs({"HCl": 1.0, "NaOH": 1.0}, currency_year=year,
                        price_overrides_usd_per_t=dict(e.reagent_prices)).set_index("reagent")
    stage_usd = _stage_cost_usd(year)
    return SXCostModel(HCl_usd_per_t=float(tab.loc["HCl", "price_usd_per_t"]),
                       NaOH_usd_per_t=float(tab.loc["NaOH", "price_usd_per_t"]),
                       organic_usd_per_m3=float(e.organic_fill_usd_per_m3),
                       operating_h_per_a=float(project.plant.operating_hours_h_per_a),
                       stage_cost_m3=_STAGE_M3, stage_cost_usd=stage_usd)


@lru_cache(maxsize=8)
def _stage_cost_usd(currency_year: int) -> tuple[float, ...]:
    """Installed cost of one mixer-settler stage at each of :data:`_STAGE_M3` (the economics
    room's correlation and factors, read from its data files: fixed for a currency year)."""
    from reeflow.economics.capex import installed_cost_usd

    return tuple(installed_cost_usd("mixer_settler_volume_m3", v, currency_year=currency_year,
                                    count=1) for v in _STAGE_M3)


#: Stage volumes (m3) at which the ranking's stage-cost curve is tabulated: 0.04-60 m3 is the
#: range of the mixer-settler correlation (Turton et al. 2018, Table A.1), beyond which the
#: capex estimate installs parallel units (as the curve's knots up to 1,000 m3 do)
_STAGE_M3: tuple[float, ...] = (0.04, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0,
                                120.0, 250.0, 500.0, 1000.0)


def equipment_sizes(project: Any, design: PlantDesign) -> dict[str, float]:
    """Sized equipment of the design-basis plant (plant room: ``<area>.<item>`` size keys of the
    economics room's capex by area, with the SX train and the energy balance's fired duties)."""
    from reeflow.plant.sizing import equipment_sizes as sizes

    p = project.plant
    return sizes(design.solution, operating_hours_per_a=p.operating_hours_h_per_a,
                 energy=design.engineering.energy, sx_train=design.train,
                 mill_feed_f80_um=p.comminution.f80_um)


def economic_inputs(project: Any, design: PlantDesign, sizes: dict[str, float]) -> Any:
    """The economics room's inputs at the design basis (full production)."""
    from reeflow.economics import EconomicInputs
    from reeflow.plant.drivers import economic_drivers
    from reeflow.plant.sizing import flotation_circuits
    from reeflow.plant.summary import ree_sales

    s = design.summary
    _, purity, mixed = ree_sales(s.products)
    e = project.economics
    eng = design.engineering
    hours = project.plant.operating_hours_h_per_a
    drv = economic_drivers(design.solution, s.kpis, hours, design.train)
    return EconomicInputs(
        capex_usd=None, ore_t_per_a=s.kpis["ore_t_per_a"],
        products_t_per_a=sold_products(s), product_purity_frac=purity,
        concentrate_reo_distribution=mixed,
        reagents_t_per_a=bought_reagents(s.reagents_t_per_a),
        reagent_price_overrides_usd_per_t=dict(e.reagent_prices),
        mining_cost_usd_per_t_ore=e.mining_cost_usd_per_t,
        power_mwh_per_a=eng.energy.electricity_mwh_per_a,
        fuel_gj_per_a={"natural gas": eng.energy.fuel_gj_per_a},
        water_m3_per_a=eng.water.make_up_t_per_a,  # t of water ≈ m3
        flotation_feed_t_per_a=drv["flotation_feed_t_per_a"],
        mill_energy_mwh_per_a=drv["mill_energy_mwh_per_a"],
        sx_aqueous_m3_per_a=drv["sx_aqueous_m3_per_a"],
        brine_handling={"crystallise": "evaporation_crystallisation",
                        "discharge": "discharge"}[project.plant.brine.mode],
        brine_m3_per_a=drv["brine_m3_per_a"],
        residue_streams=residue_streams(eng.residues),
        equipment_sizes=sizes, organic_fill_usd_per_m3=e.organic_fill_usd_per_m3,
        residue_t_per_a=residue_t(s), residue_handling_usd_per_t=e.residue_handling_usd_per_t,
        tailings_t_per_a=tailings_t(s),
        operating_hours_per_a=project.plant.operating_hours_h_per_a,
        process_route=project.plant.route,
        flotation_circuits=flotation_circuits(design.solution))


def residue_streams(table: Any) -> tuple[Any, ...]:
    """The plant's residue table as the economics room's storage inputs (class by activity)."""
    from reeflow.economics.residue_storage import ResidueStream, default_storage_class

    out = []
    for r in table.rows:
        kind = "tailings" if "tailings" in r.stream else "chemical"
        out.append(ResidueStream(name=r.stream, t_per_a=r.dry_t_per_a,
                                 storage_class=default_storage_class(
                                     kind, r.th232_bq_per_g, table.regulated_from_bq_per_g),
                                 activity_bq_per_g=r.th232_bq_per_g, kind=kind))
    return tuple(out)


def design_economics(project: Any, inputs: Any, life_years: int,
                     mining_usd_per_t_moved: float | None) -> Any:
    """The economics room's design-basis evaluation with the project's price and cost scales."""
    from reeflow.economics.annual import Scales, design_basis

    e = project.economics
    scales = Scales(ndpr=e.price_scale_ndpr_frac, other=e.price_scale_other_frac,
                    byproduct=e.price_scale_byproduct_frac, capex=e.capex_scale_frac,
                    opex=e.opex_scale_frac)
    try:
        return design_basis(inputs, e, scales=scales,
                            mining_usd_per_t_moved=mining_usd_per_t_moved, life_years=life_years)
    except BelowCorrelationError as exc:  # at 1 t/a the ball mill's feed was named (round 29)
        ore = float(project.ore.throughput_t_per_a)
        raise InputError(
            "ore.throughput", f"{ore:,.0f} t/a" if ore >= 10 else f"{ore:.3g} t/a",
            "a plant large enough for the cost "
            f"correlations ({exc.field} = {float(exc.value):.3g}: {exc.allowed})",
            "raise ore.throughput (the equipment scales with it)") from None


@dataclass(frozen=True)
class ProcessingCosts:
    """The plant's opex per tonne of ore as a linear function of the feed's grades (Whittle's
    processing cost per tonne of ore plus a cost per unit of product): ``per_t_ore_usd`` at
    zero grade, ``per_kg_recovered_usd`` per kg of each valued species recovered (REE oxides
    and by-product minerals); ``at_design_usd_per_t``: the design basis's opex per t (mining
    excluded), which the line passes through; ``slopes_usd_per_t``: d(opex per t)/d(grade)
    of the TREO and of each by-product mineral."""

    per_t_ore_usd: float
    per_kg_recovered_usd: dict[str, float]
    at_design_usd_per_t: float
    slopes_usd_per_t: dict[str, float]


#: Relative step of the grade in the finite differences of the opex (downwards, so that the
#: probe feed always fits in the ore; the opex is linear in the grades, so the step's size
#: changes the slope only by the plant solver's tolerance)
_COST_STEP = 0.05


def processing_costs(project: Any, design: PlantDesign, basis: Any,
                     recoveries_frac: dict[str, float], ree_keys: set[str]) -> ProcessingCosts:
    """The design-basis opex per tonne of ore split into a part per tonne and a part per unit
    of each product, from the plant solved at the design feed and at feeds with the TREO grade
    (all REE oxides in proportion) and each valued by-product mineral's grade lowered by
    :data:`_COST_STEP` (the yearly plant solves' and the cash flow's own opex): the block
    valuation then charges a rich block the reagents its REO consumes in cracking, separation
    and precipitation, as the cash flow does, not the design grade's average (a pit fed at
    4 × the design grade was valued at the design grade's cost per tonne). Each slope is
    spread over the species it covers as a cost per kg recovered, so that cost per tonne =
    ``per_t_ore_usd`` + Σ cost_k × recovery_k × grade_k × 1000 reproduces the linear model;
    a species that is not recovered keeps its share in the per-tonne part, and a negative
    slope is not credited (clipped at 0). Raises InfeasibleSpecError when the per-tonne part
    would fall below 0."""
    import numpy as np

    from reeflow.chain.adapters import year_quantities
    from reeflow.chain.mine_steps import flat_schedule
    from reeflow.chain.plant_steps import solve_years
    from reeflow.economics.annual import processing_usd_per_t_ore_of

    cap = float(project.ore.throughput_t_per_a)
    groups: dict[str, list[str]] = {"treo": sorted(ree_keys)}  # every oxide, valued or not
    groups.update({k: [k] for k in sorted(recoveries_frac) if k not in ree_keys})
    sched = flat_schedule(project, np.full(1 + len(groups), cap))
    design_g = {k: float(sched.at[0, f"{k}_frac"]) if f"{k}_frac" in sched else 0.0
                for k in {*recoveries_frac, *ree_keys}}
    probed = []
    for i, (name, keys) in enumerate(groups.items(), start=1):
        cols = [f"{k}_frac" for k in keys if f"{k}_frac" in sched]
        if name == "treo":
            cols.append("head_grade_treo_frac")
        sched.loc[i, cols] = sched.loc[i, cols] * (1.0 - _COST_STEP)
        probed.append((name, keys, sum(design_g.get(k, 0.0) for k in keys)))
    # the probe feeds' plant solves read the ore, the plant and its design only (not the
    # prices a price or opex what-if changes): cached as the chain's yearly solves are
    years = CACHE.get("cost probes", years_key(project, sched, 1),
                      solve_years, project, design, sched, 1)
    cost = processing_usd_per_t_ore_of(basis, year_quantities(years, sched))
    base = float(cost[0])
    per_t, per_kg, slopes = base, {}, {}
    for i, (name, keys, g) in enumerate(probed, start=1):
        slope = max((base - float(cost[i])) / (g * _COST_STEP), 0.0) if g > 0 else 0.0
        slopes[name] = slope
        for k in keys:
            rec = float(recoveries_frac.get(k, 0.0))
            if rec > 0 and design_g.get(k, 0.0) > 0:
                per_kg[k] = slope / (1000.0 * rec)
                per_t -= slope * design_g[k]
    if per_t < 0.0:  # costs growing faster than the grades: the line's intercept below 0
        raise InfeasibleSpecError(
            f"block valuation: the plant's opex per t of ore ({base:,.1f} USD/t at the design "
            f"feed) falls below 0 at zero grade on its slopes ({slopes}): it cannot be split "
            "into a cost per t and a cost per unit of product; check the reagent prices and "
            "consumptions of the project file")
    return ProcessingCosts(per_t_ore_usd=per_t, per_kg_recovered_usd=per_kg,
                           at_design_usd_per_t=base, slopes_usd_per_t=slopes)
