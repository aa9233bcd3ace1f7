"""Typed parameters of the project file's ``deposit:`` section (:class:`DepositParams`).

Every numeric field carries its unit (``Q(unit, ...)``: written with units in the file, e.g.
``composite_length: 4 m``, ``cutoff: {grade: 1 %}``) and documented plausible LOWER and UPPER
bounds; counts are integers with bounds. Unknown keys are errors (``StrictModel``). The bounds
are plausibility limits, not recommendations: they refuse typing errors (a composite length of
1e-6 m, 10⁹ blocks) before any memory or time is spent.

==========================  ===========================  ==========================================
field                       bounds                       why
==========================  ===========================  ==========================================
composite_length            0.25–50 m                    below a core half-length / above a bench
topcut_quantile             0.90–1.0                     1.0 = no cap; below P90 caps most data
block_size.x, .y            1–500 m                      SMU to regional model
block_size.z                0.5–100 m                    flitch to multi-bench
block_rotation              −360–360°                    about the vertical, clockwise from north
orientation.azimuth         −360–360°                    major axis, clockwise from north
orientation.dip, .rake      −90–90°
search.major/semi/minor     0.5–20,000 m                 search ellipsoid radii
search.min/max_samples      1–64 / 1–256                 kriging system size (max² memory)
search.max_per_hole         0–64 (0 = no limit)
search.max_per_octant       0–32 (0 = no octant rule)
ndisc.x/y/z                 1–10 each                    ≤ 1,000 points per block
classification distances    1–20,000 m
classification min_slope    −1–1
classification kvar ratio   0–2                          kriging variance / sill
cutoff.grade                0–50 %                       of the primary grade
cutoff.revenue_factor       1.0–3.0                      RPEEE pit shell price factor (> 1)
density.fixed               1.0–8.0 t/m³                 coal to massive sulphide/barite
max_blocks                  1–5,000,000                  memory of the block model
synthetic.seed              0–2³²−1
==========================  ===========================  ==========================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from reeflow.core.errors import InputError
from reeflow.core.projectfile import Q, StrictModel

__all__ = [
    "DepositParams",
    "DrillholeFiles",
    "SyntheticSource",
    "GradeColumn",
    "SurfaceDomainSpec",
    "Orientation",
    "BlockSize",
    "SearchSpec",
    "Discretisation",
    "ClassCriteria",
    "Classification",
    "Cutoff",
    "DensitySpec",
    "GRADE_UNITS",
    "deposit_params",
    "load_deposit_section",
]

#: assay unit -> mass fraction per unit
GRADE_UNITS = {"%": 0.01, "ppm": 1e-6, "g/t": 1e-6, "frac": 1.0}


class DrillholeFiles(StrictModel):
    """Collar, survey and assay CSV paths (relative to the YAML file that names them)."""

    collar_file: str
    survey_file: str
    assay_file: str
    length_unit: Literal["m", "ft"] = "m"
    dip_positive_down: bool = False
    mode: Literal["strict", "lenient"] = "strict"
    label: str | None = None
    below_detection_factor: Q("frac", ge=0.0, le=1.0) = 0.5  # type: ignore[valid-type]

    def paths(self, base: Path) -> tuple[Path, Path, Path]:
        """The three files: a ``builtin:NAME`` is the shipped example (``reeflow examples``),
        any other relative path is under ``base``."""
        from reeflow.example_inputs import resolve

        return tuple(base / resolve(p, field=f"deposit.drillholes.{k}")  # type: ignore
                     for k, p in (("collar_file", self.collar_file),
                                  ("survey_file", self.survey_file),
                                  ("assay_file", self.assay_file)))


class SyntheticSource(StrictModel):
    """A seeded SYNTHETIC deposit from a parameters file (``builtin:NAME`` or a YAML path,
    relative to the YAML file that names it)."""

    parameters_file: str
    seed: int = Field(default=2025, ge=0, le=2**32 - 1)


class SurfaceDomainSpec(StrictModel):
    """A mineralised zone given as bottom and top surfaces (CSV x, y, bottom, top on a regular
    grid; see :mod:`reeflow.deposit.domains`): assays and blocks inside it take ``name``,
    outside ``WASTE``."""

    surfaces_file: str
    name: str = "MINERALISED"
    length_unit: Literal["m", "ft"] = "m"


class GradeColumn(StrictModel):
    """An assay column and its unit (converted to a mass fraction once, on reading)."""

    column: str
    unit: Literal["%", "ppm", "g/t", "frac"] = "%"


class Orientation(StrictModel):
    """Axes of continuity (variography and search): azimuth of the major axis clockwise from
    north, its plunge (positive down) and the rake about it, degrees."""

    azimuth: Q("deg", ge=-360.0, le=360.0) = 0.0  # type: ignore[valid-type]
    dip: Q("deg", ge=-90.0, le=90.0) = 0.0  # type: ignore[valid-type]
    rake: Q("deg", ge=-90.0, le=90.0) = 0.0  # type: ignore[valid-type]

    def angles(self) -> tuple[float, float, float]:
        return (float(self.azimuth), float(self.dip), float(self.rake))


class BlockSize(StrictModel):
    x: Q("m", ge=1.0, le=500.0)  # type: ignore[valid-type]
    y: Q("m", ge=1.0, le=500.0)  # type: ignore[valid-type]
    z: Q("m", ge=0.5, le=100.0)  # type: ignore[valid-type]

    def as_tuple(self) -> tuple[float, float, float]:
        return (float(self.x), float(self.y), float(self.z))


class SearchSpec(StrictModel):
    """Search ellipsoid radii (along the orientation's axes) and sample limits."""

    major: Q("m", ge=0.5, le=20_000.0)  # type: ignore[valid-type]
    semi: Q("m", ge=0.5, le=20_000.0)  # type: ignore[valid-type]
    minor: Q("m", ge=0.5, le=20_000.0)  # type: ignore[valid-type]
    min_samples: int = Field(default=4, ge=1, le=64)
    max_samples: int = Field(default=24, ge=1, le=256)
    max_per_hole: int = Field(default=6, ge=0, le=64)
    max_per_octant: int = Field(default=0, ge=0, le=32)

    @model_validator(mode="after")
    def _order(self) -> SearchSpec:
        if self.min_samples > self.max_samples:
            raise InputError("deposit.search.min_samples", self.min_samples,
                             f"<= max_samples ({self.max_samples})",
                             "lower deposit.search.min_samples to max_samples or less, or raise "
                             "max_samples")
        return self


class Discretisation(StrictModel):
    x: int = Field(default=2, ge=1, le=10)
    y: int = Field(default=2, ge=1, le=10)
    z: int = Field(default=2, ge=1, le=10)

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.x, self.y, self.z)


