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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from reeflow.core.errors import BelowCorrelationError, InputError
from reeflow.core.jsonio import to_jsonable as jsonable
from reeflow.core.units import ureg
from reeflow.economics._data import read_table, read_yaml
from reeflow.economics.cost_index import CostIndex, cepci

__all__ = ["CapexEstimate", "SIZE_KEYS", "equipment_costs", "factored_capex", "CapexByArea",
           "InstalledItem", "capex_by_area", "size_keys", "required_size_keys",
           "installed_cost_usd"]

#: Unit of a size key, from its suffix (legacy keys and "<area>.<item>" items alike).
_SI_UNIT = {"t_per_h": "t/hour", "t_per_d": "t/day", "kw": "kW", "m3": "m**3",
            "m3_per_h": "m**3/hour", "m2": "m**2", "m": "m", "l_per_s": "L/s",
            "kg_per_h": "kg/hour"}


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


# =============================================================================================
# Capex by area from sized equipment (the answer): Towler & Sinnott (2012) factored method.
# =============================================================================================

@dataclass(frozen=True)
class InstalledItem:
    """A direct cost that is already installed (no equipment installation factors): residue
    storage cells, pre-strip, organic first fill. ``engineering`` says whether EPCM (D&E) applies.
    """

    area: str
    item: str
    usd: float
    source: str
    evidence: str
    engineering: bool = True


