"""Fuzz round 34's SX leftovers: ``sx fit`` took an extractant of 50 mol/L (below the 55.5 mol/L
liquid ceiling) while ``sx simulate``'s mass-action model capped it at an unsourced 10 mol/L.
One ceiling now serves both: an undiluted acidic extractant
(:data:`reeflow.plant.sx.bounds.MAX_EXTRACTANT_MOL_PER_L`, basis in that module)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reeflow.plant.sx.bounds import MAX_EXTRACTANT_MOL_PER_L

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "reeflow" / "examples" / "sx"


def test_the_ceiling_is_an_undiluted_extractant():
    # neat Cyanex 272 (916 g/L / 290.4 g/mol) and octanoic acid (910 g/L / 144.2 g/mol) pass
    assert 916 / 290.4 < 910 / 144.21 < MAX_EXTRACTANT_MOL_PER_L < 55.5


@pytest.mark.parametrize("value", ["50", "6.6"])
def test_sx_fit_refuses_an_extractant_above_the_neat_one(tmp_path, capsys, value):
    from reeflow.cli import main

    lines = [ln for ln in (EXAMPLES / "shakeout_example.csv").read_text().splitlines()
             if not ln.startswith("#")]
    head, row = lines[0].split(","), lines[1].split(",")
    row[head.index("extractant_mol_per_L")] = value
    f = tmp_path / "tests.csv"
    f.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    assert main(["sx", "fit", str(f)]) == 2
    err = capsys.readouterr().err
    assert "row 1, column extractant_mol_per_L" in err and f"<= {MAX_EXTRACTANT_MOL_PER_L:g}" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("value", "rc"), [("6.6", 2), ("6.0", 0)])
def test_sx_simulate_holds_a_mass_action_extractant_to_the_same_ceiling(tmp_path, capsys,
                                                                        value, rc):
    from reeflow.cli import main

    text = (EXAMPLES / "cascade_mass_action.yaml").read_text()
    f = tmp_path / "cascade.yaml"
    text = text.replace("extractant_mol_per_L: 1.0", f"extractant_mol_per_L: {value}")
    f.write_text(text.replace("mol_per_L: {H: 1.0}", f"mol_per_L: {{H: {value}}}"))
    assert main(["sx", "simulate", str(f)]) == rc
    if rc:
        err = capsys.readouterr().err
        assert "params.extractant_mol_per_L" in err and "(0, 6.5]" in err
