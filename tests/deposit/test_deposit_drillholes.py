"""Drillhole reading and validation: alias mapping, every fault named with hole and depth,
strict vs lenient modes, CSV round trip of the synthetic set."""

import numpy as np
import pandas as pd
import pytest

from reeflow.core.errors import InputError
from reeflow.deposit import (
    load_synthetic_spec,
    read_drillholes,
    synthetic_drillholes,
    validate_drillholes,
)
from reeflow.deposit.drillholes import column_aliases, parse_assay_values
from reeflow.deposit.synthetic import write_drillhole_csvs


def _tables():
    collars = pd.DataFrame({"BHID": ["A", "B"], "XCOLLAR": [0.0, 50.0], "YCOLLAR": [0.0, 0.0],
                            "ZCOLLAR": [100.0, 100.0], "LENGTH": [20.0, 20.0]})
    surveys = pd.DataFrame({"HOLEID": ["A", "A", "B"], "AT": [0.0, 10.0, 0.0],
                            "BRG": [0.0, 0.0, 90.0], "DIP": [-90.0, -90.0, -60.0]})
    assays = pd.DataFrame({"HOLE_ID": ["A", "A", "A", "B", "B"],
                           "FROM": [0.0, 2.0, 4.0, 0.0, 5.0], "TO": [2.0, 4.0, 6.0, 5.0, 10.0],
                           "TREO": ["1.0", "2.0", "<0.01", "1.5", "0.5"]})
    return collars, surveys, assays


def test_aliases_map_datamine_and_acquire_names():
    dh = validate_drillholes(*_tables())
    assert list(dh.collars.columns[:5]) == ["hole_id", "x", "y", "z", "max_depth_m"]
    assert {"from_m", "to_m", "TREO"} <= set(dh.assays.columns)
    assert set(column_aliases()["evidence"]) <= {"published", "assumed"}


def test_below_detection_half_limit_and_listed():
    dh = validate_drillholes(*_tables())
    assert dh.assays.loc[2, "TREO"] == pytest.approx(0.005)
    bdl = dh.issues[dh.issues["kind"] == "below_detection"]
    assert len(bdl) == 1 and "A" in bdl["message"].iat[0] and bdl["depth_m"].iat[0] == 4.0
    v, below, bad = parse_assay_values(pd.Series(["<0.5", "x", "", "1e-2"]), column="c",
                                       below_detection_factor=1.0)
    assert v[0] == 0.5 and below.tolist() == [True, False, False, False]
    assert bad.tolist() == [False, True, False, False] and np.isnan(v[2]) and v[3] == 0.01


def test_a_blank_assay_cell_is_listed_once_per_column():
    collars, surveys, assays = _tables()
    assays["TREO"] = ["1.0", "", "<0.01", "NS", "0.5"]
    dh = validate_drillholes(collars, surveys, assays, mode="lenient")
    row = dh.issues[dh.issues["kind"] == "not_assayed"]
    assert len(row) == 1 and row["severity"].iat[0] == "warning"
    assert "2 of 5 intervals have no TREO" in row["message"].iat[0]
    assert row["hole_id"].iat[0] == "A" and row["depth_m"].iat[0] == 2.0
    assert (dh.issues["kind"] == "not_assayed").sum() == 1
    clean = validate_drillholes(*_tables())
    assert not (clean.issues["kind"] == "not_assayed").any()


