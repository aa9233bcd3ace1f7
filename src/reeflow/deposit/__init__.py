"""Deposit room: drillholes → composites → variography → kriged block model → resource statement.

Public API (import from ``reeflow.deposit``). Everything built on the built-in data is labelled
SYNTHETIC; no output of this package is a code-compliant Mineral Resource by itself (see
:data:`DISCLAIMER`).
"""

from reeflow.deposit.blockmodel import (
    BlockGrid,
    DensityRegression,
    density_regression,
    grid_covering,
    read_block_csv,
    read_gslib,
    write_block_csv,
    write_gslib,
    write_omf,
)
from reeflow.deposit.composite import (
    TOPCUT_RULES,
    cell_declustering_weights,
    composite,
    declustered_stats,
    desurvey,
    min_curvature_positions,
    top_cut,
)
from reeflow.deposit.drillholes import (
    Drillholes,
    column_aliases,
    read_drillholes,
    validate_drillholes,
)
from reeflow.deposit.kriging import SearchParams, discretisation_offsets, idw, krige, krige_grid
from reeflow.deposit.models import STRUCTURES, Structure, VariogramModel
from reeflow.deposit.resource import (
    CLASSES,
    DISCLAIMER,
    basket_price_usd_per_kg,
    classify_blocks,
    grade_tonnage,
    resource_statement,
    round_sig,
    rpeee_cutoff_frac,
    table1_checklist,
)
from reeflow.deposit.sgs import NormalScore, normal_score, sgs
from reeflow.deposit.study import (
    ResourceResult,
    beylikova_resource,
    estimate_resource,
    swath_table,
)
from reeflow.deposit.synthetic import SYNTHETIC_LABEL, synthetic_beylikova, write_drillhole_csvs
from reeflow.deposit.fftsim import simulate_grid
from reeflow.deposit.variography import (
    anisotropy_search,
    axis_variograms,
    model_variogram,
    sampling_lags,
    cross_validate,
    directional_variograms,
    experimental_variogram,
    fit_variogram,
)

__all__ = [
    "BlockGrid", "DensityRegression", "density_regression", "grid_covering", "read_block_csv",
    "read_gslib", "write_block_csv", "write_gslib", "write_omf", "TOPCUT_RULES",
    "cell_declustering_weights", "composite", "declustered_stats", "desurvey",
    "min_curvature_positions", "top_cut", "Drillholes", "column_aliases", "read_drillholes",
    "validate_drillholes", "SearchParams", "discretisation_offsets", "idw", "krige",
    "STRUCTURES", "Structure", "VariogramModel", "CLASSES", "DISCLAIMER",
    "basket_price_usd_per_kg", "classify_blocks", "grade_tonnage", "resource_statement",
    "round_sig", "rpeee_cutoff_frac", "table1_checklist", "ResourceResult", "beylikova_resource",
    "estimate_resource", "swath_table", "SYNTHETIC_LABEL", "synthetic_beylikova",
    "write_drillhole_csvs", "cross_validate", "directional_variograms", "experimental_variogram",
    "fit_variogram", "anisotropy_search", "axis_variograms", "model_variogram", "sampling_lags",
    "simulate_grid", "NormalScore", "normal_score", "sgs", "krige_grid",
]
