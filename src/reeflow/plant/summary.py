"""Products, residues and KPIs of a solved bastnäsite flowsheet (annual figures)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reeflow.core.elements import oxide_factor, oxide_formula
from reeflow.plant.flowsheet import FlowsheetSolution
from reeflow.plant.stream import Stream
from reeflow.plant.units.beneficiation import treo_kg_per_h
from reeflow.plant.units.cracking import classify_residue, residue_activity_bq_per_g

__all__ = ["PlantSummary", "summarise_plant", "ree_sales", "MIXED_SALE"]

#: Sale name of a mixed rare-earth concentrate (paid on its contained REO by the economics room).
MIXED_SALE = "mixed REO concentrate"

#: residue streams and their names; the label adds what each holds (:func:`_residue_label`)
_RESIDUES = {"leach.residue": "Leach residue", "neutralisation.cake": "Neutralisation cake"}
_BYPRODUCTS = {"beneficiation.fluorite_concentrate": ("Fluorite concentrate", "CaF2"),
               "beneficiation.barite_concentrate": ("Barite concentrate", "BaSO4")}


@dataclass(frozen=True)
class PlantSummary:
    """Annual products and KPIs; ``products`` rows follow the results.json schema."""

    products: list[dict[str, Any]]
    kpis: dict[str, float]
    reagents_t_per_a: dict[str, float]
    oxide_t_per_a: dict[str, float] = field(default_factory=dict)


def _t_per_a(kg_per_h: float, hours: float) -> float:
    return kg_per_h * hours / 1000.0


def _sale_basis(group: list[str], main: str, comp: dict[str, float], ree: tuple[str, ...],
                sold_as: str | None = None) -> tuple[str, float | None]:
    """Name the product is sold under and its paid fraction of the product mass.

    One element → its reporting oxide; Pr+Nd → 'NdPr oxide' (the USGS/Argus price basis) paid on
    Nd2O3 + Pr6O11; any other mixed group (an SEG or heavy-RE oxide, a La–Ce oxide) has no deck
    price of its own and is sold as a mixed REO concentrate (:data:`MIXED_SALE`): paid on the
    deck value of every oxide it contains, at that class's payability — the realisation-factor
    approach of PrOMMiS (``payability.csv``), the rule the mixed carbonate route is paid by.
    (Until 2026-11-30 such a group was paid on its main oxide alone: a Sm–Gd–Dy–Y oxide earned
    its Y2O3 and nothing for its Dy2O3.) The paid fraction of a mixed sale is its REO content.
    ``sold_as``: the name the design basis sells the product under (a year whose feed tips a
    product's main oxide still sells the same product); ``main``: the product's main species.
    """
    if set(group) == {"Pr", "Nd"}:
        return "NdPr oxide", comp.get("Nd2O3", 0.0) + comp.get("Pr6O11", 0.0)
    if len(group) == 1:
        ox = oxide_formula(group[0])
        return ox, comp.get(ox, 0.0)
    if len(group) > 1 or sold_as == MIXED_SALE:
        return MIXED_SALE, sum(comp.get(oxide_formula(ln), 0.0) for ln in ree)
    if sold_as:
        return sold_as, comp.get(sold_as, 0.0)
    return main, comp.get(main)


def _oxide_products(sol: FlowsheetSolution, ree: tuple[str, ...], hours: float,
                    feed_el: dict[str, float], groups: dict[str, list[str]] | None = None,
                    sold_as: Mapping[str, str] | None = None
                    ) -> tuple[list[dict[str, Any]], dict[str, float]]:
    rows: list[dict[str, Any]] = []
    oxides: dict[str, float] = {}
    for name, s in sol.streams.items():
        if not name.startswith("calcine_") or not name.endswith(".oxide"):
            continue
        prod = name[len("calcine_"):-len(".oxide")]
        by_species = s.flows_kg_per_h.sum(axis=0)  # species totals over phases (no DataFrame:
        total = float(by_species[by_species > 0].sum())  # this runs for every plant year)
        comp = {sp: float(v) / total for sp, v in zip(s.components.species, by_species,
                                                       strict=True) if v > 0} if total > 0 else {}
        main = max(comp, key=lambda k: comp[k]) if comp else ""
        group = list(groups.get(prod, [])) if groups else []
        sale_name, paid = _sale_basis(group, main, comp, ree, (sold_as or {}).get(prod))
        els = [ln for ln in ree if oxide_formula(ln) in comp]
        el_kg = s.element_kg_per_h()
        rec = {ln: el_kg[ln] / feed_el[ln] for ln in els if feed_el.get(ln)}
        own = [ln for ln in group if feed_el.get(ln)] or [
            ln for ln in els if oxide_formula(ln) == main and feed_el.get(ln)]
        group_rec = (sum(float(el_kg.get(ln, 0.0)) for ln in own)
                     / sum(feed_el[ln] for ln in own)) if own else None
        for sp, frac in comp.items():
            oxides[sp] = oxides.get(sp, 0.0) + _t_per_a(total * frac, hours)
        row = {"name": prod, "kind": "oxide", "t_per_a": _t_per_a(total, hours),
               "purity_frac": paid, "main_species": main, "sale_name": sale_name,
               "group": group, "reo_t_per_a": _t_per_a(reo_of(_ree_kg(s, ree)), hours),
               "composition_frac": comp, "recovery_frac": group_rec,
               "recovery_by_element_frac": rec, "stream": name}
        if sale_name == MIXED_SALE:  # paid on every contained oxide (see _sale_basis)
            eq = _oxide_equivalent(s, ree)
            reo = sum(eq.values())
            row["reo_distribution_frac"] = {ox: v / reo for ox, v in eq.items()} if reo else {}
        rows.append(row)
    return rows, oxides


def _ree_kg(s: Stream, ree: tuple[str, ...]) -> dict[str, float]:
    el = s.element_kg_per_h()
    return {ln: float(el.get(ln, 0.0)) for ln in ree if float(el.get(ln, 0.0)) > 0}


def _oxide_equivalent(s: Stream, ree: tuple[str, ...]) -> dict[str, float]:
    """kg/h of each reporting oxide the REE of a stream are equivalent to."""
    return {oxide_formula(ln): kg * oxide_factor(ln) for ln, kg in _ree_kg(s, ree).items()}


def _route_rows(sol: FlowsheetSolution, ree: tuple[str, ...], hours: float,
                feed_el: dict[str, float]) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Products of the alternative routes: a mixed carbonate (sold as ``mixed REO concentrate``,
    paid on its contained REO), a stockpile (held, not sold) and the Ce(IV) cake (sold as CeO2,
    paid on its CeO2-equivalent content)."""
    rows: list[dict[str, Any]] = []
    oxides: dict[str, float] = {}
    for name, s in sol.streams.items():
        if sol.ends[name][1] is not None or s.total_kg_per_h <= 0:
            continue
        if name.endswith((".sold", "carbonate_precipitation.carbonate_product")):
            kind, label = "concentrate", "Mixed rare-earth carbonate"
        elif name.endswith(".stockpile"):
            kind, label = "stockpile", "Stockpiled rare-earth carbonate"
        elif name == "cerium_rejection.cerium_cake":
            kind, label = "oxide", "Cerium hydroxide concentrate (Ce(OH)4)"
        else:
            continue
        total = s.total_kg_per_h
        eq = _oxide_equivalent(s, ree)
        reo = sum(eq.values())
        rec = {ln: kg / feed_el[ln] for ln, kg in _ree_kg(s, ree).items() if feed_el.get(ln)}
        row: dict[str, Any] = {
            "name": label, "kind": kind, "t_per_a": _t_per_a(total, hours),
            "reo_t_per_a": _t_per_a(reo, hours), "stream": name,
            "reo_distribution_frac": {ox: v / reo for ox, v in eq.items()} if reo > 0 else {},
            "recovery_by_element_frac": rec, "group": [ln for ln in ree if ln in rec],
            "main_species": max(eq, key=lambda k: eq[k]) if eq else ""}
        if kind == "oxide":  # the Ce cake: oxide-equivalent composition, paid on CeO2
            comp = {ox: v / total for ox, v in eq.items()}
            row.update({"sale_name": "CeO2", "purity_frac": comp.get("CeO2", 0.0),
                        "composition_frac": comp, "group": ["Ce"], "main_species": "CeO2",
                        "recovery_frac": rec.get("Ce")})
        elif kind == "concentrate":
            row.update({"sale_name": MIXED_SALE, "purity_frac": reo / total})
        if kind != "stockpile":
            for ox, v in eq.items():
                oxides[ox] = oxides.get(ox, 0.0) + _t_per_a(v, hours)
        rows.append(row)
    return rows, oxides


def _solid_rows(sol: FlowsheetSolution, hours: float) -> list[dict[str, Any]]:
    rows = []
    for stream, (label, mineral) in _BYPRODUCTS.items():
        s = sol.streams[stream]
        rows.append({"name": label, "kind": "byproduct", "t_per_a": _t_per_a(s.total_kg_per_h, hours),
                     "purity_frac": s.species_kg_per_h(mineral) / max(s.total_kg_per_h, 1e-300),
                     "main_species": mineral, "stream": stream})
    for stream, label in _RESIDUES.items():
        s = sol.streams[stream]
        act = residue_activity_bq_per_g(s)
        rows.append({"name": _residue_label(label, s), "kind": "residue",
                     "t_per_a": _t_per_a(s.total_kg_per_h, hours),
                     "activity_bq_per_g": act, "classification": classify_residue(act),
                     "th_t_per_a": _t_per_a(float(s.element_kg_per_h().get("Th", 0.0)), hours),
                     "stream": stream})
    return rows


def _residue_label(name: str, s: Stream, *, share: float = 0.05, most: int = 4) -> str:
    """``name (what it holds)``: its species of at least ``share`` of the mass, heaviest first
    (at most ``most``), and Th where it holds any (a label written for one ore had named
    barite and gypsum in residues of ores that hold neither; fuzz round 50)."""
    total = s.total_kg_per_h
    held = sorted(((s.species_kg_per_h(sp), sp) for sp in s.components.species), reverse=True)
    names = [sp for kg, sp in held[:most] if total > 0 and kg >= share * total]
    if float(s.element_kg_per_h().get("Th", 0.0)) > 0 and not any("Th" in n for n in names):
        names.append("Th")
    return f"{name} ({', '.join(names)})" if names else name


def summarise_plant(sol: FlowsheetSolution, ree: tuple[str, ...], hours: float, *,
                    groups: dict[str, list[str]] | None = None,
                    sold_as: Mapping[str, str] | None = None) -> PlantSummary:
    """Products (oxides, concentrates, stockpiles, by-products, residues), reagent use and KPIs
    per year.

    ``groups`` (product → elements) sets each oxide product's sale name and paid purity;
    ``sold_as`` (product → oxide) fixes the oxide a mixed product other than NdPr is sold as
    (the design basis's, for the plant solved at each year's feed).
    ``reo_t_per_a`` counts the REO (oxide equivalent) of every REE product sold — separated
    oxides, a mixed carbonate, the Ce cake — not of a stockpile (its rows, kind ``stockpile``,
    carry their ``reo_t_per_a``).
    """
    ore = sol.streams["ore"]
    feed_el = {ln: float(ore.element_kg_per_h().get(ln, 0.0)) for ln in ree}
    oxide_rows, oxides = _oxide_products(sol, ree, hours, feed_el, groups, sold_as)
    route_rows, route_oxides = _route_rows(sol, ree, hours, feed_el)
    for ox, t in route_oxides.items():
        oxides[ox] = oxides.get(ox, 0.0) + t
    ree_rows = oxide_rows + route_rows
    head_reo = _t_per_a(treo_kg_per_h(ore, ree), hours)
    reo = sum(r["reo_t_per_a"] for r in ree_rows if r["kind"] != "stockpile")
    ndpr = oxides.get("Nd2O3", 0.0) + oxides.get("Pr6O11", 0.0) - _unpaid_ndpr(route_rows)
    th_feed = _t_per_a(float(ore.element_kg_per_h().get("Th", 0.0)), hours)
    solids = _solid_rows(sol, hours)
    kpis = {
        "ore_t_per_a": _t_per_a(ore.total_kg_per_h, hours),
        "head_reo_t_per_a": head_reo,
        "reo_t_per_a": reo,
        "ndpr_oxide_t_per_a": ndpr,
        "overall_reo_recovery_frac": reo / head_reo if head_reo > 0 else float("nan"),
        "fluorite_concentrate_t_per_a": solids[0]["t_per_a"],
        "barite_concentrate_t_per_a": solids[1]["t_per_a"],
        "th_in_feed_t_per_a": th_feed,
        "th_in_residues_t_per_a": sum(r.get("th_t_per_a", 0.0) for r in solids),
        "motor_power_mw": sol.power_kw / 1000.0,  # the units' motors (the mills), not the site
        "concentrate_t_per_a": _t_per_a(sol.streams["ree_concentrate"].total_kg_per_h, hours),
        "concentrate_treo_frac": treo_kg_per_h(sol.streams["ree_concentrate"], ree)
        / max(sol.streams["ree_concentrate"].total_kg_per_h, 1e-300),
    }
    reagents = {k: _t_per_a(v, hours) for k, v in sol.reagents_kg_per_h().items()}
    return PlantSummary(ree_rows + solids, kpis, reagents, oxides)


_NDPR = ("Nd2O3", "Pr6O11")


def _unpaid_ndpr(route_rows: list[dict[str, Any]]) -> float:
    """NdPr oxide equivalent that is sold but not as NdPr: co-precipitated in the Ce cake (paid
    on CeO2 only), t/a."""
    return sum(r["reo_t_per_a"] * sum(r["reo_distribution_frac"].get(o, 0.0) for o in _NDPR)
               for r in route_rows if r["stream"] == "cerium_rejection.cerium_cake")


def ree_sales(products: list[dict[str, Any]]
              ) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """What the REE products sell as: (t/a by sale name, paid purity by sale name, oxide
    distribution of the mixed concentrate). Oxide rows sharing a sale name add up with a
    mass-weighted purity; a mixed concentrate (a carbonate, or a mixed oxide group sold as one)
    is given as t/a of CONTAINED REO (purity 1) with its distribution weighted over the rows: its
    value is linear in the contained oxides, so several mixed products priced as one basket earn
    what each would alone; stockpiles are not sold."""
    t: dict[str, float] = {}
    paid: dict[str, float] = {}
    dist: dict[str, float] = {}
    for r in products:
        if r["kind"] == "oxide" and r.get("sale_name") != MIXED_SALE:
            name = str(r["sale_name"])
            t[name] = t.get(name, 0.0) + r["t_per_a"]
            paid[name] = paid.get(name, 0.0) + r["t_per_a"] * float(r["purity_frac"] or 0.0)
        elif r["kind"] in ("concentrate", "oxide") and r["reo_t_per_a"] > 0:
            t[MIXED_SALE] = t.get(MIXED_SALE, 0.0) + r["reo_t_per_a"]
            for ox, f in r["reo_distribution_frac"].items():
                dist[ox] = dist.get(ox, 0.0) + f * r["reo_t_per_a"]
    purity = {k: paid[k] / t[k] for k in paid if t[k] > 0 and paid[k] > 0}
    reo = sum(dist.values())
    return t, purity, {ox: v / reo for ox, v in dist.items()} if reo > 0 else {}


def reo_of(element_kg: dict[str, float]) -> float:
    """REO (same mass unit) of element masses."""
    return sum(v * oxide_factor(k) for k, v in element_kg.items())
