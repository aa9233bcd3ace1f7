"""Ultimate pit: the exact maximum-weight closure of the precedence graph, through a min cut.

Picard (1976, "Maximal closure of a graph and applications to combinatorial problems", Management
Science 22(11):1268-1272): connect the source to every block of positive value (capacity = value),
every block of negative value to the sink (capacity = -value) and each precedence arc with infinite
capacity; the source side of a minimum cut is a maximum closure, of value
``sum(positive values) - max flow``. The solvers are interchangeable (registry :data:`PIT_SOLVERS`):

* ``pymineflow`` — MineFlow's pseudoflow (Deutsch, Dağdelen & Johnson 2022), MIT, via the
  ``pymineflow`` wheels (the optional extra ``reeflow[fast]``); the fastest measured here (see
  docs/benchmarks_mine.md).
* ``numba`` — reeflow's own push-relabel (:mod:`reeflow.mine.maxflow`), always installed; the
  default when pymineflow is absent (≈4-5× its CPU time on the bauxite model).
* ``ortools`` — Google OR-Tools ``SimpleMaxFlow`` (push-relabel), Apache-2.0; cross-check.
* ``scipy`` — ``scipy.sparse.csgraph.maximum_flow`` (Dinic); int32 capacities only.
* ``networkx`` — ``networkx.minimum_cut`` (preflow-push), pure Python; benchmarks only.

Values are solved as integers: integer-valued inputs exactly; real values on a grid of
``resolution`` (reported) chosen so that every sum fits the solver's integer type. Every answer is
checked: the closure satisfies every arc, and where the solver reports its flow, the closure value
equals ``sum(positive) - max flow`` (strong duality: a proof of optimality).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reeflow.core.errors import InputError, ReeflowError

__all__ = [
    "PitResult",
    "PIT_SOLVERS",
    "resolve_solver",
    "ultimate_pit",
    "check_block_values",
    "integer_values",
    "closure_violations",
    "closure_lp_value",
]


@dataclass(frozen=True)
class PitResult:
    """An ultimate pit: ``mask`` (bool per block), its value and the proof data.

    ``value`` is the sum of the caller's values over the pit; ``int_value`` the solver's integer
    objective (values / ``resolution``); ``max_flow`` the solver's flow (None where the solver does
    not report one); ``optimality_gap_int`` = ``int_value - (sum(int positive) - max_flow)``, zero
    for a proven optimum.
    """

    mask: np.ndarray
    value: float
    int_value: int
    resolution: float
    solver: str
    max_flow: int | None
    n_arcs: int

    @property
    def n_blocks(self) -> int:
        return int(self.mask.sum())


_INT_LIMITS = {"int64": 2**50, "int32": 2**30}


def integer_values(values: np.ndarray, *, limit: int = 2**50) -> tuple[np.ndarray, float]:
    """Integer block values and the resolution they stand for (``values ≈ ints * resolution``).

    Integer-valued inputs are kept exactly (resolution 1) when their total fits ``limit``; otherwise
    the resolution is ``sum(|values|) / limit`` (so no partial sum can overflow).
    """
    v = np.asarray(values, dtype=float)
    total = float(np.abs(v).sum())
    if np.all(v == np.round(v)) and total < limit:
        return v.astype(np.int64), 1.0
    res = max(total / limit, np.finfo(float).tiny)
    return np.round(v / res).astype(np.int64), res


def _solve_pymineflow(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray):
    from pymineflow import _mineflow

    mask, _value, _count, _secs = _mineflow.ExplicitPit(n, src, dst, w).solve()
    return np.asarray(mask, dtype=bool), None


def _solve_numba(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray):
    from reeflow.mine.maxflow import max_closure_push_relabel

    return max_closure_push_relabel(n, src, dst, w)


def _network(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray):
    """Arc arrays (tail, head, capacity) of Picard's network; source = n, sink = n + 1."""
    pos, neg = np.flatnonzero(w > 0), np.flatnonzero(w < 0)
    inf = int(w[pos].sum()) + 1
    tails = np.concatenate([np.full(pos.size, n), neg, src]).astype(np.int64)
    heads = np.concatenate([pos, np.full(neg.size, n + 1), dst]).astype(np.int64)
    caps = np.concatenate([w[pos], -w[neg], np.full(src.size, inf)]).astype(np.int64)
    return tails, heads, caps


