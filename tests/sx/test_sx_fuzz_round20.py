"""SX fuzz round 20 (an independent helper's own generators): what it found, each mended."""

from __future__ import annotations

import time

import pytest

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.plant.sx import Cascade, Feed, design_cut, simulate
from reeflow.plant.sx.threeoutlet import design_three_outlet


def test_an_element_named_twice_in_a_group_is_refused():
    """['Nd', 'Nd'] counted Nd's feed twice: a 50 % organic product was reported at 99.9 %."""
    with pytest.raises(InputError, match=r"heavy: .*each element once.*name Nd once"):
        design_cut({"La": 1.0, "Ce": 1.0, "Nd": 1.0}, ["Nd", "Nd"],
                   alpha={"La": 1, "Ce": 2, "Nd": 4})
    with pytest.raises(InputError, match=r"middle: .*each element once"):
        design_three_outlet({"La": 40.0, "Ce": 20.0, "Pr": 40.0}, ["Pr"], ["Ce", "Ce"],
                            alpha={"La": 1, "Ce": 2, "Pr": 5}, purity_organic=0.99,
                            purity_aqueous=0.99, middle_fraction=0.5, max_stages=150)


def test_a_reflux_factor_beyond_its_bound_is_refused_at_once():
    """1e9 ran for over a minute; 1e6 took 14 s."""
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=r"reflux_factor: .*<= 100"):
        design_cut({"La": 1, "Ce": 1}, ["Ce"], alpha={"La": 1, "Ce": 2}, reflux_factor=1e9)
    assert time.perf_counter() - t0 < 1.0


def _entrained(e_o):
    c = Cascade(sections=(("extraction", 5), ("scrub", 3)),
                feeds=(Feed(5, "aqueous", 1.0, {"La": 0.5, "Ce": 0.5}), Feed(8, "aqueous", 0.5, {}),
                       Feed(1, "organic", 2.0, {})), entrainment_org_frac=e_o)
    return simulate(c, model="constant_beta", params={
        "alpha": {"La": 1, "Ce": 2}, "organic_RE_mol_per_h": 0.5, "scrub_RE_mol_per_h": 0.02})


def test_entrained_organic_above_the_scrub_re_is_named_not_a_convergence_failure():
    """e_o·S >= W leaves the top stage no aqueous RE: a ConvergenceError named no cause."""
    with pytest.raises(InfeasibleSpecError, match="entrainment_org_frac"):
        _entrained(0.05)
    r = _entrained(0.03)  # W − e_o·S = 0.005 mol/h: the top stage's aqueous, as derived
    assert r.converged
    assert float(r.aq_mol_per_h[-1].sum()) == pytest.approx(0.02 - 0.03 * 0.5, rel=1e-9)


def test_the_entrainment_bound_counts_the_re_fed_on_the_top_stage():
    """L_n = W + F_n − e_o·S: an extraction-only cascade fed on its top stage (W = 0) and a
    scrub liquor carrying RE solve (the first bound, without F_n, refused both; review)."""
    c = Cascade(sections=(("extraction", 5),), entrainment_org_frac=0.01,
                feeds=(Feed(5, "aqueous", 1.0, {"La": 0.5, "Ce": 0.5}), Feed(1, "organic", 2.0, {})))
    r = simulate(c, model="constant_beta",
                 params={"alpha": {"La": 1, "Ce": 2}, "organic_RE_mol_per_h": 0.5})
    assert r.converged
    c = Cascade(sections=(("extraction", 5), ("scrub", 3)), entrainment_org_frac=0.05,
                feeds=(Feed(5, "aqueous", 1.0, {"La": 0.5, "Ce": 0.5}),
                       Feed(8, "aqueous", 0.5, {"Ce": 0.1}), Feed(1, "organic", 2.0, {})))
    r = simulate(c, model="constant_beta", params={
        "alpha": {"La": 1, "Ce": 2}, "organic_RE_mol_per_h": 0.5, "scrub_RE_mol_per_h": 0.02})
    assert float(r.aq_mol_per_h[-1].sum()) == pytest.approx(0.02 + 0.05 - 0.05 * 0.5, rel=1e-9)


@pytest.mark.parametrize("feed", [{"La": 1e200, "Ce": 1e200}, {"La": 1e-200, "Ce": 1e-200}])
def test_feeds_beyond_the_numeric_range_are_refused_naming_it(feed):
    """1e200 read "S − W = inf … lower organic_RE_mol_per_h", a parameter never given."""
    with pytest.raises(InputError, match=r"feed_mol_per_h\.La: .*numeric range"):
        design_cut(feed, ["Ce"], alpha={"La": 1, "Ce": 2})


def test_scale_does_not_matter_inside_the_range():
    a = design_cut({"La": 1e-140, "Ce": 1e-140}, ["Ce"], alpha={"La": 1, "Ce": 2})
    b = design_cut({"La": 1e140, "Ce": 1e140}, ["Ce"], alpha={"La": 1, "Ce": 2})
    assert (a.n_extraction, a.n_scrub) == (b.n_extraction, b.n_scrub)


def test_a_subnormal_trace_and_extreme_distribution_ratios_are_refused():
    """A 1e-300 mol/L trace ran 35,000 iterations; D of 1e300 beside 1e-300 30,000."""
    base = dict(sections=(("extraction", 10), ("scrub", 5)))
    with pytest.raises(InputError, match=r"mol_per_L\.Nd: .*numeric range"):
        simulate(Cascade(**base, feeds=(Feed(10, "aqueous", 1.0, {"La": .5, "Ce": .5, "Nd": 1e-300}),
                                        Feed(15, "aqueous", .5, {}), Feed(1, "organic", 2.0, {}))),
                 params={"alpha": {"La": 1, "Ce": 2, "Nd": 1.5}, "organic_RE_mol_per_h": .8,
                         "scrub_RE_mol_per_h": .3})
    c = Cascade(**base, feeds=(Feed(10, "aqueous", 1.0, {"La": .5, "Ce": .5}),
                               Feed(15, "aqueous", .5, {}), Feed(1, "organic", 2.0, {})))
    for d, match in (({"La": 1e300, "Ce": 1.0}, r"D\.La: .*1e\+30"),
                     ({"La": 1.0, "Ce": 1e-300}, r"D\.Ce: .*write 0")):
        with pytest.raises(InputError, match=match):
            simulate(c, model="constant_d", params={"D": d})
