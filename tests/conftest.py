"""Session fixtures shared by the test rooms: one real study of the built-in case."""

from __future__ import annotations

import os

import pytest

# no step results kept between tests: a test that changes a module (monkeypatch) must see its
# own change, not a result another test left on disk (the step cache's own tests turn it on)
os.environ["REEFLOW_NO_CACHE"] = "1"


@pytest.fixture(scope="session")
def builtin_study():
    """The built-in Beylikova study, computed once per test session (no files written)."""
    from reeflow.project import load_project
    from reeflow.study import compute_results

    return compute_results(load_project())


@pytest.fixture(scope="session")
def builtin_results_dict(builtin_study):
    """results.json of the built-in study, as a dict (what the producer emits)."""
    return builtin_study.to_dict()
