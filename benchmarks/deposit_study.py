"""Benchmark: the study's deposit step on the built-in SYNTHETIC Beylikova-like deposit —
drillholes (generation), compositing, variography, kriging, classification, statement —
wall and CPU time per stage, in a fresh process (numba caches on disk) and warm (second call in
the same process; generated drillholes cached), plus the Babbitt example.

Usage (from the repository root)::

    .venv/bin/python benchmarks/deposit_study.py [--repeat 3]

Prints one JSON object. The machine is shared: CPU time (all threads) is reported next to wall
time, with the load average at start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

_CHILD = r"""
import json, time
c0, t0 = time.process_time(), time.perf_counter()
from reeflow.deposit import run_deposit, load_deposit_section
imp = {"import_wall_s": time.perf_counter() - t0, "import_cpu_s": time.process_time() - c0}
out = {"import": imp}
for name in ("cold", "warm"):
    c0, t0 = time.process_time(), time.perf_counter()
    r = run_deposit()
    out[name] = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
                 **{k: round(v, 3) for k, v in r.timings_s.items()}}
bm = r.block_model
out["blocks"] = len(bm)
out["composites"] = len(r.composites)
out["tonnes"] = float(bm["tonnes"].sum())
out["treo_frac"] = float((bm["treo_frac"] * bm["tonnes"]).sum() / bm["tonnes"].sum())
c0, t0 = time.process_time(), time.perf_counter()
p, base = load_deposit_section("examples/babbitt/babbitt.yaml")
b = run_deposit(p, base_dir=base)
out["babbitt"] = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
                  "blocks": len(b.block_model), "composites": len(b.composites)}
print(json.dumps(out))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    runs = []
    load0 = os.getloadavg()[0]
    for _ in range(a.repeat):
        t = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                           check=True)
        d = json.loads(p.stdout.strip().splitlines()[-1])
        d["process_wall_s"] = time.perf_counter() - t
        runs.append(d)
        print(json.dumps(d), file=sys.stderr, flush=True)
    best = min(runs, key=lambda d: d["cold"]["wall_s"])
    json.dump({"load_avg_1min_start": load0, "load_avg_1min_end": os.getloadavg()[0],
               "cores": os.cpu_count(), "best_of": a.repeat, "best": best, "runs": runs},
              sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
