"""Operating cost from the flowsheet's own consumption.

Reagents (t/a x price), energy (MWh/a x price), labour (headcount x cost per person-year),
maintenance (fraction of initial capex), mining (USD/t ore), tailings and radioactive-residue
handling (t/a x USD/t). Prices come from ``reagent_prices.csv``, ``energy_prices.csv`` and
``waste_prices.csv`` (PrOMMiS default resource prices with their own citations: EIA,
businessanalytiq, intratec; see each row), escalated to the study currency year by a cost
index (CEPCI, an approximation for consumables). Unpriced reagents are an error listing all of
them; a missing price is never a zero.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from reeflow.core.data import MISSING
from reeflow.core.errors import InputError, did_you_mean
from reeflow.core.units import ureg
from reeflow.economics._data import read_table, read_yaml, table_rows
from reeflow.economics.cost_index import CostIndex, cepci

__all__ = ["reagent_costs", "reagent_cost_rows", "energy_cost", "waste_cost", "price_per_t",
           "OpexDrivers", "opex_table", "opex_rows", "OPEX_COLUMNS"]


def _to_usd_per_t(price: float, unit: str, field: str) -> float:
    if unit == "USD/t":
        return float(price)
    per = unit.split("/", 1)[1]
    q = ureg.Quantity(1.0, per)
    if not q.check("[mass]"):
        raise InputError(field, unit, "a price per unit mass",
                         "this reagent is priced by volume; the density is MISSING - pass "
                         "its cost in USD/t via price_overrides_usd_per_t")
    return float(price) / q.to("t").magnitude


def price_per_t(table: str, name: str, *, currency_year: int,
                index: CostIndex) -> tuple[float, str]:
    """Price of ``name`` from ``table`` in USD/t of ``currency_year`` and its source."""
    row = table_rows(table, df_key(table))[name]  # KeyError when unknown, as .loc
    if not math.isfinite(float(row["price"])):
        raise InputError(f"prices.{name}", "MISSING", "a sourced price", str(row["source"]))
    p = _to_usd_per_t(float(row["price"]), str(row["unit"]), f"prices.{name}")
    assay, src = _assay(row, name), str(row["source"])
    if assay != 1.0:
        p /= assay
        src += f" (quoted per t of a {assay:.0%} product: here per t of 100 % {name})"
    return p * index.factor(int(row["currency_year"]), currency_year), src


def _assay(row: Mapping[str, Any], name: str) -> float:
    """Mass fraction of ``name`` in the product a price is quoted for (``assay_frac``; empty =
    the price is per t of the reagent itself). The flowsheet consumes the pure reagent, so the
    price per t of it is the quoted price / assay (e.g. HCl quoted per t of 35 % solution)."""
    a = row.get("assay_frac")
    if a is None or (isinstance(a, float) and math.isnan(a)) or a == "":
        return 1.0
    a = float(a)
    if not 0.0 < a <= 1.0:
        raise InputError(f"prices.{name}.assay_frac", a, "0 < assay <= 1", "fix the price table")
    return a


def df_key(table: str) -> str:
    return {"reagent_prices.csv": "reagent", "waste_prices.csv": "waste",
            "energy_prices.csv": "carrier"}[table]


#: the source of a reagent price the project file gives (economics.reagent_prices)
OVERRIDE_SOURCE = "price given (economics.reagent_prices; price_overrides_usd_per_t in Python)"


@functools.lru_cache(maxsize=1)
def _reagent_names() -> tuple[str, ...]:
    names = read_yaml("reagent_aliases.yaml")
    return tuple(sorted({*table_rows("reagent_prices.csv", "reagent"), *names["aliases"],
                         *names["no_purchase_cost"]}))


def reagent_names() -> list[str]:
    """Every reagent name the opex room can price: the shipped price list's, the flowsheet's
    names for them (``reagent_aliases.yaml``) and those bought at no cost (read once: every
    project validation asks)."""
    return list(_reagent_names())


def check_reagent_names(prices: Mapping[str, Any], where: str, *,
                        also: Iterable[str] = ()) -> None:
    """A price given for a reagent no flowsheet buys is refused naming the key: 'HCL' or a
    made-up name left the shipped price in place with exit 0 (fuzz round 19). ``also``: more
    names a flowsheet may buy (the plant's species, priced by the project where unshipped)."""
    shipped = reagent_names()
    known = sorted({*shipped, *also})
    for name in prices:
        if name not in known:
            raise InputError(f"{where}.{name}", name, "a reagent the plant can buy: "
                             f"{', '.join(shipped)}, or a species of the plant's chemistry "
                             "(e.g. H2O2)", did_you_mean(name, known) + " (names are "
                             "case-sensitive, as the flowsheet writes them)")


def reagent_cost_rows(reagents_t_per_a: Mapping[str, float], *, currency_year: int,
                      index: CostIndex | None = None,
                      price_overrides_usd_per_t: Mapping[str, float] | None = None,
                      ) -> list[tuple[str, float, float, str]]:
    """Annual reagent cost per reagent at full production: (reagent, t/a, USD/t, source).

    Flowsheet names are mapped by ``reagent_aliases.yaml`` (e.g. H2C2O4 -> oxalic acid); air
    has no purchase cost (its energy is in the power figure). Raises InputError listing every
    reagent without a usable price (unknown, MISSING, or priced by volume without a density)
    unless it is in ``price_overrides_usd_per_t`` (taken as ``currency_year`` dollars).
    """
    index = index or cepci()
    table = table_rows("reagent_prices.csv", "reagent")
    names = read_yaml("reagent_aliases.yaml")
    aliases, free = names["aliases"], names["no_purchase_cost"]
    overrides = dict(price_overrides_usd_per_t or {})
    rows, bad = [], []
    for given, t in reagents_t_per_a.items():
        if not (isinstance(t, (int, float)) and math.isfinite(t) and t >= 0):
            raise InputError(f"reagents_t_per_a.{given}", t, ">= 0 t/a", "give a consumption")
        name = aliases.get(given, given)
        if given in overrides or name in overrides:
            p = overrides[given] if given in overrides else overrides[name]
            rows.append((given, float(t), float(p), OVERRIDE_SOURCE))
            continue
        if name in free:
            rows.append((given, float(t), 0.0, f"no purchase cost: {free[name]['reason']}"))
            continue
        try:
            if name not in table:
                raise KeyError(name)
            p, src = price_per_t("reagent_prices.csv", name, currency_year=currency_year,
                                 index=index)
        except (KeyError, InputError):
            bad.append(given)
            continue
        rows.append((given, float(t), p, src))
    if bad:
        raise InputError("economics.reagent_prices", bad, "a price for every reagent the plant "
                         "buys; shipped prices: "
                         f"{sorted(k for k, r in table.items() if pd.notna(r['price']))}",
                         f"the plant buys {', '.join(map(str, bad))} and no usable price is "
                         "shipped (unknown, MISSING or priced by volume): set economics."
                         f"reagent_prices: {{{bad[0]}: {{value: <price> USD/t, source: ...}}}} in "
                         "the project file (price_overrides_usd_per_t in the Python API)")
    return rows


def reagent_costs(reagents_t_per_a: Mapping[str, float], *, currency_year: int,
                  index: CostIndex | None = None,
                  price_overrides_usd_per_t: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Annual reagent cost per reagent at full production: reagent, t_per_a,
    price_usd_per_t, source, usd_per_a (:func:`reagent_cost_rows`, as a table)."""
    rows = reagent_cost_rows(reagents_t_per_a, currency_year=currency_year, index=index,
                             price_overrides_usd_per_t=price_overrides_usd_per_t)
    df = pd.DataFrame(rows, columns=["reagent", "t_per_a", "price_usd_per_t", "source"])
    df["usd_per_a"] = df["t_per_a"] * df["price_usd_per_t"]
    return df


def energy_cost(power_mwh_per_a: float, *, currency_year: int, index: CostIndex | None = None,
                price_usd_per_mwh: float | None = None) -> tuple[float, float, str]:
    """(USD/a, price USD/MWh, source) of electricity at full production."""
    if not (isinstance(power_mwh_per_a, (int, float)) and power_mwh_per_a >= 0):
        raise InputError("power_mwh_per_a", power_mwh_per_a, ">= 0 MWh/a", "give energy use")
    if price_usd_per_mwh is not None:
        return power_mwh_per_a * price_usd_per_mwh, float(price_usd_per_mwh), "input"
    index = index or cepci()
    row = table_rows("energy_prices.csv", "carrier")["electricity"]
    p = float(row["price"]) * index.factor(int(row["currency_year"]), currency_year)
    return power_mwh_per_a * p, p, str(row["source"])


def waste_cost(waste: str, t_per_a: float, *, currency_year: int,
               index: CostIndex | None = None, price_usd_per_t: float | None = None
               ) -> tuple[float, float, str]:
    """(USD/a, USD/t, source) for disposing ``t_per_a`` of ``waste`` (tailings, residue...)."""
    if not (isinstance(t_per_a, (int, float)) and t_per_a >= 0):
        raise InputError(f"{waste}_t_per_a", t_per_a, ">= 0 t/a", "give a tonnage")
    if price_usd_per_t is not None:
        return t_per_a * price_usd_per_t, float(price_usd_per_t), "input"
    if t_per_a == 0:
        return 0.0, math.nan, "no tonnage"
    try:
        p, src = price_per_t("waste_prices.csv", waste, currency_year=currency_year,
                             index=index or cepci())
    except InputError:
        raise InputError(f"{waste.replace(' ', '_')}_handling_usd_per_t", None,
                         "> 0 USD/t (MISSING: no sourced default)",
                         f"pass the cost of handling and storing {waste} per tonne") from None
    return t_per_a * p, p, src


# =============================================================================================
# The complete opex build-up (every item with its driver, rate and source, or marked missing).
# =============================================================================================

@dataclass(frozen=True)
class OpexDrivers:
    """Annual quantities at full production that drive the opex (None = not supplied).

    fuel_gj_per_a : carrier -> GJ/a (carriers priced in ``energy_prices.csv``).
    flotation_feed_t_per_a : circuit (``ree``, ``fluorite``, ``barite``) -> t/a fed.
    mill_energy_mwh_per_a : ball-mill energy (grinding media wear).
    sx_aqueous_m3_per_a : aqueous volume through the SX circuits (organic losses).
    product_t_per_a_by_class : product class (payability.csv classes) -> t/a shipped.
    """

    ore_t_per_a: float
    mining_cost_usd_per_t_ore: float
    reagents_t_per_a: Mapping[str, float]
    reagent_price_overrides_usd_per_t: Mapping[str, float]
    power_mwh_per_a: float | None
    electricity_price_usd_per_mwh: float | None
    fuel_gj_per_a: Mapping[str, float] | None
    water_m3_per_a: float | None
    flotation_feed_t_per_a: Mapping[str, float] | None
    mill_energy_mwh_per_a: float | None
    sx_aqueous_m3_per_a: float | None
    organic_usd_per_m3: float | None
    brine_handling: str | None
    brine_m3_per_a: float | None
    product_t_per_a_by_class: Mapping[str, float]
    revenue_usd_per_a: float


#: the columns of an opex table (and the order of an opex row)
OPEX_COLUMNS = ["item", "kind", "quantity", "quantity_unit", "rate", "rate_unit", "usd_per_a",
         "source", "evidence"]


def _row(item: str, kind: str, qty: float | None, qunit: str, rate: float | None, runit: str,
         source: str, evidence: str) -> tuple[Any, ...]:
    if qty is None or rate is None:
        return (item, kind, qty, qunit, rate, runit, math.nan, source, MISSING)
    return (item, kind, float(qty), qunit, float(rate), runit, float(qty) * float(rate), source,
            evidence)


def _rates() -> dict[str, Any]:
    return read_yaml("opex_rates.yaml")


def _reagent_rows(d: OpexDrivers, year: int, index: CostIndex) -> list[tuple[Any, ...]]:
    rows = []
    for r, t, p, s in reagent_cost_rows(
            d.reagents_t_per_a, currency_year=year, index=index,
            price_overrides_usd_per_t=d.reagent_price_overrides_usd_per_t):
        # a price the project gives is the project's: 'input', as the electricity price (its
        # own evidence tag is in the inputs table); it was tagged 'published' (fuzz round 19)
        ev = "input" if s == OVERRIDE_SOURCE else \
            "assumed" if "assumption" in str(s) else "published"
        rows.append(_row(f"reagent: {r}", "variable", t, "t/a", p, "USD/t", s, ev))
    return rows


def _consumable_rows(d: OpexDrivers, year: int, index: CostIndex) -> list[tuple[Any, ...]]:
    rates = _rates()
    rows = []
    fl = rates["flotation_reagents"]
    if d.flotation_feed_t_per_a is None:
        rows.append(_row("flotation reagents", "variable", None, "t/a", None, "USD/t",
                         "flotation feed tonnage not supplied by the plant", MISSING))
    else:
        use: dict[str, float] = {}
        for circuit, feed in d.flotation_feed_t_per_a.items():
            if circuit not in fl["circuits"]:
                raise InputError("flotation_feed_t_per_a", circuit,
                                 f"one of {sorted(fl['circuits'])}",
                                 "use a flotation circuit listed under flotation_reagents in "
                                 "opex_rates.yaml")
            for reagent, kg_t in fl["circuits"][circuit].items():
                use[reagent] = use.get(reagent, 0.0) + float(feed) * float(kg_t) / 1000.0
        for r, t, p, _ in reagent_cost_rows(use, currency_year=year, index=index):
            rows.append(_row(f"flotation reagent: {r}", "variable", t, "t/a", p, "USD/t",
                             f"dosage {fl['note']}; price: reagent_prices.csv", "assumed"))
    gm = rates["grinding_media"]
    media_t = None if d.mill_energy_mwh_per_a is None else \
        d.mill_energy_mwh_per_a * 1000.0 * float(gm["kg_per_kwh"]["value"]) / 1000.0
    price = price_per_t("reagent_prices.csv", "grinding media", currency_year=year,
                        index=index)[0]
    rows.append(_row("grinding media", "variable", media_t, "t/a", price, "USD/t",
                     str(gm["kg_per_kwh"]["source"]) if media_t is not None
                     else "ball-mill energy not supplied", "assumed"))
    ex = rates["extractant_loss"]
    loss_m3 = None if d.sx_aqueous_m3_per_a is None else \
        d.sx_aqueous_m3_per_a * float(ex["l_organic_per_m3_aqueous"]["value"]) / 1000.0
    rows.append(_row("extractant and diluent make-up", "variable", loss_m3, "m3/a",
                     d.organic_usd_per_m3, "USD/m3",
                     str(ex["l_organic_per_m3_aqueous"]["source"]) + "; organic price: input",
                     "assumed"))
    return rows


def _energy_rows(d: OpexDrivers, year: int, index: CostIndex) -> list[tuple[Any, ...]]:
    rows = []
    if d.power_mwh_per_a is None:
        rows.append(_row("electricity", "variable", None, "MWh/a", None, "USD/MWh",
                         "power not supplied", MISSING))
    else:
        _, p, src = energy_cost(d.power_mwh_per_a, currency_year=year, index=index,
                                price_usd_per_mwh=d.electricity_price_usd_per_mwh)
        rows.append(_row("electricity", "variable", d.power_mwh_per_a, "MWh/a", p, "USD/MWh",
                         src, "published" if d.electricity_price_usd_per_mwh is None
                         else "input"))
    if d.fuel_gj_per_a is None:
        rows.append(_row("fuel", "variable", None, "GJ/a", None, "USD/GJ",
                         "fuel duty not supplied by the plant", MISSING))
        return rows
    table = read_table("energy_prices.csv").set_index("carrier")
    hv = _rates()["fuel_heating_value"]
    for carrier, gj in d.fuel_gj_per_a.items():
        if carrier not in table.index or carrier not in hv:
            raise InputError("fuel_gj_per_a", carrier, f"a priced carrier {sorted(hv)}",
                             "use a carrier priced in energy_prices.csv with a heating value in "
                             "opex_rates.yaml")
        row = table.loc[carrier]
        per_price = str(row["unit"]).split("/", 1)[1]
        per_hv = str(hv[carrier]["unit"]).split("/", 1)[1]
        if per_price != per_hv:
            raise InputError(f"fuel_heating_value.{carrier}", hv[carrier]["unit"],
                             f"GJ per {per_price} (the price's unit)", "fix the data")
        usd_per_gj = float(row["price"]) / float(hv[carrier]["value"]) * \
            index.factor(int(row["currency_year"]), year)
        rows.append(_row(f"fuel: {carrier}", "variable", gj, "GJ/a", usd_per_gj, "USD/GJ",
                         f"{row['source']}; heating value {hv[carrier]['source']}",
                         "published"))
    return rows


def _freight_rows(d: OpexDrivers, freight_usd_per_t: Mapping[str, float]
                  ) -> list[tuple[Any, ...]]:
    """Freight of every product class shipped, at the project's rate (no generic default)."""
    rows = []
    for cls, t in d.product_t_per_a_by_class.items():
        rate = freight_usd_per_t.get(cls)
        if rate is None:
            if t <= 0:
                continue  # nothing shipped in that class: no rate needed
            raise InputError(f"economics.freight.{cls}", None,
                             "a freight rate in USD/t (no generic default: it depends on the "
                             "site and the buyer)",
                             f"give economics.freight.'{cls}' in the project (a case keeps it "
                             "in its fiscal.yaml)")
        rows.append(_row(f"freight: {cls}", "variable", t, "t/a", float(rate), "USD/t",
                         "project parameter economics.freight", "input"))
    return rows


def _site_rows(d: OpexDrivers, year: int, index: CostIndex,
               storage_operation_usd_per_a: float | None,
               storage_progressive_usd_per_a: float | None) -> list[tuple[Any, ...]]:
    rates = _rates()
    rows = [_row("mining (contract)", "variable", d.ore_t_per_a, "t ore/a",
                 d.mining_cost_usd_per_t_ore, "USD/t ore", "input", "input")]
    w = price_per_t("reagent_prices.csv", "water", currency_year=year, index=index)
    rows.append(_row("raw water make-up", "variable", d.water_m3_per_a, "m3/a", w[0], "USD/m3",
                     w[1] if d.water_m3_per_a is not None else "water balance not supplied",
                     "derived"))
    rows.append(_row("residue storage operation", "variable",
                     1.0 if storage_operation_usd_per_a is not None else None, "a",
                     storage_operation_usd_per_a, "USD/a",
                     "residue_storage.storage_costs (operation per tonne placed)", "derived"))
    rows.append(_row("residue cells built during operation", "fixed",
                     1.0 if storage_progressive_usd_per_a is not None else None, "a",
                     storage_progressive_usd_per_a, "USD/a",
                     "residue_storage.storage_costs (progressive cell construction)", "derived"))
    if d.brine_handling is None:
        rows.append(_row("brine handling", "variable", None, "m3/a", None, "USD/m3",
                         "brine handling not chosen in the project", MISSING))
    elif d.brine_handling == "discharge":
        b = rates["brine_discharge"]["usd_per_m3"]
        rows.append(_row("brine discharge", "variable", d.brine_m3_per_a, "m3/a",
                         float(b["value"]) * index.factor(int(b["currency_year"]), year),
                         "USD/m3", b["source"], "assumed"))
    return rows


def opex_table(d: OpexDrivers, **terms: Any) -> pd.DataFrame:
    """:func:`opex_rows` as a table (columns ``OPEX_COLUMNS``); ``terms``: its keywords."""
    return pd.DataFrame(opex_rows(d, **terms), columns=OPEX_COLUMNS)


def opex_rows(d: OpexDrivers, *, headcount: float, labour_cost_usd: float,
              maintenance_frac: float, general_admin_frac: float, insurance_frac: float,
              marketing_frac: float, direct_capex_usd: float, capex_usd: float,
              currency_year: int, index: CostIndex | None = None,
              storage_operation_usd_per_a: float | None = None,
              storage_progressive_usd_per_a: float | None = None,
              freight_usd_per_t: Mapping[str, float] | None = None) -> list[tuple[Any, ...]]:
    """Every opex item at full production, as tuples in ``OPEX_COLUMNS`` order: item, kind
    (variable/fixed), quantity and unit, rate and unit, usd_per_a, source, evidence
    (published | derived | assumed | input | missing). Rows, not a table: the yearly cash
    flow prices every year's opex, and a table a year cost more than its items (pandas). A
    missing driver gives usd_per_a = NaN and evidence ``missing`` (never 0): sum with
    ``skipna`` (:func:`reeflow.economics.study.opex_by_kind`) and report the missing items.

    Fixed items after Towler & Sinnott (2012) ch. 8: labour (headcount x cost), maintenance
    (fraction of the installed direct cost), G&A/overhead (fraction of labour), insurance
    (fraction of capex), marketing (fraction of revenue).

    freight_usd_per_t : product class -> freight, USD/t in ``currency_year`` dollars (the
    project's ``economics.freight``); a class shipped without a rate raises InputError.
    """
    index = index or cepci()
    y = int(currency_year)
    rows = _reagent_rows(d, y, index) + _consumable_rows(d, y, index) + \
        _energy_rows(d, y, index) + _site_rows(d, y, index, storage_operation_usd_per_a,
                                                storage_progressive_usd_per_a) + \
        _freight_rows(d, freight_usd_per_t or {})
    labour = headcount * labour_cost_usd
    rows += [
        _row("labour", "fixed", headcount, "persons", labour_cost_usd, "USD/person-year",
             "headcount x cost per person-year (project parameters)", "input"),
        _row("maintenance", "fixed", direct_capex_usd, "USD installed", maintenance_frac,
             "per year", "Towler & Sinnott (2012) ch. 8 (project parameter)", "published"),
        _row("G&A and plant overhead", "fixed", labour, "USD labour", general_admin_frac,
             "of labour", "Towler & Sinnott (2012) ch. 8 (project parameter)", "published"),
        _row("insurance", "fixed", capex_usd, "USD capex", insurance_frac, "per year",
             "Towler & Sinnott (2012) ch. 8 (project parameter)", "published"),
        _row("marketing", "variable", d.revenue_usd_per_a, "USD revenue", marketing_frac,
             "of revenue", "project parameter", "assumed"),
    ]
    return rows
