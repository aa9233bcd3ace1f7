"""The deposit's data readers (:mod:`reeflow.deposit.sources`): a process reads unchanged
drillhole files once, hands each caller its own tables, and reads a changed file again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reeflow.deposit import sources
from reeflow.deposit.params import DepositParams

BABBITT = Path(__file__).resolve().parents[2] / "examples" / "babbitt" / "data"


@pytest.fixture
def files(tmp_path):
    src = sorted(BABBITT.glob("*_BABBITT.csv"))
    if len(src) < 3:
        pytest.skip("the example drillhole files are not in this checkout")
    for f in src:
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _params(files: Path) -> DepositParams:
    names = {k: next(p.name for p in files.glob(f"*{k}*.csv"))
             for k in ("collar", "survey", "assay")}
    return DepositParams.model_validate({"drillholes": {
        "collar_file": names["collar"], "survey_file": names["survey"],
        "assay_file": names["assay"], "length_unit": "ft", "dip_positive_down": True}})


def test_unchanged_files_are_read_once_and_each_caller_gets_a_copy(files, monkeypatch):
    calls = []
    real = sources.read_drillholes
    monkeypatch.setattr(sources, "read_drillholes", lambda *a, **k: calls.append(1) or real(*a, **k))
    sources._read_cached.cache_clear()
    p = _params(files)
    a = sources.user_drillholes(p, files)
    a.assays.iloc[0, 0] = "changed by a caller"
    b = sources.user_drillholes(p, files)
    assert len(calls) == 1 and b.assays.iloc[0, 0] != "changed by a caller"
    assay = next(files.glob("*assay*.csv"))
    assay.write_text(assay.read_text() + "\n")  # a changed file is read again
    sources.user_drillholes(p, files)
    assert len(calls) == 2
