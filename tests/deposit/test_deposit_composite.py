"""Desurvey (minimum curvature against closed-form geometry), compositing invariants, top-cut,
declustering."""

import numpy as np
import pandas as pd
import pytest

from reeflow.deposit import (
    cell_declustering_weights,
    composite,
    declustered_stats,
    min_curvature_positions,
    top_cut,
    validate_drillholes,
)


def test_straight_inclined_hole():
    p = min_curvature_positions([10, 20, 100], [0, 50, 100], [90, 90, 90], [-30, -30, -30],
                                np.array([0.0, 40.0, 150.0]))
    exp = np.array([[10, 20, 100], [10 + 40 * np.cos(np.radians(30)), 20, 80],
                    [10 + 150 * np.cos(np.radians(30)), 20, 25]])
    np.testing.assert_allclose(p, exp, atol=1e-9)


def test_circular_arc_vertical_to_horizontal():
    """A hole turning from vertical to horizontal (north) over L is a quarter circle of radius
    R = 2L/π: the end is at (0, R, -R); mid-depth at 45° on the circle."""
    L = 100.0
    R = 2 * L / np.pi
    p = min_curvature_positions([0, 0, 0], [0, L], [0, 0], [-90, 0], np.array([L, L / 2]))
    np.testing.assert_allclose(p[0], [0, R, -R], atol=1e-9)
    a = np.pi / 4
    np.testing.assert_allclose(p[1], [0, R * (1 - np.cos(a)), -R * np.sin(a)], atol=1e-9)


def _dh():
    c = pd.DataFrame({"hole_id": ["A"], "x": [0.0], "y": [0.0], "z": [0.0],
                      "max_depth_m": [30.0]})
    s = pd.DataFrame({"hole_id": ["A"], "depth_m": [0.0], "azimuth_deg": [0.0],
                      "dip_deg": [-90.0]})
    a = pd.DataFrame({"hole_id": "A", "from_m": [0, 1.5, 3, 7, 9, 12, 13],
                      "to_m": [1.5, 3, 5, 9, 12, 13, 20],
                      "g": [1.0, 2.0, 3.0, 4.0, np.nan, 6.0, 7.0],
                      "domain": ["H", "H", "H", "V", "V", "V", "H"]})
    return validate_drillholes(c, s, a)


def test_composites_conserve_metal_and_respect_domains():
    dh = _dh()
    comp = composite(dh, length_m=2.0, min_fraction=0.5)
    a = dh.assays
    for dom in ("H", "V"):
        ai = a[a["domain"] == dom]
        ci = comp[comp["domain"] == dom]
        metal_a = np.nansum(ai["g"] * (ai["to_m"] - ai["from_m"]))
        metal_c = np.nansum(ci["g"] * ci["sampled_length_m"])
        assert metal_c == pytest.approx(metal_a, rel=1e-12)
    v = comp[comp["domain"] == "V"]
    assert v["from_m"].min() == 7.0 and v["to_m"].max() == 13.0
    # the unsampled 9-12 m counts no weight: 9-11 m composite has no data and is dropped
    assert not ((comp["from_m"] == 9.0) & (comp["domain"] == "V")).any()
    np.testing.assert_allclose(comp["z"], -comp["mid_m"])


def test_top_cut_percentile_and_fixed():
    df = pd.DataFrame({"domain": "V", "g": np.arange(1.0, 101.0), "length_m": 1.0})
    out, caps = top_cut(df, {"g": {"rule": "percentile", "percentile": 95}})
    assert out["g"].max() == pytest.approx(np.percentile(np.arange(1.0, 101.0), 95))
    assert caps["n_capped"].iat[0] == 5
    out2, caps2 = top_cut(df, {"g": {"rule": "fixed", "cap": 50.0}})
    removed = (np.arange(51, 101) - 50).sum() / np.arange(1, 101).sum()
    assert caps2["metal_removed_frac"].iat[0] == pytest.approx(removed)


def test_cell_declustering_downweights_clusters():
    xyz = np.array([[0, 0, 0], [1, 1, 0], [2, 2, 0], [50, 50, 0.0]])
    w = cell_declustering_weights(xyz, 10.0)
    assert w[3] == pytest.approx(3 * w[0]) and w.mean() == pytest.approx(1.0)
    st = declustered_stats(np.array([1.0, 1.0, 1.0, 5.0]), w)
    assert st["mean"] == pytest.approx(3.0) and st["naive_mean"] == pytest.approx(2.0)


def test_gslib_cluster_declustering_matches_published_weights():
    """GSLIB's cluster.dat (Deutsch & Journel 1998; 140 clustered samples with the ``declus``
    weights in column 5). Its licence is not stated, so it is not shipped: point
    REEFLOW_GSLIB_CLUSTER at a local copy to run this check."""
    import os
    from pathlib import Path

    from reeflow.deposit import read_gslib
    path = Path(os.environ.get("REEFLOW_GSLIB_CLUSTER", "/nonexistent/cluster.dat"))
    if not path.is_file():
        pytest.skip("GSLIB cluster.dat not in the repo (licence not stated); set "
                    "REEFLOW_GSLIB_CLUSTER to a local copy")
    d = read_gslib(path, missing=None)
    xyz = np.column_stack([d["Xlocation"], d["Ylocation"], np.zeros(len(d))])
    w = cell_declustering_weights(xyz, (5.0, 5.0, 1.0), origin=np.zeros(3), n_offsets=10)
    ours = declustered_stats(d["Primary"].to_numpy(), w)["mean"]
    gslib = np.average(d["Primary"], weights=d["Declustering Weight"])
    assert d["Primary"].mean() == pytest.approx(4.35, abs=0.005)
    assert ours == pytest.approx(gslib, rel=0.01)
    assert np.corrcoef(w, d["Declustering Weight"])[0, 1] > 0.9