def _solve_ortools(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray):
    from ortools.graph.python import max_flow

    smf = max_flow.SimpleMaxFlow()
    tails, heads, caps = _network(n, src, dst, w)
    smf.add_arcs_with_capacity(tails, heads, caps)
    status = smf.solve(n, n + 1)
    if status != smf.OPTIMAL:
        raise ReeflowError(f"OR-Tools max flow ended with status {status}")
    side = np.asarray(smf.get_source_side_min_cut(), dtype=np.int64)
    mask = np.zeros(n, dtype=bool)
    mask[side[side < n]] = True
    return mask, int(smf.optimal_flow())


def _solve_scipy(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray):
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import breadth_first_order, maximum_flow

    tails, heads, caps = _network(n, src, dst, w)
    cap = csr_array((caps.astype(np.int32), (tails, heads)), shape=(n + 2, n + 2))
    cap.sum_duplicates()
    res = maximum_flow(cap, n, n + 1, method="dinic")
    resid = (cap - res.flow).tocsr()
    resid.data[resid.data < 0] = 0
    resid.eliminate_zeros()
    reach = breadth_first_order(resid, n, directed=True, return_predecessors=False)
    mask = np.zeros(n + 2, dtype=bool)
    mask[reach] = True
    return mask[:n], int(res.flow_value)


def _solve_networkx(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray):
    import networkx as nx

    tails, heads, caps = _network(n, src, dst, w)
    g = nx.DiGraph()
    g.add_nodes_from(range(n + 2))
    g.add_weighted_edges_from(zip(tails.tolist(), heads.tolist(), caps.tolist(), strict=True),
                              weight="capacity")
    flow, (side, _) = nx.minimum_cut(g, n, n + 1)
    mask = np.zeros(n + 2, dtype=bool)
    mask[list(side)] = True
    return mask[:n], int(flow)


#: name -> (solve function, integer type of its capacities)
PIT_SOLVERS: dict[str, tuple[Callable, str]] = {
    "pymineflow": (_solve_pymineflow, "int64"),
    "numba": (_solve_numba, "int64"),
    "ortools": (_solve_ortools, "int64"),
    "scipy": (_solve_scipy, "int32"),
    "networkx": (_solve_networkx, "int64"),
}


#: preference order of ``solver="auto"``: the fastest measured first; numba is always installed
AUTO_ORDER = ("pymineflow", "numba")


def resolve_solver(solver: str) -> str:
    """``"auto"`` -> the first importable of :data:`AUTO_ORDER`; other names are checked."""
    if solver == "auto":
        import importlib.util

        for name in AUTO_ORDER:
            if importlib.util.find_spec(name) is not None:
                return name
    if solver not in PIT_SOLVERS:
        raise InputError("solver", solver, f"'auto' or one of {sorted(PIT_SOLVERS)}",
                         "pick a listed solver")
    return solver


def closure_violations(mask: np.ndarray, src: np.ndarray, dst: np.ndarray) -> int:
    """Number of arcs whose tail is in the pit while the block it needs is not (0 for a pit)."""
    return int(np.count_nonzero(mask[src] & ~mask[dst]))


