"""Life-of-mine schedule: a MIP over pushback × bench panels that maximises NPV (HiGHS).

Blocks are aggregated into panels (one pushback on one bench). Panel precedence is read off the
block arcs (panel P needs panel Q when a block of P needs a block of Q), so a schedule that finishes
Q before starting P honours every block precedence. Formulation (the "at" variables of Johnson
1968 / the CPIT model of Espinoza, Goycoolea, Moreno & Newman 2013, Ann. Oper. Res. 206:93-114,
aggregated to panels as in bench-phase scheduling):

    x[p,t] in [0,1]  share of panel p mined in year t;  y[p,t] in {0,1}  panel p open in year t
    max  Σ value_p · x[p,t] / (1 + r)^t          (end-of-year discounting, years t = 1..T)
    Σ_t x[p,t] = 1 (mine out the pit)            x[p,t] <= y[p,t]           y[p,t] <= y[p,t+1]
    y[p,t] <= Σ_{s<=t} x[q,s]  for every panel arc p -> q   (q finished before p opens)
    Σ_p ore_t[p] · x[p,t] <= plant capacity      Σ_p tonnes[p] · x[p,t] <= mining capacity

The LP relaxation (y continuous) is solved first; its value bounds the NPV and the gap of the MIP
to it is reported.
"""

from __future__ import annotations

import math
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


def _constraints(pan: Panels, T: int, plant: float, mine: float | None):
    """Rows of the MIP as COO triplets and bounds; columns x[p,t] = p*T+t, y[p,t] = P*T+p*T+t."""
    P = len(pan.table)
    xi = np.arange(P * T).reshape(P, T)
    yi = xi + P * T
    r, c, v, lo, hi = [], [], [], [], []
    nrow = 0

    def add(rows, cols, vals, lower, upper):
        nonlocal nrow
        r.append(rows + nrow)
        c.append(cols)
        v.append(vals)
        lo.append(lower)
        hi.append(upper)
        nrow += len(lower)

    add(np.repeat(np.arange(P), T), xi.ravel(), np.ones(P * T), np.ones(P), np.ones(P))
    k = np.arange(P * T)
    add(np.concatenate([k, k]), np.concatenate([xi.ravel(), yi.ravel()]),
        np.concatenate([np.ones(P * T), -np.ones(P * T)]), np.full(P * T, -np.inf), np.zeros(P * T))
    if T > 1:
        m = P * (T - 1)
        k = np.arange(m)
        add(np.concatenate([k, k]), np.concatenate([yi[:, :-1].ravel(), yi[:, 1:].ravel()]),
            np.concatenate([np.ones(m), -np.ones(m)]), np.full(m, -np.inf), np.zeros(m))
    A = pan.src.size
    if A:
        # row (a, t): y[src_a, t] - sum_{s<=t} x[dst_a, s] <= 0
        a_idx, t_idx, s_idx = np.nonzero(np.broadcast_to(
            np.tril(np.ones((T, T), dtype=bool)), (A, T, T)))
        rows = a_idx * T + t_idx
        add(np.concatenate([np.arange(A * T), rows]),
            np.concatenate([yi[pan.src].ravel(), xi[pan.dst[a_idx], s_idx]]),
            np.concatenate([np.ones(A * T), -np.ones(rows.size)]),
            np.full(A * T, -np.inf), np.zeros(A * T))
    for weights, cap in ((pan.table["ore_t"].to_numpy(), plant),
                         (pan.table["tonnes"].to_numpy(), mine)):
        if cap is None:
            continue
        add(np.repeat(np.arange(T), P), xi.T.ravel(), np.repeat(weights[None, :], T, 0).ravel(),
            np.full(T, -np.inf), np.full(T, float(cap)))
    mat = sparse.csc_matrix((np.concatenate(v), (np.concatenate(r), np.concatenate(c))),
                            shape=(nrow, 2 * P * T))
    return mat, np.concatenate(lo), np.concatenate(hi)


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


def _solve(mat, lo, hi, cost, n_int: int, *, integer: bool, time_limit_s: float, rel_gap: float,
           start: np.ndarray | None = None):
    n = cost.size
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, mat.shape[0]
    lp.col_cost_ = -cost
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
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
                    horizon_slack_years: int = 2) -> ScheduleResult:
    """Schedule the panels (mine out the pit) maximising NPV; raises InfeasibleSpecError."""
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
    greedy = greedy_shares(pan, plant_capacity_t_per_a, mining_capacity_t_per_a)
    T = n_years or max(math.ceil(need) + horizon_slack_years, greedy.shape[1])
    res = _schedule_T(pan, T, plant_capacity_t_per_a, mining_capacity_t_per_a, discount_rate,
                      time_limit_s, rel_gap, greedy if greedy.shape[1] <= T else None)
    if res is not None:
        return res
    raise InfeasibleSpecError(
        f"n_years: no schedule found that mines out the pit within {T} years under plant "
        f"{plant_capacity_t_per_a:,.0f} t/a and mining {mining_capacity_t_per_a} t/a with the "
        "panel precedences; raise the capacities or the horizon")


def _start(greedy: np.ndarray | None, T: int) -> np.ndarray | None:
    """Column values (x then y) of the greedy schedule padded to T years."""
    if greedy is None:
        return None
    x = np.zeros((greedy.shape[0], T))
    x[:, :greedy.shape[1]] = greedy
    y = (np.cumsum(x, axis=1) > 1e-12).astype(float)
    return np.concatenate([x.ravel(), y.ravel()])


def _schedule_T(pan, T, plant, mine, rate, time_limit_s, rel_gap, greedy):
    P = len(pan.table)
    disc = (1.0 + rate) ** -np.arange(1, T + 1)
    cost = np.concatenate([(pan.table["value_usd"].to_numpy()[:, None] * disc[None, :]).ravel(),
                           np.zeros(P * T)])
    mat, lo, hi = _constraints(pan, T, plant, mine)
    h_lp = _solve(mat, lo, hi, cost, P * T, integer=False, time_limit_s=time_limit_s,
                  rel_gap=rel_gap)
    lp_status = h_lp.getModelStatus()
    if lp_status == highspy.HighsModelStatus.kInfeasible:
        return None
    # a bound only when the relaxation was solved to optimality (not stopped by the time limit)
    lp_bound = (-h_lp.getInfo().objective_function_value
                if lp_status == highspy.HighsModelStatus.kOptimal else np.nan)
    h = _solve(mat, lo, hi, cost, P * T, integer=True, time_limit_s=time_limit_s, rel_gap=rel_gap,
               start=_start(greedy, T))
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no feasible point (HiGHS error or time limit)
        if greedy is None:
            return None
        raise ConvergenceError(f"schedule MIP: HiGHS ended with {h.modelStatusToString(status)} "
                               "and no schedule, although a greedy one exists")
    share = np.asarray(h.getSolution().col_value[:P * T]).reshape(P, T)
    npv = float(-info.objective_function_value)
    return ScheduleResult(share=np.clip(share, 0.0, 1.0), npv_usd=npv, lp_bound_usd=lp_bound,
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
