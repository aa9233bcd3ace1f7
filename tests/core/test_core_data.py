"""One data loader and one evidence vocabulary (issue #10, "one of each").

Every packaged data file is read through :mod:`reeflow.core.data`; every evidence tag shipped
(CSV columns, YAML records, built-in cases) is in :data:`reeflow.core.data.EVIDENCE`, or is
:data:`~reeflow.core.data.MISSING` on a record without a value.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from reeflow.core import data
from reeflow.core.data import EVIDENCE, MISSING

SRC = Path(__file__).resolve().parents[2] / "src" / "reeflow"


def _opens_packaged_data(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "data_file":
            return True  # a file handle past the one reader's cache and copy
        if isinstance(node, ast.ImportFrom) and (
                node.module == "importlib.resources"
                or (node.module == "importlib" and any(a.name == "resources"
                                                       for a in node.names))):
            return True
        if isinstance(node, ast.Import) and any(a.name == "importlib.resources"
                                                for a in node.names):
            return True
    return False


def test_no_module_but_core_data_opens_packaged_data():
    readers = sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
                     if _opens_packaged_data(ast.parse(p.read_text(encoding="utf-8"))))
    assert readers == ["core/data.py"]


def _records(tree, where: str):
    """(where, value, evidence) of every mapping with an ``evidence`` key."""
    if isinstance(tree, dict):
        if "evidence" in tree and not isinstance(tree["evidence"], (dict, list)):
            yield where, tree.get("value", "<no value key>"), tree["evidence"]
        for k, v in tree.items():
            yield from _records(v, f"{where}.{k}")
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _records(v, f"{where}[{i}]")


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _shipped_files(suffix: str) -> list[Path]:
    return sorted([*(SRC / "data").rglob(f"*{suffix}"), *(SRC / "cases").rglob(f"*{suffix}"),
                   *(SRC / "examples").rglob(f"*{suffix}")])


def _csv_records(path: Path):
    """(where, value, evidence) of every row of a CSV with an ``evidence`` column."""
    text = path.read_text(encoding="utf-8")
    df = pd.read_csv(path, comment="#") if text.startswith("#") else pd.read_csv(path)
    if "evidence" not in df.columns:
        return
    col = next((c for c in ("value", "price") if c in df.columns), None)
    value = df[col] if col is not None else pd.Series([1.0] * len(df))
    for i, (ev, v) in enumerate(zip(df["evidence"], value, strict=True)):
        yield f" row {i}", v, ev


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_every_shipped_evidence_tag_is_in_the_vocabulary(suffix):
    seen, bad = 0, []
    for path in _shipped_files(suffix):
        records = (_records(yaml.safe_load(path.read_text(encoding="utf-8")), "")
                   if suffix == ".yaml" else _csv_records(path))
        for where, value, ev in records:
            seen += 1
            if not (ev in EVIDENCE or (ev == MISSING and _empty(value))):
                bad.append(f"{path.relative_to(SRC)}{where}: {ev!r} (value {value!r})")
    assert seen > 100 and not bad, bad[:10]


def test_a_reader_gets_its_own_copy():
    a = data.read_csv("plant", "sizing.csv")
    a.loc[:, "value"] = -1.0
    assert (data.read_csv("plant", "sizing.csv")["value"] != -1.0).any()
    y = data.read_yaml("mine", "defaults.yaml")
    y.clear()
    assert data.read_yaml("mine", "defaults.yaml")


def test_an_unknown_room_is_named():
    with pytest.raises(ValueError, match="no data room 'plnat'"):
        data.data_file("plnat", "sizing.csv")
