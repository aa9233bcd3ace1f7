"""``results.xlsx``: the study's tables as a workbook, written with XlsxWriter (BSD-2-Clause).

One sheet per table an analyst rebuilds a model from: the executive summary, the annual cash
flow, products and revenue, the stream table, reagents and energy, the resource statement, the
mine schedule, the sensitivities, the claims and the assumptions with their sources. Values are
the results.json numbers (canonical units; the unit is in each column header), never reformatted
text, so a formula can use them. Missing values ("no data") are blank cells, never 0.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["SHEETS", "xlsx_bytes", "sheet_tables"]

#: Sheet names in workbook order (Excel allows 31 characters).
SHEETS = ("summary", "cash flow", "products", "stream table", "reagents and energy",
          "resource statement", "schedule", "sensitivity", "claims", "assumptions")


def _rows(value: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in value or [] if isinstance(r, Mapping)]


def _summary(r: Mapping[str, Any]) -> list[dict[str, Any]]:
    s = r.get("summary") or {}
    e = r.get("economics") or {}
    k = r.get("kpis") or {}
    out = [{"item": f"verdict: {v.get('topic')}", "value": v.get("text"), "unit": ""}
           for v in s.get("verdicts") or []]
    scalar = {**{f"kpis.{a}": b for a, b in k.items()},
              **{f"summary.{a}": b for a, b in s.items()
                 if isinstance(b, int | float | str) or b is None},
              **{f"economics.{a}": b for a, b in e.items()
                 if isinstance(b, int | float | str) and a not in ("breakeven_note",)}}
    out += [{"item": a, "value": b, "unit": _unit(a)} for a, b in scalar.items()]
    for name in ("npv_usd", "npv_pre_tax_usd"):
        for rate, v in (e.get(name) or {}).items():
            out.append({"item": f"economics.{name} @ {float(rate):.0%}", "value": v,
                        "unit": "USD"})
    for b in s.get("breakevens") or []:
        out.append({"item": f"break-even: {b.get('what')}", "value": b.get("value"),
                    "unit": b.get("unit")})
    return out


def _unit(key: str) -> str:
    for suffix, unit in (("_usd_per_kg_reo", "USD/kg REO"), ("_usd_per_kg_ndpr", "USD/kg NdPr"),
                         ("_usd_per_kg", "USD/kg"), ("_usd_per_a", "USD/a"), ("_usd", "USD"),
                         ("_t_per_a", "t/a"), ("_frac", "fraction"), ("_years", "years"),
                         ("_mw", "MW"), ("_t", "t"), ("_s", "s")):
        if key.endswith(suffix):
            return unit
    return ""


def _reagents_energy(r: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = [{"group": "reagent", "item": a, "value": b, "unit": "t/a"}
           for a, b in (r.get("reagents_t_per_a") or {}).items()]
    for section in ("energy", "water"):
        for a, b in _flat(r.get(section) or {}).items():
            out.append({"group": section, "item": a, "value": b, "unit": _unit(a)})
    return out


def _flat(tree: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(tree, Mapping):
        for a, b in tree.items():
            out.update(_flat(b, f"{prefix}.{a}" if prefix else str(a)))
    elif isinstance(tree, list) and tree and all(isinstance(x, Mapping) for x in tree):
        for i, x in enumerate(tree):
            name = x.get("unit") or x.get("name") or x.get("item") or i
            out.update(_flat(x, f"{prefix}[{name}]"))
    else:
        out[prefix] = tree
    return out


def _products(r: Mapping[str, Any]) -> list[dict[str, Any]]:
    revenue = {str(x.get("product")): x for x in (r.get("economics") or {}).get("revenue") or []}
    products = _rows(r.get("products"))
    sales = [str(p.get("sale_name")) for p in products]
    out = []
    for p in products:
        row = {a: b for a, b in p.items() if not isinstance(b, dict | list)}
        sale = str(p.get("sale_name"))  # a sale several products make is one row of its own
        rev = revenue.pop(sale, None) if sales.count(sale) == 1 else None
        if rev:
            row.update({f"revenue.{a}": b for a, b in rev.items() if a != "product"})
        out.append(row)
    out += [{"name": name, **{f"revenue.{a}": b for a, b in x.items() if a != "product"}}
            for name, x in revenue.items()]
    return out


def _sensitivity(r: Mapping[str, Any]) -> list[dict[str, Any]]:
    e = r.get("economics") or {}
    out = [{"table": "tornado", **x} for x in _rows(e.get("tornado"))]
    grid = e.get("grid") or {}
    for y, row in zip(grid.get("y") or [], grid.get("npv_usd") or [], strict=False):
        for x, v in zip(grid.get("x") or [], row, strict=False):
            out.append({"table": "grid", "input": f"{grid.get('x_input')} × "
                        f"{grid.get('y_input')}", "value": x, "low": y, "npv_low_usd": v})
    return out


def sheet_tables(results: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows of each sheet (a list of flat dicts), from a results.json dict."""
    r = results
    e = r.get("economics") or {}
    res = r.get("resource") or {}
    return {
        "summary": _summary(r),
        "cash flow": _rows(e.get("annual")),
        "products": _products(r),
        "stream table": [{a: b for a, b in s.items() if a != "species_kg_per_h"}
                         for s in _rows((r.get("flowsheet") or {}).get("streams"))],
        "reagents and energy": _reagents_energy(r),
        "resource statement": _rows(res.get("statement"))
        + [{"class": "cut-off", "tonnes": res.get("cutoff_frac"),
            "data": res.get("cutoff_basis")}] if res else [],
        "schedule": _rows((r.get("mine") or {}).get("schedule")),
        "sensitivity": _sensitivity(r),
        "claims": _rows(r.get("claims")),
        "assumptions": _rows(r.get("assumptions")),
    }


