"""The bounded, strict YAML reader every user file goes through: every malformed or hostile text
is an InputError naming the field (exit 2 at the CLI), never a parser exception."""

import pytest

from reeflow.core.errors import InputError
from reeflow.core.yamlio import MAX_DEPTH, load_yaml_text


@pytest.mark.parametrize("text", [
    "a: \x07b",                      # control character: refused by the reader itself
    "a: [1, 2",                      # unclosed flow sequence
    "a: 1\na: 2",                    # duplicate key
    "[" * (MAX_DEPTH + 5),           # too deep
    "a: &x [*x]",                    # recursive alias
    "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]",  # billion laughs
])
def test_bad_yaml_is_an_input_error(text):
    with pytest.raises(InputError) as err:
        load_yaml_text(text, field="project", source="t.yaml")
    assert err.value.field == "project"


def test_plain_yaml_reads():
    assert load_yaml_text("a: 1\nb: [x, y]\n", field="project") == {"a": 1, "b": ["x", "y"]}


def test_yaml_1_2_floats_are_numbers():
    """1e9 and 1.0e9 were text under YAML 1.1's float rule, refused as "got '1.0e9'; allowed:
    >= 0" (fuzz round 34); ints, 1.1's other floats, inf and nan read as before."""
    from reeflow.core.yamlio import load_yaml_text

    got = load_yaml_text("a: 1e9\nb: 1.0e9\nc: 12\nd: -1.5e-3\ne: .inf\nf: .5\n"
                         "g: 190:20:30.15\nh: e9\n", field="x")
    assert got == {"a": 1e9, "b": 1e9, "c": 12, "d": -1.5e-3, "e": float("inf"), "f": 0.5,
                   "g": "190:20:30.15", "h": "e9"}
    assert type(got["c"]) is int
