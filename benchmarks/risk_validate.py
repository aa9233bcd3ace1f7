"""Accuracy of the Monte Carlo fast path against the rigorous chain (reeflow.chain.what_if).

For ``--draws`` draws of the chosen inputs (seed ``--seed``) it reports, draw by draw and in
summary:

1. *held plan*: the fast path and what_if with the mine plan held at the base plan (everything
   but the re-plan: design surface, plant response, money, cash flow);
2. *re-planned*: the fast path (plan library) and what_if (the chain re-plans every draw);
3. *the chain's own jitter*: what_if at each draw and at the draw with the NdPr price 0.5 %
   higher — how much the rigorous chain's NPV moves for a step no model should notice
   (its schedule MIP stops at a time limit, so its plan is not a smooth function of prices).

Run (about 10 s of rigorous chain per draw on this 2-core machine)::

    PYTHONPATH=src python benchmarks/risk_validate.py --draws 24 --out /tmp/risk_validate.json
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

INPUTS = ("ore.treo_grade,plant.beneficiation.ree_recovery,plant.leach.ree_dissolution,"
          "economics.price_scale_ndpr,economics.price_scale_other,"
          "economics.price_scale_byproduct,economics.capex_scale,economics.opex_scale")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--inputs", default=INPUTS)
    ap.add_argument("--plans", type=int, default=13)
    ap.add_argument("--jitter", type=int, default=8, help="draws also run at NdPr +0.5 %%")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    from reeflow.chain import pipeline, run_chain, what_if
    from reeflow.project import load_project
    from reeflow.risk.backends import SerialRunner
    from reeflow.risk.build import build_model
    from reeflow.risk.engine import compare, outcome_outputs
    from reeflow.risk.inputs import draw, effective_row, input_specs

    loaded = load_project()
    inputs = args.inputs.split(",")
    base = run_chain(loaded)
    capex = float(base.annual.capex_usd)
    d = draw(loaded, args.draws, seed=args.seed, inputs=inputs)
    t = time.perf_counter()
    model = build_model(loaded, d, input_specs(loaded, inputs), SerialRunner(), outcome=base,
                        n_plans=args.plans)
    setup = time.perf_counter() - t
    fast = model.evaluate(d.values, d.paths, d.realisation)
    held_fast = model.evaluate(d.values, d.paths, d.realisation, plan=0)

    def chain(row: dict, hold: bool) -> dict:
        orig = pipeline._mine
        if hold:  # the chain caches outcomes and steps: hold the plan on a clean cache
            pipeline.CACHE.store.clear()
            pipeline._mine = lambda *a, **k: base.mine
        try:
            return outcome_outputs(what_if(loaded, effective_row(loaded, row)))
        except Exception as exc:  # a draw the chain refuses
            return {"feasible": 0.0, "error": str(exc)}
        finally:
            pipeline._mine = orig
            if hold:
                pipeline.CACHE.store.clear()

    rows = d.rows()
    rig, held, jit = [], [], []
    for i, row in enumerate(rows):
        rig.append(chain(row, False))
        held.append(chain(row, True))
        if i < args.jitter and "economics.price_scale_ndpr" in row:
            bumped = dict(row)
            bumped["economics.price_scale_ndpr"] *= 1.005
            jit.append(chain(bumped, False))
        print(i, {k: round(v / 1e6, 2) for k, v in (("fast", fast["npv_usd"][i]),
                                                   ("rigorous", rig[-1].get("npv_usd", np.nan)),
                                                   ("held_fast", held_fast["npv_usd"][i]),
                                                   ("held", held[-1].get("npv_usd", np.nan)))},
              flush=True)

    def arrays(rs: list[dict]) -> dict:
        keys = ("npv_usd", "irr_frac", "mine_life_years", "reo_t_per_a", "feasible")
        return {k: np.array([r.get(k, np.nan) for r in rs], float) for k in keys}

    R, H = arrays(rig), arrays(held)
    out = {"draws": args.draws, "inputs": inputs, "plans": args.plans, "setup_s": setup,
           "base_capex_usd": capex,
           "held_plan": compare(held_fast, H, capex), "replanned": compare(fast, R, capex),
           "replanned_bias_frac_of_capex": float(np.nanmean(fast["npv_usd"] - R["npv_usd"])
                                                 / capex)}
    if jit:
        J = arrays(jit)
        n = len(jit)
        dj = np.abs(J["npv_usd"] - R["npv_usd"][:n]) / capex
        out["chain_jitter_ndpr_0p5pct"] = {"n": n, "max_frac_of_capex": float(np.nanmax(dj)),
                                           "mean_frac_of_capex": float(np.nanmean(dj))}
    print(json.dumps(out, indent=1))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
