"""Capacity-factored capex from a published analogue project (cross-check of the factored estimate).

C = C_ref · (Q / Q_ref)^n, escalated from the analogue's currency year by the cost index, with
n = 0.6 (Williams 1947, Chem. Eng. 54(12):124). Analogues and their scope live in
``data/economics/capex_analogues.yaml``; the scope says what the analogue covers, so a caller can add
what it lacks (e.g. a separation plant, costed by :func:`reeflow.economics.factored_capex`).
"""

from __future__ import annotations

from dataclasses import dataclass

from reeflow.core.errors import InputError
from reeflow.economics._data import read_yaml
from reeflow.economics.cost_index import CostIndex, cepci

__all__ = ["AnalogueCapex", "analogue_capex", "analogue_names"]


@dataclass(frozen=True)
class AnalogueCapex:
    """A scaled analogue estimate and how it was made."""

    name: str
    capex_usd: float
    reference_capex_usd: float
    reference_ore_t_per_a: float
    exponent: float
    escalation_factor: float
    currency_year: int
    scope: str
    source: str

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def analogue_names() -> list[str]:
    return sorted(read_yaml("capex_analogues.yaml")["analogues"])


def analogue_capex(ore_t_per_a: float, *, name: str = "monte_muambe_scoping_2023",
                   currency_year: int = 2025, index: CostIndex | None = None,
                   exponent: float | None = None) -> AnalogueCapex:
    """Capex of a plant treating ``ore_t_per_a`` scaled from the named analogue (USD)."""
    data = read_yaml("capex_analogues.yaml")
    if name not in data["analogues"]:
        raise InputError("economics.capex_analogue", name, f"one of {analogue_names()}",
                         "use one of the listed analogues (data/economics/capex_analogues.yaml)")
    if not ore_t_per_a > 0:
        raise InputError("ore_t_per_a", ore_t_per_a, "> 0",
                         "give the plant's ore throughput above 0 t/a")
    a = data["analogues"][name]
    n = float(data["scaling_exponent"]["value"] if exponent is None else exponent)
    esc = (index or cepci()).factor(int(a["currency_year"]), currency_year)
    capex = float(a["capex_usd"]) * (ore_t_per_a / float(a["ore_t_per_a"])) ** n * esc
    return AnalogueCapex(name, capex, float(a["capex_usd"]), float(a["ore_t_per_a"]), n, esc,
                         currency_year, str(a["scope"]), str(a["source"]))
