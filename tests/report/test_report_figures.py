"""Figure builders are pure functions results-section -> Figure: cross-checks of their content.

Inputs are the MOCK results of report_mock.py.
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
    assert (df.loc[df["stream"] == "tailings", "target"] == "product:tailings").all()


def test_sankey_treo_links_balance_per_unit(results):
    df = figs.element_flow_frame(results["flowsheet"]["element_flows"])
    treo = df[df["element"] == "TREO"]
    for unit in ("flotation", "bake_leach", "separation"):
        inflow = treo.loc[treo["target"] == unit, "kg_per_h"].sum()
        outflow = treo.loc[treo["source"] == unit, "kg_per_h"].sum()
        assert outflow == pytest.approx(inflow, rel=1e-12)


def test_sankey_one_trace_per_element_with_selector(results):
    fig = figs.sankey_figure(results["flowsheet"])
    names = [t.name for t in fig.data]
    assert names[0] == "TREO" and set(names) == {"TREO", "La", "Ce", "Pr", "Nd", "Sm", "Y", "Th",
                                                 "Ca", "Ba"}
    assert [t.visible for t in fig.data].count(True) == 1 and fig.data[0].visible
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == names
    assert buttons[3].args[0]["visible"] == [i == 3 for i in range(len(names))]
    nd = next(t for t in fig.data if t.name == "Nd")
    labels = list(nd.node.label)
    feed = labels.index("feed: ore")
    assert sum(v for s, v in zip(nd.link.source, nd.link.value, strict=True) if s == feed) == 12.0


def test_sankey_without_flows_is_an_empty_figure():
    fig = figs.sankey_figure({})
    assert isinstance(fig, go.Figure) and len(fig.data) == 0


@pytest.mark.parametrize("cut,expected", [("LaCe|PrNd", (("La", "Ce"), ("Pr", "Nd"))),
                                          ("Nd/Sm", (("Nd",), ("Sm",))),
                                          ("Pr | Nd", (("Pr",), ("Nd",)))])
def test_parse_cut(cut, expected):
    assert fsx.parse_cut(cut) == expected


def test_sx_train_tree_leaves_are_the_products(results):
    fig = fsx.sx_train_figure(results["sx"])
    cuts = next(t for t in fig.data if t.name == "cut (cascade)")
    leaves = next(t for t in fig.data if t.name == "product group")
    assert len(cuts.x) == 4
    assert sorted(leaves.text) == ["Ce", "La", "Nd", "Pr", "Sm"]
    # the root cut sits at depth 0, leaves deeper
    assert min(cuts.x) == 0 and min(leaves.x) >= 1


def test_mccabe_thiele_points_lie_on_constant_beta_curve(results):
    prnd = results["sx"]["cascades"][3]
    fig = fsx.mccabe_thiele_figure(prnd)
    eq = next(t for t in fig.data if t.name.startswith("equilibrium"))
    pts = next(t for t in fig.data if t.name == "stage equilibria")
    beta = prnd["beta"]
    x, y = np.asarray(pts.x), np.asarray(pts.y)
    np.testing.assert_allclose(y, beta * x / (1 + (beta - 1) * x), rtol=1e-12)
    assert np.interp(0.5, eq.x, eq.y) == pytest.approx(beta * 0.5 / (1 + (beta - 1) * 0.5))
    stairs = next(t for t in fig.data if t.name == "stages")
    assert len(stairs.x) == 2 * len(x) - 1


def test_mccabe_thiele_none_for_multielement_or_missing_data(results):
    assert fsx.mccabe_thiele_figure(results["sx"]["cascades"][0]) is None
    assert fsx.mccabe_thiele_figure(results["sx"]["cascades"][1]) is None  # no organic profile
    explicit = {"cut": "A|B", "mccabe_thiele": {"x": [0.1, 0.5], "y": [0.2, 0.6]}}
    assert isinstance(fsx.mccabe_thiele_figure(explicit), go.Figure)


def test_profiles_dropdown_per_cascade(results):
    fig = fsx.sx_profiles_figure(results["sx"]["cascades"])
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["La|Ce", "Pr|Nd"]
    assert sum(bool(t.visible) for t in fig.data) == 2


def test_monte_carlo_lines_at_percentiles(results):
    mc = results["economics"]["monte_carlo"]
    fig = fe.monte_carlo_figure(mc)
    xs = sorted(s.x0 for s in fig.layout.shapes)
    expected = sorted([0.0] + [mc[k] / 1e6 for k in ("p10_usd", "p50_usd", "p90_usd")])
    np.testing.assert_allclose(xs, expected)
    assert len(fig.data[0].x) == mc["draws"]


def test_cashflow_costs_plotted_negative(results):
    fig = fe.cashflow_figure(results["economics"])
    capex = next(t for t in fig.data if t.name == "capex")
    assert capex.y[0] == pytest.approx(-320.0)
    cum = next(t for t in fig.data if t.name.startswith("cumulative"))
    assert cum.y[-1] == pytest.approx(results["economics"]["cashflow"][-1]["cumulative_usd"] / 1e6)


def test_tornado_sorted_widest_on_top(results):
    fig = fe.tornado_figure(results["economics"]["tornado"], base_npv_usd=120e6)
    assert list(fig.data[0].y)[-1] == "head grade"  # plotly draws the last category on top
    low = fig.data[0]
    assert low.base == pytest.approx(120.0)
    assert low.x[-1] + low.base == pytest.approx(-90.0)


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
    assert grade.y[0] == pytest.approx(100 * results["mine"]["schedule"][0]["treo_frac"])


@pytest.mark.parametrize("builder,arg", [
    (figs.products_figure, []), (fsx.sx_train_figure, {}), (fsx.sx_profiles_figure, []),
    (fe.cashflow_figure, {}), (fe.tornado_figure, []), (fe.monte_carlo_figure, {}),
    (fe.market_shares_figure, {}), (fe.hhi_figure, []), (fe.grade_tonnage_figure, {}),
    (fe.variogram_figure, {}), (fe.pit_by_pit_figure, {}), (fe.schedule_figure, {}),
])
def test_builders_accept_empty_sections(builder, arg):
    assert isinstance(builder(arg), go.Figure)


def test_pit_by_pit_accepts_room_aliases(results):
    expected = fe.pit_by_pit_figure(results["mine"])
    for row in results["mine"]["nested"]:
        row["ore_t"] = row.pop("ore_tonnes")
    got = fe.pit_by_pit_figure(results["mine"])
    for name in ("ore, Mt", "waste, Mt"):
        a = next(t for t in expected.data if t.name == name)
        b = next(t for t in got.data if t.name == name)
        np.testing.assert_allclose(a.y, b.y, rtol=1e-12)


def test_cashflow_rows_from_economics_room_columns(results):
    schema_rows = results["economics"]["cashflow"]
    cols = {"year": [r["year"] for r in schema_rows],
            "revenue": [r["revenue_usd"] for r in schema_rows],
            "opex": [r["opex_usd"] for r in schema_rows],
            "capex": [r["capex_usd"] for r in schema_rows],
            "sustaining_capex": [0.0] * len(schema_rows),
            "royalty": [r["royalty_usd"] for r in schema_rows],
            "tax": [r["tax_usd"] for r in schema_rows],
            "net_cash_flow": [r["net_cash_flow_usd"] for r in schema_rows]}
    rows = fe.cashflow_rows({"cash_flows": cols})
    assert len(rows) == len(schema_rows)
    for got, want in zip(rows, schema_rows, strict=True):
        for key, value in want.items():
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-6), key


def test_tornado_accepts_economics_room_columns(results):
    schema = results["economics"]["tornado"]
    room = [{"driver": r["driver"], "npv_low_usd": r["low_npv_usd"],
             "npv_high_usd": r["high_npv_usd"], "low": 0.7, "high": 1.3} for r in schema]
    a = fe.tornado_figure(schema, base_npv_usd=1e8)
    b = fe.tornado_figure(room, base_npv_usd=1e8)
    for ta, tb in zip(a.data, b.data, strict=True):
        assert list(ta.y) == list(tb.y)
        np.testing.assert_allclose(ta.x, tb.x)
    assert list(b.data[0].text) == ["0.7"] * 3


def test_engine_profile_layout_converted_to_concentrations(results):
    """The SX engine's CascadeResult.to_dict() layout gives the same McCabe–Thiele points."""
    prnd = results["sx"]["cascades"][3]
    aq, org = prnd["profiles"], prnd["profiles_organic"]
    n = len(aq["Pr"])
    q_aq, q_org = np.full(n, 2.0), np.full(n, 4.0)  # L/h; mol/h = conc × flow
    engine = {"cut": "Pr|Nd", "beta": prnd["beta"], "components": ["H", "Pr", "Nd"],
              "sections": [["extraction", 20], ["scrub", 20]],
              "profiles": {"aq_mol_per_h": [[1.0, aq["Pr"][i] * 2.0, aq["Nd"][i] * 2.0]
                                            for i in range(n)],
                           "org_mol_per_h": [[0.0, org["Pr"][i] * 4.0, org["Nd"][i] * 4.0]
                                             for i in range(n)],
                           "q_aq_L_per_h": q_aq.tolist(), "q_org_L_per_h": q_org.tolist()}}
    a_aq, a_org, unit = fsx.stage_profiles(engine)
    assert unit == "mol/L" and set(a_aq) == {"Pr", "Nd"}  # H is not plotted
    np.testing.assert_allclose(a_aq["Nd"], aq["Nd"], rtol=1e-12)
    np.testing.assert_allclose(a_org["Pr"], org["Pr"], rtol=1e-12)
    ref = next(t for t in fsx.mccabe_thiele_figure(prnd).data if t.name == "stage equilibria")
    got = next(t for t in fsx.mccabe_thiele_figure(engine).data if t.name == "stage equilibria")
    np.testing.assert_allclose(got.x, ref.x, rtol=1e-12)
    np.testing.assert_allclose(got.y, ref.y, rtol=1e-12)
    prof = fsx.sx_profiles_figure([engine])
    assert [s.x0 for s in prof.layout.shapes] == [20.5]


def test_mccabe_thiele_staircase_pairs_operating_points(results):
    """Organic enters stage 1: operating points are (x_{n+1}, y_n) on the staircase."""
    fig = fsx.mccabe_thiele_figure(results["sx"]["cascades"][3])
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