@pytest.mark.parametrize("fault,kind,hole,depth", [
    ("overlap", "overlap", "A", 3.0),
    ("no_collar", "no_collar", "C", 0.0),
    ("dup", "duplicate_id", "A", 0.0),
    ("survey_order", "survey_order", "A", 5.0),
    ("text", "non_numeric", "B", 5.0),
    ("past_eoh", "past_eoh", "B", 25.0),
])
def test_each_fault_named_with_hole_and_depth(fault, kind, hole, depth):
    c, s, a = _tables()
    if fault == "overlap":
        a.loc[len(a)] = ["A", 3.0, 5.0, "1.0"]
    elif fault == "no_collar":
        a.loc[len(a)] = ["C", 0.0, 1.0, "1.0"]
    elif fault == "dup":
        c.loc[len(c)] = ["A", 9.0, 9.0, 9.0, 9.0]
    elif fault == "survey_order":
        s.loc[len(s)] = ["A", 5.0, 0.0, -90.0]
    elif fault == "text":
        a.loc[4, "TREO"] = "n/a?"
    elif fault == "past_eoh":
        a.loc[len(a)] = ["B", 15.0, 25.0, "1.0"]
    with pytest.raises(InputError) as exc:
        validate_drillholes(c, s, a, mode="strict")
    assert f"hole {hole}" in str(exc.value)
    dh = validate_drillholes(c, s, a, mode="lenient")
    row = dh.issues[dh.issues["kind"] == kind]
    assert len(row) >= 1
    assert row["hole_id"].iat[0] == hole and row["depth_m"].iat[0] == pytest.approx(depth)
    assert row["action"].iat[0].startswith("excluded")


def test_gap_is_a_warning_not_an_error():
    c, s, a = _tables()
    a = a.drop(index=1)
    dh = validate_drillholes(c, s, a, mode="strict")
    gap = dh.issues[dh.issues["kind"] == "gap"]
    assert len(gap) == 1 and gap["depth_m"].iat[0] == 2.0 and gap["hole_id"].iat[0] == "A"


def test_missing_column_names_aliases():
    c, s, a = _tables()
    with pytest.raises(InputError, match="XCOLLAR"):
        validate_drillholes(c.drop(columns="XCOLLAR"), s, a)


def test_synthetic_csv_round_trip(tmp_path):
    dh = synthetic_drillholes(load_synthetic_spec()[0], holes=20, hole_length_m=120.0)
    paths = write_drillhole_csvs(dh, tmp_path)
    back = read_drillholes(paths["collar"], paths["survey"], paths["assay"])
    assert back.synthetic
    pd.testing.assert_frame_equal(back.assays[list(dh.grade_columns)],
                                  dh.assays[list(dh.grade_columns)], check_exact=False,
                                  rtol=1e-12)
    with pytest.raises(InputError):
        read_drillholes(tmp_path / "nope.csv", paths["survey"], paths["assay"])


def test_unsurveyed_holes_use_collar_orientation_or_are_flagged():
    c, s, a = _tables()
    s = s[s["HOLEID"] == "A"]
    with pytest.raises(InputError, match="hole B: no survey"):
        validate_drillholes(c, s, a)
    dh = validate_drillholes(c, s, a, mode="lenient")
    assert "B" not in set(dh.assays["hole_id"])
    c["AZIMUTH"], c["DIP"] = [0.0, 90.0], [-90.0, -60.0]
    dh = validate_drillholes(c, s, a)
    row = dh.surveys[dh.surveys["hole_id"] == "B"]
    assert row["azimuth_deg"].iat[0] == 90.0 and row["dip_deg"].iat[0] == -60.0


def test_feet_and_positive_down_dips_are_converted_once(tmp_path):
    """Files in feet with dips positive downwards (the Babbitt convention) become metres and
    negative dips; a collar table without a depth column takes the deepest interval."""
    c = pd.DataFrame({"BHID": ["A"], "XCOLLAR": [1000.0], "YCOLLAR": [2000.0],
                      "ZCOLLAR": [1500.0]})
    s = pd.DataFrame({"BHID": ["A", "A"], "AT": [0.0, 90000.0], "AZ": [0.0, 0.0],
                      "DIP": [90.0, 90.0]})
    a = pd.DataFrame({"BHID": ["A", "A"], "FROM": [0.0, 10.0], "TO": [10.0, 25.0],
                      "CU": [0.5, 0.7]})
    dh = validate_drillholes(c, s, a, length_unit="ft", dip_positive_down=True)
    assert dh.collars["z"].iat[0] == pytest.approx(1500 * 0.3048)
    assert dh.collars["max_depth_m"].iat[0] == pytest.approx(25 * 0.3048)
    assert (dh.surveys["dip_deg"] == -90.0).all()
    assert dh.assays["to_m"].tolist() == pytest.approx([10 * 0.3048, 25 * 0.3048])
    assert (dh.issues["kind"] == "derived_depth").sum() == 1
    with pytest.raises(InputError, match="length_unit"):
        validate_drillholes(c, s, a, length_unit="yard")


