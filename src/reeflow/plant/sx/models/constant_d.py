"""Distribution model (a): constant distribution ratio D per element and section (Kremser basis).

``y_i = D_i x_i`` (organic/aqueous concentration), so the organic flow leaving a stage is
``v_i = D_i (Q_org/Q_aq) l_i``. Linear; the cascade it defines is the one Kremser (1930) solved
in closed form (``ree_separation.md`` §4.1). No loading limit: use it for dilute systems only.

Parameters (``params``): ``{"D": {element: D}}`` for every section, or
``{"D": {section: {element: D}}}`` per section ("extraction", "scrub", "strip").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numba as nb
import numpy as np

from reeflow.core.errors import InputError
from reeflow.plant.sx.models._params import number, table

__all__ = ["stage", "build_params", "homotopy", "EXTRA_COMPONENTS"]

#: Solver start: successive-substitution sweeps of the shortcut profile (see
#: reeflow.plant.sx.solver.initial_profile) and the first pseudo-time step of the first
#: attempt (inf = plain Newton with line search; measured on 300 random cascades per model).
START_SWEEPS = 3
FIRST_DT = float("inf")

EXTRA_COMPONENTS: tuple[str, ...] = ()
PARAM_KEYS = ("D",)


@nb.njit(cache=True, error_model="numpy")
def stage(l, q_aq, q_org, p, v, g):  # noqa: E741
    """Organic flows ``v`` (mol/h) and ∂v/∂l ``g`` from aqueous flows ``l`` (mol/h)."""
    r = q_org / q_aq
    c = l.shape[0]
    for i in range(c):
        for j in range(c):
            g[i, j] = 0.0
        v[i] = p[i] * r * l[i]
        g[i, i] = p[i] * r


def build_params(
    components: Sequence[str],
    stage_sections: Sequence[str],
    q_aq_L_per_h: np.ndarray,
    q_org_L_per_h: np.ndarray,
    params: Mapping,
) -> np.ndarray:
    """Per-stage parameter rows ``[D_1 … D_C]``."""
    d = table(params.get("D"), "model.params.D", "{element: D} or {section: {element: D}}")
    per_section = all(isinstance(v, Mapping) for v in d.values())
    out = np.empty((len(stage_sections), len(components)))
    for k, sec in enumerate(stage_sections):
        tab = d.get(sec) if per_section else d
        if tab is None:
            raise InputError(f"model.params.D.{sec}", None, "a {element: D} table",
                             f"give D for section {sec!r}")
        for i, el in enumerate(components):
            if el not in tab:
                raise InputError(f"model.params.D.{el}", None, ">= 0",
                                 f"give a distribution ratio for {el}")
            out[k, i] = _ratio(tab[el], f"model.params.D.{el}")
    return out


#: a distribution ratio's range: 0 (not extracted) or 1e-30..1e30, the span log10_Kex has
#: (±30) in the mass-action model; D of 1e300 beside 1e-300 ran 30,000 iterations to a
#: ConvergenceError (SX fuzz round 20)
D_RANGE = (1e-30, 1e30)


def _ratio(value: object, field: str) -> float:
    allowed = f"0, or a finite number from {D_RANGE[0]:g} to {D_RANGE[1]:g}"
    x = number(value, field, low=0.0, high=D_RANGE[1], allowed=allowed)
    if 0 < x < D_RANGE[0]:
        raise InputError(field, value, allowed, "write 0 for an element that is not extracted")
    return x


def homotopy(p: np.ndarray, lam: float) -> np.ndarray:
    """Rows ``D_i^λ·D̄^(1−λ)`` with D̄ the stage's geometric-mean D (λ = 1: ``p``)."""
    pos = np.where(p > 0, p, 1.0)
    mean = np.exp(np.log(pos).mean(axis=1, keepdims=True))
    return np.where(p > 0, pos**lam * mean ** (1.0 - lam), 0.0)
