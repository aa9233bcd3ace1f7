"""Chain steps of the plant: design once, then solve at every production year's feed.

Wiring only: the flowsheet is :func:`reeflow.plant.bastnasite.build_flowsheet`, the SX train
:func:`reeflow.plant.sx_adapter.design_separation`, the summary
:func:`reeflow.plant.summary.summarise_plant`.

The separation train is designed ONCE, on the design-basis feed (the project's ``ore`` section at
full throughput): a plant is built once. Each year's solve keeps that train's split fractions
(recovery of each element to each product). The chain reports the largest drift of the year's
REE distribution from the design basis (``plant.feed_composition_spread_frac``), and
:func:`sx_train_by_year` re-simulates the train, stages as designed, at every year's feed: with
its reflux re-set from the year's feed, and at the design's fixed flow ratios (a consistency
check states both and warns when a product misses its spec).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reeflow.chain import adapters

__all__ = ["PlantDesign", "PlantYearSolution", "design_plant", "solve_years", "solve_plant",
           "sx_train_by_year", "plant_summary", "design_basis_solution"]



@dataclass(frozen=True)
class Engineering:
    """Energy, water, solubility and residue tables of a solved flowsheet (plant room)."""

    energy: Any
    water: Any
    solubility: Any
    residues: Any
    unit_inlet_kg_per_h: dict[str, float]


@dataclass(frozen=True)
class PlantDesign:
    """The design-basis plant: its feed, separation, solved flowsheet, summary and balances."""

    feed: Any
    separation: Any
    train: dict[str, Any] | None
    solution: Any
    summary: Any
    engineering: Engineering


@dataclass(frozen=True)
class PlantYearSolution:
    """The plant solved at one year's feed (annual quantities)."""

    year: int
    production_year: int
    ore_t: float
    head_grade_treo_frac: float
    reo_t: float
    ndpr_oxide_t: float
    overall_reo_recovery_frac: float
    products_t: dict[str, float]
    reagents_t: dict[str, float]
    power_mwh: float
    residue_t: float
    tailings_t: float
    ree_share_frac: dict[str, float]
    fuel_gj: float = 0.0
    water_m3: float = 0.0
    flotation_feed_t: dict[str, float] = field(default_factory=dict)
    mill_energy_mwh: float | None = None
    sx_aqueous_m3: float | None = None
    brine_m3: float | None = None
    #: the equipment this year's flows need (:func:`year_equipment_sizes`)
    equipment_sizes: dict[str, float] = field(default_factory=dict)
    #: every hydrometallurgical residue, dry t (the residue table's streams but tailings;
    #: ``residue_t`` is its radioactive part: leach residue and neutralisation cake)
    chemical_residue_t: float = 0.0


def solve_plant(project: Any, feed: Any, separation: Any, *, start: Any = None) -> Any:
    """Solve the flowsheet of ``project`` at ``feed`` with a given separation (``start``: a
    solved neighbour whose recycle streams seed the iteration; the answer does not depend
    on it)."""
    from reeflow.plant.bastnasite import build_flowsheet

    fs = build_flowsheet(feed, project.plant, separation)
    return fs.solve(start=None if start is None else start.streams)


def plant_summary(project: Any, sol: Any, design: Any = None) -> Any:
    """The plant summary of a solution; with ``design`` (a :class:`PlantDesign`), each product
    is sold under the name the design basis sells it as (a single-element product whose year
    tips it below its basis is still that oxide; a mixed group is a mixed REO concentrate)."""
    from reeflow.plant.summary import summarise_plant

    groups = project.plant.product_groups()
    sold_as = None if design is None else {
        str(r["name"]): str(r["sale_name"]) for r in design.summary.products
        if r.get("kind") == "oxide" and r.get("sale_name")}
    return summarise_plant(sol, project.ree, project.plant.operating_hours_h_per_a, groups=groups,
                           sold_as=sold_as)


