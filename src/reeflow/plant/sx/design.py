"""Design of one two-outlet cascade cut (heavy group → organic, light group → aqueous).

Procedure (Xu Guangxian's design practice, Zhang, Zhao & Schreiner 2016 ch. 4; notes §3.6):

1. Key pair β from the extractant's separation factors; Xu's static design (:func:`xu_design`)
   gives the controlling section, the optimum extraction ratio and S and W per mol of feed.
2. The operating point (:func:`reeflow.plant.sx.conditions.operating_point`) chooses the scrub
   and strip acid, the feed dilution and the loaded organic (the saponification) inside their
   windows — and raises the reflux where no concentration suffices — so that every section's
   O/A lies inside 1:10–10:1.
3. The rigorous simulator (constant-β model with the loading constraint) finds the smallest
   n + m meeting both purity specs: an expanding search from Xu's estimate and a bisection
   down to 2 stages (no Fenske floor: the binary Fenske number over-counts multicomponent
   cuts), a golden-section search for the feed stage at each total, and an exhaustive check
   of every feed stage one stage below the answer.
4. Optionally, a scan over the reflux W (as multiples of Xu's optimum, above Underwood's
   minimum) trades stages against flows; the objective is the total mixer-settler volume,
   Xu's own criterion of optimality (maximum production per unit mixer volume).

Every inner simulation has converged (:func:`reeflow.plant.sx.simulate` raises otherwise) and
the returned design is the re-simulated one: its purities meet the specs.

Flows and reagents (stoichiometric, per hour): organic ``Q_o = S·F/c_loaded``; saponification
base 3·S·F mol NaOH (every mol RE loaded displaced 3 Na+); scrub acid 3·W·F mol HCl; strip acid
3·(S − W)·F·(1 + excess) mol HCl. Stripping is taken as complete in ``n_strip`` stages (not
simulated in this model). Organic inventory = organic flow × stages × (mixer + settler residence).
Real stages = ideal stages / overall stage efficiency (``DesignConditions.stage_efficiency``).
Reagents per tonne of product refer to the heavy group's oxide in the organic product.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reeflow.core.elements import atomic_mass, molar_mass, oxide_factor
from reeflow.core.errors import ConvergenceError, InfeasibleSpecError, InputError
from reeflow.core.numeric import REAL_TYPES, check_flag
from reeflow.plant.sx.cascade import (
    STAGE_LIMIT,
    Cascade,
    CascadeResult,
    Feed,
    check_magnitude,
    simulate,
)
from reeflow.plant.sx.conditions import DesignConditions, OperatingPoint, operating_point
from reeflow.plant.sx.data import design_record
from reeflow.plant.sx.shortcut import XuDesign, xu_design, xu_product_split

__all__ = ["CutDesign", "DesignConditions", "design_cut", "simulate_cut", "check_feed",
           "STAGE_LIMIT"]

#: Totals up to which the minimality check tries every feed stage (beyond: golden ± 2).
EXHAUSTIVE_MAX = 40

@dataclass
class CutDesign:
    """A designed cut: stages, flows, reagents, inventory and the rigorous stage profiles."""

    heavy: tuple[str, ...]
    light: tuple[str, ...]
    beta_key: float
    n_extraction: int
    n_scrub: int
    n_strip: int
    feed_stage: int
    s_mol_per_mol_feed: float
    w_mol_per_mol_feed: float
    xu: XuDesign
    flows_L_per_h: dict[str, float]  # noqa: N815
    reagents_mol_per_h: dict[str, float]
    reagents_kg_per_h: dict[str, float]
    organic_inventory_m3: float
    mixer_settler_volume_m3: float
    purity_organic: float
    purity_aqueous: float
    products_mol_per_h: dict[str, dict[str, float]]
    result: CascadeResult
    ideal_stages: tuple[int, int] = (0, 0)  # (extraction, scrub) before the stage efficiency
    reagents_kg_per_t_product: dict[str, float] = field(default_factory=dict)
    reflux_scan: list[dict[str, float]] = field(default_factory=list)
    operating: OperatingPoint | None = None
    spec: tuple[float, float] = (math.nan, math.nan)  # (organic, aqueous) purity specs

    @property
    def total_stages(self) -> int:
        return self.n_extraction + self.n_scrub + self.n_strip

    def to_dict(self, *, profiles: bool = False) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in (
            "heavy", "light", "beta_key", "n_extraction", "n_scrub", "n_strip", "feed_stage",
            "s_mol_per_mol_feed", "w_mol_per_mol_feed", "flows_L_per_h", "reagents_mol_per_h",
            "reagents_kg_per_h", "organic_inventory_m3", "mixer_settler_volume_m3",
            "purity_organic", "purity_aqueous", "products_mol_per_h", "reflux_scan",
            "ideal_stages", "reagents_kg_per_t_product")}
        out["heavy"], out["light"] = list(self.heavy), list(self.light)
        out["total_stages"] = self.total_stages
        out["xu"] = self.xu.to_dict()
        out["converged"] = self.result.converged
        out["iterations"] = self.result.iterations
        out["solve_time_s"] = self.result.solve_time_s
        out["purity_spec"] = {"organic": self.spec[0], "aqueous": self.spec[1]}
        if self.operating is not None:
            out["operating_point"] = self.operating.to_dict()
        if profiles:
            out["profiles"] = self.result.to_dict()["profiles"]
        return out


def check_feed(feed: Mapping[str, Any], field_name: str = "feed_mol_per_h", *,
               unit: str = "mol/h") -> dict[str, float]:
    """Validated feed {element: flow > 0}: NaN, infinite, negative or non-numbers raise, text
    too (``"30"`` was read as 30, SX fuzz round 18: a number written as text is a typing slip
    the engine does not guess at)."""
    if not isinstance(feed, Mapping) or not feed:
        raise InputError(field_name, feed, "a non-empty mapping {element: flow}",
                         "give the feed as {element: flow}, e.g. {Nd: 10, Pr: 3}")
    out: dict[str, float] = {}
    for el, x in feed.items():
        if isinstance(x, bool) or not isinstance(x, REAL_TYPES):
            raise InputError(f"{field_name}.{el}", x, "a number >= 0",
                             "give the flow as a number of 0 or more, without quotes")
        val = float(x)
        if not (math.isfinite(val) and val >= 0.0):
            raise InputError(f"{field_name}.{el}", x, "a finite number >= 0",
                             "give every feed flow as a non-negative number")
        check_magnitude(val, f"{field_name}.{el}", unit)
        if val > 0:
            out[str(el)] = val
    return out


def check_conditions(conditions: Any) -> DesignConditions:
    """``conditions`` as given, or the defaults; anything but :class:`DesignConditions` (a
    dict: an AttributeError before) is an InputError."""
    if conditions is None:
        return DesignConditions()
    if not isinstance(conditions, DesignConditions):
        raise InputError("conditions", type(conditions).__name__, "a DesignConditions",
                         "build it with DesignConditions(...) or .with_(...), e.g. "
                         "DesignConditions(stage_efficiency=0.9)")
    return conditions


def check_alpha(alpha: Any, elements: Sequence[str]) -> dict[str, float]:
    """``alpha`` as floats for ``elements``: a missing, NaN or non-positive value is an
    InputError naming the element (a KeyError before, fuzz round 15)."""
    if not isinstance(alpha, Mapping):
        raise InputError("alpha", alpha, "a mapping {element: relative extractability}",
                         "give alpha as {element: number}, e.g. {Nd: 1.4, Pr: 1}")
    out = {}
    for e in elements:
        a = alpha.get(e)
        if a is None:
            raise InputError(f"alpha.{e}", None, "a relative extractability for every fed "
                             "element", f"add {e} to alpha")
        if isinstance(a, bool) or not (isinstance(a, REAL_TYPES) and math.isfinite(a) and a > 0):
            raise InputError(f"alpha.{e}", a, "a finite number > 0",
                             "give the extractability as a finite number above 0")
        out[e] = float(a)
    return out


def check_flow(name: str, value: Any) -> float:
    """A RE flow (mol/h) that is a finite number >= 0."""
    if isinstance(value, bool) or not (isinstance(value, REAL_TYPES) and math.isfinite(value)
                                       and value >= 0):
        raise InputError(name, value, "a finite number >= 0 mol/h",
                         "give a finite number of 0 or more mol/h")
    return float(value)


def check_stages(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, REAL_TYPES) or not math.isfinite(value) \
            or value != int(value):
        raise InputError(name, value, f"an integer >= {low}", "give a whole number of stages")
    if not low <= int(value) <= STAGE_LIMIT:
        raise InputError(name, value, f"{low}..{STAGE_LIMIT} stages",
                         "a single cascade beyond 2,000 stages is refused up front")
    return int(value)


def _flows(ftot: float, op: OperatingPoint) -> dict[str, float]:
    return {k: v * ftot for k, v in op.flows_L_per_mol().items()}


def simulate_cut(
    feed_mol_per_h: Mapping[str, float],
    alpha: Mapping[str, float],
    n_extraction: int,
    n_scrub: int,
    s_mol_per_h: float,
    w_mol_per_h: float,
    *,
    conditions: DesignConditions | None = None,
    operating: OperatingPoint | None = None,
) -> CascadeResult:
    """Rigorous constant-β (Xu) simulation of a cut; aqueous feed enters stage ``n_extraction``.

    The concentrations come from ``operating`` or, by default, from
    :func:`~reeflow.plant.sx.conditions.operating_point` at the given S and W (inside the
    O/A window; InfeasibleSpecError when no concentration inside its window fits).
    """
    c = check_conditions(conditions)
    feed = check_feed(feed_mol_per_h)
    n = check_stages("n_extraction", n_extraction, 1)
    m = check_stages("n_scrub", n_scrub, 0)
    ftot = math.fsum(feed.values())
    if ftot <= 0:
        raise InputError("feed_mol_per_h", dict(feed_mol_per_h), "some element > 0",
                         "give at least one element a flow above 0")
    for name, val in (("s_mol_per_h", s_mol_per_h), ("w_mol_per_h", w_mol_per_h)):
        if isinstance(val, bool) or not isinstance(val, REAL_TYPES) or not math.isfinite(val) \
                or val < 0:
            raise InputError(name, val, "a finite number >= 0 mol/h",
                             "give a finite number of 0 or more mol/h")
    if not s_mol_per_h > w_mol_per_h:
        raise InfeasibleSpecError(f"scrub reflux W = {w_mol_per_h:.6g} mol/h must be below the "
                                  f"loaded-organic RE S = {s_mol_per_h:.6g} mol/h")
    if m > 0 and not w_mol_per_h > 0:
        raise InputError("w_mol_per_h", w_mol_per_h, "> 0 when n_scrub > 0",
                         "a scrub section needs scrub reflux (W > 0)")
    op = operating or operating_point(s_mol_per_h / ftot, w_mol_per_h / ftot, c,
                                      allow_more_reflux=False)
    fl = _flows(ftot, op)
    comp = {e: x / fl["feed"] for e, x in feed.items()}
    feeds = [Feed(n, "aqueous", fl["feed"], comp, "feed"), Feed(1, "organic", fl["organic"], {})]
    if m > 0:
        feeds.append(Feed(n + m, "aqueous", fl["scrub_acid"], {}, "scrub"))
    secs = (("extraction", n),) + ((("scrub", m),) if m > 0 else ())
    missing = [e for e in comp if e not in alpha]
    if missing:
        raise InputError("alpha", missing, "a relative extractability for every fed element",
                         "add a relative extractability to alpha for each listed element")
    params = {"alpha": {e: alpha[e] for e in comp}, "organic_RE_mol_per_h": s_mol_per_h,
              "scrub_RE_mol_per_h": w_mol_per_h,
              "capacity_mol_per_L": op.loaded_organic_mol_per_L}
    return simulate(Cascade(sections=secs, feeds=tuple(feeds)), model="constant_beta",
                    params=params)


def _logit(p: float) -> float:
    p = min(max(p, 1e-300), 1 - 1e-16)
    return math.log(p / (1 - p))


class _Evaluator:
    """Memoised cut simulations at fixed flows; margins in logit units (≥ 0 = spec met)."""

    def __init__(self, feed, alpha, heavy, light, op, spec_h, spec_l, cond):
        ftot = math.fsum(feed.values())
        self.args = (feed, alpha, op.s_mol_per_mol_feed * ftot, op.w_mol_per_mol_feed * ftot)
        self.heavy, self.light, self.cond, self.op = heavy, light, cond, op
        self.spec = (_logit(spec_h), _logit(spec_l))
        self.memo: dict[tuple[int, int], tuple[float, float, CascadeResult]] = {}
        self.unconverged = 0

    def __call__(self, n: int, m: int) -> tuple[float, float, CascadeResult]:
        if (n, m) not in self.memo:
            feed, alpha, s, w = self.args
            try:
                r = simulate_cut(feed, alpha, n, m, s, w, conditions=self.cond,
                                 operating=self.op)
            except ConvergenceError:  # counted as missing the specs, never used as a result
                self.unconverged += 1
                self.memo[(n, m)] = (-math.inf, -math.inf, None)  # type: ignore[assignment]
                return self.memo[(n, m)]
            po = r.purity("loaded_organic", self.heavy)
            pa = r.purity("raffinate", self.light)
            self.memo[(n, m)] = (_logit(po) - self.spec[0], _logit(pa) - self.spec[1], r)
        return self.memo[(n, m)]

    def margin(self, n: int, total: int) -> float:
        return min(self(n, total - n)[:2])

    def best_split(self, total: int, *, exhaustive: bool = False) -> tuple[int, float]:
        """Feed stage n in 1..total−1 maximising min(margins).

        Both margins are unimodal in n at fixed N and flows for a binary (a misplaced feed
        spoils both ends): an integer golden-section search, then a ±2 neighbourhood.
        ``exhaustive`` tries every feed stage.
        """
        if exhaustive or total <= 8:
            margin, n = max((self.margin(n, total), n) for n in range(1, total))
            return n, margin
        lo, hi = 1, total - 1
        while hi - lo > 3:
            m1 = lo + int(round(0.382 * (hi - lo)))
            m2 = lo + int(round(0.618 * (hi - lo)))
            if m1 == m2:
                m2 += 1
            if self.margin(m1, total) < self.margin(m2, total):
                lo = m1 + 1
            else:
                hi = m2
        cand = range(max(1, lo - 2), min(total - 1, hi + 2) + 1)
        margin, n = max((self.margin(n, total), n) for n in cand)
        return n, margin


def fenske_lower_bound(feed: Mapping[str, float], heavy: Sequence[str], light: Sequence[str],
                       hk: str, lk: str, beta: float, p_org: float, p_aq: float) -> float:
    """A true lower bound on n + m for group purities (Fenske 1932 on the key pair).

    With D, B the outlet flows of Xu's product split, the keys can at best satisfy
    ``d_LK ≤ (1 − P_o)·D`` and ``b_HK ≤ (1 − P_a)·B``, so at total reflux
    ``N ≥ ln[(f_HK − (1 − P_a)B)/((1 − P_o)D) · (f_LK − (1 − P_o)D)/((1 − P_a)B)] / ln β``.
    Returns 0 when the bracket is not positive (no bound).
    """
    ftot = math.fsum(feed.values())
    f_a = math.fsum(feed[e] for e in heavy) / ftot
    try:
        d, b = xu_product_split(f_a, p_org, p_aq)
    except InfeasibleSpecError:
        return 0.0
    f_hk, f_lk = feed[hk] / ftot, feed[lk] / ftot
    num1, num2 = f_hk - (1 - p_aq) * b, f_lk - (1 - p_org) * d
    if num1 <= 0 or num2 <= 0 or beta <= 1:
        return 0.0
    ratio = num1 / ((1 - p_org) * d) * num2 / ((1 - p_aq) * b)
    return max(0.0, math.log(ratio) / math.log(beta)) if ratio > 1 else 0.0


def _smallest_total(ev: _Evaluator, guess: int, cap: int, beta: float, specs,
                    n_min: float = 0.0) -> int:
    hi = min(max(guess, 3, int(math.ceil(n_min))), cap)
    step = 1
    while ev.best_split(hi)[1] < 0:
        if hi >= cap:
            extra = (f"; {ev.unconverged} trial cascades did not converge"
                     if ev.unconverged else "")
            raise InfeasibleSpecError(
                f"stage cap: β = {beta:.4g} is too close to 1 for purities "
                f"{specs[0]:.6g} (organic) / {specs[1]:.6g} (aqueous) within {cap} stages at "
                "these flows; relax the purity, raise the reflux (reflux_factor) or max_stages"
                + extra)
        # galloping search (Bentley & Yao 1976, "An almost optimal algorithm for unbounded
        # searching", Inf. Process. Lett. 5:82): steps 1, 2, 4, ... stages past the guess, never
        # more than the former 1.5x step. A guess a stage short overshot by half its length
        # (99.999 % Nd/Pr at 0.85x Xu's reflux: 120 -> 181 stages, whose near-pinch cascades
        # took 5 s each, 70 s of the reflux scan's 73 s, for an answer of 121)
        hi = min(hi + min(step, hi // 2 + 1), cap)
        step *= 2
    lo = max(1, int(math.floor(n_min)) - 1)  # a true lower bound (Fenske), less one
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid >= 2 and ev.best_split(mid)[1] >= 0:
            hi = mid
        else:
            lo = mid
    # certify: every feed stage one stage below must fail (golden search may miss a split);
    # exhaustive up to EXHAUSTIVE_MAX stages, the golden search's neighbourhood beyond
    while hi > 2 and hi - 1 <= EXHAUSTIVE_MAX and \
            ev.best_split(hi - 1, exhaustive=True)[1] >= 0:
        hi -= 1
    return hi


def as_group(group: Any, name: str) -> tuple[str, ...]:
    """A group of elements as a tuple: one symbol alone ('Nd') is a group of one (it was read
    letter by letter, "heavy: got []"); anything but a string or a sequence of strings is
    refused."""
    if isinstance(group, str):
        return (group,)
    if not isinstance(group, Sequence | set | frozenset) or \
            not all(isinstance(e, str) for e in group):
        raise InputError(name, group, "element symbols, e.g. ['Nd', 'Pr'] or 'Nd'",
                         f"give {name} as a list of the fed elements' symbols")
    out = tuple(group)
    twice = sorted({e for e in out if out.count(e) > 1})
    if twice:  # ['Nd', 'Nd'] counted Nd's feed twice: a 50 % product read 99.9 % (SX fuzz 20)
        raise InputError(name, list(out), "each element once",
                         f"name {', '.join(twice)} once in {name}")
    return out


def check_groups(feed, heavy, light, alpha) -> tuple[str, str]:
    if not isinstance(alpha, Mapping):
        raise InputError("alpha", alpha, "a mapping {element: relative extractability}",
                         "give alpha as {element: number}, e.g. {Nd: 1.4, Pr: 1}")
    if not heavy:
        raise InputError("heavy", list(heavy), f"at least one element of the feed "
                         f"({', '.join(feed)})", "name the fed elements that go to the organic")
    if not light or set(heavy) & set(light):
        raise InputError("cut", (heavy, light), "two disjoint, non-empty groups",
                         "give heavy and light as non-empty groups with no element in both")
    for e in (*heavy, *light):
        if e not in feed:
            raise InputError("cut", e, "an element of the feed",
                             "name only fed elements in the groups")
        if e not in alpha:
            raise InputError(f"alpha.{e}", None, "a relative extractability for every fed "
                             "element", f"add {e} to alpha")
        a = alpha[e]
        if isinstance(a, bool) or not isinstance(a, REAL_TYPES) or not (
                math.isfinite(a) and a > 0):
            raise InputError(f"alpha.{e}", a, "a finite number > 0",
                             "give the extractability as a finite number above 0")
    hk = min(heavy, key=lambda e: alpha[e])
    lk = max(light, key=lambda e: alpha[e])
    if alpha[hk] < alpha[lk]:
        raise InputError("cut", (hk, lk), "heavy group more extractable than the light group",
                         "a cut must split the extraction order into two contiguous groups")
    return hk, lk


def _check_design_args(p_org, p_aq, reflux_factor, max_stages) -> int:
    for name, val in (("purity_organic", p_org), ("purity_aqueous", p_aq)):
        if isinstance(val, bool) or not isinstance(val, REAL_TYPES) or not 0.0 < val < 1.0:
            raise InputError(name, val, "0 < purity < 1 (mole fraction)",
                             "give the purity as a fraction, e.g. 0.999")
    top = float(design_record("reflux_factor")["bounds"][1])
    if isinstance(reflux_factor, bool) or not isinstance(reflux_factor, REAL_TYPES) or not (
            math.isfinite(reflux_factor) and 0 < reflux_factor <= top):
        raise InputError("reflux_factor", reflux_factor,
                         f"0 < reflux_factor <= {top:g} (times Xu's optimum reflux)",
                         "give reflux_factor as a number above 0, e.g. 1.2")
    return check_stages("max_stages", max_stages, 2)


def design_cut(
    feed_mol_per_h: Mapping[str, float],
    heavy: Sequence[str],
    *,
    alpha: Mapping[str, float],
    purity_organic: float = 0.999,
    purity_aqueous: float = 0.999,
    reflux_factor: float = 1.0,
    optimise_reflux: bool = False,
    conditions: DesignConditions | None = None,
    max_stages: int = 600,
) -> CutDesign:
    """Design the cut sending ``heavy`` to the organic and the rest of the feed to the raffinate.

    ``alpha`` = relative extractabilities (β_AB = α_A/α_B), ``purity_*`` = mole fraction of
    the group in its outlet (elements basis). Raises InputError (bad input, naming the field)
    or InfeasibleSpecError naming the limit: the stage cap (β too close to 1 for the purity),
    the O/A window, or purities not above the feed fractions.
    """
    c = check_conditions(conditions)
    cap = _check_design_args(purity_organic, purity_aqueous, reflux_factor, max_stages)
    check_flag("optimise_reflux", optimise_reflux)
    feed = check_feed(feed_mol_per_h)
    heavy_t = tuple(e for e in as_group(heavy, "heavy") if e in feed)
    light_t = tuple(e for e in feed if e not in heavy_t)
    hk, lk = check_groups(feed, heavy_t, light_t, alpha)
    # Python floats from here: a NumPy float32 purity or alpha made the loading check compare
    # 0.18 with 0.18 in float32 and refuse a feasible cut (fuzz round 15)
    alpha = {e: float(alpha[e]) for e in (*heavy_t, *light_t)}
    purity_organic, purity_aqueous = float(purity_organic), float(purity_aqueous)
    reflux_factor = float(reflux_factor)
    beta = alpha[hk] / alpha[lk]
    ftot = math.fsum(feed.values())
    f_a = math.fsum(feed[e] for e in heavy_t) / ftot
    xu = xu_design(beta, f_a, purity_organic, purity_aqueous, reflux_factor=reflux_factor)
    n_min = fenske_lower_bound(feed, heavy_t, light_t, hk, lk, beta, purity_organic,
                               purity_aqueous)
    if n_min > cap:
        raise InfeasibleSpecError(
            f"stage cap: β = {beta:.4g} ({hk}/{lk}) is too close to 1 for purities "
            f"{purity_organic:g}/{purity_aqueous:g}: even at total reflux they need "
            f"{n_min:.0f} stages (Fenske) > max_stages = {cap}")
    args = (feed, heavy_t, light_t, alpha, beta, purity_organic, purity_aqueous, c, cap, n_min)
    if not optimise_reflux:
        return _design_at(xu, *args)
    scan, best = [], None
    for factor in (0.85, 0.92, 1.0, 1.1, 1.25, 1.5, 2.0):
        x = xu_design(beta, f_a, purity_organic, purity_aqueous, reflux_factor=factor)
        if x.w_mol_per_mol_feed < 1.03 * x.w_min_mol_per_mol_feed:
            continue
        try:
            d = _design_at(x, *args)
        except InfeasibleSpecError:
            continue
        scan.append({"reflux_factor": factor, "w_mol_per_mol_feed": d.w_mol_per_mol_feed,
                     "stages": d.n_extraction + d.n_scrub, "organic_L_per_h":
                     d.flows_L_per_h["organic"], "mixer_settler_volume_m3":
                     d.mixer_settler_volume_m3, "organic_inventory_m3": d.organic_inventory_m3,
                     "HCl_kg_per_h": d.reagents_kg_per_h["HCl"]})
        if best is None or d.mixer_settler_volume_m3 < best.mixer_settler_volume_m3:
            best = d
    if best is None:
        raise InfeasibleSpecError(
            f"stage cap: no reflux in the scan reaches purities {purity_organic:g}/"
            f"{purity_aqueous:g} at β = {beta:.4g} within {cap} stages")
    best.reflux_scan = scan
    return best


def _xu_flows(xu: XuDesign) -> tuple[float, float]:
    """Xu's S, W per mol feed with W kept positive (W ≥ 1.2·W_min and ≥ 2 % of the product)."""
    fpa = xu.f_prime_a
    w = xu.w_mol_per_mol_feed
    if not (math.isfinite(w) and w >= 0.02 * fpa):
        w = max(1.2 * max(xu.w_min_mol_per_mol_feed, 0.0), 0.02 * fpa)
    return w + fpa, w


