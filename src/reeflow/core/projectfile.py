"""Project files: YAML with units, provenance and inheritance, loaded into typed models.

- Any value may be written plainly (``570 kt/a``) or sourced::

      throughput: {value: 570 kt/a, source: "Dönmez, Jul 2022 (paturkey.com)", evidence: published,
                   range: [500 kt/a, 600 kt/a], distribution: pert, note: "..."}

  The loader lifts ``source``/``evidence``/``range``/``distribution``/``note`` into a provenance
  table keyed by the field path and hands the bare value to the model, so the core only ever
  sees floats. ``distribution`` (one of :data:`DISTRIBUTIONS`, with a ``range``) says how a Monte
  Carlo draws the value (see :mod:`reeflow.risk`); without it a ranged value is triangular.
- ``extends: other.yaml`` (relative to the file) or ``extends: builtin:NAME`` deep-merges the file
  over a base project.
- Quantities are parsed once by :func:`reeflow.core.units.to_canonical` via :func:`Q` field types.
- Every failure becomes an :class:`InputError` naming the field path, the value, what is allowed
  and how to fix it.
"""

from __future__ import annotations

import copy
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from reeflow.core.data import EVIDENCE, Evidence
from reeflow.core.errors import InputError, allowed_of, did_you_mean
from reeflow.core.io import missing_file_fix
from reeflow.core.units import to_canonical
from reeflow.core.yamlio import load_yaml_file

__all__ = ["Canonical", "Q", "Unit", "Provenance", "StrictModel", "load_yaml_tree",
           "validate_tree", "EVIDENCE", "unit_at", "field_info", "file_keys", "Evidence",
           "deep_merge", "value_at", "resolve_file_keys", "expand_includes", "DISTRIBUTIONS",
           "RECORD_KEYS", "check_record", "check_range", "Origins", "in_included_file"]

#: Distributions a ranged value may name for Monte Carlo draws (reeflow.risk reads them).
DISTRIBUTIONS = ("triangular", "pert", "uniform", "normal", "lognormal")

#: the keys of a ``{value: …, source: …}`` record (:func:`check_record`)
RECORD_KEYS = ("distribution", "evidence", "note", "range", "source", "value")

M = TypeVar("M", bound=BaseModel)


class Canonical(float):
    """A number known to be in its field's canonical unit (given under the unit-carrying Python
    name, e.g. ``BakeParams(temperature_c=600.0)``), as opposed to a bare number in a project
    file, which a dimensional field refuses."""


def _int_kind(annotation: Any) -> str | None:
    """'int' for a whole-number annotation (``int``, ``int | None``, ``Annotated[int, ...]``),
    'list' for a list or tuple of them, else None."""
    if annotation is int:
        return "int"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _int_kind(args[0])
    if origin in (typing.Union, types.UnionType):
        kinds = [_int_kind(a) for a in args if a is not type(None)]
        return kinds[0] if len(kinds) == 1 else None
    if origin in (list, tuple) and args:
        items = [a for a in args if a is not Ellipsis]
        return "list" if all(_int_kind(a) == "int" for a in items) else None
    return None


def no_bool_for_int(model: type[BaseModel], v: Any, info: ValidationInfo) -> Any:
    """A field validator's body: a whole-number field (or a list of them) refuses true/false,
    which pydantic reads as 1 and 0 (``max_blocks: true`` was a grid of at most 1 block,
    fuzz round 34). Used by every project model and by the krige model file's."""
    if info.field_name is None:
        return v
    kind = _int_kind(model.model_fields[info.field_name].annotation)
    if (kind == "int" and isinstance(v, bool)) or (
            kind == "list" and isinstance(v, list | tuple) and any(isinstance(x, bool)
                                                                 for x in v)):
        raise ValueError("a whole number, not true or false")
    return v