def engineering_of(project: Any, sol: Any, summary: Any, train: dict[str, Any] | None
                   ) -> Engineering:
    """Energy and water balances, solubility check and residue classes of a solution."""
    from reeflow.plant.energy import energy_balance, unit_inlet_kg_per_h
    from reeflow.plant.residues import classify_residues
    from reeflow.plant.solubility import check_solubility
    from reeflow.plant.water import water_balance

    hours = project.plant.operating_hours_h_per_a
    energy = energy_balance(sol, operating_hours_per_a=hours,
                            reo_t_per_a=summary.kpis["reo_t_per_a"],
                            sx_mixer_settler_m3=float((train or {}).get("mixer_settler_volume_m3",
                                                                         0.0)))
    return Engineering(energy, water_balance(sol, operating_hours_per_a=hours),
                       check_solubility(sol),
                       classify_residues(sol, operating_hours_per_a=hours,
                                         rule=project.plant.norm_rule),
                       unit_inlet_kg_per_h(sol))


def _design_basis(project: Any) -> tuple[Any, Any, Any]:
    """The ore feed, the placeholder separation and the flowsheet solved with them."""
    from reeflow.plant.bastnasite import placeholder_separation

    feed = adapters.ore_feed(project)
    separation = placeholder_separation(project.plant.separation, project.ree)
    return feed, separation, solve_plant(project, feed, separation)


def design_basis_solution(project: Any) -> Any:
    """The design-basis flowsheet solved with the placeholder separation (a tenth of a
    second): what the route buys and sells, before any SX design (the first solve of
    :func:`design_plant`)."""
    return _design_basis(project)[2]


def design_plant(project: Any, sx_cost_model: Any = None) -> PlantDesign:
    """Solve the design-basis plant; with ``separation.method: sx`` design the SX train on the
    chloride feed the flowsheet delivers (sequences ranked with ``sx_cost_model``) and solve
    again with it."""
    feed, separation, sol = _design_basis(project)
    train = None
    if project.plant.separation.method == "sx" and project.plant.has_separation:
        from reeflow.plant.sx_adapter import design_separation

        separation, train = design_separation(sol.streams["sx_feed"], project,
                                              cost_model=sx_cost_model)
        sol = solve_plant(project, feed, separation)
    summary = plant_summary(project, sol)
    return PlantDesign(feed, separation, train, sol, summary,
                       engineering_of(project, sol, summary, train))


def sold_products(summary: Any) -> dict[str, float]:
    """Products sold, t/a, keyed by sale name (oxides, a mixed REO concentrate as contained REO,
    CaF2 and BaSO4 concentrates)."""
    from reeflow.plant.summary import ree_sales

    out, _, _ = ree_sales(summary.products)
    for row in summary.products:
        if row["kind"] == "byproduct":
            sale = adapters.BYPRODUCT_SALE.get(str(row["main_species"]), str(row["name"]))
            out[sale] = out.get(sale, 0.0) + row["t_per_a"]
    return out


def bought_reagents(reagents_t_per_a: Mapping[str, float]) -> dict[str, float]:
    """Reagents for the economics room, less the process water the units draw (``H2O``): that
    water is the water balance's make-up, passed once as ``water_m3_per_a``."""
    return {k: float(v) for k, v in reagents_t_per_a.items() if k != "H2O"}


def residue_t(summary: Any) -> float:
    """Radioactive residues (leach residue + neutralisation cake), t/a."""
    return float(sum(r["t_per_a"] for r in summary.products if r["kind"] == "residue"))


def tailings_t(summary: Any) -> float:
    """Flotation tailings, t/a: ore less every concentrate (REE, fluorite, barite)."""
    k = summary.kpis
    return max(k["ore_t_per_a"] - k["concentrate_t_per_a"] - k["fluorite_concentrate_t_per_a"]
               - k["barite_concentrate_t_per_a"], 0.0)


