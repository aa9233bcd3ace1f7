"""Distribution model (b): constant separation factors with an organic loading constraint (Xu).

Xu Guangxian's design basis for saponified P507/PC-88A (Zhang, Zhao & Schreiner 2016, ch. 4;
``ree_separation.md`` §3.1): the saponified organic is loaded to a fixed RE flow S in every
extraction and scrub stage, and the rare earths compete for it with constant relative
extractabilities ``α_i`` (β_ij = α_i/α_j)::

    v_i = S_k · α_i l_i / Σ_j α_j l_j

(the organic takes S_k mol/h of RE in stage k; D_i = λ_k α_i with λ_k set by the loading).
The organic is loaded to the same concentration everywhere, so S_k = S·Q_org,k/Q_org,1 (S is
the RE the organic carries out of stage 1; an organic side draw lowers S_k above it, an
organic feed raises it). In the top scrub stage the scrub acid strips W mol/h, so that
stage's organic carries S − W
(Xu: S − W = f'_A is the organic product). With S_k constant this is exactly the binary
constant-relative-volatility, constant-molar-overflow column, so McCabe–Thiele stepping
reproduces it. Stripping is taken as complete (no strip stages in this model).

Parameters: ``{"alpha": {element: relative extractability}, "organic_RE_mol_per_h": S,
"scrub_RE_mol_per_h": W, "capacity_mol_per_L": optional loaded-organic ceiling}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numba as nb
import numpy as np

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.plant.sx.models._params import number, table

__all__ = ["stage", "build_params", "homotopy", "EXTRA_COMPONENTS"]

#: Solver start: successive-substitution sweeps of the shortcut profile (see
#: reeflow.plant.sx.solver.initial_profile) and the first pseudo-time step of the first
#: attempt (inf = plain Newton with line search; measured on 300 random cascades per model).
START_SWEEPS = 1
FIRST_DT = 1000.0

EXTRA_COMPONENTS: tuple[str, ...] = ()
PARAM_KEYS = ("alpha", "organic_RE_mol_per_h", "scrub_RE_mol_per_h", "capacity_mol_per_L",
              "loaded_feeds")


@nb.njit(cache=True, error_model="numpy")
def stage(l, q_aq, q_org, p, v, g):  # noqa: E741
    """``p = [S_k, α_1 … α_C]``; organic flows ``v`` and Jacobian ``g`` = ∂v/∂l."""
    c = l.shape[0]
    s = p[0]
    tot = 0.0
    for j in range(c):
        tot += p[1 + j] * l[j]
    tot = max(tot, 1e-300)  # all flows at the floor: keep the kernel finite
    for i in range(c):
        w = p[1 + i] * l[i] / tot  # share of the organic loading taken by i
        v[i] = s * w
        for j in range(c):  # (w/tot) not (l/tot²): tot² may underflow
            g[i, j] = -s * w * p[1 + j] / tot
        g[i, i] += s * p[1 + i] / tot


def build_params(
    components: Sequence[str],
    stage_sections: Sequence[str],
    q_aq_L_per_h: np.ndarray,
    q_org_L_per_h: np.ndarray,
    params: Mapping,
) -> np.ndarray:
    """Rows ``[S_k, α…]``: S in extraction/scrub stages, S − W in the last scrub stage."""
    if "strip" in stage_sections:
        raise InputError("cascade.sections.strip", "present", "no strip section",
                         "the constant-β (Xu) model takes stripping as complete; drop the strip "
                         "section or use the mass_action model")
    alpha = table(params.get("alpha"), "model.params.alpha",
                  "{element: relative extractability} (β_AB = α_A/α_B)")
    s = number(params.get("organic_RE_mol_per_h"), "model.params.organic_RE_mol_per_h", low=0.0,
               strict_low=True, allowed="a finite number > 0 mol/h (the loaded-organic RE flow S)")
    w = number(params.get("scrub_RE_mol_per_h", 0.0), "model.params.scrub_RE_mol_per_h", low=0.0)
    if not w < s and params.get("loaded_feeds") is None:  # with loaded feeds: top stage check
        raise InfeasibleSpecError(
            f"scrub reflux W = {w:.6g} mol/h (params.scrub_RE_mol_per_h) must lie in [0, S = "
            f"{s:.6g}) mol/h (params.organic_RE_mol_per_h): the scrub acid cannot strip more "
            "than the organic carries")
    cap = params.get("capacity_mol_per_L")
    if cap is not None:
        cap = number(cap, "model.params.capacity_mol_per_L", low=0.0, strict_low=True)
        if s > cap * float(q_org_L_per_h[0]) * (1 + 1e-12):
            raise InfeasibleSpecError(
                f"organic over capacity: S = {s:.6g} mol/h needs "
                f"{s / float(q_org_L_per_h[0]):.4g} mol/L loaded RE, capacity "
                f"{cap:.4g} mol/L; raise the organic flow")
    a = np.empty(len(components))
    for i, el in enumerate(components):
        if el not in alpha:
            raise InputError(f"model.params.alpha.{el}", None, "> 0",
                             f"give a relative extractability for {el}")
        a[i] = number(alpha[el], f"model.params.alpha.{el}", low=0.0, strict_low=True)
    out = np.empty((len(stage_sections), 1 + len(components)))
    # the organic is loaded to the same concentration on every stage: S_k follows its volume
    # (organic side draws lower it above the draw, RE-loaded organic feeds raise it) ...
    q = np.asarray(q_org_L_per_h, dtype=float)
    loaded = _loaded_feeds(params.get("loaded_feeds"), len(stage_sections), q)
    if loaded is None:
        out[:, 0] = s * q / float(q[0])
    else:  # ... except RE-loaded organic (a linked cascade's feed): it carries its own RE
        q_loaded, re_loaded = loaded
        out[:, 0] = s * (q - q_loaded) / float(q[0] - q_loaded[0]) + re_loaded
    out[:, 1:] = a
    scrub = [k for k, sec in enumerate(stage_sections) if sec == "scrub"]
    if scrub and not w > 0:  # as simulate_cut says: it ran to the iteration cap before (fuzz)
        raise InputError("model.params.scrub_RE_mol_per_h", w, "> 0 mol/h when the cascade "
                         "has a scrub section", "a scrub section needs scrub reflux (W > 0): "
                         "give the RE the scrub acid strips, or drop the scrub section")
    top = scrub[-1] if scrub else len(stage_sections) - 1
    out[top, 0] -= w
    if not out[top, 0] > 0.0:
        raise InfeasibleSpecError(
            f"scrub reflux W = {w:.6g} mol/h is not below the organic RE of the top stage "
            f"({out[top, 0] + w:.6g} mol/h after side draws)")
    return out


def _loaded_feeds(raw, n: int, q: np.ndarray):
    """Cumulative (volume, RE) of RE-loaded organic feeds per stage, or None.

    ``loaded_feeds``: [[stage, RE mol/h, volume L/h], …] — organic streams already loaded with
    RE (a linked cascade's organic feed). Their extractant sites are all taken by the RE they
    carry (sites freed by an acid scrub upstream are in the acid form and extract nothing at
    the saponified circuit's acidity), so they add exactly their RE to S_k.
    """
    if raw is None:
        return None
    if not isinstance(raw, list | tuple):
        raise InputError("model.params.loaded_feeds", raw, "[[stage, RE_mol_per_h, L_per_h]]",
                         "write loaded_feeds as a list of [stage, RE_mol_per_h, L_per_h] triples")
    q_loaded, re_loaded = np.zeros(n), np.zeros(n)
    for item in raw:
        if not (isinstance(item, list | tuple) and len(item) == 3):
            raise InputError("model.params.loaded_feeds", item, "[stage, RE_mol_per_h, L_per_h]",
                             "write each loaded feed as [stage, RE_mol_per_h, L_per_h]")
        k = int(number(item[0], "model.params.loaded_feeds.stage", low=1, high=n)) - 1
        q_loaded[k:] += number(item[2], "model.params.loaded_feeds.L_per_h", low=0.0)
        re_loaded[k:] += number(item[1], "model.params.loaded_feeds.RE_mol_per_h", low=0.0)
    if np.any(q_loaded > q * (1 + 1e-12)) or not q[0] - q_loaded[0] > 0:
        raise InputError("model.params.loaded_feeds", raw, "volumes within the organic feeds and "
                         "saponified organic at stage 1",
                         "lower the loaded feeds' L_per_h below the organic flow at their stages, "
                         "leaving fresh organic at stage 1")
    return q_loaded, re_loaded


def reference_profile(feed: np.ndarray, aq_feed: np.ndarray, p: np.ndarray,
                      da: np.ndarray) -> np.ndarray:
    """Xu's constant-flow start: aqueous RE totals from the section balances, feed composition.

    ``L_k = L_{k+1}(1 − da_{k+1}) + F_k + S_{k−1} − S_k`` with S_k the stage organic loading.
    """
    n, c = feed.shape
    comp = feed.sum(axis=0) / feed.sum()
    tot = np.zeros(n)
    for k in range(n - 1, -1, -1):
        up = tot[k + 1] * (1 - da[k + 1]) if k + 1 < n else 0.0
        s_prev = p[k - 1, 0] if k > 0 else 0.0
        tot[k] = up + feed[k].sum() + s_prev - p[k, 0]
    tot = np.maximum(tot, 1e-3 * feed.sum())
    return tot[:, None] * comp[None, :]


def homotopy(p: np.ndarray, lam: float) -> np.ndarray:
    """Parameter rows with every α raised to ``lam`` (λ = 0: no separation, λ = 1: ``p``)."""
    out = p.copy()
    out[:, 1:] = p[:, 1:] ** lam
    return out
