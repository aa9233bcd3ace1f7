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
from reeflow.deposit.krigefile import GridSpec, KrigeModelFile, SearchSpec, load_krige_model
from reeflow.deposit.kriging import SearchParams, krige, krige_grid
from reeflow.deposit.models import VariogramModel
from reeflow.deposit.params import DepositParams, load_deposit_section

__all__ = ["register", "cmd_resource", "cmd_krige", "result_summary", "project_deposit"]

#: Largest coordinate accepted (m): beyond any projected coordinate system (assumed).
MAX_COORD_M = 1e8


def result_summary(r: ResourceResult, rpeee_mask: np.ndarray | None = None) -> dict[str, Any]:
    """JSON-ready summary: readable statement (inside the RPEEE pit shell ``rpeee_mask`` where
    given), cut-off, classes, variogram, cross-validation, data findings, grade–tonnage,
    timings; SYNTHETIC flagged."""
    st = r.jorc(rpeee_mask=rpeee_mask)
    return {"label": r.label, "synthetic": r.synthetic, "disclaimer": r.disclaimer,
            "cutoff_frac": r.cutoff_frac, "cutoff_basis": r.cutoff_basis,
            "statement": st.raw.replace({np.nan: None}).to_dict(orient="records"),
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


def _text(r: ResourceResult, rpeee_mask: np.ndarray | None = None) -> str:
    issues = [f"data {i.severity}: {i.message} -> {i.action}" for i in r.issues.itertuples()]
    more = [f"... and {len(issues) - 20} more findings"] if len(issues) > 20 else []
    return "\n".join([r.jorc(rpeee_mask=rpeee_mask).text(), *issues[:20], *more])


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
    if args.blocks_out:  # before the estimate: a bad name is refused at once (fuzz round 15)
        from reeflow.core.io import check_output_file

        if Path(args.blocks_out).suffix.lower() not in (*GSLIB_SUFFIXES, ".csv", ".txt"):
            raise InputError("--blocks-out", args.blocks_out,
                             f"a .csv file (or GSLIB {'/'.join(GSLIB_SUFFIXES)})",
                             "name the file .csv, e.g. --blocks-out blocks.csv")
        check_output_file(args.blocks_out, field="--blocks-out")
    from reeflow.project import is_whole_project

    whole = is_whole_project(source)
    r, mask = _study_resource(source, args) if whole else (_deposit_resource(source, args), None)
    if args.blocks_out:
        _write_blocks(r.block_model, args.blocks_out, r)
    print(dumps(result_summary(r, mask)) if args.json else _text(r, mask))
    return 0


def _study_resource(source: str, args: argparse.Namespace
                    ) -> tuple[ResourceResult, np.ndarray | None]:
    """The study chain's resource and its RPEEE pit shell: the statement ``reeflow study``
    reports (the chain's break-even cut-off, a synthetic deposit scaled to ``ore.treo_grade``,
    the blocks inside the mine plan's shell); the chain runs up to its mine plan."""
    from reeflow.chain.pipeline import resource_and_plan, with_overrides
    from reeflow.project import load_project

    loaded = load_project(source)
    d = loaded.project.deposit
    if not d.has_source:
        raise InputError("deposit", source, "a deposit section naming drillholes or a synthetic "
                         "deposit", "add 'deposit: {drillholes: {...}}' (see builtin:babbitt/babbitt)")
    _check_seed(args.seed)
    over: dict[str, Any] = {}
    if d.drillholes is not None and args.lenient:
        over["deposit.drillholes.mode"] = "lenient"
    if args.seed is not None:
        if d.synthetic is None or d.drillholes is not None:
            raise InputError("--seed", args.seed, "a project with a synthetic deposit",
                             "drop --seed: drillhole data have no seed")
        over["deposit.synthetic.seed"] = args.seed
    resource, mask = resource_and_plan(with_overrides(loaded, over) if over else loaded)
    if resource is None:
        raise InputError("deposit.run", False, "true for a resource", "set deposit: {run: true}")
    return resource, mask


def _deposit_resource(source: str, args: argparse.Namespace) -> ResourceResult:
    """A project file's deposit section alone (no plant: the cut-off is the section's own)."""
    params, base = project_deposit(source)
    if not params.has_source:
        raise InputError("deposit", source, "a deposit section naming drillholes or a synthetic "
                         "deposit", "add 'deposit: {drillholes: {...}}' (see builtin:babbitt/babbitt)")
    _check_seed(args.seed)
    if params.drillholes is not None and args.lenient:
        params = params.model_copy(update={"drillholes": params.drillholes.model_copy(
            update={"mode": "lenient"})})
    if args.seed is not None:
        if params.synthetic is None or params.drillholes is not None:
            raise InputError("--seed", args.seed, "a project with a synthetic deposit",
                             "drop --seed: drillhole data have no seed")
        params = params.model_copy(update={"synthetic": params.synthetic.model_copy(
            update={"seed": args.seed})})
    return run_deposit(params, base_dir=base)


def _check_seed(seed: int | None) -> None:
    """``--seed`` within the synthetic deposit's seeds, named as the user wrote it (it was
    named ``deposit.synthetic.seed``, or passed unchecked by ``model_copy``; fuzz round 36)."""
    from reeflow.deposit.params import SyntheticSource

    if seed is None:
        return
    bounds = SyntheticSource.model_fields["seed"].metadata  # the field's own ge and le
    lo = next(m.ge for m in bounds if hasattr(m, "ge"))
    hi = next(m.le for m in bounds if hasattr(m, "le"))
    if not lo <= seed <= hi:
        raise InputError("--seed", seed, f"{lo} to {hi}", "give a seed such as 2025")


def _search(s: SearchSpec) -> SearchParams:
    return SearchParams(s.ranges_m, s.angles_deg, s.min_samples, s.max_samples, s.max_per_hole,
                        s.max_per_octant)


def _samples(paths: list[str], cfg: KrigeModelFile) -> pd.DataFrame:
    if len(paths) == 3:
        try:
            dh = read_drillholes(*paths, mode=cfg.mode, length_unit=cfg.length_unit,
                                 dip_positive_down=cfg.dip_positive_down)
        except InputError as exc:  # the project's key means nothing here (fuzz round 34)
            if exc.field != "deposit.drillholes":
                raise
            raise InputError("DRILLHOLES", exc.value, exc.allowed, exc.fix.replace(
                "deposit.drillholes.mode: lenient", "mode: lenient in the --model file"),
            ) from None
        comps = composite(dh, length_m=cfg.composite_length_m)
        doms = [str(d) for d in cfg.domains or []]
        return comps[comps["domain"].isin(doms)] if doms else comps
    if len(paths) == 1:
        return _finite_xyz(read_block_model(paths[0], missing=-999.0, field="DRILLHOLES"),
                           "DRILLHOLES")
    raise InputError("DRILLHOLES", paths, "three CSVs (collar, survey, assay, in that order) or "
                     "one composites CSV with x, y, z", f"give 3 files or 1, not {len(paths)}")


def _finite_xyz(df: pd.DataFrame, field: str) -> pd.DataFrame:
    """``df`` with numeric, finite x, y, z (m); InputError naming the first bad row."""
    missing = [c for c in ("x", "y", "z") if c not in df.columns]
    if missing:
        raise InputError(f"{field}.columns", list(df.columns)[:12], "x, y, z (m)",
                         f"add the column(s) {', '.join(missing)}")
    if not len(df):
        raise InputError(field, "no rows", "at least one point", "the file has no data rows")
    df = df.copy()
    for c in ("x", "y", "z"):
        v = pd.to_numeric(df[c], errors="coerce").astype(float)
        bad = ~np.isfinite(v.to_numpy()) | (v.abs().to_numpy() > MAX_COORD_M)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{field}.{c}", df[c].iloc[i], f"a finite coordinate in m "
                             f"(|{c}| <= {MAX_COORD_M:g})", f"fix data row {i + 1} of the file "
                             f"({int(bad.sum())} bad)")
        df[c] = v
    return df


