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
