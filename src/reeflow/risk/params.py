"""The ``risk:`` section of a project file: what a Monte Carlo draws and how.

Which inputs are drawn (default: every input with a stated ``range``), how they are correlated,
which prices follow a path by year, and how many geostatistical realisations of the deposit the
draws run on. The number of draws and the seed are the economics section's
(``economics.monte_carlo_draws``, ``economics.seed``)::

    risk:
      inputs: [ore.treo_grade, economics.price_scale_ndpr]   # default: every ranged input
      correlation:
        method: iman_conover            # or gaussian_copula
        pairs:
          - {inputs: [economics.price_scale_ndpr, economics.price_scale_other], rho: 0.5,
             source: "...", evidence: assumed}
      price_paths:
        economics.price_scale_ndpr: {volatility: 30 %, mean_reversion: 0.5, evidence: assumed}
      realisations: 0                   # SGS realisations of the block model (0 = the estimate)

Marginals come from each input's provenance: ``{value, range, distribution}`` (see
:data:`reeflow.core.projectfile.DISTRIBUTIONS`; triangular when not given).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from reeflow.core.errors import InputError
from reeflow.core.projectfile import Evidence, Q, StrictModel

__all__ = ["RiskParams", "CorrelationSpec", "CorrelationPair", "PricePath", "PRICE_PATH_INPUTS"]

#: Inputs that may follow a price path by year (multipliers on a group of product prices).
PRICE_PATH_INPUTS = ("economics.price_scale_ndpr", "economics.price_scale_other",
                     "economics.price_scale_byproduct")


class CorrelationPair(StrictModel):
    """A rank (Iman–Conover) or normal-score (Gaussian copula) correlation between two inputs."""

    inputs: tuple[str, str] = Field(description="the two project paths")
    rho: float = Field(ge=-1.0, le=1.0, description="the correlation (key ``rho``: a mapping "
                       "with ``value`` would read as a sourced value)")
    source: str | None = Field(default=None, max_length=2000)
    evidence: Evidence | None = None
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("inputs")
    @classmethod
    def _distinct(cls, v: tuple[str, str]) -> tuple[str, str]:
        if v[0] == v[1]:
            raise InputError("risk.correlation.pairs.inputs", list(v), "two different inputs",
                             "an input is perfectly correlated with itself already")
        return v


class CorrelationSpec(StrictModel):
    """How correlated inputs are drawn: Iman & Conover (1982) rank correlation (the marginals
    are kept exactly) or a Gaussian copula (Nelsen 2006, §2.10)."""

    method: Literal["iman_conover", "gaussian_copula"] = "iman_conover"
    pairs: list[CorrelationPair] = Field(default_factory=list, max_length=400)


class PricePath(StrictModel):
    """A price multiplier that moves year by year around the drawn level: log-price
    Ornstein–Uhlenbeck (Schwartz 1997, J. Finance 52(3):923–973, one-factor model), mean one."""

    volatility_frac: Q("frac", ge=0.0, le=3.0,  # type: ignore[valid-type]
                       alias="volatility", doc="annual volatility of the log price")
    mean_reversion_per_a: float = Field(alias="mean_reversion", ge=0.0, le=20.0,
                                        description="speed of mean reversion (1/year)")
    source: str | None = Field(default=None, max_length=2000)
    evidence: Evidence | None = None
    note: str | None = Field(default=None, max_length=2000)


class RiskParams(StrictModel):
    """The ``risk:`` section (all optional)."""

    inputs: list[str] | None = Field(default=None, max_length=200,
                                     description="project paths drawn (left out: every "
                                                 "ranged input)")
    correlation: CorrelationSpec = Field(default_factory=CorrelationSpec)
    price_paths: dict[str, PricePath] = Field(default_factory=dict)
    realisations: int = Field(default=0, ge=0, le=1000,
                              description="SGS realisations of the block model the draws run "
                                          "on (0: the kriged estimate only)")

    @field_validator("inputs")
    @classmethod
    def _some_inputs(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and not v:
            raise InputError("risk.inputs", v, "at least one project path",
                             "leave risk.inputs out to draw every input with a stated range, or "
                             "list the paths to draw")
        return v

    @field_validator("price_paths")
    @classmethod
    def _path_inputs(cls, v: dict[str, PricePath]) -> dict[str, PricePath]:
        for key in v:
            if key not in PRICE_PATH_INPUTS:
                raise InputError(f"risk.price_paths.{key}", key,
                                 f"one of {', '.join(PRICE_PATH_INPUTS)}",
                                 "a price path multiplies one group of product prices")
        return v
