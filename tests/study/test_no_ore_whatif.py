"""A what-if at which no ore pays is an answer, not a failure: the study completes and shows
"no ore pays" where that end of a range leaves the pit empty (found by a fuzz of new project
files: a marginal project's sensitivity end stopped the whole study)."""

from __future__ import annotations

import pytest

from reeflow.core.errors import NoOreError
from reeflow.project import load_project
from reeflow.report import render_report
from reeflow.sensitivity import CachedRunner
from reeflow.study import compute_results

# the built-in case pays for a pit at its by-product prices, not at half of them: a project that
# states that range (before the SX reagents followed the REE, stop 40, the case was "no
# fluorite in the ore" at the low end of the beneficiation recovery)
MARGINAL = """extends: builtin:beylikova
economics:
  price_scale_byproduct: {value: 1.0, range: [0.5, 1.2], evidence: assumed}
  sensitivity_inputs: [economics.price_scale_byproduct]
"""


@pytest.fixture(scope="module")
def marginal(tmp_path_factory):
    path = tmp_path_factory.mktemp("marginal") / "project.yaml"
    path.write_text(MARGINAL, encoding="utf-8")
    return load_project(path)


@pytest.mark.slow
def test_a_range_end_without_ore_is_shown_not_fatal(marginal):
    res = compute_results(marginal, workers=1)
    data = res.results.to_dict()
    row = next(r for r in data["economics"]["tornado"]
               if r["input"] == "economics.price_scale_byproduct")
    assert row["npv_low_usd"] is None and row["swing_usd"] is None
    assert isinstance(row["npv_high_usd"], float)
    assert "no ore pays at economics.price_scale_byproduct = 0.5" in row["note"]
    assert data["summary"]["risks"][0]["input"] == "economics.price_scale_byproduct"
    html = render_report(data)
    assert "no ore pays" in html
    assert res.results.to_json()  # the typed results still serialise


def test_the_runner_keeps_a_no_ore_answer(marginal):
    calls = []

    def no_ore(loaded, overrides):
        calls.append(dict(overrides))
        raise NoOreError("mine plan", "no ore in the pit", "a pit that pays", "raise the grade")

    runner = CachedRunner(no_ore)
    for _ in range(2):
        with pytest.raises(NoOreError):
            runner(marginal, {"economics.price_scale_byproduct": 0.5})
    assert len(calls) == 1 and runner.hits == 1
