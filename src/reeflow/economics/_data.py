"""The economics data files (``reeflow/data/economics``), read through :mod:`reeflow.core.data`.

Every table carries ``source`` and ``evidence`` columns; missing values stay NaN (never 0).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from reeflow.core.data import read_csv
from reeflow.core.data import read_yaml as _read_yaml

__all__ = ["read_table", "read_yaml", "table_rows"]


def read_table(name: str) -> pd.DataFrame:
    """Return a copy of the CSV table ``name`` from the economics data folder."""
    return read_csv("economics", name, comment=None)


@lru_cache(maxsize=32)
def _rows_cached(name: str, key: str) -> dict[Any, dict[str, Any]]:
    df = read_csv("economics", name, comment=None)
    return {k: dict(r) for k, r in zip(df[key], df.to_dict("records"), strict=True)}


def table_rows(name: str, key: str) -> dict[Any, dict[str, Any]]:
    """The rows of table ``name`` by their ``key`` column (cached; do not modify the rows):
    a per-call lookup without re-indexing the frame (the annual cash flow asks per year)."""
    return _rows_cached(name, key)


def read_yaml(name: str) -> dict[str, Any]:
    """Return the parsed YAML file ``name`` from the economics data folder (a fresh copy)."""
    return _read_yaml("economics", name)

