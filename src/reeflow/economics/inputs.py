"""The economics room's inputs: :class:`EconomicInputs`, the plain-float quantities of a plant
(products, reagents, power, residues, equipment sizes; units in the names) that
:func:`reeflow.economics.study.evaluate` prices, checked at construction (a negative tonnage, a
fractional count or a price below zero is refused with the field's name) and read-only after
it, so inputs travel unchanged to worker processes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reeflow.core.errors import InputError
from reeflow.core.numeric import REAL_TYPES
from reeflow.economics._data import read_yaml
from reeflow.economics.prices import MIXED_CONCENTRATE, NDPR_PRODUCTS
from reeflow.economics.residue_storage import ResidueStream

__all__ = ["EconomicInputs", "BRINE_HANDLING", "NDPR_OXIDES", "NON_OXIDE_PRODUCTS", "ReadOnlyDict",
           "require_positive", "require_nonneg"]

NON_OXIDE_PRODUCTS = ("CaF2 concentrate", "BaSO4 concentrate")
NDPR_OXIDES = ("Nd2O3", "Pr6O11")


class ReadOnlyDict(dict):
    """A dict that refuses item assignment (picklable, unlike MappingProxyType, so inputs and
    results travel to Dask/multiprocessing workers)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("this mapping is read-only; build a new EconomicInputs instead")

    __setitem__ = __delitem__ = _refuse  # type: ignore[assignment]
    update = pop = popitem = clear = setdefault = _refuse  # type: ignore[assignment]

    def __reduce__(self):  # pickle as a plain constructor call
        return (ReadOnlyDict, (dict(self),))


def _frozen(m: Mapping | None) -> Mapping:
    return ReadOnlyDict(m or {})


