"""Seeded generator of random FEASIBLE (and deliberately infeasible) SX problems.

Used by the robustness tests (a fast subset, ``tests/sx/test_sx_robustness.py``) and by the
10,000-problem sweep (``benchmarks/sx_robustness.py``). Every problem is drawn from the space
the engine promises to handle (issue #13, item 1):

- 2–6 elements, adjacent separation factors β 1.2–5 (log-uniform);
- 5–150 stages;
- models: constant-β (Xu loading model), constant-D, mass action unsaponified and saponified
  (Na counter-ion);
- purities 90–99.99 % (design problems);
- O/A inside the 1:10–10:1 window on every stage (simulation problems draw the phase ratios
  inside it; design problems leave the flows to the designer).

A problem is a plain dict; :func:`run_simulation` / :func:`run_design` execute one. The
generator is independent of the engine's internals: it only builds public specs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

ELEMENTS = ("La", "Ce", "Pr", "Nd", "Sm", "Gd")
MODELS = ("constant_beta", "constant_d", "mass_action", "mass_action_saponified")


def _alpha(rng: np.random.Generator, n_el: int) -> dict[str, float]:
    betas = np.exp(rng.uniform(math.log(1.2), math.log(5.0), n_el - 1))
    alpha = np.concatenate(([1.0], np.cumprod(betas)))
    return {e: float(a) for e, a in zip(ELEMENTS[:n_el], alpha, strict=True)}


def _composition(rng: np.random.Generator, n_el: int) -> np.ndarray:
    z = rng.dirichlet(np.full(n_el, 1.0))
    z = np.maximum(z, 0.01)
    return z / z.sum()


def _stages(rng: np.random.Generator, n_sections: int) -> list[int]:
    total = int(rng.integers(max(5, n_sections), 151))
    cuts = np.sort(rng.choice(np.arange(1, total), n_sections - 1, replace=False))
    parts = np.diff(np.concatenate(([0], cuts, [total])))
    return [int(p) for p in parts]


def _oa(rng: np.random.Generator) -> float:
    return float(np.exp(rng.uniform(math.log(0.15), math.log(6.5))))


def simulation_problem(rng: np.random.Generator, model: str) -> dict[str, Any]:
    """One random feasible cascade simulation of ``model`` (see :data:`MODELS`)."""
    n_el = int(rng.integers(2, 7))
    alpha = _alpha(rng, n_el)
    z = _composition(rng, n_el)
    els = list(alpha)
    if model == "constant_beta":
        return _constant_beta(rng, els, alpha, z)
    if model == "constant_d":
        return _constant_d(rng, els, alpha, z)
    return _mass_action(rng, els, alpha, z, saponified=model == "mass_action_saponified")


def _constant_beta(rng, els, alpha, z) -> dict[str, Any]:
    n, m = _stages(rng, 2)
    feed_flow = 1.0
    c_feed = float(rng.uniform(0.1, 1.0))
    fed = c_feed * feed_flow
    # product fraction to the organic, reflux: W up to ~10× the feed (low β needs it)
    frac_org = float(rng.uniform(0.05, 0.95))
    w = fed * float(np.exp(rng.uniform(math.log(0.05), math.log(10.0))))
    s = w + frac_org * fed
    scrub_flow = float(rng.uniform(0.2, 2.0)) * max(w, 0.05 * fed) / max(c_feed, 0.1)
    oa_ext = _oa(rng)
    q_org = oa_ext * (feed_flow + scrub_flow)
    oa_scrub = q_org / scrub_flow
    if not 0.1 <= oa_scrub <= 10:  # keep the scrub O/A inside the window
        scrub_flow = q_org / float(np.clip(oa_scrub, 0.2, 8.0))
        q_org = oa_ext * (feed_flow + scrub_flow)
        scrub_flow = q_org / float(np.clip(q_org / scrub_flow, 0.2, 8.0))
    spec = {
        "sections": [["extraction", n], ["scrub", m]],
        "feeds": [
            {"stage": n, "phase": "aqueous", "flow_L_per_h": feed_flow,
             "mol_per_L": {e: float(c_feed * x) for e, x in zip(els, z, strict=True)}},
            {"stage": n + m, "phase": "aqueous", "flow_L_per_h": scrub_flow, "mol_per_L": {}},
            {"stage": 1, "phase": "organic", "flow_L_per_h": q_org, "mol_per_L": {}},
        ],
    }
    params = {"alpha": alpha, "organic_RE_mol_per_h": s, "scrub_RE_mol_per_h": w}
    return {"model": "constant_beta", "spec": spec, "params": params}


def _constant_d(rng, els, alpha, z) -> dict[str, Any]:
    n, m = _stages(rng, 2)
    oa_ext = _oa(rng)
    feed_flow, scrub_flow = 1.0, float(rng.uniform(0.1, 1.0))
    q_org = oa_ext * (feed_flow + scrub_flow)
    if not 0.1 <= q_org / scrub_flow <= 10:
        scrub_flow = q_org / 8.0 if q_org / scrub_flow > 10 else q_org / 0.2
        q_org = min(q_org, 10 * (feed_flow + scrub_flow))
    a = np.array(list(alpha.values()))
    # extraction factor of the key pair around 1 in the extraction section
    lam = float(np.exp(rng.uniform(math.log(0.2), math.log(5.0)))) / (oa_ext * math.sqrt(
        a[len(a) // 2] * a[max(len(a) // 2 - 1, 0)]))
    d_ext = {e: float(lam * x) for e, x in zip(els, a, strict=True)}
    d_scrub = {e: float(lam * x * rng.uniform(0.5, 1.5)) for e, x in zip(els, a, strict=True)}
    spec = {
        "sections": [["extraction", n], ["scrub", m]],
        "feeds": [
            {"stage": n, "phase": "aqueous", "flow_L_per_h": feed_flow,
             "mol_per_L": {e: float(0.3 * x) for e, x in zip(els, z, strict=True)}},
            {"stage": n + m, "phase": "aqueous", "flow_L_per_h": scrub_flow, "mol_per_L": {}},
            {"stage": 1, "phase": "organic", "flow_L_per_h": q_org, "mol_per_L": {}},
        ],
    }
    return {"model": "constant_d", "spec": spec,
            "params": {"D": {"extraction": d_ext, "scrub": d_scrub}}}


def _mass_action(rng, els, alpha, z, *, saponified: bool) -> dict[str, Any]:
    n, m, p = _stages(rng, 3)
    c_ha = float(rng.uniform(0.5, 1.5))
    log_k0 = float(rng.uniform(-4.5, -2.5))
    logk = {e: log_k0 + math.log10(a) for e, a in alpha.items()}
    feed_flow = 1.0
    oa_ext = _oa(rng)
    scrub_flow = float(rng.uniform(0.1, 1.0))
    q_org = oa_ext * (feed_flow + scrub_flow)
    if not 0.1 <= q_org / scrub_flow <= 10:
        scrub_flow = q_org / float(rng.uniform(0.5, 8.0))
        q_org = min(q_org, 10 * (feed_flow + scrub_flow))
    # RE fed: 5–120 % of what the organic can carry (RE(HA2)3: C_HA/6 mol/L)
    c_re = float(rng.uniform(0.05, 1.2)) * c_ha / 6.0 * q_org / feed_flow
    c_re = min(c_re, 1.0)
    feed = {e: float(c_re * x) for e, x in zip(els, z, strict=True)}
    feed["H"] = float(np.exp(rng.uniform(math.log(1e-3), math.log(0.1))))
    strip_flow = q_org / float(np.exp(rng.uniform(math.log(0.5), math.log(8.0))))
    org = {"H": c_ha}
    params: dict[str, Any] = {"extractant_mol_per_L": c_ha, "log10_Kex": logk}
    if saponified:
        sap = float(rng.uniform(0.1, 0.5))
        org = {"H": c_ha * (1 - sap), "Na": c_ha * sap}
        feed["Na"] = 1e-3
        params["log10_K_Na"] = float(rng.uniform(-3.0, -1.0))
    spec = {
        "sections": [["extraction", n], ["scrub", m], ["strip", p]],
        "feeds": [
            {"stage": n, "phase": "aqueous", "flow_L_per_h": feed_flow, "mol_per_L": feed},
            {"stage": n + m, "phase": "aqueous", "flow_L_per_h": scrub_flow,
             "mol_per_L": {"H": float(np.exp(rng.uniform(math.log(0.05), math.log(2.0))))}},
            {"stage": n + m + p, "phase": "aqueous", "flow_L_per_h": strip_flow,
             "mol_per_L": {"H": float(rng.uniform(1.0, 6.0))}},
            {"stage": 1, "phase": "organic", "flow_L_per_h": q_org, "mol_per_L": org},
        ],
    }
    return {"model": "mass_action", "spec": spec, "params": params,
            "saponified": saponified}


def design_problem(rng: np.random.Generator) -> dict[str, Any]:
    """One random feasible cut design: 2–6 elements, key β 1.2–5, purities 90–99.99 %."""
    n_el = int(rng.integers(2, 7))
    alpha = _alpha(rng, n_el)
    z = _composition(rng, n_el)
    els = list(alpha)
    k = int(rng.integers(1, n_el))  # heavy = els[k:]
    heavy = els[k:]
    f_a = float(z[k:].sum())
    lo = math.log10(1 - 0.90)
    hi = math.log10(1 - 0.9999)

    def purity(feed_frac: float) -> float:
        p = 1 - 10 ** rng.uniform(hi, lo)
        return float(max(p, min(0.9999, feed_frac + 0.5 * (1 - feed_frac))))

    feed = {e: float(100.0 * x) for e, x in zip(els, z, strict=True)}
    return {"feed": feed, "heavy": heavy, "alpha": alpha,
            "purity_organic": purity(f_a), "purity_aqueous": purity(1 - f_a)}


def problems(seed: int, count: int, *, kinds: tuple[str, ...] = (*MODELS, "design")
             ) -> list[dict[str, Any]]:
    """``count`` problems cycling through ``kinds``, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        prob = design_problem(rng) if kind == "design" else simulation_problem(rng, kind)
        prob["kind"] = kind
        prob["id"] = f"{seed}:{i}"
        out.append(prob)
    return out


