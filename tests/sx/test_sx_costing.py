"""The SX ranking's capital on the capex estimate's basis: a stage-cost curve from the economics
room (reeflow.chain.econ_steps.sx_cost_model) prices a stage as capex_by_area does."""

from __future__ import annotations

import math

import pytest

from reeflow.chain.econ_steps import sx_cost_model
from reeflow.core.errors import InputError
from reeflow.economics.capex import capex_by_area, installed_cost_usd
from reeflow.plant.sx import SXCostModel
from reeflow.project import load_project


@pytest.fixture(scope="module")
def model() -> SXCostModel:
    return sx_cost_model(load_project(None).project)


def test_the_curve_hits_the_capex_estimate_at_its_knots_and_between(model):
    year = int(load_project(None).project.economics.currency_year)
    for v in (0.04, 4.0, 60.0, 500.0):
        exact = installed_cost_usd("mixer_settler_volume_m3", v, currency_year=year, count=1)
        assert model.stage_capital_usd(v) == pytest.approx(exact, rel=1e-12)
    for v in (0.7, 10.6, 45.0):  # log-log interpolation of a smooth correlation: within 2 %
        exact = installed_cost_usd("mixer_settler_volume_m3", v, currency_year=year, count=1)
        assert model.stage_capital_usd(v) == pytest.approx(exact, rel=0.02)


def test_a_battery_costs_what_the_capex_estimate_charges_for_its_stages(model):
    year = int(load_project(None).project.economics.currency_year)
    est = capex_by_area({"sx.mixer_settler_volume_m3": 212.0,
                         "sx.mixer_settler_volume_m3_count": 20}, currency_year=year)
    sx = est.equipment[est.equipment["size_key"] == "sx.mixer_settler_volume_m3"]
    assert model.mixer_settler_capital_usd(212.0, 20) == pytest.approx(
        float(sx["installed_usd"].sum()), rel=0.02)


def test_without_a_curve_or_a_stage_count_the_power_law_is_used(model):
    plain = SXCostModel()
    assert not plain.stage_cost_m3
    assert plain.mixer_settler_capital_usd(231.32) == pytest.approx(
        plain.lang_factor * plain.mixer_settler_ref_usd)
    assert model.mixer_settler_capital_usd(231.32, None) == pytest.approx(
        plain.mixer_settler_capital_usd(231.32))
    assert model.mixer_settler_capital_usd(0.0, 5) == 0.0


@pytest.mark.parametrize("m3,usd", [((1.0,), (5.0,)), ((2.0, 1.0), (1.0, 2.0)),
                                    ((1.0, 2.0), (1.0,)), ((1.0, math.nan), (1.0, 2.0)),
                                    ((1.0, 2.0), (0.0, 2.0))])
def test_a_bad_curve_is_refused(m3, usd):
    with pytest.raises(InputError, match="stage_cost_m3"):
        SXCostModel(stage_cost_m3=m3, stage_cost_usd=usd)


def test_the_curve_travels_through_a_mapping():
    m = SXCostModel.from_mapping({"stage_cost_m3": [1, 10], "stage_cost_usd": [1e5, 4e5]})
    assert m.stage_capital_usd(10.0) == pytest.approx(4e5)
    with pytest.raises(InputError):
        SXCostModel.from_mapping({"stage_cost_m3": "1, 10", "stage_cost_usd": [1e5, 4e5]})
