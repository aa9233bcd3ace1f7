"""Capital cost: factored estimate from sized equipment.

Bare equipment cost (BEC) per account by the power law (six-tenths-rule family)

    BEC = n * BEC_ref * (S / (n * S_ref))^e * I(year) / I(ref_year)

with the reference costs, sizes and exponents of the NETL/UKy account table that PrOMMiS carries
(``REE_costing_parameters.json``, from the University of Kentucky pilot report 2021, Table 4-28,
USD 2016; NETL QGESS methodology, Feb 2021), ``n`` units in parallel and ``I`` the CEPCI.
Installation (direct) and indirect factors and the process contingency are PrOMMiS' NETL QGESS
percentages; the project contingency is derived from peer DFS (Songwe Hill 2022, Nolans).
The estimate is labelled AACE class 4 (equipment factored); see ``capex_factors.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from reeflow.core.errors import InputError
from reeflow.core.units import ureg
from reeflow.economics._data import read_table, read_yaml
from reeflow.economics.cost_index import CostIndex, cepci

__all__ = ["CapexEstimate", "SIZE_KEYS", "equipment_costs", "factored_capex"]

_SI_UNIT = {"t_per_h": "t/h", "kw": "kW", "m3": "m**3", "m3_per_h": "m**3/hour", "m2": "m**2"}


def _references() -> pd.DataFrame:
    return read_table("capex_references.csv").set_index("size_key")


def _si_unit(key: str) -> str:
    for suffix in sorted(_SI_UNIT, key=len, reverse=True):
        if key.endswith("_" + suffix):
            return _SI_UNIT[suffix]
    raise InputError("equipment_sizes", key, "a key ending in a unit suffix", "rename the key")


#: Equipment size keys with a cost reference (plus ``organic_inventory_m3``); ``<key>_count``
#: gives the number of parallel units (default 1).
SIZE_KEYS: tuple[str, ...] = tuple(_references().index) + ("organic_inventory_m3",)


@dataclass(frozen=True)
class CapexEstimate:
    """A factored capital estimate in ``currency_year`` dollars.

    equipment : per-account BEC table; breakdown : the build-up (BEC, installation,
    indirects, contingencies) with a ``usd`` column; total_usd : initial capex.
    """

    equipment: pd.DataFrame
    breakdown: pd.DataFrame
    total_usd: float
    currency_year: int
    aace_class: int
    accuracy_low_frac: float
    accuracy_high_frac: float

    @property
    def range_usd(self) -> tuple[float, float]:
        """Accuracy range of the total (low, high)."""
        return (self.total_usd * (1 + self.accuracy_low_frac),
                self.total_usd * (1 + self.accuracy_high_frac))


def equipment_costs(sizes: Mapping[str, float], *, currency_year: int,
                    index: CostIndex | None = None) -> pd.DataFrame:
    """Bare equipment cost per account from equipment sizes (SI units in the key names).

    sizes : e.g. {"ore_t_per_h": 72, "mill_power_kw": 2500, "mixer_settler_volume_m3": 900,
    "mixer_settler_volume_m3_count": 60}. Unknown keys raise InputError listing known ones.
    ``organic_inventory_m3`` is costed in :func:`factored_capex`, not here.
    """
    refs = _references()
    index = index or cepci()
    rows = []
    for key, size in sizes.items():
        if key.endswith("_count") or key == "organic_inventory_m3":
            continue
        if key not in refs.index:
            raise InputError(f"equipment_sizes.{key}", size, f"one of {list(SIZE_KEYS)}",
                             "no cost reference is carried for this equipment: rename the key "
                             "or leave it out (and say so)")
        if not (isinstance(size, (int, float)) and math.isfinite(size) and size > 0):
            raise InputError(f"equipment_sizes.{key}", size, "> 0", "give a positive size")
        count = sizes.get(f"{key}_count", 1)
        if not (isinstance(count, (int, float)) and count >= 1):
            raise InputError(f"equipment_sizes.{key}_count", count, ">= 1", "give a unit count")
        ref = refs.loc[key]
        unit = _si_unit(key)
        ref_si = float(ureg.Quantity(float(ref["ref_size"]), ref["ref_unit"]).to(unit).magnitude)
        per_unit = size / count / ref_si
        f = index.factor(int(ref["currency_year"]), currency_year)
        bec = count * float(ref["ref_cost_usd"]) * per_unit ** float(ref["exponent"]) * f
        rows.append({"size_key": key, "account": ref["account"], "area": ref["area"],
                     "size": float(size), "unit": unit, "count": count,
                     "ref_size_si": ref_si, "exponent": float(ref["exponent"]),
                     "scale_ratio": per_unit, "bec_usd": bec, "source": ref["source"]})
    df = pd.DataFrame(rows, columns=["size_key", "account", "area", "size", "unit", "count",
                                     "ref_size_si", "exponent", "scale_ratio", "bec_usd",
                                     "source"])
    lim = float(read_yaml("capex_factors.yaml")["extrapolation_warning_ratio"])
    df["extrapolated"] = (df["scale_ratio"] > lim) | (df["scale_ratio"] < 1.0 / lim)
    return df


def factored_capex(sizes: Mapping[str, float], *, currency_year: int,
                   index: CostIndex | None = None,
                   organic_fill_usd_per_m3: float | None = None,
                   project_contingency_frac: float | None = None) -> CapexEstimate:
    """Initial capex: BEC x (1 + direct installation) + indirects + contingencies + organic fill.

    Raises InputError when ``organic_inventory_m3`` is given without a price per m3 (no sourced
    default: the extractant/diluent mix and density are project specific).
    """
    fac = read_yaml("capex_factors.yaml")
    eq = equipment_costs(sizes, currency_year=currency_year, index=index)
    bec = float(eq["bec_usd"].sum())
    inst = fac["installation"]
    direct = sum(inst["direct_frac"].values()) * bec
    indirect = sum(inst["indirect_frac"].values()) * bec
    process_cont = inst["process_contingency_frac"] * bec
    pc = fac["project_contingency"]["value_frac"] if project_contingency_frac is None \
        else project_contingency_frac
    if not (0 <= pc <= 1):
        raise InputError("project_contingency_frac", pc, "[0, 1]", "give a fraction")
    base = bec + direct + indirect + process_cont
    items = [("bare equipment cost", bec, inst["source"]),
             ("direct installation", direct, inst["source"]),
             ("indirects", indirect, inst["source"]),
             ("process contingency", process_cont, inst["source"]),
             ("project contingency", pc * base, fac["project_contingency"]["source"])]
    organic = sizes.get("organic_inventory_m3")
    if organic is not None:
        if organic_fill_usd_per_m3 is None:
            raise InputError("organic_fill_usd_per_m3", None, "> 0 USD/m3 (MISSING: no sourced "
                             "default)", "pass the cost of a m3 of loaded organic (extractant + "
                             "diluent) or drop organic_inventory_m3")
        items.append(("organic first fill", float(organic) * organic_fill_usd_per_m3, "input"))
    bd = pd.DataFrame(items, columns=["item", "usd", "source"])
    cls = fac["estimate_class"]
    return CapexEstimate(eq, bd, float(bd["usd"].sum()), int(currency_year), int(cls["aace_class"]),
                         float(cls["accuracy_low_frac"]), float(cls["accuracy_high_frac"]))
