"""Command line: ``reeflow pit FILE`` and ``reeflow schedule FILE`` (thin handlers).

``pit`` reads
  * a block-model CSV (``#`` header lines allowed: the file ``reeflow resource --blocks-out``
    writes), with block values from a ``value_usd`` column (``--value-column``) or from an
    economics YAML (``--economics``: a ``mine:`` section with ``mining_cost_usd_per_t_moved`` and
    ``valuation:``); a pure value model needs only ``ix, iy, iz`` (or ``x, y, z``) and the value
    (no ``dx, dy, dz``, no tonnes: cubic unit blocks unless ``--block-size``);
  * a GSLIB file (``.dat``/``.gslib``/``.gsl`` with a valid GSLIB header), or a one-value-a-line
    MineFlow ``.dat`` with ``--grid NX NY NZ`` — a ``.dat`` is never assumed to be GSLIB blindly;
  * MineLib ``.upit`` (``.prec`` beside it or ``--prec``), or ``.blocks`` with ``.prec`` and the
    ``.upit`` beside it.
``schedule`` reads MineLib ``.cpit`` (or ``.blocks`` with the ``.cpit`` beside it) and reports
value, bound and gap; or a project YAML whose ``mine:`` section is a
:class:`~reeflow.mine.params.MineParams` naming a ``block_model`` and holding ``valuation:``,
``plant_capacity_t_per_a``, ``horizon_years`` and ``discount_rate``.
Bad input raises InputError (the CLI prints one line, exit 2). Files are read through the
size-capped readers of :mod:`reeflow.core` (:mod:`reeflow.core.gslib`, :func:`reeflow.core.io.
read_csv`); ``--out`` and ``--blocks-out`` are written by :func:`reeflow.core.io.atomic_write`
(temporary file in the same folder, then ``os.replace``); JSON by :mod:`reeflow.core.jsonio`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core import io as core_io
from reeflow.core.errors import InputError
from reeflow.core.jsonio import dumps

__all__ = ["register", "cmd_pit", "cmd_schedule", "read_any_block_model"]


@contextlib.contextmanager
def _quiet_stdout():
    """Silence C-level writes to stdout (solver banners) so --json stays one object."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _write_out(path: str, text: str, field: str = "--out") -> None:
    """A result file: through the one atomic writer (looked up at call time)."""
    core_io.atomic_write(path, text, field=field)


def _check_outputs(args: argparse.Namespace) -> None:
    """A bad --out / --blocks-out is refused before the pit or schedule is solved."""
    for field in ("--out", "--blocks-out"):
        target = getattr(args, field[2:].replace("-", "_"), None)
        if target:
            core_io.check_output_file(target, field=field)
    out, blocks = getattr(args, "out", None), getattr(args, "blocks_out", None)
    if out and blocks and Path(out).resolve() == Path(blocks).resolve():
        # the second write replaced the first without a word (fuzz round 35)
        raise InputError("--blocks-out", blocks, "a file other than --out's",
                         "name two files, e.g. --out pit.json --blocks-out blocks.csv")


def _emit(out: dict[str, Any], args) -> None:
    text = dumps(out)
    if getattr(args, "out", None):
        _write_out(args.out, text + "\n")
    if args.json:
        print(text)
    else:
        for k, v in out.items():
            if isinstance(v, (dict, list)):
                continue
            print(f"{k:>22}: {v:,.6g}" if isinstance(v, float) else f"{k:>22}: {v}")


# --------------------------------------------------------------------------- readers

def _numeric(line: str) -> bool:
    try:
        [float(v) for v in line.split()]
        return bool(line.split())
    except ValueError:
        return False


