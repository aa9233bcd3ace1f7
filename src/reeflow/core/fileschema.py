"""The JSON Schema of a project FILE, from the schema of the validated project model.

A project model's schema (pydantic's ``model_json_schema``) describes the project after loading:
canonical floats, every required field present. A file is written differently, and an editor
or a validator that checks files needs that form (fuzz round 7: the shipped case failed the
printed schema):

- ``extends`` (a parent file or ``builtin:NAME``) at the top, and ``include_file`` in any
  mapping; a file that extends another may leave out any field, so nothing is required below
  the top, and the top's required fields (``name``, ``ore``, ``plant``, ``economics``) only in a
  file with neither ``extends`` nor ``include_file`` there (the schema listed none at all);
- a number may be written with its unit as text (``"570 kt/a"``, ``"1.8 %"``);
- any value may be a provenance record ``{value, source, evidence, range, distribution, note}``
  (:mod:`reeflow.core.projectfile`).

The keys a model forbids stay forbidden (``additionalProperties: false``), so a misspelled key
is still flagged. What the file schema cannot say (units of the right dimension, bounds of the
value a text holds, grades summing to 100 %) is ``reeflow validate``'s.
"""

from __future__ import annotations

import copy
from typing import Any

from reeflow.core.data import EVIDENCE
from reeflow.core.projectfile import DISTRIBUTIONS
from reeflow.core.units import is_dimensionless

__all__ = ["file_schema", "RECORD"]

#: A provenance record around any value (the keys :mod:`reeflow.core.projectfile` lifts)
RECORD: dict[str, Any] = {
    "type": "object",
    "description": "a value with its provenance",
    "properties": {
        "value": {},
        "source": {"type": "string"},
        "evidence": {"enum": list(EVIDENCE)},
        "range": {"type": "array", "minItems": 2, "maxItems": 2},
        "distribution": {"enum": list(DISTRIBUTIONS)},
        "note": {"type": "string"},
    },
    "required": ["value"],
    "additionalProperties": False,
}
_QUANTITY_TEXT = {"type": "string", "description": "a number with its unit, e.g. '570 kt/a'"}
_REF = "#/$defs/ValueRecord"


def file_schema(model_schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of a file that loads into the model whose schema is ``model_schema``."""
    out = copy.deepcopy(model_schema)
    top = list(out.get("required", []))
    defs = out.setdefault("$defs", {})
    for node in [out, *defs.values()]:
        _as_file(node)
    defs["ValueRecord"] = RECORD
    props = out.setdefault("properties", {})
    props["extends"] = {"type": "string", "description": "a parent project file (relative to "
                        "this one) or builtin:NAME; this file's keys replace or extend its"}
    if top:  # a file that neither extends nor includes another writes the whole project
        out["if"] = {"not": {"anyOf": [{"required": ["extends"]},
                                       {"required": ["include_file"]}]}}
        out["then"] = {"required": top}
    out["$comment"] = ("project FILE schema: extends, include_file, units as text and "
                       "{value, source, ...} records allowed; `reeflow validate` checks the rest")
    return out


def _as_file(node: dict[str, Any]) -> None:
    """An object schema (a model) as a file writes it, in place."""
    props = node.get("properties")
    if not isinstance(props, dict):
        return
    node.pop("required", None)
    for name, prop in props.items():
        props[name] = _leaf(prop)
    props["include_file"] = {"type": "string",
                             "description": "a YAML file whose mapping is merged here"}


def _leaf(prop: dict[str, Any]) -> dict[str, Any]:
    """A property: a nested model ($ref) stays itself; any other value may also be written as a
    record, and a number also as text with its unit; so may the values of a mapping
    (``ree_distribution: {Ce: 48.4 %}``) and the items of a list (``ramp_up: [60 %, 85 %]``)."""
    if "$ref" in prop and len(prop) <= 2:
        return prop
    prop = dict(prop)
    for key in ("additionalProperties", "items"):
        if isinstance(prop.get(key), dict):
            prop[key] = _leaf(prop[key])
    if isinstance(prop.get("anyOf"), list):
        prop["anyOf"] = [_leaf(p) if isinstance(p, dict) and p.get("type") in ("object",
                                                                              "array") else p
                         for p in prop["anyOf"]]
    if _is_number(prop):
        unit = _unit_of(prop)
        if unit is not None and not is_dimensionless(unit):
            return _with_unit(prop, unit)
        return {"anyOf": [prop, _QUANTITY_TEXT, {"$ref": _REF}]}
    return {"anyOf": [prop, {"$ref": _REF}]}


def _unit_of(prop: dict[str, Any]) -> str | None:
    """The canonical unit a number field declares (on itself or a branch of its ``anyOf``)."""
    for p in [prop, *(q for q in prop.get("anyOf", []) if isinstance(q, dict))]:
        if isinstance(p.get("unit"), str):
            return str(p["unit"])
    return None


def _with_unit(prop: dict[str, Any], unit: str) -> dict[str, Any]:
    """A field with a dimensional unit: text with its unit or a record, not a bare number
    (``reeflow validate`` refuses ``capacity_t: 5000000``, and the schema allowed it: an
    unseen-project check, stop 40); a ``null`` branch stays. The field's title, description,
    default, unit and bounds stay on the property."""
    text = {"type": "string", "description": f"a number with its unit ({unit}), e.g. "
            f"'{_example_number(prop)} {unit}'"}
    keep = [q for q in prop.get("anyOf", []) if isinstance(q, dict)
            and q.get("type") not in ("number", "integer")]
    meta = {k: v for k, v in prop.items() if k not in ("anyOf", "type")}
    # a record's value is that text too (``{value: 5000000}`` passed the schema; review)
    record = {"allOf": [{"$ref": _REF}, {"properties": {"value": {"type": "string"}}}]}
    return {**meta, "unit": unit, "anyOf": [*keep, text, record]}


def _example_number(prop: dict[str, Any]) -> str:
    default = prop.get("default")
    return f"{default:g}" if isinstance(default, int | float) and not isinstance(
        default, bool) else "1"


def _is_number(prop: dict[str, Any]) -> bool:
    kinds = [prop.get("type")] + [p.get("type") for p in prop.get("anyOf", [])
                                  if isinstance(p, dict)]
    return any(k in ("number", "integer") for k in kinds)
