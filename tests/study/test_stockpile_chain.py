"""A mine plan with a stockpile carries its flows into the chain's booked years, the report
and the cash flow (it carried the plant feed and the waste only: the report's ore + waste bars
did not add up to the tonnes moved, and the rehandling the schedule charged was free in the
DCF)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from reeflow.chain.mine_steps import plan_years, rebin_schedule


def _plan() -> pd.DataFrame:
    # year 1 pre-strip; year 3 stockpiles 100 kt; years 4-5 reclaim 50 kt each at 2 USD/t
    return pd.DataFrame({
        "ore_t": [0.0, 100.0, 100.0, 100.0, 100.0],
        "mined_t": [40.0, 150.0, 260.0, 50.0, 50.0],
        "waste_t": [40.0, 50.0, 60.0, 0.0, 0.0],
        "stockpile_in_t": [0.0, 0.0, 100.0, 0.0, 0.0],
        "stockpile_out_t": [0.0, 0.0, 0.0, 50.0, 50.0],
        "rehandle_usd": [0.0, 0.0, 0.0, 100.0, 100.0],
        "treo_frac": [np.nan, .02, .03, .025, .025]})


@pytest.mark.parametrize("book", [rebin_schedule, plan_years])
def test_booked_years_carry_the_stockpile_flows_and_their_balance(book):
    out, left = book(_plan(), np.full(4, 100.0))
    assert left == 0.0
    assert out["stockpile_in_t"].tolist() == pytest.approx([0.0, 100.0, 0.0, 0.0])
    assert out["stockpile_out_t"].tolist() == pytest.approx([0.0, 0.0, 50.0, 50.0])
    assert out["stockpile_t"].tolist() == pytest.approx([0.0, 100.0, 50.0, 0.0])
    assert out["rehandle_usd"].tolist() == pytest.approx([0.0, 0.0, 100.0, 100.0])
    direct = out["ore_t"] - out["stockpile_out_t"]  # mined = ore straight to the plant + pile
    np.testing.assert_allclose(direct + out["stockpile_in_t"] + out["waste_t"], out["mined_t"],
                               rtol=0, atol=1e-9)


def test_a_plan_without_stockpile_books_no_stockpile_columns():
    plan = _plan().drop(columns=["stockpile_in_t", "stockpile_out_t", "rehandle_usd"])
    out, _ = rebin_schedule(plan, np.full(4, 100.0))
    assert not {"stockpile_in_t", "stockpile_t", "rehandle_usd"} & set(out.columns)


def test_rebinning_splits_a_year_s_flows_with_its_ore():
    """Half a plan year's ore booked in each of two plant years takes half its flows each."""
    plan = _plan()
    out, _ = rebin_schedule(plan, np.array([50.0, 100.0, 100.0, 100.0, 50.0]))
    assert out["stockpile_in_t"].tolist() == pytest.approx([0, 50, 50, 0, 0])
    assert out["rehandle_usd"].tolist() == pytest.approx([0, 0, 50, 100, 50])
    assert out["stockpile_t"].tolist() == pytest.approx([0, 50, 75, 25, 0])


@pytest.fixture(scope="module")
def stockpile_outcome(tmp_path_factory):
    from reeflow.chain.pipeline import run_chain
    from reeflow.project import load_project

    path = tmp_path_factory.mktemp("pile") / "project.yaml"
    path.write_text("extends: builtin:beylikova\nmine:\n  stockpiles:\n    - name: low\n"
                    "      capacity_t: 3000000 t\n      rehandle_cost_usd_per_t: 2 USD/t\n")
    return run_chain(load_project(path))


def test_the_chain_books_the_plan_s_stockpile_and_charges_its_rehandling(stockpile_outcome):
    from reeflow.economics.annual import _year_money

    o = stockpile_outcome
    s = o.mine.schedule
    assert s["stockpile_in_t"].sum() > 0 and s["stockpile_out_t"].sum() > 0
    balance = np.cumsum(s["stockpile_in_t"] - s["stockpile_out_t"])
    np.testing.assert_allclose(s["stockpile_t"], balance, atol=1e-6)
    assert (s["stockpile_t"] >= -1e-6).all() and (s["stockpile_t"] <= 3e6 * (1 + 1e-9)).all()
    # the rehandling is the plan's, 2 USD per t reclaimed
    np.testing.assert_allclose(s["rehandle_usd"], 2.0 * s["stockpile_out_t"], rtol=1e-9)
    q = o.quantities
    np.testing.assert_array_equal(q.rehandle_usd, s["rehandle_usd"].to_numpy(float))
    with_pile = _year_money(o.basis, q)
    without = _year_money(o.basis, replace(q, rehandle_usd=None))
    extra = with_pile["mining"] - without["mining"]
    np.testing.assert_allclose(extra, q.rehandle_usd * o.basis.scales.opex, rtol=1e-9,
                               atol=1e-6)


def test_the_stockpile_reaches_results_and_the_report(stockpile_outcome):
    from reeflow.report.figures_econ import schedule_figure
    from reeflow.study import build_results

    res = build_results(stockpile_outcome, runtime_s=0.0, sensitivities=False).to_dict()
    rows = res["mine"]["schedule"]
    assert all(r["stockpile_t"] is not None and r["rehandle_usd"] is not None for r in rows)
    fig = schedule_figure(res["mine"])
    names = [t.name for t in fig.data]
    assert "ore mined to stockpile, kt" in names and "plant feed incl. reclaim, kt" in names
    bars = [t for t in fig.data if t.type == "bar"]
    moved = np.sum([np.nan_to_num(np.array(t.y, float)) for t in bars], axis=0)
    np.testing.assert_allclose(moved, [r["mined_t"] / 1e3 for r in rows], rtol=1e-9,
                               atol=1e-6)



def test_the_plan_stockpiles_at_the_rehandling_rate_the_cash_flow_pays(tmp_path):
    """With an operating-cost scale the DCF pays the rehandling times that scale (with the
    mining row); the plan chose its stockpiling at the base rate (last read, stop 40): it now
    charges the scaled rate, and the rows carry the base rate's cost the DCF scales once."""
    from reeflow.chain.pipeline import run_chain
    from reeflow.economics.annual import _year_money
    from reeflow.mine.params import StockpileParams
    from reeflow.project import load_project

    assert StockpileParams(capacity_t="1 t", rehandle_cost_usd_per_t="2 USD/t").spec(
        1.5).rehandle_cost_usd_per_t == pytest.approx(3.0)
    path = tmp_path / "project.yaml"
    path.write_text("extends: builtin:beylikova\neconomics:\n  opex_scale: 1.1\n"
                    "mine:\n  stockpiles:\n    - name: low\n      capacity_t: 3000000 t\n"
                    "      rehandle_cost_usd_per_t: 2 USD/t\n")
    o = run_chain(load_project(path))
    plan = o.mine.plan.schedule
    assert plan["stockpile_out_t"].sum() > 0  # 247 kt reclaimed (2026-12-03)
    np.testing.assert_allclose(plan["rehandle_usd"], 2.2 * plan["stockpile_out_t"], rtol=1e-9)
    s = o.mine.schedule
    np.testing.assert_allclose(s["rehandle_usd"], 2.0 * s["stockpile_out_t"], rtol=1e-9,
                               atol=1e-6)
    q = o.quantities
    extra = _year_money(o.basis, q)["mining"] - _year_money(
        o.basis, replace(q, rehandle_usd=None))["mining"]
    np.testing.assert_allclose(extra, 2.2 * s["stockpile_out_t"], rtol=1e-9, atol=1e-6)
