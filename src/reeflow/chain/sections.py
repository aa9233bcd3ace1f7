"""Typed results sections from the chain's outcome (:class:`reeflow.results.StudyResults`).

Wiring only: each function reads one room's result and files it in the results schema.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from reeflow import __version__
from reeflow.chain.pipeline import ChainOutcome, rpeee_rows
from reeflow.core.jsonio import to_jsonable
from reeflow.results import (
    SCHEDULE_MONEY,
    AnnualRow,
    EconomicsSection,
    Kpis,
    Meta,
    MineSection,
    PlantSection,
    PlantYear,
    ResourceSection,
    ScheduleRow,
)

__all__ = ["meta", "flowsheet_section", "plant_section", "mine_section", "economics_section",
           "resource_section", "input_hash", "kpis"]


def input_hash(outcome: ChainOutcome) -> str:
    """SHA-256 of the canonical validated inputs (the project as the chain saw it)."""
    text = outcome.project.model_dump_json(by_alias=True)
    return hashlib.sha256(f"{__version__}\n{text}".encode()).hexdigest()


def meta(outcome: ChainOutcome, runtime_s: float, labels: list[str]) -> Meta:
    p = outcome.project
    return Meta(project_name=p.name, project_path=outcome.loaded.path,
                reeflow_version=__version__,
                generated_utc=datetime.now(UTC).isoformat(timespec="seconds"),
                input_hash=input_hash(outcome), seed=int(p.economics.seed),
                synthetic_labels=labels, runtime_s=runtime_s,
                phase_times_s={**dict(outcome.times_s), **_mine_times(outcome)})


def _mine_times(outcome: ChainOutcome) -> dict[str, float]:
    """The mine plan's own wall times, as ``mine.<step>`` phase times; none for a plan this
    run read from the step cache (its times are those of the run that computed it)."""
    plan = outcome.mine.plan
    if plan is None or outcome.times_s.get("mine plan", 0.0) < \
            0.5 * float(plan.timings_s.get("total", 0.0)):
        return {}
    times = {f"mine.{k}": float(v) for k, v in plan.timings_s.items()}
    seconds = plan.schedule_stats.get("seconds")
    if seconds is not None:
        times["mine.schedule_solve"] = float(seconds)
    return times


def kpis(outcome: ChainOutcome) -> Kpis:
    """The design basis's plant figures; ``power_mw`` is the site's electrical demand from the
    energy balance (every unit and the utilities), not the flowsheet's motor power alone (the
    mills: a third of it on the built-in case)."""
    out = {k: _f(v) for k, v in outcome.design.summary.kpis.items()}
    motor = out.pop("motor_power_mw")
    energy = getattr(outcome.design.engineering, "energy", None)
    out["power_mw"] = motor if energy is None else float(energy.electricity_kw) / 1000.0
    return Kpis.model_validate(out)


def flowsheet_section(sol: Any) -> dict[str, Any]:
    """Units, streams, element flows and balance closure of the design-basis flowsheet."""
    from reeflow.plant.stream import PHASES

    streams = []
    for name, s in sol.streams.items():
        src, dst = sol.ends[name]
        species = {sp: {ph: float(v) for ph, v in zip(PHASES, s.flows_kg_per_h[:, j],
                                                       strict=True) if v > 0}
                   for j, sp in enumerate(s.components.species)
                   if s.flows_kg_per_h[:, j].sum() > 0}
        streams.append({"name": name, "source_unit": src, "target_unit": dst,
                        "temperature_c": s.temperature_c, "total_kg_per_h": s.total_kg_per_h,
                        "species_kg_per_h": species})
    rows = sol.element_flows().to_dict("records")
    for unit, res in sol.results.items():
        for reagent, s in res.reagents.items():
            for el, kg in s.element_kg_per_h().items():
                if kg > 0:
                    rows.append({"stream": f"reagent:{reagent}→{unit}", "source_unit": None,
                                 "target_unit": unit, "element": el, "kg_per_h": float(kg)})
    units = [{"name": u, "kind": sol.kinds[u], "power_kw": r.power_kw,
              "reagents_kg_per_h": {k: v.total_kg_per_h for k, v in r.reagents.items()},
              "info": {k: v for k, v in r.info.items() if isinstance(v, (int, float, str))}}
             for u, r in sol.results.items()]
    balance = sol.balance_table()
    return to_jsonable({"units": units, "streams": streams, "element_flows": rows,
                        "balance": balance.to_dict("records"), "recycles": sol.recycles,
                        "max_rel_closure": float(balance.rel_closure.max())})


def plant_section(outcome: ChainOutcome, spread: float) -> PlantSection:
    f = outcome.design.feed
    design_feed = {"ore_t_per_a": outcome.project.ore.throughput_t_per_a,
                   "treo_frac": f.treo_frac, "ree_share_frac": dict(f.ree_share_frac),
                   "tho2_frac": f.tho2_frac, "caf2_frac": f.caf2_frac,
                   "baso4_frac": f.baso4_frac, "fe2o3_frac": f.fe2o3_frac,
                   "sio2_frac": f.sio2_frac}
    years = [PlantYear.model_validate({k: _f(v) if isinstance(v, float) else v
                                       for k, v in y.__dict__.items()
                                       if k not in ("ree_share_frac", "equipment_sizes")})
             for y in outcome.years]
    return PlantSection(design_feed=to_jsonable(design_feed),
                        separation_method=outcome.project.plant.separation.method,
                        by_year=years, feed_composition_spread_frac=_f(spread))


def _annual_rows(outcome: ChainOutcome) -> list[AnnualRow]:
    df = outcome.annual.table
    rows = []
    for r in df.to_dict("records"):
        py = r["production_year"]
        rows.append(AnnualRow.model_validate({**{k: _f(v) if isinstance(v, float) else v
                                                 for k, v in r.items()},
                                              "year": int(r["year"]),
                                              "production_year": None if pd.isna(py)
                                              else int(py)}))
    return rows


def mine_section(outcome: ChainOutcome, synthetic: bool) -> MineSection:
    """The schedule feeding the plant, joined with each year's plant output and cash flow."""
    m = outcome.mine
    annual = outcome.annual.table.set_index("year")
    rows = []
    for i, r in enumerate(m.schedule.to_dict("records")):
        y = outcome.years[i]
        a = annual.loc[y.year]
        extra = {k: _f(v) for k, v in r.items()
                 if k.endswith(("_frac", "_t")) or k == "rehandle_usd"}
        extra.pop("ore_t", None)
        rows.append(ScheduleRow.model_validate({
            **extra, "year": y.year, "production_year": y.production_year, "ore_t": y.ore_t,
            "head_grade_treo_frac": y.head_grade_treo_frac, "reo_t": y.reo_t,
            # the annual row's money, field for field: capex_usd held sustaining capex too,
            # and differed from economics.annual's in every producing year (audit, stop 36)
            **{k: float(a[k]) for k in SCHEDULE_MONEY}}))
    plan = m.plan
    planned: dict[str, Any] = {}
    if plan is not None:
        d = to_jsonable(plan.to_dict())
        planned = {k: v for k, v in d.items() if k not in ("schedule", "timings_s")}
        # wall times go to meta (two runs of the same inputs differ in meta alone)
        planned["schedule_stats"] = {k: v for k, v in planned.get("schedule_stats", {}).items()
                                     if k != "seconds"}
        st = plan.schedule_stats
        planned.update({"schedule_npv_usd": _f(st["npv_usd"]),
                        "schedule_bound_usd": _f(st["bound_usd"]),
                        "schedule_gap_frac": _f(st["gap_frac"]),
                        "pit_life_years": _f(st.get("pit_life_years_at_capacity")),
                        "horizon_covers_pit": st.get("horizon_covers_pit")})
    return MineSection.model_validate({
        "synthetic": synthetic, "source": m.source, "horizon_years": m.horizon_years,
        "schedule": rows, "inferred_share_of_feed_frac": _inferred_share(rows),
        "remaining_ore_after_horizon_t": m.remaining_ore_t, **planned})


