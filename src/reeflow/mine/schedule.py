"""Life-of-mine schedule: a MIP over pushback × bench panels that maximises NPV (HiGHS).

Blocks are aggregated into panels (one pushback on one bench). Panel precedence is read off the
block arcs (panel P needs panel Q when a block of P needs a block of Q), so a schedule that finishes
Q before starting P honours every block precedence. Formulation (the "at" variables of Johnson
1968 / the CPIT model of Espinoza, Goycoolea, Moreno & Newman 2013, Ann. Oper. Res. 206:93-114,
aggregated to panels as in bench-phase scheduling):

    X[p,t] in [0,1]  share of panel p mined by the end of year t ("by" variables), X[p,t-1] <= X[p,t]
    x[p,t] = X[p,t] - X[p,t-1] (share mined in year t);  y[p,t] in {0,1}  panel p open in year t
    max  Σ value_p · x[p,t] / (1 + r)^t          (end-of-year discounting, years t = 1..T)
    X[p,T] = 1 (mine out the pit)                x[p,t] <= y[p,t]           y[p,t] <= y[p,t+1]
    y[p,t] <= X[q,t]  for every panel arc p -> q   (q finished before p opens)
    Σ_p ore_t[p] · x[p,t] <= plant capacity      Σ_p tonnes[p] · x[p,t] <= mining capacity

The LP relaxation (y continuous) is solved first; its value bounds the NPV and the gap of the MIP
to it is reported.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from reeflow.core.errors import ConvergenceError, InfeasibleSpecError, InputError

__all__ = ["Panels", "make_panels", "greedy_shares", "ScheduleResult", "schedule_panels",
           "feed_by_year"]


@dataclass(frozen=True)
class Panels:
    """Aggregated blocks: per-panel table and panel precedence arcs (``src`` needs ``dst``)."""

    table: pd.DataFrame
    src: np.ndarray
    dst: np.ndarray
    block_panel: np.ndarray


def make_panels(pushback: np.ndarray, bench: np.ndarray, tonnes: np.ndarray, is_ore: np.ndarray,
                value_usd: np.ndarray, grades: pd.DataFrame, src: np.ndarray,
                dst: np.ndarray) -> Panels:
    """Aggregate blocks with ``pushback >= 0`` into pushback × bench panels."""
    inside = pushback >= 0
    key = np.where(inside, pushback * (int(bench.max()) + 1) + bench, -1)
    uniq, panel = np.unique(key[inside], return_inverse=True)
    block_panel = np.full(key.size, -1, dtype=np.int64)
    block_panel[inside] = panel
    n = uniq.size
    t, ore = tonnes[inside], is_ore[inside]
    table = pd.DataFrame({
        "pushback": pushback[inside][np.unique(panel, return_index=True)[1]],
        "bench": bench[inside][np.unique(panel, return_index=True)[1]],
        "tonnes": np.bincount(panel, weights=t, minlength=n),
        "ore_t": np.bincount(panel, weights=t * ore, minlength=n),
        "value_usd": np.bincount(panel, weights=value_usd[inside], minlength=n),
    })
    for c in grades.columns:
        g = grades[c].to_numpy(float)[inside]
        table[f"{c}_ore_contained_t"] = np.bincount(panel, weights=g * t * ore, minlength=n)
    ps, pd_ = block_panel[src], block_panel[dst]
    ok = (ps >= 0) & (pd_ >= 0) & (ps != pd_)
    pairs = np.unique(ps[ok] * n + pd_[ok])
    return Panels(table=table, src=pairs // n, dst=pairs % n, block_panel=block_panel)


@dataclass(frozen=True)
class ScheduleResult:
    """Share of each panel mined each year, with the NPV, the LP bound and the MIP gap.

    ``lp_bound_usd`` and ``gap_to_lp_frac`` are NaN when the LP relaxation hit its time limit.
    """

    share: np.ndarray  # (n_panels, n_years)
    npv_usd: float
    lp_bound_usd: float
    mip_dual_bound_usd: float
    gap_to_lp_frac: float
    status: str
    n_years: int
    years_per_period: int = 1


def _constraints(pan: Panels, T: int, plant: float, mine: float | None):
    """Rows as a CSC matrix with bounds; columns X[p,t] = p*T+t (cumulative share mined by the
    end of year t), y[p,t] = P*T+p*T+t. Every row has at most 3 non-zeros except capacities."""
    P = len(pan.table)
    X = np.arange(P * T).reshape(P, T)
    Y = X + P * T
    r, c, v, hi = [], [], [], []
    nrow = 0

    def add(cols: list[np.ndarray], vals: list[float], upper: np.ndarray | float, n: int):
        nonlocal nrow
        rows = np.arange(nrow, nrow + n)
        for col, val in zip(cols, vals, strict=True):
            r.append(rows)
            c.append(np.ravel(col))
            v.append(np.full(n, val))
        hi.append(np.broadcast_to(np.asarray(upper, float), (n,)))
        nrow += n

    m = P * (T - 1)
    if T > 1:
        add([X[:, :-1], X[:, 1:]], [1.0, -1.0], 0.0, m)          # X[p,t-1] <= X[p,t]
        add([X[:, 1:], X[:, :-1], Y[:, 1:]], [1.0, -1.0, -1.0], 0.0, m)  # x[p,t] <= y[p,t]
        add([Y[:, :-1], Y[:, 1:]], [1.0, -1.0], 0.0, m)          # y[p,t] <= y[p,t+1]
    add([X[:, 0], Y[:, 0]], [1.0, -1.0], 0.0, P)                 # x[p,0] <= y[p,0]
    A = pan.src.size
    if A:
        add([Y[pan.src], X[pan.dst]], [1.0, -1.0], 0.0, A * T)   # y[p,t] <= X[q,t]
    for weights, cap in ((pan.table["ore_t"].to_numpy(), plant),
                         (pan.table["tonnes"].to_numpy(), mine)):
        if cap is None:
            continue
        rows = np.repeat(np.arange(nrow, nrow + T), P)
        r.append(rows)
        c.append(X.T.ravel())
        v.append(np.tile(weights, T))
        if T > 1:
            r.append(rows[P:])
            c.append(X[:, :-1].T.ravel())
            v.append(-np.tile(weights, T - 1))
        hi.append(np.full(T, float(cap)))
        nrow += T
    mat = sparse.csc_matrix((np.concatenate(v), (np.concatenate(r), np.concatenate(c))),
                            shape=(nrow, 2 * P * T))
    upper = np.concatenate(hi)
    return mat, np.full(nrow, -np.inf), upper


def greedy_shares(pan: Panels, plant: float, mine: float | None) -> np.ndarray:
    """A feasible schedule: panels in topological order (pushback, then benches top down), each
    year filled up to the plant and mining capacities. Used as the MIP's starting incumbent."""
    tab = pan.table
    order = np.lexsort((-tab["bench"].to_numpy(), tab["pushback"].to_numpy()))
    ore, tot = tab["ore_t"].to_numpy(), tab["tonnes"].to_numpy()
    shares: list[np.ndarray] = []
    year = np.zeros(len(tab))
    room_ore, room_tot = plant, (mine if mine else np.inf)
    for p in order:
        left = 1.0
        while left > 1e-12:
            f = left
            if ore[p] > 0:
                f = min(f, room_ore / ore[p])
            if tot[p] > 0:
                f = min(f, room_tot / tot[p])
            year[p] += f
            left -= f
            room_ore -= f * ore[p]
            room_tot -= f * tot[p]
            if left > 1e-12:
                shares.append(year)
                year = np.zeros(len(tab))
                room_ore, room_tot = plant, (mine if mine else np.inf)
    shares.append(year)
    return np.column_stack(shares)


