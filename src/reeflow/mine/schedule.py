"""Life-of-mine schedule over a horizon: panels, destinations, stockpiles and blending (HiGHS MIP).

Panels (pushback × bench) are mined share by share; each panel's ore is split into parcels of fixed
composition (:mod:`~reeflow.mine.panels`). Years ``t = 1..H`` (end-of-year discounting). Variables:

    X[p,t] ∈ [0,1]  share of panel p mined by the end of year t      ("by" variables)
    Y[p,t] ∈ {0,1}  panel p opened by year t;   X[p,t] <= Y[p,t],  Y[p,t−1] <= Y[p,t]
    Y[p,t] <= X[q,t] for every panel arc p -> q (q finished before p opens: block-feasible)
    F[k,t], IN[s,k,t], INV[s,k,t] ∈ [0,1]  shares of parcel k sent to the plant, into stockpile s,
                                            and held in s at the end of year t
    F + Σ_s IN <= X[p_k,t] − X[p_k,t−1]          (the rest of the parcel goes to the dump)
    OUT[s,k,t] = INV[s,k,t−1] + IN[s,k,t] − INV[s,k,t] >= 0       (reclaim)
    plant feed  Σ_k feed_k (F + Σ_s OUT) <= capacity_t     (ramp-up: capacity_t = C · ramp_t)
    blending    Σ_k feed_k (g_k − g_max)(F + Σ_s OUT) <= 0   (and >= 0 against g_min)
    mining      Σ_p tonnes_p (X[p,t] − X[p,t−1]) <= M;   stockpile Σ_k feed_k INV[s,k,t] <= S_s
    max  Σ_t d_t [Σ_k margin_k (F + Σ_s OUT) − Σ_s rehandle_s feed_k OUT − Σ_p mining_p ΔX]

with ``d_t = (1 + r)^−t`` and ``margin_k`` the processing margin of parcel k before mining (revenue
less selling, royalty and processing). Panel aggregation and the "by" variables follow the CPIT
model of Espinoza, Goycoolea, Moreno & Newman (2013, Ann. Oper. Res. 206:93-114) and bench-phase
scheduling; stockpiles per parcel keep the model linear and exact (Moreno et al. 2017, EJOR
260:212-221). Nothing is valued beyond the horizon: panels left unmined and stockpile inventory at
the end are reported as remaining, not sold.

Start: greedy schedules (pushback by pushback, benches top down, filling plant and mine), each
paced at a ladder of cut-offs above break-even (with the plant the bottleneck the best cut-off is
above break-even, Lane 1988), their destinations from an LP with the mining fixed; the best are
polished and HiGHS's branch-and-cut then improves the best within a time and node limit. The
bound reported is the LP relaxation, tightened by HiGHS's dual bound when branch-and-cut runs (a
real bound of this panel model over the same years, capacities and region); the gap is
``(bound − NPV) / |bound|``. Most of a large gap is usually the looseness of the LP relaxation,
not value left by the schedule: the relaxation is the *proportional* model (a panel's mined share
never exceeds that of a panel it needs), which ``precedence="proportional"`` solves exactly as an
LP — benches of a pushback then advance together, which is not guaranteed block-feasible. On the
built-in case with one pushback (21 panels, 20 years) the relaxation is 572.9 MUSD, 30 s of
branch-and-cut proves the strict optimum below 507.3 MUSD, and the start alone reaches 505.7 MUSD
(docs/benchmarks_mine.md, issue #17): an 11.7 % reported gap of which 0.3 % is the schedule's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.core.numeric import waste_t
from reeflow.mine._highs import LinearModel, csc_from_triplets, run_model
from reeflow.mine.panels import RESOURCE_CLASSES, Panels

__all__ = ["Stockpile", "BlendLimit", "ScheduleSpec", "ScheduleResult", "schedule_panels",
           "schedule_table", "capacity_by_year", "SCHEDULE_LIMITS"]

#: quantiles of the ore's margin per tonne tried as cut-offs by the greedy start, and how many
#: of the best starts are polished (:func:`_starts`); modelling choices, not data: they only
#: widen the search of a heuristic whose result is bounded and reported with its gap
_CUTOFF_QUANTILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
_POLISHED = 2

#: refused up front beyond these (binaries = panels × years; columns of the whole model)
SCHEDULE_LIMITS = {"max_binaries": 30_000, "max_columns": 600_000, "max_years": 100}


@dataclass(frozen=True)
class Stockpile:
    """A stockpile: capacity (t of feed), rehandling cost (USD per t reclaimed), and optionally
    the range of feed grade of one attribute it accepts (a low-grade pile, a high-Th pile ...)."""

    name: str
    capacity_t: float
    rehandle_cost_usd_per_t: float = 0.0
    attribute: str | None = None
    min_frac: float | None = None
    max_frac: float | None = None


@dataclass(frozen=True)
class BlendLimit:
    """Plant-feed limit on the tonnage-weighted grade of ``attribute`` (``<attr>_frac``)."""

    attribute: str
    min_frac: float | None = None
    max_frac: float | None = None


@dataclass(frozen=True)
class ScheduleSpec:
    """Capacities per year of the horizon, discount rate, destinations and solver limits."""

    plant_t_per_a: tuple[float, ...]
    discount_rate: float
    mining_t_per_a: float | None = None
    stockpiles: tuple[Stockpile, ...] = ()
    blending: tuple[BlendLimit, ...] = ()
    time_limit_s: float = 2.0
    rel_gap: float = 0.005
    max_nodes: int = 5000
    precedence: str = "strict"

    @property
    def years(self) -> int:
        return len(self.plant_t_per_a)


def capacity_by_year(capacity_t_per_a: float, ramp_up_frac: tuple[float, ...] | list[float],
                     horizon_years: int) -> tuple[float, ...]:
    """Plant capacity of each year: ``capacity × ramp`` for the ramp-up years, then full."""
    ramp = list(ramp_up_frac)[:horizon_years]
    return tuple(capacity_t_per_a * np.array(ramp + [1.0] * (horizon_years - len(ramp))))


@dataclass(frozen=True)
class ScheduleResult:
    """Shares per year: ``X`` (P, H) cumulative per panel; ``F`` (K, H) direct feed; ``stock_in``
    and ``inventory`` (S, K, H); NPV, bound, gap, start (greedy) NPV, status and limits hit."""

    X: np.ndarray
    F: np.ndarray
    stock_in: np.ndarray
    inventory: np.ndarray
    npv_usd: float
    bound_usd: float
    gap_frac: float
    start_npv_usd: float
    status: str
    seconds: float

    @property
    def mined(self) -> np.ndarray:
        return np.diff(self.X, axis=1, prepend=0.0).clip(0.0, 1.0)

    @property
    def reclaim(self) -> np.ndarray:
        prev = np.concatenate([np.zeros(self.inventory.shape[:2] + (1,)),
                               self.inventory[..., :-1]], axis=2)
        return (prev + self.stock_in - self.inventory).clip(0.0, None)


def _check_spec(pan: Panels, spec: ScheduleSpec) -> None:
    H = spec.years
    if not 1 <= H <= SCHEDULE_LIMITS["max_years"]:
        raise InputError("horizon_years", H, f"1..{SCHEDULE_LIMITS['max_years']} years",
                         "schedule a shorter horizon; report what remains in the pit")
    cap = np.asarray(spec.plant_t_per_a, float)
    if not np.all(np.isfinite(cap)) or np.any(cap < 0) or not np.any(cap > 0):
        raise InputError("plant_capacity_t_per_a", spec.plant_t_per_a, "> 0 t/a",
                         "give the plant capacity and ramp-up fractions")
    if spec.mining_t_per_a is not None and not (np.isfinite(spec.mining_t_per_a)
                                                and spec.mining_t_per_a > 0):
        raise InputError("mining_capacity_t_per_a", spec.mining_t_per_a, "> 0 t/a",
                         "set mine.mining_capacity_t_per_a above 0 t/a, or remove it for no mining "
                         "limit")
    if not 0.0 <= spec.discount_rate < 1.0:
        raise InputError("discount_rate", spec.discount_rate, "0 <= r < 1 per year", "e.g. 0.08")
    if spec.precedence not in ("strict", "proportional"):
        raise InputError("schedule_precedence", spec.precedence, "'strict' or 'proportional'",
                         "set mine.schedule_precedence to strict or proportional")
    for b in spec.blending:
        if b.attribute not in pan.attributes:
            raise InputError(f"blending.{b.attribute}", b.attribute,
                             f"a grade column of the block model ({list(pan.attributes)[:12]})",
                             "name a '<attr>_frac' column")
    for s in spec.stockpiles:
        if not (np.isfinite(s.capacity_t) and s.capacity_t >= 0):
            raise InputError(f"stockpiles.{s.name}.capacity_t", s.capacity_t, ">= 0 t",
                             "set the stockpile's capacity_t under mine.stockpiles to 0 t or more")
        if s.attribute is not None and s.attribute not in pan.attributes:
            raise InputError(f"stockpiles.{s.name}.attribute", s.attribute,
                             f"one of {list(pan.attributes)[:12]}", "name a grade column")
    P, K, S = pan.n_panels, pan.n_parcels, len(spec.stockpiles)
    binaries, columns = P * H, 2 * P * H + K * H * (1 + 2 * S)
    for key, n in (("max_binaries", binaries), ("max_columns", columns)):
        if n > SCHEDULE_LIMITS[key]:
            raise InputError("schedule.size", f"{n:,} ({P} panels, {K} parcels, {H} years, "
                             f"{S} stockpiles)", f"<= {SCHEDULE_LIMITS[key]:,} "
                             f"(SCHEDULE_LIMITS['{key}'])", "use fewer pushbacks, benches, "
                             "parcel bins or years")


@dataclass(frozen=True)
class _Layout:
    P: int
    K: int
    S: int
    H: int

    def X(self, p, t):  # noqa: N802 - model notation
        return np.asarray(p) * self.H + np.asarray(t)

    def Y(self, p, t):  # noqa: N802
        return self.P * self.H + self.X(p, t)

    def F(self, k, t):  # noqa: N802
        return 2 * self.P * self.H + np.asarray(k) * self.H + np.asarray(t)

    def IN(self, s, k, t):  # noqa: N802
        return 2 * self.P * self.H + self.K * self.H * (1 + 2 * s) + np.asarray(k) * self.H \
            + np.asarray(t)

    def INV(self, s, k, t):  # noqa: N802
        return self.IN(s, k, t) + self.K * self.H

    @property
    def n(self) -> int:
        return 2 * self.P * self.H + self.K * self.H * (1 + 2 * self.S)


class _Rows:
    """Accumulates rows ``lo <= Σ v·x <= hi`` as triplets (row index, column, value)."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.n = 0

    def new(self, m: int, lo, hi) -> np.ndarray:
        """Open ``m`` rows with bounds; returns their indices."""
        self.lo.append(np.broadcast_to(np.asarray(lo, float), (m,)))
        self.hi.append(np.broadcast_to(np.asarray(hi, float), (m,)))
        rows = np.arange(self.n, self.n + m)
        self.n += m
        return rows

    def put(self, rows, cols, vals) -> None:
        rows, cols = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
        self.r.append(rows.ravel())
        self.c.append(cols.ravel())
        self.v.append(np.broadcast_to(np.asarray(vals, float), rows.shape).ravel())