class ClassCriteria(StrictModel):
    """A block takes the highest class whose every given criterion it meets."""

    max_mean_distance: Q("m", ge=1.0, le=20_000.0) | None = None  # type: ignore[valid-type]
    min_holes: int | None = Field(default=None, ge=1, le=64)
    min_samples: int | None = Field(default=None, ge=1, le=256)
    min_slope: Q("frac", ge=-1.0, le=1.0) | None = None  # type: ignore[valid-type]
    max_kvar_ratio: Q("frac", ge=0.0, le=2.0) | None = None  # type: ignore[valid-type]


class Classification(StrictModel):
    """Criteria per class (defaults: ``data/deposit/classification_defaults.csv``, evidence
    assumed: user-owned heuristics, not Code rules)."""

    Measured: ClassCriteria | None = None
    Indicated: ClassCriteria | None = None
    Inferred: ClassCriteria | None = None


class Cutoff(StrictModel):
    """Cut-off on the primary grade and its basis.

    ``given``: ``grade`` is the user's; ``break_even``: computed at run time from prices,
    recovery and cost handed in by the economics side (``grade`` is the fallback when any is
    missing). ``revenue_factor``: the price factor of the RPEEE pit shell the statement is
    reported inside (> 1; the shell itself comes from the mine side)."""

    basis: Literal["given", "break_even"] = "given"
    grade: Q("frac", ge=0.0, le=0.5) | None = None  # type: ignore[valid-type]
    revenue_factor: Q("frac", ge=1.0, le=3.0) = 1.3  # type: ignore[valid-type]


class DensitySpec(StrictModel):
    """Dry bulk density: regression on grades of the measured values, or one fixed value."""

    method: Literal["regression", "fixed"] = "regression"
    fixed: Q("t/m**3", ge=1.0, le=8.0) | None = None  # type: ignore[valid-type]
    column: str = "density_t_per_m3"

    @model_validator(mode="after")
    def _fixed(self) -> DensitySpec:
        if self.method == "fixed" and self.fixed is None:
            raise InputError("deposit.density.fixed", None, "a density with method: fixed",
                             "e.g. fixed: 2.9 t/m**3")
        return self


