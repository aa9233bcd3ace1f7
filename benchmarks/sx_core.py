"""SX core benchmark: rigorous mass-action cascade, Beylikova-like train, 10,000-cascade sweep.

Run (from the repository root):

    .venv/bin/python benchmarks/sx_core.py            # full
    .venv/bin/python benchmarks/sx_core.py --quick    # 1,000-cascade sweep

Prints one JSON object. Timings are warm (Numba kernels compiled and cached on a first call
that is reported separately); every timing is given as CPU time (time.process_time) next to
wall time, because the development machine is shared. Targets: mass-action 6 components ×
100 stages with acid and extractant balances <= 2 ms (issue #13); 10,000 cascade simulations
< 30 s on 2 cores. The 4-cut train now designs the cheapest of the 3 best sequences
rigorously with every product at spec end to end (issue #13), so it costs more than the
former single-sequence design at loose per-cut specs. The mass-action log10 Kex and the feed
split are illustrative, not data. The robustness sweep is benchmarks/sx_robustness.py.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import time

import numpy as np

from reeflow.plant.sx import Cascade, Feed, design_train, simulate, simulate_cut, xu_design

LOGK = {"La": -4.2, "Ce": -3.7, "Pr": -3.5, "Nd": -3.35, "Sm": -2.5}
FEED_KG = {"La": 250.0, "Ce": 450.0, "Pr": 45.0, "Nd": 150.0, "Sm": 20.0, "Eu": 4.0,
           "Gd": 10.0, "Y": 10.0}
ASSUMED = {"Ce/La": 2.0, "Pr/Ce": 1.5, "Sm/Nd": 6.0}  # user assumptions ([R] low ends)
ALPHA8 = {"La": 1.0, "Ce": 2.0, "Pr": 3.0, "Nd": 4.2, "Sm": 25.2, "Eu": 25.2, "Gd": 25.2,
          "Y": 25.2}


def mass_action_case() -> Cascade:
    feed = dict.fromkeys(LOGK, 0.02)
    feed["H"] = 1e-3
    return Cascade(
        sections=(("extraction", 40), ("scrub", 30), ("strip", 30)),
        feeds=(Feed(40, "aqueous", 1.0, feed), Feed(70, "aqueous", 0.3, {"H": 0.2}),
               Feed(100, "aqueous", 0.5, {"H": 3.0}), Feed(1, "organic", 1.0, {"H": 1.0})))


def bench_mass_action(reps: int = 50) -> dict:
    c = mass_action_case()
    params = {"extractant_mol_per_L": 1.0, "log10_Kex": LOGK}
    t0 = time.perf_counter()
    r = simulate(c, model="mass_action", params=params)
    first = time.perf_counter() - t0
    walls, solves, cpus = [], [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        r = simulate(c, model="mass_action", params=params)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        solves.append(r.solve_time_s)
    return {"components": len(r.components), "stages": len(r.stage_sections),
            "first_call_s": first, "median_ms": 1e3 * statistics.median(walls),
            "median_cpu_ms": 1e3 * statistics.median(cpus), "min_cpu_ms": 1e3 * min(cpus),
            "median_solver_ms": 1e3 * statistics.median(solves), "iterations": r.iterations,
            "strategy": r.strategy, "target_ms": 2.0,
            "converged": r.converged, "max_closure": max(abs(v) for v in r.closure.values())}


def bench_train(reps: int = 3) -> dict:
    design_train(FEED_KG, separation_factors=ASSUMED)
    walls, cpus = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        r = design_train(FEED_KG, separation_factors=ASSUMED)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {"cuts": len(r.cuts), "sequences_ranked": len(r.ranking),
            "median_s": statistics.median(walls), "median_cpu_s": statistics.median(cpus),
            "total_stages": r.total_stages, "sequence": r.sequence,
            "purity": r.purity, "cost_usd_per_a": r.cost["total_usd_per_a"]}


def _sweep_chunk(args: tuple[int, int]) -> tuple[int, int, float, float]:
    seed, count = args
    rng = np.random.default_rng(seed)
    feed = {e: kg for e, kg in FEED_KG.items()}
    heavy_frac = (FEED_KG["Nd"] + FEED_KG["Sm"] + 44) / sum(FEED_KG.values())
    base = xu_design(ALPHA8["Nd"] / ALPHA8["Pr"], heavy_frac, 0.999, 0.999)
    ftot = sum(feed.values())
    ok = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        n, m = int(rng.integers(10, 60)), int(rng.integers(10, 60))
        k = float(rng.uniform(1.0, 2.0))
        w = base.w_mol_per_mol_feed * k * ftot
        s = w + base.f_prime_a * ftot
        r = simulate_cut(feed, ALPHA8, n, m, s, w)
        ok += int(r.converged)
    return ok, count, time.perf_counter() - t0, time.process_time() - c0


LOAD = [0.0]


def bench_sweep(total: int, workers: int = 2) -> dict:
    LOAD[0] = os.getloadavg()[0]  # other work on the machine inflates the wall time
    _sweep_chunk((0, 5))  # compile / load the cache in this process
    chunks = [(i + 1, total // workers) for i in range(workers)]
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(workers) as pool:
        out = pool.map(_sweep_chunk, chunks)
    wall = time.perf_counter() - t0
    cpu = [c for *_, c in out]
    return {"simulations": sum(o[1] for o in out), "converged": sum(o[0] for o in out),
            "workers": workers, "wall_s": wall, "cpu_s_per_worker": cpu,
            "ms_cpu_per_simulation": 1e3 * sum(cpu) / total,
            "load_average_1min_at_start": LOAD[0], "components": len(FEED_KG),
            "stages": "20-118 (n, m uniform in 10..59)"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000-cascade sweep instead of 10,000")
    a = ap.parse_args()
    res = {"mass_action_6c_100st": bench_mass_action(), "train_beylikova_4cut": bench_train(),
           "sweep": bench_sweep(1000 if a.quick else 10000)}
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