def _precedence_rows(R: _Rows, L: _Layout, pan: Panels, openings: bool = True) -> None:
    """The precedence rows; ``openings=False`` writes the proportional model instead (no Y rows,
    ``X[p,t] <= X[q,t]`` for every arc), the projection of the strict model's LP relaxation
    onto X: Y has no cost, so any X feasible there has ``X[p] <= Y[p] <= X[q]``, and any X of
    the proportional model is feasible with ``Y = X``. Same optimum, a smaller LP."""
    P, H = L.P, L.H
    p = np.arange(P)[:, None]
    t = np.arange(H)[None, :]
    if H > 1:
        rows = R.new(P * (H - 1), -np.inf, 0.0).reshape(P, H - 1)   # X[t-1] <= X[t]
        R.put(rows, L.X(p, t[:, :-1]), 1.0)
        R.put(rows, L.X(p, t[:, 1:]), -1.0)
    if openings and H > 1:
        rows = R.new(P * (H - 1), -np.inf, 0.0).reshape(P, H - 1)   # Y[t-1] <= Y[t]
        R.put(rows, L.Y(p, t[:, :-1]), 1.0)
        R.put(rows, L.Y(p, t[:, 1:]), -1.0)
    if openings:
        rows = R.new(P * H, -np.inf, 0.0).reshape(P, H)             # X[t] <= Y[t]
        R.put(rows, L.X(p, t), 1.0)
        R.put(rows, L.Y(p, t), -1.0)
    A = pan.src.size
    if A:                                                   # Y[p,t] (or X[p,t]) <= X[q,t]
        rows = R.new(A * H, -np.inf, 0.0).reshape(A, H)
        R.put(rows, (L.Y if openings else L.X)(pan.src[:, None], t), 1.0)
        R.put(rows, L.X(pan.dst[:, None], t), -1.0)


