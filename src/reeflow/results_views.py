"""Notebook views of a study's results: a short repr, KPI cards as HTML, DataFrames, figures.

:class:`reeflow.results.StudyResults` (and :class:`reeflow.study.StudyResult`, which holds it)
delegate here, so that ``results`` in a Jupyter cell shows the report's KPI cards instead of a
244,000-character model dump, ``results.tables()`` gives pandas DataFrames and
``results.figures()`` the report's own plotly figures (:mod:`reeflow.report.figures`,
:mod:`reeflow.report.figures_econ`, :mod:`reeflow.report.figures_sx`; nothing is redrawn here).
Every view reads the JSON-shaped results dict (what ``results.json`` holds).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from reeflow.core.units import npv_label

__all__ = ["short_repr", "kpi_html", "tables", "figures"]

Results = Mapping[str, Any]


def short_repr(results: Results) -> str:
    """One line: project, REO output, production years, headline NPV and IRR."""
    meta, kpis = results.get("meta") or {}, results.get("kpis") or {}
    econ = results.get("economics") or {}
    rate = econ.get("headline_rate_frac")
    npv = (econ.get("npv_usd") or {}).get(f"{rate:.4f}") if rate is not None else None
    irr = econ.get("irr_frac")
    years = len((results.get("mine") or {}).get("schedule") or [])
    reo = kpis.get("reo_t_per_a")
    return (f"<StudyResults {meta.get('project_name', '?')!r}: "
            f"REO {'n/a' if reo is None else f'{reo:,.0f}'} t/a, "
            f"{years} production year{'' if years == 1 else 's'}, "
            f"{npv_label(rate)} "
            f"{'n/a' if npv is None else f'{npv / 1e6:,.0f} MUSD'}, "
            f"IRR {'n/a' if irr is None else f'{irr:.1%}'}>")


def _scoped_css(scope: str) -> str:
    """The report's own rules for KPI cards and badges, scoped to ``scope`` (a notebook page
    must not be restyled), with the report's colour variables."""
    from reeflow.report.html import CSS

    rules = [r.strip() + "}" for r in CSS.split("}") if r.strip()]
    out = []
    for rule in rules:
        selector, _, body = rule.partition("{")
        selector = selector.strip()
        if selector == ":root":
            out.append(f"{scope}{{{body}")
        elif selector.startswith((".kpi", ".badge", ".b-", ".note")):
            scoped = ",".join(f"{scope} {s.strip()}" for s in selector.split(","))
            out.append(f"{scoped}{{{body}")
    return "".join(out)


def kpi_html(results: Results) -> str:
    """The report's executive summary (KPI cards and the checks line) as a notebook HTML
    view, with the same CSS as the report, scoped to this block."""
    from reeflow.report.sections import summary_section

    name = (results.get("meta") or {}).get("project_name", "")
    labels = (results.get("meta") or {}).get("synthetic_labels") or []
    synthetic = "".join(f'<div class="note"><b>SYNTHETIC</b> {html.escape(str(s))}</div>'
                        for s in labels)
    return (f'<div class="reeflow-results"><style>{_scoped_css(".reeflow-results")}</style>'
            f"<h3>reeflow study: {html.escape(str(name))}</h3>{synthetic}"
            f"{summary_section(results)}</div>")


def _frame(rows: Any) -> Any:
    import pandas as pd

    return pd.DataFrame(list(rows or []))


def _kpis_frame(results: Results) -> Any:
    import pandas as pd

    kpis = results.get("kpis") or {}
    return pd.DataFrame({"value": pd.Series(kpis, dtype=object)}).rename_axis("kpi")


def _npv_frame(results: Results) -> Any:
    import pandas as pd

    econ = results.get("economics") or {}
    rows = [{"rate_frac": float(rate), "npv_usd": v,
             "npv_pre_tax_usd": (econ.get("npv_pre_tax_usd") or {}).get(rate)}
            for rate, v in (econ.get("npv_usd") or {}).items()]
    return pd.DataFrame(rows)


#: table name -> its builder from the results dict (only non-empty tables are returned).
_TABLES: dict[str, Callable[[Results], Any]] = {
    "kpis": _kpis_frame,
    "products": lambda r: _frame(r.get("products")),
    "npv": _npv_frame,
    "annual": lambda r: _frame((r.get("economics") or {}).get("annual")),
    "capex": lambda r: _frame((r.get("economics") or {}).get("capex_breakdown")),
    "opex": lambda r: _frame((r.get("economics") or {}).get("opex_breakdown")),
    "revenue": lambda r: _frame((r.get("economics") or {}).get("revenue")),
    "tornado": lambda r: _frame((r.get("economics") or {}).get("tornado")),
    "schedule": lambda r: _frame((r.get("mine") or {}).get("schedule")),
    "plant_by_year": lambda r: _frame((r.get("plant") or {}).get("by_year")),
    "resource": lambda r: _frame((r.get("resource") or {}).get("statement")),
    "claims": lambda r: _frame(r.get("claims")),
    "consistency": lambda r: _frame(r.get("consistency")),
    "assumptions": lambda r: _frame(r.get("assumptions")),
}


def tables(results: Results) -> dict[str, Any]:
    """The results' tables as pandas DataFrames (units in the column names, as in
    results.json): kpis, products, npv, annual, capex, opex, revenue, tornado, schedule,
    plant_by_year, resource, claims, consistency, assumptions — those the study filled."""
    out = {}
    for name, build in _TABLES.items():
        frame = build(results)
        if len(frame):
            out[name] = frame
    return out


def _economics_figures(econ: Mapping[str, Any]) -> dict[str, Any]:
    from reeflow.report import figures_econ as fe

    out: dict[str, Any] = {}
    if econ.get("annual"):
        out["cashflow"] = fe.cashflow_figure(econ)
    if econ.get("tornado"):
        from reeflow.report.sections_econ import _tornado_base

        base, label = _tornado_base(econ)
        out["tornado"] = fe.tornado_figure(econ["tornado"], base_npv_usd=base, base_label=label)
    if econ.get("spider"):
        out["spider"] = fe.spider_figure(econ["spider"])
    return out


def figures(results: Results) -> dict[str, Any]:
    """The report's figures (plotly ``go.Figure``) of the sections the study filled:
    flowsheet (Sankey), products, sx_train, cashflow, tornado, spider, market_hhi,
    grade_tonnage, pit_by_pit, schedule. Show one with ``.show()``."""
    from reeflow.report import figures as fg
    from reeflow.report import figures_econ as fe
    from reeflow.report import figures_sx as fsx

    out: dict[str, Any] = {}
    if (results.get("flowsheet") or {}).get("element_flows"):
        out["flowsheet"] = fg.sankey_figure(results["flowsheet"])
    if results.get("products"):
        out["products"] = fg.products_figure(results["products"])
    if results.get("sx"):
        out["sx_train"] = fsx.sx_train_figure(results["sx"])
    out.update(_economics_figures(results.get("economics") or {}))
    stages = list((results.get("market") or {}).get("stages") or [])
    if stages:
        out["market_hhi"] = fe.hhi_figure(stages)
    resource = results.get("resource") or {}
    if resource.get("grade_tonnage"):
        out["grade_tonnage"] = fe.grade_tonnage_figure(resource)
    mine = results.get("mine") or {}
    if mine.get("nested"):
        out["pit_by_pit"] = fe.pit_by_pit_figure(mine)
    if mine.get("schedule"):
        out["schedule"] = fe.schedule_figure(mine)
    return out
