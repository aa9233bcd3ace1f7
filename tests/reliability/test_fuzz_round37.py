"""Fuzz round 37 (the claims, units and YAML mends of round 36): claims judged wrong with exit
0 or crashing the study after validate passed.

- a record-type claim was compared with ``==`` whatever its qualifier (5 in [1, 10] read
  "inconsistent") and text matched by prefix ('2' of '2024-10-16' read "consistent");
- ``commercially_viable: yes`` never matched; ``elements_present: Nd`` was split into letters;
  ``elements_present: null`` and ``contains`` on a yes/no crashed the study (exit 1);
- range ends with another qualifier were read nowhere and crashed as text; a range's
  ``value`` outside its ends set the tolerance.
"""

from __future__ import annotations

import pytest

RECORDS = "records:\n  n: {value: 5, source: x}\n  d: {value: '2024-10-16', source: x}\n"


def _load(tmp_path, line: str):
    from reeflow.claims import load_claims

    f = tmp_path / "claims.yaml"
    f.write_text("claims:\n- id: X\n  claim: t\n  asserts:\n  - " + line + "\n" + RECORDS,
                 encoding="utf-8")
    return load_claims(f)


@pytest.mark.parametrize(("line", "status"), [
    ("{quantity: n, qualifier: range, value: [1, 10]}", "consistent"),
    ("{quantity: n, qualifier: range, value: [6, 10]}", "inconsistent"),
    ("{quantity: n, qualifier: greater_than, value: 1}", "consistent"),
    ("{quantity: n, qualifier: less_than, value: 1}", "inconsistent"),
    ("{quantity: n, value: 5}", "consistent"),
    ("{quantity: d, value: '2024-10'}", "consistent"),
    ("{quantity: d, value: '2024-10-16'}", "consistent"),
    ("{quantity: d, value: '2'}", "inconsistent"),
    ("{quantity: d, value: '2024-1'}", "inconsistent"),
])
def test_records_are_judged_with_their_qualifier(tmp_path, line, status):
    from reeflow.claims import _record

    cs = _load(tmp_path, line)
    rec = _record(cs, cs.claims[0].asserts[0])
    assert rec is not None and rec[0] == status


@pytest.mark.parametrize(("line", "where", "allowed"), [
    ("{quantity: commercially_viable, value: yes, given: {ore.treo_grade: 1 %}}", "value",
     "true or false"),
    ("{quantity: commercially_viable, value: 1}", "value", "true or false"),
    ("{quantity: commercially_viable, value: true, qualifier: contains}", "qualifier",
     "one of exact"),
    ("{quantity: elements_present, value: Nd, qualifier: contains}", "value",
     "a list of element symbols"),
    ("{quantity: elements_present, value: null, qualifier: contains}", "value",
     "a list of element symbols"),
    ("{quantity: elements_present, value: [Nd, Xx], qualifier: contains}", "value",
     "a rare-earth element symbol"),
    ("{quantity: head_grade_reo_frac, value: 0.05, qualifier: contains}", "qualifier",
     "one of exact, approx"),
    ("{quantity: barite_t_per_a, qualifier: approx, value: 72000, value_low: 70 kt/a}",
     "value_low", "with qualifier: range"),
    ("{quantity: barite_t_per_a, qualifier: range, value: 1 t/a, value_low: 70 kt/a, "
     "value_high: 72 kt/a}", "value", "within value_low..value_high"),
    ("{quantity: head_grade_reo_frac, value: 101 %}", "value", "within 0..1"),
])
def test_claims_of_the_wrong_kind_are_refused_at_load(tmp_path, line, where, allowed):
    from tests.reliability.test_fuzz_round36 import assert_refused

    assert_refused(lambda: _load(tmp_path, line), where, allowed)


def test_element_symbols_are_spelt_as_the_table_spells_them(tmp_path):
    from reeflow.claims import assess

    a = _load(tmp_path, "{quantity: elements_present, value: [nd, PR], qualifier: contains}"
              ).claims[0].asserts[0]
    assert a.value == ("Nd", "Pr")
    assert assess(a, {"La", "Ce", "Pr", "Nd"}) == "consistent"
    exact = _load(tmp_path, "{quantity: elements_present, value: [La, Ce, Pr, Nd]}"
                  ).claims[0].asserts[0]
    assert assess(exact, {"La", "Ce", "Pr", "Nd"}) == "consistent"
    assert assess(exact, {"La", "Ce", "Pr", "Nd", "Sm"}) == "inconsistent"


def test_the_shipped_claims_still_load():
    from pathlib import Path

    import reeflow
    from reeflow.claims import load_claims

    for f in sorted((Path(reeflow.__file__).parent / "cases").glob("*/claims.yaml")):
        assert load_claims(f).claims


# --- messages of fuzz round 37's low findings (mended in the sixteenth session) ------------
@pytest.mark.parametrize("text, unit, expected", [
    ("25 ºC", "degC", 25.0),  # the ordinal sign for a degree: read as °C (it was refused)
    ("1.8 pct", "frac", 0.018),  # 'pct' read as pico-carat had been refused as a wrong dimension
])
def test_look_alike_units_read_as_meant(text, unit, expected):
    from reeflow.core.units import to_canonical

    assert to_canonical(text, unit, field="f") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text, unit, fix", [
    ("1 ppt", "frac", "per thousand to some and per trillion"),  # pint: pico-pint
    ("570 kt pa", "t/a", "'570 kt/a'"),  # pint: kt x pascal
    ("570 kt p.a.", "t/a", "'570 kt/a'"),
    ("25 deg", "degC", "deg is an angle, not degC"),  # had been called a ratio
])
def test_misread_units_are_refused_with_what_to_write(text, unit, fix):
    from reeflow.core.errors import InputError
    from reeflow.core.units import to_canonical

    with pytest.raises(InputError) as err:
        to_canonical(text, unit, field="plant.x")
    assert fix in str(err.value) and "plant.x" in str(err.value)


@pytest.mark.parametrize(("tol", "expected"), [("10 %", 0.1), ("0.1", 0.1), (0.1, 0.1)])
def test_a_relative_tolerance_takes_a_unit(tmp_path, tol, expected):
    """rel_tol: 10 % had been refused while the claim's value takes units (fuzz round 37)."""
    cs = _load(tmp_path, "{quantity: head_grade_reo_frac, qualifier: approx, value: 4.8 %, "
                         f"rel_tol: {tol}}}")
    assert cs.claims[0].asserts[0].rel_tol == pytest.approx(expected, rel=1e-12)


def test_a_relative_tolerance_of_another_kind_is_refused(tmp_path):
    from tests.reliability.test_fuzz_round36 import assert_refused

    assert_refused(lambda: _load(tmp_path, "{quantity: head_grade_reo_frac, qualifier: approx, "
                                           "value: 4.8 %, rel_tol: 10 deg}"),
                   "rel_tol", "convertible to frac")


def test_a_quantity_computed_from_a_given_requires_it(tmp_path):
    """contained_reo_t without given: {ore_t} passed validate and was reported as a quantity
    the study does not compute (fuzz round 37)."""
    from tests.reliability.test_fuzz_round36 import assert_refused

    assert_refused(lambda: _load(tmp_path, "{quantity: contained_reo_t, value: 18.5 kt}"),
                   "given", "given: {ore_t: ...}")
    cs = _load(tmp_path, "{quantity: contained_reo_t, value: 18.5 kt, given: {ore_t: 1 Mt}}")
    assert cs.claims[0].asserts[0].given["ore_t"] == pytest.approx(1e6)
