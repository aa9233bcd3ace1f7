"""Cost weights for ranking separation trains: reagents + annualised capital + organic fill.

The SX room does not read the economics room's files: prices arrive as arguments
(:class:`SXCostModel`), with defaults from ``data/sx/cost_defaults.yaml`` (each value with its
source and evidence; the study passes the economics deck's prices through the adapter).

Annual cost of a train (USD/a)::

    reagents  = (HCl_kg/h · p_HCl + NaOH_kg/h · p_NaOH) / 1000 · hours
    capital   = Σ_cuts Lang · C_ref · (V_cut / V_ref)^n          (six-tenths-type power law)
           or = Σ_cuts n_cut · c(V_cut / n_cut)                   (a per-stage curve c, given)
    organic   = V_organic · p_organic                            (first fill)
    total     = reagents + charge · (capital + organic)

with the mixer-settler power law of the UKy rougher SX account (PrOMMiS
``REE_costing_parameters.json`` 10.A.5.4; Keim & Naumann 2019, DOI 10.2172/1569277), the
effective Lang factor of PrOMMiS ``ree_costing.py`` and a capital recovery factor as charge.
Currency years differ between the defaults (2016–2023) and are not escalated: the model ranks
trains, it does not price a plant. The study replaces the power law by the economics room's own
installed cost of a stage (``stage_cost_m3``/``stage_cost_usd``, built by
:func:`reeflow.chain.econ_steps.sx_cost_model` from
:func:`reeflow.economics.capex.installed_cost_usd`), so the ranking's capital and the capex
estimate's SX area price a stage alike (on the default built-in case the power law gave about a
tenth of the capex estimate's mixer-settler cost).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from reeflow.core.data import read_yaml
from reeflow.core.errors import InputError
from reeflow.core.numeric import REAL_TYPES

__all__ = ["SXCostModel", "cost_defaults"]

_CURVE = ("stage_cost_m3", "stage_cost_usd")


@cache
def cost_defaults() -> dict[str, dict[str, Any]]:
    """The records of ``data/sx/cost_defaults.yaml`` (value, source, evidence)."""
    return read_yaml("sx", "cost_defaults.yaml")


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
    #: Installed cost (USD) of ONE mixer-settler stage by its volume (m3), as knots of a
    #: log-log interpolation; when given, a battery of n stages and volume V costs
    #: n · c(V / n) instead of the power law (the study passes the economics room's curve,
    #: so the ranking and the capex estimate price a stage alike)
    stage_cost_m3: tuple[float, ...] = ()
    stage_cost_usd: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        self._check_curve()
        for f in fields(self):
            if f.name in _CURVE:
                continue
            val = getattr(self, f.name)
            if isinstance(val, bool) or not isinstance(val, REAL_TYPES) or not (
                    math.isfinite(val) and val >= 0):
                raise InputError(f"cost_model.{f.name}", val, "a finite number >= 0",
                                 "give a finite number of 0 or more")
        if not 0 < self.mixer_settler_exponent <= 1.5:
            raise InputError("cost_model.mixer_settler_exponent", self.mixer_settler_exponent,
                             "0 < n <= 1.5",
                             "give the mixer-settler scaling exponent above 0 and at most 1.5, "
                             "typically about 0.6")
        if not 0 < self.operating_h_per_a <= 8784:
            raise InputError("cost_model.operating_h_per_a", self.operating_h_per_a,
                             "0 < hours <= 8784 h/a",
                             "give the operating hours per year above 0 and at most 8784, e.g. "
                             "8000")
        if not self.mixer_settler_ref_m3 > 0:
            raise InputError("cost_model.mixer_settler_ref_m3", self.mixer_settler_ref_m3, "> 0",
                             "give the reference mixer-settler volume above 0 m3")

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
        kw: dict[str, Any] = {}
        for k, v in prices.items():
            if k in _CURVE:
                if isinstance(v, str | bytes) or not isinstance(v, Iterable):
                    raise InputError(f"cost_model.{k}", v, "a list of numbers",
                                     "write the curve as a list of numbers, e.g. [1.0, 2.0]")
                kw[k] = tuple(float(x) for x in v)
            else:
                kw[k] = float(v)
        return cls(**kw)

    def _check_curve(self) -> None:
        m3, usd = self.stage_cost_m3, self.stage_cost_usd
        ok = len(m3) == len(usd) and len(m3) != 1 and all(
            isinstance(v, REAL_TYPES) and math.isfinite(v) and v > 0 for v in (*m3, *usd)) \
            and all(b > a for a, b in zip(m3, m3[1:], strict=False))
        if not ok:
            raise InputError("cost_model.stage_cost_m3", list(m3), "as many increasing volumes "
                             "> 0 as positive costs in stage_cost_usd (two or more, or none)",
                             "give the curve's knots in order, or leave both empty")

    def stage_capital_usd(self, volume_m3: float) -> float:
        """Installed cost of one stage of ``volume_m3`` on the ``stage_cost_*`` curve (log-log
        interpolation, the end segments extended)."""
        x = [math.log(v) for v in self.stage_cost_m3]
        y = [math.log(c) for c in self.stage_cost_usd]
        lv = math.log(volume_m3)
        i = min(max(bisect.bisect_right(x, lv) - 1, 0), len(x) - 2)
        slope = (y[i + 1] - y[i]) / (x[i + 1] - x[i])
        return math.exp(y[i] + slope * (lv - x[i]))

    def mixer_settler_capital_usd(self, volume_m3: float, stages: int | None = None) -> float:
        """Installed cost of one battery of ``volume_m3``: ``stages`` × the stage curve at
        ``volume_m3 / stages`` when a curve and the stage count are given, else the power law ×
        Lang factor."""
        if volume_m3 <= 0:
            return 0.0
        if self.stage_cost_m3 and stages:
            return stages * self.stage_capital_usd(volume_m3 / stages)
        ratio = volume_m3 / self.mixer_settler_ref_m3
        return self.lang_factor * self.mixer_settler_ref_usd * ratio**self.mixer_settler_exponent

    def annual_cost(self, reagents_kg_per_h: Mapping[str, float], organic_inventory_m3: float,
                    battery_volumes_m3: Iterable[float],
                    battery_stages: Iterable[int] | None = None) -> dict[str, float]:
        """Cost breakdown (USD and USD/a) of a train; ``total_usd_per_a`` ranks trains.
        ``battery_stages``: the stage count of each battery (used with a stage-cost curve)."""
        hcl = float(reagents_kg_per_h.get("HCl", 0.0))
        naoh = float(reagents_kg_per_h.get("NaOH", 0.0))
        reag = (hcl * self.HCl_usd_per_t + naoh * self.NaOH_usd_per_t) / 1000.0 \
            * self.operating_h_per_a
        vols = list(battery_volumes_m3)
        stages = list(battery_stages) if battery_stages is not None else [None] * len(vols)
        capital = math.fsum(self.mixer_settler_capital_usd(v, n)
                            for v, n in zip(vols, stages, strict=True))
        organic = organic_inventory_m3 * self.organic_usd_per_m3
        total = reag + self.capital_charge_frac_per_a * (capital + organic)
        return {"reagents_usd_per_a": reag, "mixer_settler_capital_usd": capital,
                "organic_fill_usd": organic, "total_usd_per_a": total}

    def to_dict(self) -> dict[str, float]:
        """The scalar weights (the stage-cost curve, when given, is summarised by its span)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _CURVE}
        if self.stage_cost_m3:
            out["stage_cost_min_m3"] = float(self.stage_cost_m3[0])
            out["stage_cost_max_m3"] = float(self.stage_cost_m3[-1])
        return out