def _quiet_highs() -> highspy.Highs:
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


def _solve(mat, lo, hi, cost, n_int: int, *, integer: bool, time_limit_s: float, rel_gap: float,
           start: np.ndarray | None = None, col_lower: np.ndarray | None = None):
    n = cost.size
    h = _quiet_highs()
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, mat.shape[0]
    lp.col_cost_ = -cost
    lp.col_lower_ = np.zeros(n) if col_lower is None else col_lower
    lp.col_upper_ = np.ones(n)
    inf = highspy.kHighsInf
    lp.row_lower_ = np.where(np.isfinite(lo), lo, -inf)
    lp.row_upper_ = np.where(np.isfinite(hi), hi, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr
    lp.a_matrix_.index_ = mat.indices
    lp.a_matrix_.value_ = mat.data
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kContinuous] * (n - n_int) + \
                          [highspy.HighsVarType.kInteger] * n_int
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    return h


def schedule_panels(pan: Panels, *, plant_capacity_t_per_a: float, discount_rate: float,
                    mining_capacity_t_per_a: float | None = None, n_years: int | None = None,
                    time_limit_s: float = 2.0, rel_gap: float = 1e-3,
                    horizon_slack_years: int = 2, max_periods: int = 20) -> ScheduleResult:
    """Schedule the panels (mine out the pit) maximising NPV; raises InfeasibleSpecError.

    Lives longer than ``max_periods`` years are scheduled in periods of ``L`` years (capacities
    × L, each period discounted by the mean factor of its years) and the result is spread evenly
    over the years of each period; precedence then holds at period resolution (a panel may be
    worked in the same period as the panel it needs, as within a one-year period).
    """
    for name, cap in (("plant_capacity_t_per_a", plant_capacity_t_per_a),
                      ("mining_capacity_t_per_a", mining_capacity_t_per_a)):
        if cap is not None and (not np.isfinite(cap) or cap <= 0):
            raise InputError(name, cap, "> 0 t/a", "give a positive annual capacity")
    if not 0.0 <= discount_rate < 1.0:
        raise InputError("discount_rate", discount_rate, "0 <= r < 1 (fraction per year)",
                         "e.g. 0.08 for 8 %/a")
    ore_t, tot_t = float(pan.table["ore_t"].sum()), float(pan.table["tonnes"].sum())
    need = max(ore_t / plant_capacity_t_per_a,
               tot_t / mining_capacity_t_per_a if mining_capacity_t_per_a else 0.0)
    if n_years is not None and need > n_years + 1e-9:
        limit = ("plant_capacity_t_per_a" if ore_t / plant_capacity_t_per_a >= need
                 else "mining_capacity_t_per_a")
        raise InfeasibleSpecError(
            f"{limit}: mining out the pit ({tot_t:,.0f} t, {ore_t:,.0f} t ore) needs at least "
            f"{need:.2f} years, more than n_years = {n_years}; raise the capacity or n_years")
    years = n_years or math.ceil(need) + horizon_slack_years
    L = max(1, math.ceil(years / max(int(max_periods), 1)))
    plant_p = plant_capacity_t_per_a * L
    mine_p = mining_capacity_t_per_a * L if mining_capacity_t_per_a else None
    greedy = greedy_shares(pan, plant_p, mine_p)
    T = math.ceil(years / L) if n_years else max(math.ceil(years / L), greedy.shape[1])
    t_year = np.arange(1, T * L + 1).reshape(T, L)
    disc = ((1.0 + discount_rate) ** -t_year.astype(float)).mean(axis=1)
    res = _schedule_T(pan, T, plant_p, mine_p, disc, time_limit_s, rel_gap,
                      greedy if greedy.shape[1] <= T else None)
    if res is not None:
        if L > 1:
            share = np.repeat(res.share / L, L, axis=1)
            res = ScheduleResult(share=share, npv_usd=res.npv_usd, lp_bound_usd=res.lp_bound_usd,
                                 mip_dual_bound_usd=res.mip_dual_bound_usd,
                                 gap_to_lp_frac=res.gap_to_lp_frac, status=res.status,
                                 n_years=T * L, years_per_period=L)
        return res
    raise InfeasibleSpecError(
        f"n_years: no schedule found that mines out the pit within {T} years under plant "
        f"{plant_capacity_t_per_a:,.0f} t/a and mining {mining_capacity_t_per_a} t/a with the "
        "panel precedences; raise the capacities or the horizon")


