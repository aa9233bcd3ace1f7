"""Cross-room consistency checks of a study (in the manner of PyPSA's ``consistency.py``).

Each check compares what two rooms say about the same thing and returns a
:class:`~reeflow.results.ConsistencyCheck` (``ok``, severity, what was compared). Errors mean the
chain is wrong and the study refuses to report (:func:`raise_on_error`); warnings are shown in the
report (an approximation the reader must know about).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np

from reeflow.results import ConsistencyCheck

__all__ = ["CHECKS", "run_checks", "raise_on_error", "INFERRED_WARNING", "ConsistencyError"]

#: Share of Inferred material in the scheduled feed above which the study warns (JORC 2012
#: cl. 38: Inferred may not be converted to a reserve; a study mostly on Inferred is a scoping
#: study at best).
INFERRED_WARNING = 0.5
_REL = 1e-9

Check = Callable[[Any], ConsistencyCheck]


class ConsistencyError(RuntimeError):
    """Two rooms disagree about one thing: a defect of the chain, never a user's input."""


def _check(name: str, ok: bool, detail: str,
           severity: Literal["error", "warning"] = "error") -> ConsistencyCheck:
    return ConsistencyCheck(name=name, ok=bool(ok), severity=severity, detail=detail)


def schedule_drives_dcf(o: Any) -> ConsistencyCheck:
    """The DCF's producing years and ore tonnes are the mine schedule's, year by year."""
    sched = o.mine.schedule["ore_t"].to_numpy(float)
    t = o.annual.table
    prod = t[t["production_year"].notna()]
    dcf_ore = prod["ore_t"].to_numpy(float)
    same_years = len(sched) == len(dcf_ore)
    diff = float(np.max(np.abs(sched - dcf_ore))) if same_years and len(sched) else 0.0
    ok = same_years and diff <= _REL * max(float(sched.max(initial=1.0)), 1.0)
    return _check("schedule drives the cash flow", ok,
                  f"{len(sched)} scheduled years, {len(dcf_ore)} producing years in the DCF; "
                  f"largest ore difference {diff:.3g} t")


def plant_follows_schedule(o: Any) -> ConsistencyCheck:
    """The plant is solved at each scheduled year's ore tonnes."""
    sched = o.mine.schedule["ore_t"].to_numpy(float)
    plant = np.array([y.ore_t for y in o.years])
    ok = len(sched) == len(plant) and np.allclose(sched, plant, rtol=_REL, atol=1e-6)
    return _check("plant solved at each year's feed", ok,
                  f"{len(plant)} plant solutions for {len(sched)} scheduled years")


def capacity_respected(o: Any) -> ConsistencyCheck:
    """No year feeds the plant above its nameplate capacity."""
    cap = float(o.project.ore.throughput_t_per_a)
    top = float(o.mine.schedule["ore_t"].max()) if len(o.mine.schedule) else 0.0
    return _check("plant capacity respected", top <= cap * (1 + 1e-9),
                  f"largest yearly feed {top:,.0f} t vs nameplate {cap:,.0f} t/a")


def plant_reaches_nameplate(o: Any) -> ConsistencyCheck:
    """The plant is sized for the schedule's heaviest year; a ramp-up year at utilisation u
    runs a plant of its ore / u part-loaded. Where that exceeds the heaviest year (every
    producing year a ramp-up year, or the ore running out after the ramp-up), the plant is
    sized and costed below the one its ramp-up implies: a 2-year life with ramp_up [0.3, 0.5]
    built a 285 kt/a plant for 570 kt/a (chain fuzz round 25)."""
    name = "plant reaches its nameplate"
    s = o.mine.schedule
    if "ore_t" not in s:
        return _check(name, True, "no mine schedule", severity="warning")
    ramp = [float(u) for u in o.project.economics.schedule.ramp_up]
    ore = s["ore_t"].to_numpy(float)
    fed = [i for i, t in enumerate(ore) if t > 0]
    top = max((float(ore[i]) for i in fed), default=0.0)
    implied = max((float(ore[i]) / (ramp[i] if i < len(ramp) else 1.0) for i in fed),
                  default=0.0)
    if implied <= top * (1 + 1e-6):  # a year at capacity x ramp, to round-off
        return _check(name, True, "the heaviest year runs the plant at its full rate (the "
                      "plant is sized for it)" if fed else "no year fed", severity="warning")
    cap = float(o.project.ore.throughput_t_per_a)
    return _check(name, False, f"the plant is sized and costed for {top:,.0f} t/a, its "
                  f"heaviest year, while its ramp-up (economics.schedule.ramp_up {ramp}) "
                  f"implies a {implied:,.0f} t/a plant (nameplate {cap:,.0f} t/a) running "
                  "part-loaded. For the plant to reach its nameplate it needs a producing year "
                  "at the full rate: a longer life_years, a shorter ramp_up, or (where the ore "
                  "runs out) more ore in the plan", severity="warning")


