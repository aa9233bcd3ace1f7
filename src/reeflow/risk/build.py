"""Building the fast model of a project: rigorous probes, scans and the plan library.

Every task here runs the study chain's own functions and can run on any backend
(:mod:`reeflow.risk.backends`); the order of the results, and so the model, does not depend on
where they ran.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from reeflow.chain.adapters import species_key
from reeflow.core.errors import InputError, ReeflowError
from reeflow.risk import probe
from reeflow.risk.fast import SCALE_INPUTS, FastModel, classify
from reeflow.risk.inputs import InputSpec, effective_row
from reeflow.risk.plans import (
    Plan,
    plan_from_outcome,
    plan_library_task,
    realised_resource,
    simulate_primary,
)
from reeflow.risk.surrogate import Axis, Surrogate, scan_nodes

__all__ = ["ScanContext", "base_context", "scan_task", "build_model", "NotFastError"]

_BISECT = 5
_TINY = 1e-12


class NotFastError(Exception):
    """The fast path does not cover a drawn input (the reason says why)."""


@dataclass
class ScanContext:
    """What every scan task needs of the base (shipped once to each worker).

    The base design is not shipped: a worker designs the base plant again (the same
    deterministic function) so that its streams share the worker's own component tables —
    the flowsheet compares them when it starts a solve from the design's recycle, and tables
    restored from a pickle compare element-wise (a ValueError)."""

    loaded: Any
    layout: probe.QuantityLayout
    first_year: int
    _design: Any
    names: tuple[str, ...]
    base: np.ndarray
    qd0: np.ndarray
    c0: np.ndarray
    xd0: np.ndarray
    r0: np.ndarray
    w0: np.ndarray
    mu0: float
    marketing: float
    structure: tuple[Any, ...]
    purities: tuple[str, ...]
    species: tuple[str, ...]
    #: the base chain's mine schedule: every design point sizes its plant for its heaviest year
    schedule: Any = None

    @property
    def design(self) -> Any:
        if self._design is None:
            from reeflow.chain.pipeline import design_step

            self._design = design_step(self.loaded.project)
        return self._design

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_design": None}


def _names(layout: probe.QuantityLayout, purities: Sequence[str],
           species: Sequence[str], areas: Sequence[str]) -> tuple[str, ...]:
    u = (*layout.q, "ore_t", "mined_t")
    return ("capex", "capex_factor", *areas, "closure", "closure_storage", "F", "V0", "mu",
            *(f"purity:{p}" for p in purities),
            *(f"vprice:{s}" for s in species), *(f"vrec:{s}" for s in species),
            *(f"vcost:{s}" for s in species), "vproc",
            "vmine", *(f"c:{q}" for q in layout.q), *(f"rho:{q}" for q in layout.q),
            *(f"r:{x}" for x in u), *(f"w:{x}" for x in u))


def _vector(ctx_names: Sequence[str], dp: probe.DesignPoint, c: np.ndarray, rho: np.ndarray,
            r: np.ndarray, w: np.ndarray, mu: float, marketing: float, layout: Any
            ) -> np.ndarray:
    """The named outputs of one design point, in ``ctx_names`` order."""
    v = dp.values
    u = np.concatenate([dp.qd, [dp.xd[0], dp.xd[0]]])
    V0 = v["variable"] - u @ w - marketing * v["revenue"]
    named = {"capex": v["capex"], "closure": v["closure"],
             "closure_storage": v["closure_storage"], "F": v["fixed"], "V0": V0,
             "mu": mu, "vproc": v["vproc"], "vmine": v["vmine"]}
    named.update({k: val for k, val in v.items() if k.startswith(("purity:", "vprice:",
                                                                   "vrec:", "vcost:",
                                                                   "direct:"))})
    named["capex_factor"] = v.get("capex_factor", np.nan)
    named.update({f"c:{q}": c[i] for i, q in enumerate(layout.q)})
    named.update({f"rho:{q}": rho[i] for i, q in enumerate(layout.q)})
    keys = (*layout.q, "ore_t", "mined_t")
    named.update({f"r:{x}": r[i] for i, x in enumerate(keys)})
    named.update({f"w:{x}": w[i] for i, x in enumerate(keys)})
    return np.array([float(named.get(n, np.nan)) for n in ctx_names])


def _money_terms(dp: probe.DesignPoint, marketing: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(revenue derivative, variable derivative less marketing, mining per t moved)."""
    if dp.money is None:
        raise ValueError("a design point without its money probe")
    d = np.asarray(dp.money["d"], float)
    r = d[probe.MONEY.index("revenue")]
    w = d[probe.MONEY.index("variable")] - marketing * r
    mu = float(d[probe.MONEY.index("mining")][-1])
    return r, w, mu


