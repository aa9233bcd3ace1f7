"""A study: load a project, run the chain, build the typed results, write the report.

``run_study(project, out_dir=...)`` writes ``report.html`` and ``results.json`` (each file whole
or not at all, see :mod:`reeflow.core.io`); ``compute_results`` does the same in memory. The
returned :class:`StudyResult` is also the notebook object: a short ``repr``, an HTML view of the
headline figures, ``tables()`` as DataFrames and the typed ``results``.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reeflow.core.units import npv_label
from reeflow.project import LoadedProject, Project, load_project
from reeflow.results import SCHEMA_VERSION, AssumptionRow, ClaimRow, StudyResults

__all__ = ["run_study", "StudyResult", "compute_results", "build_results", "WHAT_IF_STEP"]

#: The progress step announced after the chain's own steps, while the what-ifs (tornado, spider,
#: grid, claims, floor case) re-run the chain and the results are assembled
WHAT_IF_STEP = "sensitivities, claims and report"
#: the files a study writes into its output folder
STUDY_FILES = ("results.json", "report.html", "results.xlsx", "report.pdf")


@dataclass
class StudyResult:
    """The typed results of a study, where they were written, and the chain's outcome."""

    results: StudyResults
    out_dir: Path | None = None
    outcome: Any = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """results.json as a dict."""
        return self.results.to_dict()

    def summary(self) -> dict[str, Any]:
        """Headline figures (the ``--json`` output of ``reeflow study``)."""
        r = self.results
        e = r.economics
        return {"project": r.meta.project_name, "ore_t_per_a": r.kpis.ore_t_per_a,
                "reo_t_per_a": r.kpis.reo_t_per_a,
                "ndpr_oxide_t_per_a": r.kpis.ndpr_oxide_t_per_a,
                "overall_reo_recovery_frac": r.kpis.overall_reo_recovery_frac,
                "production_years": len(r.mine.schedule), "npv_usd": e.npv_usd,
                "irr_frac": e.irr_frac, "payback_years": e.payback_years,
                "capex_usd": e.capex_usd, "mine_source": r.mine.source,
                "claims": {c.id: c.status for c in r.claims},
                "consistency_failures": [c.name for c in r.consistency if not c.ok],
                "out_dir": str(self.out_dir) if self.out_dir else None}

    def summary_text(self) -> str:
        r = self.results
        k, e = r.kpis, r.economics
        npv = ", ".join(f"{npv_label(float(rate))} {v / 1e6:,.0f}" for rate, v in
                        e.npv_usd.items() if v is not None)
        irr = f"{e.irr_frac:.1%}" if e.irr_frac is not None else "n/a"
        bad = [c.id for c in r.claims if c.status == "inconsistent"]
        lines = [f"reeflow study: {r.meta.project_name}",
                 f"  design basis: ore {k.ore_t_per_a:,.0f} t/a → REO {k.reo_t_per_a:,.0f} t/a "
                 f"(NdPr oxide {k.ndpr_oxide_t_per_a:,.0f} t/a), recovery "
                 f"{(k.overall_reo_recovery_frac or 0):.1%}",
                 f"  {r.mine.source}: {_years(len(r.mine.schedule))}",
                 f"  {npv} MUSD (real, {e.deck}); IRR {irr}; capex {e.capex_usd / 1e6:,.0f} MUSD",
                 f"  claims{_whose(r.claims)} inconsistent with the model: "
                 f"{', '.join(bad) or 'none'}"]
        if self.out_dir:
            lines.append(f"  report: {self.out_dir / 'report.html'} (+ results.xlsx"
                         + (", report.pdf)" if (self.out_dir / "report.pdf").exists() else ")"))
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return repr(self.results).replace("<StudyResults", "<StudyResult", 1)

    # Notebook views: the same as the typed results' (reeflow.results_views).
    def _repr_html_(self) -> str:
        return self.results._repr_html_()

    def tables(self) -> dict[str, Any]:
        """The tables as pandas DataFrames (see :meth:`StudyResults.tables`)."""
        return self.results.tables()

    def figures(self) -> dict[str, Any]:
        """The report's plotly figures (see :meth:`StudyResults.figures`)."""
        return self.results.figures()


