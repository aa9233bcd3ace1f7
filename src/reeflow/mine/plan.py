"""Study hook: from a block model to an ultimate pit, nested pits, pushbacks and plant feed by year.

Orchestration only: the models live in :mod:`~reeflow.mine.economics`,
:mod:`~reeflow.mine.precedence`, :mod:`~reeflow.mine.pit`, :mod:`~reeflow.mine.nested`
and :mod:`~reeflow.mine.schedule`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.mine._data import default
from reeflow.mine.blockmodel import block_grid, fill_missing_as_waste, grade_columns
from reeflow.mine.economics import block_values_usd, nsr_usd_per_t
from reeflow.mine.nested import nested_pits, pit_by_pit, pushbacks
from reeflow.mine.precedence import grid_arcs, min_search_offsets
from reeflow.mine.schedule import feed_by_year, make_panels, schedule_panels

__all__ = ["MinePlan", "plan_mine", "block_arcs"]


@dataclass(frozen=True)
class MinePlan:
    """Result of :func:`plan_mine`.

    ``pit``: summary dict of the ultimate pit (RF = 1); ``nested``: pit-by-pit table;
    ``schedule``: plant feed and mining by year (index ``year``; grades as ``<species>_frac``);
    ``schedule_stats``: NPV, LP bound, gap, status; ``blocks``: per-block pit, shell and pushback.
    """

    pit: dict[str, Any]
    nested: pd.DataFrame
    schedule: pd.DataFrame
    schedule_stats: dict[str, Any]
    blocks: pd.DataFrame = field(repr=False)

    def _grid(self, column: str) -> np.ndarray:
        b = self.blocks
        shape = (int(b["iz"].max()) + 1, int(b["iy"].max()) + 1, int(b["ix"].max()) + 1)
        out = np.full(shape, -1, dtype=np.int64)
        out[b["iz"], b["iy"], b["ix"]] = b[column].to_numpy()
        return out

    def section(self, *, axis: str = "y", index: int | None = None,
                column: str = "shell") -> np.ndarray:
        """Vertical section through the grid: ``column`` (shell or pushback; -1 outside) as an
        array (iz, along-axis index), top bench last. Default: the middle row of ``axis``."""
        vol = self._grid(column)
        if axis not in ("x", "y"):
            raise InputError("axis", axis, "'x' or 'y'", "section along a grid axis")
        n = vol.shape[1] if axis == "y" else vol.shape[2]
        k = n // 2 if index is None else int(index)
        if not 0 <= k < n:
            raise InputError("index", index, f"0..{n - 1}", "pick a row of the grid")
        return vol[:, k, :] if axis == "y" else vol[:, :, k]

    def plan_view(self) -> np.ndarray:
        """Plan of the pit: lowest bench index mined in each column (iy, ix); -1 = not mined."""
        vol = self._grid("shell") >= 0
        return np.where(vol.any(axis=0), np.argmax(vol, axis=0), -1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; per-block data only as a middle section and a plan of the pit."""
        sched = self.schedule.reset_index()
        rfs = self.nested["revenue_factor"].tolist() if len(self.nested) else []
        return {
            "pit": self.pit,
            "nested": self.nested.replace({np.nan: None}).to_dict(orient="records"),
            "schedule": sched.replace({np.nan: None}).to_dict(orient="records"),
            "schedule_stats": self.schedule_stats,
            "section_y": {"shell": self.section().tolist(), "revenue_factors": rfs,
                          "note": "rows = benches from the bottom, columns = ix; value = index "
                                  "of the smallest nested pit holding the block, -1 = outside"},
            "plan_bottom_bench": {"iz": self.plan_view().tolist(),
                                  "note": "rows = iy, columns = ix; lowest bench mined in any "
                                          "nested pit, -1 = not mined"},
        }


def block_arcs(grid, *, slopes_deg, n_benches: int) -> tuple[np.ndarray, np.ndarray]:
    """Precedence arcs between the rows of a block model (air cells dropped)."""
    offsets = min_search_offsets(grid.block_size_m, slopes_deg, n_benches=n_benches)
    row = grid.row_of_cell()
    s, d = grid_arcs(grid.shape, offsets, present=row >= 0)
    return row[s], row[d]


