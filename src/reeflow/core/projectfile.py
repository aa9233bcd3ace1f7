"""Project files: YAML with units, provenance and inheritance, loaded into typed models.

- Any value may be written plainly (``570 kt/a``) or sourced::

      throughput: {value: 570 kt/a, source: "Dönmez, Jul 2022 (paturkey.com)", evidence: published,
                   range: [500 kt/a, 600 kt/a], note: "..."}

  The loader lifts ``source``/``evidence``/``range``/``note`` into a provenance table keyed by the
  field path and hands the bare value to the model, so the core only ever sees floats.
- ``extends: other.yaml`` (relative to the file) or ``extends: builtin:NAME`` deep-merges the file
  over a base project.
- Quantities are parsed once by :func:`reeflow.core.units.to_canonical` via :func:`Q` field types.
- Every failure becomes an :class:`InputError` naming the field path, the value, what is allowed
  and how to fix it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo

from reeflow.core.errors import InputError
from reeflow.core.units import to_canonical

__all__ = ["Q", "Unit", "Provenance", "StrictModel", "load_yaml_tree", "validate_tree", "EVIDENCE"]

EVIDENCE = ("measured", "published", "derived", "assumed")
_META_KEYS = {"value", "source", "evidence", "range", "note"}

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base of every project model: unknown fields are errors, instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Unit:
    """Annotated marker recording a field's canonical unit (used for ranges and reports)."""

    unit: str


def Q(
    unit: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    """A float field written with units, converted to ``unit``, with optional bounds."""

    def parse(value: Any, info: ValidationInfo) -> float:
        x = to_canonical(value, unit, field=info.field_name or "?")
        for bound, ok, word in (
            (gt, lambda b: x > b, ">"),
            (ge, lambda b: x >= b, ">="),
            (le, lambda b: x <= b, "<="),
            (lt, lambda b: x < b, "<"),
        ):
            if bound is not None and not ok(bound):
                raise ValueError(f"{word} {bound:g} {unit}")
        return x

    return Annotated[float, BeforeValidator(parse), Unit(unit)]


@dataclass(frozen=True)
class Provenance:
    """Where a value came from: source text, evidence tag, optional range (raw) and note."""

    path: str
    source: str | None
    evidence: str | None
    range: tuple[Any, Any] | None
    note: str | None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("project", str(path), "an existing YAML file", "check the path") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(
            "project",
            str(path),
            "well-formed YAML",
            f"fix the syntax{where} ({getattr(exc, 'problem', exc)})",
        ) from None
    if not isinstance(data, dict):
        raise InputError("project", str(path), "a YAML mapping at the top level", "")
    return data


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        is_meta = isinstance(v, Mapping) and "value" in v
        if isinstance(v, Mapping) and isinstance(out.get(k), dict) and not is_meta:
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_yaml_tree(path: Path, builtin: Callable[[str], Path], _depth: int = 0) -> dict[str, Any]:
    """Read a project file and resolve ``extends`` (depth ≤ 8) into one merged tree."""
    if _depth > 8:
        raise InputError("extends", str(path), "a chain of at most 8 files", "remove the cycle")
    data = _read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError("extends", parent, "a file path or 'builtin:NAME'", "")
    base_path = builtin(parent[8:]) if parent.startswith("builtin:") else path.parent / parent
    return _deep_merge(load_yaml_tree(base_path, builtin, _depth + 1), data)


def _lift(tree: Any, path: str, prov: dict[str, Provenance]) -> Any:
    if isinstance(tree, Mapping):
        if "value" in tree and set(tree) <= _META_KEYS:
            ev = tree.get("evidence")
            if ev is not None and ev not in EVIDENCE:
                raise InputError(f"{path}.evidence", ev, f"one of {', '.join(EVIDENCE)}", "")
            rng = tree.get("range")
            if rng is not None and (not isinstance(rng, list) or len(rng) != 2):
                raise InputError(f"{path}.range", rng, "[low, high]", "give two values")
            prov[path] = Provenance(
                path, tree.get("source"), ev, tuple(rng) if rng else None, tree.get("note")
            )
            return _lift(tree["value"], path, prov)
        return {k: _lift(v, f"{path}.{k}" if path else str(k), prov) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_lift(v, f"{path}[{i}]", prov) for i, v in enumerate(tree)]
    return tree


def _pydantic_to_input_error(exc: ValidationError, tree: Mapping[str, Any]) -> InputError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "missing":
        return InputError(loc, None, "a required field", "add it to the project file")
    if kind == "extra_forbidden":
        return InputError(
            loc,
            err.get("input"),
            "a known field name",
            "check the spelling; see the example project for field names",
        )
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, InputError):
        field = cause.field if (not loc or cause.field.startswith(loc)) else loc
        return InputError(field, cause.value, cause.allowed, cause.fix)
    msg = str(cause) if cause is not None else err["msg"]
    return InputError(loc, err.get("input"), msg, "correct the value")


def validate_tree(model: type[M], tree: Mapping[str, Any]) -> tuple[M, dict[str, Provenance]]:
    """Lift provenance, validate into ``model``; InputError on the first problem."""
    prov: dict[str, Provenance] = {}
    bare = _lift(tree, "", prov)
    try:
        return model.model_validate(bare), prov
    except ValidationError as exc:
        raise _pydantic_to_input_error(exc, bare) from None


def unit_at(model: type[BaseModel], path: str) -> str | None:
    """Canonical unit of the field at a dotted path (None when it is not a Q field)."""
    cls: Any = model
    parts = path.split(".")
    for i, part in enumerate(parts):
        fields = getattr(cls, "model_fields", None)
        if fields is None or part not in fields:
            return None
        info = fields[part]
        if i == len(parts) - 1:
            return next((m.unit for m in info.metadata if isinstance(m, Unit)), None)
        ann = info.annotation
        cls = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        if cls is None:
            args = getattr(ann, "__args__", ())
            value_type = args[-1] if args else None
            meta = getattr(value_type, "__metadata__", ())
            unit = next((m.unit for m in meta if isinstance(m, Unit)), None)
            return unit if i == len(parts) - 2 else None
    return None


Evidence = Literal["measured", "published", "derived", "assumed"]
