"""Fuzz round 32: crashes, a wrong sign and late refusals an independent fuzz round found.

- a case's claims, fiscal terms or synthetic-deposit file given as the project itself was
  refused on an inner key of its own (``claims[0].asserts[0].quantity``, ``currency_year: a
  known field name``), never saying that it is no project;
- ``reeflow schedule`` raised a TypeError on an empty ultimate pit (its strip ratio None);
- a blending attribute that is no grade column raised a KeyError in the study and schedule;
- a search that finds no composite raised an IndexError from an empty block model;
- with a stockpile, the chain booked moved - ore as waste: -570 kt in years that only reclaim;
- ``market.year: 2099`` and a price deck without the by-products' prices passed validate and
  were refused by the study after the chain had run (the deck on ``deck[…@2025]``);
- P204 (no loading on record) was refused on the SX record's path whatever loading the
  project set; a separation factor of 1, range ends outside a field's bounds, a zero REE
  recovery or precipitation passed validate; the La-Ce rejection route rejected NdPr;
- a block grid over the cap was named ``blocks: got (np.int64(848), …)``; a section listed as
  a sensitivity input was quoted as an object repr.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from reeflow.core.data import CASES_DIR


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from reeflow.cli import main

    rc = main(["validate", str(path)])
    return rc, capsys.readouterr().err


@pytest.mark.parametrize(("name", "says"), [
    ("claims.yaml", "this is a claims file (claims:), not a project: name it under a "
                    "project's claims_file:"),
    ("fiscal.yaml", "top-level keys (currency_year, "),
    ("synthetic_deposit.yaml", "a synthetic deposit's parameters go under a project's "
                               "deposit: {synthetic: {parameters_file: …}}")])
def test_a_case_file_of_another_kind_given_as_the_project_says_it_is_no_project(
        tmp_path, capsys, name, says):
    f = tmp_path / name
    shutil.copy(CASES_DIR / "beylikova" / name, f)
    rc, err = _validate(f, capsys)
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"reeflow: error: project: got '{f}'")
    assert says in err and "not a project" in err


def _cli(*argv: object) -> int:
    from reeflow.cli import main

    return main([str(a) for a in argv])


def _mine_project(tmp_path: Path, price_usd_per_t: float, **mine: object) -> Path:
    ix, iy, iz = (a.ravel() for a in np.meshgrid(range(4), range(4), range(2), indexing="ij"))
    bm = pd.DataFrame({"ix": ix, "iy": iy, "iz": iz, "x": 50.0 * ix, "y": 50.0 * iy,
                       "z": -20.0 * iz, "dx": 50.0, "dy": 50.0, "dz": 20.0, "tonnes": 1.3e5,
                       "cu_frac": np.where(iz == 1, 0.01, 0.001)})
    bm.to_csv(tmp_path / "bm.csv", index=False)
    proj = tmp_path / "mine.yaml"
    proj.write_text(yaml.safe_dump({"name": "t", "mine": {
        "block_model": str(tmp_path / "bm.csv"), "mining_cost_usd_per_t_moved": "2 USD/t",
        "plant_capacity_t_per_a": "500 kt/a", "horizon_years": 4, "discount_rate": "8 %",
        "valuation": {"processing_cost_usd_per_t": "10 USD/t", "products": [
            {"name": "copper", "grade_column": "cu_frac", "recovery_frac": "90 %",
             "price_usd_per_t": f"{price_usd_per_t} USD/t"}]}, **mine}}))
    return proj


def test_schedule_prints_an_empty_pit_without_raising(tmp_path, capsys):
    assert _cli("schedule", _mine_project(tmp_path, 0.0)) == 0
    out = capsys.readouterr().out
    assert "strip ratio n/a" in out and "No block pays" in out


def test_a_blending_attribute_that_is_no_grade_column_is_refused_by_name(tmp_path, capsys):
    proj = _mine_project(tmp_path, 9000.0, blending=[{"attribute": "zz_frac",
                                                      "max_frac": 0.1}])
    assert _cli("schedule", proj) == 2
    err = capsys.readouterr().err
    assert err.startswith("reeflow: error: mine.blending[0].attribute: got 'zz_frac'")
    assert "a grade column of the block model: cu_frac" in err


@pytest.mark.parametrize(("deposit", "starts", "says"), [
    ("search: {major: 0.5 m, semi: 0.5 m, minor: 0.5 m}",
     "reeflow: error: deposit.search: got 'ranges 0.5, 0.5, 0.5 m'", "finds composites"),
    ("block_size: {x: 1 m, y: 1 m, z: 0.5 m}", "reeflow: error: deposit.block_size: got '",
     "blocks'; allowed: at most 2,000,000 blocks")])
def test_the_resource_refuses_an_empty_or_oversized_estimate_by_the_file_s_key(
        tmp_path, capsys, deposit, starts, says):
    """A search finding no composite raised an IndexError from the empty block model; a grid
    over the cap was named ``blocks: got (np.int64(848), …)``."""
    f = tmp_path / "p.yaml"
    f.write_text(f"extends: builtin:beylikova\ndeposit:\n  {deposit}\n")
    assert _cli("resource", f) == 2
    err = capsys.readouterr().err
    assert err.startswith(starts) and says in err and "np.int64" not in err
    assert len(err.strip().splitlines()) == 1


def test_years_that_reclaim_from_a_stockpile_book_the_plan_s_waste_not_a_negative():
    """A plan year that mines 0 t and feeds 570 kt from a stockpile has 0 t of waste (it had
    -570 kt); the waste is the plan's own (pit tonnes less ore to the plant or a pile)."""
    from reeflow.chain.mine_steps import plan_years, rebin_schedule

    feed = pd.DataFrame({"ore_t": [0.0, 570e3, 570e3, 570e3],
                         "mined_t": [2e6, 1.5e6, 8e5, 0.0],
                         "waste_t": [1.6e6, 6e5, 2.3e5, 0.0], "treo_frac": .02})
    out, _ = rebin_schedule(feed, np.full(3, 570e3))
    assert out["waste_t"].tolist() == pytest.approx([2.2e6, 2.3e5, 0.0])
    assert out["mined_t"].tolist() == pytest.approx([3.5e6, 8e5, 0.0])
    out, _ = plan_years(feed, np.full(3, 570e3))
    assert out["waste_t"].tolist() == pytest.approx([2.2e6, 2.3e5, 0.0])
    assert (out["waste_t"] >= 0).all()