class StrictModel(BaseModel):
    """Base of every project model: unknown fields are errors, instances are frozen.

    A field is written in a project file under its key (the alias, ``temperature: 600 °C``) and
    in Python under its name, which carries the canonical unit (``temperature_c=600.0``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _numbers_by_name_are_canonical(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, f in cls.model_fields.items():
            v = out.get(name)
            if f.alias and f.alias != name and isinstance(v, (int, float)) \
                    and not isinstance(v, bool):
                out[name] = Canonical(v)
        return out

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_count(cls, v: Any, info: ValidationInfo) -> Any:
        return no_bool_for_int(cls, v, info)


@dataclass(frozen=True)
class Unit:
    """Annotated marker recording a field's canonical unit and bounds (used for ranges and
    reports): ``bounds`` pairs ('gt', 'ge', 'le' or 'lt', value) in that unit."""

    unit: str
    bounds: tuple[tuple[str, float], ...] = ()


def Q(
    unit: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    alias: str | None = None,
    doc: str | None = None,
    optional: bool = False,
) -> Any:
    """A float field written with units, converted to ``unit``, with bounds.

    ``alias`` is the key a project file uses when the Python name carries the unit
    (``work_index_kwh_per_t`` is written ``work_index: 10 kWh/t``); ``doc`` describes the field
    (its source or meaning) and appears in the JSON schema and the documentation;
    ``optional`` admits ``None`` ("no data", never 0).
    """

    def parse(value: Any, info: ValidationInfo) -> float | None:
        if optional and value is None:
            return None
        canonical = isinstance(value, Canonical) or bool(info.context
                                                          and info.context.get("canonical"))
        if canonical and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and math.isfinite(value):
            x = float(value)  # a value already in the canonical unit (re-validation, overrides)
        else:
            x = to_canonical(value, unit, field=info.field_name or "?")
        for bound, ok, word in (
            (gt, lambda b: x > b, ">"),
            (ge, lambda b: x >= b, ">="),
            (le, lambda b: x <= b, "<="),
            (lt, lambda b: x < b, "<"),
        ):
            if bound is not None and not ok(bound):
                raise ValueError(bound_text(word, bound, unit))
        return x

    bounds = {k: v for k, v in (("gt", gt), ("ge", ge), ("le", le), ("lt", lt)) if v is not None}
    extra: dict[str, Any] = {"unit": unit, **{f"x-{k}": v for k, v in bounds.items()}}
    kind: Any = float | None if optional else float
    return Annotated[kind, BeforeValidator(parse), Unit(unit, tuple(bounds.items())),
                     Field(alias=alias, description=doc, json_schema_extra=extra)]


@dataclass(frozen=True)
class Provenance:
    """Where a value came from: source text, evidence tag, optional range (raw), note and the
    distribution a Monte Carlo draws it from (None: triangular over the range)."""

    path: str
    source: str | None
    evidence: str | None
    range: tuple[Any, Any] | None
    note: str | None
    distribution: str | None = None


def _read_yaml(path: Path, field: str = "project") -> dict[str, Any]:
    data = load_yaml_file(path, field=field)
    if not isinstance(data, dict) and field != "project":
        raise InputError(field, str(path), "a YAML mapping at the top level",
                         "write the section's keys at the top of the included file")
    if not isinstance(data, dict):
        raise InputError(field, str(path), "a YAML mapping at the top level",
                         "start the file with 'name: ...' and the sections ore, plant, economics")
    return data


def resolve_file_keys(tree: Any, folder: Path) -> Any:
    """Make every relative path under a key ending in ``_file`` absolute, relative to
    ``folder`` (the folder of the YAML file that names it); ``builtin:`` names stay."""
    if isinstance(tree, dict):
        out = {}
        for k, v in tree.items():
            if str(k).endswith("_file") and isinstance(v, str) and v and \
                    not v.startswith("builtin:") and not Path(v).is_absolute():
                out[k] = str((folder / v).absolute())  # a relative project path too
            else:
                out[k] = resolve_file_keys(v, folder)
        return out
    if isinstance(tree, list):
        return [resolve_file_keys(v, folder) for v in tree]
    return tree


#: Where keys came from: a key path (the project file's, list items by index) -> the included
#: file that wrote it and the key that included it (:func:`expand_includes`)
Origins = dict[tuple[str, ...], str]


def expand_includes(tree: Any, chain: tuple[Path, ...] = (), at: str = "",
                    origins: Origins | None = None, _where: tuple[str, ...] = ()) -> Any:
    """Replace every mapping's ``include_file`` by that file's mapping, the mapping's other keys
    merged over it (a section kept in a file of its own, e.g. a case's fiscal terms). Paths are
    already absolute (:func:`resolve_file_keys`); at most 8 files deep, no cycles. An error
    names the key path of the ``include_file`` (``economics.include_file``); ``at``: the
    path of ``tree``. ``origins``, when given, receives the key paths the included files wrote
    (:data:`Origins`), for the errors of :func:`validate_tree` to name the file."""
    if isinstance(tree, list):
        return [expand_includes(v, chain, f"{at}[{i}]", origins, (*_where, str(i)))
                for i, v in enumerate(tree)]
    if not isinstance(tree, dict):
        return tree
    out = {k: expand_includes(v, chain, f"{at}.{k}" if at else str(k), origins,
                              (*_where, str(k)))
           for k, v in tree.items() if k != "include_file"}
    inc = tree.get("include_file")
    if inc is None:
        return out
    field = f"{at}.include_file" if at else "include_file"
    if not isinstance(inc, str):
        raise InputError(field, inc, "a file path", f"write {field}: terms.yaml")
    path = Path(inc)
    real = path.resolve()
    if real in chain or len(chain) >= 8:
        raise InputError(field, inc, "at most 8 nested includes, without a cycle",
                         "remove the loop")
    data = _read_yaml(path, field)
    inner: Origins = {}
    base = expand_includes(resolve_file_keys(data, path.parent), (*chain, real), at, inner,
                           _where)
    if origins is not None:
        for q in _key_paths(base, _where):
            inner.setdefault(q, f"{path}, included by {field}")
        origins.update({q: d for q, d in inner.items()
                        if q not in origins and not _covered(out, q[len(_where):])})
    return _deep_merge(base, out)


def _key_paths(tree: Any, at: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every key path in ``tree`` (list items by index), each under ``at``."""
    items = tree.items() if isinstance(tree, Mapping) else \
        enumerate(tree) if isinstance(tree, list) else ()
    out: list[tuple[str, ...]] = []
    for k, v in items:
        here = (*at, str(k))
        out += [here, *_key_paths(v, here)]
    return out


def _covered(over: Mapping[str, Any], rel: tuple[str, ...],
             whole: frozenset[tuple[str, ...]] = frozenset()) -> bool:
    """Whether merging ``over`` (:func:`deep_merge`) replaces the key at ``rel``: ``over``
    writes that key, or replaces one of the mappings above it whole (a value, a record, a
    list, a mapping at a path of ``whole``)."""
    node: Any = over
    for i, part in enumerate(rel):
        if i and (not isinstance(node, Mapping) or "value" in node or rel[:i] in whole):
            return True
        key = next((k for k in node if str(k) == part), _ABSENT) \
            if isinstance(node, Mapping) else _ABSENT
        if key is _ABSENT:
            return False
        node = node[key]
    return True


_ABSENT = object()


def in_included_file(exc: InputError, origins: Origins | None) -> InputError:
    """``exc`` naming the included file that wrote its key, after the key path (a typo in a
    case's fiscal.yaml was named ``economics.tax_rat``, the file left to guess, fuzz round 31);
    ``exc`` itself where no included file wrote it."""
    if not origins:
        return exc
    parts = re.findall(r"[^.\[\]]+", str(exc.field))
    for n in range(len(parts), 0, -1):
        where = origins.get(tuple(parts[:n]))
        if where is not None:
            return exc.at(f"{exc.field} (in {where})")
    return exc


def deep_merge(base: dict[str, Any], over: Mapping[str, Any], *,
               whole: frozenset[tuple[str, ...]] = frozenset()) -> dict[str, Any]:
    """``over`` merged into a copy of ``base`` (mappings merged key by key; a provenance record
    ``{value: ...}``, any other value, or a mapping at one of the key paths in ``whole``
    replaces the base's)."""
    return _deep_merge(base, over, whole)


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any],
                whole: frozenset[tuple[str, ...]] = frozenset(),
                at: tuple[str, ...] = ()) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        here = (*at, str(k))
        is_meta = isinstance(v, Mapping) and "value" in v
        if isinstance(v, Mapping) and isinstance(out.get(k), dict) and not is_meta \
                and here not in whole:
            out[k] = _deep_merge(out[k], v, whole, here)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_yaml_tree(path: Path, builtin: Callable[[str], Path],
                   _chain: tuple[Path, ...] = (), *,
                   whole: frozenset[tuple[str, ...]] = frozenset(),
                   on_inherit: Callable[[dict[str, Any], str, dict[str, Any]], dict[str, Any]]
                   | None = None, origins: Origins | None = None) -> dict[str, Any]:
    """Read a project file and resolve ``extends`` (at most 8 files deep, no cycles) into one
    merged tree (:func:`deep_merge`: the mappings at the key paths in ``whole`` are replaced,
    not merged). Every file must be a regular UTF-8 file (see :mod:`reeflow.core.io`).
    ``on_inherit(parent_tree, parent_name, child_tree)``: applied to each parent's tree before
    the file that extends it is merged over it (e.g. to mark text written for the parent's
    case where the child changes what it speaks of). ``origins``, when given, receives the key
    paths of the merged tree that included files wrote (:func:`expand_includes`)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        raise InputError("extends", str(path), "a resolvable file path", "check the path") from None
    if real in _chain:
        raise InputError("extends", str(path), "a chain of files without a cycle",
                         "a file extends itself (directly or through others): remove the loop")
    if len(_chain) >= 8:
        raise InputError("extends", str(path), "a chain of at most 8 files",
                         "flatten the chain of 'extends'")
    own: Origins = {}
    data = expand_includes(resolve_file_keys(_read_yaml(path), path.parent), (*_chain, real),
                           origins=own)
    parent = data.pop("extends", None)
    if parent is None:
        if origins is not None:
            origins.update(own)
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise InputError("extends", parent, "a file path or 'builtin:NAME'",
                         "write e.g. 'extends: builtin:beylikova' or 'extends: base.yaml'")
    try:
        base_path = builtin(parent[8:]) if parent.startswith("builtin:") else \
            path.parent / parent
    except InputError as exc:
        raise InputError("extends", parent, exc.allowed, exc.fix) from None
    if not base_path.is_file():
        raise InputError("extends", parent, "an existing project file (relative to the file "
                         f"that extends it, {path.name}) or builtin:NAME",
                         missing_file_fix(parent, "check the path, or extend a built-in "
                                          "case, e.g. builtin:beylikova"))
    inherited: Origins = {}
    base = load_yaml_tree(base_path, builtin, (*_chain, real), whole=whole,
                          on_inherit=on_inherit, origins=inherited)
    if on_inherit is not None:
        base = on_inherit(base, parent, data)
    if origins is not None:
        origins.update({q: d for q, d in inherited.items() if not _covered(data, q, whole)})
        origins.update(own)
    return _deep_merge(base, data, whole)


def check_record(tree: Mapping[str, Any], path: str) -> None:
    """A ``{value: …}`` record's keys and tags: only :data:`RECORD_KEYS`, a known evidence
    tag, a two-value range, text source and note, a known distribution with a range. The one
    check of a record, for the project loader and for the commands that read a record
    themselves (``reeflow sx``)."""
    bad = next((k for k in tree if k not in RECORD_KEYS), None)  # the first as written
    if bad is not None:  # the key is what is wrong, not its value (fuzz round 15)
        raise InputError(f"{path}.{bad}", str(bad), "a value with source, evidence, range, "
                         "distribution and note only",
                         did_you_mean(str(bad), RECORD_KEYS, fallback=False)
                         or "remove the key")
    inner = tree.get("value")
    if isinstance(inner, Mapping) and "value" in inner:  # its outer range was lost (fuzz 23)
        raise InputError(f"{path}.value", dict(inner), "a value, not a record inside a record",
                         "write one record: {value: ..., source: ..., range: [...]}")
    ev = tree.get("evidence")
    if ev is not None and ev not in EVIDENCE:
        raise InputError(f"{path}.evidence", ev, f"one of {', '.join(EVIDENCE)}",
                         "tag the value measured, published, derived or assumed")
    rng = tree.get("range")
    if rng is not None and (not isinstance(rng, list) or len(rng) != 2):
        raise InputError(f"{path}.range", rng, "[low, high]", "give two values")
    for key in ("source", "note"):
        if tree.get(key) is not None and not isinstance(tree[key], str):
            raise InputError(f"{path}.{key}", tree[key], "text", "quote the text")
    dist = tree.get("distribution")
    if dist is not None and (dist not in DISTRIBUTIONS or not rng):
        raise InputError(f"{path}.distribution", dist,
                         f"one of {', '.join(DISTRIBUTIONS)}, with a range",
                         did_you_mean(str(dist), DISTRIBUTIONS) if rng
                         else "add range: [low, high]")


def _lift(tree: Any, path: str, prov: dict[str, Provenance]) -> Any:
    if isinstance(tree, Mapping):
        if "value" in tree:
            check_record(tree, path)
            ev, rng, dist = tree.get("evidence"), tree.get("range"), tree.get("distribution")
            prov[path] = Provenance(
                path, tree.get("source"), ev, tuple(rng) if rng else None, tree.get("note"),
                dist,
            )
            return _lift(tree["value"], path, prov)
        return {k: _lift(v, f"{path}.{k}" if path else str(k), prov) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_lift(v, f"{path}[{i}]", prov) for i, v in enumerate(tree)]
    return tree


def field_info(model: Any, key: str) -> Any:
    """The pydantic FieldInfo of ``model`` for a project-file key (alias or field name)."""
    fields = getattr(model, "model_fields", None)
    if fields is None:
        return None
    if key in fields:
        return fields[key]
    return next((f for f in fields.values() if f.alias == key), None)


def file_keys(model: Any) -> list[str]:
    """The keys a project file may use in ``model`` (aliases where given)."""
    return [f.alias or n for n, f in getattr(model, "model_fields", {}).items()]


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class reached by following ``loc`` from ``model`` (None if not one)."""
    cls: Any = model
    for part in loc:
        info = field_info(cls, str(part))
        if info is None:
            return None
        ann = info.annotation
        cls = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        if cls is None:
            args = [a for a in getattr(ann, "__args__", ()) if isinstance(a, type)
                    and issubclass(a, BaseModel)]
            cls = args[0] if args else None
    return cls if isinstance(cls, type) and issubclass(cls, BaseModel) else None