def build_cascade(spec: dict[str, Any]):
    """The engine's Cascade for a simulation problem's ``spec``."""
    from reeflow.plant.sx import Cascade, Feed

    feeds = tuple(Feed(f["stage"], f["phase"], f["flow_L_per_h"], f["mol_per_L"])
                  for f in spec["feeds"])
    return Cascade(sections=tuple((s, n) for s, n in spec["sections"]), feeds=feeds)


def run(prob: dict[str, Any]):
    """Execute a problem; returns the CascadeResult or CutDesign."""
    from reeflow.plant.sx import design_cut, simulate

    if prob["kind"] == "design":
        return design_cut(prob["feed"], prob["heavy"], alpha=prob["alpha"],
                          purity_organic=prob["purity_organic"],
                          purity_aqueous=prob["purity_aqueous"])
    return simulate(build_cascade(prob["spec"]), model=prob["model"], params=prob["params"])


INFEASIBLE_KINDS = ("beta_one", "purity_below_feed", "product_beyond_feed", "oa_window",
                    "stage_cap", "bad_input")


def infeasible_problem(rng: np.random.Generator, kind: str) -> dict[str, Any]:
    """A problem no design or simulation can satisfy; the engine must raise by name.

    Kinds: β = 1, purity not above the feed fraction, organic product S − W beyond the feed,
    O/A outside the window, β too close to 1 for the purity within the stage cap, and bad
    inputs (NaN / negative feeds).
    """
    prob = design_problem(rng)
    prob["kind"] = "infeasible_" + kind
    els = list(prob["alpha"])
    if kind == "beta_one":
        prob["alpha"] = dict.fromkeys(els, 1.0)
    elif kind == "purity_below_feed":
        f_h = sum(prob["feed"][e] for e in prob["heavy"]) / sum(prob["feed"].values())
        prob["purity_organic"] = max(1e-3, f_h * float(rng.uniform(0.5, 0.99)))
    elif kind == "stage_cap":
        lk, hk = els[len(els) - len(prob["heavy"]) - 1], prob["heavy"][0]
        prob["alpha"][hk] = prob["alpha"][lk] * float(rng.uniform(1.001, 1.01))
        for e in prob["heavy"][1:]:
            prob["alpha"][e] = prob["alpha"][hk] * 2.0
        prob["purity_organic"] = prob["purity_aqueous"] = 0.9999
        prob["max_stages"] = int(rng.integers(20, 80))
    elif kind == "bad_input":
        prob["feed"][els[0]] = float(rng.choice([math.nan, -1.0, math.inf]))
    elif kind in ("product_beyond_feed", "oa_window"):
        sim = simulation_problem(rng, "constant_beta")
        if kind == "product_beyond_feed":
            fed = sum(sim["spec"]["feeds"][0]["mol_per_L"].values())
            sim["params"]["organic_RE_mol_per_h"] = sim["params"]["scrub_RE_mol_per_h"] + \
                fed * float(rng.uniform(1.01, 2.0))
        else:
            org = sim["spec"]["feeds"][2]
            org["flow_L_per_h"] = float(rng.uniform(11.0, 50.0)) * (
                sim["spec"]["feeds"][0]["flow_L_per_h"] + sim["spec"]["feeds"][1]["flow_L_per_h"])
            sim["params"]["capacity_mol_per_L"] = None
        sim["kind"] = "infeasible_" + kind
        return sim
    return prob


def infeasible_problems(seed: int, count: int) -> list[dict[str, Any]]:
    """``count`` infeasible problems cycling through :data:`INFEASIBLE_KINDS`."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        p = infeasible_problem(rng, INFEASIBLE_KINDS[i % len(INFEASIBLE_KINDS)])
        p["id"] = f"inf{seed}:{i}"
        out.append(p)
    return out


def run_any(prob: dict[str, Any]):
    """Execute a feasible or infeasible problem (designs honour ``max_stages``)."""
    from reeflow.plant.sx import design_cut, simulate

    if "spec" in prob:
        params = {k: v for k, v in prob["params"].items() if v is not None}
        return simulate(build_cascade(prob["spec"]), model=prob["model"], params=params)
    return design_cut(prob["feed"], prob["heavy"], alpha=prob["alpha"],
                      purity_organic=prob["purity_organic"],
                      purity_aqueous=prob["purity_aqueous"],
                      max_stages=prob.get("max_stages", 600))
