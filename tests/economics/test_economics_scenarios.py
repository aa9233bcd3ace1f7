"""The Beylikova case's scenario files: the owner's by-product plan reproduces 70 kt/a fluorite
and 72 kt/a barite through the plant model, and lowers the project's value."""

from pathlib import Path

import pytest
from econ_fixtures import CASE_FISCAL, beylikova_like_inputs, case_params

import reeflow
from reeflow.economics import evaluate

SCEN = CASE_FISCAL.parent / "scenarios" / "owner_byproduct_plan.yaml"
_ROOT = Path(reeflow.__file__).parent


def test_owner_plan_gives_the_plan_tonnages():
    from reeflow.chain.plant_steps import design_plant
    from reeflow.project import load_project

    loaded = load_project(SCEN)
    assert loaded.provenance["plant.beneficiation.fluorite_recovery"].evidence == "derived"
    sol = design_plant(loaded.project).solution
    hours = loaded.project.plant.operating_hours_h_per_a
    fl = sol.streams["beneficiation.fluorite_concentrate"].total_kg_per_h * hours / 1000
    ba = sol.streams["beneficiation.barite_concentrate"].total_kg_per_h * hours / 1000
    assert fl == pytest.approx(70_000, rel=2e-4) and ba == pytest.approx(72_000, rel=2e-4)


def test_plan_tonnages_lower_the_value():
    base = evaluate(beylikova_like_inputs(), params=case_params())
    prods = dict(base.revenue.set_index("product")["t_per_a"])
    prods.update({"CaF2 concentrate": 70_000.0, "BaSO4 concentrate": 72_000.0})
    plan = evaluate(beylikova_like_inputs(products_t_per_a=prods), params=case_params())
    assert plan.revenue_usd_per_a < base.revenue_usd_per_a
    assert plan.npv_usd[0.08] < base.npv_usd[0.08]
