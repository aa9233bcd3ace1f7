"""The fast path is the study chain: invariants of its probes and draws checked against
:func:`reeflow.chain.what_if`.

Stated tolerances (measured in benchmarks/risk_validate.py, docs/benchmarks.md §risk):

- the plant's yearly quantities from its linear response: within 0.3 % of the chain's solve on
  every year of the base plan (REE products exact to 1e-12; the concentrate-grade target makes
  by-products, residue and reagents nonlinear at ~1e-3);
- the economics room's yearly money is affine in the year's quantities: 1e-9;
- a draw on a held mine plan (everything but re-planning): |ΔNPV| <= 3 % of the base capex
  (measured: 2.0 % max, 0.6 % mean over 24 draws); annual REO to 1e-9; the same mine life;
- a draw the chain re-plans: the fast path runs on the library plan of the nearest revenue
  factor; the chain's own plan changes regime across the range (pits of 45–175 Mt of ore), so
  per draw the NPVs differ by 11.5 % of capex on average (80 % at worst, 40 draws) while
  P10/P50/P90 agree within 1.4/4.5/1.1 % of capex. Held here: the same feasibility and a mean
  |ΔNPV| within 25 % of capex.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest

from reeflow.risk import probe

PLANT_INPUTS = ["ore.treo_grade", "plant.beneficiation.ree_recovery",
                "plant.leach.ree_dissolution", "economics.price_scale_ndpr",
                "economics.capex_scale", "economics.opex_scale"]


@contextmanager
def held_plan(mine):
    """The chain with its mine step held (on a clean step cache)."""
    from reeflow.chain import pipeline

    orig = pipeline._mine
    pipeline.CACHE.store.clear()
    pipeline._mine = lambda *a, **k: mine
    try:
        yield
    finally:
        pipeline._mine = orig
        pipeline.CACHE.store.clear()


def _rigorous(loaded, d, n, mine=None):
    from reeflow.chain import what_if
    from reeflow.risk.engine import outcome_outputs
    from reeflow.risk.inputs import effective_row

    rows = []
    for row in d.rows(0, n):
        if mine is None:
            rows.append(outcome_outputs(what_if(loaded, effective_row(loaded, row))))
        else:
            with held_plan(mine):
                rows.append(outcome_outputs(what_if(loaded, effective_row(loaded, row))))
    return {k: np.array([r[k] for r in rows], float) for k in rows[0]}


def test_plant_is_linear_in_its_feed(loaded, base_outcome):
    p = loaded.project
    layout = probe.quantity_layout(p, base_outcome.years[0])
    X = np.vstack([probe.feed_vector(p, r) for _, r in base_outcome.mine.schedule.iterrows()])
    full = X[:, 0] >= 0.999 * X[:, 0].max()
    J, b = probe.plant_response(p, base_outcome.design, layout, probe.first_year(p),
                                X[full].mean(axis=0))
    lin = b + X @ J.T
    chain = np.vstack([probe.year_vector(layout, y) for y in base_outcome.years])
    rel = np.abs(lin - chain) / np.maximum(np.abs(chain), 1e-9)
    # Reagents, fuel and power are affine in the feed only to within a few per cent: the
    # flotation concentrate grade moves with the head grade, so acid and lime per t REO do too
    # (measured on the built-in case: H2SO4 3.68 t/t REO at 1.83 % TREO vs 3.60 at 3.08 %; worst
    # entry 2.9 %; since the SX reagents follow the REE, stop 40, the plan's years span 1.4-3.0 %
    # TREO: lime 6.2 %, H2SO4 4.9 %, MgO 3.5 %, the residues 2.5-2.8 % at 1.4 %, the rest
    # under 2.1 %). The cracking and neutralisation reagents and their residues follow the
    # concentrate grade; the NPV-level error this leaves is gated by the slow equivalence tests.
    cracking = {"reagents_t:Ca(OH)2", "reagents_t:H2SO4", "reagents_t:MgO", "residue_t",
                "chemical_residue_t"}
    near = [j for j, q in enumerate(layout.q) if q in cracking]
    rest = [j for j, q in enumerate(layout.q) if q not in cracking]
    assert rel[:, near].max() < 8e-2
    assert rel[:, rest].max() < 3e-2
    products = [layout.index(probe.product_key(x)) for x in layout.products
                if x.endswith(("O3", "O2", "oxide"))]
    assert rel[:, products].max() < 1e-9


def test_money_is_affine_in_the_quantities(loaded, base_outcome):
    from dataclasses import replace

    from reeflow.economics.annual import Scales

    p = loaded.project
    layout = probe.quantity_layout(p, base_outcome.years[0])
    Q = np.vstack([probe.year_vector(layout, y) for y in base_outcome.years])
    ore = np.array([y.ore_t for y in base_outcome.years])
    mined = np.asarray(base_outcome.quantities.mined_t, float)
    unit = replace(base_outcome.basis, scales=Scales())
    m = probe.money_probe(unit, layout, Q[2], ore[2])
    U = np.column_stack([Q, ore, mined])
    at = np.array([m["at"][k] for k in probe.MONEY])
    model = at[:, None] + m["d"] @ (U - m["u0"]).T
    truth = probe.yearly_money(unit, layout, Q, ore, mined)
    for i, k in enumerate(probe.MONEY):
        np.testing.assert_allclose(model[i], truth[k], rtol=1e-9, atol=1e-3)


@pytest.fixture(scope="module")
def plant_model(loaded, base_outcome):
    from reeflow.risk.backends import SerialRunner
    from reeflow.risk.build import build_model
    from reeflow.risk.inputs import draw, input_specs

    d = draw(loaded, 200, seed=1, inputs=PLANT_INPUTS)
    model = build_model(loaded, d, input_specs(loaded, PLANT_INPUTS), SerialRunner(),
                        outcome=base_outcome, n_plans=13)
    return model, d


def test_the_base_draw_is_the_study(loaded, base_outcome, plant_model):
    model, d = plant_model
    x0 = np.array([[_value(loaded, p) for p in model.inputs]])
    out = model.evaluate(x0, d.paths[:1], d.realisation[:1], plan=0)
    capex = base_outcome.annual.capex_usd
    assert abs(out["npv_usd"][0] - base_outcome.npv_usd()) < 5e-3 * capex
    assert out["mine_life_years"][0] == base_outcome.quantities.n_years
    assert out["reo_t_per_a"][0] == pytest.approx(np.mean(base_outcome.quantities.reo_t),
                                                 rel=1e-9)
    assert out["capex_usd"][0] == pytest.approx(capex, rel=1e-9)


def _value(loaded, path):
    from reeflow.core.projectfile import value_at

    return float(value_at(loaded.project, path))


@pytest.mark.slow
def test_held_plan_draws_match_the_chain(loaded, base_outcome, plant_model):
    model, d = plant_model
    n = 6
    fast = model.evaluate(d.values[:n], d.paths[:n], d.realisation[:n], plan=0)
    chain = _rigorous(loaded, d, n, mine=base_outcome.mine)
    capex = base_outcome.annual.capex_usd
    # Stated tolerance: 4 % of capex per draw. Measured on these 6 draws: worst 3.0 %, mean
    # 1.0 % (after HCl was priced per t of 100 % acid, the largest reagent; its use per t REO
    # moves ~2 % with the head grade, which the fast path's linear plant response does not
    # follow - see test_plant_is_linear_in_its_feed).
    err = np.abs(fast["npv_usd"] - chain["npv_usd"])
    assert np.max(err) <= 0.04 * capex and np.mean(err) <= 0.015 * capex
    np.testing.assert_allclose(fast["reo_t_per_a"], chain["reo_t_per_a"], rtol=1e-9)
    assert np.array_equal(fast["mine_life_years"], chain["mine_life_years"])
    np.testing.assert_allclose(fast["capex_usd"], chain["capex_usd"], rtol=0.025)
    # payback counted from the same year as the chain's (construction): the fast path counted
    # from first production, 2 years less on Ngualla (fuzz round 21)
    fp, cp = np.asarray(fast["payback_years"], float), np.asarray(chain["payback_years"], float)
    assert np.array_equal(np.isnan(fp), np.isnan(cp))
    assert np.all(np.abs(fp - cp)[~np.isnan(cp)] <= 1.0)


@pytest.mark.slow
def test_replanned_draws_match_the_chain(loaded, base_outcome, plant_model):
    model, d = plant_model
    n = 6
    fast = model.evaluate(d.values[:n], d.paths[:n], d.realisation[:n])
    chain = _rigorous(loaded, d, n)
    capex = base_outcome.annual.capex_usd
    assert np.array_equal(fast["feasible"], chain["feasible"])
    assert np.mean(np.abs(fast["npv_usd"] - chain["npv_usd"])) <= 0.25 * capex


def test_a_plan_s_stockpile_rehandling_costs_the_draw_what_it_costs_the_chain(base_outcome,
                                                                               loaded,
                                                                               plant_model):
    """The fast path charges a plan's stockpile rehandling as the cash flow does, a variable
    cost that the profit royalty does not deduct: it reached only the royalty's deduction and
    so raised the NPV (review, stop 40). The base draw on a plan given a rehandling cost moves
    the NPV as the chain's own cash flow, on the same quantities, moves."""
    from dataclasses import replace

    from reeflow.economics.annual import evaluate_annual

    model, d = plant_model
    x0 = np.array([[_value(loaded, p) for p in model.inputs]])
    q = base_outcome.quantities
    rehandle = np.linspace(1e6, 3e6, q.n_years)  # USD a year, reclaimed ore
    rate = float(loaded.project.economics.headline_rate)
    chain = (evaluate_annual(base_outcome.basis, replace(q, rehandle_usd=rehandle)).npv_usd[rate]
             - evaluate_annual(base_outcome.basis, q).npv_usd[rate])
    base = model.evaluate(x0, d.paths[:1], d.realisation[:1], plan=0)["npv_usd"][0]
    plan = model.plans[0]
    model.plans[0] = replace(plan, rehandle_usd=rehandle)
    try:
        fast = model.evaluate(x0, d.paths[:1], d.realisation[:1], plan=0)["npv_usd"][0] - base
    finally:
        model.plans[0] = plan
    assert chain < 0 and fast == pytest.approx(chain, rel=1e-3)
