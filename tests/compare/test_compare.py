"""reeflow compare: scenarios side by side, the NPV bridge adds up, files written."""

from __future__ import annotations

import json

import pytest

from reeflow.cli import main
from reeflow.project import CASES_DIR, load_project

SCENARIOS = CASES_DIR / "beylikova" / "scenarios"


@pytest.mark.parametrize("name", ["owner_byproduct_plan", "mid_range_recoveries",
                                  "historic_core_grade", "dod_ndpr_floor", "with_debt"])
def test_shipped_scenarios_load(name):
    lp = load_project(SCENARIOS / f"{name}.yaml")
    assert lp.project.name.startswith("Beylikova - ")


def test_compare_two_scenarios(tmp_path, capsys):
    out = tmp_path / "cmp"
    rc = main(["compare", "builtin:beylikova", str(SCENARIOS / "dod_ndpr_floor.yaml"),
               "--out", str(out), "--json"])
    assert rc == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed["files"]) == {"compare.json", "compare.html", "compare.xlsx"}
    data = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    a, b = data["scenarios"]
    assert b["kpis"]["npv_post_tax_usd"] > a["kpis"]["npv_post_tax_usd"]  # the floor pays
    w = data["waterfalls"][0]
    assert [s["driver"] for s in w["steps"]] == ["economics.price_periods"]
    total = w["npv_from_usd"] + sum(s["delta_usd"] for s in w["steps"])
    assert total == pytest.approx(w["npv_to_usd"], abs=1.0)  # the bridge adds up
    assert abs(w["residual_usd"]) < 1.0
    assert set(a["claims"]) == set(b["claims"]) and a["claims"]
    diff = {r["path"] for r in data["diffs"][0]["rows"]}
    assert "economics.price_periods" in diff
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') == 2 and "NPV bridge" in html


def test_compare_needs_two_projects(capsys):
    assert main(["compare", "builtin:beylikova", "--out", "x"]) == 2
