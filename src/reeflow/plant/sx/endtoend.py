"""Product specs end to end: impurity budgets turned into per-cut purity specs, then verified.

A product of a train collects the impurities every cut on its path lets through. Specifying
99.9 % on both outlets of every cut therefore does not deliver 99.9 % products: an outlet
carrying most of the feed may pass all of a minor element (e.g. the Sm of a La–Ce–Nd–Pr–Sm
feed) into the product that comes out next to it.

Budgets (mol/h of impurity): product g of feed flow n_g may carry ``(1 − P)/P·n_g``; the
budget is split between its two boundaries with its neighbours (whole to the one boundary of
an end product). The cut at boundary k (groups < k | groups ≥ k) lets light elements into its
organic; they end in product k (every later cut on the heavy side sends them back to the
aqueous), so the organic spec is ``1 − b_low[k]/F_org``; likewise heavy elements in its
aqueous end in product k − 1: ``1 − b_up[k − 1]/F_aq``. After the rigorous design of the
whole sequence the products are measured; a product that misses its spec has both boundary
budgets cut in proportion and the cuts concerned are redesigned (a few rounds). A product that
still cannot be reached raises InfeasibleSpecError naming it and the limiting cut.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from reeflow.core.errors import InfeasibleSpecError
from reeflow.core.numeric import check_flag
from reeflow.plant.sx.conditions import DesignConditions
from reeflow.plant.sx.design import CutDesign, _xu_flows, design_cut, simulate_cut
from reeflow.plant.sx.shortcut import xu_design

__all__ = ["initial_budgets", "cut_specs", "design_end_to_end", "product_streams",
           "train_purities_at", "per_product", "spec_text"]

#: Fraction of each product's impurity allowance handed to the cuts (the rest is margin).
SAFETY = 0.8
ROUNDS = 8


def per_product(purity: float | Sequence[float], count: int) -> list[float]:
    """Each of ``count`` products' purity spec: one spec for all, or one per product in order."""
    if isinstance(purity, Sequence):
        if len(purity) != count:
            raise ValueError(f"{len(purity)} purity specs for {count} products")
        return [float(p) for p in purity]
    return [float(purity)] * count


def spec_text(purity: float | Sequence[float], names: Sequence[str]) -> str:
    """The specs as an error says them: ``0.999``, or ``La 0.99, Ce 0.99, Pr+Nd 0.995``."""
    specs = per_product(purity, len(names))
    if len(set(specs)) == 1:
        return f"{specs[0]:g}"
    return ", ".join(f"{n} {p:g}" for n, p in zip(names, specs, strict=True))


def initial_budgets(n_group: Sequence[float], purity: float | Sequence[float]
                    ) -> tuple[list[float], list[float]]:
    """(b_low, b_up) per product: impurity (mol/h) allowed through its lower / upper boundary;
    ``purity``: one spec for every product or one per product, in order."""
    g_count = len(n_group)
    specs = per_product(purity, g_count)
    low, up = [0.0] * g_count, [0.0] * g_count
    for g, n in enumerate(n_group):
        allow = SAFETY * (1.0 - specs[g]) / specs[g] * n
        sides = (g > 0) + (g < g_count - 1)
        if g > 0:
            low[g] = allow / sides
        if g < g_count - 1:
            up[g] = allow / sides
    return low, up


def cut_specs(cut: tuple[int, int, int], n_group: Sequence[float], low: Sequence[float],
              up: Sequence[float]) -> tuple[float, float]:
    """(organic, aqueous) purity specs of ``cut`` = (i, k, j) from the boundary budgets."""
    i, k, j = cut
    f_org = math.fsum(n_group[k:j])
    f_aq = math.fsum(n_group[i:k])
    tot = f_org + f_aq
    spec_o = 1.0 - low[k] / f_org
    spec_a = 1.0 - up[k - 1] / f_aq
    # a spec must exceed the feed fraction of its own group (Xu's product split)
    spec_o = min(max(spec_o, f_org / tot + 0.5 * (1 - f_org / tot)), 1.0 - 1e-10)
    spec_a = min(max(spec_a, f_aq / tot + 0.5 * (1 - f_aq / tot)), 1.0 - 1e-10)
    return spec_o, spec_a


