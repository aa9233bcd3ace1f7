"""Leach-liquor purification: MgO neutralisation (Fe, Th removal) and transfer to chloride."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from reeflow.core.projectfile import Q, StrictModel
from reeflow.plant.chemistry import (
    chloride,
    chloride_reaction,
    impurity_reactions,
    ree_of,
    sulfate,
)
from reeflow.plant.flowsheet import UnitResult
from reeflow.plant.reactions import extent_from_conversion, react_with_reagent, take_phase
from reeflow.plant.stream import Stream, mix, phase_index

__all__ = ["NeutraliseParams", "neutralise", "ChlorideParams", "chloride_conversion"]


class NeutraliseParams(StrictModel):
    """Fractions of Fe, Th and free acid removed by MgO, REE co-precipitation loss, MgO excess."""

    fe_removal_frac: Q("frac", ge=0.0, le=1.0, alias="fe_removal")  # type: ignore[valid-type]
    th_removal_frac: Q("frac", ge=0.0, le=1.0, alias="th_removal")  # type: ignore[valid-type]
    acid_neutralised_frac: Q("frac", ge=0.0, le=1.0,  # type: ignore[valid-type]
                             alias="acid_neutralised")
    ree_loss_frac: Q("frac", ge=0.0, le=1.0, alias="ree_loss",  # type: ignore[valid-type]
                     doc="REE co-precipitated with the Fe/Th hydroxide cake")
    mgo_excess_frac: Q("frac", ge=0.0, le=5.0, alias="mgo_excess")  # type: ignore[valid-type]


def neutralise(inlets: Mapping[str, Stream], params: NeutraliseParams) -> UnitResult:
    """Neutralise the sulphate liquor with MgO; Fe(OH)3 and Th(OH)4 report to a cake.

    Bayan Obo practice: the water-leach liquor is neutralised with MgO to pH ≈ 4 to hydrolyse Fe
    and Th before REE extraction (Gupta & Krishnamurthy 2005, *Extractive Metallurgy of Rare
    Earths*, CRC, §4.4.2; Zhang, Zhao & Schreiner 2016, ch. 5). MgO = stoichiometry × (1 + excess);
    the excess leaves undissolved with the cake.
    """
    (liq,) = inlets.values()
    c = liq.components
    rx = impurity_reactions()
    conv = {
        "Fe2(SO4)3": params.fe_removal_frac,
        "Th(SO4)2": params.th_removal_frac,
        "H2SO4": params.acid_neutralised_frac,
    }
    extents = [
        (rx[k], extent_from_conversion(liq.flows_kg_per_h, c, rx[k], k, "aq", conv[k])) for k in rx
    ]
    flows, mgo, mgo_kg = react_with_reagent(liq, extents, "MgO", "s", params.mgo_excess_frac)
    s_i, aq_i = phase_index("s"), phase_index("aq")
    for ln in ree_of(c):
        j = c.idx(sulfate(ln))
        lost = flows[aq_i, j] * params.ree_loss_frac
        flows[aq_i, j] -= lost
        flows[s_i, j] += lost
    cake, flows = take_phase(flows, "s")
    return UnitResult(
        {"liquor": Stream(c, flows, liq.temperature_c), "cake": Stream(c, cake, liq.temperature_c)},
        reagents={"MgO": mgo},
        info={"mgo_kg_per_h": mgo_kg},
    )


class ChlorideParams(StrictModel):
    """Transfer of REE from sulphate to chloride solution (D2EHPA load, HCl strip; net reaction)."""

    transfer_frac: Q("frac", ge=0.0, le=1.0, alias="transfer")  # type: ignore[valid-type]
    hcl_excess_frac: Q("frac", ge=0.0, le=5.0, alias="hcl_excess")  # type: ignore[valid-type]
    water_to_chloride_frac: Q("frac", ge=0.0, le=1.0,  # type: ignore[valid-type]
                              alias="water_to_chloride")


def chloride_conversion(inlets: Mapping[str, Stream], params: ChlorideParams) -> UnitResult:
    """Ln2(SO4)3 + 6 HCl → 2 LnCl3 + 3 H2SO4, with HCl recycled from oxalate filtrate counted first.

    The Baotou route loads REE from the sulphate liquor on D2EHPA (P204) and strips them with HCl
    into a chloride solution for the P507 separation (Zhang, Zhao & Schreiner 2016, ch. 5 and 9).
    Fresh HCl = max(0, stoichiometry × (1 + excess) − HCl arriving in the recycle).
    """
    feed = mix(inlets.values(), next(iter(inlets.values())).components)
    c = feed.components
    ree = ree_of(c)
    extents = [
        (
            chloride_reaction(ln),
            extent_from_conversion(
                feed.flows_kg_per_h,
                c,
                chloride_reaction(ln),
                sulfate(ln),
                "aq",
                params.transfer_frac,
            ),
        )
        for ln in ree
    ]
    flows, hcl, need = react_with_reagent(feed, extents, "HCl", "aq", params.hcl_excess_frac,
                                          credit_kg_per_h=feed.species_kg_per_h("HCl"))
    fresh_kg = hcl.total_kg_per_h
    to_chloride = np.zeros(c.n)
    for ln in ree:
        to_chloride[c.idx(chloride(ln))] = 1.0
    to_chloride[c.idx("HCl")] = 1.0
    to_chloride[c.idx("H2O")] = params.water_to_chloride_frac
    chl = flows * to_chloride
    return UnitResult(
        {
            "chloride": Stream(c, chl, feed.temperature_c),
            "raffinate": Stream(c, flows - chl, feed.temperature_c),
        },
        reagents={"HCl": hcl},
        info={"hcl_fresh_kg_per_h": fresh_kg, "hcl_demand_kg_per_h": need},
    )
