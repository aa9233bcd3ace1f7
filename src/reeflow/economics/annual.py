"""The annual cash flow of a project whose quantities change year by year.

A mine plan feeds the plant a different tonnage and grade each year; the plant solved at each
year's feed makes different tonnages of products and draws different reagents, power, fuel and
water. :func:`evaluate_annual` prices each year with the same functions :func:`evaluate` uses at
full production — the revenue table (deck prices × purity × payability) and the complete opex
table (every item with its driver and rate) — while the capital estimate, the residue facility
and the fiscal terms come from the design basis it is given (the plant is built once; the study
chain gives it the plant sized for the schedule's heaviest year), and the closure from the design
basis with its residue-storage part scaled to the scheduled ore (:func:`closure_usd`):

1. :func:`reeflow.economics.study.build_base` at the design basis (capex by area, storage,
   closure, fiscal and schedule terms);
2. per production year: the revenue table and the opex table of that year's quantities;
3. :func:`reeflow.economics.dcf.annual_cash_flows`, NPV, IRR, paybacks (from the start of
   construction and from first production), pre-tax figures and, with debt terms, the levered
   figures and DSCR.

At constant quantities equal to the design basis, NPV and IRR equal :func:`evaluate`'s (a test).
Cash-flow conventions: Newnan, Eschenbach & Lavelle, *Engineering Economic Analysis*, ch. 5–7, 12.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.data import MISSING
from reeflow.core.errors import InputError
from reeflow.economics import dcf
from reeflow.economics.benchmark import benchmark_plant
from reeflow.economics.cost_index import cepci
from reeflow.economics.inputs import EconomicInputs
from reeflow.economics.params import EconomicsParams
from reeflow.economics.prices import load_deck
from reeflow.economics.study import (
    _cross_check,
    _kpis,
    _levered,
    _revenue_table,
    build_base,
    opex_by_kind,
    opex_rows_of,
    purchased_t_of,
    revenue_rows,
)

__all__ = ["Scales", "YearQuantities", "AnnualEconomics", "evaluate_annual", "DesignBasis",
           "design_basis", "breakeven_multiplier", "breakeven_ndpr_multiplier", "cash_flows",
           "REVENUE_CLASSES", "charged_fixed", "lom_kpis", "ndpr_share", "operating_frac",
           "processing_usd_per_t_ore_of"]

_BYPRODUCTS = ("CaF2 concentrate", "BaSO4 concentrate")


@dataclass(frozen=True)
class Scales:
    """Multipliers (1 = the deck / the estimate) on prices and costs, for sensitivities."""

    ndpr: float = 1.0
    other: float = 1.0
    byproduct: float = 1.0
    capex: float = 1.0
    opex: float = 1.0


@dataclass(frozen=True)
class YearQuantities:
    """Quantities of each production year (arrays of one length, one entry per year).

    Optional drivers (fuel, water, flotation feed, mill energy, SX aqueous volume, brine) are
    None when the plant does not supply them; the opex item is then reported missing.
    """

    ore_t: np.ndarray
    mined_t: np.ndarray
    head_grade_treo_frac: np.ndarray
    reo_t: np.ndarray
    products_t: Mapping[str, np.ndarray]
    reagents_t: Mapping[str, np.ndarray]
    power_mwh: np.ndarray
    residue_t: np.ndarray
    tailings_t: np.ndarray
    fuel_gj: Mapping[str, np.ndarray] | None = None
    water_m3: np.ndarray | None = None
    flotation_feed_t: Mapping[str, np.ndarray] | None = None
    mill_energy_mwh: np.ndarray | None = None
    sx_aqueous_m3: np.ndarray | None = None
    brine_m3: np.ndarray | None = None
    #: every hydrometallurgical residue but tailings (``residue_t`` is its radioactive part)
    chemical_residue_t: np.ndarray | None = None
    #: the mine plan's stockpile rehandling cost of each year, USD (None: no stockpile); charged
    #: with mining, as the schedule that chose the reclaim charged it
    rehandle_usd: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.ore_t)
        if n < 1:
            raise InputError("schedule", n, "at least one production year",
                             "the mine plan sends no ore to the plant: check prices and costs")
        arrays = [self.mined_t, self.head_grade_treo_frac, self.reo_t, self.power_mwh,
                  self.residue_t, self.tailings_t, *self.products_t.values(),
                  *self.reagents_t.values(),
                  *([] if self.rehandle_usd is None else [self.rehandle_usd])]
        if any(len(a) != n for a in arrays):
            raise InputError("year quantities", n, "arrays of one length",
                             "give every yearly quantity one value per production year")

    @property
    def n_years(self) -> int:
        return len(self.ore_t)


@dataclass(frozen=True)
class DesignBasis:
    """The design-basis evaluation (full production): what is built once and priced once."""

    inputs: EconomicInputs
    params: EconomicsParams
    base: Any
    parts: Mapping[str, Any]
    assumptions: Mapping[str, Any]
    deck: Any
    scales: Scales
    mining_usd_per_t_moved: float | None

    @property
    def capex_usd(self) -> float:
        return float(self.base.capex_usd) * self.scales.capex

    def product_usd_per_t(self, deck: Any = None) -> dict[str, float]:
        """Net value of a tonne of each product sold (price × purity × payability × scale), at
        the design deck or at ``deck`` (a :class:`reeflow.economics.prices.PriceDeck`)."""
        rev = self.parts["revenue"] if deck is None or deck is self.deck else \
            _revenue_table(self.inputs, deck, self.params)
        out = {}
        for _, r in rev.iterrows():
            v = r["price_usd_per_kg"] * 1000.0 * r["purity_frac"] * r["payability_frac"]
            out[str(r["product"])] = v * _scale(self.scales, str(r["product"]),
                                                ndpr_share(r))
        return out

    def product_usd_per_t_by_year(self, n_years: int) -> list[dict[str, float]]:
        """:meth:`product_usd_per_t` of each production year on its period's deck."""
        cache: dict[int, dict[str, float]] = {}
        out = []
        for _, deck in self.price_path(n_years):
            if id(deck) not in cache:
                cache[id(deck)] = self.product_usd_per_t(deck)
            out.append(cache[id(deck)])
        return out

    def price_path(self, n_years: int) -> list[tuple[str, Any]]:
        """(period name, price deck) of each of ``n_years`` production years: the params'
        ``price_periods`` in order, then the study deck (``life of mine``)."""
        out: list[tuple[str, Any]] = []
        for period in self.params.price_periods:
            deck = self.deck if period.deck is None else \
                load_deck(period.deck).to_year(self.params.currency_year, cepci())
            if period.prices:
                deck = deck.with_prices(dict(period.prices), name=f"{deck.name}+{period.name}",
                                        source=f"price period '{period.name}' (project file)")
            out += [(period.name, deck)] * int(period.production_years)
        out += [("life of mine", self.deck)] * max(0, n_years - len(out))
        return out[:n_years]

    def processing_usd_per_t_ore(self) -> float:
        """Design-basis opex per tonne of ore, mining excluded (for the block valuation)."""
        opx = self.parts["opex"]
        usd = opx["usd_per_a"].fillna(0.0)
        mining = float(usd[opx["item"] == "mining (contract)"].sum())
        return (float(usd.sum()) - mining) * self.scales.opex / self.inputs.ore_t_per_a


