"""Inputs inside their bounds never crash the chain: it answers or names the limit it hit.

Hypothesis draws in-bounds values for the inputs users change most (grades, REE shares including
0 %, recoveries, excesses, temperatures, prices, seeds) and runs the chain on a flat schedule
(no deposit: the deposit and mine rooms have their own fuzzing); every case must return a
result or raise a ReeflowError (exit 2 through the CLI) — never another exception.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reeflow.chain import run_chain, with_overrides
from reeflow.core.errors import ReeflowError
from reeflow.project import load_project

N = int(os.environ.get("REEFLOW_CHAIN_FUZZ_EXAMPLES", "40"))

FRAC = st.floats(min_value=0.0, max_value=1.0)
OVERRIDES = st.fixed_dictionaries({}, optional={
    "ore.treo_grade": st.floats(min_value=1e-4, max_value=0.3),
    "ore.tho2_grade": st.floats(min_value=0.0, max_value=0.01),
    "ore.caf2_grade": st.floats(min_value=0.0, max_value=0.4),
    "ore.baso4_grade": st.floats(min_value=0.0, max_value=0.3),
    "ore.ree_distribution.Y": st.sampled_from([0.0, 0.001, 0.002]),
    "ore.ree_distribution.Sm": st.sampled_from([0.005, 0.0077]),
    "plant.beneficiation.ree_recovery": st.floats(min_value=0.05, max_value=1.0),
    "plant.beneficiation.fluorite_recovery": FRAC,
    "plant.beneficiation.barite_recovery": FRAC,
    "plant.leach.ree_dissolution": st.floats(min_value=0.05, max_value=1.0),
    "plant.bake.acid_excess": st.floats(min_value=0.0, max_value=2.0),
    "plant.bake.temperature": st.floats(min_value=150.0, max_value=900.0),
    "plant.neutralisation.ree_loss": st.floats(min_value=0.0, max_value=0.5),
    "plant.recycle.filtrate_purge": st.floats(min_value=0.01, max_value=1.0),
    "plant.separation.method": st.sampled_from(["sx", "placeholder"]),
    "economics.price_scale_ndpr": st.floats(min_value=0.0, max_value=3.0),
    "economics.seed": st.integers(min_value=-(2**63), max_value=2**63 - 1),
})


@pytest.fixture(scope="module")
def flat():
    return with_overrides(load_project(), {"deposit.run": False})


@pytest.mark.slow
@settings(max_examples=N, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(overrides=OVERRIDES)
def test_in_bounds_inputs_never_crash_the_chain(flat, overrides):
    try:
        loaded = with_overrides(flat, overrides)
    except ReeflowError:
        return  # refused at the boundary with a named field: the contract
    try:
        out = run_chain(loaded)
    except ReeflowError:
        return
    assert out.annual.table["year"].is_monotonic_increasing
