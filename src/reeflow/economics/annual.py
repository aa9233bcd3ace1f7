"""The annual cash flow of a project whose quantities change year by year.

A mine plan feeds the plant a different tonnage and grade each year; the plant solved at each
year's feed makes different tonnages of products and draws different reagents and power. This
module prices those yearly quantities and builds the discounted cash flow from them:

- :func:`cost_basis` turns the design-basis evaluation (the same price deck, payability,
  reagent prices, electricity price, capex, fixed costs and fiscal terms as
  :func:`reeflow.economics.evaluate`) into unit rates: USD per t of each product, per t of each
  reagent, per MWh, per t moved, per t of tailings and of residue, plus the fixed costs per year;
- :func:`annual_economics` multiplies the yearly quantities by those rates (revenue and
  variable opex are linear in the quantities at fixed prices) and runs
  :func:`reeflow.economics.dcf.annual_cash_flows`.

At constant quantities equal to the design basis the result equals :func:`evaluate`'s (a test).
The cash-flow conventions are those of :mod:`reeflow.economics.dcf` (Newnan, Eschenbach &
Lavelle, *Engineering Economic Analysis*, ch. 5–7, 12).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.economics import dcf
from reeflow.economics.cost_index import cepci
from reeflow.economics.opex import energy_cost, reagent_costs, waste_cost
from reeflow.economics.study import EconomicInputs, build_base

__all__ = ["CostBasis", "YearQuantities", "AnnualEconomics", "cost_basis", "annual_economics"]


@dataclass(frozen=True)
class CostBasis:
    """Unit rates and terms for pricing yearly quantities (USD of ``currency_year``)."""

    product_usd_per_t: Mapping[str, float]
    ndpr_linked_frac: Mapping[str, float]
    reagent_usd_per_t: Mapping[str, float]
    electricity_usd_per_mwh: float
    mining_usd_per_t: float
    mining_basis: str
    tailings_usd_per_t: float
    residue_usd_per_t: float
    fixed_opex_usd_per_a: float
    capex_usd: float
    schedule: dcf.Schedule
    fiscal: dcf.FiscalTerms
    rates_frac: tuple[float, ...]
    currency_year: int
    deck: str
    estimate_class: str
    fixed_items: Mapping[str, float] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    ndpr_price_usd_per_kg: float = math.nan
    assumptions: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def scaled(self, *, ndpr: float = 1.0, other: float = 1.0, byproduct: float = 1.0,
               capex: float = 1.0, opex: float = 1.0,
               byproducts: tuple[str, ...] = ("CaF2 concentrate", "BaSO4 concentrate")
               ) -> CostBasis:
        """The basis with prices and costs multiplied (1 = unchanged): NdPr-linked value by
        ``ndpr``, the other rare-earth value by ``other``, by-product concentrates by
        ``byproduct``; capex by ``capex``; every operating cost rate by ``opex``."""
        values = {}
        for k, v in self.product_usd_per_t.items():
            if k in byproducts:
                values[k] = v * byproduct
            else:
                f = self.ndpr_linked_frac.get(k, 0.0)
                values[k] = v * (f * ndpr + (1.0 - f) * other)
        ndpr_frac = {}
        for k, v in self.product_usd_per_t.items():
            f = self.ndpr_linked_frac.get(k, 0.0)
            ndpr_frac[k] = (v * f * ndpr / values[k]) if values[k] > 0 else f
        return replace(
            self, product_usd_per_t=values, ndpr_linked_frac=ndpr_frac,
            reagent_usd_per_t={k: v * opex for k, v in self.reagent_usd_per_t.items()},
            electricity_usd_per_mwh=self.electricity_usd_per_mwh * opex,
            mining_usd_per_t=self.mining_usd_per_t * opex,
            tailings_usd_per_t=self.tailings_usd_per_t * opex,
            residue_usd_per_t=self.residue_usd_per_t * opex,
            fixed_opex_usd_per_a=self.fixed_opex_usd_per_a * opex,
            fixed_items={k: v * opex for k, v in self.fixed_items.items()},
            capex_usd=self.capex_usd * capex,
            ndpr_price_usd_per_kg=self.ndpr_price_usd_per_kg * ndpr)


@dataclass(frozen=True)
class YearQuantities:
    """Quantities of each production year (arrays of equal length, one entry per year)."""

    ore_t: np.ndarray
    mined_t: np.ndarray
    head_grade_treo_frac: np.ndarray
    reo_t: np.ndarray
    products_t: Mapping[str, np.ndarray]
    reagents_t: Mapping[str, np.ndarray]
    power_mwh: np.ndarray
    residue_t: np.ndarray
    tailings_t: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.ore_t)
        if n < 1:
            raise InputError("schedule", n, "at least one production year", "")
        arrays = [self.mined_t, self.head_grade_treo_frac, self.reo_t, self.power_mwh,
                  self.residue_t, self.tailings_t, *self.products_t.values(),
                  *self.reagents_t.values()]
        if any(len(a) != n for a in arrays):
            raise InputError("year quantities", n, "arrays of one length", "")

    @property
    def n_years(self) -> int:
        return len(self.ore_t)


@dataclass(frozen=True)
class AnnualEconomics:
    """The annual cash flow (table by project year) and its headline figures."""

    table: pd.DataFrame
    npv_usd: Mapping[float, float]
    irr_frac: float
    payback_years: float
    payback_from_first_production_years: float
    capex_usd: float
    unit_cost_usd_per_kg_reo: float
    unit_cost_usd_per_kg_ndpr: float
    revenue_by_product_usd: Mapping[str, float]
    breakeven_ndpr_multiplier: float


def _unit_prices(table: pd.DataFrame, key: str, qty: str, usd: str) -> dict[str, float]:
    return {str(r[key]): (float(r[usd]) / float(r[qty]) if r[qty] > 0 else 0.0)
            for _, r in table.iterrows()}


def cost_basis(inputs: EconomicInputs, *, deck: str = "usgs_2025",
               overrides: Mapping[str, Any] | None = None,
               mining_usd_per_t_moved: float | None = None,
               life_years: int | None = None) -> CostBasis:
    """Unit rates from the design-basis evaluation of ``inputs`` (see the module docstring).

    ``mining_usd_per_t_moved`` charges mining per tonne moved (ore + waste from the mine plan),
    once; without it mining is charged per tonne of ore at ``inputs.mining_cost_usd_per_t_ore``.
    """
    base, tables, d, pdeck = build_base(inputs, deck=deck, overrides=overrides)
    year = int(d["currency_year"])
    index = cepci()
    rev = tables["revenue"]
    value = {str(r["product"]): r["price_usd_per_kg"] * 1000.0 * r["purity_frac"]
             * r["payability_frac"] for _, r in rev.iterrows()}
    ndpr = {str(r["product"]): (r["ndpr_linked_usd_per_a"] / r["usd_per_a"]
                                if r["usd_per_a"] > 0 else 0.0) for _, r in rev.iterrows()}
    unit = {k: 1.0 for k in inputs.reagents_t_per_a}
    rg = reagent_costs(unit, currency_year=year, index=index,
                       price_overrides_usd_per_t=inputs.reagent_price_overrides_usd_per_t)
    _, e_price, e_src = energy_cost(1.0, currency_year=year, index=index,
                                    price_usd_per_mwh=inputs.electricity_price_usd_per_mwh)
    _, tails_price, t_src = waste_cost("tailings", 1.0, currency_year=year, index=index)
    opx = tables["opex"]
    fixed = opx[opx["kind"] == "fixed"]
    if mining_usd_per_t_moved is None:
        mining, basis_txt = float(inputs.mining_cost_usd_per_t_ore or 0.0), "per t ore"
    else:
        mining, basis_txt = float(mining_usd_per_t_moved), "per t moved (ore + waste)"
    sched = base.schedule if life_years is None else replace(base.schedule, life_years=life_years)
    real = tuple(float(x) for x in d["discount_rates_frac"])
    return CostBasis(
        product_usd_per_t=value, ndpr_linked_frac=ndpr,
        reagent_usd_per_t=dict(zip(rg["reagent"], rg["price_usd_per_t"], strict=True)),
        electricity_usd_per_mwh=e_price, mining_usd_per_t=mining, mining_basis=basis_txt,
        tailings_usd_per_t=0.0 if math.isnan(tails_price) else tails_price,
        residue_usd_per_t=float(inputs.residue_handling_usd_per_t or 0.0),
        fixed_opex_usd_per_a=float(fixed["usd_per_a"].sum()),
        fixed_items=dict(zip(fixed["item"], fixed["usd_per_a"], strict=True)),
        capex_usd=base.capex_usd, schedule=sched, fiscal=base.fiscal, rates_frac=real,
        currency_year=year, deck=pdeck.name, estimate_class=str(d["estimate_class"]),
        sources={"electricity": e_src, "tailings": t_src,
                 **{f"reagent: {k}": s for k, s in zip(rg["reagent"], rg["source"],
                                                       strict=True)}},
        tables=dict(tables), ndpr_price_usd_per_kg=base.ndpr_price_usd_per_kg,
        assumptions=dict(d))


def _priced(q: Mapping[str, np.ndarray], prices: Mapping[str, float], what: str) -> np.ndarray:
    missing = sorted(set(q) - set(prices))
    if missing:
        raise InputError(what, missing, "items priced in the cost basis",
                         "evaluate the design basis with the same products and reagents")
    n = len(next(iter(q.values()))) if q else 0
    return sum((np.asarray(v, float) * prices[k] for k, v in q.items()), np.zeros(n))


def _timeline(basis: CostBasis, n: int, values: np.ndarray) -> np.ndarray:
    out = np.zeros(basis.schedule.n_years)
    start = basis.schedule.first_production
    out[start:start + n] = values
    return out


def annual_economics(q: YearQuantities, basis: CostBasis, *, price_scale_ndpr: float = 1.0,
                     price_scale: float = 1.0, opex_scale: float = 1.0,
                     capex_scale: float = 1.0) -> AnnualEconomics:
    """Price the yearly quantities and build the DCF (see the module docstring).

    The scales (1 = base) multiply the NdPr-linked revenue, all revenue, opex and capex; they
    serve the break-even search and exact linear sensitivities of the same cash flow.
    """
    sched = replace(basis.schedule, life_years=q.n_years)
    basis = replace(basis, schedule=sched)
    n = q.n_years
    ndpr_rev = {k: v * basis.ndpr_linked_frac.get(k, 0.0) for k, v in
                basis.product_usd_per_t.items()}
    other_rev = {k: v - ndpr_rev[k] for k, v in basis.product_usd_per_t.items()}
    rev_year = (_priced(q.products_t, ndpr_rev, "products_t") * price_scale_ndpr
                + _priced(q.products_t, other_rev, "products_t")) * price_scale
    mining_t = q.mined_t if basis.mining_basis.startswith("per t moved") else q.ore_t
    mining_year = mining_t * basis.mining_usd_per_t
    var_year = (_priced(q.reagents_t, basis.reagent_usd_per_t, "reagents_t")
                + q.power_mwh * basis.electricity_usd_per_mwh + mining_year
                + q.tailings_t * basis.tailings_usd_per_t + q.residue_t * basis.residue_usd_per_t)
    fixed_year = np.full(n, basis.fixed_opex_usd_per_a)
    cf = dcf.annual_cash_flows(
        _timeline(basis, n, rev_year), _timeline(basis, n, var_year * opex_scale),
        _timeline(basis, n, fixed_year * opex_scale), basis.capex_usd * capex_scale,
        schedule=sched, fiscal=basis.fiscal, opex_mining_usd=_timeline(basis, n, mining_year))
    net = cf["net_cash_flow"]
    npv = dict(zip(basis.rates_frac, dcf.npv(net, np.asarray(basis.rates_frac)).tolist(),
                   strict=True))
    table = _table(cf, q, sched)
    prod = slice(sched.first_production, sched.first_production + n)
    cash_cost = float((cf["opex"][prod] + cf["sustaining_capex"][prod] + cf["royalty"][prod])
                      .sum())
    reo_kg = float(q.reo_t.sum()) * 1e3
    ndpr_kg = sum(float(np.sum(v)) for k, v in q.products_t.items()
                  if basis.ndpr_linked_frac.get(k, 0.0) > 0) * 1e3
    payback_start = float(dcf.payback_years(net, 0))
    return AnnualEconomics(
        table=table, npv_usd=npv, irr_frac=float(dcf.irr(net)),
        payback_years=payback_start,
        payback_from_first_production_years=float(dcf.payback_years(net,
                                                                    sched.first_production)),
        capex_usd=basis.capex_usd * capex_scale,
        unit_cost_usd_per_kg_reo=cash_cost / reo_kg if reo_kg > 0 else math.nan,
        unit_cost_usd_per_kg_ndpr=cash_cost / ndpr_kg if ndpr_kg > 0 else math.nan,
        revenue_by_product_usd={k: float(np.sum(v) * basis.product_usd_per_t[k])
                                for k, v in q.products_t.items()},
        breakeven_ndpr_multiplier=math.nan)


def _table(cf: Mapping[str, np.ndarray], q: YearQuantities, sched: dcf.Schedule) -> pd.DataFrame:
    T, start = sched.n_years, sched.first_production
    n = q.n_years
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
