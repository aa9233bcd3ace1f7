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

import math
import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reeflow.core.errors import InputError, did_you_mean

if TYPE_CHECKING:
    import pint

__all__ = ["ureg", "to_canonical", "is_dimensionless", "example_quantity"]  # noqa: F822 - ureg: module __getattr__

_DEFINITIONS = """
annum = 365.25 * day = a
kilotonne = 1e3 * tonne = kt
megatonne = 1e6 * tonne = Mt
USD = [currency] = usd = US$
kUSD = 1e3 * USD
MUSD = 1e6 * USD = MUS$
BUSD = 1e9 * USD
frac = [] = fraction
pct = percent
"""


def _cache_folder() -> str | None:
    """Where pint may cache its parsed definitions (a subfolder per pint version of
    :func:`reeflow.core.io.cache_root`), or None when there is none or it is not private (pint
    reads pickles back, fuzz round 40)."""
    from reeflow.core.io import cache_root, private_folder

    try:
        from pint import __version__ as version

        root = cache_root()
        if root is None:
            return None
        path = os.path.join(root, f"pint-{version}")  # pickles of one pint version only
        return path if private_folder(path) and os.access(path, os.W_OK) else None
    except Exception:  # no cache is slower, never wrong
        return None


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    """The unit registry, built on first use (``reeflow --help`` never pays for it) from
    pint's parsed-definitions cache where one can be kept (0.15 s → 0.02 s); any problem with
    the cache (a file another process is writing, a read-only home) falls back to parsing."""
    import pint

    reg: pint.UnitRegistry | None = None
    folder = _cache_folder()
    if folder is not None:
        try:
            reg = pint.UnitRegistry(cache_folder=folder, autoconvert_offset_to_baseunit=True,
                                    on_redefinition="ignore")
        except Exception:
            reg = None
    if reg is None:
        reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, on_redefinition="ignore")
    for line in _DEFINITIONS.strip().splitlines():
        reg.define(line)
    return reg


def __getattr__(name: str) -> Any:
    """``ureg``, the registry, is built when first asked for."""
    if name == "ureg":
        return _registry()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _unit(text: str) -> pint.Unit:
    return _registry().parse_units(_normalise(text))


#: mass-percent spellings of mining and chemistry ('4.8 wt%', '5 wt.%', '3 mass%'): percent
#: (they were refused as an undefined unit, fuzz round 19)
_MASS_PERCENT = re.compile(r"(?i)\b(?:wt|mass)\s*\.?\s*%")


def _normalise(text: str) -> str:
    return (
        _MASS_PERCENT.sub("%", text).replace("°C", "degC")
        .replace("°F", "degF")
        .replace("ºC", "degC")
        .replace("ºF", "degF")
        .replace("%", " percent ")
        .replace("²", "**2")
        .replace("³", "**3")
        .replace("·", "*")
        .replace("μ", "u")
        .replace("µ", "u")
        .replace("US$", "USD")
        .replace("€", "EUR")
        .strip()
    )


def is_dimensionless(unit: str) -> bool:
    """True when ``unit`` (a canonical unit string) is a pure number or fraction."""
    return bool(_unit(unit).dimensionless)


#: Longest quantity string accepted ("570 kt/a" is 8 characters).
MAX_QUANTITY_CHARS = 80
_NUMBER = re.compile(r"^\s*(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?)\s*(?P<unit>.*?)\s*$")
_UNIT = re.compile(r"^[A-Za-z°ºµμ%$(][A-Za-z0-9°ºµμ%$/*^·.²³() _-]*$")
_POWER = re.compile(r"(\*\*|\^)(?!\s*-?\d{1,2}(?!\d))")
_MINUS_SIGNS = "\u2212\u2012\u2013\u2014\ufe63\uff0d"
_PERCENT_SIGNS = "\u066a\uff05\ufe6a"


#: Units pint holds dimensionless that a fraction may be written in; any other dimensionless
#: unit (deg, rad, count, bit, dB, pi, turn …) read 2.75 deg as a grade of 4.8 % (fuzz round 36)
_RATIO_UNITS = frozenset({"percent", "pct", "permille", "ppm", "frac", "dimensionless"})


def _kind_error(q: Any, unit: str) -> str | None:
    """Why the dimensionless quantity ``q`` cannot be read in the dimensionless ``unit`` (an
    angle only from angle units, anything else from ratios of like units or the ratio units of
    :data:`_RATIO_UNITS`); None when it can."""
    names = list(q.units._units)
    radian = _registry().radian
    if _registry().Quantity(1, unit).to_root_units().units == radian:  # an angle: only from
        # an angle's units ('45 %' read as 0.45 rad, a slope of 25.8 deg)
        if q.to_root_units().units == radian:
            return None
        return f"write an angle, e.g. '45 deg' ({q.units:~P} is not an angle)"
    odd = [n for n in names if n not in _RATIO_UNITS and _registry().Quantity(1, n).dimensionless]
    if odd:
        return (f"write it as a ratio, e.g. {example_quantity(unit)} ('{odd[0]}' is not a unit of "
                "this field)")
    return None


