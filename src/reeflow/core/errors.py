"""Error types shared by every reeflow package.

Every error raised at a boundary names the field, the value, what is allowed and how to fix it,
so that the command line can print it and exit with code 2 without a traceback.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "shown_value",
    "did_you_mean",
    "allowed_of",
    "ReeflowError",
    "InputError",
    "BelowCorrelationError",
    "InfeasibleSpecError",
    "ConvergenceError",
    "BalanceError",
]


class ReeflowError(Exception):
    """Base class of every error reeflow raises on purpose (CLI exit code 2)."""


class InputError(ReeflowError, ValueError):
    """A bad input value.

    Parameters
    ----------
    field : str
        Dotted path of the offending field, e.g. ``plant.ore_t_per_a``.
    value : Any
        The value that was given.
    allowed : str
        What is allowed, e.g. ``"> 0 t/a"``.
    fix : str
        How to fix it, in plain words.
    """

    def __init__(self, field: str, value: Any, allowed: str, fix: str = "") -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.fix = fix
        msg = f"{cut_text(str(field), _MAX_FIELD)}: got {shown_value(value)}; allowed: " \
              f"{cut_text(str(allowed), _MAX_ALLOWED)}"
        if fix:
            msg += f". Fix: {cut_text(str(fix), _MAX_FIX)}"
        super().__init__(msg)

    def at(self, field: str) -> InputError:
        """The same refusal (same class, value, allowed and fix) naming ``field``: the path an
        edge's user wrote (a flag, a query parameter, the project a compare ran)."""
        return type(self)(field, self.value, self.allowed, self.fix)


#: Longest repr of a bad value an error line shows (a pasted 10 kB string must not bury the
#: field, what is allowed and the fix).
_MAX_SHOWN = 120


def shown_value(value: Any) -> str:
    """The value as the error line shows it: its repr (a NumPy scalar as the Python number it
    holds, ``nan`` not ``np.float64(nan)``; a 0-d array stays an array: shown as its number
    it read "got 1.0; allowed: >= 0 L/h", SX fuzz round 19), cut in the middle when long."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        import numpy as np

        if not isinstance(value, np.ndarray):
            value = value.item()
    text = repr(value)
    if len(text) <= _MAX_SHOWN:
        return text
    half = _MAX_SHOWN // 2 - 10
    return f"{text[:half]}…{text[-half:]} ({len(text):,} characters)"


#: Longest field, allowed and fix texts of an error line (a library message quoting a 5 kB cell
#: must not bury the rest); the attributes keep the full texts.
_MAX_FIELD, _MAX_ALLOWED, _MAX_FIX = 200, 600, 2400


def cut_text(text: str, limit: int) -> str:
    """``text`` cut in the middle when longer than ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = limit // 2 - 10
    return f"{text[:half]}…{text[-half:]} ({len(text):,} characters)"


class NoOreError(InputError):
    """The mine plan sends no ore to the plant: the project, as specified, produces nothing.

    Refused for the study itself (exit 2, naming the costs against the richest block); for a
    what-if the study asks (the end of an input's range, a claim's case, a price-floor deck)
    it is that question's answer: "no ore pays" (:mod:`reeflow.sensitivity`)."""


class BelowCorrelationError(InputError):
    """An equipment size below the range of every cost correlation carried for it: the plant is
    too small to cost. The chain names the project's throughput for it (``ore.throughput``);
    the economics room alone names the equipment size."""


class InfeasibleSpecError(ReeflowError):
    """An engineering specification that no design can meet (names the limit)."""


class ConvergenceError(ReeflowError):
    """An iterative solve that did not converge (names the tear/variable and residual)."""


class BalanceError(ReeflowError):
    """A mass or element balance that does not close (names the unit and the element)."""


def did_you_mean(name: str, candidates: Iterable[str], *, fallback: bool = True,
                 n: int = 3) -> str:
    """A 'did you mean …?' hint for a misspelt ``name``. When nothing is close it lists the
    first known names, or (``fallback=False``) returns "" so that the caller can give its own
    fix (a list too long for one line, or a how-to)."""
    names = sorted(str(c) for c in candidates)
    # the same name in another case first: 'y' is 'Y', not the closer-spelt 'Dy' (fuzz 36)
    close = [c for c in names if c.lower() == str(name).lower()][:1] or \
        difflib.get_close_matches(str(name), names, n=n, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if not fallback:
        return ""
    return f"known names: {', '.join(names[:12])}{' …' if len(names) > 12 else ''}"


#: pydantic's bound messages in the error line's own words (">= 0", not "Input should be
#: greater than or equal to 0")
_BOUNDS = (("greater than or equal to", ">="), ("less than or equal to", "<="),
           ("greater than", ">"), ("less than", "<"))


def allowed_of(msg: str) -> str:
    """A pydantic message as an error line's "allowed" part (``Input should be greater than
    or equal to 0`` reads ``>= 0``; ``a valid integer, unable to parse string as an integer``
    reads ``a valid integer``)."""
    text = msg.removeprefix("Value error, ").removeprefix("Input should be ").strip()
    if text.startswith("a valid "):  # "a valid integer, unable to parse string as an integer"
        text = text.split(",", 1)[0]
        # "a valid dictionary or instance of Ore": the class is the library's word, not the
        # user's (fuzz round 20)
        text = text.split(" or instance of ", 1)[0]
    for words, sign in _BOUNDS:
        if text.startswith(words):
            return f"{sign} {text[len(words):].strip()}"
    size = _SIZE.match(text)  # "List should have at least 1 item after validation, not 0"
    if size:
        kind = {"String": "text", "Dictionary": "a mapping"}.get(size[1], f"a {size[1].lower()}")
        return f"{kind} of {size[2]} {size[3]} {size[4]}"
    return text


_SIZE = re.compile(r"^(List|Tuple|Set|Dictionary|String) should have (at least|at most) (\d+) "
                   r"(items?|characters?)")
