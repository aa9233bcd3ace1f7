"""The error contract: one line naming the field, the value, what is allowed and the fix."""

from __future__ import annotations

from reeflow.core.errors import InputError


def test_a_short_value_is_shown_whole():
    e = InputError("ore.treo_grade", "2,5 %", "a number with a unit", "write 2.5 %")
    assert str(e) == ("ore.treo_grade: got '2,5 %'; allowed: a number with a unit. "
                      "Fix: write 2.5 %")


def test_a_long_value_is_cut_so_the_line_keeps_what_is_allowed_and_the_fix():
    value = "x" * 10_000
    text = str(InputError("name", value, "at most 200 characters", "shorten it"))
    assert text.startswith("name: got 'xxx") and "10,002 characters" in text
    assert text.endswith("allowed: at most 200 characters. Fix: shorten it")
    assert len(text) < 250 and "\n" not in text


def test_a_numpy_scalar_is_shown_as_its_number_and_a_0d_array_as_an_array():
    """``np.array(1.0)`` is refused where a number is asked; shown as ``1.0`` the line read
    "got 1.0; allowed: >= 0 L/h", which contradicts itself (SX fuzz round 19)."""
    import numpy as np

    assert "got 2.0;" in str(InputError("x", np.float64(2.0), "a number"))
    assert "got array(1.);" in str(InputError("x", np.array(1.0), "a number"))
