"""Regenerate the headline-figure snapshots of the built-in cases (tests/snapshots/*.json).

Run after a change that is MEANT to move a headline figure, then commit the new file with a
message that says why the numbers moved:

    python scripts/regenerate_snapshots.py            # every built-in case
    python scripts/regenerate_snapshots.py beylikova  # one case

The tests tests/study/test_snapshot.py (the default case) and tests/cases/test_case_*.py
compare a fresh study with these files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from reeflow import __version__
from reeflow.project import builtin_cases, load_project
from reeflow.study import compute_results

OUT = Path(__file__).resolve().parents[1] / "tests" / "snapshots"


def headline(case: str) -> dict:
    """The headline figures a reader checks first, from a fresh study of ``case``."""
    r = compute_results(load_project(f"builtin:{case}")).results
    e = r.economics
    sched = r.mine.schedule
    return {
        "case": case,
        "npv_usd": e.npv_usd,
        "irr_frac": e.irr_frac,
        "capex_usd": e.capex_usd,
        "design_reo_t_per_a": r.kpis.reo_t_per_a,
        "design_ndpr_oxide_t_per_a": r.kpis.ndpr_oxide_t_per_a,
        "sx_total_stages": (r.sx or {}).get("total_stages"),
        "production_years": len(sched),
        "lom_ore_t": sum(s.ore_t for s in sched),
        "lom_reo_t": sum(s.reo_t or 0.0 for s in sched),
        "lom_revenue_usd": sum(a.revenue_usd for a in e.annual),
        "claims": {c.id: c.status for c in r.claims},
        **_published_comparison(r),
    }


def _published_comparison(r: Any) -> dict[str, Any]:
    """The figures a reader compares with the project's published study (full production)."""
    e, k = r.economics, r.kpis
    full = [a for a in e.annual
            if a.production_year is not None and a.ore_t >= 0.999 * k.ore_t_per_a]
    return {
        "concentrate_t_per_a": k.concentrate_t_per_a,
        "overall_reo_recovery_frac": k.overall_reo_recovery_frac,
        "opex_usd_per_a_full_production":
            sum(a.opex_usd for a in full) / len(full) if full else None,
        "revenue_usd_per_a_full_production":
            sum(a.revenue_usd for a in full) / len(full) if full else None,
        "npv_pre_tax_usd": e.npv_pre_tax_usd,
        "irr_pre_tax_frac": e.irr_pre_tax_frac,
    }


def main(argv: list[str]) -> int:
    cases = argv or builtin_cases()
    OUT.mkdir(parents=True, exist_ok=True)
    for case in cases:
        data = {"produced_by": f"reeflow {__version__}, scripts/regenerate_snapshots.py",
                **headline(case)}
        path = OUT / f"headline_{case}.json"
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