def element_balances_close(o: Any) -> ConsistencyCheck:
    """Every unit of the design-basis flowsheet closes every element to 1e-9."""
    worst = float(o.design.solution.balance_table().rel_closure.max())
    return _check("element balances close", worst <= 1e-9,
                  f"worst relative closure {worst:.1e} (limit 1e-9)")


def revenue_prices_products(o: Any) -> ConsistencyCheck:
    """Yearly revenue = Σ products sold × the deck value per tonne (recomputed here)."""
    q = o.quantities
    values = o.basis.product_usd_per_t_by_year(q.n_years)  # each year on its period's deck
    name = "revenue prices every product sold"
    unvalued = sorted({k for k, v in q.products_t.items() for i in range(q.n_years)
                       if float(v[i]) > 0 and k not in values[i]})
    if unvalued:
        return _check(name, False, f"products sold in some year with no value per tonne on the "
                      f"design basis: {', '.join(unvalued)}")
    rev = np.array([sum(float(v[i]) * values[i].get(k, 0.0) for k, v in q.products_t.items())
                    for i in range(q.n_years)])
    t = o.annual.table
    dcf = t[t["production_year"].notna()]["revenue_usd"].to_numpy(float)
    ok = len(dcf) == len(rev) and np.allclose(dcf, rev, rtol=1e-9)
    return _check(name, ok, f"LOM revenue {float(np.sum(rev)) / 1e6:,.1f} MUSD recomputed from "
                  "tonnes × value per tonne")


def sx_train_at_yearly_feeds(o: Any) -> ConsistencyCheck:
    """The SX train is designed once, on the design basis; re-simulated at every year's feed
    with its reflux re-set from that feed, every product should still meet its spec."""
    from reeflow.chain.pipeline import train_by_year
    from reeflow.chain.plant_steps import composition_spread

    name = "SX train meets its product specs at every year's feed"
    drift = f"REE shares drift up to {composition_spread(o.design, o.years):.1%} from the design basis"
    rated = train_by_year(o)
    if rated is None or rated["retuned"] == {}:
        return _check(name, True, f"{drift}; no SX train designed or no year fed",
                      severity="warning")
    retuned, fixed, spec = rated["retuned"], rated["fixed_ratios"], rated["spec"]
    if isinstance(retuned, str):
        return _check(name, False, f"{drift}; the train with its reflux re-set could not be "
                      f"re-simulated at {retuned}", severity="warning")
    # the product nearest (or furthest below) its own spec (specs may differ by product)
    product = min(retuned, key=lambda k: (retuned[k][0] / spec[k], k))
    p, year = retuned[product]
    if isinstance(fixed, str):
        at_fixed = f"at the design's fixed flow ratios it could not be re-simulated ({fixed})"
    else:
        worst = min(fixed, key=lambda k: (fixed[k][0] / spec[k], k))
        pf, yf = fixed[worst]
        at_fixed = f"at the design's fixed flow ratios the nearest its spec would be {pf:.2%} " \
                   f"(spec {spec[worst]:.1%} by mole; {worst}, year {yf})"
    return _check(name, p >= spec[product] * (1 - 1e-9),
                  f"{drift}; the train designed once, its scrub reflux and loaded organic re-set "
                  f"from each year's feed (Xu): the product nearest its spec at {p:.3%} (spec "
                  f"{spec[product]:.1%} by mole; {product}, year {year}); {at_fixed}. The yearly product "
                  "splits are the design basis's", severity="warning")


