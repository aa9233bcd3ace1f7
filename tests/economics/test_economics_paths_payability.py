"""Price paths by period (offtake, then life of mine), purity-based payability and break-evens
of each revenue class (issue #12)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.economics import load_deck
from reeflow.economics.annual import breakeven_multiplier, evaluate_annual
from reeflow.economics.prices import payability, purity_payability, spec_purity


def test_spec_purity_is_read_from_the_price_basis():
    assert spec_purity("Cerium oxide, 99.5% minimum") == pytest.approx(0.995)
    assert spec_purity("Neodymium-praseodymium (NdPr) oxide, 99% minimum") == pytest.approx(0.99)
    assert spec_purity("no number") is None
    deck = load_deck("usgs_2025")
    assert deck.specs_frac["NdPr oxide"] == pytest.approx(0.99)
    assert load_deck("usgs_2025_ndpr_floor").specs_frac == deck.specs_frac


def test_below_spec_oxide_is_paid_as_a_mixed_concentrate():
    deck = load_deck("usgs_2025")
    mixed = payability("mixed REO concentrate")
    assert purity_payability("Sm2O3", 0.995, deck) == (1.0, pytest.approx(0.995))
    assert purity_payability("Sm2O3", 0.71, deck)[0] == mixed < 1.0
    assert purity_payability("Sm2O3", 0.71, deck, below_spec="none")[0] == 1.0
    assert purity_payability("NdPr oxide", 0.991, deck, specs_frac={"NdPr oxide": 0.995})[0] \
        == mixed  # a contract spec above the deck's basis
    assert purity_payability("CaF2 concentrate", 0.5, deck) == (1.0, None)


def test_payability_rule_is_a_typed_project_field(builtin_study):
    p = builtin_study.outcome.project.economics
    assert p.payability.below_spec == "mixed_concentrate"
    with pytest.raises(InputError):
        p.with_overrides({"payability.below_spec": "half"})


def _basis_with(outcome, **params):
    b = outcome.basis
    return replace(b, params=b.params.with_overrides(params))


def test_price_path_same_deck_changes_nothing(builtin_study):
    o = builtin_study.outcome
    d = _basis_with(o, price_periods=[{"name": "offtake", "production_years": 5}])
    again = evaluate_annual(d, o.quantities)
    assert again.npv_usd[0.08] == pytest.approx(o.annual.npv_usd[0.08], rel=1e-12)
    path = again.extra["price_path"]
    assert [r["period"] for r in path] == ["offtake", "life of mine"]
    assert path[0]["last_production_year"] == 5


def test_offtake_at_a_floor_raises_revenue_only_in_its_years(builtin_study):
    o = builtin_study.outcome
    d = _basis_with(o, price_periods=[{"name": "floor", "production_years": 10,
                                       "deck": "usgs_2025_ndpr_floor"}])
    floor = evaluate_annual(d, o.quantities)
    base_rev = o.annual.table["revenue_usd"].to_numpy()
    rev = floor.table["revenue_usd"].to_numpy()
    first = int(o.basis.params.schedule.construction_years)
    assert (rev[first:first + 10] > base_rev[first:first + 10]).all()
    assert rev[first + 10:] == pytest.approx(base_rev[first + 10:], rel=1e-12)
    assert floor.npv_usd[0.08] > o.annual.npv_usd[0.08]
    assert floor.extra["price_path"][0]["ndpr_price_usd_per_kg"] == 110.0


def test_contract_price_overrides_the_deck(builtin_study):
    o = builtin_study.outcome
    d = _basis_with(o, price_periods=[{"name": "contract", "production_years": 3,
                                       "prices": {"NdPr oxide": "125.5 USD/kg"}}])
    assert evaluate_annual(d, o.quantities).extra["price_path"][0][
        "ndpr_price_usd_per_kg"] == 125.5


@pytest.mark.parametrize("on", ["ndpr", "reo", "byproduct"])
def test_breakeven_rises_with_the_discount_rate(builtin_study, on):
    o = builtin_study.outcome
    money = o.annual.extra["money"]
    m8 = breakeven_multiplier(o.basis, o.quantities, money, 0.08, on=on)
    m12 = breakeven_multiplier(o.basis, o.quantities, money, 0.12, on=on)
    assert m12 > m8 > 0


def test_breakeven_refuses_an_unknown_class(builtin_study):
    o = builtin_study.outcome
    with pytest.raises(InputError):
        breakeven_multiplier(o.basis, o.quantities, o.annual.extra["money"], 0.08, on="gold")


def test_operating_share_of_each_year():
    from reeflow.economics.annual import operating_frac

    assert operating_frac(np.array([0.6, 1.0, 1.0, 0.25])).tolist() == [1, 1, 1, 0.25]
    assert operating_frac(np.array([0.6, 1.0, 1.0])).tolist() == [1, 1, 1]
    assert operating_frac(np.array([0.4])).tolist() == [1]  # one (ramp-up) year: all of it
    assert operating_frac(np.array([1.0, 0.5, 0.0])).tolist() == [1, 0.5, 1]


def test_the_final_partial_year_pays_fixed_costs_for_the_part_it_runs(builtin_study):
    """A final year of 0.1 Mt paid a whole year's fixed opex (fuzz round 17): the plant runs at
    its heaviest year's rate until the ore is out, then closes. The yearly money stays the
    full-year rates (affine in the quantities, as the Monte Carlo's fast path models it); the
    cash flow charges the fixed part for the share of the year."""
    from reeflow.economics.annual import cash_flows

    o = builtin_study.outcome
    q = o.quantities
    ore = np.array(q.ore_t, dtype=float)
    ore[-1] = 0.3 * ore.max()
    short = replace(q, ore_t=ore)
    money = evaluate_annual(o.basis, short).extra["money"]
    np.testing.assert_allclose(money["fixed"], o.annual.extra["money"]["fixed"], rtol=1e-12)
    cut, sched = cash_flows(o.basis, short, money)
    full, _ = cash_flows(o.basis, q, money)
    last = sched.first_production + q.n_years - 1
    gap = full["opex"] - cut["opex"]
    assert gap[last] == pytest.approx(0.7 * money["fixed"][-1], rel=1e-9)
    assert np.allclose(np.delete(gap, last), 0.0, atol=1e-6)
