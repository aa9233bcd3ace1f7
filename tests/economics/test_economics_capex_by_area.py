"""Capex by area: purchased-cost correlations (forms, parallel units, independent cross-checks),
the Towler & Sinnott installation build-up by hand, completeness flags, AACE class and errors."""

import math

import pytest
from econ_fixtures import BEYLIKOVA_LIKE_SIZES

from reeflow.core.errors import InputError
from reeflow.economics import capex_by_area, cepci, purchased_cost
from reeflow.economics.capex import InstalledItem
from reeflow.economics.equipment import correlation_cost, parallel_units

C25 = 815.59


def test_forms_by_hand():
    # Towler offset power law, Seider a = 0, Turton log10 quadratic, UKy power law
    assert correlation_cost("offset_power", 10.0, a=58000, b=1600, n=0.7) == pytest.approx(
        58000 + 1600 * 10**0.7)
    assert correlation_cost("log10_quadratic", 16.0, k1=4.7116, k2=0.4479, k3=0.0004) == \
        pytest.approx(10 ** (4.7116 + 0.4479 * math.log10(16) + 0.0004 * math.log10(16) ** 2))
    assert correlation_cost("ln_quadratic", 5000.0, k1=9.7413, k2=-0.3281, k3=0.05) == \
        pytest.approx(math.exp(9.7413 - 0.3281 * math.log(5000) + 0.05 * math.log(5000) ** 2))
    assert correlation_cost("power", 2.0, ref_size=1.0, ref_cost=100.0, n=0.6) == \
        pytest.approx(100 * 2**0.6)


def test_towler_tank_escalated_from_2010():
    r = purchased_cost("towler_cone_roof_tank", 100.0, "m**3", currency_year=2025)
    assert r["purchased_usd"] == pytest.approx((58000 + 1600 * 100**0.7) * C25 / 550.8)
    assert r["units"] == 1 and not r["extrapolated"]


def test_parallel_units_above_the_range():
    assert parallel_units(130.0, 60.0) == 3 and parallel_units(30.0, 60.0, count=2) == 2
    r = purchased_cost("towler_ball_mill", 130.0, "t/hour", currency_year=2010, index=cepci())
    assert r["units"] == 3 and r["size_per_unit"] == pytest.approx(130 / 3)
    assert r["purchased_usd"] == pytest.approx(3 * (-23000 + 242000 * (130 / 3) ** 0.4))
    small = purchased_cost("towler_cone_roof_tank", 2.0, "m**3", currency_year=2025)
    assert small["extrapolated"]


def test_independent_correlations_agree():
    """Cross-checks between textbooks: ball mill (Towler vs Seider) within 10 %, cone-roof
    tanks (Towler vs Seider) within a factor 2.2 in 100-1000 m3, mixer-settlers (Turton vs the
    NETL/UKy account) within a factor 2 at 5-50 m3."""
    t = purchased_cost("towler_ball_mill", 30.0, "t/hour", currency_year=2025)["purchased_usd"]
    s = purchased_cost("seider_ball_mill", 30.0, "t/hour", currency_year=2025)["purchased_usd"]
    assert abs(t / s - 1) < 0.10
    for v in (100.0, 300.0, 1000.0):
        a = purchased_cost("towler_cone_roof_tank", v, "m**3", currency_year=2025)
        b = purchased_cost("seider_cone_roof_tank", v, "m**3", currency_year=2025)
        assert 1.0 < a["purchased_usd"] / b["purchased_usd"] < 2.2
    for v in (5.0, 16.0, 50.0):
        a = purchased_cost("turton_mixer_settler", v, "m**3", currency_year=2025)
        b = purchased_cost("uky_mixer_settler", v, "m**3", currency_year=2025)
        assert 0.5 < a["purchased_usd"] / b["purchased_usd"] < 2.0


def test_installation_build_up_by_hand():
    """One solids item: ISBL = Ce [(1 + fp) fm + fer + fel + fi + fc + fs + fl] (Towler &
    Sinnott 2012 eq. 6.1, Table 6.4 solids), then OS, D&E, owner's costs and contingency."""
    est = capex_by_area({"grinding.mill_feed_t_per_h": 30.0}, currency_year=2025,
                        aace_class=4, owners_cost_frac=0.05)
    ce = purchased_cost("towler_ball_mill", 30.0, "t/hour", currency_year=2025)["purchased_usd"]
    isbl = ce * ((1 + 0.2) * 1.0 + 0.6 + 0.15 + 0.2 + 0.2 + 0.1 + 0.05)
    assert est.equipment["installed_usd"].iloc[0] == pytest.approx(isbl)
    construction = isbl * (1 + 0.4) * (1 + 0.2)        # OS 40 %, D&E 20 % (solids)
    total = construction * 1.05 * 1.25                  # owner's 5 %, class-4 contingency 25 %
    assert est.total_usd == pytest.approx(total, rel=1e-12)
    assert est.breakdown["usd"].sum() == pytest.approx(est.total_usd, rel=1e-12)
    lo, hi = est.range_usd
    assert lo == pytest.approx(0.70 * total) and hi == pytest.approx(1.50 * total)
    assert "class 4" in est.estimate_class
    loc = capex_by_area({"grinding.mill_feed_t_per_h": 30.0}, currency_year=2025,
                        location_factor=1.2, owners_cost_frac=0.05)
    assert loc.total_usd == pytest.approx(1.2 * total, rel=1e-12)


