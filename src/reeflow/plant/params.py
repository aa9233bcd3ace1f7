"""The plant section of a project file: every unit's parameters, declared once.

Each unit declares its own parameters (with units, bounds and sources) next to its function in
:mod:`reeflow.plant.units`; this module only composes them into the ``plant:`` section and adds
the plant-wide ones (operating hours, the separation specification, the filtrate recycle).
"""

from __future__ import annotations

from pydantic import Field, StrictBool, field_validator

from reeflow.core.elements import REE
from reeflow.core.errors import InputError
from reeflow.core.projectfile import Q, StrictModel
from reeflow.plant.units import (
    BakeParams,
    BeneficiationParams,
    CalcinationParams,
    ChlorideParams,
    ComminutionParams,
    LeachParams,
    NeutraliseParams,
    OxalateParams,
)
from reeflow.plant.units.effluent import BrineParams, NeutraliseEffluentParams
from reeflow.plant.units.offgas import ScrubberParams

__all__ = ["PlantParams", "SeparationSpec", "RecycleParams"]


class RecycleParams(StrictModel):
    """The oxalate filtrate (HCl-bearing) returns to the chloride conversion, less a purge."""

    filtrate_purge_frac: Q("frac", ge=0.0, le=1.0, alias="filtrate_purge")  # type: ignore[valid-type]


class SeparationSpec(StrictModel):
    """What the separation must make: the product groups, their purity and the extractant.

    ``method: sx`` designs the train with :mod:`reeflow.plant.sx`; ``placeholder`` splits each
    element to its product at ``placeholder_recovery``.
    """

    method: str = Field(default="sx", pattern="^(sx|placeholder)$")
    products: dict[str, list[str]]
    placeholder_recovery_frac: Q("frac", ge=0.0, le=1.0,  # type: ignore[valid-type]
                                 alias="placeholder_recovery") = 0.99
    extractant: str = Field(default="P507", max_length=40)
    product_purity_frac: Q("frac", ge=0.5, le=0.99999,  # type: ignore[valid-type]
                           alias="product_purity") = 0.99
    separation_factors: dict[str, Q("frac", ge=1.0, le=100.0)] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="β of a key pair 'Heavy/Light', e.g. 'Ce/La: 3.0'")

    @field_validator("products")
    @classmethod
    def _products_known(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if not v:
            raise InputError("plant.separation.products", v, "at least one product group",
                             "list products, e.g. NdPr: [Pr, Nd]")
        seen: set[str] = set()
        for prod, els in v.items():
            if not els:
                raise InputError(f"plant.separation.products.{prod}", els, "one element or more",
                                 "list the elements of the product")
            for el in els:
                if el not in REE:
                    raise InputError(f"plant.separation.products.{prod}", el, "an REE symbol",
                                     "use element symbols such as La, Nd")
                if el in seen:
                    raise InputError(f"plant.separation.products.{prod}", el,
                                     "each element in one product", "remove the duplicate")
                seen.add(el)
        return v

    @field_validator("separation_factors")
    @classmethod
    def _pairs_known(cls, v: dict[str, float]) -> dict[str, float]:
        for pair in v:
            parts = pair.split("/")
            if len(parts) != 2 or any(p not in REE for p in parts) or parts[0] == parts[1]:
                raise InputError(f"plant.separation.separation_factors.{pair}", pair,
                                 "a pair 'Heavy/Light' of two REE symbols, e.g. 'Ce/La'",
                                 "write the more extracted element first")
        return v


class PlantParams(StrictModel):
    """The ``plant:`` section: operating hours and every unit of the bastnäsite route."""

    operating_hours_h_per_a: Q("h/a", gt=0.0, le=8766.0,  # type: ignore[valid-type]
                               alias="operating_hours")
    comminution: ComminutionParams
    beneficiation: BeneficiationParams
    bake: BakeParams
    leach: LeachParams
    neutralisation: NeutraliseParams
    chloride_conversion: ChlorideParams
    separation: SeparationSpec
    oxalate: OxalateParams
    calcination: CalcinationParams
    recycle: RecycleParams
    norm_rule: str = Field(
        default="IAEA", max_length=40,
        description="the rule that classifies residues as NORM (reeflow/data/plant/norm_rules.csv: "
                    "IAEA, TR-NDK-2023, TR-RGT-1985, AU-ARPANSA, MY-AELB)")
    engineering: StrictBool = Field(
        default=True, description="add the off-gas scrubber, the lime neutralisation of the "
        "acidic effluents, brine handling and the reagents' dilution water (issue #11); off "
        "reproduces the bare flowsheet")
    scrubber: ScrubberParams = Field(default_factory=ScrubberParams)  # type: ignore[arg-type]
    effluent: NeutraliseEffluentParams = Field(
        default_factory=NeutraliseEffluentParams)  # type: ignore[arg-type]
    brine: BrineParams = Field(default_factory=BrineParams)  # type: ignore[arg-type]

    @field_validator("norm_rule")
    @classmethod
    def _rule_known(cls, v: str) -> str:
        return _check_rule(v)


def _check_rule(rule: str) -> str:
    from reeflow.plant.residues import norm_rules

    rules = list(norm_rules().index)
    if rule not in rules:
        from reeflow.core.errors import did_you_mean

        raise InputError("plant.norm_rule", rule, f"one of {', '.join(rules)}",
                         did_you_mean(rule, rules))
    return rule