def base_context(loaded: Any, outcome: Any) -> tuple[ScanContext, dict[str, Any]]:
    """Probe the base chain outcome: the design point, money, price groups, valuation."""
    p = loaded.project
    made = sorted({k for y in outcome.years for k, t in y.products_t.items() if t > 0})
    layout = probe.quantity_layout(p, outcome.years[0], made)
    fy = probe.first_year(p)
    schedule = outcome.mine.schedule
    dp = probe.design_point(p, layout, fy, design=outcome.design, full_money=True,
                            schedule=schedule)
    if not dp.ok:
        # the cause goes whole into the fix: as the value it was cut to 120 characters, the
        # part the user needed with it (fuzz round 20)
        raise InputError("project", p.name, "a project whose design point the Monte Carlo "
                         "can probe", f"the probe failed with {dp.error}; fix that, or run "
                         "with --method rigorous")
    sp = probe.scale_probe(outcome.basis, layout, dp.qd, float(dp.xd[0]))
    marketing = float(sp["marketing"]) if np.isfinite(sp["marketing"]) else 0.0
    r, w, mu = _money_terms(dp, marketing)
    vg = probe.valuation_groups(p, outcome.design, _design_basis(outcome))
    species = tuple(vg)
    purities = tuple(sorted(k[len("purity:"):] for k in dp.values if k.startswith("purity:")))
    areas = tuple(k for k in dp.values if k.startswith("direct:"))
    names = _names(layout, purities, species, areas)
    c0 = 2.0 * dp.qh - dp.qd
    rho0 = np.ones(len(layout.q))
    ctx = ScanContext(loaded, layout, fy, outcome.design, names, np.zeros(0), dp.qd, c0, dp.xd,
                      r, w, mu, marketing, dp.structure, purities, species, schedule)
    ctx.base = _vector(names, dp, c0, rho0, r, w, mu, marketing, layout)
    return ctx, {"share": sp["share"], "species_groups": np.vstack([vg[s] for s in species])}


def _node(ctx: ScanContext, path: str, value: float) -> np.ndarray | str:
    """The named outputs with one input at ``value`` (others at the project's), or an error."""
    from reeflow.chain import with_overrides

    kind = classify(path)
    try:
        proj = with_overrides(ctx.loaded, effective_row(ctx.loaded, {path: value})).project
    except ReeflowError as exc:
        return f"{type(exc).__name__}: {exc}"
    dp = probe.design_point(proj, ctx.layout, ctx.first_year,
                            design=None if kind == "plant" else ctx.design,
                            full_money=kind == "basis", schedule=ctx.schedule)
    if not dp.ok:
        return str(dp.error)
    if dp.structure != ctx.structure:
        raise NotFastError(f"{path} changes what the fast path takes from the base (schedule, "
                      "fiscal terms, rates, throughput or price deck)")
    c = 2.0 * dp.qh - dp.qd
    if np.allclose(dp.xd, ctx.xd0, rtol=1e-13, atol=0.0):
        denom = ctx.qd0 - ctx.c0
    else:
        qb = probe.solve_feeds(ctx.loaded.project, ctx.design, dp.xd[None, :], ctx.layout,
                               ctx.first_year)[0]
        denom = qb - ctx.c0
    num = dp.qd - c
    rho = np.where(np.abs(denom) > _TINY * np.maximum(np.abs(num), 1.0),
                   num / np.where(denom == 0, 1.0, denom), 1.0)
    if kind == "basis":
        r, w, mu = _money_terms(dp, ctx.marketing)
    else:
        r, w, mu = ctx.r0, ctx.w0, ctx.mu0
    return _vector(ctx.names, dp, c, rho, r, w, mu, ctx.marketing, ctx.layout)


