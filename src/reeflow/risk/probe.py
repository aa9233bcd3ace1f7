"""Rigorous probes of the study chain: the numbers the Monte Carlo fast path is built from.

Every probe runs the chain's own step functions (:mod:`reeflow.chain`) — nothing here computes
physics or prices. A probe is either

- a *design point*: the design-basis plant and SX train, its equipment, the design-basis
  economics and the block valuation of a project (one rigorous evaluation of everything that is
  built once), plus the plant solved at the design feed and at half of it, which separates the
  plant's constant draw (the SX train's reagents and mixer power, designed once) from the part
  that follows the feed; or
- the plant's response to its feed (:func:`plant_response`): the plant solved at the design feed
  and at a 1 % step of each feed component, i.e. the Jacobian of every yearly quantity with
  respect to the tonnes of each species fed (the plant's units are linear in their feed at fixed
  parameters apart from a concentrate-grade target, measured at a relative 1e-4; a test checks);
- the money of a year (:func:`money_probe`): the economics room's yearly revenue and opex at a
  year's quantities and at a step of each quantity — affine in the quantities (a test checks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import ReeflowError

__all__ = ["QuantityLayout", "quantity_layout", "feed_vector", "schedule_rows",
           "plant_response", "design_point", "DesignPoint", "money_probe", "MONEY",
           "product_key", "year_vector", "year_of_vector", "yearly_money"]

#: The yearly money the economics room computes (USD/a), in this order.
MONEY = ("revenue", "ndpr", "variable", "fixed", "mining")
#: Fields of a solved plant year that are not additive quantities (labels, grades, shares).
_NOT_QUANTITIES = ("year", "production_year", "ore_t", "head_grade_treo_frac",
                   "overall_reo_recovery_frac", "ree_share_frac")
_UNITS = ("_t", "_mwh", "_gj", "_m3")
_GANGUE = ("tho2", "caf2", "baso4", "fe2o3", "sio2")


@dataclass(frozen=True)
class QuantityLayout:
    """Names of the yearly plant quantities (rows) and of the feed components (columns).

    Read off the chain's own :class:`PlantYearSolution`: every numeric field whose name carries
    a unit of amount (``_t``, ``_mwh``, ``_gj``, ``_m3``), and every entry of its mappings of
    tonnes (``products_t``, ``reagents_t``, ``flotation_feed_t`` ...) as ``field:key``; a
    driver the route does not have (None) is left out and stays None."""

    q: tuple[str, ...]
    products: tuple[str, ...]
    reagents: tuple[str, ...]
    feed: tuple[str, ...]
    template: Any = None

    def index(self, name: str) -> int:
        return self.q.index(name)


def quantity_layout(project: Any, year: Any, made: Sequence[str] | None = None
                    ) -> QuantityLayout:
    """The layout of a project's yearly quantities, read off one solved plant year.
    ``made``: the products the plant makes in some year (None: every product of ``year``);
    a product it never makes is left out. Its step in the money probe sold tonnes the chain
    never sells, and priced their freight: a project without fluorite (0 t of CaF2
    concentrate) was refused for want of an industrial-mineral freight rate it does not need
    (fuzz round 20)."""
    from dataclasses import fields

    keep = set(year.products_t) if made is None else set(made) & set(year.products_t)
    q: list[str] = []
    for f in fields(year):
        if f.name in _NOT_QUANTITIES:
            continue
        v = getattr(year, f.name)
        if isinstance(v, dict) and f.name.endswith("_t"):
            q += [f"{f.name}:{k}" for k in sorted(v)
                  if f.name != "products_t" or k in keep]
        elif isinstance(v, (int, float, np.floating)) and f.name.endswith(_UNITS):
            q.append(f.name)
    products = tuple(sorted(keep))
    reagents = tuple(sorted(year.reagents_t))
    feed = ("ore_t", *project.ree, *_GANGUE)
    return QuantityLayout(tuple(q), products, reagents, feed, year)


def product_key(name: str) -> str:
    """The layout name of a product's tonnes."""
    return f"products_t:{name}"