def _refuse(field: str, value: Any, unit: str, fix: str) -> InputError:
    return InputError(field, value, f"a number with a unit convertible to {unit}", fix)


def _check_text(text: str, field: str, unit: str) -> None:
    """Refuse the look-alikes that would otherwise be misread, each with a hint."""
    if len(text) > MAX_QUANTITY_CHARS:
        raise _refuse(field, text[:40] + "…", unit,
                      f"write at most {MAX_QUANTITY_CHARS} characters, e.g. '1.8 %'")
    if any(c in _MINUS_SIGNS for c in text):
        raise _refuse(field, text, unit, "use the ASCII minus sign '-'")
    if any(c in _PERCENT_SIGNS for c in text):
        raise _refuse(field, text, unit, "use the ASCII percent sign '%'")
    if any(c.isdigit() and not c.isascii() and c not in "²³" for c in text):
        raise _refuse(field, text, unit, "write the digits 0-9")
    if re.search(r"\d,\d", text):
        raise _refuse(field, text, unit, "use a decimal point and no thousands separator, "
                      "e.g. '2.5 %' or '570000 t/a' (or '570 kt/a')")


def example_quantity(unit: str, *, bare: bool = False) -> str:
    """An example quantity in ``unit``, for a message's fix: a fraction as a percentage ('1
    frac' read as 100 %, outside most fractions' bounds, fuzz round 21), with ``bare`` also as
    the plain fraction; a plain number for ``number``."""
    if unit == "frac":
        return "'50 %' or 0.5" if bare else "'50 %'"
    return "2.5" if unit == "number" else f"'1 {unit}'"


def _parse_text(value: str, unit: str, field: str) -> Any:
    """A pint Quantity from '<number> <unit>' under the bounded grammar (no expressions)."""
    _check_text(value, field, unit)
    m = _NUMBER.match(value)
    if m is None:
        raise _refuse(field, value, unit, f"write a number then its unit, e.g. {example_quantity(unit)}")
    number = float(m["num"])
    if not math.isfinite(number):
        raise _refuse(field, value, unit, "give a finite number")
    unit_text = m["unit"]
    if not unit_text:
        return _registry().Quantity(number, "")
    if not _UNIT.match(unit_text) or _POWER.search(unit_text):
        raise _refuse(field, value, unit, "write a plain unit after the number, e.g. "
                      f"{example_quantity(unit)} (powers as m**3 or m^3)")
    if unit_text.count("%") > 1:  # '1.9 %%' multiplied out to 1.9e-4, a typo read silently
        raise _refuse(field, value, unit, f"write one percent sign, e.g. '{m['num']} %'")
    if re.search(r"(?<![A-Za-z])ppt(?![A-Za-z])", unit_text):  # pint: pico-pint (fuzz 37)
        raise _refuse(field, value, unit, "'ppt' is per thousand to some and per trillion to "
                      "others: write 'permille' for 1e-3, or the plain fraction")
    # '570 kt pa' was read as kt x pascal (fuzz 37); 'Pa' alone is the pascal
    if re.search(r"\s(pa|PA|p\.a\.?|P\.A\.?)$", unit_text):
        raise _refuse(field, value, unit, f"write a year as 'a', e.g. "
                      f"'{m['num']} {unit_text.rsplit(None, 1)[0]}/a'")
    try:
        q = _registry().Quantity(number, _normalise(unit_text))
    except Exception:  # pint raises several unrelated types on bad text
        power = re.search(r"(?<![A-Za-z])(mm|cm|dm|km|m|ft|in|yd)([23])(?![0-9])", unit_text)
        year = re.search(r"(/\s*(y|yrs|year|years|annum|p\.?a\.?)|pa)$", unit_text)
        per = unit_text[:year.start()].rstrip() if year else ""
        hint = (f"write a power with ^ or **, e.g. '{power[1]}^{power[2]}' for "
                f"{power[1]}{power[2]}" if power
                else f"write a year as 'a' or 'yr', e.g. '{m['num']} {per}/a'" if year and per
                else f"check the spelling of the unit, e.g. {example_quantity(unit)}")
        raise _refuse(field, value, unit, hint) from None
    if _short_ton(q) and "short_ton" not in unit_text:  # 'ton', 'kton', 'Mtons' (fuzz round 36)
        raise _refuse(field, value, unit, "write 't' for the metric tonne (1,000 kg) or 'kt', "
                      "'Mt'; pint's 'ton' is the 907 kg short ton: write 'short_ton' if you "
                      "mean it")
    return q


