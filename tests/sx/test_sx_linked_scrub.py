"""The scrub-liquor link of linked (hyperlink) cascades (issue #13, item 4)."""

from __future__ import annotations

import json
import math

import pytest

from reeflow.core.elements import molar_mass
from reeflow.core.errors import ConvergenceError, InfeasibleSpecError, InputError
from reeflow.plant.sx import design_train
from reeflow.plant.sx.linked import link_scrub, link_train, simulate_scrubbed_cut

# A Nd-rich tail: La+Ce off first, then Pr|Nd fed the loaded organic (Pr 23 % of its feed,
# below 1/(1 + √1.4) = 46 %, so its scrub has spare loaded organic).
FEED = {"La": 30.0, "Ce": 40.0, "Pr": 7.0, "Nd": 23.0}
PRODUCTS = {"LaCe": ["La", "Ce"], "Pr": ["Pr"], "Nd": ["Nd"]}
SF = {"Pr/Ce": 2.0, "Nd/Pr": 1.4}


@pytest.fixture(scope="module")
def train():
    tr = design_train(FEED, products=PRODUCTS, separation_factors=SF, purity=0.99,
                      n_rigorous=2)
    assert tr.sequence == ["LaCe|Pr+Nd", "Pr|Nd"]  # organic-linked: Pr|Nd splits the organic
    return tr


@pytest.fixture(scope="module")
def linked(train):
    return link_scrub(train)


def test_balance_closes_per_element(linked, train):
    assert max(abs(v) for v in linked.balance_closure_rel.values()) <= 1e-9
    fed = train.cuts[0].result.feed_mol_per_h
    for e, v in fed.items():
        out = math.fsum(p.get(e, 0.0) for p in linked.products_mol_per_h.values())
        assert out == pytest.approx(v, rel=1e-9), e
    json.dumps(linked.to_dict())


def test_both_cuts_meet_their_specs_on_resimulation(linked):
    assert linked.meets_spec
    for name, p in linked.purity.items():
        assert p["organic"] >= p["organic_spec"], name
        assert p["aqueous"] >= p["aqueous_spec"], name


def test_the_recycle_has_converged_to_the_raffinate_it_returns(linked):
    liq, prod = linked.liquor_mol_per_h, linked.products_mol_per_h["Pr"]
    r, p = math.fsum(liq.values()), math.fsum(prod.values())
    assert r == pytest.approx(min(linked.liquor_max_RE_mol_per_h,
                                  r + linked.scrub_acid_left_RE_mol_per_h))
    for e in liq:  # the liquor is the raffinate's composition: the product's
        assert liq[e] / r == pytest.approx(prod[e] / p, rel=1e-6, abs=1e-12), e


def test_scrub_link_saves_acid_and_base_over_the_organic_link(linked, train):
    mol = linked.reagents_mol_per_h
    # the organic-linked figures are link_train's
    lt = link_train(train)
    for k in ("HCl", "NaOH"):
        assert mol["organic_linked"][k] == pytest.approx(
            lt.linked_reagents_kg_per_h[k] * 1000.0 / molar_mass(k), rel=1e-9)
    assert mol["scrub_linked"]["HCl"] < mol["organic_linked"]["HCl"]
    assert mol["scrub_linked"]["NaOH"] <= mol["organic_linked"]["NaOH"] * (1 + 1e-12)
    # Xu: each mol of liquor saves 3 HCl upstream and 3 NaOH downstream
    r = math.fsum(linked.liquor_mol_per_h.values())
    saved = {k: mol["organic_linked"][k] - mol["scrub_linked"][k] for k in ("HCl", "NaOH")}
    assert saved["HCl"] == pytest.approx(3 * r, rel=0.05)
    assert saved["NaOH"] == pytest.approx(3 * r, rel=0.05)
    s = linked.saving_frac
    assert s["scrub_linked"]["HCl+NaOH"] > s["organic_linked"]["HCl+NaOH"] > 0
    fed = math.fsum(train.cuts[0].result.feed_mol_per_h.values())
    assert linked.reagents_mol_per_mol_fed["scrub_linked"]["HCl"] == pytest.approx(
        mol["scrub_linked"]["HCl"] / fed)