def _cell(value: Any) -> Any:
    """A value Excel can hold: numbers as numbers, None/NaN blank, lists/dicts as JSON."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | str):
        return value
    from reeflow.core.jsonio import dumps  # NaN -> null, as in results.json

    return dumps(value)


def _write_sheet(wb: Any, ws: Any, rows: Sequence[Mapping[str, Any]], fmts: dict) -> None:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    if not cols:
        ws.write(0, 0, "not run in this study")
        return
    for j, c in enumerate(cols):
        ws.write(0, j, c, fmts["head"])
        fmt = fmts["pct"] if c.endswith("_frac") else (
            fmts["usd"] if "usd" in c else fmts["num"] if c.endswith(("_t", "_t_per_a"))
            else None)
        width = min(60, max(10, len(c) + 2, *(len(str(r.get(c)))
                                              for r in rows[:50] if isinstance(r.get(c), str))))
        ws.set_column(j, j, width, fmt)
    for i, r in enumerate(rows, start=1):
        for j, c in enumerate(cols):
            v = _cell(r.get(c))
            if v is not None:
                ws.write(i, j, v)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(cols) - 1)


def xlsx_bytes(results: Mapping[str, Any]) -> bytes:
    """The workbook of ``results`` (a results.json dict) as bytes, sheets in :data:`SHEETS`."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False,
                                   "nan_inf_to_errors": False})
    fmts = {"head": wb.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1}),
            "pct": wb.add_format({"num_format": "0.00%"}),
            "usd": wb.add_format({"num_format": "#,##0"}),
            "num": wb.add_format({"num_format": "#,##0.0"})}
    meta = results.get("meta") or {}
    wb.set_properties({"title": f"reeflow study: {meta.get('project_name', '')}",
                       "comments": f"reeflow {meta.get('reeflow_version', '')}; input hash "
                                   f"{meta.get('input_hash', '')}"})
    tables = sheet_tables(results)
    for name in SHEETS:
        _write_sheet(wb, wb.add_worksheet(name), tables.get(name) or [], fmts)
    wb.close()
    return buf.getvalue()