def plan_mine(block_model: pd.DataFrame, *, prices_usd_per_kg: Mapping[str, float],
              recoveries_frac: Mapping[str, float], mining_cost_usd_per_t: float,
              processing_cost_usd_per_t: float, discount_rate: float,
              payability_frac: Mapping[str, float] | None = None,
              selling_cost_usd_per_kg: Mapping[str, float] | float = 0.0,
              royalty_frac: float = 0.0, cutoff_grade_frac: float | None = None,
              cutoff_column: str = "treo_frac",
              plant_capacity_t_per_a: float | None = None,
              mining_capacity_t_per_a: float | None = None, n_years: int | None = None,
              slopes_deg: float | Sequence[tuple[float, float]] | None = None,
              n_benches: int | None = None, revenue_factors: Sequence[float] | None = None,
              n_pushbacks: int | None = None, min_width_blocks: int | None = None,
              solver: str = "auto", missing: str = "error",
              mip_time_limit_s: float | None = None) -> MinePlan:
    """Plan an open pit: block values, ultimate pit, nested pits, pushbacks, LOM schedule.

    Prices (USD/kg oxide) and recoveries (0..1) are per species (``nd2o3`` ↔ column
    ``nd2o3_frac``); costs in USD per tonne (mining per tonne moved, processing per tonne of ore);
    ``discount_rate`` a fraction per year. Unset options take ``reeflow/data/mine/defaults.yaml``
    (plant 570 kt/a, 45° slope, 8 benches ...). Without ``cutoff_grade_frac`` the cut-off is
    break-even (ore when processing pays). ``missing``: what empty grid cells are — ``"error"``
    (refuse), ``"air"`` (free to mine) or ``"waste"`` (filled with zero-grade rock and the grid
    padded so the slope cone of the deepest block fits; :func:`fill_missing_as_waste`). With
    indices (``ix, iy, iz`` or ``i, j, k``) a rotated grid is planned in its own axes (azimuths
    of ``slopes_deg`` are then relative to the grid's +y axis).
    """
    plant = float(_pick(plant_capacity_t_per_a, "plant_capacity_t_per_a"))
    _check_schedule_inputs(plant, mining_capacity_t_per_a, discount_rate, n_years)
    slopes = _pick(slopes_deg, "slope_deg")
    rfs = sorted(set(_pick(revenue_factors, "revenue_factors")) | {1.0})
    if missing not in ("error", "air", "waste"):
        raise InputError("missing", missing, "'error', 'air' or 'waste'", "say what empty cells are")
    if missing == "waste":
        block_model = _fill(block_model, slopes)
    grid = block_grid(block_model, allow_missing=missing == "air")
    grades = block_model[grade_columns(block_model)].astype(float).reset_index(drop=True)
    value_at = _value_function(grid.tonnes, grades, prices_usd_per_kg, recoveries_frac, {
        "mining_cost_usd_per_t": mining_cost_usd_per_t,
        "processing_cost_usd_per_t": processing_cost_usd_per_t, "royalty_frac": royalty_frac,
        "cutoff_grade_frac": cutoff_grade_frac}, cutoff_column, payability_frac,
        selling_cost_usd_per_kg)
    value, is_ore = value_at(1.0)
    src, dst = block_arcs(grid, slopes_deg=slopes, n_benches=int(_pick(n_benches, "n_benches")))
    shell, results = nested_pits(lambda rf: value_at(rf)[0], src, dst, rfs, solver=solver)
    k_final = rfs.index(1.0)
    final = results[k_final]
    table = pit_by_pit(shell, rfs, grid.tonnes, is_ore, value, grades)
    pb = pushbacks(shell, k_final, grid.tonnes, (grid.ix, grid.iy, grid.iz), grid.shape,
                   n_pushbacks=int(_pick(n_pushbacks, "n_pushbacks")),
                   min_width_blocks=int(_pick(min_width_blocks, "min_width_blocks")),
                   retained_frac=float(default("min_width_retained_frac")))
    blocks = pd.DataFrame({"in_pit": final.mask, "shell": shell, "pushback": pb,
                           "is_ore": is_ore, "value_usd": value, "tonnes": grid.tonnes,
                           "ix": grid.ix, "iy": grid.iy, "iz": grid.iz})
    for extra in ("filled", "source_row"):
        if extra in block_model.columns:
            blocks[extra] = block_model[extra].to_numpy()
    pit = _pit_summary(final, table, k_final, src.size, pb)
    if not final.mask.any():
        return MinePlan(pit=pit, nested=table, schedule=pd.DataFrame(),
                        schedule_stats={"status": "empty pit"}, blocks=blocks)
    pan = make_panels(pb, grid.iz, grid.tonnes, is_ore, value, grades, src, dst)
    res = schedule_panels(pan, plant_capacity_t_per_a=plant, discount_rate=discount_rate,
                          mining_capacity_t_per_a=mining_capacity_t_per_a, n_years=n_years,
                          time_limit_s=float(_pick(mip_time_limit_s, "mip_time_limit_s")),
                          rel_gap=float(default("mip_rel_gap")),
                          horizon_slack_years=int(default("horizon_slack_years")),
                          max_periods=int(default("max_periods")))
    feed = feed_by_year(pan, res, discount_rate=discount_rate)
    stats = _schedule_stats(res, pan, plant, mining_capacity_t_per_a, discount_rate)
    return MinePlan(pit=pit, nested=table, schedule=feed, schedule_stats=stats, blocks=blocks)


