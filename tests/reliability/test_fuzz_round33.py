"""Fuzz round 33 (the ``reeflow sx`` commands): settings dropped without a word, a β that made
a negative stage count, and errors named by the API's paths instead of the file's keys.

- ``separation_factors: {Nd/Pr: 1e9}`` designed with a negative Xu scrub stage count (exit 0),
  and β = 1 was refused in free text naming no key;
- ``sx train`` with both ``sx:`` and ``conditions:`` never read ``conditions:``; ``sx.purity``
  beside ``purity`` was dropped; ``temperature_C`` beside ``temperature`` was overwritten;
- ``sx simulate`` named ``cascade.entrainment_aq_frac`` and ``model.name``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sx"


def _sx(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, example: str,
        extra: str, replace: tuple[str, str] = ("", "")) -> tuple[int, str]:
    from reeflow.cli import main

    text = (EXAMPLES / example).read_text(encoding="utf-8")
    f = tmp_path / "spec.yaml"
    f.write_text(text.replace(*replace) + extra, encoding="utf-8")
    rc = main(["sx", command, str(f)])
    return rc, capsys.readouterr().err


@pytest.mark.parametrize(("beta", "says"), [
    ("1e9", "got 1000000000.0; allowed: > 1 and <= 100"), ("1.0", "got 1.0; allowed: > 1")])
def test_a_design_file_s_separation_factor_is_bounded_and_named(tmp_path, capsys, beta, says):
    rc, err = _sx(tmp_path, capsys, "design", "design_ndpr.yaml",
                  f"separation_factors: {{Nd/Pr: {beta}}}\n")
    assert rc == 2 and err.startswith("reeflow: error: separation_factors.Nd/Pr: " + says)
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("extra", "replace", "starts"), [
    ("conditions: {foo: 1}\n", ("", ""), "reeflow: error: conditions: got {'foo': 1}; allowed: "
                                          "one settings block"),
    ("", ("  temperature: 25 degC\n", "  temperature: 25 degC\n  purity: 60 %\n"),
     "reeflow: error: sx.purity: got 0.6; allowed: one purity: purity or sx.purity"),
    ("", ("  temperature: 25 degC\n", "  temperature: 25 degC\n  temperature_C: 40\n"),
     "reeflow: error: sx.temperature_C: got 40; allowed: one of sx.temperature_C and "
     "sx.temperature")])
def test_a_train_file_s_second_setting_is_refused_not_dropped(tmp_path, capsys, extra, replace,
                                                              starts):
    rc, err = _sx(tmp_path, capsys, "train", "train_beylikova.yaml", extra, replace)
    assert rc == 2 and err.startswith(starts) and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("replace", "starts"), [
    (("model: mass_action", "model: foo"), "reeflow: error: model: got 'foo'"),
    (("model: mass_action", "model: mass_action\nentrainment_aq_frac: 2.0"),
     "reeflow: error: entrainment_aq_frac: got 2.0")])
def test_simulate_names_the_file_s_keys(tmp_path, capsys, replace, starts):
    rc, err = _sx(tmp_path, capsys, "simulate", "cascade_mass_action.yaml", "", replace)
    assert rc == 2 and err.startswith(starts) and len(err.strip().splitlines()) == 1


def test_sx_fit_shows_a_numpy_number_as_its_number(tmp_path, capsys):
    """The sx commands' one-line guard re-printed the value with repr: ``got np.float64(0.0)``."""
    from reeflow.cli import main

    rows = [r for r in (EXAMPLES / "shakeout_example.csv").read_text(encoding="utf-8")
            .splitlines() if not r.startswith("#")]
    i = rows[0].split(",").index("extractant_mol_per_L")
    first = rows[1].split(",")
    first[i] = "0"
    f = tmp_path / "shakeout.csv"
    f.write_text("\n".join([rows[0], ",".join(first), *rows[2:]]) + "\n", encoding="utf-8")
    assert main(["sx", "fit", str(f)]) == 2
    err = capsys.readouterr().err
    assert "column extractant_mol_per_L: got 0.0; allowed: > 0 mol/L" in err
    assert "np.float64" not in err


def test_a_section_given_twice_is_refused_not_merged(tmp_path, capsys):
    """Fuzz round 33 (recorded): two extraction sections ran as one of their total stages,
    unsaid; each section kind is given once."""
    rc, err = _sx(tmp_path, capsys, "simulate", "cascade_xu_e1.yaml", "",
                  ("sections: [[extraction, 26], [scrub, 20]]",
                   "sections: [[extraction, 13], [extraction, 13], [scrub, 20]]"))
    assert rc == 2 and "sections" in err and "at most once" in err
    assert "give extraction once" in err and len(err.strip().splitlines()) == 1
