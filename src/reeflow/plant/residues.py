"""Residues of a solved flowsheet: mass, Th-232 activity and class under a named NORM rule.

Activity = Th mass fraction × specific activity of Th-232 (4.07 kBq/g from the NNDC half-life,
:func:`reeflow.core.elements.specific_activity_bq_per_g`); in secular equilibrium every chain member
carries the same activity, and the rules (``reeflow/data/plant/norm_rules.csv``) apply per
radionuclide. Uranium is not carried by the flowsheet: its activity is reported as missing (None),
never 0. Processing breaks the chain (radium follows sulphate and gypsum, not thorium), so the
Th-232 figure is a lower bound for residues that collect radium.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from reeflow.core.data import read_csv
from reeflow.core.elements import specific_activity_bq_per_g
from reeflow.core.errors import InputError
from reeflow.plant.flowsheet import FlowsheetSolution
from reeflow.plant.stream import phase_index

__all__ = ["ResidueRow", "ResidueTable", "classify_residues", "norm_rules"]

#: terminal solid streams that are products (or a product stockpile), not residues. The salt
#: crystallised from the SX brine is a residue: no sale of it is modelled, so it is stored.
_PRODUCT_HINTS = ("concentrate", ".oxide", "carbonate_product", ".sold", ".stockpile",
                  "cerium_cake")


@lru_cache(maxsize=1)
def norm_rules() -> pd.DataFrame:
    return read_csv("plant", "norm_rules.csv").set_index("rule")


@dataclass(frozen=True)
class ResidueRow:
    """One residue stream (dry solids), with its activity and class."""

    stream: str
    dry_t_per_a: float
    th_t_per_a: float
    th232_bq_per_g: float
    u238_bq_per_g: float | None
    classification: str
    rule: str


@dataclass(frozen=True)
class ResidueTable:
    rows: tuple[ResidueRow, ...]
    rule: str
    regulated_from_bq_per_g: float

    @property
    def total_dry_t_per_a(self) -> float:
        return sum(r.dry_t_per_a for r in self.rows)

    @property
    def regulated_dry_t_per_a(self) -> float:
        return sum(r.dry_t_per_a for r in self.rows if r.classification != "exempt")

    def per_t_reo(self, reo_t_per_a: float) -> float:
        return self.total_dry_t_per_a / reo_t_per_a if reo_t_per_a > 0 else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "regulated_from_bq_per_g": self.regulated_from_bq_per_g,
                "rows": [asdict(r) for r in self.rows],
                "total_dry_t_per_a": self.total_dry_t_per_a,
                "regulated_dry_t_per_a": self.regulated_dry_t_per_a}


def classify_residues(sol: FlowsheetSolution, *, operating_hours_per_a: float,
                      rule: str = "IAEA") -> ResidueTable:
    """Every terminal stream carrying solids that is not a product, classified under ``rule``."""
    rules = norm_rules()
    if rule not in rules.index:
        raise InputError("plant.residues.rule", rule, f"one of {list(rules.index)}",
                         "add the rule to reeflow/data/plant/norm_rules.csv")
    limit = float(rules.at[rule, "regulated_from_bq_per_g"])
    a_th = specific_activity_bq_per_g("Th-232")
    k = operating_hours_per_a / 1000.0
    rows = []
    s_i = phase_index("s")
    for name, s in sol.streams.items():
        if sol.ends[name][1] is not None or any(h in name for h in _PRODUCT_HINTS):
            continue
        solids = s.phase("s")
        dry = float(s.flows_kg_per_h[s_i].sum())
        if dry <= 0:
            continue
        th = float(solids.element_kg_per_h().get("Th", 0.0))
        act = th / dry * a_th
        cls = "exempt" if act < limit else "regulated NORM (Th-232 chain)"
        rows.append(ResidueRow(name, dry * k, th * k, act, None, cls, rule))
    return ResidueTable(tuple(rows), rule, limit)
