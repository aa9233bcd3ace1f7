"""Sensitivities that re-run the chain: tornado, spider and a two-input grid.

Every point is :func:`reeflow.chain.what_if` — the same chain the study runs (plant, pit,
schedule and cash flow re-solved), on the project with one or two inputs changed — so a
sensitivity, a claim check and a scenario that ask the same question give the same number.
Inputs are named by their project path; their low and high ends are the ranges the project file
states (``range:`` in the input's provenance). One-at-a-time sensitivity as in Saltelli et al.
(2008), *Global Sensitivity Analysis: The Primer*, Wiley, §1.2 (tornado), Eschenbach (1992)
"Spiderplots versus tornado diagrams for sensitivity analysis", Interfaces 22(6):40–46.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from reeflow.core.errors import InputError, NoOreError
from reeflow.project import LoadedProject

__all__ = ["tornado", "spider", "grid", "default_inputs", "LABELS", "input_label",
           "grade_input", "CachedRunner",
           "QuestionRecorder", "grade_price_grid", "asked"]

#: Human labels of common inputs (anything else shows its path).
LABELS = {
    "ore.treo_grade": "Head grade (TREO)",
    "plant.beneficiation.ree_recovery": "Beneficiation REE recovery",
    "plant.leach.ree_dissolution": "Leach REE dissolution",
    "economics.price_scale_ndpr": "NdPr price",
    "economics.price_scale_other": "Other REO prices",
    "economics.price_scale_byproduct": "Fluorspar and barite prices",
    "economics.capex_scale": "Capital cost",
    "economics.opex_scale": "Operating cost",
    "ore.caf2_grade": "CaF2 head grade",
    "ore.baso4_grade": "BaSO4 head grade",
    "ore.tho2_grade": "ThO2 head grade",
    "deposit.grade_factor": "Head grade (× the estimate)",
}


def _own_data(loaded: LoadedProject) -> bool:
    d = loaded.project.deposit
    return bool(d.run and d.drillholes is not None)


def input_label(loaded: LoadedProject, path: str) -> str:
    """The label of an input in this project: on a project with its own drillholes the head
    grade is the deposit's estimate (``deposit.grade_factor`` scales it) and
    ``ore.treo_grade`` is the plant's design basis only, so it is labelled as such."""
    if path == "ore.treo_grade" and _own_data(loaded):
        return "Design-basis grade (plant only; the drillholes set the feed)"
    return LABELS.get(path, path)


def grade_input(loaded: LoadedProject) -> str:
    """The input that moves the head grade the mine feeds: ``deposit.grade_factor`` on a project
    with its own drillholes (never rescaled otherwise), ``ore.treo_grade`` where the deposit is
    SYNTHETIC (calibrated to it) or absent (a flat schedule at it)."""
    return "deposit.grade_factor" if _own_data(loaded) else "ore.treo_grade"

Runner = Callable[[LoadedProject, Mapping[str, Any]], Any]


def default_inputs(loaded: LoadedProject) -> list[str]:
    """The project's ``economics.sensitivity_inputs``, else every input with a stated range."""
    from reeflow.risk.inputs import ranged_inputs, unranged_input

    listed = list(loaded.project.economics.sensitivity_inputs)
    twice = sorted({p for p in listed if listed.count(p) > 1})
    if twice:
        raise InputError("economics.sensitivity_inputs", twice, "each input once",
                         "remove the repeated path (the tornado would show it twice)")
    ranged = ranged_inputs(loaded)
    for path in listed:
        if path not in ranged:
            raise unranged_input(loaded, "economics.sensitivity_inputs", path, ranged)
    return listed or list(ranged)


