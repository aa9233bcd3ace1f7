"""The resource classes of the scheduled feed: unclassified ore (outside every class, not a
resource) counts with the Inferred in the consistency check and is stated in the summary
(fuzz round 14: a two-hole data set fed 5.9 Mt of unclassified ore, read "0.0 % Inferred")."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from reeflow.consistency import inferred_share


def _outcome(inferred, unclassified, ore=100.0):
    s = pd.DataFrame({"ore_t": [ore], "inferred_t": [inferred], "unclassified_t": [unclassified]})
    return SimpleNamespace(mine=SimpleNamespace(schedule=s, source="mine plan"))


def test_unclassified_feed_counts_with_the_inferred():
    c = inferred_share(_outcome(0.0, 100.0))
    assert not c.ok and "100.0% unclassified" in c.detail and "not a resource" in c.detail
    c = inferred_share(_outcome(30.0, 30.0))
    assert not c.ok
    c = inferred_share(_outcome(40.0, 0.0))
    assert c.ok and "unclassified" not in c.detail


def test_the_summary_states_the_unclassified_share():
    from reeflow.summary import _line_basis, _unclassified_share

    mine = SimpleNamespace(schedule=[SimpleNamespace(ore_t=80.0, unclassified_t=60.0),
                                     SimpleNamespace(ore_t=20.0, unclassified_t=None)])
    assert _unclassified_share(mine) == 0.6
    s = {"evidence_counts": {}, "assumed_drivers": [], "inferred_share_of_feed_frac": 0.0,
         "synthetic": []}
    assert "60.0 % of it is unclassified" in _line_basis(s, 0.6).text
    assert "unclassified" not in _line_basis(s, 0.0).text


def test_a_user_block_model_without_a_mineral_assay_says_the_plant_takes_the_file_grade():
    """55 % of revenue came from fluorite and barite no assay held, with every check passing
    (fuzz round 14)."""
    from dataclasses import make_dataclass

    from reeflow.chain.mine_steps import _note_unassayed_minerals
    from reeflow.deposit.drillholes import ISSUE_COLUMNS
    from reeflow.project import load_project

    ore = load_project("builtin:beylikova").project.ore
    Res = make_dataclass("Res", ["block_model", "issues"])
    bm = pd.DataFrame({"treo_frac": [0.03], "caf2_frac": [0.3], "tonnes": [1.0]})
    res = _note_unassayed_minerals(SimpleNamespace(ore=ore),
                                   Res(bm, pd.DataFrame(columns=list(ISSUE_COLUMNS))))
    msgs = list(res.issues["message"])
    assert any(m.startswith("no baso4 assay") and "pit does not value it" in m for m in msgs)
    assert not any(m.startswith("no caf2 assay") for m in msgs)
    assert any(m.startswith("no fe2o3 assay") and "pit" not in m for m in msgs)


def test_deposit_wide_findings_come_first_within_the_cap():
    """600 below-detection rows hid the "no caf2 assay" finding past the 500th (review)."""
    from reeflow.chain.sections import MAX_FINDINGS, _findings_first

    rows = [{"severity": "warning", "kind": "below_detection", "table": "assay",
             "hole_id": "A", "depth_m": float(i), "message": f"bdl {i}", "action": ""}
            for i in range(600)]
    rows.append({"severity": "warning", "kind": "grades not assayed", "table": "assays",
                 "hole_id": "", "depth_m": None, "message": "no caf2 assay", "action": ""})
    rows.append({"severity": "error", "kind": "overlap", "table": "assay", "hole_id": "B",
                 "depth_m": 1.0, "message": "overlap", "action": "excluded"})
    first = list(_findings_first(pd.DataFrame(rows)).head(MAX_FINDINGS)["message"])
    assert first[:3] == ["overlap", "no caf2 assay", "bdl 0"]
