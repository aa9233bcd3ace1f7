"""The deposit's data as the study reads it: a project's own drillhole files (read and their
tables checked) or the seeded SYNTHETIC deposit, domain-coded by a surfaces wireframe where the
project gives one. One reader for the study, ``reeflow validate`` and the web API's submission
check (:func:`reeflow.study.check_project`); the estimate (:mod:`reeflow.deposit.estimate`)
works on what these return."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from reeflow.core.errors import InputError
from reeflow.deposit.drillholes import Drillholes, read_drillholes
from reeflow.deposit.params import DepositParams
from reeflow.deposit.synthetic import SyntheticSpec, load_synthetic_spec, synthetic_drillholes

__all__ = ["user_drillholes", "deposit_data", "code_domains"]


@lru_cache(maxsize=4)
def _synthetic_cached(path: str, seed: int) -> Drillholes:
    spec, _ = load_synthetic_spec(path)
    return synthetic_drillholes(spec, seed=seed)


def user_drillholes(params: DepositParams, base: Path | None = None) -> Drillholes:
    """The project's own drillhole files, read and their tables checked, as the study reads
    them. Paths relative to ``base``. A process parses the same files once (keyed by their
    paths, the SHA-256 of their bytes and the reading settings: ``reeflow validate``'s checks
    and the study's estimate parsed them three to four times); each caller gets its own copy
    of the tables."""
    f = params.drillholes
    if f is None:
        raise InputError("deposit.drillholes", None, "collar, survey and assay files",
                         "add deposit.drillholes with collar_file, survey_file and assay_file to "
                         "the project YAML")
    paths = f.paths(Path(base or "."))
    try:  # the files' bytes, not their times: a rewrite within one clock tick is new data
        stamp = tuple((str(q.resolve()), hashlib.sha256(q.read_bytes()).hexdigest())
                      for q in paths)
    except OSError:  # a missing or unreadable file: the reader names it
        stamp = None
    settings = (f.mode, float(f.below_detection_factor), f.length_unit, f.dip_positive_down)
    d = _read_cached(paths, stamp, *settings) if stamp else _read(paths, *settings)
    dh = _own_copy(d)
    return replace(dh, label=f.label) if f.label else dh


def _read(paths: tuple[Path, ...], mode: str, below_detection_factor: float, length_unit: str,
          dip_positive_down: bool) -> Drillholes:
    return read_drillholes(*paths, mode=mode, below_detection_factor=below_detection_factor,
                           length_unit=length_unit, dip_positive_down=dip_positive_down,
                           fields=("deposit.drillholes.collar_file",
                                   "deposit.drillholes.survey_file",
                                   "deposit.drillholes.assay_file"))


@lru_cache(maxsize=4)
def _read_cached(paths: tuple[Path, ...], stamp: tuple[tuple[str, str], ...], mode: str,
                 below_detection_factor: float, length_unit: str,
                 dip_positive_down: bool) -> Drillholes:
    """:func:`_read`, once per files' content (``stamp``) and reading settings."""
    return _read(paths, mode, below_detection_factor, length_unit, dip_positive_down)


def _own_copy(d: Drillholes) -> Drillholes:
    """``d`` with tables of its own, for a caller of a cached read."""
    return replace(d, collars=d.collars.copy(), surveys=d.surveys.copy(),
                   assays=d.assays.copy(), issues=d.issues.copy())


def deposit_data(params: DepositParams, *, base_dir: str | Path | None = None
                 ) -> tuple[Drillholes, SyntheticSpec | None, Any]:
    """The deposit's data as the study reads it: the project's drillholes (paths relative to
    ``base_dir``) or the seeded SYNTHETIC deposit (cached per file and seed) with its spec,
    domain-coded by the project's wireframe where it has one (then also the wireframe's
    point classifier, else None)."""
    base = Path(base_dir or ".")
    spec = None
    if params.drillholes is not None:
        dh = user_drillholes(params, base)
    else:
        src = params.synthetic
        if src is None:
            raise InputError("deposit", None, "drillholes: {collar_file, survey_file, "
                             "assay_file} or synthetic: {parameters_file, seed}",
                             "name the deposit's data")
        spec, _ = load_synthetic_spec(src.parameters_file, base)
        from reeflow.deposit.synthetic import resolve_spec_path
        d = _synthetic_cached(str(resolve_spec_path(src.parameters_file, base).resolve()),
                              int(src.seed))
        dh = _own_copy(d)
    dom_model = None
    if params.domain_surfaces is not None:
        dh, dom_model = code_domains(dh, params.domain_surfaces, base)
    return dh, spec, dom_model


def code_domains(dh: Drillholes, spec, base: Path):
    """Domain of every assay interval from a surfaces wireframe (interval midpoint inside:
    the zone's name, else WASTE); returns the coded drillholes and the point classifier."""
    from reeflow.deposit.composite import desurvey
    from reeflow.deposit.domains import read_surface_domain
    from reeflow.example_inputs import resolve

    dom = read_surface_domain(base / resolve(spec.surfaces_file, field="surfaces_file"),
                              name=spec.name, length_unit=spec.length_unit)
    a = dh.assays.assign(mid_m=0.5 * (dh.assays["from_m"] + dh.assays["to_m"]))
    xyz = desurvey(dh, a)[["x", "y", "z"]].to_numpy()
    coded = dh.assays.assign(domain=dom.labels(xyz))
    return replace(dh, assays=coded), dom.labels


