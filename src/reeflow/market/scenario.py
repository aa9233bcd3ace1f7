"""What a new project does to world rare-earth supply: shares and HHI before and after, per stage.

The project's REO in concentrate is added to world **mining** under the home country. Its separated
oxides (Σ of ``project_by_oxide_t_per_a``; the concentrate REO when no split is given) are added to
world **separation** either at home (the home country gets a separation share) or abroad (the
concentrate is shipped to ``separation_country``, China by default, whose share grows). Magnets
are reported unchanged (the project sells oxides). Every other supplier keeps its tonnage, so
shares fall by W / (W + Δ) and the HHI moves accordingly (DOJ/FTC 2010 HHI; IEA top-n shares; data:
USGS MCS, IEA GCMO — see :mod:`reeflow.market.data`).

Market-size flags: no sourced world production *by oxide* is in the data, so each oxide's added
tonnage is compared with **total** world REO mine production; since one oxide's world output is a
fraction of total REO, that ratio is a *lower bound* on the project's share of the oxide's own
market (Ce and La, ~88 % of a bastnäsite ore's REO, are where it matters). A caller with a sourced world
distribution by oxide can pass it (``world_distribution_frac`` with ``world_distribution_source``).
The project's magnet REE (Nd+Pr+Dy+Tb as elements, oxide factors from :mod:`reeflow.core.elements`)
are compared with IEA magnet-REE demand (93 kt of elements in 2023, GCMO 2024), a sourced market.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.elements import REE, oxide_factor, oxide_formula
from reeflow.core.errors import InputError
from reeflow.market.data import default_vintage, iea_demand_table, normalise_country, parameter
from reeflow.market.supply import add_supply, iea_data_year, stage_table, summarise

__all__ = ["MarketResult", "market_scenario", "normalise_oxide"]

_SOURCES = (
    "U.S. Geological Survey (2026), Mineral Commodity Summaries 2026: Rare Earths, "
    "doi:10.5066/P1WKQ63T v1.3 (world mine production, reserves); earlier MCS via secondary pages",
    "IEA (2024, 2025), Global Critical Minerals Outlook: refining/separation and magnet shares "
    "(via secondary pages)",
    "U.S. DOJ/FTC Horizontal Merger Guidelines (2010) §5.3: HHI and its thresholds",
)


def normalise_oxide(key: str) -> str:
    """Reporting-oxide formula of an element symbol or oxide (``"Ce"`` or ``"CeO2"`` → CeO2)."""
    if isinstance(key, str):
        for el in REE:
            ox = oxide_formula(el)
            if key.strip() in (el, ox):
                return ox
    allowed = ", ".join(oxide_formula(el) for el in REE)
    raise InputError("project_by_oxide_t_per_a", key, f"an REE oxide: {allowed}",
                     "key the dict by reporting oxide (e.g. 'CeO2') or element symbol ('Ce')")


def _frame_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = df.reset_index().replace({np.nan: None}).to_dict(orient="records")
    return [{k: (float(v) if isinstance(v, np.floating) else v) for k, v in r.items()} for r in out]


@dataclass(frozen=True)
class MarketResult:
    """Before/after supply tables per stage, their concentration, market-size flags and notes.

    ``tables[stage][case]`` with stage in ``mining``, ``separation``, ``magnets`` and case in
    ``before``, ``after`` (see :mod:`reeflow.market.supply` for the columns); ``hhi`` is indexed by
    (stage, case); ``flags`` has one row per product.
    """

    year: int
    vintage: str
    separation_data_year: int
    separation_country: str
    home_country: str
    tables: Mapping[str, Mapping[str, pd.DataFrame]]
    hhi: pd.DataFrame
    flags: pd.DataFrame
    notes: tuple[str, ...] = ()
    inputs: Mapping[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = _SOURCES

    def shares(self, stage: str, case: str = "after") -> pd.Series:
        """Share (fraction) by country of one stage and case."""
        try:
            return self.tables[stage][case]["share_frac"].copy()
        except KeyError:
            raise InputError("stage/case", (stage, case),
                             f"stage in {list(self.tables)}, case 'before'/'after'",
                             "ask for e.g. shares('mining', 'after')") from None

    def to_report(self) -> dict[str, Any]:
        """The layout the report's market section reads: stages (shares before/after, HHI),
        flagged products, notes and sources (plain floats, shares as fractions)."""
        stages = []
        for stage, cases in self.tables.items():
            rows = {c: [{"country": str(k), "share": float(v["share_frac"]),
                         "t_reo_per_a": None if math.isnan(v["t_reo_per_a"])
                         else float(v["t_reo_per_a"])} for k, v in df.iterrows()]
                    for c, df in cases.items()}
            dy = self.hhi.loc[(stage, "before"), "data_year"]
            stages.append({"stage": stage, "data_year": None if dy is None else int(dy),
                           "hhi_before": float(self.hhi.loc[(stage, "before"), "hhi"]),
                           "hhi_after": float(self.hhi.loc[(stage, "after"), "hhi"]), **rows})
        flagged = self.flags[self.flags["flagged"]]
        flags = [{"product": str(k), "project_t_per_a": float(r["added_t_per_a"]),
                  "world_t_per_a": float(r["market_t_per_a"]), "share": float(r["ratio_frac"]),
                  "note": f"compared with {r['compared_with']}; flag at >= {r['threshold_frac']:.0%}"}
                 for k, r in flagged.iterrows()]
        return {"stages": stages, "flags": flags, "notes": list(self.notes),
                "sources": list(self.sources)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN → None)."""
        return {
            "year": self.year, "vintage": self.vintage,
            "separation_data_year": self.separation_data_year,
            "separation_country": self.separation_country, "home_country": self.home_country,
            "inputs": dict(self.inputs),
            "tables": {s: {c: _frame_records(df) for c, df in cases.items()}
                       for s, cases in self.tables.items()},
            "hhi": _frame_records(self.hhi), "flags": _frame_records(self.flags),
            "notes": list(self.notes), "sources": list(self.sources),
        }


