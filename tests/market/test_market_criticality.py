"""EU supply risk of a stage: computed only from caller-supplied EU inputs, never invented."""

from __future__ import annotations

import pytest

from reeflow.core.errors import InputError
from reeflow.market import eu_supply_risk_for_stage
from reeflow.market.criticality import EU_SR_INPUTS


def test_missing_inputs_are_reported_not_invented():
    out = eu_supply_risk_for_stage("separation", 2025)
    assert out["supply_risk"] is None
    assert out["missing_inputs"] == list(EU_SR_INPUTS)
    assert "not computed" in out["reason"] and "Blengini" in out["method"]
    assert out["critical_if_sr_at_least"] == 1.0 and out["critical_if_ei_at_least"] == 2.8


def test_supply_risk_from_supplied_inputs_by_hand():
    # separation 2025: named supplier China 0.91 (IEA); toy WGI and EU inputs (test values only)
    out = eu_supply_risk_for_stage(
        "separation", 2025, wgi_scaled={"China": 6.0, "Malaysia": 3.0}, import_reliance_frac=1.0,
        eol_rir_frac=0.01, substitution_index_sr=0.9, eu_sourcing_shares={"China": 0.8,
                                                                          "Malaysia": 0.2})
    gs = 0.91**2 * 6.0
    eu = 0.8**2 * 6.0 + 0.2**2 * 3.0
    assert out["hhi_wgi_global"] == pytest.approx(gs)
    assert out["supply_risk"] == pytest.approx((gs * 0.5 + eu * 0.5) * 0.99 * 0.9)


def test_wgi_must_cover_every_supplier():
    with pytest.raises(InputError, match="wgi_scaled"):
        eu_supply_risk_for_stage("separation", 2025, wgi_scaled={"China": 6.0},
                                 import_reliance_frac=1.0, eol_rir_frac=0.0,
                                 substitution_index_sr=1.0, eu_sourcing_shares={"Malaysia": 1.0})


def test_magnets_stage_is_not_an_eu_stage():
    with pytest.raises(InputError, match="stage"):
        eu_supply_risk_for_stage("magnets", 2025)
