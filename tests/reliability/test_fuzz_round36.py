"""Fuzz round 36 (project files, claims files, ``econ``, ``market``, cross-command agreement):
inputs read wrong with exit 0.

- units pint holds dimensionless were taken for one another: a slope of '45 %' read as
  0.45 rad (25.8 deg), a quoted '45' as 45 rad, a grade of '2.75 deg' as 4.8 %, '0.048 count'
  as a fraction, a quoted '0.913' h/a as 91.3 % of a year; 'ton' read as the short ton;
- YAML 1.1 integers: a headcount of 0370 read as octal 248, '1:30' as 90 (base 60);
- a claims file's values were compared as written: '4.8 %' as text (inconsistent with the
  model's 4.80 %), nan and a fraction of 4.8 judged, a negative tonnage "consistent", a unit
  string an internal error;
- ``reeflow schedule FILE`` printed the plan's own years where the study feeds the plant's.
"""

from __future__ import annotations

import pytest

from reeflow.core.errors import InputError


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("45", "deg", 45.0), ("0.7", "deg", 0.7), ("45 deg", "deg", 45.0),
    ("0.5 turn", "deg", 180.0), ("4.8 %", "frac", 0.048), ("4.8 wt%", "frac", 0.048),
    ("20 g/t", "frac", 2e-5), ("5 permille", "frac", 0.005), ("0.913", "h/a", 0.913),
    ("91.3 %", "h/a", 0.913 * 8766.0), ("24 h/d", "h/a", 8766.0), ("5 USD/t", "USD/t", 5.0),
    ("50 gon", "deg", 45.0), ("1000 mrad", "deg", 57.29577951308232), ("1 short_ton", "t",
                                                                      0.90718474),
])
def test_units_read_as_written(text, unit, expected):
    from reeflow.core.units import to_canonical

    assert to_canonical(text, unit, field="f") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("text", "unit", "fix"), [
    ("45 %", "deg", "write an angle"), ("2.75 deg", "frac", "'degree' is not a unit"),
    ("0.048 rad", "frac", "'radian'"), ("0.048 count", "frac", "'count'"),
    ("0.425 bit", "frac", "'bit'"), ("4.8 dB", "frac", "'decibel'"), ("4.8 pi", "frac", "'pi'"),
    ("5 USD/ton", "USD/t", "short ton"), ("624000 tons/a", "t/a", "metric tonne"),
    ("570 kton/a", "t/a", "short ton"), ("5 USD/Mton", "USD/t", "short ton"),
])
def test_units_of_another_kind_are_refused(text, unit, fix):
    from reeflow.core.units import to_canonical

    with pytest.raises(InputError, match="f: got") as exc:
        to_canonical(text, unit, field="f")
    assert fix in str(exc.value)


@pytest.mark.parametrize(("text", "value"), [
    ("a: 0370", 370), ("a: 030", 30), ("a: -012", -12), ("a: 0o17", 15), ("a: 0x1F", 31),
    ("a: 570_000", 570000), ("a: 1:30", "1:30"), ("a: 8:1", "8:1"), ("a: 0b101", "0b101"),
    ("a: 2025-01-01", "2025-01-01"),
])
def test_yaml_1_2_integers_and_no_timestamps(text, value):
    from reeflow.core.yamlio import load_yaml_text

    out = load_yaml_text(text, field="f")["a"]
    assert out == value and type(out) is type(value)


def test_a_plant_run_under_100_hours_a_year_is_refused():
    from reeflow.plant.params import PlantParams

    assert PlantParams.model_fields["operating_hours_h_per_a"].metadata  # bounded
    from reeflow.core.projectfile import validate_tree
    from reeflow.project import Project, load_project

    tree = load_project().project.model_dump(by_alias=True)
    tree["plant"]["operating_hours"] = 0.913
    with pytest.raises(InputError, match=r"plant.operating_hours: got 0.913; allowed: >= 100"):
        validate_tree(Project, tree, canonical=True)


def _claims(tmp_path, line: str):
    from reeflow.claims import load_claims

    f = tmp_path / "claims.yaml"
    f.write_text("claims:\n- id: X\n  claim: t\n  asserts:\n  - " + line + "\n",
                 encoding="utf-8")
    return load_claims(f).claims[0].asserts[0]


