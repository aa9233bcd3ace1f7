"""Project file → plant parameters (units already canonical; this only renames and groups)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from reeflow.plant.bastnasite import OreFeed, PlantParams
from reeflow.plant.chemistry import bastnasite
from reeflow.plant.units import (
    BakeParams,
    BeneficiationParams,
    CalcinationParams,
    ChlorideParams,
    ComminutionParams,
    LeachParams,
    NeutraliseParams,
    OxalateParams,
    SeparationParams,
)
from reeflow.project import Project

__all__ = ["ore_feed_from_project", "plant_params_from_project", "placeholder_separation"]


def ore_feed_from_project(project: Project, *, treo_frac: float | None = None) -> OreFeed:
    """Ore feed at the project's throughput (optionally overriding the head grade)."""
    ore = project.ore
    return OreFeed(
        ore_kg_per_h=ore.throughput * 1000.0 / project.plant.operating_hours,
        treo_frac=ore.treo_grade if treo_frac is None else treo_frac,
        ree_share_frac=dict(ore.ree_distribution),
        tho2_frac=ore.tho2_grade,
        caf2_frac=ore.caf2_grade,
        baso4_frac=ore.baso4_grade,
        fe2o3_frac=ore.fe2o3_grade,
        sio2_frac=ore.sio2_grade,
    )


def placeholder_separation(project: Project) -> SeparationParams:
    """Given-split separation: each element to its product at the placeholder recovery."""
    sep = project.plant.separation
    ree = tuple(project.ore.ree_distribution)
    rec = {p: {el: sep.placeholder_recovery for el in els} for p, els in sep.products.items()}
    return SeparationParams(ree, rec, source="placeholder splits (plant.separation)")


def plant_params_from_project(
    project: Project,
    separation: SeparationParams | None = None,
    *,
    overrides: Mapping[str, float] | None = None,
) -> PlantParams:
    """Group the project's plant section into unit parameter objects."""
    p = project.plant
    o: dict[str, float] = dict(overrides or {})
    ree = tuple(project.ore.ree_distribution)
    b = p.beneficiation
    return PlantParams(
        ree=ree,
        comminution=ComminutionParams(
            p.comminution.work_index, p.comminution.f80, p.comminution.p80
        ),
        beneficiation=BeneficiationParams(
            ree,
            tuple(bastnasite(ln) for ln in ree),
            o.get("ree_recovery", cast(float, b.ree_recovery)),
            b.concentrate_treo_grade,
            b.th_recovery,
            b.fluorite_recovery,
            b.fluorite_grade,
            b.barite_recovery,
            b.barite_grade,
        ),
        bake=BakeParams(
            ree,
            p.bake.temperature,
            p.bake.ree_conversion,
            p.bake.caf2_conversion,
            p.bake.caco3_conversion,
            p.bake.fe_sulphation,
            p.bake.th_sulphation,
            p.bake.acid_excess,
            p.bake.excess_acid_to_offgas,
        ),
        leach=LeachParams(
            ree,
            {ln: o.get("ree_dissolution", cast(float, p.leach.ree_dissolution)) for ln in ree},
            p.leach.liquid_to_solid,
        ),
        neutralise=NeutraliseParams(
            ree,
            p.neutralisation.fe_removal,
            p.neutralisation.th_removal,
            p.neutralisation.acid_neutralised,
            p.neutralisation.ree_loss,
            p.neutralisation.mgo_excess,
        ),
        chloride=ChlorideParams(
            ree,
            p.chloride_conversion.transfer,
            p.chloride_conversion.hcl_excess,
            p.chloride_conversion.water_to_chloride,
        ),
        separation=separation or placeholder_separation(project),
        oxalate=OxalateParams(ree, p.oxalate.precipitation, p.oxalate.oxalic_excess),
        calcination=CalcinationParams(ree, p.calcination.temperature),
        filtrate_purge_frac=p.recycle.filtrate_purge,
    )
