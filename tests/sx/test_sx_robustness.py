"""Robustness: every random feasible problem converges or designs; infeasible ones raise by name.

The generator (tests/sx/random_problems.py) spans the space of issue #13: 2–6 elements,
β 1.2–5, 5–150 stages, constant-β / constant-D / mass action (with and without
saponification), purities 90–99.99 %, O/A inside the window. The full 10,000-problem sweep
is benchmarks/sx_robustness.py; here a fixed-seed subset runs in CI.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import random_problems as rp

from reeflow.core.errors import ConvergenceError, InfeasibleSpecError, InputError
from reeflow.plant.sx import (
    OA_WINDOW,
    Cascade,
    Feed,
    design_cut,
    simulate,
    simulate_cut,
)

SIM_KINDS = rp.MODELS


@pytest.mark.slow
@pytest.mark.parametrize("seed", [101, 202])
def test_random_feasible_simulations_all_converge_and_close(seed):
    probs = rp.problems(seed, 120, kinds=SIM_KINDS)
    for p in probs:
        r = rp.run(p)
        assert r.converged and r.max_scaled_residual <= 1e-12, p["id"]
        assert max(abs(v) for v in r.closure.values()) <= 1e-9, p["id"]
        assert np.all(r.aq_mol_per_h >= 0) and np.all(r.org_mol_per_h >= 0), p["id"]


@pytest.mark.slow
def test_random_feasible_designs_all_design_and_meet_specs():
    probs = rp.problems(303, 60, kinds=("design",))
    for p in probs:
        d = rp.run(p)
        assert d.purity_organic >= p["purity_organic"] * (1 - 1e-12), p["id"]
        assert d.purity_aqueous >= p["purity_aqueous"] * (1 - 1e-12), p["id"]
        for sec, oa in d.operating.oa.items():
            assert OA_WINDOW[0] <= oa <= OA_WINDOW[1], (p["id"], sec, oa)
        # minimal: one stage fewer misses a spec with every feed stage
        total = d.n_extraction + d.n_scrub
        if 3 <= total <= 40:
            s = d.s_mol_per_mol_feed * sum(p["feed"].values())
            w = d.w_mol_per_mol_feed * sum(p["feed"].values())
            for n in range(1, total - 1):
                r = simulate_cut(p["feed"], p["alpha"], n, total - 1 - n, s, w,
                                 operating=d.operating)
                assert (r.purity("loaded_organic", d.heavy) < p["purity_organic"]
                        or r.purity("raffinate", d.light) < p["purity_aqueous"]), p["id"]


def test_former_zero_division_case_converges():
    # seed 2, problem 1085 of the old sweep: a zero block pivot raised ZeroDivisionError
    p = rp.problems(2, 1086)[1085]
    r = rp.run(p)
    assert r.converged and max(abs(v) for v in r.closure.values()) <= 1e-9


def test_former_silent_nonconvergence_is_solved_to_tolerance():
    # 125-stage 6-element constant-β cascade: stopped at 200 iterations with converged=False
    p = rp.problems(2, 61)[60]
    r = rp.run(p)
    assert r.converged and r.max_scaled_residual <= 1e-12
    # a hard saponified mass-action case of the same sweep
    q = rp.problems(2, 14)[13]
    assert rp.run(q).max_scaled_residual <= 1e-12


def test_an_unconverged_cascade_raises_with_its_residual():
    p = rp.problems(2, 61)[60]
    with pytest.raises(ConvergenceError, match="residual"):
        simulate(rp.build_cascade(p["spec"]), model=p["model"], params=p["params"], max_iter=2)


def test_easy_scrub_controlled_cut_is_designed_inside_the_oa_window():
    # issue #13 reproducer: refused before (scrub O/A past 10 with 3 M acid, 0.18 M organic)
    d = design_cut({"Nd": 50, "Sm": 50}, ["Sm"], alpha={"Nd": 1, "Sm": 6})
    assert d.purity_organic >= 0.999 and d.purity_aqueous >= 0.999
    assert all(OA_WINDOW[0] <= v <= OA_WINDOW[1] for v in d.operating.oa.values())
    assert d.operating.scrub_acid_mol_per_L < 3.0  # the designer lowered the scrub acid


def test_multicomponent_design_is_not_floored_by_fenske():
    feed = {"La": 30.0, "Ce": 30.0, "Pr": 10.0, "Nd": 30.0}
    alpha = {"La": 1.0, "Ce": 4.0, "Pr": 16.0, "Nd": 64.0}
    d = design_cut(feed, ["Pr", "Nd"], alpha=alpha, purity_organic=0.99, purity_aqueous=0.99)
    total = d.n_extraction + d.n_scrub
    # at the design flows one stage fewer fails with every feed stage (minimal)
    s = d.s_mol_per_mol_feed * 100.0
    w = d.w_mol_per_mol_feed * 100.0
    for n in range(1, total - 1):
        r = simulate_cut(feed, alpha, n, total - 1 - n, s, w, operating=d.operating)
        assert (r.purity("loaded_organic", ["Pr", "Nd"]) < 0.99
                or r.purity("raffinate", ["La", "Ce"]) < 0.99)


# ------------------------------------------------------------------ infeasible problems

@pytest.mark.parametrize("case", range(6))
def test_infeasible_specs_raise_by_name(case):
    feed = {"A": 50.0, "B": 50.0}
    if case == 0:  # β = 1
        with pytest.raises(InfeasibleSpecError):
            design_cut(feed, ["B"], alpha={"A": 1.0, "B": 1.0})
    elif case == 1:  # β too close to 1 for the purity within the stage cap
        with pytest.raises(InfeasibleSpecError, match="stage cap"):
            design_cut(feed, ["B"], alpha={"A": 1.0, "B": 1.02}, purity_organic=0.9999,
                       purity_aqueous=0.9999, max_stages=50)
    elif case == 2:  # purity not above the feed fraction
        with pytest.raises(InfeasibleSpecError, match="feed fractions"):
            design_cut({"A": 1.0, "B": 99.0}, ["B"], alpha={"A": 1.0, "B": 3.0},
                       purity_organic=0.98, purity_aqueous=0.999)
    elif case == 3:  # organic product beyond the feed
        with pytest.raises(InfeasibleSpecError, match="S − W"):
            simulate_cut(feed, {"A": 1.0, "B": 2.0}, 5, 5, 150.0, 40.0)
    elif case == 4:  # O/A window
        c = Cascade(sections=(("extraction", 3),),
                    feeds=(Feed(3, "aqueous", 1.0, {"A": 0.1}), Feed(1, "organic", 30.0, {})))
        with pytest.raises(InfeasibleSpecError, match="O/A"):
            simulate(c, model="constant_d", params={"D": {"A": 1.0}})
    else:  # O/A window with concentrations fixed
        from reeflow.plant.sx import DesignConditions

        with pytest.raises(InfeasibleSpecError, match="O/A window"):
            design_cut(feed, ["B"], alpha={"A": 1.0, "B": 8.0},
                       conditions=DesignConditions(adjust=False, scrub_acid_mol_per_L=6.0))


@pytest.mark.parametrize("feed", [{"A": math.nan, "B": 1.0}, {"A": -1.0, "B": 1.0},
                                  {"A": "x", "B": 1.0}, {"A": math.inf, "B": 1.0}])
def test_bad_feeds_are_input_errors(feed):
    with pytest.raises(InputError, match="feed"):
        design_cut(feed, ["B"], alpha={"A": 1.0, "B": 2.0})


def test_bad_cascade_numbers_are_input_errors():
    for bad in (math.nan, -1.0, "x"):
        c = Cascade(sections=(("extraction", 3),),
                    feeds=(Feed(3, "aqueous", bad, {"A": 0.1}), Feed(1, "organic", 1.0, {})))
        with pytest.raises(InputError):
            simulate(c, model="constant_d", params={"D": {"A": 1.0}})
    c = Cascade(sections=(("extraction", 3),),
                feeds=(Feed(3, "aqueous", 1.0, {"A": 0.1}), Feed(1, "organic", 1.0, {})))
    for params in ({"D": {"A": math.nan}}, {"D": {"A": "x"}}, {"D": {"A": -2}}, {"d": {"A": 1}}):
        with pytest.raises(InputError):
            simulate(c, model="constant_d", params=params)
    with pytest.raises(InputError, match="2000"):
        simulate(Cascade(sections=(("extraction", 5000),), feeds=c.feeds), model="constant_d",
                 params={"D": {"A": 1.0}})


def test_random_infeasible_problems_raise_named_errors():
    for p in rp.infeasible_problems(404, 36):
        with pytest.raises((InfeasibleSpecError, InputError)):
            rp.run_any(p)
