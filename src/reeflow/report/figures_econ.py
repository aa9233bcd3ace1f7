"""Figure builders for economics, market, resource and mine sections of the report.

Pure functions: one results section (plain dicts/lists) in, one plotly Figure out. Missing optional
fields give fewer traces, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reeflow.core.units import npv_label
from reeflow.report.figures import base_layout

__all__ = [
    "cashflow_figure", "cashflow_rows", "breakdown_figure", "tornado_figure", "spider_figure",
    "monte_carlo_figure",
    "market_shares_figure", "hhi_figure", "grade_tonnage_figure", "variogram_figure",
    "pit_by_pit_figure", "schedule_figure", "grid_figure", "revenue_split_figure",
]

_M = 1e6


def _col(rows: Sequence[Mapping[str, Any]], key: str, scale: float = 1.0) -> list[float | None]:
    """Column ``key`` of ``rows`` divided by ``scale`` (None where missing)."""
    out: list[float | None] = []
    for r in rows:
        v = r.get(key)
        out.append(None if v is None else float(v) / scale)
    return out


def _seq(value: Any) -> list[Any]:
    """A list from a list, tuple or numpy array; [] for None."""
    return [] if value is None else list(np.asarray(value, dtype=object).ravel())


def _label(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _neg(values: list[float | None]) -> list[float | None]:
    return [None if v is None else -abs(v) for v in values]


# --------------------------------------------------------------------------- economics

def cashflow_rows(economics: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The annual cash-flow rows of results.json (``economics.annual``) with the capital spend
    (initial + sustaining capex + closure) as one ``capital_usd`` column."""
    rows = []
    for r in economics.get("annual") or []:
        row = dict(r)
        row["capital_usd"] = sum(float(r.get(k) or 0.0) for k in
                                 ("capex_usd", "sustaining_capex_usd", "closure_usd"))
        rows.append(row)
    return rows


def cashflow_figure(economics: Mapping[str, Any]) -> go.Figure:
    """Annual cash flow (top: revenue up, costs down as stacked bars, net as a line) and the
    cumulative cash flow (bottom, its own axis: the payback is where it crosses zero), US$ M."""
    rows = cashflow_rows(economics)
    years = [r.get("year") for r in rows]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38],
                        vertical_spacing=0.06)
    fig.add_trace(go.Bar(x=years, y=_col(rows, "revenue_usd", _M), name="revenue",
                         marker_color="#2e7d32"), row=1, col=1)
    for key, name, color in (("opex_usd", "opex", "#ef8a17"),
                             ("capital_usd", "capex", "#b3261e"),
                             ("working_capital_usd", "working capital", "#8c564b"),
                             ("royalty_usd", "royalty", "#9467bd"), ("tax_usd", "tax", "#7f7f7f")):
        vals = _col(rows, key, _M)
        if any(vals):
            fig.add_trace(go.Bar(x=years, y=vals if key == "working_capital_usd"  # signed
                                 else _neg(vals), name=name,
                                 marker_color=color), row=1, col=1)
    fig.add_trace(go.Scatter(x=years, y=_col(rows, "cash_flow_usd", _M), name="net cash flow",
                             mode="lines+markers", line={"color": "#111"}), row=1, col=1)
    cum = _col(rows, "cumulative_cash_flow_usd", _M)
    fig.add_trace(go.Scatter(x=years, y=cum, name="cumulative", mode="lines+markers",
                             line={"color": "#0b5d8a", "width": 3}, fill="tozeroy",
                             fillcolor="rgba(11,93,138,0.10)"), row=2, col=1)
    fig.add_hline(y=0, line_color="#666", line_width=1, row=2, col=1)
    fig.update_yaxes(title_text="US$ M per year", row=1, col=1)
    fig.update_yaxes(title_text="cumulative, US$ M", row=2, col=1)
    fig.update_xaxes(title_text="project year (1 = first construction year)", row=2, col=1)
    return base_layout(fig, "Cash flow (real, undiscounted)", barmode="relative", height=560)


def _stack(fig: go.Figure, sign: int) -> list[list[float | None]]:
    """Per-year values of the bar traces (for the axis range of the stacked bars)."""
    cols = [list(t.y) for t in fig.data if isinstance(t, go.Bar) and t.y is not None]
    return [list(vals) for vals in zip(*cols, strict=True)] if cols else []


