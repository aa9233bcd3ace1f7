"""Fuzz round 7 on ``reeflow risk``: refusals before any work, draws with no project counted,
and ``reeflow validate`` reading the risk settings as ``reeflow risk`` does."""

from __future__ import annotations

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.project import load_project_text
from reeflow.risk.engine import RiskResult
from reeflow.risk.inputs import Draws, check_risk_section


@pytest.mark.parametrize("argv, flag", [
    (["risk", "--draws", "2", "--inputs", ","], "--inputs"),  # exit 1 (ValueError) before
    (["risk", "--draws", "2", "--plans", "0"], "--plans"),     # accepted in silence before
    (["risk", "--draws", "2", "--plans", "-3"], "--plans"),
    (["risk", "--draws", "2", "--realisations", "-1"], "--realisations"),
])
def test_bad_risk_flags_exit_2_naming_the_flag(argv, flag, capsys):
    from reeflow.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{flag}: got" in err and "Fix:" in err


def test_draws_with_no_project_are_counted_not_hidden():
    names = ("economics.price_scale_ndpr",)
    d = Draws(names=names, values=np.ones((4, 1)), path_names=(), paths=np.zeros((4, 0, 0)),
              realisation=np.full(4, -1))
    outputs = {"npv_usd": np.array([-1e6, 2e6, np.nan, np.nan]),
               "feasible": np.array([1.0, 1.0, 0.0, 0.0])}
    r = RiskResult(d, outputs, "rigorous", 1, [])
    info = r.infeasible()
    assert info["infeasible_draws"] == 2
    assert info["prob_loss_all_draws"] == pytest.approx(3 / 4)  # 1 loss + 2 with no project
    assert "2 of 4 draws (50.0%) have no viable project" in info["infeasible_note"]
    full = RiskResult(d, {"npv_usd": np.array([-1.0, 1.0, 2.0, 3.0]),
                          "feasible": np.ones(4)}, "rigorous", 1, [])
    assert full.infeasible() == {"infeasible_draws": 0, "prob_loss_all_draws": 0.25}


def _project(extra: str):
    return load_project_text("extends: builtin:beylikova\n" + extra)


@pytest.mark.parametrize("extra, match", [
    # a normal reads its range as the central 90 %: a value at one end drew half its values
    # outside the range
    ("economics:\n  price_scale_other: {value: 1.0, range: [0.6944, 1.0], "
     "distribution: normal}\n", "price_scale_other.distribution: got 'normal'"),
    ("risk:\n  correlation: {pairs: [{inputs: [ore.treo_grade, economics.price_scale_ndpr], "
     "rho: 0.5}, {inputs: [economics.price_scale_ndpr, ore.treo_grade], rho: -0.5}]}\n",
     "each pair of inputs once"),
    ("risk:\n  inputs: [ore.fe2o3_grade]\n", "a value with a range"),
    # an empty list drew every ranged input, the same as leaving the key out
    ("risk:\n  inputs: []\n", "at least one project path"),
    ("economics:\n  price_scale_ndpr: {value: 1.0, range: [0, 2], distribution: lognormal}\n",
     "a positive value and range for a lognormal"),
])
def test_validate_refuses_what_risk_would(extra, match):
    with pytest.raises(InputError, match=match):
        check_risk_section(_project(extra))


def test_a_centred_normal_and_the_built_in_case_pass():
    assert check_risk_section(_project(
        "economics:\n  price_scale_other: {value: 1.0, range: [0.7, 1.3], "
        "distribution: normal}\n")) > 0


def test_an_empty_out_folder_and_a_repeated_sensitivity_input_are_refused(capsys):
    """`reeflow risk --out ""` wrote nothing without a word; a repeated sensitivity input was
    accepted (fuzz round 7)."""
    from reeflow.cli import main
    from reeflow.sensitivity import default_inputs

    assert main(["risk", "--draws", "2", "--out", ""]) == 2
    assert "--out: got ''" in capsys.readouterr().err
    loaded = _project("economics:\n  sensitivity_inputs: [economics.capex_scale, "
                      "economics.capex_scale]\n")
    with pytest.raises(InputError, match="each input once"):
        default_inputs(loaded)
