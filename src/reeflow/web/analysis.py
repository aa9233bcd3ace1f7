"""What the comparison and market pages show, computed from stored results (no physics here).

- :func:`compare`: KPI cards, overlaid annual and cumulative cash flows, and the diff of the
  canonical inputs (value and provenance) of 2–4 finished studies.
- :func:`market_view`: HHI by stage before and after the project, with the project's REO output
  as the free variable (:func:`reeflow.market.market_scenario`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from reeflow.core.errors import InputError

__all__ = ["compare", "kpi_cards", "cash_flows", "assumption_diff", "market_view", "flatten",
           "KPI_ROWS"]

#: (label, unit, getter over the results dict, format)
KPI_ROWS: tuple[tuple[str, str, str], ...] = (
    ("NPV at the headline rate", "MUSD", "npv"),
    ("IRR (after tax)", "%", "irr"),
    ("Initial capex", "MUSD", "capex"),
    ("Payback from construction start", "years", "payback"),
    ("REO produced (design basis)", "t/a", "reo"),
    ("NdPr oxide (design basis)", "t/a", "ndpr"),
    ("Overall REO recovery", "%", "recovery"),
    ("Unit cost", "USD/kg REO", "unit_cost"),
)


def _get(results: Mapping[str, Any], what: str) -> float | None:
    e = results.get("economics") or {}
    k = results.get("kpis") or {}
    rate = e.get("headline_rate_frac")
    npv = (e.get("npv_usd") or {}).get(f"{float(rate):.4f}") if rate is not None else None
    scale = {"npv": (npv, 1e-6), "irr": (e.get("irr_frac"), 100.0),
             "capex": (e.get("capex_usd"), 1e-6), "payback": (e.get("payback_years"), 1.0),
             "reo": (k.get("reo_t_per_a"), 1.0), "ndpr": (k.get("ndpr_oxide_t_per_a"), 1.0),
             "recovery": (k.get("overall_reo_recovery_frac"), 100.0),
             "unit_cost": (e.get("unit_cost_usd_per_kg_reo"), 1.0)}
    v, f = scale[what]
    return None if v is None else float(v) * f


def kpi_cards(studies: Sequence[Mapping[str, Any]],
              results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per KPI: values per study and the difference from the first study."""
    rows = []
    for label, unit, what in KPI_ROWS:
        vals = [_get(r, what) for r in results]
        first = vals[0]
        rows.append({"label": label, "unit": unit, "values": vals,
                     "deltas": [None if v is None or first is None else v - first for v in vals]})
    return rows


def cash_flows(studies: Sequence[Mapping[str, Any]],
               results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plotly traces: annual cash flow (bars) and cumulative cash flow (lines), MUSD."""
    palette = ("#1f5f8b", "#c0392b", "#2e8b57", "#8e44ad")
    traces: list[dict[str, Any]] = []
    for i, (s, r) in enumerate(zip(studies, results, strict=True)):
        color = palette[i % len(palette)]
        rows = (r.get("economics") or {}).get("annual") or []
        years = [row.get("year") for row in rows]
        name = f"{s['name'][:40]} ({s['id'][:6]})"
        traces.append({"type": "bar", "name": f"{name}: cash flow", "x": years,
                       "y": [_musd(row.get("cash_flow_usd")) for row in rows],
                       "legendgroup": s["id"], "opacity": 0.45, "marker": {"color": color}})
        traces.append({"type": "scatter", "mode": "lines+markers", "name": f"{name}: cumulative",
                       "x": years, "y": [_musd(row.get("cumulative_cash_flow_usd")) for row in rows],
                       "legendgroup": s["id"], "line": {"color": color}})
    return traces


def _musd(v: Any) -> float | None:
    return None if v is None else float(v) / 1e6


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a.b.c": leaf}`` of a nested mapping (lists are leaves)."""
    out: dict[str, Any] = {}
    if isinstance(tree, Mapping):
        for k, v in tree.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = tree
    return out


def assumption_diff(studies: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Inputs whose canonical value or provenance differs between the studies."""
    flat = []
    for s in studies:
        canon = json.loads(s["canonical_json"])
        f = {k: v for k, v in flatten(canon.get("project", {})).items()}
        prov = canon.get("provenance", {})
        flat.append((f, prov))
    paths = sorted(set().union(*(f.keys() for f, _ in flat)))
    rows = []
    for path in paths:
        vals = [f.get(path) for f, _ in flat]
        provs = [p.get(path) for _, p in flat]
        if any(v != vals[0] for v in vals) or any(p != provs[0] for p in provs):
            rows.append({"path": path, "values": vals,
                         "provenance": [None if p is None else
                                        " · ".join(str(x) for x in (p.get("evidence"),
                                                                    p.get("source")) if x)
                                        for p in provs]})
    return rows


def compare(studies: Sequence[Mapping[str, Any]],
            results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Everything the comparison page shows."""
    if not 2 <= len(studies) <= 4:
        raise InputError("ids", len(studies), "2 to 4 finished studies", "tick 2 to 4 studies")
    return {"kpis": kpi_cards(studies, results), "cash_flows": cash_flows(studies, results),
            "diff": assumption_diff(studies)}


def market_view(reo_t_per_a: float, *, separation_at_home: bool = True,
                year: int = 2025) -> dict[str, Any]:
    """HHI before/after per stage and the home country's shares, for one project output."""
    from reeflow.market import hhi_class, market_scenario

    r = market_scenario(float(reo_t_per_a), {}, separation_at_home=separation_at_home,
                        year=int(year))
    rep = r.to_report()
    stages = []
    for st in rep["stages"]:
        def share(case: str, country: str, st: Mapping[str, Any] = st) -> float:
            return sum(row["share"] for row in st[case] if row["country"] == country)
        stages.append({"stage": st["stage"], "data_year": st["data_year"],
                       "hhi_before": st["hhi_before"], "hhi_after": st["hhi_after"],
                       "class_before": hhi_class(st["hhi_before"]),
                       "class_after": hhi_class(st["hhi_after"]),
                       "home_share_before": share("before", r.home_country),
                       "home_share_after": share("after", r.home_country),
                       "top": sorted(st["after"], key=lambda x: -x["share"])[:6]})
    return {"reo_t_per_a": float(reo_t_per_a), "year": r.year, "vintage": r.vintage,
            "home_country": r.home_country, "separation_country": r.separation_country,
            "separation_at_home": bool(separation_at_home), "stages": stages,
            "flags": rep["flags"], "notes": rep["notes"], "sources": rep["sources"]}
