"""Deterministic sensitivity: tornado and spider data over the main value drivers.

One-at-a-time perturbation of the base case (:mod:`reeflow.economics.model`): NdPr price, other
prices, head grade (revenue scaler), recoveries, capex, opex, FX and the discount rate, over the
ranges in ``data/economics/risk_ranges.yaml`` (each with source and evidence). Every driver is
evaluated in one vectorised call. Returns DataFrames; plotting is left to the report.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.economics._data import read_yaml
from reeflow.economics.model import DRIVERS, BaseCase, npv_of

__all__ = ["risk_ranges", "tornado", "spider"]

_ALL = DRIVERS + ("discount_rate",)


def risk_ranges() -> dict[str, dict]:
    """Ranges {driver: {low, mode, high, source, evidence}} from the data file."""
    return read_yaml("risk_ranges.yaml")


def tornado(base: BaseCase, *, rate: float = 0.08, basis: str = "real",
            ranges: Mapping[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """NPV at the low and high end of each driver (others at base), sorted by swing.

    ranges : {driver: (low, high)} overriding the data file (multipliers; discount_rate
    absolute). Columns: driver, low, high, npv_low_usd, npv_high_usd, swing_usd, base_npv_usd.
    """
    data = risk_ranges()
    rng = {k: (data[k]["low"], data[k]["high"]) for k in _ALL}
    rng.update(ranges or {})
    base_npv = float(npv_of(base, rate, basis=basis))
    rows = []
    for drv, (lo, hi) in rng.items():
        if drv not in _ALL:
            raise InputError(f"ranges.{drv}", (lo, hi), f"drivers {_ALL}", "rename the driver")
        vals = np.array([lo, hi], float)
        if drv == "discount_rate":
            npvs = npv_of(base, vals, basis=basis)
        else:
            npvs = npv_of(base, rate, {drv: vals}, basis=basis)
        rows.append((drv, lo, hi, float(npvs[0]), float(npvs[1])))
    df = pd.DataFrame(rows, columns=["driver", "low", "high", "npv_low_usd", "npv_high_usd"])
    df["swing_usd"] = (df["npv_high_usd"] - df["npv_low_usd"]).abs()
    df["base_npv_usd"] = base_npv
    return df.sort_values("swing_usd", ascending=False, ignore_index=True)


def spider(base: BaseCase, *, rate: float = 0.08, basis: str = "real",
           multipliers: np.ndarray | None = None,
           drivers: tuple[str, ...] = _ALL) -> pd.DataFrame:
    """NPV against a common multiplier per driver (long format: driver, multiplier, npv_usd).

    For ``discount_rate`` the multiplier scales the rate itself.
    """
    m = np.linspace(0.7, 1.3, 13) if multipliers is None else np.asarray(multipliers, float)
    frames = []
    for drv in drivers:
        if drv not in _ALL:
            raise InputError("drivers", drv, f"drivers {_ALL}", "rename the driver")
        if drv == "discount_rate":
            npvs = npv_of(base, rate * m, basis=basis)
        else:
            npvs = npv_of(base, rate, {drv: m}, basis=basis)
        frames.append(pd.DataFrame({"driver": drv, "multiplier": m, "npv_usd": npvs}))
    return pd.concat(frames, ignore_index=True)
