"""Block valuation: every product counted, mining charged once, royalty on the DCF's base — checked
by hand on three blocks; modifying factors; nested-pit monotonicity."""

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.mine import BlockEconomics, Product, block_values

P = (Product("REO", "treo_frac", recovery_frac=0.6, price_usd_per_t=8000.0),
     Product("fluorite", "caf2_frac", recovery_frac=0.5, price_usd_per_t=300.0,
             conversion_t_per_t=1 / 0.97, selling_cost_usd_per_t=20.0, payability_frac=0.9))
TONNES = np.array([10_000.0, 10_000.0, 5_000.0])
GRADES = {"treo_frac": np.array([0.02, 0.0005, 0.01]), "caf2_frac": np.array([0.30, 0.0, 0.40])}


def test_three_blocks_by_hand():
    econ = BlockEconomics(P, mining_cost_usd_per_t=2.5, processing_cost_usd_per_t=50.0,
                          royalty_frac=0.0375)
    bv = block_values(TONNES, GRADES, econ)
    # block 0: REO 10000*0.02*0.6 = 120 t -> 960,000 USD; fluorite 10000*0.3*0.5/0.97 = 1546.39 t
    reo = 10_000 * 0.02 * 0.6
    fl = 10_000 * 0.30 * 0.5 / 0.97
    revenue = reo * 8000 + fl * 0.9 * 300
    selling = fl * 20
    royalty = 0.0375 * revenue
    value = revenue - selling - royalty - 10_000 * 50 - 10_000 * 2.5
    assert bv.revenue_usd[0] == pytest.approx(revenue, rel=1e-12)
    assert bv.process_value_usd[0] == pytest.approx(value, rel=1e-12)
    assert bv.is_ore[0] and bv.value_usd[0] == pytest.approx(value, rel=1e-12)
    # block 1: REO 10000*0.0005*0.6 = 3 t -> 24,000 USD < processing: waste, pays mining only
    assert not bv.is_ore[1] and bv.value_usd[1] == pytest.approx(-25_000.0)
    assert bv.mining_usd.sum() == pytest.approx(2.5 * TONNES.sum())  # mining charged once
    # block 2: by-products make it ore (REO alone: 5000*0.01*0.6*8000 = 240k < 250k + royalty)
    fl2 = 5_000 * 0.40 * 0.5 / 0.97
    rev2 = 5_000 * 0.01 * 0.6 * 8000 + fl2 * 0.9 * 300
    v2 = rev2 * (1 - 0.0375) - fl2 * 20 - 5_000 * 52.5
    assert bv.is_ore[2] and bv.value_usd[2] == pytest.approx(v2, rel=1e-12)
    reo_only = block_values(TONNES, GRADES, BlockEconomics(P[:1], 2.5, 50.0, 0.0375))
    assert not reo_only.is_ore[2]


def test_royalty_on_revenue_less_processing_and_modifying_factors():
    econ = BlockEconomics(P, 2.5, 50.0, royalty_frac=0.1, royalty_base="revenue_less_processing")
    bv = block_values(TONNES, GRADES, econ, dilution_frac=0.1, ore_loss_frac=0.05)
    kept = 10_000 * 0.95
    feed = kept * 1.1
    revenue = kept * 0.02 * 0.6 * 8000 + kept * 0.3 * 0.5 / 0.97 * 0.9 * 300
    selling = kept * 0.3 * 0.5 / 0.97 * 20
    royalty = 0.1 * (revenue - selling - feed * 50)
    assert bv.feed_t[0] == pytest.approx(feed)
    assert bv.royalty_usd[0] == pytest.approx(royalty, rel=1e-12)
    assert bv.mining_usd[0] == pytest.approx(10_000 * 2.5)  # tonnes moved do not change


