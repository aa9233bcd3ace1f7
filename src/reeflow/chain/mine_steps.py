"""Chain steps of the deposit and the mine: resource, pit, pushbacks and the schedule that feeds
the plant year by year.

Wiring only: the resource is the deposit room's, the pit and schedule the mine room's. What this
module decides is the calendar — the plant's capacity each year (ramp-up, then nameplate) over
the evaluation horizon — and the fallback when a project has no block model: a flat schedule of
the design-basis ore at that capacity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reeflow.chain.adapters import BlockValuation
from reeflow.chain.cache import CACHE
from reeflow.core.errors import InputError, NoOreError
from reeflow.core.numeric import TONNES_ROUND_OFF_REL, waste_t

#: a mine plan's yearly stockpile flows that the booked years carry (with a stockpile):
#: ore sent to the piles, ore reclaimed to the plant (part of ``ore_t``), and the rehandling
#: cost of what is reclaimed (the schedule's ``rehandle_usd``, charged by the cash flow)
STOCKPILE_FLOWS: tuple[str, ...] = ("stockpile_in_t", "stockpile_out_t", "rehandle_usd")

__all__ = ["MineOutcome", "capacity_by_year", "flat_schedule", "rebin_schedule",
           "estimate_resource_step", "plan_mine_step"]


@dataclass(frozen=True)
class MineOutcome:
    """The schedule that feeds the plant (one row per production year) and what produced it."""

    schedule: pd.DataFrame
    source: str
    plan: Any = None
    horizon_years: int = 0
    remaining_ore_t: float = 0.0


def capacity_by_year(throughput_t_per_a: float, ramp_up_frac: Sequence[float],
                     horizon_years: int) -> np.ndarray:
    """Plant feed capacity of each production year: the ramp-up fractions, then nameplate."""
    cap = np.full(horizon_years, float(throughput_t_per_a))
    for i, f in enumerate(list(ramp_up_frac)[:horizon_years]):
        cap[i] *= float(f)
    return cap


def flat_schedule(project: Any, capacity: np.ndarray) -> pd.DataFrame:
    """The design-basis ore at each year's capacity (no block model): grades from ``ore``."""
    from reeflow.chain.adapters import ORE_GANGUE, species_key

    ore = project.ore
    row: dict[str, float] = {"head_grade_treo_frac": ore.treo_grade_frac}
    for el, share in ore.ree_shares_frac.items():
        row[f"{species_key(el)}_frac"] = ore.treo_grade_frac * share
    for field, key in ORE_GANGUE:
        row[f"{key}_frac"] = float(getattr(ore, field))
    df = pd.DataFrame([row] * len(capacity))
    df.insert(0, "ore_t", capacity)
    df.insert(1, "mined_t", capacity)
    df.insert(2, "waste_t", 0.0)
    return df


