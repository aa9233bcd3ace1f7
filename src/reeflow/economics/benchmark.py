"""Peer benchmark: where a project's headline figures sit against published rare-earth projects.

The peer file (``data/economics/peer_benchmarks.csv``) holds one row per published figure with
its project, study, date, currency and currency year, scope (what the figure covers), study
class, verification status and source. :func:`benchmark` returns, per figure, the band of the
comparable peers (min, max, and who), the position of the project's figure, a ``within_band``
flag and a ``reason`` field: a figure outside its band must carry the reason why (the report
prints it). Money is converted to USD by the rate stated in or derived from the source and
escalated to ``currency_year`` by the CEPCI (an approximation for opex).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from reeflow.core.errors import InputError
from reeflow.economics._data import read_table
from reeflow.economics.cost_index import CostIndex, cepci

__all__ = ["FIGURES", "Figure", "load_peers", "benchmark", "route_reasons", "route_scopes",
           "benchmark_plant"]


@dataclass(frozen=True)
class Figure:
    """A benchmark figure: unit, whether it is money (escalated), comparable peer scopes."""

    unit: str
    money: bool
    scopes: tuple[str, ...]
    label: str


_MINE = ("mine_to_oxide", "tailings_to_oxide")
_REFINERY = ("refinery_only", "refinery_cracking_separation")
FIGURES: dict[str, Figure] = {
    "capex_usd_per_t_a_reo": Figure("USD per t/a REO", True, _MINE + ("mine_to_concentrate",),
                                    "Initial capex per t/a of REO capacity"),
    "separation_capex_usd_per_t_a_reo": Figure("USD per t/a REO", True, _REFINERY,
                                               "Separation-plant capex per t/a of REO"),
    "opex_usd_per_kg_reo": Figure("USD per kg REO", True, _MINE, "Operating cost per kg REO"),
    "opex_usd_per_kg_ndpr": Figure("USD per kg NdPr oxide", True, _MINE,
                                   "Operating cost per kg NdPr oxide (all costs on NdPr)"),
    "reagents_t_per_t_reo": Figure("t per t REO", False, _MINE + _REFINERY,
                                   "Purchased reagents per t REO"),
    "energy_gj_per_t_reo": Figure("GJ per t REO", False, _MINE + _REFINERY,
                                  "Site energy per t REO"),
    "residue_t_per_t_reo": Figure("t per t REO", False, _MINE + _REFINERY,
                                  "Hydrometallurgical residue per t REO (excl. tailings)"),
}


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def load_peers(*, currency_year: int = 2025, index: CostIndex | None = None) -> pd.DataFrame:
    """The peer table with ``value_usd`` (money in ``currency_year`` USD; other figures as is)."""
    df = read_table("peer_benchmarks.csv")
    unknown = sorted(set(df["figure"]) - set(FIGURES))
    if unknown:
        raise InputError("peer_benchmarks.csv:figure", unknown, f"one of {sorted(FIGURES)}",
                         "use the listed figure names in the figure column of peer_benchmarks.csv")
    index = index or cepci()
    vals = []
    for _, r in df.iterrows():
        v = float(r["value"])
        if FIGURES[str(r["figure"])].money:
            v *= index.factor(int(r["currency_year"]), int(currency_year))
        vals.append(v)
    df["value_usd"] = vals
    return df


#: The figures whose peers all separate oxides (their SX and finishing are in the figure), and
#: what a plant that sells only a mixed rare-earth product must say beside them
_SEPARATION_FIGURES = ("capex_usd_per_t_a_reo", "separation_capex_usd_per_t_a_reo",
                       "opex_usd_per_kg_reo", "opex_usd_per_kg_ndpr")
_NO_SEPARATION = ("This plant separates no oxide: it sells a mixed rare-earth product, and the "
                  "peers of this band separate oxides, whose solvent extraction, finishing and "
                  "reagents are in their figure.")


#: the peers a plant that sells only a mixed rare-earth product is banded against, per figure
#: (mine to a mixed concentrate: Songwe Hill's MREC), instead of the separating peers
_MIXED_SCOPES = {"capex_usd_per_t_a_reo": ("mine_to_concentrate",)}


def _separates(products: Sequence[str]) -> bool:
    from reeflow.economics.prices import product_class

    return any(product_class(p) == "separated oxide" for p in products)


def route_scopes(products: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The peer scopes of a plant that separates no oxide: its capex per t/a is banded against
    the mine-to-mixed-concentrate peers alone (a mixed-carbonate plant's capex sat in the
    mine-to-oxide band with a reason saying the band's peers separate, though the
    mixed-carbonate peer in that band does not; fuzz round 13 follow-up). Empty for a
    separating plant."""
    return {} if _separates(products) else dict(_MIXED_SCOPES)


