"""Per-product purity specs: a train designed to one spec for every product could not make
La at 99 % beside NdPr at 99.9 % (the specs a price deck quotes), so the plant was designed
to the strictest for all or sold some products below their price basis. ``purity`` now takes
{product: spec} too, met end to end product by product."""

from __future__ import annotations

import pytest

from reeflow.core.errors import InputError
from reeflow.plant.sx import design_train

FEED = {"La": 250.0, "Ce": 450.0, "Pr": 45.0, "Nd": 150.0}  # illustrative, not a project's
ASSUMED = {"Ce/La": 2.0, "Pr/Ce": 1.5}  # user assumptions for the test
PRODUCTS = {"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"]}


def _train(purity):
    return design_train(FEED, products=PRODUCTS, separation_factors=ASSUMED, purity=purity)


def test_each_product_meets_its_own_spec():
    specs = {"La": 0.99, "Ce": 0.995, "NdPr": 0.9995}
    r = _train(specs)
    assert r.purity_spec == specs
    for p, spec in specs.items():
        assert r.purity[p] >= spec * (1 - 1e-12)
    assert all(r.meets_spec.values())


def test_one_spec_for_all_is_the_same_question_as_that_spec_for_each():
    one, each = _train(0.995), _train(dict.fromkeys(PRODUCTS, 0.995))
    assert one.sequence == each.sequence and one.total_stages == each.total_stages
    assert one.purity == each.purity and one.purity_spec == each.purity_spec


def test_looser_specs_on_some_products_never_need_more_stages():
    strict = _train(0.999)
    loose = _train({"La": 0.99, "Ce": 0.99, "NdPr": 0.999})
    assert loose.total_stages <= strict.total_stages
    assert loose.purity["NdPr"] >= 0.999 * (1 - 1e-12)


@pytest.mark.parametrize("purity,field", [
    ({"La": 0.99, "Ce": 0.99}, "purity"),  # NdPr has no spec
    ({"La": 0.99, "Ce": 0.99, "NdPr": 0.99, "Sm": 0.99}, "purity.Sm"),  # no such product
    ({"La": 0.99, "Ce": 1.2, "NdPr": 0.99}, "purity.Ce"),
    ({"La": 0.99, "Ce": "0.99", "NdPr": 0.99}, "purity.Ce"),
])
def test_a_bad_per_product_spec_is_refused_naming_it(purity, field):
    with pytest.raises(InputError) as exc:
        _train(purity)
    assert exc.value.field == field


def test_the_project_file_takes_one_purity_or_one_per_product():
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    base = load_project("builtin:beylikova")
    names = list(base.project.plant.separation.products)
    got = with_overrides(base, {"plant.separation.product_purity": dict.fromkeys(names, "99.5 %")})
    assert got.project.plant.separation.product_purity_frac == dict.fromkeys(names, 0.995)
    for bad, field in (({names[0]: "99 %"}, "plant.separation.product_purity"),
                       ({**dict.fromkeys(names, "99 %"), "Lx": "99 %"},
                        "plant.separation.product_purity.Lx"),
                       ({**dict.fromkeys(names, "99 %"), names[1]: "150 %"},
                        f"plant.separation.product_purity.{names[1]}"),
                       ("150 %", "plant.separation.product_purity")):
        with pytest.raises(InputError) as exc:
            with_overrides(base, {"plant.separation.product_purity": bad})
        assert exc.value.field == field, exc.value


def test_a_spec_for_a_product_the_feed_lacks_is_accepted_and_unused():
    """A product none of whose elements is fed is dropped; its spec is not 'unknown' (review)."""
    r = design_train(FEED, products={**PRODUCTS, "Sm": ["Sm"]}, separation_factors=ASSUMED,
                     purity={"La": 0.99, "Ce": 0.99, "NdPr": 0.995, "Sm": 0.99})
    assert r.purity_spec == {"La": 0.99, "Ce": 0.99, "NdPr": 0.995}
    # ... and it is not left out silently: the train says what it left out (fuzz round 23)
    assert r.not_fed == {"Sm": ["Sm"]} and r.to_dict()["not_fed"] == {"Sm": ["Sm"]}
    part = design_train(FEED, products={"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd", "Sm"]},
                        separation_factors=ASSUMED)
    assert part.not_fed == {"NdPr": ["Sm"]} and part.groups["NdPr"] == ["Pr", "Nd"]
    assert design_train(FEED, products=PRODUCTS, separation_factors=ASSUMED).not_fed == {}