def _aligned_ranges(a: tuple[float, float], b: tuple[float, float], *, pad: float = 0.06
                    ) -> tuple[list[float], list[float]]:
    """Ranges for two y-axes that put zero at the same height (each range includes 0)."""
    def span(lo: float, hi: float) -> tuple[float, float]:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        if hi - lo <= 0:
            return -1.0, 1.0
        return lo - pad * (hi - lo), hi + pad * (hi - lo)

    (alo, ahi), (blo, bhi) = span(*a), span(*b)
    z = max(-alo / (ahi - alo), -blo / (bhi - blo))  # zero's height as a fraction, shared
    def fit(lo: float, hi: float) -> list[float]:
        if z >= 1.0:
            return [lo, 0.0]
        if -lo / (hi - lo) < z:
            return [-z * hi / (1.0 - z), hi]
        return [lo, lo - lo / z if z > 0 else hi]
    return fit(alo, ahi), fit(blo, bhi)


def breakdown_figure(rows: Sequence[Mapping[str, Any]], *, value_key: str, title: str,
                     unit_label: str) -> go.Figure:
    """Horizontal bars of a cost breakdown (largest on top), values in US$ M."""
    rows = sorted(rows, key=lambda r: -(r.get(value_key) or 0.0))
    fig = go.Figure(go.Bar(y=[str(r.get("item")) for r in rows], x=_col(rows, value_key, _M),
                           orientation="h", marker_color="#0b5d8a",
                           hovertext=[str(r.get("source") or "") for r in rows],
                           texttemplate="%{x:,.1f}", textposition="outside", cliponaxis=False))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=unit_label)
    return base_layout(fig, title, height=max(280, 60 + 28 * len(rows)))


def tornado_figure(tornado: Sequence[Mapping[str, Any]], *, base_npv_usd: float | None = None,
                   base_label: str = "base case") -> go.Figure:
    """Tornado: NPV at each driver's low and high setting, widest swing on top (US$ M).

    Bars start at ``base_npv_usd`` (the dotted line, labelled ``base_label``). An end at which
    no ore pays (NPV None) draws no bar and says so in the driver's name.
    """
    from html import unescape

    from reeflow.report.html import input_value

    rows: list[dict[str, Any]] = [
        {"driver": r.get("label"), "low": r.get("npv_low_usd"), "high": r.get("npv_high_usd"),
         "low_label": unescape(input_value(r.get("input"), r.get("low"))),
         "high_label": unescape(input_value(r.get("input"), r.get("high")))}
        for r in tornado]
    rows.sort(key=lambda r: (r["high"] is None or r["low"] is None,  # on top: no ore pays
                             abs((r["high"] or 0) - (r["low"] or 0))))
    base = (base_npv_usd or 0.0) / _M
    names = [str(r.get("driver")) + "".join(f" (no ore pays at {r[f'{k}_label']})"
                                            for k in ("low", "high") if r[k] is None)
             for r in rows]
    fig = go.Figure()
    for key, name, color in (("low", "low setting", "#b3261e"),
                             ("high", "high setting", "#2e7d32")):
        vals = _col(rows, key, _M)
        fig.add_trace(go.Bar(
            y=names, x=[None if v is None else v - base for v in vals], base=base,
            orientation="h", name=name, marker_color=color,
            text=[_label(r[f"{key}_label"]) for r in rows], textposition="auto",
            customdata=vals, hovertemplate="%{y}: NPV %{customdata:,.1f} US$ M<extra></extra>"))
    fig.add_vline(x=base, line_dash="dot", line_color="#333",
                  annotation_text=f"{base_label}: {base:,.0f}", annotation_position="top")
    fig.update_xaxes(title_text="NPV, US$ M")
    return base_layout(fig, "Sensitivity of NPV (tornado)", barmode="overlay",
                       height=max(300, 80 + 34 * len(rows)))


