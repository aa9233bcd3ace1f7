"""Constrained pit limit scheduling (CPIT) at block level: exact MIP with a proven gap.

Problem (Espinoza, Goycoolea, Moreno & Newman 2013, "MineLib: a library of open pit mining
problems", Ann. Oper. Res. 206:93-114, §3.2): choose the period ``t = 0..T-1`` in which each block
is mined (or none) so that every block's predecessors are mined in the same or an earlier period,
resource use per period stays within limits, and the NPV ``Σ_b profit_b / (1 + α)^t_b`` is largest.

Formulation: the "by" variables of Johnson (1968) / Bienstock & Zuckerberg (2010):
``x[b,t] = 1`` when block ``b`` is mined by the end of period ``t``;
``x[b,t-1] <= x[b,t]``, ``x[b,t] <= x[a,t]`` for each predecessor ``a``, and resource ``r`` in
period ``t``: ``lo <= Σ_b q[b,r] (x[b,t] - x[b,t-1]) <= hi``. Objective
``Σ_b Σ_t profit_b (d_t - d_{t+1}) x[b,t]`` with ``d_t = (1+α)^-t`` and ``d_T = 0``.

Tightening, each exact (no optimal schedule is cut off):

* ultimate-pit restriction — with upper limits only and non-negative resource use, some optimal
  schedule lies inside the ultimate pit: for any closure ``S``, ``v(S ∩ U) >= v(S)`` because the
  maximum closure ``U`` satisfies ``v(U) >= v(U ∪ S)`` (Chicoisne, Espinoza, Goycoolea, Moreno &
  Rubio 2012, "A new algorithm for the open-pit mine production scheduling problem", Oper. Res.
  60(3):517-528, §2);
* earliest start — block ``b`` cannot be mined by period ``t`` when its predecessor cone uses more of
  a resource than the cumulative limit up to ``t`` (Gaupp 2008; Chicoisne et al. 2012 §4.1), so
  those variables are dropped.

Incumbent: the *sequential knapsack* heuristic — period by period, the precedence-constrained
knapsack "largest undiscounted value mined by the end of period t" (the objective weights
``d_t - d_{t+1}`` are positive, so this maximises each term of the "by" objective greedily), each a
small HiGHS MIP; TopoSort (Chicoisne et al. 2012) on the LP solution is the fallback. The full MIP
then starts from that incumbent with HiGHS's own heuristics off, and its dual bound is the bound
reported; the gap is ``(bound - value) / |bound|``. A time limit is reported as such, never hidden.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numba
import numpy as np

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.mine._highs import NO_HEURISTICS, LinearModel, csc_from_triplets, run_model

__all__ = ["CpitInstance", "CpitSolution", "solve_cpit", "earliest_periods", "toposort_schedule",
           "CPIT_LIMITS"]

#: Size limits checked before any work: a model beyond them is refused with an InputError naming
#: the estimate (HiGHS holds the matrix twice, ~40 bytes per non-zero with its factors).
CPIT_LIMITS = {"max_columns": 3_000_000, "max_nonzeros": 60_000_000}


@dataclass(frozen=True)
class CpitInstance:
    """A CPIT instance. ``coef[b, r]``: use of resource ``r`` by block ``b``; ``limit_lo/hi[r, t]``
    (−inf / +inf where absent); arcs ``src[k]`` needs ``dst[k]``; profit in money units."""

    name: str
    profit: np.ndarray
    coef: np.ndarray
    limit_lo: np.ndarray
    limit_hi: np.ndarray
    discount_rate: float
    src: np.ndarray
    dst: np.ndarray

    @property
    def n_blocks(self) -> int:
        return int(self.profit.size)

    @property
    def n_periods(self) -> int:
        return int(self.limit_hi.shape[1])

    @property
    def discount(self) -> np.ndarray:
        """Discount factor of each period, ``(1 + α)^-t`` for ``t = 0..T-1`` (MineLib)."""
        return (1.0 + self.discount_rate) ** -np.arange(self.n_periods, dtype=float)

    def validate(self) -> None:
        n = self.n_blocks
        p = np.asarray(self.profit, float)
        if p.ndim != 1 or n == 0 or not np.all(np.isfinite(p)):
            raise InputError(f"{self.name}.profit", "empty or non-finite", "finite profits",
                             "check the objective section")
        if self.coef.shape[0] != n or self.limit_lo.shape != self.limit_hi.shape or \
                self.coef.shape[1] != self.limit_hi.shape[0]:
            raise InputError(f"{self.name}.resources", (self.coef.shape, self.limit_hi.shape),
                             "coef (n_blocks, R) and limits (R, T)", "check the instance")
        if not 0.0 <= self.discount_rate < 1.0:
            raise InputError(f"{self.name}.discount_rate", self.discount_rate, "0 <= α < 1",
                             "a fraction per period")
        if self.src.size and (min(self.src.min(), self.dst.min()) < 0
                              or max(self.src.max(), self.dst.max()) >= n):
            raise InputError(f"{self.name}.prec", "block id out of range", f"0..{n - 1}",
                             "use the .prec file of the same instance")

    def evaluate(self, period: np.ndarray) -> tuple[float, int, float]:
        """``(NPV, violated arcs, largest resource excess)`` of a schedule (-1 = not mined)."""
        per = np.asarray(period, np.int64)
        m = per >= 0
        value = float((self.profit[m] * self.discount[per[m]]).sum())
        ps, pd_ = per[self.src], per[self.dst]
        bad = int(np.count_nonzero((ps >= 0) & ((pd_ < 0) | (pd_ > ps))))
        return value, bad, float(np.max(_excess(self, per), initial=0.0))

    def usage(self, period: np.ndarray) -> np.ndarray:
        """Resource use ``(R, T)`` of a schedule."""
        per = np.asarray(period, np.int64)
        out = np.zeros(self.limit_hi.shape)
        m = per >= 0
        for r in range(self.limit_hi.shape[0]):
            out[r] = np.bincount(per[m], weights=self.coef[m, r], minlength=self.n_periods)
        return out


def _excess(inst: CpitInstance, per: np.ndarray) -> np.ndarray:
    use = inst.usage(per)
    scale = np.maximum(np.abs(inst.coef).max(axis=0), 1e-12)[:, None]
    over = np.maximum(use - inst.limit_hi, inst.limit_lo - use)
    return np.where(np.isfinite(over), over, 0.0) / scale


@dataclass(frozen=True)
class CpitSolution:
    """A schedule with its proof: ``value`` (NPV of ``period``), ``bound`` (an upper bound on the
    optimum; inf when none was obtained in time) and ``gap_frac = (bound - value) / |bound|``."""

    period: np.ndarray
    value: float
    bound: float
    gap_frac: float
    status: str
    heuristic: str
    heuristic_value: float
    seconds: float
    timings_s: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        def fin(x: float) -> float | None:
            return float(x) if np.isfinite(x) else None

        return {"value": self.value, "bound": fin(self.bound), "gap_frac": fin(self.gap_frac),
                "status": self.status, "heuristic": self.heuristic,
                "heuristic_value": fin(self.heuristic_value), "seconds": self.seconds,
                "timings_s": self.timings_s, "sizes": self.sizes,
                "blocks_mined": int((self.period >= 0).sum())}


# --------------------------------------------------------------------------- preprocessing

def _pred_csr(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(src, kind="stable")
    indptr = np.searchsorted(src[order], np.arange(n + 1)).astype(np.int64)
    return indptr, dst[order].astype(np.int64)


@numba.njit(cache=True)
def _topo_order(n, indptr, preds):  # pragma: no cover - compiled
    """Blocks ordered so that every predecessor comes first (Kahn); -1 entries mark a cycle."""
    nsucc = np.zeros(n, np.int64)
    for b in range(n):
        for k in range(indptr[b], indptr[b + 1]):
            nsucc[preds[k]] += 1
    sptr = np.zeros(n + 1, np.int64)
    for b in range(n):
        sptr[b + 1] = sptr[b] + nsucc[b]
    fill = sptr[:-1].copy()
    succ = np.empty(sptr[n], np.int64)
    for b in range(n):
        for k in range(indptr[b], indptr[b + 1]):
            a = preds[k]
            succ[fill[a]] = b
            fill[a] += 1
    npred = indptr[1:] - indptr[:-1]
    left = npred.copy()
    order = np.full(n, -1, np.int64)
    head, tail = 0, 0
    for b in range(n):
        if left[b] == 0:
            order[tail] = b
            tail += 1
    while head < tail:
        u = order[head]
        head += 1
        for k in range(sptr[u], sptr[u + 1]):
            w = succ[k]
            left[w] -= 1
            if left[w] == 0:
                order[tail] = w
                tail += 1
    return order


@numba.njit(cache=True)
def _earliest(n, indptr, preds, coef, cum_hi, keep, budget):  # pragma: no cover - compiled
    """Earliest period of each kept block from its predecessor cone (T = never); BFS per block
    stops once the cone exceeds the last cumulative limit or the visit budget is spent."""
    R, T = cum_hi.shape
    out = np.zeros(n, np.int64)
    stamp = np.full(n, -1, np.int64)
    stack = np.empty(n, np.int64)
    use = np.zeros(R)
    spent = 0
    for b in range(n):
        if not keep[b]:
            out[b] = T
            continue
        if spent > budget:
            continue  # out[b] stays 0: no fixing, still exact
        use[:] = coef[b]
        stamp[b] = b
        top = 1
        stack[0] = b
        over = False
        while top > 0 and not over:
            top -= 1
            u = stack[top]
            for k in range(indptr[u], indptr[u + 1]):
                a = preds[k]
                if stamp[a] != b:
                    stamp[a] = b
                    stack[top] = a
                    top += 1
                    spent += 1
                    for r in range(R):
                        use[r] += coef[a, r]
                        if use[r] > cum_hi[r, T - 1] * (1 + 1e-9) + 1e-9:
                            over = True
        t_ok = T
        if not over:
            for t in range(T):
                fits = True
                for r in range(R):
                    if use[r] > cum_hi[r, t] * (1 + 1e-9) + 1e-9:
                        fits = False
                        break
                if fits:
                    t_ok = t
                    break
        out[b] = t_ok
    return out


@numba.njit(cache=True)
def _propagate(order, indptr, preds, early):  # pragma: no cover - compiled
    """A block cannot start before any of its predecessors (keeps the fixings consistent)."""
    for i in range(order.size):
        b = order[i]
        if b < 0:
            break
        for k in range(indptr[b], indptr[b + 1]):
            if early[preds[k]] > early[b]:
                early[b] = early[preds[k]]
    return early


def earliest_periods(inst: CpitInstance, keep: np.ndarray | None = None, *,
                     budget: int = 300_000_000) -> np.ndarray:
    """Earliest period each block can be mined by (``T`` = never) from cumulative upper limits of
    resources with non-negative use; exact for every feasible schedule."""
    n, T = inst.n_blocks, inst.n_periods
    keep = np.ones(n, bool) if keep is None else np.asarray(keep, bool)
    usable = np.all(inst.coef >= 0, axis=0) & np.all(np.isfinite(inst.limit_hi), axis=1)
    indptr, preds = _pred_csr(n, inst.src, inst.dst)
    order = _topo_order(n, indptr, preds)
    if np.any(order < 0):
        raise InputError(f"{inst.name}.prec", "a cycle", "an acyclic precedence graph",
                         "check the .prec file")
    if not usable.any():
        early = np.where(keep, 0, T).astype(np.int64)
    else:
        cum = np.cumsum(inst.limit_hi[usable], axis=1)
        coef = np.ascontiguousarray(inst.coef[:, usable], dtype=float)
        early = _earliest(n, indptr, preds, coef, cum, keep, int(budget))
    return _propagate(order, indptr, preds, early)


# --------------------------------------------------------------------------- model

@dataclass(frozen=True)
class _Columns:
    start: np.ndarray  # first column of block b (-1 when not modelled)
    early: np.ndarray
    block: np.ndarray
    period: np.ndarray

    def col(self, b: np.ndarray, t: np.ndarray | int) -> np.ndarray:
        return self.start[b] + np.asarray(t) - self.early[b]


def _columns(early: np.ndarray, T: int) -> _Columns:
    width = np.maximum(T - early, 0)
    start = np.concatenate([[0], np.cumsum(width)[:-1]])
    start = np.where(width > 0, start, -1)
    block = np.repeat(np.arange(early.size), width)
    first = np.repeat(early, width)
    offset = np.arange(block.size) - np.repeat(np.where(width > 0, start, 0), width)
    return _Columns(start=start, early=early, block=block, period=first + offset)


def _model(inst: CpitInstance, cols: _Columns) -> tuple[LinearModel, float]:
    T = inst.n_periods
    ncol = cols.block.size
    rows, cc, vv = [], [], []
    lo, hi = [], []
    nrow = 0
    # x[b,t-1] <= x[b,t]
    later = np.flatnonzero(cols.period > cols.early[cols.block])
    m = later.size
    rows += [np.arange(nrow, nrow + m)] * 2
    cc += [later - 1, later]
    vv += [np.ones(m), -np.ones(m)]
    nrow += m
    # x[b,t] <= x[a,t] for every arc, t >= early[b]
    live = cols.start[inst.src] >= 0
    s, d = inst.src[live], inst.dst[live]
    reps = T - cols.early[s]
    arc = np.repeat(np.arange(s.size), reps)
    t = cols.early[s][arc] + (np.arange(arc.size) - np.repeat(np.cumsum(reps) - reps, reps))
    rows += [np.arange(nrow, nrow + arc.size)] * 2
    cc += [cols.col(s[arc], t), cols.col(d[arc], t)]
    vv += [np.ones(arc.size), -np.ones(arc.size)]
    nrow += arc.size
    lo.append(np.full(nrow, -np.inf))
    hi.append(np.zeros(nrow))
    # resources: lo <= Σ q (x[b,t] - x[b,t-1]) <= hi, scaled to unit coefficients
    for r in range(inst.coef.shape[1]):
        q = inst.coef[cols.block, r]
        scale = 1.0 / max(float(np.abs(inst.coef[:, r]).max()), 1e-12)
        for tt in range(T):
            if not (np.isfinite(inst.limit_lo[r, tt]) or np.isfinite(inst.limit_hi[r, tt])):
                continue
            now = np.flatnonzero((cols.period == tt) & (q != 0))
            before = np.flatnonzero((cols.period == tt - 1) & (q != 0))
            rows += [np.full(now.size, nrow), np.full(before.size, nrow)]
            cc += [now, before]
            vv += [q[now] * scale, -q[before] * scale]
            lo.append(np.array([inst.limit_lo[r, tt] * scale]))
            hi.append(np.array([inst.limit_hi[r, tt] * scale]))
            nrow += 1
    d_ext = np.append(inst.discount, 0.0)
    weight = d_ext[:-1] - d_ext[1:]
    obj_scale = max(float(np.abs(inst.profit).max()), 1e-12) / 1e3
    cost = inst.profit[cols.block] * weight[cols.period] / obj_scale
    mat = csc_from_triplets(rows, cc, vv, (nrow, ncol))
    model = LinearModel(cost=cost, matrix=mat, row_lo=np.concatenate(lo), row_hi=np.concatenate(hi),
                        col_lo=np.zeros(ncol), col_hi=np.ones(ncol), integer=np.ones(ncol, bool))
    return model, obj_scale


def _estimate(inst: CpitInstance, early: np.ndarray) -> dict[str, int]:
    T = inst.n_periods
    width = np.maximum(T - early, 0)
    live = width[inst.src] > 0
    arcs = int(width[inst.src][live].sum())
    ncol = int(width.sum())
    nnz = 2 * arcs + 2 * ncol + 2 * int(np.count_nonzero(inst.coef[width > 0])) * T
    return {"columns": ncol, "rows": arcs + ncol + inst.coef.shape[1] * T, "nonzeros": nnz}


def _check_size(inst: CpitInstance, sizes: dict[str, int], limits: dict[str, int]) -> None:
    for key, lim in (("columns", limits["max_columns"]), ("nonzeros", limits["max_nonzeros"])):
        if sizes[key] > lim:
            raise InputError(f"{inst.name}.size", f"{sizes[key]:,} {key} "
                             f"({inst.n_blocks:,} blocks × {inst.n_periods} periods, "
                             f"{inst.src.size:,} arcs, after ultimate-pit and earliest-start "
                             "reductions)", f"<= {lim:,} {key} (CPIT_LIMITS['max_{key}'])",
                             "schedule an aggregated model (plan_mine's panel schedule) or "
                             "raise the limit on a machine with more memory")


# --------------------------------------------------------------------------- heuristics

def _sequential_knapsack(inst: CpitInstance, early: np.ndarray, keep: np.ndarray,
                         time_limit_s: float) -> np.ndarray | None:
    """Period by period, the most valuable closure increment within the period's limits."""
    n, T = inst.n_blocks, inst.n_periods
    per = np.full(n, -1, np.int64)
    mined = np.zeros(n, bool)
    deadline = time.perf_counter() + time_limit_s
    for t in range(T):
        cand = np.flatnonzero(keep & ~mined & (early <= t))
        left = deadline - time.perf_counter()
        if cand.size == 0 or left <= 0:
            return per if _lower_limits_met(inst, per, t) else None
        chosen = _knapsack(inst, t, cand, mined, 0.75 * left)
        if chosen is None:
            return None
        per[chosen] = t
        mined[chosen] = True
    return per


