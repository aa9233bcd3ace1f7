"""One check, one piece of code: the mends of the last read of stop 31.

The project file and ``design_train`` refuse a per-product spec and an unknown element symbol
with the same helper (they were two copies that could drift); close-match hints come from
``did_you_mean`` everywhere; the fixed opex a cash flow charges is one function."""

from __future__ import annotations

import numpy as np
import pytest

from reeflow.core.errors import InputError, did_you_mean
from reeflow.plant.sx import design_train

FEED = {"La": 250.0, "Ce": 450.0, "Pr": 45.0, "Nd": 150.0}  # illustrative, not a project's
ASSUMED = {"Ce/La": 2.0, "Pr/Ce": 1.5}  # user assumptions for the test
PRODUCTS = {"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"]}


def test_did_you_mean_without_fallback_is_empty_when_nothing_is_close():
    assert did_you_mean("NdPR", ["La", "NdPr"], fallback=False) == "did you mean 'NdPr'?"
    assert did_you_mean("zzz", ["La", "NdPr"], fallback=False) == ""
    assert did_you_mean("zzz", ["La", "NdPr"]).startswith("known names: La, NdPr")


@pytest.mark.parametrize("spec,missing", [({"La": 0.99, "Ce": 0.99}, True),
                                          ({"La": 0.99, "Ce": 0.99, "NdPR": 0.99}, False)])
def test_the_api_and_the_project_file_refuse_a_spec_in_the_same_words(spec, missing):
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    with pytest.raises(InputError) as api:
        design_train(FEED, products=PRODUCTS, separation_factors=ASSUMED, purity=spec)
    base = load_project("builtin:beylikova")
    file_spec = {**{k: f"{v * 100:g} %" for k, v in spec.items()}, "SmY": "95 %"}
    with pytest.raises(InputError) as pf:
        with_overrides(base, {"plant.separation.product_purity": file_spec})
    a, p = api.value, pf.value
    if missing:  # the whole mapping is named, and the fix lists what to add
        assert a.field == "purity" and p.field == "plant.separation.product_purity"
        assert "add NdPr" in a.fix and "add NdPr" in p.fix
    else:  # the unknown key is named, with the close match
        assert a.field == "purity.NdPR" and p.field == "plant.separation.product_purity.NdPR"
        assert a.fix == p.fix == "did you mean 'NdPr'?"
    def head(text: str, where: str) -> str:  # the words, without the lists of products
        return text.split("(")[0].split(":")[0].replace(where, "X")

    assert head(a.allowed, "the train") == head(p.allowed, "plant.separation.products")


def test_an_unknown_symbol_reads_alike_in_the_api_and_the_project_file():
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    with pytest.raises(InputError) as api:
        design_train(FEED, products={**PRODUCTS, "NdPr": ["Pr", "ND"]}, separation_factors=ASSUMED)
    base = load_project("builtin:beylikova")
    prods = {k: list(v) for k, v in base.project.plant.separation.products.items()}
    prods["NdPr"] = ["Pr", "ND"]
    with pytest.raises(InputError) as pf:
        with_overrides(base, {"plant.separation.products": prods})
    assert api.value.field == "products.NdPr" and pf.value.field == "plant.separation.products.NdPr"
    assert api.value.value == pf.value.value == "ND"
    assert api.value.fix == pf.value.fix == "did you mean 'Nd'?"


def test_charged_fixed_is_the_full_year_times_the_share_the_plant_runs():
    from reeflow.economics.annual import charged_fixed

    ore = np.array([500.0, 1000.0, 1000.0, 250.0])  # a ramp-up year runs all year; the last 1/4
    fixed = np.array([[10.0, 10.0, 10.0, 10.0], [2.0, 2.0, 2.0, 2.0]])  # two draws
    got = charged_fixed(fixed, ore)
    assert np.allclose(got, [[10.0, 10.0, 10.0, 2.5], [2.0, 2.0, 2.0, 0.5]], rtol=0, atol=1e-12)


def test_a_backend_that_does_not_override_map_cannot_be_made():
    from reeflow.risk.backends import Runner

    class NoMap(Runner):
        pass

    with pytest.raises(TypeError):
        NoMap()  # type: ignore[abstract]


def test_the_sx_section_names_products_by_the_projects_names(builtin_results_dict):
    """results.json's SX purities, specs and products use the project's product names, as its
    groups and the revenue split do (they read 'Pr+Nd' beside 'NdPr'; fuzz round 21)."""
    from reeflow.project import load_project

    sx = builtin_results_dict["sx"]
    names = list(sx["groups"])
    # the built-in case lists its products in extraction order: the project's names, in order
    assert names == list(load_project().project.plant.separation.products)
    for key in ("purity", "purity_spec", "meets_spec", "products_kg_per_h",
                "products_oxide_kg_per_h", "recovery"):
        assert list(sx[key]) == names, key