def route_reasons(reasons: Mapping[str, str], products: Sequence[str]) -> dict[str, str]:
    """``reasons`` with the reason a plant that separates no oxide sits outside the bands of
    separating peers (:data:`_SEPARATION_FIGURES`), before any reason the project gives: a
    mixed-carbonate plant read 3.6k USD per t/a REO against a 45.5k–78.8k band with only the
    case's own text beside it (fuzz round 13). ``products``: the products sold."""
    out = dict(reasons)
    if _separates(products):
        return out
    for name in _SEPARATION_FIGURES:
        if name in _MIXED_SCOPES:  # banded against mixed-concentrate peers instead
            continue
        out[name] = f"{_NO_SEPARATION} {out[name]}" if out.get(name) else _NO_SEPARATION
    return out


def benchmark_plant(kpis: Mapping[str, float], products: Sequence[str],
                    reasons: Mapping[str, str], *, currency_year: int,
                    index: CostIndex | None = None) -> pd.DataFrame:
    """A plant's :data:`FIGURES` from ``kpis`` benchmarked for its route: the peers and the
    reasons follow what it sells (:func:`route_scopes`, :func:`route_reasons`). The one entry
    of the economics room's two evaluations (design basis and annual cash flow)."""
    sold = list(products)
    return benchmark({k: kpis[k] for k in FIGURES}, reasons=route_reasons(reasons, sold),
                     scopes=route_scopes(sold), currency_year=currency_year, index=index)


def benchmark(figures: Mapping[str, float | None], peers: pd.DataFrame | None = None, *,
              reasons: Mapping[str, str] | None = None,
              scopes: Mapping[str, Sequence[str]] | None = None,
              include_unverified: bool = False, currency_year: int = 2025,
              index: CostIndex | None = None) -> pd.DataFrame:
    """Place each of the project's ``figures`` in its peer band.

    figures : {figure: value} with figure in :data:`FIGURES` (None/NaN = not computed).
    peers : table as from :func:`load_peers` (default: loaded at ``currency_year``).
    reasons : {figure: why it sits outside the band} - kept for every figure given.
    scopes : {figure: comparable peer scopes} overriding :data:`FIGURES`.
    include_unverified : also band peers whose figure was not reached at its source
        (``verified == 'no'``); otherwise they are listed but do not set the band.

    Returns one row per figure: figure, label, unit, value, band_min, band_max, peers_in_band
    (``"project (study): value"``), unverified_peers, position (below / within / above /
    no band / not computed), position_frac ((value - min) / (max - min)), within_band
    (True / False / None when there is no band or no value) and reason.
    """
    peers = load_peers(currency_year=currency_year, index=index) if peers is None else peers
    reasons = dict(reasons or {})
    unknown = sorted(set(figures) - set(FIGURES))
    if unknown:
        raise InputError("figures", unknown, f"figures in {sorted(FIGURES)}", "rename")
    rows = []
    for name, value in figures.items():
        spec = FIGURES[name]
        sc = tuple((scopes or {}).get(name, spec.scopes))
        sel = peers[(peers["figure"] == name) & peers["scope"].isin(sc)]
        verified = sel if include_unverified else sel[sel["verified"] != "no"]
        unver = sel[sel["verified"] == "no"] if not include_unverified else sel.iloc[0:0]
        lo = float(verified["value_usd"].min()) if not verified.empty else math.nan
        hi = float(verified["value_usd"].max()) if not verified.empty else math.nan
        v = math.nan if value is None else float(value)
        if not math.isfinite(v):
            pos, frac, inside = "not computed", math.nan, None
        elif not math.isfinite(lo):
            pos, frac, inside = "no band", math.nan, None
        else:
            inside = bool(lo <= v <= hi)
            pos = "within" if inside else ("below" if v < lo else "above")
            frac = (v - lo) / (hi - lo) if hi > lo else (0.0 if inside else math.nan)

        def listing(df: pd.DataFrame) -> list[str]:
            return [f"{r['project']} ({r['study']}): {_fmt(float(r['value_usd']))}"
                    for _, r in df.iterrows()]

        rows.append({"figure": name, "label": spec.label, "unit": spec.unit, "value": v,
                     "band_min": lo, "band_max": hi, "peers_in_band": listing(verified),
                     "unverified_peers": listing(unver), "position": pos,
                     "position_frac": frac, "within_band": inside,
                     "reason": reasons.get(name)})
    df = pd.DataFrame(rows)
    # keep Python True/False/None (not numpy bools) for the JSON and the `is` checks
    df["within_band"] = pd.Series([r["within_band"] for r in rows], dtype=object)
    return df
