"""Turn a designed SX separation train into the flowsheet's separation-unit parameters.

The SX engine (:mod:`reeflow.plant.sx`) designs the cascades for the REE chloride feed that the
flowsheet delivers; this adapter hands it the feed (kg/h of each REE as element), the product
groups, the extractant and the separation factors from the project, and converts the designed
train's products into a recovery matrix plus the reagent draw (HCl, NaOH) of the train.
"""

from __future__ import annotations

from typing import Any

from reeflow.core.errors import InputError
from reeflow.plant.chemistry import chloride
from reeflow.plant.stream import Stream
from reeflow.plant.units import SeparationParams
from reeflow.plant.units.separation import ree_mol_per_h
from reeflow.project import Project

__all__ = ["sx_feed_kg_per_h", "design_separation"]


def sx_feed_kg_per_h(feed: Stream, ree: tuple[str, ...]) -> dict[str, float]:
    """REE in the chloride feed, kg/h as element."""
    el = feed.element_kg_per_h()
    return {ln: float(el.get(ln, 0.0)) for ln in ree if feed.species_kg_per_h(chloride(ln)) > 0}


def design_separation(feed: Stream, project: Project, *, cost_model: Any = None,
                      ) -> tuple[SeparationParams, dict[str, Any]]:
    """Design the SX train for ``feed`` with the project's SX conditions and return (separation
    parameters, train summary). ``cost_model``: a :class:`reeflow.plant.sx.SXCostModel` with the
    study's own reagent and organic prices (the sequence ranking's weights); None: the SX
    room's defaults."""
    from reeflow.plant.sx import design_train
    from reeflow.plant.sx.settings import in_project_file, too_few_groups

    sep = project.plant.separation
    ree = tuple(project.ore.ree_distribution)
    feed_kg = sx_feed_kg_per_h(feed, ree)
    # a product group keeps only the elements the feed carries (an element at 0 % share is not
    # separated); a group left empty makes nothing. The train puts the groups in extraction
    # order and says so in its ``groups``.
    present = {n: [el for el in els if feed_kg.get(el, 0.0) > 0]
               for n, els in sep.products.items()}
    names = [n for n, els in present.items() if els]
    groups = [present[n] for n in names]
    if len(groups) < 2:  # validate refuses it first; the feed may still lack an element
        raise too_few_groups("plant.separation.products", list(sep.products))
    kw = sep.sx.train_kwargs(sep.extractant)
    if cost_model is not None:
        kw["cost_model"] = cost_model
    spec = sep.product_purity_frac  # one for all, or by the project's product names
    wanted = {n: float(spec[n]) if isinstance(spec, dict) else float(spec) for n in names}

    try:  # the train names its products by the project's names (NdPr, not Pr+Nd)
        train = design_train(feed_kg, extractant=sep.extractant,
                             products=dict(zip(names, groups, strict=True)),
                             separation_factors=dict(sep.separation_factors) or None,
                             purity=wanted, purity_basis=sep.product_purity_basis,
                             purity_field="plant.separation.product_purity", **kw)
    except InputError as exc:  # the train's 'products' is the project's products section
        raise in_project_file(exc, products=dict(sep.products)) from None
    recovery: dict[str, dict[str, float]] = {}
    for name in train.groups:
        comp = train.products[name]
        recovery[name] = {el: min(1.0, kg / feed_kg[el]) for el, kg in comp.items()
                          if feed_kg.get(el, 0.0) > 0 and kg > 0}
    _normalise(recovery, ree)
    params = SeparationParams(ree, recovery, source=f"SX train design ({sep.extractant})",
                              reagents_kg_per_h=dict(train.reagents_kg_per_h),
                              design_ree_mol_per_h=ree_mol_per_h(feed))
    summary = train.to_dict()  # its product_purity_spec: the project's, on its own basis
    summary.pop("solve_time_s", None)  # timings live in meta only (results are deterministic)
    for cut in summary.get("cuts", []):
        cut.pop("solve_time_s", None)
    summary["cascades"] = _cut_profiles(summary)
    # summary["groups"] (from train.to_dict): the train's, in its product (extraction) order,
    # as train_purities_at reads them
    summary["assumed_separation_factors"] = dict(sep.separation_factors)
    return params, summary


def _cut_profiles(train: dict[str, Any]) -> list[dict[str, Any]]:
    """Stage profiles of every designed cut, re-simulated at its design (for the report)."""
    from reeflow.plant.sx import simulate_cut

    out = []
    for label, cut in zip(train["sequence"], train["cuts"], strict=True):
        prods = cut["products_mol_per_h"]
        feed = {el: prods["organic"].get(el, 0.0) + prods["aqueous"].get(el, 0.0)
                for el in train["alpha"] if el in prods["organic"] or el in prods["aqueous"]}
        ftot = sum(feed.values())
        res = simulate_cut(feed, train["alpha"], cut["n_extraction"], cut["n_scrub"],
                           cut["s_mol_per_mol_feed"] * ftot, cut["w_mol_per_mol_feed"] * ftot)
        d = res.to_dict()
        d.pop("solve_time_s", None)  # timings live in meta only (results are deterministic)
        d.update({"cut": label, "light": list(cut["light"]), "heavy": list(cut["heavy"]),
                  "organic_flow_m3_per_h": cut["flows_L_per_h"]["organic"] / 1000.0,
                  "beta": cut["beta_key"], "n_extraction": cut["n_extraction"],
                  "n_scrub": cut["n_scrub"], "n_strip": cut["n_strip"],
                  "purity_organic": cut["purity_organic"],
                  "purity_aqueous": cut["purity_aqueous"]})
        out.append(d)
    return out



def _normalise(recovery: dict[str, dict[str, float]], ree: tuple[str, ...]) -> None:
    """Guard against round-off: each element's fractions over products must not exceed 1."""
    for ln in ree:
        total = sum(r.get(ln, 0.0) for r in recovery.values())
        if total > 1.0:
            for r in recovery.values():
                if ln in r:
                    r[ln] /= total