def _eligible(pan: Panels, spec: ScheduleSpec) -> np.ndarray:
    """(S, K) parcels each stockpile accepts."""
    out = np.ones((len(spec.stockpiles), pan.n_parcels), bool)
    for s, sp in enumerate(spec.stockpiles):
        if sp.attribute is not None:
            g = pan.grade(sp.attribute)
            if sp.min_frac is not None:
                out[s] &= g >= sp.min_frac
            if sp.max_frac is not None:
                out[s] &= g <= sp.max_frac
    return out


def _feed_terms(R: _Rows, L: _Layout, row: int, t: int, w: np.ndarray) -> None:
    """Add ``Σ_k w_k (F[k,t] + Σ_s OUT[s,k,t])`` to ``row``."""
    k = np.arange(L.K)
    R.put(row, L.F(k, t), w)
    for s in range(L.S):
        R.put(row, L.IN(s, k, t), w)
        R.put(row, L.INV(s, k, t), -w)
        if t > 0:
            R.put(row, L.INV(s, k, t - 1), w)


def _flow_rows(R: _Rows, L: _Layout, pan: Panels, spec: ScheduleSpec) -> None:
    K, H, S = L.K, L.H, L.S
    k = np.arange(K)[:, None]
    t = np.arange(H)[None, :]
    pk = pan.parcels["panel"].to_numpy()[:, None]
    if K:
        rows = R.new(K * H, -np.inf, 0.0).reshape(K, H)             # F + Σ IN <= ΔX
        R.put(rows, L.F(k, t), 1.0)
        for s in range(S):
            R.put(rows, L.IN(s, k, t), 1.0)
        R.put(rows, L.X(pk, t), -1.0)
        R.put(rows[:, 1:], L.X(pk, t[:, :-1]), 1.0)
        for s in range(S):                                          # OUT >= 0
            rows = R.new(K * H, -np.inf, 0.0).reshape(K, H)
            R.put(rows, L.IN(s, k, t), -1.0)
            R.put(rows, L.INV(s, k, t), 1.0)
            R.put(rows[:, 1:], L.INV(s, k, t[:, :-1]), -1.0)
    feed = pan.parcels["feed_t"].to_numpy()
    for tt, cap in enumerate(spec.plant_t_per_a):                   # plant capacity
        _feed_terms(R, L, int(R.new(1, -np.inf, 1.0)[0]), tt, feed / max(cap, 1e-9))
    for b in spec.blending:                                         # blending limits
        g = pan.grade(b.attribute)
        for lim, lo, hi in ((b.max_frac, -np.inf, 0.0), (b.min_frac, 0.0, np.inf)):
            if lim is None:
                continue
            w = feed * (g - lim)
            w = w / max(float(np.abs(w).max(initial=0.0)), 1e-12)
            for tt in range(H):
                _feed_terms(R, L, int(R.new(1, lo, hi)[0]), tt, w)
    if spec.mining_t_per_a is not None:                             # mining capacity
        ton = pan.panels["tonnes"].to_numpy()[:, None] / spec.mining_t_per_a
        rows = R.new(H, -np.inf, 1.0)[None, :]
        p = np.arange(L.P)[:, None]
        R.put(rows, L.X(p, t), ton)
        R.put(rows[:, 1:], L.X(p, t[:, :-1]), -ton)
    for s, sp in enumerate(spec.stockpiles):                        # stockpile capacity
        rows = R.new(H, -np.inf, 1.0)[None, :]
        R.put(rows, L.INV(s, k, t), feed[:, None] / max(sp.capacity_t, 1e-9))


