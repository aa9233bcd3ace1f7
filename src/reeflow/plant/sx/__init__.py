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

Rigorous cascade (:mod:`.cascade`, solved by :mod:`.solver` kernels through :mod:`.steady`)
    ``Cascade(sections=(("extraction", n), ("scrub", m), ("strip", p)), feeds=(Feed(...),),
    side_draws=(), entrainment_aq_frac=0.0, entrainment_org_frac=0.0)``
    ``Feed(stage, phase, flow_L_per_h, mol_per_L, name="")``, ``SideDraw(stage, phase, fraction)``
    ``simulate(cascade, *, model, params, tol=1e-12, max_iter=None) -> CascadeResult``
    (``.outlets`` {name: {component: mol/h}}, ``.purity(outlet, elements)``,
    ``.recovery(outlet, elements)``, ``.converged`` (always True: a cascade that does not
    converge raises ConvergenceError), ``.strategy``, ``.iterations``, ``.solve_time_s``,
    ``.closure``, ``.aq_mol_per_h``/``.org_mol_per_h`` stage profiles, ``.to_dict()``).
    ``STAGE_LIMIT`` (2,000 stages, refused above).

Design (:mod:`.design`, :mod:`.conditions`)
    ``design_cut(feed_mol_per_h, heavy, *, alpha, purity_organic=0.999, purity_aqueous=0.999,
    reflux_factor=1.0, optimise_reflux=False, conditions=None, max_stages=600) -> CutDesign``
    ``simulate_cut(feed_mol_per_h, alpha, n_extraction, n_scrub, s_mol_per_h, w_mol_per_h, *,
    conditions=None, operating=None)``
    ``DesignConditions(...)`` (preferred concentrations and the windows the designer may move
    them in, O/A window, extractant concentration, temperature; defaults from ``data/sx``)
    ``operating_point(s, w, conditions) -> OperatingPoint`` (concentrations inside the O/A
    window, reagents per mol feed); ``conditions_for_extractant(name)``
    ``CutDesign``: n_extraction, n_scrub, n_strip, feed_stage, flows_L_per_h, reagents,
    organic_inventory_m3, mixer_settler_volume_m3, purity_organic, purity_aqueous, products_mol_per_h, result,
    operating, spec; ``.to_dict(profiles=False)``