def year_vector(layout: QuantityLayout, y: Any) -> np.ndarray:
    """A solved plant year as a vector in ``layout.q`` order (missing entries 0)."""
    out = []
    for name in layout.q:
        field_name, _, key = name.partition(":")
        v = getattr(y, field_name)
        out.append(float(v.get(key, 0.0)) if key else float(v if v is not None else np.nan))
    return np.asarray(out)


def year_of_vector(layout: QuantityLayout, q: np.ndarray, ore_t: float) -> Any:
    """A plant year carrying the quantities ``q`` (the layout's template otherwise)."""
    dicts: dict[str, dict[str, float]] = {}
    scalars: dict[str, float] = {}
    for name, v in zip(layout.q, q, strict=True):
        field_name, _, key = name.partition(":")
        if key:
            dicts.setdefault(field_name, {})[key] = float(v)
        else:
            scalars[field_name] = float(v)
    return replace(layout.template, ore_t=float(ore_t), **dicts, **scalars)


def feed_vector(project: Any, row: Mapping[str, Any]) -> np.ndarray:
    """Tonnes of ore, of each REE oxide and of each gangue species a schedule row feeds
    (the chain's own adapter reads the row: :func:`reeflow.chain.adapters.ore_feed`)."""
    from reeflow.chain import adapters

    feed = adapters.ore_feed(project, ore_t_per_a=float(row["ore_t"]),
                             grades_frac=adapters.feed_from_schedule(row))
    ore = feed.ore_kg_per_h * project.plant.operating_hours_h_per_a / 1000.0
    ree = [ore * feed.treo_frac * feed.ree_share_frac.get(el, 0.0) for el in project.ree]
    gangue = [ore * float(getattr(feed, f"{g}_frac")) for g in _GANGUE]
    return np.asarray([ore, *ree, *gangue])


def schedule_rows(project: Any, X: np.ndarray) -> pd.DataFrame:
    """Schedule rows (the mine schedule's columns) that feed the tonnes ``X`` (rows × feed)."""
    from reeflow.chain.adapters import species_key

    X = np.atleast_2d(np.asarray(X, float))
    ore = X[:, 0]
    n_ree = len(project.ree)
    ree = X[:, 1:1 + n_ree]
    treo = ree.sum(axis=1) / ore
    df = pd.DataFrame({"ore_t": ore, "mined_t": ore})
    for j, el in enumerate(project.ree):
        df[f"{species_key(el)}_frac"] = ree[:, j] / ore
    for j, g in enumerate(_GANGUE):
        df[f"{g}_frac"] = X[:, 1 + n_ree + j] / ore
    df["treo_frac"] = treo
    df["head_grade_treo_frac"] = treo
    return df


def solve_feeds(project: Any, design: Any, X: np.ndarray, layout: QuantityLayout,
                first_year: int) -> np.ndarray:
    """The plant solved at each feed row of ``X`` (the chain's :func:`solve_years`): the
    quantities (rows × q)."""
    from reeflow.chain.plant_steps import solve_years

    years = solve_years(project, design, schedule_rows(project, X), first_year)
    return np.vstack([year_vector(layout, y) for y in years])


def design_feed(project: Any) -> np.ndarray:
    """The design-basis feed (the project's ``ore`` section at full throughput) as tonnes."""
    from reeflow.chain.mine_steps import flat_schedule

    row = flat_schedule(project, np.array([project.ore.throughput_t_per_a])).iloc[0]
    return feed_vector(project, row)