def _objective(L: _Layout, pan: Panels, spec: ScheduleSpec) -> tuple[np.ndarray, float]:
    H = L.H
    d = (1.0 + spec.discount_rate) ** -np.arange(1, H + 1, dtype=float)
    d_next = np.append(d[1:], 0.0)
    c = np.zeros(L.n)
    mine = pan.panels["mining_usd"].to_numpy()
    p = np.arange(L.P)[:, None]
    k = np.arange(L.K)[:, None]
    c[L.X(p, np.arange(H)[None, :])] = -mine[:, None] * (d - d_next)[None, :]
    margin = pan.parcels["margin_usd"].to_numpy()[:, None]
    feed = pan.parcels["feed_t"].to_numpy()[:, None]
    c[L.F(k, np.arange(H)[None, :])] = margin * d[None, :]
    for s, sp in enumerate(spec.stockpiles):
        net = margin - sp.rehandle_cost_usd_per_t * feed
        c[L.IN(s, k, np.arange(H)[None, :])] = net * d[None, :]
        c[L.INV(s, k, np.arange(H)[None, :])] = net * (d_next - d)[None, :]
    scale = max(float(np.abs(c).max(initial=0.0)), 1e-9) / 1e3
    return c / scale, scale


def _build(pan: Panels, spec: ScheduleSpec, openings: bool = True
           ) -> tuple[LinearModel, _Layout, float]:
    """The schedule MIP; ``openings=False``: the proportional LP (Y columns fixed at 0, see
    :func:`_precedence_rows`), the strict model's LP relaxation in fewer rows."""
    L = _Layout(P=pan.n_panels, K=pan.n_parcels, S=len(spec.stockpiles), H=spec.years)
    R = _Rows()
    _precedence_rows(R, L, pan, openings)
    _flow_rows(R, L, pan, spec)
    cost, scale = _objective(L, pan, spec)
    hi = np.ones(L.n)
    if not openings:
        hi[L.P * L.H: 2 * L.P * L.H] = 0.0
    elig = _eligible(pan, spec)
    for s in range(L.S):
        bad = np.flatnonzero(~elig[s])
        for tt in range(L.H):
            hi[L.IN(s, bad, tt)] = 0.0
            hi[L.INV(s, bad, tt)] = 0.0
    integer = np.zeros(L.n, bool)
    integer[L.P * L.H: 2 * L.P * L.H] = True
    mat = csc_from_triplets(R.r, R.c, R.v, (R.n, L.n))
    model = LinearModel(cost=cost, matrix=mat, row_lo=np.concatenate(R.lo),
                        row_hi=np.concatenate(R.hi), col_lo=np.zeros(L.n), col_hi=hi,
                        integer=integer if openings else None)
    return model, L, scale


