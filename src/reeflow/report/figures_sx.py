"""Figure builders for the solvent-extraction train: the tree of cuts, stage profiles per element
and McCabe–Thiele diagrams of binary cuts.

Pure functions of the ``sx`` results section. Two layouts of a cascade's stage profiles are read:
the results schema's ``profiles: {element: [conc per stage]}`` (aqueous; optional
``profiles_organic`` alike), and the SX engine's ``CascadeResult.to_dict()`` layout
(``components`` + ``profiles: {aq_mol_per_h, org_mol_per_h: [[stage][component]],
q_aq_L_per_h, q_org_L_per_h}`` + ``sections: [[name, count], ...]``), converted to mol/L.
Stage numbering follows the SX engine: stage 1 at the raffinate end, where the organic enters.

McCabe–Thiele construction: W. L. McCabe and E. W. Thiele, *Graphical design of fractionating
columns*, Ind. Eng. Chem. 17 (1925) 605–611; for a constant separation factor β the equilibrium
line is y = βx / (1 + (β − 1)x) (Zhang, Zhao & Schreiner, *Separation Hydrometallurgy of Rare
Earth Elements*, Springer 2016, ch. 6). With the organic entering stage 1, a balance over stages
1…n pairs the organic leaving stage n with the aqueous entering it from stage n + 1: the
operating points are (x_{n+1}, y_n), so the staircase runs (x_n, y_n) → (x_{n+1}, y_n) → ….
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from reeflow.core.elements import REE
from reeflow.report.figures import add_selector, base_layout, element_color

__all__ = ["parse_cut", "stage_profiles", "sx_train_figure", "sx_profiles_figure",
           "mccabe_thiele_figure"]

_SYMBOL = re.compile(r"[A-Z][a-z]?")
#: Components of an SX profile plotted as elements (REE, Sc and the actinides that follow them).
_PLOTTED = frozenset((*REE, "Sc", "Th", "U"))


def parse_cut(cut: str, groups: Mapping[str, Sequence[str]] | None = None
              ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split a cut label such as ``"La|Ce+NdPr"``, ``"LaCe|PrNd"`` or ``"Nd/Sm"`` into its two
    element groups. With ``groups`` (the train's product name → elements, results.json's
    ``sx.groups``) each side is read as product names joined by '+' (names are the project's,
    such as 'magnet', not element symbols); without, as element symbols."""
    for sep in ("|", "/"):
        if sep in cut:
            left, right = cut.split(sep, 1)
            return _side(left, groups), _side(right, groups)
    return _side(cut, groups), ()


def _side(text: str, groups: Mapping[str, Sequence[str]] | None) -> tuple[str, ...]:
    if groups:
        names = _names_in(text.strip(), groups)
        if names is not None:
            return tuple(e for n in names for e in groups[n])
    return tuple(_SYMBOL.findall(text))


def _names_in(text: str, groups: Mapping[str, Sequence[str]]) -> list[str] | None:
    """Product names joined by '+' in ``text``, the longest name first at each place (a name
    may itself hold '+', as 'SEG+' does); None when the text is not such a join."""
    out, i = [], 0
    by_length = sorted(groups, key=len, reverse=True)
    while i < len(text):
        name = next((n for n in by_length if text.startswith(n, i)
                     and (i + len(n) == len(text) or text[i + len(n)] == "+")), None)
        if name is None:
            return None
        out.append(name)
        i += len(name) + 1
    return out or None


# --------------------------------------------------------------------------- train diagram

def _train_tree(cuts: Sequence[str], groups: Mapping[str, Sequence[str]] | None = None
                ) -> dict[str, list[tuple[str, ...] | str]]:
    """Children of each cut: a later cut covering one side exactly, else the side (a product)."""
    sides = {c: parse_cut(c, groups) for c in cuts}
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
    groups = {str(k): [str(e) for e in v] for k, v in (sx.get("groups") or {}).items()}
    tree = _train_tree(cuts, groups)
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
    _add_train_nodes(fig, pos, info, {frozenset(v): k for k, v in groups.items()})
    fig.update_xaxes(visible=False, range=[-0.5, max(x for x, _ in pos.values()) + 0.7])
    fig.update_yaxes(visible=False, autorange="reversed")
    return base_layout(fig, "Separation train: sequence of cuts (left group | right group)",
                       height=max(260, 70 * (1 + max(y for _, y in pos.values()))))