def test_a_smaller_liquor_saves_less_on_fewer_stages(linked, train):
    half = link_scrub(train, liquor_RE_mol_per_h=0.5 * linked.liquor_max_RE_mol_per_h)
    assert half.meets_spec
    assert max(abs(v) for v in half.balance_closure_rel.values()) <= 1e-9
    mol = {k: sum(half.reagents_mol_per_h[k].values()) for k in half.reagents_mol_per_h}
    full = sum(linked.reagents_mol_per_h["scrub_linked"].values())
    assert full < mol["scrub_linked"] < mol["organic_linked"]
    assert sum(half.stages["scrub_linked"][1]) < sum(linked.stages["scrub_linked"][1])


def test_a_raffinate_rich_downstream_cut_cannot_take_the_link():
    tr = design_train({"La": 30.0, "Ce": 40.0, "Pr": 23.0, "Nd": 7.0}, products=PRODUCTS,
                      separation_factors=SF, purity=0.99, n_rigorous=2)
    assert tr.sequence == ["LaCe|Pr+Nd", "Pr|Nd"]
    with pytest.raises(InfeasibleSpecError, match="no scrub-liquor link saves"):
        link_scrub(tr)
    with pytest.raises(InfeasibleSpecError, match="no spare loaded organic"):
        link_scrub(tr, cut="LaCe|Pr+Nd")


def test_an_unconverged_recycle_raises(train):
    with pytest.raises(ConvergenceError, match="did not converge"):
        link_scrub(train, max_iter=1)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"cut": "Pr|Nd"}, "cut"), ({"cut": 5}, "cut"), ({"cut": True}, "cut"),
    ({"tol_rel": 0.0}, "tol_rel"), ({"tol_rel": float("nan")}, "tol_rel"),
    ({"max_iter": 0}, "max_iter"), ({"liquor_RE_mol_per_h": 0.0}, "liquor_RE_mol_per_h"),
    ({"liquor_RE_mol_per_h": 1e6}, "liquor_RE_mol_per_h"),
    ({"liquor_RE_mol_per_h": float("nan")}, "liquor_RE_mol_per_h"),
    ({"max_stage_rounds": 1.5}, "max_stage_rounds"),
])
def test_bad_arguments_are_named(train, kwargs, field):
    with pytest.raises(InputError, match=field):
        link_scrub(train, **kwargs)


def test_a_train_that_is_not_organic_linked_is_refused():
    with pytest.raises(InputError, match="TrainResult"):
        link_scrub(None)
    tr = design_train({"La": 5.0, "Ce": 10.0, "Pr": 20.0, "Nd": 65.0},
                      products={"La": ["La"], "Ce": ["Ce"], "NdPr": ["Pr", "Nd"]},
                      separation_factors={"Ce/La": 3.0, "Pr/Ce": 1.5}, n_rigorous=2)
    assert tr.sequence == ["La+Ce|NdPr", "La|Ce"]  # each cut fed a raffinate
    with pytest.raises(InputError, match="organic-linked"):
        link_scrub(tr)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"feed_phase": "gas"}, "feed_phase"), ({"liquor_mol_per_h": {}}, "liquor_mol_per_h"),
    ({"liquor_mol_per_h": {"Pr": -1.0}}, "liquor_mol_per_h"), ({"n_scrub": 0}, "n_scrub"),
    ({"w_acid_mol_per_h": float("inf")}, "w_acid_mol_per_h"),
])
def test_simulate_scrubbed_cut_names_bad_inputs(kwargs, field):
    args = {"feed_mol_per_h": {"Pr": 10.0, "Nd": 30.0}, "alpha": {"Pr": 1.0, "Nd": 1.4},
            "n_extraction": 10, "n_scrub": 10, "s_fresh_mol_per_h": 20.0,
            "w_acid_mol_per_h": 10.0, "liquor_mol_per_h": {"Nd": 5.0}, **kwargs}
    with pytest.raises(InputError, match=field):
        simulate_scrubbed_cut(**args)


def test_a_liquor_with_no_acid_balances():
    r = simulate_scrubbed_cut({"Pr": 10.0, "Nd": 30.0}, {"Pr": 1.0, "Nd": 1.4}, 10, 10, 25.0,
                              0.0, {"Nd": 20.0}, feed_phase="aqueous")
    assert max(abs(v) for v in r.closure.values()) <= 1e-9
    # no acid strips the top stage: the organic leaves carrying all of S
    assert math.fsum(r.outlets["loaded_organic"].values()) == pytest.approx(25.0, rel=1e-9)
