"""Study hook: block model → valued blocks → ultimate pit, nested pits, pushbacks → schedule over
the horizon → plant feed by year, what remains in the pit, and the Ore Reserve.

Orchestration only: the models live in :mod:`~reeflow.mine.valuation`,
:mod:`~reeflow.mine.precedence`, :mod:`~reeflow.mine.pit`, :mod:`~reeflow.mine.nested`,
:mod:`~reeflow.mine.panels`, :mod:`~reeflow.mine.schedule` and :mod:`~reeflow.mine.reserve`.

Long-lived pits: only the part of the ultimate pit the plant can use within the horizon is
scheduled. Nested pits are solved down from RF 1 (adding lower revenue factors when even the
smallest standard shell holds more ore than the horizon needs); the *horizon region* is the
smallest shell holding ``horizon_margin`` × the horizon's plant feed (grown, up to twice, to a
shell with twice the ore when the schedule would leave the plant short in the last year while the
ultimate pit holds more; the rings a grown region adds are split like the first region's, and
the schedule with the highest NPV is kept — a bigger region only adds choices, so a grown region
whose coarser pushbacks schedule worse never replaces a better plan; before this, NPV fell as the
NdPr price rose, ``tests/study/test_npv_monotone.py``); pushbacks and panels cover that region;
everything else in the ultimate
pit is reported under ``remaining`` (a ~694 Mt deposit at 570 kt/a is scheduled for the horizon,
not for a thousand years).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.mine._data import default
from reeflow.mine.blockmodel import block_grid, fill_missing_as_waste, grade_columns
from reeflow.mine.nested import nested_pits, pit_by_pit, pushbacks
from reeflow.mine.panels import Panels, make_panels
from reeflow.mine.params import MineParams
from reeflow.mine.pit import ultimate_pit
from reeflow.mine.precedence import check_slopes, grid_arc_count, grid_arcs, min_search_offsets
from reeflow.mine.reserve import ReserveStatement, reserve_statement
from reeflow.mine.scene import SCENE_CAPS, plan_scene, world_coordinates
from reeflow.mine.schedule import (
    ScheduleResult,
    ScheduleSpec,
    capacity_by_year,
    schedule_panels,
    schedule_table,
)
from reeflow.mine.valuation import (
    BlockEconomics,
    BlockValues,
    block_values,
    values_by_revenue_factor,
)

__all__ = ["MinePlan", "plan_mine", "block_arcs", "pad_with_waste", "check_grade_attributes"]


@dataclass(frozen=True)
class MinePlan:
    """Result of :func:`plan_mine`.

    ``pit``: ultimate pit summary (RF 1); ``nested``: pit-by-pit table; ``schedule``: one row per
    year of the horizon (:func:`~reeflow.mine.schedule.schedule_table`); ``schedule_stats``: NPV,
    bound, gap, status, limits; ``remaining``: what is left in the pit after the horizon;
    ``reserve``: the Ore Reserve statement; ``blocks``: per-block pit, shell, pushback, ore, value;
    ``inputs``: the capacities, horizon and rate used and where each came from; ``panels`` and
    ``result``: the scheduled panels and the raw schedule (shares per year).
    """

    pit: dict[str, Any]
    nested: pd.DataFrame
    schedule: pd.DataFrame
    schedule_stats: dict[str, Any]
    remaining: dict[str, Any]
    reserve: ReserveStatement | None
    inputs: dict[str, Any]
    timings_s: dict[str, float]
    blocks: pd.DataFrame = field(repr=False)
    panels: Panels | None = field(default=None, repr=False)
    result: ScheduleResult | None = field(default=None, repr=False)

    def _grid(self, column: str) -> np.ndarray:
        b = self.blocks
        shape = (int(b["iz"].max()) + 1, int(b["iy"].max()) + 1, int(b["ix"].max()) + 1)
        out = np.full(shape, -1, dtype=np.int64)
        out[b["iz"], b["iy"], b["ix"]] = b[column].to_numpy()
        return out

    def section(self, *, axis: str = "y", index: int | None = None,
                column: str = "shell") -> np.ndarray:
        """Vertical section (iz, along-axis index) of ``column``; -1 outside; default the middle
        row of ``axis``."""
        vol = self._grid(column)
        if axis not in ("x", "y"):
            raise InputError("axis", axis, "'x' or 'y'", "section along a grid axis")
        n = vol.shape[1] if axis == "y" else vol.shape[2]
        k = n // 2 if index is None else int(index)
        if not 0 <= k < n:
            raise InputError("index", index, f"0..{n - 1}", "pick a row of the grid")
        return vol[:, k, :] if axis == "y" else vol[:, :, k]

    def plan_view(self) -> np.ndarray:
        """Lowest bench index mined in each column (iy, ix); -1 = not mined."""
        vol = self._grid("shell") >= 0
        return np.where(vol.any(axis=0), np.argmax(vol, axis=0), -1)

    def scene(self, *, grade_column: str = "treo_frac", cutoff_frac: float | None = None,
              max_blocks: int = SCENE_CAPS["max_blocks"]) -> dict[str, Any]:
        """A light 3-D scene (decimated blocks, pit and pushback floors) for
        :func:`reeflow.report.figures_3d.mine_3d_figure`; see :mod:`reeflow.mine.scene`."""
        return plan_scene(self.blocks, grade_column=grade_column, cutoff_frac=cutoff_frac,
                          max_blocks=max_blocks)

    def source_rows_in_shell(self, revenue_factor: float, n_rows: int) -> np.ndarray | None:
        """A boolean per row of the block model the plan was made from: inside the nested pit
        at ``revenue_factor`` (e.g. the RPEEE shell of a resource statement, JORC 2012
        cl. 20). None when the plan's shells stop below that factor (the shell was not
        computed; raise ``revenue_factors``)."""
        rfs = self.nested["revenue_factor"].to_numpy(float)
        if rfs.size == 0 or revenue_factor > rfs.max() + 1e-9:
            return None
        sh = self.blocks["nested_shell"].to_numpy()
        inside = (sh >= 0) & (rfs[np.clip(sh, 0, None)] <= revenue_factor + 1e-9)
        src = (self.blocks["source_row"].to_numpy() if "source_row" in self.blocks.columns
               else np.arange(len(self.blocks)))
        keep = inside & (src >= 0) & (src < n_rows)
        if "filled" in self.blocks.columns:
            keep &= ~self.blocks["filled"].to_numpy(bool)
        mask = np.zeros(n_rows, bool)
        mask[src[keep].astype(np.int64)] = True
        return mask

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; per-block data only as a middle section and a plan of the pit."""
        rfs = self.nested["revenue_factor"].tolist() if len(self.nested) else []
        return {
            "pit": self.pit,
            "nested": self.nested.replace({np.nan: None}).to_dict(orient="records"),
            "schedule": self.schedule.replace({np.nan: None}).to_dict(orient="records"),
            "schedule_stats": self.schedule_stats, "remaining": self.remaining,
            "reserve": self.reserve.to_dict() if self.reserve is not None else None,
            "inputs": self.inputs, "timings_s": self.timings_s,
            "section_y": {"shell": self.section().tolist(), "revenue_factors": rfs,
                          "note": "rows = benches from the bottom, columns = ix; value = index "
                                  "of the smallest nested pit holding the block, -1 = outside"},
            "plan_bottom_bench": {"iz": self.plan_view().tolist(),
                                  "note": "rows = iy, columns = ix; lowest bench mined in any "
                                          "nested pit, -1 = not mined"},
        }


