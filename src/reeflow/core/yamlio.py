"""The one reader of user YAML: bounded, strict, and never silently misreading.

Every YAML file a user hands to reeflow (project files, SX specifications, mine and economics
inputs, uploaded scenarios) goes through :func:`load_yaml_text` / :func:`load_yaml_file`:

- **bounded**: at most :data:`MAX_YAML_BYTES` of UTF-8 text, nesting at most :data:`MAX_DEPTH`
  levels, and at most :data:`MAX_NODES` nodes once aliases are expanded (a 600-byte "billion
  laughs" alias bomb is refused in microseconds instead of exhausting memory); recursive aliases
  are refused;
- **strict**: a key given twice in one mapping is an error (PyYAML keeps the last one silently);
  only ``true``/``false`` are booleans (YAML 1.2 core schema) — YAML 1.1's ``yes``, ``no``,
  ``on``, ``off`` stay strings, so a non-boolean field can never take them by accident;
  integers longer than 100 digits are refused; integers and floats are YAML 1.2's (``030`` is
  30, ``1:30`` is text, ``1e9`` is a number);
- **named**: every failure is an :class:`~reeflow.core.errors.InputError` naming the argument
  (``field``), the file, what is allowed and where (line, column) to fix it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reeflow.core.errors import InputError
from reeflow.core.io import read_text

__all__ = ["load_yaml_text", "load_yaml_file", "MAX_YAML_BYTES", "MAX_DEPTH", "MAX_NODES"]

MAX_YAML_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 200_000
_MAX_INT_DIGITS = 100

_INT = re.compile(r"^(?:[-+]?[0-9][0-9_]*|[-+]?0o[0-7]+|[-+]?0x[0-9a-fA-F]+)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                    |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""", re.X)


class _TooDeepError(Exception):
    pass


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans, a nesting cap and duplicate-key detection."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeepError(self.peek_event().start_mark)
            return Composer.compose_node(self, parent, index)  # type: ignore[arg-type]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice in one mapping",
                    key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: ScalarNode) -> int:
        text = str(node.value)
        if len(text) > _MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer of at most {_MAX_INT_DIGITS} digits", node.start_mark)
        if node.tag != "tag:yaml.org,2002:int" or not _INT.match(text):  # an explicit !!int
            return int(super().construct_yaml_int(node))  # type: ignore[no-untyped-call]
        sign, digits = (-1, text[1:]) if text[0] == "-" else (1, text.lstrip("+"))
        if digits[:2] in ("0o", "0x"):
            return sign * int(digits[2:], 8 if digits[1] == "o" else 16)
        return sign * int(digits.replace("_", ""), 10)  # 030 is 30, not YAML 1.1's octal 24


# YAML 1.2 booleans only: drop the 1.1 resolver (yes/no/on/off/y/n) and add true/false.
_StrictLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
# YAML 1.2 floats: 1e9 and 1.0e9 (no exponent sign) are numbers, as in JSON and every YAML 1.2
# reader; YAML 1.1's resolver read them as text, refused as "got '1.0e9'; allowed: >= 0"
# (fuzz round 34). Its sexagesimal floats (190:20:30.15) are dropped with the 1.1 float rule.
_StrictLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:float"]
    for k, v in _StrictLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))
# YAML 1.2 integers: 030 is 30 (YAML 1.1 read it as octal 24: a headcount of 0370 became 248),
# 0o17 octal and 0x1F hex; 1.1's 0b101 and base 60 (1:30 read as 90, a liquid-to-solid
# ratio 8:1 as 481) stay text (fuzz round 36)
_StrictLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:int"]
    for k, v in _StrictLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
# no timestamps (YAML 1.2 core has none): 2025-01-01 stays text, so a field names it as written
# ("got '2025-01-01'", not "got datetime.date(2025, 1, 1)"; fuzz round 36)
_StrictLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _StrictLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_yaml_map)


def _expanded_size(root: Node) -> int:
    """Node count with aliases expanded (memoised over the shared DAG); refuses cycles."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ValueError("a recursive alias (an anchor used inside itself)")
        active.add(key)
        n = 1
        if isinstance(node, SequenceNode):
            n += sum(size(c) for c in node.value)
        elif isinstance(node, MappingNode):
            n += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = min(n, MAX_NODES + 1)
        return sizes[key]

    return size(root)


def _where(mark: Any) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def load_yaml_text(text: str, *, field: str, source: str = "<text>") -> Any:
    """Parse YAML ``text`` under the rules of the module docstring; ``source`` names it."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise InputError(field, source, f"YAML of at most {MAX_YAML_BYTES:,} bytes",
                         "project files are small: check that this is the right file")
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # the reader refuses control characters here
        node = loader.get_single_node()
        if node is None:
            return None
        n = _expanded_size(node)
        if n > MAX_NODES:
            raise InputError(field, source, f"YAML of at most {MAX_NODES:,} nodes once aliases "
                             "are expanded", "remove the repeated aliases (anchors '&' used "
                             "with '*')")
        return loader.construct_document(node)
    except InputError:
        raise
    except _TooDeepError as exc:
        raise InputError(field, source, f"YAML nested at most {MAX_DEPTH} levels deep",
                         f"flatten the nesting{_where(exc.args[0])}") from None
    except ValueError as exc:
        raise InputError(field, source, "YAML without recursive aliases", str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(field, source, "well-formed YAML",
                         f"fix the syntax{_where(mark)} ({' '.join(str(problem).split())})"
                         ) from None
    except RecursionError:
        raise InputError(field, source, f"YAML nested at most {MAX_DEPTH} levels deep",
                         "flatten the nesting") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml_file(path: str | Path, *, field: str, max_bytes: int = MAX_YAML_BYTES) -> Any:
    """Read (:func:`reeflow.core.io.read_text`: a regular UTF-8 file of bounded size) and parse
    a user's YAML file."""
    text = read_text(path, field=field, max_bytes=max_bytes)
    return load_yaml_text(text, field=field, source=str(path))
