"""The study hook: ``evaluate(EconomicInputs) -> EconomicResult``.

Joins the price deck (revenue and payability), the factored capex, the opex build-up and the
DCF (:mod:`reeflow.economics.dcf`) with the Beylikova default terms
(``data/economics/beylikova_defaults.yaml``, each value with source and evidence).
All money is in ``currency_year`` US dollars; ``basis='real'`` (default) discounts real cash flows
at real rates, ``basis='nominal'`` escalates by the default inflation and discounts at the
nominal rates given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.economics import dcf
from reeflow.economics._data import read_yaml
from reeflow.economics.capex import factored_capex
from reeflow.economics.cost_index import CostIndex, cepci
from reeflow.economics.model import BaseCase, breakeven_ndpr_multiplier, run
from reeflow.economics.opex import energy_cost, reagent_costs, waste_cost
from reeflow.economics.prices import (
    MIXED_CONCENTRATE,
    NDPR_PRODUCTS,
    PriceDeck,
    load_deck,
    payability,
    price_of_mixed_concentrate,
)

__all__ = ["EconomicInputs", "EconomicResult", "evaluate", "beylikova_defaults", "build_base"]

_REO_NON_OXIDE = ("CaF2 concentrate", "BaSO4 concentrate")
_NDPR_OXIDES = ("Nd2O3", "Pr6O11")


class _ReadOnlyDict(dict):
    """A dict that refuses item assignment (picklable, unlike MappingProxyType, so inputs and
    results travel to Dask/multiprocessing workers)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("this mapping is read-only; build a new EconomicInputs instead")

    __setitem__ = __delitem__ = _refuse  # type: ignore[assignment]
    update = pop = popitem = clear = setdefault = _refuse  # type: ignore[assignment]

    def __reduce__(self):  # pickle as a plain constructor call
        return (_ReadOnlyDict, (dict(self),))


def _frozen(m: Mapping | None) -> Mapping:
    return _ReadOnlyDict(m or {})


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
    equipment_sizes : see :data:`reeflow.economics.capex.SIZE_KEYS`.
    capex_usd : optional override of the factored estimate (e.g. a peer benchmark).
    mining_cost_usd_per_t_ore : required (no sourced default; 0 if costed elsewhere).
    residue_t_per_a, residue_handling_usd_per_t : radioactive residue and its cost (no default).
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
        _positive("ore_t_per_a", self.ore_t_per_a)
        if not self.products_t_per_a:
            raise InputError("products_t_per_a", {}, "at least one product", "list products")
        for k, v in self.products_t_per_a.items():
            _nonneg(f"products_t_per_a.{k}", v)
        for k, v in self.product_purity_frac.items():
            if not (isinstance(v, (int, float)) and 0 < v <= 1):
                raise InputError(f"product_purity_frac.{k}", v, "(0, 1]", "give a fraction")
        for name in ("power_mwh_per_a", "residue_t_per_a", "other_fixed_opex_usd_per_a"):
            _nonneg(name, getattr(self, name))
        if self.mining_cost_usd_per_t_ore is None:
            raise InputError("mining_cost_usd_per_t_ore", None, ">= 0 USD/t ore (no sourced "
                             "default for Beylikova)", "pass a mining cost, or 0 if mining is "
                             "costed elsewhere")
        _nonneg("mining_cost_usd_per_t_ore", self.mining_cost_usd_per_t_ore)

    def reo_t_per_a(self) -> float:
        """Rare-earth oxide sold (t/a): oxides x purity + REO contained in mixed concentrate."""
        return sum(t * self._purity(p) for p, t in self.products_t_per_a.items()
                   if p not in _REO_NON_OXIDE)

    def ndpr_oxide_t_per_a(self) -> float:
        """NdPr oxide sold (t/a), including the Nd2O3 + Pr6O11 share of a mixed concentrate."""
        direct = sum(self.products_t_per_a.get(p, 0.0) * self._purity(p) for p in NDPR_PRODUCTS)
        mixed = self.products_t_per_a.get(MIXED_CONCENTRATE, 0.0)
        share = sum(self.concentrate_reo_distribution.get(o, 0.0) for o in _NDPR_OXIDES)
        return direct + mixed * share

    def _purity(self, product: str) -> float:
        return float(self.product_purity_frac.get(product, 1.0))


