"""Report sections for the summary, plant, claims, balances and assumptions.

Each renderer takes the whole results dict and returns the HTML body of its section; a section
whose results are absent returns the "not run in this study" note. All text from results is
escaped (see :mod:`reeflow.report.html`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reeflow.report import figures as figs
from reeflow.report import figures_econ as fe
from reeflow.report import figures_sx as fsx
from reeflow.report.html import (
    details,
    esc,
    figure_html,
    fmt_num,
    fmt_pct,
    fmt_usd,
    fmt_value,
    input_value,
    kpi_cards,
    label_of,
    not_run,
    note,
    rate_label,
    status_badge,
    table,
)

__all__ = [
    "summary_section", "flowsheet_section", "products_section", "sx_section", "claims_section",
    "balance_section", "consistency_section", "assumptions_section", "CLOSURE_TOL",
]

#: Relative element-balance closure the backbone guarantees per unit (issue 2, item 4).
CLOSURE_TOL = 1e-9

Results = Mapping[str, Any]


def _t(value: Any) -> str:
    return "—" if value is None else f"{fmt_num(value)} t/a"


def _kpi_cards(kpis: Mapping[str, Any], econ: Mapping[str, Any],
               summ: Mapping[str, Any], products: Any = ()) -> list[tuple[str, str, str]]:
    cards = []
    rate = econ.get("headline_rate_frac")
    key = None if rate is None else f"{float(rate):.4f}"
    r = "" if rate is None else rate_label(rate)
    if econ:
        npv = (econ.get("npv_usd") or {}).get(key) if key else None
        pre = (econ.get("npv_pre_tax_usd") or {}).get(key) if key else None
        cards += [
            (f"NPV @ {r}, after tax", fmt_usd(npv), f"before tax {fmt_usd(pre)}"),
            ("IRR, after tax", "none" if econ.get("irr_frac") is None
             else fmt_pct(econ.get("irr_frac")),
             "capital never returned" if econ.get("irr_frac") is None
             else f"before tax {fmt_pct(econ.get('irr_pre_tax_frac'))}"),
            ("Payback", "none in the life" if econ.get("payback_years") is None
             else f"{fmt_num(econ['payback_years'])} years", "from the start of construction"),
            ("Initial capex", fmt_usd(econ.get("capex_usd")),
             _short_class(econ.get("estimate_class"))),
        ]
    if summ:
        byp = summ.get("byproduct_share_frac")
        cards += [("Basket value", _per_kg(summ.get("basket_usd_per_kg_reo")) + " REO",
                   f"at {summ.get('deck')} prices"),
                  ("Revenue", fmt_usd(summ.get("revenue_usd_per_a")) + "/a",
                   "design basis" + ("" if byp is None else f", {fmt_pct(byp, digits=2)} "
                                     "by-products"))]
    if kpis:
        separated = any(isinstance(p, Mapping) and p.get("kind") == "oxide"
                        for p in products or ())
        cards += [("REO production", _t(kpis.get("reo_t_per_a")),
                   "separated oxides" if separated else "contained in the mixed product"),
                  ("NdPr oxide", _t(kpis.get("ndpr_oxide_t_per_a")),
                   "Pr6O11 + Nd2O3" if separated else "Pr6O11 + Nd2O3 contained, not separated")]
    if kpis.get("overall_reo_recovery_frac") is not None:
        cards.append(("REO recovery", fmt_pct(kpis["overall_reo_recovery_frac"]),
                      "ore → oxides, overall"))
    if econ:
        cards.append(("Cash cost", _per_kg(econ.get("unit_cost_usd_per_kg_reo")),
                      "per kg REO, life of project"))
    return cards


def _short_class(text: Any) -> str:
    """``"AACE class 4 (RP …): accuracy …"`` → ``"AACE class 4, L -15% to -30%, H …"``."""
    t = str(text or "")
    if not t:
        return "estimate class not stated"
    head = t.split("(")[0].strip()
    acc = t.split("accuracy", 1)[1].split(";")[0].strip() if "accuracy" in t else ""
    return f"{head}, accuracy {acc}" if acc else head


def _per_kg(value: Any) -> str:
    return "—" if value is None else f"US$ {fmt_num(value)}/kg"


_KNOWN_KPIS = {"reo_t_per_a", "ndpr_oxide_t_per_a", "overall_reo_recovery_frac"}


def _checks_line(results: Results) -> str:
    """One line: public claims by status, the cross-room checks and the element balances."""
    bits = []
    claims = results.get("claims") or []
    if claims:
        counts: dict[str, int] = {}
        for c in claims:
            counts[str(c.get("status"))] = counts.get(str(c.get("status")), 0) + 1
        bits.append('<a href="#claims">Public claims:</a> '
                    + " ".join(f"{status_badge(s)} {n}" for s, n in sorted(counts.items())))
    checks = [_check_status(c) for c in results.get("consistency") or []]
    if checks:
        bits.append('<a href="#checks">Cross-room checks:</a> '
                    + " ".join(f"{status_badge(s)} {checks.count(s)}"
                               for s in ("pass", "warning", "fail") if s in checks))
    balance = (results.get("flowsheet") or {}).get("balance") or []
    if balance:
        worst = max(abs(r.get("rel_closure") or 0.0) for r in balance)
        verdict = "pass" if worst <= CLOSURE_TOL else "fail"
        bits.append(f"Element balances: {status_badge(verdict)} worst closure "
                    f"{esc(f'{worst:.1e}')}")
    return f"<p>{' · '.join(bits)}</p>" if bits else ""


_TOPIC = {"target": "Target", "revenue": "Revenue", "value": "Value", "grade": "Grade",
          "break-even": "Break-even", "risks": "Risks", "sensitivity": "Sensitivity",
          "basis": "Evidence"}


def _verdicts(summ: Mapping[str, Any]) -> str:
    items = "".join(f'<li><b>{esc(_TOPIC.get(str(v.get("topic")), v.get("topic")))}.</b> '
                    f"{esc(v.get('text'))}</li>" for v in summ.get("verdicts") or [])
    return f'<ul class="verdicts">{items}</ul>' if items else ""


def _breakeven_table(summ: Mapping[str, Any]) -> str:
    rows = []
    for b in summ.get("breakevens") or []:
        if b.get("values"):
            for prod, v in b["values"].items():
                rows.append({"what": f"{b['what']}: {prod}", "base": (b.get("bases") or {})
                             .get(prod), "value": v, "unit": b.get("unit"),
                             "multiplier": b.get("multiplier")})
        else:
            rows.append(b)
    if not rows:
        return ""
    r = summ.get("headline_rate_frac")
    return (f"<h3>Break-even prices (NPV @ {esc(rate_label(r))} = 0)</h3>" + table(
        rows, [("what", "price"), ("base", "study price"), ("value", "break-even"),
               ("unit", "unit"), ("multiplier", "× study price")])
        + note("Each class of prices moved alone; the plant and the mine plan are held at the "
               "base case (a price that moves the pit would move them too)."))


def _risk_table(summ: Mapping[str, Any]) -> str:
    risks = summ.get("risks") or []
    if not risks:
        return ""
    rows = [{**r, "low": input_value(r.get("input"), r.get("low")),
             "high": input_value(r.get("input"), r.get("high"))} for r in risks]
    ident = lambda h: h  # noqa: E731  (already formatted HTML)
    return "<h3>Largest risks (tornado, the chain re-run)</h3>" + table(
        rows, [("label", "input"), ("low", "low end"), ("high", "high end"),
               ("npv_low_usd", "NPV at low end"), ("npv_high_usd", "NPV at high end"),
               ("evidence", "evidence")],
        formatters={"npv_low_usd": _npv_cell, "npv_high_usd": _npv_cell,
                    "evidence": status_badge, "low": ident, "high": ident})


def _npv_cell(value: Any) -> str:
    """An NPV, or "no ore pays" where the chain's mine plan sent no ore (NPV None)."""
    return "no ore pays" if value is None else fmt_usd(value)


