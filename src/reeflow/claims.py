"""Public claims about a project, checked against the model: the one claims registry.

A case ships its claims as data (``claims_file`` in the project: each claim's text, outlet, date,
a note of what is known, and machine-checkable *assertions*; plus dated *records* for claims
about events). Each assertion names a quantity; :data:`QUANTITIES` maps every quantity to a
function that computes it from the study (the chain's outcome, the market data, or a "what if"
re-run of the same chain). A claim's status is computed, never written:

- ``consistent`` — every assertion holds against the model (within its stated tolerance);
- ``inconsistent`` — at least one does not;
- ``unverifiable`` — the model cannot decide (no such quantity, a stated plan, an open range).

Qualifiers (:func:`assess`): ``exact`` / ``approx`` (within ``rel_tol``, a number or
``'10 %'``, or ``abs_tol``),
``greater_than`` / ``less_than`` (the claimed bound on the true value), ``range``
(``value_low``..``value_high``), ``at_most_model`` (a claimed output cannot exceed what the model
feeds), ``contains`` (a set of items the model must contain).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from reeflow.core.errors import InputError, did_you_mean
from reeflow.core.units import example_quantity
from reeflow.core.yamlio import load_yaml_file

__all__ = ["Assertion", "Claim", "ClaimSet", "ModelValue", "QUANTITIES", "STATUSES",
           "QUALIFIERS", "assess", "load_claims", "check_claims", "ClaimContext"]

STATUSES = ("consistent", "inconsistent", "unverifiable")
QUALIFIERS = ("exact", "approx", "greater_than", "less_than", "range", "at_most_model",
              "contains")
_ASSERT_KEYS = {"quantity", "value", "qualifier", "value_low", "value_high", "as_stated",
                "rel_tol", "abs_tol", "given", "horizon_year"}


@dataclass(frozen=True)
class Assertion:
    """One machine-checkable quantity a claim asserts."""

    quantity: str
    value: Any
    qualifier: str = "exact"
    value_low: float | None = None
    value_high: float | None = None
    as_stated: str | None = None
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    given: Mapping[str, Any] = field(default_factory=dict)
    horizon_year: int | None = None


@dataclass(frozen=True)
class Claim:
    """A public claim as reported (outlet, date), what is already known, and its assertions."""

    id: str
    claim: str
    outlet: str
    date: str
    note: str
    asserts: tuple[Assertion, ...]


@dataclass(frozen=True)
class ClaimSet:
    """The claims of a case and the dated records the record-type assertions are checked on."""

    claims: tuple[Claim, ...]
    records: Mapping[str, Mapping[str, Any]]
    source: str


@dataclass(frozen=True)
class ModelValue:
    """What the model says about a quantity: a number, a (low, high) range, a set or a value;
    the text shown as the model's value; and the reason in numbers."""

    value: Any
    text: str
    reason: str


def _words(x: Any) -> str:
    return " ".join(str(x).split())


def _assertion(raw: Any, where: str) -> Assertion:
    is_range = isinstance(raw, Mapping) and raw.get("qualifier") == "range"
    if not isinstance(raw, Mapping) or "quantity" not in raw or (
            "value" not in raw and not is_range):
        raise InputError(where, raw, "an assertion with quantity and value",
                         "write {quantity: ..., value: ..., qualifier: ...}")
    unknown = set(raw) - _ASSERT_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise InputError(f"{where}.{key}", raw[key], "a known assertion key",
                         did_you_mean(key, _ASSERT_KEYS))
    q = raw.get("qualifier", "exact")
    if q not in QUALIFIERS:
        raise InputError(f"{where}.qualifier", q, f"one of {QUALIFIERS}", did_you_mean(q, QUALIFIERS))
    value, low, high = raw.get("value"), raw.get("value_low"), raw.get("value_high")
    if q == "range":
        value, low, high = _range(value, low, high, where)
    given = raw.get("given") or {}
    if not isinstance(given, Mapping):
        raise InputError(f"{where}.given", given, "a mapping of project paths to values",
                         "write given: {ore.treo_grade: 1 %}")
    tols = {"rel_tol": _tolerance(raw.get("rel_tol", 0.0), f"{where}.rel_tol"),
            "abs_tol": _number(raw.get("abs_tol", 0.0), f"{where}.abs_tol")}
    for k, v in tols.items():
        if v < 0:
            raise InputError(f"{where}.{k}", v, ">= 0 (a tolerance is a width)",
                             f"write {k}: {-v:g}")
    return Assertion(quantity=str(raw["quantity"]), value=value, qualifier=q,
                     value_low=low, value_high=high, as_stated=raw.get("as_stated"),
                     rel_tol=tols["rel_tol"], abs_tol=tols["abs_tol"],
                     given=dict(given), horizon_year=raw.get("horizon_year"))