def _inferred_share(rows: list[ScheduleRow]) -> float | None:
    total = sum(r.ore_t for r in rows)
    inf = [r.inferred_t for r in rows]
    if total <= 0 or any(v is None for v in inf):
        return None
    return float(sum(v or 0.0 for v in inf) / total)


def economics_section(outcome: ChainOutcome, extra: dict[str, Any]) -> EconomicsSection:
    """Headline economics of the annual cash flow plus the design-basis breakdowns."""
    from reeflow.economics.annual import scaled_revenue

    a, b = outcome.annual, outcome.basis
    parts = b.parts
    est = parts.get("estimate")
    estimate = None if est is None else to_jsonable(est.to_dict()) \
        if hasattr(est, "to_dict") else None
    storage = parts.get("storage")
    return EconomicsSection.model_validate({
        "deck": b.deck.name, "currency_year": b.params.currency_year, "basis": "real",
        "npv_usd": {f"{r:.4f}": _f(v) for r, v in a.npv_usd.items()},
        "irr_frac": _f(a.irr_frac), "payback_years": _f(a.payback_years),
        "payback_from_first_production_years": _f(a.payback_from_first_production_years),
        "npv_pre_tax_usd": {f"{r:.4f}": _f(v) for r, v in a.npv_pre_tax_usd.items()},
        "irr_pre_tax_frac": _f(a.irr_pre_tax_frac),
        "capex_usd": float(a.capex_usd), "closure_usd": _f(a.closure_usd),
        "annual": _annual_rows(outcome), "headline_rate_frac": float(a.headline_rate_frac),
        "unit_cost_usd_per_kg_reo": _f(a.unit_cost_usd_per_kg_reo),
        "unit_cost_usd_per_kg_ndpr": _f(a.unit_cost_usd_per_kg_ndpr),
        "estimate_class": str(b.assumptions.get("estimate_class", "")),
        "capex_breakdown": to_jsonable(parts.get("capex", pd.DataFrame())),
        "opex_breakdown": to_jsonable(parts.get("opex", pd.DataFrame())),
        "revenue": to_jsonable(scaled_revenue(parts.get("revenue", pd.DataFrame()), b.scales)),
        "capex_estimate": estimate,
        "residue_storage": None if storage is None else to_jsonable(
            storage.to_dict() if hasattr(storage, "to_dict") else storage),
        "capex_cross_check": to_jsonable(a.capex_cross_check),
        "opex_missing": list(a.opex_missing), "kpis": to_jsonable(dict(a.kpis)),
        "kpis_design_basis": to_jsonable(dict(a.design_kpis)),
        "benchmark": to_jsonable(a.benchmark) if a.benchmark is not None else [],
        "levered": to_jsonable(a.levered),
        "mining_cost_basis": (("per t moved (ore + waste)" + (
            ", and the stockpile rehandling per t reclaimed"
            if getattr(outcome.quantities, "rehandle_usd", None) is not None else ""))
            if b.mining_usd_per_t_moved is not None else "per t ore"),
        "assumptions": to_jsonable(dict(b.assumptions)), **to_jsonable(extra)})