def _mineflow_values(p: Path, grid: list[int] | None, value_column: str) -> pd.DataFrame:
    """A one-value-a-line MineFlow model (x fastest, z up) on the grid ``--grid`` names."""
    text = core_io.read_text(p, field="block_model")
    first = text.split("\n", 1)[0]
    if not (_numeric(first) and len(first.split()) == 1):
        raise InputError("block_model", p.name, "GSLIB (title, nvar, names, data) or one value "
                         "a line (MineFlow)", "convert the file or save it as CSV with a header")
    if grid is None:
        raise InputError("--grid", None, "NX NY NZ for a one-value-a-line model "
                         "(MineFlow order: x fastest, z up)", f"pass --grid for {p.name}")
    try:
        v = np.loadtxt(io.StringIO(text), ndmin=1)
    except ValueError as exc:
        raise InputError("block_model", p.name, "one number a line",
                         str(exc).splitlines()[0]) from None
    nx, ny, nz = grid
    if v.ndim != 1 or v.size != nx * ny * nz:
        raise InputError("--grid", grid, f"NX·NY·NZ = {v.size} values in {p.name}",
                         "give the grid dimensions of the file")
    iz, iy, ix = np.unravel_index(np.arange(v.size), (nz, ny, nx))
    return pd.DataFrame({"ix": ix, "iy": iy, "iz": iz, value_column: v})


def read_any_block_model(path: str | Path, *, grid: list[int] | None = None,
                         value_column: str = "value_usd") -> pd.DataFrame:
    """A block model from CSV (``#`` comment lines skipped), GSLIB, or a MineFlow value list;
    a ``.dat``/``.txt`` is read as GSLIB only when its header says so."""
    from reeflow.core.gslib import GSLIB_SUFFIXES, looks_like_gslib, read_block_model

    p = Path(path)
    if p.suffix.lower() not in {*GSLIB_SUFFIXES, ".txt"}:
        return read_block_model(p)
    if looks_like_gslib(p, field="block_model"):
        return read_block_model(p, gslib=True)
    return _mineflow_values(p, grid, value_column)


def _economics(path: str | None):
    from reeflow.core.projectfile import validate_tree
    from reeflow.mine.params import MineParams

    if not path:
        return None, None
    data = _load_yaml(path, "--economics")
    prefix = "mine." if "mine" in data else ""
    try:
        params, _ = validate_tree(MineParams, data.get("mine", data))
    except InputError as exc:  # name the path as the file writes it (mine.n_benches)
        raise InputError(f"{prefix}{exc.field}", exc.value, exc.allowed, exc.fix) from None
    return params, params.economics()


def _load_yaml(path: str | Path, field: str) -> dict[str, Any]:
    from reeflow.core.yamlio import load_yaml_file

    data = load_yaml_file(path, field=field) or {}
    if not isinstance(data, dict):
        raise InputError(field, type(data).__name__, "a YAML mapping", "write key: value pairs")
    return data


# --------------------------------------------------------------------------- pit

def _pit_minelib(path: Path, args) -> dict[str, Any]:
    from reeflow.mine.minelib import (
        minelib_sibling,
        minelib_upit_optima,
        read_minelib_prec,
        read_minelib_upit,
    )
    from reeflow.mine.pit import ultimate_pit

    upit = path if path.suffix.lower() == ".upit" else minelib_sibling(path, ".upit")
    values = read_minelib_upit(upit)
    src, dst = read_minelib_prec(args.prec or minelib_sibling(path, ".prec"), values.size)
    with _quiet_stdout():
        pit = ultimate_pit(values, src, dst, solver=args.solver)
    out = {"instance": path.stem, "blocks_total": int(values.size), "blocks_in_pit": pit.n_blocks,
           "value": pit.value, "n_arcs": pit.n_arcs, "solver": pit.solver}
    optima = minelib_upit_optima()
    if path.stem in optima.index:
        out["published_optimum"] = float(optima.loc[path.stem, "upit_optimum"])
    return out


