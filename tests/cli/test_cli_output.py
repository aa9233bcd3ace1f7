"""Human output (tables with units, readable numbers), the progress bar (stderr, terminal only),
the compile notice and shell completion."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest

from reeflow import cli_progress
from reeflow.cli import main, risk_text
from reeflow.cli_output import Column, fmt_number, render_table


@pytest.mark.parametrize(("value", "text"), [
    (3300000.0, "3,300,000"), (76653186.08987573, "76,653,186"), (76.65318608987573, "76.65"),
    (0.123456, "0.1235"), (12, "12"), (1234567, "1,234,567"), (None, "—"),
    (float("nan"), "—"), (0.0, "0"), (-1500.4, "-1,500"), (2.5e-7, "2.500e-07"),
    (True, "yes")])
def test_numbers_are_rounded_for_reading(value, text):
    assert fmt_number(value) == text


def test_table_has_units_in_headers_and_right_aligned_numbers():
    text = render_table([{"deck": "usgs_2025", "ndpr": 69.0}, {"deck": "spot", "ndpr": None}],
                        [Column("deck", "deck"), Column("ndpr", "NdPr oxide", "USD/kg")],
                        title="decks")
    assert "NdPr oxide (USD/kg)" in text and "69" in text and "—" in text
    assert "\x1b[" not in text  # no colour codes in a pipe


def test_risk_summary_is_a_table_in_musd():
    text = risk_text({"draws": 5, "seed": 0, "p10_usd": 12_345_678.9, "p50_usd": 76653186.08987573,
                      "p90_usd": 1.5e8, "prob_loss": 0.2, "method": "fast",
                      "feasible_draws": 5})
    assert "76.7" in text and "MUSD" in text and "20" in text and "76653186" not in text


def test_econ_validate_prints_a_table_not_a_dataframe_dump(capsys, monkeypatch):
    # into a pipe (pytest-xdist's workers set COLUMNS=80, a terminal's width, which folds it)
    monkeypatch.delenv("COLUMNS", raising=False)
    assert main(["econ", "validate"]) == 0
    out = capsys.readouterr().out
    assert "NPV published (M)" in out and "e+08" not in out


def test_progress_bar_draws_on_its_stream_and_ends_the_line():
    buf = io.StringIO()
    bar = cli_progress.ProgressBar("draws", stream=buf, min_interval_s=0.0)
    for i in range(1, 5):
        bar(i, 4)
    text = buf.getvalue()
    assert "draws [" in text and "4/4" in text and text.endswith("\n")
    assert "2/4" in text and "left" in text


def test_progress_is_off_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.delenv("REEFLOW_PROGRESS", raising=False)
    assert not cli_progress.progress_enabled(io.StringIO())
    bar = cli_progress.ProgressBar("x")  # sys.stderr under pytest is not a terminal
    bar(1, 2)
    assert not bar.enabled
    monkeypatch.setenv("REEFLOW_PROGRESS", "1")
    assert cli_progress.progress_enabled(io.StringIO())
    monkeypatch.setenv("REEFLOW_PROGRESS", "0")
    assert not cli_progress.progress_enabled()


def test_compile_notice_only_at_a_terminal(monkeypatch):
    monkeypatch.setattr(cli_progress, "_NOTICE", {"installed": False, "shown": False})
    monkeypatch.delenv("REEFLOW_PROGRESS", raising=False)
    assert cli_progress.announce_compilation(io.StringIO()) is False


def test_compile_notice_is_printed_on_a_cache_miss(monkeypatch):
    import numba

    monkeypatch.setattr(cli_progress, "_NOTICE", {"installed": False, "shown": False})
    monkeypatch.setenv("REEFLOW_PROGRESS", "1")
    buf = io.StringIO()
    assert cli_progress.announce_compilation(buf) is True

    @numba.njit(cache=False)
    def _twice(x):
        return 2 * x

    assert _twice(2) == 4
    assert _twice(3.0) == 6.0
    assert buf.getvalue().count("compiling numerical kernels") == 1


def test_completion_scripts(capsys):
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert "complete -o filenames" in script and "/econ/evaluate" in script
    if shutil.which("bash"):
        probe = (script + '\nCOMP_WORDS=(reeflow econ ""); COMP_CWORD=2; _reeflow; '
                 'echo "${COMPREPLY[@]}"\nCOMP_WORDS=(reeflow pit --solver ""); COMP_CWORD=3; '
                 '_reeflow; echo "${COMPREPLY[@]}"')
        out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
        lines = out.stdout.splitlines()
        assert set(lines[0].split()) == {"decks", "validate", "evaluate"}
        assert "pymineflow" in lines[1].split() or "auto" in lines[1].split()
    for shell, marker in (("zsh", "bashcompinit"), ("fish", "complete -c reeflow")):
        assert main(["completion", shell]) == 0
        assert marker in capsys.readouterr().out
    assert main(["completion", "tcsh"]) == 2


def test_json_output_is_one_document(capsys):
    import json

    assert main(["econ", "decks", "--json"]) == 0
    assert "usgs_2025" in json.loads(capsys.readouterr().out)
    assert main(["examples", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sx/design_ndpr.yaml"]["name"] == "builtin:sx/design_ndpr"


def test_units_registry_is_built_on_first_use():
    code = ("import sys\nimport reeflow.core.units as u\nassert 'pint' not in sys.modules\n"
            "assert u.to_canonical('570 kt/a', 't/a', field='x') == 570000.0\n"
            "assert u.ureg.Quantity(1, 'kt').to('t').magnitude == 1000\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr

