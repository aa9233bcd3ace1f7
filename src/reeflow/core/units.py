"""Units at the edge: parse quantities written with units into canonical floats.

Project files may write ``570 kt/a``, ``1.8 %``, ``69 USD/kg`` or ``25 °C``. Each field declares its
canonical unit (``t/a``, ``frac``, ``USD/kg``, ``degC`` ...); :func:`to_canonical` converts once, at
load time, and the core sees plain floats in documented units.

Conventions (added to pint's defaults): ``a`` and ``yr`` = Julian year (annum); ``t`` = tonne;
``USD`` is a currency dimension of its own (no FX conversion happens here: currencies other than USD
are refused, see :mod:`reeflow.economics` for exchange rates); ``frac`` = dimensionless fraction
(``%`` = 0.01 frac, ``ppm`` = 1e-6 frac).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pint

from reeflow.core.errors import InputError

__all__ = ["ureg", "to_canonical", "is_dimensionless"]

_DEFINITIONS = """
annum = 365.25 * day = a
kilotonne = 1e3 * tonne = kt
megatonne = 1e6 * tonne = Mt
USD = [currency] = usd = US$
kUSD = 1e3 * USD
MUSD = 1e6 * USD = MUS$
BUSD = 1e9 * USD
frac = [] = fraction
"""


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    reg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, on_redefinition="ignore")
    for line in _DEFINITIONS.strip().splitlines():
        reg.define(line)
    return reg


ureg = _registry()


def _unit(text: str) -> pint.Unit:
    return ureg.parse_units(_normalise(text))


def _normalise(text: str) -> str:
    return (
        text.replace("°C", "degC")
        .replace("°F", "degF")
        .replace("ºC", "degC")
        .replace("%", " percent ")
        .replace("US$", "USD")
        .replace("€", "EUR")
        .strip()
    )


def is_dimensionless(unit: str) -> bool:
    """True when ``unit`` (a canonical unit string) is a pure number or fraction."""
    return bool(_unit(unit).dimensionless)


def to_canonical(value: Any, unit: str, *, field: str) -> float:
    """Convert ``value`` to a float in ``unit``.

    Parameters
    ----------
    value : str, int or float
        A number (taken as already in ``unit``, allowed only for dimensionless fields) or a string
        with a unit, e.g. ``"570 kt/a"``.
    unit : str
        Canonical unit of the field, e.g. ``"t/a"``, ``"frac"``, ``"USD/kg"``, ``"degC"``.
    field : str
        Dotted field path, used in error messages.

    Returns
    -------
    float
        The magnitude in ``unit``.

    Raises
    ------
    InputError
        When the value has no unit where one is needed, an unknown unit, or a unit of the wrong
        dimension.
    """
    if isinstance(value, bool):
        raise InputError(field, value, f"a quantity in {unit}", f"write e.g. '1 {unit}'")
    if isinstance(value, (int, float)):
        if is_dimensionless(unit):
            return float(value)
        raise InputError(
            field,
            value,
            f"a quantity with a unit convertible to {unit}",
            f"write the unit, e.g. '{value} {unit}'",
        )
    if not isinstance(value, str):
        raise InputError(field, value, f"a quantity in {unit}", f"write e.g. '1 {unit}'")
    text = _normalise(value)
    try:
        q: Any = ureg.Quantity(text)
    except Exception as exc:  # pint raises several unrelated types on bad text
        raise InputError(
            field,
            value,
            f"a number with a unit convertible to {unit}",
            f"check the spelling of the unit ({exc.__class__.__name__})",
        ) from None
    if not isinstance(q, ureg.Quantity):
        q = ureg.Quantity(float(q), "")
    if q.dimensionless and not is_dimensionless(unit):
        raise InputError(
            field,
            value,
            f"a quantity with a unit convertible to {unit}",
            f"add the unit, e.g. '{value} {unit}'",
        )
    try:
        return float(q.to(_normalise(unit)).magnitude)
    except pint.DimensionalityError:
        raise InputError(
            field,
            value,
            f"a unit convertible to {unit}",
            f"'{q.units:~}' has the wrong dimension for this field",
        ) from None
