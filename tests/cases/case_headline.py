"""Headline figures of a built-in case's study, for the snapshot tests of tests/cases.

Regenerate a snapshot after a deliberate change (and say why in the commit):

    PYTHONPATH=src python tests/cases/case_headline.py ngualla

writes tests/cases/<case>_headline.json from the study of ``builtin:<case>``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The figures a reader compares with the project's published study."""
    k, e, sx = results["kpis"], results["economics"], results["sx"] or {}
    prod = [a for a in e["annual"] if a["production_year"] is not None]
    full = [a for a in prod if a["ore_t"] >= 0.999 * k["ore_t_per_a"]]
    return {
        "ore_t_per_a": k["ore_t_per_a"],
        "concentrate_t_per_a": k["concentrate_t_per_a"],
        "reo_t_per_a": k["reo_t_per_a"],
        "ndpr_oxide_t_per_a": k["ndpr_oxide_t_per_a"],
        "overall_reo_recovery_frac": k["overall_reo_recovery_frac"],
        "sx_total_stages": sx.get("total_stages"),
        "production_years": len(prod),
        "capex_usd": e["capex_usd"],
        "opex_usd_per_a_full_production": sum(a["opex_usd"] for a in full) / len(full),
        "revenue_usd_per_a_full_production": sum(a["revenue_usd"] for a in full) / len(full),
        "npv_usd": e["npv_usd"],
        "npv_pre_tax_usd": e["npv_pre_tax_usd"],
        "irr_frac": e["irr_frac"],
        "irr_pre_tax_frac": e["irr_pre_tax_frac"],
    }


def snapshot_path(case: str) -> Path:
    return HERE / f"{case}_headline.json"


def main(case: str) -> None:
    from reeflow.core.io import atomic_write
    from reeflow.project import load_project
    from reeflow.study import compute_results

    figures = headline(compute_results(load_project(f"builtin:{case}")).to_dict())
    atomic_write(snapshot_path(case), json.dumps(figures, indent=1, sort_keys=True) + "\n")
    print(f"wrote {snapshot_path(case)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "ngualla")