def _default_order(pan: Panels) -> np.ndarray:
    """Pushback by pushback, benches top down: a topological order of the panel arcs."""
    return np.lexsort((-pan.panels["bench"].to_numpy(), pan.panels["pushback"].to_numpy()))


def _greedy_shares(pan: Panels, spec: ScheduleSpec, order: np.ndarray,
                   cutoff_usd_per_t: float = 0.0) -> np.ndarray:
    """Cumulative shares ``X`` (P, H) of a block-feasible greedy schedule: panels one after the
    other in ``order`` (topological), each year filled up to the plant and mine capacities; a
    panel opens only once the panels before it are finished. Only parcels whose margin exceeds
    ``cutoff_usd_per_t`` (USD per t of feed) count as plant feed: above break-even (0) the mine
    runs faster and the plant takes the better ore (see :func:`_cutoffs`)."""
    P, H = pan.n_panels, spec.years
    par = pan.parcels
    feed_t = par["feed_t"].to_numpy()
    good = par["margin_usd"].to_numpy() > cutoff_usd_per_t * feed_t
    ore = np.bincount(par["panel"].to_numpy()[good], weights=feed_t[good], minlength=P)
    tot = pan.panels["tonnes"].to_numpy()
    mine_cap = spec.mining_t_per_a or np.inf
    share = np.zeros((P, H))
    t = 0
    room_ore, room_tot = spec.plant_t_per_a[0], mine_cap
    for p in order:
        left = 1.0
        while left > 1e-12 and t < H:
            f = left
            if ore[p] > 0:
                f = min(f, room_ore / ore[p])
            if tot[p] > 0 and np.isfinite(room_tot):
                f = min(f, room_tot / tot[p])
            share[p, t] += f
            left -= f
            room_ore -= f * ore[p]
            room_tot -= f * tot[p]
            if left > 1e-12:
                t += 1
                if t < H:
                    room_ore, room_tot = spec.plant_t_per_a[t], mine_cap
        if t >= H:
            break
    return np.minimum(np.cumsum(share, axis=1), 1.0)


def _fixed_lp(model: LinearModel, L: _Layout, *, X: np.ndarray | None = None,
              Y: np.ndarray) -> tuple[np.ndarray | None, float]:
    """The LP left when the opening variables ``Y`` (and optionally the shares ``X``) are fixed:
    a feasible point of the MIP, or None."""
    lo, hi = model.col_lo.copy(), model.col_hi.copy()
    p, t = np.arange(L.P)[:, None], np.arange(L.H)[None, :]
    cols_y = L.Y(p, t).ravel()
    lo[cols_y] = hi[cols_y] = Y.ravel()
    if X is not None:
        cols_x = L.X(p, t).ravel()
        lo[cols_x] = hi[cols_x] = X.ravel()
    fixed = LinearModel(cost=model.cost, matrix=model.matrix, row_lo=model.row_lo,
                        row_hi=model.row_hi, col_lo=lo, col_hi=hi, integer=None)
    out = run_model(fixed, time_limit_s=10.0, integer=False)
    if not (out.has_solution and out.optimal):
        return None, -np.inf
    return out.x, float(model.cost @ out.x)