class CachedRunner:
    """A :data:`Runner` that re-runs the chain once per distinct project: the key is the
    validated project itself, so ``{"ore.treo_grade": "1 %"}``, ``{"ore.treo_grade": 0.01}``
    and a grid cell at the base value of one of its inputs share one run (the tornado's ends are
    the spider's ends and the grid's edge cells; a claim's what-if reuses them too).
    ``runs`` counts the chain runs made, ``hits`` the questions answered from memory."""

    def __init__(self, run: Runner | None = None) -> None:
        from reeflow.chain import what_if

        self._chain = lambda lp: what_if(lp, {})  # also fills the chain's own outcome cache
        self._run = run
        self.store: dict[str, Any] = {}
        self._fresh: set[str] = set()
        self.runs = 0
        self.hits = 0

    @staticmethod
    def key(loaded: LoadedProject) -> str:
        import hashlib

        return hashlib.sha256(loaded.project.model_dump_json(by_alias=True).encode()).hexdigest()

    def seed(self, loaded: LoadedProject, outcome: Any) -> None:
        """Record a chain outcome already computed for ``loaded`` (e.g. the study's base)."""
        self.store[self.key(loaded)] = outcome

    def __call__(self, loaded: LoadedProject, overrides: Mapping[str, Any]) -> Any:
        from reeflow.chain import with_overrides

        lp = with_overrides(loaded, overrides) if overrides else loaded
        key = self.key(lp)
        if key in self._fresh:  # prefetched: its first question counts as the run
            self._fresh.discard(key)
            self.runs += 1
            return _answer(self.store[key])
        if key in self.store:
            self.hits += 1
            return _answer(self.store[key])
        self.runs += 1
        try:
            out = self._run(loaded, overrides) if self._run is not None else self._chain(lp)
        except NoOreError as exc:  # an answer: "no ore pays" (kept, so it is not re-run)
            if not overrides:
                raise
            self.store[key] = exc
            raise
        except InputError as exc:
            if not overrides:
                raise
            raise _what_if_refused(overrides, exc) from exc
        self.store[key] = out
        return out

    def prefetch(self, loaded: LoadedProject, questions: Sequence[Mapping[str, Any]], *,
                 workers: int | None = None, pool: Any = None) -> int:
        """Answer the distinct questions not yet answered all at once, on worker processes
        (:func:`reeflow.chain.parallel.what_if_many`: the same chain, the same numbers), so the
        callers that ask them next find them here. A question the chain refuses is left to
        be asked (and refused) again. ``pool``: a started
        :class:`~reeflow.chain.parallel.WhatIfPool` to use instead of ``workers`` new ones.
        Returns the number of chain runs made."""
        from reeflow.chain import with_overrides
        from reeflow.chain.parallel import what_if_many

        if self._run is not None:
            return 0
        todo: dict[str, Mapping[str, Any]] = {}
        for q in questions:
            try:
                lp = with_overrides(loaded, q) if q else loaded
            except InputError:
                continue
            key = self.key(lp)
            if key not in self.store and key not in todo:
                todo[key] = q
        if len(todo) < 2:
            return 0
        try:
            outs = what_if_many(loaded, list(todo.values()), workers=workers, refused=None,
                                pool=pool)
        except Exception as exc:  # noqa: BLE001 - the workers return the chain's own failures
            # as None (asked again here), so what escapes is the pool's: a broken pool, an
            # object that does not pickle, an OS limit. The callers then ask here, one by one,
            # and any error of the chain itself surfaces there.
            warnings.warn(f"reeflow: the what-if workers failed ({type(exc).__name__}: {exc}); "
                          "the what-ifs run in this process", RuntimeWarning, stacklevel=2)
            return 0
        for key, out in zip(todo, outs, strict=True):
            if out is not None:
                self.store[key] = out
                self._fresh.add(key)
        return sum(o is not None for o in outs)


def _answer(stored: Any) -> Any:
    if isinstance(stored, NoOreError):
        raise stored
    return stored


def npv_or_no_ore(run: Runner, loaded: LoadedProject, overrides: Mapping[str, Any],
                  rate: float) -> tuple[float | None, str | None]:
    """NPV at ``rate`` of the chain on ``overrides``, or (None, why) where its mine plan sends
    no ore (:class:`~reeflow.core.errors.NoOreError`: at that value the project produces
    nothing, so it has no NPV to show)."""
    npv, why, _ = _end(run, loaded, overrides, rate)
    return npv, why


#: the way NPV moves as each input rises where economics says which (+1 up, -1 down): a bar
#: that moves otherwise is explained by its mine plans (fuzz round 17: a sub-economic project's
#: NPV rose as the NdPr price fell, its pit shrinking to one year and its plant with it)
EXPECTED_SIGN = {"economics.price_scale_ndpr": 1, "economics.price_scale_other": 1,
                 "economics.price_scale_byproduct": 1, "economics.capex_scale": -1,
                 "economics.opex_scale": -1}


