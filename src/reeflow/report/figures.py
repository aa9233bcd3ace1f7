"""Figure builders for the plant part of the report: element-flow Sankey and product slate.

Every builder is a pure function of one results section (plain dicts/lists as in the
results.json schema) returning a ``plotly.graph_objects.Figure``; nothing is written or shown.
Missing optional data gives a figure with fewer traces, never an exception.

SX-train figures (cut tree, stage profiles, McCabe–Thiele): :mod:`reeflow.report.figures_sx`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reeflow.core.elements import REE, oxide_factor

__all__ = [
    "element_color", "element_flow_frame", "sankey_figure", "products_figure",
    "base_layout", "add_selector",
]

_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31",
            "#7b4173", "#3182bd")
_KIND_COLOR = {"oxide": "#0b5d8a", "byproduct": "#2e7d32", "concentrate": "#8a5a00",
               "residue": "#7a4b94"}


_GRID = "#e5ecf3"
_COLORWAY = ("#0b5d8a", "#ef8a17", "#2e7d32", "#b3261e", "#7a4b94", "#8c564b", "#17becf",
             "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#ad494a")


def base_layout(fig: go.Figure, title: str, **layout: Any) -> go.Figure:
    """Apply the report's common look (white, light grid, title, compact margins).

    Styled explicitly on template "none": plotly's full templates cost ~25 ms per figure to
    validate and add ~10 kB of JSON each.
    """
    fig.update_layout(template="none", paper_bgcolor="white", plot_bgcolor="white",
                      colorway=list(_COLORWAY),
                      title={"text": title, "x": 0.01, "y": 0.98, "yref": "container",
                             "yanchor": "top"},
                      margin={"l": 60, "r": 30, "t": 60, "b": 50},
                      font={"family": "system-ui, Arial, sans-serif", "size": 12,
                            "color": "#2a3f5f"},
                      legend={"orientation": "h", "y": -0.18}, **layout)
    axis = {"gridcolor": _GRID, "linecolor": _GRID, "zerolinecolor": "#c9d4de",
            "automargin": True}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    # plotly.js 3 syncs an overlaying axis' ticks to the primary grid by default: odd tick values
    fig.for_each_yaxis(lambda ax: ax.update(tickmode="auto") if ax.overlaying else None)
    return fig


def element_color(element: str) -> str:
    """A stable colour per element (REE in atomic order, others hashed)."""
    if element == "TREO":
        return "#444444"
    if element in REE:
        return _PALETTE[REE.index(element) % len(_PALETTE)]
    return _PALETTE[sum(map(ord, element)) % len(_PALETTE)]


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


# --------------------------------------------------------------------------- Sankey

def element_flow_frame(element_flows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Element flows as a frame with Sankey node names, plus TREO (oxide basis) rows.

    Node names: the unit name, ``feed:<stream>`` where a stream has no source unit and
    ``product:<stream>`` where it has no target unit. TREO = Σ over REE of kg/h × oxide factor
    (element → reporting oxide), added unless the flows already carry a ``TREO`` element.
    """
    cols = ["stream", "source", "target", "element", "kg_per_h"]
    rows = [
        (str(f.get("stream")), f.get("source_unit") or f"feed:{f.get('stream')}",
         f.get("target_unit") or f"product:{f.get('stream')}", str(f.get("element")),
         float(f.get("kg_per_h") or 0.0))
        for f in element_flows
    ]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty or (df["element"] == "TREO").any():
        return df
    ree = df[df["element"].isin(REE)].copy()
    if ree.empty:
        return df
    ree["kg_per_h"] = ree["kg_per_h"] * ree["element"].map(oxide_factor)
    treo = ree.groupby(["stream", "source", "target"], as_index=False, sort=False)["kg_per_h"].sum()
    treo["element"] = "TREO"
    return pd.concat([df, treo[cols]], ignore_index=True)


def _element_order(elements: Sequence[str]) -> list[str]:
    present = set(elements)
    ordered = [e for e in ("TREO", *REE) if e in present]
    return ordered + sorted(present - set(ordered))


def _node_color(name: str) -> str:
    if name.startswith("feed:"):
        return "#2e7d32"
    if name.startswith("product:"):
        return "#0b5d8a"
    return "#8795a1"


def _node_label(name: str) -> str:
    """``product:calcine_La.oxide`` → ``calcine La oxide`` (colour tells feed/product)."""
    text = name.split(":", 1)[1] if name.startswith(("feed:", "product:")) else name
    return text.replace("_", " ").replace(".", " ")


#: Links smaller than this share of the element's largest flow are not drawn (their labels
#: would pile up on one another); the stream table lists every flow.
_MIN_LINK_SHARE = 1e-3