def _number(x: Any, where: str) -> float:
    """A finite number; a numeric string too (YAML 1.1 reads ``1.0e8`` as text)."""
    if isinstance(x, str):
        with contextlib.suppress(ValueError):
            x = float(x)
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise InputError(where, x, "a finite number", "write a plain number, e.g. 0.05")
    return float(x)


def _tolerance(x: Any, where: str) -> float:
    """A relative tolerance: a plain number, or a fraction with its unit ('10 %' had been
    refused while a claim's value takes units, fuzz round 37)."""
    from reeflow.core.units import to_canonical

    if isinstance(x, str):
        with contextlib.suppress(ValueError):
            return _number(float(x), where)
        return to_canonical(x, "frac", field=where)
    return _number(x, where)


def _range(value: Any, low: Any, high: Any, where: str) -> tuple[Any, Any, Any]:
    """A range assertion's (value, low, high) as written: from ``value: [low, high]`` or from
    ``value_low`` and ``value_high`` (``value`` None: their middle, set by :func:`_typed` once
    the ends are read in the quantity's unit)."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2 or low is not None or high is not None:
            raise InputError(f"{where}.value", value, "[low, high], or value_low and value_high",
                             "give the range one way")
        value, (low, high) = None, value
    for key, end in (("value_low", low), ("value_high", high)):
        if end is None:
            raise InputError(f"{where}.{key}", None, "a number", "give both ends of the range")
    return value, low, high


def load_claims(path: str | Path) -> ClaimSet:
    """Read a claims file (see the module docstring); InputError names any bad entry."""
    data = load_yaml_file(path, field="claims_file")
    if not isinstance(data, Mapping) or not isinstance(data.get("claims"), list):
        raise InputError("claims_file", str(path), "a mapping with a 'claims' list",
                         "see the built-in case's claims.yaml")
    claims = []
    for i, c in enumerate(data["claims"]):
        where = f"claims[{i}]"
        if not isinstance(c, Mapping) or not {"id", "claim", "asserts"} <= set(c):
            raise InputError(where, c, "a claim with id, claim and asserts",
                             "give each claim the keys id, claim and asserts (see a built-in "
                             "case's claims.yaml)")
        if not isinstance(c["asserts"], list) or not c["asserts"]:
            raise InputError(f"{where}.asserts", c["asserts"], "a list of one assertion or more",
                             "write asserts: [{quantity: ..., value: ...}]")
        claims.append(Claim(
            id=str(c["id"]), claim=_words(c["claim"]), outlet=_words(c.get("outlet", "")),
            date=str(c.get("date", "")), note=_words(c.get("note", "")),
            asserts=tuple(_assertion(a, f"{where}.asserts[{j}]")
                          for j, a in enumerate(c["asserts"]))))
    records = data.get("records") or {}
    bad = [k for k, v in records.items() if not isinstance(v, Mapping)] \
        if isinstance(records, Mapping) else None
    if bad is None or bad:
        raise InputError("records" if bad is None else f"records.{bad[0]}", records if bad is None
                         else records[bad[0]], "a mapping of record names to records "
                         "({value: ..., source: ...})",
                         "write records as name: {value: ..., source: ...} under the top-level "
                         "records key")
    _check_ids_and_quantities(claims, records)
    # a record's value is compared as written; its range's ends are numbers all the same
    claims = [replace(c, asserts=tuple(a if a.quantity in records and a.qualifier != "range"
                                       else _typed(a, f"claims[{i}].asserts[{j}]")
                                       for j, a in enumerate(c.asserts)))
              for i, c in enumerate(claims)]
    return ClaimSet(tuple(claims), dict(records), str(path))


def _check_given_keys(a: Assertion, where: str) -> None:
    """A ``given`` the quantity would not read is refused (it was assessed at the base case
    without a word), and one it reads is required (``contained_reo_t`` without ``given:
    {ore_t}`` passed validate and was reported as not computed, fuzz round 37); a what-if
    quantity's paths are checked against the project later."""
    if a.quantity in WHAT_IF_GIVENS or a.quantity not in QUANTITIES:
        return
    extra = sorted(set(map(str, a.given)) - set(GIVEN_KEYS.get(a.quantity, {})))
    if extra:
        keys = sorted(GIVEN_KEYS.get(a.quantity, {}))
        raise InputError(f"{where}.{extra[0]}", a.given[extra[0]],
                         f"{'given keys ' + ', '.join(keys) if keys else 'no given'} for "
                         f"{a.quantity} (it is computed at the study's own inputs)",
                         "remove the key, or use quantity commercially_viable for a what-if")
    missing = sorted(set(GIVEN_KEYS.get(a.quantity, {})) - set(map(str, a.given)))
    if missing:
        unit = GIVEN_KEYS[a.quantity][missing[0]]
        raise InputError(where, dict(a.given) or None,
                         f"given: {{{missing[0]}: ...}} for {a.quantity} (it is computed from "
                         "it)",
                         f"write given: {{{missing[0]}: {example_quantity(unit, bare=True)}}}")


