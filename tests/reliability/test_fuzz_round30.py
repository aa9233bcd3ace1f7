"""Chain fuzz round 30 and the independent SX audit of 2026-12-02: what they found, as tests.

- *high*: with ``mine.mining_capacity_t_per_a`` the plan's ore-less years (pre-strip, gaps)
  are booked with the next ore year (the cash flow has no idle production year), so a booked
  year moved 8 Mt under a 1 Mt/a cap, and the "material moved a year" check said the cap held
  (it measured the plan's years, not the booked ones);
- *SX, high*: a constant-D cascade holding Nd (75 % of its feed) at 1.2e11 times its feed ran
  5-18 s of hopeless attempts and was told to "drop the trace component" (now solved exactly,
  reeflow.plant.sx.birthdeath);
- the mine plan's own table printed waste_t = -5.8e-10 t (tests/cases/test_case_ngualla.py).
"""

from __future__ import annotations

import time

import pytest
from tests.reliability.test_fuzz_round29 import _moving

from reeflow.core.errors import ConvergenceError


def test_a_capped_plan_booked_past_its_cap_is_a_warning_naming_the_idle_years():
    from reeflow.consistency import mining_rate_steady

    # plan: two pre-strip years at the cap, then ore; booked: the pre-strip with year 1's ore
    c = mining_rate_steady(_moving([1e6, 1e6, 1e6, 1e6], cap=1e6, ore_t=[0, 0, 5e5, 5e5],
                                   booked_t=[3e6, 1e6]))
    assert not c.ok and c.severity == "warning"
    assert c.detail.startswith("largest year 3: 3,000,000 t moved against "
                               "mine.mining_capacity_t_per_a = 1,000,000 t/a")
    assert "2 year(s) without ore" in c.detail and "raise mine.mining_capacity_t_per_a" in c.detail
    # a plan with ore every year, booked as planned, holds its cap and says nothing more
    held = mining_rate_steady(_moving([1e6, 9e5], cap=1e6))
    assert held.ok and "without ore" not in held.detail


def _trapped_nd():
    from reeflow.plant.sx import Cascade, Feed

    casc = Cascade(sections=(("extraction", 60), ("scrub", 83)), feeds=(
        Feed(60, "aqueous", 17.460939371721135, {"Pr": 0.04617446533139662,
                                                   "Nd": 0.13641787917139742}),
        Feed(1, "organic", 101.89782865031414, {}),
        Feed(143, "aqueous", 32.59493363649804, {})))
    params = {"D": {"extraction": {"Pr": 0.7035699653584512, "Nd": 0.9653971648636392},
                    "scrub": {"Pr": 0.17555591191421022, "Nd": 0.24088745680137574}}}
    return casc, params


def test_a_major_component_held_past_double_precision_is_solved_exactly():
    """Nd held at 1.2e11 times its feed was refused ("change the flows or the distribution"):
    the plain constant-D chain is linear and reeflow.plant.sx.birthdeath solves it exactly
    (subtraction-free; tests/sx/test_sx_constant_d_exact.py checks it against a rational
    solve), in well under the 2.8 s the refusal took."""
    from reeflow.plant.sx import birthdeath, simulate

    casc, params = _trapped_nd()
    simulate(casc, model="constant_d", params=params)  # compile once
    t0 = time.process_time()
    res = simulate(casc, model="constant_d", params=params)
    spent = time.process_time() - t0
    assert res.converged and res.strategy == birthdeath.METHOD
    assert max(abs(x) for x in res.closure.values()) < 1e-9
    assert res.outlets["loaded_organic"]["Nd"] == pytest.approx(2.38198412073118, rel=1e-10)
    assert res.outlets["raffinate"]["Pr"] == pytest.approx(0.8062495396725032, rel=1e-10)
    assert spent < 1.0, spent


@pytest.mark.parametrize("mine,named", [
    ({"mining_capacity_t_per_a": 1e5}, "mine.mining_capacity_t_per_a = 100,000 t/a (below"),
    ({"inferred_as_waste": True}, "mine.inferred_as_waste = true"),
    ({"blending": [object()]}, "mine.blending"),
])
def test_the_no_ore_fix_names_the_mine_setting_that_can_empty_the_schedule(mine, named):
    """'no ore in the pit' blamed prices and costs for a 100 kt/a fleet, Inferred as waste on
    a 99.5 % Inferred deposit and an impossible blend (fuzz round 30, medium)."""
    from types import SimpleNamespace

    from reeflow.chain.mine_steps import _constraining

    base = {"mining_capacity_t_per_a": None, "inferred_as_waste": False, "blending": []}
    project = SimpleNamespace(mine=SimpleNamespace(**{**base, **mine}),
                              ore=SimpleNamespace(throughput_t_per_a=570_000.0))
    text = _constraining(project)
    assert text.startswith("relax ") and named in text and text.endswith("; or ")
    assert _constraining(SimpleNamespace(mine=SimpleNamespace(**base), ore=project.ore)) == ""


