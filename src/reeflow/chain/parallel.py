"""Many what-ifs at once: :func:`what_if_many` answers a list of questions (project-path
overrides) with :func:`reeflow.chain.what_if` itself, on local worker processes when more than
one CPU is free — the same chain, the same numbers as one after the other.

Worker processes re-import a script's ``__main__`` module, so a script that asks for workers
needs the usual ``if __name__ == "__main__":`` guard; the command line (``reeflow study``)
asks for them, the Python API and the web server default to none.

The workers (:class:`WhatIfPool`) start the way the risk room's local workers do
(:func:`reeflow.risk.backends.local_context`: ``forkserver`` where the platform has it, so no
worker inherits this process's HiGHS or OpenMP thread pools, and the server imports the chain's
modules once for all of them). A study starts them before its base chain, on the CPUs the base
chain leaves idle. Each worker receives the project and a copy of this process's step cache once
(:meth:`reeflow.chain.cache.StepCache.export`: the SX design, the deposit, the base mine plan)
and the study's step-file folder, if it keeps one,
so it re-runs only the steps a question's changed inputs reach, exactly as this process would;
the cached results are pure functions of their keys, hence the answers do not depend on where
they ran (``tests/study/test_whatif_parallel.py`` checks it bit for bit) — as long as no step
stops on a wall-clock limit: the study's schedule runs no time-limited branch-and-cut by default
(``mine.schedule_time_limit_s`` = 0), a project that sets one trades that repeatability away.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from reeflow.project import LoadedProject

__all__ = ["what_if_many", "WhatIfPool", "what_workers", "memory_workers", "WORKER_BYTES",
           "sweep_stale"]

_WARM: dict[str, Any] = {"token": None, "base": None}

#: Memory one what-if worker may take: 0.58 GB peak RSS was measured per worker on the built-in
#: case (2026-11-30, docs/benchmarks.md), rounded up; workers are capped so that they fit in
#: the memory available (:func:`memory_workers`)
WORKER_BYTES = 800 * 1024**2
#: No memory cap where the memory available cannot be read (the worker count's own bound)
_NO_CAP = 1024


def memory_workers(available_bytes: int | None = None) -> int:
    """How many what-if workers fit in the memory available now (Linux: ``MemAvailable`` of
    /proc/meminfo; elsewhere no cap), at least 1."""
    if available_bytes is None:
        try:
            with open("/proc/meminfo", encoding="ascii") as fh:
                kb = next(int(line.split()[1]) for line in fh
                          if line.startswith("MemAvailable:"))
        except (OSError, StopIteration, ValueError, IndexError):
            return _NO_CAP
        available_bytes = kb * 1024
    return max(int(available_bytes // WORKER_BYTES), 1)


_RAISE = object()

#: Workers started with the pool, while the base chain runs (the executor starts more when the
#: questions come, up to the pool's size): a modelling choice, the built-in study asks 19
PRESTARTED = 8
#: The modules a what-if runs, imported once by the fork server (before any worker is forked)
#: so that no worker imports them itself
_WHAT_IF_MODULES = ("reeflow.chain.pipeline", "reeflow.chain.cache", "reeflow.mine.plan",
                    "reeflow.mine.schedule", "reeflow.mine.nested", "reeflow.mine.reserve",
                    "reeflow.plant.bastnasite", "reeflow.plant.summary", "reeflow.plant.drivers",
                    "reeflow.plant.energy", "reeflow.plant.residues", "reeflow.plant.water",
                    "reeflow.plant.thermo", "reeflow.plant.sx_adapter", "reeflow.plant.sx",
                    "reeflow.economics.annual", "reeflow.economics.study",
                    "reeflow.economics.capex", "reeflow.deposit.estimate",
                    "reeflow.deposit.resource", "reeflow.deposit.synthetic",
                    "reeflow.market.scenario", "reeflow.market.supply", "highspy", "pymineflow")


class WhatIfPool:
    """Local worker processes for what-ifs, started as soon as the pool is made: a study makes
    it before its base chain, so the workers start and import the chain on the CPUs the base
    chain leaves idle, and are ready when the questions come (``with WhatIfPool(n) as pool``).

    :meth:`ask` sends the base project and this process's step cache to the workers once per
    call (one file in a private temporary folder, read once by each worker and removed when the
    call returns; the folder goes on close), then one task per question; a failure of the
    chain answers None (the caller asks it again).
    """

    def __init__(self, workers: int) -> None:
        import tempfile
        import threading
        from concurrent.futures import ProcessPoolExecutor

        from reeflow.risk.backends import check_workers, local_context

        self.workers = check_workers(workers)
        self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                         mp_context=local_context(_WHAT_IF_MODULES),
                                         initializer=_worker_init,
                                         initargs=(os.getpid(), _started(os.getpid())))
        sweep_stale(tempfile.gettempdir())
        self._dir = tempfile.mkdtemp(prefix="reeflow-whatif-")
        self._lock = _hold(self._dir)
        self._failed: BaseException | None = None
        # the executor starts a worker on a submit, and that waits for the fork server to
        # import the chain: done on a thread of its own, this process goes on meanwhile
        self._starting = threading.Thread(target=self._start, daemon=True)
        self._starting.start()

    def _start(self) -> None:
        try:  # the first ones only: the executor starts more on demand, up to ``workers``
            for _ in range(min(self.workers, PRESTARTED)):
                self._pool.submit(_ready)
        except Exception as exc:  # noqa: BLE001 - a pool that cannot start (no fork server,
            # too many open files) is reported by ask(), where the study warns and goes serial
            self._failed = exc

    def ask(self, base: LoadedProject, questions: Sequence[Mapping[str, Any]]) -> list[Any]:
        """The chain's answer to each question, or None where the chain failed on it."""
        import contextlib
        import pickle
        import uuid

        from reeflow.chain.cache import CACHE

        self._starting.join()
        if self._failed is not None:
            raise self._failed
        if not questions:
            return []
        token = uuid.uuid4().hex
        path = os.path.join(self._dir, f"{token}.pickle")
        try:
            with open(path, "wb") as fh:
                disk = None if CACHE.disk is None else str(CACHE.disk.root)
                pickle.dump((token, base, CACHE.export(), disk), fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            order = sorted(range(len(questions)), key=lambda i: _runs_first(questions[i]))
            futures = {i: self._pool.submit(_task_from, path, token, dict(questions[i]))
                       for i in order}
            return [futures[i].result() for i in range(len(questions))]
        finally:  # every worker that needed it has read it (tens of MB: not left until close)
            with contextlib.suppress(OSError):
                os.remove(path)

    def close(self) -> None:
        import shutil

        self._starting.join()
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._dir, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> WhatIfPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Project sections whose change re-designs the plant (or re-estimates the deposit) and so
#: re-runs every step after it: the longest what-ifs (2.6-3.4 s against 0.3-2.5 s on the
#: built-in case, 2026-12-01), submitted first so that no long one is left to run alone at the
#: end (longest-processing-time-first, Graham 1969, SIAM J. Appl. Math. 17(2):416-429)
_LONG_SECTIONS = ("ore.", "plant.", "deposit.")


def _runs_first(question: Mapping[str, Any]) -> int:
    """0 for a question that changes a section in :data:`_LONG_SECTIONS`, else 1: the order
    of submission only (the answers come back in the questions' order)."""
    return 0 if any(str(k).startswith(_LONG_SECTIONS) for k in question) else 1


def _hold(folder: str) -> int | None:
    """Take an exclusive lock on ``folder``'s lock file for as long as the pool lives (the
    file descriptor returned); None where the platform has no ``fcntl`` (no sweeping there)."""
    try:
        import fcntl
    except ImportError:
        return None
    fd = os.open(os.path.join(folder, "lock"), os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


#: A pool folder younger than this is never swept: its pool may be starting (a tool setting)
_YOUNG_S = 60.0


def sweep_stale(tmp: str | None = None) -> None:
    """Remove the folders of pools whose study was killed before it could (``kill -9``, out of
    memory): ``reeflow-whatif-*`` folders whose lock no process holds any more, in ``tmp``
    (None: the temporary folder). A live pool's lock cannot be taken, whatever process
    namespace it runs in. Every study sweeps (one that reads its steps from disk starts no
    pool: fuzz round 40 found a killed study's 29 MB folder left there)."""
    import glob
    import shutil
    import tempfile

    tmp = tempfile.gettempdir() if tmp is None else tmp

    try:
        import fcntl
    except ImportError:
        return
    import time

    for folder in glob.glob(os.path.join(tmp, "reeflow-whatif-*")):
        try:  # a pool that is starting has made its folder but may not hold its lock yet
            if time.time() - os.stat(folder).st_mtime < _YOUNG_S:
                continue
            fd = os.open(os.path.join(folder, "lock"), os.O_RDWR)
        except OSError:  # no lock file: not a pool's folder, or being made right now
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: a live pool
            continue
        finally:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)


def _ready() -> None:
    """A worker's first task: nothing (it makes the executor start the process)."""


def _started(pid: int) -> str | None:
    """When process ``pid`` started (Linux: field 22 of /proc/PID/stat), to tell it from a
    later process given the same pid; None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str | None) -> bool:
    """Whether the process ``pid`` that started at ``started`` still runs."""
    if started is not None:
        return _started(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: a process runs under that pid
        return True
    return True


def _worker_init(study_pid: int, study_started: str | None) -> None:
    """A worker leaves Ctrl-C to the study (which closes the pool), and exits when the study
    is gone (killed: nothing else ends an idle worker, and the fork server waits for its
    workers)."""
    import signal
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while _alive(study_pid, study_started):
            time.sleep(1.0)
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def _task_from(path: str, token: str, overrides: dict[str, Any]) -> Any:
    """A worker's what-if; the base project and step cache are read from ``path`` the first
    time ``token`` is seen. Any failure of the chain (a refused input, an infeasible spec, a
    solver that did not converge) answers None: the caller asks it again in its own process,
    which answers or raises exactly as it would without workers."""
    import pickle

    from reeflow.chain.cache import CACHE, DiskTier
    from reeflow.chain.pipeline import what_if

    if _WARM["token"] != token:
        with open(path, "rb") as fh:
            _, base, store, disk = pickle.load(fh)
        CACHE.install(store)
        CACHE.disk = None if disk is None else DiskTier(disk)  # the study's own setting
        _WARM.update(token=token, base=base)
    try:
        return what_if(_WARM["base"], overrides)
    except Exception:  # noqa: BLE001 - see the docstring
        return None


def what_workers(workers: int | None) -> int:
    """How many what-if workers to start: ``workers`` (None: every CPU this process may use,
    :func:`reeflow.risk.backends.default_workers`), at most as many as fit in the memory
    available (:func:`memory_workers`); 1: none (the what-ifs run in this process)."""
    from reeflow.risk.backends import check_workers, default_workers

    return min(default_workers() if workers is None else check_workers(workers),
               memory_workers())


def what_if_many(base: LoadedProject, questions: Sequence[Mapping[str, Any]], *,
                 workers: int | None = None, refused: Any = _RAISE,
                 pool: WhatIfPool | None = None) -> list[Any]:
    """``[what_if(base, q) for q in questions]``, on ``pool`` when given, else on ``workers``
    local processes (:func:`what_workers`, at most one per question; 1 runs them here, one
    after the other). A question the chain fails on (a refused input, an infeasible spec, a
    solver that did not converge) is asked again in this process, so it raises here as
    :func:`what_if` would; with ``refused=None`` its answer is None instead, and it is not run
    again (the caller asks it itself)."""
    qs = [dict(q) for q in questions]
    if pool is not None:
        out = pool.ask(base, qs)
    else:
        n = min(what_workers(workers), len(qs))
        if n <= 1:
            return [_ask(base, q, refused) for q in qs]
        with WhatIfPool(n) as own:
            out = own.ask(base, qs)
    if refused is not _RAISE:
        return [refused if o is None else o for o in out]
    return [o if o is not None else _ask(base, q, refused) for o, q in zip(out, qs, strict=True)]


def _ask(base: LoadedProject, question: dict[str, Any], refused: Any) -> Any:
    from reeflow.chain.pipeline import what_if

    if refused is _RAISE:
        return what_if(base, question)
    try:
        return what_if(base, question)
    except Exception:  # noqa: BLE001 - as a worker does (_task_from): the caller asks again
        return refused
