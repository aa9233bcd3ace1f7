"""Purchased equipment cost from published cost correlations (pure functions of size).

Four published forms, each with its size unit, valid range and cost year
(``data/economics/equipment_correlations.csv``, every row with source and evidence):

* ``offset_power``: Ce = a + b S^n (Towler & Sinnott 2012, *Chemical Engineering Design* 2nd ed.,
  eq. 6.15 / Table 6.6; Seider et al. 2016, *Product and Process Design Principles* 4th ed.,
  Table 16.32, with a = 0);
* ``log10_quadratic``: log10 Ce = k1 + k2 log10 S + k3 (log10 S)^2 (Turton et al. 2018,
  *Analysis, Synthesis and Design of Chemical Processes* 5th ed., eq. A.1, Table A.1);
* ``ln_quadratic``: ln Ce = k1 + k2 ln S + k3 (ln S)^2 (Seider et al. 2016);
* ``power``: Ce = C0 (S / S0)^n (six-tenths family; NETL/UKy accounts carried by PrOMMiS).

A size above the correlation's upper limit is split into the fewest identical parallel units
that each fit (the practice of Towler & Sinnott §6.3.2); a size below the lower limit is costed
by the correlation and flagged ``extrapolated``. Costs are escalated from the correlation's cost
year by the CEPCI (:class:`reeflow.economics.cost_index.CostIndex`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.core.units import ureg
from reeflow.economics._data import read_table
from reeflow.economics.cost_index import CostIndex, cepci

__all__ = ["correlations", "correlation_cost", "purchased_cost", "parallel_units"]

FORMS = ("offset_power", "log10_quadratic", "ln_quadratic", "power")


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    df = read_table("equipment_correlations.csv").set_index("correlation")
    bad = sorted(set(df["form"]) - set(FORMS))
    if bad:
        raise InputError("equipment_correlations.csv:form", bad, f"one of {FORMS}", "fix the data")
    return df


def correlations() -> pd.DataFrame:
    """The correlation table (a copy), indexed by correlation name."""
    return _table().copy()


def correlation_cost(form: str, s: np.ndarray | float, *, a: float = 0.0, b: float = 0.0,
                     n: float = 1.0, k1: float = 0.0, k2: float = 0.0, k3: float = 0.0,
                     ref_size: float = 1.0, ref_cost: float = 0.0) -> np.ndarray:
    """Cost of ONE unit of size ``s`` (in the correlation's size unit) by ``form``.

    Vectorised over ``s``. See the module docstring for the four forms and their sources.
    """
    x = np.asarray(s, float)
    if form == "offset_power":
        return a + b * x ** n
    if form == "log10_quadratic":
        lg = np.log10(x)
        return 10.0 ** (k1 + k2 * lg + k3 * lg * lg)
    if form == "ln_quadratic":
        ln = np.log(x)
        return np.exp(k1 + k2 * ln + k3 * ln * ln)
    if form == "power":
        return ref_cost * (x / ref_size) ** n
    raise InputError("form", form, f"one of {FORMS}",
                     "set the form column of equipment_correlations.csv to one of the listed forms")


def parallel_units(size: float, s_max: float | None, count: int | None = None) -> int:
    """Number of identical parallel units: at least ``count`` and enough that each fits s_max."""
    need = 1 if s_max is None or not math.isfinite(s_max) else max(1, math.ceil(size / s_max))
    return max(need, int(count) if count else 1)


def _num(row: Mapping[str, Any], key: str, default: float) -> float:
    v = row.get(key)
    return default if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


@cache
def _row(correlation: str) -> dict[str, Any]:
    """One correlation's row as a dict (read once: the estimate prices ~50 items a call)."""
    return dict(_table().loc[correlation].to_dict())


@cache
def unit_factor(from_unit: str, to_unit: str) -> float:
    """Multiplier from ``from_unit`` to ``to_unit`` (sizes: volumes, areas, powers, flows; no
    offset units), converted once by pint."""
    one = float(ureg.Quantity(1.0, from_unit).to(to_unit).magnitude)
    two = float(ureg.Quantity(2.0, from_unit).to(to_unit).magnitude)
    if not math.isclose(two, 2.0 * one, rel_tol=1e-12):
        raise InputError("size_unit", from_unit, "a unit without an offset",
                         "give the size in a unit without an offset, e.g. m**3, m**2 or kW (not "
                         "degC)")
    return one


def purchased_cost(correlation: str, size: float, size_unit: str, *, currency_year: int,
                   count: int | None = None, index: CostIndex | None = None) -> dict[str, object]:
    """Purchased cost of ``size`` (in ``size_unit``) of equipment by the named correlation.

    Returns a record: correlation, units (parallel), size_per_unit (correlation unit),
    extrapolated (below the range), purchased_usd (all units, ``currency_year`` USD), cost_year,
    material_basis, source, evidence.
    """
    tab = _table()
    if correlation not in tab.index:
        raise InputError("correlation", correlation, f"one of {sorted(tab.index)}",
                         "use a correlation listed in data/economics/equipment_correlations.csv")
    row = _row(correlation)
    if not (isinstance(size, (int, float)) and math.isfinite(size) and size > 0):
        raise InputError(f"size[{correlation}]", size, "> 0", "give a positive size")
    unit = str(row["size_unit"])
    s = float(size) * unit_factor(size_unit, unit)
    s_max = _num(row, "s_max", math.inf)
    units = parallel_units(s, s_max, count)
    per_unit = s / units
    one = correlation_cost(str(row["form"]), per_unit, a=_num(row, "a", 0.0),
                           b=_num(row, "b", 0.0), n=_num(row, "n", 1.0), k1=_num(row, "k1", 0.0),
                           k2=_num(row, "k2", 0.0), k3=_num(row, "k3", 0.0),
                           ref_size=_num(row, "ref_size", 1.0), ref_cost=_num(row, "ref_cost", 0.0))
    factor = (index or cepci()).factor(int(row["cost_year"]), int(currency_year))
    cost = float(one) * units * factor
    if not cost > 0:
        raise InputError(f"size[{correlation}]", size, "a size where the correlation is positive",
                         f"{correlation} gives a cost <= 0 at {per_unit:g} {unit}; the size is "
                         f"far below the valid range (>= {_num(row, 's_min', 0.0):g} {unit})")
    return {"correlation": correlation, "equipment": str(row["equipment"]), "units": units,
            "size_per_unit": per_unit, "size_unit": unit,
            "extrapolated": bool(per_unit < _num(row, "s_min", 0.0)), "purchased_usd": cost,
            "cost_year": int(row["cost_year"]), "material_basis": row.get("material_basis"),
            "source": str(row["source"]), "evidence": str(row["evidence"])}
