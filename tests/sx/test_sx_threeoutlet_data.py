"""Three-outlet design, the grown separation-factor data (with temperature) and SXDesign."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.plant.sx import (
    SXDesign,
    extractant,
    key_beta,
    parse_sx_design,
    relative_extractability,
    separation_factor_table,
)
from reeflow.plant.sx.threeoutlet import design_three_outlet, simulate_three_outlet

# Zhang, Zhao & Schreiner 2016 (as quoted in KitchinHUB/ree-literature-updates ree-book ch. 17):
# Gd/Eu/Sm on an acidic extractant, beta Gd/Eu 1.40 and Eu/Sm 2.00, feed 0.39/0.10/0.51,
# 99.9 % Gd (organic), 99.99 % Sm at 99.9 % recovery (aqueous), Eu concentrate > 40 %.
FEED = {"Sm": 51.0, "Eu": 10.0, "Gd": 39.0}
ALPHA = {"Sm": 1.0, "Eu": 2.0, "Gd": 2.8}
PUBLISHED = {"s": 2.0, "n": 18, "m": 42, "draw": 30, "total": 60}


@pytest.fixture(scope="module")
def gd_eu_sm():
    return design_three_outlet(FEED, ["Gd"], ["Eu"], alpha=ALPHA, purity_organic=0.999,
                               purity_aqueous=0.9999, recovery_aqueous=0.999,
                               middle_fraction=0.40, s_mol_per_mol_feed=2.0,
                               middle_recovery=0.9995)


@pytest.mark.slow
def test_three_outlet_meets_all_four_specs_on_resimulation(gd_eu_sm):
    d = gd_eu_sm
    assert d.purity_organic >= 0.999 and d.purity_aqueous >= 0.9999
    assert d.recovery_aqueous >= 0.999 and d.middle_fraction >= 0.40
    assert max(abs(v) for v in d.result.closure.values()) <= 1e-9
    draw = f"aq_draw_{d.draw_stage}"
    assert draw in d.result.outlets
    # Eu is concentrated fourfold in the draw; the Gd recovery matches the published 61.8 %
    assert d.middle_fraction / 0.10 >= 4.0
    assert d.recovery_organic == pytest.approx(0.618, abs=0.01)


@pytest.mark.slow
def test_published_gd_eu_sm_stage_count_gap_is_recorded(gd_eu_sm):
    """Snapshot of the measured gap to the published 18 + 42 (draw at 30) at S = 2.00.

    The rigorous constant-β model needs more stages than the secondary quotation reports
    (docs/benchmarks_sx.md explains why the ±2-stage reproduction is not claimed). The test
    fails if the designer gets worse, or if it comes within ±2 stages of the publication
    (then promote it to a paper gate).
    """
    d = gd_eu_sm
    assert d.total_stages <= 110
    assert abs(d.total_stages - PUBLISHED["total"]) > 2


def test_three_outlet_draw_fraction_and_phase_are_validated():
    with pytest.raises(InputError, match="draw_fraction"):
        simulate_three_outlet(FEED, ALPHA, 5, 5, 200.0, 150.0, 7, "aqueous", 1.5)
    with pytest.raises(InputError, match="draw_phase"):
        design_three_outlet(FEED, ["Gd"], ["Eu"], alpha=ALPHA, draw_phase="vapour")
    with pytest.raises(InfeasibleSpecError):
        design_three_outlet(FEED, ["Gd"], ["Eu"], alpha=ALPHA, middle_fraction=0.05,
                            s_mol_per_mol_feed=0.3)


def test_easier_three_outlet_designs_quickly():
    feed = {"La": 40.0, "Ce": 20.0, "Pr": 40.0}
    alpha = {"La": 1.0, "Ce": 3.0, "Pr": 9.0}
    d = design_three_outlet(feed, ["Pr"], ["Ce"], alpha=alpha, purity_organic=0.99,
                            purity_aqueous=0.99, middle_fraction=0.8, s_mol_per_mol_feed=1.5)
    assert d.middle_fraction >= 0.8 and d.purity_organic >= 0.99
    assert d.purity_aqueous >= 0.99 and d.n_extraction < d.draw_stage
    assert max(abs(v) for v in d.result.closure.values()) <= 1e-9


# ------------------------------------------------------------------ data

def test_every_factor_row_has_source_evidence_and_a_range():
    t = separation_factor_table()
    assert len(t) >= 40
    assert set(t.evidence) <= {"published", "secondary", "derived", "assumed", "measured"}
    assert t.source.str.len().min() > 20
    assert (t.beta_low <= t.beta_high).all() and (t.beta_low > 0).all()
    for ext in t.extractant.unique():
        extractant(ext)  # every table extractant is a shipped system


def test_p507_factors_from_tanaka_2021_and_the_verified_minimum():
    # 10^(a_Ce - a_La) from the T21 refit; the low policy keeps Shin-Etsu's 1.4 for Nd/Pr
    assert key_beta("P507", "Ce", "La") == pytest.approx(2.193, rel=1e-3)
    assert key_beta("P507", "Nd", "Pr") == pytest.approx(1.4)
    assert key_beta("P507", "Sm", "Nd") == pytest.approx(5.171, rel=1e-3)


def test_d2ehpa_temperature_dependence_follows_the_measured_vant_hoff_slopes():
    b25 = key_beta("D2EHPA", "Ce", "La", temperature_C=25.0)
    b50 = key_beta("D2EHPA", "Ce", "La", temperature_C=50.0)
    d = 647 - 931  # K, Xu 1995 via Qi 2018 Table 2.15: La 931, Ce 647
    assert b50 / b25 == pytest.approx(10 ** (d * (1 / 323.15 - 1 / 298.15)), rel=1e-9)
    assert b50 > b25  # Ce less exothermic than La: Ce/La rises with temperature
    # no data for P507: beta at the reference temperature, unchanged
    assert key_beta("P507", "Ce", "La", temperature_C=50.0) == key_beta("P507", "Ce", "La")


def test_naphthenic_acid_order_is_measured_and_not_monotonic():
    order = extractant("naphthenic_acid")["order"]["value"]
    assert order[0] == "Y" and order[-1] == "Sm" and order.index("Lu") < order.index("Ce")
    a = relative_extractability("naphthenic_acid", ["La", "Ce", "Nd"], [("Ce", "La")])
    assert a["Nd"] / a["La"] > 1.0


def test_csv_is_readable_as_plain_data():
    t = separation_factor_table()
    assert isinstance(t, pd.DataFrame)
    vh = pd.to_numeric(t.vant_hoff_K, errors="coerce").dropna()
    assert len(vh) >= 2 and vh.abs().max() < 1000


# ------------------------------------------------------------------ SXDesign schema

def test_sxdesign_fields_are_bounded_and_documented():
    for name, info in SXDesign.model_fields.items():
        assert name in SXDesign.__doc__ or info.annotation is not None
    s = parse_sx_design({"scrub_acid_mol_per_L": "2 mol/L", "saponification_frac": 0.4,
                         "temperature": "35 degC"})
    c = s.to_conditions("P507")
    assert c.scrub_acid_mol_per_L == 2.0 and c.temperature_C == 35.0
    assert c.loaded_organic_mol_per_L == pytest.approx(0.4 * 1.5 / 3)


@pytest.mark.parametrize("bad,field", [
    ({"scrub_acid": "2 mol/L"}, "did you mean 'scrub_acid_mol_per_L'"),
    ({"strip_acid_excess_frac": -0.1}, "strip_acid_excess_frac"),
    ({"n_strip": -2}, "n_strip"),
    ({"loaded_organic_mol_per_L": "0.6 mol/L"}, "loaded_organic_mol_per_L"),
    ({"saponification_frac": 0.95}, "saponification_frac"),
    ({"oa_max": 100}, "oa_max"),
    ({"temperature": "90 degC"}, "temperature"),
    ({"purity": math.nan}, "purity"),
    ({"extractant": "TBP-X"}, "extractant"),
])
def test_sxdesign_rejects_out_of_range_and_misspelt(bad, field):
    with pytest.raises(InputError, match=field):
        parse_sx_design(bad)