def test_findings_of_a_file_in_feet_quote_its_feet():
    """Fuzz round 15: a file in feet had its findings quoted in metres with float noise
    (``36.66744000000001 m``); the depths are now checked in the file's unit and converted
    after, and the findings table keeps metres."""
    c = pd.DataFrame({"hole_id": ["A", "B"], "x": [0, 100], "y": [0, 0], "z": [1000, 1000],
                      "max_depth_m": [100.0, 100.0]})
    s = pd.DataFrame({"hole_id": ["A", "B"], "depth_m": [0, 0], "azimuth_deg": [0, 0],
                      "dip_deg": [-90, -90]})
    a = pd.DataFrame({"hole_id": ["A", "A", "B", "B"], "from_m": [0, 10.1, 0, 50],
                      "to_m": [10.1, 120.3, 60, 70], "treo_pct": [1, 2, 1, 2]})
    dh = validate_drillholes(c, s, a, mode="lenient", length_unit="ft")
    msgs = dict(zip(dh.issues["kind"], dh.issues["message"], strict=True))
    assert msgs["past_eoh"] == "hole A: interval ends at 120.3 ft, past the end of hole 100 ft"
    assert msgs["overlap"] == ("hole B: interval 50-70 ft overlaps the previous one ending at "
                               "60 ft")
    depth = dict(zip(dh.issues["kind"], dh.issues["depth_m"], strict=True))
    assert depth["past_eoh"] == pytest.approx(120.3 * 0.3048)
    assert dh.assays["to_m"].tolist() == pytest.approx([10.1 * 0.3048, 60 * 0.3048])


def test_strict_errors_name_their_files_and_hide_follow_ons(tmp_path):
    """Fuzz round 5: two holes without surveys gave "62 data errors" on one line (a follow-on
    per interval), none naming a file; a negative depth was called "to <= from"."""
    c, s, a = _tables()
    names = {"collar": "collars.csv", "survey": "surveys.csv", "assay": "assays.csv"}
    s = s[s["HOLEID"] != "A"]  # hole A: no survey rows, so no valid collar for its intervals
    with pytest.raises(InputError) as exc:
        validate_drillholes(c, s, a, mode="strict", files=names)
    err = exc.value
    assert err.field == "deposit.drillholes" and "collars.csv" in str(err.value)
    assert "assays.csv: hole A: 3 interval(s) have no valid collar" in err.fix
    assert err.fix.count("no valid collar") == 1  # one finding per hole, not per interval
    c, s, a = _tables()
    a.loc[len(a)] = ["B", -2.0, 0.0, "1.0"]
    with pytest.raises(InputError) as exc:
        validate_drillholes(c, s, a, mode="strict", files=names)
    assert "assays.csv: hole B: interval from -2 to 0 m starts above the collar" \
        in exc.value.fix


def test_findings_quote_cells_plainly_and_name_only_the_wrong_survey_fields():
    """Messages read "TREO=np.float64(-1.5)" and listed every survey limit whatever was wrong
    (fuzz round 14)."""
    c, s, a = _tables()
    a["TREO"] = [1.0, 2.0, -1.5, 1.5, 0.5]
    s.loc[2, "BRG"] = 400.0
    dh = validate_drillholes(c, s, a, mode="lenient")
    msgs = " | ".join(dh.issues["message"])
    assert "TREO=-1.5 is not a number" in msgs and "np.float64" not in msgs
    bad = dh.issues[dh.issues["kind"] == "bad_survey"]["message"].iat[0]
    assert "azimuth 400 (allowed 0-360)" in bad and "dip" not in bad and "depth" not in bad


