"""Figures of the whole-chain Monte Carlo (results.json ``risk``): histograms, S-curves, the
tornado of rank correlations, the convergence of the estimate and the REO fan by year.

Pure functions: the ``risk`` section (plain dicts/lists) in, one plotly Figure out; missing
parts give fewer traces, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reeflow.report.figures import base_layout

__all__ = ["histograms_figure", "s_curve_figure", "rank_tornado_figure", "convergence_figure",
           "reo_fan_figure"]

_M = 1e6
#: (results key, panel title, scale, axis unit)
_PANELS = (("npv_usd", "NPV", _M, "US$ M"), ("irr_frac", "IRR", 0.01, "%"),
           ("mine_life_years", "Mine life", 1.0, "years"),
           ("reo_t_per_a", "Annual REO, life-of-mine mean", 1.0, "t/a"))


def _centres(edges: Sequence[float], scale: float) -> list[float]:
    return [(a + b) / 2.0 / scale for a, b in zip(edges[:-1], edges[1:], strict=False)]


def histograms_figure(risk: Mapping[str, Any]) -> go.Figure:
    """Histograms of NPV, IRR, mine life and annual REO over the draws (2 × 2 panels)."""
    hists = risk.get("histograms") or {}
    fig = make_subplots(rows=2, cols=2, subplot_titles=[p[1] for p in _PANELS],
                        horizontal_spacing=0.1, vertical_spacing=0.18)
    for i, (key, title, scale, unit) in enumerate(_PANELS):
        h = hists.get(key) or {}
        edges, counts = h.get("edges") or [], h.get("counts") or []
        if not counts:
            continue
        r, c = divmod(i, 2)
        width = (edges[1] - edges[0]) / scale if len(edges) > 1 else None
        fig.add_trace(go.Bar(x=_centres(edges, scale), y=counts, width=width, name=title,
                             marker_color="#0b5d8a", showlegend=False,
                             hovertemplate=f"%{{x:.3g}} {unit}: %{{y}} draws<extra></extra>"),
                      row=r + 1, col=c + 1)
        fig.update_xaxes(title_text=unit, row=r + 1, col=c + 1)
    stat = risk.get("npv_usd") or {}
    for key, dash in (("p10", "dot"), ("p50", "dash"), ("p90", "dot")):
        if stat.get(key) is not None:
            fig.add_vline(x=stat[key] / _M, line_dash=dash, line_color="#b3261e", row=1, col=1)
    fig.add_vline(x=0.0, line_color="#111", line_width=1, row=1, col=1)
    return base_layout(fig, f"Distributions over {risk.get('draws', '—')} draws "
                            "(NPV: P10/P50/P90 dotted/dashed)", height=620)


def s_curve_figure(risk: Mapping[str, Any], key: str = "npv_usd") -> go.Figure:
    """The S-curve (cumulative probability) of NPV (or ``key``), with P10/P50/P90 marked."""
    curve = (risk.get("s_curves") or {}).get(key) or {}
    scale, unit = (_M, "US$ M") if key == "npv_usd" else (0.01, "%")
    x = [v / scale for v in curve.get("value") or []]
    p = curve.get("prob") or []
    fig = go.Figure(go.Scatter(x=x, y=p[:len(x)], mode="lines", name="P(value ≤ x)",
                               line={"color": "#0b5d8a", "width": 2}))
    stat = risk.get(key) or {}
    for q, label in ((0.1, "p10"), (0.5, "p50"), (0.9, "p90")):
        if stat.get(label) is not None:
            fig.add_trace(go.Scatter(x=[stat[label] / scale], y=[q], mode="markers+text",
                                     text=[label.upper()], textposition="middle right",
                                     marker={"color": "#b3261e", "size": 8}, showlegend=False))
    if key == "npv_usd" and stat.get("prob_loss") is not None:
        fig.add_vline(x=0.0, line_color="#111", line_width=1)
    fig.update_xaxes(title_text=unit)
    fig.update_yaxes(title_text="cumulative probability", range=[0, 1])
    return base_layout(fig, f"S-curve of {'NPV' if key == 'npv_usd' else 'IRR'}",
                       height=420)


def rank_tornado_figure(risk: Mapping[str, Any], *, top: int = 15) -> go.Figure:
    """Tornado of Spearman rank correlations of the drawn inputs with NPV (largest on top)."""
    rows = [r for r in (risk.get("rank_correlations") or []) if r.get("spearman") is not None]
    rows = list(reversed(rows[:top]))
    fig = go.Figure(go.Bar(
        x=[r["spearman"] for r in rows], y=[str(r.get("label") or r.get("input")) for r in rows],
        orientation="h", marker_color=["#2e7d32" if r["spearman"] >= 0 else "#b3261e"
                                       for r in rows],
        hovertemplate="%{y}: ρ = %{x:.3f}<extra></extra>"))
    fig.update_xaxes(title_text="Spearman rank correlation with NPV", range=[-1, 1])
    return base_layout(fig, "What drives NPV across the draws (rank correlation)",
                       height=max(300, 60 + 28 * len(rows)))


def convergence_figure(risk: Mapping[str, Any]) -> go.Figure:
    """The running mean of NPV with its 95 % band and the running P10/P50/P90 vs draws."""
    rows = risk.get("convergence") or []
    n = [r["n"] for r in rows]

    def col(k: str) -> list[float | None]:
        return [None if r.get(k) is None else r[k] / _M for r in rows]

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=n, y=col("mean_hi"), mode="lines", line={"width": 0},
                             showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=n, y=col("mean_lo"), mode="lines", line={"width": 0},
                             fill="tonexty", fillcolor="rgba(11,93,138,0.18)",
                             name="mean ± 1.96 s.e."))
    fig.add_trace(go.Scatter(x=n, y=col("mean"), mode="lines+markers", name="mean",
                             line={"color": "#0b5d8a"}))
    for k, dash in (("p10", "dot"), ("p50", "dash"), ("p90", "dot")):
        fig.add_trace(go.Scatter(x=n, y=col(k), mode="lines", name=k.upper(),
                                 line={"color": "#ef8a17", "dash": dash}))
    fig.update_xaxes(title_text="draws", type="log")
    fig.update_yaxes(title_text="NPV (US$ M)")
    return base_layout(fig, "Convergence of the estimate", height=420)


def reo_fan_figure(risk: Mapping[str, Any]) -> go.Figure:
    """Annual REO by production year: P10–P90 band and P50 over the draws."""
    rows = risk.get("reo_by_year") or []
    x = [r["production_year"] for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=[r["p90"] for r in rows], mode="lines",
                             line={"width": 0}, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=[r["p10"] for r in rows], mode="lines", line={"width": 0},
                             fill="tonexty", fillcolor="rgba(46,125,50,0.2)", name="P10–P90"))
    fig.add_trace(go.Scatter(x=x, y=[r["p50"] for r in rows], mode="lines+markers",
                             name="P50", line={"color": "#2e7d32"}))
    fig.update_xaxes(title_text="production year")
    fig.update_yaxes(title_text="REO (t)")
    return base_layout(fig, "Annual REO over the draws", height=380)