def _pit_values(df: pd.DataFrame, args):
    """``(block model, grid, values, note)`` from an economics file or a value column."""
    from reeflow.mine.blockmodel import block_grid, grade_columns
    from reeflow.mine.pit import check_block_values
    from reeflow.mine.plan import pad_with_waste
    from reeflow.mine.valuation import block_values

    params, econ = _economics(args.economics)
    size = tuple(args.block_size) if args.block_size else None
    note = None
    if econ is not None:
        if args.missing == "waste":
            slope = args.slope if args.slope is not None else params.slopes
            df = pad_with_waste(df, slope, params.limits.max_blocks, block_size_m=size)
        grid = block_grid(df, block_size_m=size, allow_missing=args.missing == "air")
        grades = {c: df[c].to_numpy(float) for c in grade_columns(df)}
        bv = block_values(grid.tonnes, grades, econ, dilution_frac=params.dilution_frac,
                          ore_loss_frac=params.ore_loss_frac)
        return df, grid, bv.value_usd, params, note
    if args.value_column not in df.columns:
        raise InputError("block_model.columns", args.value_column,
                         "a block value column, or --economics FILE.yaml",
                         "add a value_usd column (--value-column NAME) or pass economics")
    if args.missing == "waste":
        raise InputError("--missing", "waste", "together with --economics",
                         "filled waste blocks are valued from the mining cost; pass "
                         "--economics FILE.yaml, or use --missing air")
    df = df.copy()
    if "tonnes" not in df.columns and "density_t_per_m3" not in df.columns:
        df["tonnes"] = 1.0  # a pure value model: tonnage plays no part in the pit
    if size is None and not all(f"d{a}" in df.columns for a in "xyz"):
        size, note = (1.0, 1.0, 1.0), "no block size given: cubic blocks assumed (--block-size)"
    grid = block_grid(df, block_size_m=size, allow_missing=args.missing == "air")
    values = check_block_values(pd.to_numeric(df[args.value_column], errors="coerce"),
                                f"block_model.{args.value_column}",
                                df[args.value_column].tolist())
    return df, grid, values, params, note


def _blocks_table(given: pd.DataFrame, solved: pd.DataFrame, grid: Any, values: np.ndarray,
                  in_pit: np.ndarray) -> pd.DataFrame:
    """One row per block of the user's model, in its order, keyed by the user's own columns
    (``x, y, z`` and/or ``ix, iy, iz`` as given), with its value and in-pit flag. The waste
    that ``--missing waste`` fills in around the model (a padded grid whose indices are not
    the user's: fuzz round 6 found a join on them silently wrong) is not listed."""
    # filled: more rows than given, with the fill's own row map (a user's column is not it)
    padded = len(solved) != len(given)
    rows = (solved["source_row"].to_numpy(np.int64) if padded and "source_row" in solved.columns
            else np.arange(len(solved)))
    keep = rows >= 0
    order = np.argsort(rows[keep], kind="stable")
    keys = [c for c in ("x", "y", "z", "ix", "iy", "iz") if c in given.columns]
    table = (given.iloc[rows[keep][order]][keys].reset_index(drop=True) if keys else
             pd.DataFrame({"ix": grid.ix[keep][order], "iy": grid.iy[keep][order],
                           "iz": grid.iz[keep][order]}))
    table["value_usd"] = np.asarray(values)[keep][order]
    table["in_pit"] = np.asarray(in_pit)[keep][order].astype(int)
    return table


def _refuse_ignored_options(path: Path, args: argparse.Namespace) -> None:
    """``pit`` options that a block-model input would silently ignore (fuzz round 15)."""
    from reeflow.core.gslib import GSLIB_SUFFIXES

    ignored = []
    if args.grid and path.suffix.lower() not in {*GSLIB_SUFFIXES, ".txt"}:  # MineFlow lists
        ignored.append(("--grid", args.grid, "a MineFlow value list (.txt)"))
    if args.prec:  # MineLib inputs were handled before
        ignored.append(("--prec", args.prec, "a MineLib .upit/.blocks file"))
    if args.value_column != "value_usd" and args.economics is not None:
        ignored.append(("--value-column", args.value_column,
                        "a block model valued by a column, without --economics"))
    if ignored:
        flag, value, allowed = ignored[0]
        raise InputError(flag, value, allowed, f"drop {flag}: it does not apply to this input")


