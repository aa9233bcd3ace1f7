"""Enthalpies of species and streams on the formation basis, for heat balances of any unit.

The enthalpy of a species in a phase at temperature T is

    H(T) = ΔfH°(298.15 K) + ∫_{298.15}^{T} Cp dT          (kJ/mol)

with ΔfH° and Cp from ``reeflow/data/plant/thermo_*.csv`` (CRC Handbook / NBS tables, NIST-JANAF
Shomate fits of the NIST Chemistry WebBook; each row names its source). Because the reference is the
elements at 298.15 K, the enthalpy of a stream includes every heat of reaction, and a unit's heat
duty is simply ``Σ H(outlets) − Σ H(inlets and reagents)`` (the first law for a steady open system
with no shaft work; Felder & Rousseau 2005, *Elementary Principles of Chemical Processes*, 3rd ed.,
§9.5, the "heat of formation method").

Documented approximations (see the data file notes):

- Aqueous solutes are ions at infinite dilution (NBS convention); heats of dilution at finite
  concentration are neglected, and the sensible heat of an aqueous phase is carried by its water
  (solute heat capacities neglected).
- An ``aq`` phase with less than half water by mass (concentrated acid fed to the bake) takes each
  species' liquid row where one exists (H2SO4(l)), else its aqueous row.
- Solids with no tabulated ΔfH° (REE sulphates, oxalates, hydroxides and carbonates, Th and Ce(IV)
  salts) take the sum of their aqueous ions: heat of dissolution or precipitation neglected. Their
  Cp comes from Neumann–Kopp additivity over oxide components (Leitner et al. 2010).
- Outside a Shomate range the nearest range is extrapolated; phase transitions inside a solid
  (α/β quartz) add no latent heat.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from reeflow.core.data import read_csv
from reeflow.core.errors import InputError
from reeflow.plant.stream import PHASES, Stream

__all__ = [
    "T_REF_K",
    "SpeciesThermo",
    "species_thermo",
    "has_thermo",
    "molar_enthalpy_kj_per_mol",
    "sensible_enthalpy_kj_per_mol",
    "stream_enthalpy_kw",
    "reaction_enthalpy_kj_per_mol",
    "thermo_sources",
]

T_REF_K = 298.15
_CONCENTRATED_WATER_FRAC = 0.5
# REE salt families generated from the aqueous-ion table: formula -> (ions, Neumann-Kopp Cp basis)
_FAMILIES = {
    "{ln}2(SO4)3": ("{ln}+3:2;SO4-2:3", "{ox}:1;MgSO4:3;MgO:-3"),
    "{ln}Cl3": ("{ln}+3:1;Cl-:3", "{ox}:0.5;CaCl2:1.5;CaO:-1.5"),
    "{ln}2(C2O4)3": ("{ln}+3:2;C2O4-2:3", "{ox}:1;CaCO3:6;CaO:-6"),
    "{ln}(OH)3": ("{ln}+3:1;OH-:3", "{ox}:0.5;Ca(OH)2:1.5;CaO:-1.5"),
    "{ln}2(CO3)3": ("{ln}+3:2;CO3-2:3", "{ox}:1;CaCO3:3;CaO:-3"),
}


@dataclass(frozen=True)
class SpeciesThermo:
    """ΔfH° (kJ/mol) and the heat-capacity model of one species in one phase."""

    species: str
    phase: str
    dhf_kj_per_mol: float
    cp_model: str
    shomate: tuple[tuple[float, float, float, float, float, float, float], ...] = ()
    cp_const_j_per_mol_k: float = 0.0
    source: str = ""
    evidence: str = ""

    def sensible_kj_per_mol(self, t_k: float) -> float:
        """∫ Cp dT from 298.15 K to ``t_k`` (kJ/mol)."""
        if self.cp_model == "shomate":
            return _shomate_integral(self.shomate, T_REF_K, t_k)
        if self.cp_model in ("const", "kopp"):
            return self.cp_const_j_per_mol_k * (t_k - T_REF_K) / 1000.0
        return 0.0


def _shomate_h(c: tuple[float, ...], t_k: float) -> float:
    a, b, cc, d, e = c[2:7]
    t = t_k / 1000.0
    return a * t + b * t * t / 2 + cc * t**3 / 3 + d * t**4 / 4 - e / t


def _shomate_integral(ranges: tuple[tuple[float, ...], ...], t0: float, t1: float) -> float:
    """Piecewise integral of a Shomate Cp (kJ/mol); the nearest range is used outside them all."""
    if t1 < t0:
        return -_shomate_integral(ranges, t1, t0)
    total = 0.0
    lo = t0
    for k, r in enumerate(ranges):
        hi_edge = r[1] if k < len(ranges) - 1 else np.inf
        if lo >= hi_edge:
            continue
        hi = min(t1, hi_edge)
        total += _shomate_h(r, hi) - _shomate_h(r, lo)
        lo = hi
        if lo >= t1:
            break
    return total


def _parse_terms(text: str) -> list[tuple[str, float]]:
    out = []
    for part in str(text).split(";"):
        name, coef = part.rsplit(":", 1)
        out.append((name.strip(), float(coef)))
    return out


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    ions = (read_csv("plant", "thermo_ions.csv").set_index("ion")["dhf_kj_per_mol"]
            .astype(float).to_dict())
    return ions, read_csv("plant", "thermo_species.csv"), read_csv("plant", "thermo_shomate.csv")


def _family_row(species: str, phase: str) -> dict[str, str] | None:
    """A generated row for an REE salt (sulphate, chloride, oxalate, hydroxide, carbonate)."""
    ions, table, _ = _tables()
    for pattern, (ion_txt, kopp_txt) in _FAMILIES.items():
        rx = "^" + re.escape(pattern).replace(re.escape("{ln}"), "([A-Z][a-z]?)") + "$"
        m = re.match(rx, species)
        if m and f"{m.group(1)}+3" in ions and phase in ("s", "aq"):
            ln = m.group(1)
            ox = f"{ln}2O3"
            if not ((table.species == ox) & (table.phase == "s")).any():
                ox = "Nd2O3"  # documented stand-in where the sesquioxide Cp is not tabulated
            return {"method": "ions", "ions": ion_txt.format(ln=ln),
                    "cp_model": "kopp" if phase == "s" else "water",
                    "cp_kopp": kopp_txt.format(ox=ox), "source": "CRC ions (generated family row)",
                    "evidence": "derived"}
    return None


@cache
def has_thermo(species: str, phase: str) -> bool:
    """Whether ``species`` in ``phase`` has thermochemical data (tabulated or generated)."""
    _, table, _ = _tables()
    return bool(((table.species == species) & (table.phase == phase)).any()) or \
        _family_row(species, phase) is not None


@cache
def species_thermo(species: str, phase: str) -> SpeciesThermo:
    """Thermochemical data of ``species`` in ``phase`` (``s``, ``l``, ``aq``, ``g``)."""
    ions, table, shomate = _tables()
    rows = table[(table.species == species) & (table.phase == phase)]
    row: Mapping[str, object]
    if len(rows):
        row = rows.iloc[0].to_dict()
    else:
        gen = _family_row(species, phase)
        if gen is None:
            raise InputError(f"thermo.{species}({phase})", species, "a species with thermochemical "
                             "data", "add a row to reeflow/data/plant/thermo_species.csv")
        row = gen
    if row["method"] == "ions":
        dhf = sum(c * ions[i] for i, c in _parse_terms(str(row["ions"])))
    else:
        dhf = float(row["dhf_kj_per_mol"])  # type: ignore[arg-type]
    model = str(row["cp_model"])
    ranges: tuple[tuple[float, ...], ...] = ()
    cp = 0.0
    if model == "shomate":
        sh = shomate[(shomate.species == species) & (shomate.phase == phase)]
        ranges = tuple(tuple(float(v) for v in r) for r in
                       sh[["t_min_k", "t_max_k", "a", "b", "c", "d", "e"]].to_numpy())
    elif model == "const":
        cp = float(row["a"])  # type: ignore[arg-type]
    elif model == "kopp":
        cp = sum(c * _cp298(sp) for sp, c in _parse_terms(str(row["cp_kopp"])))
    return SpeciesThermo(species, phase, dhf, model, ranges, cp,  # type: ignore[arg-type]
                         str(row.get("source", "")), str(row.get("evidence", "")))


def _cp298(species: str) -> float:
    """Cp at 298.15 K (J/mol/K) of a solid, for Neumann–Kopp sums."""
    th = species_thermo(species, "s")
    if th.cp_model == "shomate":
        r = th.shomate[0]
        t = T_REF_K / 1000.0
        return r[2] + r[3] * t + r[4] * t * t + r[5] * t**3 + r[6] / (t * t)
    return th.cp_const_j_per_mol_k


def sensible_enthalpy_kj_per_mol(species: str, phase: str, t_c: float) -> float:
    """H(T) − H(298.15 K) of a species in a phase, kJ/mol."""
    return species_thermo(species, phase).sensible_kj_per_mol(t_c + 273.15)


def molar_enthalpy_kj_per_mol(species: str, phase: str, t_c: float) -> float:
    """Formation-basis enthalpy ΔfH° + ∫Cp dT of a species in a phase at ``t_c`` °C, kJ/mol."""
    th = species_thermo(species, phase)
    return th.dhf_kj_per_mol + th.sensible_kj_per_mol(t_c + 273.15)


def _aq_row(species: str, concentrated: bool) -> tuple[str, str]:
    if species == "H2O":
        return "H2O", "l"
    if concentrated:
        _, table, _ = _tables()
        if ((table.species == species) & (table.phase == "l")).any():
            return species, "l"
    return species, "aq"


def stream_enthalpy_kw(stream: Stream) -> float:
    """Formation-basis enthalpy flow of a stream, kW (kJ/s). The organic phase is not modelled and
    must be empty (the flowsheet carries SX as a recovery matrix)."""
    c = stream.components
    t_c = stream.temperature_c
    f = stream.flows_kg_per_h
    mm = c.molar_mass_g_per_mol
    total_kj_per_h = 0.0
    aq = f[PHASES.index("aq")]
    aq_mass = float(aq.sum())
    water = float(aq[c.index["H2O"]]) if "H2O" in c.index else 0.0
    concentrated = aq_mass > 0 and water < _CONCENTRATED_WATER_FRAC * aq_mass
    for p, phase in enumerate(PHASES):
        row = f[p]
        nz = np.nonzero(row > 0)[0]
        if not len(nz):
            continue
        if phase == "org":
            raise InputError("thermo.org", stream.total_kg_per_h, "an empty organic phase",
                             "the heat balance has no organic-phase data")
        for j in nz:
            sp = c.species[j]
            name, ph = _aq_row(sp, concentrated) if phase == "aq" else (sp, phase)
            total_kj_per_h += row[j] / mm[j] * 1000.0 * molar_enthalpy_kj_per_mol(name, ph, t_c)
    return total_kj_per_h / 3600.0


def reaction_enthalpy_kj_per_mol(terms: tuple[tuple[str, str, float], ...], t_c: float = 25.0,
                                 *, liquid_acid: bool = True) -> float:
    """ΔrH (kJ per mol of extent) of (species, phase, coefficient) terms at ``t_c``. With
    ``liquid_acid`` an ``aq`` term that has a liquid row (H2SO4) is taken as the pure liquid."""
    total = 0.0
    for sp, ph, coef in terms:
        name, phase = _aq_row(sp, liquid_acid) if ph == "aq" else (sp, ph)
        total += coef * molar_enthalpy_kj_per_mol(name, phase, t_c)
    return total


def thermo_sources() -> pd.DataFrame:
    """The species table with its sources and evidence tags (for the report)."""
    _, table, _ = _tables()
    return table[["species", "phase", "method", "cp_model", "source", "evidence"]].copy()
