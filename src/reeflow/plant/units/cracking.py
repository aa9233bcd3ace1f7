"""Cracking: concentrated-H2SO4 bake and water leach (Bayan Obo practice), residue activity."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from reeflow.core.elements import norm_exemption_bq_per_g, specific_activity_bq_per_g
from reeflow.core.projectfile import Q, StrictModel
from reeflow.plant.chemistry import bake_reactions, bastnasite, ree_of, sulfate
from reeflow.plant.flowsheet import UnitResult
from reeflow.plant.reactions import extent_from_conversion, react_with_reagent, take_phase
from reeflow.plant.stream import Stream, phase_index

__all__ = ["BakeParams", "acid_bake", "LeachParams", "water_leach", "residue_activity_bq_per_g"]


class BakeParams(StrictModel):
    """Conversions in the bake (fractions of each mineral attacked) and the acid excess.

    ``th_sulphation_frac`` and ``fe_sulphation_frac`` are the fractions that stay *soluble*: a bake
    taken to ~600 °C leaves Th and Fe insoluble (IAEA 2011 via Zhang, Zhao & Schreiner 2016, ch. 5),
    a 200 °C bake does not.
    """

    temperature_c: Q("degC", ge=150.0, le=900.0, alias="temperature")  # type: ignore[valid-type]
    ree_conversion_frac: Q("frac", ge=0.0, le=1.0, alias="ree_conversion")  # type: ignore[valid-type]
    caf2_conversion_frac: Q("frac", ge=0.0, le=1.0, alias="caf2_conversion")  # type: ignore[valid-type]
    caco3_conversion_frac: Q("frac", ge=0.0, le=1.0,  # type: ignore[valid-type]
                             alias="caco3_conversion")
    fe_sulphation_frac: Q("frac", ge=0.0, le=1.0, alias="fe_sulphation")  # type: ignore[valid-type]
    th_sulphation_frac: Q("frac", ge=0.0, le=1.0, alias="th_sulphation")  # type: ignore[valid-type]
    acid_excess_frac: Q("frac", ge=0.0, le=5.0, alias="acid_excess",  # type: ignore[valid-type]
                        doc="H2SO4 over stoichiometry (0.25 = 25 % excess)")
    excess_acid_to_offgas_frac: Q("frac", ge=0.0, le=1.0,  # type: ignore[valid-type]
                                  alias="excess_acid_to_offgas")


def acid_bake(inlets: Mapping[str, Stream], params: BakeParams) -> UnitResult:
    """Concentrated-H2SO4 bake of a bastnäsite–fluorite–barite concentrate.

    Acid = Σ stoichiometric demand of the reactions in :mod:`reeflow.plant.chemistry` × (1 + excess)
    (Kul, Topkaya & Karakaya 2008, Hydrometallurgy 93:129 for a bastnäsite–fluorite–barite ore;
    IAEA 2011 for Bayan Obo).
    HF, CO2 and water leave in the off-gas (HF recoverable: Kul et al. 2008); a stated fraction of the
    excess acid evaporates, the rest stays with the calcine as free acid.
    """
    (feed,) = inlets.values()
    c = feed.components
    ree = ree_of(c)
    rx = bake_reactions(ree)
    conv = {bastnasite(ln): params.ree_conversion_frac for ln in ree}
    conv.update(
        {
            "CaF2": params.caf2_conversion_frac,
            "CaCO3": params.caco3_conversion_frac,
            "Fe2O3": params.fe_sulphation_frac,
            "ThO2": params.th_sulphation_frac,
        }
    )
    extents = [
        (rx[k], extent_from_conversion(feed.flows_kg_per_h, c, rx[k], k, "s", conv[k]))
        for k in rx
        if k in c.index
    ]
    flows, acid, acid_kg = react_with_reagent(feed, extents, "H2SO4", "aq",
                                              params.acid_excess_frac)
    gas, flows = take_phase(flows, "g")
    g = phase_index("g")
    j = c.idx("H2SO4")
    evaporated = flows[phase_index("aq"), j] * params.excess_acid_to_offgas_frac
    flows[phase_index("aq"), j] -= evaporated
    gas[g, j] += evaporated
    return UnitResult(
        {
            "calcine": Stream(c, flows, params.temperature_c),
            "offgas": Stream(c, gas, params.temperature_c),
        },
        reagents={"H2SO4": acid},
        info={"acid_kg_per_h": acid_kg},
    )


#: Species that dissolve completely in the water leach (sulphates of Th, Fe, Mg and free acid).
SOLUBLE_IN_LEACH: tuple[str, ...] = ("Th(SO4)2", "Fe2(SO4)3", "H2SO4", "MgSO4")


class LeachParams(StrictModel):
    """Water leach: dissolution of the REE sulphates and the liquid/solid ratio."""

    ree_dissolution_frac: Q("frac", gt=0.0, le=1.0, alias="ree_dissolution")  # type: ignore[valid-type]
    liquid_to_solid_kg_per_kg: Q("frac", gt=0.0, le=50.0,  # type: ignore[valid-type]
                                 alias="liquid_to_solid", doc="kg water per kg calcine")
    temperature_c: Q("degC", ge=0.0, le=100.0, alias="temperature",  # type: ignore[valid-type]
                     doc="leach temperature (cold-water leach of REE sulphates)") = 25.0


def water_leach(inlets: Mapping[str, Stream], params: LeachParams) -> UnitResult:
    """Dissolve REE sulphates (and soluble Th/Fe sulphates) into water; the rest is residue.

    Dissolution fractions for a bastnäsite–fluorite–barite ore: Kul et al. (2008), "REE recovery up
    to 90 %" after bake +
    water leach; Özbayoğlu & Atalay (2000), "> 75 %". Gypsum (CaSO4) solubility is neglected.
    """
    (calcine,) = inlets.values()
    c = calcine.components
    s_i, aq_i = phase_index("s"), phase_index("aq")
    water = c.stream(
        {("H2O", "aq"): params.liquid_to_solid_kg_per_kg * calcine.flows_kg_per_h[s_i].sum()}
    )
    flows = calcine.flows_kg_per_h + water.flows_kg_per_h
    frac = np.zeros(c.n)
    for ln in ree_of(c):
        frac[c.idx(sulfate(ln))] = params.ree_dissolution_frac
    for sp in SOLUBLE_IN_LEACH:
        if sp in c.index:
            frac[c.idx(sp)] = 1.0
    moved = flows[s_i] * frac
    flows[s_i] -= moved
    flows[aq_i] += moved
    liquor = np.zeros_like(flows)
    liquor[aq_i] = flows[aq_i]
    residue = np.zeros_like(flows)
    residue[s_i] = flows[s_i]
    res = Stream(c, residue, params.temperature_c)
    return UnitResult(
        {"liquor": Stream(c, liquor, params.temperature_c), "residue": res},
        reagents={"H2O": water},
        info={"residue_activity_bq_per_g": residue_activity_bq_per_g(res)},
    )


def residue_activity_bq_per_g(stream: Stream) -> float:
    """232Th activity per gram of a (solid) stream, Bq/g.

    A = (mass of Th / mass of stream) × specific activity of 232Th (≈ 4.07 kBq/g, from the NNDC
    half-life). Each daughter of the chain carries the same activity in secular equilibrium, and the
    IAEA RS-G-1.7 (2004) exemption level is 1 Bq/g per chain member.
    """
    total = stream.total_kg_per_h
    if total <= 0:
        return 0.0
    th = float(stream.element_kg_per_h().get("Th", 0.0))
    return th / total * specific_activity_bq_per_g("Th-232")


def classify_residue(activity_bq_per_g: float) -> str:
    """'exempt' below the IAEA 1 Bq/g level, else 'regulated NORM (Th-232 chain)'."""
    if activity_bq_per_g < norm_exemption_bq_per_g():
        return "exempt"
    return "regulated NORM (Th-232 chain)"