def _assumptions(loaded: LoadedProject) -> list[AssumptionRow]:
    from reeflow.core.projectfile import unit_at

    flat = _flatten(loaded.project.model_dump(by_alias=True))
    return [AssumptionRow(path=path, value=flat.get(path), unit=unit_at(Project, path) or "",
                          source=pv.source, evidence=pv.evidence,
                          range=list(pv.range) if pv.range else None, note=pv.note)
            for path, pv in sorted(loaded.provenance.items())]


def _flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    else:
        out[prefix] = tree
    return out


def _whose(claims: Sequence[Any]) -> str:
    """" of CASE (inherited)" where the claims are another case's, else nothing."""
    owner = next((c.written_for for c in claims if c.written_for), None)
    return f" of {owner} (inherited through extends)" if owner else ""


def _years(n: int) -> str:
    return f"{n} production year{'' if n == 1 else 's'}"


def _claims(outcome: Any, runner: Any = None) -> list[dict[str, Any]]:
    from reeflow.chain import what_if
    from reeflow.claims import ClaimContext, check_claims, load_claims

    path = outcome.project.claims_file
    if not path:
        return []
    claims = load_claims(path)
    run = runner if runner is not None else what_if
    ctx = ClaimContext(outcome, lambda ov: run(outcome.loaded, ov))
    rows = check_claims(claims, ctx)
    owner = outcome.project.claims_written_for
    return [{**r, "written_for": owner} for r in rows] if owner else rows


def check_claims_file(loaded: LoadedProject) -> int:
    """Read the project's claims file (InputError naming any bad entry); the number of claims
    (0 without a file)."""
    from reeflow.claims import load_claims

    path = loaded.project.claims_file
    if not path:
        return 0
    claims = load_claims(path)
    _check_givens(loaded, claims)
    return len(claims.claims)


def check_project(loaded: LoadedProject, *, risk: bool = True) -> tuple[int, list[str]]:
    """Everything ``reeflow validate`` checks before a study, as the study checks it, without
    running the chain (a second or two): the claims file, the route's reagents and by-products
    priced, the stated ranges, the risk section, the drillholes (tables, grade units, density)
    or the synthetic deposit's grades, the grades the mine's blending limits and stockpiles
    name, and the estimate's block grid (:func:`reeflow.deposit.estimate.resource_grid`: its
    domains and its size). ``run_study`` and the web API's submission run it without the risk
    section (``risk=False``: the study does not read it). Returns the number of claims and
    the drillholes' findings (warnings and excluded rows), as text."""
    from reeflow.chain.plant_steps import design_basis_solution
    from reeflow.risk.inputs import check_risk_section
    from reeflow.sensitivity import default_inputs

    p = loaded.project
    n_claims = check_claims_file(loaded)
    sol = design_basis_solution(p)  # what the route buys and sells
    check_reagent_prices(loaded, sol)  # the route's reagents, priced as the study prices them
    check_byproduct_prices(loaded, sol)  # the by-products sold, priced by the study's decks
    default_inputs(loaded)  # every economics.sensitivity_inputs entry states a range
    if risk:  # read by `reeflow risk` only, not by the study
        check_risk_section(loaded)  # the drawn inputs, their marginals and correlations
    findings: list[str] = []
    if not (p.deposit.run and p.deposit.has_source):  # no source: the study's flat schedule
        return n_claims, findings
    from reeflow.deposit.estimate import check_user_drillholes, resource_grid
    from reeflow.deposit.sources import deposit_data

    data = deposit_data(p.deposit)  # read once, as the study reads it
    dh, spec, _ = data
    if spec is None:  # the project's drillholes
        # tables, grade units and density, as the study reads them; warnings are listed
        issues = check_user_drillholes(p.deposit, dh=dh)
        findings = [f"{r.severity}: {r.message} — {r.action}" for r in issues.itertuples()]
        _check_drillhole_attributes(p, dh)
    else:
        from reeflow.mine.plan import check_grade_attributes

        check_grade_attributes(p.mine, {f"{g}_frac" for g in spec.grades}
                               | {f"{o}_frac" for sp in spec.splits for o in sp.shares})
    resource_grid(p.deposit, data=data)  # the estimation domains and the grid's size
    return n_claims, findings


