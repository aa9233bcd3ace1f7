"""The scenario editor's model: a form generated from the project schema, and back to YAML.

The form is built from ``Project.model_json_schema(by_alias=True)`` (file keys, units from the
``unit`` extension, bounds from ``x-gt``/``x-ge``/``x-le``/``x-lt``, descriptions) walked
together with the project tree: a built-in case as the base (``extends: builtin:NAME``) merged
with the user's overrides. Each input shows its unit, allowed range, value, and — where the tree
carries a provenance record ``{value, source, evidence, range, note}`` — those too. Inputs whose
value or provenance differ from the base are the overrides (highlighted on the page).

The document is always ``extends: builtin:NAME`` + the overrides, and it is validated by
:func:`reeflow.project.load_project_text` (``allow_paths=False``): the messages shown inline are
the CLI's own :class:`~reeflow.core.errors.InputError` text.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import yaml

from reeflow.core.data import EVIDENCE as _EVIDENCE
from reeflow.core.errors import InputError, ReeflowError

__all__ = ["FormField", "Section", "EditorState", "build_form", "state_from_yaml",
           "state_from_form", "document", "validate", "field_name", "schema"]

_META = ("value", "source", "evidence", "range", "note")
#: the evidence choices of the form: none, or one of the vocabulary
EVIDENCE = ("", *_EVIDENCE)


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    from reeflow.project import Project

    return Project.model_json_schema(by_alias=True)


def field_name(prefix: str, path: tuple[str, ...]) -> str:
    """Form name of an input: ``v:ore.treo_grade`` (segments percent-encoded)."""
    return prefix + ":" + ".".join(quote(p, safe="") for p in path)


def _parse_name(name: str) -> tuple[str, tuple[str, ...]]:
    prefix, _, rest = name.partition(":")
    return prefix, tuple(unquote(p) for p in rest.split(".")) if rest else ()


def _is_record(v: Any) -> bool:
    return isinstance(v, Mapping) and "value" in v and set(v) <= set(_META)


def _text(v: Any) -> str:
    """A value as the text of a form input (YAML flow style for lists and mappings)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    out = yaml.safe_dump(v, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return out[:-4].strip() if out.endswith("\n...") else out.removesuffix("...").strip()


def _parse(text: str, kind: str, path: tuple[str, ...]) -> Any:
    from reeflow.core.yamlio import load_yaml_text
    from reeflow.web.inputs import check_printable

    t = check_printable(text, ".".join(path)).strip()
    if t == "":
        return None
    if kind == "string":
        return text
    return load_yaml_text(t, field=".".join(path), source=".".join(path))


@dataclass
class FormField:
    """One input of the editor."""

    path: tuple[str, ...]
    label: str
    kind: str  # number | integer | string | bool | enum | yaml
    unit: str = ""
    allowed: str = ""
    description: str = ""
    options: tuple[str, ...] = ()
    value: Any = None
    base: Any = None  # the base's value or record (None: not in the base)
    record: dict[str, Any] = field(default_factory=dict)  # source/evidence/range/note now
    readonly: bool = False
    overridden: bool = False
    error: str | None = None

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def text(self) -> str:
        return _text(self.value)

    @property
    def base_text(self) -> str:
        b = self.base.get("value") if _is_record(self.base) else self.base
        return _text(b)

    def name(self, prefix: str = "v") -> str:
        return field_name(prefix, self.path)

    @property
    def range_text(self) -> tuple[str, str]:
        r = self.record.get("range")
        return (_text(r[0]), _text(r[1])) if isinstance(r, list) and len(r) == 2 else ("", "")


@dataclass
class Section:
    path: tuple[str, ...]
    title: str
    description: str = ""
    fields: list[FormField] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def all_fields(self) -> Iterator[FormField]:
        yield from self.fields
        for s in self.sections:
            yield from s.all_fields()

    @property
    def n_overridden(self) -> int:
        return sum(f.overridden for f in self.all_fields())

    @property
    def n_errors(self) -> int:
        return sum(f.error is not None for f in self.all_fields())


@dataclass
class EditorState:
    """A base case and the overrides tree (file keys, values as written)."""

    base: str | None
    overrides: dict[str, Any]


def _resolve(node: Mapping[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        return dict(schema()["$defs"][ref.rsplit("/", 1)[-1]])
    return dict(node)


def _nullable(node: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    options = node.get("anyOf")
    if isinstance(options, list):
        rest = [o for o in options if o.get("type") != "null"]
        if len(rest) == 1 and len(rest) < len(options):
            merged = {**{k: v for k, v in node.items() if k != "anyOf"}, **rest[0]}
            return merged, True
    return dict(node), False


def _allowed(node: Mapping[str, Any]) -> str:
    parts = []
    for key, word in (("x-gt", ">"), ("x-ge", "≥"), ("x-le", "≤"), ("x-lt", "<"),
                      ("exclusiveMinimum", ">"), ("minimum", "≥"), ("maximum", "≤"),
                      ("exclusiveMaximum", "<")):
        if key in node and abs(float(node[key])) < 1e15:  # not the int64 limits of a seed
            parts.append(f"{word} {node[key]:g}")
    if "maxLength" in node:
        parts.append(f"≤ {node['maxLength']} characters")
    return ", ".join(parts)


def _kind(node: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    if "enum" in node:
        return "enum", tuple(str(x) for x in node["enum"])
    if "const" in node:
        return "enum", (str(node["const"]),)
    t = node.get("type")
    if t == "boolean":
        return "bool", ("true", "false")
    if t in ("number", "integer", "string"):
        return str(t), ()
    return "yaml", ()


#: Display forms of tokens in file keys (labels only; the key itself is shown beside).
_TOKENS = {"treo": "TREO", "reo": "REO", "ree": "REE", "tho2": "ThO2", "caf2": "CaF2",
           "baso4": "BaSO4", "fe2o3": "Fe2O3", "sio2": "SiO2", "mgo": "MgO", "hcl": "HCl",
           "npv": "NPV", "irr": "IRR", "sx": "SX", "norm": "NORM", "fx": "FX", "aace": "AACE",
           "p80": "P80", "f80": "F80", "ndpr": "NdPr", "usd": "USD", "dscr": "DSCR"}


def _label(key: str, node: Mapping[str, Any] | None = None) -> str:
    """A readable label from a file key (``treo_grade`` -> ``TREO grade``)."""
    words = [_TOKENS.get(w.lower(), w) for w in str(key).split("_") if w]
    if not words:
        return str(key)
    first = words[0]
    words[0] = first if first != first.lower() else first.capitalize()
    return " ".join(words)


def _leaf(path: tuple[str, ...], node: dict[str, Any], current: Any, base: Any,
          has_base: bool) -> FormField:
    node, nullable = _nullable(node)
    kind, options = _kind(node)
    if kind == "enum" and nullable:
        options = ("", *options)
    rec = {k: v for k, v in current.items() if k != "value"} if _is_record(current) else {}
    value = current.get("value") if _is_record(current) else current
    if not has_base and "default" in node:
        base = node["default"]  # what the project gets when nobody writes the key
        if current is None:
            value = base
    return FormField(path=path, label=_label(path[-1], node), kind=kind,
                     unit=str(node.get("unit", "")), allowed=_allowed(node),
                     description=str(node.get("description") or ""), options=options,
                     value=value, base=base, record=rec,
                     readonly=path[-1].endswith("_file") or path[-1] == "include_file")


def _walk(path: tuple[str, ...], node: dict[str, Any], current: Any, base: Any,
          title: str) -> Section:
    sec = Section(path=path, title=title, description=str(node.get("description") or ""))
    cur = current if isinstance(current, Mapping) else {}
    bas = base if isinstance(base, Mapping) else {}
    for key, prop in (node.get("properties") or {}).items():
        _add(sec, (*path, key), _resolve(prop), cur.get(key), bas.get(key), key in bas)
    return sec


def _add(sec: Section, path: tuple[str, ...], prop: dict[str, Any], cur: Any, base: Any,
         has_base: bool) -> None:
    key = path[-1]
    if prop.get("properties") and not _is_record(cur):
        sec.sections.append(_walk(path, prop, cur, base, _label(key, prop)))
        return
    extra = prop.get("additionalProperties")
    if prop.get("type") == "object" and isinstance(extra, dict) and isinstance(cur, Mapping) \
            and cur and not _is_record(cur):
        sub = Section(path=path, title=_label(key, prop),
                      description=str(prop.get("description") or ""))
        item = _resolve(extra)
        bas = base if isinstance(base, Mapping) else {}
        for k, v in cur.items():
            sub.fields.append(_leaf((*path, str(k)), item, v, bas.get(k), k in bas))
        sec.sections.append(sub)
        return
    sec.fields.append(_leaf(path, prop, cur, base, has_base))


def _base_tree(base: str | None) -> dict[str, Any]:
    if not base:
        return {}
    from reeflow.core.projectfile import load_yaml_tree
    from reeflow.project import WHOLE_ON_EXTEND, builtin_project_path

    return load_yaml_tree(builtin_project_path(base), builtin_project_path,
                          whole=WHOLE_ON_EXTEND)


def _merged(state: EditorState) -> tuple[dict[str, Any], dict[str, Any]]:
    from reeflow.core.projectfile import deep_merge
    from reeflow.project import WHOLE_ON_EXTEND

    base = _base_tree(state.base)
    return base, deep_merge(base, state.overrides, whole=WHOLE_ON_EXTEND)


def _differs(now: Any, base: Any) -> bool:
    def norm(v: Any) -> Any:
        if _is_record(v):
            return {k: v.get(k) for k in _META if v.get(k) not in (None, "")}
        return {"value": v}
    return norm(now) != norm(base)


def build_form(state: EditorState, errors: Mapping[str, str] | None = None) -> Section:
    """The form of ``state``: sections of fields, overrides marked, errors placed on the
    field they name (or its nearest enclosing field)."""
    base, current = _merged(state)
    root = _walk((), schema(), current, base, "Project")
    fields = {f.path: f for f in root.all_fields()}
    for f in fields.values():
        f.overridden = bool(state.base) and _has(state.overrides, f.path) and \
            _differs(_value_at(current, f.path), f.base)
    for where, msg in (errors or {}).items():
        target = _nearest(fields, tuple(where.split(".")))
        if target is not None:
            target.error = msg
    return root


def _has(tree: Any, path: tuple[str, ...]) -> bool:
    for p in path:
        if not isinstance(tree, Mapping) or _is_record(tree) or p not in tree:
            return False
        tree = tree[p]
    return True


def _value_at(tree: Any, path: tuple[str, ...]) -> Any:
    for p in path:
        if not isinstance(tree, Mapping) or _is_record(tree):
            return None
        tree = tree.get(p)
    return tree


def _nearest(fields: Mapping[tuple[str, ...], FormField],
             path: tuple[str, ...]) -> FormField | None:
    clean = tuple(p.split("[")[0] for p in path)
    for n in range(len(clean), 0, -1):
        if clean[:n] in fields:
            return fields[clean[:n]]
    return None


def _set(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for p in path[:-1]:
        nxt = tree.get(p)
        if not isinstance(nxt, dict) or _is_record(nxt):
            nxt = tree[p] = {}
        tree = nxt
    tree[path[-1]] = value


def state_from_form(form: Mapping[str, str]) -> tuple[EditorState, dict[str, str]]:
    """The state a submitted form describes, and per-field parse errors (CLI text)."""
    base = (form.get("base") or "").strip() or None
    if base is not None:
        from reeflow.project import builtin_cases

        if base not in builtin_cases():
            raise InputError("extends", f"builtin:{base}", "a built-in case "
                             f"({', '.join(builtin_cases())})",
                             "choose one of the listed built-in cases as the base")
    prior = _overrides_from_text(form.get("overrides_yaml", ""))
    state = EditorState(base, prior)
    if "prev_base" in form and (form.get("prev_base") or None) != base:
        return state, {}  # the base changed: keep the overrides, drop the old base's values
    errors: dict[str, str] = {}
    base_tree, current = _merged(state)
    fields = {f.path: f for f in _walk((), schema(), current, base_tree, "").all_fields()}
    overrides = copy.deepcopy(prior)
    for name in form:
        prefix, path = _parse_name(name)
        if prefix != "v" or path not in fields or fields[path].readonly:
            continue
        f = fields[path]
        try:
            new = _entry(f, form, path)
        except ReeflowError as exc:
            errors[f.dotted] = _one_line(exc)
            continue
        if _differs(new, f.base) or not base:
            _set(overrides, path, new)
        else:
            _drop(overrides, path)
    _complete_whole(overrides, base_tree)
    return EditorState(base, _prune(overrides)), errors


def _complete_whole(overrides: dict[str, Any], base_tree: Mapping[str, Any]) -> None:
    """A mapping the project loader replaces whole (``WHOLE_ON_EXTEND``, e.g. the product
    groups), once one of its entries is overridden, carries the base's other entries too: the
    form saves only the entry that changed, and alone it would drop the rest."""
    from reeflow.project import WHOLE_ON_EXTEND

    for path in WHOLE_ON_EXTEND:
        parent: Any = overrides
        base_node: Any = base_tree
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        for key in path:
            base_node = base_node.get(key) if isinstance(base_node, Mapping) else None
        node = parent.get(path[-1]) if isinstance(parent, dict) else None
        if isinstance(node, dict) and node and isinstance(base_node, Mapping):
            whole = {k: node[k] if k in node else copy.deepcopy(v) for k, v in base_node.items()}
            parent[path[-1]] = {**whole, **{k: v for k, v in node.items() if k not in whole}}


def _entry(f: FormField, form: Mapping[str, str], path: tuple[str, ...]) -> Any:
    value = _parse(form.get(field_name("v", path), ""), f.kind, path)
    rec: dict[str, Any] = {"value": value}
    for key, prefix in (("source", "src"), ("evidence", "ev"), ("note", "note")):
        text = (form.get(field_name(prefix, path)) or "").strip()
        if text:
            rec[key] = text
    lo, hi = (form.get(field_name(p, path), "").strip() for p in ("lo", "hi"))
    if lo or hi:
        rec["range"] = [_parse(lo, f.kind, path), _parse(hi, f.kind, path)]
    return rec if len(rec) > 1 else value


def _drop(tree: dict[str, Any], path: tuple[str, ...]) -> None:
    node: Any = tree
    for p in path[:-1]:
        node = node.get(p) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(path[-1], None)


def _prune(tree: Any) -> Any:
    if isinstance(tree, dict) and not _is_record(tree):
        out = {k: _prune(v) for k, v in tree.items()}
        return {k: v for k, v in out.items() if not (isinstance(v, dict) and not v)}
    return tree


def _overrides_from_text(text: str) -> dict[str, Any]:
    from reeflow.core.yamlio import load_yaml_text
    from reeflow.web.inputs import check_printable

    if not text.strip():
        return {}
    data = load_yaml_text(check_printable(text, "overrides"), field="overrides",
                          source="editor state")
    return data if isinstance(data, dict) else {}


def state_from_yaml(text: str) -> EditorState:
    """The editor state of an uploaded/pasted project YAML (bounded parser; ``extends`` must
    name a built-in case; file keys are refused)."""
    from reeflow.core.yamlio import load_yaml_text
    from reeflow.web.inputs import check_printable

    data = load_yaml_text(check_printable(text, "project"), field="project",
                          source="<uploaded project>")
    if not isinstance(data, dict):
        raise InputError("project", type(data).__name__, "a YAML mapping at the top level",
                         "upload a YAML mapping of the project's keys (name:, ore:, plant:, ...)")
    parent = data.pop("extends", None)
    if parent is not None and not (isinstance(parent, str) and parent.startswith("builtin:")):
        raise InputError("extends", parent, "'builtin:NAME' (uploads may not name files)",
                         "write extends: builtin:NAME, or paste the parent's keys into the upload")
    _no_files(data, "")
    return EditorState(parent[8:] if parent else None, data)


def _no_files(tree: Any, path: str) -> None:
    """Refuse file keys in an upload (the same rule as ``load_project_text``)."""
    if isinstance(tree, Mapping):
        for k, v in tree.items():
            where = f"{path}.{k}" if path else str(k)
            if str(k).endswith("_file"):
                raise InputError(where, v, "no file names in an uploaded project",
                                 "remove the key; uploads may only extend built-in cases")
            _no_files(v, where)
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            _no_files(v, f"{path}[{i}]")


def document(state: EditorState) -> str:
    """The project YAML of ``state`` (what export downloads and what a study runs)."""
    head = f"extends: builtin:{state.base}\n" if state.base else ""
    body = yaml.safe_dump(state.overrides, sort_keys=False, allow_unicode=True,
                          width=100) if state.overrides else ""
    return head + body


def _one_line(exc: BaseException) -> str:
    return "reeflow: error: " + " ".join(str(exc).split())


def validate(state: EditorState) -> tuple[bool, str | None, dict[str, str]]:
    """(ok, the CLI's one-line message, {field path: message}) of the state's document."""
    from reeflow.project import load_project_text

    try:
        load_project_text(document(state), allow_paths=False)
    except InputError as exc:
        msg = _one_line(exc)
        return False, msg, {str(exc.field): msg}
    except ReeflowError as exc:
        return False, _one_line(exc), {}
    return True, None, {}
