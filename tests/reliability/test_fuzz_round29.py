"""Leftovers of chain fuzz round 27 and the last read of stop 35, mended in stop 36."""

from __future__ import annotations

import pytest


def test_a_break_even_above_100_percent_reports_no_grade(tmp_path):
    """A break-even cut-off above 100 % (the fixed costs of 100 t/a) was refused as a bad
    `cutoff_frac` input (8,694 %, round 27): it is 1, no grade breaks even, and the statement
    at 1 reports no tonnes."""
    import numpy as np
    import pandas as pd

    from reeflow.deposit.estimate import _cutoff
    from reeflow.deposit.params import DepositParams
    from reeflow.deposit.resource import resource_statement

    params = DepositParams.model_validate({"cutoff": {"basis": "break_even"}})
    cut, text = _cutoff(params, {"treo": 10.0}, 0.8, 1e6, {"treo": 1.0})
    assert cut == 1.0 and "no grade breaks even" in text and "12,500 %" in text
    bm = pd.DataFrame({"treo_frac": np.array([0.02, 0.5]), "tonnes": [1e3, 1e3],
                       "class": ["Indicated", "Inferred"]})
    st = resource_statement(bm, cutoff_frac=cut)
    assert float(st.loc[st["class"] == "Total", "tonnes"].iloc[0]) == 0.0


def test_a_study_at_a_tiny_throughput_is_refused_as_no_ore_at_the_throughput(tmp_path):
    """At 100 t/a the study stopped on an inner bound (`cutoff_frac: got 86.9`, then
    `processing_cost_usd_per_t: got 340702`, round 27): it is the no-ore refusal, naming
    ore.throughput and the costs."""
    from reeflow.core.errors import NoOreError
    from reeflow.project import load_project
    from reeflow.study import compute_results

    f = tmp_path / "tiny.yaml"
    f.write_text("extends: builtin:beylikova\nore:\n  throughput: 100 t/a\n")
    with pytest.raises(NoOreError) as e:
        compute_results(load_project(f), sensitivities=False, workers=1)
    text = str(e.value)
    assert "no ore in the pit" in text and "ore.throughput = 100 t/a" in text
    assert "raise the throughput" in text


@pytest.mark.parametrize("where, key, wrote, want", [
    ("plant.separation.", "product_purity", "purity.Nd", "plant.separation.product_purity.Nd"),
    ("plant.separation.", "product_purity", "purity_basis", "plant.separation.product_purity_basis"),
    ("plant.separation.", "product_purity", "products.NdPr", "plant.separation.products.NdPr"),
    ("", "sx.purity", "purity", "sx.purity"),
    ("", "purity", "products", "products"),
    ("", "purity", "feed_kg_per_h.La", "feed_kg_per_h.La"),
])
def test_one_renaming_of_an_sx_error_to_the_file_s_key(where, key, wrote, want):
    """validate, the study and `sx train` each renamed the SX room's purity keys their own
    way (the last read of stop 35): one helper, each file's own key."""
    from reeflow.core.errors import InputError
    from reeflow.plant.sx.commands import SEPARATION_KEYS
    from reeflow.plant.sx.settings import at_file_key, in_project_file

    e = InputError(wrote, 1.5, "a fraction", "fix it")
    got = at_file_key(e, prefix=where, heads=SEPARATION_KEYS if where else (), purity_key=key)
    assert str(got.field) == want and type(got) is type(e)
    assert (got.value, got.allowed, got.fix) == (1.5, "a fraction", "fix it")
    if where:
        assert str(in_project_file(e).field) == want


@pytest.mark.parametrize("ref", ["BUILTIN:beylikova", "Builtin:beylikova", " builtin :beylikova"])
def test_a_capitalised_builtin_prefix_names_the_lower_case_one(tmp_path, capsys, ref):
    """`BUILTIN:beylikova` read as a file name: 'check the path' (round 27); the fix names
    the prefix in lower case, for a project argument and for extends alike."""
    from reeflow.cli import main

    assert main(["validate", ref]) == 2
    err = capsys.readouterr().err
    assert "write the prefix in lower case: builtin:beylikova" in err
    f = tmp_path / "child.yaml"
    f.write_text(f"extends: '{ref}'\n")
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reeflow: error: extends:") and "builtin:beylikova" in err


def test_a_missing_file_keeps_its_own_fix():
    from reeflow.core.io import missing_file_fix

    assert missing_file_fix("nothere.yaml") == "check the path"
    assert missing_file_fix("builtin:nothere") == "check the path"
    assert missing_file_fix("c:/x.yaml", "d") == "d"


def _moving(mined_t, cap=None, source="mine plan", ore_t=None, booked_t=None):
    """A chain outcome's mine: the plan's years (``mined_t``, ``ore_t``: 1 t each unless
    given) and the years the cash flow books (``booked_t``: the plan's unless given)."""
    from types import SimpleNamespace

    import pandas as pd

    project = SimpleNamespace(mine=SimpleNamespace(mining_capacity_t_per_a=cap),
                              economics=SimpleNamespace(schedule=SimpleNamespace(
                                  construction_years=2)))
    ore = [1.0] * len(mined_t) if ore_t is None else ore_t
    plan = SimpleNamespace(schedule=pd.DataFrame({"mined_t": mined_t, "ore_t": ore}))
    booked = pd.DataFrame({"mined_t": mined_t if booked_t is None else booked_t})
    return SimpleNamespace(project=project, mine=SimpleNamespace(source=source, plan=plan,
                                                                 schedule=booked))