def _end(run: Runner, loaded: LoadedProject, overrides: Mapping[str, Any], rate: float
         ) -> tuple[float | None, str | None, dict[str, float] | None]:
    """One end of a tornado bar: NPV (None where no ore pays), why not, and its plan's size."""
    try:
        outcome = run(loaded, overrides)
    except NoOreError as exc:
        return None, f"no ore pays at {asked(overrides)} ({exc.fix})", None
    return float(outcome.npv_usd(rate)), None, plan_size(outcome)


def plan_size(outcome: Any) -> dict[str, float] | None:
    """The ore a chain outcome's schedule feeds and its producing years (None without one)."""
    sched = getattr(getattr(outcome, "mine", None), "schedule", None)
    if sched is None or "ore_t" not in getattr(sched, "columns", ()):
        return None
    ore = sched["ore_t"].to_numpy(float)
    return {"ore_t": float(ore.sum()), "years": float((ore > 0).sum())}


def plan_text(plan: Mapping[str, float]) -> str:
    """A mine plan's size as the texts say it: ``11.09 Mt over 19 years``."""
    return (f"{plan['ore_t'] / 1e6:,.2f} Mt over {plan['years']:.0f} "
            f"year{'' if plan['years'] == 1 else 's'}")


def _against(row: Mapping[str, Any], plans: tuple[dict[str, float] | None, ...]
             ) -> tuple[str, bool] | None:
    """Why a bar moves NPV against the way economics says (None where it does not), and whether
    the plan moved between its ends: the chain re-plans the mine at each end, choosing the pit
    by its pre-tax block value and sizing the plant to the plan, so a smaller loss-making plan
    can lose less."""
    sign = EXPECTED_SIGN.get(str(row["input"]))
    lo, base, hi = row["npv_low_usd"], row["base_npv_usd"], row["npv_high_usd"]
    if sign is None or lo is None or hi is None or base is None:
        return None
    tol = 1e-9 * max(abs(lo), abs(base), abs(hi), 1.0)
    if sign * (base - lo) >= -tol and sign * (hi - base) >= -tol:
        return None
    known = [p for p in plans if p is not None]
    if len(known) < len(plans):
        return f"NPV moves against {row['label']} (the plans at its ends are not known)", False
    if known[0] == known[1] == known[2]:  # not a re-plan: say only what moved
        return f"NPV moves against {row['label']}, the mine plan the same at its ends", False
    size = [plan_text(p) for p in known]
    return (f"NPV moves against {row['label']}: the mine plan holds {size[0]} at the low "
            f"end, {size[1]} at the base and {size[2]} at the high end"), True


#: why a bar can move against its input (said once after the bars that do, where a plan moved)
AGAINST_WHY = ("The chain re-plans the mine at each end of a bar (the pit chosen by its pre-tax "
               "block value, the plant sized to the plan), and where the plan loses money a "
               "smaller one loses less.")


def asked(overrides: Mapping[str, Any]) -> str:
    """A what-if as the study's texts name it: ``path = value, path = value``."""
    return ", ".join(f"{k} = {v}" for k, v in overrides.items())


def _what_if_refused(overrides: Mapping[str, Any], exc: InputError) -> InputError:
    """The chain's refusal of a what-if, naming the question the study asked (the end of an
    input's stated range, a claim's or a scenario's value) as well as the limit it hit."""
    return InputError(", ".join(overrides), asked(overrides), f"a value the chain can answer ({exc})",
                      "the study asks this what-if for a sensitivity (the ends of the range "
                      "stated for the input), a claim or a scenario: narrow that range, or "
                      "change the claim or scenario")


class QuestionRecorder:
    """A :data:`Runner` that answers every question with one outcome and records the
    questions: a dry run of a report's consumers with it lists the what-ifs they will ask,
    for :meth:`CachedRunner.prefetch` (the answers it gives are discarded)."""

    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome
        self.questions: list[dict[str, Any]] = []

    def __call__(self, loaded: LoadedProject, overrides: Mapping[str, Any]) -> Any:
        self.questions.append(dict(overrides))
        return self.outcome


def _runner(runner: Runner | None) -> Runner:
    if runner is not None:
        return runner
    from reeflow.chain import what_if

    return what_if


