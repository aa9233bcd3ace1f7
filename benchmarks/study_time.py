"""Wall time of ``reeflow study`` cold and warm, and of one price what-if by step.

Runs the installed ``reeflow`` command (as a user would) from an empty temporary folder with a
new step-cache folder: a first study (every step computed), then ``--warm`` more of the same
inputs (steps read from disk), with report.pdf where Chromium is installed and without it
(``REEFLOW_CHROMIUM`` pointed at nothing); then one what-if in this process, its steps' times.
No peer package answers this question; the comparison is with earlier commits
(docs/benchmarks.md, the "study" row).

    python benchmarks/study_time.py [--warm 3] [--project builtin:beylikova]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _study(project: str, out: Path, env: dict[str, str], *extra: str) -> tuple[float, float]:
    """(wall s, meta.runtime_s) of one ``reeflow study``."""
    exe = shutil.which("reeflow") or sys.exit("reeflow is not installed in this environment")
    t = time.perf_counter()
    subprocess.run([exe, "study", project, "--quiet", "--out", str(out), *extra], env=env,
                   check=True, capture_output=True)
    wall = time.perf_counter() - t
    meta = json.loads((out / "results.json").read_text())["meta"]
    return wall, float(meta["runtime_s"])


def _what_if_steps(project: str) -> dict[str, float]:
    """Step times of one price what-if after the base chain, in this process, no disk tier."""
    os.environ["REEFLOW_NO_CACHE"] = "1"
    from reeflow.chain import pipeline
    from reeflow.project import load_project

    loaded = load_project(project)
    pipeline.run_chain(loaded)
    pipeline.what_if(loaded, {"economics.price_scale_ndpr": 0.9})  # kernels and imports warm
    t = time.perf_counter()
    out = pipeline.what_if(loaded, {"economics.price_scale_ndpr": 1.15})
    return {"total": time.perf_counter() - t, **out.times_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warm", type=int, default=3, help="warm studies of each kind")
    ap.add_argument("--project", default="builtin:beylikova")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="reeflow-bench-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "REEFLOW_CACHE_DIR": str(root / "cache")}
        env.pop("REEFLOW_NO_CACHE", None)
        no_pdf = {**env, "REEFLOW_CHROMIUM": str(root / "no-chromium")}
        rows = [("first (empty step cache)", *_study(args.project, root / "o0", env))]
        for i in range(args.warm):
            rows.append(("second, same inputs, with PDF", *_study(args.project, root / f"p{i}",
                                                                   env)))
        for i in range(args.warm):
            rows.append(("second, same inputs, no PDF", *_study(args.project, root / f"n{i}",
                                                                 no_pdf)))
    print("| run | wall s | meta.runtime_s |\n|---|---:|---:|")
    for name, wall, runtime in rows:
        print(f"| {name} | {wall:.2f} | {runtime:.2f} |")
    steps = _what_if_steps(args.project)
    print("\none price what-if (NdPr x1.15), in process, seconds by step:")
    for name, s in steps.items():
        print(f"  {name}: {s:.2f}")


if __name__ == "__main__":
    main()
