"""World rare-earth supply data: USGS mine production and reserves, IEA shares and outlooks.

Data live in ``reeflow/data/market/`` with a source and an evidence tag per row (see its README):

- U.S. Geological Survey (2026), *Mineral Commodity Summaries 2026: Rare Earths*, data release
  doi:10.5066/P1WKQ63T v1.3 — world mine production 2024 (revised) and 2025e, reserves 2025
  (public domain; copied verbatim into ``usgs_mcs2026_world_rare_earths.csv``);
- USGS MCS 2024 and MCS 2025 figures as quoted by secondary pages
  (``usgs_mcs_earlier_vintages.csv``);
- IEA, *Global Critical Minerals Outlook* 2024 and 2025 (mining, refining and magnet shares;
  magnet-REE demand), via secondary pages (``iea_shares.csv``, ``iea_demand.csv``).

All tonnages are t REO equivalent (USGS basis). A value USGS or the reference notes do not give is
NaN (status ``not_found``/``not_available``/``not_shipped``), never 0; USGS's "—" is zero.
Several vintages of one data year are kept side by side (e.g. 2024 in MCS 2025 and MCS 2026).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.data import read_csv, read_yaml
from reeflow.core.errors import InputError, did_you_mean

__all__ = [
    "WORLD",
    "OTHER",
    "VINTAGE_ORDER",
    "production_table",
    "reserves_table",
    "iea_shares_table",
    "iea_demand_table",
    "china_quotas_table",
    "parameters",
    "parameter",
    "known_countries",
    "iso_countries",
    "normalise_country",
    "available_years",
    "vintages",
    "default_vintage",
    "country_values",
    "compare_vintages",
]

WORLD = "World total"
#: USGS's aggregate row of small producers.
OTHER = "Other countries"
#: Vintages from newest to oldest (a later vintage supersedes an earlier one for the same year).
VINTAGE_ORDER: tuple[str, ...] = ("MCS2026v1.3", "MCS2026v1.0", "MCS2025", "MCS2024")
_MCS2026 = "MCS2026v1.3"
_MCS2026_SOURCE = (
    "USGS Mineral Commodity Summaries 2026: Rare Earths, data release doi:10.5066/P1WKQ63T v1.3"
)
_ALIASES = {
    "myanmar": "Burma", "usa": "United States", "us": "United States", "u.s.": "United States",
    "united states of america": "United States", "turkey": "Türkiye", "turkiye": "Türkiye",
    "türkiye": "Türkiye", "other": OTHER, "world": WORLD,
    "uk": "United Kingdom", "u.k.": "United Kingdom", "great britain": "United Kingdom",
    # the tz database's ISO 3166 names (iso3166.tab) for countries the tables spell otherwise
    "britain (uk)": "United Kingdom", "myanmar (burma)": "Burma",
}
_COLUMNS = ["vintage", "data_year", "statistic", "country", "value_t_reo", "comparator", "status",
            "evidence", "verification", "source", "note"]


def _csv(name: str) -> pd.DataFrame:
    df = read_csv("market", name)
    # plain object strings: small tables, many row selections (Arrow-backed takes are slower here)
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    return df.astype({c: object for c in text})


def _mcs2026_rows() -> pd.DataFrame:
    """Normalise the verbatim USGS MCS 2026 rows to the long layout of this module."""
    raw = _csv("usgs_mcs2026_world_rare_earths.csv")
    raw = raw[raw["mcs_chapter"] == "RARE EARTHS"]
    status = raw["availability_status"].map(
        {"available": "reported", "explicit_zero": "zero", "not_available": "not_available"})
    value = raw["value"].where(raw["comparator"] != "greater_than", raw["value_low"])
    value = value.where(status != "zero", 0.0).astype(float)
    notes = raw["revision_note"].fillna("").astype(str)
    estimated = np.where(raw["is_estimated"].astype(str) == "True", "estimated", "")
    return pd.DataFrame({
        "vintage": _MCS2026,
        "data_year": raw["year"].astype(int),
        "statistic": raw["statistics"].str.lower(),
        "country": raw["country"],
        "value_t_reo": value,
        "comparator": raw["comparator"].fillna("exact"),
        "status": status,
        "evidence": "published",
        "verification": "V",
        "source": _MCS2026_SOURCE,
        "note": [";".join(p for p in (e, n) if p) for e, n in zip(estimated, notes, strict=True)],
    })[_COLUMNS]


@lru_cache(maxsize=1)
def _usgs_long() -> pd.DataFrame:
    earlier = _csv("usgs_mcs_earlier_vintages.csv")
    earlier["note"] = earlier["note"].fillna("")
    df = pd.concat([_mcs2026_rows(), earlier[_COLUMNS]], ignore_index=True)
    df["value_t_reo"] = df["value_t_reo"].astype(float)
    text = [c for c in df.columns if c not in ("value_t_reo", "data_year")]
    return df.astype({c: object for c in text})


def production_table() -> pd.DataFrame:
    """All USGS mine-production rows (t REO/a), every vintage, long layout (a copy)."""
    df = _usgs_long()
    return df[df["statistic"] == "production"].reset_index(drop=True)


def reserves_table() -> pd.DataFrame:
    """All USGS reserves rows (t REO), every vintage, long layout (a copy)."""
    df = _usgs_long()
    return df[df["statistic"] == "reserves"].reset_index(drop=True)


@lru_cache(maxsize=1)
def _iea_shares() -> pd.DataFrame:
    return _csv("iea_shares.csv").fillna({"note": ""})


def iea_shares_table() -> pd.DataFrame:
    """IEA shares by stage (mining, separation, magnets), country, data year and case."""
    return _iea_shares().copy()


def iea_demand_table() -> pd.DataFrame:
    """IEA rare-earth demand and supply outlooks (magnet REE in kt of elements)."""
    return _iea_demand().copy()


@lru_cache(maxsize=1)
def _iea_demand() -> pd.DataFrame:
    return _csv("iea_demand.csv").fillna({"note": ""})


def china_quotas_table() -> pd.DataFrame:
    """China's mining and separation quotas (t REO)."""
    return _csv("china_quotas.csv")