def _check_once(loaded: LoadedProject) -> tuple[int, list[str]]:
    """:func:`check_project` without the risk section; with the step cache on disk, answered
    from it when the same inputs (files included) passed it before with the same code (a
    refusal raises, so it is never stored)."""
    from reeflow.chain.cache import CACHE

    if CACHE.disk is None:
        return check_project(loaded, risk=False)
    from reeflow.sensitivity import default_inputs

    default_inputs(loaded)  # the stated ranges it checks are the provenance's, not in the key
    return CACHE.get("checked", loaded.project.model_dump_json(by_alias=True),
                     lambda: check_project(loaded, risk=False))


def _check_drillhole_attributes(p: Any, dh: Any) -> None:
    """Each blending limit and stockpile of ``mine:`` names a grade of the block model the
    study estimates from the drillholes: the assayed grades, and, where TREO is assayed, the
    oxides the chain fills from ``ore.ree_distribution`` (a superset: the study may still find
    an oxide of a partial assay missing, by the same named error). Validate passed a name no
    assay gives and the study refused it (fuzz round 32)."""
    if not (p.mine.run and (p.mine.blending or p.mine.stockpiles)):
        return
    from reeflow.chain.adapters import species_key
    from reeflow.deposit.estimate import drillhole_grade_columns
    from reeflow.mine.plan import check_grade_attributes

    cols = drillhole_grade_columns(p.deposit, dh=dh)
    if "treo_frac" in cols:
        cols |= {f"{species_key(el)}_frac" for el in p.ore.ree_distribution}
    check_grade_attributes(p.mine, cols)


def check_reagent_prices(loaded: LoadedProject, sol: Any = None) -> None:
    """Every reagent the project's process route buys has a price, refused as the study refuses
    it (:func:`reeflow.economics.opex.reagent_cost_rows`, naming economics.reagent_prices),
    on the design-basis flowsheet solved with the placeholder separation (a tenth of a second):
    validate passed ``plant.route: cerium_rejection``, whose H2O2 has no shipped price, and the
    study refused it after the mine plan and the SX design (fuzz round 31). The SX train's own
    reagents (HCl, NaOH) are priced by the same function before the train is designed."""
    from reeflow.chain.plant_steps import bought_reagents, design_basis_solution
    from reeflow.economics.opex import reagent_cost_rows

    p = loaded.project
    sol = design_basis_solution(p) if sol is None else sol
    bought = bought_reagents(sol.reagents_kg_per_h())
    reagent_cost_rows(dict.fromkeys(bought, 0.0), currency_year=int(p.economics.currency_year),
                      price_overrides_usd_per_t=dict(p.economics.reagent_prices))


