"""Progress on the command line: one bar on stderr, shown only to a person at a terminal.

Rooms report progress through a plain callback, ``progress(done, total)`` (:data:`ProgressFn`),
and know nothing of terminals; the command line passes a :class:`ProgressBar` (or None). The bar
is drawn on stderr, never on stdout (``--json`` output stays one JSON object), and only when
stderr is a terminal: piped or captured runs, CI logs and ``--json`` runs see nothing.
``REEFLOW_PROGRESS=0`` turns it off, ``REEFLOW_PROGRESS=1`` forces it on (for tests and logs).

:func:`announce_compilation` prints a one-time line when Numba compiles reeflow's kernels (the
first run after installing; the compiled code is cached on disk for every later run).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

__all__ = ["ProgressFn", "ProgressBar", "StepProgress", "progress_enabled",
           "announce_compilation", "COMPILE_NOTICE"]

#: The callback a room calls: ``progress(done, total)`` after each unit of work.
ProgressFn = Callable[[int, int], None]


def progress_enabled(stream: IO[str] | None = None) -> bool:
    """True when progress should be drawn on ``stream`` (default stderr): a terminal, unless
    ``REEFLOW_PROGRESS`` says otherwise."""
    env = os.environ.get("REEFLOW_PROGRESS")
    if env in ("0", "1"):
        return env == "1"
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _clock(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressBar:
    """``label [########------------] 12/50  0:12, ~0:38 left`` on one line of stderr.

    Call it as ``bar(done, total)``; it redraws at most every ``min_interval_s`` (and always
    at the end) and ends its line when ``done == total`` or when closed. Use it as a context
    manager so the line is ended even when the work fails.
    """

    def __init__(self, label: str, *, enabled: bool = True, stream: IO[str] | None = None,
                 width: int = 24, min_interval_s: float = 0.1) -> None:
        self.label, self.width, self.min_interval_s = label, width, min_interval_s
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled and (stream is not None or progress_enabled(self.stream))
        self._t0 = time.monotonic()
        self._last = -1.0
        self._open = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        final = total > 0 and done >= total
        if not final and now - self._last < self.min_interval_s:
            return
        self._last = now
        self.stream.write("\r" + self.line(done, total, now - self._t0))
        self._open = True
        if final:
            self.stream.write("\n")
            self._open = False
        self.stream.flush()

    def line(self, done: int, total: int, elapsed_s: float) -> str:
        """The text of the bar after ``done`` of ``total`` units in ``elapsed_s`` seconds."""
        frac = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
        filled = int(round(frac * self.width))
        left = (f", ~{_clock(elapsed_s * (total - done) / done)} left"
                if 0 < done < total else "")
        return (f"{self.label} [{'#' * filled}{'-' * (self.width - filled)}] {done}/{total}  "
                f"{_clock(elapsed_s)}{left}")

    def close(self) -> None:
        if self.enabled and self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class StepProgress:
    """Named steps of a long run (the study's chain): ``[3] resource …`` on stderr, one line
    each, only at a terminal. Called as ``progress(step_name)``."""

    def __init__(self, *, enabled: bool = True, stream: IO[str] | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled and (stream is not None or progress_enabled(self.stream))
        self.step = 0
        self._t0 = time.monotonic()

    def __call__(self, name: str) -> None:
        self.step += 1
        if self.enabled:
            self.stream.write(f"[{self.step}] {name} …  ({_clock(time.monotonic() - self._t0)})\n")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.step:
            self.stream.write(f"done in {_clock(time.monotonic() - self._t0)}\n")
            self.stream.flush()


#: The compile notice: installed once per process, shown at most once.
_NOTICE = {"installed": False, "shown": False}
COMPILE_NOTICE = ("reeflow: compiling numerical kernels (once after installing; about half a "
                  "minute, cached for every later run) …")


def announce_compilation(stream: IO[str] | None = None) -> bool:
    """Print once, when Numba first compiles a kernel in this process (a cache miss), that the
    numerical kernels are being compiled and that this happens once. Only at a terminal (see
    :func:`progress_enabled`). Returns whether the listener was installed."""
    out: IO[str] = sys.stderr if stream is None else stream
    if _NOTICE["installed"] or not progress_enabled(out):
        return False
    from numba.core import event

    class _Notice(event.Listener):  # type: ignore[misc]
        def on_start(self, ev: Any) -> None:
            if not _NOTICE["shown"]:
                _NOTICE["shown"] = True
                out.write(COMPILE_NOTICE + "\n")
                out.flush()

        def on_end(self, ev: Any) -> None:
            """Nothing to say when a compile ends (numba's Listener requires the method)."""

    event.register("numba:compile", _Notice())
    _NOTICE["installed"] = True
    return True
