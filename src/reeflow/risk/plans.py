"""Mine plans for the Monte Carlo: a library of rigorous plans, and the block model of each
geostatistical realisation.

A draw that moves prices, recoveries, costs or the deposit's grade moves every block's value,
and the chain re-plans the pit and the schedule (:func:`reeflow.chain.what_if`; on the built-in
case a 0.5 % price step already moves the pit). Re-planning costs seconds, so the fast path
plans a *library*: the chain's own mine step (pit, nested pits, pushbacks, schedule, cut into
plant years) at the base block valuation with every price scaled by a revenue factor RF — a
uniform revenue scaling, the parametrisation of nested pits (Whittle 1988; Picard 1976) — at
quantiles of the draws' equivalent revenue factors (each draw's ratio of ore value to cost on
the base plan, relative to the base's; block values are linear in grade × price, so a grade
factor of the deposit enters like a price). Each draw runs on the plan planned at the revenue
factor nearest its own, as the chain would plan for a valuation like its own.

Measured on the built-in case (40 draws of 8 inputs, docs/benchmarks.md): a ladder of 13
revenue factors gives P10/P50/P90 of NPV within 1.4/4.5/1.1 % of capex of the rigorous chain's
and a mean |ΔNPV| of 11.5 % of capex per draw (the chain's plan changes regime within the
range: pits of 45 to 175 Mt of ore, mined out over the horizon); 7 factors give 22 %; plans at
representative draws' own valuations (:func:`representatives`, ``library="draws"``) 16 % with 13.

Realisations: :meth:`ResourceResult.simulate` (sequential Gaussian simulation of the deposit
room) gives equally probable primary (TREO) grades per block; each realisation's block model
keeps each block's REE oxide shares and gangue grades, re-derives density from the deposit's own
density regression and tonnes from it (as the estimate does), and is planned like the estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

__all__ = ["Plan", "plan_from_outcome", "plan_library_task", "realised_resource",
           "revenue_factor_ladder", "simulate_primary", "representatives"]


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
    features: tuple[float, ...] = ()
    grade_factor: float = 1.0
    #: stockpile rehandling cost of each year, USD (None: the plan has no stockpile)
    rehandle_usd: np.ndarray | None = None

    @property
    def years(self) -> int:
        return int(self.ore_t.size)

    @property
    def ok(self) -> bool:
        return self.error is None and self.years > 0

    def rehandle_term(self, rate: float) -> float:
        """The schedule's discounted stockpile rehandling, USD (0 without a stockpile): the
        planner charged it, so a plan's objective carries it."""
        if self.rehandle_usd is None:
            return 0.0
        disc = (1.0 + rate) ** -np.arange(1, self.years + 1, dtype=float)
        return float(disc @ self.rehandle_usd)

    def objective_terms(self, rate: float) -> tuple[np.ndarray, float, float]:
        """Discounted (contained tonnes by species, ore tonnes, tonnes moved) of the schedule:
        the mine's objective is ``A·(1000·rec·price·(1−royalty)) − O·processing − W·mining``
        (with the royalty on the margin, ``(1−royalty)·(A·1000·rec·price − O·processing) −
        W·mining``, :meth:`reeflow.risk.fast.FastModel.plan_values`)."""
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
    rehandle = np.nan_to_num(s["rehandle_usd"].to_numpy(float)) if "rehandle_usd" in s \
        else None
    return Plan(feed, ore, np.nan_to_num(mined), grade, contained, tuple(species),
                float(revenue_factor), int(realisation), float(mine.remaining_ore_t),
                rehandle_usd=rehandle)


def scaled_valuation(valuation: Any, revenue_factor: float) -> Any:
    """The block valuation with every price multiplied by ``revenue_factor``."""
    return replace(valuation, prices_usd_per_kg={k: float(v) * revenue_factor
                                                 for k, v in valuation.prices_usd_per_kg.items()})


