"""Salt solubility vs temperature and a check of every aqueous stream of a solved flowsheet.

Data: ``reeflow/data/plant/solubility.csv`` (CRC Handbook, "Aqueous solubility of inorganic
compounds at various temperatures"; each row tagged). Between tabulated temperatures the limit is
interpolated linearly; outside them it is held at the nearest value. The check compares each salt
alone with its single-salt limit (kg salt per kg water) — a necessary condition only: mixed-salt
and common-ion effects lower real limits further.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.data import read_csv
from reeflow.core.errors import InputError
from reeflow.plant.flowsheet import FlowsheetSolution
from reeflow.plant.stream import Stream, phase_index

__all__ = ["solubility_kg_per_kg_water", "salts_with_data", "SolubilityViolation",
           "SolubilityReport", "check_stream", "check_solubility"]


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    return read_csv("plant", "solubility.csv")


def salts_with_data() -> tuple[str, ...]:
    """Salts that have a solubility curve."""
    return tuple(dict.fromkeys(_table().salt))


@cache
def _curve(salt: str) -> tuple[np.ndarray, np.ndarray]:
    rows = _table()[_table().salt == salt].sort_values("t_c")
    if rows.empty:
        raise InputError("solubility.salt", salt, f"one of {salts_with_data()}",
                         "add its curve to reeflow/data/plant/solubility.csv")
    return rows.t_c.to_numpy(float), rows.kg_per_kg_water.to_numpy(float)


def solubility_kg_per_kg_water(salt: str, t_c: float) -> float:
    """Saturation solubility of ``salt`` at ``t_c`` °C, kg anhydrous salt per kg water
    (linear interpolation in the tabulated curve)."""
    t, kg = _curve(salt)
    return float(np.interp(t_c, t, kg))


@dataclass(frozen=True)
class SolubilityViolation:
    """One salt over its limit in one stream."""

    stream: str
    salt: str
    temperature_c: float
    kg_per_kg_water: float
    limit_kg_per_kg_water: float

    @property
    def ratio(self) -> float:
        return self.kg_per_kg_water / self.limit_kg_per_kg_water


@dataclass(frozen=True)
class SolubilityReport:
    """Every violation, the streams checked and the salts seen without a solubility curve."""

    violations: tuple[SolubilityViolation, ...]
    streams_checked: tuple[str, ...]
    salts_without_data: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok,
                "violations": [asdict(v) | {"ratio": v.ratio} for v in self.violations],
                "streams_checked": list(self.streams_checked),
                "salts_without_data": list(self.salts_without_data)}


_NOT_SALTS = {"H2O", "H2SO4", "HCl", "HF", "H2O2"}  # miscible acids and water


def check_stream(name: str, stream: Stream, *, tol: float = 1e-9
                 ) -> tuple[list[SolubilityViolation], set[str]]:
    """Violations in one stream's aqueous phase and the salts it carries that have no curve."""
    aq = stream.flows_kg_per_h[phase_index("aq")]
    c = stream.components
    water = float(aq[c.index["H2O"]]) if "H2O" in c.index else 0.0
    known = set(salts_with_data())
    out: list[SolubilityViolation] = []
    missing: set[str] = set()
    for j in np.nonzero(aq > 0)[0]:
        sp = c.species[j]
        if sp in _NOT_SALTS:
            continue
        if sp not in known:
            missing.add(sp)
            continue
        ratio = float(aq[j]) / water if water > 0 else np.inf
        limit = solubility_kg_per_kg_water(sp, stream.temperature_c)
        if ratio > limit * (1.0 + tol):
            out.append(SolubilityViolation(name, sp, stream.temperature_c, ratio, limit))
    return out, missing


def check_solubility(sol: FlowsheetSolution) -> SolubilityReport:
    """Check every stream of a solved flowsheet (reagents are bought as stated, their dilution
    water drawn separately, so they are not checked)."""
    violations: list[SolubilityViolation] = []
    missing: set[str] = set()
    checked: list[str] = []
    for name, s in sol.streams.items():
        if s.flows_kg_per_h[phase_index("aq")].sum() <= 0:
            continue
        checked.append(name)
        v, m = check_stream(name, s)
        violations += v
        missing |= m
    return SolubilityReport(tuple(violations), tuple(checked), tuple(sorted(missing)))