@dataclass(frozen=True)
class CapexByArea:
    """A factored capital estimate by area (``currency_year`` USD).

    equipment : one row per equipment component (size key, area, correlation, units, purchased
        and installed cost, material and process-class factors, source, extrapolation flag).
    areas : per area: label, purchased, installed equipment, installed items, direct cost,
        ``complete`` and the ``missing`` size keys the area needs.
    breakdown : the build-up (direct by area, offsites, EPCM, owner's costs, contingency,
        location) with source per row; sums to ``total_usd``.
    """

    equipment: pd.DataFrame
    areas: pd.DataFrame
    breakdown: pd.DataFrame
    total_usd: float
    direct_usd: float
    currency_year: int
    aace_class: int
    accuracy_low_frac: tuple[float, float]
    accuracy_high_frac: tuple[float, float]
    contingency_frac: float
    method: str

    @property
    def range_usd(self) -> tuple[float, float]:
        """Widest accuracy range of the class: (total x (1 + low), total x (1 + high))."""
        return (self.total_usd * (1 + self.accuracy_low_frac[1]),
                self.total_usd * (1 + self.accuracy_high_frac[1]))

    @property
    def estimate_class(self) -> str:
        lo, hi = self.accuracy_low_frac, self.accuracy_high_frac
        return (f"AACE class {self.aace_class} (RP 18R-97/47R-11): accuracy L {lo[0]:+.0%} to "
                f"{lo[1]:+.0%}, H {hi[0]:+.0%} to {hi[1]:+.0%}; contingency "
                f"{self.contingency_frac:.0%}")

    def by_area_usd(self) -> dict[str, float]:
        """Direct cost per area plus the indirect rows, as {label: USD} (for a capex chart)."""
        return {str(r["item"]): float(r["usd"]) for _, r in self.breakdown.iterrows()}

    def to_dict(self) -> dict[str, Any]:
        def recs(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [jsonable(r) for r in df.to_dict(orient="records")]
        return {"method": self.method, "total_usd": self.total_usd,
                "direct_usd": self.direct_usd, "currency_year": self.currency_year,
                "aace_class": self.aace_class, "estimate_class": self.estimate_class,
                "accuracy_low_frac": list(self.accuracy_low_frac),
                "accuracy_high_frac": list(self.accuracy_high_frac),
                "range_usd": list(self.range_usd), "contingency_frac": self.contingency_frac,
                "areas": recs(self.areas), "breakdown": recs(self.breakdown),
                "equipment": recs(self.equipment)}


METHOD = ("Towler & Sinnott (2012) factored estimate: purchased cost Ce of each sized item "
          "(Towler & Sinnott Table 6.6, Seider et al. 2016 Table 16.32, Turton et al. 2018 "
          "Table A.1, NETL/UKy accounts), installed as Ce[(1+fp)fm + fer+fel+fi+fc+fs+fl] "
          "(Table 6.4 by process class), offsites OS x ISBL, EPCM D&E x (ISBL+OSBL), owner's "
          "costs, contingency by AACE class, location factor; CEPCI escalation")


def _split_key(key: str, legacy: Mapping[str, str]) -> tuple[str, str]:
    if "." in key:
        area, item = key.split(".", 1)
        return area, item
    if key in legacy:
        target = legacy[key]
        return tuple(target.split(".", 1)) if "." in target else (target, key)  # type: ignore[return-value]
    raise InputError(f"equipment_sizes.{key}", key, "'<area>.<item>' or a legacy plant key",
                     f"legacy keys: {sorted(legacy)}")


def _areas_and_items() -> tuple[dict[str, Any], dict[str, str], pd.DataFrame]:
    spec = read_yaml("capex_areas.yaml")
    items = read_table("capex_items.csv")
    return spec["areas"], spec["legacy_keys"], items


@cache
def _components() -> dict[str, tuple[dict[str, Any], ...]]:
    """The rows of ``capex_items.csv`` by item, read once (a read-only view: the estimate
    prices ~80 items twice per chain run, and a DataFrame filter per item cost ~2 ms each)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for rec in _areas_and_items()[2].to_dict("records"):
        out.setdefault(str(rec["item"]), []).append(rec)
    return {k: tuple(v) for k, v in out.items()}


def required_size_keys(route: str | None = None,
                       flotation_circuits: Sequence[str] | None = None
                       ) -> dict[str, tuple[str, ...]]:
    """The size items each area of the estimate needs on a process route: ``{area: items}``,
    from ``capex_areas.yaml`` (each area's ``required`` list less what the route's
    ``not_built`` list removes; a flotation area only when its circuit is among
    ``flotation_circuits``). An area with no entry is not built and is not checked.

    route : a plant route (``full_separation`` | ``mixed_carbonate`` | ``cerium_rejection`` |
        ``la_ce_rejection``); None = every area (the full-separation list).
    flotation_circuits : the circuits the plant runs (``ree``, ``fluorite``, ``barite``); None =
        all of them.
    """
    spec = read_yaml("capex_areas.yaml")
    areas, routes, circuits = spec["areas"], spec["routes"], spec["flotation_circuits"]
    gone: set[str] = set()
    if route is not None:
        if route not in routes:
            raise InputError("plant.route", route, f"one of {sorted(routes)}",
                             "choose one of the listed routes (a new route needs its capex "
                             "areas declared in reeflow's capex data)")
        gone = set(routes[route]["not_built"])
    if flotation_circuits is not None:
        unknown = sorted(set(flotation_circuits) - set(circuits))
        if unknown:
            raise InputError("flotation_circuits", unknown, f"circuits in {sorted(circuits)}",
                             "use the listed circuits (ree, fluorite, barite), or declare the "
                             "circuit in capex_areas.yaml")
        gone |= {a for c, a in circuits.items() if c not in flotation_circuits}
    return {area: tuple(it for it in a["required"] if f"{area}.{it}" not in gone)
            for area, a in areas.items() if area not in gone}


def _equipment_rows(sizes: Mapping[str, float], *, currency_year: int,
                    index: CostIndex) -> pd.DataFrame:
    areas, legacy, _ = _areas_and_items()
    fac = read_yaml("capex_factors.yaml")["towler"]
    rows: list[dict[str, Any]] = []
    for key, size in sizes.items():
        if key.endswith("_count") or key.split(".")[-1] == "organic_inventory_m3":
            continue
        area, item = _split_key(key, legacy)
        if area not in areas:
            raise InputError(f"equipment_sizes.{key}", area, f"an area in {sorted(areas)}",
                             "write the key as <area>.<item> with one of those areas (as in "
                             "builtin:economics/beylikova_inputs)")
        _positive(f"equipment_sizes.{key}", size)
        count = sizes.get(f"{key}_count")
        if count is not None and not (isinstance(count, (int, float)) and count >= 1):
            raise InputError(f"equipment_sizes.{key}_count", count, ">= 1", "a unit count")
        rows += [{"size_key": key, "area": area, **r}
                 for r in _item_rows(item, float(size), int(count) if count else None,
                                     currency_year=currency_year, index=index, key=key,
                                     fac=fac)]
    return pd.DataFrame(rows)


@cache
def _same_dimension(unit_a: str, unit_b: str) -> bool:
    return bool(ureg.Quantity(1.0, unit_a).dimensionality
                == ureg.Quantity(1.0, unit_b).dimensionality)


def _item_rows(item: str, size: float, count: int | None, *, currency_year: int,
               index: CostIndex, key: str, fac: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The components of one sized item (rows of ``capex_items.csv``): purchased cost (its
    correlation) × installation factor (Towler & Sinnott's factors ``fac`` of its process
    class and material, read once by the caller)."""
    from reeflow.economics.equipment import purchased_cost

    comps = _components().get(item)
    if not comps:
        raise InputError(f"equipment_sizes.{key}", item, f"an item in {sorted(_components())}",
                         "no cost correlation is carried for this equipment")
    rows = []
    for c in comps:
        base_unit = _si_unit(item)
        f_unit = str(c["factor_unit"])
        same = _same_dimension(base_unit, f_unit)
        qty, unit = (size, base_unit) if same else (size * float(c["size_factor"]), f_unit)
        try:
            rec = purchased_cost(str(c["correlation"]), qty, unit, currency_year=currency_year,
                                 index=index, count=count)
        except InputError as exc:
            if not (str(exc.field).startswith("size[") and isinstance(exc.value, float)
                    and math.isfinite(exc.value) and exc.value > 0):
                raise
            # a plant far below the correlation's range
            raise BelowCorrelationError(f"equipment_sizes.{key}", exc.value, exc.allowed,
                             f"{exc.fix}; the plant is too small for this cost correlation: "
                             "raise ore.throughput (or the flows that size this item)") from None
        pcls = str(c["process_class"])
        f = fac["process_classes"][pcls]
        mat = c["material"] if isinstance(c["material"], str) else "carbon steel"
        fm = float(fac["materials"][mat])
        inst = (1 + f["fp"]) * fm + f["fer"] + f["fel"] + f["fi"] + f["fc"] + f["fs"] + f["fl"]
        rows.append({"item": item, "component": str(c["component"]), "size": size,
                     "process_class": pcls, "material": mat, "fm": fm,
                     "installation_factor": inst, **rec,
                     "installed_usd": rec["purchased_usd"] * inst,
                     "assumption": c["note"] if c["evidence"] == "assumed" else None})
    return rows


def installed_cost_usd(item: str, size: float, *, currency_year: int, count: int | None = None,
                       index: CostIndex | None = None) -> float:
    """Installed cost (purchased × installation factor, summed over the item's components) of
    ``size`` of one equipment item of ``data/economics/capex_items.csv`` (e.g.
    ``"mixer_settler_volume_m3"``, 4.0 m3 with ``count=1``): the figure :func:`capex_by_area`
    puts in its area, for callers that must price equipment on the same basis (the SX train
    ranking, :func:`reeflow.chain.econ_steps.sx_cost_model`)."""
    _positive(f"installed_cost_usd.{item}", size)
    rows = _item_rows(item, float(size), count, currency_year=currency_year,
                      index=index or cepci(), key=item,
                      fac=read_yaml("capex_factors.yaml")["towler"])
    return math.fsum(r["installed_usd"] for r in rows)


def _positive(field: str, v: Any) -> None:
    if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
        raise InputError(field, v, "> 0", "give a positive size")


def _route_labels(route: str | None) -> dict[str, str]:
    """The area labels a route renames (``routes.<route>.labels`` of ``capex_areas.yaml``: a
    mixed-carbonate plant's precipitation area is not an oxalate circuit)."""
    if route is None:
        return {}
    spec = read_yaml("capex_areas.yaml")["routes"].get(route) or {}
    return {str(k): str(v) for k, v in (spec.get("labels") or {}).items()}


def _area_table(eq: pd.DataFrame, installed: Sequence[InstalledItem], sizes: Mapping[str, float],
                expected: Sequence[str] | None,
                required: Mapping[str, Sequence[str]], route: str | None = None) -> pd.DataFrame:
    areas, legacy, _ = _areas_and_items()
    labels = _route_labels(route)
    given: dict[str, set[str]] = {}
    for key in sizes:
        if key.endswith("_count"):
            continue
        a, it = _split_key(key, legacy)
        given.setdefault(a, set()).add(it)
    rows = []
    for area, spec in areas.items():
        sel = eq[eq["area"] == area] if not eq.empty else eq
        inst = [i for i in installed if i.area == area]
        purchased = float(sel["purchased_usd"].sum()) if not sel.empty else 0.0
        equip = float(sel["installed_usd"].sum()) if not sel.empty else 0.0
        items = sum(i.usd for i in inst)
        check = expected is None or area in expected
        missing = [k for k in required.get(area, ()) if k not in given.get(area, set())] \
            if check else []
        rows.append({"area": area, "label": labels.get(area, spec["label"]),
                     "purchased_usd": purchased,
                     "installed_equipment_usd": equip, "installed_items_usd": items,
                     "direct_usd": equip + items, "complete": not missing,
                     "missing": missing})
    unknown = {i.area for i in installed} - set(areas)
    if unknown:
        raise InputError("installed items", sorted(unknown), f"areas {sorted(areas)}",
                         "give each installed item an area declared in "
                         "data/economics/capex_areas.yaml")
    return pd.DataFrame(rows)


def _organic_items(sizes: Mapping[str, float],
                   price_usd_per_m3: float | None) -> list[InstalledItem]:
    _, legacy, _ = _areas_and_items()
    out = []
    for key, v in sizes.items():
        if key.split(".")[-1] != "organic_inventory_m3":
            continue
        if price_usd_per_m3 is None:
            raise InputError("organic_fill_usd_per_m3", None, "> 0 USD/m3 (no sourced default)",
                             "pass the cost of a m3 of organic (extractant + diluent)")
        _positive(f"equipment_sizes.{key}", v)
        area, _ = _split_key(key, legacy)
        out.append(InstalledItem(area, "organic first fill", float(v) * price_usd_per_m3,
                                 "organic inventory x price per m3 (input)", "derived", False))
    return out


def capex_by_area(sizes: Mapping[str, float], *, currency_year: int,
                  aace_class: int = 4, contingency_frac: float | None = None,
                  location_factor: float = 1.0, owners_cost_frac: float | None = None,
                  installed: Sequence[InstalledItem] = (),
                  organic_fill_usd_per_m3: float | None = None,
                  expected_areas: Sequence[str] | None = None,
                  route: str | None = None,
                  flotation_circuits: Sequence[str] | None = None,
                  index: CostIndex | None = None) -> CapexByArea:
    """Initial capex by area from equipment sizes (Towler & Sinnott 2012 factored method).

    sizes : {"<area>.<item>": size in the item's SI unit, "<area>.<item>_count": units} (or the
        plant's legacy flat keys); areas and items in ``capex_areas.yaml``/``capex_items.csv``.
    installed : already-installed direct costs (residue storage, pre-strip, ...).
    organic_fill_usd_per_m3 : price of the SX organic; required when ``*.organic_inventory_m3``
        is given (no sourced default).
    expected_areas : areas whose required size keys must be present for ``complete`` (None: all).
    route, flotation_circuits : the plant's process route and flotation circuits; what an area
        requires follows them (:func:`required_size_keys`, declared in ``capex_areas.yaml``):
        a mixed-carbonate plant is complete without chloride conversion, SX or calciner.
    Returns :class:`CapexByArea`; the estimate's class sets the accuracy range and, unless
    ``contingency_frac`` is given, the contingency (``capex_factors.yaml``).
    """
    index = index or cepci()
    fac = read_yaml("capex_factors.yaml")
    if int(aace_class) not in fac["aace"]["classes"]:
        raise InputError("capex.aace_class", aace_class, "1-5",
                         "set capex.aace_class to an integer from 1 (definitive) to 5 (screening)")
    cls = fac["aace"]["classes"][int(aace_class)]
    x = float(fac["aace"]["contingency"][int(aace_class)]["value"]) if contingency_frac is None \
        else float(contingency_frac)
    own = float(fac["owners_cost"]["value_frac"]) if owners_cost_frac is None \
        else float(owners_cost_frac)
    eq = _equipment_rows(sizes, currency_year=currency_year, index=index)
    inst = list(installed) + _organic_items(sizes, organic_fill_usd_per_m3)
    areas = _area_table(eq, inst, sizes, expected_areas,
                        required_size_keys(route, flotation_circuits), route)
    isbl = float(eq["installed_usd"].sum()) if not eq.empty else 0.0
    tw = fac["towler"]["process_classes"]
    main = str(eq.groupby("process_class")["installed_usd"].sum().idxmax()) if not eq.empty \
        else "mixed"
    os_frac, de_frac = float(tw[main]["os"]), float(tw[main]["de"])
    items_eng = sum(i.usd for i in inst if i.engineering)
    items_all = sum(i.usd for i in inst)
    offsites = os_frac * isbl
    epcm = de_frac * (isbl + offsites + items_eng)
    construction = isbl + items_all + offsites + epcm
    owners = own * construction
    contingency = x * (construction + owners)
    pre_loc = construction + owners + contingency
    loc = (location_factor - 1.0) * pre_loc
    src_t = fac["towler"]["source"]
    rows = [(f"direct: {r['label']}", float(r["direct_usd"]), "sum of the area's installed "
             "equipment and items") for _, r in areas.iterrows() if r["direct_usd"] > 0]
    rows += [(f"offsites (OSBL: utilities, infrastructure, storage) {os_frac:.0%} of ISBL",
              offsites, src_t),
             (f"EPCM / engineering (D&E) {de_frac:.0%}", epcm, src_t),
             (f"owner's costs {own:.0%}", owners, fac["owners_cost"]["source"]),
             (f"contingency {x:.0%} (AACE class {aace_class})", contingency,
              str(fac["aace"]["contingency"][int(aace_class)]["source"]))]
    if loc:
        rows.append((f"location factor {location_factor:g}", loc, "project input"))
    bd = pd.DataFrame(rows, columns=["item", "usd", "source"])
    total = float(bd["usd"].sum())
    return CapexByArea(eq, areas, bd, total, isbl + items_all, int(currency_year),
                       int(aace_class), tuple(cls["accuracy_low"]),  # type: ignore[arg-type]
                       tuple(cls["accuracy_high"]), x, METHOD)  # type: ignore[arg-type]


def size_keys(route: str | None = None) -> pd.DataFrame:
    """The size keys the factored estimate understands: one row per (area, item) with the
    item's SI unit, correlations, process class, and whether the area requires it on ``route``
    (None: the full-separation list; ``capex_areas.yaml``). The plant reports sizes under these
    keys."""
    areas, _, items = _areas_and_items()
    req = required_size_keys(route)
    rows = []
    for area in areas:
        for item, comps in items.groupby("item", sort=False):
            rows.append({"key": f"{area}.{item}", "area": area, "item": item,
                         "unit": _si_unit(str(item)),
                         "correlations": list(comps["correlation"]),
                         "process_class": str(comps["process_class"].iloc[0]),
                         "required": item in req.get(area, ())})
        rows.append({"key": f"{area}.organic_inventory_m3", "area": area,
                     "item": "organic_inventory_m3", "unit": "m**3",
                     "correlations": ["first fill at organic_fill_usd_per_m3"],
                     "process_class": "installed item",
                     "required": "organic_inventory_m3" in req.get(area, ())})
    return pd.DataFrame(rows)
