"""Fixtures of the plant tests: the built-in project, and its design-basis plant solved with
overrides (placeholder separation, as the plant room sees it before an SX train is designed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reeflow.chain import adapters
from reeflow.chain.pipeline import with_overrides
from reeflow.chain.plant_steps import solve_plant
from reeflow.plant.bastnasite import placeholder_separation
from reeflow.plant.summary import summarise_plant
from reeflow.project import load_project


@pytest.fixture(scope="module")
def base():
    return load_project()


@pytest.fixture(scope="module")
def solve(base) -> Callable[[dict[str, Any]], tuple[Any, Any, Any]]:
    """``solve(overrides) -> (project, solution, summary)`` of the design-basis plant."""

    def run(overrides: dict[str, Any]) -> tuple[Any, Any, Any]:
        p = with_overrides(base, overrides).project
        sol = solve_plant(p, adapters.ore_feed(p), placeholder_separation(p.plant.separation,
                                                                           p.ree))
        s = summarise_plant(sol, p.ree, p.plant.operating_hours_h_per_a,
                            groups=p.plant.product_groups())
        return p, sol, s

    return run
