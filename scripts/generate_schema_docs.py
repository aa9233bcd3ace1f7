"""Write docs/results-schema.md and docs/results-schema.json from the typed results.

    python scripts/generate_schema_docs.py          # write both files
    python scripts/generate_schema_docs.py --check  # exit 1 if the committed files are stale

The page lists every section of results.json with its fields, types and descriptions, from
:mod:`reeflow.results` (the single source); tests/study/test_schema_docs.py runs ``--check``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from reeflow.results import MIGRATIONS, SCHEMA_VERSION, StudyResults, json_schema

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _type(ann: Any) -> str:
    text = str(ann).replace("typing.", "").replace("reeflow.results.", "")
    return text.replace("<class '", "").replace("'>", "")


def _models(model: type[BaseModel], seen: dict[str, type[BaseModel]]) -> None:
    seen.setdefault(model.__name__, model)
    for f in model.model_fields.values():
        for arg in (f.annotation, *getattr(f.annotation, "__args__", ())):
            inner = (arg, *getattr(arg, "__args__", ()))
            for t in inner:
                if isinstance(t, type) and issubclass(t, BaseModel) and t.__name__ not in seen:
                    _models(t, seen)


def markdown() -> str:
    seen: dict[str, type[BaseModel]] = {}
    _models(StudyResults, seen)
    lines = [f"# results.json schema (version {SCHEMA_VERSION})", "",
             "Generated from `reeflow.results` by `scripts/generate_schema_docs.py`; the JSON "
             "Schema itself is `docs/results-schema.json` (also printed by `reeflow schema`). "
             "Non-finite numbers are written as `null` (no data is missing, never 0). Units are "
             "in the field names (`_t`, `_t_per_a`, `_usd`, `_frac`, `_usd_per_kg`). Files of "
             f"the older layouts {', '.join(sorted(MIGRATIONS))} are read by migration "
             "(`reeflow.results.MIGRATIONS`): `reeflow report` and `reeflow.load_results` lift "
             "them to this version on reading; the file itself is not rewritten.", ""]
    for name, model in seen.items():
        doc = " ".join((model.__doc__ or "").split())
        lines += [f"## {name}", "", doc, "", "| field | type | description |", "|---|---|---|"]
        for fname, f in model.model_fields.items():
            desc = " ".join((f.description or "").split()).replace("|", "\\|")
            lines.append(f"| `{fname}` | `{_type(f.annotation)}` | {desc} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    files = {DOCS / "results-schema.md": markdown(),
             DOCS / "results-schema.json": json.dumps(json_schema(), indent=1) + "\n"}
    if "--check" in argv:
        stale = [str(p) for p, text in files.items()
                 if not p.exists() or p.read_text(encoding="utf-8") != text]
        if stale:
            print("stale: " + ", ".join(stale) + " (run scripts/generate_schema_docs.py)")
            return 1
        return 0
    for p, text in files.items():
        p.write_text(text, encoding="utf-8")
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
