"""Command line: ``reeflow study`` and each room's subcommands (thin over library functions).

Every :class:`~reeflow.core.errors.ReeflowError` is printed as one line and exits with code 2;
nothing partial is written (outputs are written to a temporary folder and moved into place).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn

from reeflow import __version__
from reeflow.core.errors import ReeflowError
from reeflow.core.jsonio import dumps

__all__ = ["main", "build_parser"]

#: Room command modules, each exposing ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = (
    "reeflow.deposit.commands",
    "reeflow.mine.commands",
    "reeflow.economics.commands",
    "reeflow.market.commands",
    "reeflow.report.commands",
    "reeflow.web.commands",
    "reeflow.compare",
)


def _study(args: argparse.Namespace) -> int:
    from reeflow.study import run_study

    result = run_study(args.project, out_dir=args.out, progress=not args.quiet and not args.json)
    if args.json:
        print(dumps(result.summary(), indent=2))
    else:
        print(result.summary_text())
    return 0


def _validate(args: argparse.Namespace) -> int:
    """Load and validate a project file (every field, unit, bound and stated range) without
    running the chain; exit 2 with the first problem."""
    from reeflow.project import load_project

    loaded = load_project(args.project)
    p = loaded.project
    summary = {"project": p.name, "path": loaded.path, "valid": True,
               "inputs_with_provenance": len(loaded.provenance),
               "inputs_with_ranges": sum(1 for v in loaded.provenance.values() if v.range),
               "assumed_inputs": sum(1 for v in loaded.provenance.values()
                                     if v.evidence == "assumed")}
    if args.json:
        print(dumps(summary, indent=2))
    else:
        print(f"{loaded.path}: valid ({summary['inputs_with_provenance']} sourced inputs, "
              f"{summary['assumed_inputs']} assumed, {summary['inputs_with_ranges']} with ranges)")
    return 0


def _schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of results.json (or of the project file with --project)."""
    if args.project:
        from reeflow.project import Project

        schema = Project.model_json_schema(by_alias=True)
    else:
        from reeflow.results import json_schema

        schema = json_schema()
    print(dumps(schema, indent=2))
    return 0


def _risk(args: argparse.Namespace) -> int:
    from reeflow.risk import whole_chain_monte_carlo

    table = whole_chain_monte_carlo(args.project, draws=args.draws, seed=args.seed)
    npv = table["npv_usd"]
    summary = {"draws": len(table), "seed": args.seed,
               "p10_usd": float(npv.quantile(0.1)), "p50_usd": float(npv.quantile(0.5)),
               "p90_usd": float(npv.quantile(0.9)), "prob_negative": float((npv < 0).mean())}
    if args.json:
        print(dumps({**summary, "draws_table": table}))
    else:
        print("\n".join(f"{k}: {v}" for k, v in summary.items()))
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with the reeflow error contract: one line on stderr, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reeflow",
        description="Rare-earth projects from drillholes to separated oxides to an investment case.",
    )
    parser.add_argument("--version", action="version", version=f"reeflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("study", help="run the whole chain and write report.html + results.json")
    p.add_argument("project", nargs="?", default=None,
                   help="project YAML (default: the default built-in case)")
    p.add_argument("--out", default="reeflow-out", help="output folder (default: reeflow-out)")
    p.add_argument("--json", action="store_true", help="print the KPI summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=_study)
    r = sub.add_parser("risk", help="whole-chain Monte Carlo: flowsheet + SX + economics per draw")
    r.add_argument("project", nargs="?", default=None,
                   help="project YAML (default: the default built-in case)")
    r.add_argument("--draws", type=int, default=50)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=_risk)
    v = sub.add_parser("validate", help="check a project file without running the study")
    v.add_argument("project", nargs="?", default=None,
                   help="project YAML or builtin:NAME (default: the default built-in case)")
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.set_defaults(func=_validate)
    sc = sub.add_parser("schema", help="print the JSON Schema of results.json (or of a project "
                                       "file with --project)")
    sc.add_argument("--project", action="store_true",
                    help="the schema of a project file instead of results.json")
    sc.set_defaults(func=_schema)
    _register_sx(sub)
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def _register_sx(sub: argparse._SubParsersAction) -> None:
    """``reeflow sx simulate|design|train`` (SX core) and ``reeflow sx fit`` (fit module)."""
    from reeflow.plant.sx import commands, fit_commands

    sx_sub = commands.register(sub)
    p = sx_sub.add_parser("fit", help="fit distribution-model parameters to shake-out data")
    fit_commands.add_fit_arguments(p)
    p.set_defaults(func=fit_commands.run_fit)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command handler under the error contract of every reeflow command.

    - :class:`ReeflowError` (bad input, infeasible spec, non-convergence): one line, exit 2;
    - anything unexpected: one line naming the error, exit 1; the traceback only with
      ``REEFLOW_DEBUG=1``;
    - Ctrl-C: exit 130; a closed stdout pipe (``| head``): exit 0 quietly.
    """
    try:
        return int(func(args))
    except ReeflowError as exc:
        print(f"reeflow: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reeflow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except Exception as exc:  # the contract: no traceback reaches a user
        if os.environ.get("REEFLOW_DEBUG") == "1":
            traceback.print_exc()
        print(f"reeflow: internal error: {type(exc).__name__}: {_one_line(exc)[:300]} "
              "(a defect: set REEFLOW_DEBUG=1 for the traceback and please report it)",
              file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (2 on bad input or infeasible specs, 1 on an
    unexpected error, 0 on success)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return int(exc.code) if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return run_command(args.func, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
