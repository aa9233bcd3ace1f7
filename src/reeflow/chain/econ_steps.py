"""Chain steps of the economics: the design-basis evaluation (capex by area from the sized plant,
the complete opex, residue storage and closure), then the annual cash flow built from the plant's
yearly solutions.

Wiring only: prices, costs, capex and the DCF are the economics room's
(:func:`reeflow.economics.annual.design_basis`, :func:`evaluate_annual`).
"""

from __future__ import annotations

from typing import Any

from reeflow.chain.plant_steps import PlantDesign, residue_t, sold_products, tailings_t

__all__ = ["economic_inputs", "equipment_sizes", "design_economics"]


def equipment_sizes(project: Any, design: PlantDesign) -> dict[str, float]:
    """Sized equipment of the design-basis plant (plant room), with the SX section's size."""
    from reeflow.plant.sizing import equipment_sizes as sizes

    sx = design.train or {}
    p = project.plant
    out = sizes(design.solution, work_index_kwh_per_t=p.comminution.work_index_kwh_per_t,
                f80_um=p.comminution.f80_um,
                sx_mixer_settler_m3=float(sx.get("mixer_settler_volume_m3", 0.0)),
                sx_organic_inventory_m3=float(sx.get("organic_inventory_m3", 0.0)),
                bake_temperature_c=p.bake.temperature_c,
                calcination_temperature_c=p.calcination.temperature_c)
    return {k: v for k, v in out.items() if v > 0}


def economic_inputs(project: Any, design: PlantDesign, sizes: dict[str, float]) -> Any:
    """The economics room's inputs at the design basis (full production)."""
    from reeflow.economics import EconomicInputs

    s = design.summary
    purity = {str(r["sale_name"]): r["purity_frac"] for r in s.products
              if r["kind"] == "oxide" and r["purity_frac"]}
    e = project.economics
    eng = design.engineering
    k = s.kpis
    hours = project.plant.operating_hours_h_per_a
    ore = k["ore_t_per_a"]
    mill = sum(r.power_kw for u, r in design.solution.results.items()
               if design.solution.kinds[u] == "comminution") * hours / 1000.0
    brine = design.solution.streams.get("separation.effluent")
    return EconomicInputs(
        capex_usd=None, ore_t_per_a=s.kpis["ore_t_per_a"],
        products_t_per_a=sold_products(s), product_purity_frac=purity,
        reagents_t_per_a=dict(s.reagents_t_per_a),
        reagent_price_overrides_usd_per_t=dict(e.reagent_prices),
        mining_cost_usd_per_t_ore=e.mining_cost_usd_per_t,
        power_mwh_per_a=eng.energy.electricity_mwh_per_a,
        fuel_gj_per_a={"natural gas": eng.energy.fuel_gj_per_a},
        water_m3_per_a=eng.water.make_up_t_per_a,  # t of water ≈ m3
        flotation_feed_t_per_a={"ree": ore,
                                "fluorite": ore - k["concentrate_t_per_a"],
                                "barite": ore - k["concentrate_t_per_a"]
                                - k["fluorite_concentrate_t_per_a"]},
        mill_energy_mwh_per_a=mill,
        brine_handling={"crystallise": "evaporation_crystallisation",
                        "discharge": "discharge"}[project.plant.brine.mode],
        brine_m3_per_a=None if brine is None else
        brine.species_kg_per_h("H2O") * hours / 1000.0,
        residue_streams=residue_streams(eng.residues),
        equipment_sizes=sizes, organic_fill_usd_per_m3=e.organic_fill_usd_per_m3,
        residue_t_per_a=residue_t(s), residue_handling_usd_per_t=e.residue_handling_usd_per_t,
        tailings_t_per_a=tailings_t(s),
        operating_hours_per_a=project.plant.operating_hours_h_per_a)


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
    return design_basis(inputs, e, scales=scales, mining_usd_per_t_moved=mining_usd_per_t_moved,
                        life_years=life_years)
