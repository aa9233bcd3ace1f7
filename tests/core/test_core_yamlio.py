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
