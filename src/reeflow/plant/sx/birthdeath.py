"""Exact steady state of a linear (constant-D) counter-current cascade, subtraction-free.

With constant distribution ratios every element is independent and its cascade is linear
(Kremser, *Natl. Petrol. News* 22 (1930) 42, solved it in closed form for uniform sections).
Follow one molecule: on stage k (0-based from the raffinate end) it leaves in the organic with
probability ``p_k = E_k/(1 + E_k)`` and in the aqueous with ``q_k = 1/(1 + E_k)``,
``E_k = D_k·Q_org,k/Q_aq,k`` (the extraction factor from the engine's own stage flows); the
organic moves it to stage k + 1, the aqueous to k − 1, a draw of fraction ``da_k`` (``do_k``)
of the phase ends its walk there (the first strip stage, whose aqueous leaves whole as the strip
liquor, draws ``da = 1``), and the two ends absorb it (raffinate, loaded organic). This
is a birth–death chain with killing; the stage throughput ``T_k = l_k + v_k`` (mol/h) is the
feed times the expected visits, ``T = Gᵀ f`` with ``G = (I − P)⁻¹``.

Where an element is more extractable than the scrub returns and less than the extraction
strips, ``1 − P`` has diagonals ``1 − (return probability)`` of 1e-11 or less and Gaussian
elimination (or Newton on the balances) loses every digit to cancellation. The recurrences here
use only products, quotients and sums of positive terms — the state-reduction idea of
Grassmann, Taksar & Heyman (1985), "Regenerative analysis and steady state distributions for
Markov chains", *Operations Research* 33(5):1107–1116 — so every flow has a relative error of a
few machine epsilons per stage, whatever the hold-up (1e11–1e17 times the feed):

- from below, ``r_k`` = P(the walk from k reaches k + 1 before it is absorbed below),
  ``s_k`` = its complement, computed as ``s_k = (q_k' s_{k−1} + κ_k)/(p_k' + q_k' s_{k−1} + κ_k)``
  with ``p' = p(1 − do)``, ``q' = q(1 − da)``, ``κ = p·do + q·da`` and ``s_{−1} = 1`` (the
  raffinate absorbs); the mirror ``r'_k``, ``t_k`` from above (``t_N = 1``);
- the escape probability of stage k is ``q'_k s_{k−1} + p'_k t_{k+1} + κ_k`` (a sum, not
  ``1 −`` the return probability), so ``G(k, k) = 1/escape``; ``G(j, k)`` is the product of
  the ``r`` (``r'``) between j and k times ``G(k, k)``, summed over the feeds by two sweeps.

All terms are scaled by ``1 + E_k`` (``p' → E(1 − do)``, ``q' → 1 − da``), so the aqueous
flow leaving stage k comes out directly as ``l_k = (fed reaching k)/(scaled escape)``.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from reeflow.plant.sx import solver
from reeflow.plant.sx.steady import SolveRecord

__all__ = ["METHOD", "is_plain", "exact_profile", "solve_exact", "beyond_newton"]

#: the strategy the solve record names
METHOD = "exact linear (subtraction-free)"


def is_plain(cascade, model: str) -> bool:
    """Whether ``cascade`` under ``model`` is the linear birth–death chain this module solves:
    the constant_d model, ideal stages and no entrainment. Side draws (either phase) and a
    strip section are in it: every stage's outflows split by fixed fractions among the aqueous
    to stage k − 1, the organic to stage k + 1 and the draws, and the first strip stage, whose
    aqueous leaves whole as the strip liquor, is an aqueous draw of fraction 1 (``da = 1``
    there, as :func:`reeflow.plant.sx.cascade._hydraulics` sets it), which cuts the chain's
    downward step. Entrainment (each phase partly carried the wrong way) and a Murphree
    efficiency below 1 (the organic leaving depends on the organic entering) are not modelled
    here and keep the Newton path. A cascade has no recycle: every feed is external."""
    return (model == "constant_d" and float(cascade.murphree_efficiency) == 1.0
            and float(cascade.entrainment_aq_frac) == 0.0
            and float(cascade.entrainment_org_frac) == 0.0)


@nb.njit(cache=True, error_model="numpy")
def _from_below(up, down, kill):
    """``r[k]`` = P(reach k + 1 before absorption, starting at k, below k + 1 only) and
    ``s[k] = 1 − r[k]`` without the subtraction; rows are stages, columns elements. ``up``,
    ``down``, ``kill``: the (scaled) probabilities of moving to k + 1, to k − 1, or ending."""
    n, c = up.shape
    r = np.empty((n, c))
    s = np.empty((n, c))
    for i in range(c):
        prev = 1.0  # below stage 0 the raffinate absorbs
        for k in range(n):
            lose = down[k, i] * prev + kill[k, i]
            den = up[k, i] + lose
            r[k, i] = up[k, i] / den
            s[k, i] = lose / den
            prev = s[k, i]
    return r, s


@nb.njit(cache=True, error_model="numpy")
def _reach(r, feed):
    """``a[k] = Σ_{j≤k} feed[j]·Π_{m=j}^{k−1} r[m]`` (mol/h): the fed molecules that reach k
    from below it (including k's own feed), one sweep of products of positive terms."""
    n, c = feed.shape
    a = np.empty((n, c))
    for i in range(c):
        acc = 0.0
        for k in range(n):
            acc = feed[k, i] + (r[k - 1, i] * acc if k > 0 else 0.0)
            a[k, i] = acc
    return a


def exact_profile(e: np.ndarray, da: np.ndarray, do: np.ndarray,
                  feed: np.ndarray) -> np.ndarray:
    """Aqueous flows leaving every stage (mol/h, shape (N, C)) of the linear cascade.

    ``e``: extraction factors ``E = D·Q_org/Q_aq`` per stage and element (dimensionless,
    (N, C)); ``da``, ``do``: the fraction of the aqueous (organic) leaving each stage that is
    drawn off (N,); ``feed``: mol/h fed to each stage (N, C). The organic leaving is ``E·l``.
    Non-finite entries mean the hold-up is beyond the double range (the caller checks).
    """
    up = e * (1.0 - do)[:, None]
    down = np.broadcast_to((1.0 - da)[:, None], e.shape).copy()
    kill = da[:, None] + e * do[:, None]
    r, s = _from_below(up, down, kill)
    rb, tb = _from_below(down[::-1].copy(), up[::-1].copy(), kill[::-1].copy())
    rt, t = rb[::-1], tb[::-1]  # from above: rt[k] reaches k − 1, t[k] is absorbed above
    n = e.shape[0]
    below = np.vstack((np.ones((1, e.shape[1])), s[:-1]))  # s_{k−1}, 1 at the raffinate end
    above = np.vstack((t[1:], np.ones((1, e.shape[1]))))  # t_{k+1}, 1 at the organic end
    escape = down * below + up * above + kill
    a = _reach(r, feed)
    b = _reach(rt[::-1].copy(), feed[::-1].copy())[::-1]
    reach = feed.copy()
    reach[1:] += r[:-1] * a[:-1]
    reach[: n - 1] += rt[1:] * b[1:]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return reach / escape


def _roundoff_residual(aq: np.ndarray, v: np.ndarray, da: np.ndarray, do: np.ndarray,
                       feed: np.ndarray, scale: np.ndarray, tol: float) -> float:
    """The stage balances' scaled residual with the stage flows' round-off allowed, as the
    Newton solver measures it (``solver._worst_closure``) but without its cap of 1e-9 of the
    feed: ``max |R_ki| / (scale_i + κ·(aq_ki + v_ki))``, κ = 64 ε / tol. The cap stands for
    what Newton cannot resolve; this solve resolves it (its outlets are componentwise exact)."""
    r = feed - aq - v
    r[:-1] += (1.0 - da[1:])[:, None] * aq[1:]
    r[1:] += (1.0 - do[:-1])[:, None] * v[:-1]
    return float(solver.scaled_closure(r, aq, v, scale, tol, np.inf))


def solve_exact(p: np.ndarray, q_aq: np.ndarray, q_org: np.ndarray, da: np.ndarray,
                do: np.ndarray, feed: np.ndarray, scale: np.ndarray, tol: float):
    """``(aq, v, residual, SolveRecord)`` of a plain constant-D cascade, or None where the
    flows leave the double range (non-finite) or the stage balances do not close to ``tol``
    with round-off allowed (:func:`_roundoff_residual`): an unconverged answer is never given.

    ``p``: the model's rows of D (N, C); ``q_aq``, ``q_org``: stage flows (L/h); ``feed``:
    mol/h per stage; ``scale``: mol/h fed per component."""
    e = p * (q_org / q_aq)[:, None]  # as constant_d.stage computes v = D·(Q_org/Q_aq)·l
    aq = exact_profile(e, da, do, feed)
    with np.errstate(invalid="ignore", over="ignore"):
        v = e * aq
    if not (np.all(np.isfinite(aq)) and np.all(np.isfinite(v)) and np.all(aq >= 0)):
        return None
    res = _roundoff_residual(aq, v, da, do, feed, scale, tol)
    if not res <= tol:
        return None
    return aq, v, res, SolveRecord(METHOD, 0, ((METHOD, 0, res),))


def beyond_newton(aq: np.ndarray, v: np.ndarray, scale: np.ndarray) -> bool:
    """Whether a component is held past what the Newton balances close in double precision
    (``held·ROUNDOFF_EPS > ROUNDOFF_CAP``, ~7e4 times its feed; the criterion of
    :func:`reeflow.plant.sx.steady._trapped`)."""
    held = (aq + v).max(axis=0) / scale
    return bool(held.max() * solver.ROUNDOFF_EPS > solver.ROUNDOFF_CAP)
