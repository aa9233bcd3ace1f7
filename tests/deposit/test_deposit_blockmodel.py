"""Block grid geometry, density regression, CSV/GSLIB round trips, OMF (optional)."""

import numpy as np
import pandas as pd
import pytest

from reeflow.deposit import (
    BlockGrid,
    density_regression,
    grid_covering,
    read_block_csv,
    read_gslib,
    write_block_csv,
    write_gslib,
    write_omf,
)


def test_rotated_grid_centres_and_covering():
    g = BlockGrid((100.0, 200.0, 0.0), (10.0, 20.0, 5.0), (3, 2, 2), rotation_deg=90.0)
    c = g.centres()
    # rotation 90: local y points east, local x points south
    np.testing.assert_allclose(c[0], [100 + 10, 200 - 5, 2.5])
    np.testing.assert_allclose(g.ijk()[-1], [2, 1, 1])
    pts = np.random.default_rng(0).uniform(0, 100, (50, 3))
    cov = grid_covering(pts, (7.0, 7.0, 7.0), rotation_deg=30.0)
    local = (pts - np.asarray(cov.origin)) @ cov.rotation()
    ext = np.asarray(cov.counts) * 7.0
    assert np.all(local >= -1e-9) and np.all(local <= ext + 1e-9)


def test_density_regression_recovers_known_line():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"g": rng.uniform(0, 5, 200), "h": rng.uniform(0, 30, 200)})
    df["rho"] = 2.6 + 0.05 * df["g"] + 0.01 * df["h"]
    df.loc[::3, "rho"] = np.nan
    r = density_regression(df, density_column="rho", grade_columns=("g", "h"))
    assert r.intercept == pytest.approx(2.6) and r.coefficients["g"] == pytest.approx(0.05)
    assert r.n == 133 and r.r2 == pytest.approx(1.0)


def test_csv_and_gslib_round_trip(tmp_path):
    g = BlockGrid((0.0, 0.0, 0.0), (5.0, 5.0, 5.0), (2, 2, 2))
    bm = g.to_frame()
    bm["treo_frac"] = np.linspace(0.01, 0.02, 8)
    bm.loc[3, "treo_frac"] = np.nan
    write_block_csv(bm, tmp_path / "b.csv", grid=g, label="SYNTHETIC test")
    assert (tmp_path / "b.csv").read_text().startswith("# SYNTHETIC")
    back = read_block_csv(tmp_path / "b.csv")
    pd.testing.assert_frame_equal(back, bm, check_dtype=False)
    write_gslib(bm, tmp_path / "b.dat")
    back2 = read_gslib(tmp_path / "b.dat")
    pd.testing.assert_frame_equal(back2, bm.astype(float), check_dtype=False)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_omf_write(tmp_path):
    omf = pytest.importorskip("omf")
    g = BlockGrid((0.0, 0.0, 0.0), (5.0, 5.0, 5.0), (3, 2, 2), rotation_deg=20.0)
    bm = g.to_frame()
    bm["treo_frac"] = np.arange(12) / 100
    p = write_omf(bm, g, tmp_path / "b.omf", columns=("treo_frac",))
    proj = omf.OMFReader(str(p)).get_project()
    vol = proj.elements[0]
    np.testing.assert_allclose(vol.data[0].array.array, bm["treo_frac"])
