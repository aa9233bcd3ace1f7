"""The SX designer behind ``POST /api/sx/design``: one cut designed with
:func:`reeflow.plant.sx.design_cut`, plus what the page draws and exports.

Inputs: the extractant, the feed (kg/h per element), the heavy group (to the organic), the two
purities, optionally the separation factors, the reflux, and either the extraction-section O/A
or the loaded-organic concentration. Outputs: the design (stages, flows, reagents, inventory),
the McCabe–Thiele diagram, stage profiles and the cascade YAML that ``reeflow sx simulate``
runs to reproduce the design's rigorous simulation.

The McCabe–Thiele diagram is pseudo-binary: heavy-group mole fraction of the rare earths in the
organic (y) against the aqueous (x) leaving each stage, with the key pair's equilibrium curve
y = βx / (1 + (β − 1)x) (Xu's constant-β model, Zhang, Zhao & Schreiner 2016 ch. 4). With more
than two elements the stage points need not sit on that curve; the page says so.

O/A here is the extraction section's volumetric phase ratio, organic / (feed + scrub acid):
with S fixed by Xu's design it sets the loaded-organic concentration c = S·F / (O/A · Q_aq),
refused when c leaves the extractant's published loading range.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from reeflow.core.errors import InputError

__all__ = ["SxDesignRequest", "design", "cascade_yaml", "mccabe_thiele", "stage_profiles"]

Pos = Field(gt=0.0, le=1e7, allow_inf_nan=False)


class SxDesignRequest(BaseModel):
    """Body of ``POST /api/sx/design`` (purities as mole fractions, flows in kg/h)."""

    model_config = ConfigDict(extra="forbid")

    extractant: str = Field(default="P507", min_length=1, max_length=40)
    feed_kg_per_h: dict[str, float] = Field(min_length=2, max_length=16,
                                            description="element symbol -> kg/h of the element")
    heavy: list[str] = Field(min_length=1, max_length=15,
                             description="elements sent to the organic (the more extractable)")
    purity_organic: float = Field(default=0.99, gt=0.5, le=0.99999, allow_inf_nan=False)
    purity_aqueous: float = Field(default=0.99, gt=0.5, le=0.99999, allow_inf_nan=False)
    separation_factors: dict[str, float] | None = Field(
        default=None, max_length=20, description="'Heavy/Light' -> beta (overrides the data)")
    beta_policy: Literal["low", "mid", "high"] = "low"
    reflux_factor: float = Field(default=1.0, ge=0.5, le=5.0, allow_inf_nan=False)
    optimise_reflux: bool = False
    o_to_a: float | None = Field(default=None, ge=0.05, le=20.0, allow_inf_nan=False,
                                 description="extraction-section O/A (organic/(feed+scrub))")
    loaded_organic_mol_per_L: float | None = Field(default=None, ge=0.005, le=2.0,  # noqa: N815
                                                   allow_inf_nan=False)
    stage_efficiency: float = Field(default=1.0, gt=0.1, le=1.0, allow_inf_nan=False)
    max_stages: int = Field(default=300, ge=4, le=400)


def _feed_mol(req: SxDesignRequest) -> dict[str, float]:
    from reeflow.core.elements import REE, atomic_mass

    out = {}
    for el, kg in req.feed_kg_per_h.items():
        if el not in REE:
            raise InputError(f"feed_kg_per_h.{el}", el, f"a rare-earth symbol ({', '.join(REE)})",
                             "use rare-earth element symbols, e.g. Nd")
        if not (math.isfinite(kg) and 0 < kg <= 1e7):
            raise InputError(f"feed_kg_per_h.{el}", kg, "> 0 and <= 1e7 kg/h",
                             "give each feed above 0 and at most 1e7 kg/h")
        out[el] = kg * 1000.0 / atomic_mass(el)
    return out


def _record(name: str) -> dict[str, Any]:
    from reeflow.plant.sx import EXTRACTANTS, extractant

    try:
        return dict(extractant(name))
    except KeyError:
        raise InputError("extractant", name, f"one of {', '.join(EXTRACTANTS)}",
                         "choose one of the listed extractants") from None


def _loaded_organic(req: SxDesignRequest, rec: dict[str, Any], s_per_f: float, w_per_f: float,
                    ftot: float) -> float:
    from reeflow.plant.sx import DesignConditions

    lo_rec = rec.get("loaded_organic_mol_per_L") or {}
    if req.o_to_a is None:
        c = req.loaded_organic_mol_per_L or lo_rec.get("value")
        if c is None:
            raise InputError(f"extractant.{req.extractant}.loaded_organic_mol_per_L", None,
                             "a loaded-organic RE concentration (none verified for this system)",
                             "give loaded_organic_mol_per_L or the O/A")
        return float(c)
    if req.optimise_reflux:
        raise InputError("o_to_a", req.o_to_a, "no O/A while the reflux is optimised (the scan "
                         "changes the organic flow)", "turn off optimise_reflux or drop the O/A")
    base = DesignConditions()
    q_aq = ftot / base.feed_mol_per_L + 3.0 * w_per_f * ftot / base.scrub_acid_mol_per_L
    c = s_per_f * ftot / (req.o_to_a * q_aq)
    rng = lo_rec.get("range")
    if rng and not float(rng[0]) <= c <= float(rng[1]):
        oa_lo = s_per_f * ftot / (float(rng[1]) * q_aq)
        oa_hi = s_per_f * ftot / (float(rng[0]) * q_aq)
        raise InputError("o_to_a", req.o_to_a,
                         f"{oa_lo:.3g} to {oa_hi:.3g} (loaded organic within the extractant's "
                         f"range {rng[0]}-{rng[1]} mol/L)", "pick an O/A inside that band")
    return c


def design(req: SxDesignRequest) -> dict[str, Any]:
    """Design the cut; the response of ``POST /api/sx/design``."""
    from reeflow.core.jsonio import to_jsonable
    from reeflow.plant.sx import (
        DesignConditions,
        design_cut,
        relative_extractability,
        xu_design,
    )

    rec = _record(req.extractant)
    feed = _feed_mol(req)
    heavy = [e for e in req.heavy if e in feed]
    if len(heavy) != len(req.heavy) or len(heavy) >= len(feed):
        raise InputError("heavy", req.heavy, "elements of the feed, leaving at least one for the "
                         "aqueous",
                         "pick as heavy only fed elements, and leave at least one fed element out")
    order = [e for e in rec["order"]["value"] if e in feed]
    hs, ls = [e for e in order if e in heavy], [e for e in order if e not in heavy]
    if order.index(hs[0]) < order.index(ls[-1]):  # heavy must be the more extractable end
        top = order[len(order) - len(heavy):]
        raise InputError("heavy", req.heavy, f"the {len(heavy)} most extractable fed "
                         f"element(s) for {req.extractant} (extraction order, least to most: "
                         f"{' < '.join(order)})", f"set heavy to {top}")
    alpha = relative_extractability(req.extractant, list(feed), [(hs[0], ls[-1])],
                                    overrides=req.separation_factors, policy=req.beta_policy)
    ftot = math.fsum(feed.values())
    beta = alpha[hs[0]] / alpha[ls[-1]]
    f_a = math.fsum(feed[e] for e in heavy) / ftot
    xu = xu_design(beta, f_a, req.purity_organic, req.purity_aqueous,
                   reflux_factor=req.reflux_factor)
    c_lo = _loaded_organic(req, rec, xu.s_mol_per_mol_feed, xu.w_mol_per_mol_feed, ftot)
    cond = DesignConditions(loaded_organic_mol_per_L=c_lo, stage_efficiency=req.stage_efficiency)
    cd = design_cut(feed, heavy, alpha=alpha, purity_organic=req.purity_organic,
                    purity_aqueous=req.purity_aqueous, reflux_factor=req.reflux_factor,
                    optimise_reflux=req.optimise_reflux, conditions=cond,
                    max_stages=req.max_stages)
    out = to_jsonable(cd.to_dict(profiles=True))
    out["components"] = [str(c) for c in cd.result.components]
    fl = cd.flows_L_per_h
    out["o_to_a_extraction"] = fl["organic"] / (fl["feed"] + fl["scrub_acid"])
    out["o_to_a_scrub"] = fl["organic"] / fl["scrub_acid"] if fl["scrub_acid"] > 0 else None
    out["loaded_organic_mol_per_L"] = c_lo
    out["alpha"] = alpha
    out["key_pair"] = [hs[0], ls[-1]]
    out["feed_mol_per_h"] = feed
    out["extractant"] = req.extractant
    cas = cascade_spec(cd, feed, alpha, c_lo, cond)
    out["cascade_yaml"] = cascade_yaml(cas, req)
    out["mccabe_thiele"] = mccabe_thiele(out, heavy, beta)
    out["stage_profiles"] = stage_profiles(out)
    return out


def cascade_spec(cd: Any, feed: dict[str, float], alpha: dict[str, float], c_lo: float,
                 cond: Any) -> dict[str, Any]:
    """The ``sx simulate`` file of the design's rigorous simulation (ideal stages)."""
    n, m = (int(x) for x in cd.ideal_stages)
    fl = cd.flows_L_per_h
    ftot = math.fsum(feed.values())
    feeds: list[dict[str, Any]] = [
        {"stage": n, "phase": "aqueous", "flow_L_per_h": fl["feed"],
         "mol_per_L": {e: x / fl["feed"] for e, x in feed.items()}, "name": "feed"},
        {"stage": 1, "phase": "organic", "flow_L_per_h": fl["organic"], "mol_per_L": {},
         "name": "saponified organic"}]
    sections: list[list[Any]] = [["extraction", n]]
    if m > 0:
        sections.append(["scrub", m])
        feeds.insert(1, {"stage": n + m, "phase": "aqueous",
                         "flow_L_per_h": max(fl["scrub_acid"], 1e-12), "mol_per_L": {},
                         "name": "scrub acid"})
    return {"model": "constant_beta",
            "params": {"alpha": {e: float(alpha[e]) for e in feed},
                       "organic_RE_mol_per_h": cd.s_mol_per_mol_feed * ftot,
                       "scrub_RE_mol_per_h": cd.w_mol_per_mol_feed * ftot,
                       "capacity_mol_per_L": float(c_lo)},
            "sections": sections, "feeds": feeds}


