"""Fixtures of the built-in cases other than the default one: each study computed once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def ngualla_study():
    """The built-in Ngualla study (whole chain, sensitivities included; no files written)."""
    from reeflow.project import load_project
    from reeflow.study import compute_results

    return compute_results(load_project("builtin:ngualla"))


@pytest.fixture(scope="session")
def ngualla_results(ngualla_study):
    """results.json of the Ngualla study, as a dict."""
    return ngualla_study.to_dict()
