"""Benchmark: ordinary kriging of 1,000,000 blocks from 50,000 composites, 32-sample moving
neighbourhood — reeflow's kernel against its previous kernel (frozen copy in
``deposit_kriging_baseline.py``), gstlearn ``NeighMoving`` and PyKrige, in the same run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/deposit_kriging.py [--blocks 1000000] [--subset 5000]
        [--skip-baseline] [--skip-peers] [--point-only]

Every case reports wall time AND process CPU time (all threads): the development machine is
shared, so wall time depends on the load (printed at start and end); CPU time is the fairer
figure of the work done. Peers run on a random subset of the same blocks (too slow for the full
set): gstlearn on all 50,000 composites; PyKrige on a 5,000-composite subset (its constructor
builds all pairwise distances: ~10 GB at 50,000), with reeflow timed on the same reduced problem.
Estimates are compared target by target (max abs difference) against every peer and the old
kernel.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

from reeflow.deposit import BlockGrid, SearchParams, Structure, VariogramModel, krige
from reeflow.deposit.kriging import krige_grid

sys.path.insert(0, str(Path(__file__).resolve().parent))
import deposit_kriging_baseline as baseline  # noqa: E402  (frozen old kernel)


def composites(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n composites along vertical holes (50 per hole, 4 m apart) over 1 km x 1 km x 200 m."""
    rng = np.random.default_rng(seed)
    holes = n // 50
    xy = rng.uniform(0, 1000, (holes, 2))
    z = np.arange(50) * 4.0
    xyz = np.column_stack([np.repeat(xy, 50, axis=0), np.tile(z, holes)])
    om = rng.normal(size=(64, 3)) / 40.0
    ph = rng.uniform(0, 2 * np.pi, 64)
    v = np.exp(0.4 * np.sqrt(2 / 64) * np.cos(xyz @ om.T + ph).sum(1)) * 1.8
    return xyz, v


def rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def emit(out: dict, key: str, value) -> None:
    out[key] = value
    print(f"{key}: {value}", file=sys.stderr, flush=True)


def timed(fn, *a, **k):
    t, c = time.perf_counter(), time.process_time()
    r = fn(*a, **k)
    return r, time.perf_counter() - t, time.process_time() - c


def run_new(xyz, v, grid, model, sp, ndisc):
    est = np.full(grid.n_blocks, np.nan)
    reused = 0
    for idx, r in krige_grid(xyz, v, grid, model, sp, ndisc=ndisc):
        est[idx] = r["est"][:, 0]
        reused += int(r["n_reused"][0])
    return est, reused


def run_old(xyz, v, grid, model, sp, ndisc):
    est = np.full(grid.n_blocks, np.nan)
    for s, e, r in baseline.krige_grid(xyz, v, grid, model, sp, ndisc=ndisc):
        est[s:e] = r["est"][:, 0]
    return est


def run_gstlearn(xyz, v, targets, nmax, radius):
    import gstlearn as gl
    gl.defineDefaultSpace(gl.ESpaceType.RN, 3)
    db = gl.Db.create()
    dbt = gl.Db.create()
    for i in range(3):
        db[f"x{i + 1}"] = xyz[:, i]
        dbt[f"x{i + 1}"] = targets[:, i]
    db["z"] = v
    db.setLocators(["x1", "x2", "x3"], gl.ELoc.X)
    dbt.setLocators(["x1", "x2", "x3"], gl.ELoc.X)
    db.setLocator("z", gl.ELoc.Z)
    model = gl.Model.createFromParam(gl.ECov.SPHERICAL, range=150.0, sill=0.8)
    model.addCovFromParam(gl.ECov.NUGGET, sill=0.2)
    model.setDriftIRF(0)
    neigh = gl.NeighMoving.create(False, nmax, radius, 1, 1, 1000, coeffs=[1.0, 1.0, 1.0],
                                  useBallTree=True)
    t, c = time.perf_counter(), time.process_time()
    gl.kriging(db, dbt, model, neigh, flag_est=True, flag_std=False)
    return time.perf_counter() - t, time.process_time() - c, np.asarray(dbt["Kriging.z.estim"])


def run_pykrige(xyz, v, targets, nmax):
    import pykrige.ok3d as ok3d
    ok3d._find_statistics = lambda *a, **k: (np.zeros(len(a[1])),) * 3  # diagnostics only
    ok = ok3d.OrdinaryKriging3D(xyz[:, 0], xyz[:, 1], xyz[:, 2], v,
                                variogram_model="spherical",
                                variogram_parameters={"psill": 0.8, "range": 150.0,
                                                      "nugget": 0.2})
    t = time.perf_counter()
    est, _ = ok.execute("points", targets[:, 0], targets[:, 1], targets[:, 2],
                        n_closest_points=nmax, backend="loop")
    return time.perf_counter() - t, np.asarray(est)


