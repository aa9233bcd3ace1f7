"""Many what-ifs at once: :func:`what_if_many` answers a list of questions (project-path
overrides) with :func:`reeflow.chain.what_if` itself, on local worker processes when more than
one CPU is free — the same chain, the same numbers as one after the other.

Worker processes re-import a script's ``__main__`` module, so a script that asks for workers
needs the usual ``if __name__ == "__main__":`` guard; the command line (``reeflow study``)
asks for them, the Python API and the web server default to none.

The workers are the risk room's local backend (:class:`reeflow.risk.backends.ProcessRunner`:
``forkserver`` where the platform has it, so no worker inherits this process's HiGHS or OpenMP
thread pools). Each worker receives the project and a copy of this process's step cache once
(:meth:`reeflow.chain.cache.StepCache.export`: the SX design, the deposit, the base mine plan),
so it re-runs only the steps a question's changed inputs reach, exactly as this process would;
the cached results are pure functions of their keys, hence the answers do not depend on where
they ran (``tests/study/test_whatif_parallel.py`` checks it bit for bit) — as long as no step
stops on a wall-clock limit: the study's schedule runs no time-limited branch-and-cut by default
(``mine.schedule_time_limit_s`` = 0), a project that sets one trades that repeatability away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reeflow.project import LoadedProject

__all__ = ["what_if_many", "memory_workers", "WORKER_BYTES"]

_WARM: dict[str, Any] = {"token": None}

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


def _task(shared: tuple[str, LoadedProject, dict[str, Any]], overrides: dict[str, Any]) -> Any:
    from reeflow.chain.cache import CACHE
    from reeflow.chain.pipeline import what_if

    token, base, store = shared
    if _WARM["token"] != token:
        CACHE.install(store)
        _WARM["token"] = token
    try:
        return what_if(base, overrides)
    except Exception:  # noqa: BLE001 - any failure of the chain (a refused input, an infeasible
        # spec, a solver that did not converge) is asked again in the caller's process, which
        # answers or raises exactly as it would without workers
        return None


_RAISE = object()


def what_if_many(base: LoadedProject, questions: Sequence[Mapping[str, Any]], *,
                 workers: int | None = None, refused: Any = _RAISE) -> list[Any]:
    """``[what_if(base, q) for q in questions]``, on ``workers`` local processes (default
    :func:`reeflow.risk.backends.default_workers`, at most one per question and as many as fit
    in the memory available, :func:`memory_workers`; 1 runs them here, one after the other).
    A question the chain fails on (a refused input, an infeasible spec, a solver that did not
    converge) is asked again in this process, so it raises here as :func:`what_if` would; with
    ``refused=None`` its answer is None instead, and it is not run again (the caller asks it
    itself)."""
    import uuid

    from reeflow.chain.cache import CACHE
    from reeflow.risk.backends import ProcessRunner, check_workers, default_workers

    qs = [dict(q) for q in questions]
    n = min(default_workers() if workers is None else check_workers(workers), len(qs),
            memory_workers())
    if n <= 1:
        return [_ask(base, q, refused) for q in qs]

    shared = (uuid.uuid4().hex, base, CACHE.export())
    out = ProcessRunner(n).map(_task, [(q,) for q in qs], shared)
    if refused is not _RAISE:
        return [refused if o is None else o for o in out]
    return [o if o is not None else _ask(base, q, refused) for o, q in zip(out, qs, strict=True)]


def _ask(base: LoadedProject, question: dict[str, Any], refused: Any) -> Any:
    from reeflow.chain.pipeline import what_if

    if refused is _RAISE:
        return what_if(base, question)
    try:
        return what_if(base, question)
    except Exception:  # noqa: BLE001 - as a worker does (_task): the caller asks it again
        return refused
