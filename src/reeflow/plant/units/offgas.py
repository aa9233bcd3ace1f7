"""Off-gas treatment of the acid-bake kiln: optional acid recovery, then a wet lime (or caustic)
scrubber for HF, SO3 and sulphuric-acid mist.

Bayan Obo practice scrubs the bake off-gas (HF, CO2, SO3) with lime (IAEA 2011 via Zhang, Zhao &
Schreiner 2016, *Rare Earth Elements: Processing, Applications*, ch. 5); Kul, Topkaya & Karakaya
(2008, Hydrometallurgy 93:129) name HF as a by-product of the sulphuric-acid bake of a
bastnäsite–fluorite ore, so an absorption stage that recovers part of the HF as hydrofluoric
acid (and part of the acid mist as weak sulphuric acid) can precede the scrubber. What is not
absorbed leaves by the stack and is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import Field

from reeflow.core.elements import molar_mass
from reeflow.core.projectfile import Q, StrictModel
from reeflow.plant.chemistry import scrubber_reactions
from reeflow.plant.flowsheet import UnitResult
from reeflow.plant.reactions import apply_reaction, reagent_kg_per_h
from reeflow.plant.stream import Stream, phase_index

__all__ = ["ScrubberParams", "scrub_offgas", "water_vapour_pressure_bar"]


class ScrubberParams(StrictModel):
    """Wet acid-gas scrubber with an optional acid-recovery stage ahead of it."""

    reagent: Literal["Ca(OH)2", "NaOH"] = Field(
        default="Ca(OH)2", description="Absorbent: hydrated-lime slurry (Bayan Obo practice, IAEA 2011) "
        "or caustic soda.")
    hf_removal_frac: Q("frac", ge=0.90, le=0.9999) = Field(  # type: ignore[valid-type]
        0.99, description="Fraction of the HF reaching the scrubber that is absorbed. Packed "
        "towers reach 90-99.9 % on soluble acid gases (US EPA 2003, Air Pollution Control "
        "Technology Fact Sheet EPA-452/F-03-015, recalled, not re-read); assumed 99 %.")
    acid_mist_removal_frac: Q("frac", ge=0.50, le=0.999) = Field(  # type: ignore[valid-type]
        0.95, description="Fraction of H2SO4/SO3 (largely sub-micron mist) captured; a packed "
        "scrubber alone captures mist poorly, a wet ESP or candle filter is assumed behind it. "
        "Assumed.")
    reagent_excess_frac: Q("frac", ge=0.0, le=1.0) = Field(  # type: ignore[valid-type]
        0.10, description="Absorbent over stoichiometry. Assumed.")
    slurry_solids_frac: Q("frac", ge=0.05, le=0.6) = Field(  # type: ignore[valid-type]
        0.25, description="Solids mass fraction of the scrubber bleed (sludge to the residue "
        "filter). Assumed.")
    outlet_temperature_c: Q("degC", ge=30.0, le=95.0) = Field(  # type: ignore[valid-type]
        70.0, description="Gas leaves saturated with water at this temperature (quench). "
        "Assumed.")
    hf_recovery_frac: Q("frac", ge=0.0, le=0.95) = Field(  # type: ignore[valid-type]
        0.0, description="Share of the HF absorbed as hydrofluoric acid ahead of the scrubber "
        "(acid-recovery option; Kul et al. 2008 name HF as a by-product). 0 = no recovery.")
    hf_acid_strength_frac: Q("frac", ge=0.2, le=0.7) = Field(  # type: ignore[valid-type]
        0.40, description="HF mass fraction of the recovered acid. Assumed (commercial aqueous "
        "grades span roughly 40-70 %).")
    h2so4_recovery_frac: Q("frac", ge=0.0, le=0.95) = Field(  # type: ignore[valid-type]
        0.0, description="Share of the H2SO4/SO3 condensed as weak acid ahead of the scrubber "
        "(recycled to the bake). 0 = none.")


def water_vapour_pressure_bar(t_c: float) -> float:
    """Saturation pressure of water, bar: Antoine log10(P) = A − B/(T + C), T in K, with
    A = 4.6543, B = 1435.264, C = −64.848 for 255.9–373 K (Stull 1947, Ind. Eng. Chem. 39:517, as
    listed in the NIST Chemistry WebBook)."""
    return float(10.0 ** (4.6543 - 1435.264 / (t_c + 273.15 - 64.848)))


def _recover_acids(gas: np.ndarray, c, p: ScrubberParams) -> tuple[np.ndarray, np.ndarray,
                                                                    Stream]:
    """Move recovered HF and H2SO4 out of the gas into an aqueous acid with its make-up water."""
    g, aq = phase_index("g"), phase_index("aq")
    acid = np.zeros_like(gas)
    for sp, frac in (("HF", p.hf_recovery_frac), ("H2SO4", p.h2so4_recovery_frac),
                     ("SO3", p.h2so4_recovery_frac)):
        if sp in c.index and frac > 0:
            j = c.idx(sp)
            moved = gas[g, j] * frac
            gas[g, j] -= moved
            if sp == "SO3":  # SO3 + H2O -> H2SO4 in the condenser
                acid[aq, c.idx("H2SO4")] += moved / molar_mass("SO3") * molar_mass("H2SO4")
                acid[aq, c.idx("H2O")] -= moved / molar_mass("SO3") * molar_mass("H2O")
            else:
                acid[aq, j] += moved
    hf = acid[aq, c.idx("HF")]
    water = hf * (1.0 - p.hf_acid_strength_frac) / p.hf_acid_strength_frac if hf > 0 else 0.0
    water_in = max(water - acid[aq, c.idx("H2O")], 0.0)
    acid[aq, c.idx("H2O")] += water_in
    return gas, acid, c.stream({("H2O", "aq"): water_in})


def scrub_offgas(inlets: Mapping[str, Stream], params: ScrubberParams) -> UnitResult:
    """Absorb HF and sulphuric acid from the kiln gas; report what the stack still emits.

    Ports: ``stack`` (gas), ``sludge`` (CaF2 + gypsum + excess lime slurry, or the caustic bleed),
    ``acid`` (recovered hydrofluoric / weak sulphuric acid, empty without recovery). Reagents:
    the absorbent at stoichiometry × (1 + excess) and process water (slurry make-up, recovered-acid
    dilution and the water that saturates the gas).
    """
    (feed,) = inlets.values()
    c = feed.components
    g, aq, s = phase_index("g"), phase_index("aq"), phase_index("s")
    gas = feed.flows_kg_per_h.copy()
    gas, acid, acid_water = _recover_acids(gas, c, params)
    rx = scrubber_reactions(params.reagent)
    removal = {"HF": params.hf_removal_frac, "H2SO4": params.acid_mist_removal_frac,
               "SO3": params.acid_mist_removal_frac}
    extents = [(rx[k], gas[g, c.idx(k)] * removal[k] / molar_mass(k) / -rx[k].coefficient(k))
               for k in rx if k in c.index and gas[g, c.idx(k)] > 0]
    reagent_phase = "s" if params.reagent == "Ca(OH)2" else "aq"
    demand = reagent_kg_per_h(params.reagent, extents, params.reagent_excess_frac)
    flows = gas.copy()
    flows[phase_index(reagent_phase), c.idx(params.reagent)] += demand
    water_need = sum(-r.coefficient("H2O") * x for r, x in extents if r.coefficient("H2O") < 0)
    flows[aq, c.idx("H2O")] += water_need * molar_mass("H2O")
    for r, x in extents:
        flows = apply_reaction(flows, c, r, x)
    stack = np.zeros_like(flows)
    stack[g] = flows[g]
    liquor = flows - stack
    solids = float(liquor[s].sum())
    slurry_water = solids * (1.0 - params.slurry_solids_frac) / params.slurry_solids_frac
    # water that saturates the (non-condensable) gas at the outlet temperature
    mol = stack[g] / c.molar_mass_g_per_mol
    n_dry = float(mol.sum() - mol[c.idx("H2O")])
    y = water_vapour_pressure_bar(params.outlet_temperature_c) / 1.01325
    vapour_kg = n_dry * y / (1.0 - y) * molar_mass("H2O")
    evaporated = vapour_kg - stack[g, c.idx("H2O")]
    stack[g, c.idx("H2O")] = vapour_kg
    make_up = max(slurry_water - liquor[aq, c.idx("H2O")], 0.0) + max(evaporated, 0.0)
    liquor[aq, c.idx("H2O")] += make_up - max(evaporated, 0.0)
    if evaporated < 0:  # the gas was wetter than saturation: the excess condenses into the bleed
        liquor[aq, c.idx("H2O")] += -evaporated
    water = c.stream({("H2O", "aq"): make_up})
    t = params.outlet_temperature_c
    emitted = {k: float(stack[g, c.idx(k)]) for k in ("HF", "H2SO4", "SO3") if k in c.index}
    return UnitResult(
        {"stack": Stream(c, stack, t), "sludge": Stream(c, liquor, t),
         "acid": Stream(c, acid, t)},
        reagents={params.reagent: c.stream({(params.reagent, reagent_phase): demand}),
                  "H2O": Stream(c, water.flows_kg_per_h + acid_water.flows_kg_per_h, 25.0)},
        info={"reagent_kg_per_h": demand, "emitted_kg_per_h": emitted,
              "hf_in_kg_per_h": feed.species_kg_per_h("HF"),
              "water_evaporated_kg_per_h": max(evaporated, 0.0),
              "hf_recovered_kg_per_h": float(acid[aq, c.idx("HF")])},
    )
