"""Typed economic parameters of a project: fiscal terms, schedule, financing and method choices.

:class:`EconomicsParams` is what :func:`reeflow.economics.evaluate` needs beyond the flowsheet:
tax and royalty, depreciation and loss carry-forward, construction years and phasing, life and
ramp-up, sustaining capex, working capital, closure, discount rates, currency year, price deck,
opex rates that are policy rather than physics (labour, maintenance, G&A, marketing), the capex
method's project-level choices (AACE class, location factor, owner's costs) and optional debt
financing. It is a :class:`reeflow.core.projectfile.StrictModel`: unknown keys are errors, every
number is parsed with its unit at the edge (``"25 %"``, ``"30000 USD"``) and checked against a
documented plausible range (the bounds below say why). Values are DATA of a case
(e.g. ``reeflow/cases/<case>/fiscal.yaml``), written in the project-file provenance format
``{value, source, evidence, range, note}``; this module knows no case.

Bounds are plausibility limits, not policy: a corporate tax above 60 % or a discount rate above
30 % is refused as a likely typo (percent written as a fraction or the reverse).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from reeflow.core.errors import InputError, did_you_mean
from reeflow.core.projectfile import (
    Provenance,
    Q,
    StrictModel,
    Unit,
    load_yaml_tree,
    validate_tree,
)
from reeflow.core.units import is_dimensionless

__all__ = [
    "EconomicsParams", "FiscalParams", "ScheduleParams", "DebtParams", "OpexParams",
    "CapexParams", "ClosureParams", "PricePeriod", "PayabilityParams", "load_economics_params",
]

# Fractions with plausibility bounds (see the module doc).
_Frac = Q("frac", ge=0.0, le=1.0)
_Rate = Q("frac", ge=0.0, le=0.30)


class FiscalParams(StrictModel):
    """Tax and royalty.

    tax_rate : corporate income tax on taxable profit, [0, 60 %] (highest statutory rates are
        near 35-40 %; 60 % allows resource-rent surcharges).
    royalty_rate : royalty rate, [0, 30 %] (mineral royalties run 0-10 % ad valorem; 30 % admits
        profit-based royalties).
    royalty_base : ``revenue`` (ad valorem on sales) or ``revenue_less_processing`` (sales less
        processing cost and depreciation, floored at 0, a pithead-value royalty).
    loss_carry_forward_years : years a tax loss may be carried forward, 0-50 (0 = none; some
        jurisdictions allow indefinite carry-forward: use 50).
    depreciation_years : straight-line tax life of each capital spend, 1-50 years.
    """

    tax_rate: Q("frac", ge=0.0, le=0.60)  # type: ignore[valid-type]
    royalty_rate: Q("frac", ge=0.0, le=0.30)  # type: ignore[valid-type]
    royalty_base: Literal["revenue", "revenue_less_processing"] = "revenue"
    loss_carry_forward_years: int = Field(ge=0, le=50)
    depreciation_years: int = Field(ge=1, le=50)


class ScheduleParams(StrictModel):
    """Construction, life and ramp-up.

    construction_years : 1-10 (peers build in 2-4 years).
    capex_phasing : share of initial capex per construction year (one per year, sums to 1).
    life_years : production years, 1-100 (the mine plan should set it; peers 9-42 years).
    ramp_up : utilisation of the first production years, each in (0, 1] (at most 10 years and
        at most ``life_years``; a year at 0 is a construction year).
    """

    construction_years: int = Field(ge=1, le=10)
    capex_phasing: list[_Frac]  # type: ignore[valid-type]
    life_years: int = Field(ge=1, le=100)
    ramp_up: list[_Frac] = Field(default_factory=list, max_length=10)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _phasing_matches(self) -> ScheduleParams:
        if len(self.capex_phasing) != self.construction_years or \
                abs(sum(self.capex_phasing) - 1.0) > 1e-6:
            raise InputError("schedule.capex_phasing", self.capex_phasing,
                             f"{self.construction_years} shares summing to 1",
                             "give one share per construction year")
        if any(u <= 0 for u in self.ramp_up):
            raise InputError("schedule.ramp_up", self.ramp_up,
                             "utilisations above 0 (a ramp-up year produces)",
                             "count a year without production as a construction year "
                             "(construction_years, capex_phasing), or give it a utilisation "
                             "such as 0.3")
        if len(self.ramp_up) > self.life_years:
            raise InputError("schedule.ramp_up", self.ramp_up,
                             f"ramp_up with at most life_years = {self.life_years} values "
                             "(one per ramp-up year)", "shorten ramp_up or lengthen life_years")
        return self


class DebtParams(StrictModel):
    """Project debt (issue #12: levered NPV/IRR and DSCR).

    share_of_capex : debt share of initial capex, [0, 90 %] (project finance rarely lends more
        than 70-75 %).
    interest_rate : annual rate, [0, 30 %], on the same basis (real/nominal) as the cash flows.
    tenor_years : repayment years after the grace period, 1-30.
    grace_years : interest-only years after first production, 0-10.
    upfront_fee : arrangement fee on the facility, [0, 10 %], paid at first drawdown.
    repayment : ``annuity`` (level debt service) or ``straight_line`` (level principal).
    Interest during construction is capitalised into the balance.
    """

    share_of_capex: Q("frac", ge=0.0, le=0.90)  # type: ignore[valid-type]
    interest_rate: _Rate  # type: ignore[valid-type]
    tenor_years: int = Field(ge=1, le=30)
    grace_years: int = Field(default=0, ge=0, le=10)
    upfront_fee: Q("frac", ge=0.0, le=0.10) = 0.0  # type: ignore[valid-type]
    repayment: Literal["annuity", "straight_line"] = "annuity"


class OpexParams(StrictModel):
    """Opex rates that are policy, not physics.

    headcount : site employees, 1-20,000 (peers: Nolans 280, Mountain Pass 670).
    labour_cost : fully loaded cost per person-year, 1,000-300,000 USD.
    maintenance_frac_of_direct_capex : maintenance per year as a fraction of the installed
        (direct) plant cost, [0, 15 %] (Towler & Sinnott 2012 §8.2: 3-5 % of ISBL typical).
    general_admin_frac_of_labour : G&A and plant overhead as a fraction of labour, [0, 200 %]
        (Towler & Sinnott 2012 §8.2: general plant overhead 65 % of labour + supervision).
    insurance_frac_of_capex : property insurance and local taxes per year, [0, 5 %] of capex
        (Towler & Sinnott 2012 §8.2: 1-2 % of ISBL).
    marketing_frac_of_revenue : sales and marketing cost, [0, 10 %] of revenue.
    fx_local_share_of_opex : share of opex paid in local currency (for the FX sensitivity).
    """

    headcount: float = Field(ge=1, le=20_000)
    labour_cost: Q("USD", ge=1_000.0, le=300_000.0)  # type: ignore[valid-type]
    maintenance_frac_of_direct_capex: Q("frac", ge=0.0, le=0.15)  # type: ignore[valid-type]
    general_admin_frac_of_labour: Q("frac", ge=0.0, le=2.0)  # type: ignore[valid-type]
    insurance_frac_of_capex: Q("frac", ge=0.0, le=0.05) = 0.0  # type: ignore[valid-type]
    marketing_frac_of_revenue: Q("frac", ge=0.0, le=0.10) = 0.0  # type: ignore[valid-type]
    fx_local_share_of_opex: _Frac = 0.0  # type: ignore[valid-type]


class CapexParams(StrictModel):
    """Project-level choices of the factored capex estimate (the factors are data).

    aace_class : estimate class 1-5 (AACE RP 18R-97 / 47R-11); sets the accuracy range and the
        default contingency.
    contingency : override of the class's default contingency, [0, 60 %].
    location_factor : construction-cost location factor relative to the US Gulf Coast basis of
        the correlations, 0.5-2.5 (Towler & Sinnott 2012 Table 6.7 spans ~0.6-1.6).
    owners_cost_frac : owner's costs as a fraction of the construction cost, [0, 30 %].
    The estimate is always factored from sized equipment; the scaled published analogue is
    reported beside it as a cross-check (``EconomicResult.capex_cross_check``).
    """

    aace_class: int = Field(default=4, ge=1, le=5)
    contingency: Q("frac", ge=0.0, le=0.60) | None = None  # type: ignore[valid-type]
    location_factor: Q("frac", ge=0.5, le=2.5) = 1.0  # type: ignore[valid-type]
    owners_cost_frac: Q("frac", ge=0.0, le=0.30) | None = None  # type: ignore[valid-type]


class ClosureParams(StrictModel):
    """Closure and long-term care.

    basis : ``engineered`` (decommissioning fraction + residue-facility capping + funded
        aftercare, :mod:`reeflow.economics.residue_storage`) or ``fraction_of_capex`` (legacy).
    decommissioning_frac_of_direct_capex : plant demolition and site rehabilitation, [0, 30 %].
    fraction_of_capex : used only with basis ``fraction_of_capex``, [0, 30 %].
    aftercare_years : post-closure care of residue facilities, 0-1000 years (40 CFR 258.61 sets
        30; NORM institutional control can be longer).
    aftercare_trust_rate : real rate at which the aftercare trust is funded at closure, [0, 10 %].
    """

    basis: Literal["engineered", "fraction_of_capex"] = "engineered"
    decommissioning_frac_of_direct_capex: Q("frac", ge=0.0, le=0.30) = 0.0  # type: ignore[valid-type]
    fraction_of_capex: Q("frac", ge=0.0, le=0.30) = 0.0  # type: ignore[valid-type]
    aftercare_years: int = Field(default=30, ge=0, le=1000)
    aftercare_trust_rate: Q("frac", ge=0.0, le=0.10) = 0.02  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _fraction_given(self) -> ClosureParams:
        if self.basis == "fraction_of_capex" and "fraction_of_capex" not in self.model_fields_set:
            raise InputError("fraction_of_capex", None, "a fraction of capex in "
                             "[0, 30 %] with basis fraction_of_capex (no data is not 0)",
                             "add closure: {fraction_of_capex: ...} or use basis: engineered")
        return self


class PricePeriod(StrictModel):
    """One period of the price path: the first ``production_years`` production years after the
    periods before it are priced on ``deck`` (default: the study's ``price_deck``) with
    ``prices`` replacing the deck's (USD per kg, e.g. an offtake contract's NdPr price).
    Production years after the last period use the study's ``price_deck`` (life of mine).

    name : label shown in the report (``offtake``, ``floor contract`` …).
    production_years : 1-100 years.
    """

    name: str = Field(min_length=1, max_length=80)
    production_years: int = Field(ge=1, le=100)
    deck: str | None = Field(default=None, max_length=80)
    prices: dict[str, Q("USD/kg", ge=0.0, le=1e5)] = Field(  # type: ignore[valid-type]
        default_factory=dict)


class PayabilityParams(StrictModel):
    """How product purity sets what is paid (:func:`reeflow.economics.prices.purity_payability`).

    below_spec : ``mixed_concentrate`` (a separated oxide below its price's purity basis is paid
        on its own oxide at the mixed REO concentrate class's payability) or ``none`` (no
        discount). It concerns separated oxides only: a mixed SX group (other than Nd+Pr) is
        always sold as a mixed REO concentrate, on every oxide it holds.
    specs : product -> minimum purity that overrides the deck's stated basis (e.g. an offtake
        contract's specification), each in [0, 100 %].
    """

    below_spec: Literal["mixed_concentrate", "none"] = "mixed_concentrate"
    specs: dict[str, _Frac] = Field(default_factory=dict)  # type: ignore[valid-type]


def _hint(name: str, names: Sequence[str]) -> str:
    return did_you_mean(name, names, fallback=False) or "use one of the listed names"


class EconomicsParams(StrictModel):
    """Everything :func:`reeflow.economics.evaluate` needs that the flowsheet does not supply.

    currency_year : year of the study's dollars, 1990-2100 (needs a cost-index value).
    price_deck : name of a price deck (:func:`reeflow.economics.deck_names`).
    discount_rates : real (or nominal, with ``basis='nominal'``) rates, each in [0, 30 %].
    headline_rate : the rate of the break-even, sensitivities and benchmarks; one of
        ``discount_rates``.
    inflation : general inflation for the nominal case, [-5 %, 20 %] per year.
    sustaining_capex_frac_per_a : per production year, [0, 20 %] of initial capex.
    working_capital_frac : working capital held, [0, 50 %] of the year's revenue.
    benchmark_reasons : {benchmark figure: why the case's figure sits outside the peer band}
        (the report must state it; see :data:`reeflow.economics.benchmark.FIGURES`).
    price_periods : the price path by period (:class:`PricePeriod`, e.g. an offtake period
        before life-of-mine prices); empty = the ``price_deck`` every year.
    payability : purity-based payability (:class:`PayabilityParams`).
    freight_usd_per_t (written ``freight``) : freight per tonne of product shipped, site to the
        buyer's port, by product class (``separated oxide``, ``mixed REO concentrate``,
        ``industrial mineral concentrate``: the classes of ``payability.csv``), in
        ``currency_year`` dollars, each in [0, 10,000] USD/t. A site's freight depends on where
        it is: there is no generic default, and a study that ships a class without a rate
        stops with an input error naming it.
    """

    currency_year: int = Field(ge=1990, le=2100)
    price_deck: str = "usgs_2025"
    discount_rates: list[_Rate] = Field(min_length=1)  # type: ignore[valid-type]
    headline_rate: _Rate = 0.08  # type: ignore[valid-type]
    inflation: Q("frac", ge=-0.05, le=0.20) = 0.0  # type: ignore[valid-type]
    fiscal: FiscalParams
    schedule: ScheduleParams
    sustaining_capex_frac_per_a: Q("frac", ge=0.0, le=0.20)  # type: ignore[valid-type]
    working_capital_frac: Q("frac", ge=0.0, le=0.50)  # type: ignore[valid-type]
    opex: OpexParams
    capex: CapexParams = Field(default_factory=CapexParams)
    closure: ClosureParams = Field(default_factory=ClosureParams)
    debt: DebtParams | None = None
    benchmark_reasons: dict[str, str] = Field(default_factory=dict)
    price_periods: list[PricePeriod] = Field(default_factory=list, max_length=10)
    payability: PayabilityParams = Field(default_factory=PayabilityParams)
    freight_usd_per_t: dict[str, Q("USD/t", ge=0.0, le=10_000.0)] = Field(  # type: ignore[valid-type]
        default_factory=dict, alias="freight")

    @model_validator(mode="after")
    def _freight_classes(self) -> EconomicsParams:
        from reeflow.economics._data import read_table

        classes = set(read_table("payability.csv")["product_class"])
        unknown = sorted(set(self.freight_usd_per_t) - classes)
        if unknown:
            raise InputError("economics.freight", unknown, f"product classes {sorted(classes)}",
                             "rename the class")
        return self

    @model_validator(mode="after")
    def _reasons_name_figures(self) -> EconomicsParams:
        from reeflow.economics.benchmark import FIGURES

        unknown = sorted(set(self.benchmark_reasons) - set(FIGURES))
        if unknown:
            raise InputError("benchmark_reasons", unknown, f"figures in {sorted(FIGURES)}",
                             "rename the figure")
        return self

    @model_validator(mode="after")
    def _rates_once(self) -> EconomicsParams:
        """Each rate once: results keyed by rate folded [0.1, 0.1] into one (fuzz round 20)."""
        keys = [f"{r:.4f}" for r in self.discount_rates]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise InputError("discount_rates", list(self.discount_rates), "each rate once",
                             f"remove the repeated {', '.join(twice)}")
        return self

    @model_validator(mode="after")
    def _headline_listed(self) -> EconomicsParams:
        if not any(math.isclose(self.headline_rate, r, abs_tol=1e-12)
                   for r in self.discount_rates):
            raise InputError("headline_rate", self.headline_rate,
                             f"one of discount_rates {self.discount_rates}",
                             "add the headline rate to discount_rates")
        return self

    @model_validator(mode="after")
    def _decks_and_products_known(self) -> EconomicsParams:
        from reeflow.economics.prices import deck_names, known_products

        decks, products = deck_names(), known_products()
        named = [("price_deck", self.price_deck)] + [
            (f"price_periods.{i}.deck", p.deck) for i, p in enumerate(self.price_periods)
            if p.deck is not None]
        for path, deck in named:
            if deck not in decks:
                raise InputError(path, deck, f"a shipped deck: {', '.join(decks)}",
                                 _hint(deck, decks))
        priced = [(f"price_periods.{i}.prices.{k}", k) for i, p in enumerate(self.price_periods)
                  for k in p.prices] + [(f"payability.specs.{k}", k)
                                         for k in self.payability.specs]
        for path, name in priced:
            if name not in products:
                raise InputError(path, name, f"a product name: {', '.join(products)}",
                                 _hint(name, products))
        return self

    @model_validator(mode="after")
    def _debt_repaid_in_life(self) -> EconomicsParams:
        d, life = self.debt, self.schedule.life_years
        if d is not None and d.grace_years + d.tenor_years > life:
            raise InputError("debt.tenor_years", d.tenor_years,
                             f"grace_years + tenor_years <= schedule.life_years ({life})",
                             "shorten the tenor or the grace period, or lengthen the life")
        return self

    def with_overrides(self, overrides: dict[str, Any]) -> EconomicsParams:
        """A validated copy with dotted-path overrides, e.g. ``{"fiscal.tax_rate": 0.2}``."""
        data = _dump_with_units(self)
        for path, value in overrides.items():
            node: Any = data
            parts = path.split(".")
            for p in parts[:-1]:
                if not isinstance(node, dict) or p not in node or node[p] is None:
                    raise InputError(f"overrides.{path}", value, "a known parameter path",
                                     "see EconomicsParams for the field names")
                node = node[p]
            if not isinstance(node, dict) or parts[-1] not in node:
                raise InputError(f"overrides.{path}", value, "a known parameter path",
                                 "see EconomicsParams for the field names")
            node[parts[-1]] = value
        params, _ = validate_tree(type(self), data)  # a subclass (a project's section) too
        return params


def _dump_with_units(model: StrictModel) -> dict[str, Any]:
    """``model_dump`` with quantities written back with their canonical unit (re-validatable)."""
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        v = getattr(model, name)
        unit = next((m.unit for m in info.metadata if isinstance(m, Unit)), None)
        if isinstance(v, StrictModel):
            out[name] = _dump_with_units(v)
        elif isinstance(v, list) and v and isinstance(v[0], StrictModel):
            out[name] = [_dump_with_units(x) for x in v]
        elif isinstance(v, dict) and (u := _value_unit(info.annotation)) is not None \
                and not is_dimensionless(u):
            out[name] = {k: f"{x!r} {u}" if isinstance(x, float) else x for k, x in v.items()}
        elif unit is not None and isinstance(v, float) and not is_dimensionless(unit):
            out[name] = f"{v!r} {unit}"
        else:
            out[name] = v
    return out


def _value_unit(annotation: Any) -> str | None:
    """The canonical unit of a ``dict[str, Q(unit)]`` field's values (None if not one)."""
    from typing import get_args

    args = get_args(annotation)
    if len(args) != 2:
        return None
    return next((m.unit for m in getattr(args[1], "__metadata__", ()) if isinstance(m, Unit)),
                None)


def load_economics_params(path: str | Path) -> tuple[EconomicsParams, dict[str, Provenance]]:
    """Read a fiscal/economics YAML (provenance format, ``extends`` allowed) into the model.

    Returns the validated parameters and the provenance table (dotted path -> source,
    evidence, range, note). Errors are :class:`InputError` naming the field.
    """
    p = Path(path)

    def _no_builtin(name: str) -> Path:
        raise InputError("extends", f"builtin:{name}", "a relative file path",
                         "write extends as a path relative to this fiscal file (builtin:NAME works "
                         "in project files)")

    tree = load_yaml_tree(p, _no_builtin)
    return validate_tree(EconomicsParams, tree)