def test_an_element_the_extractant_does_not_know_is_refused_not_dropped():
    """'Xx' in a group was dropped as if not fed (a project file refuses it; fuzz round 21)."""
    with pytest.raises(InputError) as exc:
        design_train(FEED, products={**PRODUCTS, "NdPr": ["Pr", "Nd", "Xx"]},
                     separation_factors=ASSUMED)
    assert exc.value.field == "products.NdPr" and exc.value.value == "Xx"


def test_sx_train_refuses_purity_and_product_purity_together(tmp_path):
    """product_purity won silently over purity (fuzz round 21)."""
    import argparse

    from reeflow.plant.sx import commands

    f = tmp_path / "t.yaml"
    f.write_text("feed_kg_per_h: {La: 250, Ce: 450}\nseparation_factors: {Ce/La: 2.0}\n"
                 "purity: 99.9 %\nproduct_purity: 99 %\n", encoding="utf-8")
    with pytest.raises(InputError, match="one of purity and product_purity"):
        commands.run_train(argparse.Namespace(file=str(f), json=True))


@pytest.mark.parametrize("line,field,words", [
    ("purity: [99 %, 99 %]", "purity", "{product: purity}"),
    ("purity: {La: 150 %, Ce: 99 %}", "purity.La", "<= 0.99999"),
    ("product_purity: {La: high, Ce: 99 %}", "product_purity.La", "50 %"),
])
def test_sx_train_names_the_purity_key_the_file_wrote(tmp_path, line, field, words):
    """An error named product_purity.La where the file wrote purity; a list was refused as
    "a number"; a fraction's example was '1 frac', outside the bounds (fuzz round 21)."""
    import argparse

    from reeflow.plant.sx import commands

    f = tmp_path / "t.yaml"
    f.write_text(f"feed_kg_per_h: {{La: 250, Ce: 450}}\nseparation_factors: {{Ce/La: 2.0}}\n"
                 f"{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        commands.run_train(argparse.Namespace(file=str(f), json=True))
    assert exc.value.field == field and words in str(exc.value), exc.value


HEAVY_FEED = {"Sm": 100.0, "Dy": 60.0, "Y": 300.0}  # illustrative: Dy2O3 weighs more per atom
HEAVY_PRODUCTS = {"SmDy": ["Sm", "Dy"], "Y": ["Y"]}


@pytest.mark.parametrize("spec", [0.99, 0.999])
def test_an_oxide_mass_spec_is_met_by_oxide_mass(spec):
    """A Y product at 99.3 mol % is 98.85 % by oxide mass (Dy2O3 weighs 186 g per Dy, Y2O3
    113 g per Y): on the oxide_mass basis the train is redesigned to the mole spec that
    meets the spec by mass, and no more than it needs."""
    from reeflow.plant.sx.train import meet_oxide_spec, mole_spec_for

    def design(purity):
        return design_train(HEAVY_FEED, products=HEAVY_PRODUCTS, purity=purity)

    wanted = dict.fromkeys(HEAVY_PRODUCTS, spec)
    first = design(wanted)
    assert first.oxide_purity()["Y"] < spec <= first.purity["Y"]  # the mole basis falls short
    need = first.mole_specs_for(wanted)
    assert set(need) == {"Y"}
    assert need["Y"] == mole_spec_for(spec, first.purity["Y"], first.oxide_purity()["Y"])
    train = meet_oxide_spec(first, wanted, design)
    assert all(v >= spec - 1e-12 for v in train.oxide_purity().values())
    assert train.purity_spec == {"SmDy": spec, "Y": need["Y"]}
    assert train.total_stages >= first.total_stages


def test_design_train_takes_the_oxide_mass_basis_itself():
    """The basis is a keyword of the train (the study and `sx train` each wired the redesign
    loop before): the same train as the loop, the spec as given kept beside the mole specs
    designed to, and a basis the train does not know refused before any design."""
    from reeflow.core.errors import InputError

    wanted = dict.fromkeys(HEAVY_PRODUCTS, 0.99)
    train = design_train(HEAVY_FEED, products=HEAVY_PRODUCTS, purity=0.99,
                         purity_basis="oxide_mass")
    assert train.product_purity_spec == wanted and train.purity_basis == "oxide_mass"
    assert train.purity_spec["Y"] > 0.99 and all(train.meets_product_spec.values())
    d = train.to_dict()
    assert d["product_purity_basis"] == "oxide_mass" and d["product_purity_spec"] == wanted
    mole = design_train(HEAVY_FEED, products=HEAVY_PRODUCTS, purity=0.99)
    assert mole.product_purity_spec == mole.purity_spec == wanted
    assert mole.meets_product_spec == mole.meets_spec
    with pytest.raises(InputError, match="purity_basis: got 'mass'"):
        design_train(HEAVY_FEED, products=HEAVY_PRODUCTS, purity_basis="mass")


def test_the_oxide_purity_of_a_pure_group_weighs_its_own_oxides():
    import math

    from reeflow.plant.sx.train import mole_spec_for

    t = _train(0.99)
    ox = t.oxide_purity()
    assert set(ox) == set(PRODUCTS) and all(0.99 - 0.001 < v <= 1.0 for v in ox.values())
    assert t.to_dict()["oxide_purity"] == ox
    assert math.isnan(mole_spec_for(0.999, 1.0, 1.0))  # no impurity: nothing to tighten


def test_the_project_file_takes_the_purity_basis():
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    base = load_project("builtin:beylikova")
    assert base.project.plant.separation.product_purity_basis == "mole"
    p = with_overrides(base, {"plant.separation.product_purity_basis": "oxide_mass"})
    assert p.project.plant.separation.product_purity_basis == "oxide_mass"
    with pytest.raises(InputError) as exc:
        with_overrides(base, {"plant.separation.product_purity_basis": "mass"})
    assert exc.value.field == "plant.separation.product_purity_basis"


def test_the_exact_mole_spec_meets_the_oxide_spec_at_the_same_impurity_mix():
    """x' = 1 / (1 + (1 - s)/s (1 - x)/x w/(1 - w)) (the linear form fell 1.6e-6 short)."""
    from reeflow.plant.sx.train import mole_spec_for

    x, w, s = 0.9962, 0.99408, 0.995
    b_over_a = (1 - w) * x / (w * (1 - x))  # the impurity's oxide mass per mole, relative
    xp = mole_spec_for(s, x, w)
    assert xp / (xp + (1 - xp) * b_over_a) == pytest.approx(s, abs=1e-15)


def test_sx_train_takes_the_purity_basis_as_the_study_does(tmp_path, capsys):
    """`reeflow sx train` refused a project file's product_purity_basis (an unknown key), and
    would have designed on the mole basis the study no longer uses (review of stop 34)."""
    from reeflow.cli import main

    f = tmp_path / "t.yaml"
    f.write_text("plant:\n  separation:\n    products: {SmDy: [Sm, Dy], Y: [Y]}\n"
                 "    product_purity: 99 %\n    product_purity_basis: oxide_mass\n"
                 "feed_kg_per_h: {Sm: 100.0, Dy: 60.0, Y: 300.0}\n")
    assert main(["sx", "train", str(f)]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("Y:"))
    assert "spec 0.99 by oxide mass, designed to 0.99" in line
    assert float(line.split("by oxide mass ")[-1].split(",")[0]) >= 0.99


def test_sx_train_json_carries_the_spec_as_written_and_its_basis(tmp_path, capsys):
    """`sx train --json` on oxide_mass showed only the raised mole spec (fuzz round 26)."""
    import json

    from reeflow.cli import main

    f = tmp_path / "t.yaml"
    f.write_text("feed_kg_per_h: {Sm: 100.0, Dy: 60.0, Y: 300.0}\n"
                 "products: {SmDy: [Sm, Dy], Y: [Y]}\npurity: 0.99\n"
                 "product_purity_basis: oxide_mass\n")
    assert main(["sx", "train", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["product_purity_basis"] == "oxide_mass"
    assert out["product_purity_spec"] == {"SmDy": 0.99, "Y": 0.99}
    assert out["purity_spec"]["Y"] > 0.99 and out["meets_product_spec"] == {"SmDy": True,
                                                                            "Y": True}