def inferred_share(o: Any) -> ConsistencyCheck:
    """How much of the scheduled feed is Inferred or unclassified (outside every resource
    class, hence not a resource at all), flagged above half together: a two-hole data set
    whose statement was 0 t fed 5.9 Mt of unclassified ore and read "0.0 % Inferred", a pass
    (fuzz round 14)."""
    s = o.mine.schedule
    if "inferred_t" not in s or o.mine.source != "mine plan":
        return _check("resource classes of the feed", True,
                      "no resource classes on the schedule (no block model or no classes)",
                      severity="warning")
    ore = max(float(s["ore_t"].sum()), 1e-300)
    share = float(s["inferred_t"].sum()) / ore
    uncl = float(s["unclassified_t"].fillna(0.0).sum()) / ore if "unclassified_t" in s else 0.0
    detail = f"{share:.1%} of the scheduled plant feed is Inferred"
    if uncl > 0:
        detail += (f" and {uncl:.1%} unclassified (outside every resource class: not a "
                   "resource)")
    return _check("Inferred share of the scheduled feed", share + uncl <= INFERRED_WARNING,
                  detail, severity="warning")


def schedule_fills_the_life(o: Any) -> ConsistencyCheck:
    """The mine plan produces in every year of ``economics.schedule.life_years`` (the horizon
    the pit was asked to cover); a plan that stops sooner is the project's real life, and the
    cash flow ends with it, which a reader of the stated life would not expect."""
    life = int(o.project.economics.schedule.life_years)
    s = o.mine.schedule
    ore = s["ore_t"].to_numpy(float) if "ore_t" in s else np.zeros(0)
    fed = np.flatnonzero(ore > 0)
    last = int(fed[-1]) + 1 if fed.size else 0  # the plan's last producing year
    gaps = last - fed.size  # years without feed before it (a stripping gap)
    detail = (f"{last} years of production against economics.schedule.life_years = {life}"
              + (f", {gaps} of them without feed" if gaps else "")
              + "; the cash flow has the mine plan's years")
    if last < life:
        plan = getattr(o.mine, "plan", None)
        stats = getattr(plan, "schedule_stats", None) or {}
        wasted = float(stats.get("pit_ore_to_waste_t") or 0.0)
        fed_t = float(np.nansum(ore))
        detail += (" (the pit holds no more ore that pays at these prices and costs, or the "
                   "plan stops where a larger pit is worth less: see the mine section)"
                   if wasted <= 1e-3 * max(fed_t + wasted, 1.0) else  # the coverage note's
                   f" (the plan sends {wasted / 1e6:,.2f} Mt of the pit's ore, above its "
                   "break-even, to waste: below the plan's cut-off while the plant is full "
                   "(Lane), or outside a blending or stockpile limit; and it stops where a "
                   "larger pit is worth less: see the mine section)")
    return _check("mine plan fills the stated life", last >= life, detail,
                  severity="warning")


#: A year that moves more than this multiple of the median producing year's tonnage (ore and
#: waste) with no mining capacity set is flagged: one fleet does not move 35 Mt one year and
#: 0.6 Mt the year before (an independent audit of stop 36 found 42x on the built-in case)
MINING_PEAK_WARNING = 3.0


def mining_rate_steady(o: Any) -> ConsistencyCheck:
    """The material moved a year stays near the median year's unless the project sets
    ``mine.mining_capacity_t_per_a``, which is then measured on the years the cash flow books
    (:func:`_capped_rate`). Without a capacity
    the NPV-maximising schedule strips in campaigns, which a contractor's fleet may do but
    whose mobilisation and fleet size nothing costs."""
    name = "material moved a year"
    plan = getattr(o.mine, "plan", None)
    if o.mine.source != "mine plan" or plan is None or "mined_t" not in plan.schedule:
        return _check(name, True, "no mine plan: no material moved is scheduled",
                      severity="warning")
    cap = getattr(getattr(o.project, "mine", None), "mining_capacity_t_per_a", None)
    by_year = plan.schedule["mined_t"].to_numpy(float)
    moved = by_year[np.isfinite(by_year) & (by_year > 0)]
    if not moved.size:
        return _check(name, True, "no material moved", severity="warning")
    med, top = float(np.median(moved)), float(moved.max())
    first = int(o.project.economics.schedule.construction_years) + 1
    year = first + int(np.nanargmax(by_year))  # the plan's years are production years
    if cap is not None:  # measured, not assumed (fuzz round 29: 909 kt under a 700 kt/a cap)
        return _capped_rate(name, o, plan.schedule, float(cap), first)
    if moved.size < 3:
        return _check(name, True, "fewer than three years moved", severity="warning")
    detail = (f"year {year} moves {top / 1e6:,.2f} Mt, {top / med:.1f}x the median year's "
              f"{med / 1e6:,.2f} Mt (ore and waste)")
    if top > MINING_PEAK_WARNING * med:
        detail += ("; no mining capacity is set, so the schedule strips in campaigns whose "
                   "fleet nothing sizes or costs beyond the rate per tonne moved: set "
                   "mine.mining_capacity_t_per_a to the fleet's")
    return _check(name, top <= MINING_PEAK_WARNING * med, detail, severity="warning")