def _coordinate(ctx: ScanContext, path: str, value: float) -> float:
    """Where a scanned value sits on its axis: the value itself, or for an REE share the share
    after the others are renormalised (what a draw's shares become, see effective_row)."""
    return float(effective_row(ctx.loaded, {path: value})[path])


def scan_task(ctx: ScanContext, spec: InputSpec) -> dict[str, Any]:
    """Scan one input: its nodes (:func:`scan_nodes`), bisecting to the last value that works
    where the chain fails; returns nodes (axis coordinates), outputs, the feasible interval
    and failures."""
    base_value = spec.mode
    nodes = scan_nodes(spec.low, spec.mode, spec.high, integer=spec.integer)
    good: dict[float, np.ndarray] = {base_value: ctx.base}
    failures: list[dict[str, Any]] = []
    for side in (-1, 1):
        ordered = sorted((v for v in nodes if (v - base_value) * side > 0),
                         key=lambda v: abs(v - base_value))
        last = base_value
        for v in ordered:
            out = _node(ctx, spec.path, v)
            if isinstance(out, str):
                failures.append({"value": v, "error": out})
                edge = _bisect(ctx, spec, last, v, good)
                failures[-1]["feasible_to"] = edge
                break
            good[v] = out
            last = v
    xs = sorted(good)
    coords = np.array([_coordinate(ctx, spec.path, x) for x in xs])
    return {"path": spec.path, "nodes": coords, "values": np.vstack([good[x] for x in xs]),
            "feasible": (float(coords[0]), float(coords[-1])), "failures": failures,
            "values_scanned": [float(x) for x in xs]}


def _bisect(ctx: ScanContext, spec: InputSpec, ok: float, bad: float,
            good: dict[float, np.ndarray]) -> float:
    """Narrow [ok, bad] to the last value at which the chain runs; add it as a node."""
    for _ in range(_BISECT):
        mid = 0.5 * (ok + bad)
        if spec.integer:
            mid = float(round(mid))
            if mid in (ok, bad):
                break
        out = _node(ctx, spec.path, mid)
        if isinstance(out, str):
            bad = mid
        else:
            good[mid] = out
            ok = mid
    return ok


