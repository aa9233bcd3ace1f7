"""The executive summary: every verdict computed, one number per question (issue #12)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from reeflow.report import render_report


@pytest.fixture(scope="module")
def summ(builtin_results_dict):
    return builtin_results_dict["summary"]


def test_summary_is_present_with_every_verdict(summ):
    topics = [v["topic"] for v in summ["verdicts"]]
    for t in ("target", "revenue", "value", "break-even", "risks", "basis"):
        assert t in topics
    assert all(re.search(r"\d", v["text"]) for v in summ["verdicts"])  # computed, not prose


def test_summary_is_first_in_the_report(builtin_results_dict):
    html = render_report(builtin_results_dict)
    assert html.index('id="summary"') < html.index('id="flows"')
    head = html.split('id="summary"')[1].split("</section>")[0]
    assert "before tax" in head and "after tax" in head
    assert "Break-even prices" in head and "Largest risks" in head


def test_pre_and_post_tax_figures(builtin_results_dict, summ):
    e = builtin_results_dict["economics"]
    key = f"{e['headline_rate_frac']:.4f}"
    assert summ["npv_pre_tax_usd"] == e["npv_pre_tax_usd"][key] is not None
    assert summ["npv_post_tax_usd"] == e["npv_usd"][key]
    assert summ["irr_pre_tax_frac"] == e["irr_pre_tax_frac"]
    # tax is paid only on profit: before-tax NPV is never below after-tax
    assert summ["npv_pre_tax_usd"] >= summ["npv_post_tax_usd"]


def test_basket_is_the_one_the_claim_quotes(builtin_results_dict, summ):
    c11 = next(c for c in builtin_results_dict["claims"] if c["id"] == "C11")
    assert f"{summ['basket_usd_per_kg_reo']:.2f} USD/kg REO" in c11["reason"]
    # the claim states the revenue at the stated target, as the summary does: one number
    t = summ["target"]
    assert f"the oxides would earn {t['reo_revenue_at_target_usd_per_a'] / 1e6:,.0f} MUSD/a" \
        in c11["reason"]


def test_revenue_split_adds_up(summ):
    total = sum(s["usd_per_a"] for s in summ["revenue_split"])
    assert total == pytest.approx(summ["revenue_usd_per_a"], rel=1e-12)
    assert sum(s["share_frac"] for s in summ["revenue_split"]) == pytest.approx(1.0)
    byp = next(s for s in summ["revenue_split"] if s["group"] == "by-products")
    assert byp["share_frac"] == pytest.approx(summ["byproduct_share_frac"])


def test_target_grade_and_revenue(builtin_study, summ):
    t = summ["target"]
    k = builtin_study.results.kpis
    assert t["reo_t_per_a"] == 10_000
    assert t["grade_needed_frac"] * k.ore_t_per_a * k.overall_reo_recovery_frac == \
        pytest.approx(10_000, rel=1e-9)
    assert t["reo_revenue_at_target_usd_per_a"] == pytest.approx(
        summ["basket_usd_per_kg_reo"] * 1e7, rel=1e-12)
    # the chain re-run at that grade makes about the target (recovery barely moves with grade)
    assert t["chain_at_needed_grade"]["reo_t_per_a"] == pytest.approx(10_000, rel=0.05)


def test_ndpr_breakeven_is_one_number_and_zeroes_the_npv(builtin_study, summ):
    from reeflow.economics import dcf
    from reeflow.economics.annual import cash_flows

    e = builtin_study.results.economics
    nd = next(b for b in summ["breakevens"] if b["what"] == "NdPr oxide price")
    assert nd["value"] == pytest.approx(e.breakeven_ndpr_usd_per_kg, rel=1e-9)
    o = builtin_study.outcome
    money = o.annual.extra["money"]
    for b, on in zip(summ["breakevens"], ("ndpr", "reo", "byproduct"), strict=True):
        m = b["multiplier"]
        cf, _ = cash_flows(o.basis, o.quantities, money, multipliers={on: m})
        assert abs(float(dcf.npv(cf["net_cash_flow"], e.headline_rate_frac))) < 1.0  # USD
        cf, _ = cash_flows(o.basis, o.quantities, money, multipliers={on: m * 1.01})
        assert float(dcf.npv(cf["net_cash_flow"], e.headline_rate_frac)) > 0  # NPV rises


def test_risks_are_the_widest_tornado_bars(builtin_results_dict, summ):
    torn = builtin_results_dict["economics"]["tornado"]
    # an end at which no ore pays (NPV None, no swing) is the widest risk of all
    widest = sorted(torn, key=lambda r: -np.inf if r["swing_usd"] is None
                    else -r["swing_usd"])[:3]
    assert [r["input"] for r in summ["risks"]] == [r["input"] for r in widest]


def test_one_number_everywhere(builtin_results_dict):
    """Grid cells, spider points, tornado ends and the 1 % claim are the same chain runs."""
    e = builtin_results_dict["economics"]
    torn = {r["input"]: r for r in e["tornado"]}
    g = e["grid"]
    col = {round(x, 12): i for i, x in enumerate(g["x"])}
    row = {round(y, 12): j for j, y in enumerate(g["y"])}
    grade, price = torn["ore.treo_grade"], torn["economics.price_scale_ndpr"]
    base = grade["base_npv_usd"]
    assert g["npv_usd"][row[round(g["y_base"], 12)]][col[round(g["x_base"], 12)]] == base
    assert g["npv_usd"][row[round(g["y_base"], 12)]][col[round(grade["low"], 12)]] == \
        grade["npv_low_usd"]
    assert g["npv_usd"][row[round(price["high"], 12)]][col[round(g["x_base"], 12)]] == \
        price["npv_high_usd"]
    for p in e["spider"]:
        r = torn[p["input"]]
        want = {0.0: r["npv_low_usd"], 0.5: base, 1.0: r["npv_high_usd"]}[p["position"]]
        assert p["npv_usd"] == want
    c4 = next(c for c in builtin_results_dict["claims"] if c["id"] == "C4")
    assert f"NPV8 {grade['npv_low_usd'] / 1e6:,.0f} MUSD" in c4["model"]
    runs = e["sensitivity_runs"]
    assert runs["reused"] >= len(e["spider"])  # the spider costs no chain run


def test_fraction_kpis_read_as_percentages(builtin_results_dict):
    """The KPI table showed "concentrate grade, % TREO 0.272" (a fraction under a % label;
    validation round 8)."""
    from reeflow.report.sections import summary_section

    html = summary_section(builtin_results_dict)
    frac = builtin_results_dict["kpis"]["concentrate_treo_frac"]
    assert f'<td class="num">{100 * frac:.3g} %</td>' in html  # right-aligned like numbers
    assert "site electrical demand, MW" in html


def test_a_share_short_of_all_does_not_read_as_100_percent():
    """"Inferred resource is 100 %" was printed for 99.5 % (validation round 8)."""
    from reeflow.summary import _pct

    assert _pct(0.9953, 0) == "99.5 %" and _pct(1.0, 0) == "100 %"
    assert _pct(0.004, 0) == "0.4 %" and _pct(0.0, 0) == "0 %" and _pct(0.5, 0) == "50 %"


def test_a_sale_two_products_make_is_counted_once():
    """Two mixed groups share the sale "mixed REO concentrate": each row showed the whole
    mixed revenue and the total added them up (review of this stop)."""
    from reeflow.report.sections import _product_rows

    results = {"products": [
        {"name": "LaCe", "kind": "oxide", "t_per_a": 100.0, "sale_name": "mixed REO concentrate"},
        {"name": "SmY", "kind": "oxide", "t_per_a": 10.0, "sale_name": "mixed REO concentrate"},
        {"name": "NdPr", "kind": "oxide", "t_per_a": 20.0, "sale_name": "NdPr oxide"}],
        "economics": {"revenue": [
            {"product": "mixed REO concentrate", "t_per_a": 105.0, "price_usd_per_kg": 2.0,
             "payability_frac": 0.65, "usd_per_a": 1.0e6},
            {"product": "NdPr oxide", "t_per_a": 20.0, "price_usd_per_kg": 69.0,
             "payability_frac": 1.0, "usd_per_a": 1.38e6}]}}
    rows = _product_rows(results)
    assert sum(r.get("revenue_usd_per_a") or 0.0 for r in rows) == pytest.approx(2.38e6)
    assert rows[-1]["name"].startswith("mixed REO concentrate (sold as one: LaCe, SmY")


def test_a_grade_line_that_falls_with_grade_gives_the_average_not_a_marginal_cost():
    """The line said "each extra kg costs more to make than the basket pays" from the life's
    average cash cost; on an unseen low-grade project the marginal cost was half the basket
    (fuzz round 13: the fall came from a larger pit, not from dearer oxide)."""
    from types import SimpleNamespace

    from reeflow.summary import _line_grade

    econ = SimpleNamespace(unit_cost_usd_per_kg_reo=19.51, tornado=[{
        "input": "ore.treo_grade", "low": 0.004, "value": 0.006, "high": 0.008,
        "npv_low_usd": -348e6, "base_npv_usd": -450e6, "npv_high_usd": -587e6}])
    line = _line_grade(econ, 14.69)
    assert line is not None and "NPV falls as the head grade rises" in line.text
    assert "each extra kg" not in line.text
    assert "19.51" in line.text and "14.69" in line.text and "average" in line.text
    # the cash cost is before by-product credits: it does not say the plan loses money
    assert "before by-product credits" in line.text and "loses money" not in line.text


def test_with_own_drillholes_the_grade_line_reads_the_grade_factor_not_the_design_basis():
    """Fuzz round 17: on a project with its own drillholes the line read the ore.treo_grade
    bar, which moves the design basis only, and said "the pit, the schedule and the plant all
    change with the grade"."""
    from types import SimpleNamespace

    from reeflow.summary import _line_grade

    econ = SimpleNamespace(unit_cost_usd_per_kg_reo=10.0, tornado=[
        {"input": "ore.treo_grade", "low": 0.025, "value": 0.03, "high": 0.035,
         "npv_low_usd": -255e6, "base_npv_usd": -296e6, "npv_high_usd": -338e6},
        {"input": "deposit.grade_factor", "low": 0.9, "value": 1.0, "high": 1.1,
         "npv_low_usd": -330e6, "base_npv_usd": -296e6, "npv_high_usd": -260e6}])
    line = _line_grade(econ, 14.69, "deposit.grade_factor")
    assert line is not None and line.text.startswith("NPV rises with the head grade (0.9×")
    assert _line_grade(econ, 14.69, "deposit.grade_factor") != _line_grade(econ, 14.69)
    econ.tornado = econ.tornado[:1]  # no grade-factor bar: no grade line
    assert _line_grade(econ, 14.69, "deposit.grade_factor") is None