@pytest.mark.parametrize(("line", "value", "given"), [
    ("{quantity: head_grade_reo_frac, value: 4.8 %}", 0.048, {}),
    ("{quantity: reo_t_per_a, value: 12.7 kt/a}", 12700.0, {}),
    ("{quantity: contained_reo_t, value: 887 kt, given: {ore_t: 18.5 Mt}}", 887000.0,
     {"ore_t": 18.5e6}),
    ("{quantity: revenue_usd_per_a, value: 228 MUSD/a}", 228e6, {}),
    ("{quantity: ree_demand_multiple, value: '2.5'}", 2.5, {}),
])
def test_claimed_values_are_read_in_their_units(tmp_path, line, value, given):
    a = _claims(tmp_path, line)
    assert a.value == pytest.approx(value, rel=1e-12) and dict(a.given) == pytest.approx(given)


@pytest.mark.parametrize(("line", "where", "allowed"), [
    ("{quantity: head_grade_reo_frac, value: .nan}", "value", "a finite number"),
    ("{quantity: head_grade_reo_frac, value: ''}", "value", "a number in frac"),
    ("{quantity: head_grade_reo_frac, value: 4.8}", "value", "a fraction within 0..1"),
    ("{quantity: contained_reo_t, value: -887000.0, given: {ore_t: 18500000.0}}", "value",
     ">= 0 t"),
    ("{quantity: contained_reo_t, value: 887000, given: {ore_t: -18.5 Mt}}", "given.ore_t",
     ">= 0 t"),
    ("{quantity: ore_t_per_a, value: -.inf, qualifier: greater_than}", "value", "finite"),
    ("{quantity: reo_t_per_a, value: 12.7 kt}", "value", "convertible to t/a"),
    ("{quantity: reo_t_per_a, qualifier: range, value_low: 12 kt/a, value_high: 10 kt/a}",
     "value_low", "<= value_high"),
    ("{quantity: ree_demand_multiple, value: 6x}", "value", "a finite number"),
])
def test_bad_claimed_values_are_refused_by_their_path(tmp_path, line, where, allowed):
    assert_refused(lambda: _claims(tmp_path, line), where, allowed)


def assert_refused(load, where: str, allowed: str) -> None:
    """``load()`` refuses the first claim's first assertion at ``where``, saying ``allowed``."""
    with pytest.raises(InputError, match=rf"^claims\[0\]\.asserts\[0\]\.{where}: got") as exc:
        load()
    assert allowed in str(exc.value)


def test_a_claim_in_percent_is_judged_on_its_number(tmp_path):
    """'4.8 %' was compared as text with the model's 0.048 and found inconsistent."""
    from reeflow.claims import assess

    a = _claims(tmp_path, "{quantity: head_grade_reo_frac, value: 4.8 %, qualifier: approx, "
                          "rel_tol: 0.01}")
    assert assess(a, 0.048) == "consistent" and assess(a, 0.06) == "inconsistent"


def test_schedule_of_a_project_prints_the_study_s_years(builtin_results_dict):
    """``reeflow schedule FILE`` printed the plan's own years, which differ from the study's
    mine.schedule from the first year whose ore fell short of the plant's capacity."""
    from argparse import Namespace

    from reeflow.mine.commands import _study_plan

    out = _study_plan("builtin:beylikova", Namespace(time_limit=None, gap=None, json=True))
    study = builtin_results_dict["mine"]["schedule"]
    assert [r["ore_t"] for r in out["schedule"]] == pytest.approx([r["ore_t"] for r in study],
                                                                 rel=1e-12)
    assert [r["mined_t"] for r in out["schedule"]] == pytest.approx(
        [r["mined_t"] for r in study], rel=1e-12)
    assert out["schedule_stats"]["npv_usd"] == pytest.approx(
        builtin_results_dict["mine"]["schedule_npv_usd"], rel=1e-12)
    assert [(r["year"], r["production_year"]) for r in out["schedule"]] == \
        [(r["year"], r["production_year"]) for r in study]
    assert out["remaining_ore_after_horizon_t"] == pytest.approx(
        builtin_results_dict["mine"]["remaining_ore_after_horizon_t"], rel=1e-12)
    assert out["plan_schedule"] and "cash_usd" in out["plan_schedule"][0]  # the plan's years


@pytest.mark.parametrize("argv", [["--home", "Other countries"],
                                  ["--home", "Tanzania", "--abroad", "other countries"]])
def test_a_group_is_not_a_home_or_separation_country(argv, capsys):
    """A project "in" USGS's 'Other countries' was added to that row: a 0 % home share."""
    from reeflow.cli import main

    rc = main(["market", "--add-reo", "6400", *argv])
    assert rc == 2 and "'Other countries' is a group" in capsys.readouterr().err


def _econ_file(tmp_path, edit):
    from pathlib import Path

    from reeflow.example_inputs import resolve

    text = Path(resolve("builtin:economics/beylikova_inputs", field="f")).read_text("utf-8")
    f = tmp_path / "inputs.yaml"
    f.write_text(edit(text), encoding="utf-8")
    return str(f)