def cmd_pit(args: argparse.Namespace) -> int:
    """Ultimate pit of a block model or MineLib file."""
    from reeflow.mine.params import MineParams
    from reeflow.mine.pit import ultimate_pit
    from reeflow.mine.plan import block_arcs

    _check_outputs(args)
    path = Path(args.block_model)
    if path.suffix.lower() in {".upit", ".blocks"}:
        _emit(_pit_minelib(path, args), args)
        return 0
    _refuse_ignored_options(path, args)
    given = read_any_block_model(path, grid=args.grid, value_column=args.value_column)
    df, grid, values, params, note = _pit_values(given, args)
    params = params or MineParams()
    slope = args.slope if args.slope is not None else params.slopes
    benches = args.benches if args.benches is not None else params.n_benches
    src, dst = block_arcs(grid, slopes_deg=slope, n_benches=benches,
                          max_arcs=params.limits.max_arcs)
    with _quiet_stdout():
        pit = ultimate_pit(values, src, dst, solver=args.solver)
    weighed = "tonnes" in given.columns or "density_t_per_m3" in given.columns \
        or args.economics is not None  # a pure value model has no tonnes: none are reported
    out = {"blocks_total": int(values.size), "blocks_in_pit": pit.n_blocks,
           **({"tonnes_in_pit": float(grid.tonnes[pit.mask].sum())} if weighed else {}),
           "value_usd": pit.value,
           "n_arcs": pit.n_arcs, "solver": pit.solver, "slope_deg": slope, "n_benches": benches,
           "block_size_m": list(grid.block_size_m), "resolution_usd": pit.resolution}
    if not weighed:
        note = "; ".join(n for n in (note, "no tonnes or density column: tonnes not reported")
                         if n)
    if note:
        out["note"] = note
    if args.blocks_out:
        table = _blocks_table(given, df, grid, values, pit.mask)
        _write_out(args.blocks_out, table.to_csv(index=False), "--blocks-out")
    _emit(out, args)
    return 0


# --------------------------------------------------------------------------- schedule

def _schedule_cpit(path: Path, args) -> dict[str, Any]:
    from reeflow.mine.cpit import solve_cpit
    from reeflow.mine.minelib import minelib_sibling, read_minelib_cpit

    cpit = path if path.suffix.lower() == ".cpit" else minelib_sibling(path, ".cpit")
    inst = read_minelib_cpit(cpit, prec=args.prec)
    gap = 1e-3 if args.gap is None else args.gap
    limit = args.time_limit if args.time_limit is not None else 30.0
    if not 0 < limit <= 86_400 or not 0 <= gap < 1:
        raise InputError("--time-limit/--gap", (limit, gap), "0 < s <= 86400, 0 <= gap < 1",
                         "e.g. --time-limit 30 --gap 0.001")
    with _quiet_stdout():
        sol = solve_cpit(inst, time_limit_s=limit, rel_gap=gap)
    per = sol.period
    out = {"instance": inst.name, "periods": inst.n_periods, **sol.to_dict(),
           "time_limit_s": limit, "rel_gap_target": gap,
           "blocks_per_period": np.bincount(per[per >= 0], minlength=inst.n_periods).tolist()}
    if args.out:
        out["period_of_block"] = per.tolist()
    return out


