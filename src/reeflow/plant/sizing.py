"""Equipment sizes of a solved flowsheet, under the size keys of the economics room's capex by
area (``"<area>.<item>"``, SI units in the item name; ``"<key>_count"`` = identical parallel
units; :func:`reeflow.economics.capex.size_keys` lists them).

Sizing rules (first-order design quantities; parameters with source and evidence in
``reeflow/data/plant/sizing.csv``):

- Crushers: rated on the annual ore over the crushing plant's own operating hours (a stockpile
  decouples it from the mill); a secondary (cone) stage when ROM F80 / mill-feed F80 exceeds
  one jaw crusher's reduction ratio. Mill: rated on the plant's ore rate (t/h). Cyclone-feed
  pumps on the pulp of (1 + circulating load) × feed.
- Flotation cells: V = Q_pulp · t / (1 − ε_air) for rougher-scavenger (on the circuit's feed
  pulp) and every cleaner stage (on the cleaner feed pulp), the residence-time relation
  τ = V/Q (Levenspiel 1999, *Chemical Reaction Engineering* 3rd ed., ch. 5; applied to flotation
  banks as in the processconvert.com guide "Flotation cell capacity explained") with the cell
  volume taken by air removed; cells of ``flotation_cell_m3`` (at least one per stage).
- Agitated tanks: V = Q · τ on the slurry entering the unit (same relation), split over
  ``tanks_in_series``; agitators at a specific power (kW/m³).
- Thickeners: unit area (m² per t/d of solids) × solids rate (Coe & Clevenger's unit-area basis,
  as settling tests report it); filters: cake volume per cycle (t/h × cycle / bulk density).
- Acid-bake kiln and oxalate calciners: burner heat input (the fuel of the plant's energy balance,
  :mod:`reeflow.plant.energy`: enthalpy duty / available heat); the cost correlations are by heat
  input. Off-gas scrubber: the actual volumetric flow of the kiln off-gas at its temperature,
  V = n R T / P (ideal gas); ID fan on the stack gas at the scrubber outlet temperature.
- Mixer-settlers: the SX train's design (volume, stages, organic inventory: :mod:`reeflow.plant.sx`);
  the sulphate-to-chloride transfer (D2EHPA load / HCl strip) sized the same way as a cut:
  τ_stage × Σ_stages (Q_aq + Q_org), organic flow = REE load / loaded-organic concentration
  (``data/sx/extractants.yaml``), the SX room's mixer and settler residence times. SX tank farm:
  a hold-up time on every aqueous stream in and out of the train plus organic tanks as a share of
  the in-stage inventory (added to the organic first fill).
- Brine: evaporator area A = Q_latent / (U ΔT) on the water evaporated; crystalliser on the salt
  made (t/d), the units of the Towler and Seider correlations.

Utilities (boilers, cooling towers, water treatment) are not sized: the factored estimate carries
them in its offsites (OSBL) factor (Towler & Sinnott 2012, Table 6.4), so sizing them here would
count them twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from reeflow.core.data import read_csv
from reeflow.plant.chemistry import ree_of
from reeflow.plant.flowsheet import FlowsheetSolution
from reeflow.plant.stream import Stream, phase_index

if TYPE_CHECKING:
    from reeflow.plant.energy import EnergyBalance

__all__ = ["SizedItem", "sizing_parameters", "size_plant", "equipment_sizes", "sizing_table",
           "unit_tank_volume_m3", "conversion_circuit", "gas_volume_m3_per_h", "TANK_RESIDENCE",
           "flotation_circuits"]

#: Residence-time parameter of each agitated-tank unit kind.
TANK_RESIDENCE = {"leach": "leach_residence_h", "neutralisation": "neutralisation_residence_h",
                  "cerium_rejection": "cerium_rejection_residence_h",
                  "oxalate": "precipitation_residence_h",
                  "carbonate_precipitation": "precipitation_residence_h",
                  "effluent_neutralisation": "effluent_residence_h",
                  "offgas_scrubber": "scrubber_liquor_residence_h"}
#: Capex area of each unit kind (the economics room's ``capex_areas.yaml``).
_AREA = {"leach": "leach", "neutralisation": "purification", "cerium_rejection": "purification",
         "oxalate": "precipitation", "carbonate_precipitation": "precipitation",
         "effluent_neutralisation": "effluent", "offgas_scrubber": "bake"}


@dataclass(frozen=True)
class SizedItem:
    """One sized equipment item: size key, size (SI unit of the key), parallel units and the
    rule with the numbers it used."""

    key: str
    size: float
    count: int
    basis: str


@lru_cache(maxsize=1)
def sizing_parameters() -> pd.DataFrame:
    """The sizing parameter table (key → value, unit, source, evidence, note)."""
    return read_csv("plant", "sizing.csv").set_index("key")


@lru_cache(maxsize=1)
def _values() -> dict[str, float]:
    """The table's values by key (a dict: sizing reads them ~300 times per plant solve)."""
    return {str(k): float(v) for k, v in sizing_parameters()["value"].items()}


