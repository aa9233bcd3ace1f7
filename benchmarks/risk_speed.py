"""Speed of the whole-chain Monte Carlo: the fast path against the present implementation
(reeflow.chain.what_if per draw) in the same run, draws per second at 1 and 2 workers, memory
per worker. Wall and CPU time are both reported (the machine is shared: CPU time is the fairer
figure; CPU of worker processes is counted from RUSAGE_CHILDREN / the workers' own clocks).

Run::

    PYTHONPATH=src python benchmarks/risk_speed.py --out /tmp/risk_speed.json

Gate (issue #16): marginal time per whole-chain draw <= 15 ms (goal 10 ms), measured as
(T(N2) - T(N1)) / (N2 - N1) on one worker, so the one-off setup (rigorous probes, scans and the
mine-plan library) is excluded from the marginal and reported on its own.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import time
from typing import Any

import numpy as np


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(t: tuple[float, float]) -> dict[str, float]:
    return {"wall_s": time.perf_counter() - t[0], "cpu_s": time.process_time() - t[1]}


def _chunk_with_stats(model: Any, values: Any, paths: Any, real: Any, horizon: int) -> dict:
    """A worker task: evaluate one chunk, report its own CPU time and peak RSS."""
    from reeflow.risk.fast import evaluate_chunk

    c = time.process_time()
    out = evaluate_chunk(model, values, paths, real, horizon)
    return {"n": len(values), "cpu_s": time.process_time() - c,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "npv_sum": float(np.nansum(out["npv_usd"]))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rigorous", type=int, default=3, help="draws through what_if")
    ap.add_argument("--n1", type=int, default=2000)
    ap.add_argument("--n2", type=int, default=20000)
    ap.add_argument("--scaling", type=int, default=100000, help="draws for the 1/2-worker curve")
    ap.add_argument("--plans", type=int, default=5)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    from reeflow.chain import run_chain, what_if
    from reeflow.project import load_project
    from reeflow.risk.backends import ProcessRunner, SerialRunner
    from reeflow.risk.build import build_model
    from reeflow.risk.engine import CHUNK
    from reeflow.risk.inputs import draw, effective_row, input_specs

    res: dict[str, Any] = {}
    loaded = load_project()
    t = _clock()
    base = run_chain(loaded)
    res["base_chain"] = _since(t)
    specs = input_specs(loaded)
    d = draw(loaded, args.scaling, seed=2026)

    # the present implementation: what_if per draw (every input drawn)
    rows = d.rows(0, args.rigorous)
    per = []
    for row in rows:
        t = _clock()
        try:
            what_if(loaded, effective_row(loaded, row))
            ok = True
        except Exception:  # a draw the chain refuses still cost its time
            ok = False
        per.append({**_since(t), "ok": ok})
    res["what_if_per_draw"] = {"n": len(per), "wall_s": float(np.mean([p["wall_s"] for p in per])),
                               "cpu_s": float(np.mean([p["cpu_s"] for p in per])),
                               "feasible": sum(p["ok"] for p in per)}

    # the fast path: setup once, then the marginal cost per draw
    for workers in (1, 2):
        runner = SerialRunner() if workers == 1 else ProcessRunner(2)
        t = _clock()
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        model = build_model(loaded, d, specs, runner, outcome=base, n_plans=args.plans)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        res[f"setup_{workers}_workers"] = {**_since(t), "children_cpu_s": (c1.ru_utime
                                           + c1.ru_stime - c0.ru_utime - c0.ru_stime),
                                           "rigorous_evaluations":
                                               model.meta["rigorous_evaluations"]}
    res["model_pickle_mb"] = len(pickle.dumps(model)) / 1e6
    H = max(p.years for p in model.plans)
    timing = {}
    for n in (args.n1, args.n2):
        t = _clock()
        for i in range(0, n, CHUNK):
            model.evaluate(d.values[i:min(i + CHUNK, n)], d.paths[i:min(i + CHUNK, n)],
                           d.realisation[i:min(i + CHUNK, n)], horizon=H)
        timing[n] = _since(t)
    dn = args.n2 - args.n1
    res["fast_marginal_per_draw"] = {
        "wall_ms": 1e3 * (timing[args.n2]["wall_s"] - timing[args.n1]["wall_s"]) / dn,
        "cpu_ms": 1e3 * (timing[args.n2]["cpu_s"] - timing[args.n1]["cpu_s"]) / dn,
        "n1": args.n1, "n2": args.n2}
    res["ratio_what_if_to_fast_cpu"] = (res["what_if_per_draw"]["cpu_s"] * 1e3
                                        / res["fast_marginal_per_draw"]["cpu_ms"])

    # draws per second at 1 and 2 local workers (the whole evaluation, setup excluded)
    tasks = [(d.values[i:i + CHUNK], d.paths[i:i + CHUNK], d.realisation[i:i + CHUNK], H)
             for i in range(0, d.n, CHUNK)]
    for workers in (1, 2):
        runner = SerialRunner() if workers == 1 else ProcessRunner(workers)
        t = _clock()
        parts = runner.map(_chunk_with_stats, tasks, shared=model)
        el = _since(t)
        worker_cpu = sum(p["cpu_s"] for p in parts)
        res[f"scaling_{workers}_workers"] = {
            "draws": d.n, **el, "worker_cpu_s": worker_cpu, "draws_per_s": d.n / el["wall_s"],
            "draws_per_cpu_s": d.n / worker_cpu,
            "peak_rss_per_worker_mb": max(p["maxrss_mb"] for p in parts)}
    res["speedup_2_workers"] = (res["scaling_1_workers"]["wall_s"]
                                / res["scaling_2_workers"]["wall_s"])
    print(json.dumps(res, indent=1))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
