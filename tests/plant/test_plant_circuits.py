"""A plant runs the flotation circuits its project recovers: a by-product circuit (fluorite,
barite) whose recovery is 0 is not built, so it is neither sized (capex) nor dosed with
reagents (opex) - a case without fluorite or barite products pays for no phantom circuit. And
the capex areas an estimate must cover follow the plant's route and circuits (capex_areas.yaml)."""

import pytest

from reeflow.economics.capex import capex_by_area, required_size_keys
from reeflow.plant.drivers import economic_drivers
from reeflow.plant.params import ROUTES
from reeflow.plant.sizing import equipment_sizes, flotation_circuits


def _areas(sizes):
    return {k.split(".", 1)[0] for k in sizes}


@pytest.mark.parametrize("fluorite,barite,circuits", [
    ("50 %", "50 %", ("ree", "fluorite", "barite")),
    ("0 %", "50 %", ("ree", "barite")),
    ("50 %", "0 %", ("ree", "fluorite")),
    ("0 %", "0 %", ("ree",))])
def test_circuits_follow_the_byproduct_recoveries(solve, fluorite, barite, circuits):
    p, sol, s = solve({"plant.beneficiation.fluorite_recovery": fluorite,
                              "plant.beneficiation.barite_recovery": barite})
    assert flotation_circuits(sol) == circuits
    d = economic_drivers(sol, s.kpis, p.plant.operating_hours_h_per_a)
    assert tuple(d["flotation_feed_t_per_a"]) == circuits
    sizes = equipment_sizes(sol, operating_hours_per_a=p.plant.operating_hours_h_per_a)
    flot = {a for a in _areas(sizes) if a.startswith("flotation_")}
    assert flot == {f"flotation_{c}" for c in circuits}
    # the final tailings thickener sits in the last circuit the plant runs
    assert f"flotation_{circuits[-1]}.thickener_area_m2" in sizes
    if "barite" in circuits:  # barite floats the tailings of whatever ran before it
        ore, conc = s.kpis["ore_t_per_a"], s.kpis["concentrate_t_per_a"]
        fl = s.kpis["fluorite_concentrate_t_per_a"]
        assert d["flotation_feed_t_per_a"]["barite"] == pytest.approx(ore - conc - fl)


def test_no_byproduct_circuit_no_byproduct_reagents(solve):
    """Without by-product circuits the flotation reagents are the REE circuit's dosage on the
    ore, and nothing more."""
    from reeflow.economics.cost_index import cepci
    from reeflow.economics.opex import OpexDrivers, _consumable_rows, _rates

    p, sol, s = solve({"plant.beneficiation.fluorite_recovery": "0 %",
                              "plant.beneficiation.barite_recovery": "0 %"})
    feed = economic_drivers(sol, s.kpis, 8000.0)["flotation_feed_t_per_a"]
    d = OpexDrivers(ore_t_per_a=1.0, mining_cost_usd_per_t_ore=0.0, reagents_t_per_a={},
                    reagent_price_overrides_usd_per_t={}, power_mwh_per_a=None,
                    electricity_price_usd_per_mwh=None, fuel_gj_per_a=None, water_m3_per_a=None,
                    flotation_feed_t_per_a=feed, mill_energy_mwh_per_a=None,
                    sx_aqueous_m3_per_a=None, organic_usd_per_m3=None, brine_handling=None,
                    brine_m3_per_a=None, product_t_per_a_by_class={}, revenue_usd_per_a=0.0)
    used = {r[0].removeprefix("flotation reagent: "): r[2]
            for r in _consumable_rows(d, 2025, cepci()) if r[0].startswith("flotation reagent:")}
    dose = _rates()["flotation_reagents"]["circuits"]["ree"]
    assert used == pytest.approx({k: s.kpis["ore_t_per_a"] * v / 1000.0 for k, v in dose.items()},
                                 rel=1e-12)


def test_every_route_declares_its_capex_areas():
    from reeflow.economics._data import read_yaml

    assert set(read_yaml("capex_areas.yaml")["routes"]) == set(ROUTES)
    full = required_size_keys("full_separation")
    assert full == required_size_keys()
    mixed = required_size_keys("mixed_carbonate")
    assert "sx" not in mixed and "chloride_conversion" not in mixed
    assert "calciner_duty_kw" not in mixed["precipitation"]
    assert "tank_volume_m3" in mixed["precipitation"]
    no_byproducts = required_size_keys(flotation_circuits=("ree",))
    assert "flotation_fluorite" not in no_byproducts and "flotation_ree" in no_byproducts


def test_a_mixed_carbonate_plant_is_complete_on_its_route(solve):
    p, sol, s = solve({"plant.route": "mixed_carbonate"})
    sizes = equipment_sizes(sol, operating_hours_per_a=p.plant.operating_hours_h_per_a)
    sizes["bake.kiln_duty_kw"] = 1000.0           # the energy balance is not run here
    assert not {"sx", "chloride_conversion"} & _areas(sizes)
    on_route = capex_by_area(sizes, currency_year=2025, route="mixed_carbonate",
                             flotation_circuits=flotation_circuits(sol))
    assert on_route.areas["complete"].all(), on_route.areas.loc[~on_route.areas["complete"]]
    generic = capex_by_area(sizes, currency_year=2025)
    missing = set(generic.areas.loc[~generic.areas["complete"], "area"])
    assert {"sx", "chloride_conversion", "precipitation"} <= missing
    assert on_route.total_usd == pytest.approx(generic.total_usd)  # what is built is costed alike


def test_unknown_route_or_circuit_is_an_input_error():
    from reeflow.core.errors import InputError

    with pytest.raises(InputError):
        required_size_keys("heap_leach")
    with pytest.raises(InputError):
        required_size_keys(flotation_circuits=("gold",))
