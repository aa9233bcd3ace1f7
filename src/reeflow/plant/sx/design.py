"""Design of one two-outlet cascade cut (heavy group → organic, light group → aqueous).

Procedure (Xu Guangxian's design practice, Zhang, Zhao & Schreiner 2016 ch. 4; notes §3.6):

1. Key pair β from the extractant's separation factors; Xu's static design (:func:`xu_design`)
   gives the controlling section, the optimum extraction ratio, S and W per mol of feed and the
   stage estimates n, m.
2. The rigorous simulator (constant-β model with the loading constraint) finds the smallest
   n + m meeting both purity specs: bisection on N = n + m and, for each N, a golden-section
   search for the feed stage n (both purities are unimodal in n at fixed N and flows).
3. Optionally, a scan over the reflux W (as multiples of Xu's optimum, above Underwood's
   minimum) trades stages against flows; the objective is the total mixer-settler volume, Xu's
   own criterion of optimality (maximum production per unit mixer volume).

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
from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.plant.sx.cascade import Cascade, CascadeResult, Feed, simulate
from reeflow.plant.sx.data import design_default, extractant
from reeflow.plant.sx.shortcut import XuDesign, fenske_min_stages, xu_design

__all__ = ["CutDesign", "DesignConditions", "design_cut", "simulate_cut"]


@dataclass(frozen=True)
class DesignConditions:
    """Concentrations and residence times of a design (defaults: ``data/sx/design_defaults.yaml``)."""

    feed_mol_per_L: float = field(default_factory=lambda: design_default("feed_mol_per_L"))  # noqa: N815
    loaded_organic_mol_per_L: float = field(  # noqa: N815  (P507 value; train sets per extractant)
        default_factory=lambda: float(extractant("P507")["loaded_organic_mol_per_L"]["value"]))
    scrub_acid_mol_per_L: float = field(  # noqa: N815
        default_factory=lambda: design_default("scrub_acid_mol_per_L"))
    strip_acid_mol_per_L: float = field(  # noqa: N815
        default_factory=lambda: design_default("strip_acid_mol_per_L"))
    strip_acid_excess_frac: float = field(
        default_factory=lambda: design_default("strip_acid_excess_frac"))
    n_strip: int = field(default_factory=lambda: int(design_default("strip_stages")))
    mixer_residence_min: float = field(
        default_factory=lambda: design_default("mixer_residence_min"))
    settler_residence_min: float = field(
        default_factory=lambda: design_default("settler_residence_min"))
    #: Overall stage efficiency (real stages = ideal stages / efficiency, rounded up). An
    #: overall factor, not a Murphree efficiency inside the simulation. Default 1 (ideal).
    stage_efficiency: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 < self.stage_efficiency <= 1.0:
            raise InputError("conditions.stage_efficiency", self.stage_efficiency, "0 < E <= 1",
                             "give an overall stage efficiency, e.g. 0.9")
        for name in ("feed_mol_per_L", "loaded_organic_mol_per_L", "scrub_acid_mol_per_L",
                     "strip_acid_mol_per_L", "mixer_residence_min", "settler_residence_min"):
            val = getattr(self, name)
            if not (val > 0 and math.isfinite(val)):
                raise InputError(f"conditions.{name}", val, "> 0", "")


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
        if profiles:
            out["profiles"] = self.result.to_dict()["profiles"]
        return out


def _flows(feed_mol_h: float, s: float, w: float, c: DesignConditions) -> dict[str, float]:
    return {
        "feed": feed_mol_h / c.feed_mol_per_L,
        "organic": s * feed_mol_h / c.loaded_organic_mol_per_L,
        "scrub_acid": 3.0 * w * feed_mol_h / c.scrub_acid_mol_per_L,
        "strip_acid": 3.0 * (s - w) * feed_mol_h * (1 + c.strip_acid_excess_frac)
        / c.strip_acid_mol_per_L,
    }


def simulate_cut(
    feed_mol_per_h: Mapping[str, float],
    alpha: Mapping[str, float],
    n_extraction: int,
    n_scrub: int,
    s_mol_per_h: float,
    w_mol_per_h: float,
    *,
    conditions: DesignConditions | None = None,
) -> CascadeResult:
    """Rigorous constant-β (Xu) simulation of a cut; aqueous feed enters stage ``n_extraction``."""
    c = conditions or DesignConditions()
    ftot = math.fsum(feed_mol_per_h.values())
    fl = _flows(ftot, s_mol_per_h / ftot, w_mol_per_h / ftot, c)
    n, m = int(n_extraction), int(n_scrub)
    comp = {e: x / fl["feed"] for e, x in feed_mol_per_h.items() if x > 0}
    feeds = [Feed(n, "aqueous", fl["feed"], comp, "feed"), Feed(1, "organic", fl["organic"], {})]
    if m > 0:
        feeds.append(Feed(n + m, "aqueous", max(fl["scrub_acid"], 1e-12), {}, "scrub"))
    secs = (("extraction", n),) + ((("scrub", m),) if m > 0 else ())
    params = {"alpha": {e: alpha[e] for e in comp}, "organic_RE_mol_per_h": s_mol_per_h,
              "scrub_RE_mol_per_h": w_mol_per_h,
              "capacity_mol_per_L": c.loaded_organic_mol_per_L}
    return simulate(Cascade(sections=secs, feeds=tuple(feeds)), model="constant_beta",
                    params=params)


def _logit(p: float) -> float:
    p = min(max(p, 1e-300), 1 - 1e-16)
    return math.log(p / (1 - p))


class _Evaluator:
    """Memoised cut simulations at fixed flows; margins in logit units (≥ 0 = spec met)."""

    def __init__(self, feed, alpha, heavy, light, s, w, spec_h, spec_l, cond):
        self.args = (feed, alpha, s, w)
        self.heavy, self.light, self.cond = heavy, light, cond
        self.spec = (_logit(spec_h), _logit(spec_l))
        self.memo: dict[tuple[int, int], tuple[float, float, CascadeResult]] = {}

    def __call__(self, n: int, m: int) -> tuple[float, float, CascadeResult]:
        if (n, m) not in self.memo:
            feed, alpha, s, w = self.args
            r = simulate_cut(feed, alpha, n, m, s, w, conditions=self.cond)
            po = r.purity("loaded_organic", self.heavy)
            pa = r.purity("raffinate", self.light)
            self.memo[(n, m)] = (_logit(po) - self.spec[0], _logit(pa) - self.spec[1], r)
        return self.memo[(n, m)]

    def best_split(self, total: int) -> tuple[int, float]:
        """Feed stage n in 1..total−1 maximising min(margins).

        Both margins are unimodal in n at fixed N and flows (a misplaced feed spoils both ends),
        so an integer golden-section search finds the best feed stage.
        """
        def f(n: int) -> float:
            return min(self(n, total - n)[:2])

        lo, hi = 1, total - 1
        while hi - lo > 3:
            m1 = lo + int(round(0.382 * (hi - lo)))
            m2 = lo + int(round(0.618 * (hi - lo)))
            if m1 == m2:
                m2 += 1
            if f(m1) < f(m2):
                lo = m1 + 1
            else:
                hi = m2
        margin, n = max((f(n), n) for n in range(lo, hi + 1))
        return n, margin


def _smallest_total(ev: _Evaluator, n_lo: int, n_guess: int, n_cap: int) -> int:
    hi = max(n_guess, n_lo + 1)
    while ev.best_split(hi)[1] < 0:
        if hi >= n_cap:
            raise InfeasibleSpecError(
                f"specs not reached with {n_cap} stages at these flows: raise the reflux "
                "(reflux_factor) or relax the purity")
        hi = min(int(hi * 1.5) + 1, n_cap)
    lo = max(n_lo, 2)
    if ev.best_split(lo)[1] >= 0:
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ev.best_split(mid)[1] >= 0:
            hi = mid
        else:
            lo = mid
    return hi


def _check_groups(feed, heavy, light, alpha) -> tuple[str, str]:
    if not heavy or not light or set(heavy) & set(light):
        raise InputError("cut", (heavy, light), "two disjoint, non-empty groups", "")
    for e in (*heavy, *light):
        if e not in feed or e not in alpha:
            raise InputError("cut", e, "an element of the feed with an extractability", "")
    hk = min(heavy, key=lambda e: alpha[e])
    lk = max(light, key=lambda e: alpha[e])
    if alpha[hk] < alpha[lk]:
        raise InputError("cut", (hk, lk), "heavy group more extractable than the light group",
                         "a cut must split the extraction order into two contiguous groups")
    return hk, lk


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
    the group in its outlet (elements basis). Raises InfeasibleSpecError when no number of
    stages up to ``max_stages`` reaches the specs (names the limit).
    """
    c = conditions or DesignConditions()
    feed = {e: float(x) for e, x in feed_mol_per_h.items() if x > 0}
    heavy_t = tuple(e for e in heavy if e in feed)
    light_t = tuple(e for e in feed if e not in heavy_t)
    hk, lk = _check_groups(feed, heavy_t, light_t, alpha)
    beta = alpha[hk] / alpha[lk]
    ftot = math.fsum(feed.values())
    f_a = math.fsum(feed[e] for e in heavy_t) / ftot
    xu = xu_design(beta, f_a, purity_organic, purity_aqueous, reflux_factor=reflux_factor)
    if not optimise_reflux:
        return _design_at(feed, heavy_t, light_t, alpha, xu, beta, purity_organic,
                          purity_aqueous, c, max_stages)
    scan, best = [], None
    for factor in (0.85, 0.92, 1.0, 1.1, 1.25, 1.5, 2.0):
        x = xu_design(beta, f_a, purity_organic, purity_aqueous, reflux_factor=factor)
        if x.w_mol_per_mol_feed < 1.03 * x.w_min_mol_per_mol_feed:
            continue
        try:
            d = _design_at(feed, heavy_t, light_t, alpha, x, beta, purity_organic,
                           purity_aqueous, c, max_stages)
        except InfeasibleSpecError:
            continue
        scan.append({"reflux_factor": factor, "w_mol_per_mol_feed": x.w_mol_per_mol_feed,
                     "stages": d.n_extraction + d.n_scrub, "organic_L_per_h":
                     d.flows_L_per_h["organic"], "mixer_settler_volume_m3":
                     d.mixer_settler_volume_m3, "organic_inventory_m3": d.organic_inventory_m3,
                     "HCl_kg_per_h": d.reagents_kg_per_h["HCl"]})
        if best is None or d.mixer_settler_volume_m3 < best.mixer_settler_volume_m3:
            best = d
    if best is None:
        raise InfeasibleSpecError("no reflux in the scan reaches the specs within max_stages")
    best.reflux_scan = scan
    return best