def _check_tonnage(value: Any, field_name: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(field_name, value, "a number >= 0 t/a", "pass REO in t/a") from None
    if isinstance(value, bool) or not math.isfinite(x) or x < 0:
        raise InputError(field_name, value, "a finite number >= 0 t/a", "pass REO in t/a")
    return x


def _validate_oxides(project_reo: float, by_oxide: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(by_oxide, Mapping):
        raise InputError("project_by_oxide_t_per_a", by_oxide, "a dict oxide -> t/a",
                         "pass e.g. {'CeO2': 4840.0, 'La2O3': 3970.0}")
    out: dict[str, float] = {}
    for key, value in by_oxide.items():
        ox = normalise_oxide(key)
        out[ox] = out.get(ox, 0.0) + _check_tonnage(value, f"project_by_oxide_t_per_a.{key}")
    total = sum(out.values())
    if total > project_reo * (1 + 1e-6) + 1e-9:
        raise InputError("project_by_oxide_t_per_a", round(total, 6),
                         f"<= project_reo_t_per_a = {project_reo}",
                         "separated oxides cannot exceed the REO in concentrate")
    return out


def _validate_distribution(dist: Mapping[str, float] | None, source: str | None
                           ) -> dict[str, float] | None:
    if dist is None:
        return None
    if not source or not str(source).strip():
        raise InputError("world_distribution_source", source, "a citation",
                         "a world distribution by oxide must name its source")
    out = {normalise_oxide(k): float(v) for k, v in dist.items()}
    vals = np.array(list(out.values()))
    if np.any(~np.isfinite(vals)) or np.any(vals < 0) or vals.sum() > 1 + 1e-6:
        raise InputError("world_distribution_frac", dist, "fractions >= 0 summing to <= 1",
                         "pass shares of world REO by oxide as fractions")
    return out


_MAGNET_REE = ("Nd", "Pr", "Dy", "Tb")


def _magnet_ree_row(by_oxide: Mapping[str, float], year: int) -> dict[str, Any] | None:
    """Project magnet REE (Nd+Pr+Dy+Tb, element t) against IEA magnet-REE demand (element kt)."""
    element_t = sum(by_oxide.get(oxide_formula(el), 0.0) / oxide_factor(el) for el in _MAGNET_REE)
    if element_t <= 0:
        return None
    d = iea_demand_table()
    hist = d[(d["metric"] == "magnet_ree_demand") & (d["scenario"] == "historical")
             & (d["year"] <= year)]
    if hist.empty:
        return None
    row = hist.sort_values("year").iloc[-1]
    return {"product": "magnet REE (Nd+Pr+Dy+Tb, element t)", "added_t_per_a": element_t,
            "market_t_per_a": float(row["value"]) * 1e3,
            "compared_with": f"IEA magnet-REE demand {int(row['year'])} (element t; "
                             f"{row['source']})"}


def _flags(project_reo: float, by_oxide: Mapping[str, float], world_mine_t: float,
           dist: Mapping[str, float] | None, dist_source: str | None,
           threshold: float, year: int) -> pd.DataFrame:
    rows = [{"product": "REO (total, mining)", "added_t_per_a": project_reo,
             "market_t_per_a": world_mine_t, "compared_with": "world mine production, total REO"}]
    for ox, t in sorted(by_oxide.items(), key=lambda kv: -kv[1]):
        if dist is not None and ox in dist and dist[ox] > 0:
            rows.append({"product": ox, "added_t_per_a": t,
                         "market_t_per_a": world_mine_t * dist[ox],
                         "compared_with": f"world REO x {ox} share ({dist_source})"})
        else:
            rows.append({"product": ox, "added_t_per_a": t, "market_t_per_a": world_mine_t,
                         "compared_with": "world mine production, total REO (no sourced world "
                                          "distribution by oxide): lower bound of the share of "
                                          "this oxide's own market"})
    magnet = _magnet_ree_row(by_oxide, year)
    if magnet is not None:
        rows.append(magnet)
    df = pd.DataFrame(rows).set_index("product")
    df["ratio_frac"] = df["added_t_per_a"] / df["market_t_per_a"]
    df["threshold_frac"] = threshold
    df["flagged"] = df["ratio_frac"] >= threshold
    return df


def _places(home_country: str, separation_at_home: bool,
            separation_country: str | None) -> tuple[str, str]:
    """(home country, country where the project's concentrate is separated)."""
    home = normalise_country(home_country, field="home_country")
    if separation_at_home and separation_country is not None:
        raise InputError("separation_country", separation_country,
                         "None when separation_at_home=True",
                         "set separation_at_home=False to ship the concentrate abroad")
    dest = home if separation_at_home else normalise_country(
        separation_country or parameter("separation_abroad_country"), field="separation_country")
    return home, dest


def _check_threshold(value: float | None) -> float:
    x = parameter("flag_threshold_frac") if value is None else value
    try:
        x = float(x)
    except (TypeError, ValueError):
        x = math.nan
    if not math.isfinite(x) or x <= 0 or x > 1:
        raise InputError("flag_threshold_frac", value, "a fraction in (0, 1]",
                         "pass e.g. 0.01 to flag products >= 1 % of their market")
    return x


def market_scenario(project_reo_t_per_a: float, project_by_oxide_t_per_a: Mapping[str, float],
                    *, home_country: str, separation_at_home: bool = True, year: int = 2025,
                    vintage: str | None = None, separation_country: str | None = None,
                    separation_year: int | None = None,
                    world_distribution_frac: Mapping[str, float] | None = None,
                    world_distribution_source: str | None = None,
                    flag_threshold_frac: float | None = None) -> MarketResult:
    """Add a project's output to world supply in ``year`` and report shares and HHI per stage.

    Parameters
    ----------
    project_reo_t_per_a : float
        REO in the project's concentrate, t/a (added to mining under ``home_country``, the
        country where the ore is mined: a project's datum, no default).
    project_by_oxide_t_per_a : dict
        Separated output by oxide (``"CeO2"`` or ``"Ce"`` -> t/a); its sum (≤ the REO) is added to
        separation; empty -> the concentrate REO is used.
    separation_at_home : bool
        True: separation in the home country. False: concentrate shipped to ``separation_country``
        (default from ``parameters.yaml``: China).
    year, vintage : USGS data year (2023–2025) and edition (default: newest complete).
    separation_year : IEA data year of the separation shares (default: latest ≤ ``year``).
    world_distribution_frac, world_distribution_source : optional sourced world REO split by oxide.
    flag_threshold_frac : flag a product whose added t/a is ≥ this fraction of its market
        (default ``parameters.yaml``, 1 %).
    """
    reo = _check_tonnage(project_reo_t_per_a, "project_reo_t_per_a")
    by_oxide = _validate_oxides(reo, project_by_oxide_t_per_a)
    dist = _validate_distribution(world_distribution_frac, world_distribution_source)
    home, dest = _places(home_country, separation_at_home, separation_country)
    threshold = _check_threshold(flag_threshold_frac)
    vintage = vintage or default_vintage(year)
    sep_year = iea_data_year("separation", year) if separation_year is None else separation_year
    sep_added = sum(by_oxide.values()) if by_oxide else reo

    tables: dict[str, dict[str, pd.DataFrame]] = {}
    mine = stage_table("mining", year, vintage=vintage)
    tables["mining"] = {"before": mine, "after": add_supply(mine, home, reo)}
    sep = stage_table("separation", year, vintage=vintage, stage_data_year=sep_year)
    tables["separation"] = {"before": sep, "after": add_supply(sep, dest, sep_added)}
    mag = stage_table("magnets", year)
    tables["magnets"] = {"before": mag, "after": mag}

    hhi = pd.DataFrame.from_dict(
        {(s, c): summarise(df, home_country=home) for s, cases in tables.items()
         for c, df in cases.items()}, orient="index")
    hhi.index.names = ["stage", "case"]
    world_mine = float(mine["t_reo_per_a"].sum())
    flags = _flags(reo, by_oxide, world_mine, dist, world_distribution_source, threshold,
                   int(year))
    notes = _notes(year, vintage, sep_year, mine, dest, home, dist is None)
    inputs = {"project_reo_t_per_a": reo, "project_by_oxide_t_per_a": by_oxide,
              "separation_at_home": bool(separation_at_home), "separation_added_t_per_a": sep_added,
              "flag_threshold_frac": threshold}
    return MarketResult(year=int(year), vintage=vintage, separation_data_year=int(sep_year),
                        separation_country=dest, home_country=home, tables=tables, hhi=hhi,
                        flags=flags, notes=notes, inputs=inputs)


def _notes(year: int, vintage: str, sep_year: int, mine: pd.DataFrame, dest: str, home: str,
           no_dist: bool) -> tuple[str, ...]:
    notes = [
        f"Mining: USGS {vintage}, data year {year}; shares of the USGS rounded world total; the "
        f"'Unattributed' row (world - listed = {mine.loc['Unattributed', 't_reo_per_a']:,.0f} t) "
        "carries rounding and unlisted countries.",
        f"Separation: IEA shares of data year {sep_year} x world separated output assumed equal to "
        f"world mine production {year} (assumption); project oxides separated in {dest}.",
        "Magnets: IEA share (China 94 %), unchanged by the project (it sells oxides).",
    ]
    if sep_year != year:
        notes.append(f"Separation shares are from {sep_year}, mining from {year}: years differ.")
    if dest != home:
        notes.append(f"Concentrate shipped abroad: {home} gains a mining share only; "
                     f"{dest}'s separation share grows.")
    notes.append("EU supply risk (Blengini et al. 2017) not computed: WGI, EU sourcing, import "
                 "reliance, EoL-RIR and substitution inputs are not in reeflow's data "
                 "(reeflow.market.criticality.eu_supply_risk_for_stage takes them).")
    if no_dist:
        notes.append("Oxide flags compare each oxide with total world REO (no sourced world "
                     "distribution by oxide in the data): ratios are lower bounds.")
    return tuple(notes)
