"""Same inputs, same seed: byte-identical results.json apart from ``meta`` and byte-identical
report.html apart from its meta block (the page header), in fresh processes with different
hash seeds (set iteration order must never reach a number)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

_SRC = str(Path(__file__).parents[2] / "src")


@pytest.mark.slow
def test_two_runs_are_byte_identical_outside_meta(tmp_path):
    outs = [tmp_path / "a", tmp_path / "b"]
    procs = [subprocess.Popen(
        [sys.executable, "-m", "reeflow.cli", "study", "--out", str(o), "--quiet"],
        env={**os.environ, "PYTHONPATH": _SRC, "PYTHONHASHSEED": str(seed)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for o, seed in zip(outs, (1, 2), strict=True)]
    for p in procs:
        assert p.wait(timeout=1200) == 0, p.stderr.read()
    a, b = (json.loads((o / "results.json").read_text(encoding="utf-8")) for o in outs)
    assert a.pop("meta")["input_hash"] == b.pop("meta")["input_hash"]
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    pages = [re.sub(r'<header class="top">.*?</header>', "",
                    (o / "report.html").read_text(encoding="utf-8"), flags=re.S) for o in outs]
    assert pages[0] == pages[1]
