"""The study hook: ``evaluate(EconomicInputs, params=EconomicsParams) -> EconomicResult``.

Joins the price deck (revenue and payability), the capex by area from sized equipment
(:func:`reeflow.economics.capex.capex_by_area`), the residue facility
(:mod:`reeflow.economics.residue_storage`), the complete opex build-up
(:func:`reeflow.economics.opex.opex_rows`), closure and long-term care, and the DCF
(:mod:`reeflow.economics.dcf`: post- and pre-tax, and levered with DSCR when the params carry
debt) under the case's typed parameters (:class:`reeflow.economics.params.EconomicsParams`),
then places the headline figures in the peer band (:func:`reeflow.economics.benchmark`).
All money is in ``currency_year`` US dollars; ``basis='real'`` (default) discounts real cash flows
at real rates, ``basis='nominal'`` escalates by the params' inflation and discounts at the
nominal rates given.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.data import MISSING
from reeflow.core.errors import InputError
from reeflow.core.jsonio import to_jsonable as jsonable
from reeflow.economics import dcf
from reeflow.economics.analogue import analogue_capex
from reeflow.economics.benchmark import benchmark_plant
from reeflow.economics.capex import CapexByArea, InstalledItem, capex_by_area
from reeflow.economics.cost_index import CostIndex, cepci
from reeflow.economics.inputs import (
    NDPR_OXIDES,
    NON_OXIDE_PRODUCTS,
    EconomicInputs,
    ReadOnlyDict,
    require_positive,
)
from reeflow.economics.model import BaseCase, breakeven_ndpr_multiplier, run
from reeflow.economics.opex import OPEX_COLUMNS, OpexDrivers, opex_rows, waste_cost
from reeflow.economics.params import EconomicsParams
from reeflow.economics.prices import (
    MIXED_CONCENTRATE,
    NDPR_PRODUCTS,
    PriceDeck,
    load_deck,
    payability,
    price_of_mixed_concentrate,
    product_class,
    purity_payability,
    unpriced_oxides,
)
from reeflow.economics.residue_storage import StorageCost, storage_costs

__all__ = ["EconomicResult", "evaluate", "build_base", "LEGACY_NAMES", "SEPARATION_AREAS",
           "PRICED_EVERY_PRODUCT"]

#: What a deck must give (the refusal's ``allowed``; the CLI names its own option on it)
PRICED_EVERY_PRODUCT = "a sourced price for every product"


@dataclass(frozen=True)
class EconomicResult:
    """Outputs of :func:`evaluate` (USD in ``currency_year`` dollars; real or nominal basis).

    npv_usd : {discount rate: NPV}, year 0 = first construction year, undiscounted.
    irr_frac : IRR of the net cash flow (root nearest zero); payback_years : from the start of
    the first production year until cumulative cash flow >= 0.
    unit_cost_usd_per_kg_reo / _ndpr : (opex + sustaining capex + mean royalty of the
    full-production years) at full production
    per kg REO sold / per kg NdPr oxide contained in products (all costs on NdPr);
    unit_cost_net_of_credits_usd_per_kg_ndpr : the same less the revenue of every non-NdPr
    product (other oxides, fluorspar, barite) per kg NdPr (the "net of credits" convention,
    cf. Arafura's A$/kg NdPr "with phosphoric-acid credit").
    breakeven_ndpr_usd_per_kg : NdPr oxide price (other prices fixed) at which NPV at
    ``breakeven_rate_frac`` is zero; all NdPr products (NdPr oxide, Nd2O3, Pr6O11, the NdPr share
    of a mixed concentrate) move together, expressed on the deck's NdPr oxide price.
    cash_flows : annual table (USD); capex/opex/revenue : breakdowns with sources;
    base : the vectorised base case for sensitivity and Monte Carlo.
    """

    npv_usd: Mapping[float, float]
    irr_frac: float
    payback_years: float
    unit_cost_usd_per_kg_reo: float
    unit_cost_usd_per_kg_ndpr: float
    unit_cost_net_of_credits_usd_per_kg_ndpr: float
    breakeven_ndpr_usd_per_kg: float
    breakeven_rate_frac: float
    cash_flows: pd.DataFrame
    capex: pd.DataFrame
    opex: pd.DataFrame
    revenue: pd.DataFrame
    capex_usd: float
    opex_usd_per_a: float
    revenue_usd_per_a: float
    currency_year: int
    basis: str
    deck: str
    base: BaseCase
    estimate_class: str
    assumptions: Mapping[str, Any]
    npv_pre_tax_usd: Mapping[float, float] = field(default_factory=dict)
    irr_pre_tax_frac: float = math.nan
    levered: Mapping[str, Any] | None = None
    capex_estimate: CapexByArea | None = None
    storage: StorageCost | None = None
    closure_usd: float = math.nan
    kpis: Mapping[str, float] = field(default_factory=dict)
    benchmark: pd.DataFrame | None = None
    opex_missing: tuple[str, ...] = ()
    capex_cross_check: Mapping[str, Any] | None = None
    params: EconomicsParams | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (floats, lists, records)."""
        def f(x: float) -> float | None:
            return None if x is None or not math.isfinite(x) else float(x)
        return {
            "npv_usd": {f"{r:.4f}": f(v) for r, v in self.npv_usd.items()},
            "irr_frac": f(self.irr_frac), "payback_years": f(self.payback_years),
            "unit_cost_usd_per_kg_reo": f(self.unit_cost_usd_per_kg_reo),
            "unit_cost_usd_per_kg_ndpr": f(self.unit_cost_usd_per_kg_ndpr),
            "unit_cost_net_of_credits_usd_per_kg_ndpr":
                f(self.unit_cost_net_of_credits_usd_per_kg_ndpr),
            "breakeven_ndpr_usd_per_kg": f(self.breakeven_ndpr_usd_per_kg),
            "breakeven_rate_frac": f(self.breakeven_rate_frac),
            "capex_usd": f(self.capex_usd), "opex_usd_per_a": f(self.opex_usd_per_a),
            "revenue_usd_per_a": f(self.revenue_usd_per_a),
            "currency_year": self.currency_year, "basis": self.basis, "deck": self.deck,
            "estimate_class": self.estimate_class,
            "cash_flows": self.cash_flows.reset_index().to_dict(orient="list"),
            "capex": self.capex.to_dict(orient="records"),
            "opex": self.opex.to_dict(orient="records"),
            "revenue": self.revenue.to_dict(orient="records"),
            "assumptions": {k: v for k, v in self.assumptions.items()},
            "npv_pre_tax_usd": {f"{r:.4f}": f(v) for r, v in self.npv_pre_tax_usd.items()},
            "irr_pre_tax_frac": f(self.irr_pre_tax_frac),
            "levered": _clean_mapping(self.levered),
            "capex_by_area": self.capex_estimate.to_dict() if self.capex_estimate else None,
            "residue_storage": self.storage.to_dict() if self.storage else None,
            "closure_usd": f(self.closure_usd),
            "kpis": {k: f(v) for k, v in self.kpis.items()},
            "benchmark": None if self.benchmark is None else
            _records(self.benchmark),
            "opex_missing": list(self.opex_missing),
            "capex_cross_check": _clean_mapping(self.capex_cross_check),
        }


def _clean_mapping(m: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if m is None else jsonable(dict(m))


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [jsonable(r) for r in df.to_dict(orient="records")]


def _revenue_table(inp: EconomicInputs, deck: PriceDeck,
                   params: EconomicsParams | None = None) -> pd.DataFrame:
    """Revenue by product (:func:`revenue_rows`, as a table)."""
    return pd.DataFrame(revenue_rows(inp, deck, params))


def revenue_rows(inp: EconomicInputs, deck: PriceDeck,
                 params: EconomicsParams | None = None) -> list[dict[str, Any]]:
    """Revenue by product: t × purity × price × payability (purity-based for separated oxides,
    :func:`reeflow.economics.prices.purity_payability`, with ``params.payability``)."""
    rule = params.payability if params is not None else None
    sold = {p: t for p, t in inp.products_t_per_a.items() if t > 0}  # none made, none priced
    needed = [p for p in sold if p != MIXED_CONCENTRATE]
    # a mixed concentrate is paid on the oxides the deck prices; one it does not price (a
    # trace of Tm2O3 in a heavy group) earns nothing, and the revenue row says so
    unpaid = unpriced_oxides(deck, inp.concentrate_reo_distribution) \
        if MIXED_CONCENTRATE in sold else []
    missing = sorted({p for p in needed if not deck.has(p)})
    if missing:
        raise InputError(f"deck[{deck.name}]", missing, PRICED_EVERY_PRODUCT,
                         f"prices MISSING in deck '{deck.name}' for {missing}: choose another "
                         "deck (economics.price_deck, economics.floor_case_deck), give them under "
                         "economics.price_periods[].prices, or in Python pass "
                         "deck.with_prices({...}), with sourced values")
    rows = []
    for product, t in inp.products_t_per_a.items():
        if product not in sold and not deck.has(product):
            continue
        if product == MIXED_CONCENTRATE:
            price = price_of_mixed_concentrate(deck, inp.concentrate_reo_distribution)
            share = sum(inp.concentrate_reo_distribution.get(o, 0.0) * deck.price(o)
                        for o in NDPR_OXIDES) / price if price > 0 else 0.0
            purity = 1.0
        else:
            price = deck.price(product)
            share = 1.0 if product in NDPR_PRODUCTS else 0.0
            purity = inp._purity(product)
        pay, spec = purity_payability(
            product, purity, deck, below_spec=rule.below_spec if rule else "mixed_concentrate",
            specs_frac=rule.specs if rule else None) if product != MIXED_CONCENTRATE \
            else (payability(product), None)
        usd = t * 1000.0 * purity * price * pay
        rows.append({"product": product, "t_per_a": t, "purity_frac": purity,
                     "spec_purity_frac": spec, "price_usd_per_kg": price,
                     "payability_frac": pay,
                     "usd_per_a": usd, "ndpr_linked_usd_per_a": usd * share,
                     "source": deck.sources.get(product, "basket of deck oxide prices" + (
                         f"; unpaid (no price in deck '{deck.name}'): {', '.join(unpaid)}"
                         if product == MIXED_CONCENTRATE and unpaid else ""))})
    return rows



# Legacy flat override names (the keys of the former flat defaults file) -> EconomicsParams paths.
LEGACY_NAMES = {
    "tax_rate_frac": "fiscal.tax_rate", "royalty_rate_frac": "fiscal.royalty_rate",
    "royalty_base": "fiscal.royalty_base",
    "loss_carry_forward_years": "fiscal.loss_carry_forward_years",
    "depreciation_years": "fiscal.depreciation_years",
    "construction_years": "schedule.construction_years",
    "capex_phasing_frac": "schedule.capex_phasing", "life_years": "schedule.life_years",
    "ramp_up_frac": "schedule.ramp_up", "inflation_frac_per_a": "inflation",
    "discount_rates_frac": "discount_rates", "currency_year": "currency_year",
    "sustaining_capex_frac_per_a": "sustaining_capex_frac_per_a",
    "working_capital_frac": "working_capital_frac",
    "labour_cost_usd_per_person_a": "opex.labour_cost", "headcount": "opex.headcount",
    "fx_local_share_of_opex": "opex.fx_local_share_of_opex",
}


def _resolve_params(params: EconomicsParams | None,
                    overrides: Mapping[str, Any] | None) -> EconomicsParams:
    if params is None:
        raise InputError("params", None, "the project's EconomicsParams (no generic default: "
                         "fiscal terms, schedule and costs are a project's data)",
                         "pass params=load_economics_params(<case>/fiscal.yaml)[0] (CLI: --params)")
    p = params
    if overrides:
        dotted = {LEGACY_NAMES.get(k, k): v for k, v in overrides.items()}
        if "opex.labour_cost" in dotted and isinstance(dotted["opex.labour_cost"], (int, float)):
            dotted["opex.labour_cost"] = f"{dotted['opex.labour_cost']!r} USD"
        p = p.with_overrides(dotted)
    return p


def _schedule(p: EconomicsParams, life: int | None) -> dcf.Schedule:
    s = p.schedule
    closure_frac = p.closure.fraction_of_capex if p.closure.basis == "fraction_of_capex" else 0.0
    return dcf.Schedule(
        construction_years=s.construction_years, life_years=int(life or s.life_years),
        capex_phasing_frac=tuple(s.capex_phasing), ramp_up_frac=tuple(s.ramp_up),
        depreciation_years=p.fiscal.depreciation_years,
        sustaining_capex_frac_per_a=p.sustaining_capex_frac_per_a,
        working_capital_frac=p.working_capital_frac, closure_cost_frac=closure_frac,
        inflation_frac_per_a=p.inflation)


def _storage(inp: EconomicInputs, p: EconomicsParams, life: int,
             index: CostIndex) -> StorageCost | None:
    if not inp.residue_streams:
        return None
    return storage_costs(inp.residue_streams, life_years=life, currency_year=p.currency_year,
                         aftercare_years=p.closure.aftercare_years,
                         trust_rate=p.closure.aftercare_trust_rate, index=index)


def _capex(inp: EconomicInputs, p: EconomicsParams, storage: StorageCost | None,
           index: CostIndex) -> tuple[float, float, pd.DataFrame, CapexByArea | None, str]:
    """(capex, installed direct cost, breakdown table, estimate or None, estimate class)."""
    if inp.capex_usd is not None:
        require_positive("capex_usd", inp.capex_usd)
        cap = pd.DataFrame([("capex (input)", float(inp.capex_usd), "input")],
                           columns=["item", "usd", "source"])
        return float(inp.capex_usd), float(inp.capex_usd), cap, None, \
            "given (not estimated here)"
    if not inp.equipment_sizes:
        raise InputError("equipment_sizes", {}, "sized equipment or capex_usd",
                         "pass equipment sizes from the flowsheet or a capex figure")
    items = []
    if storage is not None and storage.initial_capex_usd > 0:
        items.append(InstalledItem("residue_storage", "residue and tailings cells (initial)",
                                   storage.initial_capex_usd,
                                   "residue_storage.storage_costs", "derived"))
    if inp.prestrip_t:
        if inp.mining_cost_usd_per_t_moved is None:
            raise InputError("mining_cost_usd_per_t_moved", None, ">= 0 USD/t moved",
                             "give the contract mining rate to cost the pre-strip")
        items.append(InstalledItem("mining", "pre-strip (capitalised contract mining)",
                                   inp.prestrip_t * inp.mining_cost_usd_per_t_moved,
                                   "pre-strip tonnes x contract rate (inputs)", "input", False))
    c = p.capex
    est = capex_by_area(inp.equipment_sizes, currency_year=p.currency_year,
                        aace_class=c.aace_class, contingency_frac=c.contingency,
                        location_factor=c.location_factor, owners_cost_frac=c.owners_cost_frac,
                        installed=items, organic_fill_usd_per_m3=inp.organic_fill_usd_per_m3,
                        route=inp.process_route, flotation_circuits=inp.flotation_circuits,
                        index=index)
    return est.total_usd, est.direct_usd, est.breakdown, est, est.estimate_class


def _drivers(inp: EconomicInputs, revenue_usd_per_a: float) -> OpexDrivers:
    by_class: dict[str, float] = {}
    for prod, t in inp.products_t_per_a.items():
        cls = product_class(prod)
        by_class[cls] = by_class.get(cls, 0.0) + float(t)
    return OpexDrivers(
        ore_t_per_a=inp.ore_t_per_a, mining_cost_usd_per_t_ore=float(
            inp.mining_cost_usd_per_t_ore or 0.0),
        reagents_t_per_a=inp.reagents_t_per_a,
        reagent_price_overrides_usd_per_t=inp.reagent_price_overrides_usd_per_t,
        power_mwh_per_a=inp.power_mwh_per_a,
        electricity_price_usd_per_mwh=inp.electricity_price_usd_per_mwh,
        fuel_gj_per_a=inp.fuel_gj_per_a, water_m3_per_a=inp.water_m3_per_a,
        flotation_feed_t_per_a=inp.flotation_feed_t_per_a,
        mill_energy_mwh_per_a=inp.mill_energy_mwh_per_a,
        sx_aqueous_m3_per_a=inp.sx_aqueous_m3_per_a,
        organic_usd_per_m3=inp.organic_fill_usd_per_m3, brine_handling=inp.brine_handling,
        brine_m3_per_a=inp.brine_m3_per_a, product_t_per_a_by_class=by_class,
        revenue_usd_per_a=revenue_usd_per_a)


def _legacy_waste_rows(inp: EconomicInputs, year: int, index: CostIndex
                       ) -> list[tuple[Any, ...]]:
    sold = sum(inp.products_t_per_a.values())
    tails = inp.tailings_t_per_a if inp.tailings_t_per_a is not None else \
        max(inp.ore_t_per_a - sold - inp.residue_t_per_a, 0.0)
    rows = []
    for what, t, price in (("tailings", tails, None),
                           ("radioactive residue", inp.residue_t_per_a,
                            inp.residue_handling_usd_per_t)):
        usd, p, src = waste_cost(what, t, currency_year=year, index=index, price_usd_per_t=price)
        rows.append((f"{what} disposal (legacy per-tonne rate)", "variable", t, "t/a", p,
                     "USD/t", usd, src, "input" if price is not None else "published"))
    return rows


def opex_by_kind(rows: Iterable[Sequence[Any]], scale: float = 1.0) -> dict[str, float]:
    """Variable, fixed and mining (contract) opex, USD/a, of opex ``rows`` (``OPEX_COLUMNS``
    order), each item times ``scale``: one sum for the base case (:func:`build_base`) and
    every year's cash flow (:mod:`reeflow.economics.annual`). A missing item (NaN or None)
    counts 0, as a table's ``skipna`` sums did; the report lists it as missing."""
    usd = [(r[0], r[1], 0.0 if r[6] is None or r[6] != r[6] else float(r[6]) * scale)
           for r in rows]
    return {"variable": math.fsum(u for _, kind, u in usd if kind == "variable"),
            "fixed": math.fsum(u for _, kind, u in usd if kind == "fixed"),
            "mining": math.fsum(u for item, _, u in usd if item == "mining (contract)")}


def opex_rows_of(inp: EconomicInputs, p: EconomicsParams, revenue: float, capex_usd: float,
                 direct: float, storage: StorageCost | None, index: CostIndex,
                 ) -> list[tuple[Any, ...]]:
    """Every opex item of ``inp`` (rows in ``OPEX_COLUMNS`` order): the items of
    :func:`~reeflow.economics.opex.opex_rows`, the legacy per-tonne waste rates where no
    residue storage is costed, and the project's other fixed opex."""
    o = p.opex
    heads = inp.headcount if inp.headcount is not None else o.headcount
    labour = inp.labour_cost_usd_per_person_a if inp.labour_cost_usd_per_person_a is not None \
        else o.labour_cost
    rows = opex_rows(
        _drivers(inp, revenue), headcount=heads, labour_cost_usd=labour,
        maintenance_frac=o.maintenance_frac_of_direct_capex,
        general_admin_frac=o.general_admin_frac_of_labour,
        insurance_frac=o.insurance_frac_of_capex, marketing_frac=o.marketing_frac_of_revenue,
        direct_capex_usd=direct, capex_usd=capex_usd, currency_year=p.currency_year,
        index=index,
        storage_operation_usd_per_a=None if storage is None else storage.operation_usd_per_a,
        storage_progressive_usd_per_a=None if storage is None
        else storage.progressive_usd_per_a, freight_usd_per_t=p.freight_usd_per_t)
    if storage is None:
        rows = [r for r in rows if r[0] not in ("residue storage operation",
                                                "residue cells built during operation")]
        rows += _legacy_waste_rows(inp, p.currency_year, index)
    if inp.other_fixed_opex_usd_per_a:
        rows.append(("other fixed", "fixed", 1.0, "a", inp.other_fixed_opex_usd_per_a,
                     "USD/a", inp.other_fixed_opex_usd_per_a, "input", "input"))
    return rows


def _closure(p: EconomicsParams, direct: float, storage: StorageCost | None) -> float | None:
    if p.closure.basis == "fraction_of_capex":
        return None
    total = p.closure.decommissioning_frac_of_direct_capex * direct
    if storage is not None:
        total += storage.closure_total_usd
    return total


def build_base(inputs: EconomicInputs, *, params: EconomicsParams | None = None,
               deck: str | PriceDeck | None = None, overrides: Mapping[str, Any] | None = None,
               index: CostIndex | None = None
               ) -> tuple[BaseCase, dict[str, Any], dict[str, Any], PriceDeck]:
    """Base case and its parts (revenue, capex, opex tables, estimate, storage) for ``inputs``.

    Returns (base, parts, assumptions, deck). ``params=None`` uses the deprecated built-in
    case (a DeprecationWarning); ``overrides`` are dotted ``EconomicsParams`` paths (legacy flat
    names accepted).
    """
    p = _resolve_params(params, overrides)
    index = index or cepci()
    pdeck = load_deck(deck if deck is not None else p.price_deck).to_year(p.currency_year, index)
    rev = _revenue_table(inputs, pdeck, p)
    sched = _schedule(p, inputs.life_years)
    storage = _storage(inputs, p, sched.life_years, index)
    capex_usd, direct, cap, est, est_class = _capex(inputs, p, storage, index)
    revenue = float(rev["usd_per_a"].sum())
    opx_rows = opex_rows_of(inputs, p, revenue, capex_usd, direct, storage, index)
    opx = pd.DataFrame(opx_rows, columns=OPEX_COLUMNS)
    closure = _closure(p, direct, storage)
    f = p.fiscal
    fiscal = dcf.FiscalTerms(tax_rate_frac=f.tax_rate, royalty_rate_frac=f.royalty_rate,
                             royalty_base=f.royalty_base,
                             loss_carry_forward_years=f.loss_carry_forward_years)
    ndpr_rev = float(rev["ndpr_linked_usd_per_a"].sum())
    byp = float(rev.loc[rev["product"].isin(NON_OXIDE_PRODUCTS), "usd_per_a"].sum())
    by_kind = opex_by_kind(opx_rows)
    base = BaseCase(
        revenue_ndpr_usd_per_a=ndpr_rev, revenue_other_usd_per_a=revenue - ndpr_rev - byp,
        revenue_byproduct_usd_per_a=byp,
        opex_variable_usd_per_a=by_kind["variable"], opex_fixed_usd_per_a=by_kind["fixed"],
        capex_usd=capex_usd, schedule=sched, fiscal=fiscal,
        fx_local_share_of_opex=p.opex.fx_local_share_of_opex,
        ndpr_price_usd_per_kg=pdeck.price("NdPr oxide") if pdeck.has("NdPr oxide") else math.nan,
        opex_mining_usd_per_a=by_kind["mining"],
        closure_usd=closure)
    parts = {"revenue": rev, "capex": cap, "opex": opx, "estimate": est, "storage": storage,
             "direct_usd": direct, "closure_usd": closure, "params": p}
    return base, parts, _assumptions(p, est_class, sched), pdeck


def _assumptions(p: EconomicsParams, est_class: str, sched: dcf.Schedule) -> dict[str, Any]:
    """Flat view of the parameters (the names the report and older callers read)."""
    return {"currency_year": p.currency_year, "deck": p.price_deck,
            "discount_rates_frac": list(p.discount_rates), "headline_rate_frac": p.headline_rate,
            "tax_rate_frac": p.fiscal.tax_rate, "royalty_rate_frac": p.fiscal.royalty_rate,
            "royalty_base": p.fiscal.royalty_base,
            "loss_carry_forward_years": p.fiscal.loss_carry_forward_years,
            "depreciation_years": p.fiscal.depreciation_years,
            "construction_years": sched.construction_years,
            "capex_phasing_frac": list(sched.capex_phasing_frac), "life_years": sched.life_years,
            "ramp_up_frac": list(sched.ramp_up_frac),
            "sustaining_capex_frac_per_a": p.sustaining_capex_frac_per_a,
            "working_capital_frac": p.working_capital_frac, "inflation_frac_per_a": p.inflation,
            "headcount": p.opex.headcount, "labour_cost_usd_per_person_a": p.opex.labour_cost,
            "maintenance_frac_of_direct_capex": p.opex.maintenance_frac_of_direct_capex,
            "fx_local_share_of_opex": p.opex.fx_local_share_of_opex,
            "closure_basis": p.closure.basis, "aftercare_years": p.closure.aftercare_years,
            "debt": None if p.debt is None else p.debt.model_dump(),
            "estimate_class": est_class}


def _rates(p: EconomicsParams, rates: tuple[float, ...] | None, basis: str,
           inflation: float) -> tuple[tuple[float, ...], float]:
    if rates is None:
        real = [float(x) for x in p.discount_rates]
        conv = (lambda x: x) if basis == "real" else \
            (lambda x: float(dcf.fisher_nominal_rate(x, inflation)))
        out = tuple(conv(x) for x in real)
        return out, conv(p.headline_rate)
    out = tuple(rates)
    if not out:
        raise InputError("rates", list(out), "at least one discount rate",
                         "give e.g. rates: [0.08, 0.10], or leave rates out to use the "
                         "parameters' discount_rates")
    for r in out:
        if not (isinstance(r, (int, float)) and -0.5 < r < 1):
            raise InputError("rates", r, "(-0.5, 1)", "give discount rates as fractions")
    # the break-even at the parameters' headline rate where it is among the rates given
    head = float(p.headline_rate)
    return out, head if basis == "real" and any(abs(r - head) < 1e-12 for r in out) else out[0]


def _levered(p: EconomicsParams, cf: dict[str, np.ndarray], sched: dcf.Schedule,
             fiscal: dcf.FiscalTerms, rates: tuple[float, ...]) -> dict[str, Any] | None:
    if p.debt is None:
        return None
    d = p.debt
    terms = dcf.DebtTerms(d.share_of_capex, d.interest_rate, d.tenor_years, d.grace_years,
                          d.upfront_fee, d.repayment)
    try:
        debt = dcf.debt_schedule(cf["capex"], terms, sched)
    except InputError as exc:  # the mine plan's life is shorter than the project file's
        raise InputError(f"economics.{exc.field}", exc.value,
                         f"{exc.allowed}, the mine plan's producing years",
                         "shorten the tenor or the grace period, or make the plan longer "
                         "(ore.throughput, the pit's costs and prices)") from None
    lev = dcf.levered_cash_flows(cf, debt, fiscal=fiscal)
    eq = lev["equity_cash_flow"]
    dscr = lev["dscr"][np.isfinite(lev["dscr"])]
    return {"terms": d.model_dump(),
            "npv_equity_usd": {f"{r:.4f}": float(v) for r, v in
                               zip(rates, dcf.npv(eq, np.asarray(rates, float)), strict=True)},
            "irr_equity_frac": float(dcf.irr(eq)),
            "dscr_min": float(dscr.min()) if dscr.size else math.nan,
            "dscr_mean": float(dscr.mean()) if dscr.size else math.nan,
            "annual": {k: v.tolist() for k, v in {**debt, **lev}.items()}}


def purchased_reagents_t(opex: pd.DataFrame) -> float:
    """Reagents bought (t/a) in an opex table: the priced reagent and flotation-reagent lines,
    no water and no air (the numerator of the reagents-per-t-REO figure)."""
    return purchased_t_of(zip(opex["item"].tolist(), opex["rate"].tolist(),
                              opex["quantity"].tolist(), strict=True))


def purchased_t_of(items: Iterable[tuple[Any, Any, Any]]) -> float:
    """:func:`purchased_reagents_t` over (item, rate, quantity) triples."""
    total = 0.0  # plain Python over ~40 rows: pandas' string methods cost more (every year)
    for item, rate, qty in items:
        if rate is None or qty is None:  # a missing driver (a table has NaN there)
            continue
        if str(item).startswith(("reagent:", "flotation reagent:")) and rate == rate \
                and rate > 0 and item not in ("reagent: H2O", "reagent: water") and qty == qty:
            total += float(qty)
    return total


def _kpis(inp: EconomicInputs, parts: Mapping[str, Any], capex_usd: float,
          opex_usd: float) -> dict[str, float]:
    reo_t, ndpr_t = inp.reo_t_per_a(), inp.ndpr_oxide_t_per_a()
    cap_t = reo_t if inp.reo_capacity_t_per_a is None else float(inp.reo_capacity_t_per_a)
    purchased = purchased_reagents_t(parts["opex"])
    est: CapexByArea | None = parts["estimate"]
    sep = math.nan
    if est is not None and est.direct_usd > 0:
        a = est.areas.set_index("area")["direct_usd"]
        share = float(a.reindex(SEPARATION_AREAS).fillna(0.0).sum()) / est.direct_usd
        sep = share * est.total_usd / cap_t if cap_t > 0 else math.nan
    fuel = None if inp.fuel_gj_per_a is None else sum(inp.fuel_gj_per_a.values())
    if inp.residue_streams:
        residue = sum(s.t_per_a for s in inp.residue_streams if s.kind != "tailings")
    else:
        residue = inp.residue_t_per_a
    per = (lambda x: x / reo_t) if reo_t > 0 else (lambda x: math.nan)
    return {
        "reo_t_per_a": reo_t, "ndpr_oxide_t_per_a": ndpr_t,
        "capex_usd_per_t_a_reo": capex_usd / cap_t if cap_t > 0 else math.nan,
        "separation_capex_usd_per_t_a_reo": sep,
        "opex_usd_per_kg_reo": per(opex_usd) / 1000.0,
        "opex_usd_per_kg_ndpr": opex_usd / (ndpr_t * 1000.0) if ndpr_t > 0 else math.nan,
        "reagents_t_per_t_reo": per(purchased),
        "energy_gj_per_t_reo": math.nan if fuel is None else
        per(inp.power_mwh_per_a * 3.6 + fuel),
        "residue_t_per_t_reo": per(residue),
    }


#: Capex areas that make the separation plant (the Saltend / LAMP scope) for the section KPI.
SEPARATION_AREAS = ("chloride_conversion", "sx", "precipitation")


def evaluate(inputs: EconomicInputs, *, params: EconomicsParams | None = None,
             deck: str | PriceDeck | None = None, rates: tuple[float, ...] | None = None,
             basis: str = "real", overrides: Mapping[str, Any] | None = None,
             index: CostIndex | None = None,
             benchmark_reasons: Mapping[str, str] | None = None) -> EconomicResult:
    """Evaluate the project economics of ``inputs`` under ``params``.

    params : the case's :class:`EconomicsParams` (``load_economics_params(path)[0]``); None is
        deprecated (loads the former built-in case with a DeprecationWarning).
    deck : price deck name or object; default ``params.price_deck``.
    rates : discount rates (real for basis='real', nominal for 'nominal'); default the params'
        rates, converted by the Fisher relation when basis='nominal'. The break-even NdPr price
        is at the headline rate (or the first given rate).
    benchmark_reasons : {figure: why it sits outside the peer band}; default the params'.
    With ``params.debt`` the result's ``levered`` holds the debt schedule, equity cash flows,
    equity NPV at the same rates, equity IRR and the DSCR (min, mean).
    """
    base, parts, assumptions, pdeck = build_base(inputs, params=params, deck=deck,
                                                 overrides=overrides, index=index)
    p: EconomicsParams = parts["params"]
    rates, be_rate = _rates(p, rates, basis, base.schedule.inflation_frac_per_a)
    cf = run(base, basis=basis)
    net = cf["net_cash_flow"]
    npvs = dict(zip(rates, dcf.npv(net, np.asarray(rates, float)).tolist(), strict=True))
    pre = dcf.pre_tax_cash_flows(cf)
    sched = base.schedule
    df = pd.DataFrame({k: v for k, v in cf.items()},
                      index=pd.Index(np.arange(sched.n_years), name="year"))
    df["utilisation"] = dcf.utilisation(sched)
    full = base.opex_variable_usd_per_a + base.opex_fixed_usd_per_a
    reo_kg, ndpr_kg = inputs.reo_t_per_a() * 1e3, inputs.ndpr_oxide_t_per_a() * 1e3
    revenue = base.revenue_ndpr_usd_per_a + base.revenue_other_usd_per_a + \
        base.revenue_byproduct_usd_per_a
    cash_cost = _cash_cost(base, cf, df, basis, revenue)
    credits = base.revenue_other_usd_per_a + base.revenue_byproduct_usd_per_a
    m = breakeven_ndpr_multiplier(base, be_rate, basis=basis)
    kpis = _kpis(inputs, parts, base.capex_usd, full)
    bench = benchmark_plant(kpis, list(inputs.products_t_per_a),
                            p.benchmark_reasons if benchmark_reasons is None
                            else benchmark_reasons, currency_year=p.currency_year, index=index)
    opx = parts["opex"]
    return EconomicResult(
        npv_usd=npvs, irr_frac=float(dcf.irr(net)),
        payback_years=float(dcf.payback_years(net, sched.first_production)),
        unit_cost_usd_per_kg_reo=cash_cost / reo_kg if reo_kg > 0 else math.nan,
        unit_cost_usd_per_kg_ndpr=cash_cost / ndpr_kg if ndpr_kg > 0 else math.nan,
        unit_cost_net_of_credits_usd_per_kg_ndpr=(cash_cost - credits) / ndpr_kg
        if ndpr_kg > 0 else math.nan,
        breakeven_ndpr_usd_per_kg=m * base.ndpr_price_usd_per_kg, breakeven_rate_frac=be_rate,
        cash_flows=df, capex=parts["capex"], opex=opx, revenue=parts["revenue"],
        capex_usd=base.capex_usd, opex_usd_per_a=full, revenue_usd_per_a=revenue,
        currency_year=p.currency_year, basis=basis, deck=pdeck.name, base=base,
        estimate_class=assumptions["estimate_class"], assumptions=ReadOnlyDict(assumptions),
        npv_pre_tax_usd=dict(zip(rates, dcf.npv(pre, np.asarray(rates, float)).tolist(),
                                 strict=True)),
        irr_pre_tax_frac=float(dcf.irr(pre)),
        levered=_levered(p, cf, sched, base.fiscal, rates),
        capex_estimate=parts["estimate"], storage=parts["storage"],
        closure_usd=float(cf["closure"][..., -1]) if parts["closure_usd"] is None
        else float(parts["closure_usd"]),
        kpis=kpis, benchmark=bench,
        opex_missing=tuple(opx.loc[opx["evidence"] == MISSING, "item"]),
        capex_cross_check=_cross_check(inputs, p, index), params=p)


def _cash_cost(base: BaseCase, cf: dict[str, np.ndarray], df: pd.DataFrame, basis: str,
               revenue: float) -> float:
    """Opex + sustaining capex + mean royalty of the full-production years (real USD/a)."""
    full_years = df["utilisation"].to_numpy() >= 1.0
    real_royalty = cf["royalty"] if basis == "real" else run(base)["royalty"]
    royalty = float(real_royalty[full_years].mean()) if full_years.any() else \
        revenue * base.fiscal.royalty_rate_frac
    return (base.opex_variable_usd_per_a + base.opex_fixed_usd_per_a
            + base.capex_usd * base.schedule.sustaining_capex_frac_per_a + royalty)


def _cross_check(inp: EconomicInputs, p: EconomicsParams,
                 index: CostIndex | None) -> dict[str, Any] | None:
    """The scaled published analogue (a cross-check, not the answer)."""
    try:
        return analogue_capex(inp.ore_t_per_a, currency_year=p.currency_year,
                              index=index).to_dict()
    except InputError:
        return None
