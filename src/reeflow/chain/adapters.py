"""The one place that knows two rooms' vocabularies.

Every conversion between rooms happens here, as a pure function of typed inputs:

- project ore / a mine-schedule row → the plant's :class:`~reeflow.plant.bastnasite.OreFeed`;
- a solved design-basis plant + the economics cost basis → the mine room's block valuation
  (prices per kg of contained species, recoveries, processing cost, royalty);
- the plant solved each year → the economics room's :class:`YearQuantities`;
- the plant's products → the market room's oxide tonnages;
- the deposit's block model → the mine room's block model (grade columns as ``<species>_frac``).

Names: the deposit and mine rooms key species by lower-case oxide (``nd2o3``, ``caf2``); the plant
keys elements (``Nd``) and sale names (``NdPr oxide``); economics keys products by sale name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from reeflow.core.elements import REE, oxide_formula
from reeflow.core.errors import InputError
from reeflow.plant.summary import MIXED_SALE

#: Sale name of each by-product concentrate, by its mineral.
BYPRODUCT_SALE = {"CaF2": "CaF2 concentrate", "BaSO4": "BaSO4 concentrate"}

__all__ = ["BYPRODUCT_SALE", "species_key", "ore_feed", "feed_from_schedule", "BlockValuation",
           "block_valuation", "year_quantities", "oxide_tonnages", "ORE_GANGUE"]

#: Non-REE grade attributes the plant feed carries: (ore-section field, species key).
ORE_GANGUE = (("tho2_grade_frac", "tho2"), ("caf2_grade_frac", "caf2"),
              ("baso4_grade_frac", "baso4"), ("fe2o3_grade_frac", "fe2o3"),
              ("sio2_grade_frac", "sio2"))


def species_key(element: str) -> str:
    """Block-model species key of an element's reporting oxide (``Nd`` → ``nd2o3``)."""
    return oxide_formula(element).lower()


def ore_feed(project: Any, *, ore_t_per_a: float | None = None,
             grades_frac: Mapping[str, float] | None = None) -> Any:
    """The plant feed at the design basis (the project's ``ore`` section), or at a given rate
    and set of grades (``treo`` and species keys such as ``nd2o3``, ``caf2``; a missing
    attribute takes the project's design value)."""
    from reeflow.plant.bastnasite import OreFeed

    ore = project.ore
    hours = project.plant.operating_hours_h_per_a
    rate = ore.throughput_t_per_a if ore_t_per_a is None else ore_t_per_a
    treo, shares, mineral, gangue, _ = _feed_grades(ore, dict(grades_frac or {}))
    _check_feed_fits(mineral, gangue, ore_t_per_a is not None)
    return OreFeed(ore_kg_per_h=rate * 1000.0 / hours, treo_frac=treo, ree_share_frac=shares,
                   tho2_frac=gangue["tho2_grade_frac"], caf2_frac=gangue["caf2_grade_frac"],
                   baso4_frac=gangue["baso4_grade_frac"], fe2o3_frac=gangue["fe2o3_grade_frac"],
                   sio2_frac=gangue["sio2_grade_frac"], balance_species=ore.balance_mineral)


def _ree_mineral_frac(treo: float, shares: Mapping[str, float]) -> float:
    """Mass fraction of the ore that is rare-earth mineral (bastnäsite) at ``treo``."""
    from reeflow.plant.chemistry import bastnasite_per_reo

    total = sum(shares.values()) or 1.0
    return sum(treo * s / total * bastnasite_per_reo(el) for el, s in shares.items())


def _gangue(ore: Any, g: Mapping[str, float], mineral: float
            ) -> tuple[dict[str, float], float]:
    """Non-REE grades of a feed: the schedule's where it has them, else the project file's.

    The project file's grades are the ore's average; the balance mineral fills the rest of a
    richer feed. Where the feed is so rich that no rest is left (a grade what-if on a
    gangue-rich ore, e.g. 90 % barite, iron oxide and quartz), the project file's minerals
    give way pro rata to what the rare-earth mineral and the scheduled grades leave, so the
    feed stays within the ore's mass (continuous: the factor is 1 where the rest reaches 0).
    Returns the grades and that factor (the consistency checks name a year below 1)."""
    given = {field: float(g[key]) for field, key in ORE_GANGUE if key in g}
    taken = {field: float(getattr(ore, field)) for field, _ in ORE_GANGUE if field not in given}
    room = 1.0 - mineral - sum(given.values())
    spread = sum(taken.values())
    f = max(room, 0.0) / spread if spread > room and spread > 0 else 1.0
    taken = {k: v * f for k, v in taken.items()}
    return ({field: given[field] if field in given else taken[field] for field, _ in ORE_GANGUE},
            f)