def _fixed_mining(model: LinearModel, L: _Layout, pan: Panels, spec: ScheduleSpec,
                  X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray | None, float]:
    """:func:`_fixed_lp` with the shares ``X`` and openings ``Y`` fixed, in closed form where
    the model has no stockpiles and no blending limits (else the LP itself).

    With the mining fixed, each year's plant is a fractional knapsack over the parcels mined
    that year: each parcel's discounted margin is its value, its share of the year's plant
    capacity its weight, and the LP's optimum takes the parcels of positive margin in order of
    margin per tonne until the plant is full, the last one in part (Dantzig 1957, "Discrete-
    variable extremum problems", Oper. Res. 5(2):266-288). Precedence and mining-capacity rows,
    which hold X and Y only, are checked at HiGHS's primal feasibility tolerance (1e-7):
    a breach is None, as the LP would report infeasible.
    ``tests/mine/test_mine_schedule_fixed.py`` compares it with HiGHS on random panel sets (and
    the built-in study's NPVs and schedules were byte-identical with either).
    """
    if L.S or spec.blending:
        return _fixed_lp(model, L, X=X, Y=Y)
    tol = 1e-7
    if X.min(initial=0.0) < -tol or X.max(initial=0.0) > 1.0 + tol:  # the shares' column bounds
        return None, -np.inf
    if L.H > 1 and (np.any(X[:, :-1] > X[:, 1:] + tol) or np.any(Y[:, :-1] > Y[:, 1:] + tol)):
        return None, -np.inf
    if np.greater(X, Y + tol).any() or (pan.src.size and np.any(Y[pan.src] > X[pan.dst] + tol)):
        return None, -np.inf
    dX = np.diff(X, axis=1, prepend=0.0)
    if spec.mining_t_per_a is not None:
        ton = pan.panels["tonnes"].to_numpy() / spec.mining_t_per_a
        if np.any(ton @ dX > 1.0 + tol):
            return None, -np.inf
    par = pan.parcels
    k, t = np.arange(L.K)[:, None], np.arange(L.H)[None, :]
    c = model.cost[L.F(k, t)]
    room = np.clip(dX[par["panel"].to_numpy()], 0.0, 1.0)
    cap = np.maximum(np.asarray(spec.plant_t_per_a, float), 1e-9)
    w = par["feed_t"].to_numpy()[:, None] / cap[None, :]
    F = np.zeros((L.K, L.H))
    for tt in range(L.H):
        take = np.flatnonzero((c[:, tt] > 0) & (room[:, tt] > 0))
        if take.size == 0:
            continue
        ratio = np.divide(c[take, tt], w[take, tt], out=np.full(take.size, np.inf),
                          where=w[take, tt] > 0)
        take = take[np.argsort(-ratio, kind="stable")]
        load = room[take, tt] * w[take, tt]
        before = np.concatenate(([0.0], np.cumsum(load)[:-1]))
        left = np.clip(1.0 - before, 0.0, None)
        F[take, tt] = np.where(load <= left, room[take, tt],
                               np.divide(left, w[take, tt], out=np.zeros(take.size),
                                         where=w[take, tt] > 0))
    x = np.zeros(L.n)
    p = np.arange(L.P)[:, None]
    x[L.X(p, t)] = X
    x[L.Y(p, t)] = Y
    x[L.F(k, t)] = F
    return x, float(model.cost @ x)


def _cutoffs(pan: Panels, quantiles: tuple[float, ...] = _CUTOFF_QUANTILES) -> np.ndarray:
    """Candidate cut-offs (USD margin per t of feed) for the greedy start: break-even (0) and
    the feed-weighted quantiles ``quantiles`` of the positive parcel margins per tonne.

    With the plant the bottleneck, the cut-off that maximises NPV lies above break-even by the
    opportunity cost of plant time (Lane 1964, "Choosing the optimum cut-off grade", Colo. Sch.
    Mines Q. 59:811-829; Lane 1988, *The Economic Definition of Ore*, ch. 4): the mine moves
    faster and the plant takes only the better ore. The schedule does not know that cost up
    front, so the start tries a ladder of cut-offs and keeps the best (each is evaluated exactly
    by the LP with the mining fixed, which also re-chooses every parcel's destination)."""
    par = pan.parcels
    feed = par["feed_t"].to_numpy()
    per_t = np.divide(par["margin_usd"].to_numpy(), feed, out=np.zeros_like(feed),
                      where=feed > 0)
    pos = per_t > 0
    if not pos.any():
        return np.zeros(1)
    order = np.argsort(per_t[pos])
    v, w = per_t[pos][order], feed[pos][order]
    cum = np.cumsum(w) / w.sum()
    qs = [float(v[min(int(np.searchsorted(cum, q)), v.size - 1)]) for q in quantiles]
    return np.unique(np.array([0.0, *qs]))


def _lp_orders(lp_x: np.ndarray | None, L: _Layout, pan: Panels) -> list[np.ndarray]:
    """The default order and the orders of the LP relaxation's θ-points (θ = 0.25, 0.5, 0.75),
    each made topological."""
    base = _default_order(pan)
    rank = np.empty(L.P, np.int64)
    rank[base] = np.arange(L.P)
    orders = [base]
    if lp_x is not None:
        x_lp = lp_x[: L.P * L.H].reshape(L.P, L.H)
        for theta in (0.25, 0.5, 0.75):
            hit = x_lp >= theta
            key = _after_needs(np.where(hit.any(axis=1), np.argmax(hit, axis=1), L.H), pan)
            orders.append(np.lexsort((rank, key)))
    return list({tuple(o): o for o in orders}.values())


