"""The study chain, as its list of steps (PyPSA's model builder: it reads as what it does).

    plant design → deposit → mine plan → plant by year → economics → market → claims

Each step is a function with typed inputs and a typed output (:class:`ChainOutcome` collects
them). The pipeline owns no physics and no policy: rooms compute, :mod:`reeflow.chain.adapters`
translates between them. Every "what if" — a sensitivity, a claim check, a scenario, a Monte Carlo
draw — runs this same chain on a project with changed inputs (:func:`what_if`), so one question
always gets one number.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from reeflow.chain import adapters, econ_steps, mine_steps, plant_steps
from reeflow.chain.cache import CACHE
from reeflow.chain.cache import step_key as _key
from reeflow.project import LoadedProject, Project

__all__ = ["ChainOutcome", "run_chain", "what_if", "with_overrides", "block_valuation_of",
           "mining_per_t_moved", "mine_outcome", "resource_of", "design_step", "basis_step",
           "sized_economics", "resource_and_plan", "rpeee_rows", "ResourceStep",
           "train_by_year", "figures_of", "plan_is_cached"]

T = TypeVar("T")


@dataclass
class ChainOutcome:
    """Everything the chain computed, in the rooms' own types (the results sections are built
    from this by :mod:`reeflow.chain.sections`)."""

    loaded: LoadedProject
    design: plant_steps.PlantDesign
    inputs: Any
    basis: Any
    resource_step: ResourceStep
    mine: mine_steps.MineOutcome
    years: list[plant_steps.PlantYearSolution]
    quantities: Any
    annual: Any
    market: Any
    times_s: dict[str, float] = field(default_factory=dict)
    #: the economics of the design-basis plant, which the block valuation (and so the pit)
    #: uses; ``basis`` is that plant's economics with its equipment sized for the schedule's
    #: heaviest year (the cash flow's). The same object where the schedule changes no size.
    design_basis: Any = None

    @property
    def project(self) -> Project:
        return self.loaded.project

    @property
    def resource(self) -> Any:
        """The resource cut off at its break-even (None: no deposit), read when first asked."""
        return self.resource_step.get()

    def scheduled_feed_grade_frac(self) -> float | None:
        """Ore-weighted TREO grade the mine plan feeds over the life (None: no ore fed)."""
        fed = [y for y in self.years if y.ore_t > 0]
        ore = sum(y.ore_t for y in fed)
        if not ore > 0:
            return None
        return float(sum(y.ore_t * y.head_grade_treo_frac for y in fed) / ore)

    def npv_usd(self, rate: float | None = None) -> float:
        """NPV at ``rate`` (default: the project's headline rate)."""
        r = self.project.economics.headline_rate if rate is None else rate
        return float(self.annual.npv_usd[r])


class _Timer:
    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.times: dict[str, float] = {}
        self.progress = progress

    def __call__(self, name: str, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        if self.progress is not None:
            self.progress(name)
        t = time.perf_counter()
        out = fn(*args, **kw)
        self.times[name] = time.perf_counter() - t
        return out


def _valuation(project: Project, design: plant_steps.PlantDesign,
               basis: Any) -> adapters.BlockValuation:
    """Block valuation from the design-basis plant and the same cost basis as the DCF."""
    s = design.summary
    mining_moved = _mining_per_t_moved(project) * project.economics.opex_scale_frac
    el_t = {el: float(v) * project.plant.operating_hours_h_per_a / 1000.0
            for el, v in design.solution.streams["ore"].element_kg_per_h().items()}
    mineral_t = {sp: float(design.solution.streams["ore"].species_kg_per_h(sp))
                 * project.plant.operating_hours_h_per_a / 1000.0 for sp in ("CaF2", "BaSO4")}
    e = project.economics
    val = adapters.block_valuation(
        s.products, el_t, mineral_t, basis.product_usd_per_t(),
        processing_cost_usd_per_t=basis.processing_usd_per_t_ore(),
        mining_cost_usd_per_t=mining_moved, royalty_frac=float(e.fiscal.royalty_rate),
        discount_rate=float(e.headline_rate), royalty_base=e.fiscal.royalty_base)
    ree = {adapters.species_key(el) for el in project.ree}
    costs = CACHE.get("processing_costs",
                      _key(project.ore, project.plant, e, basis.scales, basis.capex_usd,
                           sorted(val.recoveries_frac.items())),
                      econ_steps.processing_costs, project, design, basis,
                      dict(val.recoveries_frac), ree)
    return replace(val, processing_cost_usd_per_t=costs.per_t_ore_usd,
                   product_cost_usd_per_kg=costs.per_kg_recovered_usd)


def _mining_per_t_moved(project: Project) -> float:
    m = project.mine.mining_cost_usd_per_t_moved
    return float(project.economics.mining_cost_usd_per_t if m is None else m)


def _mine(project: Project, capacity: np.ndarray, valuation: adapters.BlockValuation,
          resource: Any) -> mine_steps.MineOutcome:
    if resource is None or not project.mine.run:
        return mine_steps.MineOutcome(mine_steps.flat_schedule(project, capacity),
                                      "flat schedule", None, len(capacity), 0.0)
    return mine_steps.plan_mine_step(project, resource.block_model, valuation, capacity)


def _resource(project: Project, valuation: adapters.BlockValuation, recovery: float) -> Any:
    if not (project.deposit.run and project.deposit.has_source):
        return None
    ree = {adapters.species_key(el) for el in project.ree}
    cost = valuation.product_cost_usd_per_kg
    recs = valuation.recoveries_frac
    prices = {k: v for k, v in valuation.prices_usd_per_kg.items() if k in ree}
    credits = {k: (v - float(cost.get(k, 0.0))) * float(recs.get(k, 0.0))
               for k, v in valuation.prices_usd_per_kg.items() if k not in ree}
    # the REE oxides' processing charge per kg of TREO in the ore: every recovered oxide
    # carries the same charge per kg contained (processing_costs spreads it so)
    charge = max((float(cost[k]) * float(recs[k]) for k in prices if k in cost), default=0.0)
    return mine_steps.estimate_resource_step(
        project, prices_usd_per_kg=prices, recovery_frac=recovery,
        cost_usd_per_t_ore=valuation.processing_cost_usd_per_t,
        byproduct_usd_per_kg_in_ore=credits, charge_usd_per_kg=charge)


def run_chain(loaded: LoadedProject, *,
              progress: Callable[[str], None] | None = None) -> ChainOutcome:
    """Run every step of the study chain on a validated project (no files written)."""
    from reeflow.economics.annual import evaluate_annual

    p = loaded.project
    e = p.economics
    step = _Timer(progress)
    life = int(e.schedule.life_years)
    design = design_step(p, step)
    inputs, basis, moved = basis_step(p, design, step)
    valuation, resource = _valued_resource(p, design, basis)
    mine = _mine_step(p, valuation, resource, step)
    first = int(e.schedule.construction_years) + 1
    years = step("plant by year", CACHE.get, "years",
                 econ_steps.years_key(p, mine.schedule, first),
                 plant_steps.solve_years, p, design, mine.schedule, first)
    design_basis = basis
    inputs, basis = step("economics at the scheduled plant size", sized_economics, p, inputs,
                         basis, years, life, moved)
    quantities = adapters.year_quantities(years, mine.schedule)
    # the cash flow reads the project's figures and, through the plant and sizing, the mine
    # plan's schedule (which a wall-clock-limited schedule makes more than a function of the
    # project); so keyed, a second study reads each what-if's cash flow
    annual = step("economics", CACHE.get, "annual",
                  _key(figures_of(p), mine.schedule.to_dict("list")), evaluate_annual, basis,
                  quantities, design_basis)
    market = step("market", _market, p, design)
    return ChainOutcome(loaded, design, inputs, basis, resource, mine, years, quantities,
                        annual, market, step.times, design_basis)


class ResourceStep:
    """The chain's resource step, run when its result is first asked for: the mine plan asks
    only when it is not cached itself, so a what-if whose plan was read from the step cache
    never reads its resource (a block model, 5 MB on disk for the built-in case), and an outcome
    sent back by a worker process carries the step's inputs, not its result."""

    def __init__(self, project: Project, valuation: adapters.BlockValuation,
                 recovery: float) -> None:
        self.project, self.valuation, self.recovery = project, valuation, recovery
        self.key = _key(project.deposit, project.ore, valuation.prices_usd_per_kg, recovery,
                        valuation.processing_cost_usd_per_t, valuation.recoveries_frac,
                        valuation.product_cost_usd_per_kg)
        self._value: Any = _UNREAD

    def get(self) -> Any:
        """The resource (None: no deposit); the step cache's copy where it holds one."""
        if self._value is _UNREAD:
            self._value = CACHE.get("resource", self.key, _resource, self.project,
                                    self.valuation, self.recovery)
        return self._value

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_value"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _value=_UNREAD)  # this process's marker


_UNREAD = object()


def _valued_resource(p: Project, design: plant_steps.PlantDesign,
                     basis: Any) -> tuple[adapters.BlockValuation, ResourceStep]:
    """The block valuation and the resource cut off at its break-even, as a step run when it
    is first asked for (its result None: no deposit)."""
    valuation = _valuation(p, design, basis)
    recovery = float(design.summary.kpis["overall_reo_recovery_frac"])
    return valuation, ResourceStep(p, valuation, recovery)


def _mine_step(p: Project, valuation: adapters.BlockValuation, resource: ResourceStep,
               step: Callable[..., Any]) -> mine_steps.MineOutcome:
    """The mine plan at the plant's capacity by year (ramp-up included), cached; the resource
    is read only where the plan is computed."""
    capacity, key = _mine_key(p, valuation)
    # the step stays in the list (progress, times) where the cached plan does not read it
    step("resource", (lambda: None) if CACHE.seen("mine", key) else resource.get)
    return step("mine plan", CACHE.get, "mine", key,  # type: ignore[no-any-return]
                lambda: _mine(p, capacity, valuation, resource.get()))


def _mine_key(p: Project, valuation: adapters.BlockValuation) -> tuple[np.ndarray, str]:
    """The plant's capacity by year and the mine step's cache key (the inputs it reads)."""
    e = p.economics
    capacity = mine_steps.capacity_by_year(p.ore.throughput_t_per_a, e.schedule.ramp_up,
                                           int(e.schedule.life_years))
    return capacity, _key(p.deposit, p.mine, p.ore, capacity.tolist(), valuation.__dict__,
                          e.opex_scale_frac)  # the stockpiles' rehandling rate is scaled by it


def plan_is_cached(p: Project) -> bool:
    """Whether the chain would read its design and mine plan rather than compute them (the
    step cache holds both; the design and the economics basis it needs are read to tell)."""
    if not CACHE.seen("design", design_key(p)):
        return False
    design = design_step(p)
    valuation = _valuation(p, design, basis_step(p, design)[1])
    return CACHE.seen("mine", _mine_key(p, valuation)[1])


def resource_and_plan(loaded: LoadedProject) -> tuple[Any, np.ndarray | None]:
    """The chain's steps up to its mine plan: the resource the study states and the blocks
    inside the plan's RPEEE pit shell (None without a plan), for ``reeflow resource`` to state
    what ``reeflow study`` states. (None, None) without a deposit."""
    p, step = loaded.project, _Timer(None)
    design = design_step(p, step)
    basis = basis_step(p, design, step)[1]
    valuation, lazy = _valued_resource(p, design, basis)
    resource = lazy.get()
    if resource is None:
        return None, None
    return resource, rpeee_rows(p, _mine_step(p, valuation, lazy, step).plan, resource)


def rpeee_rows(p: Project, plan: Any, resource: Any) -> np.ndarray | None:
    """Blocks of the resource inside the mine plan's pit shell at the deposit section's RPEEE
    revenue factor (None without a plan or a resource, or when the shells stop below it)."""
    if plan is None or resource is None:
        return None
    rf = float(p.deposit.cutoff.revenue_factor)
    return plan.source_rows_in_shell(rf, len(resource.block_model))  # type: ignore[no-any-return]


def design_step(p: Project, step: Callable[..., Any] | None = None) -> plant_steps.PlantDesign:
    """The chain's first step: the design-basis plant and its SX train, the sequences ranked at
    the study's own prices (:func:`~reeflow.chain.econ_steps.sx_cost_model`); cached by the
    inputs it reads. The risk room's design points call it too."""
    sx_costs = econ_steps.sx_cost_model(p)
    return (step or _Timer(None))("plant design and SX train", CACHE.get, "design",
                                  design_key(p, sx_costs), plant_steps.design_plant, p, sx_costs)


def design_key(p: Project, sx_costs: Any = None) -> str:
    """The design step's cache key: the inputs it reads."""
    sx_costs = econ_steps.sx_cost_model(p) if sx_costs is None else sx_costs
    return _key(p.ore, p.plant, sx_costs.__dict__)


def figures_of(p: Project) -> dict[str, Any]:
    """The project's fields its figures are computed from: all but its text (name,
    description, claims) and the risk section, which the chain does not read."""
    from reeflow.project import TEXT_ONLY

    return p.model_dump(mode="json", by_alias=True, exclude={*TEXT_ONLY, "risk"})


def train_by_year(o: ChainOutcome) -> dict[str, Any] | None:
    """:func:`~reeflow.chain.plant_steps.sx_train_by_year` of an outcome, cached by the inputs
    it reads (the design's and every fed year's REE shares), so a second study reads it."""
    fed = [(y.year, sorted(y.ree_share_frac.items())) for y in o.years if y.ore_t > 0]
    return CACHE.get("sx_by_year", _key(design_key(o.project), fed),  # type: ignore[no-any-return]
                     plant_steps.sx_train_by_year, o.project, o.design, o.years)


def basis_step(p: Project, design: plant_steps.PlantDesign,
               step: Callable[..., Any] | None = None) -> tuple[Any, Any, float | None]:
    """The economic inputs of ``design`` (its equipment sized at the design basis), the
    design-basis economics and the mining cost per t moved (None where no mine is planned:
    the processing cost then carries mining per t of ore)."""
    e = p.economics
    inputs = econ_steps.economic_inputs(p, design, econ_steps.equipment_sizes(p, design))
    moved = _mining_per_t_moved(p) if p.deposit.run and p.deposit.has_source and p.mine.run \
        else None
    basis = (step or _Timer(None))("design-basis economics", CACHE.get, "basis",
                                   _key(p.ore, p.plant, e, moved), econ_steps.design_economics,
                                   p, inputs, int(e.schedule.life_years), moved)
    return inputs, basis, moved


def sized_economics(project: Project, inputs: Any, basis: Any,
                    years: list[plant_steps.PlantYearSolution], life: int,
                    moved: float | None) -> tuple[Any, Any]:
    """The economic inputs and design-basis economics of the plant built for the schedule's
    heaviest years (:func:`~reeflow.chain.plant_steps.peak_sizes`); ``inputs`` and ``basis``
    as they are where no size changes."""
    peak = plant_steps.peak_sizes(years)
    if peak is None or peak == dict(inputs.equipment_sizes):
        return inputs, basis
    sized = replace(inputs, equipment_sizes=peak,
                    reo_capacity_t_per_a=max(y.reo_t for y in years))
    e = project.economics
    return sized, CACHE.get("basis_sized", _key(project.ore, project.plant, e, moved,
                                                sorted(peak.items()), sized.reo_capacity_t_per_a),
                            econ_steps.design_economics, project, sized, life, moved)


def _market(project: Project, design: plant_steps.PlantDesign) -> Any:
    """The project's output added to world supply; None (not run) when the project does not say
    where its ore is mined (``market.home_country``)."""
    from reeflow.market import market_scenario

    m, home = project.market, project.market.home_country
    if home is None:
        return None
    reo, oxides = design.summary.kpis["reo_t_per_a"], adapters.oxide_tonnages(
        design.summary.products)
    return CACHE.get("market", _key(m, reo, oxides), lambda: market_scenario(
        reo, oxides, home_country=home, separation_at_home=m.separation_at_home,
        separation_country=m.separation_country, year=m.year))


def what_if(base: LoadedProject, overrides: Mapping[str, Any]) -> ChainOutcome:
    """The same chain on the project with ``overrides`` (project-file path → value, in the
    file's units, e.g. ``{"ore.treo_grade": "1 %"}``) applied and re-validated. Identical
    questions are answered once (the outcome is cached by the validated project)."""
    loaded = with_overrides(base, overrides) if overrides else base
    return CACHE.get("outcome", loaded.project.model_dump_json(by_alias=True),
                     run_chain, loaded)


def with_overrides(base: LoadedProject, overrides: Mapping[str, Any]) -> LoadedProject:
    """A copy of ``base`` with the values at the given project-file paths replaced (and the
    whole project re-validated, so an override outside its bounds is an InputError)."""
    from reeflow.core.projectfile import validate_tree

    tree = base.project.model_dump(by_alias=True)
    for path, value in overrides.items():
        _set(tree, path, value)
    _renormalise_shares(tree, [p for p in overrides if p.startswith("ore.ree_distribution.")])
    project, _ = validate_tree(Project, tree, canonical=True)
    return LoadedProject(project=project, provenance=base.provenance, path=base.path)


def _renormalise_shares(tree: dict[str, Any], changed: list[str]) -> None:
    """When some REE shares are overridden, scale the others so the shares still sum to one
    (a share of TREO cannot change alone)."""
    if not changed:
        return
    from reeflow.core.units import to_canonical

    dist = tree["ore"]["ree_distribution"]
    fixed = {p.rsplit(".", 1)[1] for p in changed}
    for el in fixed:
        dist[el] = to_canonical(dist[el], "frac", field=f"ore.ree_distribution.{el}")
    rest = sum(v for el, v in dist.items() if el not in fixed)
    room = 1.0 - sum(dist[el] for el in fixed)
    if rest > 0 and room >= 0:
        for el in dist:
            if el not in fixed:
                dist[el] = dist[el] * room / rest


def _set(tree: dict[str, Any], path: str, value: Any) -> None:
    from reeflow.core.errors import InputError

    parts = path.split(".")
    node: Any = tree
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node:
            raise InputError("overrides", path, "a path of the project file",
                             "name a field such as 'ore.treo_grade'")
        node = node[part]
    if not isinstance(node, dict) or parts[-1] not in node:
        raise InputError("overrides", path, "a path of the project file",
                         "name a field such as 'ore.treo_grade'")
    node[parts[-1]] = value


#: The step helpers under public names, for callers that re-run single steps of this chain (the
#: Monte Carlo fast path in :mod:`reeflow.risk`): the same functions run_chain calls.
block_valuation_of = _valuation
mining_per_t_moved = _mining_per_t_moved
mine_outcome = _mine
resource_of = _resource

_ = pd  # pandas frames travel in the outcome types
