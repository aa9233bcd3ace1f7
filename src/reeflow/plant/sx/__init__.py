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

Design (:mod:`.design`)
    ``design_cut(feed_mol_per_h, heavy, *, alpha, purity_organic=0.999, purity_aqueous=0.999,
    reflux_factor=1.0, optimise_reflux=False, conditions=None, max_stages=600) -> CutDesign``
    ``simulate_cut(feed_mol_per_h, alpha, n_extraction, n_scrub, s_mol_per_h, w_mol_per_h)``
    ``DesignConditions(feed_mol_per_L, loaded_organic_mol_per_L, scrub_acid_mol_per_L,
    strip_acid_mol_per_L, strip_acid_excess_frac, n_strip, mixer_residence_min,
    settler_residence_min, stage_efficiency)`` (defaults from ``data/sx``)
    ``CutDesign``: n_extraction, n_scrub, n_strip, feed_stage, flows_L_per_h (feed, organic,
    scrub_acid, strip_acid), reagents_kg_per_h / _per_t_product (HCl, NaOH),
    organic_inventory_m3, mixer_settler_volume_m3, purities, products_mol_per_h, result
    (stage profiles), reflux_scan, xu; ``.to_dict(profiles=False)``

Separation train (:mod:`.train`) — the study hook
    ``design_train(feed_kg_per_h, *, extractant="P507", products=None,
    separation_factors=None, beta_policy="low", purity=0.999, rank_by="total_stages",
    conditions=None) -> TrainResult`` (``.products`` {name: {element: kg/h}}, ``.purity``,
    ``.recovery``, ``.reagents_kg_per_h``, ``.total_stages``, ``.organic_inventory_m3``,
    ``.mixer_settler_volume_m3``, ``.cuts``, ``.ranking``, ``.to_dict()``)

CLI (:mod:`.commands`): ``register(subparsers)`` adds ``sx simulate|design|train`` (--json).

Data (:mod:`.data`): ``relative_extractability``, ``key_beta``, ``separation_factor_table``,
``extractant``, ``design_default`` — only verified factors ship.
"""

from reeflow.plant.sx.cascade import (
    OA_WINDOW,
    STAGE_LIMIT,
    Cascade,
    CascadeResult,
    Feed,
    SideDraw,
    simulate,
)
from reeflow.plant.sx.conditions import OperatingPoint, conditions_for_extractant, operating_point
from reeflow.plant.sx.costing import SXCostModel
from reeflow.plant.sx.data import (
    EXTRACTANTS,
    design_default,
    design_record,
    extractant,
    key_beta,
    relative_extractability,
    separation_factor_table,
)
from reeflow.plant.sx.design import CutDesign, DesignConditions, design_cut, simulate_cut
from reeflow.plant.sx.models import MODELS, get_model
from reeflow.plant.sx.settings import SXDesign, parse_sx_design
from reeflow.plant.sx.shortcut import (
    XuDesign,
    fenske_min_stages,
    kremser_fraction_remaining,
    kremser_stages,
    underwood_min_scrub,
    xu_design,
    xu_product_split,
)
from reeflow.plant.sx.train import TrainResult, default_products, design_train, enumerate_sequences

__all__ = [
    "SXDesign",
    "parse_sx_design",
    "SXCostModel",
    "OperatingPoint",
    "operating_point",
    "conditions_for_extractant",
    "STAGE_LIMIT",
    "design_record",
    "EXTRACTANTS",
    "design_default",
    "extractant",
    "key_beta",
    "relative_extractability",
    "separation_factor_table",
    "CutDesign",
    "DesignConditions",
    "design_cut",
    "simulate_cut",
    "TrainResult",
    "default_products",
    "design_train",
    "enumerate_sequences",
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