def _add_train_nodes(fig: go.Figure, pos: Mapping[Any, tuple[float, float]],
                     info: Mapping[str, Mapping[str, Any]],
                     names: Mapping[frozenset[str], str]) -> None:
    """Cut nodes (squares, labelled as the train labels them) and product nodes (circles,
    labelled with the product's name, or its elements where no name covers them)."""
    cut_nodes = [k for k in pos if isinstance(k, str)]
    prod_nodes = [k for k in pos if not isinstance(k, str)]
    hover = []
    for c in cut_nodes:
        d = info.get(c, {})
        stages = [d.get(k) for k in ("n_extraction", "n_scrub", "n_strip")]
        hover.append(f"cut {c}<br>stages E/Sc/St: {'/'.join(str(s) for s in stages)}"
                     f"<br>organic: {_m3(d.get('organic_flow_m3_per_h'))} m³/h")
    fig.add_trace(go.Scatter(
        x=[pos[c][0] for c in cut_nodes], y=[pos[c][1] for c in cut_nodes], mode="markers+text",
        text=[f"<b>{c}</b>" for c in cut_nodes], textposition="top center", hovertext=hover,
        hoverinfo="text", marker={"symbol": "square", "size": 22, "color": "#0b5d8a"},
        name="cut (cascade)"))
    fig.add_trace(go.Scatter(
        x=[pos[p][0] for p in prod_nodes], y=[pos[p][1] for p in prod_nodes],
        mode="markers+text", text=[names.get(frozenset(p[1]), "+".join(p[1])) for p in prod_nodes],
        textposition="middle right",
        marker={"symbol": "circle", "size": 16, "color": "#2e7d32"}, name="product group",
        hoverinfo="text"))


def _m3(value: Any) -> str:
    return f"{value:,.1f}" if isinstance(value, int | float) else "—"


# --------------------------------------------------------------------------- stage profiles

Profiles = dict[str, np.ndarray]


def _engine_profiles(cascade: Mapping[str, Any]) -> tuple[Profiles, Profiles, str] | None:
    prof, comps = cascade.get("profiles") or {}, cascade.get("components")
    if prof.get("aq_mol_per_h") is None or comps is None:
        return None
    aq = np.asarray(prof["aq_mol_per_h"], float)
    org = np.asarray(prof.get("org_mol_per_h", np.full_like(aq, np.nan)), float)
    unit = "mol/h"
    if prof.get("q_aq_L_per_h") is not None and prof.get("q_org_L_per_h") is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            aq = aq / np.asarray(prof["q_aq_L_per_h"], float)[:, None]
            org = org / np.asarray(prof["q_org_L_per_h"], float)[:, None]
        unit = "mol/L"
    keep = [(j, str(c)) for j, c in enumerate(comps) if str(c) in _PLOTTED]
    return ({c: aq[:, j] for j, c in keep}, {c: org[:, j] for j, c in keep}, unit)


def stage_profiles(cascade: Mapping[str, Any]) -> tuple[Profiles, Profiles, str]:
    """(aqueous, organic, unit) stage profiles per element of a cascade, either layout.

    Organic is empty where the results carry none; unit is ``profile_unit`` where given.
    """
    engine = _engine_profiles(cascade)
    if engine is not None:
        return engine

    def arrays(d: Any) -> Profiles:
        if not isinstance(d, Mapping):
            return {}
        return {str(k): np.asarray([np.nan if v is None else v for v in vals], float)
                for k, vals in d.items() if isinstance(vals, list | tuple | np.ndarray)}

    unit = str(cascade.get("profile_unit") or "concentration")
    return arrays(cascade.get("profiles")), arrays(cascade.get("profiles_organic")), unit


def _section_counts(cascade: Mapping[str, Any]) -> list[tuple[str, int]]:
    """[(section, n_stages)] in stage order, from ``sections`` runs or the n_* counts."""
    runs = cascade.get("sections")
    if isinstance(runs, list) and runs and all(isinstance(r, list | tuple) for r in runs):
        return [(str(r[0]), int(r[1])) for r in runs]
    out = []
    for key, name in (("n_extraction", "extraction"), ("n_scrub", "scrub"), ("n_strip", "strip")):
        if isinstance(cascade.get(key), int | float):
            out.append((name, int(cascade[key])))
    return out


