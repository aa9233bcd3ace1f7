"""Physical ceilings on SX inputs (reeflow.plant.sx.bounds) and ragged shake-out CSV lines.

- ``sx fit``: a line with more or fewer cells than the header was read shifted (more: pandas'
  tokenizer error; fewer: the last columns silently blank) and 1e308 mol/L was fitted;
- ``sx simulate``: H (and a rare earth) at 1e6 mol/L in a feed ran;
- ``sx train``: ``feed_kg_per_h: {La: 1e9}`` (8.8 Gt/a) ran for 70 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reeflow.core.errors import InputError
from reeflow.plant.sx.bounds import (
    MAX_CONCENTRATION_MOL_PER_L,
    MAX_FEED_KG_PER_H,
    check_feed_rate,
)
from reeflow.plant.sx.fit import read_shakeout_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sx"
HEADER = "pH,extractant_mol_per_L,Nd_aq_mol_per_L,Nd_org_mol_per_L\n"
ROWS = ["1.5,1.0,0.001,0.0002\n", "2.0,1.0,0.001,0.002\n", "2.5,1.0,0.001,0.02\n"]


def _sx(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, text: str,
        name: str = "spec.yaml") -> tuple[int, str]:
    from reeflow.cli import main

    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    rc = main(["sx", command, str(f)])
    return rc, capsys.readouterr().err


# ------------------------------------------------------------------ sx fit: ragged lines


@pytest.mark.parametrize(("row", "found"), [
    ("2.0,1.0,0.001,0.002,5\n", 5), ("2.0,1.0,0.001\n", 3), ("2.0,0.001,0.002\n", 3)])
def test_a_ragged_line_is_refused_by_its_line_number_and_cell_counts(tmp_path, capsys, row,
                                                                      found):
    """Header = line 1; a comment and a blank line above the header count, as in an editor."""
    text = "# shake-out tests\n\n" + HEADER + ROWS[0] + row + ROWS[2]
    rc, err = _sx(tmp_path, capsys, "fit", text, "d.csv")
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"reeflow: error: d.csv: line 5 (data row 2): got '{found} cells'; "
                          "allowed: 4 cells, one per header column (line 3)")


def test_a_header_unlike_every_data_line_is_the_line_named(tmp_path):
    text = HEADER + "".join(r.replace("\n", ",\n") for r in ROWS)  # a trailing comma each
    p = tmp_path / "d.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=r"line 1 \(the header\): got '4 cells'; allowed: "
                                         r"5 cells, as every data line has"):
        read_shakeout_csv(p)


def test_quoted_commas_comments_and_blank_cells_are_not_ragged(tmp_path):
    text = ("test_id," + HEADER + '"T,1",' + ROWS[0] + "T2," + ROWS[1].replace(
        "0.001,0.002", ",") + "\n   \nT3," + ROWS[2].replace("\n", "  # last test\n"))
    p = tmp_path / "d.csv"
    p.write_text(text)
    d = read_shakeout_csv(p)
    assert d.test_id == ("T,1", "T2", "T3")


# ------------------------------------------------------------------ sx fit: concentrations


@pytest.mark.parametrize(("header", "cell", "column"), [
    (HEADER, "1e308", "Nd_aq_mol_per_L"),
    (HEADER.replace("pH", "H_mol_per_L"), "60", "H_mol_per_L"),
    (HEADER, "1000", "extractant_mol_per_L")])
def test_a_concentration_above_the_molarity_of_water_is_refused(tmp_path, capsys, header,
                                                               cell, column):
    row = {"Nd_aq_mol_per_L": f"2.0,1.0,{cell},0.002\n", "H_mol_per_L": f"{cell},1.0,0.001,"
           "0.002\n", "extractant_mol_per_L": f"2.0,{cell},0.001,0.002\n"}[column]
    rc, err = _sx(tmp_path, capsys, "fit", header + ROWS[0] + row + ROWS[2], "d.csv")
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert f"d.csv: row 2, column {column}: got {float(cell)!r}; allowed: <= 55.5 mol/L" in err


def test_the_ceiling_itself_is_accepted_by_the_reader(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(HEADER.replace("pH", "H_mol_per_L") + f"{MAX_CONCENTRATION_MOL_PER_L},1.0,"
                 "0.001,0.0002\n" + "".join("0.01," + r.split(",", 1)[1] for r in ROWS[1:]))
    assert read_shakeout_csv(p).ph[0] == pytest.approx(-1.744, abs=1e-3)


# ------------------------------------------------------------------ sx simulate: feeds


@pytest.mark.parametrize(("old", "new", "key"), [
    ("Sm: 0.02, H: 0.001}", "Sm: 0.02, H: 1000000}", "feeds[0].mol_per_L.H"),
    ("{La: 0.02,", "{La: 1e+6,", "feeds[0].mol_per_L.La"),
    ("{H: 3.0}", "{H: 56}", "feeds[2].mol_per_L.H")])
def test_a_cascade_feed_concentration_is_bounded_and_named(tmp_path, capsys, old, new, key):
    text = (EXAMPLES / "cascade_mass_action.yaml").read_text(encoding="utf-8")
    assert old in text
    rc, err = _sx(tmp_path, capsys, "simulate", text.replace(old, new))
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"reeflow: error: {key}: got ")
    assert "allowed: <= 55.5 mol/L" in err


# ------------------------------------------------------------------ sx train / design: feed


@pytest.mark.parametrize(("old", "new", "starts"), [
    ("La: 250.0", "La: 1e+9", "feed_kg_per_h.La: got '1e+09 kg/h'"),
    ("La: 250.0, Ce: 450.0", "La: 3.0e+6, Ce: 3.0e+6", "feed_kg_per_h: got '6e+06 kg/h in all'")])
def test_a_train_feed_above_100x_world_production_is_refused(tmp_path, capsys, old, new, starts):
    text = (EXAMPLES / "train_beylikova.yaml").read_text(encoding="utf-8")
    assert old in text
    rc, err = _sx(tmp_path, capsys, "train", text.replace(old, new))
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"reeflow: error: {starts}; allowed: <= 4.4e+06 kg/h in all")
    assert "USGS" in err


def test_a_design_feed_in_mol_per_h_is_held_to_the_same_ceiling(tmp_path, capsys):
    text = "extractant: P507\nfeed_mol_per_h: {Pr: 1.0e+12, Nd: 75.0}\nheavy: [Nd]\n"
    rc, err = _sx(tmp_path, capsys, "design", text)
    assert rc == 2 and err.startswith("reeflow: error: feed_mol_per_h.Pr: got '1.409e+11 kg/h'")


def test_feed_ceiling_basis():
    """100 x 390,000 t REO/a (USGS MCS 2026, world 2025e) over 8766 h/a, rounded down."""
    assert MAX_FEED_KG_PER_H <= 100 * 390_000e3 / 8766 < 1.02 * MAX_FEED_KG_PER_H
    check_feed_rate({"La": MAX_FEED_KG_PER_H}, "feed_kg_per_h")  # the ceiling itself passes


# ------------------------------------------------------------------ sx design: stage search


def test_the_stage_search_does_not_overshoot_a_guess_one_stage_short(monkeypatch):
    """99.999 % Nd/Pr at 0.85 x Xu's reflux (the first point of ``optimise_reflux``'s scan):
    Xu's guess, 120 stages, is one short; the 1.5x expansion simulated 181-stage cascades
    (5 s each near the pinch, 70 s of the scan's 73 s) for an answer of 121."""
    import reeflow.plant.sx.design as design
    from reeflow.core.elements import atomic_mass
    from reeflow.plant.sx.data import relative_extractability
    from reeflow.plant.sx.settings import SXDesign

    totals: list[int] = []
    simulate_cut = design.simulate_cut

    def counted(feed, alpha, n, m, *args, **kwargs):
        totals.append(n + m)
        return simulate_cut(feed, alpha, n, m, *args, **kwargs)

    monkeypatch.setattr(design, "simulate_cut", counted)
    feed = {"Pr": 25e3 / atomic_mass("Pr"), "Nd": 75e3 / atomic_mass("Nd")}
    cd = design.design_cut(feed, ["Nd"], alpha=relative_extractability("P507", list(feed),
                                                                       [("Nd", "Pr")]),
                           purity_organic=0.99999, purity_aqueous=0.99999, reflux_factor=0.85,
                           conditions=SXDesign().to_conditions("P507"))
    assert sum(cd.ideal_stages) == 121
    assert max(totals) <= 125


@pytest.mark.parametrize("marker", ["NA", "nan", "null", "n/a"])
def test_a_missing_marker_is_text_not_a_blank(tmp_path, marker):
    """pandas read NA, nan, null and n/a as blank cells, and the fit left the points out without
    a word (fuzz round 34): only an empty cell is "not measured"."""
    rows = [ROWS[0].replace("\n", "").rsplit(",", 1)[0] + f",{marker}\n", *ROWS[1:]]
    p = tmp_path / "d.csv"
    p.write_text(HEADER + "".join(rows))
    with pytest.raises(InputError, match=f"row 1, column .*: got '{marker}'"):
        read_shakeout_csv(p)


def test_a_column_named_twice_is_refused_by_its_name(tmp_path):
    """pandas renamed the second pH to pH.1, and the refusal named a column the file lacks."""
    p = tmp_path / "d.csv"
    p.write_text(HEADER.replace("\n", ",pH\n") + "".join(r.replace("\n", ",2\n") for r in ROWS))
    with pytest.raises(InputError, match=r"header: got \['pH'\]; allowed: each column named "
                                         r"once"):
        read_shakeout_csv(p)


@pytest.mark.parametrize(("old", "new", "starts"), [
    ("mol_per_L: {Pr: 0.5, Nd: 0.5}", "mol_per_L: {Pr: 30, Nd: 30}",
     "feeds[0].mol_per_L (all components): got 60.0; allowed: <= 55.5 mol/L"),
    ("flow_L_per_h: 1.0, mol_per_L: {Pr: 0.5", "flow_L_per_h: 1.0e+8, mol_per_L: {Pr: 0.5",
     "feeds[0].mol_per_L.Pr: got '7.045e+06 kg/h'; allowed: <= 4.4e+06 kg/h")])
def test_a_cascade_feed_s_sum_and_rate_are_held_as_design_holds_them(tmp_path, capsys, old,
                                                                       new, starts):
    """Each component was held to 55.5 mol/L but not their sum (La 30 + Ce 30 ran), and a
    simulated feed had no rate ceiling where design and train have one (fuzz round 34)."""
    text = (EXAMPLES / "cascade_xu_e1.yaml").read_text(encoding="utf-8")
    assert old in text
    rc, err = _sx(tmp_path, capsys, "simulate", text.replace(old, new))
    assert rc == 2 and err.startswith(f"reeflow: error: {starts}"), err


@pytest.mark.parametrize(("feed", "says"), [
    ("{Pr: 0, Nd: 0}", "feed_kg_per_h: got 'Pr, Nd at 0'; allowed: at least one heavy element"),
    ("{Pr: 0, Nd: 75.0}", "feed_kg_per_h: got 'Pr at 0'; allowed: at least one light (not in "
     "heavy) element")])
def test_a_design_feed_with_a_side_at_zero_names_the_feed(tmp_path, capsys, feed, says):
    """An all-zero feed was refused as "heavy: got []" and a zero light side as "cut: got
    (('Nd',), ())", keys the file does not have or did not get wrong (fuzz round 34)."""
    text = (EXAMPLES / "design_ndpr.yaml").read_text(encoding="utf-8")
    rc, err = _sx(tmp_path, capsys, "design", text.replace("{Pr: 25.0, Nd: 75.0}", feed))
    assert rc == 2 and err.startswith(f"reeflow: error: {says}"), err