def _short_ton(q: Any) -> bool:
    """Whether ``q``'s unit holds pint's ``ton`` (the US short ton), prefixed or not."""
    reg = _registry()
    return any(base == "ton" for name in q.units._units
               for _, base, _ in reg.parse_unit_name(name))


def to_canonical(value: Any, unit: str, *, field: str) -> float:
    """Convert ``value`` to a float in ``unit``.

    The text grammar is deliberately small and bounded: ``<number> <unit>``, the number in plain
    decimal or scientific notation (exponent of at most three digits), the unit a product or
    quotient of named units with integer powers of at most two digits, the whole at most
    :data:`MAX_QUANTITY_CHARS` characters. Expressions (``9**9**9 kt/a``), decimal commas
    (``2,5 %``), thousands separators, non-ASCII minus, percent signs and digits are refused
    with a hint rather than misread. Non-finite values are refused.

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
        When the value has no unit where one is needed, an unknown unit, a unit of the wrong
        dimension, or text outside the grammar.
    """
    if isinstance(value, dict):  # a record whose value key is missing or misspelt (fuzz 22)
        close = [k for k in value if str(k) != "value" and did_you_mean(
            str(k), ["value"], fallback=False)]
        raise InputError(field, value, f"a quantity in {unit}, or a record {{value: ...}}",
                         f"did you mean 'value' for '{close[0]}'?" if close else
                         f"write e.g. {example_quantity(unit)} or {{value: {example_quantity(unit)}}}")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(field, value, f"a quantity in {unit}", f"write e.g. {example_quantity(unit)}")
    if isinstance(value, (int, float)):
        return _from_number(value, unit, field)
    q: Any = _parse_text(value, unit, field)
    if str(q.units) == "dimensionless" and is_dimensionless(unit):
        # a quoted number is the bare number: '45' for a slope had been read as 45 rad and
        # '0.913' for h/a as 91.3 % of a year (fuzz round 36)
        return _from_number(float(q.magnitude), unit, field)
    if q.dimensionless:
        _check_ratio(q, value, unit, field)
    try:
        out = float(q.to(_normalise(unit)).magnitude)
    except _dimensionality_error():
        raise InputError(
            field,
            value,
            f"a unit convertible to {unit}",
            f"'{q.units:~}' has the wrong dimension for this field",
        ) from None
    if not math.isfinite(out):
        raise InputError(field, value, f"a finite quantity in {unit}", "give a smaller number")
    return out


def _from_number(value: int | float, unit: str, field: str) -> float:
    """A bare number: finite, and only for a dimensionless field."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(field, value, f"a finite quantity in {unit}", "give a finite number")
    if is_dimensionless(unit):
        return float(value)
    raise InputError(
        field,
        value,
        f"a quantity with a unit convertible to {unit}",
        # a negative number's own example suggested an invalid value ('-5 t/a', fuzz 30)
        f"write the unit, e.g. '{value} {unit}'" if value >= 0 else
        f"write a positive quantity with its unit, e.g. {example_quantity(unit)}",
    )


def _check_ratio(q: Any, value: str, unit: str, field: str) -> None:
    """A dimensionless quantity ``q`` (written ``value``) is read only into a dimensionless
    field of its kind (:func:`_kind_error`); a field with a unit is told what to write."""
    if is_dimensionless(unit):
        why = _kind_error(q, unit)
        if why is not None:
            raise InputError(field, value, f"a quantity convertible to {unit}", why)
        return
    written = _NUMBER.match(value)
    angle = q.to_root_units().units == _registry().radian and str(q.units) != "dimensionless"
    raise InputError(
        field,
        value,
        f"a quantity with a unit convertible to {unit}",
        f"add the unit, e.g. '{value} {unit}'" if written is None or not written["unit"]
        else f"write it in {unit}: '{written['unit']}' cancels to a pure number"
        if str(q.units) == "dimensionless" else
        # '25 deg' for a temperature had been called a ratio (fuzz round 37)
        f"write it in {unit}: {q.units:~P} is an angle, not {unit}" if angle else
        # '990 g/kg' is a ratio: adding the unit to it made no sense (SX fuzz round 28)
        f"write it in {unit}: {q.units:~P} is a ratio, not {unit}",
    )


def _dimensionality_error() -> type[Exception]:
    import pint

    return pint.DimensionalityError


def npv_label(rate_frac: float | None) -> str:
    """``NPV8`` for a discount rate of 0.08, ``NPV5.5`` for 0.055 (``NPV`` without a rate).
    A 5.5 % rate read "NPV6" (rounded to a whole percent, fuzz round 20)."""
    if rate_frac is None:
        return "NPV"
    return f"NPV{round(100.0 * float(rate_frac), 6):g}"