def product_streams(feed, groups, seq, designs) -> dict[tuple[int, int], dict[str, float]]:
    """Outlet streams (mol/h) of every group range after the cuts ``designs`` of ``seq``."""
    streams: dict[tuple[int, int], dict[str, float]] = {(0, len(groups)): dict(feed)}
    for (i, k, j), d in zip(seq, designs, strict=True):
        streams.pop((i, j))
        streams[(k, j)] = {e: x for e, x in d.products_mol_per_h["organic"].items() if x > 0}
        streams[(i, k)] = {e: x for e, x in d.products_mol_per_h["aqueous"].items() if x > 0}
    return streams


def _signature(feed: dict[str, float], specs: tuple[float, float]) -> tuple:
    return tuple(sorted((e, float(f"{x:.12g}")) for e, x in feed.items())) + (
        float(f"{specs[0]:.12g}"), float(f"{specs[1]:.12g}"))


def design_end_to_end(feed, groups, names, seq, alpha, purity: float | Sequence[float],
                      cond: DesignConditions, max_stages: int, cache: dict | None = None
                      ) -> tuple[list[CutDesign], dict[tuple[int, int], dict[str, float]],
                                 dict[str, Any]]:
    """Rigorous design of ``seq`` meeting ``purity`` on every product (one spec for all, or
    one per product in order); raises when it cannot.

    Returns (cut designs in order, outlet streams, record with the specs and rounds used).
    """
    cache = {} if cache is None else cache
    rank = {e: gi for gi, g in enumerate(groups) for e in g}
    n_group = [math.fsum(feed[e] for e in g) for g in groups]
    product_specs = per_product(purity, len(groups))
    low, up = initial_budgets(n_group, product_specs)
    for rnd in range(1, ROUNDS + 1):
        designs, cut_specs_ = _design_all(feed, seq, rank, alpha, cond, max_stages, cache,
                                          n_group, low, up, names)
        streams = product_streams(feed, groups, seq, designs)
        failing = _failing(streams, groups, product_specs)
        if not failing:
            return designs, streams, {"rounds": rnd, "cut_specs": cut_specs_}
        for g, (lighter, heavier, allowed) in failing.items():
            factor = min(0.85 * allowed / (lighter + heavier), 0.95)
            if lighter > 0 and g > 0:  # shrink the side(s) that leak, in proportion
                low[g] *= factor
            if heavier > 0 and g < len(groups) - 1:
                up[g] *= factor
    worst = max(failing, key=lambda g: (failing[g][0] + failing[g][1]) / failing[g][2])
    raise InfeasibleSpecError(
        f"product {names[worst]} cannot reach {product_specs[worst]:g} end to end in {ROUNDS} "
        "rounds of "
        "tightening the cuts on its path; relax the purity or the stage cap")


def _design_all(feed, seq, rank, alpha, cond, max_stages, cache, n_group, low, up, names):
    designs: list[CutDesign] = []
    specs: list[dict[str, Any]] = []
    streams: dict[tuple[int, int], dict[str, float]] = {(0, len(n_group)): dict(feed)}
    for cut in seq:
        i, k, j = cut
        f = streams.pop((i, j))
        sp = cut_specs(cut, n_group, low, up)
        key = (cut, _signature(f, sp))
        if key not in cache:
            heavy = [e for e in f if rank[e] >= k]
            try:
                cache[key] = design_cut(f, heavy, alpha=alpha, purity_organic=sp[0],
                                        purity_aqueous=sp[1], conditions=cond,
                                        max_stages=max_stages)
            except InfeasibleSpecError as exc:
                label = "+".join(names[i:k]) + "|" + "+".join(names[k:j])
                raise InfeasibleSpecError(
                    f"cut {label}: purities {sp[0]:.6g} (organic, toward {names[k]}) / "
                    f"{sp[1]:.6g} (aqueous, toward {names[k - 1]}) needed for the product "
                    f"specs cannot be designed: {exc}") from None
        d = cache[key]
        designs.append(d)
        specs.append({"cut": list(cut), "purity_organic": sp[0], "purity_aqueous": sp[1]})
        streams[(k, j)] = {e: x for e, x in d.products_mol_per_h["organic"].items() if x > 0}
        streams[(i, k)] = {e: x for e, x in d.products_mol_per_h["aqueous"].items() if x > 0}
    return designs, specs