def _check_ids_and_quantities(claims: Sequence[Claim], records: Mapping[str, Any]) -> None:
    """Each claim id once; each assertion's quantity one the study computes or a record of the
    file (a misspelled quantity made its claim "unverifiable" without a word)."""
    import reeflow.claim_quantities  # noqa: F401 - registers the quantity functions

    seen: set[str] = set()
    for i, c in enumerate(claims):
        if c.id in seen:
            raise InputError(f"claims[{i}].id", c.id, "a claim id used once",
                             "give the claim an id of its own, or merge the two claims")
        seen.add(c.id)
        for j, a in enumerate(c.asserts):
            if a.quantity not in QUANTITIES and a.quantity not in records:
                known = sorted(QUANTITIES) + sorted(records)
                raise InputError(f"claims[{i}].asserts[{j}].quantity", a.quantity,
                                 "a quantity the study computes or a record of this file",
                                 did_you_mean(a.quantity, known) or
                                 f"one of {', '.join(known)}")
            _check_given_keys(a, f"claims[{i}].asserts[{j}].given")


def assess(a: Assertion, model: Any) -> str:
    """Status of assertion ``a`` against the model's value (number, (low, high), set, value)."""
    if model is None:
        return "unverifiable"
    if a.qualifier == "contains":
        return "consistent" if set(a.value) <= set(model) else "inconsistent"
    if isinstance(model, (set, frozenset)) and isinstance(a.value, (list, tuple)):
        return "consistent" if set(a.value) == set(model) else "inconsistent"
    if not isinstance(a.value, (int, float)) or isinstance(a.value, bool):
        return "consistent" if a.value == model else "inconsistent"
    lo, hi = (model if isinstance(model, tuple) else (model, model))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "unverifiable"
    lo, hi = min(lo, hi), max(lo, hi)
    claimed = float(a.value)
    tol = max(a.abs_tol, a.rel_tol * abs(claimed))
    if a.qualifier in ("exact", "approx", "range"):
        c_lo = a.value_low if a.qualifier == "range" and a.value_low is not None else claimed
        c_hi = a.value_high if a.qualifier == "range" and a.value_high is not None else claimed
        return "consistent" if hi >= c_lo - tol and lo <= c_hi + tol else "inconsistent"
    if a.qualifier == "at_most_model":
        return "consistent" if claimed <= hi + tol else "inconsistent"
    above = a.qualifier == "greater_than"
    if (lo > claimed) if above else (hi < claimed):
        return "consistent"
    if (hi <= claimed) if above else (lo >= claimed):
        return "inconsistent"
    return "unverifiable"