def _capped_rate(name: str, o: Any, plan: Any, cap: float, first: int) -> ConsistencyCheck:
    """A capped plan measured on the years the cash flow books: an ore-less plan year
    (pre-strip, a stripping gap) goes with the next ore year, since the cash flow has no idle
    production year, so a booked year can move more than the fleet and later ore is processed
    earlier than the plan mines it (fuzz round 30: 8 Mt in one year under a 1 Mt/a cap, ore of
    plan year 20 processed in production year 8); the check said the cap held."""
    booked = o.mine.schedule["mined_t"].to_numpy(float)
    ore = plan["ore_t"].to_numpy(float)
    idle = int(np.count_nonzero(ore[:int(np.flatnonzero(ore > 0)[-1]) + 1] <= 0)) \
        if (ore > 0).any() else 0
    known = ~np.isnan(booked)  # an infinite year counts, and fails the cap
    top = float(booked[known].max()) if known.any() else 0.0
    year = first + int(np.flatnonzero(known)[np.argmax(booked[known])]) if known.any() \
        else first
    detail = (f"largest year {year}: {top:,.0f} t moved against "
              f"mine.mining_capacity_t_per_a = {cap:,.0f} t/a")
    ok = top <= cap * (1 + 1e-9)
    if idle:
        detail += (f"; the plan has {idle} year(s) without ore (pre-strip or stripping gaps), "
                   "each booked with the next ore year since the cash flow has no idle "
                   "production year" + ("" if ok else ", so ore is processed earlier than the "
                                        "fleet uncovers it"))
    if not ok:
        detail += ": raise mine.mining_capacity_t_per_a to a fleet that keeps the plant fed"
    return _check(name, ok, detail, severity="warning")


def resource_covers_schedule(o: Any) -> ConsistencyCheck:
    """The block model holds at least the ore the schedule sends to the plant."""
    if o.resource is None or o.mine.source != "mine plan":
        return _check("resource covers the schedule", True, "no block model: flat schedule",
                      severity="warning")
    held = float(o.resource.block_model["tonnes"].sum())
    fed = float(o.mine.schedule["ore_t"].sum())
    return _check("resource covers the schedule", fed <= held * (1 + 1e-9),
                  f"{fed / 1e6:,.2f} Mt scheduled to the plant from {held / 1e6:,.1f} Mt of "
                  "blocks")


def streams_within_solubility(o: Any) -> ConsistencyCheck:
    """Every aqueous stream of the design-basis plant within the solubility of its salts."""
    rep = o.design.engineering.solubility
    worst = "; ".join(f"{v.stream}: {v.salt}" for v in rep.violations[:4])
    return _check("streams within solubility", rep.ok,
                  f"{len(rep.streams_checked)} aqueous streams checked"
                  + (f"; above solubility: {worst}" if worst else ""), severity="warning")


def energy_balance_closes(o: Any) -> ConsistencyCheck:
    """Σ unit heat duties = enthalpy change across the site boundary."""
    e = o.design.engineering.energy
    diff = abs(e.heat_duty_kw - e.boundary_enthalpy_change_kw)
    scale = max(abs(e.boundary_enthalpy_change_kw), 1.0)
    return _check("energy balance closes", diff <= 1e-6 * scale,
                  f"Σ unit duties {e.heat_duty_kw:,.3f} kW vs boundary "
                  f"{e.boundary_enthalpy_change_kw:,.3f} kW")


def water_balance_closes(o: Any) -> ConsistencyCheck:
    """Water in (make-up, feed, made by reactions) = water out, t/a."""
    w = o.design.engineering.water
    scale = max(w.make_up_t_per_a + w.made_by_reactions_t_per_a, 1.0)
    return _check("water balance closes", abs(w.closure_t_per_a) <= 1e-9 * scale,
                  f"closure {w.closure_t_per_a:.3g} t/a")


