"""Regressions of the defects the deposit/mine fuzz cases found (test_fuzz.py,
test_deposit_and_mine_commands_survive_mutated_inputs): each bad input is one InputError naming
the field (exit 2 at the CLI), never an internal error."""

from __future__ import annotations

import argparse
import json

import fuzz_seeds as seeds
import numpy as np
import pandas as pd
import pytest
import yaml

from reeflow.core.errors import InputError
from reeflow.deposit import composite, validate_drillholes
from reeflow.deposit.commands import register as register_deposit
from reeflow.deposit.krigefile import load_krige_model
from reeflow.mine import block_grid


def _krige(tmp_path, model: dict | str, *extra: str) -> int:
    for name, data in seeds.drillholes().items():
        (tmp_path / name).write_bytes(data)
    text = model if isinstance(model, str) else yaml.safe_dump(model)
    (tmp_path / "model.yaml").write_text(text)
    parser = argparse.ArgumentParser()
    register_deposit(parser.add_subparsers())
    args = parser.parse_args(["krige", *(str(tmp_path / f"{k}.csv") for k in (
        "collar", "survey", "assay")), "--model", str(tmp_path / "model.yaml"), "--json", *extra])
    return int(args.func(args))


def _tables():
    collars = pd.DataFrame({"hole_id": ["A", "B"], "x": [0.0, 50.0], "y": [0.0, 0.0],
                            "z": [100.0, 100.0], "max_depth_m": [30.0, 30.0]})
    surveys = pd.DataFrame({"hole_id": ["A", "A", "B"], "depth_m": [0.0, 20.0, 0.0],
                            "azimuth_deg": [0.0, 0.0, 0.0], "dip_deg": [-90.0, -90.0, -90.0]})
    assays = pd.DataFrame({"hole_id": ["A", "A", "B"], "from_m": [0.0, 10.0, 0.0],
                           "to_m": [10.0, 20.0, 10.0], "treo_pct": [1.0, 2.0, 1.5]})
    return collars, surveys, assays


def test_survey_depth_not_a_number_is_a_data_error():
    """A survey station at a NaN depth passed the range check and turned composites into NaN
    coordinates (krige then failed with a RuntimeWarning and an error on two lines)."""
    c, s, a = _tables()
    s.loc[1, "depth_m"] = np.nan
    with pytest.raises(InputError, match=r"survey at blank m has depth blank \(allowed a "
                                         r"finite number >= 0\)"):
        validate_drillholes(c, s, a)
    dh = validate_drillholes(c, s, a, mode="lenient")
    assert len(dh.surveys) == 2 and (dh.issues["kind"] == "bad_survey").sum() == 1


def test_a_text_survey_cell_is_quoted_as_written():
    """A text azimuth was quoted as blank (the value after it had been read as a number)."""
    c, s, a = _tables()
    s = s.astype({"azimuth_deg": object, "dip_deg": object})
    s.loc[0, "azimuth_deg"], s.loc[2, "dip_deg"] = "N45E", " "
    dh = validate_drillholes(c, s, a, mode="lenient")
    messages = list(dh.issues.loc[dh.issues["kind"] == "bad_survey", "message"])
    assert messages == ["hole A: survey at 0 m has azimuth 'N45E' (allowed 0-360)",
                        "hole B: survey at 0 m has dip blank (allowed -90..90)"]


def test_duplicate_row_labels_do_not_break_the_checks():
    """A CSV row longer than its header makes pandas index by the first column: duplicate labels
    made ``s.at[i, col]`` a Series (TypeError)."""
    c, s, a = _tables()
    s.index = [7, 7, 7]
    s.loc[:, "hole_id"] = ["A", "A", "Z"]
    with pytest.raises(InputError, match="has no collar"):
        validate_drillholes(c, s, a)


def test_no_assay_left_is_an_input_error():
    """Lenient mode excluding every interval left composite() indexing an empty array."""
    c, s, a = _tables()
    a["to_m"] = -1.0
    dh = validate_drillholes(c, s, a, mode="lenient")
    assert dh.assays.empty
    with pytest.raises(InputError, match="no valid intervals"):
        composite(dh, length_m=2.0)


@pytest.mark.parametrize("change, field", [
    ({"variogram": "spherical"}, "variogram"),
    ({"variogram": 1.9e16}, "variogram"),
    ({"variogram": {"nugget": 0.01, "structures": [
        {"kind": "spherical", "sill": float("inf"), "ranges_m": [1, 1, 1]}]}},
     "variogram.structures.0.sill"),
    ({"search": {"ranges_m": [900, 700, "x"]}}, "search.ranges_m"),
    ({"variables": [1, 2]}, "variables"),
    ({"ndisc": [2, 2, 1000]}, "ndisc"),
    ({"composite_length_m": None}, "composite_length_m"),
    ({"grid": {"block_size_m": [60, 60, 0]}}, "grid.block_size_m"),
    ({"lenght_unit": "ft"}, "lenght_unit"),
])
def test_krige_model_file_is_validated(change, field):
    """The --model file was read as a raw dict: a scalar where a mapping belongs was an
    AttributeError, None a TypeError, inf a NaN estimate."""
    model = {**yaml.safe_load(seeds.krige_model()), **change}
    with pytest.raises(InputError) as e:
        load_krige_model(model)
    assert e.value.field.startswith(field)


