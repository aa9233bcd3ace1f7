"""Steady-state strategy: which Newton variant to run, in what order, and when to give up.

The kernels in :mod:`reeflow.plant.sx.solver` solve one attempt; this module chains them so
that a result is returned only when the balances close to the tolerance, and otherwise a
:class:`~reeflow.core.errors.ConvergenceError` names the residual and what to change. Attempts,
each with an iteration budget that grows with the cascade (``budget = base + per_stage·N``):

1. globalised Newton from the shortcut start (line search; the kernel falls back to
   pseudo-transient continuation by itself when the line search fails);
2. continuation in the separation (homotopy): the model's selectivities are scaled by
   λ ∈ [0, 1] (α_i^λ, D_i^λ·D̄^(1−λ), K_i^λ·K̄^(1−λ); ``MODELS[m].homotopy``). At λ = 0 every
   element behaves alike and the cascade is easy; each solved λ starts the next, with the
   λ step halved on failure and doubled on success (natural-parameter continuation,
   Allgower & Georg 2003, *Introduction to Numerical Continuation Methods*, SIAM, ch. 1);
3. pseudo-transient continuation (the start-up transient of the cascade) from the shortcut
   start, then from the flat reference profile with a small first time step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from reeflow.core.errors import ConvergenceError
from reeflow.plant.sx import solver

__all__ = ["SolveRecord", "solve_steady", "iteration_budget"]

#: Newton-with-line-search marker for ``solver.newton_cascade`` (``dt0 = inf``).
NEWTON = float("inf")


@dataclass(frozen=True)
class SolveRecord:
    """How the steady state was reached: the attempt that converged and the work done."""

    strategy: str
    iterations: int
    attempts: tuple[tuple[str, int, float], ...]  # (strategy, iterations, final residual)


def iteration_budget(n_stages: int, max_iter: int | None, *, long: bool = False) -> int:
    """Iterations allowed per attempt: ``max_iter`` if given, else 150 + 8 per stage.

    ``long`` (the first Newton/transient attempt and the transient fall-backs): 10,000 + 100
    per stage — a cascade with a large internal reflux (a small product drawn from a highly
    refluxed section, e.g. 0.8 % of the feed at W/(S − W) ≈ 90) needs thousands of
    pseudo-time steps to build its profile (measured: 6,229 for 21 stages).
    """
    if max_iter is not None:
        return int(max_iter)
    return 10_000 + 100 * int(n_stages) if long else 150 + 8 * int(n_stages)


def solve_steady(kind: int, mod: ModuleType, l0: np.ndarray, l_ref: np.ndarray,
                 p: np.ndarray, hyd: tuple, feed: np.ndarray, scale: np.ndarray, tol: float,
                 max_iter: int | None, names: tuple[str, ...] = (),
                 warm: np.ndarray | None = None):
    """Run the attempts in turn; return (aq, v, residual, SolveRecord) or raise (naming a
    component of ``names`` held in the cascade beyond what double precision closes).

    ``warm``: the aqueous profile of a neighbouring cascade's solution (the same stages and
    components, e.g. another draw stage of a three-outlet design). Where its balances are
    nearer closing than the usual start's (the scaled residual norm), the first attempt (the
    model's first pseudo-time step, then Newton) runs from it, on the short budget; where it
    is not, or fails, the attempts run as without it. Plain Newton from a neighbour's profile
    was the worse start for organic-draw designs (38,871 iterations against 23,174 without a
    warm start; 14,074 as now, review of round 19)."""
    q_aq, q_org, da, do, ea, eo = hyd
    n = l0.shape[0]
    budget = iteration_budget(n, max_iter)
    long_budget = iteration_budget(n, max_iter, long=True)
    attempts: list[tuple[str, int, float]] = []
    total = 0
    held = np.zeros(scale.shape)
    best = np.inf

    def attempt(name, start, params, dt0, iters):
        nonlocal total, held, best
        aq, v, it, res, status = solver.newton_cascade(
            kind, start, params, q_aq, q_org, feed, da, do, ea, eo, scale, tol, iters, dt0)
        total += int(it)
        attempts.append((name, int(it), float(res)))
        full = "λ" not in name or name.startswith("continuation λ=1")  # the problem asked
        if full and res < best and np.all(np.isfinite(aq)) and np.all(np.isfinite(v)):
            best, held = float(res), (aq + v).max(axis=0) / scale  # the closest attempt's
        return aq, v, res, status == 0

    if warm is not None and _norm_at(kind, warm, p, hyd, feed, scale) < \
            _norm_at(kind, l0, p, hyd, feed, scale):
        aq, v, res, ok = attempt("warm start", warm, p,
                                 float(getattr(mod, "FIRST_DT", NEWTON)), budget)
        if ok:
            return aq, v, res, SolveRecord("warm start", total, tuple(attempts))
    order = ("newton", "continuation", "transient", "transient_flat")
    homotopy = getattr(mod, "homotopy", None)
    stopped = False
    for name in order:
        if _beyond_precision(best, held):
            stopped = True  # the closest profile holds a component past double precision
            break
        if name == "continuation":
            if homotopy is None:
                continue
            out = _continuation(attempt, homotopy, l_ref, p, budget)
            if out is not None:
                aq, v, res = out
                return aq, v, res, SolveRecord("continuation", total, tuple(attempts))
            continue
        start, dt0 = {"newton": (l0, float(getattr(mod, "FIRST_DT", NEWTON))),
                      "transient": (l0, 1.0),
                      "transient_flat": (l_ref, 1e-2)}[name]
        aq, v, res, ok = attempt(name, start, p, dt0, long_budget)
        if ok:
            return aq, v, res, SolveRecord(name, total, tuple(attempts))
    worst = min((a[2] for a in attempts if "λ" not in a[0] or a[0].startswith("continuation λ=1 ")
                 or a[0] == "continuation λ=1"), default=math.inf)
    trapped = _trapped(held, scale, names, tuple(getattr(mod, "EXTRA_COMPONENTS", ())))
    how = ("stopped there: later attempts meet the same round-off" if stopped else
           "Newton with line search, start-up transient, continuation in the separation")
    raise ConvergenceError(
        f"cascade steady state not found: best max scaled balance residual {worst:.3g} "
        f"(tolerance {tol:.1g}) after {total} iterations over {len(attempts)} attempts "
        f"({how}). "
        + (trapped if trapped else
           "Check the flows (a phase nearly empty on some stage, an acid or organic feed far "
           "from what the separation needs) or pass max_iter= to allow more iterations"))


#: A closest attempt whose balances close to this (scaled) and that holds a component at
#: more than a thousand times what double precision can close (ROUNDOFF_CAP / ROUNDOFF_EPS,
#: ~7e4 times its feed) ends the attempts: every later one meets the same round-off (the
#: independent SX audit of 2026-12-02: constant-D cascades holding Nd at 1.2e11 times its feed
#: ran 5-18 s of further attempts before raising the same error)
_NEAR_CLOSED = 1e-6
_HOPELESS_FACTOR = 1e3


def _beyond_precision(best: float, held: np.ndarray) -> bool:
    return bool(best <= _NEAR_CLOSED and held.size and held.max() * solver.ROUNDOFF_EPS
                > _HOPELESS_FACTOR * solver.ROUNDOFF_CAP)


def _trapped(held: np.ndarray, scale: np.ndarray, names: tuple[str, ...],
             extra: tuple[str, ...] = ()) -> str:
    """The error's clause on a component held past double precision ('' when none): a trace
    component can be dropped; a major one (>= 1 % of the elements fed) cannot, its flows or
    its distribution must change (the audit's Nd, 75 % of its feed, was told to be dropped).
    ``extra``: the model's non-element components (H), left out of the share."""
    if not (held.size and held.max() * solver.ROUNDOFF_EPS > solver.ROUNDOFF_CAP):
        return ""
    i = int(np.argmax(held))
    name = names[i] if i < len(names) else f"component {i}"
    fed = sum(float(x) for k, x in enumerate(scale) if k >= len(names) or names[k] not in extra)
    share = float(scale[i]) / fed if fed > 0 else 0.0
    fix = ("move the feed stage, change the flows or drop the trace component" if share < 0.01
           else "change the flows or the distribution (D, β) so that it leaves at one end: "
                "extraction in one section and stripping in the next hold it between them")
    return (f"{name} ({share:.3g} of the feed) is held in the cascade at {held.max():.2g} "
            "times its feed (more extractable than the scrub returns, less than the extraction "
            f"strips): its balance cannot close in double precision; {fix}")


def _norm_at(kind: int, start: np.ndarray, p: np.ndarray, hyd: tuple, feed: np.ndarray,
             scale: np.ndarray) -> float:
    q_aq, q_org, da, do, ea, eo = hyd
    return float(solver.start_norm(kind, start, p, q_aq, q_org, feed, da, do, ea, eo, scale))


def _continuation(attempt, homotopy, l_ref, p, budget):
    """Natural-parameter continuation in λ; None when λ = 1 is not reached."""
    lam, step = 0.0, 0.25
    aq, v, res, ok = attempt("continuation λ=0", l_ref, homotopy(p, 0.0), 1e-2, budget)
    if not ok:
        return None
    cur = aq
    while lam < 1.0:
        nxt = min(1.0, lam + step)
        aq, v, res, ok = attempt(f"continuation λ={nxt:.3g}", cur, homotopy(p, nxt), NEWTON,
                                 budget)
        if not ok:
            aq, v, res, ok = attempt(f"continuation λ={nxt:.3g} (transient)", cur,
                                     homotopy(p, nxt), 1.0, budget)
        if ok:
            lam, cur = nxt, aq
            step = min(2.0 * step, 0.5)
        else:
            step *= 0.5
            if step < 1e-3:
                return None
    return cur, v, res