@dataclass(frozen=True)
class EconomicInputs:
    """Plain-float inputs from the flowsheet (units in the names).

    products_t_per_a : product -> t/a at full production. Oxides by formula ("La2O3", "CeO2",
        "Pr6O11", "Nd2O3", "Sm2O3", ...), "NdPr oxide", "CaF2 concentrate", "BaSO4 concentrate"
        (aliases such as "Fluorite concentrate" are mapped, see product_aliases.yaml),
        and "mixed REO concentrate" given as t/a of CONTAINED REO (with
        ``concentrate_reo_distribution``: oxide -> fraction of TREO).
    product_purity_frac : product -> purity; an oxide is paid on its contained mass (t x purity).
    reagents_t_per_a : reagent -> t/a (priced from the reagent table; unpriced -> error).
    equipment_sizes : "<area>.<item>" -> size (see ``capex_areas.yaml``/``capex_items.csv``) or
        the plant's legacy flat keys (:data:`reeflow.economics.capex.SIZE_KEYS`).
    capex_usd : optional override of the factored estimate (e.g. a peer benchmark).
    mining_cost_usd_per_t_ore : required (no sourced default; 0 if costed elsewhere).
    residue_t_per_a, residue_handling_usd_per_t : legacy residue costing, used only when
        ``residue_streams`` is empty.

    Drivers of the complete opex and of the residue facility (None = not supplied by the plant;
    the opex line is then reported ``missing``, never 0):
    operating_hours_per_a; fuel_gj_per_a (carrier -> GJ/a); water_m3_per_a (make-up);
    flotation_feed_t_per_a (``ree``/``fluorite``/``barite`` -> t/a); mill_energy_mwh_per_a;
    sx_aqueous_m3_per_a; residue_streams (:class:`ResidueStream`, incl. tailings);
    brine_handling (``evaporation_crystallisation`` | ``discharge``) and brine_m3_per_a;
    prestrip_t and mining_cost_usd_per_t_moved (pre-strip capitalised in the mining area).
    process_route, flotation_circuits : the plant's route (``plant.route``) and the flotation
    circuits it runs; the capex areas an estimate must cover follow them
    reo_capacity_t_per_a : REO output the equipment is sized for, where it is not the design
        basis's (a plant sized for a mine schedule's heaviest year); the capex per t/a REO is
        per this capacity. None: the products' REO.
    (:func:`reeflow.economics.capex.required_size_keys`; None = every area).
    """

    ore_t_per_a: float
    products_t_per_a: Mapping[str, float]
    mining_cost_usd_per_t_ore: float | None = None
    product_purity_frac: Mapping[str, float] = field(default_factory=dict)
    concentrate_reo_distribution: Mapping[str, float] = field(default_factory=dict)
    reagents_t_per_a: Mapping[str, float] = field(default_factory=dict)
    reagent_price_overrides_usd_per_t: Mapping[str, float] = field(default_factory=dict)
    power_mwh_per_a: float = 0.0
    electricity_price_usd_per_mwh: float | None = None
    equipment_sizes: Mapping[str, float] = field(default_factory=dict)
    capex_usd: float | None = None
    organic_fill_usd_per_m3: float | None = None
    headcount: float | None = None
    labour_cost_usd_per_person_a: float | None = None
    tailings_t_per_a: float | None = None
    residue_t_per_a: float = 0.0
    residue_handling_usd_per_t: float | None = None
    other_fixed_opex_usd_per_a: float = 0.0
    life_years: int | None = None
    operating_hours_per_a: float | None = None
    fuel_gj_per_a: Mapping[str, float] | None = None
    water_m3_per_a: float | None = None
    flotation_feed_t_per_a: Mapping[str, float] | None = None
    mill_energy_mwh_per_a: float | None = None
    sx_aqueous_m3_per_a: float | None = None
    residue_streams: tuple[ResidueStream, ...] = ()
    brine_handling: str | None = None
    brine_m3_per_a: float | None = None
    prestrip_t: float | None = None
    mining_cost_usd_per_t_moved: float | None = None
    process_route: str | None = None
    flotation_circuits: tuple[str, ...] | None = None
    reo_capacity_t_per_a: float | None = None

    def __post_init__(self) -> None:
        aliases = read_yaml("product_aliases.yaml")
        for name in ("products_t_per_a", "product_purity_frac"):
            given = dict(getattr(self, name) or {})
            mapped = {aliases.get(k, k): v for k, v in given.items()}
            if len(mapped) != len(given):
                raise InputError(name, sorted(given), "each product once (aliases: "
                                 f"{aliases})", "list a product under one name only")
            object.__setattr__(self, name, mapped)
        for name in ("products_t_per_a", "product_purity_frac", "concentrate_reo_distribution",
                     "reagents_t_per_a", "reagent_price_overrides_usd_per_t", "equipment_sizes"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        for name in ("fuel_gj_per_a", "flotation_feed_t_per_a"):
            v = getattr(self, name)
            if v is not None:
                for k, x in v.items():
                    require_nonneg(f"{name}.{k}", x)
                object.__setattr__(self, name, _frozen(v))
        object.__setattr__(self, "residue_streams", tuple(self.residue_streams))
        if self.flotation_circuits is not None:
            object.__setattr__(self, "flotation_circuits", tuple(self.flotation_circuits))
        require_positive("ore_t_per_a", self.ore_t_per_a)
        if not self.products_t_per_a:
            raise InputError("products_t_per_a", {}, "at least one product", "list products")
        for k, v in self.products_t_per_a.items():
            require_nonneg(f"products_t_per_a.{k}", v)
        for k, v in self.product_purity_frac.items():
            if not (isinstance(v, (int, float)) and 0 < v <= 1):
                raise InputError(f"product_purity_frac.{k}", v, "(0, 1]", "give a fraction")
        for name in ("power_mwh_per_a", "residue_t_per_a", "other_fixed_opex_usd_per_a"):
            require_nonneg(name, getattr(self, name))
        hours = self.operating_hours_per_a
        if hours is not None and (isinstance(hours, bool) or not isinstance(hours, REAL_TYPES)
                                  or not 0 < hours <= 8766):
            # 0 and 99,999 h/a gave the same NPV (fuzz round 32): a year has 8,766 hours
            raise InputError("operating_hours_per_a", hours, "in (0, 8766] h/a (a year has "
                             "8,766 hours)", "give the plant's operating hours per year, e.g. "
                             "8000")
        for name in ("operating_hours_per_a", "water_m3_per_a", "mill_energy_mwh_per_a",
                     "sx_aqueous_m3_per_a", "brine_m3_per_a", "prestrip_t",
                     "mining_cost_usd_per_t_moved", "electricity_price_usd_per_mwh",
                     "organic_fill_usd_per_m3", "labour_cost_usd_per_person_a",
                     "residue_handling_usd_per_t"):
            if getattr(self, name) is not None:  # a negative price was a credit (fuzz 34)
                require_nonneg(name, getattr(self, name))
        self._check_prices()
        if self.brine_handling not in (None, *BRINE_HANDLING):
            raise InputError("brine_handling", self.brine_handling, f"one of {BRINE_HANDLING}",
                             "choose how the brine is handled in the project file")
        if self.mining_cost_usd_per_t_ore is None:
            raise InputError("mining_cost_usd_per_t_ore", None, ">= 0 USD/t ore (no sourced "
                             "default)", "pass a mining cost, or 0 if mining is "
                             "costed elsewhere")
        require_nonneg("mining_cost_usd_per_t_ore", self.mining_cost_usd_per_t_ore)

    def _check_prices(self) -> None:
        """Reagent prices >= 0."""
        for k, v in self.reagent_price_overrides_usd_per_t.items():
            require_nonneg(f"reagent_price_overrides_usd_per_t.{k}", v)

    def reo_t_per_a(self) -> float:
        """Rare-earth oxide sold (t/a): oxides x purity + REO contained in mixed concentrate."""
        return sum(t * self._purity(p) for p, t in self.products_t_per_a.items()
                   if p not in NON_OXIDE_PRODUCTS)

    def ndpr_oxide_t_per_a(self) -> float:
        """NdPr oxide sold (t/a), including the Nd2O3 + Pr6O11 share of a mixed concentrate."""
        direct = sum(self.products_t_per_a.get(p, 0.0) * self._purity(p) for p in NDPR_PRODUCTS)
        mixed = self.products_t_per_a.get(MIXED_CONCENTRATE, 0.0)
        share = sum(self.concentrate_reo_distribution.get(o, 0.0) for o in NDPR_OXIDES)
        return direct + mixed * share

    def _purity(self, product: str) -> float:
        return float(self.product_purity_frac.get(product, 1.0))


BRINE_HANDLING = ("evaporation_crystallisation", "discharge")


def require_positive(field_: str, v: Any) -> None:
    if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
        raise InputError(field_, v, _plain("> 0", v), "give a positive number")


def require_nonneg(field_: str, v: Any) -> None:
    if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
        raise InputError(field_, v, _plain(">= 0", v), "give a non-negative number")


def _plain(bound: str, v: Any) -> str:
    """``bound``, and for text ('570 kt/a') that these fields take plain numbers in the unit
    their name carries (the line said only "> 0", fuzz round 36)."""
    return (f"a plain number {bound} in the unit the field's name carries (no unit text)"
            if isinstance(v, str) else bound)
