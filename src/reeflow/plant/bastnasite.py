"""The bastnäsite–fluorite–barite flowsheet, assembled from project parameters.

ore → comminution → beneficiation ─┬→ fluorite / barite concentrates, tailings
                                    └→ REE concentrate → H2SO4 bake → water leach (Th residue)
   → MgO neutralisation (Fe/Th cake) → transfer to chloride ←─ recycle of oxalate filtrate
   → separation (SX train or placeholder) → per product: oxalate precipitation → calcination.

This module only wires units; the chemistry lives in the unit functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from reeflow.core.elements import atomic_mass, molar_mass, oxide_factor
from reeflow.plant.chemistry import bastnasite, components_for
from reeflow.plant.flowsheet import Flowsheet
from reeflow.plant.params import PlantParams, SeparationSpec
from reeflow.plant.stream import Components, Stream
from reeflow.plant.units import (
    SeparationParams,
    SplitterParams,
    acid_bake,
    beneficiate,
    calcine,
    chloride_conversion,
    comminute,
    mixer,
    neutralise,
    precipitate_oxalate,
    separate,
    splitter,
    water_leach,
)
from reeflow.plant.units.effluent import neutralise_effluent, treat_brine
from reeflow.plant.units.offgas import scrub_offgas

__all__ = ["OreFeed", "ore_stream", "build_flowsheet", "placeholder_separation"]


@dataclass(frozen=True)
class OreFeed:
    """Ore rate (kg/h) and head composition (mass fractions; REE as oxide shares of TREO)."""

    ore_kg_per_h: float
    treo_frac: float
    ree_share_frac: Mapping[str, float]
    tho2_frac: float
    caf2_frac: float
    baso4_frac: float
    fe2o3_frac: float
    sio2_frac: float


def placeholder_separation(spec: SeparationSpec, ree: tuple[str, ...]) -> SeparationParams:
    """Given-split separation: each element to its product at the placeholder recovery."""
    rec = {p: {el: spec.placeholder_recovery_frac for el in els if el in ree}
           for p, els in spec.products.items()}
    return SeparationParams(ree, rec, source="placeholder splits (plant.separation)")


def ore_stream(feed: OreFeed, comp: Components) -> Stream:
    """Species flows of the run-of-mine ore; the unassayed balance is CaCO3 (see the project)."""
    flows: dict[tuple[str, str] | str, float] = {}
    for ln, share in feed.ree_share_frac.items():
        el_kg = feed.ore_kg_per_h * feed.treo_frac * share / oxide_factor(ln)
        flows[bastnasite(ln)] = el_kg * molar_mass(bastnasite(ln)) / atomic_mass(ln)
    for sp, frac in (
        ("ThO2", feed.tho2_frac),
        ("CaF2", feed.caf2_frac),
        ("BaSO4", feed.baso4_frac),
        ("Fe2O3", feed.fe2o3_frac),
        ("SiO2", feed.sio2_frac),
    ):
        flows[sp] = feed.ore_kg_per_h * frac
    flows["CaCO3"] = feed.ore_kg_per_h - sum(flows.values())
    return comp.stream(flows, phase="s")


@lru_cache(maxsize=1)
def reagent_water_kg_per_kg() -> dict[str, float]:
    """kg of water dosed with each kg of reagent (reeflow/data/plant/reagent_strengths.csv)."""
    path = resources.files("reeflow.data").joinpath("plant", "reagent_strengths.csv")
    with path.open("r", encoding="utf-8") as fh:
        t = pd.read_csv(fh, comment="#")
    return {r.reagent: (1.0 - r.mass_frac) / r.mass_frac for r in t.itertuples()}


def build_flowsheet(feed: OreFeed, params: PlantParams,
                    separation: SeparationParams) -> Flowsheet:
    """Wire the units of the bastnäsite route into a :class:`Flowsheet` (not yet solved).

    ``params`` is the project's plant section; ``separation`` the separation unit's recovery
    matrix (from the designed SX train, or :func:`placeholder_separation`).
    """
    comp = components_for(tuple(feed.ree_share_frac))
    fs = Flowsheet(comp)
    if params.engineering and separation.reagents_kg_per_h:
        separation = replace(separation, reagent_water_kg_per_kg=reagent_water_kg_per_kg())
    units: list[tuple[str, Any, Any]] = [
        ("comminution", comminute, params.comminution),
        ("beneficiation", beneficiate, params.beneficiation),
        ("bake", acid_bake, params.bake),
        ("leach", water_leach, params.leach),
        ("neutralisation", neutralise, params.neutralisation),
        ("chloride_conversion", chloride_conversion, params.chloride_conversion),
        ("separation", separate, separation),
        ("filtrate_mixer", mixer, None),
        ("filtrate_split", splitter, SplitterParams(params.recycle.filtrate_purge_frac)),
    ]
    for name, fn, p in units:
        fs.add_unit(name, fn, p, kind=name)
    fs.add_feed("ore", ore_stream(feed, comp), to=("comminution", "feed"))
    for name, src, dst in (
        ("ground_ore", ("comminution", "out"), ("beneficiation", "feed")),
        ("ree_concentrate", ("beneficiation", "ree_concentrate"), ("bake", "feed")),
        ("calcine", ("bake", "calcine"), ("leach", "feed")),
        ("pregnant_liquor", ("leach", "liquor"), ("neutralisation", "feed")),
        ("purified_liquor", ("neutralisation", "liquor"), ("chloride_conversion", "liquor")),
        ("sx_feed", ("chloride_conversion", "chloride"), ("separation", "feed")),
        ("filtrate_recycle", ("filtrate_split", "b"), ("chloride_conversion", "recycle")),
        ("mixed_filtrate", ("filtrate_mixer", "out"), ("filtrate_split", "feed")),
    ):
        fs.connect(name, src=src, dst=dst)
    for prod in separation.recovery_frac:
        fs.add_unit(f"oxalate_{prod}", precipitate_oxalate, params.oxalate, kind="oxalate")
        fs.add_unit(f"calcine_{prod}", calcine, params.calcination, kind="calcination")
        fs.connect(f"{prod}_solution", src=("separation", prod), dst=(f"oxalate_{prod}", "feed"))
        fs.connect(
            f"{prod}_oxalate", src=(f"oxalate_{prod}", "oxalate"), dst=(f"calcine_{prod}", "feed")
        )
        fs.connect(
            f"{prod}_filtrate", src=(f"oxalate_{prod}", "filtrate"), dst=("filtrate_mixer", prod)
        )
    if params.engineering:
        _add_engineering(fs, params, separation)
    return fs


def _add_engineering(fs: Flowsheet, params: PlantParams, separation: SeparationParams) -> None:
    """Off-gas scrubber on the bake gas, lime neutralisation of the acidic raffinate and the
    oxalate-filtrate purge, and brine handling of the SX effluent (when the SX draws reagents)."""
    fs.add_unit("offgas_scrubber", scrub_offgas, params.scrubber, kind="offgas_scrubber")
    fs.connect("bake.offgas", src=("bake", "offgas"), dst=("offgas_scrubber", "feed"))
    fs.add_unit("effluent_neutralisation", neutralise_effluent, params.effluent,
                kind="effluent_neutralisation")
    fs.connect("chloride_conversion.raffinate", src=("chloride_conversion", "raffinate"),
               dst=("effluent_neutralisation", "raffinate"))
    fs.connect("filtrate_split.a", src=("filtrate_split", "a"),
               dst=("effluent_neutralisation", "purge"))
    if separation.reagents_kg_per_h:
        fs.add_unit("brine_treatment", treat_brine, params.brine, kind="brine_treatment")
        fs.connect("separation.effluent", src=("separation", "effluent"), dst=("brine_treatment", "feed"))