def ndpr_share(row: Any) -> float:
    """The part of a revenue-table row's value the NdPr price carries (0 where it sells for
    nothing): a separated NdPr oxide 1, a mixed concentrate its NdPr-linked fraction."""
    return float(row["ndpr_linked_usd_per_a"] / row["usd_per_a"]) if row["usd_per_a"] > 0 else 0.0


def _scale(s: Scales, product: str, share: float) -> float:
    if product in _BYPRODUCTS:
        return s.byproduct
    return share * s.ndpr + (1.0 - share) * s.other


def scaled_revenue(table: pd.DataFrame, scales: Scales) -> pd.DataFrame:
    """The design basis's revenue table at the prices the cash flow charges: each row's price
    and revenue times its multiplier (:func:`_scale`: the NdPr-linked part times
    ``price_scale_ndpr``, the rest times ``price_scale_other``, a by-product times
    ``price_scale_byproduct``; a contract price is scaled as a deck's), the multiplier in
    ``price_scale``. The table had shown the deck's prices while the cash flow and the
    summary's revenue used the scaled ones (176.2 against 193.8 MUSD/a, fuzz round 30)."""
    if table.empty or not {"product", "usd_per_a", "ndpr_linked_usd_per_a"} <= set(table):
        return table
    out = table.copy()
    k = [_scale(scales, str(r["product"]), ndpr_share(r)) for _, r in table.iterrows()]
    out["price_scale"] = k
    for col in ("price_usd_per_kg", "usd_per_a"):
        if col in out:  # usd_per_a always is; a price per kg only in the design basis's table
            out[col] = out[col] * out["price_scale"]
    out["ndpr_linked_usd_per_a"] = out["ndpr_linked_usd_per_a"] * scales.ndpr
    return out


