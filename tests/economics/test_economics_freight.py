"""Freight is a project parameter (economics.freight by product class), not a generic default:
a study that ships a class without a rate stops with an input error naming it; the freight line
is the project's rate times the tonnes shipped; an unknown class is refused at load."""

import pytest
from econ_fixtures import beylikova_like_inputs, case_params

from reeflow.core.errors import InputError
from reeflow.economics import evaluate
from reeflow.economics._data import read_yaml


def _freight(r):
    opx = r.opex.set_index("item")
    return {i.removeprefix("freight: "): opx.loc[i] for i in opx.index if i.startswith("freight:")}


def test_freight_is_the_projects_rate_times_the_tonnes():
    p = case_params()
    r = evaluate(beylikova_like_inputs(), params=p)
    rows = _freight(r)
    assert set(rows) == {"separated oxide", "industrial mineral concentrate"}
    for cls, row in rows.items():
        assert row["rate"] == p.freight_usd_per_t[cls]
        assert row["usd_per_a"] == pytest.approx(row["quantity"] * p.freight_usd_per_t[cls])
        assert row["evidence"] == "input"
    dearer = p.with_overrides({"freight_usd_per_t.separated oxide": "300 USD/t"})
    r2 = evaluate(beylikova_like_inputs(), params=dearer)
    shipped = rows["separated oxide"]["quantity"]
    assert r2.opex_usd_per_a - r.opex_usd_per_a == pytest.approx(150.0 * shipped, rel=1e-9)


def test_a_class_shipped_without_a_rate_is_an_input_error():
    p = case_params()
    no_oxide = {k: v for k, v in p.freight_usd_per_t.items() if k != "separated oxide"}
    data = p.model_copy(update={"freight_usd_per_t": no_oxide})
    with pytest.raises(InputError, match="economics.freight.separated oxide"):
        evaluate(beylikova_like_inputs(), params=data)


def test_unknown_freight_class_refused():
    with pytest.raises(InputError, match="freight"):
        case_params().with_overrides({"freight_usd_per_t": {"gold bars": 1.0}})


def test_no_generic_freight_default():
    assert "freight" not in read_yaml("opex_rates.yaml")


def test_freight_is_priced_as_stated_in_the_study_currency_year():
    """The project states its rates in its own currency_year dollars: they are not escalated
    with the cost index (the rows of another currency year carry the same rate)."""
    p = case_params()
    earlier = p.with_overrides({"currency_year": 2021})
    rows = _freight(evaluate(beylikova_like_inputs(), params=earlier))
    for cls, row in rows.items():
        assert row["rate"] == p.freight_usd_per_t[cls]