def _field_of(field: str, loc: str, model: type[BaseModel], loc_t: tuple[Any, ...]) -> str:
    """The dotted path a validator's InputError names, as the user wrote it: a validator of a
    section names its field relative to the section (``headline_rate`` under ``economics``)."""
    if not loc or field.startswith(loc):
        return field
    section = _model_at(model, loc_t)
    head, _, rest = field.partition(".")
    if section is not None and head in file_keys(section):
        return f"{loc}.{field}"
    if rest and loc_t and head == str(loc_t[-1]):  # the validator named its own section
        return f"{loc}.{rest}"
    return loc


#: pydantic's tags of a union's members in an error's location (``float``,
#: ``function-before[parse(), float]``, ``dict[str,…]``), not keys a user wrote
_ARM = re.compile(r"(function-(before|after|wrap|plain)|dict|list|tuple|set)\[.*\]|"
                  r"float|int|str|bool")


def _arm(part: Any) -> bool:
    return isinstance(part, str) and _ARM.fullmatch(part) is not None


def _union_errors(errors: list[Any]) -> list[Any]:
    """The first error's union field, its members' tags dropped, with the most specific of its
    errors first: the one deepest in what the user wrote (``product_purity.La``), then a value
    error before a type error (``'150 %'`` is not a mapping: its error as a number is the one to
    show). Other fields' errors keep their order after it."""
    if not errors or not any(_arm(p) for p in errors[0]["loc"]):
        return errors
    loc = tuple(errors[0]["loc"])
    field = loc[:next(i for i, p in enumerate(loc) if _arm(p))]

    def clean(e: Any) -> Any:
        return {**e, "loc": tuple(p for p in e["loc"] if not _arm(p))}

    mine = [clean(e) for e in errors if tuple(e["loc"][:len(field)]) == field]
    rest = [e for e in errors if tuple(e["loc"][:len(field)]) != field]
    return sorted(mine, key=lambda e: (-len(e["loc"]), str(e["type"]).endswith("_type"))) + rest


