"""Running a whole-chain Monte Carlo: draw, build the fast model, evaluate, summarise.

``run_risk`` is the one entry point (the ``reeflow risk`` command and the study call it). It
draws the inputs up front from the seed (:mod:`reeflow.risk.inputs`), builds the fast model
(:mod:`reeflow.risk.build`) — or, when a drawn input is outside what the fast path covers or
``method="rigorous"``, runs :func:`reeflow.chain.what_if` per draw — and evaluates the draws in
fixed chunks on the chosen backend (:mod:`reeflow.risk.backends`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError, ReeflowError
from reeflow.risk import stats
from reeflow.risk.backends import Progress, Runner, SerialRunner, make_runner
from reeflow.risk.fast import OUTPUTS, evaluate_chunk
from reeflow.risk.inputs import Draws, draw, effective_row, input_specs

__all__ = ["RiskResult", "run_risk", "CHUNK", "rigorous_outputs", "compare", "study_section"]

#: Draws per task: fixed, so that results do not depend on the backend or worker count.
CHUNK = 256
METHODS = ("auto", "fast", "rigorous")
#: Most mine plans the fast path may build (each a re-plan of the mine; 13 by default)
MAX_PLANS = 200


@dataclass
class RiskResult:
    """A Monte Carlo's draws, per-draw outputs, summaries and how it was computed."""

    draws: Draws
    outputs: dict[str, np.ndarray]
    method: str
    seed: int
    inputs: list[dict[str, Any]]
    model: dict[str, Any] = field(default_factory=dict)
    backend: dict[str, Any] = field(default_factory=dict)
    times_s: dict[str, float] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    note: str = ""

    def table(self) -> pd.DataFrame:
        """One row per draw: the drawn inputs and the outputs."""
        df = pd.DataFrame(self.draws.values, columns=list(self.draws.names))
        for k in OUTPUTS:
            df[k] = self.outputs[k]
        if self.draws.realisation.size and (self.draws.realisation >= 0).any():
            df["realisation"] = self.draws.realisation
        return df

    @property
    def npv(self) -> np.ndarray:
        return self.outputs["npv_usd"]

    def infeasible(self) -> dict[str, Any]:
        """The draws with no viable project (no ore pays at the drawn inputs, or the chain
        refuses them: an SX spec no train meets...). They have no NPV, so the percentiles and
        the probability of loss are over the feasible draws; ``prob_loss_all_draws`` counts
        them as losses, the bound an investor reads (a draw with no project is not a gain)."""
        npv = np.asarray(self.npv, float)
        n = int(self.draws.n)
        feasible = int(np.nansum(self.outputs["feasible"]))
        bad = n - feasible
        losses = int(np.count_nonzero(np.isfinite(npv) & (npv < 0)))
        out: dict[str, Any] = {"infeasible_draws": bad,
                               "prob_loss_all_draws": (losses + bad) / n if n else None}
        if bad:
            out["infeasible_note"] = (
                f"{bad} of {n} draws ({bad / n:.1%}) have no viable project (no ore pays at the "
                "drawn inputs, or the chain refuses them) and no NPV: P10/P50/P90 and the "
                f"probability of loss are over the {feasible} feasible draws; counting the "
                f"others as losses, the probability of loss is {(losses + bad) / n:.1%}")
            refused = self.refusals()
            if refused:
                out["infeasible_note"] += "; the chain refused " + "; ".join(refused)
        return out

    def refusals(self) -> list[str]:
        """Where the setup's scans found the chain refusing an input (the fast path's draws
        beyond it have no project): input, the value refused, the last value that works,
        and the chain's reason (shortened). Empty for the rigorous path, which has no scans
        (a draw the fast path could not explain was read as 'no ore pays'; fuzz round 25)."""
        out = []
        for sc in self.model.get("scans") or []:
            for f in sc.get("failures") or []:
                why = str(f.get("error", ""))
                why = why if len(why) <= 160 else why[:157] + "..."
                out.append(f"{sc['path']} at {float(f['value']):.4g} (it works to "
                           f"{float(f['feasible_to']):.4g}): {why}")
        return out

    def summary(self) -> dict[str, Any]:
        """Headline figures (``reeflow risk --json``)."""
        s = stats.summary(self.npv, loss=True)
        return {"draws": self.draws.n, "feasible_draws": int(np.nansum(self.outputs["feasible"])),
                "seed": self.seed, "method": self.method,
                "p10_usd": s.get("p10"), "p50_usd": s.get("p50"), "p90_usd": s.get("p90"),
                "mean_usd": s.get("mean"), "stderr_mean_usd": s.get("stderr_mean"),
                "prob_loss": s.get("prob_loss"), "var95_usd": s.get("var95"),
                "cvar95_usd": s.get("cvar95"), **self.infeasible()}

    def section(self) -> dict[str, Any]:
        """The ``risk`` section of results.json (deterministic: no timings, no backend)."""
        o = self.outputs
        real = self.draws.realisation
        infeasible = self.infeasible()
        per_real = []
        for r in sorted({int(x) for x in real if x >= 0}):
            m = real == r
            per_real.append({"realisation": r, **{k: v for k, v in stats.summary(
                o["npv_usd"][m], loss=True).items() if k in ("n", "p10", "p50", "p90",
                                                               "prob_loss")}})
        return {
            "method": self.method, "draws": self.draws.n, "seed": self.seed,
            "feasible_draws": int(np.nansum(o["feasible"])), "inputs": self.inputs,
            "realisations": int(real.max() + 1) if real.size and real.max() >= 0 else 0,
            "npv_usd": stats.summary(o["npv_usd"], loss=True),
            "irr_frac": stats.summary(o["irr_frac"]),
            "mine_life_years": stats.summary(o["mine_life_years"]),
            "reo_t_per_a": stats.summary(o["reo_t_per_a"]),
            "ndpr_oxide_t_per_a": stats.summary(o["ndpr_oxide_t_per_a"]),
            "capex_usd": stats.summary(o["capex_usd"]),
            "histograms": {k: stats.histogram(o[k]) for k in
                           ("npv_usd", "irr_frac", "mine_life_years", "reo_t_per_a")},
            "s_curves": {k: stats.s_curve(o[k]) for k in ("npv_usd", "irr_frac")},
            "convergence": stats.convergence(o["npv_usd"]),
            "rank_correlations": stats.rank_correlations(self.draws.values, self.draws.names,
                                                         o["npv_usd"], self.labels),
            "reo_by_year": stats.fan(o["reo_by_year"]) if "reo_by_year" in o else [],
            "by_realisation": per_real, "price_paths": list(self.draws.path_names),
            "fast_path": {k: v for k, v in self.model.items()
                          if k not in ("setup_times_s", "setup_s")},
            **infeasible,
            "note": "; ".join(t for t in (self.note, infeasible.get("infeasible_note")) if t)}