def rebin_schedule(feed: pd.DataFrame, capacity: np.ndarray) -> tuple[pd.DataFrame, float]:
    """Cut the mine's ordered ore stream into years of the given plant capacities.

    ``feed``: the mine schedule in mining order (``ore_t``, ``mined_t``, optionally the plan's
    own ``waste_t``, grade columns ``*_frac`` tonnage-weighted). Each new year takes the next
    ``capacity[i]`` tonnes of ore; grades are tonnage-weighted over the pieces of the source
    years it spans, and the tonnes moved and the waste follow the ore in proportion (pre-strip
    moved before the first ore goes to the first year; a source year without ore after it, a
    stripping gap, goes with the next source year with ore, as :func:`plan_years` books it:
    its tonnes were dropped, and their mining cost with them). Without ``waste_t`` the waste
    is moved - ore. The stockpile flows of a plan with stockpiles (:data:`STOCKPILE_FLOWS`)
    follow the ore as the waste does, and the inventory is their running balance
    (:func:`_with_stockpiles`). Returns the new schedule (years with ore only) and the ore left
    after the horizon.
    """
    ore = feed["ore_t"].to_numpy(float)
    moved = feed["mined_t"].to_numpy(float) if "mined_t" in feed else ore.copy()
    waste = _plan_waste(feed, moved, ore)
    grade_cols = [c for c in feed.columns if c.endswith("_frac")]
    grades = feed[grade_cols].to_numpy(float) if grade_cols else np.zeros((len(feed), 0))
    grades = np.nan_to_num(grades)
    first = int(np.argmax(ore > 0)) if (ore > 0).any() else len(ore)
    flows = [c for c in STOCKPILE_FLOWS if c in feed]
    carried = np.column_stack([moved, waste, *(np.nan_to_num(feed[c].to_numpy(float))
                                               for c in flows)])
    prestrip = carried[:first].sum(axis=0)
    carried = np.column_stack([_gaps_forward(ore, x, first) for x in carried.T])
    cum = np.concatenate([[0.0], np.cumsum(ore)])
    total = float(cum[-1])
    edges = np.concatenate([[0.0], np.cumsum(capacity)])
    rows = []
    for i in range(len(capacity)):
        a, b = edges[i], min(edges[i + 1], total)
        if b <= a + 1e-9:
            break
        overlap = np.clip(np.minimum(cum[1:], b) - np.maximum(cum[:-1], a), 0.0, None)
        t = float(overlap.sum())
        w = np.divide(overlap, ore, out=np.zeros_like(ore), where=ore > 0)
        booked = w @ carried + (prestrip if i == 0 else 0.0)
        row = {"ore_t": t, **dict(zip(["mined_t", "waste_t", *flows], booked.tolist(), strict=True))}
        row.update({c: float(overlap @ grades[:, j] / t) if t > 0 else np.nan
                    for j, c in enumerate(grade_cols)})
        rows.append(row)
    out = _with_waste(pd.DataFrame(rows, columns=["ore_t", "mined_t", "waste_t", *flows,
                                                  *grade_cols]))
    out = _with_stockpiles(out, flows)
    remaining = max(total - float(edges[min(len(capacity), len(edges) - 1)]), 0.0)
    return out, remaining


def _gaps_forward(ore: np.ndarray, x: np.ndarray, first: int) -> np.ndarray:
    """``x`` of each ore-less source year after the first ore year added to the next source
    year with ore (none after the last: not booked); the pre-strip years are left as they
    are (the caller books them with the first plant year)."""
    fed = np.flatnonzero(ore > 0)
    if not fed.size:
        return x
    out = np.where(ore > 0, x, 0.0)
    out[:first] = x[:first]
    after = np.arange(first, int(fed[-1]) + 1)
    np.add.at(out, fed[np.searchsorted(fed, after)], np.where(ore[after] > 0, 0.0, x[after]))
    return out


def plan_years(feed: pd.DataFrame, capacity: np.ndarray) -> tuple[pd.DataFrame, float]:
    """The mine plan's own years as the plant's, for a plan whose material moved is capped
    (``mine.mining_capacity_t_per_a``): a year whose fleet cannot uncover the plant's
    capacity feeds less, where :func:`rebin_schedule` pulled the next years' ore and their
    waste forward (909 kt moved under a 700 kt/a cap, fuzz round 29). A year that feeds no
    ore (pre-strip, a stripping gap) has its tonnes moved go with the next year's ore, as
    :func:`rebin_schedule` does, since the cash flow has no idle production year: the
    schedule keeps the first ``len(capacity)`` years with ore (each booked one production
    year earlier per ore-less year before it, so its ramp-up share may be a later year's),
    and the ore after them is returned as left. Waste moved after the last ore year is not
    booked (nor by :func:`rebin_schedule`). Same columns as :func:`rebin_schedule`."""
    ore = feed["ore_t"].to_numpy(float)
    fed = np.flatnonzero(ore > 0)
    keep = fed[:len(capacity)]
    if not keep.size:
        return feed.iloc[:0].assign(waste_t=[]), 0.0
    last = int(keep[-1])
    group = np.searchsorted(keep, np.arange(last + 1))  # the ore year each row is booked to
    mined = feed["mined_t"].to_numpy(float)
    waste = _plan_waste(feed, mined, ore)
    out = feed.iloc[keep].reset_index(drop=True).copy()
    out["mined_t"] = np.bincount(group, weights=mined[:last + 1])
    out["waste_t"] = np.bincount(group, weights=waste[:last + 1])
    flows = [c for c in STOCKPILE_FLOWS if c in feed]
    for c in flows:
        out[c] = np.bincount(group, weights=np.nan_to_num(feed[c].to_numpy(float))[:last + 1])
    return _with_stockpiles(_with_waste(out), flows), float(ore[last + 1:].sum())