def _start(greedy: np.ndarray | None, T: int) -> np.ndarray | None:
    """Column values (X then y) of the greedy schedule padded to T years."""
    if greedy is None:
        return None
    x = np.zeros((greedy.shape[0], T))
    x[:, :greedy.shape[1]] = greedy
    cum = np.minimum(np.cumsum(x, axis=1), 1.0)
    cum[:, -1] = 1.0
    y = (cum > 1e-12).astype(float)
    return np.concatenate([cum.ravel(), y.ravel()])


def _schedule_T(pan, T, plant, mine, disc_per_period, time_limit_s, rel_gap, greedy):
    P = len(pan.table)
    disc = np.append(disc_per_period, 0.0)
    # Σ_t v·d_t·(X_t − X_{t−1}) = Σ_t v·(d_t − d_{t+1})·X_t
    cost = np.concatenate([(pan.table["value_usd"].to_numpy()[:, None]
                            * (disc[:-1] - disc[1:])[None, :]).ravel(), np.zeros(P * T)])
    mat, lo, hi = _constraints(pan, T, plant, mine)
    lower = np.zeros(2 * P * T)
    lower[np.arange(P) * T + T - 1] = 1.0  # mine out: X[p, T-1] = 1
    kw = {"time_limit_s": time_limit_s, "rel_gap": rel_gap, "col_lower": lower}
    h_lp = _solve(mat, lo, hi, cost, P * T, integer=False, **kw)
    lp_status = h_lp.getModelStatus()
    if lp_status == highspy.HighsModelStatus.kInfeasible:
        return None
    # a bound only when the relaxation was solved to optimality (not stopped by the time limit)
    lp_bound = (-h_lp.getInfo().objective_function_value
                if lp_status == highspy.HighsModelStatus.kOptimal else np.nan)
    h = _solve(mat, lo, hi, cost, P * T, integer=True, start=_start(greedy, T), **kw)
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no feasible point (HiGHS error or time limit)
        if greedy is None:
            return None
        raise ConvergenceError(f"schedule MIP: HiGHS ended with {h.modelStatusToString(status)} "
                               "and no schedule, although a greedy one exists")
    cum = np.clip(np.asarray(h.getSolution().col_value[:P * T]).reshape(P, T), 0.0, 1.0)
    share = np.diff(cum, axis=1, prepend=0.0).clip(0.0, 1.0)
    npv = float(-info.objective_function_value)
    return ScheduleResult(share=share, npv_usd=npv, lp_bound_usd=lp_bound,
                          mip_dual_bound_usd=float(-info.mip_dual_bound),
                          gap_to_lp_frac=((lp_bound - npv) / abs(lp_bound)
                                          if np.isfinite(lp_bound) and lp_bound else np.nan),
                          status=h.modelStatusToString(status), n_years=T)


