"""Server settings: where studies are kept, who may connect, how many workers run jobs.

Checked at the boundary (:func:`make_settings`): a host other than loopback needs a token (from
``--token`` or the ``REEFLOW_WEB_TOKEN`` environment variable); a bad value raises
:class:`~reeflow.core.errors.InputError`, which the CLI prints as one line (exit 2).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from reeflow.core.errors import InputError

__all__ = ["Settings", "make_settings", "is_loopback", "TOKEN_ENV", "DEFAULT_TASK"]

#: Environment variable holding the access token (so it need not appear in ``ps``).
TOKEN_ENV = "REEFLOW_WEB_TOKEN"
#: The study task run by the workers (``module:function``; see :mod:`reeflow.web.tasks`).
DEFAULT_TASK = "reeflow.web.tasks:run_study_task"
_MIN_TOKEN = 16


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and every loopback address (127.0.0.0/8, ::1)."""
    h = host.strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """Everything the app reads at start-up (frozen; one per server)."""

    data_dir: Path
    db_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    workers: int = 1
    task: str = DEFAULT_TASK
    #: Largest request body accepted (bytes); uploads of project YAML are capped separately.
    max_body_bytes: int = 2 * 1024 * 1024
    max_yaml_bytes: int = 1024 * 1024
    #: A running job is retried at most this many times after server restarts, then failed.
    max_attempts: int = 3
    #: Extra Host header values accepted (tests use ``testserver``).
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def allowed_hosts(self) -> list[str]:
        """Host header values served: loopback names when bound to loopback (refusing DNS
        rebinding), any host when bound elsewhere (a token then guards every request)."""
        if not self.loopback:
            return ["*"]
        return ["127.0.0.1", "localhost", "::1", "[::1]", self.host, *self.extra_hosts]


def _default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def make_settings(*, host: str = "127.0.0.1", port: int = 8000, data: str | Path | None = None,
                  db: str | None = None, token: str | None = None, workers: int | None = None,
                  task: str = DEFAULT_TASK, extra_hosts: tuple[str, ...] = ()) -> Settings:
    """Validated settings. ``data`` defaults to ``./reeflow-data``; ``db`` to SQLite in it."""
    if not 0 < int(port) < 65536:
        raise InputError("--port", port, "1..65535", "pick a free TCP port, e.g. 8000")
    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    if token is not None and len(token) < _MIN_TOKEN:
        raise InputError("--token", "<hidden>", f"a token of at least {_MIN_TOKEN} characters",
                         "generate one: python -c 'import secrets; print(secrets.token_urlsafe())'")
    if not is_loopback(host) and token is None:
        raise InputError("--host", host, "a loopback address (127.0.0.1, ::1, localhost) unless "
                         "a token is set", f"pass --token or set {TOKEN_ENV} to serve on {host}")
    n = _default_workers() if workers is None else int(workers)
    if not 0 <= n <= 64:
        raise InputError("--workers", workers, "0..64 worker processes (0: jobs stay queued)",
                         "pass --workers with a number from 0 to 64")
    data_dir = Path(data if data is not None else "reeflow-data").expanduser()
    if data_dir.exists() and not data_dir.is_dir():
        raise InputError("--data", str(data_dir), "a folder (this path is a file)",
                         "name a folder; the server keeps its database and secret in it")
    url = db or f"sqlite:///{(data_dir / 'reeflow.sqlite3').resolve()}"
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise InputError("--db", url.split("://")[0] + "://…", "a sqlite:/// or postgresql:// URL",
                         "e.g. postgresql+psycopg://user@localhost/reeflow")
    return Settings(data_dir=data_dir, db_url=url, host=host, port=int(port), token=token,
                    workers=n, task=task, extra_hosts=tuple(extra_hosts))
