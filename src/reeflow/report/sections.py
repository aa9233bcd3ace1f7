"""Report sections for the summary, plant, claims, balances and assumptions.

Each renderer takes the whole results dict and returns the HTML body of its section; a section
whose results are absent returns the "not run in this study" note. All text from results is
escaped (see :mod:`reeflow.report.html`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reeflow.report import figures as figs
from reeflow.report import figures_sx as fsx
from reeflow.report.html import (
    details,
    esc,
    figure_html,
    fmt_num,
    fmt_pct,
    fmt_usd,
    fmt_value,
    kpi_cards,
    not_run,
    note,
    rate_label,
    status_badge,
    table,
)

__all__ = [
    "summary_section", "flowsheet_section", "products_section", "sx_section", "claims_section",
    "balance_section", "assumptions_section", "CLOSURE_TOL",
]

#: Relative element-balance closure the backbone guarantees per unit (issue 2, item 4).
CLOSURE_TOL = 1e-9

Results = Mapping[str, Any]


def _t(value: Any) -> str:
    return "—" if value is None else f"{fmt_num(value)} t/a"


def _kpi_cards(kpis: Mapping[str, Any], econ: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    cards = []
    if kpis:
        cards += [("REO production", _t(kpis.get("reo_t_per_a")), "separated oxides"),
                  ("NdPr oxide", _t(kpis.get("ndpr_oxide_t_per_a")), "Pr6O11 + Nd2O3")]
    if kpis.get("overall_reo_recovery_frac") is not None:
        cards.append(("REO recovery", fmt_pct(kpis["overall_reo_recovery_frac"]),
                      "ore → oxides, overall"))
    for rate, npv in (econ.get("npv_usd") or {}).items():
        cards.append((f"NPV @ {rate_label(rate)}", fmt_usd(npv), "after tax and royalty"))
    if econ:
        cards += [
            ("IRR", fmt_pct(econ.get("irr_frac")), "none if NPV < 0 at every rate"
             if econ.get("irr_frac") is None else "after tax"),
            ("Payback", "—" if econ.get("payback_years") is None
             else f"{fmt_num(econ['payback_years'])} years", "from start of construction"),
            ("Capex", fmt_usd(econ.get("capex_usd")), "initial"),
            ("Opex", fmt_usd(econ.get("opex_usd_per_a")) + "/a", "steady state"),
            ("Unit cost REO", _per_kg(econ.get("unit_cost_usd_per_kg_reo")), "per kg REO"),
            ("Unit cost NdPr", _per_kg(econ.get("unit_cost_usd_per_kg_ndpr")), "per kg NdPr oxide"),
        ]
    return cards


def _per_kg(value: Any) -> str:
    return "—" if value is None else f"US$ {fmt_num(value)}/kg"


_KNOWN_KPIS = {"reo_t_per_a", "ndpr_oxide_t_per_a", "overall_reo_recovery_frac"}


def _checks_line(results: Results) -> str:
    """One line: public claims by status and the element-balance verdict."""
    bits = []
    claims = results.get("claims") or []
    if claims:
        counts: dict[str, int] = {}
        for c in claims:
            counts[str(c.get("status"))] = counts.get(str(c.get("status")), 0) + 1
        bits.append("Public claims: " + " ".join(f"{status_badge(s)} {n}"
                                                 for s, n in sorted(counts.items())))
    balance = (results.get("flowsheet") or {}).get("balance") or []
    if balance:
        worst = max(abs(r.get("rel_closure") or 0.0) for r in balance)
        verdict = "pass" if worst <= CLOSURE_TOL else "fail"
        bits.append(f"Element balances: {status_badge(verdict)} worst closure "
                    f"{esc(f'{worst:.1e}')}")
    return f"<p>{' · '.join(bits)}</p>" if bits else ""


def summary_section(results: Results) -> str:
    """Executive summary: KPI cards, then any further KPIs as a table."""
    kpis = results.get("kpis") or {}
    econ = results.get("economics") or {}
    if not kpis and not econ:
        return not_run("Key figures (flowsheet and economics)")
    parts = [kpi_cards(_kpi_cards(kpis, econ))]
    if not kpis:
        parts.append(not_run("Plant key figures"))
    if not econ:
        parts.append(not_run("Economics"))
    deck = econ.get("price_deck") or {}
    if deck:
        parts.append(note(f"Price deck: {deck.get('name')} ({deck.get('year')}); sources in "
                          "the economics section."))
    parts.append(_checks_line(results))
    extra = [{"kpi": k, "value": v} for k, v in kpis.items() if k not in _KNOWN_KPIS]
    if extra:
        parts.append(details("All key performance indicators",
                             table(extra, [("kpi", "indicator"), ("value", "value")])))
    return "".join(parts)


def flowsheet_section(results: Results) -> str:
    """Sankey of element flows, the unit list, the stream table and recycle convergence."""
    fs = results.get("flowsheet")
    if not fs:
        return not_run("Flowsheet")
    parts = [figure_html(figs.sankey_figure(fs)),
             note("Flows in kg/h at steady state; choose an element with the selector. TREO is "
                  "the sum of the rare-earth elements as reporting oxides. Green: feeds; blue: "
                  "products and residues leaving the plant; grey: unit operations.")]
    if fs.get("units"):
        parts.append(details(f"Unit operations ({len(fs['units'])})", table(
            fs["units"], [("name", "unit"), ("kind", "kind"), ("power_kw", "power, kW")])))
    if fs.get("streams"):
        parts.append(details("Stream table (total flows)", table(
            fs["streams"], [("name", "stream"), ("source_unit", "from"), ("target_unit", "to"),
                            ("temperature_c", "T, °C"), ("total_kg_per_h", "total, kg/h")],
            scroll=True)))
    reagents = results.get("reagents_t_per_a") or {}
    if reagents:
        rows = [{"reagent": k, "t_per_a": v} for k, v in reagents.items()]
        parts.append("<h3>Reagent consumption</h3>" + table(
            rows, [("reagent", "reagent"), ("t_per_a", "t/a")]))
    if fs.get("recycles"):
        parts.append("<h3>Recycles (torn and converged)</h3>" + table(
            fs["recycles"], [("tear_stream", "tear stream"), ("iterations", "iterations"),
                             ("residual", "relative residual")],
            formatters={"residual": lambda v: esc(f"{v:.2e}") if v is not None else "—"}))
    return "".join(parts)


_PRODUCT_COLUMNS = [
    ("name", "product"), ("kind", "kind"), ("t_per_a", "t/a"), ("purity_frac", "purity"),
    ("recovery_frac", "recovery"), ("price_usd_per_kg", "price, US$/kg"),
    ("revenue_usd_per_a", "revenue/a"), ("activity_bq_per_g", "activity, Bq/g"),
    ("classification", "classification"),
]


def products_section(results: Results) -> str:
    """Product slate table and bar chart."""
    products = results.get("products")
    if not products:
        return not_run("Product slate")
    fmts = {"purity_frac": _purity, "recovery_frac": fmt_pct, "revenue_usd_per_a": fmt_usd}
    revenues = [p["revenue_usd_per_a"] for p in products if p.get("revenue_usd_per_a") is not None]
    total = (note(f"Total revenue at the price deck: {fmt_usd(sum(revenues))} per year.")
             if revenues else note("Revenue by product: see the economics section."
                                   if (results.get("economics") or {}).get("revenue")
                                   else "No revenue figures: products not priced in this study."))
    return (table(products, _PRODUCT_COLUMNS, formatters=fmts) + total
            + figure_html(figs.products_figure(products)))


def _purity(frac: Any) -> str:
    return fmt_pct(frac, digits=4)


_SX_FIXED = ("cut", "n_extraction", "n_scrub", "n_strip", "organic_flow_m3_per_h")


def _cascade_columns(cascades: list[Mapping[str, Any]]) -> list[tuple[str, str]]:
    cols = [("cut", "cut"), ("n_extraction", "extraction stages"), ("n_scrub", "scrub stages"),
            ("n_strip", "strip stages"), ("organic_flow_m3_per_h", "organic, m³/h")]
    extra = dict.fromkeys(k for c in cascades for k, v in c.items()
                          if k not in _SX_FIXED and isinstance(v, int | float | str)
                          and not isinstance(v, bool))
    return cols + [(k, k.replace("_", " ")) for k in extra]


def sx_section(results: Results) -> str:
    """SX train: diagram of cuts, cascade table, reagents, stage profiles, McCabe–Thiele."""
    sx = results.get("sx")
    if not sx:
        return not_run("Solvent-extraction train")
    cascades = list(sx.get("cascades") or [])
    parts = [figure_html(fsx.sx_train_figure(sx)),
             note(f"Sequence: {' → '.join(str(s) for s in sx.get('sequence') or [])}. "
                  f"Total stages: {sx.get('total_stages', '—')}; organic inventory: "
                  f"{fmt_num(sx.get('organic_inventory_m3'))} m³.")]
    if cascades:
        parts.append('<h3>Cascades</h3><div class="wide">'
                     + table(cascades, _cascade_columns(cascades)) + "</div>")
    reagents = sx.get("reagents_kg_per_h") or {}
    if reagents:
        rows = [{"reagent": k, "kg_per_h": v} for k, v in reagents.items()]
        parts.append("<h3>Reagents</h3>" + table(rows, [("reagent", "reagent"),
                                                        ("kg_per_h", "kg/h")]))
    if any(c.get("profiles") for c in cascades):
        parts.append(figure_html(fsx.sx_profiles_figure(cascades)))
    mt = [f for f in (fsx.mccabe_thiele_figure(c) for c in cascades) if f is not None]
    parts.append("".join(figure_html(f) for f in mt) if mt else note(
        "McCabe–Thiele: no binary cut with organic and aqueous stage compositions in results."))
    return "".join(parts)


def _claim_row_class(row: Mapping[str, Any]) -> str:
    return {"consistent": "row-ok", "inconsistent": "row-bad"}.get(str(row.get("status")), "")


def claims_section(results: Results) -> str:
    """Public claims against the model, with status colours and reasons."""
    claims = results.get("claims")
    if not claims:
        return not_run("Claims check")
    counts: dict[str, int] = {}
    for c in claims:
        counts[str(c.get("status"))] = counts.get(str(c.get("status")), 0) + 1
    summary = " ".join(f"{status_badge(s)} {n}" for s, n in sorted(counts.items()))
    cols = [("id", "id"), ("claim", "claim"), ("outlet", "outlet"), ("date", "date"),
            ("quantity", "quantity"), ("claimed", "claimed"), ("model", "model"),
            ("status", "status"), ("reason", "reason")]
    body = table(claims, cols, formatters={"status": status_badge}, row_class=_claim_row_class)
    return f'<p>{summary}</p><div class="claims">{body}</div>'


def _closure_fmt(value: Any) -> str:
    return "—" if value is None else esc(f"{float(value):.1e}")


def balance_section(results: Results) -> str:
    """Element-balance closure per unit and element, worst first."""
    rows = list((results.get("flowsheet") or {}).get("balance") or [])
    if not rows:
        return not_run("Element-balance check")
    rows.sort(key=lambda r: -abs(r.get("rel_closure") or 0.0))
    worst = abs(rows[0].get("rel_closure") or 0.0)
    n_bad = sum(1 for r in rows if abs(r.get("rel_closure") or 0.0) > CLOSURE_TOL)
    verdict = status_badge("pass" if n_bad == 0 else "fail")
    head = (f"<p>{verdict} {len(rows)} unit × element balances; worst relative closure "
            f"{esc(f'{worst:.1e}')} (tolerance {esc(f'{CLOSURE_TOL:.0e}')}); "
            f"{n_bad} above tolerance.</p>")
    cols = [("unit", "unit"), ("element", "element"), ("in_kg_per_h", "in, kg/h"),
            ("out_kg_per_h", "out, kg/h"), ("rel_closure", "relative closure")]
    return head + table(
        rows, cols, formatters={"rel_closure": _closure_fmt}, scroll=True,
        row_class=lambda r: "row-bad" if abs(r.get("rel_closure") or 0) > CLOSURE_TOL else "")


def assumptions_section(results: Results) -> str:
    """Every input with its unit, range, source and evidence tag."""
    rows = results.get("assumptions")
    if not rows:
        return not_run("Assumptions register")
    tags: dict[str, int] = {}
    for r in rows:
        tags[str(r.get("evidence"))] = tags.get(str(r.get("evidence")), 0) + 1
    summary = " ".join(f"{status_badge(None if t == 'None' else t)} {n}"
                       for t, n in sorted(tags.items()))
    cols = [("path", "input"), ("value", "value"), ("unit", "unit"), ("range", "range"),
            ("evidence", "evidence"), ("source", "source"), ("note", "note")]
    return (f"<p>Evidence tags: {summary}</p>"
            + table(rows, cols, formatters={"evidence": status_badge, "range": fmt_value}))
