"""Price decks, payability and the currency-year/cost-index mechanism."""

import math

import pandas as pd
import pytest

from reeflow.core.errors import InputError
from reeflow.economics import cepci, deck_names, load_deck, payability
from reeflow.economics._data import read_table
from reeflow.economics.cost_index import require_same_year
from reeflow.economics.prices import price_of_mixed_concentrate

# USGS MCS 2026 (beylikova_market.md §3.1 [V]): NdPr oxide 2021..2025, Tb4O7 and La2O3
USGS = {"NdPr oxide": (92, 124, 75, 55, 69), "Tb4O7": (1340, 2050, 1300, 812, 1010),
        "La2O3": (1.51, 1.39, 0.96, 0.97, 1.00), "Dy2O3": (410, 382, 330, 257, 239)}


@pytest.mark.parametrize("product", sorted(USGS))
def test_usgs_decks_reproduce_mcs_table(product):
    for year, value in zip(range(2021, 2026), USGS[product], strict=True):
        assert load_deck(f"usgs_{year}").price(product) == pytest.approx(value, rel=1e-12)


def test_every_usgs_deck_has_fifteen_oxides():
    for year in range(2021, 2026):
        assert len(load_deck(f"usgs_{year}").prices_usd_per_kg) >= 15


def test_missing_price_is_an_error_not_zero():
    with pytest.raises(InputError, match="MISSING") as e:
        load_deck("usgs_2024").price("BaSO4 concentrate")
    assert "usgs_2024" in str(e.value)
    with pytest.raises(InputError, match="Tm2O3"):
        load_deck("usgs_2025").price("Tm2O3")


def test_ndpr_floor_case():
    d = load_deck("usgs_2025_ndpr_floor")
    assert d.price("NdPr oxide") == 110.0
    assert d.price("Nd2O3") == 110.0 and d.price("Pr6O11") == 110.0
    assert d.price("CeO2") == load_deck("usgs_2025").price("CeO2")


def test_spot_decks_carry_dated_quotes():
    assert load_deck("spot_2024-06-20").price("NdPr oxide") == pytest.approx(51.0)
    assert load_deck("spot_2025-04-10").price("Dy2O3") == pytest.approx(208.0)
    assert "usgs_2025_ndpr_floor" in deck_names()


def test_currency_year_mixing_needs_an_index():
    d = load_deck("usgs_2025")
    with pytest.raises(InputError, match="index"):
        d.to_year(2023, None)
    moved = d.to_year(2023, cepci())
    assert moved.price("NdPr oxide") == pytest.approx(69 * 797.9 / 815.59, rel=1e-12)
    with pytest.raises(InputError, match="currency_year"):
        require_same_year({"deck": 2025, "reagents": 2019}, index=None)
    require_same_year({"deck": 2025, "reagents": 2019}, index=cepci())


def test_missing_index_year_is_named():
    with pytest.raises(InputError, match="1999"):
        cepci().factor(2016, 1999)
    assert cepci().with_values({1999: 390.6}).factor(1999, 2016) == pytest.approx(541.7 / 390.6)


def test_mixed_concentrate_basket_and_payability():
    d = load_deck("usgs_2025")
    dist = {"CeO2": 0.5, "Nd2O3": 0.5}
    assert price_of_mixed_concentrate(d, dist) == pytest.approx(0.5 * 1.71 + 0.5 * 73)
    assert payability("mixed REO concentrate") == 0.65
    assert payability("Nd2O3") == 1.0
    with pytest.raises(InputError):
        price_of_mixed_concentrate(d, {"CeO2": 0.5, "Nd2O3": 0.4})


@pytest.mark.parametrize("name", ["prices_usgs_mcs2026.csv", "price_quotes.csv",
                                  "reagent_prices.csv", "energy_prices.csv", "waste_prices.csv",
                                  "cost_index_cepci.csv", "capex_references.csv",
                                  "payability.csv"])
def test_data_tables_carry_source_and_evidence(name):
    df = read_table(name)
    assert df["source"].notna().all() and (df["source"].str.len() > 10).all()
    assert set(df["evidence"]) <= {"measured", "published", "derived", "assumed", "missing"}
    value_cols = [c for c in df.columns if c.startswith("price") or c in ("cepci",)]
    for c in value_cols:
        v = pd.to_numeric(df[c], errors="coerce")
        assert not (v == 0).any(), f"{name}.{c} holds a zero: missing must be NaN"
        missing = df["evidence"] == "missing"
        assert v[missing].isna().all()
        assert all(math.isfinite(x) for x in v[~missing])