def gangue_factor(project: Any, row: Mapping[str, Any]) -> float:
    """The factor the project file's non-REE minerals take in a schedule row's feed (1: as
    written; below 1: trimmed pro rata for the rare-earth mineral, see :func:`ore_feed`)."""
    return _feed_grades(project.ore, feed_from_schedule(row))[4]


def _feed_grades(ore: Any, g: Mapping[str, float]
                 ) -> tuple[float, dict[str, float], float, dict[str, float], float]:
    """A feed's TREO grade, REE shares, rare-earth mineral fraction, non-REE grades and the
    factor the project file's minerals take (:func:`_gangue`), from the grades ``g``."""
    treo, shares = _treo_and_shares(ore, g)
    mineral = _ree_mineral_frac(treo, shares)
    gangue, factor = _gangue(ore, g, mineral)
    return treo, shares, mineral, gangue, factor


def _treo_and_shares(ore: Any, g: Mapping[str, float]) -> tuple[float, dict[str, float]]:
    """A feed's TREO grade and REE shares (summing to 1): the grades' where they carry every
    oxide of the ore's elements, else the project file's (:attr:`Ore.ree_shares_frac`)."""
    treo = float(g.get("treo", ore.treo_grade_frac))
    shares = ore.ree_shares_frac
    keys = [species_key(el) for el in shares]
    if all(k in g for k in keys):
        total = sum(max(float(g[k]), 0.0) for k in keys)
        if total > 0:
            shares = {el: max(float(g[species_key(el)]), 0.0) / total for el in shares}
    return treo, shares


def _check_feed_fits(mineral: float, gangue: Mapping[str, float], from_schedule: bool) -> None:
    """Refuse a feed whose minerals (the rare-earth ``mineral`` fraction and the ``gangue``
    grades) exceed the ore mass (the balance mineral would go negative), naming where the
    grades came from."""
    minerals = mineral + sum(gangue.values())
    if minerals > 1.0 + 1e-9:
        where = "mine.schedule (the block model's grades)" if from_schedule else "ore"
        parts = ", ".join(f"{k.removesuffix('_grade_frac')} {v:.1%}" for k, v in gangue.items())
        fix = ("the blocks' grades come from the deposit: with drillholes, check the grade "
               "columns and their units (deposit.grades); with a synthetic deposit, its CaF2 "
               "and BaSO4 come from its parameters file (deposit.synthetic.parameters_file) "
               "and its mean TREO and ThO2 from ore.treo_grade and ore.tho2_grade, so lower "
               "those or give a parameters file with less CaF2 and BaSO4") if from_schedule \
            else "lower the ore section's grades so that they fit in the ore"
        raise InputError(where, f"minerals {minerals:.1%} of the ore ({parts}, bastnäsite "
                         f"{mineral:.1%})", "grades that fit in the ore (<= 100 %)", fix)


def feed_from_schedule(row: Mapping[str, Any]) -> dict[str, float]:
    """Grades of a mine-schedule row keyed for :func:`ore_feed` (``treo``, ``nd2o3``, ``caf2`` …).

    Schedule columns are ``<species>_frac`` (tonnage-weighted feed grades)."""
    out = {}
    for col, v in row.items():
        if isinstance(col, str) and col.endswith("_frac") and v is not None and np.isfinite(v):
            key = col[: -len("_frac")]
            if key == "head_grade_treo":
                key = "treo"
            out[key] = float(v)
    return out


#: the royalty bases the DCF and the block valuation know (``economics.fiscal.royalty_base``)
RoyaltyBase = Literal["revenue", "revenue_less_processing"]


