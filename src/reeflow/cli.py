"""Command line: ``reeflow study`` and each room's subcommands (thin over library functions).

Every :class:`~reeflow.core.errors.ReeflowError` is printed as one line and exits with code 2;
nothing partial is written (outputs are written to a temporary folder and moved into place).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

from reeflow import __version__
from reeflow.core.errors import ReeflowError

__all__ = ["main", "build_parser"]

#: Room command modules, each exposing ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = (
    "reeflow.deposit.commands",
    "reeflow.mine.commands",
    "reeflow.economics.commands",
    "reeflow.market.commands",
    "reeflow.report.commands",
)


def _study(args: argparse.Namespace) -> int:
    from reeflow.study import run_study

    result = run_study(args.project, out_dir=args.out, progress=not args.quiet and not args.json)
    if args.json:
        print(json.dumps(result.summary(), indent=2, default=str))
    else:
        print(result.summary_text())
    return 0


def _risk(args: argparse.Namespace) -> int:
    from reeflow.chain import whole_chain_monte_carlo

    opts = {"scheduler": "processes", "num_workers": args.workers} if args.backend == "dask" else {}
    table = whole_chain_monte_carlo(args.project, draws=args.draws, seed=args.seed,
                                    backend=args.backend, **opts)
    npv = table["npv_usd"]
    summary = {"draws": len(table), "seed": args.seed, "backend": args.backend,
               "p10_usd": float(npv.quantile(0.1)), "p50_usd": float(npv.quantile(0.5)),
               "p90_usd": float(npv.quantile(0.9)), "prob_negative": float((npv < 0).mean()),
               "rate_frac": float(table["rate_frac"].iloc[0])}
    if args.json:
        print(json.dumps({**summary, "draws_table": table.to_dict(orient="records")}))
    else:
        print("\n".join(f"{k}: {v}" for k, v in summary.items()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reeflow",
        description="Rare-earth projects from drillholes to separated oxides to an investment case.",
    )
    parser.add_argument("--version", action="version", version=f"reeflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("study", help="run the whole chain and write report.html + results.json")
    p.add_argument("project", nargs="?", default=None,
                   help="project YAML (default: the built-in Beylikova example)")
    p.add_argument("--out", default="reeflow-out", help="output folder (default: reeflow-out)")
    p.add_argument("--json", action="store_true", help="print the KPI summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=_study)
    r = sub.add_parser("risk", help="whole-chain Monte Carlo: flowsheet + SX + economics per draw")
    r.add_argument("project", nargs="?", default=None, help="project YAML (default: Beylikova)")
    r.add_argument("--draws", type=int, default=50)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--backend", choices=("serial", "dask"), default="serial")
    r.add_argument("--workers", type=int, default=2, help="Dask worker processes")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=_risk)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (2 on bad input or infeasible specs)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ReeflowError as exc:
        print(f"reeflow: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
