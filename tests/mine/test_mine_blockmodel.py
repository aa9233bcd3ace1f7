"""Block model input: validation names the offending input; CSV and GSLIB readers."""

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.mine import block_grid, read_block_model, synthetic_block_model


@pytest.fixture
def small():
    return synthetic_block_model(6, 5, 4, seed=1)


def test_grid_from_deposit_columns(small):
    g = block_grid(small)
    assert g.shape == (6, 5, 4) and g.block_size_m == (10.0, 10.0, 5.0)
    np.testing.assert_array_equal(np.sort(g.cell), np.arange(120))
    np.testing.assert_allclose(g.tonnes, small["tonnes"])


def test_indices_input_and_density_tonnes(small):
    df = small.drop(columns=["x", "y", "z", "dx", "dy", "dz", "tonnes"])
    df["ix"] = np.tile(np.arange(6), 20)
    df["iy"] = np.tile(np.repeat(np.arange(5), 6), 4)
    df["iz"] = np.repeat(np.arange(4), 30)
    g = block_grid(df, block_size_m=(10.0, 10.0, 5.0))
    np.testing.assert_allclose(g.tonnes, 2.8 * 500.0)


def test_missing_blocks(small):
    df = small.drop(index=[7, 8])
    with pytest.raises(InputError, match=r"block_model.cells.*2 of 120.*missing='air'"):
        block_grid(df)
    g = block_grid(df, allow_missing=True)
    assert (g.row_of_cell() < 0).sum() == 2


def test_nan_grade_named(small):
    small.loc[3, "nd2o3_frac"] = np.nan
    with pytest.raises(InputError, match="nd2o3_frac.*first at data row 4"):
        block_grid(small)


def test_inconsistent_block_sizes(small):
    small.loc[0, "dx"] = 5.0
    with pytest.raises(InputError, match=r"block_model\.dx"):
        block_grid(small)


def test_duplicates_and_off_grid(small):
    dup = small.copy()
    dup.loc[1, ["x", "y", "z"]] = dup.loc[0, ["x", "y", "z"]].to_numpy()
    with pytest.raises(InputError, match="duplicated"):
        block_grid(dup)
    small.loc[0, "x"] += 3.0
    with pytest.raises(InputError, match=r"block_model\.x"):
        block_grid(small)


def test_csv_and_gslib_round_trip(small, tmp_path):
    p = tmp_path / "bm.csv"
    small.drop(columns="class").to_csv(p, index=False)
    back = read_block_model(p)
    np.testing.assert_allclose(back["treo_frac"], small["treo_frac"])
    num = small.drop(columns="class")
    q = tmp_path / "bm.dat"
    with q.open("w") as fh:
        fh.write(f"synthetic\n{num.shape[1]}\n" + "\n".join(num.columns) + "\n")
        np.savetxt(fh, num.to_numpy())
    assert block_grid(read_block_model(q)).shape == (6, 5, 4)
    with pytest.raises(InputError, match="block_model"):
        read_block_model(tmp_path / "absent.csv")


def test_fill_missing_as_waste_pads_and_keeps_blocks(small):
    from reeflow.mine import fill_missing_as_waste

    sparse = small.drop(index=[0, 7, 50]).rename(columns={"x": "xc"})
    sparse["i"] = ((small["x"] - 5) // 10).astype(int).drop(index=[0, 7, 50])
    sparse["j"] = ((small["y"] - 5) // 10).astype(int).drop(index=[0, 7, 50])
    sparse["k"] = ((small["z"] - 2.5) // 5).astype(int).drop(index=[0, 7, 50])
    full = fill_missing_as_waste(sparse, pad_cells=2)
    assert len(full) == (6 + 4) * (5 + 4) * 4
    kept = full[~full["filled"]]
    assert len(kept) == len(sparse)
    assert kept["tonnes"].sum() == pytest.approx(sparse["tonnes"].sum())
    assert kept["nd2o3_frac"].sum() == pytest.approx(sparse["nd2o3_frac"].sum())
    assert np.all(full.loc[full["filled"], "treo_frac"] == 0.0)
    np.testing.assert_allclose(full.loc[full["filled"], "tonnes"], 2.8 * 500.0)
    assert block_grid(full).shape == (10, 9, 4)


def test_a_block_denser_than_osmium_is_refused_by_its_row(small):
    """A 1e15 t block of 500 m3 was planned (fuzz round 33): tonnes above the densest element's
    22.59 t/m3 times the block's volume are a unit slip, refused naming the row and density."""
    ok = small.copy()
    ok.loc[0, "tonnes"] = 22.5 * 500.0  # dense, but matter can be that dense
    block_grid(ok)
    small.loc[2, "tonnes"] = 1e15
    with pytest.raises(InputError, match=r"block_model.tonnes: got '1e\+15 t in 500 m3 = 2e\+12 "
                       r"t/m3 \(data row 3; 1 such blocks\)'; allowed: at most 22.59 t/m3"):
        block_grid(small)
    dens = small.drop(columns=["tonnes"]).assign(density_t_per_m3=2.7)
    dens.loc[5, "density_t_per_m3"] = 30.0
    with pytest.raises(InputError, match=r"block_model.density_t_per_m3: .*data row 6"):
        block_grid(dens)