def test_blank_rows_of_a_spreadsheet_export_are_not_data(tmp_path):
    dh = synthetic_drillholes(load_synthetic_spec()[0], holes=5, hole_length_m=60.0)
    paths = write_drillhole_csvs(dh, tmp_path)
    for key in ("collar", "survey", "assay"):
        text = paths[key].read_text(encoding="utf-8")
        n = text.splitlines()[0].count(",")
        paths[key].write_text(text + ("," * n + "\n") * 2, encoding="utf-8")
    back = read_drillholes(paths["collar"], paths["survey"], paths["assay"])
    assert len(back.collars) == len(dh.collars)
    assert not back.issues["message"].str.contains("nan").any()


def test_two_columns_for_one_field_are_refused():
    """A collar file with both X and EAST used the first silently (fuzz round 14)."""
    c, s, a = _tables()
    c["EAST"] = c["XCOLLAR"] + 1000.0
    with pytest.raises(InputError, match=r"^collar\.columns: got \['XCOLLAR', 'EAST'\].*"
                                         r"one column for 'x'"):
        validate_drillholes(c, s, a)


def test_holes_that_point_upward_are_flagged_once():
    """Every dip's sign flipped put the ore above the collars with 0 findings (fuzz round 14)."""
    c, s, a = _tables()
    up = validate_drillholes(c, s.assign(DIP=-s["DIP"]), a, mode="lenient")
    row = up.issues[up.issues["kind"] == "upward_hole"]
    assert len(row) == 1 and row["severity"].iat[0] == "error"
    assert row["message"].iat[0].startswith("every hole points upward (2 holes")
    assert "dip_positive_down: true" in row["message"].iat[0]
    assert len(row["message"].iat[0]) <= 160  # quoted whole in the strict mode's line
    # one hole of two upward: a warning, the data kept
    one = validate_drillholes(c, s.assign(DIP=[-s["DIP"].iat[0], *s["DIP"].iloc[1:]]), a)
    row = one.issues[one.issues["kind"] == "upward_hole"]
    assert len(row) == 1 and row["severity"].iat[0] == "warning"
    assert row["message"].iat[0].startswith("1 of 2 holes point upward")
    # every hole upward: the strict mode stops (a 73 Mt resource in the air, fuzz round 17)
    with pytest.raises(InputError, match="every hole points upward"):
        validate_drillholes(c, s.assign(DIP=-s["DIP"]), a)
    assert not (validate_drillholes(c, s, a).issues["kind"] == "upward_hole").any()


def test_a_collar_oriented_hole_that_points_upward_is_flagged_too():
    """The upward check ran before collar-only holes got their station (review)."""
    c, s, a = _tables()
    c["AZIMUTH"], c["DIP"] = [0.0, 0.0], [-90.0, 60.0]
    dh = validate_drillholes(c, s[s["HOLEID"] == "A"], a)
    row = dh.issues[dh.issues["kind"] == "upward_hole"]
    assert len(row) == 1 and row["message"].iat[0].startswith("1 of 2 holes point upward")
    flipped = validate_drillholes(c.assign(DIP=[90.0, -60.0]), s[s["HOLEID"] == "A"].assign(
        DIP=90.0), a, dip_positive_down=True)
    row = flipped.issues[flipped.issues["kind"] == "upward_hole"]
    assert row["action"].iat[0].endswith("dip_positive_down: false")


def test_two_copies_of_one_field_that_agree_are_read_once():
    c, s, a = _tables()
    c["EAST"] = c["XCOLLAR"]
    dh = validate_drillholes(c, s, a)
    assert list(dh.collars["x"]) == [0.0, 50.0]
