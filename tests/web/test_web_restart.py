"""Persistence and crash safety of a real server process (``reeflow serve`` on 127.0.0.1):
a restart keeps every study; after kill -9 mid-job the interrupted study is resumed and
finishes, finished studies are byte-identical, no worker is orphaned, nothing is half-written."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time

import httpx
import pytest
from web_helpers import FAST_YAML, Server, fast_yaml

pytestmark = pytest.mark.slow


def _wait(url: str, sid: str, until=("done", "failed"), timeout: float = 400.0) -> dict:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        st = httpx.get(f"{url}/api/studies/{sid}", timeout=10).json()
        if st["status"] in until:
            return st
        time.sleep(0.3)
    raise AssertionError(f"{sid} still {st['status']}")


def _digest(url: str, sid: str) -> str:
    r = httpx.get(f"{url}/api/studies/{sid}/results", timeout=30)
    assert r.status_code == 200
    return hashlib.sha256(r.content).hexdigest()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_restart_keeps_every_study(tmp_path):
    srv = Server(tmp_path, workers=1).start()
    try:
        done = httpx.post(srv.url + "/api/studies", json={"project_yaml": FAST_YAML}).json()["id"]
        assert _wait(srv.url, done)["status"] == "done"
        queued = [httpx.post(srv.url + "/api/studies", json={"project_yaml": fast_yaml(
            opex_scale=1.0 + i / 100)}).json()["id"] for i in range(1, 3)]
        before = httpx.get(srv.url + "/api/studies").json()["studies"]
        digest = _digest(srv.url, done)
    finally:
        srv.stop()  # graceful: a running job goes back to the queue
    srv = Server(tmp_path, workers=1, port=srv.port).start()
    try:
        after = httpx.get(srv.url + "/api/studies").json()["studies"]
        assert [s["id"] for s in after] == [s["id"] for s in before]
        assert _digest(srv.url, done) == digest
        for sid in queued:  # studies queued or running at the stop finish after the restart
            st = _wait(srv.url, sid)
            assert st["status"] == "done" and st["attempts"] == 1, st
    finally:
        srv.stop()


def test_kill9_mid_job_then_restart(tmp_path):
    srv = Server(tmp_path, workers=1).start()
    try:
        done = httpx.post(srv.url + "/api/studies", json={"project_yaml": FAST_YAML}).json()["id"]
        assert _wait(srv.url, done)["status"] == "done"
        digest = _digest(srv.url, done)
        sid = httpx.post(srv.url + "/api/studies", json={"project_yaml": fast_yaml(
            opex_scale=1.17)}).json()["id"]
        _wait(srv.url, sid, until=("running",))
        time.sleep(1.0)
        workers = srv.children()
        assert workers, "a worker process runs the job"
        srv.kill9()
        t0 = time.monotonic()
        while any(_alive(p) for p in workers) and time.monotonic() - t0 < 10:
            time.sleep(0.2)
        assert not any(_alive(p) for p in workers), "workers outlived their server"
        db = sqlite3.connect(tmp_path / "reeflow.sqlite3")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        status = dict(db.execute("SELECT id, status FROM studies").fetchall())
        assert status[done] == "done" and status[sid] == "running"
        db.close()
    finally:
        if srv.proc and srv.proc.poll() is None:
            srv.stop()
    srv = Server(tmp_path, workers=1, port=srv.port).start()
    try:
        st = _wait(srv.url, sid)
        assert st["status"] == "done" and st["attempts"] == 2, st  # resumed, not lost
        assert _digest(srv.url, done) == digest
        for s in httpx.get(srv.url + "/api/studies").json()["studies"]:
            info = httpx.get(f"{srv.url}/api/studies/{s['id']}").json()
            if info["status"] == "done":  # every finished study has all of its files
                assert {"results.json", "report.html", "summary.json"} <= set(info["files"])
                assert httpx.get(f"{srv.url}/api/studies/{s['id']}/report").status_code == 200
    finally:
        srv.stop()
    leftovers = [p for p in os.listdir(tmp_path) if p.startswith(".") and p.endswith(".tmp")]
    assert leftovers == []


def test_repeated_kills_fail_the_study_with_the_reason(tmp_path):
    """A job that keeps being interrupted is failed after max_attempts, with the reason."""
    from reeflow.web.db import make_engine, migrate
    from reeflow.web.store import StudyStore

    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    migrate(engine)
    store = StudyStore(engine)
    row, _ = store.create_or_get(key="k" * 64, name="n", source="builtin",
                                 project_ref="builtin:beylikova", project_yaml=None,
                                 canonical={}, seed="{}", version="0")
    for attempt in range(1, 4):
        assert store.claim_next()["id"] == row["id"]
        out = store.recover(max_attempts=3)
        assert (row["id"] in out["requeued"]) == (attempt < 3)
    st = store.get(row["id"])
    assert st["status"] == "failed" and "3 server restarts" in st["error"]