def build_model(loaded: Any, draws: Any, specs: Sequence[InputSpec], runner: Any, *,
                outcome: Any = None, n_plans: int = 13, progress: Any = None,
                seed: int = 0, library: str = "ladder", metric: str = "rf") -> FastModel:
    """The fast model of ``loaded`` for the drawn inputs ``specs`` (raises :class:`NotFastError`
    when an input is outside what the fast path covers)."""
    from reeflow.chain import run_chain

    t0 = time.perf_counter()
    grade_ree = {species_key(el) for el in loaded.project.ree}
    times: dict[str, float] = {}
    for s in specs:
        if classify(s.path) == "structural":
            raise NotFastError(f"{s.path} is not a plant, design-economics or price/cost-scale "
                               "input")
    outcome = run_chain(loaded) if outcome is None else outcome
    ctx, groups = base_context(loaded, outcome)
    times["base probes"] = time.perf_counter() - t0
    scanned = [s for s in specs if classify(s.path) in ("plant", "basis")]
    t = time.perf_counter()
    scans = runner.map(scan_task, [(s,) for s in scanned], shared=ctx,
                       progress=progress("scans", len(scanned)) if progress else None)
    times["scans"] = time.perf_counter() - t
    grade = [_deposit_grade(loaded, outcome, sc) for sc in scans]
    axes = [Axis(sc["path"], sc["nodes"], np.column_stack([sc["values"], g]), sc["feasible"])
            for sc, g in zip(scans, grade, strict=True)]
    surrogate = Surrogate.fit((*ctx.names, "deposit_grade"), np.append(ctx.base, 1.0), axes)
    model = _assemble(loaded, outcome, ctx, groups, specs, surrogate, draws)
    model.species_ree = np.array([s in grade_ree for s in model.species], bool)
    model.metric = metric
    t = time.perf_counter()
    _plan_library(model, loaded, outcome, draws, runner, n_plans, progress, seed, library)
    times["plan library"] = time.perf_counter() - t
    model.meta.update({"scans": [{"path": sc["path"], "nodes": sc["nodes"].tolist(),
                                  "feasible": list(sc["feasible"]),
                                  "failures": sc["failures"]} for sc in scans],
                       "setup_times_s": times, "setup_s": time.perf_counter() - t0,
                       "rigorous_evaluations": _count(scans)})
    return model


def _deposit_grade(loaded: Any, outcome: Any, scan: dict[str, Any]) -> np.ndarray:
    """How the deposit's grade moves along a scanned input: the tonnage-weighted primary
    grade of the chain's resource at each scanned value over the base's (the chain scales a
    SYNTHETIC deposit calibrated to a public grade with ``ore.treo_grade``, and any deposit's
    estimate with ``deposit.grade_factor``; 1 where the input does not reach the deposit)."""
    from reeflow.chain import pipeline, with_overrides
    from reeflow.chain.mine_steps import mean_grade_frac

    res0 = outcome.resource
    if res0 is None or not (scan["path"].startswith("ore.")
                            or scan["path"] == "deposit.grade_factor"):
        return np.ones(len(scan["nodes"]))
    col = f"{getattr(res0, 'primary', 'treo')}_frac"
    g0 = mean_grade_frac(res0.block_model, col)
    val = pipeline_valuation(loaded.project, outcome)
    rec = float(outcome.design.summary.kpis["overall_reo_recovery_frac"])
    out = []
    for v in scan["values_scanned"]:
        proj = with_overrides(loaded, effective_row(loaded, {scan["path"]: v})).project
        res = pipeline.resource_of(proj, val, rec)
        out.append(1.0 if res is None else mean_grade_frac(res.block_model, col) / g0)
    return np.asarray(out)


def _count(scans: Sequence[dict[str, Any]]) -> int:
    return 1 + sum(len(sc["nodes"]) - 1 + len(sc["failures"]) * (1 + _BISECT) for sc in scans)