def plant_response(project: Any, design: Any, layout: QuantityLayout, first_year: int,
                   x0: np.ndarray, *, step_frac: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """(J, b): yearly quantities ≈ b + J @ feed near the feed ``x0`` (tonnes); J by central
    steps of ``step_frac`` of each feed component (the tangent at ``x0``), by a forward step
    for a component the feed lacks (a step below 0 fed the plant -0.078 kg/h of CaF2 on a
    project without fluorite, fuzz round 20)."""
    x0 = np.asarray(x0, float)
    steps = np.where(x0 > 0, step_frac * x0, 1e-6 * x0[0])
    down = np.where(x0 > 0, steps, 0.0)
    X = np.vstack([x0 + np.diag(steps), x0 - np.diag(down)])
    Q = solve_feeds(project, design, X, layout, first_year)
    n = len(x0)
    J = ((Q[:n] - Q[n:]) / (steps + down)[:, None]).T
    # each pair's midpoint, moved back to x0 along its own column (0 for a central pair)
    mid = 0.5 * (Q[:n] + Q[n:]) - 0.5 * (steps - down)[:, None] * J.T
    b = mid.mean(axis=0) - J @ x0
    return J, b


@dataclass
class DesignPoint:
    """One rigorous evaluation of what is built once, as named numbers (canonical units).

    ``values`` keys: ``capex`` (unscaled, USD), ``closure`` (USD, NaN when a fraction of capex),
    ``fixed`` and ``variable`` opex and ``revenue`` (USD/a at unit scales, at the design feed),
    ``purity:<sale>``, valuation ``vprice:<species>`` (USD/kg at unit scales),
    ``vrec:<species>``, ``vcost:<species>`` (USD/kg recovered, the grade-dependent processing
    cost), ``vproc`` and ``vmine`` (USD/t at unit opex scale); ``qd`` and ``qh``:
    the plant year at the design feed and at half of it; ``xd``: the design feed.
    """

    values: dict[str, float] = field(default_factory=dict)
    qd: np.ndarray = field(default_factory=lambda: np.zeros(0))
    qh: np.ndarray = field(default_factory=lambda: np.zeros(0))
    xd: np.ndarray = field(default_factory=lambda: np.zeros(0))
    money: dict[str, np.ndarray] | None = None
    structure: tuple[Any, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _unit_basis(basis: Any) -> Any:
    from reeflow.economics.annual import Scales

    return replace(basis, scales=Scales())


def design_stage(project: Any, design: Any | None = None, schedule: Any = None,
                 first_year: int = 0) -> tuple[Any, Any, Any, Any]:
    """(design, economic inputs, economics, design-basis economics) — the
    chain's steps; ``design`` reused when given (inputs that do not reach the plant). With a
    mine ``schedule`` (the base chain's, held), the plant is solved at its years and sized for
    the heaviest, as the chain does (:func:`reeflow.chain.pipeline.sized_economics`); the
    design-basis economics, which value the blocks, stay the unsized plant's."""
    from reeflow.chain import pipeline, plant_steps

    design = pipeline.design_step(project) if design is None else design
    inputs, design_basis, moved = pipeline.basis_step(project, design)
    basis = design_basis
    if schedule is not None and len(schedule):
        years = plant_steps.solve_years(project, design, schedule, first_year)
        inputs, basis = pipeline.sized_economics(project, inputs, design_basis, years,
                                                 int(project.economics.schedule.life_years),
                                                 moved)
    return design, inputs, basis, design_basis


def capex_areas(basis: Any) -> dict[str, float]:
    """The direct cost of each plant area (``direct:<area>``, USD) and the factor from the
    direct total to the capital estimate (``capex_factor``: offsites, EPCM, owner's costs and
    contingency are fractions of the direct cost in the factored estimate)."""
    cap = basis.parts.get("capex")
    out: dict[str, float] = {}
    if cap is None or "item" not in cap:
        return out
    direct = cap[cap["item"].astype(str).str.startswith("direct:")]
    for item, usd in zip(direct["item"], direct["usd"], strict=True):
        out[str(item)] = float(usd)
    total = sum(out.values())
    if total > 0:
        out["capex_factor"] = float(basis.base.capex_usd) / total
    return out


def valuation_values(project: Any, design: Any, basis: Any) -> dict[str, float]:
    """The block valuation at unit price and cost scales (the chain's own valuation)."""
    from reeflow.chain import pipeline

    val = pipeline.block_valuation_of(project, design, _unit_basis(basis))
    out = {f"vprice:{k}": float(v) for k, v in val.prices_usd_per_kg.items()}
    out.update({f"vrec:{k}": float(v) for k, v in val.recoveries_frac.items()})
    out.update({f"vcost:{k}": float(val.product_cost_usd_per_kg.get(k, 0.0))
                for k in val.prices_usd_per_kg})
    out["vproc"] = float(val.processing_cost_usd_per_t)
    opex = float(project.economics.opex_scale_frac)
    out["vmine"] = float(val.mining_cost_usd_per_t) / opex if opex > 0 else 0.0
    return out


def structure_of(project: Any, basis: Any) -> tuple[Any, ...]:
    """What the fast path takes from the base and so must not move with a drawn input: the
    DCF timing and fiscal terms, the discount rates, the royalty and the plant's capacity."""
    e = project.economics
    return (repr(basis.base.schedule), repr(basis.base.fiscal),
            tuple(float(r) for r in e.discount_rates), float(e.headline_rate),
            float(project.ore.throughput_t_per_a), repr(e.schedule), e.price_deck,
            project.plant.operating_hours_h_per_a)


def design_point(project: Any, layout: QuantityLayout, first_year: int, *,
                 design: Any | None = None, full_money: bool = False,
                 schedule: Any = None) -> DesignPoint:
    """Evaluate the design stage of ``project`` rigorously (see :class:`DesignPoint`), its
    plant sized for the heaviest year of ``schedule`` (the base chain's mine schedule, held)
    where given; a failure of the chain (e.g. an SX design outside its window) is recorded,
    not raised."""
    try:
        design, inputs, basis, design_basis = design_stage(project, design, schedule,
                                                           first_year)
        xd = design_feed(project)
        Q = solve_feeds(project, design, np.vstack([xd, 0.5 * xd]), layout, first_year)
        values = {"capex": float(basis.base.capex_usd)}
        values.update(capex_areas(basis))
        closure = basis.parts.get("closure_usd")
        values["closure"] = np.nan if closure is None else float(closure)
        storage = basis.parts.get("storage")
        values["closure_storage"] = 0.0 if storage is None else float(storage.closure_total_usd)
        values.update({f"purity:{k}": float(v) for k, v in inputs.product_purity_frac.items()})
        values.update(valuation_values(project, design, design_basis))
        money = money_probe(_unit_basis(basis), layout, Q[0], xd[0], steps=full_money)
        values.update({k: float(v) for k, v in money.pop("at").items()})
        return DesignPoint(values, Q[0], Q[1], xd, money if full_money else None,
                           structure_of(project, basis))
    except ReeflowError as exc:
        return DesignPoint(error=f"{type(exc).__name__}: {exc}")


def yearly_money(basis: Any, layout: QuantityLayout, Q: np.ndarray, ore: np.ndarray,
                 mined: np.ndarray) -> dict[str, np.ndarray]:
    """The economics room's yearly money (:data:`MONEY`) at the quantities ``Q`` (years × q):
    the plant years are handed over by the chain's own adapter
    (:func:`reeflow.chain.adapters.year_quantities`)."""
    from reeflow.chain.adapters import year_quantities
    from reeflow.economics.annual import evaluate_annual

    years = [year_of_vector(layout, q, o) for q, o in zip(Q, ore, strict=True)]
    sched = pd.DataFrame({"ore_t": np.asarray(ore, float), "mined_t": np.asarray(mined, float)})
    out = evaluate_annual(basis, year_quantities(years, sched))
    return {k: np.asarray(out.extra["money"][k], float) for k in MONEY}


def money_probe(basis: Any, layout: QuantityLayout, q0: np.ndarray, ore0: float, *,
                steps: bool = True, step_frac: float = 0.01) -> dict[str, Any]:
    """The yearly money at ``q0`` (``at``) and, with ``steps``, its derivative with respect to
    each quantity, the ore and the tonnes moved (``d``: (len(MONEY), q + 2))."""
    n = len(layout.q)
    u0 = np.concatenate([q0, [ore0, ore0]])
    if not steps:
        m = yearly_money(basis, layout, q0[None, :], np.array([ore0]), np.array([ore0]))
        return {"at": {k: m[k][0] for k in MONEY}}
    h = np.where(np.abs(u0) > 0, step_frac * np.abs(u0), step_frac * ore0)
    U = np.vstack([u0, u0 + np.diag(h)])
    m = yearly_money(basis, layout, U[:, :n], U[:, n], U[:, n + 1])
    M = np.vstack([m[k] for k in MONEY])
    return {"at": {k: m[k][0] for k in MONEY}, "d": (M[:, 1:] - M[:, :1]) / h[None, :],
            "u0": u0}


def scale_probe(basis: Any, layout: QuantityLayout, q0: np.ndarray, ore0: float
                ) -> dict[str, np.ndarray]:
    """How each product's revenue splits over the price groups (Scales.ndpr / other /
    byproduct) and the share of revenue that variable opex follows (marketing): the money at
    ``q0`` with each group's prices doubled, one product at a time."""
    from reeflow.economics.annual import Scales

    P = len(layout.products)
    first = layout.index(product_key(layout.products[0])) if P else 0
    rows = np.repeat(q0[None, :], P + 1, axis=0)
    for j in range(P):  # row j + 1: only product j sold
        rows[j + 1, first:first + P] = 0.0
        rows[j + 1, first + j] = q0[first + j]
    rows[0, first:first + P] = 0.0  # row 0: nothing sold
    ore = np.full(P + 1, ore0)
    share = np.zeros((P, 3))
    marketing = np.nan
    unit = yearly_money(replace(basis, scales=Scales()), layout, rows, ore, ore)
    for g, name in enumerate(("ndpr", "other", "byproduct")):
        m2 = yearly_money(replace(basis, scales=Scales(**{name: 2.0})), layout, rows, ore, ore)
        rev1 = unit["revenue"][1:] - unit["revenue"][0]
        rev2 = m2["revenue"][1:] - m2["revenue"][0]
        with np.errstate(invalid="ignore", divide="ignore"):
            share[:, g] = np.where(rev1 > 0, (rev2 - rev1) / rev1, 0.0)
        dv = (m2["variable"] - unit["variable"]).sum()
        dr = (m2["revenue"] - unit["revenue"]).sum()
        if dr > 0:
            marketing = dv / dr
    return {"share": share, "marketing": np.asarray(marketing)}


def valuation_groups(project: Any, design: Any, basis: Any) -> dict[str, np.ndarray]:
    """How each valuation species' price splits over the price groups (ndpr/other/byproduct):
    the chain's valuation with each group's prices doubled."""
    from reeflow.chain import pipeline
    from reeflow.economics.annual import Scales

    unit = pipeline.block_valuation_of(project, design, replace(basis, scales=Scales()))
    out: dict[str, np.ndarray] = {k: np.zeros(3) for k in unit.prices_usd_per_kg}
    for g, name in enumerate(("ndpr", "other", "byproduct")):
        v2 = pipeline.block_valuation_of(project, design,
                                         replace(basis, scales=Scales(**{name: 2.0})))
        for k, p1 in unit.prices_usd_per_kg.items():
            out[k][g] = (v2.prices_usd_per_kg[k] - p1) / p1 if p1 > 0 else 0.0
    return out


def first_year(project: Any) -> int:
    """Project year of the first production year (the chain's convention)."""
    return int(project.economics.schedule.construction_years) + 1


_ = Sequence  # typing only