def _design_at(feed, heavy, light, alpha, xu, beta, p_org, p_aq, c, max_stages) -> CutDesign:
    ftot = math.fsum(feed.values())
    s, w = xu.s_mol_per_mol_feed * ftot, xu.w_mol_per_mol_feed * ftot
    ev = _Evaluator(feed, alpha, heavy, light, s, w, p_org, p_aq, c)
    n_min = int(math.floor(fenske_min_stages(beta, p_org, p_aq)))
    guess = xu.n_extraction + xu.m_scrub + 1
    guess = int(math.ceil(guess)) if math.isfinite(guess) else 2 * n_min + 2
    total = _smallest_total(ev, n_min, min(max(guess, n_min + 2), max_stages), max_stages)
    n, _ = ev.best_split(total)
    r = ev(n, total - n)[2]
    fl = _flows(ftot, xu.s_mol_per_mol_feed, xu.w_mol_per_mol_feed, c)
    reag_mol = {"HCl": 3.0 * w + 3.0 * (s - w) * (1 + c.strip_acid_excess_frac),
                "NaOH": 3.0 * s}
    reag_kg = {k: v * molar_mass(k) / 1000.0 for k, v in reag_mol.items()}
    tau_h = (c.mixer_residence_min + c.settler_residence_min) / 60.0
    ideal = (n, total - n)
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
        feed_stage=n, s_mol_per_mol_feed=xu.s_mol_per_mol_feed,
        w_mol_per_mol_feed=xu.w_mol_per_mol_feed, xu=xu, flows_L_per_h=fl,
        reagents_mol_per_h=reag_mol, reagents_kg_per_h=reag_kg,
        organic_inventory_m3=inv_l / 1000.0, mixer_settler_volume_m3=vol_l / 1000.0,
        purity_organic=r.purity("loaded_organic", heavy),
        purity_aqueous=r.purity("raffinate", light), products_mol_per_h=prod, result=r,
        ideal_stages=ideal, reagents_kg_per_t_product=per_t,
    )