def test_installed_items_and_organic_fill():
    items = [InstalledItem("residue_storage", "cells", 1e6, "test", "assumed"),
             InstalledItem("mining", "pre-strip", 2e6, "test", "input", engineering=False)]
    est = capex_by_area({"sx.mixer_settler_volume_m3": 160.0,
                         "sx.mixer_settler_volume_m3_count": 10,
                         "sx.organic_inventory_m3": 100.0}, currency_year=2025,
                        installed=items, organic_fill_usd_per_m3=4800.0)
    a = est.areas.set_index("area")
    assert a.loc["sx", "installed_items_usd"] == pytest.approx(480_000.0)
    assert a.loc["mining", "direct_usd"] == 2e6
    assert est.equipment["units"].iloc[0] == 10            # one unit per stage
    assert est.equipment["size_per_unit"].iloc[0] == pytest.approx(16.0)
    with pytest.raises(InputError, match="organic_fill_usd_per_m3"):
        capex_by_area({"sx.organic_inventory_m3": 100.0}, currency_year=2025)


def test_completeness_flags_name_the_missing_keys():
    est = capex_by_area({"sx.mixer_settler_volume_m3": 160.0}, currency_year=2025,
                        expected_areas=("sx", "bake"))
    a = est.areas.set_index("area")
    assert not a.loc["sx", "complete"] and "tank_volume_m3" in a.loc["sx", "missing"]
    assert a.loc["bake", "missing"] == ["kiln_duty_kw", "scrubber_gas_m3_per_h"]
    assert a.loc["grinding", "complete"]  # not expected here
    full = capex_by_area(BEYLIKOVA_LIKE_SIZES, currency_year=2025,
                         organic_fill_usd_per_m3=4800.0)
    assert bool(full.areas["complete"].all())


@pytest.mark.parametrize("sizes,field", [
    ({"sx.flux_capacitor_kw": 1.0}, "flux_capacitor_kw"),
    ({"moon.tank_volume_m3": 10.0}, "moon"),
    ({"sx.tank_volume_m3": -1.0}, "sx.tank_volume_m3"),
    ({"sx.tank_volume_m3": 10.0, "sx.tank_volume_m3_count": 0}, "_count"),
    ({"weird_key_m3": 10.0}, "weird_key_m3"),
])
def test_bad_sizes_name_the_key(sizes, field):
    with pytest.raises(InputError, match=field):
        capex_by_area(sizes, currency_year=2025)


def test_capex_rises_with_size_and_material():
    a = capex_by_area({"leach.tank_volume_m3": 500.0}, currency_year=2025).total_usd
    b = capex_by_area({"leach.tank_volume_m3": 1000.0}, currency_year=2025).total_usd
    c = capex_by_area({"crushing.conveyor_length_m": 100.0}, currency_year=2025)
    assert a < b < 2 * a                              # economies of scale, n < 1
    assert c.equipment["fm"].iloc[0] == 1.0           # carbon steel conveyors
    tank = capex_by_area({"leach.tank_volume_m3": 500.0}, currency_year=2025).equipment
    assert tank["fm"].iloc[0] == 1.3                  # SS316 for acid liquors


def test_size_key_catalogue():
    from reeflow.economics import size_keys

    cat = size_keys()
    req = cat[cat["required"]]
    assert {"sx.mixer_settler_volume_m3", "sx.organic_inventory_m3", "sx.tank_volume_m3",
            "bake.scrubber_gas_m3_per_h", "flotation_fluorite.cell_volume_m3"} <= set(req["key"])
    # every catalogued key is accepted by the estimate
    one = {k: 10.0 for k in cat["key"] if not k.endswith("organic_inventory_m3")}
    est = capex_by_area(one, currency_year=2025)
    assert len(est.equipment) >= len(one)


def test_a_route_names_what_it_builds_in_an_area():
    """A mixed-carbonate plant's precipitation line read "Oxalate precipitation and
    calcination" (fuzz round 13)."""
    sizes = {"precipitation.tank_volume_m3": 200.0}
    full = capex_by_area(sizes, currency_year=2025)
    mixed = capex_by_area(sizes, currency_year=2025, route="mixed_carbonate")
    assert "direct: Oxalate precipitation and calcination" in set(full.breakdown["item"])
    assert "direct: Mixed-carbonate precipitation (soda ash)" in set(mixed.breakdown["item"])
    assert mixed.total_usd == pytest.approx(full.total_usd, rel=1e-12)
