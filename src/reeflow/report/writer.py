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

import dataclasses
import datetime as _dt
import enum
import json
import math
import os
import pathlib
import tempfile
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from reeflow.report import sections as sec
from reeflow.report import sections_econ as sec_econ
from reeflow.report.html import esc, fmt_num, page, section

__all__ = ["SECTIONS", "render_report", "write_report", "to_jsonable", "write_results_json"]

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
    ("claims", "Public claims check", sec.claims_section),
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
                 filename: str = "report.html") -> pathlib.Path:
    """Write the self-contained offline HTML report to ``out_dir/filename``; return its path.

    The whole page is rendered in memory first and written through a temporary file, so a failure
    leaves no partial report.
    """
    out_dir = pathlib.Path(out_dir)
    text = render_report(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    return _atomic_write(out_dir / filename, text)


# --------------------------------------------------------------------------- JSON


def _float(value: float) -> float | None:
    """A finite float, or None for NaN and ±inf."""
    return value if math.isfinite(value) else None


def _convert_special(obj: Any) -> tuple[bool, Any]:
    """Convert the types that need special handling; (handled, value)."""
    if isinstance(obj, np.ndarray):
        return True, [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, pd.DataFrame):
        frame = obj.reset_index() if not isinstance(obj.index, pd.RangeIndex) else obj
        return True, [to_jsonable(r) for r in frame.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return True, {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, pd.Timestamp | _dt.datetime | _dt.date):
        return True, obj.isoformat()
    if isinstance(obj, enum.Enum):
        return True, to_jsonable(obj.value)
    if isinstance(obj, pathlib.PurePath):
        return True, str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return True, to_jsonable(dataclasses.asdict(obj))
    if hasattr(obj, "model_dump") and callable(obj.model_dump):
        return True, to_jsonable(obj.model_dump())
    return False, None


def to_jsonable(obj: Any) -> Any:
    """Recursively convert ``obj`` to plain JSON types (dict, list, str, int, float, bool, None).

    Non-finite floats (numpy or Python) become ``None``; dict keys become strings.
    """
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _float(float(obj))
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    handled, value = _convert_special(obj)
    if handled:
        return value
    if obj is pd.NA or obj is pd.NaT:
        return None
    return str(obj)


def write_results_json(
    results: Mapping[str, Any], out_dir: pathlib.Path, *, filename: str = "results.json"
) -> pathlib.Path:
    """Write ``results`` as ``out_dir/filename`` (UTF-8, indented) and return the path.

    The file is written to a temporary name and renamed, so a failure leaves no partial file.
    """
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_jsonable(results), indent=1, ensure_ascii=False, allow_nan=False)
    return _atomic_write(out_dir / filename, text)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write(path: pathlib.Path, text: str) -> pathlib.Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; use the usual file mode
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
    return path