def _check_schedule_inputs(plant: float, mine: float | None, rate: float,
                           n_years: int | None) -> None:
    """Refuse bad schedule inputs before any pit is solved."""
    for name, cap in (("plant_capacity_t_per_a", plant), ("mining_capacity_t_per_a", mine)):
        if cap is not None and (not np.isfinite(cap) or cap <= 0):
            raise InputError(name, cap, "> 0 t/a", "give a positive annual capacity")
    if not 0.0 <= rate < 1.0:
        raise InputError("discount_rate", rate, "0 <= r < 1 (fraction per year)",
                         "e.g. 0.08 for 8 %/a")
    if n_years is not None and int(n_years) < 1:
        raise InputError("n_years", n_years, ">= 1", "give the life-of-mine horizon in years")


def _pick(value, key: str):
    """``value``, or the default of ``key`` in defaults.yaml when it is None."""
    return default(key) if value is None else value


def _value_function(tonnes, grades: pd.DataFrame, prices, recoveries, econ: dict,
                    cutoff_column: str, payability, selling):
    """``value_at(rf) -> (value_usd, is_ore)`` for the block model (validates the economics)."""
    nsr = nsr_usd_per_t(grades, prices, recoveries, payability_frac=payability,
                        selling_cost_usd_per_kg=selling)
    cut = econ["cutoff_grade_frac"]
    if cut is not None and cutoff_column not in grades:
        raise InputError("cutoff_column", cutoff_column, f"one of {list(grades.columns)}",
                         "name a grade column")
    econ = {**econ, "grade_frac": grades[cutoff_column].to_numpy() if cut is not None else None}

    def value_at(rf: float):
        return block_values_usd(tonnes, nsr, revenue_factor=rf, **econ)

    value_at(1.0)  # raise bad costs here, before any solve
    return value_at


def _finite(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _schedule_stats(res, pan, plant: float, mine: float | None, rate: float) -> dict:
    return {"npv_usd": res.npv_usd, "lp_bound_usd": _finite(res.lp_bound_usd),
            "mip_dual_bound_usd": _finite(res.mip_dual_bound_usd),
            "gap_to_lp_frac": _finite(res.gap_to_lp_frac), "status": res.status,
            "n_years_horizon": res.n_years, "years_per_period": res.years_per_period,
            "n_panels": len(pan.table),
            "n_panel_arcs": int(pan.src.size), "plant_capacity_t_per_a": plant,
            "mining_capacity_t_per_a": mine, "discount_rate": rate}


def _fill(block_model: pd.DataFrame, slopes) -> pd.DataFrame:
    """Fill empty cells with waste, padded by the horizontal reach of the flattest slope."""
    g = block_grid(block_model, allow_missing=True)
    flattest = float(np.min(np.atleast_2d(np.asarray(slopes, float))[..., -1]))
    reach_m = g.shape[2] * g.block_size_m[2] / np.tan(np.radians(flattest))
    pad = int(np.ceil(reach_m / min(g.block_size_m[:2])))
    return fill_missing_as_waste(block_model, pad_cells=pad)


def _pit_summary(final, table: pd.DataFrame, k: int, n_arcs: int, pb: np.ndarray) -> dict:
    row = table.iloc[k]
    out = {"blocks": int(final.n_blocks), "tonnes": float(row["tonnes"]),
           "ore_t": float(row["ore_t"]), "waste_t": float(row["waste_t"]),
           "strip_ratio": None if np.isnan(row["strip_ratio"]) else float(row["strip_ratio"]),
           "value_usd": float(final.value), "solver": final.solver, "n_arcs": int(n_arcs),
           "n_pushbacks": int(pb.max() + 1) if (pb >= 0).any() else 0}
    for c in table.columns:
        if c.endswith("_frac"):
            out[c] = None if np.isnan(row[c]) else float(row[c])
    return out
