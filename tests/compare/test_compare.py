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


def test_a_step_that_is_no_project_joins_the_next(monkeypatch):
    """Between two different projects a partial substitution (b's ore with a's deposit) may
    not run: the bridge says so and carries that group into the next step that runs."""
    import reeflow.chain.pipeline as pipeline
    from reeflow.chain import with_overrides
    from reeflow.compare import npv_waterfall
    from reeflow.core.errors import InputError

    a = load_project("builtin:beylikova")
    b = with_overrides(a, {"ore.treo_grade": "2.8 %", "economics.capex_scale": 1.2})

    class _Out:
        def npv_usd(self, rate):
            return 5.0

    calls = []

    def fake_what_if(loaded, overrides):
        calls.append(overrides)
        if len(calls) == 2:  # the first step (the first call is the reference's plan)
            raise InputError("mine.schedule", "minerals 102 % of the ore", "<= 100 %")
        return _Out()

    monkeypatch.setattr(pipeline, "what_if", fake_what_if)
    w = npv_waterfall(a, b, rate=0.08, npv_a=1.0, npv_b=5.0)
    steps = w["steps"]
    assert len(steps) == 2
    assert steps[0]["delta_usd"] is None and "next step" in steps[0]["note"]
    assert steps[1]["driver"] == f"{steps[0]['driver']} + economics.capex_scale"
    assert set(steps[0]["inputs"]) < set(steps[1]["inputs"])  # the joined step lists both
    assert 1.0 + steps[1]["delta_usd"] == 5.0 and w["residual_usd"] == 0.0


def test_scenarios_are_compared_at_the_reference_rate(tmp_path):
    """A scenario whose rates lack the reference project's headline rate is refused before
    anything runs (NPVs at two rates side by side would mislead)."""
    from reeflow.compare import compare
    from reeflow.core.errors import InputError

    other = tmp_path / "other.yaml"
    other.write_text("extends: builtin:beylikova\nname: other rate\n"
                     "economics:\n  discount_rates: [10 %]\n  headline_rate: 10 %\n",
                     encoding="utf-8")
    with pytest.raises(InputError, match="discount_rates.*headline rate 0.08"):
        compare(["builtin:beylikova", str(other)])


def test_user_named_mappings_differ_as_one_input():
    """Two projects with different product groups: each product name was a path of its own
    (plant.separation.products.SEG+), which the first project lacks, so every step after it
    failed with an internal error and the bridge was mostly residual (fuzz round 7)."""
    from reeflow.compare import _flatten

    a = {"plant": {"separation": {"products": {"La": ["La"], "SmY": ["Sm", "Y"]}}}}
    b = {"plant": {"separation": {"products": {"La": ["La"], "SEG+": ["Sm", "Y"]}}}}
    assert _flatten(a, b) == {"plant.separation.products": (
        a["plant"]["separation"]["products"], b["plant"]["separation"]["products"])}
    same_keys = {"ore": {"ree_distribution": {"La": 0.4, "Ce": 0.6}}}
    other = {"ore": {"ree_distribution": {"La": 0.5, "Ce": 0.5}}}
    assert set(_flatten(same_keys, other)) == {"ore.ree_distribution.La",
                                                "ore.ree_distribution.Ce"}


def test_a_project_that_fails_in_compare_is_named(monkeypatch):
    """A failing project's refusal did not say which of the files it came from."""
    import reeflow.study as study
    from reeflow.compare import compare
    from reeflow.core.errors import InfeasibleSpecError, InputError

    real = study.compute_results
    seen = []

    def fail(loaded, **_):
        seen.append(loaded)
        if len(seen) == 2:
            raise InputError("plant.separation", "Ce/La 1.001", "a feasible cut", "raise it")
        return real(loaded, sensitivities=False)

    monkeypatch.setattr(study, "compute_results", fail)
    with pytest.raises(InputError, match=r"^builtin:ngualla: plant.separation: got"):
        compare(["builtin:beylikova", "builtin:ngualla"])

    def infeasible(loaded, **_):
        raise InfeasibleSpecError("no sequence meets the product specs")

    monkeypatch.setattr(study, "compute_results", infeasible)
    with pytest.raises(InfeasibleSpecError, match=r"^builtin:beylikova: no sequence"):
        compare(["builtin:beylikova", "builtin:ngualla"])


