"""Fuzz round 32: inputs that were refused without saying what was wrong, as tests.

- a case's claims, fiscal terms or synthetic-deposit file given as the project itself was
  refused on an inner key of its own (``claims[0].asserts[0].quantity``, ``currency_year: a
  known field name``), never saying that it is no project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reeflow.core.data import CASES_DIR


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from reeflow.cli import main

    rc = main(["validate", str(path)])
    return rc, capsys.readouterr().err


@pytest.mark.parametrize(("name", "says"), [
    ("claims.yaml", "this is a claims file (claims:), not a project: name it under a "
                    "project's claims_file:"),
    ("fiscal.yaml", "top-level keys (currency_year, "),
    ("synthetic_deposit.yaml", "top-level keys (label, ")])
def test_a_case_file_of_another_kind_given_as_the_project_says_it_is_no_project(
        tmp_path, capsys, name, says):
    f = tmp_path / name
    shutil.copy(CASES_DIR / "beylikova" / name, f)
    rc, err = _validate(f, capsys)
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"reeflow: error: project: got '{f}'")
    assert says in err and "not a project" in err