def _after_needs(key: np.ndarray, pan: Panels) -> np.ndarray:
    """``key`` raised so that no panel comes before a panel it needs (LP tolerances aside):
    the fixpoint of ``key[p] = max(key[p], key[q])`` over the arcs p -> q, whatever the arcs'
    order (a transitively reduced arc set leaves no shortcut to lean on)."""
    key = key.copy()
    for _ in range(pan.n_panels + 1):
        new = key.copy()
        np.maximum.at(new, pan.src, key[pan.dst])
        if np.array_equal(new, key):
            break
        key = new
    return key


def _starts(model: LinearModel, relaxed: LinearModel, L: _Layout, pan: Panels,
            spec: ScheduleSpec) -> tuple[np.ndarray | None, float, float]:
    """Best of greedy sequences (TopoSort on panels, Chicoisne et al. 2012) over the default
    order and the LP relaxation's θ-point orders, each paced at every cut-off of
    :func:`_cutoffs`; destinations of each from the LP with the mining fixed. The best
    ``_POLISHED`` of these are polished (shares freed, openings kept). Also returns the LP bound
    (scaled objective units) from ``relaxed``, the LP relaxation in its proportional form."""
    lp = run_model(relaxed, time_limit_s=10.0, integer=False)
    found: list[tuple[float, int, np.ndarray, np.ndarray]] = []
    for order in _lp_orders(lp.x, L, pan):
        for cut in _cutoffs(pan):
            X = _greedy_shares(pan, spec, order, cut)
            X = np.where(X > 1.0 - 1e-9, 1.0, X)
            Y = (X > 1e-9).astype(float)
            x, v = _fixed_mining(model, L, pan, spec, X, Y)
            if x is not None:
                found.append((v, len(found), x, Y))
    best, best_v = None, -np.inf
    for v, _, x, Y in sorted(found, key=lambda c: (-c[0], c[1]))[:_POLISHED]:
        for _ in range(3):  # free the shares, keep the openings; re-open where nothing is mined
            x2, v2 = _fixed_lp(model, L, Y=Y)
            if x2 is None or v2 <= v + 1e-9 * abs(v):
                break
            x, v = x2, v2
            Y = np.maximum.accumulate(x[: L.P * L.H].reshape(L.P, L.H) > 1e-9, axis=1)
            Y = Y.astype(float)
        if v > best_v:
            best, best_v = x, v
    return best, best_v, lp.bound if lp.has_solution and lp.optimal else np.inf


def _unpack(x: np.ndarray, L: _Layout):
    X = x[: L.P * L.H].reshape(L.P, L.H)
    F = x[2 * L.P * L.H: 2 * L.P * L.H + L.K * L.H].reshape(L.K, L.H)
    IN = np.stack([x[L.IN(s, 0, 0): L.IN(s, 0, 0) + L.K * L.H].reshape(L.K, L.H)
                   for s in range(L.S)]) if L.S else np.zeros((0, L.K, L.H))
    INV = np.stack([x[L.INV(s, 0, 0): L.INV(s, 0, 0) + L.K * L.H].reshape(L.K, L.H)
                    for s in range(L.S)]) if L.S else np.zeros((0, L.K, L.H))
    return np.clip(X, 0, 1), np.clip(F, 0, 1), np.clip(IN, 0, 1), np.clip(INV, 0, 1)