def test_krige_blocks_with_bad_coordinates_are_refused(tmp_path):
    """A blank or huge coordinate in --blocks was a ValueError from float()."""
    blocks = pd.read_csv(__import__("io").BytesIO(seeds.krige_blocks_csv()))
    blocks["y"] = blocks["y"].astype(object)
    blocks.loc[3, "y"] = " "
    blocks.to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(InputError, match="--blocks.y"):
        _krige(tmp_path, seeds.krige_model(), "--blocks", str(tmp_path / "b.csv"))


def _blocks(tmp_path, change) -> str:
    blocks = pd.read_csv(__import__("io").BytesIO(seeds.krige_blocks_csv()))
    blocks = change(blocks)
    blocks.to_csv(tmp_path / "b.csv", index=False)
    return str(tmp_path / "b.csv")


def test_krige_blocks_wider_than_the_search_are_refused(tmp_path):
    """Blocks of 10^6 m (a size in the wrong unit) were kriged and written (fuzz round 6)."""
    path = _blocks(tmp_path, lambda b: b.assign(dx=1e6, dy=1e6, dz=1e6))
    with pytest.raises(InputError, match=r"--blocks.dx: got 1000000.0; .*1800 m"):
        _krige(tmp_path, seeds.krige_model(), "--blocks", path)


def test_krige_blocks_at_one_centre_twice_are_refused(tmp_path):
    """Repeated block rows were each estimated and written (fuzz round 6)."""
    path = _blocks(tmp_path, lambda b: pd.concat([b, b.iloc[:3]], ignore_index=True))
    with pytest.raises(InputError, match=r"data row 25 repeats an earlier block; 3 repeats"):
        _krige(tmp_path, seeds.krige_model(), "--blocks", path)


def test_krige_bad_block_values_are_shown_as_plain_numbers(tmp_path):
    """A NaN coordinate was shown as np.float64(nan); a bad size as a description."""
    def nan_x(b):
        b.loc[2, "x"] = float("nan")
        return b
    with pytest.raises(InputError, match=r"--blocks.x: got nan; .*data row 3") as err:
        _krige(tmp_path, seeds.krige_model(), "--blocks", _blocks(tmp_path, nan_x))
    assert "np." not in str(err.value)
    with pytest.raises(InputError, match=r"--blocks.dy: got -60.0; allowed: a block size > 0"):
        _krige(tmp_path, seeds.krige_model(), "--blocks",
               _blocks(tmp_path, lambda b: b.assign(dy=-60.0)))


def test_krige_blocks_beyond_the_data_say_why_they_are_blank(tmp_path, capsys):
    path = _blocks(tmp_path, lambda b: b.assign(x=b["x"] + 1e6))
    assert _krige(tmp_path, seeds.krige_model(), "--blocks", path) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["estimated"] == 0 and "min_samples = 4" in out["not_estimated_why"]


def test_krige_grid_too_large_is_refused_before_it_is_built(tmp_path):
    model = yaml.safe_load(seeds.krige_model())
    model["grid"] = {"block_size_m": [1e-3, 1e-3, 1e-3]}
    with pytest.raises(InputError, match="grid.block_size_m"):
        _krige(tmp_path, model)


def test_krige_seed_still_runs(tmp_path, capsys):
    assert _krige(tmp_path, seeds.krige_model()) == 0
    assert json.loads(capsys.readouterr().out)["estimated"] > 0


@pytest.mark.parametrize("column", ["x", "ix"])
def test_block_grid_refuses_an_absurd_extent(column):
    """A coordinate or index of 1e308 overflowed the int64 cast (RuntimeWarning, then
    np.bincount on negative cells: ValueError)."""
    df = seeds.blocks().copy()
    df[column] = df[column].astype(float)
    df.loc[5, column] = 1e308
    if column == "x":
        df = df.drop(columns=["ix", "iy", "iz"])
    with pytest.raises(InputError, match="grid"):
        block_grid(df)


