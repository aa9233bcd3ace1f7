"""Three-outlet cascades: a middle product drawn from an intermediate stage, designed.

A two-outlet cut sends the heavy group to the organic and the light group to the raffinate;
a three-outlet cascade (Yan Chunhua and co-workers, Peking University; Zhang, Zhao &
Schreiner 2016, *Separation Hydrometallurgy of Rare Earth Elements*, Springer, ch. 4) also
withdraws a fraction of one phase leaving an intermediate stage, where the middle element
accumulates, as a concentrate of it. Flows per mol of RE fed (Xu's constant-β, constant-flow
basis; :mod:`reeflow.plant.sx.models.constant_beta`):

- S = RE in the organic leaving stage 1 (the extraction capacity), W = RE stripped back by
  the scrub acid at the top stage;
- products: organic ``P_o = S − W`` (aqueous draw) or ``S(1 − φ) − W`` (organic draw),
  middle draw ``P_d``, raffinate ``1 − P_o − P_d``;
- the draw fraction φ of the phase leaving the draw stage follows from P_d: an aqueous draw
  in the scrub section takes ``φ = P_d/W`` (the scrub aqueous carries W), an organic draw
  ``φ = P_d/S``.

Design (:func:`design_three_outlet`): the products from the specs (with a light-group
recovery: the material balance with every spec at its limit, Xu's rule f'_A = f_A·Y_A/P_A
carried to three outlets, the end products' impurities taken as the middle group; without
one: a fraction ρ of the middle group to the draw at its concentration spec), W from S;
then the smallest n + m and, for each total, the feed stage and the draw stage that
maximise the smallest margin of the four specs (organic purity, raffinate purity and
recovery, middle concentration), each checked on the rigorous simulation. Without a given
S, S is scanned and the design with the smallest ``S·(n + m)`` (Xu's criterion: production
per unit mixer volume) is returned with the scan. Stages are numbered from the raffinate
end (organic in at stage 1, aqueous feed at stage n, scrub acid at stage n + m).

Paper gate (tests/sx/test_sx_threeoutlet.py): the Gd/Eu/Sm case of Zhang, Zhao & Schreiner
(2016, ch. 4; read through the quotation in KitchinHUB/ree-literature-updates
``ree-book/src/17-process-modeling-optimization.md``, the primary not read): β Gd/Eu 1.40,
Eu/Sm 2.00; feed 0.39/0.10/0.51; 99.9 % Gd, 99.99 % Sm at 99.9 % recovery, Eu > 40 %. The
quotation does not name the draw phase: an aqueous draw reproduces it (an organic draw at
18 + 42, stage 30, same flows: 99.66 % Gd, 39.8 % Eu). Published n + m and draw stage at
S = 1.40 … 2.50 (85 … 55 stages; 18 + 42, draw at stage 30 at S = 2.00) are reproduced
exactly, n within ±2, with 99.91 % Gd, 40.0 % Eu
and 61.8 % Gd recovery at S = 2.00 as quoted. The earlier product rule (ρ = 99.95 % of the
Eu to the draw, raffinate = all the Sm) ignored the 99.9 % Sm recovery: it asked for 99.99 %
Sm recovery instead and needed 16 + 88 = 104 stages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.core.numeric import INTEGER_TYPES, REAL_TYPES
from reeflow.plant.sx.cascade import (
    Cascade,
    CascadeResult,
    Feed,
    SideDraw,
    default_draw_name,
    simulate,
)
from reeflow.plant.sx.conditions import DesignConditions, operating_point
from reeflow.plant.sx.design import (
    STAGE_LIMIT,
    as_group,
    check_alpha,
    check_conditions,
    check_feed,
    check_flow,
    check_stages,
)

__all__ = ["ThreeOutletDesign", "design_three_outlet", "simulate_three_outlet"]

PHASES = ("aqueous", "organic")


@dataclass
class ThreeOutletDesign:
    """A designed three-outlet cascade (stages, draw, flows per mol feed, rigorous result)."""

    heavy: tuple[str, ...]
    middle: tuple[str, ...]
    light: tuple[str, ...]
    n_extraction: int
    n_scrub: int
    draw_stage: int
    draw_phase: str
    draw_fraction: float
    s_mol_per_mol_feed: float
    w_mol_per_mol_feed: float
    draw_mol_per_mol_feed: float
    purity_organic: float
    purity_aqueous: float
    recovery_aqueous: float
    middle_fraction: float
    recovery_organic: float
    result: CascadeResult
    scan: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_stages(self) -> int:
        return self.n_extraction + self.n_scrub

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in (
            "n_extraction", "n_scrub", "draw_stage", "draw_phase", "draw_fraction",
            "s_mol_per_mol_feed", "w_mol_per_mol_feed", "draw_mol_per_mol_feed",
            "purity_organic", "purity_aqueous", "recovery_aqueous", "middle_fraction",
            "recovery_organic", "scan")}
        out.update(heavy=list(self.heavy), middle=list(self.middle), light=list(self.light),
                   total_stages=self.total_stages, outlets_mol_per_h=self.result.outlets)
        return out


def simulate_three_outlet(
    feed_mol_per_h: Mapping[str, float],
    alpha: Mapping[str, float],
    n_extraction: int,
    n_scrub: int,
    s_mol_per_h: float,
    w_mol_per_h: float,
    draw_stage: int,
    draw_phase: str,
    draw_fraction: float,
    *,
    conditions: DesignConditions | None = None,
    start_aq_mol_per_h: np.ndarray | None = None,
) -> CascadeResult:
    """Rigorous constant-β simulation of a three-outlet cascade (aqueous feed at stage n).

    The draw outlet is named ``aq_draw_<stage>`` or ``org_draw_<stage>``.
    ``start_aq_mol_per_h``: a neighbouring solution's aqueous profile to start from
    (:func:`reeflow.plant.sx.cascade.simulate`).
    """
    c = check_conditions(conditions)
    feed = check_feed(feed_mol_per_h)
    alpha = check_alpha(alpha, list(feed))
    n, m = check_stages("n_extraction", n_extraction, 1), check_stages("n_scrub", n_scrub, 1)
    s_mol_per_h, w_mol_per_h = check_flow("s_mol_per_h", s_mol_per_h), check_flow(
        "w_mol_per_h", w_mol_per_h)
    if isinstance(draw_fraction, bool) or not isinstance(draw_fraction, REAL_TYPES):
        raise InputError("draw_fraction", draw_fraction, "0 < fraction < 1",
                         "give draw_fraction strictly between 0 and 1, e.g. 0.2")
    if not (n >= 1 and m >= 1 and n + m <= STAGE_LIMIT):
        raise InputError("stages", (n, m), f"n >= 1, m >= 1, n + m <= {STAGE_LIMIT}",
                         "give at least 1 extraction and 1 scrub stage, with n + m within the "
                         "limit shown")
    if draw_phase not in PHASES:
        raise InputError("draw_phase", draw_phase, f"one of {PHASES}",
                         "use draw_phase='aqueous' or 'organic'")
    if not (isinstance(draw_stage, INTEGER_TYPES) and 1 <= draw_stage <= n + m):
        raise InputError("draw_stage", draw_stage, f"1..{n + m}",
                         "pick a draw stage within the cascade's stages")
    if not (math.isfinite(draw_fraction) and 0.0 < draw_fraction < 1.0):
        raise InputError("draw_fraction", draw_fraction, "0 < fraction < 1",
                         "give draw_fraction strictly between 0 and 1, e.g. 0.2")
    ftot = math.fsum(feed.values())
    op = operating_point(s_mol_per_h / ftot, w_mol_per_h / ftot, c, allow_more_reflux=False)
    fl = {k: v * ftot for k, v in op.flows_L_per_mol().items()}
    comp = {e: x / fl["feed"] for e, x in feed.items()}
    cascade = Cascade(
        sections=(("extraction", n), ("scrub", m)),
        feeds=(Feed(n, "aqueous", fl["feed"], comp, "feed"),
               Feed(1, "organic", fl["organic"], {}),
               Feed(n + m, "aqueous", fl["scrub_acid"], {}, "scrub")),
        side_draws=(SideDraw(draw_stage, draw_phase, draw_fraction),))
    params = {"alpha": {e: alpha[e] for e in comp}, "organic_RE_mol_per_h": s_mol_per_h,
              "scrub_RE_mol_per_h": w_mol_per_h,
              "capacity_mol_per_L": op.loaded_organic_mol_per_L}
    return simulate(cascade, model="constant_beta", params=params,
                    start_aq_mol_per_h=start_aq_mol_per_h)


class _StageCapError(InfeasibleSpecError):
    """One S's stage cap reached at a finite best margin: too few stages, not an O/A window
    or balance limit (the pruned scan skips smaller S only on this)."""


def _logit(p: float) -> float:
    p = min(max(p, 1e-300), 1 - 1e-16)
    return math.log(p / (1 - p))


class _Eval:
    """Memoised simulations; margin = min over the specs in logit units (≥ 0: all met)."""

    def __init__(self, feed, alpha, groups, flows, specs, phase, cond):
        self.feed, self.alpha, self.cond, self.phase = feed, alpha, cond, phase
        self.heavy, self.middle, self.light = groups
        self.s, self.w, self.p_d = flows  # mol/h
        self.specs = specs  # (p_org, p_aq, rec_aq, c_middle)
        self.memo: dict[tuple[int, int, int], tuple[float, CascadeResult]] = {}
        #: why the last refused simulation was refused (named where every one was)
        self.refusal = ""

    def __call__(self, n: int, m: int, d: int) -> tuple[float, CascadeResult]:
        key = (n, m, d)
        if key not in self.memo:
            frac = self.fraction(n, d)
            if not 0.0 < frac < 1.0:  # this stage's phase carries less than the draw
                self.refusal = (f"the draw ({self.p_d:.4g} mol/h) is not below the RE the "
                                f"{self.phase} phase carries on stage {d}")
                self.memo[key] = (-math.inf, None)  # type: ignore[assignment]
                return self.memo[key]
            try:
                r = simulate_three_outlet(self.feed, self.alpha, n, m, self.s, self.w, d,
                                          self.phase, frac, conditions=self.cond,
                                          start_aq_mol_per_h=self._neighbour(n, m, d))
            except InfeasibleSpecError as exc:  # e.g. O/A below the draw outside the window
                self.refusal = str(exc)
                self.memo[key] = (-math.inf, None)  # type: ignore[assignment]
                return self.memo[key]
            draw = default_draw_name(d, self.phase)
            p_o, p_a, rec, c_mid = self.specs
            margins = [_logit(r.purity("loaded_organic", self.heavy)) - _logit(p_o),
                       _logit(r.purity("raffinate", self.light)) - _logit(p_a),
                       _logit(r.purity(draw, self.middle)) - _logit(c_mid)]
            if rec is not None:
                margins.append(_logit(r.recovery("raffinate", self.light)) - _logit(rec))
            self.memo[key] = (min(margins), r)
        return self.memo[key]

    def _neighbour(self, n: int, m: int, d: int) -> np.ndarray | None:
        """The aqueous profile of the solved cascade with as many stages whose feed stage and
        then draw stage are nearest (a warm start: 41 % of the simulations of a slow design
        ran 100 to 450 iterations from the shortcut profile, SX fuzz round 18); None before
        any."""
        near = [((abs(k[0] - n), abs(k[2] - d)), r) for k, (_, r) in self.memo.items()
                if k[0] + k[1] == n + m and r is not None]
        return min(near, key=lambda t: t[0])[1].aq_mol_per_h if near else None

    def fraction(self, n: int, d: int) -> float:
        """φ drawing P_d: the RE flow of the phase leaving stage d (Xu's constant flows)."""
        if self.phase == "organic":
            return self.p_d / self.s
        ftot = math.fsum(self.feed.values())
        return self.p_d / (self.w if d > n else self.w + ftot)

    def best_draw(self, n: int, m: int) -> tuple[int, float]:
        """Draw stage maximising the margin (golden section over all stages but the ends)."""
        lo, hi = 2, n + m - 1
        if hi - lo <= 6:
            return max(((d, self(n, m, d)[0]) for d in range(lo, hi + 1)), key=lambda t: t[1])
        while hi - lo > 4:
            d1 = lo + int(round(0.382 * (hi - lo)))
            d2 = lo + int(round(0.618 * (hi - lo)))
            if self(n, m, d1)[0] < self(n, m, d2)[0]:
                lo = d1 + 1
            else:
                hi = d2
        return max(((d, self(n, m, d)[0]) for d in range(max(2, lo - 2),
                                                          min(n + m - 1, hi + 2) + 1)),
                   key=lambda t: t[1])

    def best(self, total: int) -> tuple[int, int, float]:
        """(feed stage n, draw stage, margin) maximising the margin at ``total`` stages."""
        def f(n: int) -> float:
            return self.best_draw(n, total - n)[1]

        lo, hi = 1, total - 2
        while hi - lo > 4:
            n1 = lo + int(round(0.382 * (hi - lo)))
            n2 = lo + int(round(0.618 * (hi - lo)))
            if f(n1) < f(n2):
                lo = n1 + 1
            else:
                hi = n2
        cand = [(n, *self.best_draw(n, total - n)) for n in range(max(1, lo - 2),
                                                                   min(total - 2, hi + 2) + 1)]
        n, d, margin = max(cand, key=lambda t: t[2])
        return n, d, margin


def _fractions(feed, groups) -> tuple[float, float, float]:
    """(f_heavy, f_middle, f_light): the groups' mole fractions of the feed RE."""
    ftot = math.fsum(feed.values())
    heavy, middle, light = (math.fsum(feed[e] for e in g) / ftot for g in groups)
    return heavy, middle, light


def _balance_products(feed, groups, specs) -> tuple[float, float]:
    """(P_o, P_d) per mol feed from the material balance with every spec at its limit.

    Xu's rule for the products of a cut (f'_A = f_A·Y_A/P_A; Zhang, Zhao & Schreiner 2016,
    ch. 4) carried to three outlets: the raffinate is ``P_aq = f_light·Y_light/p_aq``; the
    end products' impurities are taken as the middle group (it is adjacent to both), so
    the draw, at the middle-group concentration c, is
    ``P_d = (f_middle − (1 − p_aq)·P_aq − (1 − p_org)·P_o)/c`` and ``P_o = 1 − P_aq − P_d``.
    On the Gd/Eu/Sm case this gives the quoted 61.8 % Gd recovery (tests/sx).
    """
    p_org, p_aq, rec_aq, c_mid = specs
    f_heavy, f_mid, f_light = _fractions(feed, groups)
    if not c_mid > 1.0 - p_org:
        raise InfeasibleSpecError(
            f"three-outlet balance: the draw's middle-group concentration {c_mid:.4g} must "
            f"exceed the organic product's impurity allowance {1.0 - p_org:.4g}; raise "
            "middle_fraction or purity_organic")
    p_aq_flow = f_light * rec_aq / p_aq
    p_o = (1.0 - p_aq_flow - (f_mid - (1.0 - p_aq) * p_aq_flow) / c_mid) / (
        1.0 - (1.0 - p_org) / c_mid)
    p_d = 1.0 - p_aq_flow - p_o
    if not (p_o > 0.0 and p_d > 0.0 and p_org * p_o <= f_heavy):
        raise InfeasibleSpecError(
            f"three-outlet balance: a middle-group concentration of {c_mid:.4g} in the draw "
            f"with a light-group recovery of {rec_aq:.4g} leaves no feasible organic product "
            f"(P_o = {p_o:.4g}, P_d = {p_d:.4g} per mol feed); lower middle_fraction or "
            "recovery_aqueous")
    return p_o, p_d


def _heuristic_products(feed, groups, specs, rho, theta) -> tuple[float, float]:
    """(P_o, P_d) per mol feed when no light-group recovery is specified.

    A fraction ρ of the middle group goes to the draw at the concentration spec c; the rest
    of the draw is a fraction θ heavy (the rest light); the middle group left over is split
    between the end products in proportion to their impurity allowances.
    """
    p_org, p_aq, _, c_middle = specs
    f_heavy, f_mid, f_light = _fractions(feed, groups)
    p_d = rho * f_mid / c_middle
    a_org, a_aq = (1.0 - p_org) * f_heavy, (1.0 - p_aq) * f_light
    left_org = (1.0 - rho) * f_mid * a_org / (a_org + a_aq)
    return f_heavy - theta * (p_d - rho * f_mid) + left_org, p_d


def _flows(feed, groups, s, specs, phase, rho, theta) -> tuple[float, float, float, float]:
    """(W, P_d, φ, P_o) per mol feed.

    With a light-group recovery spec the products follow from the material balance
    (:func:`_balance_products`), otherwise from the ρ/θ split (:func:`_heuristic_products`).
    """
    if specs[2] is not None:
        p_o, p_d = _balance_products(feed, groups, specs)
    else:
        p_o, p_d = _heuristic_products(feed, groups, specs, rho, theta)
    if phase == "aqueous":
        w = s - p_o
        frac = p_d / (w + 1.0) if w > 0 else math.inf  # smallest: a draw below the feed
    else:
        frac = p_d / s
        w = s * (1.0 - frac) - p_o
    if not (w > 0 and 0.0 < frac < 1.0):
        raise InfeasibleSpecError(
            f"S = {s:.4g} mol per mol feed is too small for an organic product of {p_o:.4g} "
            f"and a {phase} draw of {p_d:.4g}; raise S")
    return w, p_d, frac, p_o


def design_three_outlet(
    feed_mol_per_h: Mapping[str, float],
    heavy: Sequence[str],
    middle: Sequence[str],
    *,
    alpha: Mapping[str, float],
    purity_organic: float = 0.999,
    purity_aqueous: float = 0.999,
    middle_fraction: float = 0.4,
    recovery_aqueous: float | None = None,
    s_mol_per_mol_feed: float | Sequence[float] | None = None,
    draw_phase: str = "aqueous",
    middle_recovery: float | None = None,
    draw_impurity_heavy_frac: float | None = None,
    conditions: DesignConditions | None = None,
    max_stages: int = 400,
) -> ThreeOutletDesign:
    """Design a three-outlet cascade: ``heavy`` → organic, ``middle`` → draw, rest → raffinate.

    ``middle_fraction`` is the middle group's mole fraction required in the draw,
    ``recovery_aqueous`` the light group's recovery to the raffinate (optional). With it,
    the product flows follow from the material balance with every spec at its limit (Xu's
    rule, :func:`_balance_products`; this reproduces the published Gd/Eu/Sm design). Without
    it, ``middle_recovery`` sizes the draw (``P_d = ρ·f_middle/c_middle``): the middle group
    must almost all report to the draw or it spoils the end products, so by default ρ leaves
    half of the end products' impurity allowances to the middle group;
    ``draw_impurity_heavy_frac`` θ (default 1) is the heavy share of the draw's other
    elements (1: the draw takes heavy elements, 0: light ones). The two are refused with
    ``recovery_aqueous`` (the balance fixes them). ``S`` per
    mol feed: a number, a list to scan, or None (scan from the two-outlet heavy/rest
    minimum). Returns the design with the fewest stages at the given S, or the smallest
    S·(n + m) over the scan. Raises InfeasibleSpecError naming the spec when ``max_stages``
    do not suffice.
    """
    cond = check_conditions(conditions)
    feed = check_feed(feed_mol_per_h)
    groups = _groups(feed, heavy, middle, alpha)
    if draw_phase not in PHASES:
        raise InputError("draw_phase", draw_phase, f"one of {PHASES}",
                         "use draw_phase='aqueous' or 'organic'")
    for name, val in (("purity_organic", purity_organic), ("purity_aqueous", purity_aqueous),
                      ("middle_fraction", middle_fraction)):
        if not (isinstance(val, REAL_TYPES) and 0.0 < val < 1.0):
            raise InputError(name, val, "0 < value < 1",
                             "give a fraction strictly between 0 and 1, e.g. 0.99")
    if recovery_aqueous is not None and not (isinstance(recovery_aqueous, REAL_TYPES)
                                             and 0.0 < recovery_aqueous < 1.0):
        raise InputError("recovery_aqueous", recovery_aqueous, "0 < value < 1",
                         "give recovery_aqueous strictly between 0 and 1, or leave it unset")
    split = _split(feed, groups, purity_organic, purity_aqueous, recovery_aqueous,
                   middle_recovery, draw_impurity_heavy_frac)
    specs = (purity_organic, purity_aqueous, recovery_aqueous, middle_fraction)
    max_stages = check_stages("max_stages", max_stages, 2)
    s_list = _s_scan(feed, groups, alpha, s_mol_per_mol_feed)
    best, scan = _scan_s(feed, groups, alpha, s_list, specs, draw_phase, cond, max_stages,
                         split, prune=s_mol_per_mol_feed is None)
    if best is None and s_mol_per_mol_feed is None:
        # more reflux than the default scan's top (2 x the two-outlet minimum): 7 of 9 default
        # refusals of SX fuzz round 19 designed at S = 2-3 with 13-42 stages
        more = [max(s_list) * k for k in _MORE_REFLUX]
        best, rows = _scan_s(feed, groups, alpha, more, specs, draw_phase, cond, max_stages,
                             split, prune=True)
        scan = sorted(scan + rows, key=lambda r: r["s_mol_per_mol_feed"])
    if best is None:
        raise InfeasibleSpecError("three-outlet design: no S in the scan meets the specs "
                                  f"within {max_stages} stages: {scan[-1]['reason']}")
    best.scan = scan
    return best


def _scan_s(feed, groups, alpha, s_list, specs, phase, cond, max_stages, split, *,
            prune: bool) -> tuple[ThreeOutletDesign | None, list[dict[str, Any]]]:
    """Design at each S from the largest down; return the design with the smallest S·(n + m)
    (on a tie the smaller S) and the scan's rows in ascending S.

    ``prune`` (the default scan, whose S values are reeflow's own): a smaller S is designed
    only up to the stages that could still beat the best S·(n + m) found (more stages cannot
    win), and once an S fails for want of stages within ``max_stages`` (a finite margin, not an
    O/A window or balance limit) every smaller S is skipped: less reflux
    needs more stages (the minimum stages of a cut fall as its reflux ratio rises, Xu's
    constant-flow relations, Zhang, Zhao & Schreiner 2016, ch. 4; the margin at 400 stages
    rose monotonically with S on every infeasible scan measured, and
    ``tests/sx/test_sx_threeoutlet_scan.py`` checks that the pruned scan returns the
    exhaustive scan's design). A trace-middle feed whose scan was infeasible at every S took
    up to 90 s to say so: each S grew its cascade to ``max_stages``. A caller's list is
    designed at every S (its rows are the table asked for).

    Each row's ``status``: "designed", "infeasible" (the S cannot meet the specs within
    ``max_stages``, or hits an O/A window or balance limit), "not better" (pruned: it cannot
    meet them within the stages that would beat the best S) or "not designed" (pruned: skipped
    below an S that failed for want of stages); ``feasible`` is None for the last two, which are
    not proven infeasible. Ties in S·(n + m) are compared at a relative 1e-12, so a float tie
    is not lost to round-off (:func:`_stage_cap`)."""
    best: ThreeOutletDesign | None = None
    rows: list[dict[str, Any]] = []
    failed_at: float | None = None
    for s in sorted(s_list, reverse=True):
        if prune and failed_at is not None:
            rows.append({"s_mol_per_mol_feed": s, "feasible": None, "status": "not designed",
                         "reason": (f"not designed: S = {failed_at:.4g} does not reach the specs "
                                    f"within {max_stages} stages, and a smaller S (less reflux) "
                                    "needs more")})
            continue
        cap = max_stages
        if prune and best is not None:  # at most this many stages, or it cannot win
            cap = min(max_stages, _stage_cap(best.s_mol_per_mol_feed * best.total_stages, s))
        try:
            d = _design_at(feed, groups, alpha, s, specs, phase, cond, cap, split)
        except InfeasibleSpecError as exc:
            reason, staged = str(exc), isinstance(exc, _StageCapError)
            pruned = staged and cap < max_stages
            if pruned:
                assert best is not None
                reason = (f"not better: S = {s:.4g} needs more than {cap} stages, more "
                          f"S·(n + m) than S = {best.s_mol_per_mol_feed:.4g} at "
                          f"{best.total_stages} stages ({reason})")
            rows.append({"s_mol_per_mol_feed": s, "feasible": None if pruned else False,
                         "status": "not better" if pruned else "infeasible", "reason": reason})
            if staged and cap == max_stages:
                failed_at = s
            continue
        rows.append({"s_mol_per_mol_feed": s, "feasible": True, "status": "designed",
                     "draw_stage": d.draw_stage, "n_extraction": d.n_extraction,
                     "n_scrub": d.n_scrub, "total_stages": d.total_stages,
                     "s_times_stages": s * d.total_stages})
        if best is None or _not_worse((s * d.total_stages, s),
                                      (best.s_mol_per_mol_feed * best.total_stages,
                                       best.s_mol_per_mol_feed)):
            best = d
    rows.sort(key=lambda r: r["s_mol_per_mol_feed"])
    return best, rows


_TIE_REL = 1e-12  # S·(n + m) values this close (relative) are a tie


def _stage_cap(best_cost: float, s: float) -> int:
    """The most stages at which ``s`` still ties or beats ``best_cost`` = S·(n + m): the floor
    of best_cost/s, taken after a relative 1e-12 allowance so that a quotient such as
    79.999999999999 (an exact tie lost to round-off) still admits 80 stages."""
    return math.floor(best_cost / s * (1.0 + _TIE_REL))


def _not_worse(cand: tuple[float, float], best: tuple[float, float]) -> bool:
    """Whether a design (S·(n + m), S) beats or ties ``best``: a smaller S·(n + m) wins, and
    on a tie within a relative 1e-12 the smaller S."""
    if cand[0] < best[0] * (1.0 - _TIE_REL):
        return True
    return cand[0] <= best[0] * (1.0 + _TIE_REL) and cand[1] <= best[1]


def _split(feed, groups, p_org, p_aq, rec_aq, rho, theta) -> tuple[float, float]:
    """Validated (ρ, θ) of :func:`_heuristic_products`; unused (and refused) with rec_aq."""
    if rec_aq is not None:
        for name, val in (("middle_recovery", rho), ("draw_impurity_heavy_frac", theta)):
            if val is not None:
                raise InputError(name, val, "unset when recovery_aqueous is given",
                                 "drop it: the material balance at the specs fixes the draw")
        return math.nan, math.nan
    if rho is None:
        rho = _auto_recovery(feed, groups, p_org, p_aq)
    if not (isinstance(rho, REAL_TYPES) and 0.5 < rho < 1.0):
        raise InputError("middle_recovery", rho, "0.5 < value < 1",
                         "give middle_recovery above 0.5 and below 1, or leave it unset to compute "
                         "it")
    theta = 1.0 if theta is None else theta
    if not (isinstance(theta, REAL_TYPES) and 0.0 <= theta <= 1.0):
        raise InputError("draw_impurity_heavy_frac", theta, "0..1",
                         "give draw_impurity_heavy_frac from 0 to 1, or leave it unset (1)")
    return float(rho), float(theta)


def _auto_recovery(feed, groups, p_org, p_aq) -> float:
    """ρ = 1 − ½·(sum of the end products' impurity allowances)/f_middle (per mol feed)."""
    heavy, middle, light = groups
    ftot = math.fsum(feed.values())
    f = {name: math.fsum(feed[e] for e in g) / ftot
         for name, g in (("h", heavy), ("m", middle), ("l", light))}
    allow = (1.0 - p_org) * f["h"] + (1.0 - p_aq) * f["l"]
    return max(0.5 + 1e-9, 1.0 - 0.5 * allow / f["m"])


def _s_scan(feed, groups, alpha, s_mol_per_mol_feed) -> list[float]:
    """The S values (loaded-organic RE per mol of feed) to design at: the caller's number or
    list, each finite and > 0, or the default scan from the two-outlet minimum."""
    if s_mol_per_mol_feed is None:
        return _default_scan(feed, groups, alpha)
    bad = InputError("s_mol_per_mol_feed", s_mol_per_mol_feed,
                     "loaded-organic RE per mol of feed, finite and > 0 (a number or a non-empty "
                     "list)", "give S as a positive number (or a list of them), or leave it "
                     "unset to scan from the two-outlet minimum")
    if isinstance(s_mol_per_mol_feed, REAL_TYPES) and not isinstance(s_mol_per_mol_feed, bool):
        s_list = [float(s_mol_per_mol_feed)]
    elif isinstance(s_mol_per_mol_feed, Sequence) and not isinstance(s_mol_per_mol_feed, str) \
            and s_mol_per_mol_feed and all(isinstance(x, REAL_TYPES) and not isinstance(x, bool)
                                           for x in s_mol_per_mol_feed):
        s_list = [float(x) for x in s_mol_per_mol_feed]
    else:
        raise bad
    for s_val in s_list:
        if not (math.isfinite(s_val) and s_val > 0):
            raise InputError("s_mol_per_mol_feed", s_mol_per_mol_feed,
                             "loaded-organic RE per mol of feed, finite and > 0",
                             "give S as a positive number (or a list of them), or leave it "
                             "unset to scan from the two-outlet minimum")
    return s_list


def _groups(feed, heavy, middle, alpha):
    heavy_t = tuple(e for e in as_group(heavy, "heavy") if e in feed)
    middle_t = tuple(e for e in as_group(middle, "middle") if e in feed)
    light_t = tuple(e for e in feed if e not in heavy_t and e not in middle_t)
    if not heavy_t or not middle_t or not light_t or set(heavy_t) & set(middle_t):
        raise InputError("groups", (heavy, middle), "disjoint, non-empty heavy, middle and "
                         "light groups present in the feed",
                         "name heavy and middle groups of fed elements with no overlap, leaving "
                         "some light elements")
    for e in feed:
        if e not in alpha or not (isinstance(alpha[e], REAL_TYPES) and alpha[e] > 0):
            raise InputError(f"alpha.{e}", alpha.get(e), "a number > 0",
                             "give every fed element an extractability above 0 in alpha")
    if not (min(alpha[e] for e in heavy_t) > max(alpha[e] for e in middle_t)
            and min(alpha[e] for e in middle_t) > max(alpha[e] for e in light_t)):
        raise InputError("groups", (heavy_t, middle_t, light_t),
                         "heavy > middle > light in extractability",
                         "regroup so every heavy element extracts better than every middle one, "
                         "and middle better than light")
    return heavy_t, middle_t, light_t


#: multiples of the default scan's top S tried when no S of it designs (geometric, x 1.5)
_MORE_REFLUX = (1.5, 2.25, 3.375, 5.0625)


def _default_scan(feed, groups, alpha) -> list[float]:
    heavy, middle, _ = groups
    beta = min(alpha[e] for e in heavy) / max(alpha[e] for e in middle)
    ftot = math.fsum(feed.values())
    f_heavy = math.fsum(feed[e] for e in heavy) / ftot
    s_min = f_heavy + f_heavy / (beta - 1.0)  # Underwood minimum for a pure heavy product
    return [s_min * k for k in (1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0)]


def _levelling_off(margin: float, gains: list[float], safety: float = 3.0) -> bool:
    """The margin's gains from one stage count to the next (each 1.4 times the last) have shrunk
    three times running and, summed to infinity at the slower of the last two ratios with a
    safety factor, cannot reach 0: more stages will
    not meet the specs. Before, the search grew to the stage cap at ever slower simulations
    (over 110 s on one Gd/Eu/Sm problem whose margin levelled off at -1.49; fuzz round 15)."""
    if len(gains) < 4:
        return False
    g1, g2, g3 = gains[-3:]
    if not (g1 > g2 > g3 > 0):  # three shrinking gains: a dip between rising ones is not enough
        return False
    r = max(g2 / g1, g3 / g2)
    # the tail from the larger of the last two gains: one gain collapsed by noise (0.738,
    # 0.639, 0.0019) stopped a search that met its specs one step later (re-fuzz round 16)
    return margin + safety * max(g2, g3) * r / (1.0 - r) < 0


def _design_at(feed, groups, alpha, s, specs, phase, cond, cap, split) -> ThreeOutletDesign:
    heavy, middle, light = groups
    w, p_d, _, _ = _flows(feed, groups, s, specs, phase, *split)
    ftot = math.fsum(feed.values())
    ev = _Eval(feed, alpha, groups, (s * ftot, w * ftot, p_d * ftot), specs, phase, cond)
    hi, last, flat, gains = 10, -math.inf, 0, [math.inf]
    while (margin := ev.best(hi)[2]) < 0:
        flat = flat + 1 if margin < last + 1e-3 else 0
        if math.isfinite(margin) and math.isfinite(last):
            gains.append(margin - last)
        if hi >= cap or flat >= 3 or _levelling_off(margin, gains):
            if not math.isfinite(margin):  # no cascade simulated: say why, not 'stage cap'
                raise InfeasibleSpecError(
                    f"S = {s:.4g}: no cascade of up to {hi} stages can be simulated at these "
                    f"flows ({ev.refusal or 'every draw stage refused'})")
            raise _StageCapError(
                f"stage cap: S = {s:.4g} does not reach the specs within {hi} stages (best "
                f"margin {margin:.3g} logit units{', no longer improving' if flat >= 3 else ''}"
                f"{', levelling off' if _levelling_off(margin, gains) else ''})")
        last = max(last, margin)
        hi = min(int(hi * 1.4) + 1, cap)
    lo = 3
    if ev.best(lo)[2] >= 0:
        hi = lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ev.best(mid)[2] >= 0:
            hi = mid
        else:
            lo = mid
    n, d, margin = ev.best(hi)
    r = ev(n, hi - n, d)[1]
    draw = default_draw_name(d, phase)
    return ThreeOutletDesign(
        heavy=heavy, middle=middle, light=light, n_extraction=n, n_scrub=hi - n,
        draw_stage=d, draw_phase=phase, draw_fraction=ev.fraction(n, d), s_mol_per_mol_feed=s,
        w_mol_per_mol_feed=w, draw_mol_per_mol_feed=p_d,
        purity_organic=r.purity("loaded_organic", heavy),
        purity_aqueous=r.purity("raffinate", light),
        recovery_aqueous=r.recovery("raffinate", light),
        middle_fraction=r.purity(draw, middle),
        recovery_organic=r.recovery("loaded_organic", heavy), result=r)
