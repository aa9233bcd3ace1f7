"""Figure builders for the plant part of the report: element-flow Sankey, product slate, SX train.

Every builder is a pure function of one results section (plain dicts/lists as in
``docs``' results schema) returning a ``plotly.graph_objects.Figure``; nothing is written or shown.
Missing optional data gives a figure with fewer traces, never an exception; a builder returns
``None`` only where the figure has no meaning for the data (e.g. McCabe–Thiele for a
multi-element cut).

McCabe–Thiele construction: W. L. McCabe and E. W. Thiele, *Graphical design of fractionating
columns*, Ind. Eng. Chem. 17 (1925) 605–611; for constant separation factor β the equilibrium
line is y = βx / (1 + (β − 1)x) (Zhang, Zhao & Schreiner, *Separation Hydrometallurgy of Rare
Earth Elements*, Springer 2016, ch. 6).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reeflow.core.elements import REE, oxide_factor

__all__ = [
    "element_color", "element_flow_frame", "sankey_figure", "products_figure",
    "parse_cut", "sx_train_figure", "sx_profiles_figure", "mccabe_thiele_figure",
    "base_layout",
]

_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31",
            "#7b4173", "#3182bd")
_KIND_COLOR = {"oxide": "#0b5d8a", "byproduct": "#2e7d32", "concentrate": "#8a5a00",
               "residue": "#7a4b94"}


_GRID = "#e5ecf3"
_COLORWAY = ("#0b5d8a", "#ef8a17", "#2e7d32", "#b3261e", "#7a4b94", "#8c564b", "#17becf")


def base_layout(fig: go.Figure, title: str, **layout: Any) -> go.Figure:
    """Apply the report's common look (white, light grid, title, compact margins).

    Styled explicitly on template "none": plotly's full templates cost ~25 ms per figure to
    validate and add ~10 kB of JSON each.
    """
    fig.update_layout(template="none", paper_bgcolor="white", plot_bgcolor="white",
                      colorway=list(_COLORWAY), title={"text": title, "x": 0.01},
                      margin={"l": 60, "r": 30, "t": 60, "b": 50},
                      font={"family": "system-ui, Arial, sans-serif", "size": 12,
                            "color": "#2a3f5f"},
                      legend={"orientation": "h", "y": -0.18}, **layout)
    axis = {"gridcolor": _GRID, "linecolor": _GRID, "zerolinecolor": "#c9d4de",
            "automargin": True}
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
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
    if name.startswith("feed:"):
        return f"feed: {name[5:]}"
    if name.startswith("product:"):
        return f"out: {name[8:]}"
    return name


def _sankey_trace(sub: pd.DataFrame, element: str, visible: bool) -> go.Sankey:
    sub = sub[sub["kg_per_h"] > 0]
    nodes = list(dict.fromkeys([*sub["source"], *sub["target"]]))
    index = {n: i for i, n in enumerate(nodes)}
    unit = "kg/h REO" if element == "TREO" else f"kg/h {element}"
    return go.Sankey(
        name=element, visible=visible, valueformat=",.4g", valuesuffix=f" {unit}",
        arrangement="snap",
        node={"label": [_node_label(n) for n in nodes], "color": [_node_color(n) for n in nodes],
              "pad": 14, "thickness": 16, "line": {"width": 0}},
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
    fig.update_layout(updatemenus=[{"buttons": buttons, "active": elements.index(shown),
                                    "x": 1.0, "xanchor": "right", "y": 1.13, "yanchor": "top"}],
                      annotations=[{"text": "Element:", "x": 0.86, "xref": "paper", "y": 1.11,
                                    "yref": "paper", "showarrow": False, "xanchor": "right"}])
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


# --------------------------------------------------------------------------- SX train

_SYMBOL = re.compile(r"[A-Z][a-z]?")


def parse_cut(cut: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split a cut label such as ``"LaCe|PrNd"`` or ``"Nd/Sm"`` into its two element groups."""
    for sep in ("|", "/"):
        if sep in cut:
            left, right = cut.split(sep, 1)
            return tuple(_SYMBOL.findall(left)), tuple(_SYMBOL.findall(right))
    return tuple(_SYMBOL.findall(cut)), ()


def _train_tree(cuts: Sequence[str]) -> dict[str, list[tuple[str, ...] | str]]:
    """Children of each cut: a later cut covering one side exactly, else the side (a product)."""
    sides = {c: parse_cut(c) for c in cuts}
    used: set[str] = set()
    tree: dict[str, list[tuple[str, ...] | str]] = {}
    for i, cut in enumerate(cuts):
        children: list[tuple[str, ...] | str] = []
        for side in sides[cut]:
            child = next((c for c in cuts[i + 1:] if c not in used
                          and set(sides[c][0]) | set(sides[c][1]) == set(side)), None)
            if child is not None:
                used.add(child)
            children.append(child if child is not None else side)
        tree[cut] = children
    return tree


