"""Slope precedence: paper gate (MineFlow Table 2), invariants and bad input."""

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.mine import grid_arc_count, grid_arcs, min_search_offsets, ultimate_pit
from reeflow.mine.precedence import slope_at_azimuth_deg

SHAPE = (120, 120, 26)


def test_bauxite_arc_count_matches_paper():
    """Deutsch, Dağdelen & Johnson 2022, Table 2: 45°, 8 benches -> 5,349,104 arcs."""
    off = min_search_offsets((1.0, 1.0, 1.0), 45.0, n_benches=8)
    assert len(off) == 17
    assert grid_arc_count(SHAPE, off) == 5_349_104
    src, dst = grid_arcs(SHAPE, off)
    assert src.size == 5_349_104


def test_bauxite_pit_matches_paper(bauxite_values):
    """Table 2: 74,412 of 374,400 blocks mined (45°, 8-bench minimum search pattern)."""
    off = min_search_offsets((1.0, 1.0, 1.0), 45.0, n_benches=8)
    src, dst = grid_arcs(SHAPE, off)
    pit = ultimate_pit(bauxite_values, src, dst, solver="pymineflow")
    assert pit.n_blocks == 74_412
    assert pit.value == 28_416_592  # same value from OR-Tools, scipy (benchmarks_mine.md)


def test_arcs_point_up_and_within_cone():
    off = min_search_offsets((10.0, 10.0, 5.0), 40.0, n_benches=6)
    assert np.all(off[:, 2] >= 1)
    horiz = np.hypot(off[:, 0] * 10.0, off[:, 1] * 10.0)
    assert np.all(horiz <= off[:, 2] * 5.0 / np.tan(np.radians(40.0)) + 1e-9)
    shape = (7, 6, 5)
    src, dst = grid_arcs(shape, off)
    assert src.size == grid_arc_count(shape, off)
    assert np.all(dst // (7 * 6) > src // (7 * 6))  # the needed block is higher


def test_more_benches_never_fewer_offsets_and_steeper_fewer():
    a = min_search_offsets((1, 1, 1), 45.0, n_benches=4)
    b = min_search_offsets((1, 1, 1), 45.0, n_benches=8)
    assert {tuple(r) for r in a} <= {tuple(r) for r in b}
    steep = min_search_offsets((1, 1, 1), 70.0, n_benches=8)
    shallow = min_search_offsets((1, 1, 1), 30.0, n_benches=8)
    assert grid_arc_count(SHAPE, steep) < grid_arc_count(SHAPE, shallow)


def test_azimuth_sectors_interpolate_and_wrap():
    pts = [(0.0, 40.0), (180.0, 60.0)]
    got = slope_at_azimuth_deg(np.array([0.0, 90.0, 180.0, 270.0, 360.0]), pts)
    np.testing.assert_allclose(got, [40.0, 50.0, 60.0, 50.0, 40.0])
    off = min_search_offsets((1, 1, 1), pts, n_benches=4)
    north = off[(off[:, 0] == 0) & (off[:, 1] > 0)]
    south = off[(off[:, 0] == 0) & (off[:, 1] < 0)]
    assert north[:, 1].max() / north[north[:, 1].argmax(), 2] >= \
        -south[:, 1].min() / south[south[:, 1].argmin(), 2]


@pytest.mark.parametrize("bad", [5.0, 85.0, [(0, 45), (90, 9)], float("nan")])
def test_slopes_outside_10_80_rejected(bad):
    with pytest.raises(InputError, match="slopes_deg"):
        min_search_offsets((1, 1, 1), bad)


def test_missing_cells_drop_arcs():
    off = min_search_offsets((1, 1, 1), 45.0, n_benches=1)
    present = np.ones(27, dtype=bool)
    present[26] = False
    src, dst = grid_arcs((3, 3, 3), off, present=present)
    assert not np.isin(26, np.concatenate([src, dst]))


@pytest.mark.parametrize("block", [(1, 1, 1), (10, 10, 5), (25, 25, 20), (10, 20, 5)])
@pytest.mark.parametrize("slope", [30.0, 37.5, 45.0, 60.0, 70.0])
def test_pattern_equals_mineflow_minsearch(block, slope):
    """Cross-check against MineFlow's own min-search pattern (pymineflow's C++ port)."""
    mf = pytest.importorskip("pymineflow._mineflow")
    pit = mf.Pit(5, 5, 5, np.zeros(125, np.int64), pattern="minsearch", slope_deg=slope,
                 n_benches=8, block_size=tuple(map(float, block)))
    ours = min_search_offsets(block, slope, n_benches=8)
    assert sorted(map(tuple, pit.offsets().tolist())) == sorted(map(tuple, ours.tolist()))


@pytest.mark.parametrize("sectors", [[(0, 40), (180, 60)], [(0, 45), (90, 50), (180, 40),
                                                           (270, 55)]])
def test_sector_pattern_equals_mineflow(sectors):
    mf = pytest.importorskip("pymineflow._mineflow")
    pit = mf.Pit(5, 5, 5, np.zeros(125, np.int64), pattern="minsearch", slope_deg=None,
                 n_benches=8, block_size=(10.0, 10.0, 10.0),
                 sectors=[tuple(map(float, s)) for s in sectors])
    ours = min_search_offsets((10, 10, 10), sectors, n_benches=8)
    assert sorted(map(tuple, pit.offsets().tolist())) == sorted(map(tuple, ours.tolist()))


def test_repeated_azimuth_rejected():
    with pytest.raises(InputError, match="distinct azimuths"):
        min_search_offsets((1, 1, 1), [(0, 40), (360, 50)])


def test_grid_pit_implicit_matches_paper_and_explicit(bauxite_values):
    """MineFlow's implicit pattern (no arcs stored) gives Table 2's pit; scipy on explicit arcs
    agrees on a crop."""
    from reeflow.mine import grid_closure_violations, grid_ultimate_pit

    pit = grid_ultimate_pit(bauxite_values, SHAPE, (1, 1, 1), 45.0, n_benches=8)
    assert pit.n_blocks == 74_412 and pit.n_arcs == 5_349_104 and pit.value == 28_416_592
    crop = bauxite_values.reshape(26, 120, 120)[:, 40:70, 40:70].ravel()
    a = grid_ultimate_pit(crop, (30, 30, 26), (1, 1, 1), 45.0, solver="pymineflow")
    b = grid_ultimate_pit(crop, (30, 30, 26), (1, 1, 1), 45.0, solver="scipy")
    assert a.value == b.value and b.max_flow is not None
    off = min_search_offsets((1, 1, 1), 45.0, n_benches=8)
    assert grid_closure_violations(a.mask, (30, 30, 26), off) == 0
    m = a.mask
    below = np.flatnonzero(m[:-900] & m[900:])  # pit blocks whose block above is in the pit
    assert below.size
    bad = m.copy()
    bad[below[0] + 900] = False  # remove the block straight above: its arc (0, 0, 1) breaks
    assert grid_closure_violations(bad, (30, 30, 26), off) >= 1
