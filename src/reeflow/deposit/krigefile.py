"""The ``--model`` file of ``reeflow krige``, validated at the boundary.

A YAML mapping: ``variogram: {nugget, structures: [{kind, sill, ranges_m, angles_deg}]}``,
``search: {ranges_m, angles_deg, min_samples, max_samples, max_per_hole, max_per_octant}``,
``variables: [...]`` (assay or composite columns), optional ``ndisc``, ``composite_length_m``,
``domains``, ``length_unit`` (m/ft), ``dip_positive_down``, ``mode`` (strict/lenient) and
``grid: {block_size_m, rotation_deg, pad_m, max_blocks}``. Every number must be finite and in
range; an unknown key, a wrong type or a value out of range is one
:class:`~reeflow.core.errors.InputError` naming the key (the CLI prints one line, exit 2).
Bounds are sanity limits (assumed: generous envelopes of real models, not published figures).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from reeflow.core.errors import InputError
from reeflow.core.projectfile import no_bool_for_int

__all__ = ["KrigeModelFile", "GridSpec", "load_krige_model"]

#: Longest range or block size accepted (m): a continent, far beyond any deposit (assumed).
MAX_LENGTH_M = 1e7
#: Most blocks a model grid may hold (assumed: memory of one machine).
MAX_GRID_BLOCKS = 5_000_000

Length = Annotated[float, Field(gt=0.0, le=MAX_LENGTH_M, allow_inf_nan=False)]
Angle = Annotated[float, Field(ge=-360.0, le=360.0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_count(cls, v: Any, info: ValidationInfo) -> Any:
        return no_bool_for_int(cls, v, info)  # search.min_samples: true was 1 (fuzz round 34)


class StructureSpec(_Strict):
    kind: str
    sill: Annotated[float, Field(ge=0.0, le=1e12, allow_inf_nan=False)]
    ranges_m: tuple[Length, Length, Length]
    angles_deg: tuple[Angle, Angle, Angle] = (0.0, 0.0, 0.0)


class VariogramSpec(_Strict):
    nugget: Annotated[float, Field(ge=0.0, le=1e12, allow_inf_nan=False)] = 0.0
    structures: list[StructureSpec] = Field(default_factory=list, max_length=10)


class SearchSpec(_Strict):
    ranges_m: tuple[Length, Length, Length]
    angles_deg: tuple[Angle, Angle, Angle] = (0.0, 0.0, 0.0)
    min_samples: Annotated[int, Field(ge=1, le=256)] = 4
    max_samples: Annotated[int, Field(ge=1, le=256)] = 32
    max_per_hole: Annotated[int, Field(ge=0, le=256)] = 0
    max_per_octant: Annotated[int, Field(ge=0, le=256)] = 0


class GridSpec(_Strict):
    block_size_m: tuple[Length, Length, Length]
    rotation_deg: Angle = 0.0
    pad_m: Annotated[float, Field(ge=0.0, le=MAX_LENGTH_M, allow_inf_nan=False)] = 0.0
    max_blocks: Annotated[int, Field(ge=1, le=MAX_GRID_BLOCKS)] = MAX_GRID_BLOCKS


class KrigeModelFile(_Strict):
    """The validated ``--model`` file."""

    variogram: VariogramSpec
    search: SearchSpec
    variables: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=50)
    ndisc: tuple[Annotated[int, Field(ge=1, le=10)], Annotated[int, Field(ge=1, le=10)],
                 Annotated[int, Field(ge=1, le=10)]] = (1, 1, 1)
    composite_length_m: Annotated[float, Field(gt=0.0, le=1000.0, allow_inf_nan=False)] = 2.0
    domains: list[str | int] | None = None
    length_unit: Literal["m", "ft"] = "m"
    dip_positive_down: bool = False
    mode: Literal["strict", "lenient"] = "strict"
    grid: GridSpec | None = None

    @field_validator("variables", mode="before")
    @classmethod
    def _names_are_text(cls, v: Any) -> Any:
        if isinstance(v, list) and not all(isinstance(x, str) for x in v):
            raise ValueError("column names (text)")
        return v


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "--model"


def load_krige_model(data: Any) -> KrigeModelFile:
    """Validate the parsed ``--model`` YAML; InputError naming the first bad key."""
    if not isinstance(data, dict):
        raise InputError("--model", type(data).__name__, "a YAML mapping (variogram, search, "
                         "variables, ...)", "write key: value pairs")
    if {"ore", "plant", "economics", "extends"} & set(data) and "variogram" not in data:
        # a project file: its dump as "got" was 12,206 characters (fuzz round 15)
        raise InputError("--model", f"a project file (keys {', '.join(sorted(map(str, data))[:5])}"
                         "...)", "a kriging model YAML with variogram, search and variables",
                         "pass a kriging model such as builtin:babbitt/krige_model; a project "
                         "is kriged by `reeflow resource PROJECT`")
    try:
        return KrigeModelFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        value = err.get("input")
        if err.get("type") == "missing":  # the enclosing mapping is not the news; its keys are
            value = "missing" if not isinstance(value, dict) else \
                f"missing (keys given: {', '.join(sorted(map(str, value))[:8])})"
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        allowed = "a required key" if err.get("type") == "missing" \
            else err.get("msg", "a valid value")
        raise InputError(_where(err.get("loc", ())), value, allowed,
                         "fix the --model file (see `reeflow krige --help`)") from None
