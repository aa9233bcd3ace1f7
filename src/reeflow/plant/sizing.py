"""Equipment sizes from a solved flowsheet, for the factored capital estimate.

Sizes are first-order design quantities: crusher and mill power from Bond's law (Bond 1961), tank
volumes from volumetric flow × residence time, kiln and calciner duty from a sensible-plus-latent
heat balance (NIST water enthalpy of vaporisation) divided by a thermal efficiency, thickener area
from a unit area, filter volume from the cake made per cycle. Parameters and their evidence tags are
in ``reeflow/data/plant/sizing.csv``; SX mixer-settler volume and organic inventory come from the SX
design and are passed in.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

from reeflow.plant.flowsheet import FlowsheetSolution
from reeflow.plant.stream import Stream, phase_index
from reeflow.plant.units.beneficiation import bond_specific_energy_kwh_per_t

__all__ = ["sizing_parameters", "equipment_sizes"]


@lru_cache(maxsize=1)
def sizing_parameters() -> pd.DataFrame:
    """The sizing parameter table (key → value, unit, source, evidence, note)."""
    path = resources.files("reeflow.data").joinpath("plant", "sizing.csv")
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#").set_index("key")


def _p(key: str) -> float:
    return float(sizing_parameters().at[key, "value"])


def _volume_m3_per_h(s: Stream) -> float:
    solids = s.flows_kg_per_h[phase_index("s")].sum() / 1000.0
    liquid = s.flows_kg_per_h[phase_index("aq")].sum() / 1000.0
    return solids / _p("ore_density_t_per_m3") + liquid / _p("liquor_density_t_per_m3")


def _heat_kw(feed: Stream, gas: Stream, t_out_c: float) -> float:
    """Sensible heat to t_out plus latent heat of the water/acid vapour, kW."""
    dt = max(t_out_c - 25.0, 0.0)
    solids = feed.flows_kg_per_h[phase_index("s")].sum()
    liquid = feed.flows_kg_per_h[phase_index("aq")].sum()
    vapour = gas.species_kg_per_h("H2O", "g") + gas.species_kg_per_h("H2SO4", "g")
    kj_per_h = (solids * _p("solids_cp_kj_per_kg_k") + liquid * _p("liquid_cp_kj_per_kg_k")) * dt
    kj_per_h += vapour * _p("water_latent_kj_per_kg")
    return kj_per_h / 3600.0


def _tank_m3(sol: FlowsheetSolution, streams: list[str], residence_h: float) -> float:
    return sum(_volume_m3_per_h(sol.streams[s]) for s in streams if s in sol.streams) * residence_h


def equipment_sizes(sol: FlowsheetSolution, *, work_index_kwh_per_t: float, f80_um: float,
                    sx_mixer_settler_m3: float, sx_organic_inventory_m3: float,
                    bake_temperature_c: float, calcination_temperature_c: float) -> dict[str, float]:
    """Size keys of :data:`reeflow.economics.capex.SIZE_KEYS` from the flowsheet (SI units)."""
    ore_t_per_h = sol.streams["ore"].total_kg_per_h / 1000.0
    crush = bond_specific_energy_kwh_per_t(work_index_kwh_per_t, _p("rom_f80_um"), f80_um)
    mill_kw = sum(r.power_kw for u, r in sol.results.items() if sol.kinds[u] == "comminution")
    kiln = _heat_kw(sol.streams["ree_concentrate"], sol.streams["bake.offgas"], bake_temperature_c)
    calc_feeds = [n for n in sol.streams if n.endswith("_oxalate")]
    calciner = sum(_heat_kw(sol.streams[n], sol.streams[f"calcine_{n[:-len('_oxalate')]}.offgas"],
                            calcination_temperature_c) for n in calc_feeds)
    leach = _tank_m3(sol, ["pregnant_liquor", "leach.residue"], _p("leach_residence_h"))
    process = (_tank_m3(sol, ["pregnant_liquor"], _p("neutralisation_residence_h"))
               + _tank_m3(sol, ["purified_liquor", "filtrate_recycle"], _p("chloride_residence_h"))
               + _tank_m3(sol, [n for n in sol.streams if n.endswith("_solution")],
                          _p("oxalate_residence_h")))
    liquids = ["pregnant_liquor", "purified_liquor", "sx_feed", "mixed_filtrate",
               "chloride_conversion.raffinate"]
    residue_t_per_d = sol.streams["leach.residue"].total_kg_per_h * 24.0 / 1000.0
    cakes_t_per_h = sum(sol.streams[s].total_kg_per_h for s in
                        ("leach.residue", "neutralisation.cake", *calc_feeds)) / 1000.0
    return {
        "ore_t_per_h": ore_t_per_h,
        "crusher_power_kw": crush * ore_t_per_h,
        "mill_power_kw": mill_kw,
        "kiln_duty_kw": kiln / _p("kiln_thermal_efficiency_frac"),
        "calciner_duty_kw": calciner / _p("calciner_thermal_efficiency_frac"),
        "leach_tank_volume_m3": leach,
        "process_tank_volume_m3": process,
        "agitator_power_kw": (leach + process) * _p("agitator_specific_power_kw_per_m3"),
        "pump_flow_m3_per_h": sum(_volume_m3_per_h(sol.streams[s]) for s in liquids
                                  if s in sol.streams),
        "thickener_area_m2": residue_t_per_d * _p("thickener_unit_area_m2_per_t_per_d"),
        "filter_volume_m3": cakes_t_per_h * _p("filter_cycle_h") / _p("cake_density_t_per_m3"),
        "mixer_settler_volume_m3": sx_mixer_settler_m3,
        "organic_inventory_m3": sx_organic_inventory_m3,
    }
