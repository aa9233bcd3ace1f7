"""Studies kept in the database: create (or find by input key), list, progress, finish, delete.

Every state change is one transaction. ``finish`` writes all of a study's files and marks it
done together, so a crash leaves a study either complete or still to run. ``recover`` runs at
start-up: a job that was running when the server died is queued again (resumed from the start;
the chain is deterministic) until ``max_attempts``, then marked failed with the reason.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from reeflow.web.db import artifacts, studies

__all__ = ["StudyStore", "Artifact", "STATUSES", "iso"]

STATUSES = ("queued", "running", "done", "failed")
CANCELLED = "cancelled by the user"


def _now() -> datetime:
    return datetime.now(UTC)


def iso(t: datetime | None) -> str | None:
    """ISO-8601 UTC text of a stored time (SQLite returns naive UTC datetimes)."""
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Artifact:
    """A stored file: gzip-compressed bytes, media type, raw size and SHA-256."""

    name: str
    media_type: str
    gzip: bytes
    size: int
    sha256: str

    def raw(self) -> bytes:
        return gzip.decompress(self.gzip)


class StudyStore:
    """The studies table and their files, over one SQLAlchemy engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # -- creation and queries --------------------------------------------------------------
    def create_or_get(self, *, key: str, name: str, source: str, project_ref: str | None,
                      project_yaml: str | None, canonical: Mapping[str, Any], seed: str,
                      version: str) -> tuple[dict[str, Any], bool]:
        """The study for ``key``: the stored one (queued, running or done), a failed one queued
        again, or a new queued row. Returns (row, created_or_requeued)."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(studies).where(studies.c.input_key == key)).mappings().first()
            if row is not None and row["status"] != "failed":
                return dict(row), False
            if row is not None:
                conn.execute(studies.update().where(studies.c.id == row["id"]).values(
                    status="queued", progress=0.0, step=None, error=None, attempts=0,
                    cancel_requested=False, started_at=None, finished_at=None,
                    created_at=_now(), name=name[:200]))
                return self._get(conn, row["id"]) or {}, True
            sid = secrets.token_hex(8)
            conn.execute(studies.insert().values(
                id=sid, input_key=key, name=name[:200], source=source, project_ref=project_ref,
                project_yaml=project_yaml, canonical_json=json.dumps(canonical, sort_keys=True),
                status="queued", progress=0.0, attempts=0, cancel_requested=False,
                reeflow_version=version, seed=seed, created_at=_now()))
            return self._get(conn, sid) or {}, True

    @staticmethod
    def _get(conn: sa.Connection, sid: str) -> dict[str, Any] | None:
        row = conn.execute(sa.select(studies).where(studies.c.id == sid)).mappings().first()
        return None if row is None else dict(row)

    def get(self, sid: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return self._get(conn, sid)

    def list_rows(self, *, limit: int = 100, offset: int = 0,
             status: str | None = None) -> list[dict[str, Any]]:
        cols = [studies.c[c] for c in ("id", "name", "status", "progress", "step", "error",
                                       "created_at", "finished_at", "source", "project_ref",
                                       "summary_json", "input_key")]
        q = sa.select(*cols).order_by(studies.c.created_at.desc(), studies.c.id.desc())
        if status:
            q = q.where(studies.c.status == status)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q.limit(limit).offset(offset)).mappings()]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(studies)).scalar() or 0)

    def artifact(self, key: str, name: str) -> Artifact | None:
        q = sa.select(artifacts).where(artifacts.c.input_key == key, artifacts.c.name == name)
        with self.engine.connect() as conn:
            row = conn.execute(q).mappings().first()
        if row is None:
            return None
        return Artifact(row["name"], row["media_type"], bytes(row["gzip"]), int(row["size"]),
                        row["sha256"])

    def artifact_names(self, key: str) -> list[str]:
        q = sa.select(artifacts.c.name).where(artifacts.c.input_key == key)
        with self.engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(q))

    # -- job life cycle --------------------------------------------------------------------
    def claim_next(self) -> dict[str, Any] | None:
        """The oldest queued study, marked running (None when the queue is empty)."""
        with self.engine.begin() as conn:
            for row in conn.execute(sa.select(studies.c.id).where(studies.c.status == "queued")
                                    .order_by(studies.c.created_at, studies.c.id).limit(5)):
                done = conn.execute(studies.update().where(
                    studies.c.id == row[0], studies.c.status == "queued").values(
                    status="running", started_at=_now(), attempts=studies.c.attempts + 1,
                    step="starting", progress=0.0))
                if done.rowcount == 1:
                    return self._get(conn, row[0])
        return None

    def set_progress(self, sid: str, step: str, fraction: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(studies.update().where(studies.c.id == sid,
                                                studies.c.status == "running").values(
                step=step[:200], progress=float(min(max(fraction, 0.0), 1.0))))

    def finish(self, sid: str, files: Mapping[str, bytes], media_types: Mapping[str, str]) -> bool:
        """Store every file and mark the study done, in one transaction (False if the study
        was deleted or cancelled meanwhile: nothing is written then)."""
        rows = [{"name": n, "media_type": media_types.get(n, "application/octet-stream"),
                 "gzip": gzip.compress(data, 6, mtime=0), "size": len(data),
                 "sha256": hashlib.sha256(data).hexdigest()} for n, data in files.items()]
        summary = files.get("summary.json")
        with self.engine.begin() as conn:
            row = self._get(conn, sid)
            if row is None or row["status"] != "running" or row["cancel_requested"]:
                return False
            key = row["input_key"]
            conn.execute(artifacts.delete().where(artifacts.c.input_key == key))
            if rows:
                conn.execute(artifacts.insert(), [{"input_key": key, **r} for r in rows])
            conn.execute(studies.update().where(studies.c.id == sid).values(
                status="done", progress=1.0, step="done", error=None, finished_at=_now(),
                summary_json=summary.decode("utf-8") if summary else None))
        return True

    def requeue(self, sid: str) -> None:
        """Put a running study back in the queue without counting the attempt."""
        with self.engine.begin() as conn:
            conn.execute(studies.update().where(studies.c.id == sid,
                                                studies.c.status == "running").values(
                status="queued", step="queued again (server stopped)", progress=0.0,
                attempts=sa.case((studies.c.attempts > 0, studies.c.attempts - 1), else_=0)))

    def fail(self, sid: str, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(studies.update().where(studies.c.id == sid,
                                                studies.c.status.in_(("queued", "running")))
                         .values(status="failed", error=error[:4000], finished_at=_now()))

    def request_cancel(self, sid: str) -> str | None:
        """Cancel a study: a queued one fails at once; a running one is flagged for the runner
        to stop. Returns the status the study had (None: no such study)."""
        with self.engine.begin() as conn:
            row = self._get(conn, sid)
            if row is None:
                return None
            if row["status"] == "queued":
                conn.execute(studies.update().where(studies.c.id == sid).values(
                    status="failed", error=CANCELLED, finished_at=_now()))
            elif row["status"] == "running":
                conn.execute(studies.update().where(studies.c.id == sid).values(
                    cancel_requested=True))
            return str(row["status"])

    def cancel_requested(self) -> list[str]:
        q = sa.select(studies.c.id).where(studies.c.status == "running",
                                          studies.c.cancel_requested.is_(True))
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def delete(self, sid: str) -> bool:
        with self.engine.begin() as conn:
            row = self._get(conn, sid)
            if row is None:
                return False
            conn.execute(studies.delete().where(studies.c.id == sid))
            conn.execute(artifacts.delete().where(artifacts.c.input_key == row["input_key"]))
            return True

    def recover(self, max_attempts: int) -> dict[str, list[str]]:
        """At start-up: requeue studies left running by a dead server (or fail them after
        ``max_attempts``); drop files of studies that are not done (none should exist)."""
        out: dict[str, list[str]] = {"requeued": [], "failed": []}
        with self.engine.begin() as conn:
            running = conn.execute(sa.select(studies.c.id, studies.c.attempts,
                                             studies.c.cancel_requested)
                                   .where(studies.c.status == "running")).all()
            for sid, attempts, cancel in running:
                if cancel:
                    conn.execute(studies.update().where(studies.c.id == sid).values(
                        status="failed", error=CANCELLED, finished_at=_now()))
                    out["failed"].append(sid)
                elif attempts >= max_attempts:
                    conn.execute(studies.update().where(studies.c.id == sid).values(
                        status="failed", finished_at=_now(),
                        error=f"interrupted by {attempts} server restarts; not resumed again"))
                    out["failed"].append(sid)
                else:
                    conn.execute(studies.update().where(studies.c.id == sid).values(
                        status="queued", step="resumed after a server restart", progress=0.0))
                    out["requeued"].append(sid)
            done_keys = sa.select(studies.c.input_key).where(studies.c.status == "done")
            conn.execute(artifacts.delete().where(artifacts.c.input_key.not_in(done_keys)))
        return out
