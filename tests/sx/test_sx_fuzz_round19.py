"""SX fuzz round 19: the checks that refuse an infeasible constant-β cascade before the solve
must never refuse one that converges, and must name the limit of one that cannot; text
numbers in model parameters are refused; the default three-outlet scan tries more reflux
before it says no S designs."""

import math

import pytest

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.plant.sx.cascade import Cascade, Feed, SideDraw, simulate
from reeflow.plant.sx.threeoutlet import design_three_outlet


def test_a_loaded_organic_feed_with_an_organic_draw_is_not_refused():
    """With RE-loaded organic the loading does not telescope to S past an organic draw: the
    bound refused this cascade, which converges with a positive raffinate."""
    c = Cascade(sections=(("extraction", 14), ("scrub", 2)),
                feeds=(Feed(14, "aqueous", 1.0, {"Nd": 0.734, "Ce": 0.114, "Pr": 0.291}),
                       Feed(16, "aqueous", 1.0, {}), Feed(1, "organic", 1.0, {}),
                       Feed(3, "organic", 0.743, {"Nd": 0.043})),
                side_draws=(SideDraw(6, "organic", 0.16), SideDraw(3, "aqueous", 0.30)))
    r = simulate(c, model="constant_beta",
                 params={"alpha": {"Nd": 3.193, "Ce": 2.255, "Pr": 2.912},
                         "organic_RE_mol_per_h": 1.5, "scrub_RE_mol_per_h": 0.95,
                         "loaded_feeds": [[3, 0.743 * 0.043, 0.743]]})
    assert math.fsum(r.outlets["raffinate"].values()) > 0.05


def test_a_barren_organic_fed_into_the_scrub_is_refused_naming_the_organic_outlets():
    """The organic outlets carry S·Q_in/Q_1 − W (here 2.04 mol/h against 1 fed): it ran to a
    ConvergenceError that blamed 'the flows'."""
    c = Cascade(sections=(("extraction", 26), ("scrub", 20)),
                feeds=(Feed(26, "aqueous", 1, {"Pr": .5, "Nd": .5}), Feed(46, "aqueous", 1, {}),
                       Feed(1, "organic", 1, {}), Feed(40, "organic", 0.9, {})))
    with pytest.raises(InfeasibleSpecError, match=r"organic outlets .* 2\.03\d+ mol/h"):
        simulate(c, model="constant_beta",
                 params={"alpha": {"Pr": 1, "Nd": 2}, "organic_RE_mol_per_h": 1.7086,
                         "scrub_RE_mol_per_h": 1.2082})


def test_the_organic_outlets_carry_what_the_check_computes():
    """A feasible cascade with an organic feed above stage 1 and an organic draw: the organic
    outlets carry exactly S·Q_in/Q_1 − W, the quantity the check compares with the feed."""
    c = Cascade(sections=(("extraction", 10), ("scrub", 6)),
                feeds=(Feed(10, "aqueous", 1.0, {"A": 1.0, "B": 1.0}),
                       Feed(16, "aqueous", 1.0, {}), Feed(1, "organic", 1.0, {}),
                       Feed(4, "organic", 0.2, {})),
                side_draws=(SideDraw(7, "organic", 0.1),))
    s, w = 1.0, 0.3
    r = simulate(c, model="constant_beta", params={"alpha": {"A": 2.0, "B": 1.0},
                                                   "organic_RE_mol_per_h": s,
                                                   "scrub_RE_mol_per_h": w})
    org = sum(math.fsum(r.outlets[k].values()) for k in ("loaded_organic", "org_draw_7"))
    assert org == pytest.approx(s * 1.2 / 1.0 - w, abs=1e-9)


@pytest.mark.parametrize("params", [{"alpha": {"Pr": "1", "Nd": 2}},
                                    {"organic_RE_mol_per_h": "1.7"}])
def test_a_model_parameter_written_as_text_is_refused(params):
    c = Cascade(sections=(("extraction", 26), ("scrub", 20)),
                feeds=(Feed(26, "aqueous", 1, {"Pr": .5, "Nd": .5}), Feed(46, "aqueous", 1, {}),
                       Feed(1, "organic", 1, {})))
    base = {"alpha": {"Pr": 1, "Nd": 2}, "organic_RE_mol_per_h": 1.7086,
            "scrub_RE_mol_per_h": 1.2082}
    with pytest.raises(InputError, match="without quotes"):
        simulate(c, model="constant_beta", params={**base, **params})


def test_the_default_three_outlet_scan_tries_more_reflux_before_it_refuses():
    """Refused as 'no S in the scan meets the specs' (top S 1.124); designs at more reflux."""
    d = design_three_outlet({"Sm": 0.546, "Eu": 0.505, "Gd": 0.686}, ["Gd"], ["Eu"],
                            alpha={"Sm": 1.0, "Eu": 3.5881, "Gd": 12.0638},
                            purity_organic=0.97272, purity_aqueous=0.97082,
                            middle_fraction=0.63431)
    assert d.s_mol_per_mol_feed > 1.124 and d.total_stages <= 42
    assert d.purity_organic >= 0.97272 and d.purity_aqueous >= 0.97082


def test_a_three_outlet_s_whose_every_cascade_is_refused_names_why():
    """It said 'stage cap … best margin -inf' where every simulation was refused for the
    scrub reflux W above S."""
    with pytest.raises(InfeasibleSpecError, match=r"no cascade of up to \d+ stages can be "
                                                  r"simulated .*scrub reflux W"):
        design_three_outlet({"Ce": 0.742, "Pr": 0.826, "Nd": 0.115}, ["Nd"], ["Pr"],
                            alpha={"Ce": 1, "Pr": 3.2761, "Nd": 6.2724},
                            s_mol_per_mol_feed=3.0)
