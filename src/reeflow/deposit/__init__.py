"""Deposit room: drillholes → composites → variography → kriged block model → resource statement.

Public API (import from ``reeflow.deposit``). Study hook: :func:`run_deposit` with
:class:`DepositParams` (the project file's ``deposit:`` section) → :class:`ResourceResult`,
whose ``block_model`` the mine side plans and whose :meth:`ResourceResult.jorc` gives the
readable statement (inside an RPEEE pit-shell mask when given). Everything built on synthetic
data is labelled SYNTHETIC; no output of this package is a code-compliant Mineral Resource by
itself (see :data:`DISCLAIMER`).
"""

from reeflow.deposit.blockmodel import (
    MAX_GSLIB_VARIABLES,
    BlockGrid,
    DensityRegression,
    atomic_write,
    density_regression,
    grid_covering,
    read_block_csv,
    read_block_model,
    read_gslib,
    write_block_csv,
    write_gslib,
    write_omf,
)
from reeflow.deposit.composite import (
    MAX_COMPOSITES,
    TOPCUT_RULES,
    cell_declustering_weights,
    composite,
    declustered_stats,
    desurvey,
    min_curvature_positions,
    top_cut,
)
from reeflow.deposit.domains import SurfaceDomain, read_stl, read_surface_domain, surfaces_from_mesh
from reeflow.deposit.drillholes import (
    LENGTH_UNITS,
    Drillholes,
    column_aliases,
    read_drillholes,
    validate_drillholes,
)
from reeflow.deposit.estimate import (
    MAX_SGS_REALISATIONS,
    ResourceResult,
    beylikova_resource,
    estimate_resource,
    run_deposit,
    swath_table,
)
from reeflow.deposit.fftsim import simulate_grid
from reeflow.deposit.kriging import (
    MAX_DISCRETISATION_POINTS,
    SearchParams,
    discretisation_offsets,
    idw,
    krige,
    krige_grid,
)
from reeflow.deposit.models import STRUCTURES, Structure, VariogramModel
from reeflow.deposit.params import DepositParams, deposit_params, load_deposit_section
from reeflow.deposit.resource import (
    CLASSES,
    DISCLAIMER,
    UNCLASSIFIED,
    basket_price_usd_per_kg,
    classify_blocks,
    criteria_table,
    grade_tonnage,
    resource_statement,
    round_sig,
    rpeee_cutoff_frac,
    table1_checklist,
)
from reeflow.deposit.sgs import NormalScore, normal_score, sgs
from reeflow.deposit.statement import (
    COMPETENT_PERSON,
    ResourceStatement,
    format_grade,
    format_tonnes,
    jorc_statement,
)
from reeflow.deposit.synthetic import (
    SYNTHETIC_LABEL,
    SyntheticSpec,
    load_synthetic_spec,
    synthetic_drillholes,
    write_drillhole_csvs,
)
from reeflow.deposit.variography import (
    anisotropy_search,
    axis_variograms,
    cross_validate,
    directional_variograms,
    experimental_variogram,
    fit_variogram,
    model_variogram,
    sampling_lags,
)

__all__ = [
    # data and I/O
    "Drillholes", "LENGTH_UNITS", "column_aliases", "read_drillholes", "validate_drillholes",
    "BlockGrid", "DensityRegression", "density_regression", "grid_covering", "read_block_model",
    "read_block_csv", "read_gslib", "write_block_csv", "write_gslib", "write_omf",
    "atomic_write", "MAX_GSLIB_VARIABLES", "SurfaceDomain", "read_stl", "read_surface_domain",
    "surfaces_from_mesh",
    # compositing
    "MAX_COMPOSITES", "TOPCUT_RULES", "cell_declustering_weights", "composite",
    "declustered_stats", "desurvey", "min_curvature_positions", "top_cut",
    # geostatistics
    "STRUCTURES", "Structure", "VariogramModel", "experimental_variogram",
    "directional_variograms", "axis_variograms", "sampling_lags", "model_variogram",
    "fit_variogram", "anisotropy_search", "cross_validate", "SearchParams",
    "discretisation_offsets", "MAX_DISCRETISATION_POINTS", "idw", "krige", "krige_grid",
    "NormalScore", "normal_score", "sgs", "simulate_grid",
    # resource
    "CLASSES", "UNCLASSIFIED", "DISCLAIMER", "basket_price_usd_per_kg", "classify_blocks",
    "criteria_table", "grade_tonnage", "resource_statement", "round_sig", "rpeee_cutoff_frac",
    "table1_checklist", "COMPETENT_PERSON", "ResourceStatement", "jorc_statement",
    "format_grade", "format_tonnes",
    # study hook
    "DepositParams", "deposit_params", "load_deposit_section", "ResourceResult",
    "estimate_resource", "run_deposit", "swath_table", "MAX_SGS_REALISATIONS", "beylikova_resource",
    # synthetic data
    "SYNTHETIC_LABEL", "SyntheticSpec", "load_synthetic_spec", "synthetic_drillholes",
    "write_drillhole_csvs",
]
