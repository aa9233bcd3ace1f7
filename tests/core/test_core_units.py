"""Units at the edge: conversions and the errors for missing or wrong units."""

import pytest

from reeflow.core.errors import InputError
from reeflow.core.units import to_canonical


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [("570 kt/a", "t/a", 570_000.0), ("694 Mt", "t", 694e6), ("1.8 %", "frac", 0.018),
     ("69 USD/kg", "USD/kg", 69.0), ("25 °C", "degC", 25.0), ("298.15 K", "degC", 25.0),
     ("2000 ppm", "frac", 0.002), ("1.2 MUSD", "USD", 1.2e6), ("10 t/h", "kg/h", 10_000.0),
     (0.5, "frac", 0.5), ("74 um", "um", 74.0), ("10 mm", "um", 10_000.0)],
)
def test_conversions(text, unit, expected):
    assert to_canonical(text, unit, field="f") == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "unit", "match"),
    [("570", "t/a", "add the unit"), (570, "t/a", "write the unit"),
     ("570 kg", "t/a", "wrong dimension"), ("5 foo/a", "t/a", "spelling"),
     (True, "frac", "quantity"), ([1], "frac", "quantity")],
)
def test_bad_units_name_field_and_fix(value, unit, match):
    with pytest.raises(InputError, match=match) as err:
        to_canonical(value, unit, field="plant.ore")
    assert err.value.field == "plant.ore"


def test_a_power_written_without_a_caret_gets_the_right_hint():
    """Fuzz round 4: '1 m3/h' was told to check the spelling; the hint now shows the power
    form for the length unit written (a chemical name such as CO2 gets no such hint)."""
    from reeflow.core.errors import InputError
    from reeflow.core.units import to_canonical

    for text, hint in (("1 m3/h", "'m^3' for m3"), ("1 ft3/h", "'ft^3' for ft3")):
        with pytest.raises(InputError) as err:
            to_canonical(text, "L/h", field="x")
        assert hint in err.value.fix
    with pytest.raises(InputError) as err:
        to_canonical("2 t CO2", "L/h", field="x")
    assert "^" not in err.value.fix


def test_two_percent_signs_are_refused_not_multiplied_out():
    """'1.9 %%' read as 1.9e-4 (pint multiplies % by %), fuzz round 7."""
    with pytest.raises(InputError, match="write one percent sign, e.g. '1.9 %'"):
        to_canonical("1.9 %%", "frac", field="ore.treo_grade")
    assert to_canonical("1.9 %", "frac", field="ore.treo_grade") == pytest.approx(0.019)


def test_a_year_written_y_gets_the_unit_to_write():
    """Fuzz round 17: '150 kt/y' said only "check the spelling (UndefinedUnitError)"."""
    with pytest.raises(InputError) as err:
        to_canonical("150 kt/y", "t/a", field="ore.throughput")
    assert "'150 kt/a'" in err.value.fix


@pytest.mark.parametrize("text,frac", [("4.8 wt%", 0.048), ("5 wt.%", 0.05), ("3 mass%", 0.03),
                                       ("2 WT %", 0.02)])
def test_mass_percent_spellings_are_percent(text, frac):
    """Fuzz round 19: '4.8 wt%', common in mining, was refused as an undefined unit."""
    assert to_canonical(text, "frac", field="ore.treo_grade") == pytest.approx(frac)


def test_an_unknown_unit_names_no_exception_class():
    with pytest.raises(InputError, match=r"check the spelling of the unit, e\.g\. '50 %'$"):
        to_canonical("5 bogus", "frac", field="x")
