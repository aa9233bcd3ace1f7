"""The database: two tables (studies, artifacts), the engine, and Alembic migrations.

- ``studies``: one row per distinct input (``input_key`` is unique): status, progress, error,
  the inputs as submitted, their canonical form (for diffs) and the headline figures.
- ``artifacts``: the files a finished study wrote (results.json, report.html, results.xlsx …),
  gzip-compressed, keyed by (input_key, name).

A study is finished in ONE transaction (artifacts inserted + status set to done), so a kill -9
at any moment leaves either the complete study or none of its files. SQLite runs in WAL mode
with ``synchronous=FULL``; PostgreSQL is reached through a ``postgresql+psycopg://`` URL.

The schema is created and upgraded by Alembic (``reeflow/web/migrations``) at start-up; the
tables below mirror the latest migration (tests check that they agree).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

__all__ = ["metadata", "studies", "artifacts", "make_engine", "migrate", "MIGRATIONS_DIR"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

metadata = sa.MetaData()

studies = sa.Table(
    "studies", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("input_key", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # "builtin" | "yaml"
    sa.Column("project_ref", sa.String(120), nullable=True),
    sa.Column("project_yaml", sa.Text, nullable=True),
    sa.Column("canonical_json", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("progress", sa.Float, nullable=False, default=0.0),
    sa.Column("step", sa.String(200), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Column("reeflow_version", sa.String(40), nullable=False),
    sa.Column("seed", sa.String(80), nullable=False),
    sa.Column("summary_json", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
)

artifacts = sa.Table(
    "artifacts", metadata,
    sa.Column("input_key", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("media_type", sa.String(120), nullable=False),
    sa.Column("gzip", sa.LargeBinary, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> sa.Engine:
    """An engine for ``url`` (SQLite: WAL, full sync, shared across threads)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10},
                                  pool_pre_ping=True)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrate(engine: sa.Engine) -> str:
    """Upgrade the database to the latest migration; returns the revision now in place."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        return str(MigrationContext.configure(conn).get_current_revision())