#: Relative difference between the design-basis head grade and the scheduled feed's mean grade
#: above which the study warns (a modelling choice: the flowsheet, the SX train and the
#: design-basis figures are at the project file's grade, the cash flow at the schedule's)
DESIGN_GRADE_WARNING = 0.10


def design_grade_matches_feed(o: Any) -> ConsistencyCheck:
    """The plant is designed at the project file's ``ore.treo_grade``; the schedule feeds the
    grade of the blocks it mines, which can differ: a pit takes the richest ore first, and user
    drillholes are never scaled to the project file. The flowsheet, the SX train and the
    design-basis figures then describe another ore than the one fed (the equipment and capex
    follow the schedule's heaviest year)."""
    name = "design grade matches the scheduled feed"
    feed = o.scheduled_feed_grade_frac()
    if feed is None:
        return _check(name, True, "no scheduled feed", severity="warning")
    design = float(o.project.ore.treo_grade_frac)
    gap = abs(feed - design) / design
    return _check(name, gap <= DESIGN_GRADE_WARNING,
                  f"design basis {design:.2%} TREO (ore.treo_grade), scheduled feed "
                  f"{feed:.2%} over the life ({gap:.0%} apart; warning above "
                  f"{DESIGN_GRADE_WARNING:.0%}): the design basis (its REO t/a, the "
                  "benchmark's design-basis column) is at the design grade; the equipment and "
                  "capex follow the schedule's heaviest year, and the yearly plant, the cash "
                  "flow and the benchmarked life-of-mine figures its feed",
                  severity="warning")


#: the minor grades the design basis reads from the project file, by schedule column
_MINOR_GRADES = (("caf2_frac", "CaF2", "caf2_grade_frac", "caf2_grade"),
                 ("baso4_frac", "BaSO4", "baso4_grade_frac", "baso4_grade"),
                 ("tho2_frac", "ThO2", "tho2_grade_frac", "tho2_grade"))


def minor_grades_match_feed(o: Any) -> ConsistencyCheck:
    """The CaF2, BaSO4 and ThO2 grades of the design basis (``ore.*``) match the scheduled
    feed's, as the TREO grade should (:func:`design_grade_matches_feed`). A synthetic deposit
    takes its CaF2 and BaSO4 from its parameters file: a project that set ``caf2_grade: 0 %``
    fed 27-29 % CaF2 every year with no word, and a ThO2 of 12 % designed the residues for
    60 kt/a of ThO2 while the pit fed 0.84 % (chain fuzz round 25). The gap is taken against
    the larger of the two grades (a design grade may be 0, where the TREO check's design
    grade never is) and must also exceed 0.1 % of the ore."""
    name = "by-product and thorium grades match the scheduled feed"
    s = o.mine.schedule
    if "ore_t" not in s:
        return _check(name, True, "no mine schedule", severity="warning")
    ore = s["ore_t"].to_numpy(float)
    fed = ore > 0
    notes = []
    for col, label, attr, key in _MINOR_GRADES:
        if col not in s:
            continue
        g = s[col].to_numpy(float)
        use = fed & np.isfinite(g)
        if not use.any():
            continue
        feed = float(np.average(g[use], weights=ore[use]))
        design = float(getattr(o.project.ore, attr))
        gap = abs(feed - design)
        if gap > 1e-3 and gap > DESIGN_GRADE_WARNING * max(feed, design):
            notes.append(f"{label} {design:.2%} (ore.{key}) against {feed:.2%} fed")
    if not notes:
        return _check(name, True, "the scheduled feed's CaF2, BaSO4 and ThO2 are within "
                      f"{DESIGN_GRADE_WARNING:.0%} of ore.* (or 0.1 % of the ore)",
                      severity="warning")
    synthetic = getattr(o.project.deposit, "synthetic", None)
    where = (f"the SYNTHETIC deposit takes its CaF2 and BaSO4 from its parameters file "
             f"({Path(str(synthetic.parameters_file)).name}) and sets its mean ThO2 to "
             "ore.tho2_grade, and the pit mines the blocks it values, whose grades differ "
             "from the deposit's means" if synthetic is not None else
             "the block model's grades come from the deposit's data")
    return _check(name, False, "; ".join(notes) + f" over the life: {where}. The design basis "
                  "(its by-product tonnes and revenue, bake acid, residues and NORM figures) "
                  "is at ore.*; the yearly plant and the cash flow follow the feed",
                  severity="warning")


