"""Figure builders are pure functions results-section -> Figure: cross-checks of their content.

Inputs are REAL study output (the built-in case).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from reeflow.core.elements import REE, oxide_factor
from reeflow.report import figures as figs
from reeflow.report import figures_econ as fe
from reeflow.report import figures_sx as fsx


def test_element_flow_frame_adds_treo_on_oxide_basis(results):
    flows = results["flowsheet"]["element_flows"]
    df = figs.element_flow_frame(flows)
    ore = df[(df["stream"] == "ore")]
    expected = math.fsum(f["kg_per_h"] * oxide_factor(f["element"]) for f in flows
                         if f["stream"] == "ore" and f["element"] in REE)
    assert ore.loc[ore["element"] == "TREO", "kg_per_h"].item() == pytest.approx(expected, 1e-12)
    assert (df.loc[df["stream"] == "ore", "source"] == "feed:ore").all()


def test_sankey_treo_links_balance_per_unit(results):
    df = figs.element_flow_frame(results["flowsheet"]["element_flows"])
    treo = df[df["element"] == "TREO"]
    for unit in ("beneficiation", "leach", "separation"):
        inflow = treo.loc[treo["target"] == unit, "kg_per_h"].sum()
        outflow = treo.loc[treo["source"] == unit, "kg_per_h"].sum()
        assert outflow == pytest.approx(inflow, rel=1e-9)


def test_sankey_one_trace_per_element_with_selector(results):
    fig = figs.sankey_figure(results["flowsheet"])
    names = [t.name for t in fig.data]
    assert names[0] == "TREO" and {"La", "Ce", "Pr", "Nd", "Sm", "Y", "Th"} <= set(names)
    assert [t.visible for t in fig.data].count(True) == 1 and fig.data[0].visible
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == names
    assert buttons[3].args[0]["visible"] == [i == 3 for i in range(len(names))]
    nd = next(t for t in fig.data if t.name == "Nd")
    labels = list(nd.node.label)
    feed = labels.index("ore")  # feed node (green), labelled by its stream
    ore_nd = sum(f["kg_per_h"] for f in results["flowsheet"]["element_flows"]
                 if f["stream"] == "ore" and f["element"] == "Nd")
    fed = sum(v for s, v in zip(nd.link.source, nd.link.value, strict=True) if s == feed)
    assert fed == pytest.approx(ore_nd, rel=1e-9)


def test_sankey_without_flows_is_an_empty_figure():
    fig = figs.sankey_figure({})
    assert isinstance(fig, go.Figure) and len(fig.data) == 0


@pytest.mark.parametrize("cut,expected", [("LaCe|PrNd", (("La", "Ce"), ("Pr", "Nd"))),
                                          ("Nd/Sm", (("Nd",), ("Sm",))),
                                          ("Pr | Nd", (("Pr",), ("Nd",)))])
def test_parse_cut(cut, expected):
    assert fsx.parse_cut(cut) == expected


def test_parse_cut_reads_product_names_through_the_groups():
    groups = {"lanthanum": ["La"], "cerium": ["Ce"], "magnet": ["Pr", "Nd"]}
    assert fsx.parse_cut("lanthanum|cerium+magnet", groups) == (("La",), ("Ce", "Pr", "Nd"))
    assert fsx.parse_cut("Ce|NdPr", {"Ce": ["Ce"], "NdPr": ["Pr", "Nd"]}) == \
        (("Ce",), ("Pr", "Nd"))
    # a name holding '+' ('SEG+', the trade's Sm-Eu-Gd-and-up) is read whole
    seg = {"Ce": ["Ce"], "NdPr": ["Pr", "Nd"], "SEG+": ["Sm", "Eu", "Gd"]}
    assert fsx.parse_cut("Ce+NdPr|SEG+", seg) == (("Ce", "Pr", "Nd"), ("Sm", "Eu", "Gd"))
    assert fsx.parse_cut("Ce|NdPr+SEG+", seg) == (("Ce",), ("Pr", "Nd", "Sm", "Eu", "Gd"))


def test_sx_train_tree_with_free_product_names_labels_every_product():
    """Names that are not element symbols ('magnet') gave two unlabelled leaves (fuzz 22)."""
    sx = {"sequence": ["lanthanum|cerium+magnet+heavy", "cerium|magnet+heavy", "magnet|heavy"],
          "groups": {"lanthanum": ["La"], "cerium": ["Ce"], "magnet": ["Pr", "Nd"],
                     "heavy": ["Sm", "Y"]}}
    fig = fsx.sx_train_figure(sx)
    leaves = next(t for t in fig.data if t.name == "product group")
    cuts = next(t for t in fig.data if t.name == "cut (cascade)")
    assert sorted(leaves.text) == sorted(sx["groups"]) and len(cuts.x) == 3
    assert max(cuts.x) == 2  # a chain of three cuts, each a child of the one before


def test_mccabe_thiele_reads_the_cuts_own_elements():
    cut = {"cut": "light|magnet", "light": ["Pr"], "heavy": ["Nd"]}
    assert fsx._cut_elements(cut) == (("Pr",), ("Nd",))
    assert fsx._cut_elements({"cut": "Pr|Nd"}) == (("Pr",), ("Nd",))


def _binary_cut(results):
    """A cut with one element on each side (McCabe–Thiele needs a binary); the built-in train
    may have none (e.g. La|Ce+Pr+Nd+Sm+Y first), then the McCabe–Thiele tests are skipped."""
    cut = next((c for c in results["sx"]["cascades"]
                if all(len(side) == 1 for side in fsx.parse_cut(c["cut"]))), None)
    if cut is None:
        pytest.skip("the built-in SX train has no single-element binary cut")
    return cut


def test_sx_train_tree_leaves_are_the_products(results):
    fig = fsx.sx_train_figure(results["sx"])
    cuts = next(t for t in fig.data if t.name == "cut (cascade)")
    leaves = next(t for t in fig.data if t.name == "product group")
    assert len(cuts.x) == len(results["sx"]["sequence"])
    assert len(leaves.text) == len(cuts.x) + 1  # a binary tree of cuts
    assert sorted(leaves.text) == sorted(results["sx"]["groups"])  # named as the project does
    assert min(cuts.x) == 0 and min(leaves.x) >= 1


def test_mccabe_thiele_points_lie_on_constant_beta_curve(results):
    cut = _binary_cut(results)
    fig = fsx.mccabe_thiele_figure(cut)
    eq = next(t for t in fig.data if t.name.startswith("equilibrium"))
    pts = next(t for t in fig.data if t.name == "stage equilibria")
    beta = cut["beta"]
    x, y = np.asarray(pts.x), np.asarray(pts.y)
    np.testing.assert_allclose(y, beta * x / (1 + (beta - 1) * x), rtol=1e-9)
    assert np.interp(0.5, eq.x, eq.y) == pytest.approx(beta * 0.5 / (1 + (beta - 1) * 0.5),
                                                       rel=1e-3)
    stairs = next(t for t in fig.data if t.name == "stages")
    assert len(stairs.x) == 2 * len(x) - 1


def test_mccabe_thiele_none_for_multielement_or_missing_data(results):
    multi = next(c for c in results["sx"]["cascades"]
                 if any(len(side) > 1 for side in fsx.parse_cut(c["cut"])))
    assert fsx.mccabe_thiele_figure(multi) is None
    assert fsx.mccabe_thiele_figure({"cut": "A|B"}) is None  # no profiles
    explicit = {"cut": "A|B", "mccabe_thiele": {"x": [0.1, 0.5], "y": [0.2, 0.6]}}
    assert isinstance(fsx.mccabe_thiele_figure(explicit), go.Figure)


def test_profiles_dropdown_per_cascade(results):
    cascades = results["sx"]["cascades"]
    fig = fsx.sx_profiles_figure(cascades)
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == [c["cut"] for c in cascades]


def test_monte_carlo_lines_at_percentiles():
    rng = np.random.default_rng(1)
    samples = rng.normal(50e6, 80e6, 500)
    mc = {"draws": 500, "npv_samples_usd": samples.tolist(),
          "p10_usd": float(np.quantile(samples, 0.1)), "p50_usd": float(np.median(samples)),
          "p90_usd": float(np.quantile(samples, 0.9))}
    fig = fe.monte_carlo_figure(mc)
    xs = sorted(s.x0 for s in fig.layout.shapes)
    expected = sorted([0.0] + [mc[k] / 1e6 for k in ("p10_usd", "p50_usd", "p90_usd")])
    np.testing.assert_allclose(xs, expected)
    assert len(fig.data[0].x) == mc["draws"]


def test_cashflow_costs_plotted_negative(results):
    fig = fe.cashflow_figure(results["economics"])
    annual = results["economics"]["annual"]
    capex = next(t for t in fig.data if t.name == "capex")
    first = annual[0]
    capital = first["capex_usd"] + first["sustaining_capex_usd"] + first["closure_usd"]
    assert capex.y[0] == pytest.approx(-capital / 1e6)
    cum = next(t for t in fig.data if t.name.startswith("cumulative"))
    assert cum.y[-1] == pytest.approx(annual[-1]["cumulative_cash_flow_usd"] / 1e6)


def test_tornado_sorted_widest_on_top(results):
    rows = results["economics"]["tornado"]
    base = rows[0]["base_npv_usd"]
    fig = fe.tornado_figure(rows, base_npv_usd=base)
    # plotly draws the last category on top; an end where no ore pays is named in the label
    assert list(fig.data[0].y)[-1].startswith(rows[0]["label"])
    low = fig.data[0]
    assert low.base == pytest.approx(base / 1e6)
    row = next(r for r in rows if r["npv_low_usd"] is not None)
    at = list(low.y).index(row["label"])
    assert low.x[at] + low.base == pytest.approx(row["npv_low_usd"] / 1e6)


def test_market_shares_before_after_sum_to_100(results):
    fig = fe.market_shares_figure(results["market"]["stages"][0], top_n=4)
    for trace in fig.data:
        assert sum(trace.y) == pytest.approx(100.0)
    assert list(fig.data[0].x)[-1] == "others"


def test_pit_and_schedule_figures(results):
    pit = fe.pit_by_pit_figure(results["mine"])
    ore = next(t for t in pit.data if t.name == "ore, Mt")
    assert list(ore.x) == sorted(ore.x)
    sched = fe.schedule_figure(results["mine"])
    grade = next(t for t in sched.data if t.name.startswith("head grade"))
    assert grade.y[0] == pytest.approx(100 * results["mine"]["schedule"][0]
                                       ["head_grade_treo_frac"])


@pytest.mark.parametrize("builder,arg", [
    (figs.products_figure, []), (fsx.sx_train_figure, {}), (fsx.sx_profiles_figure, []),
    (fe.cashflow_figure, {}), (fe.tornado_figure, []), (fe.monte_carlo_figure, {}),
    (fe.market_shares_figure, {}), (fe.hhi_figure, []), (fe.grade_tonnage_figure, {}),
    (fe.variogram_figure, {}), (fe.pit_by_pit_figure, {}), (fe.schedule_figure, {}),
])
def test_builders_accept_empty_sections(builder, arg):
    assert isinstance(builder(arg), go.Figure)


def test_engine_profile_layout_converted_to_concentrations(results):
    """The SX engine's CascadeResult.to_dict() layout (mol/h and L/h per stage) becomes
    concentrations: mol/L = (mol/h) / (L/h), element by element, H+ not plotted."""
    cut = results["sx"]["cascades"][0]
    p = cut["profiles"]
    a_aq, a_org, unit = fsx.stage_profiles(cut)
    comps = cut["components"]
    assert unit == "mol/L" and "H" not in a_aq
    for el in a_aq:
        j = comps.index(el)
        want = [row[j] / q for row, q in zip(p["aq_mol_per_h"], p["q_aq_L_per_h"], strict=True)]
        np.testing.assert_allclose(a_aq[el], want, rtol=1e-12)
        want_o = [row[j] / q if q > 0 else 0.0
                  for row, q in zip(p["org_mol_per_h"], p["q_org_L_per_h"], strict=True)]
        np.testing.assert_allclose(a_org[el], want_o, rtol=1e-12)


def test_mccabe_thiele_staircase_pairs_operating_points(results):
    """Organic enters stage 1: operating points are (x_{n+1}, y_n) on the staircase."""
    fig = fsx.mccabe_thiele_figure(_binary_cut(results))
    pts = next(t for t in fig.data if t.name == "stage equilibria")
    stairs = next(t for t in fig.data if t.name == "stages")
    assert (stairs.x[1], stairs.y[1]) == (pts.x[1], pts.y[0])
    assert (stairs.x[2], stairs.y[2]) == (pts.x[1], pts.y[1])


@pytest.mark.parametrize("a,b", [((-100.0, 50.0), (-200.0, 800.0)), ((-10.0, 50.0), (-600.0, 800.0)),
                                 ((0.0, 30.0), (-5.0, 1.0)), ((-3.0, 0.0), (0.0, 9.0))])
def test_cashflow_axes_share_zero_and_cover_data(a, b):
    left, right = fe._aligned_ranges(a, b)
    z = [-lo / (hi - lo) for lo, hi in (left, right)]
    assert z[0] == pytest.approx(z[1], abs=1e-12)
    assert left[0] <= a[0] and left[1] >= a[1] and right[0] <= b[0] and right[1] >= b[1]


def test_market_shares_always_show_the_project_country(results):
    stage = results["market"]["stages"][0]
    fig = fe.market_shares_figure(stage, top_n=2)
    names = list(fig.data[0].x)
    assert names[:2] == ["China", "United States"] and "Türkiye" in names
    assert names[-1] == "others"
    for trace in fig.data:
        assert sum(trace.y) == pytest.approx(100.0)
