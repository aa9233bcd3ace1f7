"""Block valuation with every saleable product, mining charged once, and modifying factors.

Standard open-pit block value (Lerchs & Grossmann 1965; Whittle 1988, "Beyond optimization in open
pit design", Proc. Canadian Conf. on Computer Applications in the Mineral Industry; Hustrulid,
Kuchta & Martin 2013, *Open Pit Mine Planning and Design*, 3rd ed., §5.2), per block of ``T`` t:

    product_p (t)       = T_feed_grade · g_p · recovery_p · conversion_p          (g: mass fraction)
    revenue (USD)       = Σ_p product_p · payability_p · price_p · RF
    selling (USD)       = Σ_p product_p · selling_cost_p
    royalty (USD)       = rate · revenue                          (royalty_base = "revenue")
                        = rate · max(revenue − selling − processing, 0)   ("revenue_less_processing")
    processed value     = revenue − selling − royalty − processing_cost · T_feed − mining_cost · T
    waste value         = − mining_cost · T
    value               = max(processed, waste); the block is ore when processing pays more.

Mining is charged once, per tonne moved, on ore and waste alike; the processing cost is per tonne
of plant feed and excludes mining. ``conversion_p`` turns tonnes of the graded attribute into
tonnes of saleable product (1 for an oxide sold as oxide; 1/0.97 for acid-grade fluorspar at
97 % CaF2; 1/0.90 for drilling barite at 90 % BaSO4). ``RF`` scales prices (nested pits).

Modifying factors (JORC 2012 Clause 29 terms): ``ore_loss_frac`` l leaves ore in the pit floor or
on the waste dump; ``dilution_frac`` d adds waste at zero grade to what is sent to the plant, so
plant feed is ``T (1 − l)(1 + d)`` t carrying ``T g (1 − l)`` t of each attribute (total tonnes
moved are unchanged: dilution is waste that is mined anyway and ends up in the plant).

Tax: the pit and the schedule are valued **pre-tax**, the industry norm (Whittle 1988): income tax
depends on the whole project's depreciation and loss carry-forward, not on a block. At a flat rate
τ an after-tax objective is (1 − τ) × the pre-tax one, a positive scale that leaves the optimal pit
and the order of mining unchanged; the economics room applies tax in the DCF.

The caller passes prices, recoveries and costs (the numbers its DCF uses); this module reads no
price deck.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError

__all__ = ["Product", "BlockEconomics", "BlockValues", "block_values", "ROYALTY_BASES",
           "MAX_MINING_USD_PER_T", "MAX_PROCESSING_USD_PER_T",
           "nsr_usd_per_t", "block_values_usd", "values_by_revenue_factor", "royalty_usd"]

ROYALTY_BASES = ("revenue", "revenue_less_processing")
#: Highest costs a block valuation takes (USD/t): above them no ore pays at any price of the
#: shipped decks; a chain whose plant costs more refuses it as "no ore in the pit"
MAX_MINING_USD_PER_T = 1e4
MAX_PROCESSING_USD_PER_T = 1e5


@dataclass(frozen=True)
class Product:
    """One saleable product: ``grade_column`` (mass fraction in the block model), metallurgical
    ``recovery_frac`` of that attribute into the product, ``price_usd_per_t`` of product,
    ``payability_frac``, ``conversion_t_per_t`` (t product per t attribute recovered) and
    ``selling_cost_usd_per_t`` of product (freight, marketing, and the processing costs that
    grow with the product made, such as the reagents its REO consumes)."""

    name: str
    grade_column: str
    recovery_frac: float
    price_usd_per_t: float
    payability_frac: float = 1.0
    conversion_t_per_t: float = 1.0
    selling_cost_usd_per_t: float = 0.0

    def __post_init__(self) -> None:
        f = f"products.{self.name}"
        for key, lo, hi in (("recovery_frac", 0.0, 1.0), ("payability_frac", 0.0, 1.0),
                            ("conversion_t_per_t", 1e-6, 1e6),
                            ("price_usd_per_t", 0.0, 1e9), ("selling_cost_usd_per_t", 0.0, 1e9)):
            v = getattr(self, key)
            if not (isinstance(v, (int, float)) and np.isfinite(v) and lo <= v <= hi):
                raise InputError(f"{f}.{key}", v, f"{lo:g}..{hi:g}", "check the product")
        if not self.grade_column.endswith("_frac"):
            raise InputError(f"{f}.grade_column", self.grade_column, "a '<attr>_frac' column",
                             "name the block-model grade column (mass fraction)")


@dataclass(frozen=True)
class BlockEconomics:
    """Everything that turns grades into money. Costs in USD per tonne; fractions in 0..1."""

    products: tuple[Product, ...]
    mining_cost_usd_per_t: float
    processing_cost_usd_per_t: float
    royalty_frac: float = 0.0
    royalty_base: Literal["revenue", "revenue_less_processing"] = "revenue"

    def __post_init__(self) -> None:
        if not self.products:
            raise InputError("products", [], "at least one saleable product",
                             "pass the REO basket and the by-products the DCF sells")
        names = [p.name for p in self.products]
        if len(set(names)) != len(names):
            raise InputError("products", names, "distinct product names", "merge duplicates")
        for key, hi in (("mining_cost_usd_per_t", MAX_MINING_USD_PER_T),
                        ("processing_cost_usd_per_t", MAX_PROCESSING_USD_PER_T)):
            v = getattr(self, key)
            if not (np.isfinite(v) and 0.0 <= v <= hi):
                raise InputError(key, v, f"0..{hi:g} USD/t", "give a non-negative cost")
        if not 0.0 <= self.royalty_frac < 1.0:
            raise InputError("royalty_frac", self.royalty_frac, "0 <= rate < 1",
                             "a fraction of the royalty base")
        if self.royalty_base not in ROYALTY_BASES:
            raise InputError("royalty_base", self.royalty_base, f"one of {ROYALTY_BASES}",
                             "use the base the DCF uses")

    @property
    def grade_columns(self) -> list[str]:
        return sorted({p.grade_column for p in self.products})


@dataclass(frozen=True)
class BlockValues:
    """Per-block money (USD) if processed and if wasted, and the decision."""

    revenue_usd: np.ndarray
    selling_usd: np.ndarray
    royalty_usd: np.ndarray
    processing_usd: np.ndarray
    mining_usd: np.ndarray
    process_value_usd: np.ndarray
    waste_value_usd: np.ndarray
    value_usd: np.ndarray
    is_ore: np.ndarray
    feed_t: np.ndarray  # plant feed if processed (after ore loss and dilution)
    product_t: dict[str, np.ndarray]

    def frame(self) -> pd.DataFrame:
        out = pd.DataFrame({k: getattr(self, k) for k in (
            "revenue_usd", "selling_usd", "royalty_usd", "processing_usd", "mining_usd",
            "process_value_usd", "waste_value_usd", "value_usd", "is_ore", "feed_t")})
        for name, t in self.product_t.items():
            out[f"{name}_t"] = t
        return out


def _grade(grades: pd.DataFrame | Mapping[str, np.ndarray], col: str, n: int) -> np.ndarray:
    if col not in grades:
        have = sorted(c for c in grades if str(c).endswith("_frac"))
        raise InputError("products.grade_column", col, f"a block-model column ({have[:12]})",
                         f"add '{col}' to the block model or drop the product")
    g = np.asarray(grades[col], float)
    if g.shape != (n,) or not np.all(np.isfinite(g)) or np.any(g < 0) or np.any(g > 1):
        raise InputError(f"block_model.{col}", "NaN or outside 0..1", "mass fractions",
                         "estimate every block")
    return g


def block_values(tonnes: np.ndarray, grades: pd.DataFrame | Mapping[str, np.ndarray],
                 econ: BlockEconomics, *, dilution_frac: float = 0.0, ore_loss_frac: float = 0.0,
                 revenue_factor: float = 1.0,
                 force_waste: np.ndarray | None = None) -> BlockValues:
    """Value of every block (pure; see the module docstring for the formulas).

    ``tonnes`` (t) per block; ``grades`` maps each product's ``grade_column`` to mass fractions;
    ``dilution_frac`` and ``ore_loss_frac`` are the mining modifying factors (fractions of the ore
    tonnes); ``force_waste`` (bool per block) values those blocks as waste whatever they carry
    (e.g. Inferred material in an Ore Reserve pit, JORC 2012 Clause 29).
    """
    t = np.asarray(tonnes, float)
    n = t.size
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise InputError("tonnes", "NaN or negative", ">= 0 t per block", "fill block tonnages")
    if not (np.isfinite(revenue_factor) and revenue_factor > 0):
        raise InputError("revenue_factor", revenue_factor, "> 0", "e.g. 0.3 .. 1.5")
    for key, v in (("dilution_frac", dilution_frac), ("ore_loss_frac", ore_loss_frac)):
        if not 0.0 <= v < 1.0:
            raise InputError(key, v, "0 <= f < 1", "a fraction of the ore tonnes")
    kept_t = t * (1.0 - ore_loss_frac)
    feed = kept_t * (1.0 + dilution_frac)
    revenue, selling = np.zeros(n), np.zeros(n)
    product_t = {}
    for p in econ.products:
        made = kept_t * _grade(grades, p.grade_column, n) * p.recovery_frac * p.conversion_t_per_t
        product_t[p.name] = made
        revenue += made * p.payability_frac * p.price_usd_per_t * revenue_factor
        selling += made * p.selling_cost_usd_per_t
    processing = feed * econ.processing_cost_usd_per_t
    royalty = royalty_usd(revenue, selling, processing, rate=econ.royalty_frac,
                          base=econ.royalty_base)
    mining = t * econ.mining_cost_usd_per_t
    process_value = revenue - selling - royalty - processing - mining
    waste_value = -mining
    is_ore = process_value > waste_value
    if force_waste is not None:
        is_ore &= ~np.asarray(force_waste, bool)
    value = np.where(is_ore, process_value, waste_value)
    return BlockValues(revenue_usd=revenue, selling_usd=selling, royalty_usd=royalty,
                       processing_usd=processing, mining_usd=mining,
                       process_value_usd=process_value, waste_value_usd=waste_value,
                       value_usd=value, is_ore=is_ore, feed_t=feed, product_t=product_t)


def royalty_usd(revenue: np.ndarray, selling: np.ndarray, processing: np.ndarray, *,
                rate: float, base: str) -> np.ndarray:
    """A block's royalty: ``rate`` × revenue (``base`` "revenue"), or × the margin after selling
    and processing, never below 0 ("revenue_less_processing"). One formula for the block
    values, their revenue-factor ladder and the chain's no-ore message."""
    if base == "revenue":
        return rate * revenue
    return rate * np.maximum(revenue - selling - processing, 0.0)