Three-outlet and linked cascades (:mod:`.threeoutlet`, :mod:`.linked`)
    ``design_three_outlet(feed, heavy, middle, *, alpha, purity_organic, purity_aqueous,
    middle_fraction, recovery_aqueous=None, s_mol_per_mol_feed=None, draw_phase="aqueous")``
    ``design_linked_cut(feed_org_mol_per_h, heavy, *, alpha, ...)``, ``link_train(train)``,
    ``link_scrub(train, *, cut=None, liquor_RE_mol_per_h=None, ...)`` (the next cut's
    raffinate as a cut's scrub liquor: reagents unlinked, organic- and scrub-linked)

Separation train (:mod:`.train`, :mod:`.endtoend`, :mod:`.costing`) — the study hook
    ``design_train(feed_kg_per_h, *, extractant="P507", products=None,
    separation_factors=None, beta_policy="low", purity=0.999, purity_basis="mole",
    purity_field="purity", rank_by="cost_usd_per_a", conditions=None, cost_model=None,
    n_rigorous=3, max_stages=600) -> TrainResult``
    (``.products`` {name: {element: kg/h}}, ``.purity`` (every product meets ``purity`` end
    to end; one spec for all or {product: spec}; by mole, or by oxide mass with
    ``purity_basis="oxide_mass"``: ``.purity_basis``, ``.product_purity_spec``,
    ``.meets_product_spec``, ``.oxide_purity()``), ``.recovery``, ``.reagents_kg_per_h``,
    ``.total_stages``,
    ``.organic_inventory_m3``, ``.mixer_settler_volume_m3``, ``.cost``, ``.cuts``,
    ``.ranking`` (every sequence: stages, reagents, organic inventory, cost; rigorous where
    designed), ``.to_dict()``). ``SXCostModel`` (prices and cost weights; defaults from
    ``data/sx/cost_defaults.yaml``, or a {field: value} mapping).

Project settings (:mod:`.settings`): ``SXDesign`` (a StrictModel of the SX design conditions
a project may set, every field bounded), ``parse_sx_design(tree)``,
``SXDesign.to_conditions(extractant)``, ``SXDesign.train_kwargs(extractant)``.

CLI (:mod:`.commands`): ``register(subparsers)`` adds ``sx simulate|design|train`` (--json);
bad input exits 2 with one line.

Data (:mod:`.data`): ``relative_extractability``, ``key_beta`` (with ``temperature_C``),
``separation_factor_table``, ``extractant``, ``design_default``, ``design_record`` — every
value with source and evidence; recalled values never ship.

The names load lazily (importing the package imports none of its modules; the first use of a
name imports the module that defines it), so commands start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reeflow.core.lazy import lazy_package

if TYPE_CHECKING:
    from reeflow.plant.sx.cascade import (
        OA_WINDOW,
        STAGE_LIMIT,
        Cascade,
        CascadeResult,
        Feed,
        SideDraw,
        simulate,
    )
    from reeflow.plant.sx.conditions import (
        OperatingPoint,
        conditions_for_extractant,
        operating_point,
    )
    from reeflow.plant.sx.costing import (
        SXCostModel,
    )
    from reeflow.plant.sx.data import (
        EXTRACTANTS,
        design_default,
        design_record,
        extractant,
        key_beta,
        relative_extractability,
        separation_factor_table,
    )
    from reeflow.plant.sx.design import (
        CutDesign,
        DesignConditions,
        design_cut,
        simulate_cut,
    )
    from reeflow.plant.sx.linked import design_linked_cut, link_scrub, link_train
    from reeflow.plant.sx.models import (
        MODELS,
        get_model,
    )
    from reeflow.plant.sx.settings import (
        SXDesign,
        parse_sx_design,
    )
    from reeflow.plant.sx.shortcut import (
        XuDesign,
        fenske_min_stages,
        kremser_fraction_remaining,
        kremser_stages,
        underwood_min_scrub,
        xu_design,
        xu_product_split,
    )
    from reeflow.plant.sx.threeoutlet import design_three_outlet
    from reeflow.plant.sx.train import (
        TrainResult,
        default_products,
        design_train,
        enumerate_sequences,
    )

_WHERE: dict[str, str] = {  # name -> the module that defines it
    "OA_WINDOW": "cascade", "STAGE_LIMIT": "cascade", "Cascade": "cascade",
    "CascadeResult": "cascade", "Feed": "cascade", "SideDraw": "cascade", "simulate": "cascade",
    "OperatingPoint": "conditions", "conditions_for_extractant": "conditions",
    "operating_point": "conditions",
    "SXCostModel": "costing",
    "EXTRACTANTS": "data", "design_default": "data", "design_record": "data", "extractant": "data",
    "key_beta": "data", "relative_extractability": "data", "separation_factor_table": "data",
    "CutDesign": "design", "DesignConditions": "design", "design_cut": "design",
    "simulate_cut": "design",
    "MODELS": "models", "get_model": "models",
    "SXDesign": "settings", "parse_sx_design": "settings",
    "XuDesign": "shortcut", "fenske_min_stages": "shortcut",
    "kremser_fraction_remaining": "shortcut", "kremser_stages": "shortcut",
    "underwood_min_scrub": "shortcut", "xu_design": "shortcut", "xu_product_split": "shortcut",
    "TrainResult": "train", "default_products": "train", "design_train": "train",
    "enumerate_sequences": "train",
    "design_three_outlet": "threeoutlet",
    "design_linked_cut": "linked", "link_train": "linked", "link_scrub": "linked",
}

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
    "design_three_outlet",
    "design_linked_cut",
    "link_train",
    "link_scrub",
]


lazy_package(__name__)
