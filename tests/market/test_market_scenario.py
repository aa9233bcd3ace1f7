"""Project scenario: invariants of shares and HHI, flags, bad input, speed."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.market import market_scenario, stage_table, summarise
from reeflow.market.supply import add_supply

# Beylikova-like split of 10 kt/a REO (shared/reference/beylikova_market.md §1.4 column A, rounded)
BY_OXIDE = {"CeO2": 4840.0, "La2O3": 3970.0, "Nd2O3": 770.0, "Pr6O11": 350.0, "Sm2O3": 50.0,
            "Y2O3": 20.0}


@pytest.fixture(scope="module")
def home():
    return market_scenario(10_000.0, BY_OXIDE, home_country="Türkiye")


@pytest.fixture(scope="module")
def abroad():
    return market_scenario(10_000.0, BY_OXIDE, home_country="Türkiye", separation_at_home=False)


@pytest.mark.parametrize("fixture", ["home", "abroad"])
def test_shares_sum_to_one_and_tonnage_to_world(fixture, request):
    r = request.getfixturevalue(fixture)
    for stage in ("mining", "separation"):
        before, after = r.tables[stage]["before"], r.tables[stage]["after"]
        assert before["share_frac"].sum() == pytest.approx(1.0, abs=1e-12)
        assert after["share_frac"].sum() == pytest.approx(1.0, abs=1e-12)
        added = after["t_reo_per_a"].sum() - before["t_reo_per_a"].sum()
        expected = 10_000.0 if stage == "mining" else sum(BY_OXIDE.values())
        assert added == pytest.approx(expected, abs=1e-6)


def test_new_supplier_lowers_china_mining_share_and_hhi(home):
    h = home.hhi
    assert h.loc[("mining", "after"), "china_share_frac"] < h.loc[("mining", "before"),
                                                                   "china_share_frac"]
    assert h.loc[("mining", "after"), "hhi"] < h.loc[("mining", "before"), "hhi"]
    assert h.loc[("mining", "after"), "home_share_frac"] == pytest.approx(10_000 / 400_000)
    # reference notes §5.1: 10 kt/a lowers the 2025 mining HHI to ~4,800
    assert h.loc[("mining", "after"), "hhi"] == pytest.approx(4800.0, abs=20.0)


def test_other_suppliers_keep_tonnage_and_shares_scale(home):
    before, after = home.tables["mining"]["before"], home.tables["mining"]["after"]
    common = before.index
    np.testing.assert_allclose(after.loc[common, "t_reo_per_a"], before.loc[common, "t_reo_per_a"])
    np.testing.assert_allclose(after.loc[common, "share_frac"],
                               before.loc[common, "share_frac"] * 390_000 / 400_000, rtol=1e-12)


def test_mining_hhi_after_by_hand(home):
    before = home.tables["mining"]["before"]
    named = before[before["kind"] == "country"]["t_reo_per_a"]
    by_hand = sum((100 * t / 400_000) ** 2 for t in named) + (100 * 10_000 / 400_000) ** 2
    assert home.hhi.loc[("mining", "after"), "hhi"] == pytest.approx(by_hand, rel=1e-12)


def test_separation_home_vs_abroad(home, abroad):
    hb = home.hhi.loc[("separation", "before")]
    ha = home.hhi.loc[("separation", "after")]
    aa = abroad.hhi.loc[("separation", "after")]
    assert ha["china_share_frac"] < hb["china_share_frac"] < aa["china_share_frac"]
    assert ha["hhi"] < hb["hhi"] < aa["hhi"]
    assert ha["home_share_frac"] > 0 and aa["home_share_frac"] == 0
    sep = sum(BY_OXIDE.values())
    assert aa["china_share_frac"] == pytest.approx((0.91 * 390_000 + sep) / (390_000 + sep))
    # mining is the same either way
    assert home.hhi.loc[("mining", "after"), "hhi"] == abroad.hhi.loc[("mining", "after"), "hhi"]
    assert abroad.separation_country == "China"


def test_named_destination_country():
    r = market_scenario(10_000.0, BY_OXIDE, home_country="Türkiye", separation_at_home=False,
                        separation_country="Malaysia", year=2023)
    after = r.tables["separation"]["after"]
    assert after.loc["Malaysia", "t_reo_per_a"] == pytest.approx(0.05 * 350_000 + 10_000.0)


def test_zero_project_changes_nothing():
    r = market_scenario(0.0, {}, home_country="Türkiye")
    for stage in ("mining", "separation"):
        assert r.hhi.loc[(stage, "after"), "hhi"] == pytest.approx(r.hhi.loc[(stage, "before"),
                                                                              "hhi"])


def test_magnets_unchanged(home):
    assert home.hhi.loc[("magnets", "after"), "hhi"] == home.hhi.loc[("magnets", "before"), "hhi"]


def test_ce_and_la_flagged_against_total_reo(home):
    f = home.flags
    assert bool(f.loc["CeO2", "flagged"]) and bool(f.loc["La2O3", "flagged"])
    assert not bool(f.loc["Nd2O3", "flagged"])
    assert f.loc["CeO2", "ratio_frac"] == pytest.approx(4840.0 / 390_000)
    assert "lower bound" in f.loc["CeO2", "compared_with"]


def test_sourced_world_distribution_is_used_and_must_be_cited():
    r = market_scenario(10_000.0, BY_OXIDE, home_country="Türkiye", world_distribution_frac={"Ce": 0.4},
                        world_distribution_source="a cited source (test)")
    assert r.flags.loc["CeO2", "market_t_per_a"] == pytest.approx(0.4 * 390_000)
    with pytest.raises(InputError, match="world_distribution_source"):
        market_scenario(10_000.0, BY_OXIDE, home_country="Türkiye", world_distribution_frac={"Ce": 0.4})


def test_element_keys_accepted():
    r = market_scenario(1000.0, {"Ce": 500.0, "CeO2": 100.0}, home_country="Türkiye")
    assert r.inputs["project_by_oxide_t_per_a"] == {"CeO2": 600.0}


def test_empty_oxide_split_uses_concentrate_reo_for_separation():
    r = market_scenario(5000.0, {}, home_country="Türkiye")
    assert r.inputs["separation_added_t_per_a"] == 5000.0


def test_to_dict_is_json(abroad):
    d = abroad.to_dict()
    text = json.dumps(d)
    assert "NaN" not in text
    assert {"tables", "hhi", "flags", "notes", "sources"} <= set(d)
    assert len(d["hhi"]) == 6


def test_shares_accessor(home):
    assert home.shares("mining", "after")["Türkiye"] == pytest.approx(0.025)
    with pytest.raises(InputError):
        home.shares("smelting")


@pytest.mark.parametrize("kwargs,field", [
    (dict(project_reo_t_per_a=-1.0), "project_reo_t_per_a"),
    (dict(project_reo_t_per_a=math.nan), "project_reo_t_per_a"),
    (dict(project_reo_t_per_a="lots"), "project_reo_t_per_a"),
    (dict(project_by_oxide_t_per_a={"CeO2": -5.0}), "project_by_oxide_t_per_a.CeO2"),
    (dict(project_by_oxide_t_per_a={"Unobtainium": 5.0}), "project_by_oxide_t_per_a"),
    (dict(project_by_oxide_t_per_a={"CeO2": 20_000.0}), "project_by_oxide_t_per_a"),
    (dict(year=2019), "market.year"),
    (dict(vintage="MCS1999"), "market.vintage"),
    (dict(home_country="Atlantis"), "home_country"),
    (dict(separation_at_home=False, separation_country="Atlantis"), "separation_country"),
    (dict(separation_country="China"), "separation_country"),
    (dict(flag_threshold_frac=-0.5), "flag_threshold_frac"),
])
def test_bad_input_is_input_error(kwargs, field):
    args = dict(project_reo_t_per_a=10_000.0, project_by_oxide_t_per_a=BY_OXIDE)
    args.update(kwargs)
    reo = args.pop("project_reo_t_per_a")
    ox = args.pop("project_by_oxide_t_per_a")
    with pytest.raises(InputError) as err:
        market_scenario(reo, ox, **{"home_country": "Türkiye", **args})
    assert err.value.field == field


def test_add_supply_rejects_shares_only_stage():
    with pytest.raises(InputError):
        add_supply(stage_table("magnets", 2025), "Türkiye", 10.0)


def test_summary_of_added_supply_matches_scenario(home):
    direct = summarise(add_supply(stage_table("mining", 2025), "Türkiye", 10_000.0))
    assert direct["hhi"] == pytest.approx(home.hhi.loc[("mining", "after"), "hhi"])


def test_scenario_is_fast():
    market_scenario(10_000.0, BY_OXIDE, home_country="Türkiye")  # warm the data caches
    t0 = time.perf_counter()
    for _ in range(5):
        market_scenario(10_000.0, BY_OXIDE, home_country="Türkiye", separation_at_home=False)
    assert (time.perf_counter() - t0) / 5 < 0.2


def test_to_report_layout_for_the_report_section(home):
    rep = home.to_report()
    json.dumps(rep)
    stages = {s["stage"]: s for s in rep["stages"]}
    assert set(stages) == {"mining", "separation", "magnets"}
    assert stages["mining"]["hhi_after"] < stages["mining"]["hhi_before"]
    assert sum(r["share"] for r in stages["mining"]["after"]) == pytest.approx(1.0)
    assert {f["product"] for f in rep["flags"]} == {"REO (total, mining)", "CeO2", "La2O3",
                                                   "magnet REE (Nd+Pr+Dy+Tb, element t)"}
    assert rep["sources"] and rep["notes"]


def test_separation_year_without_iea_data_is_input_error():
    with pytest.raises(InputError, match="separation_year"):
        market_scenario(10_000.0, BY_OXIDE, home_country="Türkiye", separation_year=2022)


def test_magnet_ree_compared_with_iea_magnet_demand(home):
    row = home.flags.loc["magnet REE (Nd+Pr+Dy+Tb, element t)"]
    # oxide factors Nd2O3 1.1664, Pr6O11 1.2082 (reference notes §1.4); IEA 2023 demand 93 kt
    expected_t = 770.0 / 1.1664 + 350.0 / 1.2082
    assert row["added_t_per_a"] == pytest.approx(expected_t, rel=1e-4)
    assert row["market_t_per_a"] == pytest.approx(93_000.0)
    assert "IEA magnet-REE demand 2023" in row["compared_with"]


def test_no_magnet_row_without_magnet_oxides():
    r = market_scenario(1000.0, {"CeO2": 600.0}, home_country="Türkiye")
    assert not any("magnet" in p for p in r.flags.index)