def _design_at(xu, feed, heavy, light, alpha, beta, p_org, p_aq, c, cap, n_min=0.0
               ) -> CutDesign:
    s0, w0 = _xu_flows(xu)
    op = operating_point(s0, w0, c)
    ev = _Evaluator(feed, alpha, heavy, light, op, p_org, p_aq, c)
    guess = xu.n_extraction + xu.m_scrub + 1
    guess = int(math.ceil(guess)) if math.isfinite(guess) else 30
    total = _smallest_total(ev, min(max(guess, 3), cap), cap, beta, (p_org, p_aq), n_min)
    n, margin = ev.best_split(total, exhaustive=total <= EXHAUSTIVE_MAX)
    r = ev(n, total - n)[2]
    if r is None:
        raise ConvergenceError(f"the designed cut ({n} + {total - n} stages) did not converge")
    po, pa = r.purity("loaded_organic", heavy), r.purity("raffinate", light)
    if margin < 0 or po < p_org * (1 - 1e-12) or pa < p_aq * (1 - 1e-12):  # never silent
        raise InfeasibleSpecError(f"re-simulation misses the specs: organic {po:.6g} (spec "
                                  f"{p_org:g}), aqueous {pa:.6g} (spec {p_aq:g})")
    return _assemble(xu, op, r, feed, heavy, light, beta, (n, total - n), c, (p_org, p_aq))