def test_a_mixed_concentrate_is_split_by_the_value_the_ndpr_price_carries(builtin_study):
    """A mixed REO concentrate went wholly under "NdPr" when NdPr carried more than half of
    its value (fuzz round 13: a Mount-Weld-like mixed carbonate read 100 % NdPr)."""
    from reeflow.summary import _product_values, revenue_split

    outcome = builtin_study.outcome
    rev = outcome.basis.parts["revenue"]
    row = rev[rev["product"] == "mixed REO concentrate"].iloc[0]
    assert 0 < row["ndpr_linked_usd_per_a"] < row["usd_per_a"]
    parts = {g: v for p, v, g in _product_values(outcome) if p == "mixed REO concentrate"}
    total = parts["NdPr"] + parts["other rare earths"]
    assert parts["NdPr"] == pytest.approx(total * row["ndpr_linked_usd_per_a"]
                                          / row["usd_per_a"], rel=1e-12)
    split = {r["group"]: r for r in revenue_split(outcome)}
    assert "mixed REO concentrate" in split["NdPr"]["products"]
    assert "mixed REO concentrate" in split["other rare earths"]["products"]


def test_a_bar_that_moves_npv_against_its_input_is_explained_by_its_plans():
    """Fuzz round 17: a sub-economic project's NPV rose as the NdPr price fell (its pit shrank
    to one year and its plant with it) and nothing said so."""
    from reeflow.sensitivity import _against

    row = {"input": "economics.price_scale_ndpr", "label": "NdPr price",
           "npv_low_usd": -370e6, "base_npv_usd": -502e6, "npv_high_usd": -450e6}
    plans = ({"ore_t": 0.62e6, "years": 1.0}, {"ore_t": 7.0e6, "years": 5.0},
             {"ore_t": 8.0e6, "years": 6.0})
    got = _against(row, plans)
    assert got is not None
    text, replanned = got
    assert replanned and "0.62 Mt over 1 year at the low end" in text
    assert "7.00 Mt over 5 years at the base" in text
    # NPV rising with price, or falling with cost: nothing to explain
    assert _against({**row, "npv_low_usd": -600e6, "npv_high_usd": -400e6}, plans) is None
    cost = {**row, "input": "economics.opex_scale", "npv_low_usd": -400e6,
            "npv_high_usd": -600e6}
    assert _against(cost, plans) is None
    assert _against({**cost, "npv_high_usd": -398e6}, plans) is not None
    # an input whose way is not known is not judged
    assert _against({**row, "input": "ore.treo_grade"}, plans) is None
    # the same plan at every end: no re-plan to blame (review)
    same = _against(row, (plans[1],) * 3)
    assert same is not None and not same[1]
    assert "the mine plan the same at its ends" in same[0]
    assert _against(row, (None, plans[1], plans[2])) == (
        "NPV moves against NdPr price (the plans at its ends are not known)", False)


