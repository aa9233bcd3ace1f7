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

import math
from collections.abc import Mapping

import pandas as pd

from reeflow.core.errors import InputError
from reeflow.core.units import ureg
from reeflow.economics._data import read_table, read_yaml
from reeflow.economics.cost_index import CostIndex, cepci

__all__ = ["reagent_costs", "energy_cost", "waste_cost", "price_per_t"]


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
    df = read_table(table).set_index(df_key(table))
    row = df.loc[name]
    if not math.isfinite(float(row["price"])):
        raise InputError(f"prices.{name}", "MISSING", "a sourced price", str(row["source"]))
    p = _to_usd_per_t(float(row["price"]), str(row["unit"]), f"prices.{name}")
    return p * index.factor(int(row["currency_year"]), currency_year), str(row["source"])


def df_key(table: str) -> str:
    return {"reagent_prices.csv": "reagent", "waste_prices.csv": "waste",
            "energy_prices.csv": "carrier"}[table]


def reagent_costs(reagents_t_per_a: Mapping[str, float], *, currency_year: int,
                  index: CostIndex | None = None,
                  price_overrides_usd_per_t: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Annual reagent cost per reagent at full production.

    Flowsheet names are mapped by ``reagent_aliases.yaml`` (e.g. H2C2O4 -> oxalic acid); air
    has no purchase cost (its energy is in the power figure). Raises InputError listing every
    reagent without a usable price (unknown, MISSING, or priced by volume without a density)
    unless it is in ``price_overrides_usd_per_t`` (taken as ``currency_year`` dollars).
    """
    index = index or cepci()
    table = read_table("reagent_prices.csv").set_index("reagent")
    names = read_yaml("reagent_aliases.yaml")
    aliases, free = names["aliases"], names["no_purchase_cost"]
    overrides = dict(price_overrides_usd_per_t or {})
    rows, bad = [], []
    for given, t in reagents_t_per_a.items():
        if not (isinstance(t, (int, float)) and math.isfinite(t) and t >= 0):
            raise InputError(f"reagents_t_per_a.{given}", t, ">= 0 t/a", "give a consumption")
        name = aliases.get(given, given)
        if given in overrides or name in overrides:
            p = overrides.get(given, overrides.get(name))
            rows.append((given, float(t), float(p), "override (input)"))
            continue
        if name in free:
            rows.append((given, float(t), 0.0, f"no purchase cost: {free[name]['reason']}"))
            continue
        try:
            if name not in table.index:
                raise KeyError(name)
            p, src = price_per_t("reagent_prices.csv", name, currency_year=currency_year,
                                 index=index)
        except (KeyError, InputError):
            bad.append(given)
            continue
        rows.append((given, float(t), p, src))
    if bad:
        raise InputError("reagents_t_per_a", bad, f"reagents with a sourced price: "
                         f"{sorted(table.dropna(subset=['price']).index)}",
                         "these reagents have no usable price (unknown, MISSING or priced by "
                         "volume): pass price_overrides_usd_per_t={name: USD/t} with a source")
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
    row = read_table("energy_prices.csv").set_index("carrier").loc["electricity"]
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