def _plan_waste(feed: pd.DataFrame, moved: np.ndarray, ore: np.ndarray) -> np.ndarray:
    """The waste of each plan year: the plan's own ``waste_t`` where it gives one (the pit's
    tonnes less the ore sent to the plant or a stockpile), else moved - ore. With a stockpile
    the plant's ore includes what is reclaimed, and moved - ore booked -570 kt of waste in
    years that only reclaim (fuzz round 32)."""
    if "waste_t" in feed:
        return np.nan_to_num(feed["waste_t"].to_numpy(float))
    return moved - ore


def _with_stockpiles(out: pd.DataFrame, flows: list[str]) -> pd.DataFrame:
    """``stockpile_t``, the ore on the stockpiles at the end of each booked year: the running
    balance of the booked flows in and out (a flow booked with a later year is on the pile
    from that year, as the rows book it); nothing where the plan has no stockpile."""
    if {"stockpile_in_t", "stockpile_out_t"} <= set(flows):
        sent = np.cumsum(out["stockpile_in_t"].to_numpy(float))
        balance = sent - np.cumsum(out["stockpile_out_t"].to_numpy(float))
        # the LP's round-off is no inventory (-1e-11 t printed as "-0", fuzz round 19)
        out["stockpile_t"] = np.where(np.abs(balance) <= TONNES_ROUND_OFF_REL
                                      * np.maximum(sent, 1.0), 0.0, balance)
    return out


def _with_waste(out: pd.DataFrame) -> pd.DataFrame:
    """``waste_t`` as booked (else moved - ore); a year with no waste differs by round-off
    only: -1e-11 t was printed as "-0" (fuzz round 19); a NaN stays NaN."""
    waste = out["waste_t"] if "waste_t" in out else out["mined_t"] - out["ore_t"]
    out["waste_t"] = waste_t(out["mined_t"], waste)
    return out


def estimate_resource_step(project: Any, *, prices_usd_per_kg: dict[str, float],
                           recovery_frac: float, cost_usd_per_t_ore: float,
                           byproduct_usd_per_kg_in_ore: dict[str, float] | None = None,
                           charge_usd_per_kg: float = 0.0) -> Any:
    """The deposit room's resource for the project, its cut-off re-derived from the study's
    valuation (the kriging is cached by the deposit section alone, so a price or cost what-if
    does not repeat it).

    A SYNTHETIC deposit stands in for data nobody has published; it is calibrated to a public
    grade, so its primary grade is scaled to the project's ``ore.treo_grade`` (a what-if on the
    grade moves the deposit, the pit and the schedule with it). User drillholes are scaled
    only by ``deposit.grade_factor`` (1: the estimate as it is), the head-grade what-if of a
    project with its own data."""
    from reeflow.deposit import run_deposit

    d = project.deposit
    # the kriging does not depend on the factor applied after it
    res = CACHE.get("deposit", d.model_copy(update={"grade_factor_frac": 1.0}).model_dump_json(),
                    run_deposit, d)
    factor = float(d.grade_factor_frac)
    if d.drillholes is None and d.primary == "treo":
        factor *= float(project.ore.treo_grade_frac) / mean_grade_frac(res.block_model,
                                                                       "treo_frac")
    if d.drillholes is None:
        res = calibrate_synthetic(project, res, factor)
    # before the cut-off: a TREO-only estimate's break-even is priced on the oxide shares the
    # pit and the plant use (it fell back to 1 % silently, fuzz round 14)
    res = _fill_unassayed(project, res)
    bm = res.block_model
    credit = sum(1000.0 * v * mean_grade_frac(bm, f"{k}_frac")
                 for k, v in (byproduct_usd_per_kg_in_ore or {}).items() if f"{k}_frac" in bm)
    out = res.recut(prices_usd_per_kg=prices_usd_per_kg, recovery_frac=recovery_frac,
                    cost_usd_per_t_ore=cost_usd_per_t_ore, credit_usd_per_t_ore=max(credit, 0.0),
                    grade_factor=factor, charge_usd_per_kg=charge_usd_per_kg)
    return out if d.drillholes is None else _note_unassayed_minerals(project, out)


#: The non-REE minerals the block valuation pays for (by-product concentrates)
_VALUED_MINERALS = ("caf2", "baso4")


