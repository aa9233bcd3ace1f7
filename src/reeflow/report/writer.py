"""Output files of a study: the self-contained, offline ``report.html`` and ``results.json``.

The page inlines plotly.js once (no CDN, no network) and renders one card per section of the
results dict (schema: ``results.json``); absent sections show "not run in this study". A section
that fails to render shows a visible error box naming the exception instead of aborting the
whole report (the error is a defect to fix, never silently hidden).

``results.json`` must be valid JSON (RFC 8259 has no NaN), so every non-finite float becomes
``null`` ("no data" is missing, never 0). numpy scalars and arrays, pandas DataFrames (as a list of
records) and Series (as a dict), dataclasses, pydantic models, enums, paths and datetimes are
converted; anything else unknown is written as its ``str``. Both files are written through a
temporary file and renamed, so a failure leaves no partial output.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Mapping
from typing import Any

from reeflow.core.io import write_outputs
from reeflow.core.jsonio import dumps, to_jsonable
from reeflow.report import sections as sec
from reeflow.report import sections_econ as sec_econ
from reeflow.report import sections_risk as sec_risk
from reeflow.report.html import esc, fmt_num, page, reset_figure_ids, section

__all__ = ["SECTIONS", "render_report", "write_report", "to_jsonable", "write_results_json",
           "results_json_text"]

Renderer = Callable[[Mapping[str, Any]], str]

#: Registry of report sections in page order: (anchor, heading, renderer).
SECTIONS: tuple[tuple[str, str, Renderer], ...] = (
    ("summary", "Executive summary", sec.summary_section),
    ("flows", "Element flows", sec.flowsheet_section),
    ("products", "Product slate", sec.products_section),
    ("sx", "Solvent-extraction train", sec.sx_section),
    ("economics", "Economics", sec_econ.economics_section),
    ("market", "Market", sec_econ.market_section),
    ("resource", "Resource", sec_econ.resource_section),
    ("mine", "Mine plan", sec_econ.mine_section),
    ("risk", "Whole-chain Monte Carlo", sec_risk.risk_section),
    ("claims", "Public claims check", sec.claims_section),
    ("checks", "Cross-room consistency checks", sec.consistency_section),
    ("balance", "Element-balance closure", sec.balance_section),
    ("assumptions", "Assumptions and sources", sec.assumptions_section),
)


def _synthetic_labels(results: Mapping[str, Any]) -> list[str]:
    labels = [str(s) for s in (results.get("meta") or {}).get("synthetic_labels") or []]
    if (results.get("resource") or {}).get("synthetic") and not any(
            "resource" in s.lower() for s in labels):
        labels.append("resource: computed on synthetic data")
    return labels


def _header(results: Mapping[str, Any]) -> str:
    meta = results.get("meta") or {}
    name = meta.get("project_name") or "reeflow study"
    runtime = meta.get("runtime_s")
    info = (f"Generated {esc(meta.get('generated_utc'))} UTC · reeflow "
            f"{esc(meta.get('reeflow_version'))}"
            + (f" · study ran in {esc(fmt_num(runtime))} s" if runtime is not None else ""))
    head = (f'<header class="top"><h1>{esc(name)}</h1>'
            f'<div class="meta">Rare-earth project study: ore → separated oxides → investment '
            f"case · {info}</div></header>")
    labels = _synthetic_labels(results)
    if labels:
        items = "".join(f"<li>{esc(s)}</li>" for s in labels)
        head += (f'<div class="synthetic">⚠ SYNTHETIC: parts of this study use synthetic or '
                 f"assumed data and are not a statement about the real project<ul>{items}</ul>"
                 "</div>")
    return head


#: Words a synthetic label may start with (before ":"), mapped to section anchors.
_LABEL_SECTION = {"resource": "resource", "deposit": "resource", "mine": "mine",
                  "market": "market", "economics": "economics", "sx": "sx", "plant": "flows",
                  "flowsheet": "flows", "products": "products", "claims": "claims"}


def _section_labels(labels: list[str], anchor: str) -> str:
    """SYNTHETIC badges for the labels that name this section (``"mine: ..."``)."""
    mine = [s for s in labels
            if _LABEL_SECTION.get(s.split(":", 1)[0].strip().lower()) == anchor]
    return "".join(f'<p><span class="badge b-warn">SYNTHETIC</span> {esc(s)}</p>' for s in mine)


def _render_one(renderer: Renderer, results: Mapping[str, Any]) -> str:
    try:
        return renderer(results)
    except Exception as exc:  # a broken section must not hide the others
        return (f'<div class="error">This section could not be rendered: '
                f"{esc(type(exc).__name__)}: {esc(exc)}</div>")


def render_report(results: Mapping[str, Any]) -> str:
    """The complete HTML document for ``results`` (a results dict, numpy/pandas values allowed)."""
    clean = to_jsonable(results)
    reset_figure_ids()
    labels = _synthetic_labels(clean)
    body = "".join(section(anchor, title, _section_labels(labels, anchor) + _render_one(fn, clean))
                   for anchor, title, fn in SECTIONS)
    meta = clean.get("meta") or {}
    footer = ("Written by reeflow (open source). Self-contained: plotly.js is embedded, the file "
              "works offline. Figures are interactive: hover, zoom, use the selectors.")
    return page(title=f"{meta.get('project_name') or 'reeflow'} — reeflow report",
                header=_header(clean), toc=[(a, t) for a, t, _ in SECTIONS], body=body,
                footer=esc(footer))


def write_report(results: Mapping[str, Any], out_dir: pathlib.Path, *,
                 filename: str = "report.html", force: bool = False) -> pathlib.Path:
    """Write the self-contained offline HTML report to ``out_dir/filename``; return its path.

    The whole page is rendered in memory first and written through a temporary file, so a failure
    leaves no partial report.
    """
    text = render_report(results)
    return write_outputs(out_dir, {filename: text}, force=force)[filename]


# --------------------------------------------------------------------------- JSON


def write_results_json(
    results: Mapping[str, Any], out_dir: pathlib.Path, *, filename: str = "results.json"
) -> pathlib.Path:
    """Write ``results`` as ``out_dir/filename`` (UTF-8, indented) and return the path.

    The file is written to a temporary name and renamed, so a failure leaves no partial file.
    """
    return write_outputs(out_dir, {filename: results_json_text(results)})[filename]


def results_json_text(results: Mapping[str, Any]) -> str:
    """The results as JSON text (UTF-8, indented, NaN → null)."""
    return dumps(results, indent=1)
