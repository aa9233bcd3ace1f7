"""Load the mine room's data files (``reeflow/data/mine``): every value with source and evidence."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["default", "load_yaml"]


@cache
def load_yaml(name: str) -> dict[str, Any]:
    text = resources.files("reeflow.data").joinpath("mine", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def default(key: str) -> Any:
    """The ``value`` of ``key`` in ``defaults.yaml``."""
    return load_yaml("defaults.yaml")[key]["value"]
