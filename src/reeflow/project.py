"""The project schema: what a reeflow project file may contain (schema as data, typed).

Canonical units (what the core sees): mass flows t/a, grades and recoveries as fractions,
temperatures °C, prices USD/kg, energy kWh/t, times h/a. See ``examples/beylikova/project.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from reeflow.core.elements import REE
from reeflow.core.errors import InputError
from reeflow.core.projectfile import (
    Provenance,
    Q,
    StrictModel,
    load_yaml_tree,
    unit_at,
    validate_tree,
)
from reeflow.core.units import to_canonical

__all__ = ["Project", "load_project", "builtin_project_path", "LoadedProject"]

Frac = Q("frac", ge=0.0, le=1.0)


class Ore(StrictModel):
    """Run-of-mine ore: throughput and head composition (mass fractions of ore)."""

    throughput: Q("t/a", gt=0.0)  # type: ignore[valid-type]
    treo_grade: Q("frac", gt=0.0, le=1.0)  # type: ignore[valid-type]
    ree_distribution: dict[str, Frac] = Field(description="oxide share of TREO per element")
    tho2_grade: Frac  # type: ignore[valid-type]
    caf2_grade: Frac  # type: ignore[valid-type]
    baso4_grade: Frac  # type: ignore[valid-type]
    fe2o3_grade: Frac  # type: ignore[valid-type]
    sio2_grade: Frac  # type: ignore[valid-type]
    balance_mineral: Literal["CaCO3"] = "CaCO3"

    @field_validator("ree_distribution")
    @classmethod
    def _known_ree(cls, v: dict[str, float]) -> dict[str, float]:
        for el in v:
            if el not in REE:
                raise InputError(
                    "ore.ree_distribution",
                    el,
                    f"an REE symbol ({', '.join(REE)})",
                    "use element symbols such as La, Ce, Nd",
                )
        total = sum(v.values())
        if total > 1.0 + 1e-9:
            raise InputError(
                "ore.ree_distribution",
                round(total, 6),
                "shares summing to <= 100 %",
                "the shares are fractions of TREO; rescale them",
            )
        return v

    @model_validator(mode="after")
    def _grades_fit(self) -> Ore:
        minerals = (
            self.tho2_grade
            + self.caf2_grade
            + self.baso4_grade
            + self.fe2o3_grade
            + self.sio2_grade
            + self.treo_grade * 1.35
        )
        if minerals > 1.0:
            raise InputError(
                "ore",
                round(minerals, 4),
                "head grades (with bastnäsite ≈ 1.35 × TREO) summing to <= 100 %",
                "lower the CaF2/BaSO4/Fe2O3/SiO2 grades",
            )
        return self


class Comminution(StrictModel):
    work_index: Q("kWh/t", gt=0.0)  # type: ignore[valid-type]
    f80: Q("um", gt=0.0)  # type: ignore[valid-type]
    p80: Q("um", gt=0.0)  # type: ignore[valid-type]


class Beneficiation(StrictModel):
    ree_recovery: Frac  # type: ignore[valid-type]
    concentrate_treo_grade: Frac  # type: ignore[valid-type]
    th_recovery: Frac  # type: ignore[valid-type]
    fluorite_recovery: Frac  # type: ignore[valid-type]
    fluorite_grade: Frac  # type: ignore[valid-type]
    barite_recovery: Frac  # type: ignore[valid-type]
    barite_grade: Frac  # type: ignore[valid-type]


class Bake(StrictModel):
    temperature: Q("degC", ge=150.0, le=900.0)  # type: ignore[valid-type]
    ree_conversion: Frac  # type: ignore[valid-type]
    caf2_conversion: Frac  # type: ignore[valid-type]
    caco3_conversion: Frac  # type: ignore[valid-type]
    fe_sulphation: Frac  # type: ignore[valid-type]
    th_sulphation: Frac  # type: ignore[valid-type]
    acid_excess: Q("frac", ge=0.0, le=5.0)  # type: ignore[valid-type]
    excess_acid_to_offgas: Frac  # type: ignore[valid-type]


class Leach(StrictModel):
    ree_dissolution: Frac  # type: ignore[valid-type]
    liquid_to_solid: Q("frac", gt=0.0, le=50.0)  # type: ignore[valid-type]


class Neutralisation(StrictModel):
    fe_removal: Frac  # type: ignore[valid-type]
    th_removal: Frac  # type: ignore[valid-type]
    acid_neutralised: Frac  # type: ignore[valid-type]
    ree_loss: Frac  # type: ignore[valid-type]
    mgo_excess: Q("frac", ge=0.0, le=5.0)  # type: ignore[valid-type]


class ChlorideConversion(StrictModel):
    transfer: Frac  # type: ignore[valid-type]
    hcl_excess: Q("frac", ge=0.0, le=5.0)  # type: ignore[valid-type]
    water_to_chloride: Frac  # type: ignore[valid-type]


class Separation(StrictModel):
    """``method: sx`` designs the train with :mod:`reeflow.plant.sx`; ``placeholder`` uses splits."""

    method: Literal["sx", "placeholder"] = "sx"
    products: dict[str, list[str]]
    placeholder_recovery: Frac  # type: ignore[valid-type]
    extractant: str = "P507"
    product_purity: Frac = 0.99  # type: ignore[valid-type]
    separation_factors: dict[str, Q("frac", ge=1.0)] = Field(default_factory=dict)  # type: ignore[valid-type]

    @field_validator("products")
    @classmethod
    def _products_known(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        seen: set[str] = set()
        for prod, els in v.items():
            for el in els:
                if el not in REE:
                    raise InputError(
                        f"plant.separation.products.{prod}",
                        el,
                        "an REE symbol",
                        "use element symbols such as La, Nd",
                    )
                if el in seen:
                    raise InputError(
                        f"plant.separation.products.{prod}",
                        el,
                        "each element in one product",
                        "remove the duplicate",
                    )
                seen.add(el)
        return v


class Oxalate(StrictModel):
    precipitation: Frac  # type: ignore[valid-type]
    oxalic_excess: Q("frac", ge=0.0, le=5.0)  # type: ignore[valid-type]


class Calcination(StrictModel):
    temperature: Q("degC", ge=0.0, le=1500.0)  # type: ignore[valid-type]


class Recycle(StrictModel):
    filtrate_purge: Frac  # type: ignore[valid-type]


class Plant(StrictModel):
    operating_hours: Q("h/a", gt=0.0, le=8766.0)  # type: ignore[valid-type]
    comminution: Comminution
    beneficiation: Beneficiation
    bake: Bake
    leach: Leach
    neutralisation: Neutralisation
    chloride_conversion: ChlorideConversion
    separation: Separation
    oxalate: Oxalate
    calcination: Calcination
    recycle: Recycle


class Economics(StrictModel):
    """Inputs the flowsheet cannot supply; everything else comes from the economics room's data."""

    price_deck: str = "usgs_2025"
    mining_cost: Q("USD/t", ge=0.0)  # type: ignore[valid-type]
    residue_handling: Q("USD/t", ge=0.0)  # type: ignore[valid-type]
    organic_fill: Q("USD/m**3", gt=0.0)  # type: ignore[valid-type]
    floor_case_deck: str | None = None
    capex_basis: Literal["factored", "analogue"] = "analogue"
    capex_analogue: str = "monte_muambe_scoping_2023"
    reagent_prices: dict[str, Q("USD/t", gt=0.0)] = Field(default_factory=dict)  # type: ignore[valid-type]
    monte_carlo_draws: int = Field(default=10_000, ge=0, le=1_000_000)
    seed: int = 0


