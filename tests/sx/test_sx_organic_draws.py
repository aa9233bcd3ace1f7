"""SX fuzz round 18, left over: constant-β cascades with an organic side draw and an aqueous
draw that together cannot balance ran 0.2–32 s to a ConvergenceError that named no cause: the
precheck's lower bound on what the aqueous draws take was skipped wherever organic was drawn.
The model loads the organic to S_k = S·Q_k/Q_1 on every stage, so the bound holds with organic
draws too (the draws and the organic carried on telescope to S); it is now applied."""

import math
import time

import pytest

from reeflow.core.errors import InfeasibleSpecError
from reeflow.plant.sx.cascade import Cascade, Feed, SideDraw, simulate


def _run(draws, s=0.9, w=0.3):
    c = Cascade(sections=(("extraction", 6), ("scrub", 4)),
                feeds=(Feed(6, "aqueous", 1.0, {"A": 0.5, "B": 0.5}),
                       Feed(10, "aqueous", 1.0, {}), Feed(1, "organic", 1.0, {})),
                side_draws=tuple(SideDraw(k, ph, f) for k, ph, f in draws))
    return simulate(c, model="constant_beta",
                    params={"alpha": {"A": 2.0, "B": 1.0}, "organic_RE_mol_per_h": s,
                            "scrub_RE_mol_per_h": w})


@pytest.mark.parametrize("draws,s,w", [
    ([(3, "organic", 0.3), (5, "aqueous", 0.9)], 0.9, 0.3),  # was 1.4 s to a ConvergenceError
    ([(2, "organic", 0.5), (4, "aqueous", 0.6)], 0.8, 0.2),
])
def test_aqueous_draws_above_an_organic_draw_that_cannot_balance_are_refused(draws, s, w):
    t0 = time.perf_counter()
    with pytest.raises(InfeasibleSpecError, match="aqueous side draws take at least"):
        _run(draws, s, w)
    assert time.perf_counter() - t0 < 1.0


def _re(r, outlet):
    return math.fsum(r.outlets[outlet].get(e, 0.0) for e in ("A", "B"))


def test_the_bounds_hold_on_feasible_cascades_with_organic_draws():
    """The bounds are lower bounds of what the solved draws take (the scrub one exactly)."""
    r = _run([(3, "organic", 0.3), (5, "aqueous", 0.2)])
    assert _re(r, "aq_draw_5") >= 0.2 / 0.8 * 0.9 - 1e-12
    r = _run([(8, "organic", 0.3), (9, "aqueous", 0.5)])
    assert _re(r, "aq_draw_9") == pytest.approx(0.5 * 0.3, abs=1e-9)
    # the organic draw and the product together take S − W (the loading telescopes)
    assert _re(r, "org_draw_8") + _re(r, "loaded_organic") == pytest.approx(0.9 - 0.3, abs=1e-9)


def test_a_named_side_draw_is_its_outlet_name():
    """The name a side draw is given names its outlet (it was dropped: 'aq_draw_5')."""
    r = _run_named([(3, "organic", 0.2, "Ce-rich organic"), (5, "aqueous", 0.1, "")])
    assert {"Ce-rich organic", "aq_draw_5", "raffinate", "loaded_organic"} == set(r.outlets)


@pytest.mark.parametrize("names", [("raffinate", ""), ("x", "x"), ("aq_draw_5", ""),
                                   ("Raffinate", ""), ("Eu", "eu"), ("AQ_DRAW_5", "")])
def test_a_draw_name_another_outlet_has_is_refused(names):
    from reeflow.core.errors import InputError

    with pytest.raises(InputError, match=r"side_draws\[\d\]\.name.*no other outlet"):
        _run_named([(3, "organic", 0.2, names[0]), (5, "aqueous", 0.1, names[1])])


@pytest.mark.parametrize("name", [" Eu", "Eu ", "  "])
def test_a_draw_name_with_blanks_around_it_is_refused(name):
    """A reader of the outlets cannot see 'Eu ' beside 'Eu' (SX fuzz round 19, left over)."""
    from reeflow.core.errors import InputError

    with pytest.raises(InputError, match=r"side_draws\[0\]\.name.*leading or trailing"):
        _run_named([(3, "organic", 0.2, name), (5, "aqueous", 0.1, "")])


def _run_named(draws):
    c = Cascade(sections=(("extraction", 6), ("scrub", 4)),
                feeds=(Feed(6, "aqueous", 1.0, {"A": 0.5, "B": 0.5}),
                       Feed(10, "aqueous", 1.0, {}), Feed(1, "organic", 1.0, {})),
                side_draws=tuple(SideDraw(k, ph, f, nm) for k, ph, f, nm in draws))
    return simulate(c, model="constant_beta",
                    params={"alpha": {"A": 2.0, "B": 1.0}, "organic_RE_mol_per_h": 0.9,
                            "scrub_RE_mol_per_h": 0.3})


def test_the_fuzz_case_with_both_draws_in_the_scrub_is_refused_at_once():
    """SX fuzz round 18's reproducer: an organic draw on stage 65 and an aqueous draw on stage
    78, both in the scrub; 0.156 mol/h fed. It ran 15–30 s to an unexplained
    ConvergenceError."""
    c = Cascade(sections=(("extraction", 49), ("scrub", 62)),
                feeds=(Feed(49, "aqueous", 1.0, {"A": 0.08, "B": 0.076}),
                       Feed(111, "aqueous", 0.92, {}), Feed(1, "organic", 2.97, {})),
                side_draws=(SideDraw(65, "organic", 0.092), SideDraw(78, "aqueous", 0.159)))
    t0 = time.perf_counter()
    with pytest.raises(InfeasibleSpecError, match="aqueous side draws take at least 0.1153"):
        simulate(c, model="constant_beta",
                 params={"alpha": {"A": 3.0, "B": 1.0}, "organic_RE_mol_per_h": 0.8314,
                         "scrub_RE_mol_per_h": 0.7252})
    assert time.perf_counter() - t0 < 1.0
