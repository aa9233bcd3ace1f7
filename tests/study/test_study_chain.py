"""Whole-chain Monte Carlo: reproducible under a seed, identical across backends, monotone in grade."""

import pandas as pd
import pytest

from reeflow.chain import chain_draw_result, chain_draws, whole_chain_monte_carlo
from reeflow.core.errors import InputError
from reeflow.project import load_project


def test_draws_stay_inside_the_source_ranges():
    loaded = load_project()
    d = chain_draws(loaded, 200, seed=3)
    assert d["treo_grade_frac"].between(0.010, 0.0314).all()
    assert d["ree_recovery_frac"].between(0.32, 0.726).all()
    pd.testing.assert_frame_equal(d, chain_draws(loaded, 200, seed=3))
    with pytest.raises(InputError):
        chain_draws(loaded, 0, seed=3)


def test_serial_and_dask_give_identical_results():
    pytest.importorskip("dask")
    a = whole_chain_monte_carlo(draws=3, seed=11)
    b = whole_chain_monte_carlo(draws=3, seed=11, backend="dask", scheduler="threads",
                                num_workers=2, chunk_size=1)
    pd.testing.assert_frame_equal(a, b)


def test_npv_and_output_rise_with_grade():
    low = chain_draw_result({"treo_grade_frac": 0.015, "ree_recovery_frac": 0.7,
                             "ree_dissolution_frac": 0.85})
    high = chain_draw_result({"treo_grade_frac": 0.025, "ree_recovery_frac": 0.7,
                              "ree_dissolution_frac": 0.85})
    assert high["reo_t_per_a"] > low["reo_t_per_a"]
    assert high["npv_usd"] > low["npv_usd"]