def _note_unassayed_minerals(project: Any, res: Any) -> Any:
    """A finding for each non-REE mineral the project file gives a grade (CaF2, BaSO4, ThO2…)
    that the user's block model does not carry: the plant is fed the file's average every
    year and the pit does not value it (fuzz round 14: 55 % of revenue came from fluorite and
    barite no assay held, with every check passing)."""
    from dataclasses import replace

    from reeflow.chain.adapters import ORE_GANGUE
    from reeflow.deposit.drillholes import with_finding

    issues = res.issues
    for field, key in ORE_GANGUE:
        grade = float(getattr(project.ore, field))
        if grade > 0 and f"{key}_frac" not in res.block_model:
            name = field.removesuffix("_frac")
            valued = ", and the pit does not value it" if key in _VALUED_MINERALS else ""
            issues = with_finding(
                issues, severity="warning", kind="grades not assayed", table="assays",
                message=f"no {key} assay: every year's plant feed takes ore.{name} "
                        f"({grade:.2%}, project file){valued}",
                action=f"assay {key} ({key}_pct) to estimate it, or set ore.{name} to 0 % "
                       "if the ore has none")
    return res if issues is res.issues else replace(res, issues=issues)


def calibrate_synthetic(project: Any, res: Any, factor: float = 1.0) -> Any:
    """A SYNTHETIC deposit's rare-earth split and ThO2 set to the project file's public
    figures, as its TREO is (by :func:`estimate_resource_step`, which then scales the TREO and
    its ``primary_components`` by ``factor``): each oxide's tonnage-weighted mean over the
    deposit becomes ``ore.ree_shares_frac`` × the calibrated mean TREO, and ThO2's
    ``ore.tho2_grade``; the blocks' spatial variation is kept. An oxide the project lists and
    the deposit lacks is added as each block's TREO × its share; one the deposit carries and
    the project does not is set to 0 (the plant makes none of it). Without it a project that
    ``extends:`` a case and writes its own REE split was planned, processed and paid at the
    case's split (fuzz round 13: the NdPr share of a Mountain-Pass-like split, 15.4 %, was
    sold at the case's 21.6 %). CaF2 and BaSO4 are left as the parameters file gives them:
    there the project file's grades are the ore's, not the whole deposit's. Returns ``res``
    itself when nothing changes."""
    from dataclasses import replace

    from reeflow.chain.adapters import species_key
    from reeflow.core.elements import REE

    bm = res.block_model
    if "treo_frac" not in bm:
        return res
    treo = mean_grade_frac(bm, "treo_frac")
    comps = {f"{k}_frac" for k in res.parameters.get("primary_components", [])}
    shares = project.ore.ree_shares_frac
    targets: dict[str, float] = {}
    for el in REE:
        col, share = f"{species_key(el)}_frac", float(shares.get(el, 0.0))
        if col in bm or share > 0:  # the components are scaled by ``factor`` afterwards
            targets[col] = share * treo * (1.0 if col in comps else factor)
    if "tho2_frac" in bm:
        targets["tho2_frac"] = float(project.ore.tho2_grade_frac)
    new: dict[str, np.ndarray] = {}
    t = bm["treo_frac"].to_numpy(float)
    for col, target in targets.items():
        mean = mean_grade_frac(bm, col) if col in bm else 0.0
        if mean > 0:
            if abs(target / mean - 1.0) > 1e-12:
                new[col] = bm[col].to_numpy(float) * (target / mean)
        elif target > 0:
            new[col] = t * (target / treo)
    if not new:
        return res
    bm = bm.copy()
    for col, v in new.items():
        bm[col] = v
    return replace(res, block_model=bm)


def _fill_unassayed(project: Any, res: Any) -> Any:
    """A block model without the rare-earth oxide grades (a TREO assay only) takes them as
    TREO × the project's ``ore.ree_distribution`` shares, as the plant's feed takes any grade
    the schedule lacks from the project file (:func:`~reeflow.chain.adapters.ore_feed`); the
    deposit's findings say so. Partial oxide assays are left as the user gave them."""
    from dataclasses import replace

    from reeflow.chain.adapters import species_key
    from reeflow.deposit.drillholes import with_finding

    bm = res.block_model
    keys = [species_key(el) for el in project.ore.ree_distribution]
    if "treo_frac" not in bm or any(f"{k}_frac" in bm for k in keys):
        return res
    bm = bm.copy()
    for el, share in project.ore.ree_shares_frac.items():
        bm[f"{species_key(el)}_frac"] = bm["treo_frac"].to_numpy(float) * share
    # the filled oxides are the TREO's components: a grade what-if scales them with it and
    # the break-even cut-off prices them
    parameters = {**res.parameters, "primary_components": keys, "priced_components": keys} \
        if getattr(res, "primary", "treo") == "treo" else res.parameters
    issues = with_finding(
        res.issues, severity="warning", kind="grades not assayed", table="assays",
        message="no rare-earth oxide assays: each block's oxide grades are its TREO grade × "
                "the shares of ore.ree_distribution (project file)",
        action="assay the oxides (la2o3_pct, ceo2_pct, ...) to estimate them")
    return replace(res, block_model=bm, issues=issues, parameters=parameters)


