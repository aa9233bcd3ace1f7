"""Jobs: studies run in worker processes, one study per worker at a time.

The server keeps ``workers`` long-lived processes (``spawn``: no state shared with the server's
threads; the chain's step cache then persists across a worker's studies). A dispatcher thread
hands each idle worker the oldest queued study, relays its progress to the database and stores
its files when it finishes (:meth:`StudyStore.finish`, one transaction). The database is the
only queue: a restart finds queued studies there and resumes interrupted ones
(:meth:`StudyStore.recover`).

Cancel: the study is flagged; the dispatcher kills that worker and starts a fresh one.
A worker whose server died (kill -9) notices within a second (its parent changed) and exits, so
no orphan keeps computing. The task itself is a plain function (:mod:`reeflow.web.tasks`) that
Dask can run unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import threading
import time
import traceback
from multiprocessing.connection import Connection, wait
from typing import Any

from reeflow.web.store import CANCELLED, StudyStore
from reeflow.web.tasks import MEDIA_TYPES, resolve_task

__all__ = ["JobRunner", "worker_main"]

log = logging.getLogger("reeflow.web.jobs")
_POLL_S = 0.25
#: A worker is replaced after this many studies (bounds memory held by the chain's cache).
_MAX_JOBS_PER_WORKER = 50


def _one_line(text: object, limit: int = 600) -> str:
    return " ".join(str(text).split())[:limit]


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            os._exit(3)


def worker_main(conn: Connection, task_path: str, parent_pid: int) -> None:
    """A worker process: run each ("run", id, spec) received; reply progress/done/failed."""
    from reeflow.core.errors import ReeflowError

    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    task = resolve_task(task_path)
    lock = threading.Lock()

    def send(msg: tuple[Any, ...]) -> None:
        with lock:
            conn.send(msg)

    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] != "run":
            return
        _, sid, spec = msg
        try:
            files = task(spec, progress=lambda step, frac, s=sid: send(("progress", s, step, frac)))
            send(("done", sid, files))
        except ReeflowError as exc:
            send(("failed", sid, _one_line(exc)))
        except Exception as exc:  # the job fails; the worker lives on
            if os.environ.get("REEFLOW_DEBUG") == "1":
                traceback.print_exc()
            send(("failed", sid, f"internal error: {type(exc).__name__}: {_one_line(exc, 300)}"))


class _Worker:
    def __init__(self, ctx: Any, task_path: str) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=worker_main, args=(child, task_path, os.getpid()),
                                name="reeflow-worker", daemon=True)
        self.proc.start()
        child.close()
        self.study: str | None = None
        self.jobs = 0

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        self.proc.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()


class JobRunner:
    """Dispatches queued studies to worker processes (see the module docstring)."""

    def __init__(self, store: StudyStore, *, workers: int, task: str,
                 max_attempts: int = 3) -> None:
        self.store = store
        self.n = int(workers)
        self.task = task
        self.max_attempts = max_attempts
        self.ctx = mp.get_context("spawn")
        self.workers: list[_Worker] = []
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.completed = 0

    def start(self) -> dict[str, list[str]]:
        recovered = self.store.recover(self.max_attempts)
        if self.n > 0:
            self.workers = [_Worker(self.ctx, self.task) for _ in range(self.n)]
            self._thread = threading.Thread(target=self._loop, name="reeflow-jobs", daemon=True)
            self._thread.start()
        return recovered

    def wake(self) -> None:
        """A study was queued or cancelled: look now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Stop dispatching, end the workers and put their studies back in the queue (a
        graceful stop does not count as an attempt)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for w in self.workers:
            w.kill()
            if w.study is not None:
                self.store.requeue(w.study)
        self.workers = []

    # -- the dispatcher loop ---------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception:  # keep dispatching; a broken database shows in the requests
                log.exception("job dispatcher error")
                time.sleep(1.0)

    def _tick(self) -> None:
        self._cancel_flagged()
        self._assign()
        busy = [w for w in self.workers if w.study is not None]
        if not busy:
            self._wake.wait(_POLL_S)
            self._wake.clear()
            return
        ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=_POLL_S)
        for w in busy:
            if w.conn in ready or w.proc.sentinel in ready:
                self._drain(w)

    def _assign(self) -> None:
        for i, w in enumerate(self.workers):
            if w.study is not None:
                continue
            if not w.proc.is_alive() or w.jobs >= _MAX_JOBS_PER_WORKER:
                w.kill()
                w = self.workers[i] = _Worker(self.ctx, self.task)
            row = self.store.claim_next()
            if row is None:
                return
            spec = ({"project": row["project_ref"]} if row["source"] == "builtin"
                    else {"project_yaml": row["project_yaml"] or ""})
            try:
                w.conn.send(("run", row["id"], spec))
            except OSError as exc:
                self.store.fail(row["id"], f"could not start the job: {_one_line(exc)}")
                continue
            w.study, w.jobs = row["id"], w.jobs + 1

    def _drain(self, w: _Worker) -> None:
        while w.study is not None:
            try:
                if not w.conn.poll():
                    if not w.proc.is_alive():
                        raise EOFError
                    return
                msg = w.conn.recv()
            except (EOFError, OSError):
                code = w.proc.exitcode
                self.store.fail(w.study, f"the worker process died (exit code {code}) while "
                                "running this study")
                self._replace(w)
                return
            self._handle(w, msg)

    def _handle(self, w: _Worker, msg: tuple[Any, ...]) -> None:
        kind, sid = msg[0], msg[1]
        if kind == "progress":
            self.store.set_progress(sid, str(msg[2]), float(msg[3]))
            return
        if kind == "done":
            if self.store.finish(sid, msg[2], MEDIA_TYPES):
                self.completed += 1
        else:
            self.store.fail(sid, str(msg[2]))
        w.study = None

    def _replace(self, w: _Worker) -> None:
        i = self.workers.index(w)
        w.kill()
        self.workers[i] = _Worker(self.ctx, self.task)

    def _cancel_flagged(self) -> None:
        flagged = set(self.store.cancel_requested())
        for w in list(self.workers):
            sid = w.study
            if sid is None:
                continue
            if sid in flagged or self.store.get(sid) is None:  # cancelled, or deleted
                w.study = None
                self._replace(w)
                self.store.fail(sid, CANCELLED)
                flagged.discard(sid)
        for rest in flagged:  # flagged but held by no worker (claimed by a dead server)
            self.store.fail(rest, CANCELLED)
