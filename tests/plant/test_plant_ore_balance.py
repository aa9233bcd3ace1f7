"""The unassayed rest of the ore is the mineral the project names (ore.balance_mineral): CaCO3
(reactive carbonate gangue) or SiO2 (inert). Nothing assigns it silently: the field is required,
an unknown mineral is refused, and the ore stream closes to the ore mass either way."""

import shutil

import pytest
import yaml

from reeflow.chain.adapters import ore_feed
from reeflow.core.errors import InputError
from reeflow.plant.bastnasite import ore_stream
from reeflow.plant.chemistry import components_for
from reeflow.project import builtin_project_path, load_project


def _stream(balance: str):
    project = load_project().project
    ore = project.ore.model_copy(update={"balance_mineral": balance})
    feed = ore_feed(project.model_copy(update={"ore": ore}))
    comp = components_for(tuple(ore.ree_distribution))
    return feed, ore_stream(feed, comp)


@pytest.mark.parametrize("balance", ["CaCO3", "SiO2"])
def test_ore_stream_closes_on_the_named_balance(balance):
    feed, s = _stream(balance)
    assert s.total_kg_per_h == pytest.approx(feed.ore_kg_per_h, rel=1e-12)


def test_inert_balance_moves_the_rest_from_carbonate_to_silica():
    feed, carb = _stream("CaCO3")
    _, inert = _stream("SiO2")
    rest = carb.species_kg_per_h("CaCO3")
    assert rest > 0
    assert inert.species_kg_per_h("CaCO3") == pytest.approx(0.0, abs=1e-9)
    assert inert.species_kg_per_h("SiO2") == pytest.approx(
        carb.species_kg_per_h("SiO2") + rest, rel=1e-12)


def test_balance_mineral_is_required_and_checked(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(builtin_project_path("beylikova").parent, case)
    tree = yaml.safe_load((case / "project.yaml").read_text(encoding="utf-8"))
    del tree["ore"]["balance_mineral"]
    (case / "project.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="required") as err:
        load_project(case / "project.yaml")
    assert err.value.field == "ore.balance_mineral"
    tree["ore"]["balance_mineral"] = "dolomite"
    (case / "project.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_project(case / "project.yaml")
    assert err.value.field == "ore.balance_mineral"


def _gangue_sum(feed) -> float:
    return feed.tho2_frac + feed.caf2_frac + feed.baso4_frac + feed.fe2o3_frac + feed.sio2_frac


def test_a_rich_feed_of_a_gangue_rich_ore_stays_within_the_ore_mass():
    """Ngualla's project file holds 90 % barite, iron oxide and quartz. A year fed at 9 % TREO
    (a grade what-if, a 1-year life on the richest blocks) leaves no rest for the balance
    mineral: the project file's minerals give way pro rata and the stream still closes. At the
    design grade nothing changes, and the rule is continuous where the rest reaches 0."""
    project = load_project("builtin:ngualla").project
    ore = project.ore
    base = ore_feed(project)
    assert base.baso4_frac == ore.baso4_grade_frac and base.fe2o3_frac == ore.fe2o3_grade_frac
    rate = ore.throughput_t_per_a
    rich = ore_feed(project, ore_t_per_a=rate, grades_frac={"treo": 0.09})
    comp = components_for(tuple(ore.ree_distribution))
    s = ore_stream(rich, comp)
    assert s.total_kg_per_h == pytest.approx(rich.ore_kg_per_h, rel=1e-12)
    # the rest is only the mineral of the heavy REE the case does not carry (1.05 % of TREO;
    # bastnäsite weighs < 1.5 × its oxide): the balance mineral is otherwise squeezed to 0
    assert ore.balance_mineral == "SiO2"
    rest = s.species_kg_per_h("SiO2") - rich.sio2_frac * rich.ore_kg_per_h
    uncarried = 1.0 - sum(ore.ree_distribution.values())
    assert 0 <= rest <= rich.ore_kg_per_h * 0.09 * uncarried * 1.5
    assert _gangue_sum(rich) < _gangue_sum(base)
    assert rich.baso4_frac / rich.fe2o3_frac == pytest.approx(
        ore.baso4_grade_frac / ore.fe2o3_grade_frac, rel=1e-12)
    # find the grade where the rest reaches 0, then step either side of it
    lo, hi = ore.treo_grade_frac, 0.09
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        f = ore_feed(project, ore_t_per_a=rate, grades_frac={"treo": mid})
        lo, hi = (mid, hi) if _gangue_sum(f) == _gangue_sum(base) else (lo, mid)
    below = ore_feed(project, ore_t_per_a=rate, grades_frac={"treo": lo})
    above = ore_feed(project, ore_t_per_a=rate, grades_frac={"treo": hi})
    assert _gangue_sum(above) == pytest.approx(_gangue_sum(below), rel=1e-9)


def test_a_trimmed_year_is_named_by_a_warning():
    """The trim changes the by-products (fluorite, barite) a year yields: the consistency
    check names the year and the factor, and stays quiet at the design grade."""
    from types import SimpleNamespace

    import pandas as pd

    from reeflow.consistency import ore_minerals_as_written

    project = load_project("builtin:ngualla").project

    def outcome(grade):
        sched = pd.DataFrame({"ore_t": [1e5, 0.0], "head_grade_treo_frac": [grade, grade]})
        return SimpleNamespace(project=project, mine=SimpleNamespace(schedule=sched),
                               years=[SimpleNamespace(year=3), SimpleNamespace(year=4)])

    assert ore_minerals_as_written(outcome(project.ore.treo_grade_frac)).ok
    rich = ore_minerals_as_written(outcome(0.09))
    assert not rich.ok and rich.severity == "warning" and "year 3" in rich.detail
