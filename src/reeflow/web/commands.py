"""``reeflow serve``: the web app and REST API (FastAPI, imported only when the command runs)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run_serve"]


def register(subparsers: Any) -> None:
    """Add ``serve`` to the CLI."""
    p = subparsers.add_parser(
        "serve", help="web app and REST API with persistent studies (needs reeflow[web])",
        description="Serve the reeflow web app and REST API. Binds to loopback by default; "
                    "any other address needs a token (--token or REEFLOW_WEB_TOKEN).")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument("--data", default="reeflow-data",
                   help="folder for the database and the server secret (default reeflow-data)")
    p.add_argument("--db", default=None, help="database URL (default: SQLite in --data; "
                   "PostgreSQL: postgresql+psycopg://user@host/dbname)")
    p.add_argument("--token", default=None, help="access token (or REEFLOW_WEB_TOKEN); "
                   "required when --host is not loopback")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes running studies (default: half the CPUs, 1..4)")
    p.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Handler of ``reeflow serve``."""
    from reeflow.core.errors import InputError
    from reeflow.web.settings import make_settings

    settings = make_settings(host=args.host, port=args.port, data=args.data, db=args.db,
                             token=args.token, workers=args.workers)
    try:
        import uvicorn

        from reeflow.web.app import create_app
    except ImportError as exc:
        raise InputError("serve", exc.name or "fastapi", "the web extra installed",
                         "pip install 'reeflow[web]'") from None
    app = create_app(settings)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"reeflow serve: http://{shown}:{settings.port}/  (data {settings.data_dir}, "
          f"{settings.workers} worker(s){', token required' if settings.token else ''})",
          flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                timeout_graceful_shutdown=10)
    return 0