def cascade_yaml(spec: dict[str, Any], req: SxDesignRequest) -> str:
    """The cascade as YAML text with a header saying where it came from."""
    head = (f"# Cascade designed by reeflow (web SX designer): {req.extractant}, heavy "
            f"{'+'.join(req.heavy)}, purities {req.purity_organic:g}/{req.purity_aqueous:g}.\n"
            "# Ideal stages of the rigorous constant-beta simulation.\n"
            "# Run: reeflow sx simulate THIS_FILE.yaml --json\n")
    return head + yaml.safe_dump(spec, sort_keys=False, default_flow_style=None, width=100)


def _stage_arrays(out: dict[str, Any]) -> tuple[list[str], list[list[float]], list[list[float]]]:
    prof = out["profiles"]
    return list(out["components"]), prof["aq_mol_per_h"], prof["org_mol_per_h"]


def _frac(row: list[float], idx: list[int]) -> float | None:
    tot = math.fsum(row)
    return None if tot <= 0 else math.fsum(row[i] for i in idx) / tot


def mccabe_thiele(out: dict[str, Any], heavy: list[str], beta: float) -> dict[str, Any]:
    """Equilibrium curve, stage points and the staircase (pseudo-binary, heavy group)."""
    comps, aq, org = _stage_arrays(out)
    idx = [i for i, c in enumerate(comps) if c in heavy]
    xs = [_frac(r, idx) for r in aq]
    ys = [_frac(r, idx) for r in org]
    curve_x = [i / 100 for i in range(101)]
    curve_y = [beta * x / (1 + (beta - 1) * x) for x in curve_x]
    stair_x: list[float] = []
    stair_y: list[float] = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if x is None or y is None:
            continue
        stair_x.append(x)
        stair_y.append(y)
        if i + 1 < len(xs) and xs[i + 1] is not None:
            stair_x.append(xs[i + 1])  # type: ignore[arg-type]
            stair_y.append(y)
    return {"x_stage": xs, "y_stage": ys, "curve_x": curve_x, "curve_y": curve_y,
            "stair_x": stair_x, "stair_y": stair_y, "beta_key": beta,
            "note": "pseudo-binary: heavy-group mole fraction of the rare earths leaving each "
                    "stage; curve = key-pair equilibrium at beta_key"}


def stage_profiles(out: dict[str, Any]) -> dict[str, Any]:
    """Per element, aqueous and organic concentration (mol/L) leaving each stage."""
    prof = out["profiles"]
    comps = out["components"]
    q_aq, q_org = prof["q_aq_L_per_h"], prof["q_org_L_per_h"]
    aq = {c: [r[j] / q if q > 0 else None for r, q in zip(prof["aq_mol_per_h"], q_aq,
                                                         strict=True)]
          for j, c in enumerate(comps)}
    org = {c: [r[j] / q if q > 0 else None for r, q in zip(prof["org_mol_per_h"], q_org,
                                                          strict=True)]
           for j, c in enumerate(comps)}
    return {"stage": list(range(1, len(q_aq) + 1)), "aq_mol_per_L": aq, "org_mol_per_L": org}