def _lower_limits_met(inst: CpitInstance, per: np.ndarray, t0: int) -> bool:
    use = inst.usage(per)
    return bool(np.all(use[:, t0:] >= inst.limit_lo[:, t0:] - 1e-9))


def _knapsack(inst: CpitInstance, t: int, cand: np.ndarray, mined: np.ndarray,
              time_limit_s: float) -> np.ndarray | None:
    n = inst.n_blocks
    idx = np.full(n, -1, np.int64)
    idx[cand] = np.arange(cand.size)
    col_hi = np.ones(cand.size)
    sel = idx[inst.src] >= 0
    s, d = idx[inst.src[sel]], inst.dst[sel]
    blocked = (idx[d] < 0) & ~mined[d]
    col_hi[s[blocked]] = 0.0
    s, d = s[~blocked & (idx[d] >= 0)], idx[d[~blocked & (idx[d] >= 0)]]
    m = s.size
    rows = [np.arange(m), np.arange(m)]
    cols = [s, d]
    vals = [np.ones(m), -np.ones(m)]
    lo, hi = [np.full(m, -np.inf)], [np.zeros(m)]
    nrow = m
    for r in range(inst.coef.shape[1]):
        if not (np.isfinite(inst.limit_lo[r, t]) or np.isfinite(inst.limit_hi[r, t])):
            continue
        scale = 1.0 / max(float(np.abs(inst.coef[:, r]).max()), 1e-12)
        rows.append(np.full(cand.size, nrow))
        cols.append(np.arange(cand.size))
        vals.append(inst.coef[cand, r] * scale)
        lo.append(np.array([inst.limit_lo[r, t] * scale]))
        hi.append(np.array([inst.limit_hi[r, t] * scale]))
        nrow += 1
    scale_v = max(float(np.abs(inst.profit).max()), 1e-12) / 1e3
    model = LinearModel(cost=inst.profit[cand] / scale_v,
                        matrix=csc_from_triplets(rows, cols, vals, (nrow, cand.size)),
                        row_lo=np.concatenate(lo), row_hi=np.concatenate(hi),
                        col_lo=np.zeros(cand.size), col_hi=col_hi,
                        integer=np.ones(cand.size, bool))
    # 1e-4: a looser knapsack gap measurably loses value downstream (newman1: -0.4 % at 1e-3)
    out = run_model(model, time_limit_s=time_limit_s, rel_gap=1e-4,
                    options={"presolve": "off", "mip_heuristic_effort": 0.3})
    if out.x is None:
        return None
    return cand[out.x > 0.5]


