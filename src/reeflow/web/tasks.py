"""The study task: one plain function from a study spec to the files the study writes.

:func:`run_study_task` takes a picklable spec (``{"project": "builtin:NAME"}`` or
``{"project_yaml": "..."}``) and returns ``{file name: bytes}`` — ``results.json`` (the published
schema, :class:`reeflow.results.StudyResults`), ``report.html``, ``summary.json`` (the headline
figures the study list shows) and ``results.xlsx`` when this reeflow has a workbook writer. It
holds no server state, so the same function runs in the server's worker processes today and can
be sent to Dask unchanged (``client.submit(run_study_task, spec)``).

Progress: the chain calls back once per step (plant design, economics, resource, mine plan, plant
by year, economics, market); the sensitivities, claims and report that follow report nothing, so
:class:`ProgressEstimate` turns the step reached and the time spent into an ESTIMATED fraction.
"""

from __future__ import annotations

import importlib
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["run_study_task", "ProgressEstimate", "CHAIN_STEPS", "XLSX_WRITER", "resolve_task",
           "MEDIA_TYPES", "FINAL_STEP"]

#: The chain's steps in order (reeflow.chain.run_chain) and the share of a chain run each takes
#: (measured on the built-in case; only used to place the progress bar).
CHAIN_STEPS: tuple[tuple[str, float], ...] = (
    ("plant design and SX train", 0.20), ("design-basis economics", 0.12), ("resource", 0.25),
    ("mine plan", 0.15), ("plant by year", 0.12), ("economics", 0.10), ("market", 0.06),
)
FINAL_STEP = "sensitivities, claims and report"  # reeflow.study.WHAT_IF_STEP (test)
#: Share of the bar given to the chain itself; the rest is the sensitivities and the report.
_CHAIN_SHARE = 0.15
#: The workbook writer, ``module:function`` taking the results dict and returning the .xlsx
#: bytes (the same one ``reeflow study`` uses). Missing -> the study writes no workbook.
XLSX_WRITER = "reeflow.exports:xlsx_bytes"

MEDIA_TYPES = {
    "results.json": "application/json",
    "report.html": "text/html; charset=utf-8",
    "summary.json": "application/json",
    "results.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def resolve_task(path: str) -> Callable[..., dict[str, bytes]]:
    """The function named ``module:function``."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


class ProgressEstimate:
    """Estimated completed fraction of a study from the chain's step callbacks and the clock.

    Chain steps advance the bar by their measured share of ``_CHAIN_SHARE``. After the last
    step the sensitivities re-run the chain many times with no callback; their duration is
    expected to be ``ratio`` × the chain's own duration (``ratio`` learnt from earlier studies in
    the same worker, :meth:`learn`) and the bar approaches 0.99 along 1 − exp(−t/expected).
    """

    ratio: float = 12.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.t0 = clock()
        self.step: str | None = None
        self.done_share = 0.0
        self.chain_s: float | None = None
        self.tail_t0: float | None = None

    def on_step(self, name: str) -> None:
        shares = dict(CHAIN_STEPS)
        if self.step in shares:
            self.done_share += shares[self.step]
        if name == FINAL_STEP:  # the study announces its what-ifs: the tail starts now
            if self.chain_s is None:
                self.chain_s = max(self.clock() - self.t0, 1e-3)
            if self.tail_t0 is None:
                self.tail_t0 = self.clock()
        self.step = name
        if name == CHAIN_STEPS[-1][0]:
            self.chain_s = max(self.clock() - self.t0, 1e-3)

    def fraction(self) -> float:
        if self.tail_t0 is None and self.step == CHAIN_STEPS[-1][0] and self.chain_s is not None \
                and self.clock() - self.t0 > self.chain_s * 1.2:
            self.tail_t0 = self.t0 + self.chain_s * 1.2
        if self.tail_t0 is None:
            return round(_CHAIN_SHARE * min(self.done_share, 1.0), 4)
        expected = max(self.ratio * (self.chain_s or 1.0), 1.0)
        tail = 1.0 - math.exp(-(self.clock() - self.tail_t0) / expected)
        return round(min(_CHAIN_SHARE + (0.99 - _CHAIN_SHARE) * tail, 0.99), 4)

    def label(self) -> str:
        return FINAL_STEP if self.tail_t0 is not None else (self.step or "starting")

    def learn(self) -> None:
        """After a finished study: update the expected tail/chain ratio (moving average)."""
        if self.chain_s and self.tail_t0 is not None:
            observed = (self.clock() - self.tail_t0) / self.chain_s
            type(self).ratio = 0.5 * type(self).ratio + 0.5 * min(max(observed, 0.5), 500.0)


def _xlsx(results: dict[str, Any]) -> bytes | None:
    module, _, name = XLSX_WRITER.partition(":")
    try:
        writer = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    out = writer(results)
    return bytes(out) if out is not None else None


def run_study_task(spec: Mapping[str, str],
                   progress: Callable[[str, float], None] | None = None) -> dict[str, bytes]:
    """Run one study and return its files (see the module docstring). Raises the chain's
    :class:`~reeflow.core.errors.ReeflowError` on bad input or infeasible specs.

    ``progress(step, fraction)`` is called at each chain step and about once a second after
    the last one (from a helper thread) with an estimated fraction in [0, 1).
    """
    from reeflow.core.jsonio import dumps
    from reeflow.report import render_report
    from reeflow.study import compute_results
    from reeflow.web.inputs import load_spec

    loaded = load_spec(spec)
    est = ProgressEstimate()
    stop = threading.Event()

    def on_step(name: str) -> None:
        est.on_step(name)
        if progress is not None:
            progress(est.label(), est.fraction())

    def ticker() -> None:
        last = None
        while not stop.wait(1.0):
            now = (est.label(), est.fraction())
            if now != last and progress is not None:
                progress(*now)
                last = now

    thread = threading.Thread(target=ticker, name="progress", daemon=True)
    thread.start()
    try:
        result = compute_results(loaded, progress=on_step)
        results = result.to_dict()
        files = {"results.json": result.results.to_json().encode("utf-8"),
                 "report.html": render_report(results).encode("utf-8"),
                 "summary.json": dumps(result.summary()).encode("utf-8")}
        workbook = _xlsx(results)
        if workbook:
            files["results.xlsx"] = workbook
    finally:
        stop.set()
        thread.join(timeout=2.0)
    est.learn()
    return files