def schedule_panels(pan: Panels, spec: ScheduleSpec) -> ScheduleResult:
    """The NPV-maximising schedule of the panels over the horizon (see the module docstring).

    Never raises on a time or node limit: the status and the gap say where it stopped. An empty
    panel set gives an empty schedule.
    """
    import time

    t0 = time.perf_counter()
    _check_spec(pan, spec)
    H = spec.years
    if pan.n_panels == 0:
        z, piles = np.zeros((0, H)), np.zeros((len(spec.stockpiles), 0, H))
        return ScheduleResult(X=z, F=z, stock_in=piles,
                              inventory=piles, npv_usd=0.0, bound_usd=0.0,
                              gap_frac=0.0, start_npv_usd=0.0, status="empty pit",
                              seconds=0.0)
    relaxed, L, scale = _build(pan, spec, openings=False)
    if spec.precedence == "proportional":
        return _proportional(relaxed, L, scale, t0)
    model, _, _ = _build(pan, spec)
    start, start_v, lp_bound = _starts(model, relaxed, L, pan, spec)
    if start is None:  # mining nothing is always feasible
        start, start_v = np.zeros(L.n), 0.0
    start_npv = start_v * scale
    left = spec.time_limit_s - (time.perf_counter() - t0)
    x, npv, bound = start, start_npv, lp_bound * scale
    status = "LP-and-fix start (no time left for branch-and-cut)"
    if left > 0.05:
        out = run_model(model, time_limit_s=left, rel_gap=spec.rel_gap, start=start,
                        options={"mip_max_nodes": int(spec.max_nodes), "presolve": "off"})
        if out.x is not None and out.objective * scale >= start_npv:
            x, npv = out.x, out.objective * scale
        bound = min(bound, out.bound * scale)
        status = out.status
    bound = max(bound, npv)
    gap = (bound - npv) / abs(bound) if np.isfinite(bound) and bound != 0 else (
        0.0 if bound == npv else np.inf)
    X, F, IN, INV = _unpack(x, L)
    return ScheduleResult(X=X, F=F, stock_in=IN, inventory=INV, npv_usd=float(npv),
                          bound_usd=float(bound), gap_frac=float(gap),
                          start_npv_usd=float(start_npv), status=status,
                          seconds=time.perf_counter() - t0)


def _proportional(model: LinearModel, L: _Layout, scale: float, t0: float) -> ScheduleResult:
    import time

    out = run_model(model, time_limit_s=60.0, integer=False)
    if out.x is None or not out.optimal:
        raise InputError("schedule", out.status, "an LP solved to optimality",
                         "use precedence: strict, or fewer panels")
    X, F, IN, INV = _unpack(out.x, L)
    npv = out.objective * scale
    return ScheduleResult(X=X, F=F, stock_in=IN, inventory=INV, npv_usd=npv, bound_usd=npv,
                          gap_frac=0.0, start_npv_usd=npv,
                          status="optimal LP (proportional precedence: not block-exact)",
                          seconds=time.perf_counter() - t0)


def schedule_table(pan: Panels, res: ScheduleResult, spec: ScheduleSpec) -> pd.DataFrame:
    """One row per year of the horizon: plant feed (incl. reclaim), grades, mining, stockpiles,
    resource-class mix of the feed, products, and the cash flows the schedule optimised."""
    par = pan.parcels
    H = spec.years
    d = (1.0 + spec.discount_rate) ** -np.arange(1, H + 1, dtype=float)
    feed_k = par["feed_t"].to_numpy()
    reclaim = res.reclaim  # (S, K, H)
    to_plant = res.F + reclaim.sum(axis=0)  # shares of each parcel processed per year
    out = pd.DataFrame({"year": np.arange(1, H + 1)})
    out["plant_capacity_t"] = np.asarray(spec.plant_t_per_a, float)
    out["ore_t"] = feed_k @ to_plant
    mined = res.mined
    out["mined_t"] = pan.panels["tonnes"].to_numpy() @ mined
    out["stockpile_in_t"] = feed_k @ res.stock_in.sum(axis=0)
    out["stockpile_out_t"] = feed_k @ reclaim.sum(axis=0)
    out["stockpile_t"] = feed_k @ res.inventory.sum(axis=0)
    waste = out["mined_t"] - feed_k @ res.F - out["stockpile_in_t"]
    out["waste_t"] = waste_t(out["mined_t"], waste)  # the LP's round-off is no waste
    ore = out["ore_t"].to_numpy()
    for a in pan.attributes:
        contained = par[f"{a}_t"].to_numpy() @ to_plant
        out[a] = np.divide(contained, ore, out=np.full(H, np.nan), where=ore > 0)
    if "treo_frac" in pan.attributes:
        out["head_grade_treo_frac"] = out["treo_frac"]
    for c in RESOURCE_CLASSES:
        out[f"{c}_t"] = par[f"{c}_t"].to_numpy() @ to_plant
    for name in pan.products:
        out[f"{name}_product_t"] = par[f"{name}_product_t"].to_numpy() @ to_plant
    for key in ("revenue_usd", "selling_usd", "royalty_usd", "processing_usd"):
        out[key] = par[key].to_numpy() @ to_plant
    out["mining_usd"] = pan.panels["mining_usd"].to_numpy() @ mined
    rehandle = np.zeros(H)
    for s, sp in enumerate(spec.stockpiles):
        rehandle += sp.rehandle_cost_usd_per_t * (feed_k @ reclaim[s])
    out["rehandle_usd"] = rehandle
    out["cash_usd"] = (out["revenue_usd"] - out["selling_usd"] - out["royalty_usd"]
                       - out["processing_usd"] - out["mining_usd"] - out["rehandle_usd"])
    out["pv_usd"] = out["cash_usd"] * d
    return out