def _labels() -> dict[str, str]:
    from reeflow.sensitivity import LABELS

    return dict(LABELS)


def run_risk(project: Any = None, *, draws: int | None = None, seed: int | None = None,
             inputs: Sequence[str] | None = None, workers: int | None = None,
             scheduler: str | None = None, realisations: int | None = None,
             method: str = "auto", n_plans: int = 13, progress: bool = False,
             outcome: Any = None, runner: Runner | None = None) -> RiskResult:
    """Whole-chain Monte Carlo of a project (path, ``builtin:NAME``, None for the built-in case,
    or a :class:`LoadedProject`): ``draws`` (default ``economics.monte_carlo_draws``) of the
    drawn inputs (default ``risk.inputs``, else every ranged input) with ``seed`` (default
    ``economics.seed``)."""
    from reeflow.project import LoadedProject, load_project

    t0 = time.perf_counter()
    loaded = project if isinstance(project, LoadedProject) else load_project(project)
    e = loaded.project.economics
    if draws is None and e.monte_carlo_draws < 1:
        raise InputError("economics.monte_carlo_draws", e.monte_carlo_draws,
                         "at least 1 draw for a Monte Carlo",
                         "set economics.monte_carlo_draws (e.g. 1000) or pass --draws 1000")
    if not (isinstance(n_plans, int) and 1 <= n_plans <= MAX_PLANS):
        raise InputError("n_plans", n_plans, f"1..{MAX_PLANS} mine plans for the fast path",
                         "pass n_plans=13 (the default)")
    n = int(e.monte_carlo_draws if draws is None else draws)
    seed = int(e.seed if seed is None else seed)
    if method not in METHODS:
        raise InputError("method", method, f"one of {METHODS}",
                         "use --method auto, fast or rigorous")
    d = draw(loaded, n, seed=seed, inputs=inputs, realisations=realisations)
    specs = input_specs(loaded, inputs)
    own = runner is None
    run: Runner = make_runner(workers=workers, scheduler=scheduler) if runner is None else runner
    times = {"draw": time.perf_counter() - t0}
    try:
        bar = (lambda label, total: Progress(label, total, enabled=True)) if progress else None
        result = _run(loaded, d, specs, run, method, n_plans, bar, outcome, seed, times)
    finally:
        if own:
            run.close()
    result.backend = run.describe()
    result.times_s = {**times, "total": time.perf_counter() - t0}
    return result


