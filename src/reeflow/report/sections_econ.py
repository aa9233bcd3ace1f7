"""Report sections for economics, market, resource and mine.

Each renderer takes the whole results dict and returns the HTML body of its section, or the
"not run in this study" note when its results are absent. Text from results is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reeflow.report import figures_econ as fe
from reeflow.report.html import (
    details,
    esc,
    figure_html,
    fmt_cell,
    fmt_num,
    fmt_pct,
    fmt_usd,
    kpi_cards,
    not_run,
    note,
    rate_label,
    table,
)

__all__ = ["economics_section", "market_section", "resource_section", "mine_section"]

Results = Mapping[str, Any]


def _tornado_base(econ: Mapping[str, Any]) -> tuple[float | None, str]:
    """Base NPV of the tornado: its own ``base_npv_usd`` if given, else the first NPV rate."""
    rows = econ.get("tornado") or []
    if rows and rows[0].get("base_npv_usd") is not None:
        return rows[0]["base_npv_usd"], "base case"
    npv = econ.get("npv_usd") or {}
    rate, value = next(iter(npv.items()), (None, None))
    return value, f"base NPV @ {rate_label(rate)}" if rate else "base case"


def _cashflow_table(rows: list[Mapping[str, Any]]) -> str:
    keys = ["revenue_usd", "opex_usd", "capital_usd", "royalty_usd", "tax_usd",
            "cash_flow_usd", "cumulative_cash_flow_usd"]
    cols = [("year", "year")] + [(k, k.removesuffix("_usd").replace("_", " ")) for k in keys]
    return table(rows, cols, formatters=dict.fromkeys(keys, fmt_usd), scroll=True)


def _risk_parts(econ: Mapping[str, Any]) -> list[str]:
    parts: list[str] = []
    if econ.get("tornado"):
        base, label = _tornado_base(econ)
        parts.append(figure_html(fe.tornado_figure(econ["tornado"], base_npv_usd=base,
                                                   base_label=label)))
    else:
        parts.append(not_run("Sensitivity (tornado)"))
    if econ.get("spider"):
        parts.append(figure_html(fe.spider_figure(econ["spider"])))
    mc = econ.get("monte_carlo")
    if mc:
        parts.append(figure_html(fe.monte_carlo_figure(mc)))
        parts.append(kpi_cards([
            ("NPV P10", fmt_usd(mc.get("p10_usd")), "10 % of draws below"),
            ("NPV P50", fmt_usd(mc.get("p50_usd")), "median"),
            ("NPV P90", fmt_usd(mc.get("p90_usd")), "90 % of draws below"),
            ("P(NPV < 0)", fmt_pct(mc.get("prob_negative")), f"{mc.get('draws', '—')} draws"),
        ]))
    else:
        parts.append(not_run("Monte Carlo"))
    return parts


def _records(econ: Mapping[str, Any], *keys: str) -> list[Mapping[str, Any]]:
    """The first of ``keys`` holding a list of records (schema name, then the room's name)."""
    for key in keys:
        value = econ.get(key)
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            return value
    return []


def economics_section(results: Results) -> str:
    """Cash flow, capex/opex breakdowns, tornado and Monte Carlo."""
    econ = results.get("economics")
    if not econ:
        return not_run("Economics")
    npv = econ.get("npv_usd") or {}
    parts = [table([{"rate": rate_label(k), "npv": v} for k, v in npv.items()],
                   [("rate", "discount rate"), ("npv", "NPV")], formatters={"npv": fmt_usd})
             if npv else ""]
    cash = fe.cashflow_rows(econ)
    if cash:
        parts.append(figure_html(fe.cashflow_figure(econ)))
        parts.append(details("Cash-flow table", _cashflow_table(cash)))
    grid = []
    capex = _records(econ, "capex_breakdown", "capex")
    opex = _records(econ, "opex_breakdown", "opex")
    if capex:
        grid.append(figure_html(fe.breakdown_figure(
            capex, value_key="usd", title="Capex breakdown", unit_label="US$ M")))
    if opex:
        grid.append(figure_html(fe.breakdown_figure(
            opex, value_key="usd_per_a", title="Opex breakdown", unit_label="US$ M per year")))
    if grid:
        parts.append(f'<div class="grid2">{"".join(grid)}</div>')
    revenue = _records(econ, "revenue")
    if revenue:
        parts.append(details("Revenue by product (price deck)", table(
            revenue, [("product", "product"), ("t_per_a", "t/a"), ("purity_frac", "purity"),
                      ("price_usd_per_kg", "US$/kg"), ("usd_per_a", "revenue/a"),
                      ("source", "price source")],
            formatters={"purity_frac": fmt_pct, "usd_per_a": fmt_usd})))
    parts += _risk_parts(econ)
    deck = econ.get("price_deck") or {}
    if deck:
        parts.append(note(f"Price deck: {deck.get('name')} ({deck.get('year')})."))
        if deck.get("source"):
            sources = "".join(f"<li>{esc(s.strip())}</li>"
                              for s in str(deck["source"]).split(";") if s.strip())
            parts.append(details("Price sources", f'<ul class="note">{sources}</ul>'))
    extra = {k: v for k, v in econ.items() if k not in _ECON_SHOWN
             and (v is None or isinstance(v, int | float | str))}
    if extra:
        parts.append(details("Further economic figures", _kv_table(extra)))
    if isinstance(econ.get("assumptions"), Mapping) and econ["assumptions"]:
        parts.append(details("Economic assumptions", _kv_table(econ["assumptions"])))
    return "".join(parts)


_ECON_SHOWN = {
    "npv_usd", "annual", "capex_breakdown", "opex_breakdown", "tornado",
    "monte_carlo", "price_deck", "spider", "revenue", "assumptions", "irr_frac", "payback_years",
    "capex_usd", "opex_usd_per_a", "unit_cost_usd_per_kg_reo", "unit_cost_usd_per_kg_ndpr",
}


def market_section(results: Results) -> str:
    """World shares before/after by stage, HHI per stage, large-volume flags, sources."""
    market = results.get("market")
    if not market:
        return not_run("Market")
    stages = list(market.get("stages") or [])
    parts = []
    if stages:
        parts.append(table(stages, [("stage", "stage"), ("data_year", "data year"),
                                    ("hhi_before", "HHI before"), ("hhi_after", "HHI after")]))
        figs = [figure_html(fe.market_shares_figure(s)) for s in stages]
        parts.append(f'<div class="grid2">{"".join(figs)}</div>')
        parts.append(figure_html(fe.hhi_figure(stages)))
    if market.get("flags"):
        parts.append("<h3>Products large against their market</h3>" + table(
            market["flags"], [("product", "product"), ("project_t_per_a", "project, t/a"),
                              ("world_t_per_a", "world, t/a"), ("share", "share"),
                              ("note", "note")], formatters={"share": fmt_pct}))
    notes = market.get("notes") or []
    if notes:
        parts.append("<h3>Notes</h3><ul class=\"note\">"
                     + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    sources = market.get("sources") or []
    if sources:
        items = "".join(f"<li>{esc(s)}</li>" for s in sources)
        parts.append(f"<h3>Sources</h3><ul class=\"note\">{items}</ul>")
    return "".join(parts) or not_run("Market")


def _statement_columns(rows: list[Mapping[str, Any]]) -> list[tuple[str, str]]:
    cols = [("class", "class"), ("tonnes", "tonnes"), ("treo_frac", "TREO grade"),
            ("contained_treo_t", "contained TREO, t")]
    extra = dict.fromkeys(k for r in rows for k in r if k not in {c for c, _ in cols})
    return cols + [(k, k.replace("_", " ")) for k in extra]


def resource_section(results: Results) -> str:
    """Resource statement, grade–tonnage curves, variograms and the disclaimer verbatim."""
    res = results.get("resource")
    if not res:
        return not_run("Resource estimate")
    parts = []  # the SYNTHETIC badge comes from meta.synthetic_labels / resource.synthetic
    if res.get("disclaimer"):
        parts.append(f'<div class="disclaimer">{esc(res["disclaimer"])}</div>')
    if res.get("statement_text"):
        parts.append(f'<pre class="statement">{esc(res["statement_text"])}</pre>')
    rows = list(res.get("statement") or [])
    if rows:
        fmts = {k: fmt_pct for r in rows for k in r if k.endswith("_frac")}
        parts.append("<h3>Statement</h3>" + table(rows, _statement_columns(rows),
                                                  formatters=fmts))
    if res.get("grade_tonnage"):
        parts.append(figure_html(fe.grade_tonnage_figure(res)))
    varios = res.get("variograms") or []
    if varios:
        figs = "".join(figure_html(fe.variogram_figure(v)) for v in varios)
        parts.append(f'<div class="grid2">{figs}</div>' if len(varios) > 1 else figs)
    else:
        parts.append(note("Variograms: none in results."))
    return "".join(parts)


def _mt(tonnes: Any) -> str:
    return "—" if tonnes is None else f"{fmt_num(tonnes / 1e6)} Mt"


def _kv_value(key: str, value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if key.endswith("_frac"):
            return fmt_pct(value)
        if key.endswith("_usd"):
            return fmt_usd(value)
    return fmt_cell(key, value)


def _kv_table(data: Mapping[str, Any]) -> str:
    """A two-column table of a flat dict (fractions as %, ``*_usd`` as money; HTML-escaped)."""
    rows = [{"key": k.replace("_", " "), "html": _kv_value(k, v)} for k, v in data.items()
            if not isinstance(v, dict | list)]
    return table(rows, [("key", "quantity"), ("html", "value")],
                 formatters={"html": lambda h: h})


def mine_section(results: Results) -> str:
    """Ultimate pit, pit-by-pit graph and the life-of-mine schedule."""
    mine = results.get("mine")
    if not mine:
        return not_run("Mine plan")
    parts = []
    pit = mine.get("pit") or {}
    if pit:
        parts.append(kpi_cards([
            ("Ultimate pit", _mt(pit.get("tonnes")), "total tonnes"),
            ("Ore in pit", _mt(pit.get("ore_t")), "above cut-off"),
            ("Pit value", fmt_usd(pit.get("value_usd")), "undiscounted"),
            ("Blocks", fmt_num(pit.get("blocks")), "in the pit"),
        ]))
        parts.append(details("Ultimate pit: all figures", _kv_table(pit)))
    if mine.get("schedule_stats"):
        parts.append(details("Schedule optimisation (NPV, bound, gap, status)",
                             _kv_table(mine["schedule_stats"])))
    if mine.get("nested"):
        parts.append(figure_html(fe.pit_by_pit_figure(mine)))
    if mine.get("schedule"):
        sched = mine["schedule"]
        parts.append(figure_html(fe.schedule_figure(mine)))
        keys = list(dict.fromkeys(k for r in sched for k in r))
        fmts = {k: fmt_pct for k in keys if k.endswith("_frac")}
        parts.append(details("Schedule table (plant feed by year)", table(
            sched, [(k, k.replace("_", " ")) for k in keys], formatters=fmts, scroll=True)))
    return "".join(parts) or not_run("Mine plan")
