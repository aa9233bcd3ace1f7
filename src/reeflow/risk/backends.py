"""Where the Monte Carlo runs: in this process, on local worker processes, or on a Dask
distributed cluster — with identical results.

Every backend maps one picklable function over a list of tasks that do not depend on each
other, with one shared object (the fast model, a few MB) sent to each worker once. The tasks
are fixed before any backend sees them (draws are made up front from the seed, chunks are cut
by draw index only), and each task is a pure function of its arguments, so the numbers do not
depend on the backend or the number of workers (a test checks it bit for bit).

- ``local`` (default): ``concurrent.futures.ProcessPoolExecutor`` (standard library, no extra
  install) with the ``forkserver`` start method where the platform has it (``spawn``
  elsewhere): workers are forked from a clean server process that has imported numpy, pandas
  and this package once — never from this process, whose solver thread pools (HiGHS, BLAS)
  could leave a forked child holding a lock; one worker runs in this process without a pool.
- ``dask``: ``--scheduler ADDRESS`` connects ``distributed.Client`` to an existing cluster
  (``pip install reeflow[distributed]``), broadcasts the shared object with ``scatter`` and
  maps the tasks; results are gathered in task order.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from reeflow.core.errors import InputError

__all__ = ["Runner", "SerialRunner", "ProcessRunner", "DaskRunner", "make_runner", "Progress",
           "default_workers", "check_workers", "local_context"]

_SHARED: dict[str, Any] = {}
#: Modules the fork server imports once, so that each worker starts in milliseconds.
_PRELOAD = ("numpy", "pandas", "scipy.special", "scipy.interpolate", "reeflow.risk.fast",
            "reeflow.risk.build", "reeflow.chain")


def _init_worker(shared: Any) -> None:
    _SHARED["value"] = shared


def _call_shared(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return fn(_SHARED["value"], *args)


def _call_with(fn: Callable[..., Any], shared: Any, args: tuple[Any, ...]) -> Any:
    return fn(shared, *args)


class Progress:
    """A progress bar on stderr: drawn only when stderr is a terminal and not disabled (the
    ``--json`` output and pipes stay clean)."""

    def __init__(self, label: str, total: int, *, enabled: bool | None = None,
                 stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", lambda: False)()
        self.enabled = bool(isatty if enabled is None else enabled and isatty)
        self.label, self.total, self.done = label, max(int(total), 1), 0
        self.t0 = time.perf_counter()

    def advance(self, k: int = 1) -> None:
        self.done = min(self.done + k, self.total)
        if not self.enabled:
            return
        frac = self.done / self.total
        bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
        el = time.perf_counter() - self.t0
        eta = el / frac - el if frac > 0 else float("nan")
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} "
                          f"{el:5.1f} s (eta {eta:5.1f} s) ")
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


class Runner(ABC):
    """Maps ``fn(shared, *task)`` over tasks; results in task order."""

    workers = 1
    name = "serial"

    @abstractmethod
    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], shared: Any = None,
            progress: Progress | None = None) -> list[Any]:
        """``[fn(shared, *t) for t in tasks]`` in task order: the one method a backend
        overrides."""

    def close(self) -> None:
        """Release the backend's resources (nothing to do for local backends)."""
        return None

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "workers": self.workers}


class SerialRunner(Runner):
    """In this process, one task after the other."""

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], shared: Any = None,
            progress: Progress | None = None) -> list[Any]:
        out = []
        for t in tasks:
            out.append(fn(shared, *t))
            if progress is not None:
                progress.advance()
        return out


class ProcessRunner(Runner):
    """Local worker processes (standard library)."""

    name = "local"

    def __init__(self, workers: int) -> None:
        self.workers = int(workers)
        self.context = local_context()

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], shared: Any = None,
            progress: Progress | None = None) -> list[Any]:
        if self.workers <= 1 or len(tasks) <= 1:
            return SerialRunner().map(fn, tasks, shared, progress)
        out: list[Any] = [None] * len(tasks)
        with ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)),
                                 mp_context=self.context, initializer=_init_worker,
                                 initargs=(shared,)) as pool:
            futures = {pool.submit(_call_shared, fn, tuple(t)): i for i, t in enumerate(tasks)}
            for fut in as_completed(futures):
                out[futures[fut]] = fut.result()
                if progress is not None:
                    progress.advance()
        return out


class DaskRunner(Runner):
    """An existing Dask distributed cluster at ``address`` (``tcp://host:8786``)."""

    name = "dask"

    def __init__(self, address: str, *, timeout_s: float = 20.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--scheduler", address, "an installed Dask distributed "
                             "(pip install 'reeflow[distributed]')",
                             "install distributed or run without --scheduler") from None
        try:
            self.client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError("--scheduler", address, "the address of a running Dask scheduler",
                             f"start one (dask scheduler) or check the address ({exc})") from None
        self.workers = max(sum(self.client.nthreads().values()), 1)

    def map(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], shared: Any = None,
            progress: Progress | None = None) -> list[Any]:
        from distributed import as_completed as dask_completed

        if not tasks:
            return []
        with self.client.as_current():
            ref = self.client.scatter(shared, broadcast=True) if shared is not None else None
            futures = [self.client.submit(_call_with, fn, ref, tuple(t), pure=False)
                       for t in tasks]
            index = {f.key: i for i, f in enumerate(futures)}
            out: list[Any] = [None] * len(tasks)
            for fut in dask_completed(futures):
                out[index[fut.key]] = fut.result()
                if progress is not None:
                    progress.advance()
        return out

    def close(self) -> None:
        self.client.close()

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "workers": self.workers,
                "scheduler": str(self.client.scheduler.address)}


def local_context(preload: Sequence[str] = _PRELOAD) -> Any:
    """The start method of local workers: ``forkserver`` where the platform has it (the server
    imports ``preload`` once and forks every worker from that clean state), else ``spawn``.
    The fork server is one per process: the first caller's ``preload`` is the one it imports."""
    if "forkserver" in mp.get_all_start_methods():
        context = mp.get_context("forkserver")
        context.set_forkserver_preload(list(dict.fromkeys([*_PRELOAD, *preload])))
        return context
    return mp.get_context("spawn")


def default_workers() -> int:
    """Local worker processes when none are asked for: ``REEFLOW_WORKERS`` when set, else the
    CPUs this process may use."""
    env = os.environ.get("REEFLOW_WORKERS")
    if env:
        try:
            n: Any = int(env)
        except ValueError:
            n = env
        return check_workers(n, field="REEFLOW_WORKERS")
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else (os.cpu_count() or 1)


def check_workers(workers: Any, *, field: str = "--workers") -> int:
    """``workers`` when it is an integer 1..1024, else an InputError naming ``field``."""
    if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= 1024:
        raise InputError(field, workers, "an integer 1..1024",
                         "give the number of worker processes (1: none, all in this process)")
    return workers


def make_runner(*, workers: int | None = None, scheduler: str | None = None) -> Runner:
    """The backend: a Dask cluster when ``scheduler`` is given, else ``workers`` local
    processes (default: :func:`default_workers`)."""
    if scheduler:
        return DaskRunner(scheduler)
    workers = default_workers() if workers is None else check_workers(workers)
    return ProcessRunner(workers) if workers > 1 else SerialRunner()
