"""World supply by stage (mining, separation, magnets, reserves) as share tables; concentration.

A *stage table* is a DataFrame indexed by country with columns

- ``t_reo_per_a``: tonnage (t REO/a; t REO for reserves; NaN for magnets, where only shares exist),
- ``share_frac``: share of the stage's world total (the *basis*, see below),
- ``kind``: ``country`` (a named supplier), ``aggregate`` (USGS "Other countries"), ``unattributed``
  (world total minus the listed rows), or ``project`` (a supplier added by a scenario),
- ``evidence``, ``verification``, ``source``.

Basis and rounding. With ``basis="world"`` (default for production) shares are relative to the USGS
*rounded* world total, as USGS and the press quote them (China 2025: 270/390 = 69.2 %); the row
``Unattributed`` = world − Σ listed carries the rounding and the countries a vintage does not list,
so tonnages add up exactly to the world figure and shares to 1. It can be slightly negative where
the listed rows exceed the rounded world (MCS 2026, 2024: Σ = 384,000 vs 380,000 t); USGS
rounds the world to two significant digits, so |Unattributed| ≤ half a unit of the second digit is
rounding. With ``basis="listed"`` the denominator is Σ listed and there is no such row (default for
reserves, whose world figure is only a lower bound, ">75,000,000 t").

HHI is computed over ``country`` and ``project`` rows; the aggregate and a positive unattributed
remainder give the upper bound as if they were one supplier (:func:`hhi_range`).

Separation tonnages are IEA shares × an assumed world separated output equal to the world mine
production of the same year (``parameters.yaml: separation_world_total_basis``; evidence: assumed).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.market.concentration import hhi_class, hhi_range, reserve_life_a
from reeflow.market.data import (
    OTHER,
    WORLD,
    country_values,
    default_vintage,
    iea_shares_table,
    normalise_country,
)

__all__ = [
    "UNATTRIBUTED",
    "STAGES",
    "stage_table",
    "add_supply",
    "summarise",
    "concentration_table",
    "reserve_life_table",
    "usgs_rounding_half_unit_t",
    "iea_data_year",
]

UNATTRIBUTED = "Unattributed"
STAGES: tuple[str, ...] = ("mining", "separation", "magnets", "reserves")
_COLS = ["t_reo_per_a", "share_frac", "kind", "evidence", "verification", "source"]


def usgs_rounding_half_unit_t(world_t: float) -> float:
    """Half a unit of the second significant digit of a USGS rounded world total (t)."""
    if not np.isfinite(world_t) or world_t <= 0:
        return math.nan
    return 0.5 * 10.0 ** (math.floor(math.log10(world_t)) - 1)


def _usgs_table(year: int, statistic: str, vintage: str | None, basis: str) -> pd.DataFrame:
    rows = country_values(year, statistic=statistic, vintage=vintage)
    world = float(rows.loc[WORLD, "value_t_reo"]) if WORLD in rows.index else math.nan
    listed = rows.drop(index=[WORLD], errors="ignore")
    listed = listed[listed["value_t_reo"].notna()]
    df = pd.DataFrame({
        "t_reo_per_a": listed["value_t_reo"].astype(float),
        "kind": np.where(listed.index == OTHER, "aggregate", "country"),
        "evidence": listed["evidence"], "verification": listed["verification"],
        "source": listed["source"],
    })
    total = float(df["t_reo_per_a"].sum())
    if basis == "world" and np.isfinite(world):
        df.loc[UNATTRIBUTED] = [world - total, "unattributed", "derived", "D",
                                "USGS world total minus the listed rows"]
        denominator = world
    else:
        denominator = total
    df["share_frac"] = df["t_reo_per_a"] / denominator
    df = df[_COLS]
    df.attrs["data_year"] = int(year)
    df.attrs["vintage"] = str(rows["vintage"].iloc[0])
    return df


def iea_data_year(stage: str, year: int, *, fallback: bool = False) -> int:
    """Latest IEA historical data year of ``stage`` not after ``year``.

    With ``fallback`` the earliest later year is used when none is earlier (magnet shares exist for
    2024 only); otherwise InputError.
    """
    iea = iea_shares_table()
    hist = iea[(iea["stage"] == stage) & (iea["case"] == "historical")]
    all_years = sorted(int(y) for y in hist["data_year"].unique())
    years = [y for y in all_years if y <= int(year)]
    if not years and fallback and all_years:
        return all_years[0]
    if not years:
        raise InputError(f"market.{stage}_year", year,
                         f">= {int(hist['data_year'].min())} (IEA {stage} data)",
                         "choose a later year")
    return years[-1]


def _iea_table(stage: str, data_year: int, case: str, world_t: float) -> pd.DataFrame:
    iea = iea_shares_table()
    sel = iea[(iea["stage"] == stage) & (iea["data_year"] == data_year) & (iea["case"] == case)
              & (iea["country"] != "Top 3")]
    if sel.empty:
        raise InputError(f"market.{stage}_year", data_year, "a year with IEA shares",
                         "see reeflow/data/market/iea_shares.csv")
    df = pd.DataFrame({
        "share_frac": sel["share_frac"].to_numpy(float), "kind": "country",
        "evidence": sel["evidence"].to_numpy(), "verification": sel["verification"].to_numpy(),
        "source": sel["source"].to_numpy()}, index=pd.Index(sel["country"], name="country"))
    rest = 1.0 - float(df["share_frac"].sum())
    df.loc[UNATTRIBUTED] = [rest, "unattributed", "derived", "D", "1 - sum of IEA shares"]
    df["t_reo_per_a"] = df["share_frac"] * world_t
    df = df[_COLS]
    df.attrs["data_year"] = int(data_year)
    return df


def stage_table(stage: str, year: int, *, vintage: str | None = None,
                stage_data_year: int | None = None, basis: str | None = None,
                case: str = "historical") -> pd.DataFrame:
    """World supply of one stage in ``year`` as a stage table (see the module docstring).

    ``vintage`` picks the USGS edition (default: newest complete one for the year);
    ``stage_data_year`` the IEA data year of separation/magnets (default: latest historical year
    not after ``year``; magnets: the earliest year if none is earlier); ``basis`` is ``"world"``
    (default, production) or ``"listed"`` (default, reserves). Rows: named suppliers by decreasing
    share, then the aggregate and the unattributed remainder.
    """
    if stage not in STAGES:
        raise InputError("market.stage", stage, f"one of {STAGES}", "name a supply-chain stage")
    if basis not in (None, "world", "listed"):
        raise InputError("market.basis", basis, "'world' or 'listed'",
                         "world = USGS rounded world total; listed = sum of listed rows")
    return _stage_table(stage, year, vintage, stage_data_year, basis, case).copy()


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    rank = df["kind"].map({"country": 0, "project": 0, "aggregate": 1, "unattributed": 2})
    order = np.lexsort((-df["share_frac"].fillna(0).to_numpy(), rank.to_numpy()))
    out = df.iloc[order]
    out.attrs = dict(df.attrs)
    return out


@lru_cache(maxsize=64)
def _stage_table(stage: str, year: int, vintage: str | None, stage_data_year: int | None,
                 basis: str | None, case: str) -> pd.DataFrame:
    if stage == "mining":
        return _ordered(_usgs_table(year, "production", vintage, basis or "world"))
    if stage == "reserves":
        return _ordered(_usgs_table(year, "reserves", vintage, basis or "listed"))
    world = math.nan
    if stage == "separation":
        world = float(_usgs_table(year, "production", vintage, "world")["t_reo_per_a"].sum())
    dy = (iea_data_year(stage, year, fallback=stage == "magnets") if stage_data_year is None
          else int(stage_data_year))
    return _ordered(_iea_table(stage, dy, case, world))


def add_supply(table: pd.DataFrame, country: str, added_t_per_a: float) -> pd.DataFrame:
    """A new stage table with ``added_t_per_a`` more supply from ``country``; shares recomputed.

    The world total grows by the addition; every other supplier keeps its tonnage, so its share
    falls by the factor W / (W + Δ).
    """
    if not np.isfinite(added_t_per_a) or added_t_per_a < 0:
        raise InputError("added_t_per_a", added_t_per_a, ">= 0 t/a", "supply cannot be negative")
    t = table["t_reo_per_a"].to_numpy(float)
    world = float(t.sum())
    if not np.isfinite(world):
        raise InputError("stage", "shares only", "a stage with tonnages",
                         "magnet supply has no tonnage in the data: it cannot be added to")
    cols = {c: table[c].to_numpy(object) for c in ("kind", "evidence", "verification", "source")}
    index = list(table.index)
    if country in table.index:
        t = t.copy()
        t[index.index(country)] += added_t_per_a
    else:
        index.append(country)
        t = np.append(t, added_t_per_a)
        for c, v in zip(cols, ("project", "derived", "D", "scenario input"), strict=True):
            cols[c] = np.append(cols[c], v)
    out = pd.DataFrame({"t_reo_per_a": t, "share_frac": t / (world + added_t_per_a), **cols},
                       index=pd.Index(index, name=table.index.name))
    out.attrs = dict(table.attrs)
    return _ordered(out)


def summarise(table: pd.DataFrame, *, home_country: str | None = None) -> dict[str, object]:
    """Concentration of one stage table: HHI bounds, class, top-1, top-3, China and home shares."""
    kind = table["kind"].to_numpy(object)
    share = table["share_frac"].to_numpy(float)
    names = np.asarray(table.index, dtype=object)
    is_named = (kind == "country") | (kind == "project")
    other = share[~is_named]
    unattributed = float(other[other > 0].sum())
    excess = float(-other[other < 0].sum())  # listed rows above a rounded world total
    named, named_names = share[is_named], names[is_named]
    low, high = hhi_range(named, unattributed, max_sum=1.0 + excess + 1e-9)
    order = np.argsort(-named, kind="stable")[:3]
    home = None if home_country is None else normalise_country(home_country,
                                                                field="home_country")
    lookup = dict(zip(named_names, named, strict=True))
    return {
        "data_year": table.attrs.get("data_year"),
        "world_t_reo_per_a": float(table["t_reo_per_a"].sum(skipna=False)),
        "hhi": low, "hhi_upper": high, "hhi_class": hhi_class(low),
        "top1_country": str(named_names[order[0]]), "top1_share_frac": float(named[order[0]]),
        "top3_share_frac": float(named[order].sum()),
        "china_share_frac": float(lookup.get("China", 0.0)),
        "home_share_frac": None if home is None else float(lookup.get(home, 0.0)),
        "unattributed_share_frac": float(other.sum()),
    }


def concentration_table(year: int, *, vintage: str | None = None,
                        reserves_vintage: str | None = None) -> pd.DataFrame:
    """HHI and top shares of mining, separation, magnets and reserves in ``year`` (one row each).

    Reserves use the newest vintage whose data year is ``year`` and the ``listed`` basis.
    """
    rows = {}
    for stage in STAGES:
        v = vintage if stage in ("mining", "separation") else reserves_vintage
        if stage == "reserves" and v is None:
            v = default_vintage(year, "reserves")
        rows[stage] = summarise(stage_table(stage, year, vintage=v))
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "stage"
    return df


def reserve_life_table(year: int, *, vintage: str | None = None,
                       reserves_vintage: str | None = None) -> pd.DataFrame:
    """Reserves, mine production and reserve life (years) by country, and the world.

    The world row's reserves are USGS's lower bound (">75,000,000 t" in MCS 2026 v1.3), so its
    reserve life is a lower bound too (column ``comparator``).
    """
    res = country_values(year, statistic="reserves", vintage=reserves_vintage)
    prod = country_values(year, statistic="production", vintage=vintage)
    idx = res.index.union(prod.index)
    r = res["value_t_reo"].reindex(idx)
    p = prod["value_t_reo"].reindex(idx)
    df = pd.DataFrame({"reserves_t_reo": r, "production_t_reo_per_a": p,
                       "reserve_life_a": reserve_life_a(r.to_numpy(), p.to_numpy()),
                       "comparator": res["comparator"].reindex(idx).fillna("exact")})
    df.index.name = "country"
    return df