@dataclass
class ClaimContext:
    """What a quantity function may read: the study's outcome and a way to re-run the chain."""

    outcome: Any
    what_if: Callable[[Mapping[str, Any]], Any]
    cache: dict[str, Any] = field(default_factory=dict)


Quantity = Callable[[ClaimContext, Assertion], ModelValue | None]
#: The one registry: quantity name → function of the study (see reeflow.claim_quantities).
QUANTITIES: dict[str, Quantity] = {}


#: Quantities whose ``given`` is a what-if of the chain (project path -> value), checked as
#: overrides when the claims file is read against the project
WHAT_IF_GIVENS: set[str] = set()
#: The ``given`` keys each other quantity reads as its own parameters (``contained_reo_t``:
#: ``given: {ore_t: ...}``, the tonnage the claim speaks of), each with its canonical unit; a
#: quantity absent here reads none
GIVEN_KEYS: dict[str, dict[str, str]] = {}
#: The canonical unit of each numeric quantity (``frac``, ``t``, ``t/a``, ``USD/a``; ``number``:
#: a plain number): a claimed value is read in it (``12.7 kt/a``, ``4.8 %``; a bare number is in
#: that unit) and must be finite and not negative, a fraction within 0..1 (fuzz round 36: text
#: was compared as text, ``nan`` and a fraction of 4.8 judged, a negative tonnage "consistent").
#: A quantity absent here takes its value as written (a yes/no, a set of elements).
UNITS: dict[str, str] = {}


def quantity(name: str, *, what_if: bool = False, unit: str | None = None,
             given: Mapping[str, str] | None = None) -> Callable[[Quantity], Quantity]:
    """Register a quantity function under ``name``; ``what_if``: its ``given`` are project
    overrides (:data:`WHAT_IF_GIVENS`); ``given``: else the keys it reads and their units
    (:data:`GIVEN_KEYS`); ``unit``: the canonical unit of its value (:data:`UNITS`)."""
    def deco(fn: Quantity) -> Quantity:
        QUANTITIES[name] = fn
        if what_if:
            WHAT_IF_GIVENS.add(name)
        GIVEN_KEYS[name] = dict(given or {})
        if unit is not None:
            UNITS[name] = unit
        return fn
    return deco


def claimed_number(x: Any, unit: str, where: str) -> float:
    """A claimed value in ``unit`` (see :data:`UNITS`): a bare number is in ``unit``, text is
    read with its unit; finite, not negative, a fraction within 0..1."""
    from reeflow.core.units import to_canonical

    if isinstance(x, bool) or not isinstance(x, (int, float, str)):
        raise InputError(where, x, f"a number in {unit}",
                         f"write e.g. {example_quantity(unit, bare=True)}")
    if isinstance(x, str) and unit == "number":
        v = _number(x, where)  # '6x' was told to give a unit convertible to frac
    elif isinstance(x, str):
        if not x.strip():
            raise InputError(where, x, f"a number in {unit}",
                             f"write e.g. {example_quantity(unit, bare=True)}")
        v = to_canonical(x, unit, field=where)
    else:
        v = float(x)
    if not math.isfinite(v):
        raise InputError(where, x, f"a finite number in {unit}",
                         f"write e.g. {example_quantity(unit, bare=True)}")
    if v < 0:
        raise InputError(where, x, f">= 0 {unit} (a claimed amount is not negative)",
                         "write the amount without its sign")
    if unit == "frac" and v > 1.0:
        raise InputError(where, x, "a fraction within 0..1 (a bare number is a fraction)",
                         "write at most 100 %" if isinstance(x, str) else
                         f"write '{v:g} %' for a percentage, or {v / 100:g}")
    return v


