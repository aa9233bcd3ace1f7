"""The study: one orchestrator wiring deposit → mine → plant (with the SX train) → economics →
market → claims → report. It owns no physics: every number comes from a room's public API.

``run_study(project, out_dir=...)`` writes ``report.html`` and ``results.json`` atomically (into a
temporary folder, then moved into place) so a failed run leaves no partial output.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reeflow import __version__
from reeflow.project import LoadedProject, load_project

__all__ = ["run_study", "StudyResult", "compute_results"]


@dataclass
class StudyResult:
    """The results dict (results.json schema) and where it was written."""

    results: dict[str, Any]
    out_dir: Path | None = None
    timings_s: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        k = dict(self.results.get("kpis", {}))
        econ = self.results.get("economics") or {}
        k.update({key: econ.get(key) for key in ("npv_usd", "irr_frac", "payback_years",
                                                 "capex_usd") if key in econ})
        k["claims"] = {c["id"]: c["status"] for c in self.results.get("claims", [])}
        k["out_dir"] = str(self.out_dir) if self.out_dir else None
        return k

    def summary_text(self) -> str:
        k = self.results.get("kpis", {})
        lines = [f"reeflow study: {self.results['meta']['project_name']}",
                 f"  ore {k.get('ore_t_per_a', 0):,.0f} t/a → REO {k.get('reo_t_per_a', 0):,.0f} "
                 f"t/a (NdPr oxide {k.get('ndpr_oxide_t_per_a', 0):,.0f} t/a), overall REO "
                 f"recovery {k.get('overall_reo_recovery_frac', 0):.1%}"]
        econ = self.results.get("economics") or {}
        if econ.get("npv_usd"):
            npv = ", ".join(f"NPV{float(r) * 100:.0f} {v / 1e6:,.0f}" for r, v in
                            econ["npv_usd"].items() if v is not None)
            irr = econ.get("irr_frac")
            irr_txt = f"{irr:.1%}" if isinstance(irr, float) else "n/a"
            lines.append(f"  {npv} MUSD (real, {econ.get('deck')}); IRR {irr_txt}; capex "
                         f"{(econ.get('capex_usd') or 0) / 1e6:,.0f} MUSD")
        bad = [c["id"] for c in self.results.get("claims", []) if c["status"] == "inconsistent"]
        lines.append(f"  claims inconsistent with the model: {', '.join(bad) or 'none'}")
        if self.out_dir:
            lines.append(f"  report: {self.out_dir / 'report.html'}")
        return "\n".join(lines)


class _Progress:
    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total, self.step = enabled, total, 0
        self.t0 = time.perf_counter()
        self.times: dict[str, float] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        self.step += 1
        if self.enabled:
            print(f"[{self.step}/{self.total}] {name} …", file=sys.stderr, flush=True)
        t = time.perf_counter()
        out = fn()
        self.times[name] = time.perf_counter() - t
        return out


def compute_results(loaded: LoadedProject, *, progress: bool = False) -> StudyResult:
    """Run every phase in memory and return the results (no files written)."""
    from reeflow import phases

    steps = phases.STUDY_PHASES
    prog = _Progress(progress, len(steps))
    state: dict[str, Any] = {"loaded": loaded, "results": {}}
    for name, fn in steps:
        prog.run(name, lambda fn=fn: fn(state))
    results = state["results"]
    results["meta"] = {
        "project_name": loaded.project.name,
        "generated_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "reeflow_version": __version__,
        "synthetic_labels": state.get("synthetic_labels", []),
        "runtime_s": time.perf_counter() - prog.t0,
        "phase_times_s": prog.times,
        "project_path": loaded.path,
    }
    return StudyResult(results, None, prog.times)


def run_study(project: str | Path | None = None, *, out_dir: str | Path | None = "reeflow-out",
              progress: bool = False) -> StudyResult:
    """Load a project (None → built-in Beylikova), run the chain, write report.html/results.json.

    The output folder is checked before the chain runs (a file of that name, a name too long or
    an unwritable place is refused at once), created when missing and never emptied: the two
    files are rendered in memory and then each replaces its previous version atomically
    (:mod:`reeflow.core.io`).
    """
    from reeflow.core.io import check_output_folder, write_outputs

    if out_dir is not None:
        check_output_folder(out_dir)
    loaded = load_project(project)
    result = compute_results(loaded, progress=progress)
    if out_dir is None:
        return result
    from reeflow.report import render_report, results_json_text

    files = {"results.json": results_json_text(result.results),
             "report.html": render_report(result.results)}
    write_outputs(out_dir, files)
    result.out_dir = Path(out_dir)
    return result
