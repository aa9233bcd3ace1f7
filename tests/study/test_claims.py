"""The one claims registry: every status is computed from the model, none is written."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reeflow.claims import Assertion, ClaimContext, assess, check_claims, load_claims
from reeflow.core.errors import InputError
from reeflow.project import CASES_DIR


def test_every_builtin_claim_is_checked(builtin_results_dict):
    rows = builtin_results_dict["claims"]
    assert [r["id"] for r in rows] == [f"C{i}" for i in range(1, 13)]
    for r in rows:
        assert r["status"] in ("consistent", "inconsistent", "unverifiable")
        assert r["reason"]


@pytest.mark.parametrize("qualifier,claimed,model,status", [
    ("approx", 100.0, 104.0, "consistent"), ("approx", 100.0, 130.0, "inconsistent"),
    ("greater_than", 1.0, 2.0, "consistent"), ("greater_than", 1.0, 0.5, "inconsistent"),
    ("greater_than", 1.0, (0.5, 2.0), "unverifiable"), ("at_most_model", 250.0, 1000.0,
                                                         "consistent"),
    ("at_most_model", 2500.0, 1000.0, "inconsistent"), ("contains", ["Ce", "Nd"],
                                                        {"La", "Ce", "Nd"}, "consistent"),
    ("contains", ["Ce", "Dy"], {"La", "Ce", "Nd"}, "inconsistent")])
def test_assess_qualifiers(qualifier, claimed, model, status):
    a = Assertion(quantity="q", value=claimed, qualifier=qualifier, rel_tol=0.05)
    assert assess(a, model) == status
    assert assess(a, None) == "unverifiable"


def test_statuses_follow_the_model(builtin_study):
    """A claim's status changes when the model changes: nothing is fixed."""
    claims = load_claims(CASES_DIR / "beylikova" / "claims.yaml")
    c5 = next(c for c in claims.claims if c.id == "C5")
    missing_nd = replace(c5, asserts=(replace(c5.asserts[0], value=["Ce", "Dy"]),))
    one = replace(claims, claims=(missing_nd,))
    ctx = ClaimContext(builtin_study.outcome, lambda ov: None)
    assert check_claims(one, ctx)[0]["status"] == "inconsistent"
    c3 = next(c for c in claims.claims if c.id == "C3")
    low = replace(c3, asserts=(replace(c3.asserts[1], value=builtin_study.results.kpis
                                       .reo_t_per_a),))
    assert check_claims(replace(claims, claims=(low,)), ctx)[0]["status"] == "consistent"


def test_bad_claims_file_names_the_entry(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("claims:\n- {id: X, claim: y, asserts: [{quantity: q, value: 1, qualifer: approx}]}\n")
    with pytest.raises(InputError, match="qualifer"):
        load_claims(p)