def resource_section(outcome: ChainOutcome) -> ResourceSection | None:
    res = outcome.resource
    if res is None:
        return None
    gt = res.grade_tonnage
    vt = res.variogram_table()
    st = res.jorc(rpeee_mask=rpeee_mask(outcome))
    axes = ("major", "semi-major", "minor")
    variograms = [{"variable": f"{res.primary}_frac", "axis": int(a), "direction": axes[int(a)],
                   **{k: to_jsonable(g[k].tolist()) for k in ("lag_m", "gamma", "model_gamma")}}
                  for a, g in vt.groupby("axis")]
    return ResourceSection.model_validate({
        "synthetic": bool(res.synthetic), "label": res.label,
        "statement": to_jsonable(st.raw.to_dict("records")),
        "rpeee_basis": st.rpeee_basis,
        "statement_text": st.text(), "competent_person": st.competent_person,
        "disclaimer": res.disclaimer, "cutoff_frac": _f(res.cutoff_frac),
        "cutoff_basis": res.cutoff_basis,
        "grade_tonnage": to_jsonable(gt.rename(columns={"class": "class_"}).to_dict("records")),
        "variograms": variograms,
        "cross_validation_stats": to_jsonable(res.cross_validation_stats),
        "table1": to_jsonable(res.table1.to_dict("records")),
        "findings": to_jsonable(_findings_first(res.issues).head(MAX_FINDINGS)
                                .replace({np.nan: None}).to_dict("records")),
        "findings_total": int(len(res.issues))})


#: The deposit findings results.json lists (all are counted): a data set with thousands of
#: flagged intervals keeps the file readable
MAX_FINDINGS = 500
_SEVERITY_RANK = {"error": 0, "warning": 1}


def _findings_first(issues: Any) -> Any:
    """The findings in the order a reader needs them within the cap: errors, then warnings,
    then the rest; within each, the deposit-wide ones (no hole: grades not assayed, estimates
    clipped, upward holes) before the per-interval ones, else as found (a data set with 600
    below-detection cells hid the "no caf2 assay" finding past the 500th row)."""
    if issues.empty:
        return issues
    rank = issues["severity"].map(_SEVERITY_RANK).fillna(2)
    per_hole = issues["hole_id"].fillna("").astype(str).ne("")
    key = rank * 2 + per_hole.astype(int)
    return issues.iloc[np.argsort(key.to_numpy(), kind="stable")]


def rpeee_mask(outcome: ChainOutcome) -> np.ndarray | None:
    """Blocks of the resource inside the mine plan's pit shell at the deposit section's RPEEE
    revenue factor (None without a mine plan, or when the plan's shells stop below it)."""
    return rpeee_rows(outcome.project, outcome.mine.plan, outcome.resource)


def _f(v: Any) -> float | None:
    """A finite float, or None ("no data" is missing, never 0)."""
    if v is None:
        return None
    x = float(v)
    return x if np.isfinite(x) else None