def feed_by_year(pan: Panels, res: ScheduleResult, *, discount_rate: float) -> pd.DataFrame:
    """Plant feed and mining by year: tonnes, ore-weighted grade of every species, cash, PV."""
    tab = pan.table
    s = res.share
    out = pd.DataFrame({"year": np.arange(1, res.n_years + 1)})
    out["mined_t"] = tab["tonnes"].to_numpy() @ s
    out["ore_t"] = tab["ore_t"].to_numpy() @ s
    out["waste_t"] = out["mined_t"] - out["ore_t"]
    for c in [c for c in tab.columns if c.endswith("_ore_contained_t")]:
        contained = tab[c].to_numpy() @ s
        ore = out["ore_t"].to_numpy()
        grade = np.divide(contained, ore, out=np.full_like(ore, np.nan), where=ore > 0)
        out[c[: -len("_ore_contained_t")]] = grade
    out["cash_usd"] = tab["value_usd"].to_numpy() @ s
    out["pv_usd"] = out["cash_usd"] * (1.0 + discount_rate) ** -out["year"]
    last = np.flatnonzero(out["mined_t"].to_numpy() > 1e-6 * max(out["mined_t"].max(), 1.0))
    return out.iloc[: (last[-1] + 1 if last.size else 0)].set_index("year")
