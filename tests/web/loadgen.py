"""Loopback load and job-throughput measurements of ``reeflow serve`` (used by
test_web_load.py; run directly for the figures in docs/web.md):

    PYTHONPATH=src python tests/web/loadgen.py --seconds 30 --clients 50 --jobs 6 --workers 1

Traffic goes only to 127.0.0.1 (a server this script starts), bounded in count and time.
Reports wall-clock latency and requests/s, and the server's CPU seconds over the run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_helpers import FAST_YAML, Server, fast_yaml  # noqa: E402

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _client(host: str, port: int, path: str, deadline: float, lat: list[float],
            errors: list[str], lock: threading.Lock) -> None:
    """One client: a persistent HTTP/1.1 connection, GET after GET until the deadline."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        err = None
        try:
            conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                err = f"HTTP {r.status}"
        except (OSError, http.client.HTTPException) as exc:
            err = type(exc).__name__
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        with lock:
            lat.append(time.perf_counter() - t)
            if err:
                errors.append(err)
    conn.close()


def load(url: str, *, clients: int = 50, seconds: float = 30.0,
         server_pid: int | None = None) -> dict:
    """``clients`` concurrent clients (threads, one keep-alive connection each, gzip accepted)
    GET ``url`` for ``seconds``: latency, requests/s, and CPU seconds of client and server."""
    assert url.startswith(("http://127.0.0.1:", "http://localhost:")), "loopback only"
    parts = urlsplit(url)
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    cpu0 = cpu_s(server_pid) if server_pid else None
    t0, c0 = time.perf_counter(), time.process_time()
    deadline = t0 + seconds
    threads = [threading.Thread(target=_client, args=(parts.hostname, parts.port, parts.path,
                                                       deadline, lat, errors, lock))
               for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall, client_cpu = time.perf_counter() - t0, time.process_time() - c0
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
    out = {"url": url, "clients": clients, "seconds": round(wall, 2), "requests": len(lat),
           "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
           "requests_per_s": round(len(lat) / wall, 1),
           "latency_ms": {"p50": round(q[49] * 1e3, 1), "p95": round(q[94] * 1e3, 1),
                          "p99": round(q[98] * 1e3, 1), "max": round(max(lat) * 1e3, 1)}}
    out["client_cpu_s"] = round(client_cpu, 2)
    if server_pid:
        out["server_cpu_s"] = round(cpu_s(server_pid) - cpu0, 2)
        out["requests_per_server_cpu_s"] = round(len(lat) / max(out["server_cpu_s"], 1e-9), 1)
    out["load_average_1min"] = os.getloadavg()[0]
    return out


def throughput(url: str, jobs: int, *, timeout: float = 3600.0) -> dict:
    """Submit ``jobs`` distinct fast studies at once; jobs per minute until all are done."""
    t0 = time.perf_counter()
    ids = [httpx.post(f"{url}/api/studies", json={"project_yaml": fast_yaml(
        opex_scale=round(0.9 + 0.001 * i, 4))}, timeout=60).json()["id"] for i in range(jobs)]
    pending = set(ids)
    while pending and time.perf_counter() - t0 < timeout:
        for sid in list(pending):
            if httpx.get(f"{url}/api/studies/{sid}", timeout=30).json()["status"] in ("done",
                                                                                     "failed"):
                pending.discard(sid)
        time.sleep(0.5)
    wall = time.perf_counter() - t0
    failed = [s for s in ids if httpx.get(f"{url}/api/studies/{s}").json()["status"] != "done"]
    return {"jobs": jobs, "failed": len(failed), "wall_s": round(wall, 1),
            "jobs_per_min": round(60 * jobs / wall, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--jobs", type=int, default=0, help="distinct fast studies for throughput")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", default=None, help="write the figures as JSON here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(Path(tmp), workers=args.workers).start()
        try:
            sid = httpx.post(srv.url + "/api/studies", json={"project_yaml": FAST_YAML}).json()["id"]
            while httpx.get(f"{srv.url}/api/studies/{sid}").json()["status"] not in ("done",
                                                                                  "failed"):
                time.sleep(0.5)
            res = {"results": load(f"{srv.url}/api/studies/{sid}/results", clients=args.clients,
                                   seconds=args.seconds, server_pid=srv.proc.pid),
                   "status": load(f"{srv.url}/api/studies/{sid}", clients=args.clients,
                                  seconds=min(args.seconds, 10.0), server_pid=srv.proc.pid)}
            if args.jobs:
                res["throughput"] = {"workers": args.workers, **throughput(srv.url, args.jobs)}
        finally:
            srv.stop()
    text = json.dumps(res, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