def _grid_oddities(grid: Mapping[str, Any]) -> str:
    """A sentence naming the grades at which NPV does not rise with the NdPr price (the pit
    and the schedule are re-optimised in each cell, so a cell can fall as the price rises)."""
    z, xs = grid.get("npv_usd") or [], grid.get("x") or []
    odd = [x for j, x in enumerate(xs)
           if any(z[i + 1][j] is not None and z[i][j] is not None and z[i + 1][j] < z[i][j]
                  for i in range(len(z) - 1))]
    if not odd:
        return ""
    unit = ("of the estimated grade" if str(grid.get("x_input", "")).endswith("grade_factor")
            else "TREO")
    return (" At " + ", ".join(fe.grid_grade_text(grid, x) for x in odd) + f" {unit} the NPV does "
            "not rise with the NdPr price: each cell re-optimises the pit and the schedule at "
            "its price, and a pit chosen for its undiscounted value need not raise the NPV.")


def summary_section(results: Results) -> str:
    """Executive summary: the computed verdicts, KPI cards, revenue split, break-evens, the
    largest risks and the grade × NdPr-price grid."""
    kpis = results.get("kpis") or {}
    econ = results.get("economics") or {}
    summ = results.get("summary") or {}
    if not kpis and not econ:
        return not_run("Key figures (flowsheet and economics)")
    parts = [_verdicts(summ), kpi_cards(_kpi_cards(kpis, econ, summ, results.get("products"))),
             _checks_line(results)]
    if not kpis:
        parts.append(not_run("Plant key figures"))
    if not econ:
        parts.append(not_run("Economics"))
    if summ.get("revenue_split"):
        parts.append(figure_html(fe.revenue_split_figure(summ["revenue_split"])))
    grid = econ.get("grid")
    if grid:
        # the grid's y are absolute price_scale_ndpr values: times the deck's price, not the
        # scaled one (a project at 1.1 read 1.1 x 1.1 x the deck; review of stop 37)
        price, y_base = econ.get("ndpr_price_usd_per_kg"), grid.get("y_base")
        deck = price / float(y_base) if price and y_base else price
        parts.append(figure_html(fe.grid_figure(
            grid, price_usd_per_kg=deck, rate_frac=econ.get("headline_rate_frac"))))
        parts.append(note("Each cell is the whole chain (plant, pit, schedule, cash flow) re-run "
                          "at that head grade and NdPr price; the square marks the base case. "
                          "Grades and prices: the low and high ends of their stated ranges and "
                          "the design values." + _grid_oddities(grid)))
    parts += [_breakeven_table(summ), _risk_table(summ)]
    extra = [{"kpi": k, "value": v} for k, v in kpis.items() if k not in _KNOWN_KPIS]
    if extra:
        parts.append(details("All key performance indicators",
                             table([{"kpi": label_of(r["kpi"]), "value": fmt_pct(r["value"])
                                     if str(r["kpi"]).endswith("_frac") else r["value"]}
                                    for r in extra], [("kpi", "indicator"), ("value", "value")],
                                   numeric=("value",))))
    return "".join(parts)


