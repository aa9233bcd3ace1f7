"""Tailings and residue storage: size the facility and cost its construction, operation, closure
and long-term care, per storage class.

Engineering model (per class, pure arithmetic on the stored tonnage):

* volume V = t/a x life / dry density; footprint A = V / stack height x (1 + perimeter allowance);
* construction: the cells of the first ``initial_years`` are initial capex, later cells are
  built progressively (an annual cost over the remaining life);
* operation: placing and managing residue, USD per tonne;
* closure: final cover over A (SCS Engineers 2012, USD/acre);
* long-term care: USD per acre-year over the aftercare period (same source), funded at closure
  into a trust: PV = annual x annuity factor at the trust's real rate
  (Newnan et al., *Engineering Economic Analysis*: P/A = (1 - (1+i)^-n) / i).

The ``norm_store`` class (engineered store for Th-bearing chemical residues) is calibrated to
the only published all-in cost of such a facility reached, the Lynas Malaysia permanent disposal
facility (US$98 M for design, construction, operation and institutional control of >= 580 kt of
WLP residue, 2020): every cost line of the class is scaled by the ratio of the anchor's per-tonne
cost to the model's undiscounted per-tonne cost, and the factor is reported. Rates, sources and
evidence are in ``data/economics/residue_storage.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reeflow.core.errors import InputError
from reeflow.economics._data import read_yaml
from reeflow.economics.cost_index import CostIndex, cepci

__all__ = ["ResidueStream", "StorageCost", "STORAGE_CLASSES", "default_storage_class",
           "storage_costs", "annuity_factor"]

STORAGE_CLASSES = ("tailings", "lined", "norm_store")
_PERIMETER_ALLOWANCE = 0.15  # embankments, ditches, roads around the cells (assumed)


@dataclass(frozen=True)
class ResidueStream:
    """A solid residue leaving the plant (what the plant reports, per stream).

    name : stream label; t_per_a : dry t/a at full production; storage_class : one of
    :data:`STORAGE_CLASSES` (see :func:`default_storage_class`); activity_bq_per_g : specific
    activity of the Th-232 (or U-238) chain head, None when not computed; kind : ``tailings``
    (mineral processing) or ``chemical`` (hydrometallurgical residue, scrubber sludge, salt).
    """

    name: str
    t_per_a: float
    storage_class: str
    activity_bq_per_g: float | None = None
    kind: str = "chemical"

    def __post_init__(self) -> None:
        if not (isinstance(self.t_per_a, (int, float)) and math.isfinite(self.t_per_a)
                and self.t_per_a >= 0):
            raise InputError(f"residues.{self.name}.t_per_a", self.t_per_a, ">= 0 t/a",
                             "give the residue tonnage as a finite number of 0 or more t/a")
        if self.storage_class not in STORAGE_CLASSES:
            raise InputError(f"residues.{self.name}.storage_class", self.storage_class,
                             f"one of {STORAGE_CLASSES}", "'tailings' for an unlined tailings "
                             "dam (tailings at or below the exemption level, 1 Bq/g), 'lined' "
                             "for lined cells, 'norm_store' for an engineered NORM store (a "
                             "chemical residue above the exemption level)")


def default_storage_class(kind: str, activity_bq_per_g: float | None,
                          exemption_bq_per_g: float = 1.0) -> str:
    """Storage class from the stream kind and activity.

    Above ``exemption_bq_per_g`` (IAEA GSR Part 3 Schedule I: 1 Bq/g for U/Th-series
    radionuclides; the national rule may differ and is the project's input) a chemical residue
    goes to the engineered NORM store and tailings to lined cells; at or below it, tailings go to
    an unlined TSF and chemical residues to lined cells. Unknown activity is treated as above.
    """
    above = activity_bq_per_g is None or activity_bq_per_g > exemption_bq_per_g
    if kind == "tailings":
        return "lined" if above else "tailings"
    return "norm_store" if above else "lined"


def annuity_factor(rate: float, years: int) -> float:
    """Present worth of 1 per year for ``years`` at ``rate``: (1 - (1+i)^-n)/i (n at i = 0)."""
    if years <= 0:
        return 0.0
    return float(years) if rate == 0 else (1.0 - (1.0 + rate) ** -years) / rate


@dataclass(frozen=True)
class StorageCost:
    """Residue storage costs (``currency_year`` USD).

    table : per class: tonnes, volume, footprint, initial capex, progressive cells per year,
        operation per year, closure, aftercare per year and its funded present value,
        calibration factor; totals below.
    """

    table: pd.DataFrame
    initial_capex_usd: float
    progressive_usd_per_a: float
    operation_usd_per_a: float
    closure_usd: float
    aftercare_usd_per_a: float
    aftercare_funded_usd: float
    currency_year: int
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def closure_total_usd(self) -> float:
        """Capping plus the aftercare trust, paid at closure."""
        return self.closure_usd + self.aftercare_funded_usd

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table.to_dict(orient="records"),
                "initial_capex_usd": self.initial_capex_usd,
                "progressive_usd_per_a": self.progressive_usd_per_a,
                "operation_usd_per_a": self.operation_usd_per_a,
                "closure_usd": self.closure_usd,
                "aftercare_usd_per_a": self.aftercare_usd_per_a,
                "aftercare_funded_usd": self.aftercare_funded_usd,
                "currency_year": self.currency_year, "sources": dict(self.sources)}


def _rate(entry: Mapping[str, Any], key: str, year: int, index: CostIndex,
          per_area: float = 1.0) -> float:
    v = entry[key]
    return float(v["value"]) / per_area * index.factor(int(v["currency_year"]), year)


def _class_row(cls: str, tonnes_per_a: float, life: int, initial_years: int,
               aftercare_years: int, trust_rate: float, d: Mapping[str, Any], year: int,
               index: CostIndex) -> dict[str, Any]:
    c = d["classes"][cls]
    acre = float(d["acre_m2"])
    rho = float(c["dry_density_t_per_m3"]["value"])
    h = float(c["stack_height_m"]["value"])
    v = tonnes_per_a * life / rho
    area = v / h * (1.0 + _PERIMETER_ALLOWANCE)
    build = _rate(c, "construction_per_acre", year, index, acre) * area
    first = min(1.0, initial_years / life)
    cap = _rate(d, "closure_cap", year, index, acre)
    care = _rate(d, "aftercare", year, index, acre)
    op = _rate(c, "operation_usd_per_t", year, index)
    later = life - min(initial_years, life)
    row = {"storage_class": cls, "label": c["label"], "t_per_a": tonnes_per_a,
           "tonnes": tonnes_per_a * life, "volume_m3": v, "footprint_m2": area,
           "initial_capex_usd": build * first,
           "progressive_usd_per_a": build * (1 - first) / later if later else 0.0,
           "operation_usd_per_a": op * tonnes_per_a, "closure_usd": cap * area,
           "aftercare_usd_per_a": care * area,
           "aftercare_funded_usd": care * area * annuity_factor(trust_rate, aftercare_years),
           "calibration_factor": 1.0}
    return row


def _anchor_factor(d: Mapping[str, Any], year: int, index: CostIndex, aftercare_years: int,
                   rows: dict[str, Any]) -> float:
    """Scale of the norm_store class so its undiscounted all-in per tonne matches the anchor."""
    a = d["norm_anchor"]
    lo, hi = (float(x) for x in a["tonnes_range"])
    per_t = 0.5 * (float(a["all_in_usd"]) / lo + float(a["all_in_usd"]) / hi) * index.factor(
        int(a["currency_year"]), year)
    t = rows["tonnes"]
    life_t = t / rows["t_per_a"] if rows["t_per_a"] > 0 else 0.0
    model = (rows["initial_capex_usd"] + rows["progressive_usd_per_a"] * max(life_t - 1, 0)
             + rows["operation_usd_per_a"] * life_t + rows["closure_usd"]
             + rows["aftercare_usd_per_a"] * aftercare_years) / t
    return per_t / model


def storage_costs(streams: Sequence[ResidueStream], *, life_years: int, currency_year: int,
                  aftercare_years: int = 30, trust_rate: float = 0.02, initial_years: int = 5,
                  index: CostIndex | None = None) -> StorageCost:
    """Size and cost the storage of ``streams`` over ``life_years`` (see the module doc).

    initial_years : years of storage built before production (the rest is progressive).
    aftercare_years : post-closure care (the project's national rule; 30 years in 40 CFR
        258.61); trust_rate : real rate of the aftercare trust funded at closure.
    """
    if not (isinstance(life_years, int) and life_years >= 1):
        raise InputError("life_years", life_years, "an integer >= 1",
                         "pass life_years as a whole number of years, at least 1")
    if not (0 <= trust_rate < 1):
        raise InputError("closure.aftercare_trust_rate", trust_rate, "[0, 1)",
                         "give closure.aftercare_trust_rate as a fraction below 1, e.g. 0.02 for 2 "
                         "%")
    index = index or cepci()
    d = read_yaml("residue_storage.yaml")
    per_class: dict[str, float] = {}
    for s in streams:
        per_class[s.storage_class] = per_class.get(s.storage_class, 0.0) + float(s.t_per_a)
    rows = []
    for cls in STORAGE_CLASSES:
        t = per_class.get(cls, 0.0)
        if t <= 0:
            continue
        row = _class_row(cls, t, life_years, initial_years, aftercare_years, trust_rate, d,
                         currency_year, index)
        if d["classes"][cls].get("calibrate_to_anchor"):
            k = _anchor_factor(d, currency_year, index, aftercare_years, row)
            for key in ("initial_capex_usd", "progressive_usd_per_a", "operation_usd_per_a",
                        "closure_usd", "aftercare_usd_per_a", "aftercare_funded_usd"):
                row[key] *= k
            row["calibration_factor"] = k
        rows.append(row)
    cols = ["storage_class", "label", "t_per_a", "tonnes", "volume_m3", "footprint_m2",
            "initial_capex_usd", "progressive_usd_per_a", "operation_usd_per_a", "closure_usd",
            "aftercare_usd_per_a", "aftercare_funded_usd", "calibration_factor"]
    tab = pd.DataFrame(rows, columns=cols)

    def tot(k: str) -> float:
        return float(tab[k].sum()) if not tab.empty else 0.0

    srcs = {"closure_cap": d["closure_cap"]["source"], "aftercare": d["aftercare"]["source"],
            "norm_anchor": " ".join(str(d["norm_anchor"]["source"]).split())}
    return StorageCost(tab, tot("initial_capex_usd"), tot("progressive_usd_per_a"),
                       tot("operation_usd_per_a"), tot("closure_usd"), tot("aftercare_usd_per_a"),
                       tot("aftercare_funded_usd"), int(currency_year), srcs)