def _layout_tree(tree: Mapping[str, list], root: str) -> tuple[dict, list]:
    """Positions (depth, y) of cut and product nodes; edges between them."""
    pos: dict[Any, tuple[float, float]] = {}
    edges: list[tuple[Any, Any]] = []
    counter = [0.0]

    def visit(node: Any, depth: int) -> float:
        if isinstance(node, str) and node in tree:
            ys = []
            for child in tree[node]:
                key = child if isinstance(child, str) else ("product", child, node)
                ys.append(visit(key, depth + 1))
                edges.append((node, key))
            y = float(np.mean(ys))
        else:
            y = counter[0]
            counter[0] += 1.0
        pos[node] = (float(depth), y)
        return y

    visit(root, 0)
    return pos, edges


def sx_train_figure(sx: Mapping[str, Any]) -> go.Figure:
    """The separation train as a tree of cuts (cut nodes → child cuts or product groups)."""
    cuts = [str(c) for c in (sx.get("sequence") or [c.get("cut") for c in sx.get("cascades", [])])]
    info = {str(c.get("cut")): c for c in sx.get("cascades") or []}
    fig = go.Figure()
    if not cuts:
        return base_layout(fig, "SX train: no sequence in results")
    tree = _train_tree(cuts)
    roots = [c for c in cuts if not any(c in ch for ch in tree.values())]
    pos: dict[Any, tuple[float, float]] = {}
    edges: list = []
    for root in roots:
        offset = max((p[1] for p in pos.values()), default=-1.0) + 1.0
        p, e = _layout_tree(tree, root)
        pos.update({k: (x, y + offset) for k, (x, y) in p.items()})
        edges += e
    for a, b in edges:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        fig.add_trace(go.Scatter(x=[x0, x0 + 0.5, x0 + 0.5, x1], y=[y0, y0, y1, y1], mode="lines",
                                 line={"color": "#9aa7b3", "width": 2}, hoverinfo="skip",
                                 showlegend=False))
    _add_train_nodes(fig, pos, info)
    fig.update_xaxes(visible=False, range=[-0.5, max(x for x, _ in pos.values()) + 0.7])
    fig.update_yaxes(visible=False, autorange="reversed")
    return base_layout(fig, "Separation train: sequence of cuts (left group | right group)",
                       height=max(260, 70 * (1 + max(y for _, y in pos.values()))))


def _add_train_nodes(fig: go.Figure, pos: Mapping[Any, tuple[float, float]],
                     info: Mapping[str, Mapping[str, Any]]) -> None:
    cut_nodes = [k for k in pos if isinstance(k, str)]
    prod_nodes = [k for k in pos if not isinstance(k, str)]
    hover = []
    for c in cut_nodes:
        d = info.get(c, {})
        stages = [d.get(k) for k in ("n_extraction", "n_scrub", "n_strip")]
        hover.append(f"cut {c}<br>stages E/Sc/St: {'/'.join(str(s) for s in stages)}"
                     f"<br>organic: {d.get('organic_flow_m3_per_h', '—')} m³/h")
    fig.add_trace(go.Scatter(
        x=[pos[c][0] for c in cut_nodes], y=[pos[c][1] for c in cut_nodes], mode="markers+text",
        text=[f"<b>{c}</b>" for c in cut_nodes], textposition="top center", hovertext=hover,
        hoverinfo="text", marker={"symbol": "square", "size": 22, "color": "#0b5d8a"},
        name="cut (cascade)"))
    fig.add_trace(go.Scatter(
        x=[pos[p][0] for p in prod_nodes], y=[pos[p][1] for p in prod_nodes],
        mode="markers+text", text=["+".join(p[1]) for p in prod_nodes], textposition="middle right",
        marker={"symbol": "circle", "size": 16, "color": "#2e7d32"}, name="product group",
        hoverinfo="text"))


