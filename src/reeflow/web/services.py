"""The server's parts held together: settings, database, store, job runner, secret, templates.

One :class:`Services` per app (``app.state.services``); routes receive it through
:func:`get_services`. It owns the operations that touch several parts (submit a study, cancel,
delete) so the API and the pages do exactly the same thing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response

from reeflow.web.settings import Settings
from reeflow.web.store import Artifact, StudyStore

__all__ = ["Services", "get_services", "serve_artifact"]

_CACHE_BYTES = 64 * 1024 * 1024


class Services:
    """Settings, engine, store, runner and the secret of one server."""

    def __init__(self, settings: Settings) -> None:
        from reeflow.web.db import make_engine, migrate
        from reeflow.web.jobs import JobRunner
        from reeflow.web.security import load_secret

        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.secret = load_secret(settings.data_dir)
        self.engine = make_engine(settings.db_url)
        self.revision = migrate(self.engine)
        self.store = StudyStore(self.engine)
        self.runner = JobRunner(self.store, workers=settings.workers, task=settings.task,
                                max_attempts=settings.max_attempts)
        self._cache: OrderedDict[tuple[str, str], Artifact] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.recovered: dict[str, list[str]] = {}

    def start(self) -> None:
        self.recovered = self.runner.start()

    def stop(self) -> None:
        self.runner.stop()
        self.engine.dispose()

    # -- operations shared by the API and the pages ----------------------------------------
    def submit(self, body: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """Validate a study request and queue it (or return the stored one)."""
        from reeflow import __version__
        from reeflow.study import check_project
        from reeflow.web.inputs import canonical_inputs, input_key, load_spec, parse_request

        spec = parse_request(body, max_yaml_bytes=self.settings.max_yaml_bytes)
        loaded = load_spec(spec)
        check_project(loaded, risk=False)  # what the study refuses is refused here, not queued
        canonical = canonical_inputs(loaded)
        key, seed = input_key(canonical)
        row, created = self.store.create_or_get(
            key=key, name=loaded.project.name, source=spec.source,
            project_ref=spec.project_ref, project_yaml=spec.project_yaml, canonical=canonical,
            seed=seed, version=__version__)
        if created:
            self.runner.wake()
        return row, created

    def cancel(self, sid: str) -> str | None:
        was = self.store.request_cancel(sid)
        self.runner.wake()
        return was

    def delete(self, row: Mapping[str, Any]) -> None:
        if row["status"] == "running":
            self.store.request_cancel(row["id"])
            self.runner.wake()
        self.store.delete(row["id"])
        with self._cache_lock:
            for k in [k for k in self._cache if k[0] == row["input_key"]]:
                del self._cache[k]

    def artifact(self, key: str, name: str) -> Artifact | None:
        """A stored file, through a small in-memory cache (files never change under a key
        while the study exists; delete drops them from the cache)."""
        with self._cache_lock:
            hit = self._cache.get((key, name))
            if hit is not None:
                self._cache.move_to_end((key, name))
                return hit
        art = self.store.artifact(key, name)
        if art is None:
            return None
        with self._cache_lock:
            self._cache[(key, name)] = art
            while sum(a.gzip.__len__() for a in self._cache.values()) > _CACHE_BYTES \
                    and len(self._cache) > 1:
                self._cache.popitem(last=False)
        return art


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def serve_artifact(request: Request, art: Artifact, *, filename: str | None = None,
                   csp: str | None = None) -> Response:
    """The file, gzip-encoded when the client accepts it, with an ETag (304 on a match)."""
    etag = f'"{art.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if csp:
        headers["Content-Security-Policy"] = csp
    if filename:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
        headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        return Response(art.gzip, media_type=art.media_type, headers=headers)
    return Response(art.raw(), media_type=art.media_type, headers=headers)
