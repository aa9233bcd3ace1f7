"""Benchmark: the engineering economics (capex by area, residue storage, complete opex, levered
DCF, peer benchmark) - speed and agreement with independent codes in the same run.

Run:  .venv/bin/python benchmarks/economics_engineering.py
      OPENPYTEA_SRC=/path/to/OpenPyTEA/src .venv/bin/python benchmarks/economics_engineering.py
Prints markdown tables (copied into docs/benchmarks_economics.md). CPU time (process_time) is
reported next to wall time: the development machine is shared and its wall clock is noisy.
The OpenPyTEA cross-check runs only when OPENPYTEA_SRC points at its ``src`` folder (MIT; it is
not a reeflow dependency).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import numpy_financial as npf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "economics"))

from econ_fixtures import beylikova_like_inputs, case_params  # noqa: E402

from reeflow.economics import capex_by_area, dcf, evaluate, purchased_cost  # noqa: E402


def _best(fn, repeat=5):
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def speed() -> None:
    inp, p = beylikova_like_inputs(), case_params()
    debt = p.with_overrides({"debt": {"share_of_capex": 0.6, "interest_rate": 0.06,
                                      "tenor_years": 8, "grace_years": 1}})
    evaluate(inp, params=p)
    rows = [("evaluate(), Beylikova-like full input (capex by area, storage, opex, DCF, "
             "pre-tax, benchmark)", *_best(lambda: evaluate(inp, params=p)))]
    rows.append(("evaluate() with debt (levered NPV/IRR, DSCR)",
                 *_best(lambda: evaluate(inp, params=debt))))
    rows.append(("capex_by_area() alone, 30 size keys",
                 *_best(lambda: capex_by_area(inp.equipment_sizes, currency_year=2025,
                                              organic_fill_usd_per_m3=4800.0))))
    print("| task | wall (s) | CPU (s) |\n|---|---|---|")
    for name, w, c in rows:
        print(f"| {name} | {w:.3f} | {c:.3f} |")


def levered_vs_npf(n: int = 10_000) -> None:
    s = dcf.Schedule(construction_years=2, life_years=20, capex_phasing_frac=(0.4, 0.6))
    f = dcf.FiscalTerms(tax_rate_frac=0.25, loss_carry_forward_years=5)
    rng = np.random.default_rng(0)
    rev = rng.uniform(120e6, 220e6, n)
    cf = dcf.project_cash_flows(rev, 0.45 * rev, 30e6, rng.uniform(300e6, 500e6, n),
                                schedule=s, fiscal=f)
    terms = dcf.DebtTerms(0.6, 0.06, 8, 1, 0.02)

    def ours():
        lev = dcf.levered_cash_flows(cf, dcf.debt_schedule(cf["capex"], terms, s), fiscal=f)
        return dcf.irr(lev["equity_cash_flow"])

    eq = dcf.levered_cash_flows(cf, dcf.debt_schedule(cf["capex"], terms, s),
                                fiscal=f)["equity_cash_flow"]

    def theirs():
        return np.array([npf.irr(row) for row in eq])

    w1, c1 = _best(ours, 3)
    w2, c2 = _best(theirs, 1)
    a, b = ours(), theirs()
    ok = np.isfinite(a) & np.isfinite(b)
    print(f"\n| levered equity IRR, {n:,} draws x 23 yr | wall (s) | CPU (s) |\n|---|---|---|")
    print(f"| reeflow (debt schedule + levered flows + vectorised IRR) | {w1:.3f} | {c1:.3f} |")
    print(f"| numpy-financial `irr`, row loop (IRR only) | {w2:.3f} | {c2:.3f} |")
    print(f"\nratio (CPU): {c2 / c1:.1f}x; max |IRR difference| = "
          f"{np.max(np.abs(a[ok] - b[ok])):.1e} over {ok.sum():,} rows; "
          f"annuity vs `npf.pmt`: {abs(dcf.annuity_payment(1e8, 0.06, 8) + npf.pmt(0.06, 8, 1e8)):.1e} USD")


def openpytea_cross_check() -> None:
    src = os.environ.get("OPENPYTEA_SRC")
    if not src:
        print("\nOpenPyTEA cross-check skipped (set OPENPYTEA_SRC)")
        return
    sys.path.insert(0, src)
    from openpytea.equipment import Equipment  # type: ignore[import-not-found]

    cases = [("ball mill 30 t/h, solids, CS", "towler_ball_mill", "grinding.mill_feed_t_per_h",
              30.0, "t/hour", ("Solids", "Crushers", "Ball mill", "Carbon steel",
                               "ball_mill_towler_2010")),
             ("cone-roof tank 500 m3, mixed, SS316", "towler_cone_roof_tank",
              "leach.tank_volume_m3", 500.0, "m**3",
              ("Mixed", "Tanks", "Cone-roof tank", "316 stainless steel",
               "cone_roof_tank_towler_2010"))]
    print("\n| item (2024 USD) | OpenPyTEA purchased | reeflow purchased | OpenPyTEA direct | "
          "reeflow installed | ratio |\n|---|---|---|---|---|---|")
    for label, corr, key, size, unit, (pt, cat, typ, mat, func) in cases:
        e = Equipment(label, size, pt, cat, typ, material=mat, target_year=2024, cost_func=func)
        r = purchased_cost(corr, size, unit, currency_year=2024)["purchased_usd"]
        inst = capex_by_area({key: size}, currency_year=2024).equipment["installed_usd"].iloc[0]
        print(f"| {label} | {e.purchased_cost:,.0f} | {r:,.0f} | {e.direct_cost:,.0f} | "
              f"{inst:,.0f} | {inst / e.direct_cost:.4f} |")


if __name__ == "__main__":
    speed()
    levered_vs_npf()
    openpytea_cross_check()
