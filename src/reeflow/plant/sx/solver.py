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

__all__ = ["newton_cascade", "block_thomas", "initial_profile", "stage_fn", "KINDS"]


#: Kernel codes of the registered models (``models.MODELS[name].KIND``). Numba cannot cache
#: kernels that take functions as arguments, so the compiled solver switches on this code.
KINDS = {"constant_d": 0, "constant_beta": 1, "mass_action": 2}


@nb.njit(cache=True)
def stage_fn(kind, aq, q_aq, q_org, p, v, g):  # noqa: E741
    """Evaluate the stage equilibrium of model ``kind`` (see ``KINDS``)."""
    if kind == 0:
        constant_d.stage(aq, q_aq, q_org, p, v, g)
    elif kind == 1:
        constant_beta.stage(aq, q_aq, q_org, p, v, g)
    else:
        mass_action.stage(aq, q_aq, q_org, p, v, g)


@nb.njit(cache=True)
def _solve_inplace(a, c, ncol):
    """Gaussian elimination with partial pivoting on the augmented ``a`` (c × (c+ncol))."""
    for j in range(c):
        piv = j
        big = abs(a[j, j])
        for i in range(j + 1, c):
            if abs(a[i, j]) > big:
                big = abs(a[i, j])
                piv = i
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


@nb.njit(cache=True)
def block_thomas(lo, di, up, rhs):
    """Solve the block-tridiagonal system; ``lo[k]`` = block (k, k−1), ``up[k]`` = (k, k+1).

    Block LU (Thomas) with pivoted Gaussian elimination inside each block; no allocation in
    the sweep.
    """
    n, c = rhs.shape
    cd = np.empty((n, c, c + 1))  # [C'_k | d'_k]
    aug = np.empty((c, 2 * c + 1))
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
        _solve_inplace(aug, c, c + 1)
        for i in range(c):
            for j in range(c + 1):
                cd[k, i, j] = aug[i, c + j]
    x = np.empty((n, c))
    for i in range(c):
        x[n - 1, i] = cd[n - 1, i, c]
    for k in range(n - 2, -1, -1):
        for i in range(c):
            acc = cd[k, i, c]
            for j in range(c):
                acc -= cd[k, i, j] * x[k + 1, j]
            x[k, i] = acc
    return x


@nb.njit(cache=True)
def _coefficients(da, do, ea, eo):
    alpha = (1.0 - da) * (1.0 - ea)
    eps = (1.0 - da) * ea
    delta = (1.0 - do) * (1.0 - eo)
    gamma = (1.0 - do) * eo
    return alpha, eps, delta, gamma


@nb.njit(cache=True)
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


@nb.njit(cache=True)
def _scaled_norm(r, scale):
    worst = 0.0
    ssq = 0.0
    n, c = r.shape
    for k in range(n):
        for i in range(c):
            z = abs(r[k, i]) / scale[i]
            ssq += z * z
            if z > worst:
                worst = z
    return worst, np.sqrt(ssq)