def grades_assayed(o: Any) -> ConsistencyCheck:
    """The grades the pit values come from the deposit's data, or say which were taken from
    the project file (:func:`reeflow.chain.mine_steps.estimate_resource_step`)."""
    res = o.resource
    issues = getattr(res, "issues", None)
    filled = [] if issues is None or not len(issues) else \
        issues.loc[issues["kind"] == "grades not assayed", "message"].tolist()
    return _check("block grades estimated from the deposit's data", not filled,
                  "; ".join(filled) or ("every grade the pit values is estimated from the data"
                                        if res is not None else "no deposit modelled"),
                  severity="warning")


def inputs_used(o: Any) -> ConsistencyCheck:
    """Every price and purity spec the project file sets names a product the plant sells, and
    every price period starts within the producing years: one that does not changes nothing
    (Nd2O3 and Pr6O11 priced while the plant sells NdPr oxide; a period after a longer one).
    (``economics.inflation`` is read by a nominal evaluation only, which the built-in cases
    set on purpose: not flagged.)"""
    e = o.project.economics
    set_ = {f"price_periods[{p.name}]": set(p.prices) for p in e.price_periods}
    set_["payability.specs"] = set(e.payability.specs)
    sold = {k for k, v in o.quantities.products_t.items() if float(np.sum(v)) > 0}
    idle = {where: sorted(names - sold) for where, names in set_.items() if names - sold}
    notes = [f"economics.{w}: {', '.join(n)} name products the plant does not sell (it sells "
             f"{', '.join(sorted(sold))})" for w, n in idle.items()]
    start, years = 0, int(o.quantities.n_years)
    for p in e.price_periods:
        if start >= years:
            notes.append(f"economics.price_periods[{p.name}] starts after the last of the "
                         f"{years} producing years")
        start += int(p.production_years)
    return _check("prices set for products sold", not notes,
                  "; ".join(notes) + ": they change nothing" if notes else
                  "every price and spec the project sets is for a product sold",
                  severity="warning")


#: ``mine:`` keys a standalone ``reeflow schedule`` reads and the study sets from its own
#: sections (:func:`reeflow.chain.mine_steps.plan_mine_step`): key -> where the study's comes from
STUDY_SETS_MINE = {"plant_capacity_t_per_a": "ore.throughput",
                   "ramp_up_frac": "economics.schedule.ramp_up",
                   "horizon_years": "economics.schedule (the life)",
                   "discount_rate": "economics.headline_rate",
                   "valuation": "the study's own economics (prices, recoveries, costs, royalty)"}


def mine_keys_the_study_sets(o: Any) -> ConsistencyCheck:
    """A ``mine:`` key that only a standalone ``reeflow schedule`` reads changes nothing in a
    study, which takes the plant capacity, ramp-up, horizon, discount rate and block valuation
    from its own sections: say so (a 1 Mt/a, 5-year, 20 % plan was accepted and the study's
    results were byte for byte the base case's, fuzz round 30)."""
    m = getattr(o.project, "mine", None)
    set_ = [k for k in STUDY_SETS_MINE if getattr(m, k, None) is not None]
    return _check("mine settings the study sets itself", not set_,
                  "; ".join(f"mine.{k} is set, but the study takes it from {STUDY_SETS_MINE[k]}"
                            for k in set_) + ": it is read by `reeflow schedule` alone"
                  if set_ else "no mine key the study overrides is set", severity="warning")


def ore_minerals_as_written(o: Any) -> ConsistencyCheck:
    """Each year's feed carries the project file's non-REE minerals as written: where a rich
    year leaves no room for them, they are trimmed pro rata (:func:`chain.adapters.ore_feed`),
    and the by-products that come from them (fluorite, barite) with them."""
    from reeflow.chain.adapters import gangue_factor

    rows = zip(o.years, o.mine.schedule.to_dict("records"), strict=False)
    cut = [(int(y.year), gangue_factor(o.project, r)) for y, r in rows if float(r["ore_t"]) > 0]
    cut = [(y, f) for y, f in cut if f < 1.0 - 1e-12]
    return _check("ore minerals as the project file writes them", not cut,
                  (f"{len(cut)} year(s) feed ore too rich for the project file's non-REE "
                   f"minerals: they are trimmed pro rata, to {min(f for _, f in cut):.1%} in "
                   f"year {min(cut, key=lambda c: c[1])[0]} (by-products with them)") if cut else
                  "every year's feed carries the project file's minerals as written",
                  severity="warning")