def _pydantic_to_input_error(exc: ValidationError, model: type[BaseModel]) -> InputError:
    errors = _union_errors(exc.errors())
    # a misspelt key is the cause of the "missing" error of the key it meant: name it first
    # ("ore.treo_grade: got None; required" hid the typo treo_grad, fuzz round 15)
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0]) \
        if any(e["type"] == "missing" for e in errors) else errors[0]
    loc_t = tuple(err["loc"])
    loc = ".".join(str(p) for p in loc_t)
    kind = err["type"]
    if kind == "missing":
        # every missing field at once: a file written from scratch was refused one field a
        # run (fuzz round 17)
        rest = [".".join(str(p) for p in e["loc"]) for e in errors
                if e["type"] == "missing" and e is not err]
        more = (f"; also missing: {', '.join(rest[:8])}"
                + (f" and {len(rest) - 8} more" if len(rest) > 8 else "")) if rest else ""
        return InputError(loc, None, "a required field", f"add it to the project file{more} "
                          "(or start from a case: extends: builtin:NAME)" if rest else
                          "add it to the project file")
    if kind == "extra_forbidden":
        parent = _model_at(model, loc_t[:-1])
        known = file_keys(parent) if parent is not None else []
        # the value shown is the unknown key (its value, 1.5 for 'fraction: 1.5', said
        # nothing about what is wrong, fuzz round 20)
        return InputError(loc, str(loc_t[-1]), "a known field name",
                          did_you_mean(str(loc_t[-1]), known) if known else
                          "check the spelling; see the example project for field names")
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, InputError):
        field = _field_of(cause.field, loc, model, loc_t)
        return InputError(field, cause.value, cause.allowed, cause.fix)
    if kind == "literal_error":
        return InputError(loc, err.get("input"), err["msg"].removeprefix("Input should be "),
                          "use one of the listed values")
    msg = str(cause) if cause is not None else allowed_of(err["msg"])
    return InputError(loc, err.get("input"), msg, _fix_for(msg, err.get("input")))


