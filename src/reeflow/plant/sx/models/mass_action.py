"""Distribution model (c): mass-action cation exchange with a dimeric acidic extractant.

Peppard et al. 1957 *J. Inorg. Nucl. Chem.* 4:334; Zhang, Zhao & Schreiner 2016 ch. 4
(``ree_separation.md`` §2a–2b)::

    RE3+ + 3 (HA)2(o)  <=>  RE(HA2)3(o) + 3 H+      K_i = y_i h^3 / (x_i X^3)
    Na+  +   (HA)2(o)  <=>  NaA·HA(o)   + H+        K_Na = y_Na h / (x_Na X)

so ``log D_i = log K_i + 3 log X + 3 pH`` with X = [(HA)2]_free (mol/L) and h = [H+] (mol/L,
concentration scale, no activity correction). The saponified counter-ion form follows exactly:
``D_i = (K_i/K_Na^3)·[NaA·HA]^3/[Na+]^3`` — β_ij = K_i/K_j is independent of [Na+].

Balances on every stage (all as monomer HA, total C_HA mol/L in the organic):

- extractant: ``C_HA = 2X + 6 Σ y_i + 2 y_Na`` (solved for X; loading ≤ capacity C_HA/6 by
  construction);
- protons: the organic carries ``C_HA − 3 Σ y_i − y_Na`` mol/L of H (3 H+ released per RE);
- sodium: ``y_Na`` mol/L on the organic.

Components: the elements, then ``H`` (aqueous H+ / organic acid H), then ``Na`` when saponified.
Parameters: ``{"extractant_mol_per_L": C_HA, "log10_Kex": {element: log K},
"log10_K_Na": optional}`` (no verified K_Na exists in the reference notes: give your own or
fit it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numba as nb
import numpy as np

from reeflow.core.errors import InputError
from reeflow.plant.sx.bounds import MAX_EXTRACTANT_MOL_PER_L
from reeflow.plant.sx.models._params import number, table

__all__ = ["stage", "build_params", "homotopy", "EXTRA_COMPONENTS", "free_dimer"]

#: Solver start: successive-substitution sweeps of the shortcut profile (see
#: reeflow.plant.sx.solver.initial_profile) and the first pseudo-time step of the first
#: attempt (inf = plain Newton with line search; measured on 300 random cascades per model).
START_SWEEPS = 0
FIRST_DT = 1000.0

EXTRA_COMPONENTS: tuple[str, ...] = ("H",)
PARAM_KEYS = ("extractant_mol_per_L", "log10_Kex", "log10_K_Na")


@nb.njit(cache=True, error_model="numpy")
def free_dimer(c_ha, a, b):
    """Root X in (0, C_HA/2) of ``2X + 6aX^3 + 2bX − C_HA = 0`` (safeguarded Newton)."""
    lo, hi = 0.0, 0.5 * c_ha
    x = c_ha / (2.0 + 2.0 * b)
    if x > hi:
        x = hi
    for _ in range(100):
        f = 2.0 * x + 6.0 * a * x**3 + 2.0 * b * x - c_ha
        if f > 0.0:
            hi = x
        else:
            lo = x
        fx = 2.0 + 18.0 * a * x * x + 2.0 * b
        xn = x - f / fx
        if xn <= lo or xn >= hi:
            xn = 0.5 * (lo + hi)
        if abs(xn - x) <= 1e-15 * x:
            return xn
        x = xn
    return x


@nb.njit(cache=True, error_model="numpy")
def stage(l, q_aq, q_org, p, v, g):  # noqa: E741
    """``p = [C_HA, K_Na, has_Na, K_1 … K_ne]``; components: ne elements, H, (Na)."""
    c_ha, k_na, has_na = p[0], p[1], p[2] > 0.5
    ne = l.shape[0] - 1 - (1 if has_na else 0)
    ih = ne
    h = l[ih] / q_aq
    cna = l[ih + 1] / q_aq if has_na else 0.0
    h3 = h * h * h
    a = 0.0
    for i in range(ne):
        a += p[3 + i] * l[i] / q_aq / h3
    b = k_na * cna / h
    x = free_dimer(c_ha, a, b)
    x3 = x * x * x
    fx = 2.0 + 18.0 * a * x * x + 2.0 * b
    n = l.shape[0]
    dx = np.empty(n)  # dX/dc_j
    for i in range(ne):
        dx[i] = -6.0 * p[3 + i] * x3 / h3 / fx
    dx[ih] = (18.0 * a * x3 / h + 2.0 * b * x / h) / fx
    if has_na:
        dx[ih + 1] = -2.0 * k_na * x / h / fx
    y_na = b * x
    sy = 0.0
    for j in range(n):
        g[ih, j] = 0.0
    for i in range(ne):
        kr = p[3 + i] * x3 / h3
        yi = kr * l[i] / q_aq
        sy += yi
        v[i] = q_org * yi
        for j in range(n):
            d = 3.0 * yi / x * dx[j]
            if j == i:
                d += kr
            if j == ih:
                d -= 3.0 * yi / h
            g[i, j] = q_org * d / q_aq
            g[ih, j] -= 3.0 * g[i, j]
    if has_na:
        ina = ih + 1
        for j in range(n):
            d = y_na / x * dx[j]
            if j == ina:
                d += k_na * x / h
            if j == ih:
                d -= y_na / h
            g[ina, j] = q_org * d / q_aq
            g[ih, j] -= g[ina, j]
        v[ina] = q_org * y_na
    v[ih] = q_org * (c_ha - 3.0 * sy - y_na)


def build_params(
    components: Sequence[str],
    stage_sections: Sequence[str],
    q_aq_L_per_h: np.ndarray,
    q_org_L_per_h: np.ndarray,
    params: Mapping,
) -> np.ndarray:
    """Rows ``[C_HA, K_Na, has_Na, K_1 … K_ne]`` (same on every stage)."""
    comps = list(components)
    has_na = "Na" in comps
    if "H" not in comps or comps[-1 - int(has_na)] != "H" or (has_na and comps[-1] != "Na"):
        raise InputError("cascade.components", comps, "elements…, 'H'[, 'Na'] last",
                         "list H (and Na if saponified) after the elements")
    c_ha = number(params.get("extractant_mol_per_L"), "model.params.extractant_mol_per_L",
                  low=0.0, strict_low=True, high=MAX_EXTRACTANT_MOL_PER_L,
                  allowed=f"a finite number in (0, {MAX_EXTRACTANT_MOL_PER_L:g}] mol/L (as "
                  "monomer HA; the ceiling is an undiluted extractant, "
                  "reeflow.plant.sx.bounds)")
    k_na_log = params.get("log10_K_Na")
    if has_na and k_na_log is None:
        raise InputError("model.params.log10_K_Na", None, "a number when Na is present",
                         "give log10 K_Na of Na+ + (HA)2 = NaA·HA + H+ (no verified value in "
                         "the reference; fit it)")
    logk = table(params.get("log10_Kex"), "model.params.log10_Kex", "{element: log10 Kex}")
    elements = comps[: len(comps) - 1 - int(has_na)]
    row = np.empty(3 + len(elements))
    k_na = 10.0 ** number(k_na_log, "model.params.log10_K_Na", low=-30.0, high=30.0) \
        if has_na and k_na_log is not None else 0.0
    row[0], row[1], row[2] = c_ha, k_na, float(has_na)
    for i, el in enumerate(elements):
        if el not in logk:
            raise InputError(f"model.params.log10_Kex.{el}", None, "a finite number",
                             f"give log10 Kex for {el}")
        row[3 + i] = 10.0 ** number(logk[el], f"model.params.log10_Kex.{el}", low=-30.0,
                                    high=30.0)
    return np.tile(row, (len(stage_sections), 1))


def homotopy(p: np.ndarray, lam: float) -> np.ndarray:
    """Rows with ``K_i^λ·K̄^(1−λ)`` (K̄ geometric mean of the elements' K; λ = 1: ``p``)."""
    out = p.copy()
    k = p[:, 3:]
    mean = np.exp(np.log(k).mean(axis=1, keepdims=True))
    out[:, 3:] = k**lam * mean ** (1.0 - lam)
    return out


def check_feeds(feeds, params: Mapping) -> None:
    """Every organic feed must close the extractant balance: H + Na + 3·ΣRE = C_HA (mol/L).

    (Monomer basis: each loaded RE holds three extractant anions, each Na⁺ one; the rest is
    the acid form HA.) A mismatch means the feed names a different extractant concentration
    than ``extractant_mol_per_L``: InputError with the H that would close it.
    """
    c_ha = float(params["extractant_mol_per_L"])
    for f in feeds:
        if f.phase != "organic" or f.flow_L_per_h <= 0:
            continue
        h = float(f.mol_per_L.get("H", 0.0))
        na = float(f.mol_per_L.get("Na", 0.0))
        re = sum(float(x) for c, x in f.mol_per_L.items() if c not in ("H", "Na"))
        total = h + na + 3.0 * re
        if 6.0 * re + 2.0 * na > c_ha * (1.0 + 1e-9):  # a ConvergenceError before (fuzz 15)
            raise InputError(
                f"cascade.feeds[stage {f.stage}, organic].mol_per_L", round(re, 12),
                f"ΣRE <= (C_HA − 2·Na)/6 = {(c_ha - 2.0 * na) / 6.0:.6g} mol/L (each RE holds "
                "six extractant monomers as RE(HA2)3, each Na two)",
                "lower the organic feed's RE loading or raise extractant_mol_per_L")
        if abs(total - c_ha) > 1e-6 * c_ha:
            need = c_ha - na - 3.0 * re
            raise InputError(
                f"cascade.feeds[stage {f.stage}, organic].mol_per_L.H", h,
                f"H + Na + 3·ΣRE = extractant_mol_per_L = {c_ha:g} mol/L (extractant balance; "
                f"this feed sums to {total:.6g})",
                f"give H = {need:.6g} mol/L" if need >= 0 else
                "the Na and loaded RE exceed the extractant: lower them")