def test_a_stripping_gap_s_tonnes_go_with_the_next_ore_year_when_rebinned():
    """A plan year without ore after the first ore (a stripping gap) had its tonnes moved
    dropped by the rebinning, and their mining cost with them (review of round 32); they go
    with the next ore year, as plan_years books them; after the last ore year, none."""
    from reeflow.chain.mine_steps import rebin_schedule

    feed = pd.DataFrame({"ore_t": [0.0, 5.0, 0.0, 6.0, 0.0],
                         "mined_t": [3.0, 6.0, 4.0, 8.0, 9.0],
                         "treo_frac": [np.nan, .02, np.nan, .03, np.nan]})
    out, left = rebin_schedule(feed, np.full(3, 10.0))
    assert out["ore_t"].tolist() == [10.0, 1.0] and left == 0.0
    assert out["mined_t"].tolist() == pytest.approx([19.0, 2.0])  # 3 + 6 + (4 + 8)·5/6
    assert out["waste_t"].tolist() == pytest.approx([9.0, 1.0])
    assert float(out["mined_t"].sum()) == pytest.approx(3 + 6 + 4 + 8)


@pytest.mark.parametrize(("text", "starts"), [
    ("market:\n  year: 2099\n", "reeflow: error: market.year: got 2099; allowed: a year the "
                                   "market data covers: one of ["),
    ("economics:\n  price_deck: spot_2024-06-20\n",
     "reeflow: error: economics.price_deck: got 'spot_2024-06-20'; allowed: a deck that prices "
     "every product sold (it has no price for BaSO4 concentrate, CaF2 concentrate)")])