def _fiscal():
    from pathlib import Path

    import reeflow

    return str(Path(reeflow.__file__).parent / "cases" / "beylikova" / "fiscal.yaml")


@pytest.mark.parametrize(("edit", "err"), [
    (lambda s: s.replace("product_purity_frac:\n", "product_purity_frac:\n  Foo: 0.5\n", 1),
     "product_purity_frac.Foo: got 0.5; allowed: a purity of a product in products_t_per_a"),
    (lambda s: s.replace("ore_t_per_a: 570000", "ore_t_per_a: -570000", 1),
     "ore_t_per_a: got -570000"),
])
def test_econ_evaluate_refuses_what_it_dropped_or_misnamed(tmp_path, capsys, edit, err):
    from reeflow.cli import main

    f = _econ_file(tmp_path, edit)
    assert main(["econ", "evaluate", f, "--params", _fiscal()]) == 2
    assert err in capsys.readouterr().err


def test_econ_evaluate_empty_deck_and_no_breakeven(tmp_path, capsys):
    from reeflow.cli import main

    f = _econ_file(tmp_path, lambda s: s)
    assert main(["econ", "evaluate", f, "--params", _fiscal(), "--deck", ""]) == 2
    assert "--deck: got ''" in capsys.readouterr().err
    f = _econ_file(tmp_path, lambda s: s.replace("  NdPr oxide: 720.233\n", "  NdPr oxide: 0\n"))
    assert main(["econ", "evaluate", f, "--params", _fiscal()]) == 0
    out = capsys.readouterr().out
    assert "break-even NdPr n/a" in out and "nan" not in out


@pytest.mark.parametrize(("params", "err"), [
    (".", "--params: got '.'"),
    ("project.yaml", "this is a project file"),
    ("claims.yaml", "this is a claims file"),
])
def test_econ_params_name_the_option(tmp_path, capsys, params, err):
    from pathlib import Path

    import reeflow
    from reeflow.cli import main

    case = Path(reeflow.__file__).parent / "cases" / "beylikova"
    path = "." if params == "." else str(case / params)
    f = _econ_file(tmp_path, lambda s: s)
    assert main(["econ", "evaluate", f, "--params", path]) == 2
    assert err in capsys.readouterr().err


def test_messages_name_what_the_user_wrote(capsys):
    from reeflow.cli import main
    from reeflow.core.errors import allowed_of, did_you_mean
    from reeflow.core.units import to_canonical

    assert did_you_mean("y", ["Dy", "Y", "Yb"]) == "did you mean 'Y'?"
    assert allowed_of("List should have at least 1 item after validation, not 0") == \
        "a list of at least 1 item"
    assert allowed_of("String should have at most 200 characters") == \
        "text of at most 200 characters"
    with pytest.raises(InputError, match="'K/K' cancels to a pure number"):
        to_canonical("600 K/K", "degC", field="f")
    assert main(["resource", "builtin:beylikova", "--seed", "-1"]) == 2
    assert "--seed: got -1" in capsys.readouterr().err


def test_a_record_s_range_is_of_numbers(tmp_path):
    """A record-type range skipped the typing and its date ends crashed the claims' display."""
    from reeflow.claims import load_claims

    f = tmp_path / "claims.yaml"
    f.write_text("claims:\n- id: X\n  claim: t\n  asserts:\n  - {quantity: mou, qualifier: "
                 "range, value_low: 2024-10-01, value_high: 2024-10-31}\nrecords:\n  mou: "
                 "{value: '2024-10-15', source: x}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"claims\[0\]\.asserts\[0\]\.value_low: got "
                                         r"'2024-10-01'"):
        load_claims(f)


def test_help_into_a_closed_pipe_is_quiet():
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-m", "reeflow", "--help"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0 and err == ""


def test_params_from_the_inputs_file_are_named_by_its_key(tmp_path, capsys):
    from reeflow.cli import main

    f = _econ_file(tmp_path, lambda s: "params: .\n" + s)
    assert main(["econ", "evaluate", f]) == 2
    assert f"{f}: params: got" in capsys.readouterr().err


def test_econ_evaluate_deck_without_a_products_price_names_the_option(tmp_path, capsys):
    """A deck that lacks a product's price is named as the user chose it (--deck), and the
    fix says what to do here (it named a project's economics.price_deck, fuzz round 36)."""
    from reeflow.cli import main

    f = _econ_file(tmp_path, lambda s: s)
    assert main(["econ", "evaluate", f, "--params", _fiscal(), "--deck", "usgs_2021"]) == 2
    err = capsys.readouterr().err
    assert "--deck usgs_2021" in err and "reeflow econ decks" in err
    assert "economics.price_deck" not in err
