"""Outputs never lose a user's file: --out is created, never emptied; writes are atomic."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reeflow.cli import main
from reeflow.core.errors import InputError
from reeflow.core.io import (
    RECORD_NAME,
    TMP_PREFIX,
    atomic_write,
    check_output_folder,
    write_outputs,
)


def test_out_dot_keeps_every_file_of_the_folder(tmp_path, monkeypatch, capsys):
    (tmp_path / "sentinel.txt").write_text("keep me")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.txt").write_text("me too")
    monkeypatch.chdir(tmp_path)
    assert main(["study", "--out", ".", "--quiet"]) == 0
    assert (tmp_path / "sentinel.txt").read_text() == "keep me"
    assert (tmp_path / "sub" / "nested.txt").read_text() == "me too"
    assert (tmp_path / "report.html").stat().st_size > 1000
    assert (tmp_path / "results.json").stat().st_size > 1000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_out_naming_a_file_is_exit_2_and_the_file_is_untouched(tmp_path, capsys):
    f = tmp_path / "notes.txt"
    f.write_text("precious")
    assert main(["study", "--out", str(f), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "file" in err
    assert f.read_text() == "precious"


def test_out_through_a_file_or_too_long_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(InputError):
        check_output_folder(f / "sub")
    with pytest.raises(InputError):
        check_output_folder(tmp_path / ("a" * 300))


def test_read_only_folder_is_refused(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write into read-only folders")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(InputError):
        check_output_folder(ro)


def test_atomic_write_replaces_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write(target, "first")
    atomic_write(target, "second")
    assert target.read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == [RECORD_NAME, "a.txt"]


def test_atomic_write_refuses_a_folder_target(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(InputError):
        atomic_write(tmp_path / "x", "data")


def test_stale_temporaries_of_a_killed_run_are_cleaned(tmp_path):
    stale = tmp_path / f"{TMP_PREFIX}123-1-report.html"
    stale.write_text("half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    other = tmp_path / ".hidden-user-file"
    other.write_text("mine")
    write_outputs(tmp_path, {"r.txt": "ok"})
    assert not stale.exists() and other.exists()


_KILL_SCRIPT = r"""
import os, signal, sys, threading
from reeflow.core import io
big = "x" * 50_000_000
orig = io._write_all
def slow(fd, data):
    os.write(fd, data[: len(data) // 2])
    os.kill(os.getpid(), signal.SIGKILL)
io._write_all = slow
io.write_outputs(sys.argv[1], {"report.html": big})
"""


def test_kill_during_writing_keeps_the_previous_file(tmp_path):
    atomic_write(tmp_path / "report.html", "previous complete report")
    proc = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(tmp_path)],
                          capture_output=True, timeout=120)
    assert proc.returncode == -9
    assert (tmp_path / "report.html").read_text() == "previous complete report"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != RECORD_NAME) == ["report.html"]


def test_two_studies_into_one_folder_do_not_crash(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "reeflow.cli", "study", "--out", str(out), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
             for _ in range(2)]
    codes = [p.wait(timeout=600) for p in procs]
    assert codes == [0, 0], [p.stderr.read() for p in procs]
    names = sorted(p.name for p in out.iterdir()  # report.pdf where Chromium is installed
                   if p.name != RECORD_NAME)
    assert [n for n in names if n != "report.pdf"] == ["report.html", "results.json",
                                                        "results.xlsx"]


def test_a_user_file_named_like_the_record_is_never_replaced(tmp_path):
    """Fuzz round 17: a user's own ``.reeflow-written.json`` was replaced by the record."""
    mine = tmp_path / RECORD_NAME
    mine.write_text("my notes, not JSON", encoding="utf-8")
    atomic_write(tmp_path / "a.json", "{}")
    assert mine.read_text(encoding="utf-8") == "my notes, not JSON"
    # without a record, the written file does not count as reeflow's: a second write refuses
    with pytest.raises(InputError, match="is not reeflow's record"):
        atomic_write(tmp_path / "a.json", "{}")
    # a real record is kept up to date
    other = tmp_path / "sub"
    other.mkdir()
    atomic_write(other / "a.json", "{}")
    atomic_write(other / "a.json", "{}")
    assert "a.json" in (other / RECORD_NAME).read_text(encoding="utf-8")
