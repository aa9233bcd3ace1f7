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


def _moving(mined_t, cap=None, source="mine plan"):
    from types import SimpleNamespace

    import pandas as pd

    years = [SimpleNamespace(year=3 + i) for i in range(len(mined_t))]
    return SimpleNamespace(project=SimpleNamespace(mine=SimpleNamespace(
        mining_capacity_t_per_a=cap)), years=years, mine=SimpleNamespace(
        source=source, schedule=pd.DataFrame({"mined_t": mined_t})))


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
    assert capped.ok and "capped at mine.mining_capacity_t_per_a = 40,000,000 t/a" in capped.detail
    assert mining_rate_steady(_moving([9e6, 5e5, 3.47e7], source="flat")).ok