def test_the_revenue_table_carries_the_scaled_prices_the_cash_flow_charges():
    """economics.revenue showed the deck's prices (176.2 MUSD/a) while the cash flow and the
    summary used price_scale_* x the deck (193.8 MUSD/a; fuzz round 30, medium)."""
    import pandas as pd

    from reeflow.economics.annual import Scales, scaled_revenue

    table = pd.DataFrame({"product": ["NdPr oxide", "Mixed concentrate", "CaF2 concentrate"],
                          "price_usd_per_kg": [69.0, 10.0, 0.4],
                          "usd_per_a": [100.0, 50.0, 20.0],
                          "ndpr_linked_usd_per_a": [100.0, 25.0, 0.0]})
    out = scaled_revenue(table, Scales(ndpr=1.1, other=0.5, byproduct=2.0))
    assert out["price_scale"].tolist() == pytest.approx([1.1, 0.8, 2.0])
    assert out["usd_per_a"].tolist() == pytest.approx([110.0, 40.0, 40.0])
    assert out["price_usd_per_kg"].tolist() == pytest.approx([75.9, 8.0, 0.8])
    assert out["ndpr_linked_usd_per_a"].tolist() == pytest.approx([110.0, 27.5, 0.0])
    assert table["usd_per_a"].tolist() == [100.0, 50.0, 20.0]  # the design basis untouched
    unit = scaled_revenue(table, Scales())
    assert unit["usd_per_a"].tolist() == table["usd_per_a"].tolist()


def test_the_default_scrub_link_backs_off_until_the_specs_are_met():
    """link_scrub(train) refused a train whose link met its specs at a ninth of the largest
    liquor (independent SX audit, defect 4): the default now halves the liquor until it does."""
    from reeflow.plant.sx import design_train, link_scrub

    tr = design_train({"La": 31.1452016691523, "Ce": 260.277719534799, "Pr": 708.5770787960486},
                      separation_factors={"Ce/La": 1.6102304111277812,
                                          "Pr/Ce": 2.1308172823285947},
                      purity=0.9983836158167025, products=[["La"], ["Ce"], ["Pr"]],
                      rank_by="total_stages")
    r = link_scrub(tr)
    liquor = sum(r.liquor_mol_per_h.values())
    assert r.meets_spec and liquor < r.liquor_max_RE_mol_per_h * (1 - 1e-9)
    assert r.saving_frac["scrub_linked"]["HCl+NaOH"] > r.saving_frac["organic_linked"]["HCl+NaOH"]


def test_an_oa_window_beyond_the_recorded_bounds_is_refused_and_every_listed_name_exports():
    """DesignConditions took (0.01, 100) and a strip section came out at O/A 98; four names the
    package lists were not importable from it (independent SX audit, defects 2 and 5)."""
    import reeflow.plant.sx as sx
    from reeflow.core.errors import InputError
    from reeflow.plant.sx import DesignConditions

    with pytest.raises(InputError, match="conditions.oa_window.*recorded bounds"):
        DesignConditions(oa_window=(0.01, 100.0))
    assert DesignConditions(oa_window=(0.05, 20.0)).oa_window == (0.05, 20.0)
    for name in ("design_three_outlet", "design_linked_cut", "link_train", "link_scrub"):
        assert callable(getattr(sx, name)) and name in sx.__all__


def test_mine_keys_a_study_overrides_are_a_warning():
    """mine.plant_capacity_t_per_a, ramp_up_frac, horizon_years and discount_rate were valid
    and changed nothing in a study (fuzz round 30): a warning says where the study's come from."""
    from types import SimpleNamespace

    from reeflow.consistency import CHECKS, mine_keys_the_study_sets

    assert mine_keys_the_study_sets in CHECKS
    none = {"plant_capacity_t_per_a": None, "ramp_up_frac": None, "horizon_years": None,
            "discount_rate": None, "valuation": None}
    c = mine_keys_the_study_sets(SimpleNamespace(project=SimpleNamespace(
        mine=SimpleNamespace(**{**none, "horizon_years": 5, "discount_rate": 0.2}))))
    assert not c.ok and c.severity == "warning"
    assert c.detail == ("mine.horizon_years is set, but the study takes it from "
                        "economics.schedule (the life); mine.discount_rate is set, but the study "
                        "takes it from economics.headline_rate: it is read by `reeflow "
                        "schedule` alone")
    assert mine_keys_the_study_sets(SimpleNamespace(project=SimpleNamespace(
        mine=SimpleNamespace(**none)))).ok


