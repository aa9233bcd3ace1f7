"""Fuzz round 23: messages in the user's words where a reader meets a file it cannot read."""

from __future__ import annotations

import pytest

from reeflow.core.errors import InputError
from reeflow.core.io import read_csv


def test_a_row_with_more_fields_than_the_header_is_named_in_plain_words(tmp_path):
    """pandas' "Error tokenizing data. C error: Expected 1 fields in line 3, saw 2" reached
    the user as the fix (a README given as drillholes)."""
    f = tmp_path / "notes.csv"
    f.write_text("title\nsome text\nmore, text\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_csv(f, field="DRILLHOLES")
    assert exc.value.field == "DRILLHOLES"
    assert exc.value.fix.startswith("line 3 has 2 fields where the header has 1")
    assert "C error" not in str(exc.value)


def test_a_well_formed_csv_is_read(tmp_path):
    f = tmp_path / "ok.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    assert read_csv(f, field="x").to_dict("list") == {"a": [1], "b": [2]}


def test_sx_train_says_which_named_products_the_feed_lacks(tmp_path, capsys):
    """`sx train` with a product the feed lacks exited 0 with that product gone without a
    word; it is still left out (a group with nothing fed makes nothing) but the output says
    so."""
    from reeflow.cli import main

    path = tmp_path / "t.yaml"
    path.write_text("feed_kg_per_h: {La: 250, Ce: 450, Pr: 45, Nd: 150}\n"
                    "separation_factors: {Ce/La: 2.0, Pr/Ce: 1.5}\n"
                    "products: {La: [La], Ce: [Ce], NdPr: [Pr, Nd], Dy: [Dy]}\n",
                    encoding="utf-8")
    assert main(["sx", "train", str(path)]) == 0
    assert "not in the feed, left out: Dy: Dy" in capsys.readouterr().out


def test_every_element_validate_accepts_has_the_species_the_plant_makes_of_it():
    """Tb passed validate (its bastnäsite had data) and failed in the study for lack of its
    reporting oxide Tb4O7 (fuzz round 24): validate now asks for both, and Tb4O7 has data."""
    from reeflow.core.elements import REE, oxide_formula
    from reeflow.plant.thermo import has_thermo

    for el in REE:
        if has_thermo(f"{el}FCO3", "s"):
            assert has_thermo(oxide_formula(el), "s"), el
    assert has_thermo("Tb4O7", "s")


def test_a_terbium_bearing_ore_designs_its_plant():
    from reeflow.chain.pipeline import design_step, with_overrides
    from reeflow.project import load_project

    dist = {"La": "27 %", "Ce": "47 %", "Pr": "5 %", "Nd": "17 %", "Sm": "2 %", "Tb": "0.3 %",
            "Y": "1.7 %"}
    lp = with_overrides(load_project("builtin:ngualla"), {
        "ore.ree_distribution": dist,
        "plant.separation.products": {"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"],
                                      "H": ["Sm", "Tb", "Y"]}})
    products = design_step(lp.project).summary.products
    heavy = next(p for p in products if p["name"] == "H")
    assert heavy["composition_frac"]["Tb4O7"] > 0.05  # Tb sold as Tb4O7 in the heavy product


def test_validate_names_a_missing_separation_factor_at_its_project_path():
    """A cut with no separation factor (shipped or given) passed validate and stopped the
    study, named `separation_factors` with a Python-syntax fix (chain fuzz round 24)."""
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    dist = {"La": "26 %", "Ce": "46 %", "Pr": "5 %", "Nd": "17 %", "Sm": "2 %", "Eu": "0.5 %",
            "Gd": "1.5 %", "Y": "2 %"}
    products = {"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"], "SEG": ["Sm", "Eu", "Gd"],
                "Y": ["Y"]}
    base = load_project("builtin:ngualla")
    with pytest.raises(InputError) as exc:
        with_overrides(base, {"ore.ree_distribution": dist,
                              "plant.separation.products": products})
    assert exc.value.field == "plant.separation.separation_factors"
    assert exc.value.value == ["Y/Gd"]
    assert "separation_factors: {Y/Gd: β}" in exc.value.fix and "=" not in exc.value.fix
    given = dict(base.project.plant.separation.separation_factors)
    ok = with_overrides(base, {"ore.ree_distribution": dist, "plant.separation.products":
                               products, "plant.separation.separation_factors":
                               {**given, "Y/Gd": 2.0}})  # with the factor given it validates
    assert ok.project.plant.separation.separation_factors["Y/Gd"] == 2.0


def test_key_beta_reads_the_shipped_table_as_before():
    """The pair index (one groupby) gives every shipped factor as the row filter did."""
    from reeflow.plant.sx import data

    t = data.separation_factor_table()
    for e, h, lt in set(zip(t.extractant, t.heavy, t.light, strict=True)):
        rows = t[(t.extractant == e) & (t.heavy == h) & (t.light == lt)]
        assert data.key_beta(e, h, lt) == float(rows.beta_low.min())
        assert data.key_beta(e, h, lt, policy="high") == float(rows.beta_high.max())
    assert data.key_beta("P507", "Xx", "Pr") is None


def _outcome(made: float):
    from types import SimpleNamespace as Ns

    design = Ns(train={"purity_spec": {"Y": 0.995, "La": 0.999},
                       "purity": {"Y": 0.9962, "La": 0.9993}},
                summary=Ns(products=[{"name": "Y", "kind": "oxide", "purity_frac": made},
                                     {"name": "La", "kind": "oxide", "purity_frac": 0.9992}]))
    return Ns(design=design)


def test_a_product_sold_below_its_purity_spec_is_flagged_with_the_spec_that_meets_it():
    """Y2O3 at 99.62 mol % in the SX product was 99.41 % by mass against a 99.5 % spec while
    sx.meets_spec said True (chain fuzz round 24): a warning names the basis and the
    mole-fraction spec that meets the mass spec at the same impurity mix."""
    from reeflow.consistency import CHECKS, products_meet_purity_spec

    assert products_meet_purity_spec in CHECKS
    low = products_meet_purity_spec(_outcome(0.99408))
    assert not low.ok and low.severity == "warning"
    assert "Y is sold at 99.408% oxide by mass against the spec of 99.500%" in low.detail
    need = 1 / (1 + 0.005 / 0.995 * (1 - 0.9962) / 0.9962 * 0.99408 / (1 - 0.99408))
    assert f"{need * 100:.6g} %" in low.detail and "La" not in low.detail.split("(")[0]
    assert products_meet_purity_spec(_outcome(0.9951)).ok


def test_on_the_oxide_mass_basis_the_check_reads_the_project_s_spec():
    """The train designs to a tightened mole spec on the oxide_mass basis; the check weighs
    the product against the project's own spec, not the tightened one, and says what the
    redesigns reached."""
    from reeflow.consistency import products_meet_purity_spec

    out = _outcome(0.99408)
    out.design.train.update(product_purity_spec={"Y": 0.995, "La": 0.999},
                            product_purity_basis="oxide_mass",
                            purity_spec={"Y": 0.9968, "La": 0.999})
    low = products_meet_purity_spec(out)
    assert not low.ok and "against the spec of 99.500% (product_purity_basis: oxide_mass)" \
        in low.detail
    assert products_meet_purity_spec(_outcome(0.9951)).ok
    assert "product_purity_basis: oxide_mass" in products_meet_purity_spec(
        _outcome(0.99408)).detail  # the mole basis's fix names the other basis
