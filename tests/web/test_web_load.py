"""A bounded load test on loopback: 50 concurrent clients read a study's results for 30 s
(REEFLOW_WEB_LOAD_S shortens it), with no errors; latency and requests/s are printed."""

from __future__ import annotations

import json
import os
import time

import httpx
import pytest
from loadgen import load
from web_helpers import FAST_YAML, Server

pytestmark = pytest.mark.slow


def test_fifty_clients_on_loopback(tmp_path, capsys):
    seconds = float(os.environ.get("REEFLOW_WEB_LOAD_S", "30"))
    srv = Server(tmp_path, workers=1).start()
    try:
        sid = httpx.post(srv.url + "/api/studies", json={"project_yaml": FAST_YAML}).json()["id"]
        t0 = time.monotonic()
        while httpx.get(f"{srv.url}/api/studies/{sid}").json()["status"] != "done":
            assert time.monotonic() - t0 < 400
            time.sleep(0.5)
        out = load(f"{srv.url}/api/studies/{sid}/results", clients=50, seconds=seconds,
                   server_pid=srv.proc.pid)
    finally:
        srv.stop()
    with capsys.disabled():
        print("\nload test:", json.dumps(out))
    assert out["errors"] == 0, out
    assert out["requests"] > 50