def sx_profiles_figure(cascades: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Stage profiles per element for each cascade (dropdown selects the cascade; log y-axis).

    Section boundaries (extraction | scrub | strip) are marked where the stage counts are known.
    """
    fig = go.Figure()
    with_profiles = [c for c in cascades if c.get("profiles") is not None
                     and len(c["profiles"]) > 0]
    if not with_profiles:
        return base_layout(fig, "Stage profiles: none in results")
    vis_map: list[int] = []
    for i, casc in enumerate(with_profiles):
        for el, conc in casc["profiles"].items():
            y = np.asarray([np.nan if v is None else v for v in conc], dtype=float)
            fig.add_trace(go.Scatter(x=np.arange(1, y.size + 1), y=y, mode="lines+markers",
                                     name=str(el), visible=i == 0, marker={"size": 4},
                                     line={"color": element_color(str(el))}))
            vis_map.append(i)
    buttons = [{"label": str(c.get("cut")), "method": "update",
                "args": [{"visible": [j == i for j in vis_map]},
                         {"title.text": _profile_title(c), "shapes": _section_lines(c)}]}
               for i, c in enumerate(with_profiles)]
    base_layout(fig, _profile_title(with_profiles[0]), height=460,
                shapes=_section_lines(with_profiles[0]))
    fig.update_layout(updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.15}])
    fig.update_xaxes(title_text="stage (1 = aqueous feed end of extraction)")
    fig.update_yaxes(type="log", title_text=str(with_profiles[0].get("profile_unit",
                                                                      "concentration")))
    return fig


def _profile_title(cascade: Mapping[str, Any]) -> str:
    return f"Stage profiles, cut {cascade.get('cut')}"


def _section_lines(cascade: Mapping[str, Any]) -> list[dict[str, Any]]:
    n_e, n_s = cascade.get("n_extraction"), cascade.get("n_scrub")
    if not isinstance(n_e, int | float) or not isinstance(n_s, int | float):
        return []
    return [{"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "yref": "paper",
             "line": {"dash": "dot", "color": "#888"}} for x in (n_e + 0.5, n_e + n_s + 0.5)]


def _binary_fractions(cascade: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """Fraction of the more-extracted element (right of the cut) in aqueous and organic phases."""
    explicit = cascade.get("mccabe_thiele")
    if isinstance(explicit, Mapping) and explicit.get("x") is not None \
            and explicit.get("y") is not None:
        return np.asarray(explicit["x"], float), np.asarray(explicit["y"], float)
    left, right = parse_cut(str(cascade.get("cut", "")))
    aq, org = cascade.get("profiles") or {}, cascade.get("profiles_organic") or {}
    if len(left) != 1 or len(right) != 1 or not org:
        return None
    a, b = left[0], right[0]
    if not all(e in aq and e in org for e in (a, b)):
        return None
    xa, xb = np.asarray(aq[a], float), np.asarray(aq[b], float)
    ya, yb = np.asarray(org[a], float), np.asarray(org[b], float)
    n = min(xa.size, ya.size)
    return xb[:n] / (xa[:n] + xb[:n]), yb[:n] / (ya[:n] + yb[:n])


def mccabe_thiele_figure(cascade: Mapping[str, Any]) -> go.Figure | None:
    """McCabe–Thiele diagram of a binary cut from its stage compositions.

    Stage points (x_n, y_n) are the fractions of the more-extracted element in the aqueous and
    organic leaving stage n (``profiles``/``profiles_organic``, or an explicit
    ``mccabe_thiele: {x, y, beta?}``); the staircase joins (x_n, y_n) → (x_n, y_n+1). With a
    separation factor ``beta`` the constant-β equilibrium curve is drawn. None if not binary.
    """
    fr = _binary_fractions(cascade)
    if fr is None:
        return None
    x, y = fr
    stair_x = np.repeat(x, 2)[:-1]
    stair_y = np.column_stack([y, np.append(y[1:], np.nan)]).ravel()[:-1]
    fig = go.Figure()
    beta = cascade.get("beta") or (cascade.get("mccabe_thiele") or {}).get("beta")
    if isinstance(beta, int | float) and beta > 0:
        xx = np.linspace(0.0, 1.0, 201)
        fig.add_trace(go.Scatter(x=xx, y=beta * xx / (1 + (beta - 1) * xx), mode="lines",
                                 name=f"equilibrium, β = {beta:.3g}", line={"color": "#d62728"}))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="y = x",
                             line={"color": "#bbb", "dash": "dash"}))
    fig.add_trace(go.Scatter(x=stair_x, y=stair_y, mode="lines", name="stages",
                             line={"color": "#0b5d8a", "shape": "linear"}))
    fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name="stage equilibria",
                             marker={"color": "#0b5d8a", "size": 5}))
    left, right = parse_cut(str(cascade.get("cut", "")))
    heavy = "".join(right) or "B"
    fig.update_xaxes(title_text=f"x: {heavy}/(sum) in aqueous", range=[0, 1])
    fig.update_yaxes(title_text=f"y: {heavy}/(sum) in organic", range=[0, 1])
    return base_layout(fig, f"McCabe–Thiele, cut {cascade.get('cut')}", height=460)