@lru_cache(maxsize=1)
def parameters() -> dict[str, Any]:
    """The defaults and thresholds in ``parameters.yaml`` (each with source and evidence)."""
    return read_yaml("market", "parameters.yaml")


def parameter(name: str) -> Any:
    """The ``value`` of one entry of ``parameters.yaml``."""
    return parameters()[name]["value"]


@lru_cache(maxsize=1)
def known_countries() -> tuple[str, ...]:
    """Every country named in the USGS or IEA tables and the countries
    a project may name although the tables list no supply for them (``parameters.yaml``)."""
    names = set(_usgs_long()["country"].tolist()) | set(_iea_shares()["country"].tolist())
    names -= {WORLD, "Top 3"}
    names.update(parameter("countries_without_listed_supply"))
    return tuple(sorted(names))


@lru_cache(maxsize=1)
def iso_countries() -> tuple[str, ...]:
    """The names of ISO 3166-1 (the tz database's ``iso3166.tab``, public domain) that the
    tables do not list under any spelling: countries a project may be in although USGS and the
    IEA list no supply for them (their baseline is 0 t REO, as for
    ``countries_without_listed_supply``)."""
    listed = {n.lower() for n in known_countries()}
    table = read_csv("market", "iso3166.tab", sep="\t", names=("code", "name"))
    names = (str(n).strip() for n in table["name"])
    return tuple(sorted(n for n in names if _ALIASES.get(n.lower(), n).lower() not in listed))


