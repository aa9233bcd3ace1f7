"""Ultimate pit: hand-solved case, cross-checks between solvers and against the LP relaxation."""

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.mine import (
    PIT_SOLVERS,
    closure_lp_value,
    closure_violations,
    grid_arcs,
    min_search_offsets,
    ultimate_pit,
)
from reeflow.mine.pit import integer_values

SOLVERS = ["pymineflow", "numba", "ortools", "scipy", "networkx"]
MODULE = {"pymineflow": "pymineflow", "numba": "numba", "ortools": "ortools", "scipy": "scipy",
          "networkx": "networkx"}


def _section(bottom_value: float):
    """2-D section 5 wide × 3 high, 45°, one-bench pattern; all blocks -1 but the bottom centre."""
    off = min_search_offsets((1, 1, 1), 45.0, n_benches=1)
    src, dst = grid_arcs((5, 1, 3), off)
    v = -np.ones(15)
    v[2] = bottom_value  # ix=2, iz=0
    return v, src, dst


@pytest.mark.parametrize("solver", SOLVERS)
def test_hand_solved_section(solver):
    """Mining the bottom-centre block needs 3 blocks above and 5 on the top bench: 8 × -1.
    With +10 the pit is those 9 blocks, value 2; with +7 mining it loses 1, so the pit is empty."""
    pytest.importorskip(MODULE[solver])
    v, src, dst = _section(10.0)
    pit = ultimate_pit(v, src, dst, solver=solver)
    assert pit.n_blocks == 9 and pit.value == 2.0
    assert set(np.flatnonzero(pit.mask)) == {2, 6, 7, 8, 10, 11, 12, 13, 14}
    v, src, dst = _section(7.0)
    assert ultimate_pit(v, src, dst, solver=solver).n_blocks == 0


def _random_case(seed, shape=(12, 10, 6)):
    rng = np.random.default_rng(seed)
    v = np.round(rng.normal(-1.0, 4.0, int(np.prod(shape))), 2)
    off = min_search_offsets((1, 1, 1), rng.uniform(35, 60), n_benches=3)
    src, dst = grid_arcs(shape, off)
    return v, src, dst


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_solvers_agree_and_equal_lp_relaxation(seed):
    pytest.importorskip("ortools")
    pytest.importorskip("pymineflow")
    v, src, dst = _random_case(seed)
    pits = {s: ultimate_pit(v, src, dst, solver=s) for s in SOLVERS}
    values = {s: p.value for s, p in pits.items()}
    lp = closure_lp_value(v, src, dst)
    for s, p in pits.items():
        assert closure_violations(p.mask, src, dst) == 0
        assert p.value == pytest.approx(lp, abs=1e-6), (s, values, lp)
    assert pits["ortools"].max_flow is not None
    # the smallest optimal pit is unique: the push-relabel returns the source-side cut exactly
    np.testing.assert_array_equal(pits["numba"].mask, pits["ortools"].mask)
    np.testing.assert_array_equal(pits["numba"].mask, pits["scipy"].mask)


@pytest.mark.parametrize("seed", range(8))
def test_push_relabel_smallest_pit_on_ties(seed):
    """Integer values with many zeros (ties): numba gives OR-Tools' source-side (smallest) cut."""
    pytest.importorskip("ortools")
    rng = np.random.default_rng(100 + seed)
    shape = (9, 7, 5)
    v = rng.integers(-3, 4, int(np.prod(shape))).astype(float)
    src, dst = grid_arcs(shape, min_search_offsets((1, 1, 1), 45.0, n_benches=2))
    a = ultimate_pit(v, src, dst, solver="numba")
    b = ultimate_pit(v, src, dst, solver="ortools")
    assert a.value == b.value
    np.testing.assert_array_equal(a.mask, b.mask)


