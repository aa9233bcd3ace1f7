"""Unit operations: pure functions ``(inlets, params) -> UnitResult`` with cited sources."""

from reeflow.plant.units.beneficiation import (
    BeneficiationParams,
    ComminutionParams,
    beneficiate,
    comminute,
)
from reeflow.plant.units.cracking import BakeParams, LeachParams, acid_bake, water_leach
from reeflow.plant.units.finishing import (
    CalcinationParams,
    OxalateParams,
    calcine,
    precipitate_oxalate,
)
from reeflow.plant.units.generic import SplitterParams, mixer, splitter
from reeflow.plant.units.purification import (
    ChlorideParams,
    NeutraliseParams,
    chloride_conversion,
    neutralise,
)
from reeflow.plant.units.separation import SeparationParams, separate

__all__ = [
    "ComminutionParams",
    "comminute",
    "BeneficiationParams",
    "beneficiate",
    "BakeParams",
    "acid_bake",
    "LeachParams",
    "water_leach",
    "NeutraliseParams",
    "neutralise",
    "ChlorideParams",
    "chloride_conversion",
    "SeparationParams",
    "separate",
    "OxalateParams",
    "precipitate_oxalate",
    "CalcinationParams",
    "calcine",
    "SplitterParams",
    "splitter",
    "mixer",
]