@pytest.mark.parametrize("value", [-1e308, -0.5, float("inf")])
def test_negative_or_infinite_assay_is_a_data_error(value):
    """A grade of -1e308 passed validation and made the variogram sill infinite (NaN warning,
    internal error)."""
    c, s, a = _tables()
    a.loc[1, "treo_pct"] = value
    with pytest.raises(InputError, match="is not a number >= 0"):
        validate_drillholes(c, s, a)
    a["treo_pct"] = a["treo_pct"].astype(object)
    a.loc[1, "treo_pct"] = str(value)
    with pytest.raises(InputError, match="is not a number >= 0"):
        validate_drillholes(c, s, a)


def test_grade_over_100_percent_is_refused(tmp_path, capsys):
    """A huge assay (1e308 %) became an infinite variogram sill."""
    for name, data in seeds.drillholes().items():
        (tmp_path / name).write_bytes(data)
    assay = pd.read_csv(tmp_path / "assay.csv")
    assay.loc[assay["CU"].notna().idxmax(), "CU"] = 1e308
    assay.to_csv(tmp_path / "assay.csv", index=False)
    (tmp_path / "p.yaml").write_text(seeds.RESOURCE_PROJECT)
    parser = argparse.ArgumentParser()
    register_deposit(parser.add_subparsers())
    args = parser.parse_args(["resource", str(tmp_path / "p.yaml"), "--json"])
    with pytest.raises(InputError, match="deposit.grades.cu"):
        args.func(args)


def test_search_pattern_with_absurd_benches_is_refused_at_once(tmp_path):
    """``reeflow pit --benches 100000`` built the search pattern bench by bench: a hang."""
    import time

    from reeflow.mine.commands import register as register_mine
    from reeflow.mine.precedence import min_search_offsets

    (tmp_path / "b.csv").write_bytes(seeds.blocks_csv())
    parser = argparse.ArgumentParser()
    register_mine(parser.add_subparsers())
    t0 = time.perf_counter()
    for extra in (["--benches", "100000"], ["--block-size", "20", "20", "1e300"]):
        args = parser.parse_args(["pit", str(tmp_path / "b.csv"), "--json", *extra])
        if extra[0] == "--block-size":  # sizes from the option, not the file's columns
            args.block_model = str(tmp_path / "v.csv")
            seeds.blocks()[["ix", "iy", "iz", "value_usd"]].to_csv(args.block_model, index=False)
        with pytest.raises(InputError, match="n_benches"):
            args.func(args)
    with pytest.raises(InputError, match="n_benches"):
        min_search_offsets((10.0, 10.0, 10.0), 45.0, n_benches=51)
    assert time.perf_counter() - t0 < 10.0
    assert len(min_search_offsets((10.0, 10.0, 10.0), 45.0, n_benches=8)) > 0


def test_pit_fill_with_a_nan_slope_is_an_input_error(tmp_path):
    """``pit --missing waste --slope nan``: the waste padding took int(NaN) (ValueError)."""
    from reeflow.mine.commands import register as register_mine

    df = seeds.blocks().drop(index=[0, 1])  # two empty cells: waste padding runs
    df.to_csv(tmp_path / "b.csv", index=False)
    (tmp_path / "e.yaml").write_text(seeds.economics())
    parser = argparse.ArgumentParser()
    register_mine(parser.add_subparsers())
    args = parser.parse_args(["pit", str(tmp_path / "b.csv"), "--economics",
                              str(tmp_path / "e.yaml"), "--missing", "waste", "--slope", "nan"])
    with pytest.raises(InputError, match="slopes_deg"):
        args.func(args)


def test_a_5000_character_cell_gives_a_short_error_line():
    """A 5 kB non-numeric assay cell was quoted whole in each finding: an error line longer than
    the terminal (and the fuzz worker's 4 kB window)."""
    c, s, a = _tables()
    a["treo_pct"] = a["treo_pct"].astype(object)
    a.loc[1, "treo_pct"] = "x" * 5000
    with pytest.raises(InputError) as e:
        validate_drillholes(c, s, a)
    assert "is not a number" in str(e.value) and len(str(e.value)) < 1000


def test_error_line_is_bounded_whatever_the_message_quotes():
    """A reader's message quoting a 5 kB GSLIB cell made a 5 kB error line (the fix text was not
    cut like the value)."""
    e = InputError("gslib.data", "blocks.dat", "6 numeric columns", "bad: '" + "x" * 5000 + "'")
    assert len(str(e)) < 3000 and str(e).endswith("characters)") and len(e.fix) > 5000


def test_plan_scene_ignores_text_in_coordinate_columns():
    """A block model placed by ix, iy, iz with a text cell in its y column: the plan's scene
    converted y to float (ValueError) after the grid had been built from the indices."""
    from reeflow.core.gslib import BlockGrid
    from reeflow.mine.scene import world_coordinates

    df = seeds.blocks().copy()
    df["y"] = df["y"].astype(object)
    df.loc[3, "y"] = "x" * 50
    rows = np.arange(len(df))
    xyz = world_coordinates(df["ix"].to_numpy(), df["iy"].to_numpy(), df["iz"].to_numpy(), df,
                            rows, BlockGrid((-10.0, -10.0, -5.0), (20.0, 20.0, 10.0), (9, 9, 9)))
    assert np.allclose(xyz[:, 1], 2010.0 + 20.0 * df["iy"].to_numpy())


