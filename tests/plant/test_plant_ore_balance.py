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