def test_value_is_monotone_in_revenue_factor():
    rng = np.random.default_rng(1)
    t = rng.uniform(1e3, 1e4, 500)
    g = {"treo_frac": rng.uniform(0, 0.05, 500), "caf2_frac": rng.uniform(0, 0.5, 500)}
    econ = BlockEconomics(P, 2.5, 50.0, 0.0375)
    prev = None
    for rf in (0.3, 0.6, 1.0, 1.3):
        v = block_values(t, g, econ, revenue_factor=rf).value_usd
        if prev is not None:
            assert np.all(v >= prev - 1e-9)
        prev = v


def test_inferred_forced_to_waste():
    econ = BlockEconomics(P, 2.5, 50.0)
    bv = block_values(TONNES, GRADES, econ, force_waste=np.array([True, False, False]))
    assert not bv.is_ore[0] and bv.value_usd[0] == pytest.approx(-25_000.0)


@pytest.mark.parametrize(("kw", "field"), [
    ({"recovery_frac": 1.2}, "recovery_frac"), ({"price_usd_per_t": -1.0}, "price_usd_per_t"),
    ({"grade_column": "treo"}, "grade_column")])
def test_bad_products_refused(kw, field):
    base = {"name": "x", "grade_column": "treo_frac", "recovery_frac": 0.5,
            "price_usd_per_t": 1.0}
    with pytest.raises(InputError, match=field):
        Product(**{**base, **kw})


def test_missing_grade_column_named():
    econ = BlockEconomics((Product("NdPr", "ndpr_frac", 0.5, 60_000.0),), 2.5, 50.0)
    with pytest.raises(InputError, match="ndpr_frac"):
        block_values(TONNES, GRADES, econ)
    with pytest.raises(InputError, match="royalty_frac"):
        BlockEconomics(P, 2.5, 50.0, royalty_frac=1.5)


def test_nsr_form_by_hand():
    from reeflow.mine import block_values_usd, nsr_usd_per_t

    nsr = nsr_usd_per_t({"cu_frac": np.array([0.01, 0.0])}, {"cu": 10.0}, {"cu": 0.5},
                        payability_frac={"cu": 0.9}, selling_cost_usd_per_kg=1.0)
    np.testing.assert_allclose(nsr, [0.01 * 1000 * 0.5 * 0.9 * (10 - 1), 0.0])
    v, ore = block_values_usd(np.array([100.0, 100.0]), nsr, mining_cost_usd_per_t=2.0,
                              processing_cost_usd_per_t=30.0, royalty_frac=0.1)
    np.testing.assert_allclose(v, [100 * (40.5 * 0.9 - 30 - 2), -200.0])
    assert list(ore) == [True, False]


@pytest.mark.parametrize("base", ["revenue", "revenue_less_processing"])
def test_values_by_revenue_factor_equal_block_values_bit_for_bit(base):
    """The nested pits' value function computes once what does not depend on the revenue
    factor; its values must be block_values' own, to the last bit, at any factor."""
    from reeflow.mine.valuation import values_by_revenue_factor

    rng = np.random.default_rng(7)
    n = 5_000
    tonnes = rng.uniform(500.0, 3_000.0, n)
    grades = {"ree_frac": rng.uniform(0.0, 0.06, n), "caf2_frac": rng.uniform(0.0, 0.4, n)}
    econ = BlockEconomics(
        products=(Product("reo", "ree_frac", 0.63, 9_000.0, payability_frac=0.9,
                          selling_cost_usd_per_t=120.0),
                  Product("fluorite", "caf2_frac", 0.7, 300.0, conversion_t_per_t=1.03)),
        mining_cost_usd_per_t=2.9, processing_cost_usd_per_t=61.0, royalty_frac=0.0375,
        royalty_base=base)
    waste = rng.random(n) < 0.2
    kw = {"dilution_frac": 0.05, "ore_loss_frac": 0.03, "force_waste": waste}
    value_at = values_by_revenue_factor(tonnes, grades, econ, **kw)
    for rf in (0.31, 0.7, 1.0, 1.37):
        want = block_values(tonnes, grades, econ, revenue_factor=rf, **kw).value_usd
        assert np.array_equal(value_at(rf), want)
    with pytest.raises(InputError, match="revenue_factor"):
        value_at(0.0)