def _assemble(loaded: Any, outcome: Any, ctx: ScanContext, groups: dict[str, Any],
              specs: Sequence[InputSpec], surrogate: Surrogate, draws: Any) -> FastModel:
    p = loaded.project
    e = p.economics
    layout = ctx.layout
    inputs = tuple(s.path for s in specs)
    shares = [i for i, s in enumerate(inputs) if s.startswith("ore.ree_distribution.")]
    drawn = {inputs[i].rsplit(".", 1)[1] for i in shares}
    share_rest = float(sum(v for el, v in p.ore.ree_distribution.items() if el not in drawn))
    product_q = np.array([layout.index(probe.product_key(x)) for x in layout.products])
    purity_names = tuple(x if x in ctx.purities else None for x in layout.products)
    closure_from_capex = not np.isfinite(ctx.base[ctx.names.index("closure")])
    val = pipeline_valuation(p, outcome)
    model = FastModel(
        inputs=inputs, scanned=tuple(ax.path for ax in surrogate.axes),
        base_scales=np.array([e.price_scale_ndpr_frac, e.price_scale_other_frac,
                              e.price_scale_byproduct_frac, e.capex_scale_frac,
                              e.opex_scale_frac], float),
        layout=layout, surrogate=surrogate, c0=ctx.c0, share_columns=tuple(shares),
        share_rest=share_rest,
        product_q=product_q, product_groups=np.asarray(groups["share"], float),
        purity_names=purity_names, marketing=ctx.marketing, species=ctx.species,
        species_groups=np.asarray(groups["species_groups"], float),
        royalty_frac=float(val.royalty_frac), valuation_rate=float(val.discount_rate),
        schedule=outcome.basis.base.schedule, fiscal=outcome.basis.base.fiscal,
        rate=float(e.headline_rate), closure_from_capex=closure_from_capex,
        design_ore_t=float(outcome.basis.base.schedule.life_years)
        * float(outcome.basis.inputs.ore_t_per_a),
        path_groups=tuple({"economics.price_scale_ndpr": 0, "economics.price_scale_other": 1,
                           "economics.price_scale_byproduct": 2}[k] for k in draws.path_names),
        plans=[], plan_variable=[], royalty_base=str(val.royalty_base))
    return model


def pipeline_valuation(project: Any, outcome: Any) -> Any:
    """The base chain's block valuation (its royalty and discount rate)."""
    from reeflow.chain import pipeline

    return pipeline.block_valuation_of(project, outcome.design, _design_basis(outcome))


def _design_basis(outcome: Any) -> Any:
    """The economics the chain valued its blocks with (the unsized design-basis plant's)."""
    return outcome.design_basis if outcome.design_basis is not None else outcome.basis


def _plan_library(model: FastModel, loaded: Any, outcome: Any, draws: Any, runner: Any,
                  n_plans: int, progress: Any, seed: int, library: str = "ladder") -> None:
    """Plan the mine for representative draws (k-means of the draws' valuation features), on
    the estimate and on every realisation, and attach the plans' yearly plant quantities."""
    from reeflow.risk.plans import representatives

    p = loaded.project
    species = model.species
    base_plan = plan_from_outcome(p, outcome.mine, species, 1.0, -1)
    if not base_plan.ok:
        raise InputError("mine plan", base_plan.error, "a base case that mines ore",
                         "fix the base case so its mine plan sends ore to the plant (check prices, "
                         "costs and cut-off)")
    full = base_plan.ore_t >= 0.999 * base_plan.ore_t.max()
    anchor = base_plan.feed[full].mean(axis=0)
    J, b = probe.plant_response(p, outcome.design, model.layout, probe.first_year(p), anchor)
    model.meta["anchor_feed_t"] = anchor.tolist()
    model.rf_terms = base_plan.objective_terms(model.valuation_rate)
    model.rf_base = 1.0
    base_row = model.surrogate.base[None, :]
    base_s = model.base_scales[None, :]
    model.rf_base = float(model.equivalent_rf(base_row, base_s)[0])
    X = model.effective(draws.values)
    Z, S = model.design(X)[0], model.scales(X)
    F = model.features(Z, S)
    sd = F.std(axis=0)
    model.feature_scale = np.where(sd > 1e-9, sd, 1.0)
    f0 = model.features(base_row, base_s)[0]
    rf = model.equivalent_rf(Z, S)
    val = pipeline_valuation(p, outcome)
    specs = [(val, 1.0, 1.0, tuple(f0))]  # the base valuation (the estimate's plan exists)
    if library == "ladder":
        from reeflow.risk.plans import revenue_factor_ladder, scaled_valuation

        specs += [(scaled_valuation(val, f), f, 1.0, tuple(f0 + np.log(f)))
                  for f in revenue_factor_ladder(rf, n=n_plans - 1) if f != 1.0]
    else:
        reps = [int(i) for i in representatives(model.metric_space(F), n_plans - 1)] \
            if n_plans > 1 else []
        specs += [(_valuation_of_draw(model, val, Z[i], S[i]), float(rf[i]),
                   float(model.grade(Z[i:i + 1])[0]), tuple(F[i])) for i in reps]
    model.meta["library"] = library
    real_ids = sorted({int(r) for r in np.unique(draws.realisation)})
    tasks: list[tuple[Any, ...]] = []
    if -1 in real_ids and len(specs) > 1:
        tasks += [(outcome.resource, species, [sp], -1, 0) for sp in specs[1:]]
    tasks += [(outcome.resource, species, specs, r, _realisation_seed(seed, r))
              for r in real_ids if r >= 0]
    parts = runner.map(_plan_task, tasks, shared=p,
                       progress=progress("mine plans", len(tasks)) if progress else None)
    plans = [pl for part in parts for pl in part]
    base_plan = replace(base_plan, features=tuple(f0))
    plan_list = ([base_plan] if -1 in real_ids else []) + list(plans)
    model.plans = plan_list
    model.plan_variable = [(b[None, :] + pl.feed @ J.T) - model.c0[None, :] if pl.ok
                           else np.zeros((0, len(model.layout.q))) for pl in plan_list]
    ree = slice(1, 1 + len(p.ree))  # the feed's REE oxide columns (see probe.feed_vector)
    model.plan_ree = [pl.feed[:, ree] @ J[:, ree].T if pl.ok
                      else np.zeros((0, len(model.layout.q))) for pl in plan_list]
    model.meta["plans"] = [{"revenue_factor": pl.revenue_factor, "realisation": pl.realisation,
                            "grade_factor": pl.grade_factor, "years": pl.years,
                            "ore_t": float(pl.ore_t.sum()), "error": pl.error}
                           for pl in plan_list]


