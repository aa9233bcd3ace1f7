"""Reagent price basis: a price quoted per t of a solution is converted to the basis the
flowsheet consumes. The plant's HCl is kg of 100 % HCl (stoichiometry), the HCl price is quoted
per t of 35 % hydrochloric acid (``assay_frac`` 0.35 in reagent_prices.csv), so the cost is
t of 100 % HCl x (price / 0.35) - never the solution price on the pure-acid tonnage."""

import pytest

from reeflow.economics._data import table_rows
from reeflow.economics.cost_index import cepci
from reeflow.economics.opex import price_per_t, reagent_costs


def test_hcl_price_states_its_basis():
    row = table_rows("reagent_prices.csv", "reagent")["HCl"]
    assert row["assay_frac"] == pytest.approx(0.35)
    assert "35 %" in row["note"] and "100 %" in row["note"]


def test_hcl_cost_is_pure_acid_tonnage_times_price_per_t_pure():
    year = 2019  # the quote's own year: no escalation
    p, src = price_per_t("reagent_prices.csv", "HCl", currency_year=year, index=cepci())
    assert p == pytest.approx(250.0 / 0.35, rel=1e-12)
    assert "100 % HCl" in src
    df = reagent_costs({"HCl": 1000.0}, currency_year=year).set_index("reagent")
    # 1000 t of HCl (100 %) is 2857 t of 35 % acid at 250 USD/t
    assert df.loc["HCl", "usd_per_a"] == pytest.approx(1000.0 / 0.35 * 250.0, rel=1e-12)


def test_a_reagent_without_assay_is_priced_as_quoted():
    p, _ = price_per_t("reagent_prices.csv", "NaOH", currency_year=2020, index=cepci())
    assert p == pytest.approx(350.0, rel=1e-12)


def test_sx_ranking_default_uses_the_same_basis():
    from reeflow.plant.sx import SXCostModel

    assert SXCostModel().HCl_usd_per_t == pytest.approx(250.0 / 0.35, rel=1e-5)
