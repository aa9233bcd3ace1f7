"""Validation helpers shared by the distribution models' ``build_params`` (InputError, never raw)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from reeflow.core.errors import InputError

__all__ = ["number", "table"]


def number(value: Any, field: str, *, low: float | None = None, high: float | None = None,
           strict_low: bool = False, allowed: str = "") -> float:
    """``value`` as a finite float within the bounds, else InputError naming ``field``."""
    if isinstance(value, bool | str) or value is None:  # '1.7' was read as 1.7 (round 19)
        raise InputError(field, value, allowed or "a finite number",
                         "write a finite number without quotes, e.g. 0.5")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(field, value, allowed or "a finite number",
                         "write a finite number, e.g. 0.5") from None
    bad = not math.isfinite(x)
    if low is not None:
        bad = bad or (x <= low if strict_low else x < low)
    if high is not None:
        bad = bad or x > high
    if bad:
        if not allowed:
            lo = "" if low is None else (f"> {low:g}" if strict_low else f">= {low:g}")
            hi = "" if high is None else f"<= {high:g}"
            allowed = "a finite number " + " and ".join(p for p in (lo, hi) if p)
        raise InputError(field, value, allowed, "give a value within the range shown")
    return x


def table(value: Any, field: str, hint: str) -> Mapping[str, Any]:
    """A non-empty mapping, else InputError."""
    if not isinstance(value, Mapping) or not value:
        raise InputError(field, value, hint, "give a non-empty mapping as described")
    return value
