"""Fixtures of the risk room: the base chain of the built-in case and a small fast model."""

from __future__ import annotations

import pytest

#: Inputs of the small model: three exact multipliers and one plant input (two scans).
SMALL_INPUTS = ["economics.price_scale_ndpr", "economics.capex_scale", "economics.opex_scale",
                "plant.leach.ree_dissolution"]


@pytest.fixture(scope="session")
def small_inputs():
    return list(SMALL_INPUTS)


@pytest.fixture(scope="session")
def loaded():
    from reeflow.project import load_project

    return load_project()


@pytest.fixture(scope="session")
def base_outcome(loaded):
    """The built-in case through the study chain (computed once per session)."""
    from reeflow.chain import run_chain

    return run_chain(loaded)


@pytest.fixture(scope="session")
def small_model(loaded, base_outcome):
    """A fast model over :data:`SMALL_INPUTS` with the base plan only, and its draws."""
    from reeflow.risk.backends import SerialRunner
    from reeflow.risk.build import build_model
    from reeflow.risk.inputs import draw, input_specs

    d = draw(loaded, 1500, seed=11, inputs=SMALL_INPUTS)
    model = build_model(loaded, d, input_specs(loaded, SMALL_INPUTS), SerialRunner(),
                        outcome=base_outcome, n_plans=1)
    return model, d
