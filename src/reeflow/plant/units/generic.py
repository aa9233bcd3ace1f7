"""Mixer and splitter: the generic connectors of a flowsheet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reeflow.core.errors import InputError
from reeflow.plant.flowsheet import UnitResult
from reeflow.plant.stream import Stream, mix

__all__ = ["mixer", "splitter", "SplitterParams"]


def mixer(inlets: Mapping[str, Stream], params: object = None) -> UnitResult:
    """Sum all inlets into ``out`` (mass-weighted temperature)."""
    streams = list(inlets.values())
    if not streams:
        raise InputError("mixer.inlets", 0, ">= 1 inlet", "connect a stream to the mixer")
    return UnitResult({"out": mix(streams, streams[0].components)})


@dataclass(frozen=True)
class SplitterParams:
    """Fraction of the inlet sent to port ``a`` (the rest to ``b``); same in every species/phase."""

    fraction_a: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.fraction_a <= 1.0:
            raise InputError("splitter.fraction_a", self.fraction_a, "0..1", "give a fraction")


def splitter(inlets: Mapping[str, Stream], params: SplitterParams) -> UnitResult:
    """Split the (single) inlet into ``a`` and ``b`` by a constant fraction."""
    (s,) = inlets.values()
    a = s.scaled(params.fraction_a)
    return UnitResult(
        {"a": a, "b": Stream(s.components, s.flows_kg_per_h - a.flows_kg_per_h, s.temperature_c)}
    )
