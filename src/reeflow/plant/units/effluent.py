"""Effluent treatment: lime neutralisation of acidic raffinates and brine handling.

- :func:`neutralise_effluent` — hydrated lime turns free acid and dissolved Mg, Fe, Th and REE
  sulphates into gypsum and hydroxides (Aubé & Zinck 2003, lime treatment of acidic sulphate
  waters); gypsum stays dissolved up to its solubility at the stream temperature (CRC), the rest
  reports to the cake — Lynas's neutralisation underflow (NUF) is this residue.
- :func:`treat_brine` — the NaCl brine of the saponified SX circuit is either evaporated and
  crystallised to salt (condensate returned as process water; energy charged per tonne of water
  evaporated in :mod:`reeflow.plant.energy`) or discharged, checked against a stated limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import Field

from reeflow.core.elements import molar_mass
from reeflow.core.errors import InfeasibleSpecError
from reeflow.core.projectfile import Q, StrictModel
from reeflow.plant.chemistry import gypsum_dissolution, lime_neutralisation_reactions, ree_of
from reeflow.plant.flowsheet import UnitResult
from reeflow.plant.reactions import apply_reaction, reagent_kg_per_h
from reeflow.plant.solubility import salts_with_data, solubility_kg_per_kg_water
from reeflow.plant.stream import Stream, mix, phase_index

__all__ = ["NeutraliseEffluentParams", "neutralise_effluent", "BrineParams", "treat_brine"]


class NeutraliseEffluentParams(StrictModel):
    """Lime neutralisation of an acidic effluent to pH ≈ 9–10 (Mg precipitates as Mg(OH)2)."""

    neutralised_frac: Q("frac", ge=0.9, le=1.0) = Field(  # type: ignore[valid-type]
        1.0, description="Share of each acid/metal sulphate converted. Assumed complete.")
    lime_excess_frac: Q("frac", ge=0.0, le=0.5) = Field(  # type: ignore[valid-type]
        0.05, description="Hydrated lime over stoichiometry. Assumed.")
    temperature_c: Q("degC", ge=5.0, le=90.0) = Field(  # type: ignore[valid-type]
        25.0, description="Temperature of the neutralisation tanks. Assumed ambient.")


def neutralise_effluent(inlets: Mapping[str, Stream],
                        params: NeutraliseEffluentParams) -> UnitResult:
    """Mix the inlets, precipitate with Ca(OH)2; ports ``cake`` (solids) and ``water`` (clear)."""
    feed = mix(inlets.values(), next(iter(inlets.values())).components)
    c = feed.components
    aq, s = phase_index("aq"), phase_index("s")
    rx = lime_neutralisation_reactions(ree_of(c))
    flows = feed.flows_kg_per_h.copy()
    extents = []
    for key, r in rx.items():
        if key in c.index and flows[aq, c.idx(key)] > 0:
            extents.append((r, flows[aq, c.idx(key)] * params.neutralised_frac / molar_mass(key)
                            / -r.coefficient(key)))
    lime = reagent_kg_per_h("Ca(OH)2", extents, params.lime_excess_frac)
    water_need = sum(-r.coefficient("H2O") * x for r, x in extents if r.coefficient("H2O") < 0)
    water_short = max(water_need * molar_mass("H2O") - flows[aq, c.idx("H2O")], 0.0)
    flows[s, c.idx("Ca(OH)2")] += lime
    flows[aq, c.idx("H2O")] += water_short
    for r, x in extents:
        flows = apply_reaction(flows, c, r, x)
    # gypsum stays dissolved up to its solubility
    g = c.idx("CaSO4(H2O)2")
    limit = solubility_kg_per_kg_water("CaSO4", params.temperature_c)
    dissolved_kg = limit * flows[aq, c.idx("H2O")] - flows[aq, c.idx("CaSO4")]
    n = min(max(dissolved_kg, 0.0) / molar_mass("CaSO4"), flows[s, g] / molar_mass("CaSO4(H2O)2"))
    if n > 0:
        flows = apply_reaction(flows, c, gypsum_dissolution(), n)
    cake = np.zeros_like(flows)
    cake[s] = flows[s]
    water = flows - cake
    t = params.temperature_c
    reagents = {"Ca(OH)2": c.stream({("Ca(OH)2", "s"): lime})}
    if water_short > 0:
        reagents["H2O"] = c.stream({("H2O", "aq"): water_short})
    return UnitResult({"cake": Stream(c, cake, t), "water": Stream(c, water, t)},
                      reagents=reagents,
                      info={"lime_kg_per_h": lime, "gypsum_kg_per_h": float(cake[s, g])})


class BrineParams(StrictModel):
    """How the NaCl brine of the SX circuit leaves the plant."""

    mode: Literal["crystallise", "discharge"] = Field(
        default="crystallise", description="Evaporation–crystallisation to salt (zero liquid discharge of "
        "the brine) or discharge to a licensed receiver.")
    bleed_frac: Q("frac", ge=0.0, le=0.5) = Field(  # type: ignore[valid-type]
        0.05, description="Share of the saturated mother liquor bled from the crystalliser "
        "(purges impurities). Assumed.")
    temperature_c: Q("degC", ge=40.0, le=110.0) = Field(  # type: ignore[valid-type]
        100.0, description="Crystalliser temperature (atmospheric boiling). Assumed.")
    discharge_tds_limit_mg_per_l: Q("mg/L", ge=0.0, le=400000.0) | None = Field(  # type: ignore[valid-type]
        None, description="Total dissolved solids allowed in a discharge; None = not checked "
        "(state the receiving-water licence when discharging).")


def _dissolved_salts_kg(flows: np.ndarray, c) -> float:
    aq = flows[phase_index("aq")]
    return float(aq.sum() - aq[c.idx("H2O")])


def treat_brine(inlets: Mapping[str, Stream], params: BrineParams) -> UnitResult:
    """Crystallise or discharge the brine.

    ``crystallise``: water is evaporated until each salt with a solubility curve is at its limit in
    the bleed (``bleed_frac`` of the feed water stays as mother liquor); everything above the limit
    crystallises. Ports ``salt`` (solid), ``condensate`` (water, recycled), ``bleed``.
    ``discharge``: the brine leaves through ``discharge``; a stated TDS limit is enforced.
    """
    feed = mix(inlets.values(), next(iter(inlets.values())).components)
    c = feed.components
    aq, s = phase_index("aq"), phase_index("s")
    zero = np.zeros_like(feed.flows_kg_per_h)
    if params.mode == "discharge":
        water = feed.flows_kg_per_h[aq, c.idx("H2O")]
        tds = _dissolved_salts_kg(feed.flows_kg_per_h, c) / max(water, 1e-300) * 1e6  # mg/kg ≈ mg/L
        lim = params.discharge_tds_limit_mg_per_l
        if lim is not None and tds > lim:
            raise InfeasibleSpecError(
                f"brine discharge: {tds:,.0f} mg/L dissolved solids exceeds the stated limit "
                f"{lim:,.0f} mg/L; choose brine mode 'crystallise' or raise the licensed limit")
        return UnitResult({"discharge": feed, "salt": Stream(c, zero, feed.temperature_c)},
                          info={"tds_mg_per_l": tds, "evaporated_kg_per_h": 0.0})
    flows = feed.flows_kg_per_h.copy()
    water_in = flows[aq, c.idx("H2O")]
    bleed_water = water_in * params.bleed_frac
    bleed = np.zeros_like(flows)
    bleed[aq, c.idx("H2O")] = bleed_water
    salt = np.zeros_like(flows)
    known = set(salts_with_data())
    for j in np.nonzero(flows[aq] > 0)[0]:
        sp = c.species[j]
        if sp == "H2O":
            continue
        cap = (solubility_kg_per_kg_water(sp, params.temperature_c) * bleed_water
               if sp in known else np.inf)  # acids and salts without a curve stay in the bleed
        kept = min(flows[aq, j], cap)
        bleed[aq, j] = kept
        salt[s, j] = flows[aq, j] - kept
    condensate = np.zeros_like(flows)
    condensate[aq, c.idx("H2O")] = water_in - bleed_water
    t = params.temperature_c
    return UnitResult(
        {"salt": Stream(c, salt, t), "condensate": Stream(c, condensate, t),
         "bleed": Stream(c, bleed, t)},
        info={"evaporated_kg_per_h": float(water_in - bleed_water),
              "salt_kg_per_h": float(salt.sum())})