def _sankey_trace(sub: pd.DataFrame, element: str, visible: bool) -> go.Sankey:
    sub = sub[sub["kg_per_h"] > 0]
    if not sub.empty:
        sub = sub[sub["kg_per_h"] >= _MIN_LINK_SHARE * float(sub["kg_per_h"].max())]
    nodes = list(dict.fromkeys([*sub["source"], *sub["target"]]))
    index = {n: i for i, n in enumerate(nodes)}
    unit = "kg/h REO" if element == "TREO" else f"kg/h {element}"
    return go.Sankey(
        name=element, visible=visible, valueformat=",.4g", valuesuffix=f" {unit}",
        arrangement="snap",
        node={"label": [_node_label(n) for n in nodes], "color": [_node_color(n) for n in nodes],
              "pad": 22, "thickness": 16, "line": {"width": 0}},
        textfont={"size": 11},
        link={"source": [index[s] for s in sub["source"]],
              "target": [index[t] for t in sub["target"]],
              "value": sub["kg_per_h"].tolist(), "label": sub["stream"].tolist(),
              "color": _rgba(element_color(element), 0.35)},
    )


def sankey_figure(flowsheet: Mapping[str, Any], *, default: str = "TREO") -> go.Figure:
    """Sankey of element flows feed → units → products/residues, one trace per element.

    A dropdown (plotly ``updatemenus``) switches element; ``default`` (TREO, oxide basis) is shown
    first when present, else the first element.
    """
    df = element_flow_frame(flowsheet.get("element_flows") or [])
    fig = go.Figure()
    elements = _element_order(df["element"].unique().tolist()) if not df.empty else []
    if not elements:
        return base_layout(fig, "Element flows: no element flows in results")
    shown = default if default in elements else elements[0]
    for el in elements:
        fig.add_trace(_sankey_trace(df[df["element"] == el], el, el == shown))
    buttons = [
        {"label": el, "method": "update",
         "args": [{"visible": [e == el for e in elements]},
                  {"title.text": _sankey_title(el)}]}
        for el in elements
    ]
    n_out = max(int(df.loc[df["element"] == el, "target"].str.startswith("product:").sum())
                for el in elements)
    base_layout(fig, _sankey_title(shown), height=max(560, 160 + 40 * n_out))
    add_selector(fig, buttons, label="Element:", active=elements.index(shown))
    return fig


def add_selector(fig: go.Figure, buttons: list[dict[str, Any]], *, label: str,
                 active: int = 0) -> go.Figure:
    """A labelled dropdown (``updatemenus``) under the title, clear of plotly's mode bar."""
    fig.update_layout(
        margin={"t": 100},
        updatemenus=[{"buttons": buttons, "active": active, "x": 0.12, "xanchor": "left",
                      "y": 1.03, "yanchor": "bottom", "pad": {"t": 0, "b": 0}}],
        annotations=[{"text": f"<b>{label}</b>", "x": 0.11, "xref": "paper", "y": 1.05,
                      "yref": "paper", "yanchor": "bottom", "showarrow": False,
                      "xanchor": "right"}])
    return fig


def _sankey_title(element: str) -> str:
    what = "TREO (oxide basis)" if element == "TREO" else element
    return f"Element flows, ore → products and residues: {what}"


# --------------------------------------------------------------------------- products

def products_figure(products: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Product slate: tonnes per year (log axis) and, where priced, revenue per year, by kind."""
    rows = sorted(products, key=lambda p: -(p.get("t_per_a") or 0.0))
    priced = any(p.get("revenue_usd_per_a") for p in rows)
    titles = ("Production, t/a (log scale)", "Revenue, US$ M/a")
    fig = make_subplots(rows=1, cols=2 if priced else 1, subplot_titles=titles[:1 + priced],
                        horizontal_spacing=0.22)
    names = [str(p.get("name")) for p in rows]
    colors = [_KIND_COLOR.get(str(p.get("kind")), "#7f7f7f") for p in rows]
    hover = [f"{p.get('name')} ({p.get('kind')})" for p in rows]
    tpa = [p.get("t_per_a") for p in rows]
    rev = [None if p.get("revenue_usd_per_a") is None else p["revenue_usd_per_a"] / 1e6
           for p in rows]
    fig.add_trace(go.Bar(y=names, x=tpa, orientation="h", marker_color=colors, hovertext=hover,
                         name="t/a", showlegend=False), row=1, col=1)
    if priced:
        fig.add_trace(go.Bar(y=names, x=rev, orientation="h", marker_color=colors,
                             hovertext=hover, name="US$ M/a", showlegend=False), row=1, col=2)
    fig.update_xaxes(type="log", row=1, col=1)
    fig.update_yaxes(autorange="reversed")
    for kind, color in _KIND_COLOR.items():
        if any(p.get("kind") == kind for p in rows):
            fig.add_trace(go.Bar(x=[None], y=[None], marker_color=color, name=kind))
    return base_layout(fig, "Product slate", height=max(320, 40 + 26 * len(rows)),
                       barmode="overlay")