def _check_arcs(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    if src.shape != dst.shape:
        raise InputError("arcs", (src.shape, dst.shape), "src and dst of equal length",
                         "pass two index arrays of the same length")
    if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        raise InputError("arcs", "index out of range", f"block indices in [0, {n})",
                         "build arcs from the same block model as the values")
    return src, dst


def check_block_values(values: Any, field: str = "values",
                       given: Sequence[Any] | None = None) -> np.ndarray:
    """``values`` as a 1-D float array a pit solver can take: each finite, and the sum of their
    magnitudes a finite float (two values of 1e308 overflowed to an empty pit of value 0; fuzz
    round 35). ``field`` names them in the error (e.g. ``block_model.value_usd``), ``given``:
    the values as the user wrote them, shown for a bad one (default: ``values``)."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise InputError(field, f"an array of shape {v.shape}", "one number per block",
                         "pass a 1-D array of block values")
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        i = int(bad[0])
        raise InputError(f"{field} (data row {i + 1})", (given if given is not None else v)[i],
                         "a finite number per block", "fill every block's value (no NaN, inf "
                         "or text)")
    with np.errstate(over="ignore"):
        total = float(np.abs(v).sum())
    if not np.isfinite(total):
        raise InputError(field, "a sum of |values| beyond 1.8e308", "values whose total is a "
                         "finite float", "state the values in a larger money unit (e.g. "
                         "million USD)")
    return v


def ultimate_pit(values: np.ndarray, src: np.ndarray, dst: np.ndarray, *,
                 solver: str = "auto") -> PitResult:
    """Maximum-value closed set of blocks (``src[k]`` in the pit requires ``dst[k]``).

    Parameters
    ----------
    values : array of float, one per block (USD or any money unit; positive = profitable)
    src, dst : int arrays of precedence arcs
    solver : a key of :data:`PIT_SOLVERS`, or ``"auto"`` (pymineflow, else numba)

    Raises ReeflowError when the answer fails its checks (closure or duality).
    """
    solver = resolve_solver(solver)
    v = check_block_values(values)
    n = v.size
    src, dst = _check_arcs(n, src, dst)
    if n == 0:  # an empty sub-problem (e.g. a nested pit inside an empty pit): the empty pit
        return PitResult(mask=np.zeros(0, dtype=bool), value=0.0, int_value=0, resolution=1.0,
                         solver=solver, max_flow=0, n_arcs=0)
    fn, kind = PIT_SOLVERS[solver]
    w, res = integer_values(v, limit=_INT_LIMITS[kind])
    try:
        mask, flow = fn(n, src, dst, w)
    except ImportError as exc:
        raise InputError("solver", solver, "an installed solver package",
                         f"install it ({exc.name}) or use solver='auto'") from None
    bad = closure_violations(mask, src, dst)
    int_value = int(w[mask].sum())
    if bad:
        raise ReeflowError(f"solver {solver!r} returned a pit violating {bad} precedence arcs")
    if flow is not None and int_value != int(w[w > 0].sum()) - flow:
        raise ReeflowError(f"solver {solver!r}: pit value {int_value} != min cut "
                           f"{int(w[w > 0].sum()) - flow} (not optimal)")
    return PitResult(mask=mask, value=float(v[mask].sum()), int_value=int_value, resolution=res,
                     solver=solver, max_flow=flow, n_arcs=int(src.size))


def closure_lp_value(values: np.ndarray, src: np.ndarray, dst: np.ndarray) -> float:
    """LP relaxation of the closure problem through HiGHS: max v·x, x_src <= x_dst, 0 <= x <= 1.

    The constraint matrix is totally unimodular, so the LP optimum equals the integer optimum
    (Picard 1976); an independent check of the max-flow answer on small cases.
    """
    import highspy

    v = np.asarray(values, dtype=float)
    n, m = v.size, len(src)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = -v
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_, lp.row_upper_ = np.full(m, -highspy.kHighsInf), np.zeros(m)
    # column-wise matrix of rows x_src - x_dst <= 0
    rows = np.concatenate([np.arange(m), np.arange(m)])
    cols = np.concatenate([src, dst])
    vals = np.concatenate([np.ones(m), -np.ones(m)])
    order = np.lexsort((rows, cols))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.searchsorted(cols[order], np.arange(n + 1))
    lp.a_matrix_.index_ = rows[order]
    lp.a_matrix_.value_ = vals[order]
    h.passModel(lp)
    h.run()
    return -float(h.getInfo().objective_function_value)