def test_validate_refuses_what_the_study_refused_after_its_chain(tmp_path, capsys, text,
                                                                 starts):
    f = tmp_path / "p.yaml"
    f.write_text("extends: builtin:beylikova\n" + text)
    rc, err = _validate(f, capsys)
    assert rc == 2 and err.startswith(starts) and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("text", "starts"), [
    ("plant:\n  separation:\n    extractant: P204\n",
     "reeflow: error: plant.separation.extractant: got 'P204'; allowed: an extractant with a "
     "loaded-organic RE concentration"),
    ("plant:\n  separation:\n    separation_factors: {Ce/La: 1.0}\n",
     "reeflow: error: plant.separation.separation_factors.Ce/La: got 1.0; allowed: > 1"),
    ("plant:\n  separation:\n    separation_factors:\n      Ce/La: {value: 3.0, range: [1.0, 7.0]}"
     "\n", "reeflow: error: plant.separation.separation_factors.Ce/La.range: got 'low end 1.0'; "
           "allowed: range ends > 1"),
    ("plant:\n  beneficiation:\n    ree_recovery: {value: 0.6, range: [0, 0.726]}\n",
     "reeflow: error: plant.beneficiation.ree_recovery.range: got 'low end 0'; allowed: range "
     "ends > 0"),
    ("plant:\n  beneficiation:\n    concentrate_treo_grade: 1 %\n",
     "reeflow: error: plant.beneficiation.concentrate_treo_grade: a REE concentrate of 1.0% "
     "grade at 72.6% recovery needs a gangue pull of 1.323 (must be 0..1); raise the grade "
     "target"),
    ("mine:\n  blending:\n    - {attribute: zz_frac, max_frac: 0.1}\n",
     "reeflow: error: mine.blending[0].attribute: got 'zz_frac'; allowed: a grade column of the "
     "block model: baso4_frac, caf2_frac, ceo2_frac"),
    ("economics:\n  sensitivity_inputs: [ore]\n",
     "reeflow: error: economics.sensitivity_inputs: got 'ore'; allowed: a project path with a "
     "stated range"),
    ("plant:\n  oxalate:\n    precipitation: 0\n",
     "reeflow: error: plant.oxalate.precipitation: got 0; allowed: > 0"),
    ("plant:\n  route: la_ce_rejection\n  separation:\n    products: {LaCe: [La, Ce], NdPr: "
     "[Pr, Nd], SmY: [Sm, Y]}\n  la_ce_rejection:\n    group: NdPr\n",
     "reeflow: error: plant.la_ce_rejection.group: got 'NdPr'; allowed: the light La-Ce group")])
def test_validate_names_the_key_the_study_refused_elsewhere_or_ran_wrongly(tmp_path, capsys,
                                                                          text, starts):
    """Each had passed validate; the study then refused it on an inner path (the SX record's
    ``extractant.P204.loaded_organic_mol_per_L``, a β of 1 at a cut, ``recovery_frac`` of the
    resource's cut-off, a product group) or sold NdPr as a rejected carbonate."""
    f = tmp_path / "p.yaml"
    f.write_text("extends: builtin:beylikova\n" + text)
    rc, err = _validate(f, capsys)
    assert rc == 2 and err.startswith(starts) and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("text", [
    "plant:\n  route: mixed_carbonate\n  separation:\n    extractant: P204\n",
    "plant:\n  separation:\n    extractant: P204\n    sx:\n      saponification_frac: 0.3\n"
    "      extractant_mol_per_L: 1.0 mol/L\n"])
def test_an_extractant_without_a_loading_on_record_passes_where_none_is_needed(tmp_path,
                                                                              capsys, text):
    """No SX on the route, or a loading from the saponification of a stated concentration
    (review of round 32: the check had refused both)."""
    f = tmp_path / "p.yaml"
    f.write_text("extends: builtin:beylikova\n" + text)
    rc, _ = _validate(f, capsys)
    assert rc == 0


def test_a_loading_set_in_the_project_lets_an_extractant_without_one_design(tmp_path, capsys):
    """The project's loaded organic is used where the extractant's record has none (it was
    refused whatever the project set)."""
    from reeflow.plant.sx.settings import SXDesign

    f = tmp_path / "p.yaml"
    f.write_text("extends: builtin:beylikova\nplant:\n  separation:\n    extractant: P204\n"
                 "    sx:\n      loaded_organic_mol_per_L: 0.2 mol/L\n")
    rc, _ = _validate(f, capsys)
    assert rc == 0
    cond = SXDesign(loaded_organic_mol_per_L="0.2 mol/L").to_conditions("P204")
    assert cond.loaded_organic_mol_per_L == 0.2


def test_schedule_says_when_a_paying_pit_sends_no_ore(tmp_path, capsys):
    """A blend no feed can meet scheduled zero ore every year, and the text said nothing."""
    proj = _mine_project(tmp_path, 9000.0, blending=[{"attribute": "cu_frac",
                                                      "min_frac": 0.5}])
    assert _cli("schedule", proj) == 0
    assert "The schedule sends no ore to the plant although the pit holds ore" in \
        capsys.readouterr().out


@pytest.mark.parametrize("hours", ["0.0", "99999.0"])
def test_econ_evaluate_refuses_operating_hours_outside_a_year(tmp_path, capsys, hours):
    """0 and 99,999 h/a were accepted and gave the same NPV as 8,000."""
    src = Path(__file__).resolve().parents[2] / "examples" / "economics" / "beylikova_inputs.yaml"
    f = tmp_path / "inputs.yaml"
    f.write_text(src.read_text(encoding="utf-8").replace("operating_hours_per_a: 8000.0",
                                                        f"operating_hours_per_a: {hours}"),
                 encoding="utf-8")
    assert _cli("econ", "evaluate", f) == 2
    err = capsys.readouterr().err
    assert "operating_hours_per_a: got " in err and "in (0, 8766] h/a" in err
