"""Claims dataset (claims.yaml) and the market-side checks C6, C7."""

from __future__ import annotations

import dataclasses
import math

import pytest

from reeflow.core.errors import InputError
from reeflow.market import assess, check_c6, check_c7, check_market_claims, load_claims
from reeflow.market.claims import STATUSES, check_record_claim, get_claim, load_records


def test_dataset_has_twelve_claims_with_all_fields():
    claims = load_claims()
    assert [c.id for c in claims] == [f"C{i}" for i in range(1, 13)]
    for c in claims:
        assert c.claim and c.outlet and c.date and c.note
        assert c.checker in ("market", "model", "record")
        assert c.asserts and all(a.quantity and a.value is not None for a in c.asserts)
        assert c.to_dict()["id"] == c.id


def test_machine_checkable_values():
    assert get_claim("C1").assertion("ore_t").value == pytest.approx(690e6)
    assert get_claim("C3").assertion("reo_t_per_a").value == pytest.approx(10_000)
    assert get_claim("C11").assertion("revenue_usd_per_a").value == pytest.approx(220e6)
    c6 = get_claim("C6").assertion("china_mining_share_frac")
    assert (c6.value, c6.qualifier) == (0.70, "approx")
    barite = get_claim("C12").assertion("barite_t_per_a")
    assert (barite.value_low, barite.value_high) == (70_000, 72_000)
    assert get_claim("C7").assertion("ree_demand_multiple").extra["horizon_year"] == 2040


def test_unknown_claim_or_quantity():
    with pytest.raises(InputError):
        get_claim("C99")
    with pytest.raises(InputError):
        get_claim("C6").assertion("ore_t")


def test_c6_consistent_with_usgs_and_iea():
    status, model, reason = check_c6()
    assert status == "consistent"
    assert model["china_mining_share_frac"] == pytest.approx(270 / 390)
    assert model["china_separation_share_frac"] == pytest.approx(0.91)
    assert "USGS" in reason and "IEA" in reason


def test_c6_check_can_fail():
    c6 = get_claim("C6")
    low = dataclasses.replace(c6.asserts[0], value=0.50)
    wrong = dataclasses.replace(c6, asserts=(low, c6.asserts[1]))
    assert check_c6(wrong).status == "inconsistent"
    assert check_c6(abs_tol=0.005).status == "inconsistent"  # 69.2 % is not 70 +- 0.5 %


def test_c7_inconsistent_for_rare_earths():
    status, model, reason = check_c7()
    assert status == "inconsistent"
    assert model["APS 2050 (magnet REE)"][0] == pytest.approx(181 / 93)
    assert model["STEPS 2040 (REE, vs 2024)"] == pytest.approx([1.5, 1.6])
    assert "not in the data" in reason


def test_c7_check_passes_a_true_claim():
    c7 = get_claim("C7")
    modest = dataclasses.replace(c7.asserts[0], value=1.2)
    assert check_c7(dataclasses.replace(c7, asserts=(modest,))).status == "consistent"


def test_check_market_claims_covers_market_and_record_claims():
    out = check_market_claims()
    expected = {c.id for c in load_claims() if c.checker in ("market", "record")}
    assert set(out) == expected == {"C6", "C7", "C8", "C9", "C10"}
    assert all(v.status in STATUSES for v in out.values())


def test_record_claims():
    assert check_record_claim(get_claim("C8")).status == "consistent"  # joined the MSP *Forum*
    c9 = check_record_claim(get_claim("C9"))
    assert c9.status == "consistent" and c9.model_value["china_mou_date"] == "2024-10-16"
    assert check_record_claim(get_claim("C10")).status == "unverifiable"  # plans, not facts
    c8 = get_claim("C8")
    core = dataclasses.replace(c8.asserts[0], value="core partnership")
    assert check_record_claim(dataclasses.replace(c8, asserts=(core,))).status == "inconsistent"
    for rec in load_records().values():
        assert rec["source"] and rec["evidence"] == "published"


@pytest.mark.parametrize("args,kwargs,expected", [
    (("approx", 0.70, 0.692), dict(abs_tol=0.05), "consistent"),
    (("approx", 0.70, 0.60), dict(abs_tol=0.05), "inconsistent"),
    (("greater_than", 6.0, 1.4, 1.95), {}, "inconsistent"),
    (("greater_than", 1.0, 1.4, 1.95), {}, "consistent"),
    (("greater_than", 1.5, 1.4, 1.95), {}, "unverifiable"),
    (("less_than", 2.0, 1.4, 1.95), {}, "consistent"),
    (("range", 71_000.0, 72_000.0), dict(claimed_low=70_000.0, claimed_high=72_000.0),
     "consistent"),
    (("exact", 1.0, None), {}, "unverifiable"),
    (("exact", 1.0, math.nan), {}, "unverifiable"),
])
def test_assess(args, kwargs, expected):
    assert assess(*args, **kwargs) == expected


def test_assess_rejects_unknown_qualifier():
    with pytest.raises(InputError):
        assess("roughly", 1.0, 1.0)