def spider_figure(spider: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Spider plot: NPV along each input's stated range (0 = low end, 0.5 = the project's value,
    1 = high end), one line per input, US$ M."""
    lines: dict[str, list[Mapping[str, Any]]] = {}
    for r in spider:
        lines.setdefault(str(r.get("label")), []).append(r)
    fig = go.Figure()
    for driver, rows in lines.items():
        rows = sorted(rows, key=lambda r: r.get("position") or 0.0)
        fig.add_trace(go.Scatter(x=[r.get("position") for r in rows],
                                 y=_col(rows, "npv_usd", _M), mode="lines+markers", name=driver))
    fig.update_xaxes(title_text="position in the input's stated range (0 low, 0.5 base, 1 high)")
    fig.update_yaxes(title_text="NPV, US$ M")
    return base_layout(fig, "Sensitivity of NPV (spider)", height=420)


def monte_carlo_figure(mc: Mapping[str, Any]) -> go.Figure:
    """Histogram of NPV draws with P10/P50/P90 lines (US$ M)."""
    samples = np.asarray([v for v in _seq(mc.get("npv_samples_usd")) if v is not None], float)
    fig = go.Figure()
    if samples.size:
        fig.add_trace(go.Histogram(x=samples / _M, nbinsx=60, marker_color="#0b5d8a",
                                   opacity=0.8, name="NPV draws"))
    for key, label, color in (("p10_usd", "P10", "#b3261e"), ("p50_usd", "P50", "#111"),
                              ("p90_usd", "P90", "#2e7d32")):
        v = mc.get(key)
        if v is not None:
            fig.add_vline(x=v / _M, line_dash="dash", line_color=color,
                          annotation_text=f"{label} {v / _M:,.0f}", annotation_position="top")
    fig.add_vline(x=0.0, line_color="#999")
    fig.update_xaxes(title_text="NPV, US$ M")
    fig.update_yaxes(title_text="draws")
    n = mc.get("draws") or mc.get("n") or samples.size
    return base_layout(fig, f"Monte Carlo NPV ({n:,} draws)", height=400, showlegend=False)


# --------------------------------------------------------------------------- market

def market_shares_figure(stage: Mapping[str, Any], *, top_n: int = 8) -> go.Figure:
    """Shares by country before and after adding the project, for one stage (grouped bars, %).

    The ``top_n`` largest countries, plus every country whose share the project raises (the
    project's own), the rest summed as "others".
    """
    before = {str(r.get("country")): r.get("share") or 0.0 for r in stage.get("before") or []}
    after = {str(r.get("country")): r.get("share") or 0.0 for r in stage.get("after") or []}
    countries = sorted(set(before) | set(after), key=lambda c: -max(before.get(c, 0),
                                                                     after.get(c, 0)))
    gained = [c for c in countries if after.get(c, 0.0) > before.get(c, 0.0) + 1e-12]
    shown = countries[:top_n] + [c for c in gained if c not in countries[:top_n]]
    rest = [c for c in countries if c not in shown]
    xb = [100 * before.get(c, 0.0) for c in shown]
    xa = [100 * after.get(c, 0.0) for c in shown]
    if rest:
        shown = [*shown, "others"]
        xb.append(100 * sum(before.get(c, 0.0) for c in rest))
        xa.append(100 * sum(after.get(c, 0.0) for c in rest))
    fig = go.Figure([go.Bar(x=shown, y=xb, name="before", marker_color="#9aa7b3"),
                     go.Bar(x=shown, y=xa, name="after (with project)", marker_color="#0b5d8a")])
    fig.update_yaxes(title_text="share of world, %")
    return base_layout(fig, f"World shares, {stage.get('stage')}", barmode="group",
                       height=380)


def hhi_figure(stages: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Herfindahl–Hirschman index per stage, before and after the project."""
    names = [str(s.get("stage")) for s in stages]
    fig = go.Figure([
        go.Bar(x=names, y=_col(stages, "hhi_before"), name="before", marker_color="#9aa7b3"),
        go.Bar(x=names, y=_col(stages, "hhi_after"), name="after", marker_color="#0b5d8a"),
    ])
    fig.update_yaxes(title_text="HHI")
    return base_layout(fig, "Market concentration (HHI) per stage", barmode="group", height=340)


# --------------------------------------------------------------------------- resource

def grade_tonnage_figure(resource: Mapping[str, Any]) -> go.Figure:
    """Grade–tonnage curves: tonnes above cut-off (left axis) and mean grade (right axis, %)."""
    rows = resource.get("grade_tonnage") or []
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:  # results.json names the class "class_" (a Python keyword otherwise)
        groups.setdefault(str(r.get("class_", r.get("class", "all"))), []).append(r)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for i, (cls, grp) in enumerate(groups.items()):
        grp = sorted(grp, key=lambda r: r.get("cutoff_frac") or 0.0)
        cut = [100 * (r.get("cutoff_frac") or 0.0) for r in grp]
        color = ("#0b5d8a", "#2e7d32", "#ef8a17", "#7a4b94", "#b3261e", "#17becf")[i % 6]
        fig.add_trace(go.Scatter(x=cut, y=_col(grp, "tonnes", _M), name=f"tonnes ({cls})",
                                 mode="lines+markers", line={"color": color}))
        fig.add_trace(go.Scatter(x=cut, y=[None if g is None else 100 * g
                                           for g in _col(grp, "grade_frac")],
                                 name=f"grade ({cls})", mode="lines",
                                 line={"color": color, "dash": "dash"}), secondary_y=True)
    stated = resource.get("cutoff_frac")
    if stated is not None:
        fig.add_vline(x=100 * float(stated), line_dash="dot", line_color="#b3261e",
                      annotation_text=f"statement cut-off {100 * float(stated):.2f} %",
                      annotation_position="top right")
    fig.update_xaxes(title_text="cut-off, % TREO")
    fig.update_yaxes(title_text="tonnes above cut-off, Mt", secondary_y=False, rangemode="tozero")
    fig.update_yaxes(title_text="mean grade above cut-off, % TREO", secondary_y=True,
                     showgrid=False, rangemode="tozero")
    return base_layout(fig, "Grade–tonnage curves", height=420)


def _runs(lags: list[Any]) -> list[slice]:
    """Index ranges of increasing lag (a table of several directions/variables restarts its
    lags: each run is drawn as its own curve, never joined back to the origin)."""
    cuts = [0] + [i for i in range(1, len(lags))
                  if lags[i] is not None and lags[i - 1] is not None
                  and float(lags[i]) < float(lags[i - 1])] + [len(lags)]
    return [slice(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]


def variogram_figure(vario: Mapping[str, Any]) -> go.Figure:
    """Experimental variogram (points) and fitted model (line) for one variable; a table that
    holds several directions (lags restarting) is drawn one curve per direction."""
    fig = go.Figure()
    lags, gamma = _seq(vario.get("lag_m")), _seq(vario.get("gamma"))
    model = _seq(vario.get("model_gamma"))
    mlags = _seq(vario.get("model_lag_m")) or lags
    runs = _runs(lags)
    colors = ("#0b5d8a", "#ef8a17", "#2e7d32", "#7a4b94", "#8c564b", "#17becf")
    for k, sl in enumerate(runs):
        tag = f" {k + 1}" if len(runs) > 1 else ""
        c = colors[k % len(colors)]
        fig.add_trace(go.Scatter(x=lags[sl], y=gamma[sl], mode="markers",
                                 name=f"experimental{tag}", marker={"color": c}))
        if model and len(model) == len(lags):
            fig.add_trace(go.Scatter(x=mlags[sl], y=model[sl], mode="lines",
                                     name=f"{vario.get('model_name') or 'fitted model'}{tag}",
                                     line={"color": c}))
    if model and len(model) != len(lags):
        fig.add_trace(go.Scatter(x=mlags, y=model, mode="lines",
                                 name=str(vario.get("model_name") or "fitted model"),
                                 line={"color": "#b3261e"}))
    fig.update_xaxes(title_text="lag, m", rangemode="tozero")
    fig.update_yaxes(title_text="γ(h)", rangemode="tozero")
    title = f"Variogram: {vario.get('variable')}"
    if vario.get("direction"):
        title += f" ({vario['direction']})"
    if len(runs) > 1:
        title += f", {len(runs)} directions"
    return base_layout(fig, title, height=360)


# --------------------------------------------------------------------------- mine

def pit_by_pit_figure(mine: Mapping[str, Any]) -> go.Figure:
    """Pit-by-pit graph: ore and waste tonnes per nested pit (bars), value and grade (lines)."""
    rows = sorted(mine.get("nested") or [], key=lambda r: r.get("revenue_factor") or 0.0)
    # one bar per nested pit (categories): revenue factors cluster, numeric bars would be slivers
    rf = [None if r.get("revenue_factor") is None else f"{float(r['revenue_factor']):.3g}"
          for r in rows]
    ore = [r.get("ore_t") for r in rows]
    waste = [r.get("waste_t") for r in rows]
    ore = [None if o is None else o / _M for o in ore]
    waste = [None if w is None else w / _M for w in waste]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Bar(x=rf, y=ore, name="ore, Mt", marker_color="#0b5d8a"))
    fig.add_trace(go.Bar(x=rf, y=waste, name="waste, Mt", marker_color="#c3ccd4"))
    fig.add_trace(go.Scatter(x=rf, y=_col(rows, "value_usd", _M), name="pit value, US$ M",
                             mode="lines+markers", line={"color": "#2e7d32"}), secondary_y=True)
    fig.update_xaxes(title_text="revenue factor (one nested pit each)", type="category")
    fig.update_yaxes(title_text="tonnes, Mt", secondary_y=False)
    fig.update_yaxes(title_text="undiscounted value, US$ M", secondary_y=True, showgrid=False,
                     rangemode="tozero")
    return base_layout(fig, "Pit-by-pit graph (nested pits)", barmode="stack", height=420)


def _stockpile_bars(fig: go.Figure, rows: list[Mapping[str, Any]], years: list[Any]) -> None:
    """With a stockpile the bars are the tonnes mined by destination (ore straight to the
    plant, ore to the stockpiles; the waste follows), and the plant feed, reclaim included,
    is a line: stacking the feed on the waste overstated the tonnes moved in years that
    reclaim and understated them in years that stockpile."""
    def kt(r: Mapping[str, Any], key: str) -> float | None:
        v = r.get(key)
        return None if v is None else float(v) / 1e3

    direct = [None if r.get("ore_t") is None else
              (float(r["ore_t"]) - float(r.get("stockpile_out_t") or 0.0)) / 1e3 for r in rows]
    fig.add_trace(go.Bar(x=years, y=direct, name="ore mined to the plant, kt",
                         marker_color="#0b5d8a"))
    fig.add_trace(go.Bar(x=years, y=[kt(r, "stockpile_in_t") for r in rows],
                         name="ore mined to stockpile, kt", marker_color="#e0a526"))
    fig.add_trace(go.Scatter(x=years, y=[kt(r, "ore_t") for r in rows],
                             name="plant feed incl. reclaim, kt", mode="lines+markers",
                             line={"color": "#0b5d8a", "dash": "dot"}))
    fig.add_trace(go.Scatter(x=years, y=[kt(r, "stockpile_t") for r in rows],
                             name="on stockpile at year end, kt", mode="lines",
                             line={"color": "#e0a526", "dash": "dash"}))


def schedule_figure(mine: Mapping[str, Any]) -> go.Figure:
    """Life-of-mine schedule: ore and waste per year (stacked bars; with a stockpile the tonnes
    mined by destination, and the plant feed and the stockpile as lines), head grade (line,
    % TREO)."""
    rows = sorted(mine.get("schedule") or [], key=lambda r: r.get("year") or 0)
    years = [r.get("year") for r in rows]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if any(r.get("stockpile_in_t") is not None for r in rows):
        _stockpile_bars(fig, rows, years)
    else:
        fig.add_trace(go.Bar(x=years, y=_col(rows, "ore_t", _M / 1e3), name="ore, kt",
                             marker_color="#0b5d8a"))
    fig.add_trace(go.Bar(x=years, y=_col(rows, "waste_t", _M / 1e3), name="waste, kt",
                         marker_color="#c3ccd4"))
    fig.add_trace(go.Scatter(x=years, y=[None if g is None else 100 * g
                                         for g in _col(rows, "head_grade_treo_frac")],
                             name="head grade, % TREO", mode="lines+markers",
                             line={"color": "#b3261e"}), secondary_y=True)
    fig.update_xaxes(title_text="year")
    fig.update_yaxes(title_text="kt per year", secondary_y=False)
    fig.update_yaxes(title_text="head grade, % TREO", secondary_y=True, showgrid=False,
                     rangemode="tozero")
    return base_layout(fig, "Life-of-mine schedule", barmode="stack", height=420)


# --------------------------------------------------------------------------- summary

def grid_grade_text(grid: Mapping[str, Any], x: Any) -> str:
    """A grade of the grade × price grid as the reader reads it: "2.80 % TREO"'s number, or
    "×1.10" where the grid moves ``deposit.grade_factor`` (a project's own estimate)."""
    if str(grid.get("x_input", "")).endswith("grade_factor"):
        return f"×{float(x):.2f}"
    return f"{100 * float(x):.2f} %"


def grid_figure(grid: Mapping[str, Any], *, price_usd_per_kg: float | None = None,
                rate_frac: float | None = None) -> go.Figure:
    """NPV over head grade (x, % TREO; or × the deposit's estimate where the grid moves
    ``deposit.grade_factor``, on a project with its own drillholes) × NdPr price (y): a heatmap
    with the NPV in each cell, the break-even (NPV = 0) drawn as a contour line and the base
    case marked (US$ M)."""
    factor = str(grid.get("x_input", "")).endswith("grade_factor")

    def gx(x: Any) -> str:
        return grid_grade_text(grid, x)

    ys_scale = [float(y) for y in grid.get("y") or []]
    ys = [y * price_usd_per_kg for y in ys_scale] if price_usd_per_kg else ys_scale
    z = [[None if v is None else v / _M for v in row] for row in grid.get("npv_usd") or []]
    flat = [abs(v) for row in z for v in row if v is not None]
    lim = max(flat, default=1.0)
    xt = [gx(x) for x in grid.get("x") or []]
    yt = [f"{y:,.0f} US$/kg" if price_usd_per_kg else f"×{y:.2f}" for y in ys]
    text = [[("no ore" if v is None else f"{v:,.0f}") for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        x=xt, y=yt, z=z, text=text, texttemplate="%{text}", zmin=-lim, zmax=lim, zmid=0,
        colorscale=[[0, "#b3261e"], [0.5, "#f7f7f7"], [1, "#2e7d32"]],
        colorbar={"title": {"text": "NPV, US$ M"}},
        hovertemplate="grade %{x}, NdPr %{y}: NPV %{z:,.0f} US$ M<extra></extra>"))
    bx, by = grid.get("x_base"), grid.get("y_base")
    if bx is not None and by is not None:
        fig.add_trace(go.Scatter(
            x=[gx(bx)],
            y=[f"{float(by) * price_usd_per_kg:,.0f} US$/kg" if price_usd_per_kg
               else f"×{float(by):.2f}"],
            mode="markers", marker={"symbol": "square-open", "size": 46, "color": "#111",
                                    "line": {"width": 3}},
            name="base case", hoverinfo="skip"))
    fig.update_xaxes(title_text="head grade, × the deposit's estimate" if factor else
                     "head grade, % TREO", type="category")
    fig.update_yaxes(title_text="NdPr oxide price" + (", US$/kg" if price_usd_per_kg else
                                                      " (× deck)"), type="category")
    r = npv_label(rate_frac).removeprefix("NPV")
    return base_layout(fig, f"NPV{r} by head grade and NdPr price (the chain re-run per cell)",
                       height=360, showlegend=False)


def revenue_split_figure(split: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Design-basis revenue by group as one stacked horizontal bar (US$ M per year, % share)."""
    colors = {"NdPr": "#0b5d8a", "other rare earths": "#7fb3d5", "by-products": "#2e7d32"}
    fig = go.Figure()
    for s in split:
        v = s.get("usd_per_a")
        share = s.get("share_frac")
        fig.add_trace(go.Bar(
            y=["revenue"], x=[None if v is None else v / _M], orientation="h",
            name=str(s.get("group")), marker_color=colors.get(str(s.get("group")), "#999"),
            text=[f"{s.get('group')}: {0 if share is None else 100 * share:.0f} %"
                  if (share or 0) >= 0.12 else ""],
            textposition="inside", insidetextanchor="middle", textangle=0,
            hovertemplate="%{x:,.1f} US$ M per year<extra>" + str(s.get("group")) + "</extra>"))
    fig.update_xaxes(title_text="design-basis revenue, US$ M per year")
    fig.update_yaxes(showticklabels=False)
    base_layout(fig, "Where the revenue comes from (design basis)", barmode="stack",
                height=190, showlegend=False)
    return fig.update_layout(margin={"l": 20, "r": 20, "t": 40, "b": 45})
