"""Fixtures of the report tests: a fresh copy of the MOCK results dict (see report_mock.py)."""

from __future__ import annotations

import copy

import pytest
from report_mock import make_results


@pytest.fixture
def results() -> dict:
    """A fresh copy of the full mock results dict."""
    return copy.deepcopy(make_results())
