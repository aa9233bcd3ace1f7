"""Report sections for economics, market, resource and mine.

Each renderer takes the whole results dict and returns the HTML body of its section, or the
"not run in this study" note when its results are absent. Text from results is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    label_of,
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


def _cashflow_table(rows: Sequence[Mapping[str, Any]]) -> str:
    keys = ["revenue_usd", "royalty_usd", "opex_usd", "capital_usd", "working_capital_usd",
            "tax_usd", "cash_flow_usd", "cumulative_cash_flow_usd"]
    heads = {"capital_usd": "capital (initial + sustaining + closure), US$"}
    cols = [("year", "year"), ("production_year", "production year"), ("ore_t", "ore, t")] + \
        [(k, heads.get(k, label_of(k))) for k in keys]
    return table(rows, cols, formatters=dict.fromkeys(keys, fmt_usd), scroll=True)


def _npv_table(econ: Mapping[str, Any]) -> str:
    npv = econ.get("npv_usd") or {}
    pre = econ.get("npv_pre_tax_usd") or {}
    eq = ((econ.get("levered") or {}).get("npv_equity_usd")) or {}
    rows = [{"rate": rate_label(k), "npv": v, "pre": pre.get(k), "eq": eq.get(k)}
            for k, v in npv.items()]
    cols = [("rate", "discount rate (real)"), ("npv", "NPV after tax"),
            ("pre", "NPV before tax")] + ([("eq", "equity NPV (with debt)")] if eq else [])
    def pct1(v: Any) -> str:  # rates to one decimal: -0.0933 % reads as noise
        return "—" if v is None or v != v else f"{100.0 * float(v):.1f} %"

    irr = (f"IRR {pct1(econ.get('irr_frac'))} after tax, "
           f"{pct1(econ.get('irr_pre_tax_frac'))} before tax; payback "
           + ("none within the life" if econ.get("payback_years") is None else
              f"{fmt_num(econ['payback_years'])} years from the start of construction "
              f"({fmt_num(econ.get('payback_from_first_production_years'))} from first "
              "production)") + ".")
    return (table(rows, cols, formatters={"npv": fmt_usd, "pre": fmt_usd, "eq": fmt_usd})
            + note(irr) if npv else "")


def _levered_part(econ: Mapping[str, Any]) -> str:
    lev = econ.get("levered")
    if not lev:
        return note("Financing: no debt in this study (unlevered figures). A scenario with "
                    "debt terms (economics.debt: share, rate, tenor, grace, fee) adds equity NPV, "
                    "equity IRR and the debt-service cover ratio.")
    t = lev.get("terms") or {}
    terms = (f"debt {fmt_pct(t.get('share_of_capex'))} of capex at {fmt_pct(t.get('interest_rate'))}"
             f", {t.get('tenor_years')} years after {t.get('grace_years')} grace year(s), fee "
             f"{fmt_pct(t.get('upfront_fee'))}, {t.get('repayment')}")
    return "<h3>Financing (levered)</h3>" + kpi_cards([
        ("Equity IRR", fmt_pct(lev.get("irr_equity_frac")), "after debt service and tax"),
        ("Minimum DSCR", fmt_num(lev.get("dscr_min")), "cash available / debt service"),
        ("Mean DSCR", fmt_num(lev.get("dscr_mean")), "over the repayment years"),
    ]) + note(f"Terms: {terms}.")


def _price_path(econ: Mapping[str, Any]) -> str:
    path = econ.get("price_path") or []
    if len(path) <= 1:
        deck = path[0]["deck"] if path else econ.get("deck")
        return note(f"Prices: the {deck} deck, flat in real terms over the life (no offtake "
                    "period stated).")
    return "<h3>Price path by period</h3>" + table(
        path, [("period", "period"), ("first_production_year", "from production year"),
               ("last_production_year", "to production year"), ("deck", "price deck"),
               ("ndpr_price_usd_per_kg", "NdPr oxide, US$/kg")])


def _closure_part(econ: Mapping[str, Any]) -> str:
    """Closure and residue care: the closure cost at the end of life and the residue
    facilities (NORM store included) with their capping and funded aftercare."""
    storage = (econ.get("residue_storage") or {}).get("table") or []
    head = (f"<h3>Closure and residue care</h3><p>Closure at the end of life: "
            f"{fmt_usd(econ.get('closure_usd'))} (plant decommissioning, residue-facility "
            "capping and the trust that funds long-term care).</p>")
    if not storage:
        return head
    head += note("The facilities below are sized for the design life at nameplate capacity; "
                 "their capping and aftercare fund in the closure above are scaled to the ore "
                 "the schedule processes (cell area follows the tonnes stored).")
    return head + table(storage, [
        ("label", "facility"), ("t_per_a", "t/a"), ("initial_capex_usd", "initial capex"),
        ("operation_usd_per_a", "operation, US$/a"), ("closure_usd", "closure"),
        ("aftercare_usd_per_a", "aftercare, US$/a"), ("aftercare_funded_usd", "aftercare fund")],
        formatters={k: fmt_usd for k in ("initial_capex_usd", "operation_usd_per_a",
                                         "closure_usd", "aftercare_usd_per_a",
                                         "aftercare_funded_usd")})


def _revenue_table(revenue: list[Mapping[str, Any]]) -> str:
    columns = [("product", "product"), ("t_per_a", "t/a"), ("purity_frac", "purity"),
               ("spec_purity_frac", "price basis purity"), ("payability_frac", "payable"),
               ("price_usd_per_kg", "price, US$/kg"), ("usd_per_a", "revenue, US$/a"),
               ("source", "price source")]
    scaled = any(_is_scaled(r.get("price_scale")) for r in revenue)
    if scaled:  # the source quotes the deck; the price shown is the deck times the scale
        columns.insert(5, ("price_scale", "\u00d7 price scale"))
    text = ("A separated oxide below the purity its price is quoted at is paid as a mixed "
            "rare-earth concentrate (payability of that class); industrial-mineral concentrates "
            "are paid at their quote.")
    if scaled:
        text += (" The project scales the deck's prices (economics.price_scale_*): the price "
                 "and revenue shown are the quoted price times the scale, as the cash flow "
                 "charges them; the source names the quote.")
    return table(revenue, columns,
                 formatters={"purity_frac": lambda v: fmt_pct(v, digits=4),
                             "spec_purity_frac": lambda v: fmt_pct(v, digits=4),
                             "payability_frac": fmt_pct, "usd_per_a": fmt_usd,
                             "price_scale": _fmt_scale}) + note(text)


def _is_scaled(value: Any) -> bool:
    return isinstance(value, (int, float)) and abs(float(value) - 1.0) > 1e-12


def _fmt_scale(value: Any) -> str:
    return f"{float(value):.4g}" if isinstance(value, (int, float)) else "\u2014"


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
        parts.append(note("Monte Carlo: not run in the study (each draw re-runs the whole "
                          "chain); `reeflow risk PROJECT --draws N` draws every input with a "
                          "stated range from its triangular distribution."))
    return parts


def _records(econ: Mapping[str, Any], *keys: str) -> list[Mapping[str, Any]]:
    """The first of ``keys`` holding a list of records (schema name, then the room's name)."""
    for key in keys:
        value = econ.get(key)
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            return value
    return []


def _capex_figure(econ: Mapping[str, Any]) -> str:
    """Capex by area (direct) and the indirect items, one bar each, largest first."""
    rows = _records(econ, "capex_breakdown", "capex")
    if not rows:
        return ""
    shown = [{"item": str(r.get("item")).removeprefix("direct: "), "usd": r.get("usd"),
              "source": r.get("source")} for r in rows if (r.get("usd") or 0) > 0]
    est = econ.get("capex_estimate") or {}
    missing = [a.get("label") for a in est.get("areas") or [] if not a.get("complete")]
    fig = fe.breakdown_figure(shown, value_key="usd", title=f"Initial capex by area and item: "
                              f"{fmt_usd(econ.get('capex_usd'))}", unit_label="US$ M")
    out = figure_html(fig)
    if missing:
        out += note("Areas the plant does not yet size (costed at zero or partly; the capex is "
                    "a lower bound there): " + "; ".join(str(m) for m in missing) + ".")
    return out


def economics_section(results: Results) -> str:
    """NPV and IRR after and before tax, financing, cash flow, capex and opex, revenue by product
    with purity payability, the price path, tornado, spider and Monte Carlo."""
    econ = results.get("economics")
    if not econ:
        return not_run("Economics")
    parts = [_npv_table(econ), _levered_part(econ)]
    cash = fe.cashflow_rows(econ)
    if cash:
        parts.append(figure_html(fe.cashflow_figure(econ)))
        parts.append(details("Cash-flow table (US$, real)", _cashflow_table(cash)))
    parts.append(_capex_figure(econ))
    opex = _records(econ, "opex_breakdown", "opex")
    if opex:
        parts.append(figure_html(fe.breakdown_figure(
            [r for r in opex if (r.get("usd_per_a") or 0) > 0], value_key="usd_per_a",
            title="Operating cost at full production", unit_label="US$ M per year")))
    if econ.get("opex_missing"):
        parts.append(note("Opex items without a driver from the plant (reported, not zero): "
                          + ", ".join(map(str, econ["opex_missing"])) + "."))
    revenue = _records(econ, "revenue")
    if revenue:
        parts.append("<h3>Revenue by product (design basis)</h3>" + _revenue_table(revenue))
    parts.append(_price_path(econ))
    parts.append(_closure_part(econ))
    parts += _risk_parts(econ)
    bench = econ.get("benchmark") or []
    if bench:
        parts.append(details("Against published peers", note(
            "This study's figures are over the life of mine (the cash flow's years; capex per "
            "t/a over the capacity the plant is built for); the design basis is the project "
            "file's grade at nameplate.") + table(
            bench, [("label", "figure"), ("value", "this study (life of mine)"),
                    ("design_basis_value", "design basis"), ("band_min", "peer low"),
                    ("band_max", "peer high"), ("position", "position"), ("reason", "why")])))
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


def _statement_table(rows: list[Mapping[str, Any]]) -> str:
    """The statement rounded as a public report states it (tonnes, grade, contained oxide per
    class); the unrounded figures and every grade column follow in a collapsible table."""
    rounded = any("tonnes_rounded" in r for r in rows)
    if rounded:
        cols = [("class", "class"), ("tonnes_rounded", "tonnes (rounded)"),
                ("treo_pct_rounded", "TREO, %"), ("contained_t_rounded", "contained TREO, t")]
        grades = [(k, _formula(k.removesuffix("_pct_rounded")) + ", %")
                  for k in dict.fromkeys(k for r in rows for k in r)
                  if k.endswith("_pct_rounded") and k != "treo_pct_rounded"]
        main = table(rows, cols + grades[:4])
    else:
        main = table(rows, [("class", "class"), ("tonnes", "tonnes"), ("treo_frac", "TREO"),
                            ("contained_t", "contained TREO, t")],
                     formatters={"treo_frac": fmt_pct})
    keys = [k for k in dict.fromkeys(k for r in rows for k in r) if not k.endswith("_rounded")]
    full = table(rows, [(k, label_of(k)) for k in keys],
                 formatters={k: fmt_pct for k in keys if k.endswith("_frac")}, scroll=True)
    return main + details("Unrounded figures and every grade", full)


def _formula(key: str) -> str:
    """``la2o3`` → ``La2O3``, ``caf2`` → ``CaF2`` (element symbols capitalised)."""
    import re

    from reeflow.core.elements import REE

    symbols = {*REE, "Th", "Ca", "Ba", "Fe", "Si", "O", "F", "S", "U", "Sc"}
    out, rest = "", key
    while rest:
        m = re.match(r"\d+", rest)
        if m:
            out, rest = out + m.group(0), rest[m.end():]
            continue
        two = rest[:2].capitalize()
        if len(rest) > 1 and two in symbols:
            out, rest = out + two, rest[2:]
        else:
            out, rest = out + rest[:1].upper(), rest[1:]
    return out


def _feed_vs_statement(results: Results) -> str:
    """Flag a scheduled plant feed larger than the stated resource (part of it below the
    statement's cut-off, or outside the classified blocks)."""
    res = results.get("resource") or {}
    total = next((r for r in res.get("statement") or [] if str(r.get("class")) == "Total"),
                 None)
    fed = sum(float(r.get("ore_t") or 0.0) for r in (results.get("mine") or {})
              .get("schedule") or [])
    if total is None or not total.get("tonnes") or fed <= float(total["tonnes"]):
        return ""
    return (f'<p><span class="badge b-bad">check</span> The schedule feeds {fmt_num(fed / 1e6)} '
            f"Mt of ore to the plant, more than the {fmt_num(float(total['tonnes']) / 1e6)} Mt "
            "of the resource statement: the mine plan values blocks with every product "
            "(by-products included) while the statement's cut-off is its own; the difference "
            "is not a stated resource.</p>")


def _inferred_flag(results: Results) -> str:
    mine = results.get("mine") or {}
    share = mine.get("inferred_share_of_feed_frac")
    if share is None:
        return note("Inferred share of the scheduled plant feed: not computed (the schedule "
                    "carries no tonnes by resource class).")
    cls = "b-bad" if share > 0.5 else ("b-warn" if share > 0.1 else "b-ok")
    return (f'<p><span class="badge {cls}">Inferred {esc(fmt_pct(share, digits=2))}</span> of '
            "the scheduled plant feed is Inferred resource: too uncertain for a reserve or a "
            "feasibility-level cash flow (JORC 2012 clause 21: Inferred may not be converted to "
            "a reserve).</p>")


_CP_BLOCK = ("Competent Person statement: none. No Competent Person (JORC Code 2012, clauses "
             "11–12) has reviewed or signed this estimate; it is a model output, not a Public "
             "Report of Mineral Resources.")


def resource_section(results: Results) -> str:
    """Resource statement (rounded), cut-off and its basis, Table 1, the Competent Person block,
    the Inferred share of the feed, grade–tonnage curves and variograms."""
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
        parts.append("<h3>Statement</h3>" + _statement_table(rows))
    cut = res.get("cutoff_frac")
    parts.append(note(f"Cut-off: {fmt_pct(cut, digits=3)} TREO. Basis: "
                      f"{res.get('cutoff_basis') or 'not stated'}."))
    parts.append(note("Reasonable prospects for eventual economic extraction: "
                      f"{res.get('rpeee_basis') or 'not assessed in this study'}."))
    parts.append(_inferred_flag(results) + _feed_vs_statement(results))
    parts.append(f'<div class="disclaimer">{esc(res.get("competent_person") or _CP_BLOCK)}'
                 "</div>")
    found = res.get("findings") or []
    if found:
        total = int(res.get("findings_total") or len(found))
        shown = "" if total <= len(found) else f", the first {len(found)} listed"
        parts.append(details(f"Data findings ({total}{shown}): excluded, filled or flagged",
                             table(found, [("severity", "severity"), ("table", "table"),
                                           ("hole_id", "hole"), ("message", "finding"),
                                           ("action", "action")], scroll=True)))
    t1 = res.get("table1") or []
    if t1:
        parts.append(details(f"JORC Table 1 summary ({len(t1)} items)", table(
            t1, [("section", "section"), ("item", "criterion"), ("status", "status"),
                 ("entry", "entry")], scroll=True)))
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
    rows = [{"key": label_of(k), "html": _kv_value(k, v)} for k, v in data.items()
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
    if mine.get("schedule_npv_usd") is not None:
        life = mine.get("pit_life_years")
        parts.append(kpi_cards([
            ("Schedule NPV", fmt_usd(mine["schedule_npv_usd"]),
             f"pre-tax, first {mine.get('horizon_years')} years"),
            ("Bound", fmt_usd(mine.get("schedule_bound_usd")),
             str((mine.get("schedule_stats") or {}).get("bound_basis", "upper bound"))),
            ("Gap to bound", fmt_pct(mine.get("schedule_gap_frac")), "(bound − NPV) / bound"),
            ("Pit life", "—" if life is None else f"{fmt_num(life)} years",
             "at nameplate capacity" + ("" if mine.get("horizon_covers_pit") in (None, True)
                                        else ": outlives the horizon")),
        ]))
    if mine.get("schedule_stats"):
        parts.append(details("Schedule optimisation (NPV, bound, gap, status)",
                             _kv_table(mine["schedule_stats"])))
    if mine.get("nested"):
        parts.append(figure_html(fe.pit_by_pit_figure(mine)))
    if mine.get("schedule"):
        sched = mine["schedule"]
        parts.append(figure_html(fe.schedule_figure(mine)))
        # a column no row fills (a stockpile's, where the plan has none) is left out
        keys = [k for k in dict.fromkeys(k for r in sched for k in r)
                if any(r.get(k) is not None for r in sched)]
        fmts = {k: fmt_pct for k in keys if k.endswith("_frac")}
        parts.append(details("Schedule table (plant feed by year)", table(
            sched, [(k, label_of(k)) for k in keys], formatters=fmts, scroll=True)))
    return "".join(parts) or not_run("Mine plan")
