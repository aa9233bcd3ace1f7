"""The project file's ``mine:`` section as a typed model (:class:`MineParams`).

Every numeric field carries its canonical unit (``Q(unit)``: write ``"2.5 USD/t"``, ``"570 kt/a"``,
``"45 deg"``, ``"8 %"`` or a bare number for fractions) and a plausible range; unknown keys are
errors. Bounds are *plausibility* bounds for an open-pit rare-earth project, not physics:

* overall slope 10–80° (below 10° no pit wall is that flat; above 80° is a bench face, not an
  overall slope — Hustrulid, Kuchta & Martin 2013, §4; reeflow.mine.precedence.SLOPE_LIMITS_DEG);
* mining cost 0–50 USD per t moved (large open pits 1.5–5 USD/t; 50 allows remote, small or
  selective operations with a wide margin);
* mining capacity ≤ 500 Mt/a (the largest open-pit complexes move ~300 Mt/a); plant ≤ 1 Gt/a;
* stockpile ≤ 1 Gt; rehandling 0–20 USD/t (loading and haulage of reclaimed ore: 0.5–3 USD/t);
* dilution and ore loss 0–50 % (open-pit bulk mining 2–15 %);
* solver time ≤ 1 h, gap ≤ 50 %; search pattern ≤ 20 benches; ≤ 20 pushbacks (``n_pushbacks``;
  left empty, the count is chosen among ``pushback_candidates``, each 1–20); horizon ≤ 100 a.

``valuation:`` (products, processing cost, royalty) and ``plant_capacity_t_per_a`` /
``ramp_up_frac`` / ``horizon_years`` / ``discount_rate`` are for standalone use (``reeflow
schedule``); in the study the caller passes the plant's and the economics' numbers (the same ones
its DCF uses) and they take precedence — :func:`reeflow.mine.plan.plan_mine` says which it used.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from reeflow.core.errors import InputError
from reeflow.core.projectfile import Q, StrictModel
from reeflow.mine._data import default
from reeflow.mine.schedule import BlendLimit, Stockpile
from reeflow.mine.valuation import BlockEconomics, Product

__all__ = ["MineParams", "SlopeSector", "StockpileParams", "BlendParams", "ProductParams",
           "ValuationParams", "MineLimits"]

Frac = Q("frac", ge=0.0, le=1.0)


def _d(key: str):
    return Field(default_factory=lambda: default(key))


class SlopeSector(StrictModel):
    """Overall slope angle at one azimuth (degrees clockwise from the grid's +y)."""

    azimuth_deg: Q("deg", ge=0.0, lt=360.0)  # type: ignore[valid-type]
    slope_deg: Q("deg", ge=10.0, le=80.0)  # type: ignore[valid-type]


class StockpileParams(StrictModel):
    """A stockpile destination: capacity, rehandling cost, optional accepted grade range."""

    name: str = "stockpile"
    capacity_t: Q("t", ge=0.0, le=1e9)  # type: ignore[valid-type]
    rehandle_cost_usd_per_t: Q("USD/t", ge=0.0, le=20.0) = 1.0  # type: ignore[valid-type]
    attribute: str | None = Field(default=None, pattern=r"^[a-z0-9_]+_frac$")
    min_frac: Frac | None = None  # type: ignore[valid-type]
    max_frac: Frac | None = None  # type: ignore[valid-type]

    def spec(self, cost_scale_frac: float = 1.0) -> Stockpile:
        """The schedule's stockpile, its rehandling rate times ``cost_scale_frac``."""
        return Stockpile(name=self.name, capacity_t=self.capacity_t,
                         rehandle_cost_usd_per_t=self.rehandle_cost_usd_per_t * cost_scale_frac,
                         attribute=self.attribute, min_frac=self.min_frac, max_frac=self.max_frac)


class BlendParams(StrictModel):
    """A plant-feed blending limit on one grade attribute (mass fraction of the feed)."""

    attribute: str = Field(pattern=r"^[a-z0-9_]+_frac$")
    min_frac: Frac | None = None  # type: ignore[valid-type]
    max_frac: Frac | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _range(self) -> BlendParams:
        if self.min_frac is None and self.max_frac is None:
            raise InputError(f"mine.blending.{self.attribute}", None, "min_frac and/or max_frac",
                             "give at least one limit")
        if self.min_frac is not None and self.max_frac is not None and \
                self.min_frac > self.max_frac:
            raise InputError(f"mine.blending.{self.attribute}", (self.min_frac, self.max_frac),
                             "min_frac <= max_frac", "swap the limits")
        return self

    def spec(self) -> BlendLimit:
        return BlendLimit(self.attribute, self.min_frac, self.max_frac)


class ProductParams(StrictModel):
    """A saleable product (standalone valuation): price per t of product, recoveries."""

    name: str
    grade_column: str = Field(pattern=r"^[a-z0-9_]+_frac$")
    recovery_frac: Frac  # type: ignore[valid-type]
    price_usd_per_t: Q("USD/t", ge=0.0, le=1e7)  # type: ignore[valid-type]
    payability_frac: Frac = 1.0  # type: ignore[valid-type]
    conversion_t_per_t: Q("frac", gt=0.0, le=100.0) = 1.0  # type: ignore[valid-type]
    selling_cost_usd_per_t: Q("USD/t", ge=0.0, le=1e6) = 0.0  # type: ignore[valid-type]

    def product(self) -> Product:
        return Product(**self.model_dump())


class ValuationParams(StrictModel):
    """Standalone block valuation (``reeflow schedule``/``pit``); the study passes its own."""

    products: list[ProductParams] = Field(min_length=1)
    processing_cost_usd_per_t: Q("USD/t", ge=0.0, le=5000.0)  # type: ignore[valid-type]
    royalty_frac: Q("frac", ge=0.0, lt=0.5) = 0.0  # type: ignore[valid-type]
    royalty_base: Literal["revenue", "revenue_less_processing"] = "revenue"


class MineLimits(StrictModel):
    """Work refused up front (InputError naming the estimate and the limit)."""

    max_blocks: int = Field(default_factory=lambda: default("max_blocks"), ge=1_000,
                            le=50_000_000)
    max_arcs: int = Field(default_factory=lambda: default("max_arcs"), ge=10_000,
                          le=500_000_000)
    max_grid_benches: int = Field(default_factory=lambda: default("max_grid_benches"), ge=2,
                                  le=2_000)


class MineParams(StrictModel):
    """``mine:`` section of a project file (see the module docstring for units and bounds)."""

    run: bool = True
    block_model: str | None = None
    missing: Literal["error", "air", "waste"] = "waste"
    slope_deg: Q("deg", ge=10.0, le=80.0) = _d("slope_deg")  # type: ignore[valid-type]
    slope_sectors: list[SlopeSector] | None = None
    n_benches: int = Field(default_factory=lambda: default("n_benches"), ge=1, le=20)
    mining_cost_usd_per_t_moved: Q("USD/t", ge=0.0, le=50.0) | None = None  # type: ignore[valid-type]
    mining_capacity_t_per_a: Q("t/a", gt=0.0, le=5e8) | None = None  # type: ignore[valid-type]
    stockpiles: list[StockpileParams] = Field(default_factory=list, max_length=5)
    blending: list[BlendParams] = Field(default_factory=list, max_length=10)
    dilution_frac: Q("frac", ge=0.0, le=0.5) = _d("dilution_frac")  # type: ignore[valid-type]
    ore_loss_frac: Q("frac", ge=0.0, le=0.5) = _d("ore_loss_frac")  # type: ignore[valid-type]
    inferred_as_waste: bool = False
    revenue_factors: list[Q("frac", ge=0.05, le=3.0)] = _d("revenue_factors")  # type: ignore[valid-type]
    n_pushbacks: int | None = Field(default_factory=lambda: default("n_pushbacks"), ge=1,
                                    le=20)
    pushback_candidates: list[Annotated[int, Field(ge=1, le=20)]] = Field(
        default_factory=lambda: list(default("pushback_candidates")), min_length=1,
        max_length=8)
    min_width_blocks: int = Field(default_factory=lambda: default("min_width_blocks"), ge=1,
                                  le=20)
    parcel_bins: int = Field(default_factory=lambda: default("parcel_bins"), ge=1, le=10)
    solver: Literal["auto", "pymineflow", "numba", "ortools", "scipy", "networkx"] = "auto"
    schedule_time_limit_s: Q("s", ge=0.0, le=3600.0) = _d("mip_time_limit_s")  # type: ignore[valid-type]
    schedule_rel_gap: Q("frac", ge=0.0, le=0.5) = _d("mip_rel_gap")  # type: ignore[valid-type]
    schedule_precedence: Literal["strict", "proportional"] = _d("schedule_precedence")
    schedule_max_nodes: int = Field(default_factory=lambda: default("mip_max_nodes"), ge=1,
                                    le=10_000_000)
    horizon_years: int | None = Field(default=None, ge=1, le=100)
    plant_capacity_t_per_a: Q("t/a", gt=0.0, le=1e9) | None = None  # type: ignore[valid-type]
    ramp_up_frac: list[Q("frac", gt=0.0, le=1.0)] | None = None  # type: ignore[valid-type]
    discount_rate: Q("frac", ge=0.0, lt=1.0) | None = None  # type: ignore[valid-type]
    valuation: ValuationParams | None = None
    limits: MineLimits = Field(default_factory=MineLimits)

    @model_validator(mode="after")
    def _one_slope_per_azimuth(self) -> MineParams:
        """Each slope sector at its own azimuth: two sectors at one azimuth passed validate
        with two slopes for one direction, and the plan refused them later as ``slopes_deg``
        (fuzz round 31)."""
        seen: dict[float, int] = {}
        for j, s in enumerate(self.slope_sectors or ()):
            az = round(float(s.azimuth_deg) % 360.0, 9)
            i = seen.setdefault(az, j)
            if i != j:
                raise InputError(f"mine.slope_sectors[{j}].azimuth_deg", float(s.azimuth_deg),
                                 f"an azimuth of its own (mine.slope_sectors[{i}] is at "
                                 f"{az:g} deg too: one overall slope per azimuth)",
                                 f"remove mine.slope_sectors[{j}] or [{i}], or give it another "
                                 "azimuth")
        return self

    @property
    def slopes(self) -> float | list[tuple[float, float]]:
        """Slope for :func:`~reeflow.mine.precedence.min_search_offsets`."""
        if self.slope_sectors:
            return [(s.azimuth_deg, s.slope_deg) for s in self.slope_sectors]
        return self.slope_deg

    @property
    def pushback_counts(self) -> tuple[int, ...]:
        """The pushback counts the plan tries: ``n_pushbacks`` when given, else the
        candidates (:func:`reeflow.mine.plan.plan_mine` keeps the best scheduled NPV)."""
        if self.n_pushbacks is not None:
            return (int(self.n_pushbacks),)
        return tuple(sorted(set(self.pushback_candidates)))

    def economics(self, products: tuple[Product, ...] | None = None, *,
                  processing_cost_usd_per_t: float | None = None,
                  royalty_frac: float | None = None, royalty_base: str | None = None,
                  mining_cost_usd_per_t: float | None = None) -> BlockEconomics:
        """Block economics: the caller's numbers, else this section's ``valuation:``."""
        v = self.valuation
        mining = (mining_cost_usd_per_t if mining_cost_usd_per_t is not None
                  else self.mining_cost_usd_per_t_moved)
        if mining is None:
            raise InputError("mine.mining_cost_usd_per_t_moved", None, "a mining cost per t moved",
                             "add e.g. mining_cost_usd_per_t_moved: 2.5 USD/t")
        if products is None:
            if v is None:
                raise InputError("mine.valuation", None, "products, processing cost and royalty "
                                 "(or the study's economics)", "add a valuation: section")
            products = tuple(p.product() for p in v.products)
        proc = processing_cost_usd_per_t if processing_cost_usd_per_t is not None else (
            v.processing_cost_usd_per_t if v is not None else None)
        if proc is None:
            raise InputError("mine.valuation.processing_cost_usd_per_t", None,
                             "a processing cost per t of feed (excluding mining)", "add it")
        return BlockEconomics(
            products=tuple(products), mining_cost_usd_per_t=float(mining),
            processing_cost_usd_per_t=float(proc),
            royalty_frac=float(royalty_frac if royalty_frac is not None
                               else (v.royalty_frac if v else 0.0)),
            royalty_base=royalty_base or (v.royalty_base if v else "revenue"))  # type: ignore[arg-type]