def test_each_cascade_carries_its_elements_and_organic_flow(builtin_results_dict):
    """The report reads a cut's elements from the cascade (its label names products) and shows
    its organic flow (the column read '—' on every row)."""
    sx = builtin_results_dict["sx"]
    elements = {e for g in sx["groups"].values() for e in g}
    for cut, c in zip(sx["cuts"], sx["cascades"], strict=True):
        assert c["light"] == list(cut["light"]) and c["heavy"] == list(cut["heavy"])
        assert set(c["light"]) | set(c["heavy"]) <= elements
        assert c["organic_flow_m3_per_h"] == cut["flows_L_per_h"]["organic"] / 1000.0 > 0


# --- the mends of the last read of stop 32 -------------------------------------------------

def test_neighbour_gaps_names_what_lies_between_a_groups_members():
    from reeflow.plant.sx.settings import neighbour_gaps

    order = ["La", "Ce", "Pr", "Nd", "Sm"]
    assert neighbour_gaps(["Pr", "Nd"], order) == []
    assert neighbour_gaps(["Nd", "Pr"], order) == []  # any order within the group
    assert neighbour_gaps(["La", "Pr"], order) == ["Ce"]
    assert neighbour_gaps(["La", "Nd", "Sm"], order) == ["Ce", "Pr"]
    assert neighbour_gaps(["Pm"], order) == []  # not in the order: not looked at


def test_the_api_and_the_project_file_refuse_non_neighbours_by_the_same_rule():
    """A group with a gap is refused by design_train and by the project file, and both fixes
    name the missing neighbour (Ce)."""
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    bad = {"LaPr": ["La", "Pr"], "Ce": ["Ce"], "Nd": ["Nd"]}
    with pytest.raises(InputError) as api:
        design_train(FEED, products=bad, separation_factors=ASSUMED)
    assert api.value.field == "products" and "add Ce" in api.value.fix
    assert api.value.value == bad  # echoed as written
    base = load_project("builtin:beylikova")
    with pytest.raises(InputError) as pf:
        with_overrides(base, {"plant.separation.products": {**bad, "SmY": ["Sm", "Y"]}})
    assert pf.value.field == "plant.separation.products.LaPr" and "add Ce" in pf.value.fix


def test_too_few_groups_echo_the_products_as_written():
    with pytest.raises(InputError) as exc:
        design_train({"La": 1.0, "Ce": 1.0}, products={"b": ["Ce", "La"], "a": ["Pr"]},
                     separation_factors=ASSUMED)
    assert exc.value.value == {"b": ["Ce", "La"], "a": ["Pr"]}
    assert "at least two" in exc.value.allowed


@pytest.mark.parametrize("record,path", [({"value": 1, "evidnce": "assumed"}, "x.evidnce"),
                                         ({"value": 1, "evidence": "guessed"}, "x.evidence"),
                                         ({"value": 1, "range": [1]}, "x.range"),
                                         ({"value": 1, 1: "x"}, "x.1"),  # a KeyError before
                                         ({"value": 1, True: "x"}, "x.True")])  # YAML 'on:'
def test_a_record_is_checked_alike_by_the_loader_and_the_sx_commands(record, path):
    """One record check (core.projectfile.check_record) for a project file and for the
    numbers `reeflow sx` reads itself."""
    from reeflow.core.projectfile import check_record
    from reeflow.plant.sx.commands import _num

    with pytest.raises(InputError) as direct:
        check_record(record, "x")
    with pytest.raises(InputError) as sx:
        _num(record, "x")
    assert direct.value.field == sx.value.field == path
    assert str(direct.value) == str(sx.value)


def test_a_bad_record_key_is_named_with_its_key_not_its_value():
    from reeflow.core.projectfile import check_record

    with pytest.raises(InputError) as exc:
        check_record({"value": 1, "zzz": 5, "evidnce": "assumed"}, "ore.treo_grade")
    assert exc.value.field == "ore.treo_grade.zzz" and exc.value.value == "zzz"  # first written
    assert exc.value.fix == "remove the key"  # nothing close


def test_one_resolver_of_builtin_names_for_projects_and_inputs():
    from reeflow.example_inputs import builtin_names, resolve
    from reeflow.project import CASES_DIR, builtin_project_path

    case = CASES_DIR / "beylikova" / "project.yaml"
    assert builtin_project_path("beylikova") == case
    assert builtin_project_path(" beylikova/project.yaml ") == case
    assert builtin_project_path("beylikova/scenarios/with_debt").name == "with_debt.yaml"
    assert resolve("builtin:beylikova") == str(case)
    # an input file is a shipped example, but not a project file
    csv = next(n for n in builtin_names() if n.endswith(".csv"))
    assert resolve(f"builtin:{csv}").endswith(".csv")
    with pytest.raises(InputError) as not_project:
        builtin_project_path(csv)
    assert not_project.value.field == "project"
    with pytest.raises(InputError) as exc:
        builtin_project_path("beylikva")
    assert exc.value.field == "project" and "'beylikova'" in exc.value.fix


# --- fuzz round 23 -----------------------------------------------------------------------------

