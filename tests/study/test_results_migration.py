"""A results.json of layout 2.0 is read by migration (it was refused: "re-run the study"): the
schedule rows take the annual rows' money, as a 3.0 file has them."""

from __future__ import annotations

import copy

import pytest
from tests.contract import assert_schedule_drives_the_dcf

from reeflow.core.errors import InputError
from reeflow.results import MIGRATIONS, SCHEDULE_MONEY, SCHEMA_VERSION, load_results


def _as_2_0(results: dict) -> dict:
    """The 3.0 dict as 2.0 wrote it: capex_usd held initial + sustaining capex, and the
    royalty, sustaining capex, closure and working capital were not in the schedule's rows."""
    old = copy.deepcopy(results)
    old["schema_version"] = "2.0"
    for row in old["mine"]["schedule"]:
        row["capex_usd"] = (row["capex_usd"] or 0.0) + (row.pop("sustaining_capex_usd") or 0.0)
        for key in ("royalty_usd", "closure_usd", "working_capital_usd"):
            row.pop(key)
    return old


def test_a_2_0_file_reads_as_the_3_0_file_it_would_have_been(builtin_results_dict):
    old = _as_2_0(builtin_results_dict)
    kept = copy.deepcopy(old)
    lifted = load_results(old).to_dict()
    assert old == kept  # the caller's dict is not modified
    assert lifted["schema_version"] == SCHEMA_VERSION
    assert lifted["mine"]["schedule"] == builtin_results_dict["mine"]["schedule"]
    assert_schedule_drives_the_dcf(lifted)
    # the 2.0 capex really differed: the migration is not a no-op on this file
    producing = [r for r in old["mine"]["schedule"] if (r.get("production_year") or 0) > 0]
    assert any(r["capex_usd"] != a["capex_usd"]
               for r, a in zip(producing, lifted["mine"]["schedule"][-len(producing):],
                               strict=True))


def test_a_2_0_row_without_an_annual_year_drops_its_2_0_capex(builtin_results_dict):
    old = _as_2_0(builtin_results_dict)
    old["mine"]["schedule"][-1]["year"] = 999
    row = load_results(old).to_dict()["mine"]["schedule"][-1]
    assert row["capex_usd"] is None
    assert all(row.get(k) is None for k in SCHEDULE_MONEY if k not in ("revenue_usd", "opex_usd",
                                                                       "tax_usd", "cash_flow_usd"))


@pytest.mark.parametrize("version", ["1", "2.1", "4.0", 3])
def test_other_versions_are_still_refused_with_the_ones_read(builtin_results_dict, version):
    data = dict(builtin_results_dict, schema_version=version)
    with pytest.raises(InputError) as err:
        load_results(data)
    assert err.value.field == "schema_version" and "'2.0', '3.0'" in str(err.value)
    assert set(MIGRATIONS) == {"2.0", "3.0"}


def test_a_3_0_file_reads_as_3_1_without_the_stockpile_fields(builtin_results_dict):
    """3.1 added the stockpile fields of the schedule rows, optional: a 3.0 file (written
    before them) reads as it is."""
    data = copy.deepcopy(dict(builtin_results_dict, schema_version="3.0"))  # not the fixture
    for row in data["mine"]["schedule"]:
        for k in ("stockpile_in_t", "stockpile_out_t", "stockpile_t", "rehandle_usd"):
            row.pop(k, None)
    res = load_results(data)
    assert res.schema_version == "3.1" and res.mine is not None
    assert res.mine.schedule[0].stockpile_t is None


@pytest.mark.parametrize("bad", [{"schedule": [1]}, {"schedule": "x"}, None])
def test_a_malformed_2_0_file_is_refused_by_validation_not_a_raw_error(builtin_results_dict,
                                                                      bad):
    """The migration ran before validation: a schedule row that is not a mapping raised a raw
    AttributeError (review of stop 37)."""
    data = dict(_as_2_0(builtin_results_dict), mine=bad)
    with pytest.raises(InputError):
        load_results(data)