@numba.njit(cache=True)
def _greedy(order, indptr, preds, coef, hi):  # pragma: no cover - compiled
    n = coef.shape[0]
    R, T = hi.shape
    per = np.full(n, -1, np.int64)
    use = np.zeros((R, T))
    for i in range(order.size):
        b = order[i]
        t0 = 0
        ok = True
        for k in range(indptr[b], indptr[b + 1]):
            a = preds[k]
            if per[a] < 0:
                ok = False
                break
            t0 = max(t0, per[a])
        if not ok:
            continue
        for t in range(t0, T):
            fits = True
            for r in range(R):
                if use[r, t] + coef[b, r] > hi[r, t] * (1 + 1e-12) + 1e-9:
                    fits = False
                    break
            if fits:
                per[b] = t
                for r in range(R):
                    use[r, t] += coef[b, r]
                break
    return per


def toposort_schedule(inst: CpitInstance, key: np.ndarray) -> np.ndarray:
    """TopoSort (Chicoisne et al. 2012): blocks by ``key`` (inf = never), ties in topological
    order, each placed in the earliest period its predecessors and the upper limits allow."""
    n = inst.n_blocks
    indptr, preds = _pred_csr(n, inst.src, inst.dst)
    topo = _topo_order(n, indptr, preds)
    rank = np.empty(n, np.int64)
    rank[topo] = np.arange(n)
    key = np.asarray(key, float)
    order = np.lexsort((rank, key))
    order = order[np.isfinite(key[order])]
    hi = np.where(np.isfinite(inst.limit_hi), inst.limit_hi, 1e300)
    return _greedy(order.astype(np.int64), indptr, preds,
                   np.ascontiguousarray(inst.coef, dtype=float), hi)