def normalise_country(name: str, *, field: str = "country", group: bool = False) -> str:
    """Canonical (USGS) spelling of a country name; InputError for an unknown one, and for
    USGS's group 'Other countries' unless ``group`` (a project's home or separation country
    there was added to the group's row: a 0 % home share, fuzz round 36)."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(field, name, "a country name", "pass e.g. 'China' or 'Türkiye'")
    key = name.strip()
    canon = _ALIASES.get(key.lower(), key)
    if canon.lower() == OTHER.lower() and not group:
        raise InputError(field, name, "a country (USGS's 'Other countries' is a group of "
                         "them)", "name the country, e.g. 'Tanzania'")
    for known in (*known_countries(), *iso_countries()):
        if known.lower() == canon.lower():
            return known
    listed = [c for c in known_countries() if c != OTHER]
    hint = did_you_mean(key, (*listed, *iso_countries()), fallback=False)
    raise InputError(field, name, "a country as USGS MCS or ISO 3166 names it (a country the "
                     "tables list no supply for starts from 0 t REO)",
                     f"{hint + ' ' if hint else ''}e.g. {', '.join(listed[:6])}, Norway or "
                     "Namibia (aliases: Myanmar, USA, Turkey, UK)")


@lru_cache(maxsize=4)
def _vintage_rows(statistic: str) -> tuple[tuple[str, int, int, float], ...]:
    df = _usgs_long()
    df = df[df["statistic"] == statistic]
    acc: dict[tuple[str, int], list[float]] = {}
    for v, y, c, val in zip(df["vintage"].tolist(), df["data_year"].tolist(),
                            df["country"].tolist(), df["value_t_reo"].tolist(), strict=True):
        entry = acc.setdefault((v, int(y)), [0, math.nan])
        if c == WORLD:
            entry[1] = float(val)
        else:
            entry[0] += 1
    rank = {v: i for i, v in enumerate(VINTAGE_ORDER)}
    rows = sorted(((v, y, int(n), w) for (v, y), (n, w) in acc.items()),
                  key=lambda r: (r[1], rank.get(r[0], len(rank))))
    return tuple(rows)


def vintages(statistic: str = "production") -> pd.DataFrame:
    """One row per (vintage, data year): number of country rows, world total, completeness.

    A vintage is *complete* for a year when it gives at least three country rows (MCS 2025's lone
    revision of China's 2023 output, or MCS 2026 v1.0's superseded Brazil reserve, is not).
    """
    rows = _vintage_rows(statistic)
    return pd.DataFrame({"vintage": [r[0] for r in rows], "data_year": [r[1] for r in rows],
                         "n_countries": [r[2] for r in rows], "world_t_reo": [r[3] for r in rows],
                         "complete": [r[2] >= 3 for r in rows]})


def _complete(statistic: str, year: int | None = None) -> list[tuple[str, int]]:
    return [(v, y) for v, y, n, _ in _vintage_rows(statistic)
            if n >= 3 and (year is None or y == year)]


def available_years(statistic: str = "production") -> tuple[int, ...]:
    """Data years with at least one complete vintage."""
    return tuple(sorted({y for _, y in _complete(statistic)}))


def default_vintage(year: int, statistic: str = "production") -> str:
    """The newest complete vintage for ``year`` (InputError for a year without data)."""
    year = _check_year(year, statistic)
    return _complete(statistic, year)[0][0]


def _check_year(year: Any, statistic: str) -> int:
    years = available_years(statistic)
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or int(year) not in years:
        raise InputError("market.year", year, f"one of {list(years)} for {statistic}",
                         "choose a data year USGS MCS 2024-2026 cover")
    return int(year)


def country_values(year: int, *, statistic: str = "production",
                   vintage: str | None = None) -> pd.DataFrame:
    """USGS rows of one data year and vintage, indexed by country (incl. ``World total``).

    Columns: ``value_t_reo`` (NaN = missing), ``comparator``, ``status``, ``evidence``,
    ``verification``, ``source``, ``note``.
    """
    year = _check_year(year, statistic)
    vintage = default_vintage(year, statistic) if vintage is None else vintage
    good = [v for v, _ in _complete(statistic, year)]
    if vintage not in good:
        raise InputError("market.vintage", vintage, f"one of {good} for {statistic} {year}",
                         "pick a vintage that lists the countries of that year")
    df = _usgs_long()
    sel = df[(df["statistic"] == statistic) & (df["data_year"] == year)
             & (df["vintage"] == vintage)]
    return sel.set_index("country").drop(columns=["statistic"])


def compare_vintages(year: int, *, statistic: str = "production") -> pd.DataFrame:
    """Country × vintage table of one data year: where editions disagree, both are shown."""
    df = _usgs_long()
    sel = df[(df["statistic"] == statistic) & (df["data_year"] == int(year))]
    if sel.empty:
        raise InputError("market.year", year, "a data year in the USGS tables",
                         f"use one of {sorted(df['data_year'].unique().tolist())}")
    return sel.pivot_table(index="country", columns="vintage", values="value_t_reo",
                           aggfunc="first", dropna=False)


def demand_multiples() -> dict[str, tuple[float, float]]:
    """IEA rare-earth demand growth as multiples of the base year, per scenario and year:
    magnet-REE demand over its historical year, and the GCMO REE growth ranges (1 + growth)."""
    d = iea_demand_table()
    mag = d[d["metric"] == "magnet_ree_demand"]
    base = float(mag.loc[mag["scenario"] == "historical", "value"].iloc[0])
    out = {f"{r.scenario} {int(r.year)} (magnet REE)": (r.value / base, r.value / base)
           for r in mag[mag["scenario"] != "historical"].itertuples()}
    steps = d[d["metric"] == "ree_demand_growth"]
    for r in steps.itertuples():
        out[f"{r.scenario} {int(r.year)} (REE, vs {int(r.base_year)})"] = (1 + r.value_low,
                                                                        1 + r.value_high)
    return out
