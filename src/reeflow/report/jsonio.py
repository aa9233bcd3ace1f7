"""JSON output of a study's results: numpy/pandas-safe, NaN and ±inf written as ``null``.

``results.json`` must be valid JSON (RFC 8259 has no NaN), so every non-finite float becomes
``null`` ("no data" is missing, never 0). numpy scalars and arrays, pandas DataFrames (as a list of
records) and Series (as a dict), dataclasses, pydantic models, enums, paths and datetimes are
converted; anything else unknown is written as its ``str``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import math
import os
import pathlib
import tempfile
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_jsonable", "write_results_json"]


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


def write_results_json(
    results: Mapping[str, Any], out_dir: pathlib.Path, *, filename: str = "results.json"
) -> pathlib.Path:
    """Write ``results`` as ``out_dir/filename`` (UTF-8, indented) and return the path.

    The file is written to a temporary name and renamed, so a failure leaves no partial file.
    """
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_jsonable(results), indent=1, ensure_ascii=False, allow_nan=False)
    return _atomic_write(out_dir / filename, text)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write(path: pathlib.Path, text: str) -> pathlib.Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; use the usual file mode
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
    return path
