"""Thin helpers around HiGHS (highspy, MIT): a silent instance and one way to pass a model.

Huangfu & Hall (2018), "Parallelizing the dual revised simplex method", Mathematical Programming
Computation 10:119-142 (the HiGHS LP solver); the MIP solver is HiGHS's branch-and-cut.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

__all__ = ["quiet_highs", "LinearModel", "run_model", "MipOutcome"]

_INF = highspy.kHighsInf

#: HiGHS options that switch the primal heuristics off (used once a good incumbent is known, so
#: the branch-and-cut spends its time on the bound)
NO_HEURISTICS = {"mip_heuristic_effort": 0.0, "mip_heuristic_run_rins": False,
                 "mip_heuristic_run_rens": False, "mip_heuristic_run_root_reduced_cost": False,
                 "mip_heuristic_run_feasibility_jump": False}


def quiet_highs() -> highspy.Highs:
    """A HiGHS instance with logging off; its constructor prints a banner on the C-level stdout,
    which would corrupt ``--json`` output, so fd 1 is pointed at /dev/null while it is built."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    return h


@dataclass
class LinearModel:
    """``max cost·x`` s.t. ``row_lo <= A x <= row_hi``, ``col_lo <= x <= col_hi``; the first
    ``n_cont`` columns continuous and the rest integer when ``integer``."""

    cost: np.ndarray
    matrix: sparse.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integer: np.ndarray | None = None  # bool per column


@dataclass(frozen=True)
class MipOutcome:
    """What a HiGHS run returned (objective in the model's own, maximised, sense)."""

    x: np.ndarray | None
    objective: float
    bound: float
    status: str
    optimal: bool
    has_solution: bool
    seconds: float


def run_model(model: LinearModel, *, time_limit_s: float, rel_gap: float = 1e-4,
              start: np.ndarray | None = None, options: dict | None = None,
              integer: bool = True) -> MipOutcome:
    """Solve ``model`` (maximisation) with HiGHS; never raises on a time limit (the caller reads
    ``status``/``has_solution``)."""
    import time

    h = quiet_highs()
    h.setOptionValue("time_limit", max(float(time_limit_s), 0.01))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    n = model.cost.size
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, model.matrix.shape[0]
    lp.col_cost_ = -np.asarray(model.cost, float)
    lp.col_lower_ = np.asarray(model.col_lo, float)
    lp.col_upper_ = np.asarray(model.col_hi, float)
    lp.row_lower_ = np.where(np.isfinite(model.row_lo), model.row_lo, -_INF)
    lp.row_upper_ = np.where(np.isfinite(model.row_hi), model.row_hi, _INF)
    mat = model.matrix.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr
    lp.a_matrix_.index_ = mat.indices
    lp.a_matrix_.value_ = mat.data
    is_mip = integer and model.integer is not None and bool(np.any(model.integer))
    if is_mip:
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[int(b)] for b in model.integer]  # type: ignore[union-attr]
    h.passModel(lp)
    if start is not None and is_mip:
        sol = highspy.HighsSolution()
        sol.col_value = list(np.asarray(start, float))
        sol.value_valid = True
        h.setSolution(sol)
    t0 = time.perf_counter()
    h.run()
    secs = time.perf_counter() - t0
    status = h.getModelStatus()
    info = h.getInfo()
    has = info.primal_solution_status == 2
    x = np.asarray(h.getSolution().col_value) if has else None
    obj = -float(info.objective_function_value) if has else -np.inf
    if is_mip:
        bound = -float(info.mip_dual_bound)
    else:
        bound = obj if status == highspy.HighsModelStatus.kOptimal else np.inf
    if not np.isfinite(bound):
        bound = np.inf
    return MipOutcome(x=x, objective=obj, bound=bound, status=h.modelStatusToString(status),
                      optimal=status == highspy.HighsModelStatus.kOptimal, has_solution=has,
                      seconds=secs)


def csc_from_triplets(rows: list[np.ndarray], cols: list[np.ndarray], vals: list[np.ndarray],
                      shape: tuple[int, int]) -> sparse.csc_matrix:
    """Sum duplicate entries of triplet lists into a CSC matrix."""
    if not rows:
        return sparse.csc_matrix(shape)
    return sparse.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=shape)
