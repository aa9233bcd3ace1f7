"""Finishing: oxalate precipitation and calcination to the reporting oxides."""

from __future__ import annotations

from collections.abc import Mapping

from reeflow.core.projectfile import Q, StrictModel
from reeflow.plant.chemistry import (
    calcination_reaction,
    chloride,
    oxalate,
    oxalate_reaction,
    ree_of,
)
from reeflow.plant.flowsheet import UnitResult
from reeflow.plant.reactions import extent_from_conversion, react_with_reagent, take_phase
from reeflow.plant.stream import Stream

__all__ = ["OxalateParams", "precipitate_oxalate", "CalcinationParams", "calcine"]


class OxalateParams(StrictModel):
    """Precipitation yield of each REE as oxalate and the oxalic-acid excess over stoichiometry."""

    precipitation_frac: Q("frac", gt=0.0, le=1.0, alias="precipitation")  # type: ignore[valid-type]
    oxalic_excess_frac: Q("frac", ge=0.0, le=5.0, alias="oxalic_excess")  # type: ignore[valid-type]
    temperature_c: Q("degC", ge=0.0, le=100.0, alias="temperature",  # type: ignore[valid-type]
                     doc="precipitation temperature") = 60.0


def precipitate_oxalate(inlets: Mapping[str, Stream], params: OxalateParams) -> UnitResult:
    """2 LnCl3 + 3 H2C2O4 → Ln2(C2O4)3↓ + 6 HCl; HCl is regenerated into the filtrate.

    Stoichiometry 1.5 mol oxalic acid per mol RE (Zhang, Zhao & Schreiner 2016, ch. 10; the shared
    notes' §5.2 give 1.12 t H2C2O4·2H2O per t Nd2O3). Oxalic acid = stoichiometry × (1 + excess).
    """
    (feed,) = inlets.values()
    c = feed.components
    present = [ln for ln in ree_of(c) if feed.species_kg_per_h(chloride(ln)) > 0]
    extents = [
        (
            oxalate_reaction(ln),
            extent_from_conversion(
                feed.flows_kg_per_h,
                c,
                oxalate_reaction(ln),
                chloride(ln),
                "aq",
                params.precipitation_frac,
            ),
        )
        for ln in present
    ]
    flows, reagent, ox_kg = react_with_reagent(feed, extents, "H2C2O4", "aq",
                                               params.oxalic_excess_frac)
    solid, flows = take_phase(flows, "s")
    return UnitResult(
        {
            "oxalate": Stream(c, solid, params.temperature_c),
            "filtrate": Stream(c, flows, params.temperature_c),
        },
        reagents={"H2C2O4": reagent},
        info={"oxalic_kg_per_h": ox_kg},
    )


class CalcinationParams(StrictModel):
    """Calcination temperature; conversion of oxalate to oxide is taken as complete.

    Light-REE oxalates are not fully decomposed below ~740 °C (Zinin & Bushuev 2016), hence the
    lower bound.
    """

    temperature_c: Q("degC", ge=740.0, le=1500.0, alias="temperature")  # type: ignore[valid-type]


def calcine(inlets: Mapping[str, Stream], params: CalcinationParams) -> UnitResult:
    """Ln2(C2O4)3 + (b/a) O2 → (2/a) LnaOb + 6 CO2 at 850–1000 °C.

    Light-REE oxalates decompose fully above ~740 °C (Zinin & Bushuev 2016, Russ. J. Inorg. Chem.
    61:161); Nd oxalate → Nd2O3 at 1173 K (Arellano Ruiz 2020). Ce and Pr report as CeO2 and Pr6O11
    (the oxygen comes from air).
    """
    (feed,) = inlets.values()
    c = feed.components
    present = [ln for ln in ree_of(c) if feed.species_kg_per_h(oxalate(ln)) > 0]
    extents = [
        (
            calcination_reaction(ln),
            extent_from_conversion(
                feed.flows_kg_per_h, c, calcination_reaction(ln), oxalate(ln), "s", 1.0
            ),
        )
        for ln in present
    ]
    flows, o2, _ = react_with_reagent(feed, extents, "O2", "g", 0.0)
    gas, flows = take_phase(flows, "g")
    return UnitResult(
        {
            "oxide": Stream(c, flows, params.temperature_c),
            "offgas": Stream(c, gas, params.temperature_c),
        },
        reagents={"O2 (air)": o2},
    )
