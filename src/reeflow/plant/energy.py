"""Site energy balance of a solved flowsheet: electricity per unit, heat duty from enthalpies,
fuel for the fired units, and site totals.

- Heat duty of a unit = Σ H(outlets) − Σ H(inlets + reagents) on the formation basis
  (:mod:`reeflow.plant.thermo`): sensible heat, latent heat and every heat of reaction at once.
  Summed over all units it equals the enthalpy change across the site boundary — the closure the
  tests check.
- Fired units (acid-bake kiln, oxalate calciners) burn natural gas (methane): fuel = duty /
  (available-heat fraction × (1 − shell loss)). The available heat is the lower heating value less
  the enthalpy the flue gas carries out at its exit temperature with the stated excess air
  (the "available heat" method, Trinks, Mawhinney, Shannon, Reed & Garvey 2004, *Industrial
  Furnaces*, 6th ed., Wiley, ch. 3); LHV and flue-gas enthalpies come from the same thermo table.
- Other positive duties are met with steam (boiler efficiency); negative duties are heat that must
  be rejected (cooling), reported, never credited.
- Electricity per unit from sized equipment: Bond comminution (the unit's own power), flotation per
  t of feed, agitated tanks (the tank volumes of :mod:`reeflow.plant.sizing` × kW/m³), pumps
  (ρ g Q H / η), filters per t of solids, kiln drive per t fed, fans (Q Δp / η on the off-gas plus
  flue gas), mixer-settlers (SX train and D2EHPA transfer volume × kW/m³),
  evaporator (MVR, kWh per t evaporated), and utilities as a share of process power. Parameters and
  their evidence: ``reeflow/data/plant/energy.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

import pandas as pd
from pydantic import Field

from reeflow.core.data import read_csv
from reeflow.core.projectfile import Q, StrictModel
from reeflow.plant.flowsheet import FlowsheetSolution
from reeflow.plant.stream import Stream, phase_index
from reeflow.plant.thermo import molar_enthalpy_kj_per_mol, stream_enthalpy_kw

__all__ = ["EnergyParams", "UnitEnergy", "EnergyBalance", "energy_balance", "unit_inlet_kg_per_h",
           "available_heat_frac", "energy_parameters"]

_FIRED = ("bake", "calcination")
_TANKS = ("leach", "neutralisation", "oxalate", "effluent_neutralisation", "cerium_rejection",
          "carbonate_precipitation", "offgas_scrubber")


@lru_cache(maxsize=1)
def energy_parameters() -> pd.DataFrame:
    """The energy parameter table (key → value, unit, source, evidence, note)."""
    return read_csv("plant", "energy.csv").set_index("key")


def _p(key: str) -> float:
    return float(energy_parameters().at[key, "value"])


class EnergyParams(StrictModel):
    """Combustion and electricity settings of the energy balance (the rest is in energy.csv)."""

    kiln_flue_exit_c: Q("degC", ge=150.0, le=900.0) = Field(  # type: ignore[valid-type]
        400.0, description="Flue-gas exit temperature of the acid-bake kiln burner. Assumed "
        "(indirect-fired kiln with some recuperation).")
    calciner_flue_exit_c: Q("degC", ge=300.0, le=1200.0) = Field(  # type: ignore[valid-type]
        700.0, description="Flue-gas exit temperature of the calciners. Assumed.")
    excess_air_frac: Q("frac", ge=0.0, le=1.0) = Field(  # type: ignore[valid-type]
        0.15, description="Combustion air over stoichiometry. Assumed (10-20 % is usual for "
        "gas burners).")
    shell_loss_frac: Q("frac", ge=0.0, le=0.4) = Field(  # type: ignore[valid-type]
        0.10, description="Share of the available heat lost through the shell. Assumed.")
    work_index_kwh_per_t: Q("kWh/t", ge=3.0, le=30.0) | None = Field(  # type: ignore[valid-type]
        None, description="Bond work index for crushing ROM ore to the mill feed size (None: "
        "crushing not counted).")
    mill_feed_f80_um: Q("um", ge=1000.0, le=50000.0) = Field(  # type: ignore[valid-type]
        10000.0, description="Crusher product = mill feed F80 (project comminution.f80).")


def available_heat_frac(flue_exit_c: float, excess_air_frac: float,
                        o2_frac_air: float | None = None) -> float:
    """Share of methane's LHV left after the flue gas leaves at ``flue_exit_c`` (fuel and air at
    25 °C): CH4 + 2(1+e)(O2 + 3.76 N2) → CO2 + 2 H2O + 2e O2 + 7.52(1+e) N2."""
    o2 = _p("air_o2_frac") if o2_frac_air is None else o2_frac_air
    n2_per_o2 = (1.0 - o2) / o2
    e = excess_air_frac
    h = molar_enthalpy_kj_per_mol
    lhv = -(h("CO2", "g", 25) + 2 * h("H2O", "g", 25) - h("CH4", "g", 25))
    flue = {"CO2": 1.0, "H2O": 2.0, "O2": 2.0 * e, "N2": 2.0 * (1 + e) * n2_per_o2}
    loss = sum(n * (h(sp, "g", flue_exit_c) - h(sp, "g", 25.0)) for sp, n in flue.items())
    return (lhv - loss) / lhv


@dataclass(frozen=True)
class UnitEnergy:
    """Energy of one unit: electricity, heat duty (+ supplied, − rejected) and fuel, all kW."""

    unit: str
    kind: str
    electricity_kw: float
    heat_duty_kw: float
    fuel_kw: float
    heat_source: str
    electricity_basis: str


@dataclass(frozen=True)
class EnergyBalance:
    """Per-unit energy and site totals (annual figures at the plant's operating hours)."""

    units: tuple[UnitEnergy, ...]
    operating_hours_per_a: float
    ore_t_per_a: float
    reo_t_per_a: float
    utilities_kw: float
    boundary_enthalpy_change_kw: float
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def electricity_kw(self) -> float:
        return sum(u.electricity_kw for u in self.units) + self.utilities_kw

    @property
    def fuel_kw(self) -> float:
        return sum(u.fuel_kw for u in self.units)

    @property
    def heat_duty_kw(self) -> float:
        return sum(u.heat_duty_kw for u in self.units)

    @property
    def electricity_mwh_per_a(self) -> float:
        return self.electricity_kw * self.operating_hours_per_a / 1000.0

    @property
    def fuel_gj_per_a(self) -> float:
        return self.fuel_kw * 3.6e-3 * self.operating_hours_per_a

    @property
    def kwh_per_t_ore(self) -> float:
        return self.electricity_mwh_per_a * 1000.0 / self.ore_t_per_a

    @property
    def gj_per_t_reo(self) -> float:
        """Electricity (at 3.6 GJ/MWh, no generation losses) plus fuel, per t REO."""
        if self.reo_t_per_a <= 0:
            return float("nan")
        return (self.electricity_mwh_per_a * 3.6 + self.fuel_gj_per_a) / self.reo_t_per_a

    def comminution_share_of_electricity(self) -> float:
        comm = sum(u.electricity_kw for u in self.units if u.kind == "comminution")
        return comm / self.electricity_kw if self.electricity_kw > 0 else float("nan")

    def scaled(self, unit_ratio: Mapping[str, float], *, ore_t_per_a: float,
               reo_t_per_a: float) -> EnergyBalance:
        """The balance of the same plant at other throughputs: each unit's electricity, heat
        duty and fuel times the ratio of its inlet mass (``unit_ratio``, see
        :func:`unit_inlet_kg_per_h`); utilities with the ore. A first-order (throughput-
        proportional) scaling of the design-basis balance, exact for a unit whose inlet keeps
        its composition."""
        ore_ratio = ore_t_per_a / self.ore_t_per_a if self.ore_t_per_a > 0 else 0.0
        units = tuple(replace(u, electricity_kw=u.electricity_kw * unit_ratio.get(u.unit, 1.0),
                              heat_duty_kw=u.heat_duty_kw * unit_ratio.get(u.unit, 1.0),
                              fuel_kw=u.fuel_kw * unit_ratio.get(u.unit, 1.0))
                      for u in self.units)
        return replace(self, units=units, ore_t_per_a=ore_t_per_a, reo_t_per_a=reo_t_per_a,
                       utilities_kw=self.utilities_kw * ore_ratio,
                       boundary_enthalpy_change_kw=sum(u.heat_duty_kw for u in units))

    def to_dict(self) -> dict[str, Any]:
        return {"units": [asdict(u) for u in self.units],
                "utilities_kw": self.utilities_kw,
                "electricity_kw": self.electricity_kw, "fuel_kw": self.fuel_kw,
                "electricity_mwh_per_a": self.electricity_mwh_per_a,
                "fuel_gj_per_a": self.fuel_gj_per_a, "kwh_per_t_ore": self.kwh_per_t_ore,
                "gj_per_t_reo": self.gj_per_t_reo,
                "comminution_share_of_electricity": self.comminution_share_of_electricity(),
                "heat_duty_kw": self.heat_duty_kw,
                "boundary_enthalpy_change_kw": self.boundary_enthalpy_change_kw,
                "operating_hours_per_a": self.operating_hours_per_a, "sources": dict(self.sources)}


def unit_inlet_kg_per_h(sol: FlowsheetSolution) -> dict[str, float]:
    """Total mass entering each unit (streams and reagents), kg/h."""
    return {u: float(sum(s.total_kg_per_h for s in sol.inflows(u))) for u in sol.results}


def _volume_m3_per_h(s: Stream) -> float:
    liquid = s.flows_kg_per_h[phase_index("aq")].sum() + s.flows_kg_per_h[phase_index("s")].sum()
    return liquid / 1000.0 / _p("slurry_density_t_per_m3")


def unit_duty_kw(sol: FlowsheetSolution, unit: str) -> float:
    """Σ H(outlets) − Σ H(inlets + reagents) of one unit, kW."""
    return (sum(stream_enthalpy_kw(s) for s in sol.outflows(unit))
            - sum(stream_enthalpy_kw(s) for s in sol.inflows(unit)))


def _electricity(sol: FlowsheetSolution, unit: str, kind: str, p: EnergyParams,
                 sx_mixer_settler_m3: float) -> tuple[float, str]:
    res = sol.results[unit]
    ins = sol.inflows(unit)
    solids_in = sum(s.flows_kg_per_h[phase_index("s")].sum() for s in ins) / 1000.0
    if kind == "comminution":
        kw, basis = res.power_kw, "Bond (mill)"
        if p.work_index_kwh_per_t is not None:
            from reeflow.plant.sizing import sizing_parameters
            from reeflow.plant.units.beneficiation import bond_specific_energy_kwh_per_t
            rom = float(sizing_parameters().at["rom_f80_um", "value"])
            kw += bond_specific_energy_kwh_per_t(p.work_index_kwh_per_t, rom,
                                                 p.mill_feed_f80_um) * solids_in
            basis = "Bond (crusher + mill)"
        return kw, basis
    if kind == "beneficiation":
        return solids_in * _p("flotation_kwh_per_t_feed"), "flotation kWh/t feed"
    if kind == "separation":
        return sx_mixer_settler_m3 * _p("mixer_settler_kw_per_m3"), "mixer-settler kW/m3"
    if kind == "brine_treatment":
        return (float(res.info.get("evaporated_kg_per_h", 0.0)) / 1000.0
                * _p("mvr_kwh_per_t_evaporated"), "MVR kWh/t evaporated")
    if kind == "bake":
        fed = sum(s.total_kg_per_h for s in ins) / 1000.0
        return fed * _p("kiln_drive_kwh_per_t_feed"), "kiln drive kWh/t fed"
    if kind == "chloride_conversion":
        from reeflow.plant.sizing import conversion_circuit

        cc = conversion_circuit(sol)
        vol = 0.0 if cc is None else cc["mixer_settler_volume_m3"]
        return vol * _p("mixer_settler_kw_per_m3"), "D2EHPA mixer-settler volume x kW/m3"
    if kind in _TANKS:
        from reeflow.plant.sizing import sizing_parameters, unit_tank_volume_m3

        kw_m3 = float(sizing_parameters().at["agitator_specific_power_kw_per_m3", "value"])
        return unit_tank_volume_m3(sol, unit) * kw_m3, "sized tank volume x kW/m3"
    return 0.0, ""


def _pumps_filters_fans_kw(sol: FlowsheetSolution, fuel_kw: float, p: EnergyParams) -> float:
    q_m3_s = sum(_volume_m3_per_h(s) for s in sol.streams.values()) / 3600.0
    pumps = (_p("slurry_density_t_per_m3") * 1000.0 * 9.81 * q_m3_s * _p("pump_head_m")
             / _p("pump_efficiency_frac") / 1000.0)
    cake_t_h = sum(s.flows_kg_per_h[phase_index("s")].sum() for n, s in sol.streams.items()
                   if sol.ends[n][1] is None) / 1000.0
    filters = cake_t_h * _p("filter_kwh_per_t_solids")
    gas_kmol_h = sum(float((s.flows_kg_per_h[phase_index("g")]
                            / s.components.molar_mass_g_per_mol).sum())
                     for n, s in sol.streams.items() if sol.ends[n][1] is None)
    h = molar_enthalpy_kj_per_mol
    lhv = -(h("CO2", "g", 25) + 2 * h("H2O", "g", 25) - h("CH4", "g", 25))  # kJ/mol CH4
    o2, e = _p("air_o2_frac"), p.excess_air_frac
    flue_per_ch4 = 3.0 + 2.0 * e + 2.0 * (1.0 + e) * (1.0 - o2) / o2
    flue_kmol_h = fuel_kw / lhv * 3.6 * flue_per_ch4
    q_gas_m3_s = (gas_kmol_h + flue_kmol_h) * 22.414 / 3600.0
    fans = q_gas_m3_s * _p("fan_pressure_kpa") / _p("fan_efficiency_frac")
    return pumps + filters + fans


def energy_balance(sol: FlowsheetSolution, *, operating_hours_per_a: float, reo_t_per_a: float,
                   params: EnergyParams | None = None,
                   sx_mixer_settler_m3: float = 0.0) -> EnergyBalance:
    """Electricity, heat and fuel of every unit of a solved flowsheet, and site totals."""
    p = params or EnergyParams()  # type: ignore[call-arg]
    boiler = _p("steam_boiler_efficiency_frac")
    units: list[UnitEnergy] = []
    for unit in sol.results:
        kind = sol.kinds[unit]
        duty = unit_duty_kw(sol, unit)
        elec, basis = _electricity(sol, unit, kind, p, sx_mixer_settler_m3)
        if kind in _FIRED and duty > 0:
            exit_c = p.kiln_flue_exit_c if kind == "bake" else p.calciner_flue_exit_c
            eff = available_heat_frac(exit_c, p.excess_air_frac) * (1.0 - p.shell_loss_frac)
            fuel, source = duty / eff, "natural gas burner"
        elif kind == "brine_treatment":
            fuel, source = 0.0, "MVR (sensible heat recovered in exchangers)"
        elif duty > 1e-6:
            fuel, source = duty / boiler, "steam"
        else:
            fuel, source = 0.0, "cooling" if duty < -1e-6 else ""
        units.append(UnitEnergy(unit, kind, elec, duty, fuel, source, basis))
    fuel_total = sum(u.fuel_kw for u in units)
    extra = _pumps_filters_fans_kw(sol, fuel_total, p)
    units.append(UnitEnergy("pumps_filters_fans", "auxiliaries", extra, 0.0, 0.0, "",
                            "rho g Q H / eta; filters kWh/t; fans Q dp / eta"))
    process = sum(u.electricity_kw for u in units)
    ore_t_per_a = sol.streams["ore"].total_kg_per_h * operating_hours_per_a / 1000.0
    boundary = _boundary_enthalpy_kw(sol)
    return EnergyBalance(tuple(units), operating_hours_per_a, ore_t_per_a, reo_t_per_a,
                         process * _p("utilities_frac_of_process"), boundary,
                         {"thermo": "reeflow/data/plant/thermo_*.csv",
                          "electricity": "reeflow/data/plant/energy.csv"})


def _boundary_enthalpy_kw(sol: FlowsheetSolution) -> float:
    """H(streams leaving the site) − H(feeds + every reagent), kW."""
    out = sum(stream_enthalpy_kw(s) for n, s in sol.streams.items() if sol.ends[n][1] is None)
    feeds = sum(stream_enthalpy_kw(s) for n, s in sol.streams.items() if sol.ends[n][0] is None)
    reagents = sum(stream_enthalpy_kw(s) for r in sol.results.values() for s in r.reagents.values())
    return out - feeds - reagents
