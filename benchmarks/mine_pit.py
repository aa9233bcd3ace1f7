"""Ultimate-pit benchmark: reeflow's solver registry vs networkx, OR-Tools and MineFlow itself.

Run:  /work/main/.venv/bin/python benchmarks/mine_pit.py [--big] [--repeat N] [--cases ...]
      [--bauxite PATH]

Every (case, solver) runs in a fresh child process, which reports wall time and its own peak RSS,
so the memory figures do not leak into one another. Cases:

* ``bauxite``: MineFlow's bauxite model (120×120×26, 374,400 blocks), 45°, 8-bench min-search
  pattern (5,349,104 arcs); published: 74,412 blocks mined (Deutsch, Dağdelen & Johnson 2022).
* ``bauxite_crop``: its central 40×40×26 window (x, y 40..79), small enough for networkx (pure Python).
* ``syn1m``: synthetic 100×100×100 model (1 M blocks), same pattern.
* ``syn10m`` (``--big``): synthetic 250×250×160 model (10 M blocks); only MineFlow's implicit
  pattern solver (no arc arrays in RAM) and reeflow's explicit path are tried.

Solvers: ``pymineflow`` (reeflow.ultimate_pit, explicit arcs -> MineFlow pseudoflow; the optional
extra ``reeflow[fast]``), ``numba`` (reeflow's own push-relabel, the default of the lean install;
compiled once before timing, the compile time reported as ``warmup_s``),
``mineflow_native`` (pymineflow's own ``Pit`` with its min-search pattern; arcs never stored),
``ortools`` (SimpleMaxFlow), ``scipy`` (csgraph.maximum_flow, Dinic), ``networkx``
(minimum_cut, preflow-push).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BAUXITE = Path(__file__).resolve().parents[2] / "shared" / "data" / "mineflow" / "bauxitemed.dat"

CASES = {
    "bauxite": ["pymineflow", "numba", "mineflow_native", "ortools", "scipy"],
    "bauxite_crop": ["pymineflow", "numba", "ortools", "scipy", "networkx"],
    "syn1m": ["pymineflow", "numba", "mineflow_native", "ortools", "scipy"],
    "syn10m": ["mineflow_native", "pymineflow"],
}


def _values(case: str, bauxite: Path) -> tuple[np.ndarray, tuple[int, int, int]]:
    from reeflow.mine.synthetic import synthetic_values

    if case.startswith("bauxite"):
        v = np.loadtxt(bauxite, dtype=np.int64)
        if case == "bauxite_crop":
            v = v.reshape(26, 120, 120)[:, 40:80, 40:80].ravel()
            return v, (40, 40, 26)
        return v, (120, 120, 26)
    shape = {"syn1m": (100, 100, 100), "syn10m": (250, 250, 160)}[case]
    return synthetic_values(*shape, seed=1), shape


def child(case: str, solver: str, bauxite: Path, repeat: int = 1) -> dict:
    """Best of ``repeat`` runs (arcs rebuilt each time) in this process."""
    best = None
    for _ in range(max(repeat, 1)):
        row = _child_once(case, solver, bauxite)
        if best is None or row["total_s"] < best["total_s"]:
            best = row
    best["repeat"] = repeat
    best["load_avg_1min"] = round(os.getloadavg()[0], 2)
    return best


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _warm(solver: str) -> float:
    """Compile the Numba solver on a tiny case (cached on disk after the first run)."""
    from reeflow.mine import grid_arcs, min_search_offsets, ultimate_pit

    t0 = time.perf_counter()
    if solver == "numba":
        src, dst = grid_arcs((4, 4, 3), min_search_offsets((1.0, 1.0, 1.0), 45.0, n_benches=2))
        ultimate_pit(np.arange(48.0) - 30.0, src, dst, solver="numba")
    return time.perf_counter() - t0


def _child_once(case: str, solver: str, bauxite: Path) -> dict:
    from reeflow.mine import grid_arcs, min_search_offsets, ultimate_pit

    values, shape = _values(case, bauxite)
    off = min_search_offsets((1.0, 1.0, 1.0), 45.0, n_benches=8)
    warm = _warm(solver)
    c0 = _cpu()
    t0 = time.perf_counter()
    if solver == "mineflow_native":
        from pymineflow import _mineflow

        pit = _mineflow.Pit(*shape, values, pattern="minsearch", slope_deg=45.0, n_benches=8,
                            block_size=(1.0, 1.0, 1.0))
        same = sorted(map(tuple, pit.offsets().tolist())) == sorted(map(tuple, off.tolist()))
        _mask, value, count, _ = pit.solve()
        build_s, n_arcs = 0.0, None
        extra = {"same_pattern_as_reeflow": same}
    else:
        src, dst = grid_arcs(shape, off)
        build_s = time.perf_counter() - t0
        res = ultimate_pit(values, src, dst, solver=solver)
        value, count, n_arcs = res.value, res.n_blocks, res.n_arcs
        extra = {}
    total = time.perf_counter() - t0
    cpu = _cpu() - c0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"case": case, "solver": solver, "blocks": int(values.size), "arcs": n_arcs,
            "mined": int(count), "value": float(value), "arcs_build_s": round(build_s, 3),
            "total_s": round(total, 3), "cpu_s": round(cpu, 3), "warmup_s": round(warm, 2),
            "peak_rss_mb": round(rss_mb), **extra}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true", help="also the 10 M-block synthetic model")
    ap.add_argument("--bauxite", type=Path, default=BAUXITE)
    ap.add_argument("--child", nargs=2, metavar=("CASE", "SOLVER"))
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs per solver")
    ap.add_argument("--cases", nargs="*", default=None, help="subset of: " + ", ".join(CASES))
    ap.add_argument("--solvers", nargs="*", default=None, help="subset of the solvers")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child, args.bauxite, args.repeat)))
        return
    rows = []
    for case, solvers in CASES.items():
        if (case == "syn10m" and not args.big) or (args.cases and case not in args.cases):
            continue
        for solver in solvers:
            if args.solvers and solver not in args.solvers:
                continue
            cmd = [sys.executable, __file__, "--child", case, solver,
                   "--bauxite", str(args.bauxite), "--repeat", str(args.repeat)]
            try:
                out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
                line = [x for x in out.stdout.splitlines() if x.startswith("{")]
                row = json.loads(line[-1]) if line else {
                    "case": case, "solver": solver, "error": out.stderr.strip()[-200:]}
            except subprocess.TimeoutExpired:
                row = {"case": case, "solver": solver, "error": f"timeout {args.timeout:.0f} s"}
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print("| case | solver | blocks | arcs | mined | value | arcs build s | total s | CPU s |"
          " peak RSS MB | × pymineflow (CPU) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ref = {r["case"]: r["cpu_s"] for r in rows if r.get("solver") == "pymineflow" and
           "cpu_s" in r}
    for r in rows:
        if "error" in r:
            print(f"| {r['case']} | {r['solver']} | | | | | | | | {r['error']} |")
            continue
        ratio = r["cpu_s"] / ref[r["case"]] if r["case"] in ref else float("nan")
        print(f"| {r['case']} | {r['solver']} | {r['blocks']:,} | "
              f"{'' if r['arcs'] is None else format(r['arcs'], ',')} | {r['mined']:,} | "
              f"{r['value']:,.0f} | {r['arcs_build_s']} | {r['total_s']} | {r['cpu_s']} | "
              f"{r['peak_rss_mb']:,} | {ratio:.1f} |")


if __name__ == "__main__":
    main()