def _valuation_of_draw(model: FastModel, base_val: Any, z: np.ndarray, s: np.ndarray) -> Any:
    """The block valuation the chain would give a draw (its design-stage surrogate values and
    its price and cost multipliers)."""
    Z, S = z[None, :], s[None, :]
    price = (model.z(Z, "vprice:") * (S[:, :3] @ model.species_groups.T))[0]
    rec = model.z(Z, "vrec:")[0]
    cost = model.z(Z, "vcost:")[0] * s[4]
    return replace(base_val,
                   product_cost_usd_per_kg={k: float(v) for k, v in zip(model.species, cost,
                                                                        strict=True) if v > 0},
                   prices_usd_per_kg={k: float(v) for k, v in zip(model.species, price,
                                                                  strict=True)},
                   recoveries_frac={k: float(v) for k, v in zip(model.species, rec,
                                                                strict=True)},
                   processing_cost_usd_per_t=float(model.col(Z, "vproc")[0] * s[4]),
                   mining_cost_usd_per_t=float(model.col(Z, "vmine")[0] * s[4]))


def _realisation_seed(seed: int, realisation: int) -> int:
    """The SGS seed of one realisation (independent streams, whatever runs it)."""
    return int(np.random.SeedSequence([int(seed) % 2**63, 7, int(realisation)])
               .generate_state(1)[0])


def _plan_task(project: Any, resource: Any, species: Sequence[str],
               specs: Sequence[tuple[Any, float, float, tuple[float, ...]]], realisation: int,
               sgs_seed: int) -> list[Plan]:
    """Plans for ``specs`` (valuation, equivalent revenue factor, grade factor, features) on
    the estimate (realisation -1) or on one SGS realisation of the block model (simulated
    here, so realisations run in parallel)."""
    if realisation >= 0:
        resource = realised_resource(resource, simulate_primary(resource, seed=sgs_seed))
    return [replace(plan_library_task(project, val, resource, species, 1.0, realisation,
                                      grade_factor=g, features=f), revenue_factor=rf)
            for val, rf, g, f in specs]


_ = SCALE_INPUTS  # re-exported through fast