def _run(loaded: Any, d: Draws, specs: Sequence[Any], runner: Runner, method: str,
         n_plans: int, bar: Callable[[str, int], Progress] | None, outcome: Any, seed: int,
         times: dict[str, float]) -> RiskResult:
    from reeflow.risk.build import NotFastError, build_model

    info = [s.to_dict() for s in specs]
    note = ""
    if method != "rigorous":
        try:
            t = time.perf_counter()
            model = build_model(loaded, d, specs, runner, outcome=outcome, n_plans=n_plans,
                                progress=bar, seed=seed)
            times["setup"] = time.perf_counter() - t
            t = time.perf_counter()
            outputs = evaluate(model, d, runner, bar)
            times["draws"] = time.perf_counter() - t
            return RiskResult(d, outputs, "fast", seed, info, model.meta, labels=_labels())
        except NotFastError as exc:
            if method == "fast":
                raise InputError("method", "fast", "inputs the fast path covers", str(exc)) \
                    from None
            note = f"rigorous chain per draw: {exc}"
    if d.path_names:
        raise InputError("risk.price_paths", list(d.path_names), "no price paths with the "
                         "rigorous chain (it prices every year with one deck)",
                         "remove the price paths or draw only inputs the fast path covers")
    t = time.perf_counter()
    outputs = rigorous_outputs(loaded, d, runner, bar)
    times["draws"] = time.perf_counter() - t
    return RiskResult(d, outputs, "rigorous", seed, info, labels=_labels(), note=note)


def study_section(outcome: Any, *, draws: int | None = None, seed: int | None = None,
                  workers: int | None = 1, n_plans: int = 13, **options: Any) -> Any:
    """The typed ``risk`` section of results.json for a study whose chain already ran
    (``outcome``: its :class:`ChainOutcome`, reused as the base of the fast path)."""
    from reeflow.results import RiskSection

    res = run_risk(outcome.loaded, draws=draws, seed=seed, workers=workers, n_plans=n_plans,
                   outcome=outcome, **options)
    return RiskSection.model_validate(_jsonable(res.section()))


def _jsonable(x: Any) -> Any:
    import json

    from reeflow.core.jsonio import dumps

    return json.loads(dumps(x))


#: Below this many draws a local pool costs more to start than it saves (measured: 5,000 draws
#: take 1.4 s in one process, 7 s on a fresh 2-worker pool, 1.6 s on a warm one).
MIN_PARALLEL_DRAWS = 50_000