def tornado(loaded: LoadedProject, *, inputs: Sequence[str] | None = None,
            rate: float = 0.08, runner: Runner | None = None) -> list[dict[str, Any]]:
    """NPV at the low and high end of each input's stated range (others at the project's
    values), sorted widest swing first; an end at which no ore pays has NPV None, a ``note``
    saying so, and sorts first (:func:`npv_or_no_ore`)."""
    from reeflow.risk import ranged_inputs

    run = _runner(runner)
    ranged = ranged_inputs(loaded)
    base_outcome = run(loaded, {})
    base = base_outcome.npv_usd(rate)
    rows = []
    for path in (list(inputs) if inputs is not None else default_inputs(loaded)):
        lo, value, hi = ranged[path]
        n_lo, why_lo, plan_lo = _end(run, loaded, {path: lo}, rate)
        n_hi, why_hi, plan_hi = _end(run, loaded, {path: hi}, rate)
        swing = abs(n_hi - n_lo) if n_lo is not None and n_hi is not None else None
        row = {"input": path, "label": input_label(loaded, path), "value": value,
               "low": lo, "high": hi, "npv_low_usd": n_lo, "npv_high_usd": n_hi,
               "base_npv_usd": base, "swing_usd": swing, "rate_frac": rate}
        if why_lo or why_hi:
            row["note"] = "; ".join(w for w in (why_lo, why_hi) if w)
        against = _against(row, (plan_lo, plan_size(base_outcome), plan_hi))
        if against:
            row["against"], row["against_replanned"] = against
        rows.append(row)
    # an end at which no ore pays first: the project stops producing there
    return sorted(rows, key=lambda r: -np.inf if r["swing_usd"] is None else -r["swing_usd"])


def spider(loaded: LoadedProject, *, inputs: Sequence[str] | None = None,
           steps: Sequence[float] = (0.0, 0.5, 1.0), rate: float = 0.08,
           runner: Runner | None = None) -> list[dict[str, Any]]:
    """NPV along each input's stated range: at the low end (0), the project value (0.5) and the
    high end (1) by default — long format rows (input, position, value, npv_usd; None with a
    ``note`` where no ore pays)."""
    from reeflow.risk import ranged_inputs

    run = _runner(runner)
    ranged = ranged_inputs(loaded)
    rows = []
    for path in (list(inputs) if inputs is not None else default_inputs(loaded)):
        lo, value, hi = ranged[path]
        for s in steps:
            x = value if s == 0.5 else (lo + (value - lo) * 2 * s if s < 0.5
                                        else value + (hi - value) * (2 * s - 1))
            npv, why = npv_or_no_ore(run, loaded, {path: x} if s != 0.5 else {}, rate)
            rows.append({"input": path, "label": input_label(loaded, path), "position": s,
                         "value": x, "npv_usd": npv, **({"note": why} if why else {})})
    return rows


def grid(loaded: LoadedProject, x: tuple[str, Sequence[float]], y: tuple[str, Sequence[float]],
         *, rate: float = 0.08, runner: Runner | None = None) -> dict[str, Any]:
    """NPV over a grid of two inputs (e.g. head grade × NdPr price): the same chain per cell
    (None where no ore pays)."""
    run = _runner(runner)
    (px, xs), (py, ys) = x, y
    npv = [[npv_or_no_ore(run, loaded, {px: float(a), py: float(b)}, rate)[0] for a in xs]
           for b in ys]
    return {"x_input": px, "x": [float(a) for a in xs], "y_input": py,
            "y": [float(b) for b in ys], "npv_usd": npv, "rate_frac": rate}


def grade_price_grid(loaded: LoadedProject, *, rate: float = 0.08, runner: Runner | None = None,
                     grade: str | None = None, price: str = "economics.price_scale_ndpr",
                     extra_grades: Sequence[float] = ()) -> dict[str, Any] | None:
    """NPV over head grade × NdPr price at the low end, the project value and the high end of
    each one's stated range (plus ``extra_grades``, e.g. the grade a production target needs):
    the same chain per cell. ``grade`` None: :func:`grade_input`. None when either input
    states no range."""
    from reeflow.risk import ranged_inputs

    grade = grade_input(loaded) if grade is None else grade
    ranged = ranged_inputs(loaded)
    if grade not in ranged or price not in ranged:
        return None
    gs = sorted({*ranged[grade], *(float(g) for g in extra_grades)})
    out = grid(loaded, (grade, gs), (price, sorted(set(ranged[price]))), rate=rate,
               runner=runner)
    out.update({"x_label": input_label(loaded, grade), "y_label": input_label(loaded, price),
                "x_base": ranged[grade][1], "y_base": ranged[price][1]})
    return out
