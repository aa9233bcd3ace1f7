"""Cost weights for ranking separation trains: reagents + annualised capital + organic fill.

The SX room does not read the economics room's files: prices arrive as arguments
(:class:`SXCostModel`), with defaults from ``data/sx/cost_defaults.yaml`` (each value with its
source and evidence; the study passes the economics deck's prices through the adapter).

Annual cost of a train (USD/a)::

    reagents  = (HCl_kg/h · p_HCl + NaOH_kg/h · p_NaOH) / 1000 · hours
    capital   = Σ_cuts Lang · C_ref · (V_cut / V_ref)^n          (six-tenths-type power law)
    organic   = V_organic · p_organic                            (first fill)
    total     = reagents + charge · (capital + organic)

with the mixer-settler power law of the UKy rougher SX account (PrOMMiS
``REE_costing_parameters.json`` 10.A.5.4; Keim & Naumann 2019, DOI 10.2172/1569277), the
effective Lang factor of PrOMMiS ``ree_costing.py`` and a capital recovery factor as charge.
Currency years differ between the defaults (2016–2023) and are not escalated: the model ranks
trains, it does not price a plant.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from typing import Any

import yaml

from reeflow.core.errors import InputError

__all__ = ["SXCostModel", "cost_defaults"]


@cache
def cost_defaults() -> dict[str, dict[str, Any]]:
    """The records of ``data/sx/cost_defaults.yaml`` (value, source, evidence)."""
    with resources.files("reeflow.data.sx").joinpath("cost_defaults.yaml").open(
            "r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _d(key: str) -> float:
    return float(cost_defaults()[key]["value"])


@dataclass(frozen=True)
class SXCostModel:
    """Prices and cost weights (defaults: ``data/sx/cost_defaults.yaml``)."""

    HCl_usd_per_t: float = field(default_factory=lambda: _d("HCl_usd_per_t"))  # noqa: N815
    NaOH_usd_per_t: float = field(default_factory=lambda: _d("NaOH_usd_per_t"))  # noqa: N815
    organic_usd_per_m3: float = field(default_factory=lambda: _d("organic_usd_per_m3"))
    mixer_settler_ref_usd: float = field(default_factory=lambda: _d("mixer_settler_ref_usd"))
    mixer_settler_ref_m3: float = field(default_factory=lambda: _d("mixer_settler_ref_m3"))
    mixer_settler_exponent: float = field(default_factory=lambda: _d("mixer_settler_exponent"))
    lang_factor: float = field(default_factory=lambda: _d("lang_factor"))
    capital_charge_frac_per_a: float = field(
        default_factory=lambda: _d("capital_charge_frac_per_a"))
    operating_h_per_a: float = field(default_factory=lambda: _d("operating_h_per_a"))

    def __post_init__(self) -> None:
        for f in fields(self):
            val = getattr(self, f.name)
            if isinstance(val, bool) or not isinstance(val, int | float) or not (
                    math.isfinite(val) and val >= 0):
                raise InputError(f"cost_model.{f.name}", val, "a finite number >= 0", "")
        if not 0 < self.mixer_settler_exponent <= 1.5:
            raise InputError("cost_model.mixer_settler_exponent", self.mixer_settler_exponent,
                             "0 < n <= 1.5", "")
        if not 0 < self.operating_h_per_a <= 8784:
            raise InputError("cost_model.operating_h_per_a", self.operating_h_per_a,
                             "0 < hours <= 8784 h/a", "")
        if not self.mixer_settler_ref_m3 > 0:
            raise InputError("cost_model.mixer_settler_ref_m3", self.mixer_settler_ref_m3, "> 0",
                             "")

    @classmethod
    def from_mapping(cls, prices: SXCostModel | Mapping[str, Any] | None) -> SXCostModel:
        """From a {field: value} mapping (unknown keys are errors naming the field)."""
        if prices is None:
            return cls()
        if isinstance(prices, SXCostModel):
            return prices
        known = {f.name for f in fields(cls)}
        for key in prices:
            if key not in known:
                raise InputError(f"cost_model.{key}", prices[key], f"one of {sorted(known)}",
                                 "check the spelling")
        return cls(**{k: float(v) for k, v in prices.items()})

    def mixer_settler_capital_usd(self, volume_m3: float) -> float:
        """Installed cost of one battery of ``volume_m3`` (power law × Lang factor)."""
        if volume_m3 <= 0:
            return 0.0
        ratio = volume_m3 / self.mixer_settler_ref_m3
        return self.lang_factor * self.mixer_settler_ref_usd * ratio**self.mixer_settler_exponent

    def annual_cost(self, reagents_kg_per_h: Mapping[str, float], organic_inventory_m3: float,
                    battery_volumes_m3: Iterable[float]) -> dict[str, float]:
        """Cost breakdown (USD and USD/a) of a train; ``total_usd_per_a`` ranks trains."""
        hcl = float(reagents_kg_per_h.get("HCl", 0.0))
        naoh = float(reagents_kg_per_h.get("NaOH", 0.0))
        reag = (hcl * self.HCl_usd_per_t + naoh * self.NaOH_usd_per_t) / 1000.0 \
            * self.operating_h_per_a
        capital = math.fsum(self.mixer_settler_capital_usd(v) for v in battery_volumes_m3)
        organic = organic_inventory_m3 * self.organic_usd_per_m3
        total = reag + self.capital_charge_frac_per_a * (capital + organic)
        return {"reagents_usd_per_a": reag, "mixer_settler_capital_usd": capital,
                "organic_fill_usd": organic, "total_usd_per_a": total}

    def to_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
