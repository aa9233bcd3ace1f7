"""Leftovers of chain fuzz round 26 and findings of round 27 (independent helpers, on inputs
the developers had not seen)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize("name", ["BEYLIKOVA", " Beylikova ", "beylikova/"])
def test_a_builtin_case_is_found_whatever_its_case(name):
    """`builtin:BEYLIKOVA` (the case as prose writes it) was an unknown name (round 26)."""
    from reeflow.project import builtin_project_path

    assert builtin_project_path(name) == builtin_project_path("beylikova")


def test_sx_train_names_a_project_file_s_separation_key_at_its_path(tmp_path, capsys):
    """A project file's bad `product_purity_basis` was reported without its
    `plant.separation.` prefix (round 26); a top-level key keeps its own name."""
    from reeflow.cli import main

    f = tmp_path / "p.yaml"
    f.write_text("plant:\n  separation:\n    product_purity_basis: weight\n"
                 "feed_kg_per_h: {La: 10, Ce: 20, Nd: 5}\n")
    assert main(["sx", "train", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "plant.separation.product_purity_basis: got 'weight'" in err
    g = tmp_path / "t.yaml"
    g.write_text("product_purity_basis: weight\nfeed_kg_per_h: {La: 10, Ce: 20, Nd: 5}\n")
    assert main(["sx", "train", str(g)]) == 2
    err = capsys.readouterr().err.strip()
    assert "error: product_purity_basis: got 'weight'" in err and "plant." not in err


def test_opex_by_kind_counts_a_missing_item_as_zero_and_scales_the_rest():
    """One sum of opex rows by kind for the base case and every year (the two had their own)."""
    import math

    from reeflow.economics.study import opex_by_kind

    rows = [("acid", "variable", 1, "t", 2, "USD/t", 10.0, "s", "published"),
            ("caustic", "variable", None, "t", None, "USD/t", math.nan, "s", "missing"),
            ("mining (contract)", "variable", 1, "t", 1, "USD/t", 5.0, "s", "input"),
            ("labour", "fixed", 3, "persons", 1, "USD", 7.0, "s", "input"),
            ("other", "fixed", 1, "-", 1, "-", None, "s", "missing")]
    got = opex_by_kind(rows, 2.0)
    assert got == {"variable": 30.0, "fixed": 14.0, "mining": 10.0}


def test_sx_train_reads_the_parent_a_project_file_extends(tmp_path, capsys):
    """`sx train` read the file alone: a child of builtin:beylikova that set only the purity
    basis was designed without the case's NdPr and SmY products and its factors (176 stages
    against the case's 107; round 27)."""
    from reeflow.cli import main

    f = tmp_path / "child.yaml"
    f.write_text("extends: builtin:beylikova\n"
                 "feed_kg_per_h: {La: 250, Ce: 450, Pr: 45, Nd: 150, Sm: 20, Y: 10}\n"
                 "plant:\n  separation:\n    product_purity_basis: oxide_mass\n")
    assert main(["sx", "train", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["groups"]) == {"La", "Ce", "NdPr", "SmY"} and out["total_stages"] == 107
    assert out["product_purity_basis"] == "oxide_mass" and all(
        out["meets_product_spec"].values())


@pytest.mark.parametrize("text,words", [
    # a train file that extends another: merged key by key its child could not drop a
    # parent's feed element or product, so it stays refused (review of round 27)
    ("extends: other.yaml\nfeed_kg_per_h: {La: 100, Ce: 200}\n",
     "error: extends: got 'extends'; allowed: a known setting name"),
    # a train key beside plant: in a project file was ignored (review of round 27)
    ("extends: builtin:beylikova\npurity: 90 %\nfeed_kg_per_h: {La: 100, Ce: 200}\n",
     "error: purity: got '90 %'; allowed: in a project file, only feed_kg_per_h, cost_model,"),
    ("extends: builtin:beylikova\nbeta_policy: high\nfeed_kg_per_h: {La: 100, Ce: 200}\n",
     "Fix: a project file designs with the low factors"),
    ("purity: 0.99\nproduct_purity: 0.995\nfeed_kg_per_h: {La: 100, Ce: 200}\n",
     "error: purity: got 0.99; allowed: one of purity and product_purity"),
    ("sx: {purity: 1.5}\nfeed_kg_per_h: {La: 100, Ce: 200}\n", "error: sx.purity: got 1.5"),
])
def test_sx_train_refuses_what_it_would_not_read(tmp_path, capsys, text, words):
    from reeflow.cli import main

    (tmp_path / "other.yaml").write_text("feed_kg_per_h: {La: 1, Ce: 2, Nd: 3}\n")
    f = tmp_path / "t.yaml"
    f.write_text(text)
    assert main(["sx", "train", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and words in err, err


def test_an_oxide_mass_spec_no_mole_spec_meets_is_named_at_the_caller_s_path():
    """design_train runs the oxide-mass loop itself; its refusal names the path the caller
    gives (the study's plant.separation.product_purity), not the train's `purity`."""
    from reeflow.core.errors import InputError
    from reeflow.plant.sx.train import design_train

    with pytest.raises(InputError) as exc:
        design_train({"Sm": 100.0, "Dy": 60.0, "Y": 300.0},
                     products={"SmDy": ["Sm", "Dy"], "Y": ["Y"]}, purity=0.99999,
                     purity_basis="oxide_mass", purity_field="plant.separation.product_purity")
    assert exc.value.field == "plant.separation.product_purity.Y"


@pytest.mark.parametrize("text,field", [
    ("plant:\n  separation:\n    product_purity: 100 %\n",
     "plant.separation.product_purity: got 1.0"),
    ("product_purity: {La: 0.99, Foo: 0.9}\n", "product_purity.Foo: got 'Foo'"),
    ("purity: {La: 0.99, Foo: 0.9}\n", "purity.Foo: got 'Foo'"),
])
def test_sx_train_names_the_purity_key_the_file_wrote(tmp_path, capsys, text, field):
    """The train's errors on its `purity` argument named `purity` where the file wrote
    `product_purity` (round 27)."""
    from reeflow.cli import main

    f = tmp_path / "t.yaml"
    f.write_text(text + "feed_kg_per_h: {La: 250, Ce: 450}\n")
    assert main(["sx", "train", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"error: {field}" in err


def test_the_schedule_table_shows_a_year_without_ore_as_a_dash():
    """Years with no ore printed TREO % as nan (round 27)."""
    from reeflow.mine.commands import _plan_text

    out = {"pit": {"tonnes": 1e6, "ore_t": 5e5, "waste_t": 5e5, "value_usd": 1e6},
           "schedule_stats": {}, "remaining": {},
           "schedule": [{"year": 1, "ore_t": 1e5, "treo_frac": 0.02, "cash_usd": 1e6},
                        {"year": 2, "ore_t": 0.0, "treo_frac": float("nan"), "cash_usd": 0.0}]}
    text = _plan_text(out)
    assert "nan" not in text and "—" in text


@pytest.mark.parametrize("command,text,words", [
    ("design", "feed_mol_per_h: {Nd: '990 g/kg', Sm: 50.0}\nheavy: [Sm]\n"
     "separation_factors: {Sm/Nd: 6.0}\n",
     "feed_mol_per_h.Nd: got '990 g/kg'; allowed: a quantity with a unit convertible to mol/h"),
    ("train", "feed_kg_per_h: {La: '5 %', Ce: 100}\nseparation_factors: {Ce/La: 2.0}\n",
     "feed_kg_per_h.La: got '5 %'; allowed: a quantity with a unit convertible to kg/h. "
     "Fix: write it in kg/h: % is a ratio"),
])
def test_an_sx_feed_written_as_a_ratio_is_refused(tmp_path, capsys, command, text, words):
    """SX fuzz round 28: a feed flow with a unit was read as a fraction ('990 g/kg' as 0.99
    mol/h, '5 %' as 0.05 kg/h) and a train designed for that feed."""
    from reeflow.cli import main

    f = tmp_path / "f.yaml"
    f.write_text(text)
    assert main(["sx", command, str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and words in err


def test_an_sx_feed_takes_a_unit_and_a_quoted_number():
    """'0.1 t/h' is 100 kg/h; a quoted '5' is 5 in the key's unit, as 5 is."""
    from reeflow.plant.sx.commands import _num

    assert _num("0.1 t/h", "feed_kg_per_h.Ce", "kg/h", low=0.0) == pytest.approx(100.0)
    assert _num("5", "feed_kg_per_h.La", "kg/h", low=0.0) == 5.0
    from reeflow.core.errors import InputError

    with pytest.raises(InputError, match="a finite number"):
        _num("nan", "feed_kg_per_h.La", "kg/h", low=0.0)


@pytest.mark.parametrize("name", ["beylikova/claims", "beylikova/fiscal", "sx/train_beylikova"])
def test_a_shipped_input_that_is_no_project_is_named_as_such(name):
    """`validate builtin:beylikova/claims` failed on an inner key of the claims
    (claims[0].asserts[0].quantity), never saying it is no project (round 27). The CLI hands
    the name over as its path: both are refused, naming the builtin name."""
    from reeflow.core.errors import InputError
    from reeflow.project import builtin_project_path, load_project

    for source in (f"builtin:{name}", str(builtin_project_path(name))):
        with pytest.raises(InputError) as exc:
            load_project(source)
        assert exc.value.field == "project" and exc.value.value == f"builtin:{name}"
        assert "a shipped input of another kind" in exc.value.fix


@pytest.mark.parametrize("name", ["beylikova", "ngualla", "beylikova/scenarios/with_debt"])
def test_the_cases_and_their_scenarios_still_load(name):
    from reeflow.project import load_project

    assert load_project(f"builtin:{name}").project.name
