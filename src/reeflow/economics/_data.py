"""Loaders for the economics data files (``reeflow/data/economics``), cached after first read.

Every table carries ``source`` and ``evidence`` columns; missing values stay NaN (never 0).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib.resources import files
from typing import Any

import pandas as pd
import yaml

__all__ = ["read_table", "read_yaml", "table_rows"]

_PACKAGE = "reeflow.data.economics"


@lru_cache(maxsize=32)
def _read_csv_cached(name: str) -> pd.DataFrame:
    with files(_PACKAGE).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def read_table(name: str) -> pd.DataFrame:
    """Return a copy of the CSV table ``name`` from the economics data folder."""
    return _read_csv_cached(name).copy()


@lru_cache(maxsize=32)
def _rows_cached(name: str, key: str) -> dict[Any, dict[str, Any]]:
    df = _read_csv_cached(name)
    return {k: dict(r) for k, r in zip(df[key], df.to_dict("records"), strict=True)}


def table_rows(name: str, key: str) -> dict[Any, dict[str, Any]]:
    """The rows of table ``name`` by their ``key`` column (cached; do not modify the rows):
    a per-call lookup without re-indexing the frame (the annual cash flow asks per year)."""
    return _rows_cached(name, key)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=16)
def _read_yaml_cached(name: str) -> Any:
    with files(_PACKAGE).joinpath(name).open("r", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER)  # noqa: S506 - a safe loader


def read_yaml(name: str) -> dict[str, Any]:
    """Return the parsed YAML file ``name`` from the economics data folder (a fresh copy)."""
    return copy.deepcopy(_read_yaml_cached(name))