def _from_x(cols: _Columns, x: np.ndarray, n: int, T: int) -> np.ndarray:
    by = np.zeros((n, T))
    by[cols.block, cols.period] = x
    by = np.maximum.accumulate(by > 0.5, axis=1)
    return np.where(by.any(axis=1), np.argmax(by, axis=1), -1).astype(np.int64)


def _to_x(cols: _Columns, per: np.ndarray) -> np.ndarray:
    p = per[cols.block]
    return ((p >= 0) & (p <= cols.period)).astype(float)


# --------------------------------------------------------------------------- solve

def _reductions(inst: CpitInstance) -> tuple[np.ndarray, np.ndarray, bool]:
    """Blocks kept (ultimate-pit restriction when valid) and their earliest periods."""
    from reeflow.mine.pit import ultimate_pit

    T = inst.n_periods
    upper_only = bool(np.all(~np.isfinite(inst.limit_lo)) and np.all(inst.coef >= 0))
    keep = np.ones(inst.n_blocks, bool)
    if upper_only:
        keep = ultimate_pit(inst.profit, inst.src, inst.dst).mask.copy()
    early = earliest_periods(inst, keep)
    early[~keep] = T
    return keep & (early < T), early, upper_only


def _toposort_from_lp(inst: CpitInstance, cols: _Columns, model: LinearModel,
                      time_limit_s: float) -> tuple[np.ndarray | None, float]:
    """TopoSort on α-points of the LP relaxation (several α, the best kept); also the LP bound."""
    lp = run_model(model, time_limit_s=time_limit_s, integer=False)
    if lp.x is None:
        return None, np.inf
    n, T = inst.n_blocks, inst.n_periods
    by = np.zeros((n, T))
    by[cols.block, cols.period] = lp.x
    best, best_v = None, -np.inf
    for alpha in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95):
        hit = by >= alpha
        key = np.where(hit.any(axis=1), np.argmax(hit, axis=1) + 1.0 - by.max(axis=1) * 1e-3,
                       np.inf)
        per = toposort_schedule(inst, key)
        v, bad, over = inst.evaluate(per)
        if bad == 0 and over <= 1e-9 and v > best_v:
            best, best_v = per, v
    return best, lp.bound


