"""The grown separation-factor data (with temperature) and SXDesign.

The three-outlet design tests are in tests/sx/test_sx_threeoutlet.py.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reeflow.core.data import EVIDENCE
from reeflow.core.errors import InputError
from reeflow.plant.sx import (
    SXDesign,
    extractant,
    key_beta,
    parse_sx_design,
    relative_extractability,
    separation_factor_table,
)

# ------------------------------------------------------------------ data

def test_every_factor_row_has_source_evidence_and_a_range():
    t = separation_factor_table()
    assert len(t) >= 40
    assert set(t.evidence) <= set(EVIDENCE)
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
