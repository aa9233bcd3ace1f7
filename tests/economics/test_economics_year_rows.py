"""The yearly cash flow prices each year from rows (no table a year); the report's opex and
revenue tables are built from the same rows. The two must give the same money."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def chain():
    from reeflow.chain.pipeline import run_chain
    from reeflow.project import load_project

    return run_chain(load_project())


def test_each_year_s_money_equals_the_sums_of_its_opex_and_revenue_tables(chain):
    import pandas as pd

    from reeflow.economics.annual import _scale, _year_inputs, _year_money
    from reeflow.economics.cost_index import cepci
    from reeflow.economics.opex import OPEX_COLUMNS
    from reeflow.economics.study import _revenue_table, opex_rows_of, purchased_reagents_t

    d, q = chain.basis, chain.quantities
    money = _year_money(d, q)
    path = d.price_path(q.n_years)
    checked = 0
    for i in range(q.n_years):
        inp = _year_inputs(d, q, i)
        rev = _revenue_table(inp, path[i][1], d.params)
        share = (rev["ndpr_linked_usd_per_a"] / rev["usd_per_a"]).where(rev["usd_per_a"] > 0, 0.0)
        scaled = [float(u) * _scale(d.scales, str(p), float(s))
                  for u, p, s in zip(rev["usd_per_a"], rev["product"], share, strict=True)]
        assert money["revenue"][i] == pytest.approx(sum(scaled), rel=1e-12)
        opx = pd.DataFrame(opex_rows_of(inp, d.params, money["revenue"][i],
                                        float(d.base.capex_usd), float(d.parts["direct_usd"]),
                                        d.parts.get("storage"), cepci()), columns=OPEX_COLUMNS)
        usd = opx["usd_per_a"].fillna(0.0) * d.scales.opex
        assert money["variable"][i] == pytest.approx(usd[opx["kind"] == "variable"].sum(),
                                                     rel=1e-12)
        assert money["fixed"][i] == pytest.approx(usd[opx["kind"] == "fixed"].sum(), rel=1e-12)
        assert money["purchased_t"][i] == pytest.approx(purchased_reagents_t(opx), rel=1e-12)
        checked += q.ore_t[i] > 0
    assert checked >= 3 and np.all(np.isfinite(money["variable"]))
    assert len({round(float(v), 3) for v in money["variable"]}) > 1  # the years differ
