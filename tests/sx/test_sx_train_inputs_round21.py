"""Fuzz round 21's low findings on ``design_train`` and ``reeflow sx train`` inputs, mended.

Product groups listed out of extraction order are put in order (a project file that listed
them so failed in the study); an error echoes the groups as written; sequences failing at the
same cut say so once; a ``{value: …}`` record's keys are checked as a project file's are."""

from __future__ import annotations

from pathlib import Path

import pytest

from reeflow.cli import main
from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.plant.sx import design_train

FEED = {"La": 250.0, "Ce": 450.0, "Pr": 45.0, "Nd": 150.0}  # illustrative, not a project's
ASSUMED = {"Ce/La": 2.0, "Pr/Ce": 1.5}  # user assumptions for the test


def test_groups_in_any_order_are_the_same_train():
    ordered = design_train(FEED, products={"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"]},
                           separation_factors=ASSUMED)
    shuffled = design_train(FEED, products={"NdPr": ["Nd", "Pr"], "La": ["La"], "Ce": ["Ce"]},
                            separation_factors=ASSUMED)
    assert shuffled.sequence == ordered.sequence
    assert shuffled.total_stages == ordered.total_stages
    assert list(shuffled.purity) == ["La", "Ce", "NdPr"]
    assert shuffled.purity == pytest.approx(ordered.purity, rel=0, abs=1e-12)


def test_groups_that_are_not_neighbours_are_refused_as_written():
    given = {"La": ["La"], "NdCe": ["Nd", "Ce"], "Pr": ["Pr"]}
    with pytest.raises(InputError) as exc:
        design_train(FEED, products=given, separation_factors=ASSUMED)
    assert exc.value.field == "products" and exc.value.value == given


def test_sequences_failing_at_the_same_cut_say_it_once():
    with pytest.raises(InfeasibleSpecError) as exc:
        design_train(FEED, separation_factors={"Ce/La": 1.0, "Pr/Ce": 1.5})
    text = str(exc.value)
    assert text.count("β = 1 at the cut before Ce") == 1, text


@pytest.mark.parametrize("record,field,words", [
    ("{valu: 450}", "feed_kg_per_h.Ce.valu", "did you mean 'value'"),
    ("{value: 450, evidnce: assumed}", "feed_kg_per_h.Ce.evidnce", "did you mean 'evidence'"),
    ("{source: me}", "feed_kg_per_h.Ce", "add value:"),
])
def test_sx_train_checks_the_keys_of_a_record(tmp_path, capsys, record, field, words):
    path = tmp_path / "t.yaml"
    path.write_text(f"feed_kg_per_h: {{La: 250, Ce: {record}, Pr: 45, Nd: 150}}\n"
                    "separation_factors: {Ce/La: 2.0, Pr/Ce: 1.5}\n", encoding="utf-8")
    assert main(["sx", "train", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"reeflow: error: {field}:") and words in err[0]


def test_a_project_listing_its_products_out_of_order_runs_the_study():
    """The study's adapter hands the train {name: group}; the train orders the groups and the
    SX section follows the train's order, named by the project's names."""
    from reeflow.chain import what_if
    from reeflow.project import load_project

    base = load_project("builtin:beylikova")
    prods = {k: list(v) for k, v in base.project.plant.separation.products.items()}
    shuffled = dict(reversed(list(prods.items())))
    out = what_if(base, {"plant.separation.products": shuffled})
    sx = out.design.train
    assert list(sx["groups"]) == list(prods) and list(sx["purity"]) == list(prods)


# ---------------------------------------------------------------- fuzz round 22 (a helper)

def test_a_product_name_that_splits_a_label_is_refused():
    """A cut is labelled 'La|Ce+NdPr': '|' in a name made the labels unreadable."""
    with pytest.raises(InputError) as exc:
        design_train(FEED, products={"La": ["La"], "Ce": ["Ce"], "Pr|Nd": ["Pr", "Nd"]},
                     separation_factors=ASSUMED)
    assert exc.value.field == "products.Pr|Nd" and "without '|'" in exc.value.allowed


def test_the_project_file_refuses_groups_that_are_not_neighbours_before_the_study():
    from reeflow.chain.pipeline import with_overrides
    from reeflow.project import load_project

    base = load_project("builtin:beylikova")
    with pytest.raises(InputError) as exc:
        with_overrides(base, {"plant.separation.products": {
            "LaPr": ["La", "Pr"], "Ce": ["Ce"], "Nd": ["Nd"], "SmY": ["Sm", "Y"]}})
    assert exc.value.field == "plant.separation.products.LaPr"
    assert exc.value.fix.startswith("add Ce to LaPr")
    with pytest.raises(InputError) as bad:
        with_overrides(base, {"plant.separation.extractant": "XYZ"})
    assert bad.value.field == "plant.separation.extractant"


@pytest.mark.parametrize("value", ["'2.0 %'", "0.5"])
def test_sx_train_refuses_a_separation_factor_below_one_naming_it(tmp_path, capsys, value):
    path = tmp_path / "t.yaml"
    path.write_text("feed_kg_per_h: {La: 250, Ce: 450, Pr: 45, Nd: 150}\n"
                    f"separation_factors: {{Ce/La: {value}, Pr/Ce: 1.5}}\n", encoding="utf-8")
    assert main(["sx", "train", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("reeflow: error: separation_factors.Ce/La:")


def test_a_misspelt_value_key_in_a_record_is_named():
    from reeflow.core.units import to_canonical

    with pytest.raises(InputError) as exc:
        to_canonical({"valu": "99.9 %"}, "frac", field="plant.separation.product_purity.La")
    assert exc.value.fix == "did you mean 'value' for 'valu'?"
    with pytest.raises(InputError) as empty:
        to_canonical({"source": "me"}, "frac", field="x")
    assert "{value:" in empty.value.fix


def test_sx_simulate_names_params_as_the_file_writes_it(tmp_path, capsys):
    from reeflow.example_inputs import resolve

    text = Path(resolve("builtin:cascade_mass_action")).read_text(encoding="utf-8")
    assert "extractant_mol_per_L" in text
    path = tmp_path / "c.yaml"
    path.write_text(text.replace("extractant_mol_per_L", "zzz", 1), encoding="utf-8")
    assert main(["sx", "simulate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("reeflow: error: params.zzz:"), err


def test_an_empty_product_group_is_refused_naming_it():
    """It was dropped silently, where the project file refuses it (fuzz round 22)."""
    with pytest.raises(InputError) as exc:
        design_train(FEED, products={"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"], "X": []},
                     separation_factors=ASSUMED)
    assert exc.value.field == "products.X"
    with pytest.raises(InputError) as bad:  # a mapping is echoed as the user wrote it
        design_train(FEED, products={"La": "La", "Ce": None}, separation_factors=ASSUMED)
    assert bad.value.value == {"La": "La", "Ce": None}


def test_an_empty_per_product_spec_echoes_the_mapping():
    with pytest.raises(InputError) as exc:
        design_train(FEED, products={"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"]},
                     separation_factors=ASSUMED, purity={})
    assert exc.value.field == "purity" and exc.value.value == {}