#: what to write for pydantic's type errors (``allowed_of``'s wording)
_TYPE_FIXES = {"a valid integer": "write a whole number without quotes or units, e.g. 20",
               "a valid number": "write a number without quotes (a unit goes after it, e.g. "
                                 "'2.5 %', where the field takes one)",
               "a valid boolean": "write true or false",
               "a whole number, not true or false": "write a whole number, e.g. 3",
               "a valid string": "write text in quotes",
               "a valid list": "write a list, e.g. [a, b]",
               "a valid dictionary": "write a mapping of names to values (key: value lines)"}


def bound_text(word: str, bound: float, unit: str) -> str:
    """A bound as the refusals say it: ``<= 0.8 frac`` for a fraction, but a bound of a
    dimensionless ratio or multiplier at or above 1 (a separation factor's ``> 1``, a scale's
    ``<= 10``) without the word ``frac``, which read as a fraction ("> 1 frac", fuzz round 33)."""
    ratio = unit == "frac" and (bound > 1.0 or (bound == 1.0 and word in (">", ">=")))
    return f"{word} {bound:g}" if ratio else f"{word} {bound:g} {unit}"


def _fix_for(allowed: str, value: Any = None) -> str:
    if allowed[:1] in "<>":
        if allowed.endswith(" frac") and isinstance(value, int | float) \
                and not isinstance(value, bool) and 1.0 < value <= 100.0 \
                and _bound(allowed) <= 1.0:
            # a bare 1.8 meant 1.8 % (fuzz round 15: the hint said only "<= 0.8 frac")
            return f"give a value {allowed}; a bare number is a fraction: write '{value:g} %' " \
                   "for a percentage"
        return f"give a value {allowed}"
    if " of at least " in allowed:
        return "add an entry" if "item" in allowed else "write more"
    if " of at most " in allowed:
        return "shorten it" if "character" in allowed else "remove entries"
    return _TYPE_FIXES.get(allowed, "correct the value")


