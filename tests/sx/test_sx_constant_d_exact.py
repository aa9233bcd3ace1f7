"""The exact, subtraction-free solve of plain constant-D cascades (reeflow.plant.sx.birthdeath).

The independent SX audit of 2026-12-02 found 5 of 725 constant-D cascades refused with "is held
in the cascade at 1.2e+11 times its feed": an element extracted in one section and scrubbed in
the next builds up past what the Newton balances close in double precision. The cascade is
linear, and the birth–death recurrences (Grassmann, Taksar & Heyman 1985) solve it with a
relative error of a few ε per stage whatever the hold-up. Checked here against an exact
rational solve of the same float inputs and against Newton on ordinary cascades. The chain takes
side draws and a strip section too (the first strip stage is an aqueous draw of fraction 1):
the fuzz round 9 and round 15 trapped cascades, refused by name before, are now solved exactly.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import random_problems as rp
from tests.reliability.test_fuzz_round30 import _trapped_nd

from reeflow.core.errors import InfeasibleSpecError
from reeflow.plant.sx import Cascade, Feed, SideDraw, birthdeath, simulate
from reeflow.plant.sx.cascade import _feed_matrix, _hydraulics, _result, default_draw_name
from reeflow.plant.sx.models import constant_d


def _rational_outlets(casc: Cascade, res, d: dict) -> dict[str, dict[str, float]]:
    """Every outlet of every element by Thomas elimination in exact rational arithmetic
    (fractions.Fraction) on the engine's float inputs: E_k = D_k·(Q_org/Q_aq)_k, the feeds in
    mol/h and the draw fractions (the first strip stage draws its aqueous whole), as the engine
    forms them; one rounding, at the end."""
    secs = casc.stage_sections()
    ratio = res.q_org_L_per_h / res.q_aq_L_per_h
    n = len(secs)
    _, _, da_f, do_f, _ = _hydraulics(casc, secs)
    da = [Fraction(float(x)) for x in da_f]
    do = [Fraction(float(x)) for x in do_f]
    names = {}
    for sd in casc.side_draws:
        names[(sd.stage - 1, sd.phase)] = sd.name or default_draw_name(sd.stage, sd.phase)
    out: dict[str, dict[str, float]] = {"raffinate": {}}
    top = "stripped_organic" if "strip" in secs else "loaded_organic"
    for el in res.components:
        e = [Fraction(float(d[secs[k]][el] * ratio[k])) for k in range(n)]
        f = [Fraction(0)] * n
        for fd in casc.feeds:
            f[fd.stage - 1] += Fraction(float(fd.mol_per_L.get(el, 0.0)) * fd.flow_L_per_h)
        # stage k: (1 − do_{k−1}) E_{k−1} l_{k−1} − (1 + E_k) l_k + (1 − da_{k+1}) l_{k+1} = −f_k
        cp, dp = [Fraction(0)] * n, [Fraction(0)] * n
        for k in range(n):
            lo = (1 - do[k - 1]) * e[k - 1] if k > 0 else Fraction(0)
            den = -(1 + e[k]) - (lo * cp[k - 1] if k > 0 else 0)
            cp[k] = (1 - da[k + 1]) / den if k + 1 < n else Fraction(0)
            dp[k] = (-f[k] - (lo * dp[k - 1] if k > 0 else 0)) / den
        x = [Fraction(0)] * n
        x[-1] = dp[-1]
        for k in range(n - 2, -1, -1):
            x[k] = dp[k] - cp[k] * x[k + 1]
        out["raffinate"][el] = float((1 - da[0]) * x[0])
        out.setdefault(top, {})[el] = float((1 - do[-1]) * e[-1] * x[-1])
        for k in range(n):
            if da[k] > 0:
                name = "strip_liquor" if da[k] == 1 else names[(k, "aqueous")]
                out.setdefault(name, {})[el] = float(da[k] * x[k])
            if do[k] > 0:
                out.setdefault(names[(k, "organic")], {})[el] = float(do[k] * e[k] * x[k])
    return out


def _check_exact(casc, params, rel=1e-10):
    res = simulate(casc, model="constant_d", params=params)
    assert res.converged and res.strategy == birthdeath.METHOD
    assert res.max_scaled_residual <= 1e-12
    fed = res.feed_mol_per_h
    for el in res.elements:
        out = sum(res.outlets[o][el] for o in res.outlets)
        assert abs(out - fed[el]) <= 1e-9 * fed[el], (el, out, fed[el])
        assert abs(res.closure[el]) <= 1e-9
    ref = _rational_outlets(casc, res, params["D"])
    assert set(ref) == set(res.outlets)
    for name, flows in ref.items():
        for el, x in flows.items():
            assert x > 0 and res.outlets[name][el] > 0
            assert res.outlets[name][el] == pytest.approx(x, rel=rel, abs=0.0), (name, el)
    return res


def test_the_audit_cascade_holding_nd_at_1e11_times_its_feed_is_solved_exactly():
    casc, params = _trapped_nd()
    res = _check_exact(casc, params)
    held = (res.aq_mol_per_h + res.org_mol_per_h).max(axis=0)
    assert held[res.components.index("Nd")] / res.feed_mol_per_h["Nd"] > 1e11
    assert res.iterations == 0 and res.to_dict()["strategy"] == birthdeath.METHOD
    assert res.purity("loaded_organic", ["Nd"]) > 0.999999


def test_a_hold_up_of_2e18_times_the_feed_is_still_exact():
    """E = 1.5 below the feed, 0.5 above it over 100 + 100 stages: La piles up 2e18-fold;
    Gaussian elimination loses every digit, the recurrences none (measured: 4e-15 relative
    to the rational solve)."""
    casc = Cascade(sections=(("extraction", 100), ("scrub", 100)), feeds=(
        Feed(100, "aqueous", 1.0, {"La": 0.01, "Ce": 0.02}),
        Feed(1, "organic", 2.0, {}), Feed(200, "aqueous", 1.0, {})))
    params = {"D": {"extraction": {"La": 1.5, "Ce": 3.0}, "scrub": {"La": 0.25, "Ce": 4.0}}}
    res = _check_exact(casc, params)
    held = (res.aq_mol_per_h + res.org_mol_per_h).max(axis=0)
    assert held[res.components.index("La")] / res.feed_mol_per_h["La"] > 1e18


def _engine_inputs(casc, params):
    secs = casc.stage_sections()
    q_aq, q_org, da, do, _ = _hydraulics(casc, secs)
    comps = tuple(sorted({k for f in casc.feeds for k in f.mol_per_L}))
    p = constant_d.build_params(comps, secs, q_aq, q_org, params)
    feed, _ = _feed_matrix(casc, comps)
    return comps, p, q_aq, q_org, da, do, feed


def test_the_exact_solve_agrees_with_newton_on_ordinary_cascades():
    """50 seeded random constant-D cascades (2–6 elements, 5–150 stages) that Newton solves:
    the exact outlets agree to 1e-9 relative (measured: 2.4e-13 at worst over 200)."""
    rng = np.random.default_rng(20261202)
    worst = 0.0
    for _ in range(50):
        prob = rp.simulation_problem(rng, "constant_d")
        casc = rp.build_cascade(prob["spec"])
        res = simulate(casc, model="constant_d", params=prob["params"])
        assert res.strategy != birthdeath.METHOD  # Newton closes these
        comps, p, q_aq, q_org, da, do, feed = _engine_inputs(casc, prob["params"])
        order = [comps.index(c) for c in res.components]
        out = birthdeath.solve_exact(p, q_aq, q_org, da, do, feed, feed.sum(axis=0), 1e-12)
        assert out is not None
        aq, v = out[0][:, order], out[1][:, order]
        for name, x in (("raffinate", aq[0]), ("loaded_organic", v[-1])):
            y = np.array([res.outlets[name][c] for c in res.components])
            worst = max(worst, float(np.max(np.abs(x - y) / y)))
    assert worst <= 1e-9, worst


def _widened(rng: np.random.Generator, kind: str):
    """A seeded random constant-D cascade of :mod:`random_problems` (2–6 elements, 5–150
    stages) given a strip section (``kind`` "strip": 1–20 stages, strip acid O/A 0.5–8, strip
    D 0.005–0.5 of the extraction's) or 1–2 side draws (``kind`` "draws": either phase, any
    stage, 5–50 %, and a strip section one time in three); None where the O/A window refuses
    the flows."""
    prob = rp.simulation_problem(rng, "constant_d")
    spec, d = prob["spec"], prob["params"]["D"]
    (_, n), (_, m) = spec["sections"]
    f0, f1, f2 = spec["feeds"]  # the feed (stage n), the scrub acid (n + m), the organic (1)
    assert (f0["stage"], f1["stage"], f2["stage"]) == (n, n + m, 1)
    sections = [("extraction", n), ("scrub", m)]
    strip = kind == "strip" or rng.uniform() < 1.0 / 3.0
    k = int(rng.integers(1, 21)) if strip else 0
    while n + m + k > 150:
        n, m = (n - 1, m) if n >= m else (n, m - 1)
    feeds = [Feed(s, f["phase"], f["flow_L_per_h"], f["mol_per_L"])
             for s, f in ((n, f0), (n + m, f1), (1, f2))]
    if strip:
        sections = [("extraction", n), ("scrub", m), ("strip", k)]
        q_org = sum(f.flow_L_per_h for f in feeds if f.phase == "organic")
        oa = float(np.exp(rng.uniform(np.log(0.5), np.log(8.0))))
        feeds.append(Feed(n + m + k, "aqueous", q_org / oa, {}))
        d = dict(d, strip={el: x * float(np.exp(rng.uniform(np.log(0.005), np.log(0.5))))
                           for el, x in d["extraction"].items()})
    draws: list[SideDraw] = []
    if kind == "draws":
        total = sum(s for _, s in sections)
        strip_first = n + m + 1 if len(sections) == 3 else None
        for _ in range(int(rng.integers(1, 3))):
            stage = int(rng.integers(1, total + 1))
            phase = ("aqueous", "organic")[int(rng.integers(0, 2))]
            if (phase == "aqueous" and stage == strip_first) or any(
                    (x.stage, x.phase) == (stage, phase) for x in draws):
                continue
            draws.append(SideDraw(stage, phase, float(rng.uniform(0.05, 0.5))))
        if not draws:
            return None
    casc = Cascade(sections=tuple(sections), feeds=tuple(feeds), side_draws=tuple(draws))
    try:
        _hydraulics(casc, casc.stage_sections())
    except InfeasibleSpecError:
        return None
    return casc, {"D": d}


@pytest.mark.parametrize("kind", ["strip", "draws"])
def test_the_exact_solve_agrees_with_newton_with_a_strip_section_or_side_draws(kind):
    """The widened chain (birthdeath.is_plain): 50 seeded random constant-D cascades each with
    a strip section (the first strip stage draws its aqueous whole) or with side draws, that
    Newton solves: every outlet of every element agrees to 1e-9 relative (measured: 1.5e-13
    over 615 outlet flows with a strip section, 1.4e-13 over 840 with draws, at worst)."""
    rng = np.random.default_rng(20261203 if kind == "strip" else 20261204)
    worst, done = 0.0, 0
    while done < 50:
        got = _widened(rng, kind)
        if got is None:
            continue
        casc, params = got
        assert birthdeath.is_plain(casc, "constant_d")
        try:
            res = simulate(casc, model="constant_d", params=params)
        except InfeasibleSpecError:
            continue
        if res.strategy == birthdeath.METHOD:
            continue  # trapped: no Newton answer to compare with
        comps, p, q_aq, q_org, da, do, feed = _engine_inputs(casc, params)
        out = birthdeath.solve_exact(p, q_aq, q_org, da, do, feed, feed.sum(axis=0), 1e-12)
        assert out is not None
        ref = _result(casc, comps, casc.stage_sections(), out[0], out[1], q_aq, q_org, da, do,
                      feed, True, 0, out[2], 0.0).outlets
        assert set(ref) == set(res.outlets)
        assert (kind == "draws") == bool(casc.side_draws)
        for name, flows in ref.items():
            for el, x in flows.items():
                y = res.outlets[name][el]
                assert x > 0 and y > 0, (name, el)
                worst = max(worst, abs(x - y) / x)
        done += 1
    assert worst <= 1e-9, worst


def test_the_recurrences_match_a_dense_solve_with_draws():
    """The kernel itself also takes draw fractions (killing): a 12-stage chain with an
    aqueous and an organic draw matches numpy.linalg.solve to round-off."""
    rng = np.random.default_rng(3)
    n, c = 12, 3
    e = np.exp(rng.uniform(-2.0, 2.0, (n, c)))
    da, do = np.zeros(n), np.zeros(n)
    da[5], do[7] = 0.3, 0.2
    f = rng.uniform(0.0, 1.0, (n, c))
    aq = birthdeath.exact_profile(e, da, do, f)
    for i in range(c):
        a = np.diag(-(1.0 + e[:, i])) + np.diag(1.0 - da[1:], 1) \
            + np.diag((1.0 - do[:-1]) * e[:-1, i], -1)
        assert np.allclose(np.linalg.solve(a, -f[:, i]), aq[:, i], rtol=1e-13, atol=0.0)


def test_a_cascade_outside_the_plain_chain_behaves_as_before():
    """Entrainment, a Murphree efficiency below 1 or another model keep the Newton path; an
    ordinary entrained cascade still solves by Newton. Side draws and a strip section were
    outside too (the trapped element was refused by name) until the chain took them in: the
    drawn trapped cascade is now solved exactly."""
    from dataclasses import replace

    casc, params = _trapped_nd()
    drawn = Cascade(sections=casc.sections, feeds=casc.feeds,
                    side_draws=(SideDraw(30, "aqueous", 0.1), SideDraw(100, "organic", 0.05)))
    assert birthdeath.is_plain(drawn, "constant_d")
    assert birthdeath.is_plain(casc, "constant_d")
    assert not birthdeath.is_plain(casc, "constant_beta")
    assert not birthdeath.is_plain(replace(casc, murphree_efficiency=0.9), "constant_d")
    _check_exact(drawn, params)
    entrained = Cascade(sections=(("extraction", 8), ("scrub", 6)), feeds=(
        Feed(8, "aqueous", 1.0, {"Nd": 0.1, "Pr": 0.05}), Feed(1, "organic", 1.5, {}),
        Feed(14, "aqueous", 0.5, {})), entrainment_aq_frac=0.01)
    assert not birthdeath.is_plain(entrained, "constant_d")
    res = simulate(entrained, model="constant_d",
                   params={"D": {"Nd": 2.0, "Pr": 1.0}})
    assert res.strategy == "newton"
    stripped = Cascade(sections=(("extraction", 4), ("scrub", 3), ("strip", 3)),
                       feeds=entrained.feeds)
    assert birthdeath.is_plain(stripped, "constant_d")
    assert not birthdeath.is_plain(replace(stripped, entrainment_org_frac=0.01), "constant_d")
