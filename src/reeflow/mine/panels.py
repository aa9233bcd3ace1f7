"""Aggregation for scheduling: panels (pushback × bench) and parcels (material classes in a panel).

A *panel* is one pushback on one bench; it is mined as a unit share by share. A *parcel* is the
ore of one panel that falls in one class: a bin of processing margin per tonne (quantiles over all
ore) crossed with, for each blending limit, whether the block sits below, inside or above the
limit. A parcel has a fixed composition, so sending part of it to the plant, to a stockpile or to
the dump keeps every balance linear and exact (no pooled-stockpile bilinearity: each stockpile
records its inventory per parcel; Moreno, Rezakhah, Newman & Ferreira 2017, "Linear models for
stockpiling in open-pit mine production scheduling problems", EJOR 260(1):212-221, discuss the
pooled alternatives).

Panel precedence is read off the block arcs: panel P needs panel Q when a block of P needs a block
of Q; a schedule that finishes Q before starting P honours every block arc.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reeflow.mine.valuation import BlockValues

__all__ = ["Panels", "make_panels", "transitive_reduction", "RESOURCE_CLASSES"]

#: resource classes reported in the plant feed (block-model ``class`` column, case-insensitive)
RESOURCE_CLASSES = ("measured", "indicated", "inferred", "unclassified")


@dataclass(frozen=True)
class Panels:
    """``panels``: pushback, bench, tonnes, mining_usd per panel; ``parcels``: panel, feed_t,
    margin_usd (processing margin before mining), contained ``<attr>_t`` (after ore loss and
    dilution), ``<class>_t`` feed tonnes by resource class, ``<product>_product_t``, revenue,
    selling, royalty, processing (USD); arcs ``src`` needs ``dst`` between panels."""

    panels: pd.DataFrame
    parcels: pd.DataFrame
    src: np.ndarray
    dst: np.ndarray
    block_panel: np.ndarray
    block_parcel: np.ndarray
    attributes: tuple[str, ...]
    products: tuple[str, ...]

    @property
    def n_panels(self) -> int:
        return len(self.panels)

    @property
    def n_parcels(self) -> int:
        return len(self.parcels)

    def grade(self, attr: str) -> np.ndarray:
        """Feed grade (mass fraction) of ``attr`` in each parcel."""
        feed = self.parcels["feed_t"].to_numpy()
        return np.divide(self.parcels[f"{attr}_t"].to_numpy(), feed, out=np.zeros_like(feed),
                         where=feed > 0)


def _classes(block_class: np.ndarray | None, n: int) -> dict[str, np.ndarray]:
    """A mask per resource class, every class present (a block model without a ``class``
    column is all unclassified: the schedule's class columns are then 0 but still there)."""
    if block_class is None:
        return {k: np.full(n, k == "unclassified") for k in RESOURCE_CLASSES}
    c = pd.Series(block_class).astype(str).str.strip().str.lower().to_numpy()
    out = {k: c == k for k in RESOURCE_CLASSES[:3]}
    out["unclassified"] = ~(out["measured"] | out["indicated"] | out["inferred"])
    return out


def _parcel_class(bv: BlockValues, grades: Mapping[str, np.ndarray], ore: np.ndarray,
                  n_bins: int, blend: Sequence[tuple[str, float | None, float | None]],
                  dilution_frac: float) -> np.ndarray:
    """Class code of each ore block: margin bin × blending position (-1 for non-ore)."""
    feed = np.where(bv.feed_t > 0, bv.feed_t, 1.0)
    margin_t = (bv.process_value_usd + bv.mining_usd) / feed
    code = np.full(ore.size, -1, np.int64)
    if not ore.any():
        return code
    qs = np.quantile(margin_t[ore], np.linspace(0, 1, n_bins + 1)[1:-1]) if n_bins > 1 else []
    code[ore] = np.searchsorted(np.asarray(qs), margin_t[ore], side="right")
    for attr, lo, hi in blend:
        g = np.asarray(grades[attr], float)[ore] / (1.0 + dilution_frac)  # feed grade
        pos = np.ones(int(ore.sum()), np.int64)
        if lo is not None:
            pos[g < lo] = 0
        if hi is not None:
            pos[g > hi] = 2
        code[ore] = code[ore] * 3 + pos
    return code


def make_panels(pushback: np.ndarray, bench: np.ndarray, tonnes: np.ndarray, bv: BlockValues,
                grades: Mapping[str, np.ndarray], src: np.ndarray, dst: np.ndarray, *,
                block_class: np.ndarray | None = None, n_bins: int = 3,
                blend: Sequence[tuple[str, float | None, float | None]] = (),
                dilution_frac: float = 0.0, ore_loss_frac: float = 0.0) -> Panels:
    """Aggregate the blocks with ``pushback >= 0`` into panels and parcels.

    ``grades`` maps ``<attr>_frac`` columns to in-situ mass fractions; feed contents carry the ore
    loss and dilution of :class:`~reeflow.mine.valuation.BlockEconomics` (dilution at zero grade).
    ``blend``: ``(column, min_frac, max_frac)`` of each plant-feed blending limit.
    """
    inside = pushback >= 0
    nb = int(bench.max()) + 1 if bench.size else 1
    key = np.where(inside, pushback * nb + bench, -1)
    uniq, first, panel = np.unique(key[inside], return_index=True, return_inverse=True)
    block_panel = np.full(key.size, -1, np.int64)
    block_panel[inside] = panel
    P = uniq.size
    t = tonnes[inside]
    panels = pd.DataFrame({"pushback": pushback[inside][first], "bench": bench[inside][first],
                           "tonnes": np.bincount(panel, weights=t, minlength=P),
                           "mining_usd": np.bincount(panel, weights=bv.mining_usd[inside],
                                                     minlength=P)})
    ore = inside & bv.is_ore
    code = _parcel_class(bv, grades, ore, n_bins, blend, dilution_frac)
    n_codes = int(code.max()) + 1 if ore.any() else 1
    pkey = np.where(ore, block_panel * n_codes + code, -1)
    pu, pfirst, parcel = np.unique(pkey[ore], return_index=True, return_inverse=True)
    block_parcel = np.full(key.size, -1, np.int64)
    block_parcel[ore] = parcel
    K = pu.size
    kept = tonnes * (1.0 - ore_loss_frac)

    def agg(w: np.ndarray) -> np.ndarray:
        return np.bincount(parcel, weights=w[ore], minlength=K)

    parcels = pd.DataFrame({"panel": block_panel[ore][pfirst] if K else np.zeros(0, np.int64),
                            "code": code[ore][pfirst] if K else np.zeros(0, np.int64),
                            "feed_t": agg(bv.feed_t),
                            "margin_usd": agg(bv.process_value_usd + bv.mining_usd),
                            "revenue_usd": agg(bv.revenue_usd), "selling_usd": agg(bv.selling_usd),
                            "royalty_usd": agg(bv.royalty_usd),
                            "processing_usd": agg(bv.processing_usd)})
    attrs = tuple(sorted(c for c in grades if str(c).endswith("_frac")))
    for c in attrs:
        parcels[f"{c}_t"] = agg(kept * np.asarray(grades[c], float))
    for name, mask in _classes(block_class, key.size).items():
        parcels[f"{name}_t"] = agg(bv.feed_t * mask)
    for name, made in bv.product_t.items():
        parcels[f"{name}_product_t"] = agg(made)
    ps, pd_ = block_panel[src], block_panel[dst]
    ok = (ps >= 0) & (pd_ >= 0) & (ps != pd_)
    pairs = np.unique(ps[ok] * P + pd_[ok])
    arc_src, arc_dst = transitive_reduction(pairs // max(P, 1), pairs % max(P, 1), P)
    return Panels(panels=panels, parcels=parcels, src=arc_src, dst=arc_dst,
                  block_panel=block_panel, block_parcel=block_parcel, attributes=attrs,
                  products=tuple(bv.product_t))


def transitive_reduction(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The arcs ``src -> dst`` (src needs dst) of a directed acyclic graph on ``n`` nodes less
    those implied by a longer path (Aho, Garey & Ullman 1972, "The transitive reduction of a
    directed graph", SIAM J. Comput. 1(2):131-137): an arc u -> v goes when another node w that
    u needs reaches v. Precedence is transitive, so the schedule's feasible set is unchanged, in
    fewer rows (on the built-in case 110 panel arcs become 42). Arcs come back in their input
    order; a graph with a cycle is returned as it is. The order is the CPIT room's topological
    order; reachability is kept as Python-integer bitsets: O(arcs × n / 64)."""
    from reeflow.mine.cpit import _pred_csr, _topo_order

    src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    if src.size < 2:
        return src, dst
    indptr, needs = _pred_csr(n, src, dst)
    order = _topo_order(n, indptr, needs)  # every node after the nodes it needs
    if (order < 0).any():
        return src, dst
    need = [needs[indptr[u]:indptr[u + 1]].tolist() for u in range(n)]
    reach = [0] * n  # bit v of reach[u]: a path of one or more arcs u -> ... -> v
    for u in order.tolist():
        for v in need[u]:
            reach[u] |= (1 << v) | reach[v]
    keep = [not any(w != v and (reach[w] >> v) & 1 for w in need[u])
            for u, v in zip(src.tolist(), dst.tolist(), strict=True)]
    return src[np.asarray(keep, bool)], dst[np.asarray(keep, bool)]