def _no_ore(project: Any, block_model: pd.DataFrame, products: tuple, econ: Any) -> NoOreError:
    """The error for a pit that holds no ore: the processing cost per tonne of ore against the
    most any block's recoverable products pay per tonne (before royalty)."""
    from reeflow.mine.valuation import royalty_usd

    pay, charge = np.zeros(len(block_model)), np.zeros(len(block_model))
    for p in products:
        g = np.nan_to_num(block_model[p.grade_column].to_numpy(float))
        pay += g * p.recovery_frac * p.price_usd_per_t
        charge += g * p.recovery_frac * p.selling_cost_usd_per_t
    processing = float(econ.processing_cost_usd_per_t)
    royalty = royalty_usd(pay, charge, np.full(pay.shape, processing),  # the block values' own
                          rate=float(econ.royalty_frac), base=econ.royalty_base)
    net = pay - royalty - charge
    i = int(np.argmax(net)) if net.size else 0
    best = float(pay[i]) if net.size else 0.0
    margin = (float(net[i]) if net.size else 0.0) - processing \
        - float(econ.mining_cost_usd_per_t)
    why = (f"it clears {margin:,.0f} USD/t after royalty, processing and its own mining, but no "
           "pit pays for the rock above the ore (and the richest block alone is not a pit: "
           "dilution, ore loss and the slopes take their share)" if margin > 0 else
           f"it loses {-margin:,.0f} USD/t after royalty, processing and its own mining")
    return NoOreError(
        "mine plan", "no ore in the pit", "a pit that pays for its ore and the waste above it",
        f"processing costs {econ.processing_cost_usd_per_t:,.0f} USD/t of ore (plus "
        f"{float(charge[i]) if charge.size else 0.0:,.0f} USD/t the richest block's products "
        f"consume) and mining "
        f"{econ.mining_cost_usd_per_t:,.1f} USD/t moved at ore.throughput = "
        f"{float(project.ore.throughput_t_per_a):,.0f} t/a; the richest block's recoverable "
        f"products pay {best:,.0f} USD/t before royalty, and {why}: "
        + _constraining(project) + "raise the throughput or the grade, or lower the costs")


def _constraining(project: Any) -> str:
    """The mine settings that can leave a paying pit's schedule without ore, named first in
    the no-ore fix: the same message had blamed prices and costs for a 100 kt/a fleet under a
    570 kt/a plant, Inferred valued as waste on a 99.5 % Inferred deposit and a 20-30 % TREO
    blend (fuzz round 30)."""
    m = getattr(project, "mine", None)
    named = []
    cap = getattr(m, "mining_capacity_t_per_a", None)
    if cap is not None:
        below = float(cap) < float(project.ore.throughput_t_per_a)
        named.append(f"mine.mining_capacity_t_per_a = {float(cap):,.0f} t/a"
                     + (" (below the plant's ore.throughput)" if below else ""))
    if getattr(m, "inferred_as_waste", False):
        named.append("mine.inferred_as_waste = true (Inferred blocks are valued as waste)")
    if getattr(m, "blending", None):
        named.append("mine.blending (the feed must sit inside its grade limits)")
    if not named:
        return ""
    return "relax " + ", ".join(named) + ", which can leave the schedule without ore; or "


def mean_grade_frac(block_model: pd.DataFrame, column: str) -> float:
    """Tonnage-weighted mean of a grade column over every estimated block."""
    t = block_model["tonnes"].to_numpy(float)
    g = block_model[column].to_numpy(float)
    ok = np.isfinite(g) & (t > 0)
    if not ok.any():
        raise InputError("deposit", column, "estimated blocks with a grade and tonnes",
                         "check the deposit's data and domains")
    return float((t[ok] * g[ok]).sum() / t[ok].sum())


