"""Three-outlet cascade design: the published Gd/Eu/Sm paper gate, invariants, validation.

Paper gate: Zhang, Zhao & Schreiner (2016), *Separation Hydrometallurgy of Rare Earth
Elements*, Springer, ch. 4 (three-outlet design example and its S scan), read through a
secondary quotation: KitchinHUB/ree-literature-updates, ``ree-book/src/
17-process-modeling-optimization.md`` (section "What Optimum Means in a Cascade": table of
S_o, draw stage I, n, m, n + m, S_o(n + m); section "Three Outlets": 99.91 % Gd, 99.99 % Sm,
40.0 % Eu in the draw from stage 30, Gd recovery 61.8 % at S_o = 2.00). The primary book
was not read; every number below is the quotation's.
"""

from __future__ import annotations

import math

import pytest

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.plant.sx.threeoutlet import design_three_outlet, simulate_three_outlet

# Gd/Eu/Sm on an acidic extractant: beta Gd/Eu 1.40 and Eu/Sm 2.00 (alpha relative to Sm),
# feed 0.39/0.10/0.51, 99.9 % Gd (organic), 99.99 % Sm at 99.9 % recovery (raffinate),
# Eu > 40 % in the draw (source: module docstring).
FEED = {"Sm": 51.0, "Eu": 10.0, "Gd": 39.0}
ALPHA = {"Sm": 1.0, "Eu": 2.0, "Gd": 2.0 * 1.40}
SPECS = {"purity_organic": 0.999, "purity_aqueous": 0.9999, "recovery_aqueous": 0.999,
         "middle_fraction": 0.40}
# S_o (mol RE in the organic per mol feed): (draw stage I, n, m), stage 1 at the raffinate end
PUBLISHED = {1.40: (39, 22, 63), 1.50: (36, 21, 55), 1.75: (32, 19, 47),
             2.00: (30, 18, 42), 2.25: (29, 18, 39), 2.50: (28, 17, 38)}
STAGE_TOLERANCE = 2  # the paper-gate tolerance (#13 item 3)


def _design(s):
    return design_three_outlet(FEED, ["Gd"], ["Eu"], alpha=ALPHA, s_mol_per_mol_feed=s,
                               **SPECS)


@pytest.fixture(scope="module")
def scan():
    """One design over the published S list (each S designed on the rigorous model)."""
    return _design(list(PUBLISHED))


def test_published_gd_eu_sm_stage_counts_and_draw_stages_within_two(scan):
    """Paper gate: n + m and the draw stage at every published S within ±2 stages."""
    rows = {round(r["s_mol_per_mol_feed"], 2): r for r in scan.scan}
    assert set(rows) == set(PUBLISHED) and all(r["feasible"] for r in rows.values())
    for s, (draw, n, m) in PUBLISHED.items():
        got = rows[s]
        assert abs(got["total_stages"] - (n + m)) <= STAGE_TOLERANCE, (s, got)
        assert abs(got["draw_stage"] - draw) <= STAGE_TOLERANCE, (s, got)
        assert abs(got["n_extraction"] - n) <= STAGE_TOLERANCE, (s, got)


def test_xu_criterion_picks_the_published_minimum_of_s_times_stages(scan):
    # published S_o(n + m): 119, 114, 115, 120, 128, 138 -> minimum at S_o = 1.50
    assert scan.s_mol_per_mol_feed == pytest.approx(1.50)
    assert scan.s_mol_per_mol_feed * scan.total_stages == pytest.approx(114, abs=3)


@pytest.fixture(scope="module")
def at_two():
    return _design(2.00)


def test_published_design_at_s_2_meets_every_spec_on_resimulation(at_two):
    d = at_two
    # an independent re-simulation of the returned design (not the designer's memo)
    r = simulate_three_outlet(FEED, ALPHA, d.n_extraction, d.n_scrub,
                              d.s_mol_per_mol_feed * 100.0, d.w_mol_per_mol_feed * 100.0,
                              d.draw_stage, d.draw_phase, d.draw_fraction)
    draw = f"aq_draw_{d.draw_stage}"
    assert r.purity("loaded_organic", ("Gd",)) >= 0.999
    assert r.purity("raffinate", ("Sm",)) >= 0.9999
    assert r.recovery("raffinate", ("Sm",)) >= 0.999
    assert r.purity(draw, ("Eu",)) >= 0.40
    assert max(abs(v) for v in r.closure.values()) <= 1e-9
    # the quoted outcome: 99.91 % Gd, 40.0 % Eu, Gd recovery 61.8 %
    assert d.purity_organic == pytest.approx(0.9991, abs=2e-4)
    assert d.middle_fraction == pytest.approx(0.400, abs=1e-3)
    assert d.recovery_organic == pytest.approx(0.618, abs=1e-3)