def _p(key: str) -> float:
    try:
        return _values()[key]
    except KeyError:
        raise KeyError(f"sizing parameter {key!r} not in reeflow/data/plant/sizing.csv") from None


# -- flows -------------------------------------------------------------------------------------
def _slurry_m3_per_h(s: Stream) -> float:
    """Volume flow of the solids and liquid of a stream (gas excluded), m³/h."""
    solids = s.flows_kg_per_h[phase_index("s")].sum() / 1000.0
    liquid = s.flows_kg_per_h[phase_index("aq")].sum() / 1000.0
    return solids / _p("ore_density_t_per_m3") + liquid / _p("liquor_density_t_per_m3")


def _pulp_m3_per_h(solids_t_per_h: float, solids_frac: float) -> float:
    """Volume of a pulp of dry solids at a solids mass fraction, m³/h."""
    water = solids_t_per_h * (1.0 - solids_frac) / solids_frac
    return solids_t_per_h / _p("ore_density_t_per_m3") + water / _p("water_density_t_per_m3")


def _solids_t_per_h(s: Stream | None) -> float:
    return 0.0 if s is None else float(s.flows_kg_per_h[phase_index("s")].sum()) / 1000.0


def gas_volume_m3_per_h(s: Stream) -> float:
    """Actual volume flow of the gas phase at the stream's temperature: V = n R T / P."""
    kmol = float((s.flows_kg_per_h[phase_index("g")] / s.components.molar_mass_g_per_mol).sum())
    return kmol * _p("gas_constant_kj_per_kmol_k") * (s.temperature_c + 273.15) \
        / _p("standard_pressure_kpa")


def _units_of(sol: FlowsheetSolution, kinds: Iterable[str]) -> list[str]:
    ks = set(kinds)
    return [u for u, k in sol.kinds.items() if k in ks]


def unit_tank_volume_m3(sol: FlowsheetSolution, unit: str) -> float:
    """Working volume of the agitated tanks of one unit: V = Q_in · τ (m³), τ by unit kind
    (:data:`TANK_RESIDENCE`); 0 for a unit that is not a tank."""
    key = TANK_RESIDENCE.get(sol.kinds[unit])
    if key is None:
        return 0.0
    return sum(_slurry_m3_per_h(s) for s in sol.inflows(unit)) * _p(key)