def test_push_relabel_without_room_for_tie_break_is_still_optimal():
    from reeflow.mine.maxflow import max_closure_push_relabel

    v, src, dst = _section(10.0)
    w = (v * 2**56).astype(np.int64)  # (n + 1)·Σ|w| overflows int64: no tie-break
    mask, flow = max_closure_push_relabel(v.size, src, dst, w)
    assert mask.sum() == 9 and int(w[mask].sum()) == 2 * 2**56
    assert flow == int(w[w > 0].sum()) - int(w[mask].sum())


@pytest.mark.slow
def test_push_relabel_reproduces_mineflow_bauxite(bauxite_values):
    """MineFlow paper Table 2: 74,412 of 374,400 blocks, 5,349,104 arcs (45°, 8 benches)."""
    src, dst = grid_arcs((120, 120, 26), min_search_offsets((1, 1, 1), 45.0, n_benches=8))
    assert src.size == 5_349_104
    pit = ultimate_pit(bauxite_values, src, dst, solver="numba")
    assert pit.n_blocks == 74_412 and pit.value == 28_416_592


def test_real_values_get_a_resolution_and_bound():
    v = np.array([1e9 + 0.3, -2.2, 0.1])
    w, res = integer_values(v, limit=2**30)
    assert res > 0 and np.max(np.abs(w * res - v)) <= res / 2 + 1e-9
    w, res = integer_values(np.array([3.0, -2.0]))
    assert res == 1.0 and list(w) == [3, -2]


def test_bad_inputs():
    with pytest.raises(InputError, match="solver"):
        ultimate_pit(np.ones(2), np.array([0]), np.array([1]), solver="pseudoflow")
    with pytest.raises(InputError, match="values"):
        ultimate_pit(np.array([1.0, np.nan]), np.array([0]), np.array([1]))
    with pytest.raises(InputError, match="arcs"):
        ultimate_pit(np.ones(2), np.array([0]), np.array([5]))
    assert "pseudoflow" not in PIT_SOLVERS  # non-commercial licence: never a solver here


def test_auto_solver_falls_back(monkeypatch):
    import importlib.util

    from reeflow.mine.pit import resolve_solver

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pymineflow" else real(name))
    assert resolve_solver("auto") == "numba"  # the lean install's default
    v, src, dst = _section(10.0)
    assert ultimate_pit(v, src, dst, solver="auto").solver == "numba"


def test_missing_solver_package_is_an_input_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name.startswith("ortools"):
            raise ImportError("no ortools", name="ortools")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    v, src, dst = _section(10.0)
    with pytest.raises(InputError, match="ortools"):
        ultimate_pit(v, src, dst, solver="ortools")


@pytest.mark.parametrize("n", [2, 3, 7])
def test_the_numba_solver_keeps_a_chain_whose_far_end_does_not_pay(n):
    """A chain of n blocks whose first pays and whose last costs more: its first block is n arcs
    from the sink, the label push-relabel used to mark a block that cannot reach the sink, so it
    was returned without the blocks it needs (a closure violation; a fresh install without
    pymineflow stopped the built-in study on a 2-block sub-problem: +30,517 needing -118,520).
    The numba solver agrees with networkx on chains and small random precedence graphs."""
    values = np.zeros(n)
    values[0], values[-1] = 30516.90721321, -118519.57096619
    src = np.arange(n - 1)
    dst = src + 1
    for solver in ("numba", "networkx"):
        res = ultimate_pit(values, src, dst, solver=solver)
        assert not res.mask.any() and res.value == 0.0
    rng = np.random.default_rng(n)
    for _ in range(300):
        k = int(rng.integers(1, 9))
        m = int(rng.integers(0, 2 * k))
        a, b = rng.integers(0, k, m), rng.integers(0, k, m)
        a, b = a[a < b], b[a < b]
        v = rng.normal(0.0, 1e5, k).round(3)
        assert ultimate_pit(v, a, b, solver="numba").value == pytest.approx(
            ultimate_pit(v, a, b, solver="networkx").value, rel=1e-9, abs=1e-6)