def _project_plan(source: str, args) -> dict[str, Any]:
    """The mine plan of a project: a whole project (``builtin:NAME``, a file with ``ore:`` or
    one that ``extends`` another)
    runs the study's own chain up to its mine plan (same valuation, same numbers as
    ``reeflow study``); a file holding a ``mine:`` section with a ``block_model`` plans that
    block model with the section's own ``valuation``."""
    from reeflow.project import is_whole_project, load_section, source_path

    prec, gap = getattr(args, "prec", None), getattr(args, "gap", None)
    if prec:  # silently ignored before (fuzz round 15)
        raise InputError("--prec", prec, "a MineLib .prec file, with a MineLib .cpit",
                         "drop --prec: a project's mine plan builds its own precedences")
    if gap is not None and not 0 <= gap <= 0.5:
        raise InputError("--gap", gap, "0 <= gap <= 0.5 (mine.schedule_rel_gap)",
                         "give a fraction, e.g. --gap 0.005")
    path = source_path(source)
    if is_whole_project(source):
        return _study_plan(source, args)
    from reeflow.mine.params import MineParams
    from reeflow.mine.plan import plan_mine

    params = load_section(path, "mine", MineParams)
    if params.block_model is None:
        raise InputError("mine.block_model", None, "a block-model file (CSV/GSLIB)",
                         "add mine: {block_model: blocks.csv, ...} (relative to the project)")
    params = _with_time_limit(params, args)
    if gap is not None:
        params = params.model_copy(update={"schedule_rel_gap": float(gap)})
    from reeflow.example_inputs import resolve

    bm = Path(resolve(str(params.block_model), field="mine.block_model"))
    bm = bm if bm.is_absolute() else path.resolve().parent / bm
    df = read_any_block_model(bm)
    try:
        with _quiet_stdout():
            plan = plan_mine(df, params.economics(), params)
    except InputError as exc:  # name the project's key and file, not the library's argument
        if not exc.field.startswith("block_model"):
            raise
        raise exc.at(f"mine.block_model ({bm.name})" + exc.field[len("block_model"):]) \
            from None
    return _plan_dict(plan)


def _with_time_limit(params: Any, args) -> Any:
    if args.time_limit is None:
        return params
    if not 0 < args.time_limit <= 3600:
        raise InputError("--time-limit", args.time_limit, "0 < s <= 3600",
                         "give seconds, e.g. --time-limit 60")
    return params.model_copy(update={"schedule_time_limit_s": float(args.time_limit)})


#: Steps of the study chain (``reeflow.chain.pipeline.run_chain``), for the progress bar only.
_CHAIN_STEPS = 7


def _study_plan(source: str, args) -> dict[str, Any]:
    from reeflow.chain.pipeline import run_chain, with_overrides
    from reeflow.project import load_project

    loaded = load_project(source)
    if args.time_limit is not None:
        _with_time_limit(loaded.project.mine, args)  # bounds checked here
        loaded = with_overrides(loaded, {"mine.schedule_time_limit_s": f"{args.time_limit} s"})
    if getattr(args, "gap", None) is not None:
        loaded = with_overrides(loaded, {"mine.schedule_rel_gap": args.gap})
    from reeflow.cli_progress import ProgressBar

    done = [0]
    with ProgressBar("schedule: study chain", enabled=not args.json) as bar, _quiet_stdout():
        def step(name: str) -> None:  # one tick per chain step (7 steps, the mine plan 4th)
            done[0] += 1
            bar(done[0], _CHAIN_STEPS)

        outcome = run_chain(loaded, progress=step)
    if outcome.mine.plan is None:
        raise InputError("deposit", source, "a project with a deposit section (drillholes or "
                         "a synthetic deposit) and mine.run true",
                         "without a block model the study feeds a flat schedule: run "
                         "'reeflow study' instead")
    return _fed_years(_plan_dict(outcome.mine.plan), outcome)


def _fed_years(out: dict[str, Any], outcome: Any) -> dict[str, Any]:
    """The plan with the study's own years as its schedule: the plan's years cut at the plant's
    capacity of each year (:func:`reeflow.chain.mine_steps.rebin_schedule`), the rows of
    results.json ``mine.schedule`` with its ``year`` and ``production_year``, and the ore the
    study leaves after them (its ``remaining_ore_after_horizon_t``). The plan's own years
    differed from the study's from the first year whose ore fell short of the plant's capacity
    (fuzz round 36); they are kept as ``plan_schedule`` (with each year's block cash), and the
    schedule's value stays the plan's (its discounted block cash, as results.json states it)."""
    from reeflow.core.jsonio import to_jsonable

    rows = outcome.mine.schedule.reset_index(drop=True)
    rows.insert(0, "production_year", [y.production_year for y in outcome.years])
    rows.insert(0, "year", [y.year for y in outcome.years])
    out["plan_schedule"] = out["schedule"]
    out["schedule"] = to_jsonable(rows.to_dict("records"))
    out["remaining_ore_after_horizon_t"] = float(outcome.mine.remaining_ore_t)
    out["schedule_stats"] = {**out.get("schedule_stats", {}), "schedule_basis": (
        "the plant's years, as reeflow study feeds them (the plan's years cut at the plant's "
        "capacity; the plan's own years are plan_schedule in --json); the schedule value is "
        "the plan's discounted block cash over its own years")}
    return out