@nb.njit(cache=True)
def initial_profile(kind, l_ref, params, q_aq, q_org, feed, da, do, ea, eo, sweeps):
    """Shortcut start: freeze the stage ratios v/aq at ``l_ref`` and solve the linear cascade.

    With the ratios frozen the cascade is a set of independent tridiagonal (Kremser-type)
    systems, one per component; ``sweeps`` rounds of successive substitution refresh the ratios.
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
            x = block_thomas(lo, di, up, rhs)
            for k in range(n):
                aq[k, i] = max(x[k, 0], 1e-300)
    return aq


@nb.njit(cache=True)
def newton_cascade(kind, l0, params, q_aq, q_org, feed, da, do, ea, eo, scale, tol, max_iter,
                   dt0):
    """Pseudo-transient-continuation Newton on the aqueous flows ``aq``.

    Each step solves ``(J − I/Δt) Δl = −R`` by block Thomas (Kelley & Keyes 1998, *SIAM J.
    Numer. Anal.* 35:508): small Δt is an implicit-Euler step of the start-up transient (robust
    far from the solution, as a real cascade filling up), Δt grows by switched evolution
    relaxation (Δt ← Δt·‖R_old‖/‖R_new‖) so the last steps are plain Newton (quadratic). Flows
    may shrink at most tenfold per step (positivity).
    Returns (aq, v, iterations, max scaled residual, status): status 0 = converged
    (max |R_kc|/scale_c ≤ tol), 1 = iteration limit, 2 = non-finite values.
    """
    n, c = l0.shape
    coef = _coefficients(da, do, ea, eo)
    alpha, eps, delta, gamma = coef
    aq = np.maximum(l0, 1e-300)
    v = np.empty((n, c))
    g = np.empty((n, c, c))
    r = _residual(kind, aq, params, q_aq, q_org, feed, coef, v, g)
    worst, nrm = _scaled_norm(r, scale)
    lo = np.zeros((n, c, c))
    di = np.empty((n, c, c))
    up = np.zeros((n, c, c))
    rhs = np.empty((n, c))
    vn = np.empty((n, c))
    gn = np.empty((n, c, c))
    dt = dt0
    it = 0
    polish = 2
    while it < max_iter:
        if not np.isfinite(nrm):
            return aq, v, it, worst, 2
        if worst <= tol:
            if polish == 0 or worst <= 1e-15:
                return aq, v, it, worst, 0
            polish -= 1  # one or two more Newton steps: closure to round-off
        it += 1
        diag = -1.0 - 1.0 / dt
        for k in range(n):
            for i in range(c):
                for j in range(c):
                    di[k, i, j] = -g[k, i, j]
                    up[k, i, j] = gamma[k + 1] * g[k + 1, i, j] if k + 1 < n else 0.0
                    lo[k, i, j] = delta[k - 1] * g[k - 1, i, j] if k > 0 else 0.0
                di[k, i, i] += diag
                if k + 1 < n:
                    up[k, i, i] += alpha[k + 1]
                if k > 0:
                    lo[k, i, i] += eps[k - 1]
                rhs[k, i] = -r[k, i]
        dl = block_thomas(lo, di, up, rhs)
        ln = np.maximum(aq + dl, 0.1 * aq)
        rn = _residual(kind, ln, params, q_aq, q_org, feed, coef, vn, gn)
        wn, nn = _scaled_norm(rn, scale)
        if worst <= tol and not nn < nrm:
            return aq, v, it, worst, 0
        if not np.isfinite(nn) or nn > 1e3 * nrm:
            dt = dt * 0.1
            if dt < 1e-12:
                return aq, v, it, worst, 2
            continue
        dt = min(dt * min(max(nrm / nn, 0.1), 10.0), 1e15) if nn > 0 else 1e15
        aq, ln = ln, aq
        v, vn = vn, v
        g, gn = gn, g
        r, worst, nrm = rn, wn, nn
    status = 0 if worst <= tol else 1
    return aq, v, it, worst, status


@nb.njit(cache=True)
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


@nb.njit(cache=True)
def newton_murphree(kind, aq0, v0, params, q_aq, q_org, feed, org_feed, da, do, ea, eo, eff,
                    scale, tol, max_iter):
    """Newton (with pseudo-transient damping) on (l, v) with Murphree organic-phase efficiency.

    ``v_k = E·v*(l_k) + (1 − E)·u_k`` with ``u_k`` the organic entering stage k (Murphree 1925,
    *Ind. Eng. Chem.* 17:747, written on flows); blocks are 2C × 2C. Start from the E = 1 solution.
    Returns (l, v, iterations, max scaled residual, status) as :func:`newton_cascade`.
    """
    n, c = aq0.shape
    coef = _coefficients(da, do, ea, eo)
    alpha, eps, delta, gamma = coef
    aq, v = aq0.copy(), v0.copy()
    veq = np.empty((n, c))
    g = np.empty((n, c, c))
    scale2 = np.concatenate((scale, scale))
    r = _murphree_residual(kind, aq, v, params, q_aq, q_org, feed, org_feed, coef, eff, veq, g)
    worst, nrm = _scaled_norm(r, scale2)
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
        dz = block_thomas(lo, di, up, -r)
        aqn = np.maximum(aq + dz[:, :c], 0.1 * aq)
        vn = np.maximum(v + dz[:, c:], 0.1 * v)
        rn = _murphree_residual(kind, aqn, vn, params, q_aq, q_org, feed, org_feed, coef, eff,
                                veq, g)
        wn, nn = _scaled_norm(rn, scale2)
        if not np.isfinite(nn) or nn > 1e3 * nrm:
            dt *= 0.1
            if dt < 1e-12:
                return aq, v, it, worst, 2
            r = _murphree_residual(kind, aq, v, params, q_aq, q_org, feed, org_feed, coef, eff,
                                   veq, g)
            continue
        dt = min(dt * min(max(nrm / nn, 0.1), 10.0), 1e15) if nn > 0 else 1e15
        aq, v, r, worst, nrm = aqn, vn, rn, wn, nn
    return aq, v, it, worst, 0 if worst <= tol else 1
