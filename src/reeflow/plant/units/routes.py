"""Units of the alternative routes (the study chooses the route; these are the building blocks).

- :func:`precipitate_carbonate` — mixed rare-earth carbonate from the purified sulphate liquor with
  soda ash, sold without separation (Mkango's Songwe Hill DFS sells a mixed carbonate,
  shared/reference/peer_projects.md): Ln2(SO4)3 + 3 Na2CO3 → Ln2(CO3)3↓ + 3 Na2SO4; from a
  chloride product solution of the SX train 2 LnCl3 + 3 Na2CO3 → Ln2(CO3)3↓ + 6 NaCl. Free acid is
  neutralised first (CO2 to the ``offgas`` port).
- :func:`reject_cerium` — oxidative precipitation of Ce(IV) with H2O2 before SX
  (Moldoveanu & Papangelakis 2024, Hydrometallurgy 231:106417: 80–95 % Ce removed at pH 3–5 with
  0–50 % peroxide excess): Ce2(SO4)3 + H2O2 + 3 MgO + 3 H2O → 2 Ce(OH)4↓ + 3 MgSO4.
- :func:`reject_elements` — La/Ce (or any element) diverted to a stockpile or a separate bulk
  product (issue #11: "La/Ce rejection or stockpiling, as Lynas does"); the flowsheet applies it to
  the carbonate of the bulk La-Ce group the SX train makes, so the rejection cut is costed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from pydantic import Field

from reeflow.core.elements import molar_mass, parse_formula
from reeflow.core.projectfile import Q, StrictModel
from reeflow.plant.chemistry import (
    acid_carbonate_reactions,
    carbonate_from_chloride_reaction,
    carbonate_reaction,
    cerium_oxidation_reaction,
    chloride,
    ree_of,
    sulfate,
)
from reeflow.plant.flowsheet import UnitResult
from reeflow.plant.reactions import apply_reaction, react_with_reagent, take_phase
from reeflow.plant.stream import Stream, phase_index

__all__ = ["CarbonateParams", "precipitate_carbonate", "CeriumRejectionParams", "reject_cerium",
           "RejectionParams", "reject_elements"]


class CarbonateParams(StrictModel):
    """Soda-ash precipitation of a mixed REE carbonate."""

    precipitation_frac: Q("frac", ge=0.8, le=1.0) = Field(  # type: ignore[valid-type]
        0.99, description="Share of each REE precipitated. Assumed.")
    na2co3_excess_frac: Q("frac", ge=0.0, le=1.0) = Field(  # type: ignore[valid-type]
        0.10, description="Soda ash over stoichiometry. Assumed.")


def precipitate_carbonate(inlets: Mapping[str, Stream], params: CarbonateParams) -> UnitResult:
    """Ports ``carbonate_product`` (solid Ln2(CO3)3), ``barren`` (Na2SO4/NaCl liquor + excess soda
    ash) and ``offgas`` (CO2 from the free acid). REE sulphates and chlorides both precipitate;
    free H2SO4/HCl is neutralised by the same soda ash (stoichiometry × (1 + excess))."""
    (feed,) = inlets.values()
    c = feed.components
    aq = phase_index("aq")
    ext = []
    for ln in ree_of(c):
        for salt, r in ((sulfate(ln), carbonate_reaction(ln)),
                        (chloride(ln), carbonate_from_chloride_reaction(ln))):
            n = feed.flows_kg_per_h[aq, c.idx(salt)] / molar_mass(salt)
            if n > 0:
                ext.append((r, n * params.precipitation_frac / -r.coefficient(salt)))
    for acid, r in acid_carbonate_reactions().items():
        n = feed.flows_kg_per_h[aq, c.idx(acid)] / molar_mass(acid)
        if n > 0:
            ext.append((r, n / -r.coefficient(acid)))
    flows, soda, kg = react_with_reagent(feed, ext, "Na2CO3", "s", params.na2co3_excess_frac)
    # the excess soda ash dissolves in the barren liquor
    s_i = phase_index("s")
    j = c.idx("Na2CO3")
    flows[aq, j] += flows[s_i, j]
    flows[s_i, j] = 0.0
    gas, flows = take_phase(flows, "g")
    solid, rest = take_phase(flows, "s")
    t = feed.temperature_c
    return UnitResult({"carbonate_product": Stream(c, solid, t), "barren": Stream(c, rest, t),
                       "offgas": Stream(c, gas, t)},
                      reagents={"Na2CO3": soda}, info={"na2co3_kg_per_h": kg})


class CeriumRejectionParams(StrictModel):
    """H2O2 oxidative precipitation of cerium from the sulphate liquor."""

    ce_removal_frac: Q("frac", ge=0.5, le=0.99) = Field(  # type: ignore[valid-type]
        0.90, description="Share of Ce precipitated as Ce(OH)4: 80-95 % at pH 3-5 "
        "(Moldoveanu & Papangelakis 2024).")
    h2o2_excess_frac: Q("frac", ge=0.0, le=1.0) = Field(  # type: ignore[valid-type]
        0.30, description="Peroxide over stoichiometry; the paper tested 0, 30 and 50 %.")
    mgo_excess_frac: Q("frac", ge=0.0, le=0.5) = Field(  # type: ignore[valid-type]
        0.05, description="MgO (base) over stoichiometry. Assumed.")
    ree_coprecipitation_frac: Q("frac", ge=0.0, le=0.2) = Field(  # type: ignore[valid-type]
        0.02, description="Share of the other REE lost to the Ce cake. Assumed.")


def reject_cerium(inlets: Mapping[str, Stream], params: CeriumRejectionParams) -> UnitResult:
    """Ports ``liquor`` (Ce-depleted) and ``cerium_cake`` (Ce(OH)4 + co-precipitated REE)."""
    (feed,) = inlets.values()
    c = feed.components
    aq, s = phase_index("aq"), phase_index("s")
    r = cerium_oxidation_reaction()
    x = feed.flows_kg_per_h[aq, c.idx("Ce2(SO4)3")] / molar_mass("Ce2(SO4)3") * params.ce_removal_frac
    h2o2 = c.stream({("H2O2", "aq"): x * molar_mass("H2O2") * (1 + params.h2o2_excess_frac)})
    water_kg = max(3 * x * molar_mass("H2O") - feed.flows_kg_per_h[aq, c.idx("H2O")], 0.0)
    base = c.stream({("MgO", "s"): 3 * x * molar_mass("MgO") * (1 + params.mgo_excess_frac),
                     ("H2O", "aq"): water_kg})
    flows = apply_reaction(feed.flows_kg_per_h + h2o2.flows_kg_per_h + base.flows_kg_per_h,
                           c, r, x)
    h2o2_kg = h2o2.total_kg_per_h
    for sp in c.species:
        if sp.endswith("2(SO4)3") and sp != "Ce2(SO4)3":
            j = c.idx(sp)
            lost = flows[aq, j] * params.ree_coprecipitation_frac
            flows[aq, j] -= lost
            flows[s, j] += lost
    cake, rest = take_phase(flows, "s")
    return UnitResult({"liquor": Stream(c, rest, feed.temperature_c),
                       "cerium_cake": Stream(c, cake, feed.temperature_c)},
                      reagents={"H2O2": h2o2, "MgO": base},
                      info={"h2o2_kg_per_h": h2o2_kg, "ce_removed_kmol_per_h": 2 * x})


class RejectionParams(StrictModel):
    """Elements diverted (fraction of each) to a stockpile / bulk product before separation."""

    reject_frac: dict[str, Q("frac", ge=0.0, le=1.0)] = Field(  # type: ignore[valid-type]
        default_factory=lambda: {"La": 1.0, "Ce": 1.0},
        description="Fraction of each element's species sent to ``rejected`` (Lynas-style La-Ce "
        "product). Default: all La and Ce.")


def reject_elements(inlets: Mapping[str, Stream], params: RejectionParams) -> UnitResult:
    """Split every species that carries a rejected element (with its share of the solution)."""
    (feed,) = inlets.values()
    c = feed.components
    f = np.zeros(c.n)
    for j, sp in enumerate(c.species):
        els = dict(parse_formula(sp))
        hits = [params.reject_frac[e] for e in els if e in params.reject_frac]
        if hits:
            f[j] = max(hits)
    ree_mass = feed.flows_kg_per_h[:, f > 0].sum()
    moved = (feed.flows_kg_per_h * f).sum()
    solution = np.array([sp in ("H2O", "HCl", "H2SO4") for sp in c.species])
    f[solution] = moved / ree_mass if ree_mass > 0 else 0.0
    rej = feed.flows_kg_per_h * f
    return UnitResult({"rejected": Stream(c, rej, feed.temperature_c),
                       "liquor": Stream(c, feed.flows_kg_per_h - rej, feed.temperature_c)})
