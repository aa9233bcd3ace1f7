"""Load the mine room's data files (``reeflow/data/mine``): every value with source and evidence."""

from __future__ import annotations

from functools import cache
from typing import Any

from reeflow.core.data import read_yaml

__all__ = ["default", "load_yaml"]


@cache
def load_yaml(name: str) -> dict[str, Any]:
    return read_yaml("mine", name)


def default(key: str) -> Any:
    """The ``value`` of ``key`` in ``defaults.yaml``."""
    return load_yaml("defaults.yaml")[key]["value"]
