"""The complete opex build-up: every item present with its driver, rate and evidence; a missing
driver is NaN and listed (never 0); hand checks of the consumables; the study's opex is the sum."""

import math

import pytest
from econ_fixtures import beylikova_like_inputs, case_params, make_inputs

from reeflow.core.errors import InputError
from reeflow.economics import evaluate
from reeflow.economics._data import read_yaml

ITEMS = ("electricity", "fuel: natural gas", "flotation reagent: fatty acid collector",
         "grinding media", "extractant and diluent make-up", "reagent: CaO", "labour",
         "maintenance", "G&A and plant overhead", "insurance", "marketing",
         "residue storage operation", "mining (contract)", "raw water make-up",
         "freight: separated oxide", "freight: industrial mineral concentrate")


@pytest.fixture(scope="module")
def full():
    return evaluate(beylikova_like_inputs(), params=case_params())


def test_every_item_priced_with_evidence(full):
    opx = full.opex.set_index("item")
    for item in ITEMS:
        assert item in opx.index, item
        assert math.isfinite(opx.loc[item, "usd_per_a"]) and opx.loc[item, "usd_per_a"] > 0
        assert opx.loc[item, "evidence"] in ("published", "derived", "assumed", "input")
        assert opx.loc[item, "source"]
    assert full.opex_missing == ()
    assert full.opex_usd_per_a == pytest.approx(full.opex["usd_per_a"].sum())


def test_missing_drivers_are_nan_and_listed():
    r = evaluate(make_inputs(), params=case_params())
    opx = r.opex.set_index("item")
    for item in ("fuel", "flotation reagents", "grinding media", "extractant and diluent make-up",
                 "brine handling", "raw water make-up"):
        assert math.isnan(opx.loc[item, "usd_per_a"]) and opx.loc[item, "evidence"] == "missing"
        assert item in r.opex_missing
    assert math.isfinite(r.opex_usd_per_a)  # the rest still sums


def test_consumables_by_hand(full):
    opx = full.opex.set_index("item")
    rates = read_yaml("opex_rates.yaml")
    media_t = 757.0 * 8000 * rates["grinding_media"]["kg_per_kwh"]["value"] / 1000
    assert opx.loc["grinding media", "quantity"] == pytest.approx(media_t)
    loss = 15.0 * 8000 * rates["extractant_loss"]["l_organic_per_m3_aqueous"]["value"] / 1000
    assert opx.loc["extractant and diluent make-up", "usd_per_a"] == pytest.approx(loss * 4800)
    fl = rates["flotation_reagents"]["circuits"]
    collector = sum(feed * fl[c].get("fatty acid collector", 0.0) / 1000 for c, feed in
                    {"ree": 570_000.0, "fluorite": 545_000.0, "barite": 430_000.0}.items())
    assert opx.loc["flotation reagent: fatty acid collector", "quantity"] == \
        pytest.approx(collector)
    # natural gas: 4.53 USD/kft3 (EIA 2023) / 1.0939 GJ/kft3, escalated 2023 -> 2025
    assert opx.loc["fuel: natural gas", "rate"] == pytest.approx(4.53 / 1.0939 * 815.59 / 797.9)
    # fixed items after Towler & Sinnott ch. 8 on the params
    p = case_params().opex
    assert opx.loc["G&A and plant overhead", "usd_per_a"] == pytest.approx(
        p.general_admin_frac_of_labour * p.headcount * p.labour_cost)
    assert opx.loc["maintenance", "usd_per_a"] == pytest.approx(
        p.maintenance_frac_of_direct_capex * full.capex_estimate.direct_usd)


def test_storage_replaces_the_legacy_residue_rate(full):
    items = set(full.opex["item"])
    assert "radioactive residue disposal (legacy per-tonne rate)" not in items
    assert full.opex.set_index("item").loc["residue storage operation", "usd_per_a"] == \
        pytest.approx(full.storage.operation_usd_per_a)
    assert full.closure_usd == pytest.approx(
        0.03 * full.capex_estimate.direct_usd + full.storage.closure_total_usd)
    assert full.cash_flows["closure"].iloc[-1] == pytest.approx(full.closure_usd)


def test_discharge_and_bad_brine_choice():
    r = evaluate(beylikova_like_inputs(brine_handling="discharge"), params=case_params())
    assert r.opex.set_index("item").loc["brine discharge", "usd_per_a"] == pytest.approx(
        13.4 * 8000 * 1.0)
    with pytest.raises(InputError, match="brine_handling"):
        beylikova_like_inputs(brine_handling="river")
    with pytest.raises(InputError, match="flotation_feed_t_per_a"):
        evaluate(beylikova_like_inputs(flotation_feed_t_per_a={"gold": 1.0}),
                 params=case_params())
