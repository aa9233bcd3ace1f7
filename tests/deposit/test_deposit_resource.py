"""Statement arithmetic, a constructed case with a known answer, grade-tonnage monotonicity,
rounding, RPEEE cut-off, classification rules, Table 1 and the disclaimer."""

import numpy as np
import pandas as pd
import pytest

from reeflow.core.errors import InputError
from reeflow.deposit import (
    DISCLAIMER,
    basket_price_usd_per_kg,
    classify_blocks,
    grade_tonnage,
    resource_statement,
    round_sig,
    rpeee_cutoff_frac,
    table1_checklist,
)


def _bm():
    return pd.DataFrame({"tonnes": [100.0, 200.0, 300.0, 400.0, 500.0],
                         "treo_frac": [0.01, 0.02, 0.004, 0.03, 0.015],
                         "class": ["Measured", "Measured", "Indicated", "Inferred",
                                   "unclassified"]})


def test_constructed_statement_known_answer():
    st = resource_statement(_bm(), cutoff_frac=0.005).set_index("class")
    assert st.at["Measured", "tonnes"] == 300.0
    assert st.at["Measured", "treo_frac"] == pytest.approx((1 + 4) / 300)
    assert st.at["Indicated", "tonnes"] == 0.0  # below cut-off
    assert st.at["Inferred", "contained_t"] == pytest.approx(12.0)
    assert st.at["Total", "tonnes"] == 700.0  # unclassified block excluded
    np.testing.assert_allclose(st["contained_t"], st["tonnes"] * st["treo_frac"].fillna(0))
    parts = st.loc[["Measured", "Indicated", "Inferred"], "contained_t"].fillna(0).sum()
    assert parts == pytest.approx(st.at["Total", "contained_t"], rel=1e-12)
    assert st.attrs["disclaimer"] == DISCLAIMER and "Competent Person" in DISCLAIMER


def test_grade_tonnage_monotone():
    rng = np.random.default_rng(1)
    bm = pd.DataFrame({"tonnes": rng.uniform(1, 10, 500), "treo_frac": rng.lognormal(-4, 0.5,
                                                                                    500),
                       "class": rng.choice(["Measured", "Indicated", "Inferred"], 500)})
    gt = grade_tonnage(bm, np.linspace(0, 0.05, 21))
    for _, g in gt.groupby("class"):
        assert np.all(np.diff(g["tonnes"]) <= 0)
        assert np.all(np.diff(g["grade_frac"].dropna()) >= -1e-15)


def test_round_sig():
    np.testing.assert_allclose(round_sig([123456.0, 0.0123456, 0.0], 2), [120000.0, 0.012, 0])


def test_rpeee_cutoff_break_even():
    basket = basket_price_usd_per_kg({"ceo2": 1.0, "nd2o3": 60.0}, {"ceo2": 0.9, "nd2o3": 0.1})
    assert basket == pytest.approx(6.9)
    c = rpeee_cutoff_frac(basket_price_usd_per_kg=basket, recovery_frac=0.5,
                          cost_usd_per_t_ore=69.0)
    assert c == pytest.approx(0.02)
    c2 = rpeee_cutoff_frac(basket_price_usd_per_kg=basket, recovery_frac=0.5,
                           cost_usd_per_t_ore=69.0, revenue_factor=1.25)
    assert c2 == pytest.approx(0.016)
    with pytest.raises(InputError):
        rpeee_cutoff_frac(basket_price_usd_per_kg=1, recovery_frac=1.5, cost_usd_per_t_ore=1)


def test_classification_rules():
    est = pd.DataFrame({"kvar": [0.1, 0.5, 0.9, np.nan], "slope": [0.9, 0.6, 0.1, np.nan],
                        "mean_dist_m": [20, 50, 120, np.nan], "n_holes": [5, 3, 1, 0],
                        "n_samples": [20, 10, 4, 0]})
    lab = classify_blocks(est, sill=1.0)
    assert lab.tolist() == ["Measured", "Indicated", "Inferred", "unclassified"]


def test_table1_checklist_marks_cp_items():
    t = table1_checklist({"Bulk density": "regression"})
    assert (t.loc[t["item"] == "Bulk density", "entry"] == "regression").all()
    cp = t[t["support"] == "cp"]
    assert len(cp) > 5 and (cp["status"] == "needs a Competent Person").all()