def separation_costed(o: Any) -> ConsistencyCheck:
    """A plant that separates its products with the placeholder (``separation.method:
    placeholder``) has no SX train: no stages, reagents or capex for the separation."""
    plant = o.project.plant
    idle = plant.has_separation and plant.separation.method == "placeholder"
    return _check("separation designed and costed", not idle,
                  "plant.separation.method is placeholder: the products are split by fixed "
                  "recoveries with no SX train, so the separation's stages, reagents and capex "
                  "are not in the NPV; use method: sx for a costed study" if idle else
                  "the separation is designed (or the route separates nothing)",
                  severity="warning")


def _purity_fix(made_of: list[dict[str, Any]], spec: float) -> str:
    """Raise the purity spec: for every product, or for this one alone (one entry each)."""
    fix = f"raise plant.separation.product_purity to {spec * 100:.6g} %"
    name = made_of[0].get("name") if made_of else None
    if name:
        fix += (f" (for this product alone: product_purity: {{{name}: {spec * 100:.6g} %, …}}, "
                "one entry per product)")
    return fix


def products_meet_price_basis(o: Any) -> ConsistencyCheck:
    """Every single-element oxide is made at (or above) the purity its price is quoted at. One
    below it is sold as a mixed concentrate (``economics.payability.below_spec``), as the study
    does, but the plant could have been designed to the basis: the SX train is designed to
    ``plant.separation.product_purity`` (one purity for all products, or one per product),
    while a deck quotes, e.g., Pr6O11 at 99.99 % and NdPr oxide at 99 %. A group of several
    elements sold under one oxide's name (an SEG concentrate) is a concentrate by design and
    is not flagged."""
    from reeflow.economics.prices import payability

    name = "products made to their price basis"
    rev = o.basis.parts.get("revenue")
    rows: dict[str, list[dict[str, Any]]] = {}
    for p in o.design.summary.products:
        if p.get("kind") == "oxide":
            rows.setdefault(str(p["sale_name"]), []).append(p)
    notes = []
    for r in ([] if rev is None else rev.to_dict("records")):
        made, spec = float(r["purity_frac"]), r.get("spec_purity_frac")
        made_of = rows.get(str(r["product"]), [])
        if (spec is None or not np.isfinite(float(spec)) or made >= float(spec) - 1e-12
                or float(r["payability_frac"]) >= payability(str(r["product"]))
                or any(len(p.get("group") or []) > 1 for p in made_of)):
            continue
        cake = len(made_of) > 1 and any(
            str(p.get("stream", "")).endswith("cerium_cake") for p in made_of)
        fix = ("the cerium-rejection cake is sold under the same name and pulls the oxide below "
               "its basis: drop Ce from plant.separation.products, or reject less" if cake else
               _purity_fix(made_of, float(spec)))
        notes.append(f"{r['product']} is made at {made:.3%} against a price basis of "
                     f"{float(spec) * 100:.6g} % and is paid at "
                     f"{float(r['payability_frac']):.0%} "
                     f"({fix}; or set economics.payability.specs.{r['product']} for an offtake "
                     "that accepts it)")
    return _check(name, not notes, "; ".join(notes) if notes else
                  "every single-element oxide meets the purity its price is quoted at",
                  severity="warning")


def products_meet_purity_spec(o: Any) -> ConsistencyCheck:
    """Every SX product is sold at (or above) the project's purity spec. On the ``mole``
    basis the train meets the spec as a mole fraction of the rare earths at its outlet; the
    product is sold as oxide and weighed by mass, where a heavier impurity oxide weighs more
    (Y2O3 at 99.62 mol % was 99.41 % by mass against a 99.5 % spec, and the train reported it
    met; chain fuzz round 24). The fix names the mole-fraction spec that meets the mass spec
    at the same impurity mix, or the ``oxide_mass`` basis, on which the train designs to it."""
    from reeflow.plant.sx.train import mole_spec_for

    train = o.design.train or {}
    spec = train.get("product_purity_spec") or train.get("purity_spec") or {}
    mol = train.get("purity") or {}
    on_mass = train.get("product_purity_basis") == "oxide_mass"
    notes = []
    for p in o.design.summary.products:
        name = p.get("name")
        if p.get("kind") != "oxide" or name not in spec or p.get("purity_frac") is None:
            continue
        made, want = float(p["purity_frac"]), float(spec[name])
        if made >= want - 1e-12:
            continue
        x = float(mol.get(name, math.nan))
        need = mole_spec_for(want, x, made)
        if on_mass:
            notes.append(f"{name} is sold at {made:.3%} oxide by mass against the spec of "
                         f"{want:.3%} (product_purity_basis: oxide_mass): the train's "
                         f"redesigns reached {x:.3%} by mole, and {need:.4%} is needed "
                         "(lower product_purity, or give the separation factors that reach it)")
            continue
        fix = (_purity_fix([p], need) if math.isfinite(need) and need < 1.0 else
               "raise plant.separation.product_purity")
        notes.append(f"{name} is sold at {made:.3%} oxide by mass against the spec of "
                     f"{want:.3%}, which the SX train meets as {x:.3%} of the rare earths by "
                     f"mole ({fix}; or set plant.separation.product_purity_basis: oxide_mass "
                     "to design to the spec by oxide mass)")
    return _check("products sold at the purity spec", not notes, "; ".join(notes) if notes else
                  "every SX product is sold at or above its purity spec (oxide, by mass)",
                  severity="warning")


