"""Session fixtures shared by the test rooms: one real study of the built-in case."""

from __future__ import annotations

import pytest


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
