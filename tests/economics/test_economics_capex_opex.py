"""Factored capex (power law, factors) and opex build-up."""

import pytest

from reeflow.core.errors import InputError
from reeflow.economics import cepci, equipment_costs, factored_capex, reagent_costs
from reeflow.economics.opex import energy_cost, waste_cost

F16_25 = 815.59 / 541.7  # CEPCI 2025 / 2016


def test_power_law_at_reference_size_and_scaling():
    # PrOMMiS mixer-settler: 1,285,343 USD2016 at 61,107 gal, exponent 0.45
    ref_m3 = 61107 * 3.785411784e-3
    eq = equipment_costs({"mixer_settler_volume_m3": ref_m3}, currency_year=2025)
    assert eq["bec_usd"].iloc[0] == pytest.approx(1285343 * F16_25, rel=1e-9)
    two = equipment_costs({"mixer_settler_volume_m3": 2 * ref_m3}, currency_year=2025)
    assert two["bec_usd"].iloc[0] / eq["bec_usd"].iloc[0] == pytest.approx(2**0.45, rel=1e-12)
    split = equipment_costs({"mixer_settler_volume_m3": 2 * ref_m3,
                             "mixer_settler_volume_m3_count": 2}, currency_year=2025)
    assert split["bec_usd"].iloc[0] == pytest.approx(2 * eq["bec_usd"].iloc[0], rel=1e-12)


def test_factored_total_and_class():
    est = factored_capex({"mill_power_kw": 2500.0}, currency_year=2025)
    bec = est.breakdown.set_index("item").loc["bare equipment cost", "usd"]
    # PrOMMiS/NETL factors: 1 + 1.40 direct + 0.42 indirect + 0.15 process contingency = 2.97,
    # then the derived 13 % project contingency
    assert est.total_usd == pytest.approx(bec * 2.97 * 1.13, rel=1e-12)
    assert est.aace_class == 4
    lo, hi = est.range_usd
    assert lo < est.total_usd < hi


def test_extrapolation_is_flagged():
    eq = equipment_costs({"kiln_duty_kw": 100.0}, currency_year=2025)
    assert bool(eq["extrapolated"].iloc[0])


def test_unknown_equipment_and_missing_organic_price():
    with pytest.raises(InputError, match="flotation_cell_volume_m3"):
        equipment_costs({"flotation_cell_volume_m3": 10.0}, currency_year=2025)
    with pytest.raises(InputError, match="organic_fill_usd_per_m3"):
        factored_capex({"mill_power_kw": 1.0, "organic_inventory_m3": 50.0}, currency_year=2025)
    est = factored_capex({"mill_power_kw": 1.0, "organic_inventory_m3": 50.0},
                         currency_year=2025, organic_fill_usd_per_m3=1000.0)
    assert est.breakdown.set_index("item").loc["organic first fill", "usd"] == 50_000.0
    with pytest.raises(InputError):
        equipment_costs({"mill_power_kw": -1.0}, currency_year=2025)


def test_reagent_costs_priced_and_escalated():
    df = reagent_costs({"H2SO4": 1000.0}, currency_year=2025).set_index("reagent")
    assert df.loc["H2SO4", "usd_per_a"] == pytest.approx(1000 * 128 * 815.59 / 797.9, rel=1e-12)


def test_unpriced_reagents_listed_together():
    with pytest.raises(InputError) as e:
        reagent_costs({"H2SO4": 1.0, "NH3": 2.0, "kerosene": 1.0, "P507": 1.0},
                      currency_year=2025)
    msg = str(e.value)
    assert "NH3" in msg and "kerosene" in msg and "P507" in msg
    # the path a project file's user writes, and how to write it
    assert e.value.field == "economics.reagent_prices" and "reagent_prices: {NH3:" in msg
    df = reagent_costs({"NH3": 2.0}, currency_year=2025,
                       price_overrides_usd_per_t={"NH3": 400.0})
    assert df["usd_per_a"].iloc[0] == 800.0


def test_energy_and_waste():
    usd, price, _ = energy_cost(1000.0, currency_year=2023)
    assert price == pytest.approx(80.4) and usd == pytest.approx(80_400.0)
    with pytest.raises(InputError, match="radioactive_residue_handling_usd_per_t"):
        waste_cost("radioactive residue", 250.0, currency_year=2025)
    usd, p, _ = waste_cost("tailings", 1000.0, currency_year=2019, index=cepci())
    assert p == pytest.approx(1.0 / 0.90718474, rel=1e-9)


def test_flowsheet_reagent_names_are_mapped():
    df = reagent_costs({"H2C2O4": 10.0, "H2O": 1000.0, "O2 (air)": 50.0, "MgO": 5.0},
                       currency_year=2023).set_index("reagent")
    assert df.loc["H2C2O4", "price_usd_per_t"] == pytest.approx(1000.0 * 797.9 / 607.5)
    assert df.loc["O2 (air)", "usd_per_a"] == 0.0
    assert "no purchase cost" in df.loc["O2 (air)", "source"]
    assert df.loc["MgO", "price_usd_per_t"] == pytest.approx(180.0 * 797.9 / 567.5)
