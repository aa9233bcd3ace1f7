"""An independent fuzz of the SX engine (validation round 9: 4,200 random simulations and 461
designs, its own generators): the inputs it found accepted, refused with a raw exception or
run to the iteration cap, each now refused up front with the field and the fix."""

from __future__ import annotations

import math

import pytest

from reeflow.core.errors import InputError
from reeflow.plant.sx import Cascade, Feed, design_cut, simulate
from reeflow.plant.sx.linked import design_linked_cut
from reeflow.plant.sx.threeoutlet import design_three_outlet

GDEUSM = {"Sm": 40.0, "Eu": 20.0, "Gd": 40.0}
ALPHA = {"Sm": 1.0, "Eu": 2.0, "Gd": 4.0}


def _scrubbed(w: float) -> Cascade:
    feeds = (Feed(5, "aqueous", 1.0, {"La": 0.5, "Ce": 0.5}), Feed(10, "aqueous", 0.4, {}),
             Feed(1, "organic", 1.0, {}))
    return Cascade(sections=(("extraction", 5), ("scrub", 5)), feeds=feeds)


def test_a_scrub_section_without_reflux_is_refused_as_simulate_cut_refuses_it():
    """W = 0 with scrub stages ran to the iteration cap (132 of 299 such random cascades)."""
    with pytest.raises(InputError, match="scrub_RE_mol_per_h"):
        simulate(_scrubbed(0.0), model="constant_beta",
                 params={"alpha": {"La": 1.0, "Ce": 2.0}, "organic_RE_mol_per_h": 0.5,
                         "scrub_RE_mol_per_h": 0.0})
    ok = simulate(_scrubbed(0.1), model="constant_beta",
                  params={"alpha": {"La": 1.0, "Ce": 2.0}, "organic_RE_mol_per_h": 0.5,
                          "scrub_RE_mol_per_h": 0.1})
    assert ok.converged


def test_one_element_spelled_two_ways_is_refused():
    feeds = (Feed(3, "aqueous", 1.0, {"Nd": 0.5, "nd": 0.1}), Feed(1, "organic", 1.0, {}))
    with pytest.raises(InputError, match="one spelling per component"):
        simulate(Cascade(sections=(("extraction", 3),), feeds=feeds), model="constant_beta",
                 params={"alpha": {"Nd": 2.0, "nd": 1.0}, "organic_RE_mol_per_h": 0.2})


def test_a_linked_cut_without_an_extractability_names_it():
    """A KeyError: 'Ce' before."""
    with pytest.raises(InputError, match="cut: got 'Ce'"):
        design_linked_cut({"Ce": 50.0, "Nd": 30.0}, ["Nd"], alpha={"Nd": 2.8})
    with pytest.raises(InputError, match="alpha.Nd"):
        design_linked_cut({"Ce": 50.0, "Nd": 30.0}, ["Nd"], alpha={"Ce": 1.0, "Nd": math.nan})


def test_one_symbol_is_a_group_of_one():
    """`heavy="Nd"` was read letter by letter ("heavy: got []")."""
    as_list = design_cut({"Pr": 50.0, "Nd": 50.0}, ["Nd"], alpha={"Pr": 1.0, "Nd": 1.5},
                         purity_organic=0.99, purity_aqueous=0.99)
    as_str = design_cut({"Pr": 50.0, "Nd": 50.0}, "Nd", alpha={"Pr": 1.0, "Nd": 1.5},
                        purity_organic=0.99, purity_aqueous=0.99)
    assert (as_str.n_extraction, as_str.n_scrub) == (as_list.n_extraction, as_list.n_scrub)
    with pytest.raises(InputError, match="heavy"):
        design_cut({"Pr": 50.0, "Nd": 50.0}, 5, alpha={"Pr": 1.0, "Nd": 1.5})


@pytest.mark.parametrize("kw, field", [({"s_mol_per_mol_feed": -1.0}, "s_mol_per_mol_feed"),
                                       ({"s_mol_per_mol_feed": [1.0, math.nan]},
                                        "s_mol_per_mol_feed"),
                                       ({"max_stages": -1}, "max_stages")])
def test_three_outlet_refuses_a_negative_flow_or_stage_limit(kw, field):
    """Both read as an infeasible spec ("S = -1 ... raise S", "within -1 stages")."""
    with pytest.raises(InputError) as err:
        design_three_outlet(GDEUSM, ["Gd"], ["Eu"], alpha=ALPHA, **kw)
    assert err.value.field == field
