"""Flowsheet engine: tearing, Wegstein convergence, balance checks, error paths."""

import numpy as np
import pytest

from reeflow.core.errors import BalanceError, ConvergenceError, InputError
from reeflow.plant import Components, Flowsheet, UnitResult
from reeflow.plant.units import SplitterParams, mixer, splitter

COMP = Components(("H2O", "NaCl", "HCl"))


def _reactor_factory(conversion: float):
    """A unit that converts a fraction of NaCl to itself (no-op chemistry) but holds a recycle."""

    def unit(inlets, params):
        feed = sum((s.flows_kg_per_h for s in inlets.values()), np.zeros((4, COMP.n)))
        from reeflow.plant.stream import Stream

        return UnitResult({"out": Stream(COMP, feed, 25.0)})

    return unit


def _recycle_flowsheet(recycle_frac: float) -> Flowsheet:
    fs = Flowsheet(COMP)
    fs.add_unit("mix", mixer)
    fs.add_unit("reactor", _reactor_factory(0.5))
    fs.add_unit("split", splitter, SplitterParams(1.0 - recycle_frac))
    fs.add_feed("feed", COMP.stream({("H2O", "aq"): 100.0, ("NaCl", "aq"): 10.0}),
                to=("mix", "fresh"))
    fs.connect("m_out", src=("mix", "out"), dst=("reactor", "feed"))
    fs.connect("r_out", src=("reactor", "out"), dst=("split", "feed"))
    fs.connect("recycle", src=("split", "b"), dst=("mix", "recycle"))
    return fs


def test_recycle_is_torn_automatically_and_converges_to_analytic_value():
    r = 0.8
    fs = _recycle_flowsheet(r)
    assert fs.tear_streams() == ["recycle"]
    sol = fs.solve()
    # steady state: recycle = r * (feed + recycle) -> recycle = r/(1-r) * feed
    expected = r / (1 - r) * 110.0
    assert sol.streams["recycle"].total_kg_per_h == pytest.approx(expected, rel=1e-10)
    assert sol.streams["split.a"].total_kg_per_h == pytest.approx(110.0, rel=1e-10)
    assert sol.recycles[0]["residual"] <= 1e-10
    assert sol.balance_table().rel_closure.max() <= 1e-9


def test_recycle_without_purge_reports_tear_and_residual():
    fs = _recycle_flowsheet(1.0)
    with pytest.raises(ConvergenceError, match="recycle") as err:
        fs.solve(max_iter=50)
    assert "residual" in str(err.value)


def test_unbalanced_unit_is_named():
    def leaky(inlets, params):
        (s,) = inlets.values()
        return UnitResult({"out": s.scaled(0.9)})

    fs = Flowsheet(COMP)
    fs.add_unit("leaky_tank", leaky)
    fs.add_feed("feed", COMP.stream({("NaCl", "aq"): 1.0}), to=("leaky_tank", "feed"))
    with pytest.raises(BalanceError, match="leaky_tank.*(Na|Cl)"):
        fs.solve()


def test_duplicate_and_dangling_names_are_rejected():
    fs = Flowsheet(COMP)
    fs.add_unit("a", mixer)
    with pytest.raises(InputError):
        fs.add_unit("a", mixer)
    with pytest.raises(InputError):
        fs.connect("s", src=("nope", "out"), dst=("a", "in"))


def test_stream_table_and_element_flows_are_frames():
    sol = _recycle_flowsheet(0.5).solve()
    table = sol.stream_table()
    assert "temperature_c" in table.index
    ef = sol.element_flows()
    assert set(ef.columns) == {"stream", "source_unit", "target_unit", "element", "kg_per_h"}


def test_negative_flow_is_refused():
    with pytest.raises(InputError, match=">= 0"):
        COMP.stream({"H2O": -1.0})


def test_start_values_on_a_flowsheet_without_recycle():
    """A warm start on an acyclic flowsheet (no tear stream) is ignored, not an error."""
    fs = Flowsheet(COMP)
    fs.add_unit("mix", mixer)
    fs.add_feed("feed", COMP.stream({("H2O", "aq"): 1.0}), to=("mix", "in"))
    first = fs.solve()
    again = fs.solve(start=first.streams)
    assert again.streams["mix.out"].total_kg_per_h == pytest.approx(1.0)


def test_balance_table_counts_every_stream_and_reagent_once():
    """The closure table (one matrix product for all streams) against the sum of each unit's
    inflows and outflows stream by stream, on a flowsheet with a recycle."""
    from reeflow.plant.stream import Stream

    acid = COMP.stream({("HCl", "aq"): 0.5})

    def dose(inlets, params):  # draws a reagent: it counts as the unit's inflow
        feed = sum((x.flows_kg_per_h for x in inlets.values()), np.zeros((4, COMP.n)))
        return UnitResult({"out": Stream(COMP, feed + acid.flows_kg_per_h, 25.0)},
                          reagents={"HCl": acid})

    fs = Flowsheet(COMP)
    fs.add_unit("mix", mixer)
    fs.add_unit("dose", dose)
    fs.add_unit("split", splitter, SplitterParams(fraction_a=0.7))
    fs.add_feed("feed", COMP.stream({("NaCl", "aq"): 2.0, ("H2O", "aq"): 10.0}),
                to=("mix", "feed"))
    fs.connect("to_dose", src=("mix", "out"), dst=("dose", "in"))
    fs.connect("to_split", src=("dose", "out"), dst=("split", "in"))
    fs.connect("recycle", src=("split", "b"), dst=("mix", "back"))
    sol = fs.solve()
    assert sol.results["dose"].reagents  # the reagent path of the closure is exercised
    table = sol.balance_table().set_index(["unit", "element"])
    c = sol.components
    for unit in sol.results:
        e_in = sum(c.element_flows_kg(s.flows_kg_per_h) for s in sol.inflows(unit))
        e_out = sum(c.element_flows_kg(s.flows_kg_per_h) for s in sol.outflows(unit))
        for k, el in enumerate(c.elements):
            assert table.loc[(unit, el), "in_kg_per_h"] == pytest.approx(e_in[k], rel=1e-12)
            assert table.loc[(unit, el), "out_kg_per_h"] == pytest.approx(e_out[k], rel=1e-12)
    assert table["rel_closure"].max() < 1e-9
