"""Page scaffolding of the reeflow report: CSS, escaping, number formats, tables, figure embedding.

Everything a section emits passes through :func:`esc` (``html.escape``), so text from results
(claims, sources, notes) can never inject markup. Figures are embedded as ``<div>`` + inline
``<script>`` without plotly.js; the page inlines plotly.js once in its ``<head>``
(``plotly.offline.get_plotlyjs()``), so the file works offline with no CDN.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline

__all__ = [
    "esc", "fmt_cell", "fmt_num", "rate_label", "fmt_usd", "fmt_pct", "fmt_value", "table",
    "figure_html", "reset_figure_ids", "section", "not_run", "note", "kpi_cards", "status_badge",
    "page", "details", "CSS", "label_of", "input_value",
]

CSS = """
:root{--ink:#1d2733;--mute:#5b6b7c;--line:#d9e0e7;--bg:#f6f8fa;--accent:#0b5d8a;
--ok:#1e7b34;--bad:#b3261e;--warn:#8a5a00}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:var(--ink);background:var(--bg)}
header.top{background:#0f2a3d;color:#fff;padding:22px 32px}
header.top h1{margin:0 0 4px;font-size:26px}
header.top .meta{color:#b9c9d6;font-size:13px}
.synthetic{background:#ffd54a;color:#3a2a00;border:3px solid #b38600;padding:10px 32px;
font-weight:700;font-size:16px;letter-spacing:.02em}
.synthetic ul{margin:4px 0 0 18px;font-weight:500;font-size:14px}
nav.toc{background:#fff;border-bottom:1px solid var(--line);padding:8px 32px;position:sticky;
top:0;z-index:10;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 16px}
nav.toc a{color:var(--accent);text-decoration:none;white-space:nowrap}
main{max-width:1240px;margin:0 auto;padding:8px 24px 40px}
section.card{background:#fff;border:1px solid var(--line);border-radius:8px;margin:18px 0;
padding:14px 22px 18px}
section.card h2{margin:4px 0 10px;font-size:21px;color:var(--accent)}
h3{font-size:16px;margin:16px 0 6px}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(175px,1fr));gap:10px;margin:8px 0}
.kpi{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:#fbfcfd}
.kpi .label{font-size:12px;color:var(--mute);text-transform:uppercase;letter-spacing:.03em}
.kpi .value{font-size:21px;font-weight:650}
.kpi .sub{font-size:12px;color:var(--mute)}
ul.verdicts{margin:4px 0 12px;padding-left:20px}ul.verdicts li{margin:5px 0;line-height:1.45}
ul.verdicts b{color:var(--accent)}
table.data{border-collapse:collapse;font-size:13px;margin:6px 0 10px;width:100%}
table.data th{background:#eef2f6;text-align:left;padding:5px 8px;
border-bottom:2px solid var(--line);position:sticky;top:0}
table.data td{padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top;
overflow-wrap:anywhere}
.claims,.wide{overflow-x:auto}
.claims td:nth-child(2){min-width:190px}.claims td:nth-child(9){min-width:250px}
.claims td:nth-child(3),.claims td:nth-child(5),.claims td:nth-child(6){min-width:90px}
.claims td:nth-child(7){min-width:130px}
.claims td:nth-child(1),.claims td:nth-child(4),.claims td:nth-child(8){white-space:nowrap}
table.data td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{max-height:460px;overflow:auto;border:1px solid var(--line);border-radius:4px}
.scroll table.data{margin:0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
color:#fff;white-space:nowrap}
.b-ok{background:var(--ok)}.b-bad{background:var(--bad)}.b-warn{background:var(--warn)}
.b-mute{background:#7a8794}
tr.row-bad td{background:#fdecea}tr.row-ok td{background:#f1f8f2}
.notrun{color:var(--mute);font-style:italic;border-left:4px solid var(--line);padding:4px 10px}
.note{color:var(--mute);font-size:13px}
.disclaimer{border:2px solid var(--warn);background:#fff8e6;padding:10px 14px;border-radius:6px;
white-space:pre-wrap}
pre.statement{white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;background:#fbfcfd;
border:1px solid var(--line);border-radius:6px;padding:8px 12px}
.error{border:2px solid var(--bad);background:#fdecea;padding:8px 12px;border-radius:6px}
.fig{margin:6px 0 12px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
details summary{cursor:pointer;color:var(--accent);font-size:14px;margin:6px 0}
footer{color:var(--mute);font-size:12px;text-align:center;padding:20px}
@page{size:A4;margin:12mm}
@media print{body{background:#fff;font-size:12px}nav.toc{position:static}
.scroll{max-height:none;overflow:visible}main{padding:0 4px}
section.card{break-inside:auto;border:none;padding:4px 0;margin:8px 0}
section.card h2{break-after:avoid}.fig,.kpi,tr,ul.verdicts li{break-inside:avoid}
.modebar-container,.updatemenu-container{display:none!important}}
"""

_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def esc(value: Any) -> str:
    """HTML-escaped text of ``value``; None (no data) shows as an em dash."""
    if value is None:
        return "—"
    return html.escape(str(value), quote=True)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_num(value: Any, *, digits: int = 3) -> str:
    """A number with ``digits`` significant figures and thousands separators (— if missing)."""
    if _is_missing(value):
        return "—"
    if not isinstance(value, int | float) or isinstance(value, bool):
        return esc(value)
    if isinstance(value, int):
        return f"{value:,}"
    v = float(value)
    if not math.isfinite(v):
        return esc(v)
    if v == 0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    if abs(v) >= 1e6 or abs(v) < 1e-3:
        return f"{v:.{digits}g}" if abs(v) < 1e-3 else f"{v:,.0f}"
    decimals = max(0, digits - 1 - mag)
    return f"{v:,.{decimals}f}"


def fmt_usd(value: Any) -> str:
    """US dollars with a k/M/B suffix, e.g. ``US$ 1.23 B``."""
    if _is_missing(value):
        return "—"
    v = float(value)
    sign = "−" if v < 0 else ""
    a = abs(v)
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= scale:
            x = a / scale
            decimals = 2 if x < 10 else (1 if x < 100 else 0)
            return f"{sign}US$ {x:,.{decimals}f} {suffix}"
    return f"{sign}US$ {a:,.2f}"


def fmt_pct(frac: Any, *, digits: int = 3) -> str:
    """A fraction shown as a percentage (0.183 → ``18.3 %``)."""
    if _is_missing(frac):
        return "—"
    return f"{fmt_num(100.0 * float(frac), digits=digits)} %"


def rate_label(key: Any) -> str:
    """A discount-rate key as a percentage: ``"0.0800"`` or ``0.08`` → ``8 %``; ``"8%"`` kept."""
    text = str(key).strip()
    if text.endswith("%"):
        return text
    try:
        rate = float(text)
    except ValueError:
        return text
    return f"{100 * rate:g} %" if abs(rate) < 1 else text


def fmt_value(value: Any) -> str:
    """A cell value: numbers formatted, lists joined, everything escaped."""
    if isinstance(value, list | tuple):
        return esc(" – ".join("—" if v is None else fmt_num(v) for v in value))
    if isinstance(value, dict):
        return "; ".join(f"{esc(k)}: {fmt_cell(str(k), v)}" for k, v in value.items())
    return fmt_num(value) if isinstance(value, int | float) else esc(value)


#: Name endings → the unit they carry (longest first), for :func:`label_of`.
_UNIT_SUFFIX = (
    ("_usd_per_kg_reo", "US$/kg REO"), ("_usd_per_kg_ndpr", "US$/kg NdPr oxide"),
    ("_usd_per_t_a_reo", "US$ per t/a REO"), ("_usd_per_t_moved", "US$/t moved"),
    ("_usd_per_kg", "US$/kg"), ("_usd_per_t", "US$/t"), ("_usd_per_a", "US$/a"),
    ("_usd_per_m3", "US$/m³"), ("_usd", "US$"), ("_t_per_t_reo", "t/t REO"),
    ("_gj_per_t_reo", "GJ/t REO"), ("_kwh_per_t", "kWh/t"), ("_t_per_a", "t/a"),
    ("_t_per_h", "t/h"), ("_kg_per_h", "kg/h"), ("_m3_per_h", "m³/h"), ("_m3_per_a", "m³/a"),
    ("_mwh_per_a", "MWh/a"), ("_gj_per_a", "GJ/a"), ("_bq_per_g", "Bq/g"), ("_frac", "%"),
    ("_years", "years"), ("_mwh", "MWh"), ("_gj", "GJ"), ("_mw", "MW"), ("_kw", "kW"),
    ("_m3", "m³"), ("_t", "t"), ("_m", "m"), ("_c", "°C"), ("_h", "h"), ("_s", "s"),
)
_WORDS = {"reo": "REO", "treo": "TREO", "ndpr": "NdPr", "npv": "NPV", "irr": "IRR",
          "dscr": "DSCR", "th": "Th", "caf2": "CaF2", "baso4": "BaSO4", "tho2": "ThO2",
          "fe2o3": "Fe2O3", "sio2": "SiO2", "sx": "SX", "hhi": "HHI", "aace": "AACE",
          "norm": "NORM", "rpeee": "RPEEE", "lom": "LOM", "mw": "MW", "co2": "CO2",
          "cepci": "CEPCI", "usd": "US$", "fx": "FX", "reo_t": "REO"}
_EXACT = {"rel_closure": "relative closure", "tonnes": "tonnes",
          "head_reo_t_per_a": "REO in the ore fed, t/a",
          "concentrate_treo_frac": "concentrate grade, % TREO",
          "power_mw": "site electrical demand, MW",
          "th_in_feed_t_per_a": "Th in the feed, t/a",
          "th_in_residues_t_per_a": "Th in residues, t/a",
          "overall_reo_recovery_frac": "overall REO recovery, %",
          "head_grade_treo_frac": "head grade, % TREO", "production_year": "production year"}


def label_of(key: str) -> str:
    """A human label with its unit for a snake_case name (``"reo_t_per_a"`` → ``"REO, t/a"``,
    ``"capex_usd"`` → ``"capex, US$"``)."""
    k = str(key)
    if k in _EXACT:
        return _EXACT[k]
    unit = ""
    for suffix, u in _UNIT_SUFFIX:
        if k.endswith(suffix) and len(k) > len(suffix):
            k, unit = k[: -len(suffix)], u
            break
    words = " ".join(_WORDS.get(w, w) for w in k.split("_") if w)
    return f"{words}, {unit}" if unit else words


def input_value(path: Any, value: Any) -> str:
    """A project input's value as a reader writes it: multipliers (``*_scale``) as ``×0.80``,
    grades, recoveries and other fractions of a whole as percentages, the rest as numbers."""
    if _is_missing(value) or not isinstance(value, int | float):
        return esc(value) if not _is_missing(value) else "—"
    p = str(path or "")
    if "scale" in p.rsplit(".", 1)[-1]:
        return esc(f"×{float(value):.2f}")
    if any(w in p for w in ("grade", "recovery", "dissolution", "distribution", "share",
                            "rate", "_frac")) and 0 <= float(value) <= 1:
        return fmt_pct(value)
    return fmt_num(value)


def fmt_cell(key: str, value: Any) -> str:
    """:func:`fmt_value`, except that years (keys ``year``/``*_year``) print without separators."""
    if (key == "year" or key.endswith("_year")) and isinstance(value, int):
        return esc(value)
    return fmt_value(value)


Formatter = Callable[[Any], str]


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[tuple[str, str]],
    *,
    formatters: Mapping[str, Formatter] | None = None,
    row_class: Callable[[Mapping[str, Any]], str] | None = None,
    scroll: bool = False,
    numeric: Collection[str] = (),
) -> str:
    """An HTML table of ``rows`` (dicts) over ``columns`` = [(key, header)].

    A formatter returns *HTML* (it must escape its input); by default :func:`fmt_cell`.
    Missing keys show as —. A cell is right-aligned when its value is a number, or when its
    column is in ``numeric`` (values already formatted as text, e.g. "27.2 %").
    """
    formatters = formatters or {}
    head = "".join(f"<th>{esc(h)}</th>" for _, h in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            val = row.get(key)
            fmt = formatters.get(key)
            text = fmt(val) if fmt else fmt_cell(key, val)
            num = key in numeric or (isinstance(val, int | float) and not isinstance(val, bool))
            cells.append(f'<td class="num">{text}</td>' if num else f"<td>{text}</td>")
        cls = row_class(row) if row_class else ""
        body.append(f'<tr class="{esc(cls)}">' + "".join(cells) + "</tr>")
    out = (f'<table class="data"><thead><tr>{head}</tr></thead>'
           f'<tbody>{"".join(body)}</tbody></table>')
    return f'<div class="scroll">{out}</div>' if scroll else out


_FIGURE_IDS = itertools.count()


def reset_figure_ids() -> None:
    """Number the figures of the next page from zero (deterministic ``<div>`` ids)."""
    global _FIGURE_IDS
    _FIGURE_IDS = itertools.count()


def figure_html(fig: go.Figure, *, height_px: int | None = None) -> str:
    """A plotly figure as an embeddable ``<div>`` (plotly.js NOT included: the page has it).

    Figure ids are numbered in page order (``fig-0``, ``fig-1`` …), so the same results render
    the same page byte for byte (plotly's default ids are random)."""
    if height_px is not None:
        fig.update_layout(height=height_px)
    body = pio.to_html(fig, full_html=False, include_plotlyjs=False, config=_PLOT_CONFIG,
                       default_width="100%", default_height=f"{fig.layout.height or 450}px",
                       div_id=f"fig-{next(_FIGURE_IDS)}")
    return f'<div class="fig">{body}</div>'


def section(anchor: str, title: str, body: str) -> str:
    """A report section card with an ``<h2>`` heading and an anchor for the table of contents."""
    return f'<section class="card" id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>'


def not_run(what: str) -> str:
    """The short note for a part of the study that was not run."""
    return f'<p class="notrun">{esc(what)}: not run in this study.</p>'


def note(text: str) -> str:
    """A small grey explanatory paragraph (escaped)."""
    return f'<p class="note">{esc(text)}</p>'


def details(summary: str, body: str) -> str:
    """A collapsible block (closed by default)."""
    return f"<details><summary>{esc(summary)}</summary>{body}</details>"


def kpi_cards(cards: Iterable[tuple[str, str, str]]) -> str:
    """A grid of KPI cards from (label, value, sub-line) — value and sub already formatted text."""
    items = [
        f'<div class="kpi"><div class="label">{esc(label)}</div>'
        f'<div class="value">{esc(value)}</div><div class="sub">{esc(sub)}</div></div>'
        for label, value, sub in cards
    ]
    return f'<div class="kpis">{"".join(items)}</div>'


_BADGE = {"consistent": "b-ok", "inconsistent": "b-bad", "unverifiable": "b-warn",
          "measured": "b-ok", "published": "b-ok", "derived": "b-mute", "assumed": "b-warn",
          "pass": "b-ok", "fail": "b-bad", "warning": "b-warn"}


def status_badge(status: Any) -> str:
    """A coloured badge for a claim status, an evidence tag or pass/fail."""
    if _is_missing(status):
        return '<span class="badge b-mute">none</span>'
    return f'<span class="badge {_BADGE.get(str(status), "b-mute")}">{esc(status)}</span>'


def page(*, title: str, header: str, toc: Sequence[tuple[str, str]], body: str, footer: str) -> str:
    """The whole HTML document, with plotly.js inlined once in ``<head>``."""
    nav = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t in toc)
    plotly_js = plotly.offline.get_plotlyjs()
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{plotly_js}</script></head><body>'
        f'{header}<nav class="toc">{nav}</nav><main>{body}</main>'
        f"<footer>{footer}</footer></body></html>\n"
    )