class Project(StrictModel):
    """A reeflow project: ore, plant, and free-form sections owned by other rooms."""

    name: str
    description: str = ""
    ore: Ore
    plant: Plant
    economics: Economics
    market: dict[str, Any] = Field(default_factory=dict)
    deposit: dict[str, Any] = Field(default_factory=dict)
    mine: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _products_cover(self) -> Project:
        carried = set(self.ore.ree_distribution)
        for prod, els in self.plant.separation.products.items():
            missing = [e for e in els if e not in carried]
            if missing:
                raise InputError(
                    f"plant.separation.products.{prod}",
                    missing,
                    f"elements present in ore.ree_distribution ({sorted(carried)})",
                    "add the element's share to the ore or drop it from the product",
                )
        return self


class LoadedProject(StrictModel):
    """A validated project plus its provenance table (path → source/evidence/range)."""

    project: Project
    provenance: dict[str, Provenance]
    path: str


def builtin_project_path(name: str) -> Path:
    """Path of a built-in example project (``beylikova``)."""
    candidate = Path(__file__).parent / "examples" / name / "project.yaml"
    if not candidate.exists():
        raise InputError("project", name, "a built-in example (beylikova)", "give a file path")
    return candidate


def load_project(path: str | Path | None = None) -> LoadedProject:
    """Load and validate a project file (None → the built-in Beylikova example)."""
    p = builtin_project_path("beylikova") if path is None else Path(path)
    tree = load_yaml_tree(p, builtin_project_path)
    project, prov = validate_tree(Project, tree)
    for path_, pv in prov.items():
        if pv.range is not None:
            unit = unit_at(Project, path_)
            if unit is not None:
                lo, hi = (to_canonical(v, unit, field=f"{path_}.range") for v in pv.range)
                if lo > hi:
                    raise InputError(f"{path_}.range", pv.range, "[low, high] with low <= high", "")
                prov[path_] = Provenance(pv.path, pv.source, pv.evidence, (lo, hi), pv.note)
    return LoadedProject(project=project, provenance=prov, path=str(p))