def _positive(field_: str, v: Any) -> None:
    if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
        raise InputError(field_, v, "> 0", "give a positive number")


def _nonneg(field_: str, v: Any) -> None:
    if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
        raise InputError(field_, v, ">= 0", "give a non-negative number")


def beylikova_defaults(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Default terms {name: value} (values only; sources in the YAML), with overrides applied."""
    raw = read_yaml("beylikova_defaults.yaml")
    vals = {k: v["value"] for k, v in raw.items()}
    for k, v in (overrides or {}).items():
        if k not in vals:
            raise InputError(f"overrides.{k}", v, f"one of {sorted(vals)}", "check the name")
        vals[k] = v
    return vals


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
        }


def _revenue_table(inp: EconomicInputs, deck: PriceDeck) -> pd.DataFrame:
    needed = [p for p in inp.products_t_per_a if p != MIXED_CONCENTRATE]
    if MIXED_CONCENTRATE in inp.products_t_per_a:
        needed += [o for o, w in inp.concentrate_reo_distribution.items() if w > 0]
    missing = sorted({p for p in needed if not deck.has(p)})
    if missing:
        raise InputError(f"deck[{deck.name}]", missing, "a sourced price for every product",
                         f"prices MISSING in deck '{deck.name}' for {missing}: choose another "
                         "deck or pass deck.with_prices({...}) with sourced values")
    rows = []
    for product, t in inp.products_t_per_a.items():
        if product == MIXED_CONCENTRATE:
            price = price_of_mixed_concentrate(deck, inp.concentrate_reo_distribution)
            share = sum(inp.concentrate_reo_distribution.get(o, 0.0) * deck.price(o)
                        for o in _NDPR_OXIDES) / price if price > 0 else 0.0
            purity = 1.0
        else:
            price = deck.price(product)
            share = 1.0 if product in NDPR_PRODUCTS else 0.0
            purity = inp._purity(product)
        pay = payability(product)
        usd = t * 1000.0 * purity * price * pay
        rows.append({"product": product, "t_per_a": t, "purity_frac": purity,
                     "price_usd_per_kg": price, "payability_frac": pay,
                     "usd_per_a": usd, "ndpr_linked_usd_per_a": usd * share,
                     "source": deck.sources.get(product, "basket of deck oxide prices")})
    return pd.DataFrame(rows)


def _opex_table(inp: EconomicInputs, capex_usd: float, d: Mapping[str, Any],
                year: int, index: CostIndex) -> pd.DataFrame:
    rg = reagent_costs(inp.reagents_t_per_a, currency_year=year, index=index,
                       price_overrides_usd_per_t=inp.reagent_price_overrides_usd_per_t)
    rows = [(f"reagent: {r}", "variable", u, s) for r, u, s in
            zip(rg["reagent"], rg["usd_per_a"], rg["source"], strict=True)]
    e_usd, _, e_src = energy_cost(inp.power_mwh_per_a, currency_year=year, index=index,
                                  price_usd_per_mwh=inp.electricity_price_usd_per_mwh)
    rows.append(("electricity", "variable", e_usd, e_src))
    rows.append(("mining", "variable", inp.mining_cost_usd_per_t_ore * inp.ore_t_per_a, "input"))
    sold = sum(inp.products_t_per_a.values())
    tails = inp.tailings_t_per_a if inp.tailings_t_per_a is not None else \
        max(inp.ore_t_per_a - sold - inp.residue_t_per_a, 0.0)
    t_usd, _, t_src = waste_cost("tailings", tails, currency_year=year, index=index)
    rows.append(("tailings disposal", "variable", t_usd, t_src))
    r_usd, _, r_src = waste_cost("radioactive residue", inp.residue_t_per_a, currency_year=year,
                                 index=index, price_usd_per_t=inp.residue_handling_usd_per_t)
    rows.append(("radioactive residue handling", "variable", r_usd, r_src))
    heads = inp.headcount if inp.headcount is not None else d["headcount"]
    rate = inp.labour_cost_usd_per_person_a if inp.labour_cost_usd_per_person_a is not None \
        else d["labour_cost_usd_per_person_a"]
    rows.append(("labour", "fixed", heads * rate, "headcount x cost per person-year"))
    rows.append(("maintenance", "fixed", d["maintenance_frac_of_capex_per_a"] * capex_usd,
                 "fraction of initial capex"))
    rows.append(("other fixed", "fixed", inp.other_fixed_opex_usd_per_a, "input"))
    return pd.DataFrame(rows, columns=["item", "kind", "usd_per_a", "source"])


def build_base(inputs: EconomicInputs, *, deck: str | PriceDeck = "usgs_2025",
               overrides: Mapping[str, Any] | None = None, index: CostIndex | None = None
               ) -> tuple[BaseCase, dict[str, pd.DataFrame], dict[str, Any], PriceDeck]:
    """Base case and its breakdown tables (revenue, capex, opex) for ``inputs``."""
    d = beylikova_defaults(overrides)
    index = index or cepci()
    year = int(d["currency_year"])
    pdeck = load_deck(deck).to_year(year, index)
    rev = _revenue_table(inputs, pdeck)
    if inputs.capex_usd is not None:
        _positive("capex_usd", inputs.capex_usd)
        capex_usd = float(inputs.capex_usd)
        cap = pd.DataFrame([("capex (input)", capex_usd, "input")],
                           columns=["item", "usd", "source"])
        est = "given (not estimated here)"
    else:
        if not inputs.equipment_sizes:
            raise InputError("equipment_sizes", {}, "sized equipment or capex_usd",
                             "pass equipment sizes from the flowsheet or a capex figure")
        ce = factored_capex(inputs.equipment_sizes, currency_year=year, index=index,
                            organic_fill_usd_per_m3=inputs.organic_fill_usd_per_m3)
        capex_usd, cap = ce.total_usd, ce.breakdown
        est = (f"AACE class {ce.aace_class}, accuracy {ce.accuracy_low_frac:+.0%} / "
               f"{ce.accuracy_high_frac:+.0%} (range assumed, see capex_factors.yaml)")
    opx = _opex_table(inputs, capex_usd, d, year, index)
    life = inputs.life_years if inputs.life_years is not None else int(d["life_years"])
    sched = dcf.Schedule(
        construction_years=int(d["construction_years"]), life_years=int(life),
        capex_phasing_frac=tuple(d["capex_phasing_frac"]), ramp_up_frac=tuple(d["ramp_up_frac"]),
        depreciation_years=int(d["depreciation_years"]),
        sustaining_capex_frac_per_a=float(d["sustaining_capex_frac_per_a"]),
        working_capital_frac=float(d["working_capital_frac"]),
        closure_cost_frac=float(d["closure_cost_frac"]),
        inflation_frac_per_a=float(d["inflation_frac_per_a"]))
    fiscal = dcf.FiscalTerms(tax_rate_frac=float(d["tax_rate_frac"]),
                             royalty_rate_frac=float(d["royalty_rate_frac"]),
                             royalty_base=str(d["royalty_base"]),
                             loss_carry_forward_years=int(d["loss_carry_forward_years"]))
    ndpr_rev = float(rev["ndpr_linked_usd_per_a"].sum())
    byp = float(rev.loc[rev["product"].isin(_REO_NON_OXIDE), "usd_per_a"].sum())
    base = BaseCase(
        revenue_ndpr_usd_per_a=ndpr_rev,
        revenue_other_usd_per_a=float(rev["usd_per_a"].sum()) - ndpr_rev - byp,
        revenue_byproduct_usd_per_a=byp,
        opex_variable_usd_per_a=float(opx.loc[opx["kind"] == "variable", "usd_per_a"].sum()),
        opex_fixed_usd_per_a=float(opx.loc[opx["kind"] == "fixed", "usd_per_a"].sum()),
        capex_usd=capex_usd, schedule=sched, fiscal=fiscal,
        fx_local_share_of_opex=float(d["fx_local_share_of_opex"]),
        ndpr_price_usd_per_kg=pdeck.price("NdPr oxide") if pdeck.has("NdPr oxide") else math.nan,
        opex_mining_usd_per_a=float(opx.loc[opx["item"] == "mining", "usd_per_a"].sum()))
    d["estimate_class"] = est
    return base, {"revenue": rev, "capex": cap, "opex": opx}, d, pdeck


def evaluate(inputs: EconomicInputs, *, deck: str | PriceDeck = "usgs_2025",
             rates: tuple[float, ...] | None = None, basis: str = "real",
             overrides: Mapping[str, Any] | None = None,
             index: CostIndex | None = None) -> EconomicResult:
    """Evaluate the project economics of ``inputs`` (see the module docstring).

    rates : discount rates (fractions; real for basis='real', nominal for 'nominal'). Default:
    the Beylikova default real rates, converted by the Fisher relation with the default
    inflation when basis='nominal'. The break-even NdPr price is at the second default rate
    (8 % real) when present, else at the first rate.
    """
    base, tables, d, pdeck = build_base(inputs, deck=deck, overrides=overrides, index=index)
    if rates is None:
        real = [float(x) for x in d["discount_rates_frac"]]
        rates = tuple(real) if basis == "real" else tuple(
            float(dcf.fisher_nominal_rate(x, base.schedule.inflation_frac_per_a)) for x in real)
        be_rate = rates[real.index(0.08)] if 0.08 in real else rates[0]
    else:
        rates = tuple(rates)
        be_rate = rates[0]
    for r in rates:
        if not (isinstance(r, (int, float)) and -0.5 < r < 1):
            raise InputError("rates", r, "(-0.5, 1)", "give discount rates as fractions")
    cf = run(base, basis=basis)
    net = cf["net_cash_flow"]
    npvs = dict(zip(rates, dcf.npv(net, np.asarray(rates, float)).tolist(), strict=True))
    sched = base.schedule
    years = np.arange(sched.n_years)
    df = pd.DataFrame({k: v for k, v in cf.items()}, index=pd.Index(years, name="year"))
    df["utilisation"] = dcf.utilisation(sched)
    full = base.opex_variable_usd_per_a + base.opex_fixed_usd_per_a
    sus = base.capex_usd * sched.sustaining_capex_frac_per_a
    reo_kg, ndpr_kg = inputs.reo_t_per_a() * 1e3, inputs.ndpr_oxide_t_per_a() * 1e3
    revenue = base.revenue_ndpr_usd_per_a + base.revenue_other_usd_per_a + \
        base.revenue_byproduct_usd_per_a
    full_years = df["utilisation"].to_numpy() >= 1.0
    real_royalty = cf["royalty"] if basis == "real" else run(base)["royalty"]
    royalty = float(real_royalty[full_years].mean()) if full_years.any() else \
        revenue * base.fiscal.royalty_rate_frac
    cash_cost = full + sus + royalty
    credits = base.revenue_other_usd_per_a + base.revenue_byproduct_usd_per_a
    m = breakeven_ndpr_multiplier(base, be_rate, basis=basis)
    return EconomicResult(
        npv_usd=npvs, irr_frac=float(dcf.irr(net)),
        payback_years=float(dcf.payback_years(net, sched.first_production)),
        unit_cost_usd_per_kg_reo=cash_cost / reo_kg if reo_kg > 0 else math.nan,
        unit_cost_usd_per_kg_ndpr=cash_cost / ndpr_kg if ndpr_kg > 0 else math.nan,
        unit_cost_net_of_credits_usd_per_kg_ndpr=(cash_cost - credits) / ndpr_kg
        if ndpr_kg > 0 else math.nan,
        breakeven_ndpr_usd_per_kg=m * base.ndpr_price_usd_per_kg, breakeven_rate_frac=be_rate,
        cash_flows=df, capex=tables["capex"], opex=tables["opex"], revenue=tables["revenue"],
        capex_usd=base.capex_usd, opex_usd_per_a=full,
        revenue_usd_per_a=revenue,
        currency_year=int(d["currency_year"]), basis=basis, deck=pdeck.name, base=base,
        estimate_class=d["estimate_class"], assumptions=_ReadOnlyDict(d))
