"""Command line: ``reeflow pit BLOCKMODEL [--json]`` and ``reeflow schedule PROJECT [--json]``.

Thin handlers over :func:`~reeflow.mine.pit.ultimate_pit` and :func:`~reeflow.mine.plan.plan_mine`.

``pit`` reads a CSV or GSLIB block model. Block values come from a ``value_usd`` column (or
``--value-column``), or from an economics YAML (``--economics``) holding the keyword arguments of
:func:`plan_mine` (``prices_usd_per_kg``, ``recoveries_frac``, ``mining_cost_usd_per_t``,
``processing_cost_usd_per_t``; optional ``payability_frac``, ``royalty_frac`` ...).

``schedule`` reads a project YAML whose ``mine:`` section holds ``block_model`` (a path, relative
to the project file) and the keyword arguments of :func:`plan_mine` (``discount_rate`` included).
Values may be numbers in the key's unit, strings with units (``"570 kt/a"``, ``"8 %"``) or
``{value: ..., source: ...}`` records.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from reeflow.core.errors import InputError
from reeflow.core.units import to_canonical
from reeflow.mine.blockmodel import (
    block_grid,
    fill_missing_as_waste,
    grade_columns,
    read_block_model,
)
from reeflow.mine.economics import block_values_usd, nsr_usd_per_t
from reeflow.mine.pit import PIT_SOLVERS, ultimate_pit
from reeflow.mine.plan import block_arcs, plan_mine

__all__ = ["register", "cmd_pit", "cmd_schedule"]

_ECON_KEYS = ("prices_usd_per_kg", "recoveries_frac", "mining_cost_usd_per_t",
              "processing_cost_usd_per_t", "payability_frac", "selling_cost_usd_per_kg",
              "royalty_frac")


@contextlib.contextmanager
def _quiet_stdout():
    """Silence C-level writes to stdout (HiGHS prints a banner) so --json stays one object."""
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


def _load_yaml(path: str | Path, field: str) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise InputError(field, str(p), "an existing YAML file", "check the path")
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise InputError(field, type(data).__name__, "a YAML mapping", "write key: value pairs")
    return data


#: canonical unit of each plan_mine keyword (per-species mappings: the unit of their values)
_UNITS = {"prices_usd_per_kg": "USD/kg", "recoveries_frac": "frac", "payability_frac": "frac",
          "selling_cost_usd_per_kg": "USD/kg", "mining_cost_usd_per_t": "USD/t",
          "processing_cost_usd_per_t": "USD/t", "royalty_frac": "frac", "discount_rate": "frac",
          "plant_capacity_t_per_a": "t/a", "mining_capacity_t_per_a": "t/a",
          "cutoff_grade_frac": "frac"}


def _canonical(value: Any, unit: str, field: str) -> Any:
    """Project-file values: ``{value: ...}`` records, numbers (already in the key's unit) or
    strings with units (``"570 kt/a"``, ``"8 %"``)."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, str):
        return to_canonical(value, unit, field=field)
    return value


def _plan_kwargs(mine: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in mine.items():
        unit = _UNITS.get(key)
        if unit and isinstance(value, dict) and "value" not in value:
            out[key] = {k: _canonical(v, unit, f"project.mine.{key}.{k}") for k, v in value.items()}
        elif unit:
            out[key] = _canonical(value, unit, f"project.mine.{key}")
        else:
            out[key] = value
    return out


def _pit_values(df, grid, args) -> np.ndarray:
    if args.economics:
        econ = {k: v for k, v in _plan_kwargs(_load_yaml(args.economics, "economics")).items()
                if k in _ECON_KEYS}
        grades = df[grade_columns(df)].astype(float).reset_index(drop=True)
        nsr = nsr_usd_per_t(grades, econ.pop("prices_usd_per_kg", {}),
                            econ.pop("recoveries_frac", {}),
                            payability_frac=econ.pop("payability_frac", None),
                            selling_cost_usd_per_kg=econ.pop("selling_cost_usd_per_kg", 0.0))
        return block_values_usd(grid.tonnes, nsr, **econ)[0]
    if args.value_column not in df.columns:
        raise InputError("block_model.columns", args.value_column,
                         "a block value column, or --economics FILE.yaml",
                         "add a value_usd column or pass prices and costs")
    return df[args.value_column].to_numpy(float)


def cmd_pit(args: argparse.Namespace) -> int:
    """Ultimate pit of a block model file."""
    df = read_block_model(args.block_model)
    if args.missing == "waste":
        if not args.economics:
            raise InputError("--missing", "waste", "together with --economics",
                             "filled waste blocks are valued from the mining cost; pass "
                             "--economics FILE.yaml, or use --missing air")
        df = fill_missing_as_waste(df)
    grid = block_grid(df, allow_missing=args.missing == "air")
    values = _pit_values(df, grid, args)
    src, dst = block_arcs(grid, slopes_deg=args.slope, n_benches=args.benches)
    with _quiet_stdout():
        pit = ultimate_pit(values, src, dst, solver=args.solver)
    out = {"blocks_total": int(values.size), "blocks_in_pit": pit.n_blocks,
           "tonnes_in_pit": float(grid.tonnes[pit.mask].sum()), "value_usd": pit.value,
           "n_arcs": pit.n_arcs, "solver": pit.solver, "slope_deg": args.slope,
           "n_benches": args.benches, "resolution_usd": pit.resolution}
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>16}: {v:,.6g}" if isinstance(v, float) else f"{k:>16}: {v}")
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    """Ultimate pit, nested pits, pushbacks and the plant feed by year for a project file."""
    project = _load_yaml(args.project, "project")
    mine = project.get("mine")
    if not isinstance(mine, dict) or "block_model" not in mine:
        raise InputError("project.mine.block_model", None, "a mine: section naming a block model",
                         "add mine: {block_model: path.csv, prices_usd_per_kg: ..., ...}")
    kwargs = _plan_kwargs(mine)
    path = Path(kwargs.pop("block_model"))
    if not path.is_absolute():
        path = Path(args.project).resolve().parent / path
    df = read_block_model(path)
    with _quiet_stdout():
        plan = plan_mine(df, **kwargs)
    if args.json:
        print(json.dumps(plan.to_dict()))
    else:
        print("Ultimate pit:", {k: v for k, v in plan.pit.items() if not k.endswith("_frac")})
        print(plan.nested.to_string(index=False, max_cols=10))
        print(plan.schedule.to_string(max_cols=10))
        print("Schedule:", plan.schedule_stats)
    return 0


def register(subparsers) -> None:
    """Add the ``pit`` and ``schedule`` subcommands."""
    p = subparsers.add_parser("pit", help="ultimate pit (exact max closure) of a block model")
    p.add_argument("block_model", help="CSV or GSLIB block model")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--economics", help="YAML with prices, recoveries and costs")
    p.add_argument("--value-column", default="value_usd", help="block value column (USD)")
    p.add_argument("--slope", type=float, default=45.0, help="overall slope angle, degrees")
    p.add_argument("--benches", type=int, default=8, help="benches in the search pattern")
    p.add_argument("--solver", default="auto", choices=["auto", *sorted(PIT_SOLVERS)])
    p.add_argument("--missing", choices=["error", "air", "waste"], default="error",
                   help="empty grid cells: refuse, air (free) or zero-grade waste")
    p.set_defaults(func=cmd_pit)
    s = subparsers.add_parser("schedule", help="nested pits, pushbacks and plant feed by year")
    s.add_argument("project", help="project YAML with a mine: section")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(func=cmd_schedule)