def price_taker(o: Any) -> ConsistencyCheck:
    """The study prices its products from exogenous decks: a project whose heaviest year adds
    a large share of world mine production would move those prices (fuzz round 50: 2.2 Mt/a
    of REO, 576 % of world output, valued at the deck's prices without a word)."""
    from reeflow.market.data import WORLD, available_years, country_values, parameter

    year = max(available_years())
    world = float(country_values(year).loc[WORLD, "value_t_reo"])
    reo = max((float(y.reo_t) for y in o.years), default=0.0)
    limit = float(parameter("price_taker_share_frac"))
    share = reo / world if world > 0 else math.nan
    detail = (f"the heaviest year's {reo:,.0f} t REO is {share:.1%} of world mine production "
              f"({world:,.0f} t REO, USGS data year {year})")
    if not share < limit:
        detail += ("; the product prices are fixed decks, so at this size they are an upper "
                   "bound: output of this size would lower them")
    return _check("output small beside the world market (prices taken as given)",
                  share < limit, detail, severity="warning")


def products_earn(o: Any) -> ConsistencyCheck:
    """Every product the plant ships earns something: a by-product recovered at a price of 0
    still pays its flotation circuit, reagents and freight (fuzz round 50: 238 kt/a of fluorite
    and barite concentrate shipped at 0 USD/t, no word of it)."""
    rev = o.basis.parts["revenue"]
    free = [f"{r['product']} ({float(r['t_per_a']):,.0f} t/a)" for _, r in rev.iterrows()
            if float(r["t_per_a"]) > 0 and not float(r["usd_per_a"]) > 0]
    name = "every product shipped earns revenue"
    if not free:
        return _check(name, True, f"{len(rev)} product rows; each shipped one has a price")
    return _check(name, False, f"shipped at no revenue on the design basis: {', '.join(free)}; "
                  "their circuits, reagents and freight are costed all the same (set the "
                  "recovery of a mineral that is not sold to 0, or give it a price)",
                  severity="warning")


#: Every check, in report order.
CHECKS: tuple[Check, ...] = (schedule_drives_dcf, plant_follows_schedule, capacity_respected,
                             plant_reaches_nameplate,
                             element_balances_close, revenue_prices_products,
                             sx_train_at_yearly_feeds, inferred_share, schedule_fills_the_life,
                             mining_rate_steady, resource_covers_schedule,
                             design_grade_matches_feed,
                             minor_grades_match_feed, grades_assayed,
                             inputs_used, mine_keys_the_study_sets, separation_costed,
                             products_meet_purity_spec,
                             products_meet_price_basis,
                             ore_minerals_as_written,
                             streams_within_solubility, energy_balance_closes,
                             water_balance_closes, price_taker, products_earn)


def run_checks(outcome: Any) -> list[ConsistencyCheck]:
    """Run :data:`CHECKS` on a chain outcome."""
    return [c(outcome) for c in CHECKS]


def raise_on_error(checks: list[ConsistencyCheck]) -> None:
    """Refuse a study whose rooms disagree (an ``error`` check failed): a defect, not an input."""
    bad = [c for c in checks if not c.ok and c.severity == "error"]
    if bad:
        raise ConsistencyError("cross-room consistency failed: "
                           + "; ".join(f"{c.name} ({c.detail})" for c in bad))