def test_validate_refuses_a_single_product_group_as_the_study_does():
    """One group passed validate, then the study's SX design refused it (fuzz round 23)."""
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    base = load_project("builtin:beylikova")
    with pytest.raises(InputError) as exc:
        with_overrides(base, {"plant.separation.products":
                              {"All": ["La", "Ce", "Pr", "Nd", "Sm", "Y"]}})
    assert exc.value.field == "plant.separation.products"
    assert "at least two product groups" in exc.value.allowed
    assert "mixed_carbonate" in exc.value.fix


@pytest.mark.parametrize("name", ["", "  "])
def test_a_blank_product_name_is_refused_by_both_routes(name):
    """A blank name made the cut label '|Ce' (fuzz round 23)."""
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    products = {name: ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"]}
    with pytest.raises(InputError, match="not blank"):
        design_train(FEED, products=products, separation_factors=ASSUMED)
    base = load_project("builtin:beylikova")
    with pytest.raises(InputError, match="not blank") as exc:
        with_overrides(base, {"plant.separation.products": {**products, "SmY": ["Sm", "Y"]}})
    assert exc.value.field == "plant.separation.products"  # no trailing '.'
    assert exc.value.value == repr(name)


def test_validate_and_the_train_order_and_pair_the_groups_alike():
    """One ordering of the product groups and one list of key pairs for `validate`'s factor
    check and `design_train` (each had its own)."""
    from reeflow.plant.sx.settings import key_pairs, ordered_groups

    order = ["La", "Ce", "Pr", "Nd", "Sm", "Y"]
    pairs = ordered_groups([("NdPr", ["Nd", "Pr"]), ("Gone", ["Dy"]), ("La", ["La"]),
                            ("Ce", ["Ce"]), ("SmY", ["Y", "Sm"])], order)
    assert pairs == [("La", ["La"]), ("Ce", ["Ce"]), ("NdPr", ["Pr", "Nd"]),
                     ("SmY", ["Sm", "Y"])]
    assert key_pairs([g for _, g in pairs]) == [("Ce", "La"), ("Pr", "Ce"), ("Sm", "Nd")]
    train = design_train(FEED, products={"NdPr": ["Nd", "Pr"], "La": ["La"], "Ce": ["Ce"]},
                         separation_factors=ASSUMED)
    assert list(train.groups) == ["La", "Ce", "NdPr"]


@pytest.mark.parametrize("empty", [{}, []])
def test_design_train_refuses_an_empty_products_rather_than_defaulting(empty):
    with pytest.raises(InputError) as exc:
        design_train(FEED, products=empty, separation_factors=ASSUMED)
    assert exc.value.field == "products" and exc.value.value == empty


@pytest.mark.parametrize("record,field,allowed", [
    ({"value": 2.0, "range": [3.0, 1.0]}, "x.range", "low <= high"),
    ({"value": 2.0, "range": [3.0, 4.0]}, "x", "inside its own stated range"),
    ({"value": "99 %", "range": ["99.5 %", "99.9 %"]}, "x", "inside its own stated range")])
def test_reeflow_sx_checks_a_records_range_as_the_loader_does(record, field, allowed):
    """A reversed range, or a value outside its range, was accepted by `reeflow sx` spec files
    while a project file refuses it (fuzz round 23); one check, core.projectfile.check_range."""
    from reeflow.plant.sx.commands import _num

    with pytest.raises(InputError) as exc:
        _num(record, "x")
    assert exc.value.field == field and allowed in exc.value.allowed
    assert _num({"value": "99.6 %", "range": ["99.5 %", "99.9 %"]}, "x") == pytest.approx(0.996)


def test_a_project_argument_names_only_shipped_project_files(capsys):
    """`reeflow validate builtin:babbitt/README` read the README as YAML ("fix the syntax at
    line 3"): a project argument resolves among the shipped YAML files (fuzz round 23)."""
    from reeflow.cli import main

    assert main(["validate", "builtin:babbitt/README"]) == 2
    err = capsys.readouterr().err
    assert "project: got 'builtin:babbitt/README'" in err and "shipped project file" in err
    assert main(["validate", "builtin:beylikova/scenarios/with_debt"]) == 0


def test_a_record_inside_a_record_is_refused_by_both_routes():
    """{value: {value: 2 %}, range: [...]}: the loader unwrapped the inner record and lost the
    outer range; reeflow sx said 'a number' (fuzz round 23). One refusal for both."""
    from reeflow.core.projectfile import _lift  # the loader's record lifting
    from reeflow.plant.sx.commands import _num

    nested = {"value": {"value": "2 %"}, "range": ["1 %", "3 %"]}
    with pytest.raises(InputError) as sx:
        _num(nested, "ore.treo_grade")
    assert sx.value.field == "ore.treo_grade.value"
    assert "record inside a record" in sx.value.allowed
    with pytest.raises(InputError) as pf:
        _lift({"ore": {"treo_grade": nested}}, "", {})
    assert pf.value.field == "ore.treo_grade.value"
