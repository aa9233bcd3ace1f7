"""Site water balance of a solved flowsheet: make-up, recycle, evaporation, discharge, water in
solids and water made or consumed by reactions.

Water is the species H2O in any phase. Per unit, reactions make ``Σ out − Σ in`` of it; over the
site, ``make-up + feed water + made by reactions = evaporated + discharged + in solids/products``
closes exactly when every stream is counted once — the invariant the tests check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reeflow.plant.flowsheet import FlowsheetSolution
from reeflow.plant.stream import Stream, phase_index

__all__ = ["WaterBalance", "water_balance"]

_RECYCLE_HINTS = ("recycle", "condensate")


def _h2o(s: Stream) -> float:
    return s.species_kg_per_h("H2O") if "H2O" in s.components.index else 0.0


@dataclass(frozen=True)
class WaterBalance:
    """Annual water flows, t/a."""

    make_up_t_per_a: float
    feed_water_t_per_a: float
    made_by_reactions_t_per_a: float
    evaporated_t_per_a: float
    discharged_t_per_a: float
    in_solids_and_products_t_per_a: float
    recycled_t_per_a: float
    make_up_by_unit_t_per_a: dict[str, float]

    @property
    def closure_t_per_a(self) -> float:
        """(in + made) − out; zero when the balance closes."""
        return (self.make_up_t_per_a + self.feed_water_t_per_a + self.made_by_reactions_t_per_a
                - self.evaporated_t_per_a - self.discharged_t_per_a
                - self.in_solids_and_products_t_per_a)

    def to_dict(self) -> dict[str, Any]:
        return {"make_up_t_per_a": self.make_up_t_per_a,
                "feed_water_t_per_a": self.feed_water_t_per_a,
                "made_by_reactions_t_per_a": self.made_by_reactions_t_per_a,
                "evaporated_t_per_a": self.evaporated_t_per_a,
                "discharged_t_per_a": self.discharged_t_per_a,
                "in_solids_and_products_t_per_a": self.in_solids_and_products_t_per_a,
                "recycled_t_per_a": self.recycled_t_per_a,
                "closure_t_per_a": self.closure_t_per_a,
                "make_up_by_unit_t_per_a": dict(self.make_up_by_unit_t_per_a)}


def water_balance(sol: FlowsheetSolution, *, operating_hours_per_a: float) -> WaterBalance:
    """Water balance of a solved flowsheet (t/a at ``operating_hours_per_a``)."""
    k = operating_hours_per_a / 1000.0
    make_up: dict[str, float] = {}
    for unit, res in sol.results.items():
        w = sum(_h2o(s) for s in res.reagents.values())
        if w > 0:
            make_up[unit] = w * k
    feed = sum(_h2o(s) for n, s in sol.streams.items() if sol.ends[n][0] is None)
    made = sum(sum(_h2o(s) for s in sol.outflows(u)) - sum(_h2o(s) for s in sol.inflows(u))
               for u in sol.results)
    evaporated = discharged = solids = 0.0
    g, aq = phase_index("g"), phase_index("aq")
    for n, s in sol.streams.items():
        if sol.ends[n][1] is not None or "H2O" not in s.components.index:
            continue
        j = s.components.idx("H2O")
        evaporated += s.flows_kg_per_h[g, j]
        if s.flows_kg_per_h[phase_index("s")].sum() > s.flows_kg_per_h[aq].sum():
            solids += s.flows_kg_per_h[aq, j]  # slurry/cake moisture leaves with the solids
        else:
            discharged += s.flows_kg_per_h[aq, j]
    recycled = sum(_h2o(s) for n, s in sol.streams.items() if any(h in n for h in _RECYCLE_HINTS))
    return WaterBalance(sum(make_up.values()), feed * k, made * k, evaporated * k,
                        discharged * k, solids * k, recycled * k, make_up)
