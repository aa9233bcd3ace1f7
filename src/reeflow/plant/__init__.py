"""Process plant: streams, the flowsheet engine, unit operations and the SX engine (``plant.sx``)."""

from reeflow.plant.flowsheet import Flowsheet, FlowsheetSolution, UnitResult
from reeflow.plant.stream import PHASES, Components, Stream

__all__ = [
    "PHASES",
    "Components",
    "Stream",
    "Flowsheet",
    "FlowsheetSolution",
    "UnitResult",
]