def block_arcs(grid, *, slopes_deg, n_benches: int,
               max_arcs: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Precedence arcs between the rows of a block model (air cells dropped); refuses grids whose
    full-grid arc count exceeds ``max_arcs`` before building any."""
    offsets = min_search_offsets(grid.block_size_m, slopes_deg, n_benches=n_benches)
    if max_arcs is not None:
        est = grid_arc_count(grid.shape, offsets)
        if est > max_arcs:
            raise InputError("block_model.arcs", f"{est:,} precedence arcs ({grid.shape} grid, "
                             f"{len(offsets)} offsets, {16 * est / 1e9:.1f} GB)",
                             f"<= {max_arcs:,} (mine.limits.max_arcs)",
                             "use fewer benches in the search pattern, larger blocks, or raise "
                             "mine.limits.max_arcs on a larger machine")
    row = grid.row_of_cell()
    s, d = grid_arcs(grid.shape, offsets, present=row >= 0)
    return row[s], row[d]


def _resolve(params: MineParams, **given) -> tuple[dict[str, Any], dict[str, str]]:
    """Explicit arguments win over the ``mine:`` section; nothing silently defaulted."""
    out, src = {}, {}
    for key, value in given.items():
        if value is not None:
            out[key], src[key] = value, "caller"
        elif getattr(params, key) is not None:
            out[key], src[key] = getattr(params, key), "mine section"
        elif key == "ramp_up_frac":
            out[key], src[key] = [], "none (full capacity from year 1)"
        else:
            raise InputError(f"mine.{key}", None, "a value from the caller or the mine: section",
                             f"pass {key}= or add it to the project's mine: section")
    return out, src


def _prepare(block_model: pd.DataFrame, params: MineParams):
    n = len(block_model)
    if n > params.limits.max_blocks:
        raise InputError("block_model.blocks", f"{n:,} blocks",
                         f"<= {params.limits.max_blocks:,} (mine.limits.max_blocks)",
                         "regularise to larger blocks or raise the limit")
    if params.missing == "waste":
        block_model = pad_with_waste(block_model, params.slopes, params.limits.max_blocks)
    grid = block_grid(block_model, allow_missing=params.missing == "air")
    if grid.shape[2] > params.limits.max_grid_benches:
        raise InputError("block_model.benches", grid.shape[2],
                         f"<= {params.limits.max_grid_benches} (mine.limits.max_grid_benches)",
                         "use taller blocks or raise the limit")
    cols = grade_columns(block_model)
    grades = {c: block_model[c].to_numpy(float) for c in cols}
    cls = block_model["class"].to_numpy() if "class" in block_model.columns else None
    return block_model, grid, grades, cls


def pad_with_waste(block_model: pd.DataFrame, slopes, max_blocks: int, *,
                   block_size_m=None) -> pd.DataFrame:
    """Fill empty cells with waste, padded by the horizontal reach of the flattest slope (a
    complete grid is returned as it is); refuses beyond ``max_blocks``."""
    g = block_grid(block_model, block_size_m=block_size_m, allow_missing=True)
    if len(block_model) == g.n_cells:  # a complete grid: the user chose its extents
        return block_model
    flattest = float(check_slopes(slopes)[:, 1].min())
    reach_m = g.shape[2] * g.block_size_m[2] / np.tan(np.radians(flattest))
    pad = int(np.ceil(reach_m / min(g.block_size_m[:2])))
    cells = (g.shape[0] + 2 * pad) * (g.shape[1] + 2 * pad) * g.shape[2]
    if cells > max_blocks:
        nx, ny, nz = g.shape
        raise InputError("block_model.blocks", f"{cells:,} blocks: a {nx} x {ny} x {nz} grid "
                         f"{nz * g.block_size_m[2]:,.0f} m tall filled with waste and padded "
                         f"{pad} cells",
                         f"<= {max_blocks:,} (mine.limits.max_blocks)",
                         "supply the waste blocks, use missing: air, or raise the limit; a grid "
                         "much taller than the deposit points to an elevation in another unit "
                         "or datum (see the deposit's findings)")
    return fill_missing_as_waste(block_model, block_size_m=block_size_m, pad_cells=pad)


def _inferred(cls: np.ndarray | None, n: int) -> np.ndarray:
    if cls is None:
        return np.zeros(n, bool)
    return pd.Series(cls).astype(str).str.strip().str.lower().to_numpy() == "inferred"


def _solve_inside(value_at, rf: float, outer: np.ndarray, src, dst, solver: str,
                  sub: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The pit at ``rf`` inside the pit ``outer`` (exact: a pit at a lower RF lies inside);
    ``sub`` = ``(keep, sub_src, sub_dst)`` of ``outer`` when already built."""
    keep, sub_src, sub_dst = sub if sub is not None else _sub_problem(outer, src, dst)
    res = ultimate_pit(value_at(rf)[keep], sub_src, sub_dst, solver=solver)
    out = np.zeros_like(outer)
    out[keep[res.mask]] = True
    return out


def _sub_problem(mask, src, dst):
    keep = np.flatnonzero(mask)
    sub_src, sub_dst = _sub_arcs(mask, src, dst)
    return keep, sub_src, sub_dst


def _shells(value_at, src, dst, rfs: list[float], tonnes, feed_ore: np.ndarray, need_t: float,
            n_pushbacks: int, solver: str, margin: float):
    """Nested pits: at ``rfs``; then below the smallest RF while its ore exceeds a pushback's
    share of the horizon's need (long-lived pits); then between consecutive pits inside the
    horizon region wherever a ring holds more than half a pushback (so pushbacks can form).
    Returns ``(pits, k_h)``: the pits as ``(RF, mask)`` from the smallest, and the index of the
    horizon region's pit."""
    shell, _ = nested_pits(value_at, src, dst, rfs, solver=solver)
    pits = [(rf, (shell >= 0) & (shell <= k)) for k, rf in enumerate(rfs)]
    while float(feed_ore[pits[0][1]].sum()) > need_t / max(n_pushbacks, 1) and len(pits) < 40:
        rf = pits[0][0] * 0.7
        new = _solve_inside(value_at, rf, pits[0][1], src, dst, solver)
        if not new.any() or new.sum() == pits[0][1].sum():
            break
        pits.insert(0, (rf, new))
    k_h = _horizon_shell([m for _, m in pits], feed_ore, need_t, margin, [r for r, _ in pits])
    pits, _ = _refine(value_at, pits, 1, k_h, tonnes, n_pushbacks, src, dst, solver)
    return pits, _horizon_shell([m for _, m in pits], feed_ore, need_t, margin,
                                [r for r, _ in pits])


def _refine(value_at, pits: list, k_from: int, k_h: int, tonnes, n_pushbacks: int, src, dst,
            solver: str) -> tuple[list, int]:
    """Split the rings ``k_from``..``k_h`` (between consecutive pits) that hold more than half
    a pushback of the region up to ``k_h`` (24 pit solves at most); returns the pits and the
    region's new index."""
    pits = list(pits)
    target = 0.5 * float(tonnes[pits[k_h][1]].sum()) / max(n_pushbacks, 1)
    k, solves = max(k_from, 1), 0
    while k <= k_h and solves < 24:
        (r0, m0), (r1, m1) = pits[k - 1], pits[k]
        if float(tonnes[m1 & ~m0].sum()) <= target:
            k += 1
            continue
        found, n = _split(value_at, r0, m0, r1, m1, src, dst, solver)
        solves += n
        if found is None:
            k += 1
            continue
        pits.insert(k, found)
        k_h += 1
    return pits, k_h


def _shell_index(pits: list, n: int) -> np.ndarray:
    """Index of the smallest pit holding each block (-1 outside every pit)."""
    shell = np.full(n, -1, np.int64)
    for k in range(len(pits) - 1, -1, -1):
        shell[pits[k][1]] = k
    return shell


def _split(value_at, r0: float, m0: np.ndarray, r1: float, m1: np.ndarray, src, dst,
           solver: str, steps: int = 4):
    """A pit strictly between ``m0`` (at ``r0``) and ``m1`` (at ``r1``) by bisection on RF, or
    None; also the number of pit solves spent."""
    a, b = r0, r1
    sub = _sub_problem(m1, src, dst)
    for n in range(1, steps + 1):
        rf = 0.5 * (a + b)
        mid = _solve_inside(value_at, rf, m1, src, dst, solver, sub) | m0
        if m0.sum() < mid.sum() < m1.sum():
            return (rf, mid), n
        a, b = (rf, b) if mid.sum() == m0.sum() else (a, rf)
    return None, steps


def _sub_arcs(mask, src, dst):
    new = np.full(mask.size, -1, np.int64)
    new[mask] = np.arange(int(mask.sum()))
    inside = mask[src] & mask[dst]
    return new[src[inside]], new[dst[inside]]


def _horizon_shell(masks: list[np.ndarray], feed_ore: np.ndarray, need_t: float, margin: float,
                   rfs: list[float]) -> int:
    """Smallest pit (at most the RF 1 pit) whose ore feed covers ``margin`` × the horizon's need."""
    k_final = rfs.index(1.0)
    for k in range(k_final + 1):
        if float(feed_ore[masks[k]].sum()) >= margin * need_t:
            return k
    return k_final


def _valuation(tonnes, grades, econ: BlockEconomics, params: MineParams, inferred: np.ndarray):
    kw = {"dilution_frac": params.dilution_frac, "ore_loss_frac": params.ore_loss_frac,
          "force_waste": inferred if params.inferred_as_waste else None}
    return block_values(tonnes, grades, econ, **kw), values_by_revenue_factor(tonnes, grades,
                                                                              econ, **kw)


def _schedule_region(shell, k_h: int, grid, bv: BlockValues, grades, src, dst, cls,
                     params: MineParams, spec: ScheduleSpec, grown_from: np.ndarray | None = None):
    """Pushbacks of the shells up to ``k_h``, their panels, the schedule and its table.

    Each count of :attr:`MineParams.pushback_counts` gives a partition of the shells
    (:func:`~reeflow.mine.nested.pushbacks`; the minimum-width rule may merge rings, so equal
    partitions are scheduled once); the partition whose schedule has the highest NPV is kept.
    This is pushback selection by scheduled value between Whittle's worst case (one pushback,
    bench by bench) and best case (every shell a pushback), the practice reviewed by Meagher,
    Dimitrakopoulos & Avis (2014, "Optimized open pit mine design, pushbacks and the gap
    problem — a review", J. Min. Sci. 50(3):508-526, §3). Also returns the curve: one row per
    distinct partition (requested count, pushbacks made, panels, NPV, bound, gap).

    ``grown_from``: the pushbacks chosen for a smaller region this one grows (-1 outside it);
    they are tried too, with the blocks the region adds as one more pushback mined after them,
    so the grown region keeps the smaller one's sequence within reach (its ``requested`` is
    empty; the added ring is not checked against the minimum-width rule the partitions of
    :func:`~reeflow.mine.nested.pushbacks` pass)."""
    blend = [(b.attribute, b.min_frac, b.max_frac) for b in params.blending]
    seen: dict[bytes, dict[str, Any]] = {}
    best = None
    layouts: list[tuple[int | None, np.ndarray]] = [
        (n, pushbacks(shell, k_h, grid.tonnes, (grid.ix, grid.iy, grid.iz), grid.shape,
                      n_pushbacks=n, min_width_blocks=params.min_width_blocks,
                      retained_frac=float(default("min_width_retained_frac"))))
        for n in params.pushback_counts]
    if grown_from is not None and (grown_from >= 0).any():
        inside = (shell >= 0) & (shell <= k_h)
        layouts.append((None, np.where(inside, np.where(grown_from >= 0, grown_from,
                                                        grown_from.max() + 1), -1)))
    for n, pb in layouts:
        key = pb.tobytes()
        if key in seen:
            if n is not None:
                seen[key]["requested"].append(n)
            continue
        pan = make_panels(pb, grid.iz, grid.tonnes, bv, grades, src, dst, block_class=cls,
                          n_bins=params.parcel_bins, blend=blend,
                          dilution_frac=params.dilution_frac, ore_loss_frac=params.ore_loss_frac)
        res = schedule_panels(pan, spec)
        seen[key] = {"requested": [] if n is None else [n],
                     "n_pushbacks": int(pb.max() + 1) if (pb >= 0).any()
                     else 0, "n_panels": pan.n_panels, "npv_usd": res.npv_usd,
                     "bound_usd": _fin(res.bound_usd), "gap_frac": _fin(res.gap_frac)}
        if best is None or res.npv_usd > best[2].npv_usd:
            best = (pb, pan, res)
    assert best is not None  # pushback_counts is never empty
    pb, pan, res = best
    curve = sorted(seen.values(), key=lambda r: r["n_pushbacks"])
    return pb, pan, res, schedule_table(pan, res, spec), curve


def plan_mine(block_model: pd.DataFrame, economics: BlockEconomics,
              params: MineParams | None = None, *, plant_capacity_t_per_a: float | None = None,
              ramp_up_frac: Sequence[float] | None = None, horizon_years: int | None = None,
              discount_rate: float | None = None, rehandle_scale_frac: float = 1.0) -> MinePlan:
    """Plan an open pit over an evaluation horizon (see the module docstring).

    ``economics``: products, mining cost per t moved, processing cost per t of feed (excluding
    mining), royalty (:class:`~reeflow.mine.valuation.BlockEconomics`, the DCF's numbers);
    ``params``: the ``mine:`` section (slopes, capacities, stockpiles, blending, modifying factors,
    solver limits); ``plant_capacity_t_per_a``, ``ramp_up_frac`` (utilisation of the first years),
    ``horizon_years`` and ``discount_rate`` (fraction per year): the caller's, else the section's.
    ``rehandle_scale_frac`` multiplies the stockpiles' rehandling rates (a study's operating-cost
    scale, which ``economics`` already carries in its mining and processing costs); the
    schedule's ``rehandle_usd`` is what the plan charged. Pre-tax valuation (see
    :mod:`~reeflow.mine.valuation`). Raises InputError up front for work
    beyond ``params.limits``.
    """
    t0 = time.perf_counter()
    params = params or MineParams()
    given, sources = _resolve(params, plant_capacity_t_per_a=plant_capacity_t_per_a,
                              ramp_up_frac=ramp_up_frac, horizon_years=horizon_years,
                              discount_rate=discount_rate)
    spec = ScheduleSpec(
        plant_t_per_a=capacity_by_year(float(given["plant_capacity_t_per_a"]),
                                       list(given["ramp_up_frac"]), int(given["horizon_years"])),
        discount_rate=float(given["discount_rate"]), mining_t_per_a=params.mining_capacity_t_per_a,
        stockpiles=tuple(s.spec(rehandle_scale_frac) for s in params.stockpiles),
        blending=tuple(b.spec() for b in params.blending),
        time_limit_s=params.schedule_time_limit_s, rel_gap=params.schedule_rel_gap,
        max_nodes=params.schedule_max_nodes, precedence=params.schedule_precedence)
    bm, grid, grades, cls = _prepare(block_model, params)
    check_grade_attributes(params, grades)
    inferred = _inferred(cls, len(bm))
    bv, value_at = _valuation(grid.tonnes, grades, economics, params, inferred)
    src, dst = block_arcs(grid, slopes_deg=params.slopes, n_benches=params.n_benches,
                          max_arcs=params.limits.max_arcs)
    timings = {"prepare_and_arcs": time.perf_counter() - t0}
    need = float(sum(spec.plant_t_per_a))
    feed_ore = np.where(bv.is_ore, bv.feed_t, 0.0)
    rfs = sorted(set(float(r) for r in params.revenue_factors) | {1.0})
    margin = float(default("horizon_margin"))
    n_pb = max(params.pushback_counts)
    pits, k_h = _shells(value_at, src, dst, rfs, grid.tonnes, feed_ore, need, n_pb,
                        params.solver, margin)
    timings["pits_and_pushbacks"] = time.perf_counter() - t0 - sum(timings.values())
    (pb, pan, res, sched, curve), horizon_rf, pits = _grow_and_schedule(
        pits, k_h, value_at, grid, bv, grades, src, dst, cls, params, spec, feed_ore, n_pb)
    timings["schedule"] = time.perf_counter() - t0 - sum(timings.values())
    rfs = [r for r, _ in pits]
    shell = _shell_index(pits, grid.tonnes.size)
    k_final = rfs.index(1.0)
    final = (shell >= 0) & (shell <= k_final)
    table = pit_by_pit(shell, rfs, grid.tonnes, bv.is_ore, bv.value_usd, pd.DataFrame(grades))
    reserve = _reserve(grid.tonnes, grades, cls, economics, params, value_at, bv, src, dst,
                       final, inferred)
    blocks = _blocks_frame(bm, block_model, grid, final, shell, pb, bv, grades)
    timings["total"] = time.perf_counter() - t0
    remaining = _remaining(pan, res, sched, grid.tonnes, feed_ore, final, pb, grades,
                           grid.tonnes * (1.0 - params.ore_loss_frac))
    return MinePlan(
        pit=_pit_summary(final, table, k_final, src.size, pb, bv), nested=table, schedule=sched,
        schedule_stats={**_stats(res, pan, spec, horizon_rf), "pushback_selection": curve,
                        **_coverage(float(bv.feed_t[final & bv.is_ore].sum()), spec, sched,
                                    remaining)},
        inputs={**given, "sources": sources}, remaining=remaining,
        reserve=reserve, timings_s=timings, blocks=blocks, panels=pan, result=res)


def check_grade_attributes(params: MineParams, grades: Collection[str]) -> None:
    """Each blending limit and stockpile names a grade column of the block model (``grades``:
    its grade columns): a blending attribute that is none raised a KeyError from the panels
    (fuzz round 32). ``reeflow validate`` checks it against a synthetic deposit's columns."""
    graded = sorted(grades)
    named = [(f"mine.blending[{i}].attribute", b.attribute)
             for i, b in enumerate(params.blending)]
    named += [(f"mine.stockpiles[{i}].attribute", s.attribute)
              for i, s in enumerate(params.stockpiles) if s.attribute is not None]
    for path, attr in named:
        if attr not in grades:
            raise InputError(path, attr, "a grade column of the block model: "
                             + ", ".join(graded[:16]) + (" …" if len(graded) > 16 else ""),
                             "name one of those columns (e.g. treo_frac)" if "treo_frac" in
                             grades else "name one of those columns")


def _grow_and_schedule(pits: list, k_h: int, value_at, grid, bv: BlockValues, grades, src, dst,
                       cls, params: MineParams, spec: ScheduleSpec, feed_ore: np.ndarray,
                       n_pb: int):
    """Schedule the region up to pit ``k_h``; while the plant would stand idle in the last
    year and the ultimate pit holds more, grow the region (up to twice) to the pit with twice
    its ore, splitting the rings it adds (:func:`_refine`). A bigger region only adds choices
    (it also tries the smaller region's pushbacks with the added blocks as one more), so the
    schedule with the highest NPV is kept. Returns that region's
    :func:`_schedule_region` tuple, its revenue factor, and the pits as refined."""
    best = None
    grown_from = None
    for _ in range(3):
        out = _schedule_region(_shell_index(pits, grid.tonnes.size), k_h, grid, bv, grades,
                               src, dst, cls, params, spec, grown_from)
        grown_from = out[0]
        if best is None or out[2].npv_usd > best[0][2].npv_usd:
            best = (out, pits[k_h][0])
        cap = float(out[3]["plant_capacity_t"].iloc[-1])
        short = cap - float(out[3]["ore_t"].iloc[-1])
        rfs, masks = [r for r, _ in pits], [m for _, m in pits]
        if k_h >= rfs.index(1.0) or short <= 1e-3 * cap:
            break
        grow_t = 2.0 * float(feed_ore[masks[k_h]].sum())
        k_new = _horizon_shell(masks, feed_ore, grow_t, 1.0, rfs)
        pits, _ = _refine(value_at, pits, k_h + 1, k_new, grid.tonnes, n_pb, src, dst,
                          params.solver)
        k_h = _horizon_shell([m for _, m in pits], feed_ore, grow_t, 1.0, [r for r, _ in pits])
    assert best is not None  # the loop runs at least once
    return best[0], best[1], pits


def _reserve(tonnes, grades, cls, econ, params: MineParams, value_at, bv: BlockValues, src, dst,
             final, inferred) -> ReserveStatement | None:
    """Reserve inside a pit designed with Inferred valued as waste (JORC 2012 Clause 29)."""
    if cls is None:
        return None
    kw = {"dilution_frac": params.dilution_frac, "ore_loss_frac": params.ore_loss_frac}
    if params.inferred_as_waste or not inferred.any():
        pit, is_ore = final, bv.is_ore
        basis_pit = "the plan's ultimate pit (RF 1)"
    else:
        rv = block_values(tonnes, grades, econ, force_waste=inferred, **kw)
        pit = ultimate_pit(rv.value_usd, src, dst, solver=params.solver).mask
        is_ore = rv.is_ore
        basis_pit = "ultimate pit (RF 1) re-solved with Inferred valued as waste"
    basis = {"pit": basis_pit, "cutoff": "break-even: a block is ore when processing it pays "
             "more than dumping it (after modifying factors)",
             "products": [{"name": p.name, "grade_column": p.grade_column,
                           "recovery_frac": p.recovery_frac, "price_usd_per_t": p.price_usd_per_t,
                           "payability_frac": p.payability_frac,
                           "selling_cost_usd_per_t": p.selling_cost_usd_per_t}
                          for p in econ.products],
             "mining_cost_usd_per_t": econ.mining_cost_usd_per_t,
             "processing_cost_usd_per_t": econ.processing_cost_usd_per_t,
             "royalty_frac": econ.royalty_frac, "royalty_base": econ.royalty_base}
    return reserve_statement(tonnes, grades, cls, pit, is_ore, dilution_frac=params.dilution_frac,
                             ore_loss_frac=params.ore_loss_frac, basis=basis)


def _first_year(pan, res) -> np.ndarray:
    if pan.n_panels == 0:
        return np.zeros(0, np.int64)
    hit = res.mined > 1e-9
    return np.where(hit.any(axis=1), np.argmax(hit, axis=1) + 1, -1)


def _blocks_frame(bm, original, grid, final, shell, pb, bv: BlockValues,
                  grades: dict[str, np.ndarray]) -> pd.DataFrame:
    out = pd.DataFrame({"in_pit": final, "shell": np.where(final, shell, -1),
                        "nested_shell": shell, "pushback": pb,
                        "is_ore": bv.is_ore, "value_usd": bv.value_usd, "tonnes": grid.tonnes,
                        "ix": grid.ix, "iy": grid.iy, "iz": grid.iz})
    rows = (bm["source_row"].to_numpy() if "source_row" in bm.columns
            else np.arange(len(bm)))
    xyz = world_coordinates(grid.ix, grid.iy, grid.iz, original.reset_index(drop=True), rows,
                            grid.grid)
    out["x_m"], out["y_m"], out["z_m"] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    for extra in ("filled", "source_row", "class"):
        if extra in bm.columns:
            out[extra] = bm[extra].to_numpy()
    for c, g in grades.items():
        out[c] = g
    return out


def _pit_summary(final, table: pd.DataFrame, k: int, n_arcs: int, pb, bv) -> dict:
    row = table.iloc[k]
    out = {"blocks": int(final.sum()), "tonnes": float(row["tonnes"]),
           "ore_t": float(row["ore_t"]), "waste_t": float(row["waste_t"]),
           "ore_feed_t": float(bv.feed_t[final & bv.is_ore].sum()),
           "strip_ratio": None if np.isnan(row["strip_ratio"]) else float(row["strip_ratio"]),
           "value_usd": float(bv.value_usd[final].sum()), "n_arcs": int(n_arcs),
           "n_pushbacks": int(pb.max() + 1) if (pb >= 0).any() else 0}
    for c in table.columns:
        if c.endswith("_frac"):
            out[c] = None if np.isnan(row[c]) else float(row[c])
    return out


def _fin(x: float) -> float | None:
    return float(x) if x is not None and np.isfinite(x) else None


def _stats(res, pan, spec: ScheduleSpec, horizon_rf: float) -> dict[str, Any]:
    return {"npv_usd": res.npv_usd, "bound_usd": _fin(res.bound_usd),
            "gap_frac": _fin(res.gap_frac), "start_npv_usd": _fin(res.start_npv_usd),
            "status": res.status, "seconds": res.seconds, "time_limit_s": spec.time_limit_s,
            "max_nodes": spec.max_nodes, "rel_gap_target": spec.rel_gap,
            "horizon_years": spec.years, "discount_rate": spec.discount_rate,
            "horizon_shell_revenue_factor": horizon_rf, "n_panels": pan.n_panels,
            "n_parcels": pan.n_parcels, "n_panel_arcs": int(pan.src.size),
            "precedence": spec.precedence,
            "bound_basis": ("LP relaxation" if spec.time_limit_s <= 0 or "LP-and-fix"
                            in res.status else "HiGHS dual bound after branch-and-cut"),
            "bound_note": "a bound of the panel model over the same years, plant capacities and "
                          "scheduled region as the schedule: the LP relaxation (panels mined in "
                          "proportion to the panels they need), tightened by HiGHS's dual bound "
                          "when branch-and-cut runs (mine.schedule_time_limit_s > 0); most of a "
                          "gap against the LP relaxation is the relaxation's looseness "
                          "(docs/benchmarks_mine.md); valuation pre-tax; nothing valued beyond "
                          "the horizon"}


def _coverage(pit_ore_feed_t: float, spec: ScheduleSpec, sched: pd.DataFrame,
              remaining: Mapping[str, Any]) -> dict[str, Any]:
    """Does the horizon cover the pit, and what is the NPV of? The pit's life at nameplate
    capacity (its ore feed over the largest yearly plant capacity), and, from the plan itself,
    whether the pit is left unmined at the horizon and how much of its ore was mined and sent
    to waste (mined while the plant was full, with no stockpile to hold it). The pit outlives
    the horizon when the plan leaves some of its ore unmined; before, the note compared the pit's
    ore with nameplate years alone and said so of a plan that had mined the whole pit and
    wasted 1.8 Mt of its ore (validation round 8)."""
    cap = float(max(spec.plant_t_per_a))
    life = pit_ore_feed_t / cap if cap > 0 else float("nan")
    left_t = float(remaining.get("pit_tonnes_t") or 0.0)
    ore_left_t = float(remaining.get("ore_feed_t") or 0.0)
    fed_t = float(sched["ore_t"].sum()) if "ore_t" in sched else 0.0
    held_t = float(remaining.get("stockpile_t") or 0.0)
    wasted_t = max(pit_ore_feed_t - fed_t - held_t - ore_left_t, 0.0)
    covers = ore_left_t <= 1e-6 * max(pit_ore_feed_t, 1.0)  # no ore left (solver tolerance)
    if covers:
        note = (f"the plan mines all of the pit's ore within the {spec.years}-year horizon "
                f"({life:.1f} years of ore at nameplate capacity)")
    else:
        note = (f"the pit outlives the horizon: {left_t / 1e6:,.2f} Mt of it "
                f"({ore_left_t / 1e6:,.2f} Mt of ore) is not mined in the {spec.years} "
                f"scheduled years ({ore_left_t / cap if cap > 0 else np.nan:,.0f} years of "
                f"that ore at nameplate "
                f"capacity; {life:,.0f} for the whole pit's); the NPV and "
                "bound are of the scheduled years only, nothing beyond the horizon is valued")
    if wasted_t > 1e-3 * max(pit_ore_feed_t, 1.0):
        note += (f"; {wasted_t / 1e6:,.2f} Mt of the pit's ore ({wasted_t / pit_ore_feed_t:.1%}"
                 ", above the break-even cut-off) is mined and sent to waste: below the plan's "
                 "cut-off while the plant is full (Lane 1964), or outside a blending or "
                 "stockpile limit; a stockpile (mine.stockpiles) would keep it for later years")
    return {"pit_ore_feed_t": pit_ore_feed_t, "pit_life_years_at_capacity": _fin(life),
            "horizon_covers_pit": covers, "pit_ore_to_waste_t": wasted_t,
            "npv_basis_note": note}


def _remaining(pan, res, sched, tonnes, feed_ore, final, pb, grades, kept_t) -> dict[str, Any]:
    """What is left in the ultimate pit after the horizon (unmined panels, the region beyond the
    horizon shell) and in the stockpiles; ``kept_t`` = in-situ tonnes × (1 − ore loss)."""
    left = 1.0 - (res.X[:, -1] if pan.n_panels else np.zeros(0))
    outside = final & (pb < 0)
    ore_out = outside & (feed_ore > 0)
    par = pan.parcels
    k_left = left[par["panel"].to_numpy()] if pan.n_parcels else np.zeros(0)
    ore_left = float(par["feed_t"].to_numpy() @ k_left + feed_ore[outside].sum())
    out: dict[str, Any] = {
        "pit_tonnes_t": float(pan.panels["tonnes"].to_numpy() @ left + tonnes[outside].sum()),
        "ore_feed_t": ore_left,
        "stockpile_t": float(sched["stockpile_t"].iloc[-1]) if len(sched) else 0.0}
    for a in pan.attributes:
        contained = float(par[f"{a}_t"].to_numpy() @ k_left
                          + (kept_t[ore_out] * grades[a][ore_out]).sum())
        out[a] = contained / ore_left if ore_left > 0 else None
    cap = float(np.max(sched["plant_capacity_t"])) if len(sched) else np.nan
    out["years_at_full_plant_capacity"] = ore_left / cap if cap > 0 else None
    out["note"] = ("inside the ultimate pit (RF 1) but not mined within the horizon, and ore left "
                   "in the stockpiles at its end; not valued")
    return out