def plan_library_task(project: Any, valuation: Any, resource: Any, species: Sequence[str],
                      revenue_factor: float, realisation: int, *, grade_factor: float = 1.0,
                      features: Sequence[float] = ()) -> Plan:
    """Plan the mine rigorously (the chain's mine step) for a block valuation (its prices
    times ``revenue_factor``) on the resource with its primary grade times ``grade_factor``
    (the deposit room's own :meth:`recut`, as the chain scales a synthetic deposit); a failure
    of the mine step is recorded on the plan, not raised."""
    from dataclasses import replace as _replace

    from reeflow.chain import pipeline
    from reeflow.chain.mine_steps import capacity_by_year
    from reeflow.core.errors import ReeflowError

    e = project.economics
    capacity = capacity_by_year(project.ore.throughput_t_per_a, e.schedule.ramp_up,
                                int(e.schedule.life_years))
    try:
        if grade_factor != 1.0 and resource is not None:
            resource = resource.recut(grade_factor=float(grade_factor)) \
                if hasattr(resource, "recut") else resource
        mine = pipeline.mine_outcome(project, capacity, scaled_valuation(valuation,
                                                                         revenue_factor),
                                     resource)
    except ReeflowError as exc:
        return Plan(np.zeros((0, 0)), np.zeros(0), np.zeros(0), np.zeros(0),
                    np.zeros((0, len(species))), tuple(species), revenue_factor, realisation,
                    error=f"{type(exc).__name__}: {exc}", features=tuple(features),
                    grade_factor=float(grade_factor))
    plan = plan_from_outcome(project, mine, species, revenue_factor, realisation)
    return _replace(plan, features=tuple(float(f) for f in features),
                    grade_factor=float(grade_factor))


def representatives(features: np.ndarray, k: int, *, iterations: int = 25) -> np.ndarray:
    """Indices of ``k`` draws that represent the cloud ``features`` (n × d, standardised):
    Lloyd's k-means from centres at evenly spaced ranks of the first feature, each centre
    replaced at the end by the draw nearest to it (so every plan is planned for a real draw's
    valuation). Deterministic."""
    X = np.asarray(features, float)
    n = X.shape[0]
    k = max(1, min(int(k), n))
    order = np.argsort(X[:, 0], kind="stable")
    C = X[order[np.linspace(0, n - 1, k).round().astype(int)]].copy()
    for _ in range(iterations):
        lab = np.argmin(((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2), axis=1)
        new = np.array([X[lab == j].mean(axis=0) if (lab == j).any() else C[j]
                        for j in range(k)])
        if np.allclose(new, C):
            break
        C = new
    idx = [int(np.argmin(((X - c) ** 2).sum(axis=1))) for c in C]
    return np.array(sorted(set(idx)))


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


def realised_resource(resource: Any, primary_frac: np.ndarray) -> Any:
    """The resource with its block model's primary grade replaced by one realisation: the
    primary's components (the REE oxides of TREO) keep each block's shares, density follows
    the deposit's own regression on the grades and tonnes follow density (as the estimate's)."""
    primary = str(getattr(resource, "primary", "treo"))
    comps = [f"{k}_frac" for k in (getattr(resource, "parameters", {}) or {}).get(
        "primary_components", [])]
    pcol = f"{primary}_frac"
    bm = resource.block_model.copy()
    old = bm[pcol].to_numpy(float)
    new = np.clip(np.asarray(primary_frac, float), 0.0, 1.0)
    ratio = np.divide(new, old, out=np.ones_like(new), where=old > 0)
    for col in comps:
        if col in bm:
            bm[col] = bm[col].to_numpy(float) * ratio
    bm[pcol] = new
    dens = getattr(resource, "density", None)
    if dens is not None and "density_t_per_m3" in bm and all(
            c in bm for c in dens.coefficients):
        share = bm["domain_share"] if "domain_share" in bm else bm.get("domain_frac", 1.0)
        bm["density_t_per_m3"] = dens.predict(bm[list(dens.coefficients)])
        bm["tonnes"] = bm["dx"] * bm["dy"] * bm["dz"] * bm["density_t_per_m3"] * share
    return replace(resource, block_model=bm)


def simulate_primary(resource: Any, *, seed: int) -> np.ndarray:
    """One SGS realisation of the deposit's primary grade at the block centres (the deposit
    room's simulation)."""
    return np.asarray(resource.simulate(n_realisations=1, seed=int(seed))[0], float)