def _section_lines(cascade: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Dotted vertical lines between sections (at k + 0.5 after each section but the last)."""
    counts = _section_counts(cascade)
    edges = np.cumsum([n for _, n in counts])[:-1] + 0.5
    return [{"type": "line", "x0": float(x), "x1": float(x), "y0": 0, "y1": 1, "yref": "paper",
             "line": {"dash": "dot", "color": "#888"}} for x in edges]


def sx_profiles_figure(cascades: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Aqueous (solid) and organic (dotted) stage profiles per element, one cascade at a time.

    A dropdown selects the cascade; log y-axis; section boundaries dotted.
    """
    fig = go.Figure()
    data = [(c, stage_profiles(c)) for c in cascades]
    data = [(c, p) for c, p in data if p[0]]
    if not data:
        return base_layout(fig, "Stage profiles: none in results")
    vis_map: list[int] = []
    for i, (_, (aq, org, _unit)) in enumerate(data):
        for phase, prof, dash in (("aq", aq, "solid"), ("org", org, "dot")):
            for el, y in prof.items():
                fig.add_trace(go.Scatter(
                    x=np.arange(1, y.size + 1), y=np.where(y > 0, y, np.nan),
                    mode="lines+markers", name=f"{el} ({phase})", visible=i == 0,
                    marker={"size": 4}, line={"color": element_color(el), "dash": dash}))
                vis_map.append(i)
    buttons = [{"label": str(c.get("cut")), "method": "update",
                "args": [{"visible": [j == i for j in vis_map]},
                         {"title.text": _profile_title(c), "shapes": _section_lines(c),
                          "yaxis.title.text": p[2]}]}
               for i, (c, p) in enumerate(data)]
    first, (_, _, unit) = data[0]
    base_layout(fig, _profile_title(first), height=480, shapes=_section_lines(first))
    add_selector(fig, buttons, label="Cut:")
    fig.update_xaxes(title_text="stage (1 = raffinate end; extraction → scrub → strip)")
    fig.update_yaxes(type="log", title_text=unit)
    return fig


def _profile_title(cascade: Mapping[str, Any]) -> str:
    return f"Stage profiles, cut {cascade.get('cut')} (solid: aqueous, dotted: organic)"


# --------------------------------------------------------------------------- McCabe–Thiele

def _binary_fractions(cascade: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """Fraction of the right-of-cut element in aqueous (x) and organic (y), per stage of the
    extraction and scrub sections; None unless the cut is binary with both phases known."""
    explicit = cascade.get("mccabe_thiele")
    if isinstance(explicit, Mapping) and explicit.get("x") is not None \
            and explicit.get("y") is not None:
        return np.asarray(explicit["x"], float), np.asarray(explicit["y"], float)
    left, right = _cut_elements(cascade)
    aq, org, _ = stage_profiles(cascade)
    if len(left) != 1 or len(right) != 1:
        return None
    a, b = left[0], right[0]
    if not all(e in aq and e in org for e in (a, b)):
        return None
    n = min(aq[a].size, org[a].size)
    counts = dict(_section_counts(cascade))
    if "extraction" in counts and "scrub" in counts:
        n = min(n, counts["extraction"] + counts["scrub"])
    with np.errstate(divide="ignore", invalid="ignore"):
        x = aq[b][:n] / (aq[a][:n] + aq[b][:n])
        y = org[b][:n] / (org[a][:n] + org[b][:n])
    ok = np.isfinite(x) & np.isfinite(y)
    return (x[ok], y[ok]) if ok.any() else None


def _cut_elements(cascade: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(light, heavy) elements of a cut: the cascade's own ``light``/``heavy`` lists where it
    has them (a label names products, which may be named anything), else its label read as
    element symbols."""
    light, heavy = cascade.get("light"), cascade.get("heavy")
    if isinstance(light, Sequence) and isinstance(heavy, Sequence) \
            and not isinstance(light, str) and not isinstance(heavy, str):
        return tuple(str(e) for e in light), tuple(str(e) for e in heavy)
    return parse_cut(str(cascade.get("cut", "")))


def mccabe_thiele_figure(cascade: Mapping[str, Any]) -> go.Figure | None:
    """McCabe–Thiele diagram of a binary cut from its stage compositions.

    Stage points (x_n, y_n): fractions of the right-of-cut (more extracted) element in the
    aqueous and organic leaving stage n of the extraction and scrub sections (from the stage
    profiles, or an explicit ``mccabe_thiele: {x, y, beta?}``). Staircase (x_n, y_n) →
    (x_{n+1}, y_n) → (x_{n+1}, y_{n+1}); the constant-β equilibrium curve is drawn where
    ``beta`` is given. None if the cut is not binary or a phase is missing.
    """
    fr = _binary_fractions(cascade)
    if fr is None:
        return None
    x, y = fr
    stair_x, stair_y = np.repeat(x, 2)[1:], np.repeat(y, 2)[:-1]
    fig = go.Figure()
    beta = cascade.get("beta") or (cascade.get("mccabe_thiele") or {}).get("beta")
    if isinstance(beta, int | float) and beta > 0:
        xx = np.linspace(0.0, 1.0, 201)
        fig.add_trace(go.Scatter(x=xx, y=beta * xx / (1 + (beta - 1) * xx), mode="lines",
                                 name=f"equilibrium, β = {beta:.3g}", line={"color": "#d62728"}))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="y = x",
                             line={"color": "#bbb", "dash": "dash"}))
    fig.add_trace(go.Scatter(x=stair_x, y=stair_y, mode="lines", name="stages",
                             line={"color": "#0b5d8a"}))
    fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name="stage equilibria",
                             marker={"color": "#0b5d8a", "size": 5}))
    heavy = "".join(_cut_elements(cascade)[1]) or "B"
    fig.update_xaxes(title_text=f"x: {heavy}/(sum) in aqueous", range=[0, 1])
    fig.update_yaxes(title_text=f"y: {heavy}/(sum) in organic", range=[0, 1])
    return base_layout(fig, f"McCabe–Thiele, cut {cascade.get('cut')}", height=460)