def _year(project: Any, design: PlantDesign, row: Mapping[str, Any], year: int,
          production_year: int) -> PlantYearSolution:
    ore_t = float(row["ore_t"])
    feed = adapters.ore_feed(project, ore_t_per_a=ore_t,
                             grades_frac=adapters.feed_from_schedule(row))
    if ore_t <= 0:
        return PlantYearSolution(year, production_year, 0.0, float("nan"), 0.0, 0.0,
                                 float("nan"), {}, {}, 0.0, 0.0, 0.0, dict(feed.ree_share_frac))
    from reeflow.plant.drivers import economic_drivers
    from reeflow.plant.energy import unit_inlet_kg_per_h
    from reeflow.plant.residues import classify_residues

    sol = solve_plant(project, feed, design.separation, start=design.solution)
    s = plant_summary(project, sol, design)
    k = s.kpis
    scale = ore_t / k["ore_t_per_a"]  # exact: the flowsheet is solved at ore_t / hours
    eng = design.engineering
    mass = unit_inlet_kg_per_h(sol)
    ratio = {u: m / eng.unit_inlet_kg_per_h[u] for u, m in mass.items()
             if eng.unit_inlet_kg_per_h.get(u, 0.0) > 0}
    energy = eng.energy.scaled(ratio, ore_t_per_a=k["ore_t_per_a"],
                               reo_t_per_a=k["reo_t_per_a"])
    water = eng.water.make_up_t_per_a * k["ore_t_per_a"] / eng.energy.ore_t_per_a
    drv = economic_drivers(sol, k, project.plant.operating_hours_h_per_a, design.train)
    sizes = year_equipment_sizes(project, design, sol, energy, ratio.get("separation", 1.0))
    chemical = sum(r.dry_t_per_a for r in classify_residues(
        sol, operating_hours_per_a=project.plant.operating_hours_h_per_a,
        rule=project.plant.norm_rule).rows if "tailings" not in r.stream)
    return PlantYearSolution(
        year=year, production_year=production_year, ore_t=ore_t,
        head_grade_treo_frac=feed.treo_frac, reo_t=k["reo_t_per_a"] * scale,
        ndpr_oxide_t=k["ndpr_oxide_t_per_a"] * scale,
        overall_reo_recovery_frac=k["overall_reo_recovery_frac"],
        products_t={p: t * scale for p, t in sold_products(s).items()},
        reagents_t={r: t * scale for r, t in bought_reagents(s.reagents_t_per_a).items()},
        power_mwh=energy.electricity_mwh_per_a * scale, residue_t=residue_t(s) * scale,
        tailings_t=tailings_t(s) * scale, ree_share_frac=dict(feed.ree_share_frac),
        fuel_gj=energy.fuel_gj_per_a * scale, water_m3=water * scale,
        flotation_feed_t={c: t * scale for c, t in drv["flotation_feed_t_per_a"].items()},
        mill_energy_mwh=_scaled(drv["mill_energy_mwh_per_a"], scale),
        sx_aqueous_m3=_scaled(drv["sx_aqueous_m3_per_a"], scale),
        brine_m3=_scaled(drv["brine_m3_per_a"], scale), equipment_sizes=sizes,
        chemical_residue_t=chemical * scale)


def year_equipment_sizes(project: Any, design: PlantDesign, sol: Any, energy: Any,
                         sx_ratio: float) -> dict[str, float]:
    """The equipment a year's flows need (:func:`reeflow.plant.sizing.equipment_sizes` on the
    year's solution and energy balance). The SX train keeps its stages; its mixer-settler
    volume and organic inventory scale with the flow into separation (``sx_ratio``: the year's
    inlet mass over the design basis's), as its flows do at fixed ratios."""
    from reeflow.plant.sizing import equipment_sizes

    p = project.plant
    train = design.train
    if train:
        train = {**train, "mixer_settler_volume_m3":
                 float(train["mixer_settler_volume_m3"]) * sx_ratio,
                 "organic_inventory_m3": float(train["organic_inventory_m3"]) * sx_ratio}
    return equipment_sizes(sol, operating_hours_per_a=p.operating_hours_h_per_a, energy=energy,
                           sx_train=train, mill_feed_f80_um=p.comminution.f80_um)


def peak_sizes(years: Sequence[PlantYearSolution]) -> dict[str, float] | None:
    """Each item at the largest size (and count) any producing year needs: the plant the
    schedule's heaviest years call for; None without a producing year."""
    out: dict[str, float] = {}
    for y in years:
        for key, v in y.equipment_sizes.items():
            out[key] = max(out.get(key, 0.0), float(v))
    return out or None


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None else float(value) * scale


