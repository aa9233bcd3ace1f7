"""Benchmark: vectorised NPV/IRR and Monte Carlo vs numpy-financial (row by row).

Run:  .venv/bin/python benchmarks/economics_dcf.py
Writes nothing; prints a markdown table (copied into docs/benchmarks_economics.md).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import numpy_financial as npf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "economics"))

from econ_fixtures import case_params, make_inputs  # noqa: E402

from reeflow.economics import dcf, evaluate, monte_carlo  # noqa: E402
from reeflow.economics.model import run  # noqa: E402


def _best(fn, repeat=3):
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def main() -> None:
    inputs = make_inputs()
    params = case_params()  # the case's fiscal terms: evaluate() has no generic default
    evaluate(inputs, params=params)  # warm caches
    t_eval = _best(lambda: evaluate(inputs, params=params), 5)
    res = evaluate(inputs, params=params)
    n = 10_000
    rng = np.random.default_rng(0)
    scal = {"price_ndpr": rng.uniform(0.7, 1.6, n), "capex": rng.uniform(0.7, 1.5, n)}
    cf = run(res.base, scal)["net_cash_flow"]
    t_npv = _best(lambda: dcf.npv(cf, 0.08))
    t_npv_npf = _best(lambda: [npf.npv(0.08, row) for row in cf], 1)
    t_irr = _best(lambda: dcf.irr(cf))
    t_irr_npf = _best(lambda: [npf.irr(row) for row in cf], 1)
    ours, ref = dcf.irr(cf), np.array([npf.irr(row) for row in cf])
    max_irr_diff = float(np.nanmax(np.abs(ours - ref)))
    max_npv_diff = float(np.max(np.abs(dcf.npv(cf, 0.08) - [npf.npv(0.08, r) for r in cf])))
    t_mc = _best(lambda: monte_carlo(res.base, n=n, seed=1), 3)
    rows = [
        ("evaluate() Beylikova-like case (warm)", t_eval, None),
        (f"NPV of {n} draws x {cf.shape[1]} yr", t_npv, t_npv_npf),
        (f"IRR of {n} draws x {cf.shape[1]} yr", t_irr, t_irr_npf),
        (f"Monte Carlo {n} correlated draws (draw + cash flows + NPV)", t_mc, None),
    ]
    print("| task | reeflow (s) | numpy-financial row loop (s) | ratio |")
    print("|---|---|---|---|")
    for name, a, b in rows:
        ratio = f"{b / a:,.0f}x faster" if b else "-"
        print(f"| {name} | {a:.4f} | {b:.3f} |" if b else f"| {name} | {a:.4f} | - |", ratio, "|")
    print(f"\nmax |IRR - npf.irr| = {max_irr_diff:.2e}; max |NPV - npf.npv| = {max_npv_diff:.2e} USD")


if __name__ == "__main__":
    main()
