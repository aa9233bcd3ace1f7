"""Mine plans for the Monte Carlo: a library of rigorous plans, and the block model of each
geostatistical realisation.

A draw that moves prices, recoveries or costs moves every block's value, and the chain re-plans
the pit and the schedule (:func:`reeflow.chain.what_if`). Re-planning costs seconds, so the fast
path plans a *library* instead: the chain's own mine step (pit, nested pits, pushbacks, schedule,
cut into plant years) at the base block valuation with every price scaled by a revenue factor
RF — a uniform revenue scaling, the parametrisation of nested pits (Whittle 1988; Picard 1976) —
at quantiles of the draws' equivalent revenue factors. Each draw then takes the library plan
that is worth most under its own valuation (the mine room's objective: discounted block value of
the schedule). The plan a draw would have had is optimal for its valuation, the library plan for
a nearby one: by the envelope theorem the NPV differs only to second order in the distance
between them, and the test against the rigorous chain measures it.

Realisations: :meth:`ResourceResult.simulate_treo` (sequential Gaussian simulation of the deposit
room) gives equally probable TREO grades per block; each realisation's block model keeps each
block's REE oxide shares and gangue grades, re-derives density from the deposit's own density
regression and tonnes from it (as the estimate does), and is planned like the estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Plan", "plan_from_outcome", "plan_library_task", "realised_resource",
           "revenue_factor_ladder"]


@dataclass(frozen=True)
class Plan:
    """One mine plan cut into plant years: what the fast path needs of it.

    ``feed``: tonnes fed each plant year (years × feed components); ``mined_t``: tonnes moved;
    ``contained``: tonnes of each valued species in the ore fed (years × species);
    ``revenue_factor`` and ``realisation`` say where it came from (-1: the kriged estimate)."""

    feed: np.ndarray
    ore_t: np.ndarray
    mined_t: np.ndarray
    head_grade: np.ndarray
    contained: np.ndarray
    species: tuple[str, ...]
    revenue_factor: float
    realisation: int
    remaining_ore_t: float = 0.0
    error: str | None = None

    @property
    def years(self) -> int:
        return int(self.ore_t.size)

    @property
    def ok(self) -> bool:
        return self.error is None and self.years > 0

    def objective_terms(self, rate: float) -> tuple[np.ndarray, float, float]:
        """Discounted (contained tonnes by species, ore tonnes, tonnes moved) of the schedule:
        the mine's objective is ``A·(1000·rec·price·(1−royalty)) − O·processing − W·mining``."""
        disc = (1.0 + rate) ** -np.arange(1, self.years + 1, dtype=float)
        return disc @ self.contained, float(disc @ self.ore_t), float(disc @ self.mined_t)


def plan_from_outcome(project: Any, mine: Any, species: Sequence[str], revenue_factor: float,
                      realisation: int) -> Plan:
    """The arrays of a chain :class:`MineOutcome` (its schedule of plant years)."""
    from reeflow.risk.probe import feed_vector

    s = mine.schedule
    if s is None or len(s) == 0:
        return Plan(np.zeros((0, 0)), np.zeros(0), np.zeros(0), np.zeros(0),
                    np.zeros((0, len(species))), tuple(species), revenue_factor, realisation,
                    error="the mine plan sends no ore to the plant")
    feed = np.vstack([feed_vector(project, row) for _, row in s.iterrows()])
    ore = s["ore_t"].to_numpy(float)
    mined = s["mined_t"].to_numpy(float) if "mined_t" in s else ore.copy()
    grade = s["head_grade_treo_frac"].to_numpy(float) if "head_grade_treo_frac" in s \
        else np.full(ore.size, np.nan)
    contained = np.column_stack([ore * np.nan_to_num(s[f"{sp}_frac"].to_numpy(float))
                                 if f"{sp}_frac" in s else np.zeros(ore.size)
                                 for sp in species]) if species else np.zeros((ore.size, 0))
    return Plan(feed, ore, np.nan_to_num(mined), grade, contained, tuple(species),
                float(revenue_factor), int(realisation), float(mine.remaining_ore_t))


def scaled_valuation(valuation: Any, revenue_factor: float) -> Any:
    """The block valuation with every price multiplied by ``revenue_factor``."""
    return replace(valuation, prices_usd_per_kg={k: float(v) * revenue_factor
                                                 for k, v in valuation.prices_usd_per_kg.items()})


def plan_library_task(project: Any, valuation: Any, resource: Any, species: Sequence[str],
                      revenue_factor: float, realisation: int) -> Plan:
    """Plan the mine rigorously (the chain's mine step) at a revenue factor; a failure of the
    mine step is recorded on the plan, not raised."""
    from reeflow.chain import pipeline
    from reeflow.chain.mine_steps import capacity_by_year
    from reeflow.core.errors import ReeflowError

    e = project.economics
    capacity = capacity_by_year(project.ore.throughput_t_per_a, e.schedule.ramp_up,
                                int(e.schedule.life_years))
    try:
        mine = pipeline.mine_outcome(project, capacity, scaled_valuation(valuation,
                                                                         revenue_factor),
                                     resource)
    except ReeflowError as exc:
        return Plan(np.zeros((0, 0)), np.zeros(0), np.zeros(0), np.zeros(0),
                    np.zeros((0, len(species))), tuple(species), revenue_factor, realisation,
                    error=f"{type(exc).__name__}: {exc}")
    return plan_from_outcome(project, mine, species, revenue_factor, realisation)


def revenue_factor_ladder(rf: np.ndarray, *, n: int = 5, step: float = 0.05) -> list[float]:
    """Revenue factors at which to plan: quantiles of the draws' equivalent revenue factors
    ``rf`` (spread over their 2nd–98th percentiles), rounded to ``step``, with 1 (the base)."""
    rf = np.asarray(rf, float)
    rf = rf[np.isfinite(rf) & (rf > 0)]
    if rf.size == 0 or n < 2:
        return [1.0]
    q = np.quantile(rf, np.linspace(0.02, 0.98, n))
    ladder = {round(float(x) / step) * step for x in q} | {1.0}
    return sorted(round(x, 6) for x in ladder if x > 0)


def realised_resource(resource: Any, treo_frac: np.ndarray) -> Any:
    """The resource with its block model's TREO replaced by one realisation: REE oxides keep
    each block's shares, density follows the deposit's regression, tonnes follow density."""
    from reeflow.chain.adapters import species_key
    from reeflow.core.elements import REE

    bm = resource.block_model.copy()
    old = bm["treo_frac"].to_numpy(float)
    new = np.clip(np.asarray(treo_frac, float), 0.0, 1.0)
    ratio = np.divide(new, old, out=np.ones_like(new), where=old > 0)
    for el in REE:
        col = f"{species_key(el)}_frac"
        if col in bm:
            bm[col] = bm[col].to_numpy(float) * ratio
    bm["treo_frac"] = new
    dens = resource.density
    if dens is not None and "density_t_per_m3" in bm:
        cols = {c: bm[c.replace("_pct", "_frac")] * 100.0
                for c in dens.coefficients if c.replace("_pct", "_frac") in bm}
        if len(cols) == len(dens.coefficients):
            bm["density_t_per_m3"] = dens.predict(pd.DataFrame(cols))
            bm["tonnes"] = (bm["dx"] * bm["dy"] * bm["dz"] * bm["density_t_per_m3"]
                            * bm.get("domain_frac", 1.0))
    return replace(resource, block_model=bm)
