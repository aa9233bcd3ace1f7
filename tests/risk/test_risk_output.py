"""The ``risk`` section (results schema), its report card and ``reeflow risk --json``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reeflow.results import RiskSection


@pytest.fixture(scope="module")
def result(loaded, base_outcome, small_inputs):
    from reeflow.risk import run_risk

    return run_risk(loaded, draws=400, seed=5, inputs=small_inputs, workers=1, n_plans=1,
                    outcome=base_outcome)


def test_section_validates_against_the_schema(result, small_inputs):
    sec = RiskSection.model_validate(json.loads(json.dumps(result.section(), default=float)))
    assert sec.method == "fast" and sec.draws == 400
    assert sec.npv_usd.p10 <= sec.npv_usd.p50 <= sec.npv_usd.p90
    assert 0.0 <= sec.npv_usd.prob_loss <= 1.0
    assert {r["input"] for r in sec.rank_correlations} <= set(small_inputs)
    assert sec.convergence[-1]["n"] == 400


def test_npv_rises_with_the_ndpr_price_across_draws(result):
    # invariant: on one plan, NPV is increasing in the NdPr price multiplier
    rows = {r["input"]: r["spearman"] for r in result.section()["rank_correlations"]}
    assert rows["economics.price_scale_ndpr"] > 0.3
    assert rows["economics.capex_scale"] < 0.0


def test_section_has_no_timings_and_is_reproducible(loaded, base_outcome, result,
                                                      small_inputs):
    from reeflow.risk import run_risk

    again = run_risk(loaded, draws=400, seed=5, inputs=small_inputs, workers=2, n_plans=1,
                     outcome=base_outcome)
    a = json.dumps(result.section(), default=float, sort_keys=True)
    b = json.dumps(again.section(), default=float, sort_keys=True)
    assert a == b
    assert "setup_s" not in a and "times" not in a


def test_report_renders_the_risk_card(result):
    from reeflow.report import render_report

    results = {"meta": {"project_name": "test"},
               "risk": json.loads(json.dumps(result.section(), default=float))}
    html = render_report(results)
    assert 'id="risk"' in html and "rank correlation" in html and "P(loss)" in html
    assert "could not be rendered" not in html.split('id="risk"')[1].split("</section>")[0]


def test_report_without_risk_says_not_run():
    from reeflow.report.sections_risk import risk_section

    assert "not run" in risk_section({})


def test_cli_json_prints_percentiles(capsys, base_outcome):
    from reeflow.cli import main

    code = main(["risk", "--draws", "200", "--json", "--plans", "1", "--workers", "1",
                 "--inputs", "economics.price_scale_ndpr,economics.capex_scale"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["p10_usd"] <= out["p50_usd"] <= out["p90_usd"] and out["draws"] == 200


@pytest.mark.parametrize("argv", [["risk", "--draws", "0"],
                                  ["risk", "--draws", "10", "--inputs", "ore.throughput"],
                                  ["risk", "--draws", "10", "--workers", "0"]])
def test_cli_bad_input_exits_2(argv, capsys):
    from reeflow.cli import main

    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_table_has_inputs_and_outputs(result, small_inputs):
    t = result.table()
    assert list(t.columns[:len(small_inputs)]) == small_inputs
    assert np.isfinite(t["npv_usd"]).all() and (t["feasible"] == 1).all()