def check_byproduct_prices(loaded: LoadedProject, sol: Any = None) -> None:
    """The study's price deck (``economics.price_deck``, the design basis's) prices every
    by-product concentrate the plant sells, as the revenue needs it
    (:func:`reeflow.economics.study.revenue_rows`): validate passed ``price_deck:
    spot_2024-06-20``, which prices no CaF2 or BaSO4 concentrate, and the study refused it on
    ``deck[spot_2024-06-20@2025]``, a path the user never wrote (fuzz round 32). Checked on the
    design-basis flowsheet with the placeholder separation (``sol``: that solution, when the
    caller has it), as :func:`check_reagent_prices` is; the rare-earth products follow from the
    SX design. The floor case's deck and each price period's deck (with the period's own prices)
    are held to the same: the study refused them on ``deck[...]`` at run time (recorded at
    stop 40)."""
    from reeflow.chain import adapters
    from reeflow.chain.plant_steps import design_basis_solution, plant_summary, sold_products
    from reeflow.core.errors import InputError
    from reeflow.economics.prices import load_deck

    p = loaded.project
    e = p.economics
    sold = sold_products(plant_summary(p, design_basis_solution(p) if sol is None else sol))
    sales = sorted(n for n, t in sold.items() if n in adapters.BYPRODUCT_SALE.values() and t > 0)
    decks: list[tuple[str, str, set[str]]] = [("economics.price_deck", e.price_deck, set())]
    if e.floor_case_deck is not None:
        decks.append(("economics.floor_case_deck", e.floor_case_deck, set()))
    start = 0
    for i, pp in enumerate(e.price_periods):  # one past the horizon is never priced (a note)
        if start < int(e.schedule.life_years):
            decks.append((f"economics.price_periods[{i}].deck", pp.deck or e.price_deck,
                          set(pp.prices)))
        start += int(pp.production_years)
    for path, name, given in decks:
        deck = load_deck(name)
        missing = [n for n in sales if not deck.has(n) and n not in given]
        if missing:
            raise InputError(path, name, f"a deck that prices every product sold (it has no "
                             f"price for {', '.join(missing)})", "choose a deck that prices "
                             "them (reeflow econ decks lists the shipped decks), e.g. usgs_2025"
                             + (", or give their prices in the period's prices"
                                if "price_periods" in path else ""))


def _check_givens(loaded: LoadedProject, claims: Any) -> None:
    """Each ``given`` of a quantity computed at a what-if (:data:`reeflow.claims.WHAT_IF_GIVENS`)
    is a project path and value the chain accepts, checked as the what-if will read it."""
    from reeflow.chain import with_overrides
    from reeflow.claims import WHAT_IF_GIVENS
    from reeflow.core.errors import InputError

    for i, c in enumerate(claims.claims):
        for j, a in enumerate(c.asserts):
            if not a.given or a.quantity not in WHAT_IF_GIVENS:
                continue
            try:
                with_overrides(loaded, a.given)
            except InputError as exc:
                raise InputError(f"claims[{i}].asserts[{j}].given.{exc.field}", exc.value,
                                 exc.allowed, exc.fix or "use a path of the project file, as "
                                 "reeflow schema --project lists them") from exc


def _labels(outcome: Any) -> list[str]:
    labels = []
    res = outcome.resource
    if res is not None and "SYNTHETIC" in str(res.label).upper():
        labels.append(f"resource: {res.label}")
        if outcome.mine.source == "mine plan":
            labels.append("mine: the pit and schedule are planned on the SYNTHETIC block model")
    return labels


def build_results(outcome: Any, *, runtime_s: float, sensitivities: bool = True,
                  workers: int | None = 1, pool: Any = None) -> StudyResults:
    """The typed results of a chain outcome, checked for cross-room consistency.

    Every what-if (tornado, spider, grid, claims, the summary's target run) goes through one
    :class:`reeflow.sensitivity.CachedRunner`, seeded with the study's own outcome, so a point
    asked twice is run once and one question gets one number. ``sensitivities=False`` skips
    the tornado, spider and grid (e.g. for ``reeflow compare``; the summary then names no risks).

    ``workers`` > 1 (None: :func:`reeflow.risk.backends.default_workers`; default 1, none)
    answers those what-ifs up front on worker processes: a dry run of the same assembly with a
    :class:`~reeflow.sensitivity.QuestionRecorder` lists the questions, the runner prefetches
    them (:meth:`~reeflow.sensitivity.CachedRunner.prefetch`), then the assembly runs for real
    and finds them answered. The results do not depend on ``workers``. ``pool``: a started
    :class:`~reeflow.chain.parallel.WhatIfPool` (then ``workers`` is not read).
    """
    from reeflow.consistency import raise_on_error, run_checks
    from reeflow.sensitivity import CachedRunner, QuestionRecorder

    checks = run_checks(outcome)
    raise_on_error(checks)
    runner = CachedRunner()
    runner.seed(outcome.loaded, outcome)
    if pool is not None or workers is None or workers > 1:
        recorder = QuestionRecorder(outcome)
        _assemble(outcome, recorder, checks, runtime_s, sensitivities)
        runner.prefetch(outcome.loaded, recorder.questions, workers=workers, pool=pool)
    return _assemble(outcome, runner, checks, runtime_s, sensitivities)