def _plan_dict(plan: Any) -> dict[str, Any]:
    out = plan.to_dict()
    out.pop("section_y", None)
    out.pop("plan_bottom_bench", None)
    return out  # type: ignore[no-any-return]


def _mt(t: Any) -> str:
    return "n/a" if t is None else f"{float(t) / 1e6:,.1f} Mt"


def _musd(v: Any) -> str:
    return "n/a" if v is None else f"{float(v) / 1e6:,.1f} MUSD"


def _ratio(x: Any) -> str:
    """A strip ratio, "n/a" where the pit holds no ore (it was formatted as a number and the
    empty pit of a plan whose blocks pay nothing raised a TypeError, fuzz round 32)."""
    return "n/a" if x is None else f"{float(x):.2f}"


def _plan_text(out: Mapping[str, Any]) -> str:
    """The mine plan as a reader sees it: the pit, the yearly schedule in kt, % and MUSD, the
    schedule's value and bound, and what the horizon leaves in the pit."""
    pit, st, rem = out["pit"], out["schedule_stats"], out["remaining"]
    lines = [f"Ultimate pit: {_mt(pit.get('tonnes'))} ({_mt(pit.get('ore_t'))} ore, "
             f"{_mt(pit.get('waste_t'))} waste, strip ratio {_ratio(pit.get('strip_ratio'))}), "
             f"undiscounted value {_musd(pit.get('value_usd'))}, "
             f"{pit.get('n_pushbacks', 'n/a')} pushbacks, {pit.get('blocks', 0):,} blocks"]
    if not pit.get("blocks"):
        lines.append("No block pays at these prices, recoveries and costs: the ultimate pit is "
                     "empty and nothing is scheduled")
    sched = pd.DataFrame(out["schedule"])
    if pit.get("blocks") and "ore_t" in sched and not float(sched["ore_t"].sum()) > 0:
        lines.append("The schedule sends no ore to the plant although the pit holds ore: "
                     "mine.blending limits no feed can meet, or capacities that admit none "
                     "(check them; the study refuses such a plan)")
    year = "production_year" if "production_year" in sched else "year"
    cols = {year: ("production year", 1.0, "{:.0f}"), "ore_t": ("ore kt", 1e3, "{:,.1f}"),
            "treo_frac": ("TREO %", 0.01, "{:.2f}"), "mined_t": ("mined kt", 1e3, "{:,.0f}"),
            "waste_t": ("waste kt", 1e3, "{:,.0f}"), "stockpile_t": ("stockpile kt", 1e3,
                                                                   "{:,.0f}"),
            "cash_usd": ("block cash MUSD", 1e6, "{:,.1f}")}
    # a year that feeds no ore has no grade: "—", not nan (fuzz round 27)
    table = pd.DataFrame({head: [fmt.format(v / scale) if v == v else "—" for v in sched[c]]
                          for c, (head, scale, fmt) in cols.items() if c in sched.columns})
    lines.append(table.to_string(index=False))
    lines.append(f"Schedule value: {_musd(st.get('npv_usd'))} discounted block cash (pre-tax, "
                 f"before the plant's capex), bound {_musd(st.get('bound_usd'))} "
                 f"({st.get('bound_basis', 'n/a')}), gap {float(st.get('gap_frac') or 0):.1%}; "
                 f"{st.get('status', '')}, {float(st.get('seconds') or 0):.2f} s")
    if "pushback_selection" in st:
        tried = ", ".join(f"{r['n_pushbacks']} → {r['npv_usd'] / 1e6:,.1f}"
                          for r in st["pushback_selection"])
        lines.append(f"Pushback layouts tried (count → value, MUSD): {tried}")
    if "npv_basis_note" in st:
        lines.append(f"Horizon: {st['npv_basis_note']}")
    if "schedule_basis" in st:
        lines.append(f"Rows: {st['schedule_basis']}")
    years = rem.get("years_at_full_plant_capacity")
    lines.append(f"Left in the pit after the horizon: {_mt(rem.get('pit_tonnes_t'))}, of which "
                 f"{_mt(rem.get('ore_feed_t'))} ore feed"
                 + (f" ({years:,.0f} years at the plant's capacity)" if years else "")
                 + f"; {_mt(rem.get('stockpile_t'))} in stockpiles; not valued")
    if "remaining_ore_after_horizon_t" in out:  # the study's: with the plan's scheduled ore
        # that its plant years do not take (a fleet-capped plan's ore-less years)
        lines.append(f"Ore left after the study's plant years: "
                     f"{_mt(out['remaining_ore_after_horizon_t'])} (the ore feed above and the "
                     "scheduled ore the plant's years do not take; results.json "
                     "mine.remaining_ore_after_horizon_t)")
    return "\n".join(lines)


