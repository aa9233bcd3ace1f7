"""Solvent-extraction engine: shortcut models, distribution models, rigorous cascade simulation.

Public API (stable; other rooms import only from here):

Shortcut models (pure functions, :mod:`.shortcut`)
    ``kremser_stages(D, o_to_a, fraction_extracted, *, y_in_over_x_in=0.0) -> float``
    ``kremser_fraction_remaining(D, o_to_a, n_stages) -> float``
    ``fenske_min_stages(beta, purity_top, purity_bottom) -> float``
    ``xu_design(beta, f_a, purity_a, purity_b, *, beta_scrub=None, reflux_factor=1.0) -> XuDesign``
    ``underwood_min_scrub(beta, f_a, purity_a, purity_b) -> float``

Distribution models (:mod:`.models`, registry ``MODELS``: "constant_d", "constant_beta",
"mass_action"; each documents its ``params``).

Rigorous cascade (:mod:`.cascade`)
    ``Cascade(sections=(("extraction", n), ("scrub", m), ("strip", p)), feeds=(Feed(...),),
    side_draws=(), entrainment_aq_frac=0.0, entrainment_org_frac=0.0)``
    ``Feed(stage, phase, flow_L_per_h, mol_per_L, name="")``, ``SideDraw(stage, phase, fraction)``
    ``simulate(cascade, *, model, params, tol=1e-12, max_iter=200) -> CascadeResult``
    (``.outlets`` {name: {component: mol/h}}, ``.purity(outlet, elements)``,
    ``.recovery(outlet, elements)``, ``.converged``, ``.iterations``, ``.solve_time_s``,
    ``.closure``, ``.aq_mol_per_h``/``.org_mol_per_h`` stage profiles, ``.to_dict()``)
"""

from reeflow.plant.sx.cascade import OA_WINDOW, Cascade, CascadeResult, Feed, SideDraw, simulate
from reeflow.plant.sx.models import MODELS, get_model
from reeflow.plant.sx.shortcut import (
    XuDesign,
    fenske_min_stages,
    kremser_fraction_remaining,
    kremser_stages,
    underwood_min_scrub,
    xu_design,
    xu_product_split,
)

__all__ = [
    "OA_WINDOW",
    "MODELS",
    "get_model",
    "Cascade",
    "CascadeResult",
    "Feed",
    "SideDraw",
    "simulate",
    "XuDesign",
    "xu_design",
    "xu_product_split",
    "fenske_min_stages",
    "kremser_stages",
    "kremser_fraction_remaining",
    "underwood_min_scrub",
]
