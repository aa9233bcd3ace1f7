"""Alembic environment: runs on the connection reeflow.web.db.migrate hands over."""

from __future__ import annotations

from alembic import context

from reeflow.web.db import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - reeflow always passes its connection
    raise RuntimeError("run migrations through reeflow.web.db.migrate(engine)")
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
