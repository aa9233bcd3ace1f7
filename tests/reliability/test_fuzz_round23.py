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