def _failing(streams, groups, specs) -> dict[int, tuple[float, float, float]]:
    """Products below their spec: {g: (lighter impurity, heavier impurity, allowed) mol/h}."""
    rank = {e: gi for gi, g in enumerate(groups) for e in g}
    out = {}
    for g in range(len(groups)):
        s = streams[(g, g + 1)]
        tot = math.fsum(s.values())
        good = math.fsum(x for e, x in s.items() if rank[e] == g)
        if tot <= 0 or good / tot >= specs[g] * (1 - 1e-12):
            continue
        lighter = math.fsum(x for e, x in s.items() if rank[e] < g)
        heavier = math.fsum(x for e, x in s.items() if rank[e] > g)
        out[g] = (lighter, heavier, (1 - specs[g]) * tot)
    return out


def train_purities_at(train: Mapping[str, Any], groups: Mapping[str, Sequence[str]],
                      feed_mol_per_h: Mapping[str, float], *, retune: bool = True,
                      conditions: DesignConditions | None = None) -> dict[str, float]:
    """Purity (mol fraction of its own elements) of every product of a designed train run at
    another feed, each cut with its designed (ideal) stages and feed stage, simulated rigorously
    at constant β (:func:`~reeflow.plant.sx.design.simulate_cut`, at the design's
    ``conditions``); a cut's feed is the outlet of the cuts before it, in the train's order
    (the streams of :func:`product_streams`, by group range).

    Flows: ``retune=True`` re-sets each cut's scrub reflux W and loaded organic S from its feed,
    as an operator does from the feed assay: W in the design's proportion to Xu's flows at the
    cut's specs, S = W + f'_A (Xu's relations; Zhang, Zhao & Schreiner 2016, *Separation
    Hydrometallurgy of Rare Earth Elements*, ch. 4). ``retune=False`` keeps the design's S and W
    per mol of cut feed (flow-ratio control only). ``train``: a rigorous train's record
    (``cuts``, ``cut_specs``, ``alpha``; :meth:`TrainResult.to_dict`); ``groups``: product name
    -> its elements, in the train's product order. An element the feed lacks is skipped: a cut
    with one side absent passes its stream to the other side, and a product with none of its
    elements is NaN."""
    check_flag("retune", retune)
    els = [list(g) for g in groups.values()]
    rank = {e: gi for gi, g in enumerate(els) for e in g}
    streams = {(0, len(els)): {e: float(x) for e, x in feed_mol_per_h.items() if x > 0}}
    for spec, cut in zip(train["cut_specs"], train["cuts"], strict=True):
        i, k, j = spec["cut"]
        f = streams.pop((i, j), {})
        heavy = math.fsum(x for e, x in f.items() if rank[e] >= k)
        total = math.fsum(f.values())
        if not 0 < heavy < total:  # one side absent: nothing to split
            streams[(k, j) if heavy > 0 else (i, k)] = f
            continue
        s_per, w_per = _flows_at(cut, heavy / total, retune)
        n, m = (int(x) for x in cut["ideal_stages"])
        res = simulate_cut(f, train["alpha"], n, m, s_per * total, w_per * total,
                           conditions=conditions)
        streams[(k, j)] = dict(res.outlets["loaded_organic"])
        streams[(i, k)] = dict(res.outlets["raffinate"])
    out = {}
    for g, name in enumerate(groups):
        s = streams.get((g, g + 1), {})
        total = math.fsum(s.values())
        out[name] = math.fsum(s.get(e, 0.0) for e in els[g]) / total if total > 0 else math.nan
    return out


def _flows_at(cut: Mapping[str, Any], f_a: float, retune: bool) -> tuple[float, float]:
    """S and W per mol of feed of a designed cut at heavy-group feed fraction ``f_a``: the
    design's, or with W re-set in the design's proportion to Xu's flows (as the designer sets
    them, W kept above its floor) at ``f_a`` and the cut's specs, and S = W + f'_A."""
    s, w = float(cut["s_mol_per_mol_feed"]), float(cut["w_mol_per_mol_feed"])
    if not retune:
        return s, w
    x = cut["xu"]

    def xu_at(fa: float) -> Any:
        return xu_design(x["beta"], fa, x["purity_a"], x["purity_b"], beta_scrub=x["beta_scrub"])

    new = xu_at(f_a)
    w *= _xu_flows(new)[1] / _xu_flows(xu_at(x["f_a"]))[1]
    return w + new.f_prime_a, w