def values_by_revenue_factor(tonnes: np.ndarray,
                             grades: pd.DataFrame | Mapping[str, np.ndarray],
                             econ: BlockEconomics, *, dilution_frac: float = 0.0,
                             ore_loss_frac: float = 0.0, force_waste: np.ndarray | None = None
                             ) -> Callable[[float], np.ndarray]:
    """``rf -> block_values(..., revenue_factor=rf).value_usd``, bit for bit, with the inputs
    checked and everything that does not depend on ``rf`` computed once: nested pits ask for
    the block values at tens of revenue factors (Whittle's parametric pits)."""
    base = block_values(tonnes, grades, econ, dilution_frac=dilution_frac,
                        ore_loss_frac=ore_loss_frac, force_waste=force_waste)
    kept_t = np.asarray(tonnes, float) * (1.0 - ore_loss_frac)
    n = kept_t.size
    paid = [kept_t * _grade(grades, p.grade_column, n) * p.recovery_frac * p.conversion_t_per_t
            * p.payability_frac * p.price_usd_per_t for p in econ.products]
    selling, processing, mining = base.selling_usd, base.processing_usd, base.mining_usd
    waste = None if force_waste is None else np.asarray(force_waste, bool)

    def value_at(revenue_factor: float) -> np.ndarray:
        if not (np.isfinite(revenue_factor) and revenue_factor > 0):
            raise InputError("revenue_factor", revenue_factor, "> 0", "e.g. 0.3 .. 1.5")
        revenue = np.zeros(n)
        for v in paid:  # the same products, in the same order, as block_values
            revenue += v * revenue_factor
        royalty = royalty_usd(revenue, selling, processing, rate=econ.royalty_frac,
                              base=econ.royalty_base)
        process_value = revenue - selling - royalty - processing - mining
        is_ore = process_value > -mining
        if waste is not None:
            is_ore &= ~waste
        return np.where(is_ore, process_value, -mining)

    return value_at