@dataclass(frozen=True)
class BlockValuation:
    """What the mine room needs to value a block: prices per kg of contained species (already
    net of payability), metallurgical recoveries ore → saleable product, costs and royalty."""

    prices_usd_per_kg: Mapping[str, float]
    recoveries_frac: Mapping[str, float]
    processing_cost_usd_per_t: float
    mining_cost_usd_per_t: float
    royalty_frac: float
    discount_rate: float
    notes: tuple[str, ...] = ()
    #: the grade-dependent part of the processing cost, USD per kg of each species recovered
    #: (:func:`reeflow.chain.econ_steps.processing_costs`; none: all of it per t of ore)
    product_cost_usd_per_kg: Mapping[str, float] = field(default_factory=dict)
    #: the DCF's royalty base (``economics.fiscal.royalty_base``): on revenue, or on revenue
    #: less processing (the pit took every royalty on revenue, an upper bound that a 20 %
    #: profit royalty made material: an unseen-project check, stop 40)
    royalty_base: RoyaltyBase = "revenue"


def block_valuation(products: Sequence[Mapping[str, Any]], feed_element_t: Mapping[str, float],
                    feed_mineral_t: Mapping[str, float], value_usd_per_t: Mapping[str, float],
                    *, processing_cost_usd_per_t: float, mining_cost_usd_per_t: float,
                    royalty_frac: float, discount_rate: float,
                    royalty_base: RoyaltyBase = "revenue") -> BlockValuation:
    """Block valuation from the design-basis plant (same prices, payability and recoveries as
    the DCF).

    ``products``: the plant's product rows (kind oxide/byproduct with ``sale_name``, ``t_per_a``,
    ``purity_frac``, ``recovery_by_element_frac``, ``main_species``); ``value_usd_per_t``: the
    economics cost basis' USD per t of each sold product (price × purity × payability).
    An oxide product's value is spread over the oxides it is paid on, per kg of contained oxide;
    a mixed REE concentrate's (kind ``concentrate``, or a mixed SX group sold as one; sold on
    contained REO) evenly over its contained REO; a by-product concentrate's over its mineral
    (USD per kg of mineral in the ore × recovery). An element reaching several products gets
    their summed recovery and the recovery-weighted price.
    """
    prices: dict[str, float] = {}
    recs: dict[str, float] = {}
    parts: dict[str, list[tuple[float, float]]] = {}
    for row in products:
        if row["kind"] == "oxide" and row.get("sale_name") != MIXED_SALE:
            _oxide_valuation(row, value_usd_per_t, parts)
        elif row["kind"] in ("concentrate", "oxide"):  # sold on contained REO (mixed)
            usd_per_kg = value_usd_per_t.get(str(row.get("sale_name")), 0.0) / 1e3
            for el, rec in row["recovery_by_element_frac"].items():
                parts.setdefault(species_key(el), []).append((usd_per_kg, float(rec)))
        elif row["kind"] == "byproduct":
            mineral = str(row["main_species"])
            sale = BYPRODUCT_SALE.get(mineral, str(row["name"]))
            fed = feed_mineral_t.get(mineral, 0.0)
            if sale not in value_usd_per_t or fed <= 0 or row["t_per_a"] <= 0:
                continue
            key = mineral.lower()
            recs[key] = min(1.0, row["t_per_a"] * row["purity_frac"] / fed)
            prices[key] = value_usd_per_t[sale] / (row["purity_frac"] * 1e3)
    for key, pr in parts.items():
        rec = sum(r for _, r in pr)
        recs[key] = rec
        prices[key] = sum(p * r for p, r in pr) / rec if rec > 0 else 0.0
    notes = ("block values are pre-tax (pit optimisation convention); the royalty is taken on "
             + ("revenue, as the DCF charges it" if royalty_base == "revenue" else
                "revenue less selling and processing costs, an upper bound on the DCF's, "
                "which also deducts depreciation"),)
    return BlockValuation(prices, recs, processing_cost_usd_per_t, mining_cost_usd_per_t,
                          royalty_frac, discount_rate, notes, royalty_base=royalty_base)


def _oxide_valuation(row: Mapping[str, Any], value_usd_per_t: Mapping[str, float],
                     parts: dict[str, list[tuple[float, float]]]) -> None:
    """Price and recovery of each element of an oxide product's group (its own product only)."""
    sale = str(row.get("sale_name") or row.get("name"))
    paid = _paid_oxides(row)
    contained_t = sum(row["t_per_a"] * row["composition_frac"].get(ox, 0.0) for ox in paid)
    usd_per_kg = value_usd_per_t.get(sale, 0.0) * row["t_per_a"] / (contained_t * 1e3) \
        if contained_t > 0 else 0.0
    for el in row.get("group") or []:
        parts.setdefault(species_key(el), []).append(
            (usd_per_kg if oxide_formula(el) in paid else 0.0,
             float(row["recovery_by_element_frac"].get(el, 0.0))))


