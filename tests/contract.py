"""The schedule -> DCF contract of issue #10, checked on any project's results.json (the
built-in cases and any project a test runs): one check, not one per case."""

from __future__ import annotations

from typing import Any

import pytest

from reeflow.results import SCHEDULE_MONEY

#: Keys every row of ``mine.schedule`` and ``economics.annual`` carries.
CONTRACT = ("year", "ore_t", "head_grade_treo_frac", "reo_t", *SCHEDULE_MONEY)


def assert_schedule_drives_the_dcf(results: dict[str, Any]) -> None:
    """Both tables carry the contract; the DCF's producing years, ore, REO and cash flow are
    the schedule's; years without production carry no ore."""
    sched, annual = results["mine"]["schedule"], results["economics"]["annual"]
    assert sched and annual
    for row in sched + annual:
        for key in CONTRACT:
            assert key in row, key
    by_year = {a["year"]: a for a in annual}
    producing = [a for a in annual if a["production_year"] is not None]
    assert [s["year"] for s in sched] == [a["year"] for a in producing]
    for s in sched:
        a = by_year[s["year"]]
        assert a["ore_t"] == pytest.approx(s["ore_t"], rel=1e-12)
        assert a["reo_t"] == pytest.approx(s["reo_t"], rel=1e-12)
        # every contract field means the same in both: the schedule's capex_usd held the
        # sustaining capex too (an independent audit, stop 36)
        for key in CONTRACT[1:]:
            assert a[key] == pytest.approx(s[key], rel=1e-12, abs=1e-6), (s["year"], key)
        # the cash flow closes on the schedule row alone
        inflow = s["revenue_usd"] + s["working_capital_usd"]
        outflow = sum(s[k] for k in ("royalty_usd", "opex_usd", "capex_usd",
                                     "sustaining_capex_usd", "closure_usd", "tax_usd"))
        assert s["cash_flow_usd"] == pytest.approx(inflow - outflow, rel=1e-9,
                                                   abs=1e-6 * abs(s["revenue_usd"]) + 1e-6)
    assert all(a["ore_t"] == 0 for a in annual if a["production_year"] is None)
