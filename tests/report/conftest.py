"""Fixtures of the report tests: a fresh copy of REAL study output (the built-in case)."""

from __future__ import annotations

import copy

import pytest


@pytest.fixture
def results(builtin_results_dict) -> dict:
    """A fresh copy of the built-in study's results.json dict."""
    return copy.deepcopy(builtin_results_dict)
