"""What the study refuses, ``reeflow validate`` refuses, by the path the user wrote, before any
chain runs (``study.check_project``; recorded at stop 40: an oversized or domain-less estimate,
a floor-case or price-period deck without by-product prices passed validate). The study runs
the same checks first, so it refuses them in a second and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from reeflow.cli import main

CASES = [
    ("economics:\n  floor_case_deck: spot_2024-06-20\n",
     "economics.floor_case_deck: got 'spot_2024-06-20'; allowed: a deck that prices every "
     "product sold (it has no price for BaSO4 concentrate, CaF2 concentrate)"),
    ("economics:\n  price_periods:\n    - {name: offtake, production_years: 3, "
     "deck: spot_2024-06-20}\n",
     "economics.price_periods[0].deck: got 'spot_2024-06-20'; allowed: a deck that prices"),
    ("deck_ok", None),
    ("deposit:\n  block_size: {x: 1 m, y: 1 m, z: 0.5 m}\n",
     "deposit.block_size: got '848 x 1968 x 540 = 901,186,560 blocks'; allowed: at most "
     "2,000,000 blocks"),
    # fuzz round 34: a misspelt or wrongly cased waste domain was estimated as ore (HOST at
    # 7.6 % TREO), a domain in both lists was estimated, an absent component was dropped
    ("deposit:\n  waste_domains: [host]\n", "deposit.waste_domains: got ['host']; allowed: "
     "domains of the drillholes' intervals: CORE_KAPLAN, CORE_MRDS, ENVELOPE, HOST"),
    ("deposit:\n  domains: [ENVELOPE]\n  waste_domains: [ENVELOPE]\n",
     "deposit.waste_domains: got ['ENVELOPE']; allowed: domains not also listed in "
     "deposit.domains"),
    ("deposit:\n  waste_domains: [HOST, ENVELOPE, CORE_KAPLAN, CORE_MRDS]\n",
     "deposit.waste_domains: got ['HOST', 'ENVELOPE', 'CORE_KAPLAN', 'CORE_MRDS']; allowed: "
     "waste domains that leave an estimation domain"),
    ("deposit:\n  primary_components: [xx]\n",
     "deposit.primary_components: got ['xx']; allowed: grades of the deposit: treo,"),
    ("deposit:\n  max_blocks: true\n", "deposit.max_blocks: got True; allowed: a whole "
     "number, not true or false"),
    ("deposit:\n  waste_domains: [HOST]\n", None),
    # the last read: the default waste list is not the user's (domains override it); a
    # project with no deposit data runs a flat schedule; a period past the horizon is unused
    ("deposit:\n  domains: [HOST, ENVELOPE]\n", None),
    ("deposit:\n  synthetic: null\n", None),
    ("economics:\n  price_periods:\n    - {name: long, production_years: 100}\n"
     "    - {name: late, production_years: 3, deck: spot_2024-06-20}\n", None),
    ("deposit:\n  domains: []\n", "deposit.domains: got []; allowed: at least one of the "
     "data's domains: CORE_KAPLAN, CORE_MRDS, ENVELOPE, HOST"),
    ("deposit:\n  domains: [core_kaplan]\n",
     "deposit.domains: got ['core_kaplan']; allowed: domains of the drillholes' intervals: "
     "CORE_KAPLAN, CORE_MRDS, ENVELOPE, HOST"),
]


def _write(tmp_path: Path, text: str) -> Path:
    if text == "deck_ok":  # a period's own prices stand in for its deck's missing ones
        text = ("economics:\n  price_periods:\n    - name: offtake\n      production_years: 3\n"
                "      deck: spot_2024-06-20\n      prices: {CaF2 concentrate: 0.5 USD/kg, "
                "BaSO4 concentrate: 0.2 USD/kg}\n")
    f = tmp_path / "p.yaml"
    f.write_text("extends: builtin:beylikova\n" + text, encoding="utf-8")
    return f


@pytest.mark.parametrize(("text", "says"), CASES)
def test_validate_refuses_what_the_study_refuses(tmp_path, capsys, text, says):
    rc = main(["validate", str(_write(tmp_path, text))])
    err = capsys.readouterr().err
    if says is None:
        assert rc == 0, err
        return
    assert rc == 2 and err.startswith("reeflow: error: " + says), err
    assert len(err.strip().splitlines()) == 1


def test_the_study_refuses_them_first_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(["study", str(_write(tmp_path, CASES[0][0])), "--out", str(out), "--quiet"])
    assert rc == 2 and "economics.floor_case_deck" in capsys.readouterr().err
    assert not out.exists()


def test_a_logged_waste_domain_without_assays_is_a_domain():
    """A cover logged but never assayed gives no composite; naming it as waste is no typo
    (the last read: it was refused as absent)."""
    import pandas as pd

    from reeflow.core.errors import InputError
    from reeflow.deposit.estimate import _estimation_composites
    from reeflow.deposit.params import DepositParams

    comps = pd.DataFrame({"domain": ["ORE"] * 12, "treo_frac": [0.03] * 12, "x": range(12),
                          "y": 0.0, "z": 0.0, "hole_id": "H1"})
    params = DepositParams(waste_domains=["OVB"])
    doms, est = _estimation_composites(comps, params, {"ORE", "OVB"})
    assert doms == ["ORE"] and len(est) == 12
    with pytest.raises(InputError, match="deposit.waste_domains: got \\['OVB'\\]"):
        _estimation_composites(comps, params, {"ORE"})


def test_the_study_does_not_check_the_risk_section_it_does_not_read(monkeypatch):
    import reeflow.risk.inputs as ri
    from reeflow.project import load_project
    from reeflow.study import check_project

    called = []
    monkeypatch.setattr(ri, "check_risk_section", lambda lp: called.append(lp))
    loaded = load_project()
    check_project(loaded, risk=False)
    assert not called
    check_project(loaded)
    assert called
