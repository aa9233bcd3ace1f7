"""Command line for the shake-out fit: ``sx-fit DATA.csv [--json]`` (wired as ``reeflow sx fit``).

Thin over :func:`reeflow.plant.sx.fit.read_shakeout_csv` and
:func:`reeflow.plant.sx.fit.fit_mass_action`; the CSV format is documented in that module.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from reeflow.core.errors import InputError
from reeflow.plant.sx.commands import guarded
from reeflow.plant.sx.fit import FITS, fit_shakeout, read_shakeout_csv

__all__ = ["register", "run_fit", "add_fit_arguments"]

_MODES = ("fixed", "shared", "per_element")


def add_fit_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of the fit command (shared by ``sx-fit`` and the lead's ``sx fit``)."""
    parser.add_argument("data", metavar="DATA.csv", help="shake-out CSV (see reeflow.plant.sx.fit)")
    parser.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    parser.add_argument("--model", choices=sorted(FITS), default="mass_action",
                        help="distribution model to fit (default mass_action)")
    parser.add_argument("--reference", default=None,
                        help="constant_beta: element whose alpha is 1 (default: first)")
    parser.add_argument("--slope-ph", choices=_MODES, default="fixed",
                        help="pH slope: fixed at --fixed-slope (default), shared or per element")
    parser.add_argument("--slope-extractant", choices=_MODES, default="fixed",
                        help="log[(HA)2] slope: fixed (default), shared or per element")
    parser.add_argument("--fixed-slope", type=float, default=3.0,
                        help="value of fixed slopes (3 = M3+ with dimeric extractant)")
    parser.add_argument("--confidence", type=float, default=0.95, help="CI level (default 0.95)")


def register(subparsers: Any) -> None:
    """Add ``sx-fit`` to an argparse sub-parser collection."""
    p = subparsers.add_parser(
        "sx-fit", help="fit a distribution model (mass-action log Kex and slopes, constant D "
                       "or constant beta) to batch shake-out data",
        description="Least-squares fit in log10 D (default: log10 D = log10 Kex + "
                    "a log10[(HA)2]free + b pH) with t-based confidence intervals.",
    )
    add_fit_arguments(p)
    p.set_defaults(func=run_fit)


def _check_args(args: argparse.Namespace) -> None:
    conf = args.confidence
    if not (isinstance(conf, float) and math.isfinite(conf) and 0.5 <= conf < 1.0):
        raise InputError("--confidence", conf, "0.5 <= level < 1", "e.g. --confidence 0.95")
    slope = args.fixed_slope
    if not (isinstance(slope, float) and math.isfinite(slope) and 0.5 <= slope <= 6.0):
        raise InputError("--fixed-slope", slope, "a finite slope 0.5..6",
                         "3 for a trivalent ion with a dimeric extractant")


@guarded("fit")
def run_fit(args: argparse.Namespace) -> int:
    """Handler: read, fit, print. Bad input raises InputError (the CLI prints it, exits 2)."""
    _check_args(args)
    data = read_shakeout_csv(args.data)
    options: dict[str, Any] = {"confidence": args.confidence}
    if args.model == "mass_action":
        options.update(slope_pH=args.slope_ph, slope_extractant=args.slope_extractant,
                       fixed_slope_pH=args.fixed_slope, fixed_slope_extractant=args.fixed_slope)
    elif args.model == "constant_beta":
        options["reference"] = args.reference
    fit = fit_shakeout(data, model=args.model, **options)
    if args.json:
        out = fit.to_dict()
        out["data"] = data.source
        out["elements"] = list(data.elements)
        from reeflow.core.jsonio import dumps  # NaN -> null, numpy types: the one converter

        print(dumps(out))
        return 0
    g = fit.goodness
    print(f"{fit.model} fit of {data.source}: {g['n_points']} points, {g['n_params']} "
          f"parameters, slopes {fit.slope_mode}")
    pct = round(100 * fit.confidence)
    print(f"{'parameter':<24}{'estimate':>12}{'std err':>11}{f'{pct}% CI':>24}")
    for r in fit.parameters.itertuples():
        ci = f"[{r.ci_low:.4f}, {r.ci_high:.4f}]"
        print(f"{r.name:<24}{r.estimate:>12.4f}{r.std_error:>11.4f}{ci:>24}")
    print(f"R^2 (log10 D) = {g['r_squared']:.5f}; RMSE = {g['rmse_log10']:.4f} log10 units; "
          f"dof = {g['dof']}")
    return 0
