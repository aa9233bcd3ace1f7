"""HHI, top-n, reserve life and EU supply risk against hand computation and the reference notes."""

from __future__ import annotations

import csv
import math
from importlib import resources

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.market import (
    concentration_table,
    eu_supply_risk,
    hhi,
    hhi_class,
    hhi_range,
    hhi_wgi,
    reserve_life_a,
    reserve_life_table,
    shares_frac,
    stage_table,
    summarise,
    top_n_share,
)


def test_hhi_hand_computed():
    # 50/30/20 -> 2500 + 900 + 400
    assert hhi([0.5, 0.3, 0.2]) == pytest.approx(3800.0, abs=1e-9)
    assert hhi([1.0]) == pytest.approx(10_000.0)
    assert hhi(np.full(100, 0.01)) == pytest.approx(100.0)


def _usgs_2025_from_raw_csv() -> tuple[dict[str, float], float]:
    """Independent read of the verbatim USGS copy with the csv module (no pandas, no reeflow)."""
    path = resources.files("reeflow.data.market").joinpath("usgs_mcs2026_world_rare_earths.csv")
    with path.open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    rows = [r for r in csv.DictReader(lines) if r["mcs_chapter"] == "RARE EARTHS"
            and r["statistics"] == "Production" and r["year"] == "2025"]
    world = next(float(r["value"]) for r in rows if r["country"] == "World total")
    named = {r["country"]: float(r["value"]) for r in rows
             if r["country"] not in ("World total", "Other countries")}
    return named, world


def test_mining_hhi_2025_cross_check_with_plain_python():
    named, world = _usgs_2025_from_raw_csv()
    by_hand = sum((100.0 * t / world) ** 2 for t in named.values())
    got = summarise(stage_table("mining", 2025))
    assert got["hhi"] == pytest.approx(by_hand, rel=1e-12)
    assert got["china_share_frac"] == pytest.approx(270_000 / 390_000, rel=1e-12)


@pytest.mark.parametrize("year,vintage,stage,expected", [
    # Derived values in shared/reference/beylikova_market.md §5.1 (rounded there to ~10 points)
    (2025, None, "mining", 5050.0),
    (2024, "MCS2025", "mining", 5020.0),
    (2024, "MCS2026v1.3", "mining", 5300.0),
    (2025, None, "reserves", 3760.0),
])
def test_hhi_reproduces_reference_notes(year, vintage, stage, expected):
    got = summarise(stage_table(stage, year, vintage=vintage))["hhi"]
    assert got == pytest.approx(expected, abs=15.0)


def test_separation_and_magnet_hhi_lower_bounds():
    conc = concentration_table(2025)
    assert conc.loc["separation", "hhi"] == pytest.approx(91.0**2)  # ">= 8,281" in the notes
    assert conc.loc["magnets", "hhi"] == pytest.approx(94.0**2)  # ">= 8,836"
    assert conc.loc["separation", "hhi_upper"] == pytest.approx(91.0**2 + 9.0**2)


def test_iea_2023_top3_matches_published_top3():
    t = stage_table("separation", 2023)
    named = t[t["kind"] == "country"]["share_frac"]
    assert top_n_share(named.to_numpy(), 3) == pytest.approx(0.98, abs=1e-12)


def test_hhi_range_bounds():
    low, high = hhi_range([0.6, 0.2], 0.2)
    assert low == pytest.approx(4000.0) and high == pytest.approx(4400.0)


def test_top_n_share():
    assert top_n_share([0.1, 0.5, 0.2, 0.15], 3) == pytest.approx(0.85)
    assert top_n_share([0.1, 0.5, 0.2, 0.15], 1) == pytest.approx(0.5)


def test_shares_frac_keeps_missing_as_nan():
    s = shares_frac({"A": 30.0, "B": 10.0, "C": np.nan})
    assert s["A"] == pytest.approx(0.75) and math.isnan(s["C"])


@pytest.mark.parametrize("bad", [[69.0, 13.0], [0.7, 0.5], [-0.1, 0.5], [np.nan, 0.3]])
def test_hhi_rejects_bad_shares(bad):
    with pytest.raises(InputError, match="shares"):
        hhi(bad)


def test_negative_tonnage_is_input_error():
    with pytest.raises(InputError):
        shares_frac({"A": -1.0, "B": 3.0})


def test_reserve_life():
    assert reserve_life_a(44e6, 270e3) == pytest.approx(162.96, abs=0.01)  # notes: ~163 yr
    out = reserve_life_a([1.0, 1.0, np.nan, 0.0], [0.0, 0.5, 1.0, 0.0])
    assert np.isinf(out[0]) and out[1] == 2.0 and np.isnan(out[2]) and np.isnan(out[3])
    table = reserve_life_table(2025)
    assert table.loc["China", "reserve_life_a"] == pytest.approx(44e6 / 270e3)
    assert table.loc["World total", "comparator"] == "greater_than"  # >75 Mt: a lower bound
    assert np.isnan(table.loc["India", "reserve_life_a"])  # reserves NA in MCS 2026


def test_hhi_wgi_and_eu_supply_risk_hand_computed():
    # two suppliers: 0.8 (WGI 6, export-restricted t=1.2), 0.2 (WGI 2)
    g = hhi_wgi([0.8, 0.2], [6.0, 2.0], trade_param=[1.2, 1.0])
    assert g == pytest.approx(0.64 * 6 * 1.2 + 0.04 * 2)  # 4.688
    sr = eu_supply_risk(g, 3.0, import_reliance_frac=1.0, eol_rir_frac=0.1,
                        substitution_index_sr=0.9)
    assert sr == pytest.approx((4.688 * 0.5 + 3.0 * 0.5) * 0.9 * 0.9)


@pytest.mark.parametrize("kwargs", [dict(import_reliance_frac=80.0), dict(eol_rir_frac=-0.1),
                                    dict(substitution_index_sr=np.nan)])
def test_eu_supply_risk_rejects_non_fractions(kwargs):
    base = dict(import_reliance_frac=1.0, eol_rir_frac=0.0, substitution_index_sr=1.0)
    with pytest.raises(InputError):
        eu_supply_risk(1.0, 1.0, **{**base, **kwargs})


def test_hhi_wgi_rejects_unscaled_wgi():
    with pytest.raises(InputError, match="wgi"):
        hhi_wgi([0.5, 0.5], [50.0, 2.0])


def test_hhi_class_thresholds():
    assert hhi_class(1000.0) == "unconcentrated"
    assert hhi_class(2000.0) == "moderately concentrated"
    assert hhi_class(5054.0) == "highly concentrated"
    assert hhi_class(1200.0, guidelines="doj_ftc_1992") == "moderately concentrated"
    with pytest.raises(InputError):
        hhi_class(1200.0, guidelines="nope")
