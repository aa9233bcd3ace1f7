"""Report section of the whole-chain Monte Carlo (results.json ``risk``).

Headline cards (P10/P50/P90 of NPV, probability of loss, value at risk, the estimate's standard
error), the distributions of NPV, IRR, mine life and annual REO, the S-curve, the tornado of
rank correlations, the convergence of the estimate, the REO fan by year and how the draws were
computed (fast path, its measured accuracy, the mine-plan library). Text from results is
escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reeflow.report import figures_risk as fr
from reeflow.report.html import (
    details,
    figure_html,
    fmt_num,
    fmt_pct,
    fmt_usd,
    kpi_cards,
    not_run,
    note,
    table,
)

__all__ = ["risk_section"]

Results = Mapping[str, Any]


def _cards(risk: Mapping[str, Any]) -> str:
    npv = risk.get("npv_usd") or {}
    irr = risk.get("irr_frac") or {}
    life = risk.get("mine_life_years") or {}
    return kpi_cards([
        ("NPV P10", fmt_usd(npv.get("p10")), "10 % of draws below"),
        ("NPV P50", fmt_usd(npv.get("p50")), "median"),
        ("NPV P90", fmt_usd(npv.get("p90")), "90 % of draws below"),
        ("P(loss)", fmt_pct(npv.get("prob_loss")), "share of draws with NPV < 0"
         if not risk.get("infeasible_draws") else "of the feasible draws; "
         f"{fmt_pct(risk.get('prob_loss_all_draws'))} counting the infeasible as losses"),
        ("VaR 95 %", fmt_usd(npv.get("var95")), "loss at the 5th percentile (below 0: no "
         "loss, the 5th-percentile NPV is positive)"),
        ("CVaR 95 %", fmt_usd(npv.get("cvar95")), "mean loss in the worst 5 %"),
        ("Mean NPV", fmt_usd(npv.get("mean")),
         f"± {fmt_usd(npv.get('stderr_mean'))} (standard error)"),
        ("IRR P50", fmt_pct(irr.get("p50")), f"P10 {fmt_pct(irr.get('p10'))}, "
                                             f"P90 {fmt_pct(irr.get('p90'))}"),
        ("Mine life P50", f"{fmt_num(life.get('p50'))} years",
         f"P10 {fmt_num(life.get('p10'))}, P90 {fmt_num(life.get('p90'))}"),
    ])


def _summary_table(risk: Mapping[str, Any]) -> str:
    rows = []
    for key, label in (("npv_usd", "NPV (USD)"), ("irr_frac", "IRR"),
                       ("mine_life_years", "mine life (years)"),
                       ("reo_t_per_a", "annual REO, life-of-mine mean (t/a)"),
                       ("ndpr_oxide_t_per_a", "annual NdPr oxide, life-of-mine mean (t/a)"),
                       ("capex_usd", "capex (USD)")):
        s = risk.get(key) or {}
        if s:
            rows.append({"output": label, **{k: s.get(k) for k in
                                             ("n", "mean", "p10", "p50", "p90",
                                              "stderr_mean")}})
    return table(rows, [("output", "output"), ("n", "draws"), ("mean", "mean"),
                        ("p10", "P10"), ("p50", "P50"), ("p90", "P90"),
                        ("stderr_mean", "s.e. of mean")])


def _inputs_table(risk: Mapping[str, Any]) -> str:
    rows = risk.get("inputs") or []
    return table(rows, [("path", "input"), ("distribution", "distribution"), ("low", "low"),
                        ("mode", "value"), ("high", "high")])


def _fast_path(risk: Mapping[str, Any]) -> str:
    fp = risk.get("fast_path") or {}
    if risk.get("method") != "fast" or not fp:
        return note(risk.get("note") or "Every draw ran the study chain itself (what_if).")
    plans = fp.get("plans") or []
    fails = [f"{s['path']}: feasible {fmt_num(s['feasible'][0])}–{fmt_num(s['feasible'][1])}"
             for s in fp.get("scans") or [] if s.get("failures")]
    parts = [note(
        "Draws ran the fast path of the study chain: what is built once from a separable "
        "response surface fitted on rigorous one-at-a-time runs of the chain, the plant each "
        "year from its feed linearly, the mine plan of the nearest of "
        f"{len(plans)} representative valuations planned rigorously by the chain's mine step, "
        "the economics room's cash flow. "
        f"{fp.get('rigorous_evaluations', '—')} rigorous design evaluations built it.")]
    acc = fp.get("accuracy")
    if acc:
        parts.append(note(f"Measured against the rigorous chain: {acc}"))
    if fails:
        parts.append(note("Inputs whose range the chain does not run to the end (draws "
                          "beyond are infeasible): " + "; ".join(fails)))
    if plans:
        parts.append(details("Mine-plan library", table(
            plans, [("revenue_factor", "equivalent revenue factor"),
                    ("grade_factor", "deposit grade factor"), ("realisation", "realisation"),
                    ("years", "years"), ("ore_t", "ore (t)"), ("error", "error")])))
    return "".join(parts)


def risk_section(results: Results) -> str:
    """Monte Carlo over the whole chain: cards, distributions, S-curve, tornado, convergence."""
    risk = results.get("risk")
    if not risk:
        return not_run("Whole-chain Monte Carlo (reeflow risk)")
    parts = [_cards(risk)]
    feasible, n = risk.get("feasible_draws"), risk.get("draws")
    if feasible is not None and n and feasible < n:
        parts.append(note(risk.get("infeasible_note") or
                          f"{n - feasible} of {n} draws are infeasible (the chain refuses "
                          "them); the distributions are over the feasible draws."))
    parts.append(figure_html(fr.histograms_figure(risk)))
    parts.append(f'<div class="grid2">{figure_html(fr.s_curve_figure(risk))}'
                 f"{figure_html(fr.rank_tornado_figure(risk))}</div>")
    parts.append(f'<div class="grid2">{figure_html(fr.convergence_figure(risk))}'
                 f"{figure_html(fr.reo_fan_figure(risk))}</div>")
    parts.append(_summary_table(risk))
    real = risk.get("by_realisation") or []
    if real:
        parts.append(details(f"By deposit realisation ({len(real)} SGS realisations)", table(
            real, [("realisation", "realisation"), ("n", "draws"), ("p10", "NPV P10"),
                   ("p50", "NPV P50"), ("p90", "NPV P90"), ("prob_loss", "P(loss)")],
            formatters={"p10": fmt_usd, "p50": fmt_usd, "p90": fmt_usd,
                        "prob_loss": fmt_pct})))
    parts.append(details("Drawn inputs", _inputs_table(risk)))
    parts.append(_fast_path(risk))
    return "".join(parts)