def _bound(allowed: str) -> float:
    """The number of a bound's text (``<= 0.8 frac`` reads 0.8): a field bounded above 1 is a
    multiplier or a ratio, not a fraction, and a bare 12 for it is no percentage
    (``economics.price_scale_ndpr: 12`` was told to write '12 %', fuzz round 31)."""
    try:
        return float(allowed.lstrip("<>= ").split(" ", 1)[0])
    except ValueError:
        return 1.0


def check_range(path: str, value: Any, rng: tuple[Any, Any], unit: str | None,
                 written: Any = None) -> tuple[Any, Any]:
    """Convert a stated range to canonical units; check low <= high and value inside it (the
    project loader, and the commands that read a record themselves, ``reeflow sx``).
    ``written``: the value as the file wrote it, quoted in the error (``1.8 ppm``, not the
    canonical ``1.8e-06``, fuzz round 15)."""
    if unit is not None:
        lo, hi = (to_canonical(v, unit, field=f"{path}.range") for v in rng)
    elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng):
        lo, hi = float(rng[0]), float(rng[1])
    else:
        return rng
    if lo > hi:
        raise InputError(f"{path}.range", list(rng), "[low, high] with low <= high",
                         "swap the two ends")
    slack = 1e-12 * max(abs(lo), abs(hi), 1.0)
    if isinstance(value, (int, float)) and not isinstance(value, bool) \
            and not lo - slack <= value <= hi + slack:
        raise InputError(path, value if written is None else written,
                         f"a value inside its own stated range [{rng[0]}, {rng[1]}]",
                         "correct the value or widen the range")
    return lo, hi


