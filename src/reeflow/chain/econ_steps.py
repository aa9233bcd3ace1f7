"""Chain steps of the economics: the design-basis cost basis, then the annual cash flow built
from the plant's yearly solutions.

Wiring only: prices, costs, capex and the DCF are the economics room's
(:func:`reeflow.economics.annual.cost_basis`, :func:`annual_economics`, the capex estimators).
The capex basis (the scaled analogue plus the factored SX section, or the factored estimate) is
the project's choice (``economics.capex_basis``); both are reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reeflow.chain.plant_steps import PlantDesign, residue_t, sold_products, tailings_t

__all__ = ["CapexBasis", "economic_inputs", "capex_basis", "breakeven_ndpr_usd_per_kg"]


@dataclass(frozen=True)
class CapexBasis:
    """Both capex estimates and the one the study uses."""

    basis: str
    capex_usd: float
    factored_usd: float
    separation_factored_usd: float
    analogue: dict[str, Any]
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"basis": self.basis, "capex_usd": self.capex_usd,
                "factored_usd": self.factored_usd,
                "separation_factored_usd": self.separation_factored_usd,
                "analogue": self.analogue, "note": self.note}


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


def capex_basis(project: Any, sizes: dict[str, float], currency_year: int) -> CapexBasis:
    """The factored estimate (sized equipment) and the scaled analogue + factored SX section."""
    from reeflow.economics import factored_capex
    from reeflow.economics.analogue import analogue_capex

    e = project.economics
    fac = factored_capex(sizes, currency_year=currency_year,
                         organic_fill_usd_per_m3=e.organic_fill_usd_per_m3)
    sx_sizes = {k: sizes[k] for k in ("mixer_settler_volume_m3", "organic_inventory_m3")
                if sizes.get(k, 0.0) > 0}
    sx = factored_capex(sx_sizes, currency_year=currency_year,
                        organic_fill_usd_per_m3=e.organic_fill_usd_per_m3).total_usd \
        if sx_sizes else 0.0
    ana = analogue_capex(project.ore.throughput_t_per_a, name=e.capex_analogue,
                         currency_year=currency_year)
    use = ana.capex_usd + sx if e.capex_basis == "analogue" else fac.total_usd
    return CapexBasis(
        basis=e.capex_basis, capex_usd=use, factored_usd=fac.total_usd,
        separation_factored_usd=sx, analogue=ana.to_dict(),
        note=("The factored estimate covers only equipment with a cost reference (no flotation, "
              "mine infrastructure or tailings storage); the analogue scales a published "
              "whole-project capex by the six-tenths rule and adds the factored separation "
              "section."))


def economic_inputs(project: Any, design: PlantDesign, capex: CapexBasis,
                    sizes: dict[str, float]) -> Any:
    """The economics room's inputs at the design basis (full production)."""
    from reeflow.economics import EconomicInputs

    s = design.summary
    purity = {str(r["sale_name"]): r["purity_frac"] for r in s.products
              if r["kind"] == "oxide" and r["purity_frac"]}
    e = project.economics
    return EconomicInputs(
        capex_usd=capex.capex_usd, ore_t_per_a=s.kpis["ore_t_per_a"],
        products_t_per_a=sold_products(s), product_purity_frac=purity,
        reagents_t_per_a=dict(s.reagents_t_per_a),
        reagent_price_overrides_usd_per_t=dict(e.reagent_prices),
        mining_cost_usd_per_t_ore=e.mining_cost_usd_per_t,
        power_mwh_per_a=s.kpis["power_mw"] * project.plant.operating_hours_h_per_a,
        equipment_sizes=sizes, organic_fill_usd_per_m3=e.organic_fill_usd_per_m3,
        residue_t_per_a=residue_t(s), residue_handling_usd_per_t=e.residue_handling_usd_per_t,
        tailings_t_per_a=tailings_t(s))


def breakeven_ndpr_usd_per_kg(quantities: Any, basis: Any, rate: float,
                              ndpr_price_usd_per_kg: float) -> float:
    """NdPr oxide price at which the NPV at ``rate`` is zero, other prices fixed (bisection on
    the NdPr-linked revenue of the same annual cash flow; NPV rises with the price)."""
    from reeflow.economics.annual import annual_economics

    def npv(m: float) -> float:
        return annual_economics(quantities, basis, price_scale_ndpr=m).npv_usd[rate]

    lo, hi = 0.0, 1.0
    if npv(lo) >= 0:
        return 0.0
    while npv(hi) < 0:
        hi *= 2.0
        if hi > 1e3:
            return math.nan
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if npv(mid) < 0 else (lo, mid)
    return 0.5 * (lo + hi) * ndpr_price_usd_per_kg
