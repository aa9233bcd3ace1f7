"""Command line: ``reeflow resource [PROJECT] [--json]`` and ``reeflow krige DRILLHOLES...``.

``resource``: PROJECT omitted or ``beylikova`` runs the built-in SYNTHETIC Beylikova-like study.
Otherwise PROJECT is a YAML file whose ``deposit:`` section names ``collar``, ``survey`` and
``assay`` CSV paths (relative to the project file) and optionally ``mode`` (strict/lenient),
``cutoff_frac``, or ``prices_usd_per_kg`` + ``recovery_frac`` + ``cost_usd_per_t_ore``.

``krige``: DRILLHOLES is either three CSVs (collar survey assay, composited with
``composite_length_m`` from the model file) or one composites CSV with x, y, z columns.
``--model`` is a YAML file: ``variogram: {nugget, structures: [{kind, sill, ranges_m,
angles_deg}]}``, ``search: {ranges_m, angles_deg, min_samples, max_samples, max_per_hole,
max_per_octant}``, ``variables: [...]``, optional ``ndisc: [nx, ny, nz]``. ``--blocks`` is a
CSV (x, y, z, dx, dy, dz) or GSLIB block file; ``--out`` writes the estimated blocks as CSV.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from reeflow.core.errors import InputError
from reeflow.deposit.blockmodel import read_block_csv, read_gslib, write_block_csv
from reeflow.deposit.composite import composite
from reeflow.deposit.drillholes import read_drillholes
from reeflow.deposit.kriging import SearchParams, krige
from reeflow.deposit.models import VariogramModel
from reeflow.deposit.study import ResourceResult, beylikova_resource, estimate_resource

__all__ = ["register", "cmd_resource", "cmd_krige", "result_summary"]

_RPEEE_KEYS = ("cutoff_frac", "prices_usd_per_kg", "recovery_frac", "cost_usd_per_t_ore")


def _yaml(path: str | Path, field: str) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise InputError(field, str(p), "an existing YAML file", "check the path")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(field, str(p), "valid YAML", str(exc).splitlines()[0]) from None
    if not isinstance(data, dict):
        raise InputError(field, str(p), "a YAML mapping", "")
    return data


def result_summary(r: ResourceResult) -> dict[str, Any]:
    """JSON-ready summary: statement, cut-off, classification, cross-validation, disclaimer."""
    st = r.statement.replace({np.nan: None})
    return {"label": r.label, "disclaimer": r.disclaimer, "cutoff_frac": r.cutoff_frac,
            "cutoff_basis": r.cutoff_basis, "statement": st.to_dict(orient="records"),
            "blocks": int(len(r.block_model)),
            "class_counts": r.block_model["class"].value_counts().to_dict(),
            "cross_validation": r.cross_validation_stats,
            "variogram": r.variogram_model.to_dict(),
            "issues": int(len(r.issues)),
            "issue_list": r.issues.head(500).replace({np.nan: None}).to_dict(orient="records"),
            "grade_tonnage": r.grade_tonnage.replace({np.nan: None}).to_dict(orient="records")}


def _text(r: ResourceResult) -> str:
    cols = ["class", "tonnes_rounded", "treo_pct_rounded", "tho2_pct_rounded",
            "contained_t_rounded"]
    lines = [r.label, f"Cut-off {r.cutoff_frac * 100:.2f} % TREO ({r.cutoff_basis})",
             *[f"data {i.severity}: {i.message} -> {i.action}" for i in r.issues.itertuples()],
             r.statement[cols].to_string(index=False), r.statement.attrs.get("note", ""),
             r.disclaimer]
    return "\n".join(lines)


def cmd_resource(args: argparse.Namespace) -> int:
    """Handler of ``reeflow resource``."""
    if args.project in (None, "beylikova"):
        r = beylikova_resource(seed=args.seed)
    else:
        proj = _yaml(args.project, "project")
        dep = proj.get("deposit") or {}
        base = Path(args.project).resolve().parent
        try:
            paths = [base / dep[k] for k in ("collar", "survey", "assay")]
        except KeyError as exc:
            raise InputError(f"deposit.{exc.args[0]}", None, "a CSV path",
                             "add collar, survey and assay paths under deposit:") from None
        dh = read_drillholes(*paths, mode="lenient" if args.lenient else dep.get("mode",
                                                                                  "strict"))
        r = estimate_resource(dh, **{k: dep[k] for k in _RPEEE_KEYS if k in dep})
    if args.blocks_out:
        write_block_csv(r.block_model, args.blocks_out, grid=r.grid, label=r.label)
    if args.json:
        print(json.dumps(result_summary(r), default=str))
    else:
        print(_text(r))
    return 0


def _samples(paths: list[str], cfg: dict) -> pd.DataFrame:
    if len(paths) == 3:
        dh = read_drillholes(*paths, mode=cfg.get("mode", "strict"))
        return composite(dh, length_m=float(cfg.get("composite_length_m", 2.0)))
    if len(paths) == 1:
        df = read_block_csv(paths[0])
        return df
    raise InputError("DRILLHOLES", paths, "collar survey assay CSVs, or one composites CSV", "")


def cmd_krige(args: argparse.Namespace) -> int:
    """Handler of ``reeflow krige``."""
    cfg = _yaml(args.model, "--model")
    model = VariogramModel.from_dict(cfg.get("variogram") or {})
    s = cfg.get("search") or {}
    try:
        sp = SearchParams(tuple(map(float, s["ranges_m"])),
                          tuple(map(float, s.get("angles_deg", (0, 0, 0)))),
                          int(s.get("min_samples", 4)), int(s.get("max_samples", 32)),
                          int(s.get("max_per_hole", 0)), int(s.get("max_per_octant", 0)))
    except (KeyError, TypeError, ValueError):
        raise InputError("search", s, "{ranges_m: [a, b, c], min_samples, max_samples, ...}",
                         "") from None
    comps = _samples(args.drillholes, cfg)
    variables = list(cfg.get("variables") or [])
    bad = [v for v in variables if v not in comps.columns]
    if not variables or bad:
        raise InputError("variables", bad or variables, f"columns of {list(comps.columns)}", "")
    comps = comps.dropna(subset=variables)
    blocks = (read_gslib(args.blocks) if str(args.blocks).lower().endswith((".dat", ".gslib"))
              else read_block_csv(args.blocks))
    size = None
    if all(c in blocks.columns for c in ("dx", "dy", "dz")):
        size = tuple(float(blocks[c].iloc[0]) for c in ("dx", "dy", "dz"))
    r = krige(comps[["x", "y", "z"]].to_numpy(), comps[variables].to_numpy(),
              blocks[["x", "y", "z"]].to_numpy(), model, sp,
              sample_hole=comps["hole_id"].to_numpy() if "hole_id" in comps else None,
              block_size_m=size, ndisc=tuple(cfg.get("ndisc", (1, 1, 1))))
    out = blocks.copy()
    for j, v in enumerate(variables):
        out[v] = r["est"][:, j]
    for k in ("kvar", "slope", "n_samples", "n_holes"):
        out[k] = r[k]
    if args.out:
        write_block_csv(out, args.out)
    n_est = int(np.isfinite(r["est"][:, 0]).sum())
    summary = {"blocks": int(len(out)), "estimated": n_est, "variables": variables,
               "means": {v: float(np.nanmean(out[v])) if n_est else None for v in variables},
               "out": args.out}
    print(json.dumps(summary) if args.json else
          f"estimated {n_est} of {len(out)} blocks; means " + ", ".join(
              f"{k}={v:.4g}" for k, v in summary["means"].items() if v is not None))
    return 0


def register(subparsers: Any) -> None:
    """Add the ``resource`` and ``krige`` subcommands."""
    p = subparsers.add_parser("resource", help="resource statement (built-in SYNTHETIC "
                              "Beylikova-like case when PROJECT is omitted)")
    p.add_argument("project", nargs="?", default=None, help="project YAML or 'beylikova'")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--lenient", action="store_true",
                   help="exclude faulty intervals and list them instead of stopping")
    p.add_argument("--seed", type=int, default=2025, help="seed of the synthetic case")
    p.add_argument("--blocks-out", default=None, help="write the block model CSV here")
    p.set_defaults(func=cmd_resource)
    k = subparsers.add_parser("krige", help="ordinary kriging of a block model")
    k.add_argument("drillholes", nargs="+", help="collar survey assay CSVs, or a composites CSV")
    k.add_argument("--model", required=True, help="YAML: variogram, search, variables")
    k.add_argument("--blocks", required=True, help="block CSV (x,y,z[,dx,dy,dz]) or GSLIB")
    k.add_argument("--out", default=None, help="output CSV")
    k.add_argument("--json", action="store_true", help="print one JSON object")
    k.set_defaults(func=cmd_krige)
