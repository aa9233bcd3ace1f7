"""Currency years and cost indices: escalate money from one year's dollars to another's.

A cost in year-Y dollars is moved to year-Z dollars by the ratio of a cost index,
``C_Z = C_Y * I(Z) / I(Y)`` (the CEPCI convention; Chemical Engineering Plant Cost Index,
values as carried by IDAES-PSE, WaterTAP and PrOMMiS, see ``data/economics/cost_index_cepci.csv``).
Mixing currency years without an index is an error, and so is an index year with no value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from reeflow.core.errors import InputError
from reeflow.economics._data import read_table

__all__ = ["CostIndex", "cepci", "require_same_year"]


@dataclass(frozen=True)
class CostIndex:
    """A named cost index: ``values`` maps calendar year -> index value (missing years absent).

    Parameters
    ----------
    name : str
        Index name, e.g. ``"CEPCI"``.
    values : Mapping[int, float]
        Index value per year.
    sources : Mapping[int, str]
        Source per year (for reports).
    """

    name: str
    values: Mapping[int, float]
    sources: Mapping[int, str] = field(default_factory=dict)

    def value(self, year: int, *, field_name: str = "currency_year") -> float:
        """Index value in ``year``; raises InputError naming the year when missing."""
        v = self.values.get(int(year))
        if v is None or not math.isfinite(v):
            have = sorted(self.values)
            raise InputError(field_name, year, f"a year with a {self.name} value: {have}",
                             f"{self.name} {year} is MISSING in the data; pass "
                             f"CostIndex.with_values({{{year}: value}}) with a sourced value")
        return float(v)

    def factor(self, from_year: int, to_year: int) -> float:
        """Multiplier that converts from_year dollars to to_year dollars."""
        if int(from_year) == int(to_year):
            return 1.0
        return self.value(to_year) / self.value(from_year, field_name="currency_year (source)")

    def escalate(self, amount: float, from_year: int, to_year: int) -> float:
        """``amount`` in from_year dollars expressed in to_year dollars."""
        return float(amount) * self.factor(from_year, to_year)

    def with_values(self, extra: Mapping[int, float], *, source: str = "user") -> CostIndex:
        """A copy with extra or replaced years (e.g. an observed CEPCI 2025 replacing the forward value)."""
        vals = dict(self.values)
        srcs = dict(self.sources)
        for y, v in extra.items():
            if not (isinstance(v, (int, float)) and v > 0):
                raise InputError(f"{self.name}[{y}]", v, "> 0", "give a positive index value")
            vals[int(y)] = float(v)
            srcs[int(y)] = source
        return CostIndex(self.name, vals, srcs)


def cepci() -> CostIndex:
    """The CEPCI table shipped with reeflow (years without a sourced value are absent)."""
    df = read_table("cost_index_cepci.csv").dropna(subset=["cepci"])
    return CostIndex(
        "CEPCI",
        {int(y): float(v) for y, v in zip(df["year"], df["cepci"], strict=True)},
        {int(y): str(s) for y, s in zip(df["year"], df["source"], strict=True)},
    )


def require_same_year(items: Mapping[str, int], *, index: CostIndex | None) -> None:
    """Raise InputError when ``items`` (label -> currency year) mix years and no index is given."""
    years = sorted(set(int(y) for y in items.values()))
    if len(years) > 1 and index is None:
        listing = ", ".join(f"{k}: {v}" for k, v in items.items())
        raise InputError("currency_year", listing, "one currency year, or a cost index",
                         "pass index=cepci() (or another CostIndex) to convert between years")