def _typed(a: Assertion, where: str) -> Assertion:
    """``a`` with its value, range ends and ``given`` amounts read in their units (a yes/no
    quantity's value a boolean, a set quantity's a list of element symbols)."""
    unit = UNITS.get(a.quantity)
    _check_qualifier(a, unit, where)
    given_units = GIVEN_KEYS.get(a.quantity, {}) if a.quantity not in WHAT_IF_GIVENS else {}
    given = {k: claimed_number(v, given_units[str(k)], f"{where}.given.{k}")
             if str(k) in given_units else v for k, v in a.given.items()}
    if unit == "bool":
        if not isinstance(a.value, bool):  # 'yes' or 'true' never matched (fuzz round 37)
            raise InputError(f"{where}.value", a.value, "true or false",
                             "write true or false, unquoted")
        return replace(a, given=given)
    if unit == "elements":
        return replace(a, value=_symbols(a.value, f"{where}.value"), given=given)
    if unit is None:
        if a.qualifier == "range":  # a range of a quantity without a unit: plain numbers
            unit = "number"
        else:
            return replace(a, given=given)
    if a.qualifier != "range":
        return replace(a, value=claimed_number(a.value, unit, f"{where}.value"), given=given)
    lo, hi = (claimed_number(getattr(a, k), unit, f"{where}.{k}")
              for k in ("value_low", "value_high"))
    if lo > hi:
        raise InputError(f"{where}.value_low", a.value_low, f"<= value_high ({a.value_high})",
                         "swap them")
    mid = 0.5 * (lo + hi) if a.value is None else claimed_number(a.value, unit, f"{where}.value")
    if not lo <= mid <= hi:  # a value outside its own range set the tolerance (fuzz round 37)
        raise InputError(f"{where}.value", a.value, f"within value_low..value_high "
                         f"({a.value_low}..{a.value_high})", "drop value (the range's middle "
                         "is taken) or give one inside the range")
    return replace(a, value=mid, value_low=lo, value_high=hi, given=given)


def _check_qualifier(a: Assertion, unit: str | None, where: str) -> None:
    """The qualifiers a quantity's kind takes: ``contains`` for a set of elements only, ``exact``
    for a yes/no; range ends with ``range`` only (they were read nowhere else and crashed as
    text, fuzz round 37)."""
    if a.qualifier != "range" and (a.value_low is not None or a.value_high is not None):
        raise InputError(f"{where}.value_low", a.value_low if a.value_low is not None
                         else a.value_high, "value_low and value_high with qualifier: range",
                         "write qualifier: range, or drop the ends")
    allowed = {"elements": ("contains", "exact"), "bool": ("exact",)}.get(
        unit or "", tuple(q for q in QUALIFIERS if q != "contains"))
    if a.qualifier not in allowed:
        raise InputError(f"{where}.qualifier", a.qualifier, f"one of {', '.join(allowed)} for "
                         f"{a.quantity}", f"write qualifier: {allowed[0]}")