class DepositParams(StrictModel):
    """The ``deposit:`` section. Data source: ``drillholes`` (user files) OR ``synthetic``
    (a seeded SYNTHETIC deposit; the default when neither is given). ``None`` for
    ``orientation``, ``block_size``, ``block_rotation``, ``grades``, ``primary_components``
    takes the synthetic parameters file's suggestion, else a generic default (no rotation,
    25 x 25 x 10 m, assay columns named ``<grade>_pct|_ppm|_frac``). ``search`` None: radii
    1.5 x the fitted variogram ranges (at least 2 x the sampling lags)."""

    run: bool = True
    drillholes: DrillholeFiles | None = None
    synthetic: SyntheticSource | None = None
    primary: str = "treo"
    grades: dict[str, GradeColumn] | None = None
    primary_components: list[str] | None = None
    domains: list[str] | None = None
    domain_surfaces: SurfaceDomainSpec | None = None
    waste_domains: list[str] = Field(default_factory=lambda: ["HOST", "WASTE", "AIR"])
    composite_length: Q("m", ge=0.25, le=50.0) = 4.0  # type: ignore[valid-type]
    topcut_quantile: Q("frac", ge=0.9, le=1.0) = 0.995  # type: ignore[valid-type]
    orientation: Orientation | None = None
    block_size: BlockSize | None = None
    block_rotation: Q("deg", ge=-360.0, le=360.0) | None = None  # type: ignore[valid-type]
    search: SearchSpec | None = None
    ndisc: Discretisation = Field(default_factory=Discretisation)
    classification: Classification = Field(default_factory=Classification)
    cutoff: Cutoff = Field(default_factory=Cutoff)
    density: DensitySpec = Field(default_factory=DensitySpec)
    max_blocks: int = Field(default=2_000_000, ge=1, le=5_000_000)
    cross_validation: bool = True
    #: Multiplies every estimated rare-earth grade (the primary grade and its components) before
    #: the pit and schedule: a head-grade sensitivity on the deposit's own estimate, as a
    #: feasibility study's "head grade ±10 %". 1 = the estimate as it is. For user drillholes
    #: this is the head-grade what-if (``ore.treo_grade`` is then the plant's design basis
    #: only); a SYNTHETIC deposit is first calibrated to ``ore.treo_grade``.
    grade_factor_frac: Q("frac", gt=0.0, le=10.0,  # type: ignore[valid-type]
                         alias="grade_factor") = 1.0

    @model_validator(mode="after")
    def _source(self) -> DepositParams:
        if self.drillholes is not None and self.synthetic is not None:
            raise InputError("deposit", "drillholes and synthetic",
                             "one data source: drillholes OR synthetic",
                             "remove one of the two sections")
        return self

    @property
    def is_synthetic(self) -> bool:
        return self.drillholes is None and self.synthetic is not None

    @property
    def has_source(self) -> bool:
        """A data source is named (drillholes or a synthetic deposit); without one the study
        runs no deposit step (the plant is fed the design-basis ore on a flat schedule)."""
        return self.drillholes is not None or self.synthetic is not None


def deposit_params(section: dict | None = None) -> DepositParams:
    """Validate a ``deposit:`` mapping (values may carry units and provenance) into
    :class:`DepositParams`; InputError names the first bad field."""
    from reeflow.core.projectfile import validate_tree

    tree = dict(section or {})
    try:
        params, _ = validate_tree(DepositParams, tree)
    except InputError as exc:
        field = exc.field if exc.field.startswith("deposit") else f"deposit.{exc.field}"
        raise InputError(field, exc.value, exc.allowed, exc.fix) from None
    return params


def load_deposit_section(project: str | Path) -> tuple[DepositParams, Path]:
    """The validated ``deposit:`` section of a YAML file (a whole project or a file holding only
    a ``deposit:`` section), read by the project loader (bounded YAML, ``extends``,
    ``include_file``, paths made absolute), and the file's folder."""
    from reeflow.project import load_section, source_path

    p = source_path(project)
    return load_section(p, "deposit", DepositParams), p.resolve().parent
