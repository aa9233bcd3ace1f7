"""Block economics: net recoverable revenue per tonne, block values and the ore/waste decision.

Pure, vectorised functions of grades and plain price/recovery inputs; the price decks themselves
belong to :mod:`reeflow.economics` (pass its numbers in). The valuation is the standard open-pit
block value (Lerchs & Grossmann 1965; Whittle 1988, "Beyond optimization in open pit design",
Proc. Canadian Conference on Computer Applications in the Mineral Industry; Hustrulid, Kuchta &
Martin 2013, *Open Pit Mine Planning and Design*, 3rd ed., §5.2):

    NSR (USD/t) = Σ_s grade_s · 1000 kg/t · recovery_s · payability_s · (price_s − selling_s)
    processed block:  tonnes · (RF · NSR · (1 − royalty) − processing − mining)
    waste block:     −tonnes · mining
    a block is ore when processing it pays more than dumping it (break-even cut-off), or, given a
    grade cut-off, when its grade reaches the cut-off.

``RF`` is the revenue factor used for nested pits; with non-negative NSR each block value is
non-decreasing in RF, which is what makes parametric pits nested (Picard 1976).
Species keys are oxide names as in the block model columns without ``_frac``
(``nd2o3`` ↔ ``nd2o3_frac``); by-products (``caf2``, ``baso4``) are species like any other.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError

__all__ = ["species_key", "nsr_usd_per_t", "block_values_usd", "ore_mask"]

KG_PER_T = 1000.0


def species_key(name: str) -> str:
    """``'Nd2O3_frac'`` -> ``'nd2o3'``."""
    key = str(name).lower()
    return key[:-5] if key.endswith("_frac") else key


def _as_dict(values, field: str) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InputError(field, type(values).__name__, "a mapping species -> number",
                         "pass e.g. {'nd2o3': 60.0}")
    out = {}
    for k, v in values.items():
        try:
            out[species_key(k)] = float(v)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{field}.{k}", v, "a number", "use plain numbers") from exc
    return out


def nsr_usd_per_t(grades: pd.DataFrame | Mapping[str, np.ndarray], prices_usd_per_kg: Mapping,
                  recoveries_frac: Mapping, *, payability_frac: Mapping | None = None,
                  selling_cost_usd_per_kg: Mapping | float = 0.0) -> np.ndarray:
    """Net smelter return of each block, USD per tonne of ore (before royalty and costs).

    Every priced species needs a grade column ``<species>_frac`` and a recovery (0..1).
    Payability defaults to 1 (fully payable) for species not listed; selling cost may be one number
    for all species or a mapping.
    """
    prices = _as_dict(prices_usd_per_kg, "prices_usd_per_kg")
    recs = _as_dict(recoveries_frac, "recoveries_frac")
    pays = _as_dict(payability_frac, "payability_frac")
    if isinstance(selling_cost_usd_per_kg, Mapping):
        sells = _as_dict(selling_cost_usd_per_kg, "selling_cost_usd_per_kg")
    else:
        sells = dict.fromkeys(prices, float(selling_cost_usd_per_kg))
    cols = {species_key(c): c for c in grades}
    if not prices:
        raise InputError("prices_usd_per_kg", prices, "at least one priced species",
                         "pass prices from the economics price deck")
    n = len(next(iter(grades.values())) if isinstance(grades, Mapping) else grades)
    nsr = np.zeros(n)
    for sp, price in prices.items():
        if sp not in cols:
            raise InputError(f"prices_usd_per_kg.{sp}", price,
                             f"a species with a grade column ({sorted(cols)[:12]})",
                             f"add a '{sp}_frac' column or drop the price")
        if sp not in recs or not 0.0 <= recs[sp] <= 1.0:
            raise InputError(f"recoveries_frac.{sp}", recs.get(sp), "0..1",
                             "give a recovery for every priced species")
        pay = pays.get(sp, 1.0)
        if not 0.0 <= pay <= 1.0:
            raise InputError(f"payability_frac.{sp}", pay, "0..1", "payable fraction")
        if price < 0 or not np.isfinite(price):
            raise InputError(f"prices_usd_per_kg.{sp}", price, ">= 0 USD/kg", "check the deck")
        net = price - sells.get(sp, 0.0)
        g = np.asarray(grades[cols[sp]], dtype=float)
        nsr += g * KG_PER_T * recs[sp] * pay * net
    return nsr


def _check_cost(value: float, field: str) -> float:
    if value is None or not np.isfinite(value) or value < 0:
        raise InputError(field, value, ">= 0", "give a non-negative cost")
    return float(value)


def ore_mask(nsr_usd_per_t_: np.ndarray, *, processing_cost_usd_per_t: float,
             royalty_frac: float = 0.0, revenue_factor: float = 1.0,
             grade_frac: np.ndarray | None = None, cutoff_grade_frac: float | None = None
             ) -> np.ndarray:
    """Ore (True) or waste: break-even (processing pays) or, given them, grade >= cut-off."""
    if cutoff_grade_frac is not None:
        if grade_frac is None:
            raise InputError("grade_frac", None, "a grade array with cutoff_grade_frac",
                             "pass the grade used for the cut-off")
        return np.asarray(grade_frac, float) >= float(cutoff_grade_frac)
    net = revenue_factor * np.asarray(nsr_usd_per_t_, float) * (1.0 - royalty_frac)
    return net > processing_cost_usd_per_t


def block_values_usd(tonnes: np.ndarray, nsr_usd_per_t_: np.ndarray, *,
                     mining_cost_usd_per_t: float, processing_cost_usd_per_t: float,
                     royalty_frac: float = 0.0, revenue_factor: float = 1.0,
                     grade_frac: np.ndarray | None = None,
                     cutoff_grade_frac: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Economic value of each block (USD) and its ore flag.

    Returns ``(value_usd, is_ore)``: ore blocks pay ``RF·NSR·(1−royalty) − processing − mining`` per
    tonne, waste blocks ``−mining``.
    """
    mine = _check_cost(mining_cost_usd_per_t, "mining_cost_usd_per_t")
    proc = _check_cost(processing_cost_usd_per_t, "processing_cost_usd_per_t")
    if not 0.0 <= royalty_frac < 1.0:
        raise InputError("royalty_frac", royalty_frac, "0 <= royalty < 1", "a fraction of revenue")
    t = np.asarray(tonnes, float)
    ore = ore_mask(nsr_usd_per_t_, processing_cost_usd_per_t=proc, royalty_frac=royalty_frac,
                   revenue_factor=revenue_factor, grade_frac=grade_frac,
                   cutoff_grade_frac=cutoff_grade_frac)
    net = revenue_factor * np.asarray(nsr_usd_per_t_, float) * (1.0 - royalty_frac) - proc
    value = t * (np.where(ore, net, 0.0) - mine)
    return value, ore