def _paid_oxides(row: Mapping[str, Any]) -> set[str]:
    """Oxides a separated product is paid on: NdPr on Nd2O3 + Pr6O11; a single-element product
    on its oxide (a mixed group is sold as a mixed concentrate, :mod:`reeflow.plant.summary`)."""
    group = list(row.get("group") or [])
    if set(group) == {"Pr", "Nd"}:
        return {"Nd2O3", "Pr6O11"}
    if len(group) == 1:
        return {oxide_formula(group[0])}
    return {str(row.get("main_species"))}


def year_quantities(plant_years: Sequence[Any], schedule: pd.DataFrame) -> Any:
    """The economics room's yearly quantities from the plant solved at each schedule year."""
    from reeflow.economics.annual import YearQuantities

    names_p = sorted({k for y in plant_years for k in y.products_t})
    names_r = sorted({k for y in plant_years for k in y.reagents_t})
    mined = schedule["mined_t"].to_numpy(float) if "mined_t" in schedule else \
        schedule["ore_t"].to_numpy(float)
    return YearQuantities(
        ore_t=np.array([y.ore_t for y in plant_years]), mined_t=np.nan_to_num(mined),
        head_grade_treo_frac=np.array([y.head_grade_treo_frac for y in plant_years]),
        reo_t=np.array([y.reo_t for y in plant_years]),
        products_t={k: np.array([y.products_t.get(k, 0.0) for y in plant_years])
                    for k in names_p},
        reagents_t={k: np.array([y.reagents_t.get(k, 0.0) for y in plant_years])
                    for k in names_r},
        power_mwh=np.array([y.power_mwh for y in plant_years]),
        residue_t=np.array([y.residue_t for y in plant_years]),
        tailings_t=np.array([y.tailings_t for y in plant_years]),
        fuel_gj={"natural gas": np.array([y.fuel_gj for y in plant_years])},
        water_m3=np.array([y.water_m3 for y in plant_years]),
        flotation_feed_t=_circuits(plant_years),
        mill_energy_mwh=_driver(plant_years, "mill_energy_mwh"),
        sx_aqueous_m3=_driver(plant_years, "sx_aqueous_m3"),
        brine_m3=_driver(plant_years, "brine_m3"),
        chemical_residue_t=np.array([y.chemical_residue_t for y in plant_years]),
        rehandle_usd=np.nan_to_num(schedule["rehandle_usd"].to_numpy(float))
        if "rehandle_usd" in schedule else None)


def _driver(plant_years: Sequence[Any], name: str) -> np.ndarray | None:
    """A yearly opex driver: 0 in years without ore, None when no year with ore has it (the
    route has no such driver: the economics room reports the item missing, never 0)."""
    vals = [getattr(y, name) for y in plant_years]
    if all(v is None for y, v in zip(plant_years, vals, strict=True) if y.ore_t > 0):
        return None
    return np.array([0.0 if y.ore_t <= 0 else (np.nan if v is None else float(v))
                     for y, v in zip(plant_years, vals, strict=True)])


def _circuits(plant_years: Sequence[Any]) -> dict[str, np.ndarray] | None:
    names = sorted({c for y in plant_years for c in y.flotation_feed_t})
    if not names:
        return None
    return {c: np.array([y.flotation_feed_t.get(c, 0.0) for y in plant_years]) for c in names}


def oxide_tonnages(products: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Separated oxide tonnes by reporting oxide (for the market room)."""
    out: dict[str, float] = {}
    for row in products:
        if row["kind"] != "oxide":
            continue
        for ox, frac in row["composition_frac"].items():
            if ox in {oxide_formula(el) for el in REE}:
                out[ox] = out.get(ox, 0.0) + row["t_per_a"] * frac
    return out


def treo_of_species(grades: Mapping[str, float]) -> float:
    """TREO (mass fraction) of species grades keyed by oxide (``nd2o3`` …)."""
    return sum(float(v) for k, v in grades.items()
               if k in {species_key(el) for el in REE})