def test_balance_flows_follow_the_specs(at_two):
    """Products per mol feed from the balance with every spec at its limit (invariant)."""
    d = at_two
    p_aq = 0.51 * 0.999 / 0.9999
    p_d = d.draw_mol_per_mol_feed
    p_o = 1.0 - p_aq - p_d
    assert d.s_mol_per_mol_feed - d.w_mol_per_mol_feed == pytest.approx(p_o, rel=1e-12)
    eu_draw = 0.10 - (1 - 0.9999) * p_aq - (1 - 0.999) * p_o
    assert p_d == pytest.approx(eu_draw / 0.40, rel=1e-12)
    assert d.draw_fraction == pytest.approx(p_d / d.w_mol_per_mol_feed, rel=1e-12)


def test_tighter_middle_spec_needs_more_stages(at_two):
    tighter = design_three_outlet(FEED, ["Gd"], ["Eu"], alpha=ALPHA, s_mol_per_mol_feed=2.0,
                                  **{**SPECS, "middle_fraction": 0.42})
    assert tighter.total_stages > at_two.total_stages
    assert tighter.middle_fraction >= 0.42


def test_three_outlet_draw_fraction_and_phase_are_validated():
    with pytest.raises(InputError, match="draw_fraction"):
        simulate_three_outlet(FEED, ALPHA, 5, 5, 200.0, 150.0, 7, "aqueous", 1.5)
    with pytest.raises(InputError, match="draw_phase"):
        design_three_outlet(FEED, ["Gd"], ["Eu"], alpha=ALPHA, draw_phase="vapour")
    with pytest.raises(InfeasibleSpecError):
        design_three_outlet(FEED, ["Gd"], ["Eu"], alpha=ALPHA, middle_fraction=0.05,
                            s_mol_per_mol_feed=0.3)
    with pytest.raises(InputError, match="middle_recovery"):
        design_three_outlet(FEED, ["Gd"], ["Eu"], alpha=ALPHA, s_mol_per_mol_feed=2.0,
                            middle_recovery=0.9995, **SPECS)
    with pytest.raises(InfeasibleSpecError, match="middle-group concentration"):
        design_three_outlet(FEED, ["Gd"], ["Eu"], alpha=ALPHA, s_mol_per_mol_feed=2.0,
                            **{**SPECS, "middle_fraction": 0.999})


def test_easier_three_outlet_designs_quickly():
    feed = {"La": 40.0, "Ce": 20.0, "Pr": 40.0}
    alpha = {"La": 1.0, "Ce": 3.0, "Pr": 9.0}
    d = design_three_outlet(feed, ["Pr"], ["Ce"], alpha=alpha, purity_organic=0.99,
                            purity_aqueous=0.99, middle_fraction=0.8, s_mol_per_mol_feed=1.5)
    assert d.middle_fraction >= 0.8 and d.purity_organic >= 0.99
    assert d.purity_aqueous >= 0.99 and d.n_extraction < d.draw_stage
    assert max(abs(v) for v in d.result.closure.values()) <= 1e-9
    assert not math.isnan(d.recovery_aqueous)


def test_the_balance_refuses_a_draw_no_richer_than_the_organic_allowance_or_empty():
    from reeflow.plant.sx.threeoutlet import _balance_products

    groups = (("Gd",), ("Eu",), ("Sm",))
    with pytest.raises(InfeasibleSpecError, match="impurity allowance"):  # c <= 1 - p_org
        _balance_products(FEED, groups, (0.5, 0.9999, 0.999, 0.40))
    with pytest.raises(InfeasibleSpecError, match="P_d"):  # loose specs: no draw left
        _balance_products(FEED, groups, (0.70, 0.60, 0.999, 0.95))
    p_o, p_d = _balance_products(FEED, groups, tuple(SPECS[k] for k in (
        "purity_organic", "purity_aqueous", "recovery_aqueous", "middle_fraction")))
    assert p_o > 0 and p_d > 0
