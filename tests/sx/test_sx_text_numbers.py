"""SX fuzz round 18, left over: a number written as text (``{"La": "30"}``) was read as the
number, and a switch written as text (``"no"``) was truthy and turned the switch on. Both are
typing slips the engine does not guess at: each is an InputError naming the field."""

import numpy as np
import pytest

from reeflow.core.errors import InputError
from reeflow.core.numeric import check_flag
from reeflow.plant.sx.cascade import Cascade, Feed, simulate
from reeflow.plant.sx.conditions import DesignConditions
from reeflow.plant.sx.design import design_cut
from reeflow.plant.sx.train import design_train


def test_a_feed_flow_written_as_text_is_refused_naming_the_element():
    with pytest.raises(InputError, match=r"feed_mol_per_h\.Sm.*'50'.*without quotes"):
        design_cut({"Nd": 50, "Sm": "50"}, ["Sm"], alpha={"Nd": 1, "Sm": 6})
    with pytest.raises(InputError, match=r"feed_kg_per_h\.La"):
        design_train({"La": "30", "Ce": 50})


def test_numpy_numbers_are_still_numbers():
    d = design_cut({"Nd": np.float32(50), "Sm": np.int64(50)}, ["Sm"],
                   alpha={"Nd": 1, "Sm": 6})
    assert d.result.converged


@pytest.mark.parametrize("value", ["no", "false", 0, 1, None])
def test_a_switch_is_true_or_false_only(value):
    with pytest.raises(InputError, match="true or false"):
        check_flag("x", value)
    with pytest.raises(InputError, match="conditions.adjust"):
        DesignConditions(adjust=value)
    with pytest.raises(InputError, match="optimise_reflux"):
        design_cut({"Nd": 50, "Sm": 50}, ["Sm"], alpha={"Nd": 1, "Sm": 6},
                   optimise_reflux=value)


def test_the_cascade_window_switch_is_checked():
    c = Cascade(sections=(("extraction", 4),),
                feeds=(Feed(stage=1, phase="aqueous", flow_L_per_h=1.0,
                            mol_per_L={"Nd": 0.1, "Pr": 0.1}),
                       Feed(stage=4, phase="organic", flow_L_per_h=1.0, mol_per_L={})),
                check_oa_window="no")
    with pytest.raises(InputError, match="cascade.check_oa_window"):
        simulate(c, model="constant_beta", params={"beta": {"Nd": 2.0, "Pr": 1.0}})
    assert check_flag("x", np.bool_(True)) is True


def test_a_feed_without_la_to_nd_is_split_element_by_element():
    """SX fuzz round 18: an Sm/Eu/Gd feed with no products given formed one group, and the
    train refused it as 'at least two product groups'."""
    from reeflow.plant.sx.train import default_products

    assert default_products(["Sm", "Eu", "Gd"]) == [["Sm"], ["Eu"], ["Gd"]]
    assert default_products(["La", "Ce", "Sm", "Eu"]) == [["La"], ["Ce"], ["Sm", "Eu"]]
    r = design_train({"Sm": 30, "Eu": 5, "Gd": 20})
    assert set(r.purity) == {"Sm", "Eu", "Gd"}
    assert all(p >= 0.999 for p in r.purity.values())


def test_the_linked_and_end_to_end_switches_are_checked():
    from reeflow.plant.sx.endtoend import train_purities_at
    from reeflow.plant.sx.linked import design_linked_cut

    with pytest.raises(InputError, match="strip"):
        design_linked_cut({"Nd": 1.0, "Pr": 1.0}, ["Nd"], alpha={"Nd": 1.4, "Pr": 1.0},
                          strip="no")
    with pytest.raises(InputError, match="retune"):
        train_purities_at({"cut_specs": [], "cuts": []}, {"A": ["Nd"]}, {"Nd": 1.0},
                          retune="yes")