def _tanks(area: str, volume_m3: float, basis: str) -> list[SizedItem]:
    """Tanks of an area (split over tanks in series, none under 10 m³ if avoidable) and their
    agitators."""
    if volume_m3 <= 0:
        return []
    n = max(1, min(int(_p("tanks_in_series")), int(volume_m3 // 10.0)))
    kw = volume_m3 * _p("agitator_specific_power_kw_per_m3")
    return [SizedItem(f"{area}.tank_volume_m3", volume_m3, n, basis),
            SizedItem(f"{area}.agitator_power_kw", kw, n,
                      f"{volume_m3:.1f} m3 x {_p('agitator_specific_power_kw_per_m3')} kW/m3")]


def _cake_items(area: str, solids_t_per_h: float, *, thickener: bool,
                unit_area_key: str = "thickener_unit_area_m2_per_t_per_d") -> list[SizedItem]:
    if solids_t_per_h <= 0:
        return []
    out = [SizedItem(f"{area}.filter_volume_m3",
                     solids_t_per_h * _p("filter_cycle_h") / _p("cake_density_t_per_m3"), 1,
                     f"{solids_t_per_h:.2f} t/h x {_p('filter_cycle_h')} h cycle / "
                     f"{_p('cake_density_t_per_m3')} t/m3")]
    if thickener:
        out.append(SizedItem(f"{area}.thickener_area_m2", solids_t_per_h * 24.0 * _p(unit_area_key),
                             1, f"{solids_t_per_h * 24:.1f} t/d x {_p(unit_area_key)} m2/(t/d)"))
    return out


def _pumps(area: str, m3_per_h: float, what: str) -> list[SizedItem]:
    return [SizedItem(f"{area}.pump_flow_m3_per_h", m3_per_h, 1, what)] if m3_per_h > 0 else []


# -- areas -------------------------------------------------------------------------------------
def _comminution(sol: FlowsheetSolution, hours: float, mill_feed_f80_um: float | None
                 ) -> list[SizedItem]:
    ore = sol.streams.get("ore")
    if ore is None:
        return []
    t_h = _solids_t_per_h(ore)
    crush_h = _p("crusher_utilisation_frac") * 8760.0
    crush = t_h * hours / crush_h
    why = f"{t_h * hours:,.0f} t/a over {crush_h:,.0f} h/a of crushing"
    out = [SizedItem("crushing.crusher_feed_t_per_h", crush, 1, "primary jaw: " + why),
           SizedItem("crushing.ore_t_per_h", crush, 1, "conveyors: " + why)]
    if mill_feed_f80_um and _p("rom_f80_um") / mill_feed_f80_um > _p("primary_reduction_ratio"):
        out.append(SizedItem("crushing.secondary_crusher_feed_t_per_h", crush, 1,
                             f"cone stage: reduction {_p('rom_f80_um') / mill_feed_f80_um:.0f} > "
                             f"{_p('primary_reduction_ratio'):g} of one jaw crusher"))
    cl = _p("grinding_circulating_load_frac")
    out += [SizedItem("grinding.mill_feed_t_per_h", t_h, 1, f"{t_h:.1f} t/h at plant hours"),
            *_pumps("grinding", _pulp_m3_per_h(t_h * (1 + cl), _p("cyclone_feed_solids_frac")),
                    f"cyclone feed: (1 + {cl:g}) x {t_h:.1f} t/h at "
                    f"{_p('cyclone_feed_solids_frac'):.0%} solids")]
    return out


def flotation_circuits(sol: FlowsheetSolution) -> tuple[str, ...]:
    """The flotation circuits the solved plant runs (``ree`` and each by-product circuit the
    project recovers, :func:`reeflow.plant.units.beneficiation.flotation_circuits`); () when the
    flowsheet has no beneficiation unit."""
    res = sol.results.get("beneficiation")
    return tuple(res.info.get("flotation_circuits", ())) if res is not None else ()


def _flotation_streams(sol: FlowsheetSolution) -> dict[str, tuple[float, float]] | None:
    """(feed, concentrate) dry t/h of each flotation circuit the plant runs (REE, then fluorite
    and barite on the tailings of the one before)."""
    feed = sol.streams.get("ground_ore")
    if feed is None or "beneficiation.tailings" not in sol.streams:
        return None
    f = _solids_t_per_h(feed)
    c_ree = _solids_t_per_h(sol.streams.get("ree_concentrate"))
    c_fl = _solids_t_per_h(sol.streams.get("beneficiation.fluorite_concentrate"))
    c_ba = _solids_t_per_h(sol.streams.get("beneficiation.barite_concentrate"))
    every = {"ree": (f, c_ree), "fluorite": (f - c_ree, c_fl),
             "barite": (f - c_ree - c_fl, c_ba)}
    return {c: every[c] for c in flotation_circuits(sol)}


def _flotation(sol: FlowsheetSolution) -> list[SizedItem]:
    circuits = _flotation_streams(sol)
    if not circuits:
        return []
    air, cell = _p("flotation_air_holdup_frac"), _p("flotation_cell_m3")
    out: list[SizedItem] = []
    for c, (feed_t, conc_t) in circuits.items():
        q_feed = _pulp_m3_per_h(feed_t, _p("flotation_rougher_solids_frac"))
        q_clean = _pulp_m3_per_h(conc_t * _p("flotation_cleaner_feed_factor"),
                                 _p("flotation_cleaner_solids_frac"))
        stages = [q_feed * _p(f"{c}_rougher_scavenger_min") / 60.0 / (1.0 - air)]
        stages += [q_clean * _p(f"{c}_cleaner_min") / 60.0 / (1.0 - air)] * int(
            _p(f"{c}_cleaner_stages"))
        cells = sum(max(1, math.ceil(v / cell)) for v in stages)
        area = f"flotation_{c}"
        out.append(SizedItem(f"{area}.cell_volume_m3", sum(stages), cells,
                             f"rougher-scavenger {q_feed:.0f} m3/h x "
                             f"{_p(f'{c}_rougher_scavenger_min'):g} min + "
                             f"{int(_p(f'{c}_cleaner_stages'))} cleaners {q_clean:.1f} m3/h x "
                             f"{_p(f'{c}_cleaner_min'):g} min, / (1 - {air:g} air)"))
        out += _tanks(area, q_feed * _p("flotation_conditioning_min") / 60.0,
                      f"conditioning {q_feed:.0f} m3/h x {_p('flotation_conditioning_min'):g} min")
        out += _cake_items(area, conc_t, thickener=True,
                           unit_area_key="thickener_unit_area_flotation_m2_per_t_per_d")
        pumped = q_feed + _pulp_m3_per_h(conc_t, _p("flotation_rougher_solids_frac"))
        out += _pumps(area, pumped, "feed and concentrate pulps")
    # the final tailings thickener belongs to the last circuit the plant runs
    last = f"flotation_{list(circuits)[-1]}"
    tails = _solids_t_per_h(sol.streams["beneficiation.tailings"])
    ua = _p("thickener_unit_area_flotation_m2_per_t_per_d")
    out.append(SizedItem(f"{last}.thickener_area_m2", tails * 24.0 * ua, 1,
                         f"tailings thickener {tails * 24:,.0f} t/d x {ua:g} m2/(t/d)"))
    return _merge(out)


def _bake(sol: FlowsheetSolution, energy: EnergyBalance | None) -> list[SizedItem]:
    out: list[SizedItem] = []
    if energy is not None:
        kiln = sum(u.fuel_kw for u in energy.units if u.kind == "bake")
        if kiln > 0:
            out.append(SizedItem("bake.kiln_duty_kw", kiln, 1,
                                 "burner heat input = enthalpy duty / available heat "
                                 "(energy balance)"))
    gas = sol.streams.get("bake.offgas")
    if gas is not None and gas.total_kg_per_h > 0:
        out.append(SizedItem("bake.scrubber_gas_m3_per_h", gas_volume_m3_per_h(gas), 1,
                             f"kiln off-gas n R T / P at {gas.temperature_c:.0f} degC"))
    stack = sol.streams.get("offgas_scrubber.stack")
    if stack is not None and stack.total_kg_per_h > 0:
        out.append(SizedItem("bake.blower_air_m3_per_h", gas_volume_m3_per_h(stack), 1,
                             f"ID fan: stack gas n R T / P at {stack.temperature_c:.0f} degC"))
    return out


def _tank_areas(sol: FlowsheetSolution) -> list[SizedItem]:
    """Agitated tanks, thickeners, filters and pumps of leach, purification, precipitation,
    effluent and the scrubber liquor, by the area of each unit's kind."""
    out: list[SizedItem] = []
    by_area: dict[str, list[str]] = {}
    for u in _units_of(sol, _AREA):
        by_area.setdefault(_AREA[sol.kinds[u]], []).append(u)
    for area, units in by_area.items():
        vol = sum(unit_tank_volume_m3(sol, u) for u in units)
        flow = sum(_slurry_m3_per_h(s) for u in units for s in sol.inflows(u))
        out += _tanks(area, vol, f"{flow:.1f} m3/h in x residence of "
                      + ", ".join(sorted({sol.kinds[u] for u in units})))
        solids = sum(_solids_t_per_h(s) for u in units for s in sol.outflows(u))
        out += _cake_items(area, solids, thickener=area in ("leach", "effluent"))
        out += _pumps(area, sum(_slurry_m3_per_h(s) for u in units for s in sol.outflows(u)),
                      "slurries and liquors leaving the area's units")
    return out


def conversion_circuit(sol: FlowsheetSolution) -> dict[str, float] | None:
    """The D2EHPA sulphate-to-chloride transfer sized as an SX circuit: aqueous feed, organic
    and strip flows (m³/h), stages, mixer-settler volume and organic inventory (m³)."""
    if "chloride_conversion" not in sol.results:
        return None
    from reeflow.plant.sx import design_default, extractant

    ins = sol.inflows("chloride_conversion")
    c = ins[0].components
    ree = [c.elements.index(ln) for ln in ree_of(c) if ln in c.elements]
    mol_h = sum(float(c.element_flows_mol(s.flows_kg_per_h)[ree].sum()) for s in ins) * 1000.0
    lo, hi = extractant("D2EHPA")["loaded_organic_mol_per_L"]["range"]
    q_org = mol_h / (0.5 * (float(lo) + float(hi))) / 1000.0
    q_aq = sum(_slurry_m3_per_h(s) for s in ins)
    q_strip = _slurry_m3_per_h(sol.streams["sx_feed"]) if "sx_feed" in sol.streams else 0.0
    n_e, n_s = int(_p("d2ehpa_extraction_stages")), int(_p("d2ehpa_strip_stages"))
    tau_h = (design_default("mixer_residence_min") + design_default("settler_residence_min")) / 60
    inv = tau_h * q_org * (n_e + n_s)
    return {"aqueous_m3_per_h": q_aq, "organic_m3_per_h": q_org, "strip_m3_per_h": q_strip,
            "stages": n_e + n_s,
            "mixer_settler_volume_m3": tau_h * (n_e * (q_aq + q_org) + n_s * (q_org + q_strip)),
            "organic_inventory_m3": inv * (1.0 + _p("sx_organic_tank_frac"))}


def _separation(sol: FlowsheetSolution, sx_train: Mapping[str, Any] | None) -> list[SizedItem]:
    out: list[SizedItem] = []
    cc = conversion_circuit(sol)
    if cc is not None:
        why = (f"D2EHPA: {cc['stages']:.0f} stages x {cc['aqueous_m3_per_h']:.0f} m3/h aqueous, "
               f"{cc['organic_m3_per_h']:.0f} m3/h organic, {cc['strip_m3_per_h']:.1f} m3/h strip")
        out += [SizedItem("chloride_conversion.mixer_settler_volume_m3",
                          cc["mixer_settler_volume_m3"], int(cc["stages"]), why),
                SizedItem("chloride_conversion.organic_inventory_m3", cc["organic_inventory_m3"],
                          1, "in-stage organic x (1 + organic tanks)")]
    if not sx_train or "separation" not in sol.results:
        return out
    frac = _p("sx_organic_tank_frac")
    out += [SizedItem("sx.mixer_settler_volume_m3", float(sx_train["mixer_settler_volume_m3"]),
                      int(sx_train["total_stages"]), "SX train design (plant.sx)"),
            SizedItem("sx.organic_inventory_m3",
                      float(sx_train["organic_inventory_m3"]) * (1.0 + frac), 1,
                      f"SX train in-stage organic x (1 + {frac:g} in tanks)")]
    streams = [s for s in [*sol.inflows("separation"), *sol.outflows("separation")]
               if _slurry_m3_per_h(s) > 0]
    aq = sum(_slurry_m3_per_h(s) for s in streams) * _p("sx_tank_storage_h")
    org = float(sx_train["organic_inventory_m3"]) * frac
    out.append(SizedItem("sx.tank_volume_m3", aq + org, len(streams) + 1,
                         f"{len(streams)} aqueous streams x {_p('sx_tank_storage_h'):g} h + "
                         f"organic tanks {org:.0f} m3"))
    return out


def _finishing(sol: FlowsheetSolution, energy: EnergyBalance | None) -> list[SizedItem]:
    out: list[SizedItem] = []
    if energy is not None:
        calc = [u.fuel_kw for u in energy.units if u.kind == "calcination" and u.fuel_kw > 0]
        if calc:
            out.append(SizedItem("precipitation.calciner_duty_kw", sum(calc), len(calc),
                                 f"{len(calc)} calciners: burner heat input (energy balance)"))
    brine = [u for u in _units_of(sol, ("brine_treatment",))]
    evap = sum(float(sol.results[u].info.get("evaporated_kg_per_h", 0.0)) for u in brine)
    salt = sum(float(sol.results[u].info.get("salt_kg_per_h", 0.0)) for u in brine)
    if evap > 0:
        q_kw = evap / 3600.0 * _p("water_latent_kj_per_kg")
        ua = _p("evaporator_u_kw_per_m2_k") * _p("evaporator_delta_t_k")
        out.append(SizedItem("effluent.evaporator_area_m2", q_kw / ua, 1,
                             f"{evap / 1000:.1f} t/h evaporated: {q_kw:,.0f} kW / ({ua:g} kW/m2)"))
    if salt > 0:
        out.append(SizedItem("effluent.crystallizer_t_per_d", salt * 24.0 / 1000.0, 1,
                             "salt crystallised from the brine"))
    return out


def _merge(items: Iterable[SizedItem]) -> list[SizedItem]:
    """Items with the same key summed (sizes and counts), bases joined."""
    out: dict[str, SizedItem] = {}
    for it in items:
        if it.key in out:
            o = out[it.key]
            it = SizedItem(it.key, o.size + it.size, o.count + it.count, f"{o.basis}; {it.basis}")
        out[it.key] = it
    return list(out.values())


def size_plant(sol: FlowsheetSolution, *, operating_hours_per_a: float,
               energy: EnergyBalance | None = None, sx_train: Mapping[str, Any] | None = None,
               mill_feed_f80_um: float | None = None) -> tuple[SizedItem, ...]:
    """Every sized item of a solved flowsheet (see the module docstring for the rules).

    operating_hours_per_a : the plant's hours (the crushing plant has its own utilisation).
    energy : the plant's energy balance (kiln and calciner heat input); None leaves them out.
    sx_train : the SX train summary (:func:`reeflow.plant.sx_adapter.design_separation`).
    mill_feed_f80_um : crusher product = mill feed F80 (decides a secondary crushing stage).
    """
    items = (_comminution(sol, operating_hours_per_a, mill_feed_f80_um) + _flotation(sol)
             + _bake(sol, energy) + _tank_areas(sol) + _separation(sol, sx_train)
             + _finishing(sol, energy))
    return tuple(it for it in _merge(items) if it.size > 0)


def equipment_sizes(sol: FlowsheetSolution, *, operating_hours_per_a: float,
                    energy: EnergyBalance | None = None,
                    sx_train: Mapping[str, Any] | None = None,
                    mill_feed_f80_um: float | None = None) -> dict[str, float]:
    """Size keys for :func:`reeflow.economics.capex_by_area`: ``{"<area>.<item>": size,
    "<area>.<item>_count": units}`` (a count only where more than one unit)."""
    out: dict[str, float] = {}
    for it in size_plant(sol, operating_hours_per_a=operating_hours_per_a, energy=energy,
                         sx_train=sx_train, mill_feed_f80_um=mill_feed_f80_um):
        out[it.key] = float(it.size)
        if it.count > 1:
            out[f"{it.key}_count"] = float(it.count)
    return out


def sizing_table(items: Iterable[SizedItem]) -> pd.DataFrame:
    """The sized items as a table: key, area, item, size, count, basis."""
    rows = [{"key": it.key, "area": it.key.split(".", 1)[0], "item": it.key.split(".", 1)[1],
             "size": it.size, "count": it.count, "basis": it.basis} for it in items]
    return pd.DataFrame(rows, columns=["key", "area", "item", "size", "count", "basis"])