def _assemble(xu, op, r, feed, heavy, light, beta, ideal, c, spec) -> CutDesign:
    ftot = math.fsum(feed.values())
    fl = _flows(ftot, op)
    reag_mol = {k: v * ftot for k, v in op.reagents_mol_per_mol_feed().items()}
    reag_kg = {k: v * molar_mass(k) / 1000.0 for k, v in reag_mol.items()}
    tau_h = (c.mixer_residence_min + c.settler_residence_min) / 60.0
    n = math.ceil(ideal[0] / c.stage_efficiency - 1e-9)
    m = math.ceil(ideal[1] / c.stage_efficiency - 1e-9)
    total = n + m
    vol_l = tau_h * (n * (fl["organic"] + fl["feed"] + fl["scrub_acid"])
                     + m * (fl["organic"] + fl["scrub_acid"])
                     + c.n_strip * (fl["organic"] + fl["strip_acid"]))
    inv_l = tau_h * fl["organic"] * (total + c.n_strip)
    prod = {"organic": r.outlets["loaded_organic"], "aqueous": r.outlets["raffinate"]}
    t_prod = math.fsum(x * atomic_mass(e) * oxide_factor(e) for e, x in prod["organic"].items()
                       if e in heavy) / 1e6  # t/h of heavy-group oxide in the organic product
    per_t = {k: v / t_prod for k, v in reag_kg.items()} if t_prod > 0 else {}
    return CutDesign(
        heavy=heavy, light=light, beta_key=beta, n_extraction=n, n_scrub=m, n_strip=c.n_strip,
        feed_stage=n, s_mol_per_mol_feed=op.s_mol_per_mol_feed,
        w_mol_per_mol_feed=op.w_mol_per_mol_feed, xu=xu, flows_L_per_h=fl,
        reagents_mol_per_h=reag_mol, reagents_kg_per_h=reag_kg,
        organic_inventory_m3=inv_l / 1000.0, mixer_settler_volume_m3=vol_l / 1000.0,
        purity_organic=r.purity("loaded_organic", heavy),
        purity_aqueous=r.purity("raffinate", light), products_mol_per_h=prod, result=r,
        ideal_stages=ideal, reagents_kg_per_t_product=per_t, operating=op, spec=spec,
    )
