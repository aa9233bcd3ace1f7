"""Peer worker: runs INSIDE the difflow venv (never imports reeflow), prints one JSON object.

Usage: <difflow-venv>/bin/python benchmarks/sx_peers_difflow.py {kremser|mass_action} CASE.json
Driven by benchmarks/sx_peers.py, which writes CASE.json and times reeflow on the same case.
difflow 0.2.2 (MIT, J. R. Kitchin, CMU): difflow_ree.units.kremser.kremser_two_inlet and
difflow_ree.equilibrium.mass_action.MassActionSection.
"""

from __future__ import annotations

import json
import math
import sys
import time


def _kremser(case: dict) -> dict:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    from difflow_ree.units.kremser import kremser_two_inlet

    d = jnp.asarray(case["D"], dtype=jnp.float64)
    f_in = jnp.asarray(case["feed_mol_per_s"], dtype=jnp.float64)
    q_aq, q_org, n = case["Q_aq_L_per_s"], case["Q_org_L_per_s"], case["n_stages"]

    @jax.jit
    def flowsheet(d, f_in):
        return kremser_two_inlet(d, q_aq, q_org, f_in, jnp.zeros_like(f_in), n)

    t0 = time.perf_counter()
    aq, org = jax.block_until_ready(flowsheet(d, f_in))
    first = time.perf_counter() - t0
    reps = case.get("repeats", 2000)
    t0 = time.perf_counter()
    for _ in range(reps):
        out = flowsheet(d, f_in)
    jax.block_until_ready(out)
    per = (time.perf_counter() - t0) / reps
    return {"aq_out_mol_per_s": [float(x) for x in aq], "org_out_mol_per_s": [float(x) for x in org],
            "first_call_s": first, "per_call_s": per, "repeats": reps, "converged": True}


def _mass_action(case: dict) -> dict:
    import jax

    jax.config.update("jax_enable_x64", True)
    from difflow_ree.equilibrium.mass_action import MassActionParams, MassActionSection

    els = tuple(case["elements"])
    params = MassActionParams(
        n_stages=int(case["n_stages"]), extractant=case.get("extractant", "D2EHPA"),
        elements=els, aqueous_volumetric_flow=case["Q_aq_L_per_s"],
        organic_volumetric_flow=case["Q_org_L_per_s"],
        extractant_conc=case["extractant_mol_per_L"],
        log10_K=dict(zip(els, case["log10_Kex"], strict=True)),
        n_continuation_steps=int(case.get("n_continuation_steps", 1)),
    )
    t0 = time.perf_counter()
    section = MassActionSection(params)
    feed = section.schema.make_aqueous(
        dict(zip(els, case["feed_mol_per_s"], strict=True)), acid=case["feed_acid_mol_per_s"],
        water=55.5 * case["Q_aq_L_per_s"])
    solvent = section.schema.make_organic(
        case["extractant_mol_per_L"] * case["Q_org_L_per_s"], diluent_flow=4.0)
    raff, ext, info = section(feed, solvent)
    aq = [float(raff[f"F_{e}"]) for e in els]
    org = [float(ext[f"F_{e}"]) for e in els]
    wall = time.perf_counter() - t0
    warm = None
    if case.get("warm", False):  # second call, same shapes (JAX caches what it can)
        t1 = time.perf_counter()
        raff2, _, _ = section(feed, solvent)
        float(raff2[f"F_{els[0]}"])
        warm = time.perf_counter() - t1
    feasible = bool(info["feasible"])
    res = float(info["residual_norm"])
    ok = feasible and all(math.isfinite(x) for x in aq + org) and math.isfinite(res)
    return {"aq_out_mol_per_s": aq, "org_out_mol_per_s": org, "first_call_s": wall,
            "per_call_s": warm if warm is not None else wall, "warm_call_s": warm,
            "repeats": 1, "converged": ok, "feasible_flag": feasible,
            "residual_norm": res if math.isfinite(res) else None,
            "pH_out": float(info["pH"]) if math.isfinite(float(info["pH"])) else None}


def main() -> int:
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as fh:
        case = json.load(fh)
    import difflow

    out = {"kremser": _kremser, "mass_action": _mass_action}[mode](case)
    out.update(peer="difflow", version=getattr(difflow, "__version__", "0.2.2"), mode=mode,
               n_stages=case["n_stages"])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