def _assemble(outcome: Any, runner: Any, checks: Any, runtime_s: float,
              sensitivities: bool) -> StudyResults:
    from reeflow.chain import sections
    from reeflow.chain.plant_steps import composition_spread
    from reeflow.summary import build_summary

    labels = _labels(outcome)
    s = outcome.design.summary
    economics = sections.economics_section(outcome, _economics_extra(outcome, runner,
                                                                     sensitivities))
    claims = [ClaimRow.model_validate(c) for c in _claims(outcome, runner)]
    assumptions = _assumptions(outcome.loaded)
    mine = sections.mine_section(outcome, synthetic=bool(labels))
    summary = build_summary(outcome, economics=economics, claims=claims,
                            assumptions=assumptions, mine=mine, synthetic=labels, runner=runner)
    runs = {"distinct_runs": getattr(runner, "runs", 0), "reused": getattr(runner, "hits", 0)}
    economics = economics.model_copy(update={"sensitivity_runs": runs})
    return StudyResults(
        meta=sections.meta(outcome, runtime_s, labels), kpis=sections.kpis(outcome),
        schema_version=SCHEMA_VERSION, summary=summary,
        products=_jsonable(s.products), reagents_t_per_a=dict(s.reagents_t_per_a),
        flowsheet=sections.flowsheet_section(outcome.design.solution),
        plant=sections.plant_section(outcome, composition_spread(outcome.design, outcome.years)),
        sx=_jsonable(outcome.design.train) if outcome.design.train else None,
        resource=sections.resource_section(outcome), mine=mine, economics=economics,
        **_engineering(outcome),
        market=None if outcome.market is None else _jsonable(outcome.market.to_report()),
        claims=claims, consistency=checks, assumptions=assumptions)


def _engineering(outcome: Any) -> dict[str, Any]:
    """The plant's energy, water, solubility, residue and off-gas tables (design basis)."""
    eng = outcome.design.engineering
    sol = outcome.design.solution
    scrub = sol.results.get("offgas_scrubber")
    return {"energy": _jsonable(eng.energy.to_dict()), "water": _jsonable(eng.water.to_dict()),
            "effluents": _jsonable(eng.solubility.to_dict()),
            "residues": _jsonable(eng.residues.to_dict()),
            "offgas": None if scrub is None else _jsonable(dict(scrub.info))}