def flowsheet_section(results: Results) -> str:
    """Sankey of element flows, the unit list, the stream table and recycle convergence."""
    fs = results.get("flowsheet")
    if not fs:
        return not_run("Flowsheet")
    parts = [figure_html(figs.sankey_figure(fs)),
             note("Flows in kg/h at steady state; choose an element with the selector. TREO is "
                  "the sum of the rare-earth elements as reporting oxides. Green: feeds; blue: "
                  "products and residues leaving the plant; grey: unit operations. Flows below "
                  "0.1 % of the element's largest flow are not drawn (see the stream table).")]
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
    ("group_recovery_frac", "recovery of its elements"), ("price_usd_per_kg", "price, US$/kg"),
    ("payability_frac", "payable"), ("revenue_usd_per_a", "revenue, US$/a"),
    ("activity_bq_per_g", "activity, Bq/g"), ("classification", "classification"),
]


def _group_recovery(p: Mapping[str, Any], shares: Mapping[str, Any]) -> float | None:
    """Recovery ore → product of the product's own elements (weighted by their head shares)."""
    by_el = p.get("recovery_by_element_frac") or {}
    group = [el for el in p.get("group") or [] if by_el.get(el) is not None]
    if not group:
        return None
    w = [float(shares.get(el) or 1.0) for el in group]
    return sum(wi * float(by_el[el]) for wi, el in zip(w, group, strict=True)) / sum(w)


