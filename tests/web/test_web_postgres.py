"""The same store and API on PostgreSQL: a throw-away cluster (initdb + pg_ctl from the
distribution's postgresql package) on a Unix socket in a temporary folder, run as the
``postgres`` user when the tests run as root. Skipped where no PostgreSQL server is installed,
or when REEFLOW_TEST_PG_URL names an existing database instead (then that one is used)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("psycopg")


def _bindir() -> Path | None:
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(cand) / "initdb").exists():
            return Path(cand)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory):
    if os.environ.get("REEFLOW_TEST_PG_URL"):
        yield os.environ["REEFLOW_TEST_PG_URL"]
        return
    bindir = _bindir()
    if bindir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("no PostgreSQL server binaries (apt-get install -y postgresql)")
    # pytest's temporary folders are private to root: the server user needs its own
    root = Path(tempfile.mkdtemp(prefix="reeflow-pg-"))
    os.chmod(root, 0o777)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    os.chmod(sock, 0o777)
    subprocess.run(_as_pg([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "reeflow"]),
                   check=True, capture_output=True)
    subprocess.run(_as_pg([str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
                           "-o", f"-k {sock} -c listen_addresses='' -p 54329", "start"]),
                   check=True, capture_output=True)
    try:
        for _ in range(50):
            if subprocess.run(_as_pg([str(bindir / "pg_isready"), "-h", str(sock), "-p", "54329"]),
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        subprocess.run(_as_pg([str(bindir / "createdb"), "-h", str(sock), "-p", "54329", "-U",
                               "reeflow", "reeflow"]), check=True, capture_output=True)
        yield f"postgresql+psycopg://reeflow@/reeflow?host={sock}&port=54329"
    finally:
        subprocess.run(_as_pg([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                               "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_store_on_postgres(pg_url):
    from reeflow.web.db import make_engine, migrate
    from reeflow.web.store import StudyStore

    engine = make_engine(pg_url)
    assert migrate(engine) == migrate(engine) == "0001"  # idempotent
    store = StudyStore(engine)
    row, created = store.create_or_get(key="a" * 64, name="pg", source="builtin",
                                       project_ref="builtin:beylikova", project_yaml=None,
                                       canonical={"x": 1}, seed="{}", version="0")
    assert created and store.claim_next()["id"] == row["id"]
    store.set_progress(row["id"], "step", 0.5)
    assert store.finish(row["id"], {"results.json": b"{}", "report.html": b"<p>"},
                        {"results.json": "application/json"})
    got = store.get(row["id"])
    assert got["status"] == "done" and store.artifact("a" * 64, "report.html").raw() == b"<p>"
    assert store.create_or_get(key="a" * 64, name="pg", source="builtin", project_ref="x",
                               project_yaml=None, canonical={}, seed="{}", version="0")[1] is False
    assert store.delete(row["id"]) and store.get(row["id"]) is None
    engine.dispose()


def test_api_on_postgres(pg_url, tmp_path):
    from fastapi.testclient import TestClient

    from reeflow.web.app import create_app
    from reeflow.web.settings import make_settings

    app = create_app(make_settings(data=tmp_path, db=pg_url, workers=0,
                                   extra_hosts=("testserver",)))
    with TestClient(app) as c:
        r = c.post("/api/studies", json={"project_yaml": "extends: builtin:beylikova\n"
                                                        "name: on postgres\n"})
        assert r.status_code == 201
        sid = r.json()["id"]
        assert c.get("/api/studies").json()["studies"][0]["id"] == sid
        assert c.post(f"/api/studies/{sid}/cancel").json()["was"] == "queued"
        assert c.delete(f"/api/studies/{sid}").status_code == 204
