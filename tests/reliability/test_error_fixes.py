"""Every refusal says how to fix it: each ``InputError(field, value, allowed, fix)`` raised under
``src/reeflow`` passes a fix that is not empty (an error line without "Fix:" leaves the user
with what is wrong and nothing to do about it; 191 calls had none before 2026-11-30)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reeflow.core.errors import InputError

SRC = Path(__file__).resolve().parents[2] / "src" / "reeflow"
#: The refusals that take (field, value, allowed, fix): InputError and its subclass NoOreError,
#: by name or as ``errors.InputError``
_REFUSALS = {"InputError", "NoOreError"}


def _calls_without_fix(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) not in _REFUSALS:
            continue
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
                k.arg is None for k in node.keywords):
            continue  # arguments forwarded as a whole: checked where they are written
        fix = node.args[3] if len(node.args) > 3 else next(
            (k.value for k in node.keywords if k.arg == "fix"), None)
        if fix is None or (isinstance(fix, ast.Constant) and not str(fix.value).strip()):
            out.append(node.lineno)
    return out


def test_every_input_error_in_the_source_names_a_fix():
    missing = [f"{p.relative_to(SRC.parent)}:{line}" for p in sorted(SRC.rglob("*.py"))
               for line in _calls_without_fix(p)]
    assert missing == [], f"InputError without a fix: {missing}"


def test_the_scan_sees_a_missing_fix(tmp_path):
    """The check itself can fail: a call with an empty or absent fix is found."""
    probe = tmp_path / "probe.py"
    probe.write_text('InputError("a", 1, "> 0", "")\nInputError("b", 2, "> 0")\n'
                     'InputError("c", 3, "> 0", fix="give 1")\nNoOreError("d", 4, "x")\n'
                     'errors.InputError("e", 5, "> 0", "")\n', encoding="utf-8")
    assert _calls_without_fix(probe) == [1, 2, 4, 5]


@pytest.mark.parametrize("value, shown", [(float("nan"), "nan"), (3, "3")])
def test_numpy_scalars_are_shown_as_plain_numbers(value, shown):
    import numpy as np

    err = InputError("x", np.float64(value) if isinstance(value, float) else np.int64(value),
                     "> 0", "give 1")
    assert str(err).startswith(f"x: got {shown}; allowed: > 0. Fix: give 1")