def _product_rows(results: Results) -> list[dict[str, Any]]:
    """Products joined with their price and revenue from the economics' revenue table."""
    shares = ((results.get("plant") or {}).get("design_feed") or {}).get("ree_share_frac") or {}
    revenue = {str(r.get("product")): r for r in
               (results.get("economics") or {}).get("revenue") or []}
    alias = {"Fluorite concentrate": "CaF2 concentrate", "Barite concentrate": "BaSO4 concentrate"}
    products = list(results.get("products") or [])
    sales = [str(p.get("sale_name") or "") for p in products]
    shared = {n for n in sales if n and sales.count(n) > 1}  # e.g. two mixed groups: one sale
    rows = []
    for p in products:
        row = dict(p)
        row["group_recovery_frac"] = _group_recovery(p, shares)
        sale = str(p.get("sale_name") or "")
        r = None if sale in shared else revenue.get(sale) or revenue.get(
            alias.get(str(p.get("name")), ""))
        if r is not None:
            row.update(price_usd_per_kg=r.get("price_usd_per_kg"),
                       payability_frac=r.get("payability_frac"),
                       revenue_usd_per_a=r.get("usd_per_a"))
        rows.append(row)
    for sale in sorted(shared):  # the shared sale once, on a row of its own
        r = revenue.get(sale)
        if r is not None:
            names = ", ".join(str(p.get("name")) for p, n in zip(products, sales, strict=True)
                              if n == sale)
            reo = f", {float(r['t_per_a']):,.0f} t/a REO" if r.get("t_per_a") else ""
            rows.append({"name": f"{sale} (sold as one: {names}{reo})", "kind": "sale",
                         "price_usd_per_kg": r.get("price_usd_per_kg"),
                         "payability_frac": r.get("payability_frac"),
                         "revenue_usd_per_a": r.get("usd_per_a")})
    return rows


def products_section(results: Results) -> str:
    """Product slate table (with prices and revenue from the economics) and bar chart."""
    products = _product_rows(results)
    if not products:
        return not_run("Product slate")
    fmts = {"purity_frac": _purity, "group_recovery_frac": fmt_pct, "payability_frac": fmt_pct,
            "revenue_usd_per_a": fmt_usd}
    revenues = [p["revenue_usd_per_a"] for p in products if p.get("revenue_usd_per_a")]
    total = (note(f"Total revenue at the study's prices: {fmt_usd(sum(revenues))} per year "
                  "(design basis). Recovery: ore to product, of the product's own elements.")
             if revenues else note("No revenue figures: products not priced in this study."))
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
    owner = next((c.get("written_for") for c in claims if c.get("written_for")), None)
    whose = (f"<p><strong>These are the public claims of {esc(owner)}</strong>, inherited "
             "through <code>extends</code>: this project changes that case's inputs, so read "
             "them as that case's claims set against this project's model. Give the project "
             "its own <code>claims_file</code>, or <code>claims_file: null</code> for none.</p>"
             if owner else "")
    return f'{whose}<p>{summary}</p><div class="claims">{body}</div>'


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


def _check_status(check: Mapping[str, Any]) -> str:
    """pass, warning or fail: a failed check of severity "error" fails."""
    if check.get("ok"):
        return "pass"
    return "fail" if check.get("severity") == "error" else "warning"


def consistency_section(results: Results) -> str:
    """The cross-room consistency checks (:mod:`reeflow.consistency`): what two rooms say about
    one thing, each passed or flagged; a warning is an approximation the reader must know."""
    checks = results.get("consistency") or []
    if not checks:
        return not_run("Cross-room consistency checks")
    rows = [{**c, "status": _check_status(c)} for c in checks]
    n_flagged = sum(r["status"] != "pass" for r in rows)
    head = (f"<p>{len(rows)} checks compare what two rooms of the study say about the same "
            f"thing; {len(rows) - n_flagged} pass, {n_flagged} flagged.</p>")
    cols = [("status", "status"), ("name", "check"), ("detail", "what was compared")]
    return head + table(rows, cols, formatters={"status": status_badge},
                        row_class=lambda r: "" if r["status"] == "pass" else "row-bad")


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
