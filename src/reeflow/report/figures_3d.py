"""3-D view of a mine plan: drillholes coloured by grade, blocks above the cut-off, the final pit and
the pushback shells (plotly only; WebGL in the browser).

Pure builders of plain data, like every figure module of the report:

* ``scene`` — the dict of :meth:`reeflow.mine.MinePlan.scene` (``reeflow.mine.scene.plan_scene``):
  decimated block points and pit / pushback floor surfaces;
* ``drillholes`` — composites or samples with ``hole_id, x, y, z`` and a grade column
  (``<attr>_pct`` or ``<attr>_frac``), e.g. ``ResourceResult.composites``.

Light enough for a browser in seconds: at most :data:`CAPS` points per trace kind (block points are
already capped by the scene; drillhole samples are decimated evenly along each hole beyond
``max_samples``), all holes in one line trace, surfaces of at most 150 × 150 columns, one shared
colour scale. The caps and what was dropped are stated in the figure's title.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = ["CAPS", "mine_3d_figure", "drillhole_trace", "figure_json_bytes"]

#: decimation caps: block points (set by the scene), drillhole samples, surface columns per side
CAPS = {"max_blocks": 20_000, "max_samples": 20_000, "max_grid": 150}

_SHELL_COLORS = ("#ef8a17", "#2e7d32", "#7a4b94", "#8c564b", "#17becf", "#e377c2")


def _grade_pct(df: pd.DataFrame, attr: str) -> tuple[np.ndarray, str]:
    for col, factor in ((f"{attr}_pct", 1.0), (f"{attr}_frac", 100.0), (attr, 1.0)):
        if col in df.columns:
            return pd.to_numeric(df[col], errors="coerce").to_numpy(float) * factor, col
    return np.full(len(df), np.nan), ""


def drillhole_trace(drillholes: pd.DataFrame | Mapping[str, Any], *, attr: str = "treo",
                    max_samples: int = CAPS["max_samples"]) -> tuple[go.Scatter3d | None, int]:
    """All holes as one line trace coloured by grade (% of ``attr``); NaN breaks between holes.
    Returns the trace (None without holes) and the number of samples dropped by decimation."""
    df = pd.DataFrame(drillholes)
    if df.empty or not {"hole_id", "x", "y", "z"} <= set(df.columns):
        return None, 0
    step = max(1, int(np.ceil(len(df) / max_samples)))
    keep = df.groupby("hole_id", sort=False).cumcount().to_numpy() % step == 0
    kept = df[keep]
    grade, _ = _grade_pct(kept, attr)
    xs, ys, zs, cs, text = [], [], [], [], []
    for hole, g in kept.assign(_g=grade).groupby("hole_id", sort=False):
        xs += g["x"].tolist() + [None]
        ys += g["y"].tolist() + [None]
        zs += g["z"].tolist() + [None]
        cs += g["_g"].tolist() + [np.nan]
        text += [str(hole)] * len(g) + [""]
    trace = go.Scatter3d(x=xs, y=ys, z=zs, mode="lines", name="drillholes", text=text,
                         line={"width": 5, "color": cs, "coloraxis": "coloraxis"},
                         hovertemplate="%{text}<br>%{line.color:.2f} %<extra></extra>")
    return trace, int(len(df) - len(kept))


def _surface(surf: Mapping[str, Any], name: str, color: str, opacity: float,
             visible: bool | str = True) -> go.Surface:
    z = np.asarray([[np.nan if v is None else v for v in row] for row in surf["z"]], float)
    return go.Surface(x=surf["x"], y=surf["y"], z=z, name=name, showscale=False,
                      opacity=opacity, colorscale=[[0, color], [1, color]],
                      surfacecolor=np.zeros_like(z), showlegend=True, visible=visible,
                      hovertemplate=f"{name}<br>z %{{z:.0f}} m<extra></extra>")


def mine_3d_figure(scene: Mapping[str, Any] | None = None,
                   drillholes: pd.DataFrame | Mapping[str, Any] | None = None, *,
                   attr: str = "treo", max_samples: int = CAPS["max_samples"],
                   height_px: int = 640) -> go.Figure:
    """Drillholes coloured by grade, block points above the cut-off (same colour scale), the
    final pit floor and the pushback floors (toggle in the legend). Missing parts are left out."""
    fig = go.Figure()
    notes = []
    if drillholes is not None:
        trace, dropped = drillhole_trace(drillholes, attr=attr, max_samples=max_samples)
        if trace is not None:
            fig.add_trace(trace)
            if dropped:
                notes.append(f"{dropped:,} drillhole samples decimated (cap {max_samples:,})")
    if scene:
        b = scene.get("blocks") or {}
        if b.get("x"):
            grade = np.asarray(b.get("grade") or [np.nan] * len(b["x"]), float) * 100.0
            fig.add_trace(go.Scatter3d(
                x=b["x"], y=b["y"], z=b["z"], mode="markers", name="blocks above cut-off",
                marker={"size": 2.5, "color": grade, "coloraxis": "coloraxis", "opacity": 0.6},
                hovertemplate="%{marker.color:.2f} %<extra></extra>"))
            shown, total = scene.get("blocks_shown", 0), scene.get("blocks_selected", 0)
            if total > shown:
                notes.append(f"{shown:,} of {total:,} blocks shown (cap "
                             f"{scene.get('caps', {}).get('max_blocks', shown):,})")
        if scene.get("pit"):
            fig.add_trace(_surface(scene["pit"], "final pit", "#0b5d8a", 0.35))
        for k, shell in enumerate(scene.get("pushbacks") or []):
            fig.add_trace(_surface(shell, shell.get("name", f"pushback {k + 1}"),
                                   _SHELL_COLORS[k % len(_SHELL_COLORS)], 0.3,
                                   visible="legendonly"))
    title = "Drillholes, blocks above cut-off, final pit and pushbacks"
    if notes:
        title += "<br><sup>" + "; ".join(notes) + "</sup>"
    fig.update_layout(
        template="none", height=height_px, title={"text": title, "x": 0.01},
        margin={"l": 0, "r": 0, "t": 60, "b": 0}, legend={"orientation": "h", "y": 0.02},
        coloraxis={"colorscale": "Viridis", "colorbar": {"title": {"text": f"{attr.upper()} %"}}},
        scene={"aspectmode": "data", "xaxis": {"title": {"text": "x (m)"}},
               "yaxis": {"title": {"text": "y (m)"}}, "zaxis": {"title": {"text": "z (m)"}}})
    return fig


def figure_json_bytes(fig: go.Figure) -> int:
    """Size of the figure's JSON (what the page carries besides plotly.js)."""
    return len(fig.to_json().encode())