def evaluate(model: Any, d: Draws, runner: Runner,
             bar: Callable[[str, int], Progress] | None = None, *,
             min_parallel: int = MIN_PARALLEL_DRAWS) -> dict[str, np.ndarray]:
    """Evaluate every draw with the fast model, in fixed chunks of :data:`CHUNK` draws (the
    same chunks on every backend, so the numbers do not depend on it); fewer than
    ``min_parallel`` draws run in this process unless the backend is a Dask cluster."""
    H = max((p.years for p in model.plans), default=1)
    tasks = [(d.values[i:i + CHUNK], d.paths[i:i + CHUNK], d.realisation[i:i + CHUNK], H)
             for i in range(0, d.n, CHUNK)]
    use = runner if d.n >= min_parallel or runner.name == "dask" else SerialRunner()
    parts = use.map(evaluate_chunk, tasks, shared=model,
                    progress=bar("draws", len(tasks)) if bar else None)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _rigorous_task(loaded: Any, rows: list[dict[str, float]], horizon: int
                   ) -> dict[str, np.ndarray]:
    """what_if per draw (the study chain itself); a draw the chain refuses is infeasible."""
    from reeflow.chain import what_if

    out = {k: np.full(len(rows), np.nan) for k in OUTPUTS}
    out["reo_by_year"] = np.full((len(rows), horizon), np.nan)
    for i, row in enumerate(rows):
        try:
            o = what_if(loaded, effective_row(loaded, row))
        except ReeflowError:
            out["feasible"][i] = 0.0
            continue
        for k, v in outcome_outputs(o).items():
            out[k][i] = v
        reo = np.asarray(o.quantities.reo_t, float)
        out["reo_by_year"][i, :min(reo.size, horizon)] = reo[:horizon]
    return out


def outcome_outputs(o: Any) -> dict[str, float]:
    """The per-draw outputs of a rigorous chain outcome."""
    q = o.quantities
    return {"npv_usd": o.npv_usd(), "irr_frac": float(o.annual.irr_frac),
            "payback_years": float(o.annual.payback_years),
            "mine_life_years": float(q.n_years), "reo_t_per_a": float(np.mean(q.reo_t)),
            "reo_total_t": float(np.sum(q.reo_t)),
            "ndpr_oxide_t_per_a": float(np.mean([y.ndpr_oxide_t for y in o.years])),
            "capex_usd": float(o.annual.capex_usd), "plan": np.nan, "feasible": 1.0}


def rigorous_outputs(loaded: Any, d: Draws, runner: Runner,
                     bar: Callable[[str, int], Progress] | None = None
                     ) -> dict[str, np.ndarray]:
    """Every draw through :func:`reeflow.chain.what_if` (slow; the reference)."""
    H = int(loaded.project.economics.schedule.life_years)
    rows = d.rows()
    size = max(1, min(8, -(-d.n // max(runner.workers, 1))))
    tasks = [(rows[i:i + size], H) for i in range(0, d.n, size)]
    parts = runner.map(_rigorous_task, tasks, shared=loaded,
                       progress=bar("draws (rigorous)", len(tasks)) if bar else None)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def compare(fast: Mapping[str, np.ndarray], rigorous: Mapping[str, np.ndarray],
            scale_usd: float) -> dict[str, Any]:
    """Differences of the fast path from the rigorous chain over the draws both ran: NPV as a
    fraction of ``scale_usd`` (the base capex), IRR in points, REO relative, life in years."""
    ok = (np.asarray(fast["feasible"]) > 0) & (np.asarray(rigorous["feasible"]) > 0)
    if not ok.any():
        return {"n": 0}
    dn = np.abs(fast["npv_usd"][ok] - rigorous["npv_usd"][ok]) / scale_usd
    di = np.abs(fast["irr_frac"][ok] - rigorous["irr_frac"][ok])
    dr = np.abs(fast["reo_t_per_a"][ok] / rigorous["reo_t_per_a"][ok] - 1.0)
    dl = np.abs(fast["mine_life_years"][ok] - rigorous["mine_life_years"][ok])
    agree = np.asarray(fast["feasible"]) == np.asarray(rigorous["feasible"])
    return {"n": int(ok.sum()), "npv_max_frac_of_capex": float(dn.max()),
            "npv_mean_frac_of_capex": float(dn.mean()),
            "irr_max_abs": float(np.nanmax(di)) if np.isfinite(di).any() else None,
            "reo_max_rel": float(dr.max()), "life_max_years": float(dl.max()),
            "feasibility_agreement": float(agree.mean())}