def test_an_ree_distribution_off_100_percent_lists_its_elements_and_the_extends_rule(tmp_path):
    """A La-Ce-Pr-Nd distribution over Beylikova kept the parent's Sm and Y and was refused at
    100.7 % with "add the missing elements" (fuzz round 30)."""
    from reeflow.core.errors import InputError
    from reeflow.project import load_project

    f = tmp_path / "d.yaml"
    f.write_text("extends: builtin:beylikova\nore:\n  ree_distribution: {La: 40 %, Ce: 49 %, "
                 "Pr: 3 %, Nd: 8 %}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_project(f)
    text = str(err.value)
    assert "Sm 0.5 %" in text and "Y 0.2 %" in text and "write 0 % for one to drop it" in text


def test_a_grind_coarser_than_its_feed_is_refused_by_validate_with_the_file_s_names(tmp_path,
                                                                                  capsys):
    """validate passed p80 = 20 mm over f80 = 10 mm; the study then refused
    'comminution.p80_um: got 20000.0' (fuzz round 30)."""
    from reeflow.cli import main

    f = tmp_path / "p.yaml"
    f.write_text("extends: builtin:ngualla\nplant:\n  comminution:\n    p80: 20 mm\n",
                 encoding="utf-8")
    assert main(["validate", str(f)]) == 2
    assert "plant.comminution.p80: got '20000 um'" in capsys.readouterr().err


@pytest.mark.parametrize("value,fix", [(-5, "e.g. '1 t/a'"), (5, "e.g. '5 t/a'")])
def test_a_bare_number_s_fix_never_suggests_a_negative_quantity(value, fix):
    """'got -5 ... Fix: write the unit, e.g. '-5 t/a'' suggested an invalid value (round 30)."""
    from reeflow.core.errors import InputError
    from reeflow.core.units import to_canonical

    with pytest.raises(InputError) as err:
        to_canonical(value, "t/a", field="ore.throughput")
    assert fix in str(err.value) and "'-5 t/a'" not in str(err.value)


def test_the_report_shows_the_price_scale_beside_a_quote_it_scales():
    """The revenue table cited the deck's quote (USGS 69 US$/kg) beside the scaled price
    (75.9) with nothing saying so (stop 37's last read): a "x price scale" column and a note
    appear when a project scales its prices, and not otherwise."""
    from reeflow.report.sections_econ import _revenue_table

    row = {"product": "NdPr oxide", "t_per_a": 1000.0, "purity_frac": 0.995,
           "spec_purity_frac": 0.99, "payability_frac": 1.0, "price_usd_per_kg": 75.9,
           "usd_per_a": 75.9e6, "source": "USGS MCS 2025", "price_scale": 1.1}
    scaled = _revenue_table([row])
    assert "\u00d7 price scale" in scaled and ">1.1<" in scaled
    assert "quoted price times the scale" in scaled
    plain = _revenue_table([{**row, "price_usd_per_kg": 69.0, "price_scale": 1.0}])
    assert "price scale" not in plain and "quoted price times" not in plain
    legacy = _revenue_table([{k: v for k, v in row.items() if k != "price_scale"}])
    assert "price scale" not in legacy


def test_the_capped_check_reads_a_booked_schedule_with_unknown_years():
    """_capped_rate took nanmax/nanargmax of the booked tonnes: an all-NaN column raised
    (stop 37's last read). Unknown years are left out; none known reads as nothing moved."""
    from types import SimpleNamespace

    import pandas as pd

    from reeflow.consistency import _capped_rate

    plan = pd.DataFrame({"ore_t": [0.0, 1.0e6, 1.0e6]})
    for mined, ok, year in (([float("nan")] * 2, True, 2030),
                            ([float("nan"), 2.0e6], False, 2031)):
        o = SimpleNamespace(mine=SimpleNamespace(schedule=pd.DataFrame({"mined_t": mined})))
        check = _capped_rate("mining capacity", o, plan, 1.5e6, 2030)
        assert check.ok is ok and f"largest year {year}" in check.detail
        assert "1 year(s) without ore" in check.detail


def test_a_held_component_outside_the_exact_chain_is_still_refused_fast_with_the_right_fix():
    """The exact solve takes plain constant-D chains only: at a Murphree efficiency below 1
    the audit's cascade still holds Nd at 1.2e11 times its feed, Newton cannot close it, and
    the refusal names the element, the major component's fix and the early stop (the path the
    three exact-solve tests no longer reach; review of stop 38)."""
    import dataclasses

    from reeflow.plant.sx import simulate

    casc, params = _trapped_nd()
    casc = dataclasses.replace(casc, murphree_efficiency=0.999)
    t0 = time.process_time()
    with pytest.raises(ConvergenceError) as err:
        simulate(casc, model="constant_d", params=params)
    msg = str(err.value)
    assert "Nd (0.747 of the feed) is held in the cascade at 1.2e+11 times its feed" in msg
    assert "change the flows or the distribution" in msg and "drop the trace" not in msg
    assert "stopped there" in msg
    assert time.process_time() - t0 < 30.0
