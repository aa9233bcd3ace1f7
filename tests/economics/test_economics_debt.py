"""Debt, levered returns and DSCR: pure functions against numpy-financial and a hand
calculation; invariants (the loan is repaid, zero debt leaves equity = project)."""

import numpy as np
import numpy_financial as npf
import pytest
from econ_fixtures import case_params, make_inputs

from reeflow.core.errors import InputError
from reeflow.economics import dcf, evaluate


def _sched(life=10):
    return dcf.Schedule(construction_years=2, life_years=life, capex_phasing_frac=(0.4, 0.6),
                        ramp_up_frac=(), sustaining_capex_frac_per_a=0.0,
                        working_capital_frac=0.0, closure_cost_frac=0.0)


def test_annuity_matches_numpy_financial():
    for p, r, n in ((100.0, 0.08, 5), (61.92, 0.06, 8), (1e6, 0.0, 10)):
        assert dcf.annuity_payment(p, r, n) == pytest.approx(-npf.pmt(r, n, p) if r else p / n)


def test_schedule_by_hand():
    s = _sched()
    d = dcf.debt_schedule(dcf.capex_spend(100.0, s), dcf.DebtTerms(0.6, 0.08, 5, 1, 0.02), s)
    # draws 24 and 36; year-1 interest 0.08 x 24 = 1.92 capitalised; balance 61.92
    assert d["draw"][:2] == pytest.approx([24.0, 36.0])
    assert d["capitalised_interest"][1] == pytest.approx(1.92)
    assert d["balance"][1] == pytest.approx(61.92)
    assert d["interest"][2] == pytest.approx(0.08 * 61.92) and d["principal"][2] == 0.0  # grace
    pay = -npf.pmt(0.08, 5, 61.92)
    assert (d["interest"][3:8] + d["principal"][3:8]) == pytest.approx(np.full(5, pay))
    assert d["balance"][-1] == pytest.approx(0.0, abs=1e-9)
    assert d["principal"].sum() == pytest.approx(61.92)
    assert d["fee"][0] == pytest.approx(0.02 * 60.0) and d["fee"][1:].sum() == 0.0
    sl = dcf.debt_schedule(dcf.capex_spend(100.0, s),
                           dcf.DebtTerms(0.6, 0.08, 5, 0, repayment="straight_line"), s)
    assert sl["principal"][2:7] == pytest.approx(np.full(5, 61.92 / 5))


def test_levered_flows_by_hand_and_against_npf_irr():
    s = _sched()
    f = dcf.FiscalTerms(tax_rate_frac=0.25, loss_carry_forward_years=5)
    cf = dcf.project_cash_flows(40.0, 10.0, 5.0, 100.0, schedule=s, fiscal=f)
    zero = dcf.levered_cash_flows(cf, dcf.debt_schedule(cf["capex"], dcf.DebtTerms(
        0.0, 0.08, 5), s), fiscal=f)
    assert zero["equity_cash_flow"] == pytest.approx(cf["net_cash_flow"])
    d = dcf.debt_schedule(cf["capex"], dcf.DebtTerms(0.6, 0.08, 5, 1, 0.02), s)
    lev = dcf.levered_cash_flows(cf, d, fiscal=f)
    eq = lev["equity_cash_flow"]
    # equity = project - tax shield difference + draw - service - fee, by hand
    hand = (cf["net_cash_flow"] + cf["tax"] - lev["tax"] + d["draw"] - d["interest"]
            - d["principal"] - d["fee"])
    assert eq == pytest.approx(hand)
    assert lev["tax"].sum() < cf["tax"].sum()  # interest is deductible
    ours = float(dcf.irr(eq))
    assert ours == pytest.approx(npf.irr(eq), abs=1e-6)  # npf's polynomial root is ~1e-7
    assert abs(npf.npv(ours, eq)) < 1e-9 * abs(eq).max()
    assert float(dcf.irr(eq)) > float(dcf.irr(cf["net_cash_flow"]))  # positive leverage here
    k = 3
    assert lev["dscr"][k] == pytest.approx(lev["cfads"][k] / (d["interest"][k]
                                                              + d["principal"][k]))
    assert np.isnan(lev["dscr"][0]) and np.isnan(lev["dscr"][-1])


def test_tenor_beyond_life_is_refused():
    s = _sched(life=5)
    with pytest.raises(InputError, match="tenor"):
        dcf.debt_schedule(dcf.capex_spend(1.0, s), dcf.DebtTerms(0.5, 0.05, 6), s)


def test_evaluate_reports_pre_tax_and_levered():
    p = case_params()
    plain = evaluate(make_inputs(), params=p)
    assert plain.levered is None
    assert plain.npv_pre_tax_usd[0.08] >= plain.npv_usd[0.08]
    pre = plain.cash_flows["net_cash_flow"] + plain.cash_flows["tax"]
    assert plain.irr_pre_tax_frac == pytest.approx(float(dcf.irr(pre.to_numpy())))
    debt = p.with_overrides({"debt": {"share_of_capex": 0.6, "interest_rate": 0.06,
                                      "tenor_years": 8, "grace_years": 1}})
    r = evaluate(make_inputs(), params=debt)
    assert r.npv_usd == plain.npv_usd  # project returns do not depend on financing
    lev = r.levered
    assert set(lev) >= {"npv_equity_usd", "irr_equity_frac", "dscr_min", "dscr_mean"}
    eq = np.asarray(lev["annual"]["equity_cash_flow"])
    assert lev["npv_equity_usd"]["0.0800"] == pytest.approx(float(dcf.npv(eq, 0.08)))
    assert lev["dscr_min"] <= lev["dscr_mean"]
