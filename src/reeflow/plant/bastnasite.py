"""The bastnäsite–fluorite–barite flowsheet, assembled from project parameters.

ore → comminution → beneficiation ─┬→ fluorite / barite concentrates, tailings
                                    └→ REE concentrate → H2SO4 bake → water leach (Th residue)
   → MgO neutralisation (Fe/Th cake) → transfer to chloride ←─ recycle of oxalate filtrate
   → separation (SX train or placeholder) → per product: oxalate precipitation → calcination.

The route after the purified liquor is the project's choice (``plant.route``, issue #11 item 10):
full separation (above), a mixed rare-earth carbonate sold without separation, cerium rejected
as Ce(OH)4 before the SX, or a bulk La-Ce group from the SX carbonated and stockpiled or sold.

This module only wires units; the chemistry lives in the unit functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from reeflow.core.data import read_csv
from reeflow.core.elements import atomic_mass, molar_mass, oxide_factor
from reeflow.core.errors import InputError
from reeflow.plant.chemistry import bastnasite, components_for
from reeflow.plant.flowsheet import Flowsheet, UnitResult
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
from reeflow.plant.units.routes import (
    RejectionParams,
    precipitate_carbonate,
    reject_cerium,
    reject_elements,
)

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
    balance_species: Literal["CaCO3", "SiO2"] = "CaCO3"  # the unassayed rest of the ore


def placeholder_separation(spec: SeparationSpec, ree: tuple[str, ...]) -> SeparationParams:
    """Given-split separation: each element to its product at the placeholder recovery."""
    rec = {p: {el: spec.placeholder_recovery_frac for el in els if el in ree}
           for p, els in spec.products.items()}
    return SeparationParams(ree, rec, source="placeholder splits (plant.separation)")


def ore_stream(feed: OreFeed, comp: Components) -> Stream:
    """Species flows of the run-of-mine ore; the unassayed rest is ``feed.balance_species``
    (the project's ``ore.balance_mineral``: CaCO3, reactive, or SiO2, inert)."""
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
    if feed.balance_species not in ("CaCO3", "SiO2"):
        raise InputError("ore.balance_mineral", feed.balance_species, "CaCO3 or SiO2",
                         "name the gangue that makes up the unassayed rest of the ore")
    rest = feed.ore_kg_per_h - sum(flows.values())
    if -1e-9 * feed.ore_kg_per_h <= rest < 0.0:  # grades summing to 100 %, less round-off
        rest = 0.0
    flows[feed.balance_species] = flows.get(feed.balance_species, 0.0) + rest
    return comp.stream(flows, phase="s")


@lru_cache(maxsize=1)
def reagent_water_kg_per_kg() -> dict[str, float]:
    """kg of water dosed with each kg of reagent (reeflow/data/plant/reagent_strengths.csv)."""
    t = read_csv("plant", "reagent_strengths.csv")
    return {r.reagent: (1.0 - r.mass_frac) / r.mass_frac for r in t.itertuples()}


def build_flowsheet(feed: OreFeed, params: PlantParams,
                    separation: SeparationParams) -> Flowsheet:
    """Wire the units of the bastnäsite route into a :class:`Flowsheet` (not yet solved).

    ``params`` is the project's plant section (its ``route`` picks the back end, see
    :func:`_back_end`); ``separation`` the separation unit's recovery matrix (from the designed
    SX train, or :func:`placeholder_separation`; unused by the ``mixed_carbonate`` route).
    """
    comp = components_for(tuple(feed.ree_share_frac))
    fs = Flowsheet(comp)
    if params.engineering and separation.reagents_kg_per_h:
        separation = replace(separation, reagent_water_kg_per_kg=reagent_water_kg_per_kg())
    for name, fn, p in (("comminution", comminute, params.comminution),
                        ("beneficiation", beneficiate, params.beneficiation),
                        ("bake", acid_bake, params.bake), ("leach", water_leach, params.leach),
                        ("neutralisation", neutralise, params.neutralisation)):
        fs.add_unit(name, fn, p, kind=name)
    fs.add_feed("ore", ore_stream(feed, comp), to=("comminution", "feed"))
    for name, src, dst in (
        ("ground_ore", ("comminution", "out"), ("beneficiation", "feed")),
        ("ree_concentrate", ("beneficiation", "ree_concentrate"), ("bake", "feed")),
        ("calcine", ("bake", "calcine"), ("leach", "feed")),
        ("pregnant_liquor", ("leach", "liquor"), ("neutralisation", "feed")),
    ):
        fs.connect(name, src=src, dst=dst)
    acidic = _back_end(fs, params, separation)
    if params.engineering:
        _add_engineering(fs, params, separation, acidic)
    return fs


def _back_end(fs: Flowsheet, params: PlantParams,
              separation: SeparationParams) -> list[tuple[str, tuple[str, str]]]:
    """The route after the purified liquor; returns the acidic effluents (stream, source port)
    for the lime neutralisation.

    - ``mixed_carbonate``: soda-ash precipitation of a mixed carbonate from the sulphate liquor.
    - ``cerium_rejection``: H2O2 precipitation of Ce(OH)4, then the full separation.
    - ``full_separation`` / ``la_ce_rejection``: transfer to chloride, SX, and per product
      oxalate + calcination — except the rejected La-Ce group, precipitated as a carbonate and
      split between stockpile and sale.
    """
    if params.route == "mixed_carbonate":
        fs.add_unit("carbonate_precipitation", precipitate_carbonate, params.carbonate,
                    kind="carbonate_precipitation")
        fs.connect("purified_liquor", src=("neutralisation", "liquor"),
                   dst=("carbonate_precipitation", "feed"))
        return [("carbonate_precipitation.barren", ("carbonate_precipitation", "barren"))]
    liquor = ("neutralisation", "liquor")
    if params.route == "cerium_rejection":
        fs.add_unit("cerium_rejection", reject_cerium, params.cerium_rejection,
                    kind="cerium_rejection")
        fs.connect("purified_liquor", src=liquor, dst=("cerium_rejection", "feed"))
        liquor, name = ("cerium_rejection", "liquor"), "ce_depleted_liquor"
    else:
        name = "purified_liquor"
    fs.add_unit("chloride_conversion", chloride_conversion, params.chloride_conversion,
                kind="chloride_conversion")
    fs.add_unit("separation", separate, separation, kind="separation")
    fs.connect(name, src=liquor, dst=("chloride_conversion", "liquor"))
    fs.connect("sx_feed", src=("chloride_conversion", "chloride"), dst=("separation", "feed"))
    rejected = params.la_ce_rejection.group if params.route == "la_ce_rejection" else None
    oxalated = [prod for prod in separation.recovery_frac if prod != rejected]
    for prod in oxalated:
        fs.add_unit(f"oxalate_{prod}", precipitate_oxalate, params.oxalate, kind="oxalate")
        fs.add_unit(f"calcine_{prod}", calcine, params.calcination, kind="calcination")
        fs.connect(f"{prod}_solution", src=("separation", prod), dst=(f"oxalate_{prod}", "feed"))
        fs.connect(f"{prod}_oxalate", src=(f"oxalate_{prod}", "oxalate"),
                   dst=(f"calcine_{prod}", "feed"))
    if rejected is not None and rejected in separation.recovery_frac:
        _reject_group(fs, params, rejected)
    acidic = [("chloride_conversion.raffinate", ("chloride_conversion", "raffinate"))]
    if oxalated:
        fs.add_unit("filtrate_mixer", mixer, None, kind="filtrate_mixer")
        fs.add_unit("filtrate_split", splitter, SplitterParams(params.recycle.filtrate_purge_frac),
                    kind="filtrate_split")
        for prod in oxalated:
            fs.connect(f"{prod}_filtrate", src=(f"oxalate_{prod}", "filtrate"),
                       dst=("filtrate_mixer", prod))
        fs.connect("mixed_filtrate", src=("filtrate_mixer", "out"), dst=("filtrate_split", "feed"))
        fs.connect("filtrate_recycle", src=("filtrate_split", "b"),
                   dst=("chloride_conversion", "recycle"))
        acidic.append(("filtrate_split.a", ("filtrate_split", "a")))
    return acidic


def _reject_group(fs: Flowsheet, params: PlantParams, group: str) -> None:
    """The rejected group's solution → soda-ash carbonate → stockpile / sold split."""
    r = params.la_ce_rejection
    fs.add_unit(f"carbonate_{group}", precipitate_carbonate, r.carbonate,
                kind="carbonate_precipitation")
    fs.add_unit(f"{group}_disposition", _stockpile_split,
                RejectionParams(reject_frac=dict(r.stockpile_frac)), kind="stockpile_split")
    fs.connect(f"{group}_solution", src=("separation", group), dst=(f"carbonate_{group}", "feed"))
    fs.connect(f"{group}_carbonate", src=(f"carbonate_{group}", "carbonate_product"),
               dst=(f"{group}_disposition", "feed"))


def _stockpile_split(inlets: Mapping[str, Stream], params: RejectionParams) -> UnitResult:
    """:func:`reject_elements` with its ports named for a solid product: ``stockpile``, ``sold``."""
    res = reject_elements(inlets, params)
    return UnitResult({"stockpile": res.outlets["rejected"], "sold": res.outlets["liquor"]})


def _add_engineering(fs: Flowsheet, params: PlantParams, separation: SeparationParams,
                     acidic: list[tuple[str, tuple[str, str]]]) -> None:
    """Off-gas scrubber on the bake gas, lime neutralisation of the acidic effluents (raffinate,
    oxalate-filtrate purge, carbonate barren liquor), and brine handling of the SX effluent and
    of the rejected group's carbonate barren liquor (when the SX draws reagents)."""
    fs.add_unit("offgas_scrubber", scrub_offgas, params.scrubber, kind="offgas_scrubber")
    fs.connect("bake.offgas", src=("bake", "offgas"), dst=("offgas_scrubber", "feed"))
    fs.add_unit("effluent_neutralisation", neutralise_effluent, params.effluent,
                kind="effluent_neutralisation")
    for k, (name, src) in enumerate(acidic):
        fs.connect(name, src=src, dst=("effluent_neutralisation", f"in{k}"))
    if params.has_separation and separation.reagents_kg_per_h:
        fs.add_unit("brine_treatment", treat_brine, params.brine, kind="brine_treatment")
        fs.connect("separation.effluent", src=("separation", "effluent"),
                   dst=("brine_treatment", "feed"))
        group = params.la_ce_rejection.group
        if params.route == "la_ce_rejection" and group in separation.recovery_frac:
            fs.connect(f"carbonate_{group}.barren", src=(f"carbonate_{group}", "barren"),
                       dst=("brine_treatment", "carbonate_barren"))