def _economics_extra(outcome: Any, runner: Any = None, sensitivities: bool = True
                     ) -> dict[str, Any]:
    """Sensitivities (same chain re-run, one cached runner), the grade × NdPr-price grid, the
    NdPr break-even, the price-floor case and the price path by period."""
    from reeflow.economics.annual import breakeven_ndpr_multiplier
    from reeflow.sensitivity import CachedRunner, grade_price_grid, spider, tornado

    if runner is None:
        runner = CachedRunner()
        runner.seed(outcome.loaded, outcome)
    loaded, e = outcome.loaded, outcome.project.economics
    rate = float(e.headline_rate)
    ndpr_price = float(outcome.basis.base.ndpr_price_usd_per_kg) * e.price_scale_ndpr_frac
    m = breakeven_ndpr_multiplier(outcome.basis, outcome.quantities,
                                  outcome.annual.extra["money"], rate)
    extra: dict[str, Any] = {
        "tornado": tornado(loaded, rate=rate, runner=runner) if sensitivities else [],
        "spider": spider(loaded, rate=rate, runner=runner) if sensitivities else [],
        # 3 x 3 at the ranges' ends and the base: 5 of the 9 cells are the tornado's runs
        "grid": grade_price_grid(loaded, rate=rate, runner=runner) if sensitivities else None,
        "breakeven_ndpr_usd_per_kg": m * ndpr_price,
        "breakeven_note": f"NdPr oxide price at which {npv_label(rate)} = 0, every other "
                          "price fixed and the mine plan held at the base case",
        "ndpr_price_usd_per_kg": ndpr_price,
        "price_path": outcome.annual.extra.get("price_path", [])}
    if e.floor_case_deck:
        extra["floor_case"] = _floor_case(runner, loaded, e.floor_case_deck)
    return extra


def _floor_case(runner: Any, loaded: Any, deck: str) -> dict[str, Any]:
    """NPV at each rate and IRR on the price-floor deck; None with a note where no ore pays."""
    from reeflow.core.errors import InputError, NoOreError

    try:
        floor = runner(loaded, {"economics.price_deck": deck})
    except NoOreError as exc:
        return {"deck": deck, "npv_usd": None, "irr_frac": None,
                "note": f"no ore pays on this deck ({exc.fix})"}
    except InputError as exc:  # named as the user wrote it
        raise InputError("economics.floor_case_deck", deck, "a deck the chain can price the "
                         f"products on ({exc.__cause__ or exc})", "choose another deck") from exc
    return {"deck": deck, "npv_usd": {f"{r:.4f}": v for r, v in floor.annual.npv_usd.items()},
            "irr_frac": floor.annual.irr_frac}


def _jsonable(x: Any) -> Any:
    from reeflow.core.jsonio import to_jsonable

    return to_jsonable(x)


