"""SX robustness sweep: 10,000 random feasible problems + 256 infeasible ones (issue #13, item 8).

Run (from the repository root):

    .venv/bin/python benchmarks/sx_robustness.py              # 10,000 + 256, 2 workers
    .venv/bin/python benchmarks/sx_robustness.py --count 1000 # quicker

The problems come from the seeded generator of the tests (tests/sx/random_problems.py): 2–6
elements, β 1.2–5, 5–150 stages, constant-β / constant-D / mass action (unsaponified and
saponified) simulations and cut designs with purities 90–99.99 %. Each feasible problem must
converge (simulations: scaled residual ≤ 1e-12, closure ≤ 1e-9) or design (specs met on
re-simulation, every section inside the O/A window); each infeasible one must raise
InfeasibleSpecError or InputError. Prints one JSON object: counts by model, strategy used,
iterations, and CPU time per problem (time.process_time, per worker) next to wall time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sx"))

import random_problems as rp  # noqa: E402

KINDS = (*rp.MODELS, "design")


def _run_chunk(args: tuple[int, int, int]) -> dict:
    seed, count, n_infeasible = args
    from reeflow.core.errors import InfeasibleSpecError, InputError, ReeflowError

    out: dict = {"ok": Counter(), "fail": Counter(), "cpu": defaultdict(float),
                 "n": Counter(), "strategy": Counter(), "iters": defaultdict(list),
                 "failures": [], "infeasible_ok": 0, "infeasible_bad": []}
    for p in rp.problems(seed, count, kinds=KINDS):
        kind = p["kind"]
        c0 = time.process_time()
        try:
            r = rp.run(p)
            res = r if kind != "design" else r.result
            good = res.max_scaled_residual <= 1e-12 and max(
                abs(v) for v in res.closure.values()) <= 1e-9
            if kind == "design":
                good = good and r.purity_organic >= p["purity_organic"] * (1 - 1e-12) \
                    and r.purity_aqueous >= p["purity_aqueous"] * (1 - 1e-12)
            out["strategy"][(kind, res.strategy)] += 1
            out["iters"][kind].append(res.iterations)
        except ReeflowError as exc:
            good = False
            out["failures"].append((p["id"], kind, f"{type(exc).__name__}: {str(exc)[:120]}"))
        except Exception as exc:  # noqa: BLE001 - counted as a raw failure
            good = False
            out["failures"].append((p["id"], kind, f"RAW {type(exc).__name__}: {exc}"[:160]))
        out["cpu"][kind] += time.process_time() - c0
        out["n"][kind] += 1
        (out["ok"] if good else out["fail"])[kind] += 1
    for p in rp.infeasible_problems(seed + 10_000, n_infeasible):
        try:
            rp.run_any(p)
            out["infeasible_bad"].append((p["id"], p["kind"], "returned a result"))
        except (InfeasibleSpecError, InputError):
            out["infeasible_ok"] += 1
        except Exception as exc:  # noqa: BLE001
            out["infeasible_bad"].append((p["id"], p["kind"], f"{type(exc).__name__}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=10_000, help="feasible problems (default 10,000)")
    ap.add_argument("--infeasible", type=int, default=256)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    load = os.getloadavg()[0]
    per = a.count // a.workers
    chunks = [(1000 + i, per, a.infeasible // a.workers) for i in range(a.workers)]
    _run_chunk((1, 5, 0))  # load the Numba cache in the parent before forking
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(a.workers) as pool:
        parts = pool.map(_run_chunk, chunks)
    wall = time.perf_counter() - t0
    ok, fail, cpu, n, strategy = Counter(), Counter(), Counter(), Counter(), Counter()
    iters: dict[str, list[int]] = defaultdict(list)
    failures, inf_ok, inf_bad = [], 0, []
    for part in parts:
        ok.update(part["ok"])
        fail.update(part["fail"])
        n.update(part["n"])
        strategy.update(part["strategy"])
        for k, v in part["cpu"].items():
            cpu[k] += v
        for k, v in part["iters"].items():
            iters[k] += v
        failures += part["failures"]
        inf_ok += part["infeasible_ok"]
        inf_bad += part["infeasible_bad"]
    by_model = {k: {"problems": n[k], "converged_or_designed": ok[k], "failed": fail[k],
                    "ms_cpu_per_problem": 1e3 * cpu[k] / max(n[k], 1),
                    "iterations_median": float(np.median(iters[k])) if iters[k] else None,
                    "iterations_p99": float(np.percentile(iters[k], 99)) if iters[k] else None,
                    "iterations_max": int(max(iters[k])) if iters[k] else None}
                for k in KINDS}
    print(json.dumps({
        "feasible_problems": sum(n.values()), "converged_or_designed": sum(ok.values()),
        "failed": sum(fail.values()), "by_model": by_model,
        "strategies": {f"{k[0]}:{k[1]}": v for k, v in sorted(strategy.items())},
        "infeasible_problems": inf_ok + len(inf_bad), "infeasible_raised_by_name": inf_ok,
        "infeasible_misbehaved": inf_bad[:20], "failures": failures[:20],
        "wall_s": wall, "cpu_s_total": sum(cpu.values()), "workers": a.workers,
        "load_average_1min_at_start": load,
    }, indent=1))


if __name__ == "__main__":
    main()