def _block_size(blocks: pd.DataFrame, search: SearchSpec) -> tuple[float, float, float] | None:
    """One block size from the dx, dy, dz columns (None without them): > 0, the same for every
    block, and no wider than the search neighbourhood (2 × its longest range), beyond which
    the block's discretisation points reach no composite the search can take and the block
    estimate means nothing."""
    if not all(c in blocks.columns for c in ("dx", "dy", "dz")):
        return None
    widest = 2.0 * max(float(r) for r in search.ranges_m)
    size = []
    for c in ("dx", "dy", "dz"):
        v = pd.to_numeric(blocks[c], errors="coerce").to_numpy(float)
        bad = ~(np.isfinite(v) & (v > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"--blocks.{c}", blocks[c].iloc[i], "a block size > 0 m",
                             f"fix data row {i + 1} of the file ({int(bad.sum())} bad)")
        if np.ptp(v) > 1e-6 * v.max():
            i = int(np.flatnonzero(np.abs(v - v[0]) > 1e-6 * v.max())[0])
            raise InputError(f"--blocks.{c}", float(v[i]), f"one block size for every block "
                             f"(data row 1 has {v[0]:g} m)", f"fix data row {i + 1}, or "
                             "krige each block size from its own file")
        if v[0] > widest:
            raise InputError(f"--blocks.{c}", float(v[0]), f"a block no wider than the search "
                             f"neighbourhood, 2 × the longest search range = {widest:g} m",
                             "give the block size in m (not a grid count or another unit), "
                             "or widen search.ranges_m in the model")
        size.append(float(v[0]))
    return (size[0], size[1], size[2])


def _no_duplicates(blocks: pd.DataFrame) -> None:
    """Refuse two block rows at one centre: each would get the same estimate, and the block
    model's tonnage would count the place twice."""
    dup = blocks.duplicated(["x", "y", "z"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        row = blocks.iloc[i]
        raise InputError("--blocks", f"x={row['x']:.3f}, y={row['y']:.3f}, z={row['z']:.3f}",
                         "one row per block centre",
                         f"remove the repeated rows (data row {i + 1} repeats an earlier "
                         f"block; {int(dup.sum())} repeats in all)")


def _check_extent(xyz: np.ndarray, size: tuple[float, float, float], g: GridSpec) -> None:
    """Refuse a grid whose block count overflows before grid_covering builds it."""
    span = np.ptp(xyz, axis=0) + 2 * g.pad_m if len(xyz) else np.zeros(3)
    counts = np.maximum(np.ceil(span / np.asarray(size, float)), 1.0)
    if not np.all(np.isfinite(counts)) or float(np.prod(counts)) > g.max_blocks:
        raise InputError("grid.block_size_m", list(size), f"a grid of at most {g.max_blocks} "
                         f"blocks over the composites (here {float(np.prod(counts)):.3g})",
                         "use larger blocks, or give --blocks FILE")


def _grid_estimate(comps, variables, cfg, model, sp, hole, progress=None) -> pd.DataFrame:
    """Ordinary kriging over the model's grid, chunk by chunk; ``progress(done, total)`` after
    each chunk (blocks)."""
    g = cfg.grid
    if g is None:
        raise InputError("grid.block_size_m", None, "[dx, dy, dz] in m",
                         "give --blocks FILE or grid: {block_size_m: [...]} in the model")
    size = g.block_size_m
    xyz = comps[["x", "y", "z"]].to_numpy(float)
    _check_extent(xyz, size, g)
    grid = grid_covering(xyz, size, rotation_deg=g.rotation_deg, pad_m=g.pad_m,
                         max_blocks=g.max_blocks)
    parts = []
    done = 0
    for idx, r in krige_grid(comps[["x", "y", "z"]].to_numpy(), comps[variables].to_numpy(),
                             grid, model, sp, sample_hole=hole, ndisc=cfg.ndisc):
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
    if not sum(len(p) for p in parts):
        _no_estimable_block(xyz, grid.n_blocks, cfg)
    return pd.concat(parts, ignore_index=True)


def _no_estimable_block(xyz: np.ndarray, n_blocks: int, cfg: KrigeModelFile) -> None:
    """Refuse a grid over the composites where no block finds ``search.min_samples``
    composites (e.g. too few samples, all at one collar): its output would be a header only.
    (``--blocks`` keeps its rows blank and says why: those blocks are the user's.)"""
    n_xy = len(np.unique(np.round(xyz[:, :2], 6), axis=0))
    s = cfg.search
    raise InputError("DRILLHOLES", f"{len(xyz)} composites at {n_xy} collar position(s) (x, y)",
                     f"composites from which at least one of the grid's {n_blocks} blocks finds "
                     f"search.min_samples = {s.min_samples} composites within the search "
                     f"ellipsoid (ranges {', '.join(f'{r:g}' for r in s.ranges_m)} m); "
                     "here no block could be estimated",
                     "add drillholes or samples, or lower search.min_samples / widen "
                     "search.ranges_m in the model; nothing was written")


def cmd_krige(args: argparse.Namespace) -> int:
    """Handler of ``reeflow krige``."""
    if args.out is not None and not str(args.out).strip():  # wrote nothing, exit 0 (round 34)
        raise InputError("--out", args.out, "a file name", "name the CSV to write, or drop "
                         "--out to print a summary only")
    if args.out:  # refused before the kriging, not after it (fuzz round 15)
        from reeflow.core.io import check_output_file

        check_output_file(args.out, field="--out")
    cfg = load_krige_model(load_yaml_file(args.model, field="--model") or {})
    model = VariogramModel.from_dict(cfg.variogram.model_dump())
    sp = _search(cfg.search)
    comps = _samples(args.drillholes, cfg)
    variables = list(cfg.variables)
    bad = [v for v in variables if v not in comps.columns]
    if bad:
        raise InputError("variables", bad, f"columns of {list(comps.columns)}",
                         "name assay columns in the model's variables (the header's spelling)")
    comps = comps.assign(**{v: pd.to_numeric(comps[v], errors="coerce") for v in variables})
    comps = comps[np.isfinite(comps[variables].to_numpy(float)).all(axis=1)]
    if comps.empty:
        raise InputError("DRILLHOLES", "no composite with a value of every variable",
                         f"at least one sample of {', '.join(variables)}",
                         "check the assay file and the model's variables")
    hole = comps["hole_id"].to_numpy() if "hole_id" in comps else None
    if args.blocks:
        blocks = _finite_xyz(read_block_model(args.blocks, missing=-999.0, field="--blocks"),
                             "--blocks")
        _no_duplicates(blocks)
        size = _block_size(blocks, cfg.search)
        r = krige(comps[["x", "y", "z"]].to_numpy(float), comps[variables].to_numpy(float),
                  blocks[["x", "y", "z"]].to_numpy(float), model, sp, sample_hole=hole,
                  block_size_m=size, ndisc=cfg.ndisc)
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
    if n_est < total:
        summary["not_estimated_why"] = (
            f"{total - n_est} block(s) found fewer than search.min_samples = "
            f"{cfg.search.min_samples} composites within the search ellipsoid (left blank); "
            "check that the blocks and the drillholes share one coordinate system")
    if args.json:
        print(dumps(summary))
        return 0
    means = ", ".join(f"{k}={v:.4g}" for k, v in summary["means"].items() if v is not None)
    print(f"estimated {n_est} of {total} blocks from {len(comps)} composites"
          + (f"; means {means}" if means else ""))
    if n_est < total:
        print(f"note: {summary['not_estimated_why']}")
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