def test_a_target_grade_the_chain_refuses_reads_as_a_sentence(builtin_study):
    """Fuzz round 19: the verdict quoted the refusal's raw 'ore: got …; allowed: …' line."""
    from reeflow.core.errors import InputError
    from reeflow.summary import _line_target, _target

    def refuse(loaded, overrides):
        raise InputError("ore", "120.03% of the ore mass",
                         "head grades summing to <= 100 % of the ore mass", "lower them")

    t = _target(builtin_study.outcome, 50.0, 0.0, {}, refuse)
    text = _line_target(t).text
    assert ("could not be re-run at" in text and "ore needs head grades summing to <= 100 % of "
            "the ore mass; at that grade it is 120.03% of the ore mass (lower them)." in text)
    assert "got" not in text and "allowed:" not in text


def test_the_grid_s_price_axis_is_the_deck_times_the_scale_not_twice_scaled(builtin_results_dict):
    """The grid's y are absolute price_scale_ndpr values; the report multiplied them by the
    already-scaled NdPr price, so a project at 1.1 read 1.1 x 1.1 x the deck (review of stop
    37). At scale 1 (the built-in case) the labels are the deck's; at 1.1 they must not move."""
    import copy

    from reeflow.report.sections import summary_section

    base = summary_section(builtin_results_dict)
    scaled = copy.deepcopy(builtin_results_dict)
    econ, grid = scaled["economics"], scaled["economics"]["grid"]
    econ["ndpr_price_usd_per_kg"] *= 1.1
    grid["y"] = [float(y) * 1.1 for y in grid["y"]]
    grid["y_base"] = float(grid["y_base"]) * 1.1
    deck = builtin_results_dict["economics"]["ndpr_price_usd_per_kg"]
    slash = "\\u002f"  # plotly's JSON writes the label's "/" so
    html = summary_section(scaled)
    assert f'"{float(grid["y_base"]) * deck:,.0f} US${slash}kg"' in html
    assert f'"{float(grid["y_base"]) * deck * 1.1:,.0f} US${slash}kg"' not in html
    assert f'"{deck:,.0f} US${slash}kg"' in base


def test_the_ndpr_split_follows_the_scaled_value_when_the_scales_differ(builtin_study):
    """With price_scale_ndpr != price_scale_other the split used the deck's NdPr share of a
    mixed concentrate, not the share of the scaled value the cash flow charges (stop 37's
    second read): at NdPr x2 and the rest x1 the NdPr part of a half-NdPr product is 2/3."""
    from dataclasses import replace
    from types import SimpleNamespace

    from reeflow.summary import _product_values

    outcome = builtin_study.outcome
    basis = replace(outcome.basis, scales=replace(outcome.basis.scales, ndpr=2.0, other=1.0))
    fake = SimpleNamespace(basis=basis, inputs=outcome.inputs)
    rev = outcome.basis.parts["revenue"]
    row = rev[rev["product"] == "mixed REO concentrate"].iloc[0]
    s = row["ndpr_linked_usd_per_a"] / row["usd_per_a"]
    parts = {g: v for p, v, g in _product_values(fake) if p == "mixed REO concentrate"}
    total = parts["NdPr"] + parts["other rare earths"]
    assert parts["NdPr"] / total == pytest.approx(2.0 * s / (2.0 * s + (1.0 - s)), rel=1e-12)
