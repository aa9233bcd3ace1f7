"""Separation train for a multi-element feed: enumerate cut sequences, design, rank by cost.

The products are contiguous groups of the extractant's extraction order (default: La, Ce, Pr,
Nd each alone, the rest as groups of neighbours). Every sequence of sharp group cuts (a binary
tree over the groups; 14 sequences for 5 products) is first costed with Xu's static design of
each cut at the per-cut specs that the product specs require (:mod:`.endtoend`) and the
operating point inside the O/A window (:mod:`.conditions`): stages, reagents (HCl, NaOH),
organic inventory and mixer-settler volume, priced by :class:`~.costing.SXCostModel`
(reagents + annualised capital + organic fill). The ``n_rigorous`` best sequences are then
designed rigorously cut by cut, each cut fed with the actual product of the cut before it and
tightened until every product meets its spec end to end; the cheapest of those is the train,
the others are reported as ranked alternatives.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reeflow.core.elements import atomic_mass, molar_mass, oxide_factor
from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.core.numeric import INTEGER_TYPES, REAL_TYPES
from reeflow.plant.sx.conditions import (
    DesignConditions,
    conditions_for_extractant,
    operating_point,
)
from reeflow.plant.sx.costing import SXCostModel
from reeflow.plant.sx.data import design_record, extractant, relative_extractability
from reeflow.plant.sx.design import STAGE_LIMIT, CutDesign, check_conditions, check_feed
from reeflow.plant.sx.endtoend import (
    cut_specs,
    design_end_to_end,
    initial_budgets,
    spec_text,
)
from reeflow.plant.sx.settings import (
    check_product_names,
    check_spec_per_product,
    check_symbols,
    key_pairs,
    neighbour_gaps,
    ordered_groups,
)
from reeflow.plant.sx.shortcut import fenske_min_stages, xu_design

__all__ = ["TrainResult", "design_train", "default_products", "enumerate_sequences",
           "RANK_KEYS", "mole_spec_for", "meet_oxide_spec", "OXIDE_PASSES", "PURITY_BASES"]

MAJORS = ("La", "Ce", "Pr", "Nd")
RANK_KEYS = ("cost_usd_per_a", "total_stages", "organic_inventory_m3", "reagents_kg_per_h",
             "mixer_settler_volume_m3")


@dataclass
class TrainResult:
    """The designed train: products, cuts in order, totals, cost and the ranked alternatives."""

    extractant: str
    sequence: list[str]
    products: dict[str, dict[str, float]]  # product -> {element: kg/h}
    purity: dict[str, float]
    recovery: dict[str, float]
    reagents_kg_per_h: dict[str, float]
    total_stages: int
    organic_inventory_m3: float
    mixer_settler_volume_m3: float
    cuts: list[CutDesign]
    ranking: list[dict[str, Any]] = field(default_factory=list)
    alpha: dict[str, float] = field(default_factory=dict)
    solve_time_s: float = 0.0
    cost: dict[str, float] = field(default_factory=dict)
    purity_spec: dict[str, float] = field(default_factory=dict)  # product -> its spec
    cut_specs: list[dict[str, Any]] = field(default_factory=list)
    rank_by: str = "cost_usd_per_a"
    cost_model: dict[str, float] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    #: elements a product names that the feed lacks, by product (a product none of whose
    #: elements is fed makes nothing and is left out of the train; it was left out silently)
    not_fed: dict[str, list[str]] = field(default_factory=dict)
    #: the basis of the product specs as given (``mole`` or ``oxide_mass``) and the specs on
    #: it; on ``oxide_mass``, ``purity_spec`` holds the mole specs the train was designed to
    purity_basis: str = "mole"
    product_purity_spec: dict[str, float] = field(default_factory=dict)

    @property
    def meets_spec(self) -> dict[str, bool]:
        """Each product's purity against its spec (True for every product of a returned
        train)."""
        return {p: v >= self.purity_spec[p] * (1 - 1e-12) for p, v in self.purity.items()}

    def oxide_purity(self) -> dict[str, float]:
        """Each product's purity as a mass fraction of oxides: its own elements' oxides over
        all its rare-earth oxides (how an oxide is sold and priced; the train's ``purity`` is
        the mole fraction of its rare earths). A heavier impurity oxide weighs more."""
        out = {}
        for p, f in self.products.items():
            ox = {e: m * oxide_factor(e) for e, m in f.items()}
            tot = math.fsum(ox.values())
            own = math.fsum(v for e, v in ox.items() if e in self.groups.get(p, ()))
            out[p] = own / tot if tot > 0 else math.nan
        return out

    @property
    def meets_product_spec(self) -> dict[str, bool]:
        """Each product against its spec on the basis it was given (by oxide mass on
        ``oxide_mass``: the redesigns may stop short, :func:`meet_oxide_spec`)."""
        if self.purity_basis != "oxide_mass":
            return self.meets_spec
        made, spec = self.oxide_purity(), self.product_purity_spec or self.purity_spec
        return {p: made[p] >= spec[p] - 1e-12 for p in self.purity}

    def mole_specs_for(self, oxide_spec: Mapping[str, float]) -> dict[str, float]:
        """The mole-fraction spec of each product whose oxide purity falls short of
        ``oxide_spec`` (mass fractions) that meets it at the same impurity mix
        (:func:`mole_spec_for`); {} when every product meets its spec."""
        made = self.oxide_purity()
        return {p: mole_spec_for(float(oxide_spec[p]), self.purity[p], made[p])
                for p in self.purity if p in oxide_spec and made[p] < oxide_spec[p] - 1e-12}

    def product_oxide_kg_per_h(self) -> dict[str, float]:
        """Each product's mass as oxides (element mass × oxide factor)."""
        return {p: math.fsum(m * oxide_factor(e) for e, m in f.items())
                for p, f in self.products.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (no stage profiles)."""
        return {
            "extractant": self.extractant, "sequence": self.sequence,
            "products_kg_per_h": self.products,
            "products_oxide_kg_per_h": self.product_oxide_kg_per_h(),
            "purity": self.purity, "oxide_purity": self.oxide_purity(),
            "purity_spec": self.purity_spec,
            "meets_spec": self.meets_spec,
            "product_purity_spec": self.product_purity_spec or self.purity_spec,
            "product_purity_basis": self.purity_basis,
            "meets_product_spec": self.meets_product_spec, "recovery": self.recovery,
            "reagents_kg_per_h": self.reagents_kg_per_h, "total_stages": self.total_stages,
            "organic_inventory_m3": self.organic_inventory_m3,
            "mixer_settler_volume_m3": self.mixer_settler_volume_m3,
            "cost": self.cost, "rank_by": self.rank_by, "cost_model": self.cost_model,
            "cuts": [c.to_dict() for c in self.cuts], "cut_specs": self.cut_specs,
            "ranking": self.ranking, "alternatives": self.ranking,
            "alpha": self.alpha, "solve_time_s": self.solve_time_s, "groups": self.groups,
            "not_fed": self.not_fed,
        }


def mole_spec_for(oxide_spec: float, mole_purity: float, oxide_purity: float) -> float:
    """The mole-fraction purity that gives ``oxide_spec`` by oxide mass, where a product at
    ``mole_purity`` x by mole is ``oxide_purity`` w by mass. The impurity's oxide mass per
    mole, relative to the product's own, stays as it is (b/a = (1 − w)x / (w(1 − x))), so
    x' = 1 / (1 + (1 − s)/s · (1 − x)/x · w/(1 − w)): exact at that impurity mix. NaN where
    the product holds no impurity (x = 1 or w = 1)."""
    x, w, s = mole_purity, oxide_purity, oxide_spec
    if not (0.0 < x < 1.0 and 0.0 < w < 1.0 and s > 0.0):
        return math.nan
    return 1.0 / (1.0 + (1.0 - s) / s * (1.0 - x) / x * w / (1.0 - w))


#: redesigns allowed to meet an oxide-mass spec: each designs to the exact mole spec at the
#: last design's impurity mix, which moves little between designs (one is usually enough)
OXIDE_PASSES = 3


def meet_oxide_spec(train: TrainResult, wanted: Mapping[str, float],
                    design: Callable[[dict[str, float]], TrainResult], *,
                    field: str = "purity") -> TrainResult:
    """Redesign ``train`` (made by ``design(purity)``) until every product meets ``wanted``
    as a mass fraction of its oxides: a product short of it is given the mole spec that meets
    it at its impurity mix (:meth:`TrainResult.mole_specs_for`), at most ``OXIDE_PASSES``
    times; a product still short is left to the caller to report. A mole spec above the SX
    room's ceiling, or one no train meets, is refused naming ``field``.product and the
    oxide-mass spec the user wrote."""
    top = float(design_record("purity")["bounds"][1])
    mole = {k: float(v) for k, v in wanted.items()}
    for _ in range(OXIDE_PASSES):
        need = train.mole_specs_for(wanted)
        if not need:
            break
        for name, x in need.items():
            if not x <= top:
                raise InputError(f"{field}.{name}", wanted[name],
                                 f"an oxide-mass purity whose mole spec is at most {top:g} "
                                 f"(it needs {x:.6f} at the train's impurity mix)",
                                 "lower the purity, or design to the mole basis")
            mole[name] = max(mole[name], x)
        try:
            train = design(mole)
        except InfeasibleSpecError as exc:
            short = ", ".join(f"{n} {wanted[n]:.4%} by oxide mass needs {need[n]:.4%} by mole"
                              for n in need)
            raise InfeasibleSpecError(f"{field}: {short} at the train's impurity mix, which no "
                                      f"train meets ({exc})") from None
    return train


def product_name(group: Sequence[str]) -> str:
    """The train's name of a product group: ``La``, ``Pr+Nd``, ``Sm..Lu`` (over three)."""
    return group[0] if len(group) == 1 else "+".join(group) if len(group) <= 3 else \
        f"{group[0]}..{group[-1]}"


def default_products(order: Sequence[str]) -> list[list[str]]:
    """La, Ce, Pr, Nd alone; runs of other elements as one group each. A feed with none of
    La..Nd (e.g. Sm, Eu, Gd) is split element by element: one group of it all was refused as
    'at least two product groups' (SX fuzz round 18)."""
    groups: list[list[str]] = []
    for e in order:
        if e in MAJORS or not groups or groups[-1][-1] in MAJORS:
            groups.append([e])
        else:
            groups[-1].append(e)
    if len(groups) == 1:
        return [[e] for e in groups[0]]
    return groups


def enumerate_sequences(n_groups: int) -> list[list[tuple[int, int, int]]]:
    """All sequences of sharp cuts of groups 0..n−1: lists of (i, k, j) = split [i,j) at k."""
    def trees(i: int, j: int) -> list[list[tuple[int, int, int]]]:
        if j - i <= 1:
            return [[]]
        out = []
        for k in range(i + 1, j):
            for left in trees(i, k):
                for right in trees(k, j):
                    out.append([(i, k, j), *left, *right])
        return out

    return trees(0, n_groups)


def _shortcut_cut(feed, groups, cut, alpha, specs, cond) -> dict[str, Any]:
    """Xu's static design of one cut at its specs, inside the O/A window."""
    i, k, j = cut
    els = [e for g in groups[i:j] for e in g]
    heavy = [e for g in groups[k:j] for e in g]
    ftot = math.fsum(feed[e] for e in els)
    f_a = math.fsum(feed[e] for e in heavy) / ftot
    beta = alpha[groups[k][0]] / alpha[groups[k - 1][-1]]
    if not beta > 1.0:
        raise InfeasibleSpecError(f"separation factor β = {beta:.4g} at the cut before "
                                  f"{groups[k][0]} must exceed 1 to separate the groups")
    xu = xu_design(beta, f_a, specs[0], specs[1])
    fpa = xu.f_prime_a
    w = xu.w_mol_per_mol_feed if xu.w_mol_per_mol_feed >= 0.02 * fpa else max(
        1.2 * max(xu.w_min_mol_per_mol_feed, 0.0), 0.02 * fpa)
    op = operating_point(w + fpa, w, cond)
    ideal = xu.n_extraction + xu.m_scrub + 1
    if not math.isfinite(ideal):
        ideal = 2.0 * fenske_min_stages(beta, specs[0], specs[1])
    real = math.ceil(ideal / cond.stage_efficiency)
    stages = real + cond.n_strip
    fl = {key: v * ftot for key, v in op.flows_L_per_mol().items()}
    tau = (cond.mixer_residence_min + cond.settler_residence_min) / 60.0
    reag = {key: v * ftot * molar_mass(key) / 1000.0
            for key, v in op.reagents_mol_per_mol_feed().items()}
    vol = tau * (real * (2 * fl["organic"] + fl["feed"] + fl["scrub_acid"])
                 + cond.n_strip * (fl["organic"] + fl["strip_acid"])) / 1000.0
    return {"total_stages": stages, "organic_inventory_m3": fl["organic"] * stages * tau / 1000.0,
            "reagents": reag, "mixer_settler_volume_m3": vol}


def _totals(per_cut: list[dict[str, Any]], cost_model: SXCostModel) -> dict[str, Any]:
    reag: dict[str, float] = {}
    for c in per_cut:
        for r, kg in c["reagents"].items():
            reag[r] = reag.get(r, 0.0) + kg
    inv = math.fsum(c["organic_inventory_m3"] for c in per_cut)
    cost = cost_model.annual_cost(reag, inv, [c["mixer_settler_volume_m3"] for c in per_cut],
                                  [int(c["total_stages"]) for c in per_cut])
    return {"total_stages": int(sum(c["total_stages"] for c in per_cut)),
            "reagents_kg_per_h": math.fsum(reag.values()), "reagents": reag,
            "organic_inventory_m3": inv,
            "mixer_settler_volume_m3": math.fsum(c["mixer_settler_volume_m3"] for c in per_cut),
            "cost_usd_per_a": cost["total_usd_per_a"], "cost": cost}


def _validate_feed(feed_kg_per_h: Mapping[str, Any], order: Sequence[str]) -> dict[str, float]:
    kg = check_feed(feed_kg_per_h, "feed_kg_per_h", unit="kg/h")
    feed: dict[str, float] = {}
    for e, x in kg.items():
        if e not in order:
            raise InputError(f"feed_kg_per_h.{e}", e, f"an element of {list(order)}",
                             "use element symbols of the extractant's order")
        feed[e] = x / atomic_mass(e) * 1000.0  # mol/h
    if len(feed) < 2:
        raise InputError("feed_kg_per_h", dict(feed_kg_per_h), "at least two elements > 0",
                         "feed at least two elements with flows above 0")
    return feed


def _check_purity(purity: Any) -> None:
    top = float(design_record("purity")["bounds"][1])
    for key, value in (purity.items() if isinstance(purity, Mapping) else [(None, purity)]):
        if isinstance(value, bool) or not isinstance(value, REAL_TYPES) or not (
                0.5 <= value <= top):
            raise InputError("purity" if key is None else f"purity.{key}", value,
                             f"0.5 <= purity <= {top:g} (mole fraction)",
                             "give the product purity as a fraction, e.g. 0.999")


def _purity_specs(purity: float | Mapping[str, float], names: Sequence[str],
                  dropped: Sequence[str] = ()) -> list[float]:
    """Each product's purity spec in product order: one for all, or {product: spec} naming
    every product (:func:`reeflow.plant.sx.settings.check_spec_per_product`)."""
    if not isinstance(purity, Mapping):
        return [float(purity)] * len(names)
    check_spec_per_product(purity, names, "purity", listed_in="the train", dropped=dropped)
    return [float(purity[n]) for n in names]


def _check_train_args(purity, rank_by, n_rigorous, max_stages) -> str:
    _check_purity(purity)
    rank = "cost_usd_per_a" if rank_by == "cost" else rank_by
    if rank not in RANK_KEYS:
        raise InputError("rank_by", rank_by, f"one of {RANK_KEYS} (or 'cost')",
                         "set rank_by to one of the listed keys, or cost")
    if isinstance(n_rigorous, bool) or not isinstance(n_rigorous, INTEGER_TYPES) or n_rigorous < 1:
        raise InputError("n_rigorous", n_rigorous, "an integer >= 1",
                         "give n_rigorous as a whole number of at least 1, e.g. 3")
    if isinstance(max_stages, bool) or not isinstance(max_stages, INTEGER_TYPES) or not (
            2 <= max_stages <= STAGE_LIMIT):
        raise InputError("max_stages", max_stages, f"an integer 2..{STAGE_LIMIT}",
                         "give max_stages as a whole number in the range shown")
    return rank


def _check_symbols(products: Any, order_all: Sequence[str]) -> None:
    """Every element a product names is one the extractant separates (an element the feed
    lacks is still dropped: a group with none makes nothing)."""
    if not products or isinstance(products, str):
        return
    if isinstance(products, Mapping):
        check_product_names(products, "products")
    check_symbols(products, order_all, "products", "an element symbol of the extractant's order")


def _groups(products, feed, order) -> tuple[list[list[str]], list[str]]:
    given = products
    names: list[str] | None = None
    if isinstance(products, Mapping):
        names, products = [str(n) for n in products], list(products.values())
    if products is not None and (isinstance(products, str) or not all(
            isinstance(g, Sequence) and not isinstance(g, str) for g in products)):
        raise InputError("products", dict(given) if isinstance(given, Mapping) else products,
                         "a list of element lists or {name: [elements]}",
                         "e.g. {La: [La], NdPr: [Pr, Nd]}")
    if products is not None and not products:  # it fell back to the default groups
        raise InputError("products", given, "one product group or more",
                         "list the product groups, or leave products out for the default ones "
                         "(La, Ce, Pr, Nd alone, the rest in runs)")
    for i, g in enumerate(products or []):
        if not g:  # an empty group names nothing to make (the project file refuses it too)
            key = names[i] if names else i
            raise InputError(f"products.{key}", list(g), "one element or more",
                             "list the elements of the product, or leave the product out")
    # each group in extraction order ([Sm, Y, Dy] is [Sm, Dy, Y]) and the groups in that order
    # too ({La, NdPr, Ce} is La | Ce | NdPr); both were refused (fuzz round 20)
    fed = [[e for e in g if e in feed] for g in products] if products \
        else default_products(order)
    unnamed: list[str | None] = [None] * len(fed)
    pairs = ordered_groups(zip(names or unnamed, fed, strict=True), order)
    groups = [g for _, g in pairs]
    names = [str(n) if n is not None else product_name(g) for n, g in pairs]
    _check_products(groups, names, order, given)
    return groups, names


#: the bases a product purity may be given on (:func:`design_train`)
PURITY_BASES = ("mole", "oxide_mass")


def design_train(
    feed_kg_per_h: Mapping[str, float],
    *,
    extractant: str = "P507",
    products: Sequence[Sequence[str]] | Mapping[str, Sequence[str]] | None = None,
    separation_factors: Mapping[str, float] | None = None,
    beta_policy: str = "low",
    purity: float | Mapping[str, float] = 0.999,
    purity_basis: str = "mole",
    purity_field: str = "purity",
    rank_by: str = "cost_usd_per_a",
    conditions: DesignConditions | None = None,
    cost_model: SXCostModel | Mapping[str, float] | None = None,
    n_rigorous: int = 3,
    max_stages: int = 600,
) -> TrainResult:
    """Design the cheapest separation train for ``feed_kg_per_h`` (element → kg/h as element)
    whose products meet ``purity``: one spec for all, or {product: spec} naming every product
    (names as ``products`` gives them, else the train's: ``La``, ``Pr+Nd``).

    ``purity_basis``: ``mole`` (default), the mole fraction of the product's rare earths, the
    train's own measure; or ``oxide_mass``, the mass fraction of its rare-earth oxides, as
    oxides are sold (a heavier impurity oxide weighs more: Y2O3 at 99.62 mol % is 99.41 % by
    mass). On ``oxide_mass`` the train is redesigned to the mole specs that meet it
    (:func:`meet_oxide_spec`); ``purity_spec`` then holds those, ``product_purity_spec`` the
    specs as given and ``meets_product_spec`` says which products meet them;
    ``purity_field``: the path an infeasible oxide-mass spec is named by (the caller's, e.g.
    ``plant.separation.product_purity``). Each product's spec is met end to end (the per-cut
    specs follow from it, :mod:`reeflow.plant.sx.endtoend`).

    ``separation_factors`` ({"Ce/La": β, …}) supplies key pairs the shipped data lack.
    ``rank_by``: cost_usd_per_a (default; reagents + annualised capital + organic fill priced
    by ``cost_model``), total_stages, organic_inventory_m3, reagents_kg_per_h or
    mixer_settler_volume_m3. The ``n_rigorous`` best sequences by the shortcut ranking are
    designed rigorously and the best of those is returned; ``ranking`` lists every sequence
    (rigorous figures where designed). Raises InputError (bad input) or InfeasibleSpecError
    naming the product and the cut that cannot reach the spec.
    """
    if purity_basis not in PURITY_BASES:
        raise InputError("purity_basis", purity_basis, " or ".join(PURITY_BASES),
                         "write mole (the train's own measure) or oxide_mass (as sold)")
    if purity_basis == "oxide_mass":  # the keywords but the purity's, for the mole designs
        return _to_oxide_mass(feed_kg_per_h, purity, purity_field, dict(
            extractant=extractant, products=products, separation_factors=separation_factors,
            beta_policy=beta_policy, rank_by=rank_by, conditions=conditions,
            cost_model=cost_model, n_rigorous=n_rigorous, max_stages=max_stages))
    t0 = time.perf_counter()
    rank = _check_train_args(purity, rank_by, n_rigorous, max_stages)
    prices = SXCostModel.from_mapping(cost_model)
    rec = extractant_record(extractant)
    order_all = rec["order"]["value"]
    feed = _validate_feed(feed_kg_per_h, order_all)
    order = [e for e in order_all if e in feed]
    _check_symbols(products, order_all)
    groups, names = _groups(products, feed, order)
    given = [str(n) for n in products] if isinstance(products, Mapping) else []
    specs = _purity_specs(purity, names, dropped=[n for n in given if n not in names])
    cond = check_conditions(conditions) if conditions is not None \
        else conditions_for_extractant(extractant)
    alpha = relative_extractability(extractant, order, key_pairs(groups), policy=beta_policy,
                                    overrides=separation_factors,
                                    temperature_C=cond.temperature_C)
    ranking = _shortcut_ranking(feed, groups, names, alpha, specs, cond, prices, rank)
    best = _best_rigorous(ranking[:n_rigorous], feed, groups, names, alpha, specs, cond,
                          max_stages, prices, rank)
    ranking.sort(key=lambda r: (not r["feasible"], r["basis"] != "rigorous", _key(r, rank)))
    entry, designs, streams, record = best
    res = _assemble(extractant, entry, groups, names, feed, designs, streams, ranking, alpha)
    res.cost, res.rank_by = entry["cost"], rank
    res.purity_spec = dict(zip(names, specs, strict=True))
    res.cut_specs, res.cost_model = record["cut_specs"], prices.to_dict()
    res.groups = {n: list(g) for n, g in zip(names, groups, strict=True)}
    res.not_fed = _not_fed(products, feed)
    res.product_purity_spec = dict(res.purity_spec)
    res.solve_time_s = time.perf_counter() - t0
    return res


def _to_oxide_mass(feed_kg_per_h: Mapping[str, float], purity: float | Mapping[str, float],
                   field: str, opts: dict[str, Any]) -> TrainResult:
    """:func:`design_train` on the ``oxide_mass`` basis: the train to ``purity`` by mole,
    redesigned to the mole specs that meet it by oxide mass (:func:`meet_oxide_spec`; errors
    name ``field``); ``opts``: the other keywords."""
    def design(spec: float | Mapping[str, float]) -> TrainResult:
        return design_train(feed_kg_per_h, purity=spec, **opts)

    train = design(purity)
    wanted = dict(train.purity_spec)
    train = meet_oxide_spec(train, wanted, design, field=field)
    train.purity_basis, train.product_purity_spec = "oxide_mass", wanted
    return train


def _best_rigorous(entries: list[dict[str, Any]], feed: dict[str, float],
                   groups: list[list[str]], names: list[str], alpha: dict[str, float],
                   specs: list[float], cond: DesignConditions, max_stages: int,
                   prices: SXCostModel, rank: str) -> tuple[Any, ...]:
    """The best of the shortcut ranking's first ``entries`` designed rigorously (each entry
    updated with its rigorous figures, or marked infeasible with the reason): (entry,
    designs, streams, record). Raises InfeasibleSpecError when none meets the specs."""
    best = None
    cache: dict[Any, CutDesign] = {}
    for entry in entries:
        if not entry["feasible"]:
            continue
        try:
            designs, streams, record = design_end_to_end(
                feed, groups, names, entry["cuts"], alpha, specs, cond, max_stages, cache)
        except InfeasibleSpecError as exc:
            entry.update(feasible=False, reason=str(exc), basis="rigorous")
            continue
        per_cut = [{"total_stages": d.total_stages, "reagents": d.reagents_kg_per_h,
                    "organic_inventory_m3": d.organic_inventory_m3,
                    "mixer_settler_volume_m3": d.mixer_settler_volume_m3} for d in designs]
        entry.update(_totals(per_cut, prices), basis="rigorous")
        if best is None or _key(entry, rank) < _key(best[0], rank):
            best = (entry, designs, streams, record)
    if best is None:
        # one reason once: sequences that fail at the same cut say the same (fuzz round 21)
        reasons = "; ".join(dict.fromkeys(str(r.get("reason")) for r in entries))
        raise InfeasibleSpecError(f"no sequence meets the product specs "
                                  f"({spec_text(specs, names)}): {reasons}")
    return best


def _key(entry: dict[str, Any], rank: str) -> tuple:
    others = [k for k in RANK_KEYS if k != rank]
    return (entry[rank], *(entry[k] for k in others))


def _shortcut_ranking(feed, groups, names, alpha, specs, cond, prices, rank):
    n_group = [math.fsum(feed[e] for e in g) for g in groups]
    low, up = initial_budgets(n_group, specs)
    ranking = []
    for seq in enumerate_sequences(len(groups)):
        label = ["+".join(names[i:k]) + "|" + "+".join(names[k:j]) for i, k, j in seq]
        entry: dict[str, Any] = {"sequence": label, "cuts": seq, "basis": "shortcut",
                                 "feasible": True, "reason": ""}
        try:
            per_cut = [_shortcut_cut(feed, groups, cut, alpha,
                                     cut_specs(cut, n_group, low, up), cond) for cut in seq]
            entry.update(_totals(per_cut, prices))
        except InfeasibleSpecError as exc:
            entry.update(feasible=False, reason=str(exc), **dict.fromkeys(RANK_KEYS, math.inf))
        ranking.append(entry)
    ranking.sort(key=lambda r: (not r["feasible"], _key(r, rank)))
    return ranking


def extractant_record(name: str) -> dict[str, Any]:
    """The extractant's data record (order, loading, concentrations)."""
    return extractant(name)


def _not_fed(products: Any, feed: Mapping[str, float]) -> dict[str, list[str]]:
    """The elements each given product names that the feed lacks (products with none left
    out); {} for the default groups, which are made of fed elements."""
    if products is None:
        return {}
    items = products.items() if isinstance(products, Mapping) else \
        ((product_name(list(g)), g) for g in products)
    return {str(n): [e for e in g if e not in feed] for n, g in items
            if any(e not in feed for e in g)}


def _check_products(groups: list[list[str]], names: list[str], order: list[str],
                    given: Any = None) -> None:
    """The groups (each in extraction order, sorted by their first element) cover the fed
    elements once each, each a run of neighbours (:func:`~reeflow.plant.sx.settings.
    neighbour_gaps`, the project file's rule too); an error echoes the groups as the user
    wrote them."""
    shown = (dict(given) if isinstance(given, Mapping) else given) if given else groups
    flat = [e for g in groups for e in g]
    gapped = [(n, neighbour_gaps(g, order)) for n, g in zip(names, groups, strict=True)]
    gapped = [(n, gap) for n, gap in gapped if gap]
    if sorted(flat) != sorted(order) or gapped:
        fix = (f"add {', '.join(gapped[0][1])} to {gapped[0][0]}, or split {gapped[0][0]} "
               "into groups of neighbours" if gapped else "list each fed element in one group")
        raise InputError("products", shown, f"contiguous groups covering {order} (each a "
                         "run of neighbours in that order)", f"{fix}, e.g. {{La: [La], Ce: "
                         "[Ce], NdPr: [Pr, Nd]}")
    if len(groups) < 2:
        raise InputError("products", shown, "at least two product groups with elements in "
                         "the feed", "split the feed into at least two product groups")


def _assemble(ext, best, groups, names, feed, cuts, outs, ranking, alpha) -> TrainResult:
    products, purity, recovery = {}, {}, {}
    for gi, g in enumerate(groups):
        s = outs[(gi, gi + 1)]
        name = names[gi]
        products[name] = {e: x * atomic_mass(e) / 1000.0 for e, x in s.items()}
        tot = math.fsum(s.values())
        purity[name] = math.fsum(s.get(e, 0.0) for e in g) / tot if tot > 0 else math.nan
        recovery[name] = math.fsum(s.get(e, 0.0) for e in g) / math.fsum(feed[e] for e in g)
    reag: dict[str, float] = {}
    for c in cuts:
        for r, kg in c.reagents_kg_per_h.items():
            reag[r] = reag.get(r, 0.0) + kg
    for r in ranking:
        r["cuts"] = [list(c) for c in r["cuts"]]
    return TrainResult(
        extractant=ext, sequence=best["sequence"], products=products, purity=purity,
        recovery=recovery, reagents_kg_per_h=reag,
        total_stages=sum(c.total_stages for c in cuts),
        organic_inventory_m3=math.fsum(c.organic_inventory_m3 for c in cuts),
        mixer_settler_volume_m3=math.fsum(c.mixer_settler_volume_m3 for c in cuts),
        cuts=cuts, ranking=ranking, alpha=dict(alpha),
    )
