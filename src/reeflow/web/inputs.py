"""What a study request names, loaded safely, and the key its results are stored under.

A request names a built-in case (``{"project": "builtin:NAME"}``) or carries project YAML
(``{"project_yaml": "..."}``). YAML goes through :func:`reeflow.project.load_project_text` with
``allow_paths=False``: the bounded parser of the CLI, which lets an upload extend only built-in
cases and name no file. Every refusal is an :class:`~reeflow.core.errors.InputError`.

The key (:func:`input_key`) is the SHA-256 of the canonical inputs — the validated project in its
canonical units, every value's provenance, the content of the claims file the case names — plus
the reeflow version, the results schema version and the seeds. Identical inputs give the same key,
so a resubmitted study returns the stored result.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reeflow.core.errors import InputError

__all__ = ["StudySpec", "parse_request", "load_spec", "canonical_inputs", "input_key",
           "canonical_text", "check_printable", "MAX_NAME"]

MAX_NAME = 200
#: Characters a YAML stream may not contain (YAML 1.2 §5.1; PyYAML's Reader refuses them with an
#: error that reeflow.core.yamlio does not yet turn into an InputError).
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD"
                            "\U00010000-\U0010FFFF]")


def check_printable(text: str, field: str) -> str:
    """``text`` unchanged, or InputError naming the first character YAML refuses."""
    m = _NON_PRINTABLE.search(text)
    if m is not None:
        raise InputError(field, f"character U+{ord(m.group()):04X} at position {m.start()}",
                         "printable characters only (YAML 1.2, section 5.1)",
                         "remove the control character")
    return text


@dataclass(frozen=True)
class StudySpec:
    """A study request: exactly one of ``project_ref`` (``builtin:NAME``) or ``project_yaml``."""

    project_ref: str | None = None
    project_yaml: str | None = None

    def to_dict(self) -> dict[str, str]:
        """The picklable form a worker (or a Dask task) receives."""
        return ({"project": self.project_ref} if self.project_ref is not None
                else {"project_yaml": self.project_yaml or ""})

    @property
    def source(self) -> str:
        return "builtin" if self.project_ref is not None else "yaml"


def parse_request(body: Any, *, max_yaml_bytes: int) -> StudySpec:
    """The spec of a ``POST /api/studies`` body (a JSON object), refused with InputError."""
    if not isinstance(body, Mapping):
        raise InputError("body", type(body).__name__, 'a JSON object {"project": "builtin:NAME"} '
                         'or {"project_yaml": "..."}',
                         "send a JSON object with a project or a project_yaml key")
    keys = set(body)
    if keys not in ({"project"}, {"project_yaml"}):
        raise InputError("body", sorted(map(str, keys))[:5], "exactly one key: 'project' or "
                         "'project_yaml'", "send one of the two")
    if "project" in keys:
        ref = body["project"]
        if not isinstance(ref, str) or not ref.startswith("builtin:") or len(ref) > 120:
            raise InputError("project", str(ref)[:80], "'builtin:NAME' (a built-in case; files "
                             "are not reachable through the server)",
                             "send the YAML text as project_yaml instead")
        return StudySpec(project_ref=ref)
    text = body["project_yaml"]
    if not isinstance(text, str):
        raise InputError("project_yaml", type(text).__name__, "YAML text (a string)",
                         "send project_yaml as a string of YAML text")
    if len(text.encode("utf-8", "surrogatepass")) > max_yaml_bytes:
        raise InputError("project_yaml", f"{len(text)} characters",
                         f"at most {max_yaml_bytes // 1024} KiB of YAML", "trim the file")
    return StudySpec(project_yaml=check_printable(text, "project_yaml"))


def load_spec(spec: StudySpec | Mapping[str, str]) -> Any:
    """The validated :class:`~reeflow.project.LoadedProject` of a spec (or its dict form)."""
    from reeflow.project import load_project, load_project_text

    d = spec.to_dict() if isinstance(spec, StudySpec) else dict(spec)
    if "project" in d:
        ref = str(d["project"])
        if not ref.startswith("builtin:"):
            raise InputError("project", ref, "'builtin:NAME'",
                             "name a built-in case as builtin:NAME, or send the YAML text as "
                             "project_yaml")
        return load_project(ref)
    return load_project_text(str(d.get("project_yaml", "")), allow_paths=False)


def _file_digest(path: str | None) -> str | None:
    if not path:
        return None
    from reeflow.core.io import read_bytes

    return hashlib.sha256(read_bytes(path, field="claims_file")).hexdigest()


def canonical_inputs(loaded: Any) -> dict[str, Any]:
    """The inputs that decide a study's results, as plain JSON (canonical units)."""
    from reeflow.core.jsonio import to_jsonable

    project = to_jsonable(loaded.project.model_dump(mode="json", by_alias=True))
    claims = project.get("claims_file")
    if claims:
        project["claims_file"] = {"name": Path(claims).name, "sha256": _file_digest(claims)}
    prov = {path: {"source": p.source, "evidence": p.evidence,
                   "range": None if p.range is None else list(p.range), "note": p.note}
            for path, p in sorted(loaded.provenance.items())}
    return {"project": project, "provenance": to_jsonable(prov)}


def canonical_text(obj: Any) -> str:
    """Deterministic JSON text (sorted keys, no spaces, no NaN)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def input_key(canonical: Mapping[str, Any]) -> tuple[str, str]:
    """(key, seed text): SHA-256 of the canonical inputs + reeflow version + schema + seeds."""
    from reeflow import __version__
    from reeflow.results import SCHEMA_VERSION

    proj = canonical["project"]
    seeds = {"economics": proj.get("economics", {}).get("seed"),
             "deposit": proj.get("deposit", {}).get("seed")}
    material = {"reeflow_version": __version__, "results_schema": SCHEMA_VERSION,
                "seed": seeds, "inputs": canonical}
    key = hashlib.sha256(canonical_text(material).encode("utf-8")).hexdigest()
    return key, canonical_text(seeds)