class _Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled, self.step = enabled, 0

    def __call__(self, name: str) -> None:
        self.step += 1
        if self.enabled:
            print(f"[{self.step}] {name} …", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _what_if_pool(workers: int | None) -> Iterator[Any]:
    """A started :class:`~reeflow.chain.parallel.WhatIfPool` when ``workers`` asks for more
    than one (None: every CPU), else None; closed on exit."""
    if workers is not None and workers <= 1:
        yield None
        return
    from reeflow.chain.parallel import WhatIfPool, what_workers

    n = what_workers(workers)
    if n <= 1:
        yield None
        return
    with WhatIfPool(n) as pool:
        yield pool


#: The base chain's expensive steps: when none was computed (all read from disk), the what-ifs
#: run in this process (:func:`compute_results`)
_READ_STEPS = ("design", "resource", "mine", "years")


def compute_results(loaded: LoadedProject, *, progress: bool | Callable[[str], None] = False,
                    sensitivities: bool = True, workers: int | None = 1,
                    cache: bool = False) -> StudyResult:
    """Run the chain in memory and return the typed results (no files written); ``workers``:
    see :func:`build_results`. With workers, they start before the base chain
    (:class:`~reeflow.chain.parallel.WhatIfPool`), on the CPUs it leaves idle. ``cache``: keep
    the steps' results on disk between runs (:class:`~reeflow.chain.cache.DiskTier`, in
    :func:`~reeflow.chain.cache.default_folder`), so that a second study reads the steps
    whose inputs did not change; the numbers are the same either way."""
    from reeflow.chain import run_chain
    from reeflow.chain.cache import CACHE, default_folder
    from reeflow.chain.parallel import sweep_stale
    from reeflow.chain.pipeline import plan_is_cached

    t0 = time.perf_counter()
    check_claims_file(loaded)  # a bad claims file is refused before the chain runs
    sweep_stale()
    cb = progress if callable(progress) else _Progress(bool(progress))
    with CACHE.on_disk(default_folder() if cache else None), \
            contextlib.ExitStack() as stack:
        # workers start before the base chain, on the CPUs it leaves idle; not where its
        # design and mine plan are on disk: the base chain is then read rather than computed,
        # and if its plant is read too, so will most what-ifs be, faster here than on workers
        # that would start for it (built-in case, tax rate changed: 9.4 s against 11.4 s wall,
        # two CPUs, 2026-12-03)
        early = CACHE.disk is None or not plan_is_cached(loaded.project)
        pool = stack.enter_context(_what_if_pool(workers)) if early else None
        before = dict(CACHE.computed)
        outcome = run_chain(loaded, progress=cb)
        t_chain = time.perf_counter() - t0
        if not early and all(CACHE.computed.get(s, 0) == before.get(s, 0) for s in _READ_STEPS):
            workers = 1
        cb(WHAT_IF_STEP)
        results = build_results(outcome, runtime_s=t_chain, sensitivities=sensitivities,
                                workers=workers, pool=pool)
    # the whole computation, the what-ifs included (meta.runtime_s had been the base chain's
    # time alone, a seventh of what a study takes)
    total = time.perf_counter() - t0
    times = {**results.meta.phase_times_s, "chain": t_chain,
             "what-ifs and results (sensitivities, claims, summary)": total - t_chain}
    results = results.model_copy(update={"meta": results.meta.model_copy(
        update={"runtime_s": total, "phase_times_s": times})})
    return StudyResult(results, None, outcome)


def run_study(project: str | Path | None = None, *, out_dir: str | Path | None = "reeflow-out",
              progress: bool = False, pdf: bool | None = None, workers: int | None = 1,
              force: bool = False, cache: bool = False) -> StudyResult:
    """Load a project (None → the default built-in case), run the chain, write report.html,
    results.json, results.xlsx and (where headless Chromium is installed) report.pdf.

    The output folder is checked before the chain runs (a file of that name, a name too long or
    an unwritable place is refused at once), created when missing and never emptied: the files
    are rendered in memory and then each replaces its previous version atomically
    (:mod:`reeflow.core.io`). ``pdf``: None prints the PDF where Chromium exists (else the
    documented fallback, :data:`reeflow.exports.PDF_FALLBACK`), False skips it, True requires it.
    ``force``: replace files of the study's names that reeflow did not write (an older
    version's outputs). ``workers``: worker processes for the what-ifs (:func:`build_results`;
    the CLI's default is every free CPU, a script that asks for them needs an
    ``if __name__ == "__main__":`` guard). ``cache``: keep the steps' results on disk between
    runs (:func:`compute_results`; the CLI's default).
    """
    from reeflow.chain.cache import CACHE, default_folder
    from reeflow.core.io import check_output_folder, write_outputs

    if out_dir is not None:
        check_output_folder(out_dir, names=STUDY_FILES, force=force)
    with CACHE.on_disk(default_folder() if cache else None):
        loaded = load_project(project)
        _check_once(loaded)  # refused in a second, by the path the user wrote
        result = compute_results(loaded, progress=progress, workers=workers)
    if out_dir is None:
        return result
    from reeflow.exports import PDF_FALLBACK, pdf_bytes, xlsx_bytes
    from reeflow.report import render_report

    results = result.results.to_dict()
    html = render_report(results)
    files: dict[str, str | bytes] = {"results.json": result.results.to_json(),
                                     "report.html": html, "results.xlsx": xlsx_bytes(results)}
    if pdf is not False:
        printed = pdf_bytes(html)
        if printed is not None:
            files["report.pdf"] = printed
        elif pdf:
            from reeflow.core.errors import InputError

            raise InputError("--pdf", True, "a headless Chromium on this machine", PDF_FALLBACK)
        else:
            result.notes.append(PDF_FALLBACK)
    write_outputs(out_dir, files, force=force)
    result.out_dir = Path(out_dir)
    return result
