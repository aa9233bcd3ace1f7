"""Command line: ``reeflow resource [PROJECT]`` and ``reeflow krige DRILLHOLES... --model``.

``resource``: PROJECT omitted or ``beylikova`` runs the built-in SYNTHETIC example
deposit. Otherwise PROJECT is a YAML file whose ``deposit:`` section is validated as
:class:`~reeflow.deposit.params.DepositParams` (paths relative to the project file; values with
units, e.g. ``cutoff: {grade: 1 %}``). Prints the readable statement (``--json``: one JSON
object); ``--blocks-out`` writes the block model (CSV, or GSLIB for ``.dat``/``.gslib``)
atomically.

``krige``: DRILLHOLES is three CSVs (collar survey assay; composited with
``composite_length_m``) or one composites CSV with x, y, z. ``--model`` is a YAML file:
``variogram: {nugget, structures: [{kind, sill, ranges_m, angles_deg}]}``,
``search: {ranges_m, angles_deg, min_samples, max_samples, max_per_hole, max_per_octant}``,
``variables: [...]`` (assay columns), optional ``ndisc``, ``composite_length_m``, ``domains``,
``length_unit`` (m/ft), ``dip_positive_down``, ``mode``, and ``grid: {block_size_m,
rotation_deg, pad_m}`` used when ``--blocks`` (a CSV or GSLIB block file) is not given.
``--out`` writes the estimated blocks as CSV, atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.core.jsonio import dumps
from reeflow.core.yamlio import load_yaml_file
from reeflow.deposit.blockmodel import (
    GSLIB_SUFFIXES,
    grid_covering,
    read_block_model,
    write_block_csv,
    write_gslib,
)
from reeflow.deposit.composite import composite
from reeflow.deposit.drillholes import read_drillholes
from reeflow.deposit.estimate import ResourceResult, run_deposit
from reeflow.deposit.kriging import SearchParams, krige, krige_grid
from reeflow.deposit.models import VariogramModel, vec3
from reeflow.deposit.params import DepositParams, load_deposit_section

__all__ = ["register", "cmd_resource", "cmd_krige", "result_summary", "project_deposit"]


def _yaml(path: str | Path, field: str) -> dict[str, Any]:
    data = load_yaml_file(path, field=field) or {}
    if not isinstance(data, dict):
        raise InputError(field, str(path), "a YAML mapping", "")
    return data


def result_summary(r: ResourceResult) -> dict[str, Any]:
    """JSON-ready summary: readable statement, cut-off, classes, variogram, cross-validation,
    data findings, grade–tonnage, timings; SYNTHETIC flagged."""
    st = r.jorc()
    return {"label": r.label, "synthetic": r.synthetic, "disclaimer": r.disclaimer,
            "cutoff_frac": r.cutoff_frac, "cutoff_basis": r.cutoff_basis,
            "statement": r.statement.replace({np.nan: None}).to_dict(orient="records"),
            "statement_table": st.table.to_dict(orient="records"),
            "competent_person": st.competent_person,
            "by_domain": r.by_domain.replace({np.nan: None}).to_dict(orient="records"),
            "blocks": int(len(r.block_model)),
            "class_counts": r.block_model["class"].value_counts().to_dict(),
            "cross_validation": r.cross_validation_stats,
            "variogram": r.variogram_model.to_dict(),
            "issues": int(len(r.issues)),
            "issue_list": r.issues.head(500).replace({np.nan: None}).to_dict(orient="records"),
            "grade_tonnage": r.grade_tonnage.replace({np.nan: None}).to_dict(orient="records"),
            "timings_s": r.timings_s}


def _text(r: ResourceResult) -> str:
    issues = [f"data {i.severity}: {i.message} -> {i.action}" for i in r.issues.itertuples()]
    more = [f"... and {len(issues) - 20} more findings"] if len(issues) > 20 else []
    return "\n".join([r.jorc().text(), *issues[:20], *more])


def project_deposit(project: str | Path) -> tuple[DepositParams, Path]:
    """The validated ``deposit:`` section of a project file and the folder paths are relative
    to."""
    return load_deposit_section(project)


def _write_blocks(bm: pd.DataFrame, path: str, r: ResourceResult) -> None:
    if Path(path).suffix.lower() in GSLIB_SUFFIXES:
        write_gslib(bm, path, title=r.label, field="--blocks-out")
    else:
        write_block_csv(bm, path, grid=r.grid, label=r.label, field="--blocks-out")


def cmd_resource(args: argparse.Namespace) -> int:
    """Handler of ``reeflow resource``."""
    source = "builtin:beylikova" if args.project in (None, "beylikova") else args.project
    params, base = project_deposit(source)
    if not params.has_source:
        raise InputError("deposit", source, "a deposit section naming drillholes or a synthetic "
                         "deposit", "add 'deposit: {drillholes: {...}}' (see examples/babbitt)")
    if params.drillholes is not None and args.lenient:
        params = params.model_copy(update={"drillholes": params.drillholes.model_copy(
            update={"mode": "lenient"})})
    if args.seed is not None:
        if params.synthetic is None or params.drillholes is not None:
            raise InputError("--seed", args.seed, "a project with a synthetic deposit",
                             "drop --seed: drillhole data have no seed")
        params = params.model_copy(update={"synthetic": params.synthetic.model_copy(
            update={"seed": args.seed})})
    r = run_deposit(params, base_dir=base)
    if args.blocks_out:
        _write_blocks(r.block_model, args.blocks_out, r)
    print(dumps(result_summary(r)) if args.json else _text(r))
    return 0


def _search(s: dict) -> SearchParams:
    try:
        return SearchParams(vec3(s["ranges_m"], "search.ranges_m"),
                            vec3(s.get("angles_deg", (0, 0, 0)), "search.angles_deg"),
                            int(s.get("min_samples", 4)), int(s.get("max_samples", 32)),
                            int(s.get("max_per_hole", 0)), int(s.get("max_per_octant", 0)))
    except (KeyError, TypeError, ValueError):
        raise InputError("search", s, "{ranges_m: [a, b, c], min_samples, max_samples, ...}",
                         "") from None


def _samples(paths: list[str], cfg: dict) -> pd.DataFrame:
    if len(paths) == 3:
        dh = read_drillholes(*paths, mode=cfg.get("mode", "strict"),
                             length_unit=str(cfg.get("length_unit", "m")),
                             dip_positive_down=bool(cfg.get("dip_positive_down", False)))
        comps = composite(dh, length_m=float(cfg.get("composite_length_m", 2.0)))
        doms = cfg.get("domains")
        return comps[comps["domain"].isin(doms)] if doms else comps
    if len(paths) == 1:
        return read_block_model(paths[0])
    raise InputError("DRILLHOLES", paths, "collar survey assay CSVs, or one composites CSV", "")


def _grid_estimate(comps, variables, cfg, model, sp, hole, progress=None) -> pd.DataFrame:
    """Ordinary kriging over the model's grid, chunk by chunk; ``progress(done, total)`` after
    each chunk (blocks)."""
    g = cfg.get("grid") or {}
    try:
        size = vec3(g["block_size_m"], "grid.block_size_m")
    except (KeyError, TypeError, ValueError, InputError):
        raise InputError("grid.block_size_m", g.get("block_size_m"), "[dx, dy, dz] in m",
                         "give --blocks FILE or grid: {block_size_m: [...]} in the model") from None
    grid = grid_covering(comps[["x", "y", "z"]].to_numpy(), size,
                         rotation_deg=float(g.get("rotation_deg", 0.0)),
                         pad_m=float(g.get("pad_m", 0.0)),
                         max_blocks=int(g.get("max_blocks", 5_000_000)))
    parts = []
    done = 0
    for idx, r in krige_grid(comps[["x", "y", "z"]].to_numpy(), comps[variables].to_numpy(),
                             grid, model, sp, sample_hole=hole,
                             ndisc=tuple(cfg.get("ndisc", (1, 1, 1)))):
        done += len(idx)
        if progress is not None:
            progress(done, grid.n_blocks)
        ok = np.isfinite(r["est"][:, 0])
        c = grid.centres_of(idx[ok])
        ijk = grid.ijk_of(idx[ok])
        part = pd.DataFrame({"ix": ijk[:, 0], "iy": ijk[:, 1], "iz": ijk[:, 2], "x": c[:, 0],
                             "y": c[:, 1], "z": c[:, 2], "dx": size[0], "dy": size[1],
                             "dz": size[2]})
        for j, v in enumerate(variables):
            part[v] = r["est"][ok, j]
        for k in ("kvar", "slope", "n_samples", "n_holes"):
            part[k] = r[k][ok]
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def cmd_krige(args: argparse.Namespace) -> int:
    """Handler of ``reeflow krige``."""
    cfg = _yaml(args.model, "--model")
    model = VariogramModel.from_dict(cfg.get("variogram") or {})
    sp = _search(cfg.get("search") or {})
    comps = _samples(args.drillholes, cfg)
    variables = list(cfg.get("variables") or [])
    bad = [v for v in variables if v not in comps.columns]
    if not variables or bad:
        raise InputError("variables", bad or variables, f"columns of {list(comps.columns)}", "")
    comps = comps.dropna(subset=variables)
    hole = comps["hole_id"].to_numpy() if "hole_id" in comps else None
    if args.blocks:
        blocks = read_block_model(args.blocks)
        size = None
        if all(c in blocks.columns for c in ("dx", "dy", "dz")):
            size = vec3([blocks[c].iloc[0] for c in ("dx", "dy", "dz")], "blocks.dx/dy/dz")
        r = krige(comps[["x", "y", "z"]].to_numpy(), comps[variables].to_numpy(),
                  blocks[["x", "y", "z"]].to_numpy(), model, sp, sample_hole=hole,
                  block_size_m=size, ndisc=tuple(cfg.get("ndisc", (1, 1, 1))))
        out = blocks.copy()
        for j, v in enumerate(variables):
            out[v] = r["est"][:, j]
        for k in ("kvar", "slope", "n_samples", "n_holes"):
            out[k] = r[k]
        total = len(out)
    else:
        from reeflow.cli_progress import ProgressBar

        with ProgressBar("krige: blocks", enabled=not args.json) as bar:
            out = _grid_estimate(comps, variables, cfg, model, sp, hole, progress=bar)
        total = len(out)
    if args.out:
        write_block_csv(out, args.out)
    n_est = int(np.isfinite(out[variables[0]]).sum()) if len(out) else 0
    summary = {"blocks": int(total), "estimated": n_est, "composites": int(len(comps)),
               "variables": variables,
               "means": {v: float(np.nanmean(out[v])) if n_est else None for v in variables},
               "out": args.out}
    print(dumps(summary) if args.json else
          f"estimated {n_est} of {total} blocks from {len(comps)} composites; means " + ", ".join(
              f"{k}={v:.4g}" for k, v in summary["means"].items() if v is not None))
    return 0


def register(subparsers: Any) -> None:
    """Add the ``resource`` and ``krige`` subcommands."""
    p = subparsers.add_parser("resource", help="resource statement (built-in SYNTHETIC "
                              "example deposit when PROJECT is omitted)")
    p.add_argument("project", nargs="?", default=None, help="project YAML or 'beylikova'")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--lenient", action="store_true",
                   help="exclude faulty intervals and list them instead of stopping")
    p.add_argument("--seed", type=int, default=None, help="seed of a synthetic deposit")
    p.add_argument("--blocks-out", default=None,
                   help="write the block model here (CSV; GSLIB for .dat/.gslib)")
    p.set_defaults(func=cmd_resource)
    k = subparsers.add_parser("krige", help="ordinary kriging of a block model")
    k.add_argument("drillholes", nargs="+", help="collar survey assay CSVs, or a composites CSV")
    k.add_argument("--model", required=True, help="YAML: variogram, search, variables[, grid]")
    k.add_argument("--blocks", default=None, help="block CSV (x,y,z[,dx,dy,dz]) or GSLIB; "
                   "default: the model's grid over the composites")
    k.add_argument("--out", default=None, help="output CSV")
    k.add_argument("--json", action="store_true", help="print one JSON object")
    k.set_defaults(func=cmd_krige)
