"""Market data: provenance on every row, missing is NaN (never 0), vintages side by side."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.market import data as md
from reeflow.market.supply import UNATTRIBUTED, stage_table, usgs_rounding_half_unit_t

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "usgs" / "mcs2026_rare_earths.csv"
EVIDENCE = {"measured", "published", "derived", "assumed"}


def test_every_usgs_row_has_source_and_evidence():
    for table in (md.production_table(), md.reserves_table()):
        assert table["source"].notna().all() and (table["source"].str.len() > 5).all()
        assert set(table["evidence"]) <= EVIDENCE
        assert set(table["verification"]) <= {"V", "S", "D", "U"}


def test_iea_rows_have_source_and_evidence():
    for table in (md.iea_shares_table(), md.iea_demand_table(), md.china_quotas_table()):
        assert table["source"].notna().all()
        assert set(table["evidence"]) <= EVIDENCE


def test_missing_is_nan_never_zero():
    prod = md.production_table()
    missing = prod[prod["status"].isin(["not_found", "not_available", "not_shipped"])]
    assert len(missing) > 0 and missing["value_t_reo"].isna().all()
    zero = prod[prod["value_t_reo"] == 0]
    assert (zero["status"] == "zero").all()  # USGS "—" only


def test_unverified_value_is_not_shipped():
    res = md.reserves_table()
    row = res[(res["vintage"] == "MCS2024") & (res["country"] == md.WORLD)]
    assert row["status"].item() == "not_shipped" and math.isnan(row["value_t_reo"].item())


def test_vintages_disagree_and_both_are_kept():
    cmp = md.compare_vintages(2024)
    assert cmp.loc["Australia", "MCS2025"] == 13_000
    assert cmp.loc["Australia", "MCS2026v1.3"] == 29_000
    assert cmp.loc["Nigeria", "MCS2025"] == 13_000 and cmp.loc["Nigeria", "MCS2026v1.3"] == 1_500
    assert cmp.loc[md.WORLD, "MCS2025"] == 390_000 and cmp.loc[md.WORLD, "MCS2026v1.3"] == 380_000
    assert math.isnan(cmp.loc["Madagascar", "MCS2025"])  # not found, not zero


def test_brazil_reserve_revision_carried():
    res = md.reserves_table()
    brazil = res[(res["country"] == "Brazil") & (res["data_year"] == 2025)]
    assert dict(zip(brazil["vintage"], brazil["value_t_reo"], strict=True)) == {
        "MCS2026v1.3": 11_000_000, "MCS2026v1.0": 21_000_000}


def test_default_vintage_is_newest_complete():
    assert md.default_vintage(2024) == "MCS2026v1.3"
    assert md.default_vintage(2023) == "MCS2024"  # MCS2025 only revised China's 2023 figure
    assert md.available_years() == (2023, 2024, 2025)


@pytest.mark.parametrize("year,vintage", [(2023, "MCS2024"), (2024, "MCS2025"),
                                          (2024, "MCS2026v1.3"), (2025, "MCS2026v1.3")])
def test_listed_rows_match_world_within_usgs_rounding(year, vintage):
    """Shares sum to the world figure: Σ listed + Unattributed = USGS world total exactly, and the
    Unattributed remainder is within USGS's rounding of the world total (two significant digits)."""
    t = stage_table("mining", year, vintage=vintage)
    world = md.country_values(year, vintage=vintage).loc[md.WORLD, "value_t_reo"]
    assert t["t_reo_per_a"].sum() == pytest.approx(world, abs=1e-6)
    assert t["share_frac"].sum() == pytest.approx(1.0, abs=1e-12)
    assert abs(t.loc[UNATTRIBUTED, "t_reo_per_a"]) <= usgs_rounding_half_unit_t(world)


def test_verbatim_copy_matches_shared_usgs_file():
    if not SHARED.exists():
        pytest.skip("shared/data/usgs not present (reference data outside the repository)")
    with SHARED.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["section"] == "World Mine Production and Reserves"
                and r["mcs_chapter"] == "RARE EARTHS" and r["statistics"] == "Production"]
    prod = md.production_table()
    ours = prod[prod["vintage"] == "MCS2026v1.3"]
    got = {(c, int(y)): v for c, y, v in zip(ours["country"], ours["data_year"],
                                             ours["value_t_reo"], strict=True)}
    assert len(rows) == len(got) == 36
    for r in rows:
        assert got[(r["country"], int(r["year"]))] == float(r["value"])


def test_country_aliases_and_unknown_country():
    assert md.normalise_country("Myanmar") == "Burma"
    assert md.normalise_country("turkey") == "Türkiye"
    with pytest.raises(InputError, match="country"):
        md.normalise_country("Atlantis")


@pytest.mark.parametrize(("written", "country"), [
    ("Norway", "Norway"), ("namibia", "Namibia"), ("France", "France"),
    ("Myanmar (Burma)", "Burma"), ("Britain (UK)", "United Kingdom")])
def test_a_country_the_tables_do_not_list_is_a_country(written, country):
    """Fuzz round 50: a project in Norway or Namibia, separated in France, was refused with a
    list of the tables' countries that offered 'Other countries', itself refused; now any ISO
    3166 country is one (its baseline 0 t REO), and the ISO names of listed countries map to
    the tables' spelling."""
    assert md.normalise_country(written) == country


def test_an_unknown_country_gets_a_hint_and_no_group():
    with pytest.raises(InputError) as exc:
        md.normalise_country("Chna", field="market.home_country")
    assert "did you mean 'China'" in str(exc.value) and "Other countries" not in str(exc.value)
    assert "Other countries" not in md.iso_countries()


@pytest.mark.parametrize("year", [2019, 2030, "2025", 2025.0, True])
def test_unknown_year_is_input_error(year):
    with pytest.raises(InputError, match="market.year"):
        md.country_values(year)


def test_incomplete_vintage_is_input_error():
    with pytest.raises(InputError, match="market.vintage"):
        md.country_values(2023, vintage="MCS2025")


def test_parameters_carry_source_and_evidence():
    params = md.parameters()
    assert "home_country" not in params  # a project's datum, not a default
    for key in ("separation_abroad_country", "flag_threshold_frac",
                "about_tolerance_frac", "separation_world_total_basis"):
        assert params[key]["source"] and params[key]["evidence"] in EVIDENCE
    assert np.isfinite(md.parameter("flag_threshold_frac"))