def _written(tree: Any, path: str) -> Any:
    """The value at ``path`` as the file wrote it (None where the path is not there)."""
    for part in path.split("."):
        tree = tree.get(part) if isinstance(tree, Mapping) else None
    return tree.get("value") if isinstance(tree, Mapping) else tree


def value_at(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(obj, BaseModel):
            name = next((n for n, f in type(obj).model_fields.items()
                         if part in (n, f.alias)), None)
            obj = getattr(obj, name, None) if name else None
        elif isinstance(obj, Mapping):
            obj = obj.get(part)
        else:
            return None
    return obj


def validate_tree(model: type[M], tree: Mapping[str, Any], *, canonical: bool = False,
                  origins: Origins | None = None) -> tuple[M, dict[str, Provenance]]:
    """Lift provenance, validate into ``model``, check every stated range; InputError on the
    first problem. Ranges in the returned provenance are in the field's canonical unit.

    ``canonical=True`` takes bare numbers as already in each field's canonical unit (for
    re-validating a dumped model with overrides); a project file never sets it. ``origins``
    (:func:`load_yaml_tree`): an error at a key an included file wrote names that file."""
    try:
        return _validate_tree(model, tree, canonical)
    except InputError as exc:
        named = in_included_file(exc, origins)
        if named is exc:
            raise
        raise named from None


def _validate_tree(model: type[M], tree: Mapping[str, Any],
                   canonical: bool) -> tuple[M, dict[str, Provenance]]:
    prov: dict[str, Provenance] = {}
    bare = _lift(tree, "", prov)
    try:
        obj = model.model_validate(bare, context={"canonical": canonical})
    except ValidationError as exc:
        raise _pydantic_to_input_error(exc, model) from None
    for path, pv in list(prov.items()):
        if pv.range is not None:
            marker = marker_at(model, path)
            rng = check_range(path, value_at(obj, path), pv.range,
                              None if marker is None else marker.unit, _written(tree, path))
            if marker is not None:
                _check_range_bounds(path, rng, pv.range, marker)
            prov[path] = Provenance(pv.path, pv.source, pv.evidence, tuple(rng), pv.note,
                                    pv.distribution)
    return obj, prov


_BOUND_TESTS = {"gt": (lambda x, b: x > b, ">"), "ge": (lambda x, b: x >= b, ">="),
                "le": (lambda x, b: x <= b, "<="), "lt": (lambda x, b: x < b, "<")}


def _check_range_bounds(path: str, rng: tuple[Any, Any], written: tuple[Any, Any],
                        marker: Unit) -> None:
    """Each end of a stated range within the field's own bounds: the sensitivities and the
    Monte Carlo run the chain there. A separation factor ranged down to 1 (no separation)
    passed validate and stopped the study at its tornado (fuzz round 32)."""
    for end, name, text in ((rng[0], "low", written[0]), (rng[1], "high", written[1])):
        if not isinstance(end, (int, float)) or isinstance(end, bool):
            continue
        for kind, bound in marker.bounds:
            ok, word = _BOUND_TESTS[kind]
            if not ok(float(end), bound):
                raise InputError(f"{path}.range", f"{name} end {text}",
                                 f"range ends {word} {bound:g} {marker.unit} (the field's own "
                                 "bounds: the sensitivities and the Monte Carlo run the chain "
                                 "at each end)", f"move the {name} end inside the bounds")


def _scalar_marker(annotation: Any) -> Unit | None:
    """The unit marker of a union's number arm (``_Purity | dict[str, _Purity]``): a range on
    such a field stayed text ('98 %') and never took effect (fuzz round 21)."""
    for arm in typing.get_args(annotation):
        marker = next((m for m in getattr(arm, "__metadata__", ()) if isinstance(m, Unit)),
                      None)
        if marker is not None:
            return marker
    return None


def unit_at(model: type[BaseModel], path: str) -> str | None:
    """Canonical unit of the field at a dotted project-file path (None when not a Q field)."""
    marker = marker_at(model, path)
    return None if marker is None else marker.unit


def marker_at(model: type[BaseModel], path: str) -> Unit | None:
    """The :class:`Unit` marker (unit and bounds) of the field at a dotted project-file path
    (None when not a Q field)."""
    cls: Any = model
    parts = path.split(".")
    for i, part in enumerate(parts):
        info = field_info(cls, part)
        if info is None:
            return None
        if i == len(parts) - 1:
            marker = next((m for m in info.metadata if isinstance(m, Unit)), None)
            return marker if marker is not None else _scalar_marker(info.annotation)
        ann = info.annotation
        cls = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        if cls is None:
            args = getattr(ann, "__args__", ())
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if models:
                cls = models[0]
                continue
            value_type = args[-1] if args else None
            if typing.get_origin(value_type) is dict:  # a number or {key: number} (a union)
                value_type = typing.get_args(value_type)[-1]
            meta = getattr(value_type, "__metadata__", ())
            marker = next((m for m in meta if isinstance(m, Unit)), None)
            return marker if i == len(parts) - 2 else None
    return None

