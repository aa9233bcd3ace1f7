"""The one JSON converter: results, summaries and every ``--json`` output go through here.

JSON (RFC 8259) has no NaN or infinity, so every non-finite float becomes ``null`` ("no data" is
missing, never 0). numpy scalars and arrays, pandas DataFrames (as a list of records) and Series
(as a dict), dataclasses, pydantic models, enums, paths and datetimes are converted; anything else
is written as its ``str``. :func:`dumps` refuses to emit a bare ``NaN``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import math
import pathlib
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_jsonable", "dumps"]


def _float(value: float) -> float | None:
    """A finite float, or None for NaN and ±inf."""
    return value if math.isfinite(value) else None


def _convert_special(obj: Any) -> tuple[bool, Any]:
    """Convert the types that need special handling; (handled, value)."""
    if isinstance(obj, np.ndarray):
        return True, [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, pd.DataFrame):
        frame = obj.reset_index() if not isinstance(obj.index, pd.RangeIndex) else obj
        return True, [to_jsonable(r) for r in frame.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return True, {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, pd.Timestamp | _dt.datetime | _dt.date):
        return True, obj.isoformat()
    if isinstance(obj, enum.Enum):
        return True, to_jsonable(obj.value)
    if isinstance(obj, pathlib.PurePath):
        return True, str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return True, to_jsonable(dataclasses.asdict(obj))
    if hasattr(obj, "model_dump") and callable(obj.model_dump):
        return True, to_jsonable(obj.model_dump())
    return False, None


def to_jsonable(obj: Any) -> Any:
    """Recursively convert ``obj`` to plain JSON types (dict, list, str, int, float, bool, None).

    Non-finite floats (numpy or Python) become ``None``; dict keys become strings.
    """
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _float(float(obj))
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    handled, value = _convert_special(obj)
    if handled:
        return value
    if obj is pd.NA or obj is pd.NaT:
        return None
    return str(obj)


def dumps(obj: Any, *, indent: int | None = None) -> str:
    """JSON text of ``obj`` after :func:`to_jsonable` (UTF-8 characters kept, NaN → null)."""
    return json.dumps(to_jsonable(obj), indent=indent, ensure_ascii=False, allow_nan=False)