def test_krige_with_no_sample_left_is_an_input_error(tmp_path):
    """A truncated assay file left no composite with grades: grid_covering took the minimum of
    an empty array (ValueError)."""
    for name, data in seeds.drillholes().items():
        (tmp_path / name).write_bytes(data)
    lines = (tmp_path / "assay.csv").read_text().splitlines()
    (tmp_path / "assay.csv").write_text("\n".join(lines[:2]) + "\n")  # header, a blank interval
    parser = argparse.ArgumentParser()
    register_deposit(parser.add_subparsers())
    (tmp_path / "model.yaml").write_text(seeds.krige_model())
    args = parser.parse_args(["krige", *(str(tmp_path / f"{k}.csv") for k in (
        "collar", "survey", "assay")), "--model", str(tmp_path / "model.yaml"), "--json"])
    with pytest.raises(InputError, match="no composite"):
        args.func(args)


@pytest.mark.parametrize("col, value", [("y", 1e308), ("x", -1e12), ("max_depth_m", 1e9)])
def test_absurd_collar_coordinates_are_data_errors(col, value):
    """A collar at y = 1e308 overflowed the variography's lag sums (RuntimeWarning, exit 1)."""
    c, s, a = _tables()
    c.loc[1, col] = value
    with pytest.raises(InputError, match=f"collar {col}="):
        validate_drillholes(c, s, a)


@pytest.mark.parametrize("old, new", [
    ("NBLOCKS: 18", "NBLOCKS: 100000000"), ("NPERIODS: 3", "NPERIODS: 100000000"),
    ("NRESOURCE_SIDE_CONSTRAINTS: 1", "NRESOURCE_SIDE_CONSTRAINTS: 100000000"),
    ("\\n5 -2\\n", "\\n4 -2\\n"), ("\\n5 -2\\n", "\\n-1 -2\\n"), ("\\n5 0 1\\n", "\\n99 0 1\\n")])
def test_minelib_cpit_header_and_ids_are_checked_before_allocating(tmp_path, old, new):
    """NBLOCKS or NPERIODS of 1e8 allocated gigabytes (MemoryError); a repeated or negative
    block id silently left a block's profit at 0."""
    from reeflow.mine.minelib import read_minelib_cpit

    text = seeds.minelib_cpit().decode()
    assert old.replace("\\n", "\n") in text
    (tmp_path / "t.cpit").write_text(text.replace(old.replace("\\n", "\n"),
                                                  new.replace("\\n", "\n"), 1))
    (tmp_path / "t.prec").write_bytes(seeds.minelib_prec())
    with pytest.raises(InputError):
        read_minelib_cpit(tmp_path / "t.cpit")


def test_minelib_upit_repeated_id_is_refused(tmp_path):
    from reeflow.mine.minelib import read_minelib_upit

    (tmp_path / "t.upit").write_text(seeds.minelib_upit().decode().replace("\n5 -2\n", "\n4 -2\n"))
    with pytest.raises(InputError, match="block ids"):
        read_minelib_upit(tmp_path / "t.upit")


@pytest.mark.parametrize("suffix", [".upit", ".prec"])
def test_minelib_id_beyond_int64_is_an_input_error(tmp_path, suffix):
    """A block id of 99999999999999999999999 overflowed the int64 arrays (OverflowError)."""
    from reeflow.mine.minelib import read_minelib_prec, read_minelib_upit

    (tmp_path / "t.upit").write_bytes(seeds.minelib_upit())
    (tmp_path / "t.prec").write_bytes(seeds.minelib_prec())
    path = tmp_path / f"t{suffix}"
    path.write_text(path.read_text().replace("\n9 ", "\n99999999999999999999999 ", 1))
    reader = read_minelib_upit if suffix == ".upit" else read_minelib_prec
    with pytest.raises(InputError):
        reader(path)


def test_krige_model_given_a_project_or_a_short_file_says_so_briefly():
    """Fuzz round 15: ``krige --model project.yaml`` quoted the whole project (12,206
    characters) as the value of a missing ``variogram``."""
    with pytest.raises(InputError) as e:
        load_krige_model({"name": "x", "ore": {}, "plant": {}, "economics": {}})
    assert e.value.field == "--model" and "reeflow resource" in e.value.fix
    with pytest.raises(InputError) as e:
        load_krige_model({"search": {}, "variables": ["cu"]})
    assert e.value.field == "variogram" and len(str(e.value)) < 300
    assert "keys given: search, variables" in str(e.value.value)
