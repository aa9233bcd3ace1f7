"""Fixtures of the web tests (helpers in web_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

from web_helpers import FAST_YAML, make_client, wait_for  # noqa: E402


@pytest.fixture(scope="module")
def idle_client(tmp_path_factory) -> Iterator:
    """An app with no workers: studies stay queued (API shape, validation, fuzzing)."""
    with make_client(tmp_path_factory.mktemp("idle")) as c:
        yield c


@pytest.fixture(scope="module")
def worker_client(tmp_path_factory) -> Iterator:
    """An app with one worker process running the real study task."""
    with make_client(tmp_path_factory.mktemp("work"), workers=1) as c:
        yield c


@pytest.fixture(scope="module")
def done_study(worker_client) -> dict:
    """A finished fast study (its status dict)."""
    r = worker_client.post("/api/studies", json={"project_yaml": FAST_YAML})
    assert r.status_code in (200, 201), r.text
    st = wait_for(worker_client, r.json()["id"])
    assert st["status"] == "done", st
    return st