def solve_cpit(inst: CpitInstance, *, time_limit_s: float = 30.0, rel_gap: float = 1e-3,
               heuristic_share: float = 0.4, limits: dict[str, int] | None = None
               ) -> CpitSolution:
    """Schedule a CPIT instance; returns the best schedule found, a bound and the gap.

    ``time_limit_s`` covers everything (the reductions, the sequential-knapsack incumbent, which
    may use ``heuristic_share`` of it, and the branch-and-cut); ``rel_gap`` is where the MIP stops.
    Refuses (InputError) models beyond :data:`CPIT_LIMITS` before building them.
    """
    t_start = time.perf_counter()
    if not (np.isfinite(time_limit_s) and time_limit_s > 0):
        raise InputError("time_limit_s", time_limit_s, "> 0 s", "give a time limit")
    if not 0.0 <= rel_gap < 1.0:
        raise InputError("rel_gap", rel_gap, "0 <= gap < 1", "e.g. 0.001 for 0.1 %")
    inst.validate()
    n, T = inst.n_blocks, inst.n_periods
    timings: dict[str, float] = {}
    keep, early, upper_only = _reductions(inst)
    timings["reductions"] = time.perf_counter() - t_start
    sizes = _estimate(inst, np.where(keep, early, T))
    _check_size(inst, sizes, {**CPIT_LIMITS, **(limits or {})})
    sizes.update({"blocks": n, "blocks_kept": int(keep.sum()), "periods": T,
                  "fixed_early": int(np.minimum(early[keep], T).sum())})
    cols = _columns(np.where(keep, early, T), T)
    model, scale = _model(inst, cols)
    timings["model"] = time.perf_counter() - t_start - timings["reductions"]

    def left() -> float:
        return time_limit_s - (time.perf_counter() - t_start)

    t1 = time.perf_counter()
    per_h = _sequential_knapsack(inst, early, keep, heuristic_share * left())
    heuristic, lp_bound = "sequential knapsack", np.inf
    if per_h is None or _infeasible(inst, per_h):
        per_h, lp_bound = _toposort_from_lp(inst, cols, model, 0.5 * left())
        lp_bound *= scale
        heuristic = "TopoSort on the LP relaxation"
    timings["heuristic"] = time.perf_counter() - t1
    h_value = inst.evaluate(per_h)[0] if per_h is not None else -np.inf
    t2 = time.perf_counter()
    options = {"presolve": "off", **NO_HEURISTICS} if per_h is not None else {}
    mip = run_model(model, time_limit_s=max(left(), 0.5), rel_gap=rel_gap,
                    start=_to_x(cols, per_h) if per_h is not None else None, options=options)
    timings["branch_and_cut"] = time.perf_counter() - t2
    per, value = per_h, h_value
    if mip.x is not None:
        cand = _from_x(cols, mip.x, n, T)
        v = inst.evaluate(cand)[0]
        if not _infeasible(inst, cand) and v > value:
            per, value = cand, v
    bound = min(mip.bound * scale, lp_bound)
    _refuse_infeasible(inst, per, mip.status, upper_only)
    if per is None:
        per, value = np.full(n, -1, np.int64), (0.0 if upper_only else -np.inf)
    gap = (bound - value) / abs(bound) if np.isfinite(bound) and bound != 0 else np.inf
    status = ("optimal within gap" if np.isfinite(gap) and gap <= rel_gap + 1e-12
              else f"stopped: {mip.status}")
    return CpitSolution(period=per, value=float(value), bound=float(bound), gap_frac=float(gap),
                        status=status, heuristic=heuristic, heuristic_value=float(h_value),
                        seconds=time.perf_counter() - t_start, timings_s=timings, sizes=sizes)


def _refuse_infeasible(inst: CpitInstance, per: np.ndarray | None, status: object,
                       upper_only: bool) -> None:
    """No schedule found and the solver proved there is none, or, where every limit is an
    upper one on non-negative coefficients (``upper_only``: mining less never breaks one),
    mining nothing breaks a limit too (an upper limit below 0 was reported as a schedule of
    value 0, fuzz round 35): an error, never a value of 0."""
    empty_breaks = upper_only and _infeasible(inst, np.full(inst.n_blocks, -1, np.int64))
    if per is None and ("infeasible" in str(status).lower() or empty_breaks):
        why = (f"HiGHS: {status}" if "infeasible" in str(status).lower()
               else "mining nothing breaks one of them too")
        raise InfeasibleSpecError(
            f"{inst.name}: no schedule meets the RESOURCE_CONSTRAINT_LIMITS ({why}); check "
            "for an upper limit below 0 or a lower limit no block set can "
            "reach")


def _infeasible(inst: CpitInstance, per: np.ndarray) -> bool:
    _, bad, over = inst.evaluate(per)
    return bad > 0 or over > 1e-9