def test_a_stripping_campaign_without_a_mining_capacity_is_a_warning():
    """The built-in case moved 34.7 Mt in one year, 42x its median year, and nothing said so
    (an independent audit of stop 36): a warning names the year and the key to set."""
    from reeflow.consistency import CHECKS, mining_rate_steady

    assert mining_rate_steady in CHECKS
    c = mining_rate_steady(_moving([9e6, 5e5, 8e5, 3.47e7, 8e5, 8e5]))
    assert not c.ok and c.severity == "warning"
    assert c.detail.startswith("year 6 moves 34.70 Mt, 43.4x the median year's 0.80 Mt")
    assert "mine.mining_capacity_t_per_a" in c.detail
    assert mining_rate_steady(_moving([8e5, 9e5, 2.3e6, 8e5])).ok  # 2.9x: inside the band
    capped = mining_rate_steady(_moving([9e6, 5e5, 3.47e7], cap=4e7))
    assert capped.ok and capped.detail == ("largest year 5: 34,700,000 t moved against "
                                           "mine.mining_capacity_t_per_a = 40,000,000 t/a")
    assert mining_rate_steady(_moving([9e6, 5e5, 3.47e7], source="flat")).ok


def test_a_set_mining_capacity_is_measured_not_assumed():
    """The check said 'capped at 700,000 t/a' while the schedule moved 909 kt (round 29)."""
    from reeflow.consistency import mining_rate_steady

    c = mining_rate_steady(_moving([5e5, 9.09e5, 7e5], cap=7e5))
    assert not c.ok and c.detail.startswith("largest year 4: 909,000 t moved against")


def test_plan_years_keep_the_fleet_s_pace_and_fold_ore_less_years_forward():
    """With a mining capacity the plant years are the plan's own: the rebinning pulled later
    ore and its waste forward past the cap (round 29). Ore-less years (pre-strip, a gap) go
    with the next ore year, as the rebinning does; trailing ones are dropped."""
    import numpy as np
    import pandas as pd

    from reeflow.chain.mine_steps import plan_years

    feed = pd.DataFrame({"ore_t": [0.0, 0.0, 5.0, 6.0, 0.0, 7.0, 0.0, 4.0],
                         "mined_t": [3.0, 4.0, 6.0, 8.0, 9.0, 8.0, 5.0, 4.0],
                         "treo_frac": [np.nan, np.nan, .02, .03, np.nan, .04, np.nan, .05]})
    out, left = plan_years(feed, np.full(3, 10.0))  # three plant years: three ore years
    assert out["ore_t"].tolist() == [5.0, 6.0, 7.0]
    assert out["mined_t"].tolist() == [13.0, 8.0, 17.0]
    assert out["waste_t"].tolist() == [8.0, 2.0, 10.0]
    assert out["treo_frac"].tolist() == [.02, .03, .04] and left == 4.0
    out, left = plan_years(feed, np.full(7, 10.0))  # ore-less years do not shorten the life
    assert out["ore_t"].tolist() == [5.0, 6.0, 7.0, 4.0] and left == 0.0
    assert out["mined_t"].tolist() == [13.0, 8.0, 17.0, 9.0]


def test_a_study_with_a_mining_capacity_keeps_it_every_year():
    """builtin:ngualla with a 700 kt/a fleet moved 909 kt in one year (round 29)."""
    import tempfile
    from pathlib import Path

    from reeflow.chain import run_chain
    from reeflow.consistency import mining_rate_steady
    from reeflow.project import load_project

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "cap.yaml"
        f.write_text("extends: builtin:ngualla\nmine:\n  mining_capacity_t_per_a: 700 kt/a\n")
        o = run_chain(load_project(f))
    moved = o.mine.schedule["mined_t"].to_numpy(float)
    assert moved.max() <= 7e5 * (1 + 1e-9) and mining_rate_steady(o).ok
    assert (o.mine.schedule["ore_t"] > 0).all()
    assert len(o.mine.schedule) == len(o.years)


def test_a_plant_too_small_to_cost_is_refused_at_ore_throughput(tmp_path):
    """1 t/a was refused as `equipment_sizes.grinding.mill_feed_t_per_h: got 0.000125`, an
    inner name with an unrounded value (round 29): the study names ore.throughput as written."""
    from reeflow.core.errors import BelowCorrelationError, InputError
    from reeflow.project import load_project
    from reeflow.study import compute_results

    f = tmp_path / "tiny.yaml"
    f.write_text("extends: builtin:ngualla\nore:\n  throughput: 1 t/a\n")
    with pytest.raises(InputError) as e:
        compute_results(load_project(f), sensitivities=False, workers=1)
    assert not isinstance(e.value, BelowCorrelationError)
    assert str(e.value).startswith("ore.throughput: got '1 t/a'")
    assert "equipment_sizes.grinding.mill_feed_t_per_h = 0.000125" in str(e.value)
