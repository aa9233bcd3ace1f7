"""Schedule benchmarks: MineLib newman1 CPIT to a proven gap, and the study hook (pit, nested pits,
pushbacks, horizon schedule) on 20k-100k-block models with either pit solver.

Run:  PYTHONPATH=src python benchmarks/mine_schedule.py [--cpit-repeat N] [--skip-cpit]
      [--skip-plan] [--newman1 PATH]

Wall and CPU time (``time.process_time``: all threads of this process) are both reported; the
machine is shared, so wall time is noisy. Everything is warmed once (imports, Numba compilation)
before timing. Inputs of the plan cases are test values (tests/mine/mine_inputs.py), not a price
deck.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
NEWMAN1 = HERE / "tests" / "data" / "minelib" / "newman1" / "newman1.cpit"


def _timed(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def cpit_rows(path: Path, repeat: int) -> list[dict]:
    from reeflow.mine import read_minelib_cpit, solve_cpit

    inst = read_minelib_cpit(path)
    solve_cpit(inst, time_limit_s=5.0, rel_gap=0.05)  # warm (Numba, HiGHS)
    rows = []
    for _ in range(repeat):
        sol, wall, cpu = _timed(lambda: solve_cpit(inst, time_limit_s=30.0, rel_gap=1e-3))
        rows.append({"case": "newman1 CPIT", "value": round(sol.value, 2),
                     "bound": round(sol.bound, 2), "gap_pct": round(100 * sol.gap_frac, 4),
                     "status": sol.status, "heuristic_value": round(sol.heuristic_value, 2),
                     "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                     "timings_s": {k: round(v, 2) for k, v in sol.timings_s.items()},
                     "load_avg_1min": round(os.getloadavg()[0], 2)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def plan_rows() -> list[dict]:
    sys.path.insert(0, str(HERE / "tests" / "mine"))
    from mine_inputs import ECON

    from reeflow.mine import MineParams, plan_mine, synthetic_block_model

    cap = {"plant_capacity_t_per_a": 570_000.0, "ramp_up_frac": (0.6, 0.85),
           "horizon_years": 20, "discount_rate": 0.08}
    models = {"20k": (40, 40, 12), "50k": (60, 60, 14), "100k": (80, 80, 16)}
    rows = []
    for solver in ("pymineflow", "numba"):
        params = MineParams(solver=solver)
        plan_mine(synthetic_block_model(20, 20, 8), ECON, params, **cap)  # warm
        for name, shape in models.items():
            df = synthetic_block_model(*shape, seed=0)
            plan, wall, cpu = _timed(lambda df=df, params=params: plan_mine(df, ECON, params,
                                                                             **cap))
            st = plan.schedule_stats
            rows.append({"case": f"synthetic {name} ({len(df):,} blocks)", "solver": solver,
                         "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                         "timings_s": {k: round(v, 2) for k, v in plan.timings_s.items()},
                         "pit_blocks": plan.pit["blocks"], "n_arcs": plan.pit["n_arcs"],
                         "panels": st["n_panels"], "gap_pct": None if st["gap_frac"] is None
                         else round(100 * st["gap_frac"], 2), "status": st["status"],
                         "load_avg_1min": round(os.getloadavg()[0], 2)})
            print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--newman1", type=Path, default=NEWMAN1)
    ap.add_argument("--cpit-repeat", type=int, default=2)
    ap.add_argument("--skip-cpit", action="store_true")
    ap.add_argument("--skip-plan", action="store_true")
    args = ap.parse_args()
    if not args.skip_cpit:
        cpit_rows(args.newman1, args.cpit_repeat)
    if not args.skip_plan:
        plan_rows()


if __name__ == "__main__":
    main()
