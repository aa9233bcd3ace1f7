"""Numba kernels: steady state of a counter-current cascade by Newton on the block-tridiagonal system.

Unknowns are the aqueous component flows leaving every stage, ``aq``. Organic flows follow from the
stage equilibrium ``v_k = g(l_k)`` of the distribution model. Stage k (1…N from the raffinate
end; organic flows 1 → N, aqueous N → 1) balances every component::

    R_k = F_k + α_{k+1} l_{k+1} + γ_{k+1} v_{k+1} + δ_{k−1} v_{k−1} + ε_{k−1} l_{k−1} − l_k − v_k

with, for the streams leaving stage j: side-draw fractions ``da_j``, ``do_j`` and entrainment
fractions ``ea`` (aqueous carried forward with the organic) and ``eo`` (organic carried back):
``α = (1−da)(1−ea)``, ``ε = (1−da)ea``, ``δ = (1−do)(1−eo)``, ``γ = (1−do)eo``.
The Jacobian is block tridiagonal; each Newton step is one block-Thomas sweep (block LU without
pivoting across blocks, pivoted elimination within blocks; Thomas 1949 / Isaacson & Keller 1966
§2.3.3), globalised by pseudo-transient continuation (see :func:`newton_cascade`).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from reeflow.plant.sx.models import constant_beta, constant_d, mass_action

__all__ = ["newton_cascade", "newton_murphree", "block_thomas", "banded_solve", "linear_solve",
           "initial_profile", "stage_fn", "KINDS"]


#: Kernel codes of the registered models (``models.MODELS[name].KIND``). Numba cannot cache
#: kernels that take functions as arguments, so the compiled solver switches on this code.
KINDS = {"constant_d": 0, "constant_beta": 1, "mass_action": 2}


@nb.njit(cache=True, error_model="numpy")
def stage_fn(kind, aq, q_aq, q_org, p, v, g):  # noqa: E741
    """Evaluate the stage equilibrium of model ``kind`` (see ``KINDS``)."""
    if kind == 0:
        constant_d.stage(aq, q_aq, q_org, p, v, g)
    elif kind == 1:
        constant_beta.stage(aq, q_aq, q_org, p, v, g)
    else:
        mass_action.stage(aq, q_aq, q_org, p, v, g)


@nb.njit(cache=True, error_model="numpy")
def _solve_inplace(a, c, ncol):
    """Gaussian elimination with partial pivoting on the augmented ``a`` (c × (c+ncol)).

    Returns False (and leaves ``a`` undefined) on a zero or non-finite pivot instead of
    dividing by it.
    """
    for j in range(c):
        piv = j
        big = abs(a[j, j])
        for i in range(j + 1, c):
            if abs(a[i, j]) > big:
                big = abs(a[i, j])
                piv = i
        if not (big > 0.0 and big < np.inf):
            return False
        if piv != j:
            for q in range(c + ncol):
                a[j, q], a[piv, q] = a[piv, q], a[j, q]
        inv = 1.0 / a[j, j]
        for i in range(j + 1, c):
            f = a[i, j] * inv
            if f != 0.0:
                for q in range(j, c + ncol):
                    a[i, q] -= f * a[j, q]
    for j in range(c - 1, -1, -1):
        inv = 1.0 / a[j, j]
        for q in range(c, c + ncol):
            a[j, q] *= inv
        for i in range(j):
            f = a[i, j]
            if f != 0.0:
                for q in range(c, c + ncol):
                    a[i, q] -= f * a[j, q]
    return True


@nb.njit(cache=True, error_model="numpy")
def block_thomas(lo, di, up, rhs):
    """Solve the block-tridiagonal system; ``lo[k]`` = block (k, k−1), ``up[k]`` = (k, k+1).

    Block LU (Thomas 1949; Isaacson & Keller 1966 §2.3.3) with pivoted Gaussian elimination
    inside each block and no pivoting across blocks; no allocation in the sweep. Returns
    ``(x, ok)``; ``ok`` is False when a block pivot is zero or non-finite (then use
    :func:`banded_solve`, which pivots across blocks).
    """
    n, c = rhs.shape
    cd = np.empty((n, c, c + 1))  # [C'_k | d'_k]
    aug = np.empty((c, 2 * c + 1))
    x = np.zeros((n, c))
    for k in range(n):
        for i in range(c):
            for j in range(c):
                aug[i, j] = di[k, i, j]
                aug[i, c + j] = up[k, i, j]
            aug[i, 2 * c] = rhs[k, i]
        if k > 0:
            for i in range(c):
                for q in range(c):
                    f = lo[k, i, q]
                    if f != 0.0:
                        for j in range(c):
                            aug[i, j] -= f * cd[k - 1, q, j]
                        aug[i, 2 * c] -= f * cd[k - 1, q, c]
        if not _solve_inplace(aug, c, c + 1):
            return x, False
        for i in range(c):
            for j in range(c + 1):
                cd[k, i, j] = aug[i, c + j]
    for i in range(c):
        x[n - 1, i] = cd[n - 1, i, c]
    for k in range(n - 2, -1, -1):
        for i in range(c):
            acc = cd[k, i, c]
            for j in range(c):
                acc -= cd[k, i, j] * x[k + 1, j]
            x[k, i] = acc
    for k in range(n):
        for i in range(c):
            if not np.isfinite(x[k, i]):
                return x, False
    return x, True


@nb.njit(cache=True, error_model="numpy")
def banded_solve(lo, di, up, rhs):
    """Same system as :func:`block_thomas` by banded Gaussian elimination with partial pivoting.

    The block-tridiagonal matrix (blocks C × C) is a band matrix with ``kl = ku = 2C − 1``;
    row interchanges widen U to ``kl + ku`` (Golub & Van Loan 2013, *Matrix Computations*
    4th ed., §4.3.5, band Gaussian elimination with partial pivoting; LAPACK ``dgbsv``).
    Slower than block Thomas (about twice the work) but stable for any non-singular matrix.
    Returns ``(x, ok)``; ``ok`` False only for a numerically singular matrix.
    """
    n, c = rhs.shape
    m = n * c
    kl = 2 * c - 1
    ku2 = 2 * kl  # upper bandwidth after fill from row interchanges
    w = kl + ku2 + 1
    a = np.zeros((m, w))  # a[r, col - r + kl]
    b = np.empty(m)
    for k in range(n):
        for i in range(c):
            r = k * c + i
            b[r] = rhs[k, i]
            for j in range(c):
                a[r, k * c + j - r + kl] = di[k, i, j]
                if k > 0:
                    a[r, (k - 1) * c + j - r + kl] = lo[k, i, j]
                if k + 1 < n:
                    a[r, (k + 1) * c + j - r + kl] = up[k, i, j]
    for j in range(m):
        pmax = j
        big = abs(a[j, kl])
        last = min(m, j + kl + 1)
        for p in range(j + 1, last):
            val = abs(a[p, j - p + kl])
            if val > big:
                big = val
                pmax = p
        if not (big > 0.0 and big < np.inf):
            return rhs.copy(), False
        cend = min(m, j + ku2 + 1)
        if pmax != j:
            for col in range(j, cend):
                t = a[j, col - j + kl]
                a[j, col - j + kl] = a[pmax, col - pmax + kl]
                a[pmax, col - pmax + kl] = t
            b[j], b[pmax] = b[pmax], b[j]
        piv = a[j, kl]
        for p in range(j + 1, last):
            f = a[p, j - p + kl] / piv
            if f != 0.0:
                a[p, j - p + kl] = 0.0
                for col in range(j + 1, cend):
                    a[p, col - p + kl] -= f * a[j, col - j + kl]
                b[p] -= f * b[j]
    x = np.empty(m)
    for j in range(m - 1, -1, -1):
        acc = b[j]
        for col in range(j + 1, min(m, j + ku2 + 1)):
            acc -= a[j, col - j + kl] * x[col]
        x[j] = acc / a[j, kl]
        if not np.isfinite(x[j]):
            return rhs.copy(), False
    out = np.empty((n, c))
    for k in range(n):
        for i in range(c):
            out[k, i] = x[k * c + i]
    return out, True


@nb.njit(cache=True, error_model="numpy")
def _block_residual_norm(lo, di, up, rhs, x):
    """max |A x − b| / max(|b|, tiny) for the block-tridiagonal A (a cheap accuracy check)."""
    n, c = rhs.shape
    worst = 0.0
    bmax = 1e-300
    for k in range(n):
        for i in range(c):
            acc = -rhs[k, i]
            for j in range(c):
                acc += di[k, i, j] * x[k, j]
                if k > 0:
                    acc += lo[k, i, j] * x[k - 1, j]
                if k + 1 < n:
                    acc += up[k, i, j] * x[k + 1, j]
            worst = max(worst, abs(acc))
            bmax = max(bmax, abs(rhs[k, i]))
    return worst / bmax


@nb.njit(cache=True, error_model="numpy")
def linear_solve(lo, di, up, rhs):
    """Block Thomas first; banded partial pivoting when Thomas breaks down or is inaccurate.

    Returns ``(x, ok)``; ``ok`` is False only when the matrix is numerically singular.
    """
    x, ok = block_thomas(lo, di, up, rhs)
    if ok and _block_residual_norm(lo, di, up, rhs, x) <= 1e-8:
        return x, True
    return banded_solve(lo, di, up, rhs)


@nb.njit(cache=True, error_model="numpy")
def _coefficients(da, do, ea, eo):
    alpha = (1.0 - da) * (1.0 - ea)
    eps = (1.0 - da) * ea
    delta = (1.0 - do) * (1.0 - eo)
    gamma = (1.0 - do) * eo
    return alpha, eps, delta, gamma


@nb.njit(cache=True, error_model="numpy")
def _residual(kind, aq, params, q_aq, q_org, feed, coef, v, g):
    n, c = aq.shape
    alpha, eps, delta, gamma = coef
    for k in range(n):
        stage_fn(kind, aq[k], q_aq[k], q_org[k], params[k], v[k], g[k])
    r = np.empty((n, c))
    for k in range(n):
        for i in range(c):
            x = feed[k, i] - aq[k, i] - v[k, i]
            if k + 1 < n:
                x += alpha[k + 1] * aq[k + 1, i] + gamma[k + 1] * v[k + 1, i]
            if k > 0:
                x += delta[k - 1] * v[k - 1, i] + eps[k - 1] * aq[k - 1, i]
            r[k, i] = x
    return r


@nb.njit(cache=True, error_model="numpy")
def _scaled_norm(r, scale):
    worst = 0.0
    ssq = 0.0
    n, c = r.shape
    for k in range(n):
        for i in range(c):
            z = abs(r[k, i]) / scale[i]
            if not z < np.inf:  # NaN or inf: the iterate is unusable
                return np.inf, np.inf
            ssq += z * z
            if z > worst:
                worst = z
    return worst, np.sqrt(ssq)


#: Round-off allowance of a stage balance, in machine epsilons of the flows it sums (about
#: ten terms): a component held in the cascade at 10^4 times its feed cannot close its balance
#: to 1e-12 of the feed in double precision (independent fuzz, validation round 9: attempts ran
#: their whole budgets, minutes per simulation, and raised)
ROUNDOFF_EPS = 64.0 * 2.220446049250313e-16
#: The most that allowance may excuse, relative to the component's feed: beyond it (a component
#: held at more than ~7·10^4 times its feed) the outlets are not known to 1e-9 of the feed in
#: double precision, and the cascade does not converge
ROUNDOFF_CAP = 1e-9


@nb.njit(cache=True, error_model="numpy")
def _worst_closure(r, aq, v, scale, tol):
    """max over stages and components of |R_ki| / (scale_i + min(κ·(aq_ki + v_ki), c·scale_i)),
    κ = 64 ε / tol, c = :data:`ROUNDOFF_CAP` / tol: the scaled residual with the stage flows'
    round-off allowed (≤ tol ⇔ |R_ki| ≤ tol·scale_i + min(64 ε·(aq_ki + v_ki), 1e-9·scale_i)):
    the plain scaled test loosened by the factor 1 + (aq_ki + v_ki)/(70·scale_i) at
    tol = 1e-12 (1.5 for a component held at 38 times its feed, as Pr in an ordinary Ce/Pr
    cut, where Newton reaches 4e-15 anyway). The result's ``max_scaled_residual`` is this
    measure."""
    return scaled_closure(r, aq, v, scale, tol, ROUNDOFF_CAP)


@nb.njit(cache=True, error_model="numpy")
def scaled_closure(r, aq, v, scale, tol, cap_frac):
    """:func:`_worst_closure` with the round-off allowance capped at ``cap_frac`` of each
    component's feed (``np.inf``: uncapped, the measure of an exact solve that resolves what
    Newton cannot, :func:`reeflow.plant.sx.birthdeath.solve_exact`)."""
    kappa = ROUNDOFF_EPS / tol if tol > 0.0 else 0.0
    cap = cap_frac / tol if tol > 0.0 else 0.0
    worst = 0.0
    n, c = r.shape
    for k in range(n):
        for i in range(c):
            extra = kappa * (abs(aq[k, i]) + abs(v[k, i]))
            most = cap * scale[i]
            if extra > most:
                extra = most
            z = abs(r[k, i]) / (scale[i] + extra)
            if not z < np.inf:
                return np.inf
            if z > worst:
                worst = z
    return worst


@nb.njit(cache=True, error_model="numpy")
def initial_profile(kind, l_ref, params, q_aq, q_org, feed, da, do, ea, eo, sweeps):
    """Shortcut start: freeze the stage ratios v/aq at ``l_ref`` and solve the linear cascade.

    With the ratios frozen the cascade is a set of independent tridiagonal (Kremser-type)
    systems, one per component; ``sweeps`` rounds of successive substitution refresh the ratios.
    A sweep that breaks down (non-finite ratios) keeps the previous profile.
    """
    n, c = l_ref.shape
    v = np.empty((n, c))
    g = np.empty((n, c, c))
    alpha, eps, delta, gamma = _coefficients(da, do, ea, eo)
    aq = l_ref.copy()
    for _ in range(sweeps):
        ratio = np.empty((n, c))
        for k in range(n):
            stage_fn(kind, aq[k], q_aq[k], q_org[k], params[k], v[k], g[k])
            for i in range(c):
                ratio[k, i] = v[k, i] / aq[k, i]
        if not np.all(np.isfinite(ratio)):
            return aq
        new = aq.copy()
        for i in range(c):
            lo = np.zeros((n, 1, 1))
            di = np.zeros((n, 1, 1))
            up = np.zeros((n, 1, 1))
            rhs = np.zeros((n, 1))
            for k in range(n):
                di[k, 0, 0] = -(1.0 + ratio[k, i])
                rhs[k, 0] = -feed[k, i]
                if k + 1 < n:
                    up[k, 0, 0] = alpha[k + 1] + gamma[k + 1] * ratio[k + 1, i]
                if k > 0:
                    lo[k, 0, 0] = delta[k - 1] * ratio[k - 1, i] + eps[k - 1]
            x, ok = linear_solve(lo, di, up, rhs)
            if not ok:
                return aq
            for k in range(n):
                new[k, i] = max(x[k, 0], 1e-300)
        aq = new
    return aq


#: Floor of a component flow (mol/h): flows below it are numerically zero.
FLOOR = 1e-300
#: Target largest relative flow change of one pseudo-time step (the Δt controller).
PTC_TARGET = 0.5


@nb.njit(cache=True, error_model="numpy")
def _jacobian(g, coef, scale, dt, lo, di, up):
    """Scaled Jacobian blocks of the balances minus ``I/dt`` (dt = inf: plain Newton).

    Rows are divided by the component scale and columns multiplied by it, so every entry is
    a dimensionless flow ratio (equilibration of the Newton matrix, Deuflhard 2011 §1.2.2).
    """
    n, c = g.shape[0], g.shape[1]
    alpha, eps, delta, gamma = coef
    shift = 1.0 + (1.0 / dt if dt < np.inf else 0.0)
    for k in range(n):
        for i in range(c):
            for j in range(c):
                sc = scale[j] / scale[i]
                di[k, i, j] = -g[k, i, j] * sc
                up[k, i, j] = gamma[k + 1] * g[k + 1, i, j] * sc if k + 1 < n else 0.0
                lo[k, i, j] = delta[k - 1] * g[k - 1, i, j] * sc if k > 0 else 0.0
            di[k, i, i] -= shift
            if k + 1 < n:
                up[k, i, i] += alpha[k + 1]
            if k > 0:
                lo[k, i, i] += eps[k - 1]


@nb.njit(cache=True, error_model="numpy")
def _log_step(aq, dl, t, cap_down, cap_up, out):
    """``out = aq + t·dl``, each flow falling at most to ``aq·exp(−cap_down)`` (positivity).

    Increases are taken in full (a trace component may have to rise by many orders of
    magnitude); decreases are bounded by a factor per step, so flows stay positive and the
    step tends to the Newton step as t → 0 (it stays a descent direction for the line
    search). ``cap_up`` is unused (kept for the signature).
    """
    n, c = aq.shape
    lim = np.exp(-cap_down)
    for k in range(n):
        for i in range(c):
            x = aq[k, i] + t * dl[k, i]
            floor = aq[k, i] * lim
            out[k, i] = max(x if x > floor else floor, FLOOR)


@nb.njit(cache=True, error_model="numpy")
def _line_search(kind, aq, y, params, q_aq, q_org, feed, coef, scale, nrm, closed, ln, vn, gn):
    """Backtracking line search along the Newton step ``y`` taken in log flows: the Armijo
    condition on the scaled residual norm, quadratic back-tracking safeguarded to [0.1, 0.5]
    of the last step (Dennis & Schnabel 1996, Alg. A6.3.1). The trial point is left in
    ``ln``/``vn``/``gn``. Returns (accepted, residual, worst, norm) at the last trial; a
    profile already within tolerance (``closed``) stops at the first trial that is not
    better."""
    t = 1.0
    rn = np.empty_like(aq)
    wn, nn = np.inf, np.inf
    while t >= 1e-7:
        _log_step(aq, y, t, 7.0, 5.0, ln)
        rn = _residual(kind, ln, params, q_aq, q_org, feed, coef, vn, gn)
        wn, nn = _scaled_norm(rn, scale)
        if np.isfinite(nn) and nn <= (1.0 - 1e-4 * t) * nrm:
            return True, rn, wn, nn
        if closed:
            break
        # quadratic model of ½‖R‖² along the step (slope −‖R‖²), safeguarded
        if np.isfinite(nn):
            den = 2.0 * (0.5 * nn * nn - 0.5 * nrm * nrm + nrm * nrm * t)
            tq = nrm * nrm * t * t / den if den > 0.0 else 0.1 * t
            t = min(max(tq, 0.1 * t), 0.5 * t)
        else:
            t *= 0.1
    return False, rn, wn, nn


@nb.njit(cache=True, error_model="numpy")
def _grown_dt(y, aq, scale, nrm, nn, dt):
    """Pseudo-time step control: grow Δt by the larger of the residual ratio (switched
    evolution relaxation) and the ratio of a target relative change (0.5) to the largest
    relative change taken, clipped to [0.3, 10] per step and to 1e15 in all."""
    n, c = aq.shape
    rel = 1e-30
    for k in range(n):
        for i in range(c):
            rel = max(rel, abs(y[k, i]) / max(aq[k, i], 1e-9 * scale[i]))
    fac = max(PTC_TARGET / rel, nrm / nn) if nn > 0 else 4.0
    return min(dt * min(max(fac, 0.3), 10.0), 1e15)


def start_norm(kind, l0, params, q_aq, q_org, feed, da, do, ea, eo, scale):
    """The scaled residual norm of the balances at a start profile ``l0`` (the norm Newton
    reduces): which of two starts is nearer the solution."""
    n, c = l0.shape
    r = _residual(kind, np.maximum(l0, FLOOR), params, q_aq, q_org, feed,
                  _coefficients(da, do, ea, eo), np.empty((n, c)), np.empty((n, c, c)))
    return _scaled_norm(r, scale)[1]


@nb.njit(cache=True, error_model="numpy")
def newton_cascade(kind, l0, params, q_aq, q_org, feed, da, do, ea, eo, scale, tol, max_iter,
                   dt0):
    """Globalised Newton on the aqueous flows ``aq`` (the rigorous steady state).

    Two globalisations, switched automatically:

    - **Newton with a backtracking line search** (Armijo condition on the scaled residual
      norm, quadratic back-tracking; Dennis & Schnabel 1996, *Numerical Methods for
      Unconstrained Optimization and Nonlinear Equations*, SIAM, Alg. A6.3.1) with the step
      taken in log flows (:func:`_log_step`), used when ``dt0`` is infinite and whenever the
      pseudo-time step has grown large;
    - **pseudo-transient continuation** (Kelley & Keyes 1998, *SIAM J. Numer. Anal.* 35:508):
      ``(J − I/Δt) Δl = −R``, an implicit-Euler step of the start-up transient, robust far from
      the solution. Δt grows by the larger of switched evolution relaxation
      (‖R_old‖/‖R_new‖) and the ratio of a target relative flow change (0.5) to the change
      just taken, clipped to [0.3, 10] per step. Used from the start when ``dt0`` is finite and
      whenever the line search fails; once Δt ≥ 1e6 the line-searched Newton takes over.

    The linear systems are equilibrated (:func:`_jacobian`) and solved by block Thomas with a
    fallback to banded partial pivoting (:func:`linear_solve`).
    Returns (aq, v, iterations, max scaled residual, status): status 0 = converged
    (max |R_kc|/(scale_c + κ·stage flow_kc) ≤ tol, :func:`_worst_closure`: the feed-scaled
    residual, with the round-off of a component's stage flows allowed where it is held in the
    cascade at many times its feed), 1 = iteration budget spent, 2 = non-finite values or a
    singular Newton matrix.
    """
    n, c = l0.shape
    coef = _coefficients(da, do, ea, eo)
    aq = np.maximum(l0, FLOOR)
    v = np.empty((n, c))
    g = np.empty((n, c, c))
    r = _residual(kind, aq, params, q_aq, q_org, feed, coef, v, g)
    worst, nrm = _scaled_norm(r, scale)
    if np.isfinite(nrm):
        worst = _worst_closure(r, aq, v, scale, tol)
    lo = np.zeros((n, c, c))
    di = np.empty((n, c, c))
    up = np.zeros((n, c, c))
    rhs = np.empty((n, c))
    ln = np.empty((n, c))
    vn = np.empty((n, c))
    gn = np.empty((n, c, c))
    newton = not dt0 < np.inf
    dt = dt0 if dt0 < np.inf else 1.0
    it = 0
    polish = 1
    while it < max_iter:
        if not np.isfinite(nrm):
            return aq, v, it, worst, 2
        if worst <= tol:
            if polish == 0 or worst <= 1e-14:
                return aq, v, it, worst, 0
            polish -= 1  # one more Newton step: closure to round-off
        it += 1
        _jacobian(g, coef, scale, np.inf if newton else dt, lo, di, up)
        for k in range(n):
            for i in range(c):
                rhs[k, i] = -r[k, i] / scale[i]
        y, ok = linear_solve(lo, di, up, rhs)
        if not ok:
            if newton:
                newton = False
                continue
            dt *= 0.1
            if dt < 1e-12:
                return aq, v, it, worst, 2
            continue
        for k in range(n):
            for i in range(c):
                y[k, i] *= scale[i]
        if newton:
            accepted, rn, wn, nn = _line_search(kind, aq, y, params, q_aq, q_org, feed, coef,
                                                scale, nrm, worst <= tol, ln, vn, gn)
            if not accepted:
                if worst <= tol:
                    return aq, v, it, worst, 0
                newton = False  # line search failed: fall back to the start-up transient
                dt = min(dt, 1.0)
                continue
        else:
            _log_step(aq, y, 1.0, 7.0, 5.0, ln)
            rn = _residual(kind, ln, params, q_aq, q_org, feed, coef, vn, gn)
            wn, nn = _scaled_norm(rn, scale)
            if worst <= tol and not nn < nrm:
                return aq, v, it, worst, 0
            if not np.isfinite(nn) or nn > 1e3 * nrm:
                dt *= 0.1
                if dt < 1e-12:
                    return aq, v, it, worst, 2
                continue
            dt = _grown_dt(y, aq, scale, nrm, nn, dt)
            if dt >= 1e6:
                newton = True
        aq, ln = ln, aq
        v, vn = vn, v
        g, gn = gn, g
        r, worst, nrm = rn, wn, nn
        if np.isfinite(nrm):
            worst = _worst_closure(r, aq, v, scale, tol)
    status = 0 if worst <= tol else 1
    return aq, v, it, worst, status


@nb.njit(cache=True, error_model="numpy")
def _worst_closure_2c(r, aq, v, veq, scale, tol):
    """:func:`_worst_closure` over both halves of a Murphree residual, each allowed the
    round-off of the flows it sums: the stage balances those of ``aq`` and ``v``, the
    efficiency relations ``E·v* + (1 − E)·u − v`` those of ``v`` and ``v*`` (``veq``; the
    (1 − E)·u term is the difference of the two). A trace component held in the cascade
    converged at ideal stages and then ran the Murphree step's budget at 4.7e-12 of its feed
    (validation round 9)."""
    c = aq.shape[1]
    return max(_worst_closure(r[:, :c], aq, v, scale, tol),
               _worst_closure(r[:, c:], veq, v, scale, tol))


@nb.njit(cache=True, error_model="numpy")
def _murphree_residual(kind, aq, v, params, q_aq, q_org, feed, org_feed, coef, eff, veq, g):
    n, c = aq.shape
    alpha, eps, delta, gamma = coef
    for k in range(n):
        stage_fn(kind, aq[k], q_aq[k], q_org[k], params[k], veq[k], g[k])
    r = np.empty((n, 2 * c))
    for k in range(n):
        for i in range(c):
            x = feed[k, i] - aq[k, i] - v[k, i]
            u = org_feed[k, i]
            if k + 1 < n:
                x += alpha[k + 1] * aq[k + 1, i] + gamma[k + 1] * v[k + 1, i]
                u += gamma[k + 1] * v[k + 1, i]
            if k > 0:
                x += delta[k - 1] * v[k - 1, i] + eps[k - 1] * aq[k - 1, i]
                u += delta[k - 1] * v[k - 1, i]
            r[k, i] = x
            r[k, c + i] = eff * veq[k, i] + (1.0 - eff) * u - v[k, i]
    return r


@nb.njit(cache=True, error_model="numpy")
def newton_murphree(kind, aq0, v0, params, q_aq, q_org, feed, org_feed, da, do, ea, eo, eff,
                    scale, tol, max_iter):
    """Newton (with pseudo-transient damping) on (l, v) with Murphree organic-phase efficiency.

    ``v_k = E·v*(l_k) + (1 − E)·u_k`` with ``u_k`` the organic entering stage k (Murphree 1925,
    *Ind. Eng. Chem.* 17:747, written on flows); blocks are 2C × 2C. Start from the E = 1 solution.
    Returns (l, v, iterations, max scaled residual, status) as :func:`newton_cascade`, with
    its round-off-aware convergence test (:func:`_worst_closure_2c`).
    """
    n, c = aq0.shape
    coef = _coefficients(da, do, ea, eo)
    alpha, eps, delta, gamma = coef
    aq, v = aq0.copy(), v0.copy()
    veq = np.empty((n, c))
    g = np.empty((n, c, c))
    scale2 = np.concatenate((scale, scale))
    r = _murphree_residual(kind, aq, v, params, q_aq, q_org, feed, org_feed, coef, eff, veq, g)
    _, nrm = _scaled_norm(r, scale2)
    worst = _worst_closure_2c(r, aq, v, veq, scale, tol)
    m = 2 * c
    lo = np.zeros((n, m, m))
    di = np.zeros((n, m, m))
    up = np.zeros((n, m, m))
    dt = 1e3
    it = 0
    while it < max_iter:
        if not np.isfinite(nrm):
            return aq, v, it, worst, 2
        if worst <= tol:
            return aq, v, it, worst, 0
        it += 1
        lo[:] = 0.0
        di[:] = 0.0
        up[:] = 0.0
        for k in range(n):
            for i in range(c):
                di[k, i, i] = -1.0 - 1.0 / dt
                di[k, i, c + i] = -1.0
                di[k, c + i, c + i] = -1.0 - 1.0 / dt
                for j in range(c):
                    di[k, c + i, j] = eff * g[k, i, j]
                if k + 1 < n:
                    up[k, i, i] = alpha[k + 1]
                    up[k, i, c + i] = gamma[k + 1]
                    up[k, c + i, c + i] = (1.0 - eff) * gamma[k + 1]
                if k > 0:
                    lo[k, i, i] = eps[k - 1]
                    lo[k, i, c + i] = delta[k - 1]
                    lo[k, c + i, c + i] = (1.0 - eff) * delta[k - 1]
        dz, okz = linear_solve(lo, di, up, -r)
        if not okz:
            return aq, v, it, worst, 2
        aqn = np.maximum(aq + dz[:, :c], 0.1 * aq)
        vn = np.maximum(v + dz[:, c:], 0.1 * v)
        rn = _murphree_residual(kind, aqn, vn, params, q_aq, q_org, feed, org_feed, coef, eff,
                                veq, g)
        _, nn = _scaled_norm(rn, scale2)
        if not np.isfinite(nn) or nn > 1e3 * nrm:
            dt *= 0.1
            if dt < 1e-12:
                return aq, v, it, worst, 2
            r = _murphree_residual(kind, aq, v, params, q_aq, q_org, feed, org_feed, coef, eff,
                                   veq, g)
            continue
        dt = min(dt * min(max(nrm / nn, 0.1), 10.0), 1e15) if nn > 0 else 1e15
        aq, v, r, nrm = aqn, vn, rn, nn
        worst = _worst_closure_2c(r, aq, v, veq, scale, tol)
    return aq, v, it, worst, 0 if worst <= tol else 1