def test_grades_summing_to_one_hundred_percent_less_round_off_make_an_ore_stream():
    """The gangue that makes up the rest of the ore came out at -7e-12 kg/h when the grades
    summed to 100 % (a compare step failed on it, fuzz round 7): Fe2O3 set to exactly the rest
    of the ore, at many ore rates, some of which leave a negative round-off."""
    from reeflow.core.elements import atomic_mass, molar_mass, oxide_factor
    from reeflow.plant.bastnasite import OreFeed, bastnasite, ore_stream
    from reeflow.plant.chemistry import components_for

    shares = {"La": 0.3, "Ce": 0.5, "Nd": 0.2}
    comp = components_for(tuple(shares))
    treo = 0.027
    mineral = sum(treo * sh / oxide_factor(ln) * molar_mass(bastnasite(ln)) / atomic_mass(ln)
                  for ln, sh in shares.items())
    fields = set(OreFeed.__dataclass_fields__)
    negative = 0
    for rate in range(70_000, 70_400):
        kw = {"ore_kg_per_h": float(rate) + 0.1, "treo_frac": treo, "ree_share_frac": shares,
              "tho2_frac": 0.001, "caf2_frac": 0.3, "baso4_frac": 0.2, "sio2_frac": 0.0}
        kw["fe2o3_frac"] = 1.0 - mineral - 0.001 - 0.3 - 0.2
        feed = OreFeed(**{k: v for k, v in kw.items() if k in fields})
        flows = [feed.ore_kg_per_h * treo * sh / oxide_factor(ln) * molar_mass(bastnasite(ln))
                 / atomic_mass(ln) for ln, sh in shares.items()]
        flows += [feed.ore_kg_per_h * f for f in (0.001, 0.3, 0.2, kw["fe2o3_frac"], 0.0)]
        negative += feed.ore_kg_per_h - sum(flows) < 0
        assert ore_stream(feed, comp).flows_kg_per_h.min() >= 0.0
    assert negative > 0  # the case the fix is for was met


def test_the_input_diff_leaves_out_the_case_s_text():
    """A scenario marks the case's benchmark reasons it inherits; they are text, not inputs
    (the diff listed 7 of them next to the one real input, economics.debt; review)."""
    from reeflow.compare import diff_inputs

    rows = diff_inputs(load_project("builtin:beylikova"),
                       load_project(SCENARIOS / "with_debt.yaml"))
    paths = [r["path"] for r in rows]
    assert paths and not any(p.startswith("economics.benchmark_reasons") for p in paths)
    assert any(p.startswith("economics.debt") for p in paths)


def test_a_step_that_re_plans_the_mine_says_so():
    """Fuzz round 19: a royalty rise showed +11.5 MUSD in the bridge, the pit re-optimised at
    that step and nothing said so."""
    from reeflow.compare import _replanned

    a, b = {"ore_t": 2.35e6, "years": 4.0}, {"ore_t": 2.41e6, "years": 5.0}
    text = _replanned(a, b)
    assert "re-optimised" in text and "2.35 Mt over 4 years → 2.41 Mt over 5 years" in text
    assert _replanned(a, dict(a)) == "" and _replanned(None, b) == ""


def test_the_bridge_records_each_step_s_plan_and_says_where_it_moved(monkeypatch):
    """npv_waterfall itself fills the plan columns and the note (review of round 19)."""
    import pandas as pd

    import reeflow.chain.pipeline as pipeline
    from reeflow.chain import with_overrides
    from reeflow.compare import npv_waterfall

    a = load_project("builtin:beylikova")
    b = with_overrides(a, {"economics.capex_scale": 1.2, "economics.opex_scale": 1.1})

    class _Mine:
        def __init__(self, ore):
            self.schedule = pd.DataFrame({"ore_t": ore})

    class _Out:
        def __init__(self, ore):
            self.mine = _Mine(ore)

        def npv_usd(self, rate):
            return -float(len(self.mine.schedule))

    plans = {0: [1e6, 1e6], 1: [1e6, 1e6], 2: [1e6, 1e6, 0.5e6]}
    calls = []

    def fake_what_if(loaded, overrides):
        calls.append(dict(overrides))
        return _Out(plans[len(overrides)])

    monkeypatch.setattr(pipeline, "what_if", fake_what_if)
    w = npv_waterfall(a, b, rate=0.08, npv_a=-2.0, npv_b=-3.0,
                      plan_a={"ore_t": 2e6, "years": 2.0})
    first, second = w["steps"]
    assert calls == [{"economics.capex_scale": 1.2},
                     {"economics.capex_scale": 1.2, "economics.opex_scale": 1.1}]
    assert first["note"] == "" and first["plan_ore_t_after"] == 2e6
    assert second["plan_years_after"] == 3.0 and "2.00 Mt over 2 years → 2.50 Mt over 3 years" \
        in second["note"]