def _symbols(x: Any, where: str) -> tuple[str, ...]:
    """A list of rare-earth element symbols, spelt as the periodic table spells them ('nd' is
    'Nd'); one string was split into its letters (fuzz round 37)."""
    from reeflow.core.elements import REE

    if not isinstance(x, list) or not x or not all(isinstance(v, str) for v in x):
        raise InputError(where, x, "a list of element symbols, e.g. [Nd, Pr]",
                         "write the elements as a YAML list")
    by_lower = {el.lower(): el for el in REE}
    out = []
    for v in x:
        el = by_lower.get(v.strip().lower())
        if el is None:
            raise InputError(where, v, f"a rare-earth element symbol ({', '.join(REE)})",
                             did_you_mean(v, REE))
        out.append(el)
    return tuple(out)


def _record(claims: ClaimSet, a: Assertion) -> tuple[str, Any, str] | None:
    rec = claims.records.get(a.quantity)
    if rec is None:
        return None
    value = rec.get("value")
    if _is_number(value) and _is_number(a.value) and a.qualifier != "contains":
        # a number is judged with the assertion's qualifier (a range or greater_than was
        # compared with ==: 5 in [1, 10] read "inconsistent", fuzz round 37)
        matches = assess(a, float(cast(float, value))) == "consistent"
    elif isinstance(a.value, str) and isinstance(value, str):
        matches = _same_or_coarser(a.value, value)
    else:
        matches = a.value == value and type(a.value) is type(value)
    status = str(rec.get("status_if_matches", "consistent")) if matches else "inconsistent"
    reason = (f"{a.quantity}: claimed {a.value!r}, record {value!r} ({_words(rec.get('source'))}"
              f"): {_words(rec.get('note', ''))}")
    return status, value, reason


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _same_or_coarser(claimed: str, record: str) -> bool:
    """Whether the claimed text is the record's, or the record's at a coarser precision ending
    at a separator ('2024-10' of '2024-10-16'); '2' and '2024-1' were matched as prefixes
    (fuzz round 37)."""
    c, r = claimed.strip().lower(), record.strip().lower()
    return r == c or (bool(c) and r.startswith(c) and r[len(c)] in "-/ .t:")


def _combine(statuses: Sequence[str]) -> str:
    if "inconsistent" in statuses:
        return "inconsistent"
    return "unverifiable" if "unverifiable" in statuses or not statuses else "consistent"


def _check_one(claims: ClaimSet, c: Claim, ctx: ClaimContext) -> dict[str, Any]:
    statuses, models, reasons, claimed = [], [], [], []
    for a in c.asserts:
        claimed.append(f"{a.as_stated or a.quantity} {a.qualifier.replace('_', ' ')} "
                       f"{_show(a)}")
        rec = _record(claims, a)
        if rec is not None:
            statuses.append(rec[0])
            models.append(str(rec[1]))
            reasons.append(rec[2])
            continue
        fn = QUANTITIES.get(a.quantity)
        mv = fn(ctx, a) if fn is not None else None
        if mv is None:
            statuses.append("unverifiable")
            reasons.append(f"{a.quantity}: not a quantity this study computes")
            continue
        statuses.append(assess(a, mv.value))
        models.append(mv.text)
        reasons.append(mv.reason)
    return {"id": c.id, "claim": c.claim, "outlet": c.outlet, "date": c.date, "note": c.note,
            "status": _combine(statuses), "quantity": ", ".join(a.quantity for a in c.asserts),
            "claimed": "; ".join(claimed), "model": "; ".join(models) or None,
            "reason": " ".join(reasons)}


def _show(a: Assertion) -> str:
    if a.qualifier == "range":
        return f"{a.value_low:,.6g}–{a.value_high:,.6g}"
    if isinstance(a.value, float):
        return f"{a.value:,.6g}"
    return str(a.value)


def check_claims(claims: ClaimSet, ctx: ClaimContext) -> list[dict[str, Any]]:
    """Every claim of ``claims`` checked against the study (rows of results.json ``claims``)."""
    import reeflow.claim_quantities  # noqa: F401 - registers the quantity functions

    return [_check_one(claims, c, ctx) for c in claims.claims]