def plan_mine_step(project: Any, block_model: pd.DataFrame, valuation: BlockValuation,
                   capacity: np.ndarray) -> MineOutcome:
    """Pit, nested pits, pushbacks and schedule of the block model over the plant's years (the
    mine room's :func:`~reeflow.mine.plan_mine` with the study's own block valuation), cut into
    plant years with the ore-class mix carried along (:func:`rebin_schedule`; with a mining
    capacity, the plan's own years, :func:`plan_years`)."""
    from reeflow.mine import BlockEconomics, Product, plan_mine
    from reeflow.mine.valuation import MAX_PROCESSING_USD_PER_T

    cost = valuation.product_cost_usd_per_kg
    products = tuple(Product(name=sp, grade_column=f"{sp}_frac",
                             recovery_frac=float(valuation.recoveries_frac[sp]),
                             price_usd_per_t=1000.0 * float(price),
                             selling_cost_usd_per_t=1000.0 * float(cost.get(sp, 0.0)))
                     for sp, price in valuation.prices_usd_per_kg.items()
                     if f"{sp}_frac" in block_model.columns)
    if not products:
        wanted = sorted(f"{sp}_frac" for sp in valuation.prices_usd_per_kg)
        graded = sorted(c for c in block_model.columns if c.endswith("_frac"))
        raise InputError(
            "deposit.grades", graded, f"grade columns for the products the plant sells "
            f"({', '.join(wanted)})", "assay each oxide and by-product mineral in the drillhole "
            "file (columns such as la2o3_pct, caf2_pct) and list them in deposit.grades; a "
            "TREO assay alone cannot value the blocks")
    if valuation.processing_cost_usd_per_t > MAX_PROCESSING_USD_PER_T:  # NaN: the bound's error
        # 340,703 USD/t at 100 t/a was refused as a bad block-valuation input (fuzz round 27)
        raise _no_ore(project, block_model, products, valuation)
    econ = BlockEconomics(products, mining_cost_usd_per_t=valuation.mining_cost_usd_per_t,
                          processing_cost_usd_per_t=valuation.processing_cost_usd_per_t,
                          royalty_frac=valuation.royalty_frac,
                          royalty_base=valuation.royalty_base)
    full = float(capacity.max())
    # the plan chooses its stockpiling at the rehandling rate the cash flow pays (the opex
    # scale, as the valuation's mining and processing costs); the rows carry the base rate's
    # cost, which the DCF scales with the mining row (economics.annual)
    opex = float(project.economics.opex_scale_frac)
    plan = plan_mine(block_model, econ, project.mine, plant_capacity_t_per_a=full,
                     ramp_up_frac=list(capacity / full), horizon_years=len(capacity),
                     discount_rate=valuation.discount_rate, rehandle_scale_frac=opex)
    if not float(plan.schedule["ore_t"].sum()) > 0:
        raise _no_ore(project, block_model, products, econ)
    feed = plan.schedule.copy()
    if "rehandle_usd" in feed:
        feed["rehandle_usd"] = feed["rehandle_usd"] / opex
    classes = ("measured", "indicated", "inferred", "unclassified")
    for c in classes:
        feed[f"{c}_share_frac"] = feed[f"{c}_t"] / feed["ore_t"].where(feed["ore_t"] > 0)
    piles = list(STOCKPILE_FLOWS) if project.mine.stockpiles else []
    cols = ["ore_t", "mined_t", "waste_t", *piles,
            *[c for c in feed.columns if c.endswith("_frac")]]
    if project.mine.mining_capacity_t_per_a is None:
        sched, left = rebin_schedule(feed[cols], capacity)
    else:  # the fleet sets the pace: no ore pulled forward past what it can move
        sched, left = plan_years(feed[cols], capacity)
    for c in classes:
        sched[f"{c}_t"] = (sched.pop(f"{c}_share_frac") * sched["ore_t"]).where(
            sched["ore_t"] > 0, 0.0)
    sched["head_grade_treo_frac"] = sched["treo_frac"]
    return MineOutcome(sched, "mine plan", plan, len(capacity),
                       left + float(plan.remaining["ore_feed_t"]))
