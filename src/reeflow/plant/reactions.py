"""Stoichiometric reactions applied to stream arrays.

A reaction is a list of (species, phase, coefficient) with reactants negative. Its element balance
is checked when it is defined, so every unit built from reactions conserves elements by construction;
the flowsheet engine checks the closure again after every solve.

Reagent demand follows the house rule: stoichiometry times a stated excess, never a bare constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reeflow.core.elements import molar_mass, parse_formula
from reeflow.core.errors import InputError
from reeflow.plant.stream import Components, Stream, phase_index

__all__ = [
    "Reaction",
    "apply_reaction",
    "extent_from_conversion",
    "reagent_kg_per_h",
    "react_with_reagent",
    "take_phase",
]


@dataclass(frozen=True)
class Reaction:
    """A balanced reaction; ``terms`` are (species formula, phase, coefficient)."""

    name: str
    terms: tuple[tuple[str, str, float], ...]

    def __post_init__(self) -> None:
        totals: dict[str, float] = {}
        for formula, _, coef in self.terms:
            for el, n in parse_formula(formula):
                totals[el] = totals.get(el, 0.0) + coef * n
        bad = {el: v for el, v in totals.items() if abs(v) > 1e-12}
        if bad:
            raise InputError(
                f"reaction.{self.name}",
                bad,
                "a balanced reaction (each element sums to 0)",
                "correct the coefficients",
            )

    def coefficient(self, species: str) -> float:
        return sum(c for s, _, c in self.terms if s == species)


def extent_from_conversion(
    flows_kg_per_h: np.ndarray,
    comp: Components,
    reaction: Reaction,
    key: str,
    key_phase: str,
    conversion_frac: float,
) -> float:
    """Reaction extent (kmol/h) converting ``conversion_frac`` of ``key`` in ``key_phase``."""
    coef = reaction.coefficient(key)
    if coef >= 0:
        raise InputError(f"reaction.{reaction.name}.key", key, "a reactant of the reaction",
                         "pick as key a reactant of the reaction (a species with a negative "
                         "coefficient)")
    n_key = flows_kg_per_h[phase_index(key_phase), comp.idx(key)] / molar_mass(key)
    return conversion_frac * n_key / -coef


def apply_reaction(
    flows_kg_per_h: np.ndarray, comp: Components, reaction: Reaction, extent_kmol_per_h: float
) -> np.ndarray:
    """Return new flows after the reaction proceeds by ``extent`` (kmol/h).

    Tiny negative results from round-off (|x| < 1e-12 of the flow scale) are clipped; a real
    shortage of a reactant raises, because it means the caller supplied too little reagent.
    """
    out = flows_kg_per_h.copy()
    for formula, phase, coef in reaction.terms:
        out[phase_index(phase), comp.idx(formula)] += coef * extent_kmol_per_h * molar_mass(formula)
    scale = max(float(np.abs(flows_kg_per_h).max()), 1.0)
    if (out < -1e-9 * scale).any():
        p, j = np.unravel_index(int(np.argmin(out)), out.shape)
        raise InputError(
            f"reaction.{reaction.name}",
            comp.species[j],
            "enough reactant",
            "increase the reagent excess or lower the conversion",
        )
    return np.where(out < 0, 0.0, out)


def reagent_kg_per_h(
    reagent: str, reactions: Sequence[tuple[Reaction, float]], excess_frac: float
) -> float:
    """Reagent demand (kg/h): Σ stoichiometric use × (1 + excess). ``reactions`` = (reaction, extent)."""
    if excess_frac < 0:
        raise InputError("excess_frac", excess_frac, ">= 0", "state the excess over stoichiometry")
    kmol = sum(-r.coefficient(reagent) * x for r, x in reactions)
    return max(kmol, 0.0) * molar_mass(reagent) * (1.0 + excess_frac)


def react_with_reagent(
    feed: Stream,
    extents: Sequence[tuple[Reaction, float]],
    reagent: str,
    reagent_phase: str,
    excess_frac: float,
    *,
    credit_kg_per_h: float = 0.0,
) -> tuple[np.ndarray, Stream, float]:
    """Add ``reagent`` at stoichiometry × (1 + excess) less a credit already present, then react.

    Returns (flows after the reactions, the reagent stream drawn, the total demand kg/h).
    """
    demand = reagent_kg_per_h(reagent, extents, excess_frac)
    comp = feed.components
    drawn = comp.stream({(reagent, reagent_phase): max(0.0, demand - credit_kg_per_h)})
    flows = feed.flows_kg_per_h + drawn.flows_kg_per_h
    for r, x in extents:
        flows = apply_reaction(flows, comp, r, x)
    return flows, drawn, demand


def take_phase(flows: np.ndarray, phase: str) -> tuple[np.ndarray, np.ndarray]:
    """Split a [phase, species] array into (that phase only, everything else)."""
    i = phase_index(phase)
    taken = np.zeros_like(flows)
    taken[i] = flows[i]
    rest = flows.copy()
    rest[i] = 0.0
    return taken, rest
