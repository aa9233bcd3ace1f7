"""Benchmark: ordinary kriging of a large block model from 50,000 composites, 32-sample moving
neighbourhood; reeflow's compiled kernel vs gstlearn NeighMoving and PyKrige k-nearest.

Usage::

    .venv/bin/python benchmarks/deposit_kriging.py [--blocks 1000000] [--subset 5000]

Peers run on a subset of the same blocks (too slow for the full set) and their rates are
extrapolated; the script says so in its output. PyKrige's OrdinaryKriging3D constructor runs a
leave-one-out statistics pass (patched out here: diagnostics only, not used by ``execute``) and
builds all pairwise distances (``pdist``: 1.25e9 pairs, ~10 GB at 50,000 composites, which ran
out of memory here), so PyKrige runs on a 5,000-composite subset and reeflow is timed on the
same reduced problem for its ratio. Results are checked for agreement on the subsets.
Wall time and process CPU time are both reported: the 2-core machine was shared with other jobs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import numpy as np

from reeflow.deposit import BlockGrid, SearchParams, Structure, VariogramModel, krige
from reeflow.deposit.kriging import krige_grid


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


def run_reeflow(xyz, v, grid, model, sp, ndisc, chunk):
    t, c = time.perf_counter(), time.process_time()
    n_est = 0
    for _, _, r in krige_grid(xyz, v, grid, model, sp, ndisc=ndisc, chunk=chunk):
        n_est += int(np.isfinite(r["est"][:, 0]).sum())
    return time.perf_counter() - t, time.process_time() - c, n_est


def emit(out: dict, key: str, value) -> None:
    out[key] = value
    print(f"{key}: {value}", file=sys.stderr, flush=True)


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
    t = time.perf_counter()
    gl.kriging(db, dbt, model, neigh, flag_est=True, flag_std=False)
    return time.perf_counter() - t, np.asarray(dbt["Kriging.z.estim"])


def run_pykrige(xyz, v, targets, nmax):
    import pykrige.ok3d as ok3d
    ok3d._find_statistics = lambda *a, **k: (np.zeros(len(a[1])),) * 3  # diagnostics only
    t0 = time.perf_counter()
    ok = ok3d.OrdinaryKriging3D(xyz[:, 0], xyz[:, 1], xyz[:, 2], v,
                                variogram_model="spherical",
                                variogram_parameters={"psill": 0.8, "range": 150.0,
                                                      "nugget": 0.2})
    setup = time.perf_counter() - t0
    t = time.perf_counter()
    est, _ = ok.execute("points", targets[:, 0], targets[:, 1], targets[:, 2],
                        n_closest_points=nmax, backend="loop")
    return time.perf_counter() - t, setup, np.asarray(est)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=1_000_000)
    ap.add_argument("--composites", type=int, default=50_000)
    ap.add_argument("--subset", type=int, default=5_000)
    ap.add_argument("--nmax", type=int, default=32)
    ap.add_argument("--chunk", type=int, default=100_000)
    ap.add_argument("--skip-peers", action="store_true")
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
    # warm-up (numba compile / cache load)
    krige(xyz, v, xyz[:10], model, sp)
    runs = (("point", (1, 1, 1)),) if a.point_only else (("point", (1, 1, 1)),
                                                         ("block_2x2x2", (2, 2, 2)))
    for label, nd in runs:
        dt, cpu, n_est = run_reeflow(xyz, v, grid, model, sp, nd, a.chunk)
        emit(out, f"reeflow_{label}_wall_s", dt)
        emit(out, f"reeflow_{label}_cpu_s", cpu)
        emit(out, f"reeflow_{label}_blocks_per_s", grid.n_blocks / dt)
        emit(out, f"reeflow_{label}_estimated", n_est)
    out["peak_rss_gb"] = rss_gb()
    if not a.skip_peers:
        sub = grid.centres(0, grid.n_blocks)[np.random.default_rng(1).choice(
            grid.n_blocks, a.subset, replace=False)]
        ours = krige(xyz, v, sub, model, sp)["est"][:, 0]
        # reeflow on the subset alone (same targets as the peers)
        t = time.perf_counter()
        krige(xyz, v, sub, model, sp)
        emit(out, "reeflow_subset_blocks_per_s", a.subset / (time.perf_counter() - t))
        try:
            dt, est = run_gstlearn(xyz, v, sub, a.nmax, radius)
            emit(out, "gstlearn_subset_blocks_per_s", a.subset / dt)
            emit(out, "gstlearn_max_abs_diff", float(np.nanmax(np.abs(est - ours))))
            emit(out, "ratio_reeflow_vs_gstlearn_same_subset",
                 out["reeflow_subset_blocks_per_s"] / out["gstlearn_subset_blocks_per_s"])
        except ImportError:
            out["gstlearn"] = "not installed"
        try:
            small = np.random.default_rng(2).choice(len(v), 5000, replace=False)
            m2 = VariogramModel(0.2, (Structure("spherical", 0.8, (150, 150, 150)),))
            t = time.perf_counter()
            ours2 = krige(xyz[small], v[small], sub, m2, sp)["est"][:, 0]
            emit(out, "reeflow_5k_composites_blocks_per_s", a.subset / (time.perf_counter() - t))
            dt, setup, est = run_pykrige(xyz[small], v[small], sub, a.nmax)
            emit(out, "pykrige_5k_composites_blocks_per_s", a.subset / dt)
            emit(out, "pykrige_setup_s_stats_patched", setup)
            emit(out, "pykrige_max_abs_diff", float(np.nanmax(np.abs(est - ours2))))
            emit(out, "ratio_reeflow_vs_pykrige_same_problem",
                 out["reeflow_5k_composites_blocks_per_s"] / out["pykrige_5k_composites_blocks_per_s"])
        except ImportError:
            out["pykrige"] = "not installed"
    out["load_avg_1min_end"] = os.getloadavg()[0]
    out["peak_rss_gb"] = rss_gb()
    json.dump(out, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