def solve_years(project: Any, design: PlantDesign, schedule: pd.DataFrame,
                first_year: int) -> list[PlantYearSolution]:
    """The plant solved at every row of the schedule (one row per production year).

    Rows with identical feed (tonnes and grades) are solved once."""
    cache: dict[tuple[float, ...], PlantYearSolution] = {}
    out = []
    # the plant sees the ore tonnes and the grades only (waste, mined tonnes and resource
    # classes do not change its solution)
    feed_cols = [c for c in schedule.columns if c == "ore_t" or str(c).endswith("_frac")]
    keys = schedule[feed_cols].to_numpy(dtype=float, na_value=np.nan).round(12)
    for i, (_, row) in enumerate(schedule.iterrows()):
        key = tuple(keys[i].tolist())
        sol = cache.get(key)
        if sol is None:
            sol = _year(project, design, row, first_year + i, i + 1)
            cache[key] = sol
        out.append(sol if sol.production_year == i + 1 else
                   _relabel(sol, first_year + i, i + 1))
    return out


def _relabel(sol: PlantYearSolution, year: int, production_year: int) -> PlantYearSolution:
    from dataclasses import replace

    return replace(sol, year=year, production_year=production_year)


def composition_spread(design: PlantDesign, years: Sequence[PlantYearSolution]) -> float:
    """Largest relative drift of any REE share of TREO, over the years, from the design basis."""
    base = design.feed.ree_share_frac
    worst = 0.0
    for y in years:
        for el, share in y.ree_share_frac.items():
            b = base.get(el, 0.0)
            if b > 1e-6:
                worst = max(worst, abs(share - b) / b)
    return worst


def sx_train_by_year(project: Any, design: PlantDesign, years: Sequence[PlantYearSolution]
                     ) -> dict[str, Any] | None:
    """The SX train, designed once, re-simulated at every production year's SX feed at the
    project's SX conditions (:func:`reeflow.plant.sx.endtoend.train_purities_at`), with its
    reflux re-set from the year's feed ("retuned") and at the design's flow ratios
    ("fixed_ratios"): ``{mode: {product: (lowest purity, year)} or the first error met,
    "spec": {product: its purity spec}}``; None without a designed train.

    A year's SX feed is the design basis's, element by element in proportion to the year's REE
    share of TREO over the design basis's (the circuits before SX recover each element in a
    fixed fraction). Years with the same REE distribution are simulated once."""
    from reeflow.core.errors import ReeflowError
    from reeflow.plant.sx.endtoend import train_purities_at

    train = design.train
    if not train or not train.get("cuts"):
        return None
    sep = project.plant.separation
    cond = sep.sx.train_kwargs(sep.extractant)["conditions"]
    first = train["cuts"][0]["products_mol_per_h"]
    feed = {e: first["organic"].get(e, 0.0) + first["aqueous"].get(e, 0.0)
            for e in {*first["organic"], *first["aqueous"]}}
    base = design.feed.ree_share_frac
    worst: dict[str, Any] = {"retuned": {}, "fixed_ratios": {}}
    seen: set[tuple[tuple[str, float], ...]] = set()
    for y in years:
        key = tuple(sorted((e, round(v, 12)) for e, v in y.ree_share_frac.items()))
        if y.ore_t <= 0 or key in seen:
            continue
        seen.add(key)
        at = {e: x * y.ree_share_frac.get(e, 0.0) / base[e] for e, x in feed.items()
              if base.get(e, 0.0) > 0}
        for mode, got in worst.items():
            if isinstance(got, str):
                continue
            try:
                purities = train_purities_at(train, train["groups"], at,
                                             retune=mode == "retuned", conditions=cond)
            except ReeflowError as exc:
                worst[mode] = f"year {y.year}: {exc}"
                continue
            for name, p in purities.items():
                if p == p and (name not in got or p < got[name][0]):  # NaN: no such product
                    got[name] = (p, y.year)
    spec = {n: float(train["purity_spec"][n]) for n in train["groups"]}
    return {**worst, "spec": spec}