def peers(out, a, xyz, v, grid, model, sp, radius):
    sub = grid.centres(0, grid.n_blocks)[np.random.default_rng(1).choice(
        grid.n_blocks, a.subset, replace=False)]
    ours, dt, cpu = timed(lambda: krige(xyz, v, sub, model, sp)["est"][:, 0])
    emit(out, "reeflow_subset_blocks_per_s_wall", a.subset / dt)
    emit(out, "reeflow_subset_cpu_s", cpu)
    try:
        dt, cpu, est = run_gstlearn(xyz, v, sub, a.nmax, radius)
        emit(out, "gstlearn_subset_blocks_per_s_wall", a.subset / dt)
        emit(out, "gstlearn_subset_cpu_s", cpu)
        emit(out, "gstlearn_max_abs_diff", float(np.nanmax(np.abs(est - ours))))
        emit(out, "ratio_vs_gstlearn_same_subset_wall",
             out["reeflow_subset_blocks_per_s_wall"] / out["gstlearn_subset_blocks_per_s_wall"])
        emit(out, "ratio_vs_gstlearn_1M_rate_wall",
             out["reeflow_point_blocks_per_s_wall"] / out["gstlearn_subset_blocks_per_s_wall"])
        emit(out, "ratio_vs_gstlearn_cpu_per_block",
             (cpu / a.subset) / (out["reeflow_point_cpu_s"] / grid.n_blocks))
    except ImportError:
        out["gstlearn"] = "not installed"
    try:
        small = np.random.default_rng(2).choice(len(v), 5000, replace=False)
        ours2, dt, _ = timed(lambda: krige(xyz[small], v[small], sub, model, sp)["est"][:, 0])
        emit(out, "reeflow_5k_composites_blocks_per_s", a.subset / dt)
        dt, est = run_pykrige(xyz[small], v[small], sub, a.nmax)
        emit(out, "pykrige_5k_composites_blocks_per_s", a.subset / dt)
        emit(out, "pykrige_max_abs_diff", float(np.nanmax(np.abs(est - ours2))))
        emit(out, "ratio_vs_pykrige_same_problem", out["reeflow_5k_composites_blocks_per_s"]
             / out["pykrige_5k_composites_blocks_per_s"])
    except ImportError:
        out["pykrige"] = "not installed"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=1_000_000)
    ap.add_argument("--composites", type=int, default=50_000)
    ap.add_argument("--subset", type=int, default=5_000)
    ap.add_argument("--nmax", type=int, default=32)
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--point-only", action="store_true")
    a = ap.parse_args(argv)
    xyz, v = composites(a.composites)
    side = round(a.blocks ** (1 / 3))
    nz = max(1, a.blocks // (side * side))
    grid = BlockGrid((0.0, 0.0, 0.0), (1000 / side, 1000 / side, 200 / nz), (side, side, nz))
    model = VariogramModel(0.2, (Structure("spherical", 0.8, (150, 150, 150)),))
    radius = 150.0  # the neighbourhood: the nmax nearest within 150 m (isotropic)
    sp = SearchParams((radius,) * 3, min_samples=1, max_samples=a.nmax)
    out = {"composites": len(v), "blocks": grid.n_blocks, "nmax": a.nmax, "cores": os.cpu_count(),
           "load_avg_1min_start": os.getloadavg()[0]}
    krige(xyz, v, xyz[:10], model, sp)  # warm-up (numba cache load)
    baseline.krige(xyz, v, xyz[:10], model, sp)
    runs = (("point", (1, 1, 1)),) if a.point_only else (("point", (1, 1, 1)),
                                                         ("block_2x2x2", (2, 2, 2)))
    for label, nd in runs:
        (est, reused), dt, cpu = timed(run_new, xyz, v, grid, model, sp, nd)
        emit(out, f"reeflow_{label}_wall_s", dt)
        emit(out, f"reeflow_{label}_cpu_s", cpu)
        emit(out, f"reeflow_{label}_blocks_per_s_wall", grid.n_blocks / dt)
        emit(out, f"reeflow_{label}_estimated", int(np.isfinite(est).sum()))
        emit(out, f"reeflow_{label}_factor_reused_frac", reused / grid.n_blocks)
        if not a.skip_baseline:
            old, dt0, cpu0 = timed(run_old, xyz, v, grid, model, sp, nd)
            emit(out, f"old_kernel_{label}_wall_s", dt0)
            emit(out, f"old_kernel_{label}_cpu_s", cpu0)
            emit(out, f"speedup_vs_old_{label}_wall", dt0 / dt)
            emit(out, f"speedup_vs_old_{label}_cpu", cpu0 / cpu)
            emit(out, f"old_kernel_{label}_max_abs_diff", float(np.nanmax(np.abs(old - est))))
    out["peak_rss_gb"] = rss_gb()
    if not a.skip_peers:
        peers(out, a, xyz, v, grid, model, sp, radius)
    out["load_avg_1min_end"] = os.getloadavg()[0]
    out["peak_rss_gb"] = rss_gb()
    json.dump(out, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