def products_from_mapping(items: Sequence[Mapping]) -> tuple[Product, ...]:
    """Products from plain mappings (project files, JSON)."""
    out = []
    for i, item in enumerate(items):
        try:
            out.append(Product(**dict(item)))
        except TypeError as exc:
            raise InputError(f"products[{i}]", dict(item), "name, grade_column, recovery_frac, "
                             "price_usd_per_t [, payability_frac, conversion_t_per_t, "
                             "selling_cost_usd_per_t]", str(exc)) from None
    return tuple(out)


# --------------------------------------------------------------------------- NSR form (compat)

def nsr_usd_per_t(grades: pd.DataFrame | Mapping[str, np.ndarray], prices_usd_per_kg: Mapping,
                  recoveries_frac: Mapping, *, payability_frac: Mapping | None = None,
                  selling_cost_usd_per_kg: Mapping | float = 0.0) -> np.ndarray:
    """Net revenue per tonne of ore (USD/t) from per-kg prices of species ``<sp>_frac``:
    ``Σ g·1000·recovery·payability·(price − selling)`` — :func:`block_values` of one tonne with
    no costs. Kept for callers that value in the NSR form (e.g. examples/babbitt)."""
    pays = {k.lower(): float(v) for k, v in (payability_frac or {}).items()}
    sells = (selling_cost_usd_per_kg if isinstance(selling_cost_usd_per_kg, Mapping)
             else dict.fromkeys(prices_usd_per_kg, float(selling_cost_usd_per_kg)))
    products = []
    for sp, price in prices_usd_per_kg.items():
        key = str(sp).lower().removesuffix("_frac")
        if key not in {str(k).lower().removesuffix("_frac") for k in recoveries_frac}:
            raise InputError(f"recoveries_frac.{key}", None, "0..1",
                             "give a recovery for every priced species")
        rec = {str(k).lower().removesuffix("_frac"): v for k, v in recoveries_frac.items()}[key]
        pay = pays.get(key, 1.0)
        products.append(Product(key, f"{key}_frac", float(rec), 1000.0 * float(price),
                                payability_frac=pay,
                                selling_cost_usd_per_t=1000.0 * pay * float(sells.get(sp, 0.0))))
    if not products:
        raise InputError("prices_usd_per_kg", {}, "at least one priced species",
                         "give a price for at least one species")
    cols = {str(c).lower(): c for c in grades}
    g = {p.grade_column: np.asarray(grades[cols.get(p.grade_column, p.grade_column)], float)
         for p in products if p.grade_column in cols}
    n = len(next(iter(g.values()))) if g else 0
    bv = block_values(np.ones(n), g, BlockEconomics(tuple(products), 0.0, 0.0))
    return bv.revenue_usd - bv.selling_usd