def cmd_schedule(args: argparse.Namespace) -> int:
    """A MineLib CPIT instance, or the mine plan of a project file."""
    _check_outputs(args)
    path = Path(args.file)
    suffix = path.suffix.lower()
    if suffix == ".pcpsp":
        raise InputError("schedule", path.name, ".cpit, .blocks (with .cpit beside it) or a "
                         "project YAML", "PCPSP (destinations per block) is not supported; "
                         "use the instance's .cpit")
    if suffix in {".cpit", ".blocks"}:
        _emit(_schedule_cpit(path, args), args)
        return 0
    out = _project_plan(str(args.file), args)
    if args.json:
        _emit(out, args)
        return 0
    if args.out:
        _write_out(args.out, dumps(out) + "\n")
    print(_plan_text(out))
    return 0


def register(subparsers) -> None:
    """Add the ``pit`` and ``schedule`` subcommands."""
    from reeflow.mine.pit import PIT_SOLVERS

    p = subparsers.add_parser("pit", help="ultimate pit (exact max closure) of a block model")
    p.add_argument("block_model", help="CSV, GSLIB, MineFlow .dat (--grid), MineLib .upit/.blocks")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", help="also write the JSON result here (atomically)")
    p.add_argument("--blocks-out", help="write per-block in_pit flags as CSV (atomically)")
    p.add_argument("--economics", help="YAML: a mine: section with valuation and mining cost")
    p.add_argument("--value-column", default="value_usd", help="block value column (USD)")
    p.add_argument("--prec", help="MineLib .prec (default: beside the file)")
    p.add_argument("--grid", type=int, nargs=3, metavar=("NX", "NY", "NZ"),
                   help="grid of a one-value-a-line model (x fastest, z up)")
    p.add_argument("--block-size", type=float, nargs=3, metavar=("DX", "DY", "DZ"),
                   help="block size in m when the file has no dx, dy, dz")
    p.add_argument("--slope", type=float, default=None, help="overall slope angle, degrees")
    p.add_argument("--benches", type=int, default=None, help="benches in the search pattern")
    p.add_argument("--solver", default="auto", choices=["auto", *sorted(PIT_SOLVERS)])
    p.add_argument("--missing", choices=["error", "air", "waste"], default="error",
                   help="empty grid cells: refuse, air (free) or zero-grade waste")
    p.set_defaults(func=cmd_pit)
    s = subparsers.add_parser("schedule", help="MineLib CPIT, or a project's mine plan by year")
    s.add_argument("file", help="MineLib .cpit/.blocks, or a project YAML with a mine: section")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.add_argument("--out", help="also write the JSON result here (atomically)")
    s.add_argument("--prec", help="MineLib .prec (default: beside the file)")
    s.add_argument("--time-limit", type=float, default=None,
                   help="seconds (CPIT default 30; a project: its schedule_time_limit_s)")
    s.add_argument("--gap", type=float, default=None,
                   help="relative gap to stop at (CPIT default 0.001; a project: its "
                        "schedule_rel_gap, used when --time-limit lets branch-and-cut run)")
    s.set_defaults(func=cmd_schedule)
