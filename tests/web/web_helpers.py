"""Helpers of the web tests: a fast real study, apps over a temporary folder, a server process
on loopback."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

#: A real study that runs in seconds: the built-in case without the deposit/mine steps and with
#: one sensitivity input (the full built-in case takes about a minute).
FAST_YAML = """extends: builtin:beylikova
name: fast web test case
deposit: {run: false}
economics:
  sensitivity_inputs: [economics.capex_scale]
"""


def fast_yaml(**economics: float) -> str:
    """FAST_YAML with extra economics values (distinct inputs -> distinct studies). A value
    given here replaces the case's provenance record, so its range is gone: vary inputs that
    are not in FAST_YAML's sensitivity_inputs (e.g. opex_scale)."""
    extra = "".join(f"  {k}: {v}\n" for k, v in economics.items())
    return FAST_YAML + extra


def make_client(data: Path, *, workers: int = 0, token: str | None = None,
                host: str = "127.0.0.1"):
    from fastapi.testclient import TestClient

    from reeflow.web.app import create_app
    from reeflow.web.settings import make_settings

    settings = make_settings(data=data, workers=workers, token=token, host=host,
                             extra_hosts=("testserver",))
    return TestClient(create_app(settings))


def wait_for(client, sid: str, *, timeout: float = 400.0, until=("done", "failed")) -> dict:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        st = client.get(f"/api/studies/{sid}").json()
        if st["status"] in until:
            return st
        time.sleep(0.5)
    raise AssertionError(f"study {sid} still {st['status']} after {timeout} s")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``reeflow serve`` in a child process on 127.0.0.1 (own process group)."""

    def __init__(self, data: Path, *, workers: int = 1, port: int | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        self.data, self.workers = data, workers
        self.port = port or free_port()
        self.extra = extra
        self.proc: subprocess.Popen | None = None
        self.log = data / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> Server:
        src = str(Path(__file__).resolve().parents[2] / "src")
        env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
        cmd = [sys.executable, "-m", "reeflow.cli", "serve", "--port", str(self.port), "--data",
               str(self.data), "--workers", str(self.workers), *self.extra]
        self.data.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log.open("ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        import httpx

        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return self
            time.sleep(0.3)
        raise AssertionError("server did not come up")

    def children(self) -> list[int]:
        assert self.proc is not None
        out = []
        for p in Path("/proc").iterdir():
            if p.name.isdigit():
                with contextlib.suppress(OSError):
                    stat = (p / "stat").read_text()
                    ppid = int(stat.rsplit(")", 1)[1].split()[1])
                    if ppid == self.proc.pid:
                        out.append(int(p.name))
        return out

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