def block_values_usd(tonnes: np.ndarray, nsr_usd_per_t_: np.ndarray, *,
                     mining_cost_usd_per_t: float, processing_cost_usd_per_t: float,
                     royalty_frac: float = 0.0, revenue_factor: float = 1.0,
                     grade_frac: np.ndarray | None = None,
                     cutoff_grade_frac: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(value_usd, is_ore)`` in the NSR form: ore pays ``t·(RF·NSR·(1−royalty) − processing −
    mining)``, waste ``−t·mining``; ore by break-even or, given one, a grade cut-off."""
    econ = BlockEconomics((Product("nsr", "nsr_frac", 1.0, 0.0),), mining_cost_usd_per_t,
                          processing_cost_usd_per_t, royalty_frac)  # validates the costs
    t = np.asarray(tonnes, float)
    net = revenue_factor * np.asarray(nsr_usd_per_t_, float) * (1.0 - econ.royalty_frac) \
        - econ.processing_cost_usd_per_t
    if cutoff_grade_frac is not None:
        if grade_frac is None:
            raise InputError("grade_frac", None, "a grade array with cutoff_grade_frac",
                             "pass grade_frac (one grade per block) with cutoff_grade_frac, or "
                             "drop the cut-off")
        ore = np.asarray(grade_frac, float) >= float(cutoff_grade_frac)
    else:
        ore = net > 0.0
    return t * (np.where(ore, net, 0.0) - econ.mining_cost_usd_per_t), ore
