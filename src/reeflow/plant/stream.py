"""Components and streams: species flows by phase (kg/h) plus temperature.

A :class:`Components` object (immutable) holds the species names, formulas, molar masses and the
element matrix; a :class:`Stream` is an array ``flows_kg_per_h[phase, species]`` plus a temperature.
Element flows are ``(flows / M) @ E`` with ``E[species, element]`` the atoms per formula unit, so an
element balance is a matrix product (IUPAC CIAAW 2021 atomic weights via :mod:`reeflow.core.elements`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reeflow.core.elements import atomic_mass, molar_mass, parse_formula
from reeflow.core.errors import InputError

__all__ = ["PHASES", "Components", "Stream"]

#: Phases a stream can carry, in array order.
PHASES: tuple[str, ...] = ("s", "aq", "org", "g")
_PHASE_INDEX = {p: i for i, p in enumerate(PHASES)}


@dataclass(frozen=True)
class Components:
    """Species of a flowsheet: names (= formulas) and derived element data.

    Parameters
    ----------
    species : sequence of str
        Chemical formulas, used as names (e.g. ``"LaFCO3"``, ``"La2(SO4)3"``, ``"H2O"``).
    """

    species: tuple[str, ...]
    # derived from the species: equality and hashing are by the species (so two copies of one
    # component set compare equal, e.g. after a round trip through pickle to a worker process)
    elements: tuple[str, ...] = field(init=False, compare=False)
    molar_mass_g_per_mol: np.ndarray = field(init=False, repr=False, compare=False)
    element_matrix: np.ndarray = field(init=False, repr=False, compare=False)
    index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    element_mass_g_per_mol: np.ndarray = field(init=False, repr=False, compare=False)
    #: the elements as a pandas Index, built once (the 20 what-ifs of the built-in study ask
    #: for 7,509 element tables)
    element_index: pd.Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        species = tuple(dict.fromkeys(self.species))
        counts = [dict(parse_formula(s)) for s in species]
        elements = tuple(sorted({e for c in counts for e in c}, key=atomic_mass))
        E = np.array([[c.get(e, 0.0) for e in elements] for c in counts], dtype=float)
        object.__setattr__(self, "species", species)
        object.__setattr__(self, "elements", elements)
        object.__setattr__(self, "element_matrix", E)
        object.__setattr__(
            self, "molar_mass_g_per_mol", np.array([molar_mass(s) for s in species], dtype=float)
        )
        object.__setattr__(self, "index", {s: i for i, s in enumerate(species)})
        object.__setattr__(self, "element_mass_g_per_mol",
                           np.array([atomic_mass(e) for e in elements], dtype=float))
        object.__setattr__(self, "element_index", pd.Index(elements))

    @property
    def n(self) -> int:
        return len(self.species)

    def idx(self, name: str) -> int:
        """Index of a species, with a clear error for an unknown one."""
        try:
            return self.index[name]
        except KeyError:
            raise InputError(
                "species",
                name,
                "a species of this flowsheet",
                f"use one of: {', '.join(self.species)}",
            ) from None

    def zeros(self, temperature_c: float = 25.0) -> Stream:
        """An empty stream of these components."""
        return Stream(self, np.zeros((len(PHASES), self.n)), temperature_c)

    def stream(
        self,
        flows: Mapping[tuple[str, str] | str, float],
        *,
        temperature_c: float = 25.0,
        phase: str = "s",
    ) -> Stream:
        """Build a stream from ``{species: kg/h}`` or ``{(species, phase): kg/h}``."""
        arr = np.zeros((len(PHASES), self.n))
        for key, value in flows.items():
            name, ph = key if isinstance(key, tuple) else (key, phase)
            if not np.isfinite(value) or value < 0:
                raise InputError(f"stream.{name}", value, ">= 0 kg/h", "flows cannot be negative")
            arr[phase_index(ph), self.idx(name)] += float(value)
        return Stream(self, arr, temperature_c)

    def element_flows_mol(self, flows_kg_per_h: np.ndarray) -> np.ndarray:
        """Element flows (kmol/h) of a ``[phase, species]`` or ``[species]`` kg/h array."""
        species_total = flows_kg_per_h.sum(axis=0) if flows_kg_per_h.ndim == 2 else flows_kg_per_h
        return (species_total / self.molar_mass_g_per_mol) @ self.element_matrix

    def element_flows_kg(self, flows_kg_per_h: np.ndarray) -> np.ndarray:
        """Element flows (kg/h) of a flow array."""
        return self.element_flows_mol(flows_kg_per_h) * self.element_mass_g_per_mol


def phase_index(phase: str) -> int:
    """Array row of a phase name (``s``, ``aq``, ``org``, ``g``)."""
    try:
        return _PHASE_INDEX[phase]
    except KeyError:
        raise InputError("phase", phase, f"one of {PHASES}",
                         "use phase 's' (solid), 'aq' (aqueous), 'org' (organic) or 'g' "
                         "(gas)") from None


@dataclass(frozen=True)
class Stream:
    """Species flows by phase (kg/h) and temperature (°C). Immutable; arithmetic returns new streams."""

    components: Components
    flows_kg_per_h: np.ndarray
    temperature_c: float = 25.0

    def __post_init__(self) -> None:
        arr = np.asarray(self.flows_kg_per_h, dtype=float)
        if arr.shape != (len(PHASES), self.components.n):
            raise ValueError(
                f"stream array shape {arr.shape} != {(len(PHASES), self.components.n)}"
            )
        object.__setattr__(self, "flows_kg_per_h", arr)

    @property
    def total_kg_per_h(self) -> float:
        return float(self.flows_kg_per_h.sum())

    def species_kg_per_h(self, name: str, phase: str | None = None) -> float:
        """Flow of one species (all phases unless ``phase`` is given)."""
        j = self.components.idx(name)
        if phase is None:
            return float(self.flows_kg_per_h[:, j].sum())
        return float(self.flows_kg_per_h[phase_index(phase), j])

    def phase(self, *phases: str) -> Stream:
        """Only the given phases (others zeroed)."""
        arr = np.zeros_like(self.flows_kg_per_h)
        for p in phases:
            arr[phase_index(p)] = self.flows_kg_per_h[phase_index(p)]
        return Stream(self.components, arr, self.temperature_c)

    def scaled(self, factor: float | np.ndarray) -> Stream:
        """Scale all flows (a scalar, or a per-species vector)."""
        return Stream(self.components, self.flows_kg_per_h * factor, self.temperature_c)

    def with_temperature(self, temperature_c: float) -> Stream:
        return Stream(self.components, self.flows_kg_per_h, temperature_c)

    def element_kg_per_h(self) -> pd.Series:
        """Element flows in kg/h."""
        c = self.components
        # a shallow copy: renaming one table's index must not rename every later one's
        return pd.Series(c.element_flows_kg(self.flows_kg_per_h),
                         index=c.element_index.copy(deep=False))

    def to_frame(self) -> pd.DataFrame:
        """Species × phase table (kg/h), non-zero rows only."""
        df = pd.DataFrame(
            self.flows_kg_per_h.T, index=list(self.components.species), columns=list(PHASES)
        )
        return df.loc[df.sum(axis=1) > 0]


def mix(streams: Iterable[Stream], components: Components) -> Stream:
    """Mix streams; temperature is the mass-weighted mean (equal heat capacities assumed)."""
    arr = np.zeros((len(PHASES), components.n))
    heat = 0.0
    mass = 0.0
    for s in streams:
        arr += s.flows_kg_per_h
        heat += s.total_kg_per_h * s.temperature_c
        mass += s.total_kg_per_h
    return Stream(components, arr, heat / mass if mass > 0 else 25.0)


def split_species(stream: Stream, fractions: Sequence[float] | np.ndarray) -> tuple[Stream, Stream]:
    """Split a stream by per-species fractions to the first outlet (same in every phase)."""
    f = np.asarray(fractions, dtype=float)
    first = stream.flows_kg_per_h * f
    return (
        Stream(stream.components, first, stream.temperature_c),
        Stream(stream.components, stream.flows_kg_per_h - first, stream.temperature_c),
    )
