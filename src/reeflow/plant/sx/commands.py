"""Command line of the SX engine: ``sx simulate``, ``sx design``, ``sx train`` (each with --json).

Thin over :func:`reeflow.plant.sx.simulate`, :func:`reeflow.plant.sx.design_cut` and
:func:`reeflow.plant.sx.design_train`. File formats: see ``examples/sx/*.yaml``. Values may be
plain numbers or ``{value: …}`` records (source/evidence kept in the file); purities accept
``"99.9 %"``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import yaml

from reeflow.core.elements import atomic_mass
from reeflow.core.errors import InputError
from reeflow.core.units import to_canonical
from reeflow.plant.sx.cascade import Cascade, Feed, SideDraw, simulate
from reeflow.plant.sx.data import extractant, relative_extractability
from reeflow.plant.sx.design import DesignConditions, design_cut
from reeflow.plant.sx.train import design_train

__all__ = ["register", "run_simulate", "run_design", "run_train"]


def register(subparsers: Any) -> Any:
    """Add ``sx`` with ``simulate``, ``design`` and ``train``; returns the ``sx`` sub-parsers.

    The lead wires ``sx fit`` (``reeflow.plant.sx.fit_commands.add_fit_arguments`` /
    ``run_fit``) onto the returned object — the fit command lives in ``fit_commands.py``.
    """
    sx = subparsers.add_parser("sx", help="solvent-extraction cascades: simulate, design, train")
    sub = sx.add_subparsers(dest="sx_command", required=True)
    for name, func, arg, text in (
        ("simulate", run_simulate, "CASCADE.yaml", "steady state of a specified cascade"),
        ("design", run_design, "SPEC.yaml", "design one cut (Xu start, rigorous n+m)"),
        ("train", run_train, "PROJECT.yaml", "synthesise and design the separation train"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("file", metavar=arg)
        p.add_argument("--json", action="store_true", help="print one JSON object to stdout")
        p.set_defaults(func=func)
    # --- `sx fit` is added here by the lead from fit_commands (owned by the fit helper) ---
    return sub


def _load(path: str) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise InputError("file", path, "an existing YAML file", "check the path")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError("file", path, "valid YAML", str(exc).splitlines()[0]) from None
    if not isinstance(data, dict):
        raise InputError("file", path, "a YAML mapping", "")
    return data


def _num(v: Any, field: str, unit: str = "frac") -> float:
    if isinstance(v, dict):
        v = v.get("value")
    if isinstance(v, str):
        return to_canonical(v, unit, field=field)
    try:
        out = float(v)
    except (TypeError, ValueError):
        raise InputError(field, v, "a number", "") from None
    if not math.isfinite(out):
        raise InputError(field, v, "a finite number", "")
    return out


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _emit(args: argparse.Namespace, payload: dict[str, Any], lines: list[str]) -> int:
    if getattr(args, "json", False):
        print(json.dumps(_clean(payload)))
    else:
        print("\n".join(lines))
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    """Handler of ``sx simulate CASCADE.yaml``."""
    d = _load(args.file)
    try:
        sections = tuple((str(s), int(n)) for s, n in d["sections"])
        feeds = tuple(Feed(int(f["stage"]), str(f["phase"]), _num(f["flow_L_per_h"], "feeds"),
                           {k: _num(v, f"feeds.{k}") for k, v in f["mol_per_L"].items()},
                           str(f.get("name", ""))) for f in d["feeds"])
        draws = tuple(SideDraw(int(s["stage"]), str(s["phase"]), _num(s["fraction"], "draw"))
                      for s in d.get("side_draws", []) or [])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError("cascade", args.file, "sections, feeds (stage, phase, flow_L_per_h, "
                         "mol_per_L)", f"missing or bad entry: {exc}") from None
    c = Cascade(sections=sections, feeds=feeds, side_draws=draws,
                entrainment_aq_frac=_num(d.get("entrainment_aq_frac", 0.0), "entrainment"),
                entrainment_org_frac=_num(d.get("entrainment_org_frac", 0.0), "entrainment"))
    r = simulate(c, model=str(d.get("model", "constant_beta")), params=d.get("params", {}))
    payload = r.to_dict()
    payload["purity"] = {o: {e: r.purity(o, [e]) for e in r.elements} for o in r.outlets}
    payload["recovery"] = {o: {e: r.recovery(o, [e]) for e in r.elements} for o in r.outlets}
    lines = [f"converged={r.converged} iterations={r.iterations} "
             f"solve_time={r.solve_time_s * 1e3:.2f} ms stages={len(r.stage_sections)}"]
    for o, flows in r.outlets.items():
        lines.append(f"{o}: " + ", ".join(f"{k} {v:.6g}" for k, v in flows.items()) + " mol/h")
    return _emit(args, payload, lines)


def _feed_mol(d: dict[str, Any]) -> dict[str, float]:
    if "feed_mol_per_h" in d:
        return {e: _num(v, f"feed_mol_per_h.{e}") for e, v in d["feed_mol_per_h"].items()}
    if "feed_kg_per_h" in d:
        return {e: _num(v, f"feed_kg_per_h.{e}") * 1000.0 / atomic_mass(e)
                for e, v in d["feed_kg_per_h"].items()}
    raise InputError("feed_kg_per_h", None, "a feed {element: kg/h} (or feed_mol_per_h)", "")


def _factors(d: dict[str, Any]) -> dict[str, float] | None:
    sf = d.get("separation_factors")
    return {k: _num(v, f"separation_factors.{k}") for k, v in sf.items()} if sf else None


def _conditions(d: dict[str, Any]) -> DesignConditions | None:
    c = d.get("conditions")
    if not c:
        return None
    kwargs: dict[str, Any] = {k: _num(v, f"conditions.{k}") for k, v in c.items()}
    return DesignConditions(**kwargs)


def run_design(args: argparse.Namespace) -> int:
    """Handler of ``sx design SPEC.yaml``."""
    d = _load(args.file)
    feed = _feed_mol(d)
    heavy = [str(e) for e in d.get("heavy", [])]
    alpha = relative_extractability(str(d.get("extractant", "P507")), list(feed),
                                    _key_pair(feed, heavy, d), overrides=_factors(d),
                                    policy=str(d.get("beta_policy", "low")))
    cd = design_cut(feed, heavy, alpha=alpha,
                    purity_organic=_num(d.get("purity_organic", 0.999), "purity_organic"),
                    purity_aqueous=_num(d.get("purity_aqueous", 0.999), "purity_aqueous"),
                    optimise_reflux=bool(d.get("optimise_reflux", False)),
                    conditions=_conditions(d))
    payload = cd.to_dict(profiles=True)
    lines = [f"cut {'+'.join(cd.light)} | {'+'.join(cd.heavy)}  beta_key={cd.beta_key:.4g} "
             f"({cd.xu.controlling_section} section controls)",
             f"stages: extraction {cd.n_extraction} + scrub {cd.n_scrub} + strip {cd.n_strip}; "
             f"feed to stage {cd.feed_stage}",
             f"purity organic {cd.purity_organic:.6f}, aqueous {cd.purity_aqueous:.6f}",
             "flows L/h: " + ", ".join(f"{k} {v:.4g}" for k, v in cd.flows_L_per_h.items()),
             "reagents kg/h: " + ", ".join(f"{k} {v:.4g}" for k, v in cd.reagents_kg_per_h.items()),
             f"organic inventory {cd.organic_inventory_m3:.3g} m3, mixer-settlers "
             f"{cd.mixer_settler_volume_m3:.3g} m3"]
    return _emit(args, payload, lines)


def _key_pair(feed, heavy, d) -> list[tuple[str, str]]:
    order = [e for e in extractant(str(d.get("extractant", "P507")))["order"]["value"]
             if e in feed]
    hs = [e for e in order if e in heavy]
    ls = [e for e in order if e not in heavy]
    return [(hs[0], ls[-1])] if hs and ls else []


def _train_settings(d: dict[str, Any]) -> dict[str, Any]:
    sep = d.get("plant", {}).get("separation", {}) if isinstance(d.get("plant"), dict) else {}
    return {**sep, **{k: v for k, v in d.items() if k != "plant"}}


def run_train(args: argparse.Namespace) -> int:
    """Handler of ``sx train PROJECT.yaml`` (top-level keys or ``plant.separation``)."""
    d = _train_settings(_load(args.file))
    if "feed_kg_per_h" not in d:
        raise InputError("feed_kg_per_h", None, "the train's feed {element: kg/h}",
                         "add feed_kg_per_h to the file (the study passes it from the flowsheet)")
    feed = {e: _num(v, f"feed_kg_per_h.{e}") for e, v in d["feed_kg_per_h"].items()}
    prods = d.get("products")
    purity = d.get("product_purity", d.get("purity", 0.999))
    r = design_train(feed, extractant=str(d.get("extractant", "P507")), products=prods,
                     separation_factors=_factors(d), purity=_num(purity, "purity"),
                     beta_policy=str(d.get("beta_policy", "low")),
                     rank_by=str(d.get("rank_by", "total_stages")), conditions=_conditions(d))
    lines = [f"train ({r.extractant}): " + " -> ".join(r.sequence),
             f"total stages {r.total_stages}, organic inventory {r.organic_inventory_m3:.3g} m3, "
             f"mixer-settlers {r.mixer_settler_volume_m3:.3g} m3, solve {r.solve_time_s:.2f} s",
             "reagents kg/h: " + ", ".join(f"{k} {v:.4g}" for k, v in r.reagents_kg_per_h.items())]
    for p in r.products:
        lines.append(f"  {p}: purity {r.purity[p]:.5f}, recovery {r.recovery[p]:.5f}")
    return _emit(args, r.to_dict(), lines)
