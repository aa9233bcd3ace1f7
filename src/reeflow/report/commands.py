"""Command line: ``reeflow report RESULTS.json [--out DIR] [--json]``.

Re-renders the offline HTML report from a saved ``results.json`` (e.g. after editing a section, or
to restyle an old study) without running the study again. ``--out`` defaults to the folder of the
JSON file; ``--json`` prints ``{"report": path, "sections": {...}}`` (rendered / not run).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from reeflow.core.errors import InputError
from reeflow.core.io import read_text
from reeflow.core.jsonio import dumps
from reeflow.report.writer import write_report

__all__ = ["register", "cmd_report", "load_results"]

#: Section keys of results.json, in report order (meta is required).
_SECTION_KEYS = ("kpis", "flowsheet", "products", "plant", "sx", "economics", "market",
                 "resource", "mine", "claims", "consistency", "assumptions")


def load_results(path: str | Path) -> dict[str, Any]:
    """Read a results.json written by ``reeflow study`` and validate it against the results
    schema (:mod:`reeflow.results`); InputError if missing, malformed or of another layout."""
    if not str(path).strip():  # Path("") is the working folder: "got '.'" (fuzz round 35)
        raise InputError("RESULTS", str(path), "the path of a results.json",
                         "name the file, e.g. reeflow report reeflow-out/results.json")
    p = Path(path)
    text = read_text(p, field="RESULTS", max_bytes=512 * 1024 * 1024)
    try:
        data = json.loads(text, parse_constant=lambda name: _no_constant(p, name),
                          object_pairs_hook=lambda pairs: _unique(p, pairs))
    except json.JSONDecodeError as exc:
        raise InputError("RESULTS", str(p), "valid UTF-8 JSON",
                         f"the file is not JSON ({exc}); re-run the study") from None
    except RecursionError:
        raise InputError("RESULTS", str(p), "JSON nested at most a few hundred levels deep",
                         "pass the results.json written by `reeflow study`") from None
    if not isinstance(data, dict):
        raise InputError("RESULTS", str(p), "a JSON object (the results dict)",
                         "pass the results.json written by `reeflow study`")
    from reeflow.results import load_results as validate

    return validate(data, source=str(p)).to_dict()


def _no_constant(p: Path, name: str) -> Any:
    """NaN and Infinity are not JSON (the study writes a missing number as null)."""
    raise InputError("RESULTS", f"{p}: {name}", "JSON numbers (NaN and Infinity are not "
                     "JSON; reeflow writes a missing number as null)",
                     f"write null for the missing value instead of {name}")


def _unique(p: Path, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """One JSON object's pairs as a dict, each key once: the JSON reader kept the last of two
    equal keys and said nothing (fuzz round 35)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError("RESULTS", f"{p}: key {key!r} twice in one object",
                             "each key once per JSON object (reeflow writes each once)",
                             f"keep one {key!r} entry of that object, or re-run the study")
        out[key] = value
    return out


def cmd_report(args: argparse.Namespace) -> int:
    """Handler of ``reeflow report``: write report.html next to the results (or into --out)."""
    results = load_results(args.results)
    out = Path(args.out) if args.out else Path(args.results).resolve().parent
    from reeflow.core.io import check_output_folder

    check_output_folder(out, names=("report.html",), force=args.force)
    path = write_report(results, out, force=args.force)
    sections = {k: ("rendered" if results.get(k) else "not run") for k in _SECTION_KEYS}
    # the study's other outputs in that folder are not re-rendered (and never deleted): say so
    kept = [n for n in ("report.pdf", "results.xlsx") if (out / n).is_file()]
    note = (f"{' and '.join(kept)} in {out} are the study's, not re-rendered from this "
            "results.json" if kept else "")
    if args.json:
        print(dumps({"report": str(path), "sections": sections,
                     **({"note": note} if note else {})}))
    else:
        print(f"report: {path}" + (f"\nnote: {note}" if note else ""))
    return 0


def register(subparsers: Any) -> None:
    """Add the ``report`` subcommand to the reeflow CLI."""
    p = subparsers.add_parser(
        "report", help="re-render report.html from a saved results.json (offline, no study run)")
    p.add_argument("results", help="path to results.json written by `reeflow study`")
    p.add_argument("--out", default=None, help="output folder (default: the JSON's folder)")
    p.add_argument("--force", action="store_true",
                   help="replace a report.html that reeflow did not write (e.g. an older "
                        "version's)")
    p.add_argument("--json", action="store_true", help="print the output path as JSON")
    p.set_defaults(func=cmd_report)
