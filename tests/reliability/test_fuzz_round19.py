"""Fuzz round 19 (unseen projects through the CLI): a reagent price under a name no flowsheet
buys ('HCL', 'Unobtainium') left the shipped price in place with exit 0, and a price the
project gave was tagged 'published' in the opex table."""

from __future__ import annotations

import pytest

from reeflow.core.errors import InputError
from reeflow.economics.opex import OVERRIDE_SOURCE, reagent_costs
from reeflow.project import load_project


def _write(tmp_path, prices: str):
    path = tmp_path / "p.yaml"
    path.write_text("extends: builtin:ngualla\neconomics:\n  reagent_prices:\n" + prices,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("name,hint", [("HCL", "did you mean 'HCl'"),
                                       ("Unobtainium", "known names")])
def test_a_price_for_a_reagent_no_flowsheet_buys_is_refused_at_load(tmp_path, name, hint):
    path = _write(tmp_path, f"    {name}: {{value: 50 USD/t, evidence: assumed}}\n")
    with pytest.raises(InputError, match=rf"economics\.reagent_prices\.{name}.*{hint}"):
        load_project(path)


def test_a_species_the_plant_can_buy_unshipped_may_be_priced(tmp_path):
    """H2O2 (the cerium-rejection route) has no shipped price: the project prices it."""
    path = _write(tmp_path, "    H2O2: {value: 700 USD/t, evidence: assumed}\n"
                            "    MgO: {value: 0.661 USD/kg, evidence: assumed}\n")
    p = load_project(path).project
    assert p.economics.reagent_prices["MgO"] == pytest.approx(661.0)


def test_a_project_price_is_tagged_as_the_project_s_in_the_opex_rows():
    from reeflow.economics.opex import _reagent_rows  # the row builder the opex table uses

    class _D:
        reagents_t_per_a = {"MgO": 10.0, "HCl": 5.0}
        reagent_price_overrides_usd_per_t = {"MgO": 661.0}

    rows = {r[0]: r for r in _reagent_rows(_D(), 2025, None)}  # type: ignore[arg-type]
    mgo, hcl = rows["reagent: MgO"], rows["reagent: HCl"]
    assert OVERRIDE_SOURCE in mgo and "input" in mgo
    assert "input" not in hcl
    assert reagent_costs({"MgO": 1.0}, currency_year=2025,
                         price_overrides_usd_per_t={"MgO": 661.0})["source"][0] == OVERRIDE_SOURCE


def test_a_year_without_waste_has_zero_waste_not_minus_round_off():
    """`reeflow schedule` printed '-0' kt of waste in years whose mined tonnes equal the ore."""
    import numpy as np
    import pandas as pd

    from reeflow.chain.mine_steps import rebin_schedule

    # (review: an input whose pieces of years sum to a negative round-off before the fix)
    ore = np.array([427554.26, 405031.70, 103117.28, 298057.28, 402777.12])
    feed = pd.DataFrame({"ore_t": ore, "mined_t": ore, "treo_frac": 0.05})
    out, _ = rebin_schedule(feed, np.full(8, 224440.05))
    raw = out["mined_t"] - out["ore_t"]
    assert (raw != 0).any()  # the round-off the fix removes is there
    assert (out["waste_t"] == 0.0).all() and not np.signbit(out["waste_t"]).any()


def test_a_misspelt_separation_method_lists_the_methods(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("extends: builtin:ngualla\nplant:\n  separation:\n    method: magic\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="'sx' or 'placeholder'"):
        load_project(path)


def test_an_unknown_builtin_does_not_list_claims_and_fiscal_files(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text("extends: builtin:nosuchcase\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_project(path)
    assert "reeflow examples" in err.value.fix and "krige_model" not in err.value.fix