def design_basis(inputs: EconomicInputs, params: EconomicsParams, *, deck: str | None = None,
                 scales: Scales = Scales(), mining_usd_per_t_moved: float | None = None,
                 life_years: int | None = None) -> DesignBasis:
    """The design-basis evaluation of ``inputs`` (see the module docstring)."""
    inp = inputs if life_years is None else replace(inputs, life_years=int(life_years))
    base, parts, assumptions, pdeck = build_base(inp, params=params, deck=deck)
    return DesignBasis(inp, params, base, parts, assumptions, pdeck, scales,
                       mining_usd_per_t_moved)


@dataclass(frozen=True)
class AnnualEconomics:
    """The annual cash flow (table by project year) and its headline figures."""

    table: pd.DataFrame
    npv_usd: Mapping[float, float]
    irr_frac: float
    npv_pre_tax_usd: Mapping[float, float]
    irr_pre_tax_frac: float
    payback_years: float
    payback_from_first_production_years: float
    capex_usd: float
    closure_usd: float
    unit_cost_usd_per_kg_reo: float
    unit_cost_usd_per_kg_ndpr: float
    revenue_by_product_usd: Mapping[str, float]
    levered: Mapping[str, Any] | None
    kpis: Mapping[str, float]
    benchmark: pd.DataFrame | None
    opex_missing: tuple[str, ...]
    capex_cross_check: Mapping[str, Any] | None
    headline_rate_frac: float
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: the same figures as ``kpis`` on the design basis (the project file's grade at
    #: nameplate); ``kpis`` are over the life of mine (:func:`lom_kpis`)
    design_kpis: Mapping[str, float] = field(default_factory=dict)


def _year_inputs(d: DesignBasis, q: YearQuantities, i: int) -> EconomicInputs:
    """The design-basis inputs with year ``i``'s quantities."""
    ore = float(q.ore_t[i])
    mining = d.inputs.mining_cost_usd_per_t_ore
    if d.mining_usd_per_t_moved is not None:
        mining = d.mining_usd_per_t_moved * float(q.mined_t[i]) / ore if ore > 0 else 0.0
    if q.rehandle_usd is not None and ore > 0 and mining is not None:
        mining += float(q.rehandle_usd[i]) / ore

    def pick(m: Mapping[str, np.ndarray] | None) -> dict[str, float] | None:
        return None if m is None else {k: float(v[i]) for k, v in m.items()}

    def one(a: np.ndarray | None) -> float | None:
        return None if a is None else float(a[i])

    return replace(
        d.inputs, ore_t_per_a=ore, mining_cost_usd_per_t_ore=mining,
        products_t_per_a={k: float(v[i]) for k, v in q.products_t.items()},
        reagents_t_per_a={k: float(v[i]) for k, v in q.reagents_t.items()},
        power_mwh_per_a=float(q.power_mwh[i]), residue_t_per_a=float(q.residue_t[i]),
        tailings_t_per_a=float(q.tailings_t[i]), fuel_gj_per_a=pick(q.fuel_gj),
        water_m3_per_a=one(q.water_m3), flotation_feed_t_per_a=pick(q.flotation_feed_t),
        mill_energy_mwh_per_a=one(q.mill_energy_mwh), sx_aqueous_m3_per_a=one(q.sx_aqueous_m3),
        brine_m3_per_a=one(q.brine_m3))


def _year_money(d: DesignBasis, q: YearQuantities) -> dict[str, np.ndarray]:
    """Revenue (total, NdPr-linked and by-product), variable and fixed opex and mining cost of
    every year; each year priced on its period's deck (:meth:`DesignBasis.price_path`). Also
    each year's REO and NdPr oxide sold (t) and reagents bought (t), the life-of-mine
    figures' denominators and numerator (:func:`lom_kpis`)."""
    n = q.n_years
    out = {k: np.zeros(n) for k in ("revenue", "ndpr", "byproduct", "variable", "fixed",
                                    "mining", "reo_t", "ndpr_t", "purchased_t")}
    index = cepci()
    storage = d.parts.get("storage")
    path = d.price_path(n)
    for i in range(n):
        inp = _year_inputs(d, q, i)
        rev = revenue_rows(inp, path[i][1], d.params)  # rows, not a table a year
        products = [str(r["product"]) for r in rev]
        share = [ndpr_share(r) for r in rev]
        scaled = [float(r["usd_per_a"]) * _scale(d.scales, p, s)
                  for r, p, s in zip(rev, products, share, strict=True)]
        out["revenue"][i] = sum(scaled)
        out["byproduct"][i] = sum(v for v, p in zip(scaled, products, strict=True)
                                  if p in _BYPRODUCTS)
        out["ndpr"][i] = sum(v * s * d.scales.ndpr / max(_scale(d.scales, p, s), 1e-300)
                             for v, s, p in zip(scaled, share, products, strict=True))
        rows = opex_rows_of(inp, d.params, out["revenue"][i], float(d.base.capex_usd),
                            float(d.parts["direct_usd"]), storage, index)  # no table a year
        for kind, usd in opex_by_kind(rows, d.scales.opex).items():
            out[kind][i] = usd
        out["reo_t"][i] = inp.reo_t_per_a()
        out["ndpr_t"][i] = inp.ndpr_oxide_t_per_a()
        out["purchased_t"][i] = purchased_t_of((r[0], r[4], r[2]) for r in rows)
    return out


#: a final year within this relative round-off of the heaviest year's ore runs all year
_FULL_YEAR_REL = 1e-9


def operating_frac(ore_t: np.ndarray) -> np.ndarray:
    """The share of each production year the plant runs: 1, but in the final year whose ore
    falls short of the heaviest year's, ore / heaviest. The plant is built for its heaviest
    year and runs at that rate until the ore is out, then closes: its fixed costs (labour,
    maintenance, insurance, G&A) stop with it, and closure follows. A final year of 0.1 Mt
    paid a whole year's fixed opex before (61 MUSD against 16 MUSD of revenue on a 0.7 %
    TREO project, fuzz round 17). Ramp-up years run all year at a lower rate: 1.

    The yearly money (:func:`_year_money`) stays each year's full-year rates, affine in the
    year's quantities (the Monte Carlo's fast path models it so); the cash flow
    (:func:`cash_flows`), the life-of-mine figures (:func:`lom_kpis`) and the fast path's cash
    flow (:mod:`reeflow.risk.fast`) charge the fixed part times this share
    (:func:`charged_fixed`)."""
    ore = np.asarray(ore_t, dtype=float)
    out = np.ones(ore.size)
    fed = np.flatnonzero(ore > 0)
    if fed.size:
        last, top = int(fed[-1]), float(ore.max())
        if ore[last] < top * (1.0 - _FULL_YEAR_REL):
            out[last] = float(ore[last]) / top
    return out


def charged_fixed(fixed_usd: np.ndarray, ore_t: np.ndarray) -> np.ndarray:
    """The fixed opex a cash flow charges: each year's full-year fixed costs times the share
    of the year the plant runs (:func:`operating_frac` of that year's ore). ``fixed_usd`` has
    years on its last axis (one row, or one row per draw)."""
    return np.asarray(fixed_usd, dtype=float) * operating_frac(ore_t)


def processing_usd_per_t_ore_of(d: DesignBasis, q: YearQuantities) -> np.ndarray:
    """The processing opex (variable + fixed, mining excluded) per tonne of ore of each year of
    ``q``, at the design basis's prices and scales: :meth:`DesignBasis.processing_usd_per_t_ore`
    for any feed the plant was solved at (the block valuation's grade-dependent costs). Every
    row is priced on the study's deck (the ``price_periods`` are for the cash flow's years,
    and their marketing cost, a share of revenue, would leak into the rows' differences)."""
    if d.params.price_periods:
        d = replace(d, params=d.params.model_copy(update={"price_periods": []}))
    money = _year_money(d, q)
    cost = money["variable"] + money["fixed"] - money["mining"]
    return np.divide(cost, q.ore_t, out=np.full(q.n_years, np.nan), where=q.ore_t > 0)


def lom_kpis(built_kpis: Mapping[str, float], q: YearQuantities,
             money: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The per-t and per-kg figures over the life of mine: each total of the producing years
    (the cash flow's) over their REO, the figures an investor reads beside the cash flow; the
    capex figures are ``built_kpis``'s (over the capacity the plant is built for).

    ``reo_t_per_a`` and ``ndpr_oxide_t_per_a`` are the means of the producing years; the opex
    is the cash flow's (variable + fixed, mining included; no royalty or sustaining capex);
    energy is site electricity at 3.6 GJ/MWh plus fuel; residue excludes flotation tailings."""
    n = max(q.n_years, 1)
    reo_t, ndpr_t = float(np.sum(money["reo_t"])), float(np.sum(money["ndpr_t"]))
    opex = float(np.sum(money["variable"]) + np.sum(charged_fixed(money["fixed"], q.ore_t)))
    per = (lambda x: x / reo_t) if reo_t > 0 else (lambda x: math.nan)
    fuel = None if q.fuel_gj is None else sum(float(np.sum(v)) for v in q.fuel_gj.values())
    return {
        "reo_t_per_a": reo_t / n, "ndpr_oxide_t_per_a": ndpr_t / n,
        "capex_usd_per_t_a_reo": float(built_kpis["capex_usd_per_t_a_reo"]),
        "separation_capex_usd_per_t_a_reo":
            float(built_kpis["separation_capex_usd_per_t_a_reo"]),
        "opex_usd_per_kg_reo": per(opex) / 1000.0,
        "opex_usd_per_kg_ndpr": opex / (ndpr_t * 1000.0) if ndpr_t > 0 else math.nan,
        "reagents_t_per_t_reo": per(float(np.sum(money["purchased_t"]))),
        "energy_gj_per_t_reo": math.nan if fuel is None else
        per(float(np.sum(q.power_mwh)) * 3.6 + fuel),
        "residue_t_per_t_reo": math.nan if q.chemical_residue_t is None else
        per(float(np.sum(q.chemical_residue_t))),
    }


def _timeline(sched: dcf.Schedule, values: np.ndarray) -> np.ndarray:
    out = np.zeros(sched.n_years)
    start = sched.first_production
    out[start:start + len(values)] = values
    return out


#: Revenue classes a price multiplier can act on (:func:`cash_flows`, :func:`breakeven_multiplier`).
REVENUE_CLASSES = ("ndpr", "reo", "byproduct")


def _class_revenue(money: Mapping[str, np.ndarray], what: str) -> np.ndarray:
    if what == "ndpr":
        return money["ndpr"]
    if what == "byproduct":
        return money.get("byproduct", np.zeros_like(money["revenue"]))
    if what == "reo":
        return money["revenue"] - money.get("byproduct", np.zeros_like(money["revenue"]))
    raise InputError("breakeven", what, f"one of {REVENUE_CLASSES}",
                     "pass 'ndpr', 'reo' or 'byproduct'")


def cash_flows(d: DesignBasis, q: YearQuantities, money: Mapping[str, np.ndarray],
               *, ndpr_multiplier: float = 1.0, multipliers: Mapping[str, float] | None = None
               ) -> tuple[dict[str, np.ndarray], dcf.Schedule]:
    """The DCF of the yearly money. ``ndpr_multiplier`` rescales the NdPr-linked revenue;
    ``multipliers`` rescale revenue classes (``ndpr``, ``reo`` = every rare-earth product,
    ``byproduct``) — prices moved with the mine plan and the plant held."""
    sched = replace(d.base.schedule, life_years=q.n_years)
    revenue = money["revenue"] + money["ndpr"] * (ndpr_multiplier - 1.0)
    for what, m in (multipliers or {}).items():
        revenue = revenue + _class_revenue(money, what) * (float(m) - 1.0)
    closure = closure_usd(d, q)
    cf = dcf.annual_cash_flows(
        _timeline(sched, revenue), _timeline(sched, money["variable"]),
        _timeline(sched, charged_fixed(money["fixed"], q.ore_t)), d.capex_usd,
        schedule=sched, fiscal=d.base.fiscal,
        opex_mining_usd=_timeline(sched, money["mining"]), closure_usd=closure)
    return cf, sched


def closure_usd(d: DesignBasis, q: YearQuantities) -> float | None:
    """Closure paid after the last production year: the design basis's decommissioning, and its
    residue-storage closure and aftercare trust scaled to what the schedule stores.

    The storage's capping and aftercare are per area of cells, and the area is proportional to
    the tonnes stored at a fixed stack height (:mod:`reeflow.economics.residue_storage`); the
    design basis sizes them for ``life_years`` at nameplate, so they are scaled by the ore the
    schedule processes over that (ramp-up, a pit that runs out early). The ore stands in for
    the residue: residue per t of ore at the design grade (a richer feed makes more leach
    residue per t, which this does not follow). None: the DCF's own
    fraction-of-capex rule (``closure.basis``)."""
    closure = d.parts.get("closure_usd")
    if closure is None:
        return None
    storage = d.parts.get("storage")
    if storage is None:
        return float(closure)
    design_ore_t = float(d.base.schedule.life_years) * float(d.inputs.ore_t_per_a)
    return float(scheduled_closure_usd(float(closure), float(storage.closure_total_usd),
                                       float(np.sum(q.ore_t)), design_ore_t))


def scheduled_closure_usd(closure_usd: Any, storage_closure_usd: Any, scheduled_ore_t: float,
                          design_ore_t: float) -> Any:
    """The design basis's closure with its storage part (capping and aftercare fund) scaled by
    the ore scheduled over the ore it was sized for (life × nameplate); the closure as it is
    where nothing was sized (``design_ore_t`` <= 0). Arrays broadcast (one value per draw)."""
    if not design_ore_t > 0:
        return closure_usd
    return closure_usd - storage_closure_usd * (1.0 - scheduled_ore_t / design_ore_t)


def evaluate_annual(d: DesignBasis, q: YearQuantities,
                    design: DesignBasis | None = None) -> AnnualEconomics:
    """The annual cash flow of the yearly quantities ``q`` on the design basis ``d``.

    ``design``: the design-basis plant when ``d`` is that plant resized for the schedule's
    heaviest year; its own capex, opex and REO give the design-basis KPIs (they divided the
    resized plant's capex by the design basis's REO before: 82.7k against 70.0k USD per t/a on
    the built-in case, fuzz round 15)."""
    p = d.params
    money = _year_money(d, q)
    cf, sched = cash_flows(d, q, money)
    rates = tuple(float(r) for r in p.discount_rates)
    net = cf["net_cash_flow"]
    pre = dcf.pre_tax_cash_flows(cf)
    prod = slice(sched.first_production, sched.first_production + q.n_years)
    cash_cost = float((cf["opex"][prod] + cf["sustaining_capex"][prod]
                       + cf["royalty"][prod]).sum())
    reo_kg = float(q.reo_t.sum()) * 1e3
    ndpr_kg = sum(float(np.sum(v)) for k, v in q.products_t.items()
                  if k in ("NdPr oxide", "Nd2O3", "Pr6O11")) * 1e3
    full = float(d.base.opex_variable_usd_per_a + d.base.opex_fixed_usd_per_a) * d.scales.opex
    # the capex over the capacity the plant is built for (the schedule's heaviest year)
    kpis = lom_kpis(_kpis(d.inputs, d.parts, d.capex_usd, full), q, money)
    # every figure on the design basis, the capex over its REO too
    db = design or d
    design_kpis = _kpis(replace(db.inputs, reo_capacity_t_per_a=None), db.parts, db.capex_usd,
                        float(db.base.opex_variable_usd_per_a + db.base.opex_fixed_usd_per_a)
                        * db.scales.opex)
    bench = benchmark_plant(kpis, list(d.inputs.products_t_per_a), p.benchmark_reasons,
                            currency_year=p.currency_year)
    bench["design_basis_value"] = [design_kpis.get(f, math.nan) for f in bench["figure"]]
    opx = d.parts["opex"]
    values = d.product_usd_per_t()
    return AnnualEconomics(
        table=_table(cf, q, sched),
        npv_usd=dict(zip(rates, dcf.npv(net, np.asarray(rates)).tolist(), strict=True)),
        irr_frac=float(dcf.irr(net)),
        npv_pre_tax_usd=dict(zip(rates, dcf.npv(pre, np.asarray(rates)).tolist(), strict=True)),
        irr_pre_tax_frac=float(dcf.irr(pre)),
        payback_years=float(dcf.payback_years(net, 0)),
        payback_from_first_production_years=float(dcf.payback_years(net,
                                                                    sched.first_production)),
        capex_usd=d.capex_usd, closure_usd=float(cf["closure"][-1]),
        unit_cost_usd_per_kg_reo=cash_cost / reo_kg if reo_kg > 0 else math.nan,
        unit_cost_usd_per_kg_ndpr=cash_cost / ndpr_kg if ndpr_kg > 0 else math.nan,
        revenue_by_product_usd={k: float(np.sum(v)) * values.get(k, 0.0)
                                for k, v in q.products_t.items()},
        levered=_levered(p, cf, sched, d.base.fiscal, rates), kpis=kpis,
        design_kpis=design_kpis, benchmark=bench,
        opex_missing=tuple(opx.loc[opx["evidence"] == MISSING, "item"]),
        capex_cross_check=_cross_check(d.inputs, p, None), headline_rate_frac=p.headline_rate,
        extra={"money": money, "price_path": _path_rows(d, q.n_years)})


def _path_rows(d: DesignBasis, n: int) -> list[dict[str, Any]]:
    """The price path by period: name, production years, deck and the NdPr price it carries
    (times ``price_scale_ndpr``, as the cash flow charges it)."""
    rows: list[dict[str, Any]] = []
    for i, (name, deck) in enumerate(d.price_path(n)):
        if rows and rows[-1]["period"] == name and rows[-1]["deck"] == deck.name:
            rows[-1]["last_production_year"] = i + 1
            continue
        rows.append({"period": name, "first_production_year": i + 1,
                     "last_production_year": i + 1, "deck": deck.name,
                     # the price the cash flow charges: the deck's times price_scale_ndpr
                     "ndpr_price_usd_per_kg": deck.price("NdPr oxide") * d.scales.ndpr
                     if deck.has("NdPr oxide") else None})
    return rows


def breakeven_ndpr_multiplier(d: DesignBasis, q: YearQuantities, money: Mapping[str, np.ndarray],
                              rate: float) -> float:
    """Multiplier on the NdPr price at which the NPV at ``rate`` is zero (bisection; NPV rises
    with the price). 0 when NPV >= 0 even at a zero NdPr price; NaN when not reached at 1000x."""
    return breakeven_multiplier(d, q, money, rate, on="ndpr")


def breakeven_multiplier(d: DesignBasis, q: YearQuantities, money: Mapping[str, np.ndarray],
                         rate: float, *, on: str = "ndpr") -> float:
    """Multiplier on the prices of one revenue class (``ndpr``, ``reo``: every rare-earth
    product — the basket, ``byproduct``) at which the NPV at ``rate`` is zero, every other price
    and the mine plan held (bisection; NPV rises with the price). 0 when NPV >= 0 even at a zero
    price; NaN when not reached at 1000x."""
    _class_revenue(money, on)

    def npv(m: float) -> float:
        cf, _ = cash_flows(d, q, money, multipliers={on: m})
        return float(dcf.npv(cf["net_cash_flow"], rate))

    lo, hi = 0.0, 1.0
    if npv(lo) >= 0:
        return 0.0
    while npv(hi) < 0:
        hi *= 2.0
        if hi > 1e3:
            return math.nan
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if npv(mid) < 0 else (lo, mid)
    return 0.5 * (lo + hi)


def _table(cf: Mapping[str, np.ndarray], q: YearQuantities, sched: dcf.Schedule) -> pd.DataFrame:
    T, start, n = sched.n_years, sched.first_production, q.n_years
    prod_year = [i - start + 1 if start <= i < start + n else None for i in range(T)]
    df = pd.DataFrame({
        "year": np.arange(1, T + 1),
        "production_year": pd.array(prod_year, dtype="Int64"),
        "ore_t": _pad(q.ore_t, start, T), "head_grade_treo_frac": _pad(
            q.head_grade_treo_frac, start, T, fill=np.nan),
        "reo_t": _pad(q.reo_t, start, T), "revenue_usd": cf["revenue"],
        "royalty_usd": cf["royalty"], "opex_usd": cf["opex"], "capex_usd": cf["capex"],
        "sustaining_capex_usd": cf["sustaining_capex"],
        "working_capital_usd": cf["working_capital"], "closure_usd": cf["closure"],
        "depreciation_usd": cf["depreciation"], "taxable_income_usd": cf["taxable_income"],
        "tax_usd": cf["tax"], "cash_flow_usd": cf["net_cash_flow"]})
    df["cumulative_cash_flow_usd"] = df["cash_flow_usd"].cumsum()
    return df


def _pad(values: np.ndarray, start: int, T: int, *, fill: float = 0.0) -> np.ndarray:
    out = np.full(T, fill)
    out[start:start + len(values)] = values
    return out
