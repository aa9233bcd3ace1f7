"""Snapshot of the built-in study's headline figures (regenerate with
scripts/regenerate_snapshots.py when a change is meant to move them, and say why)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAP = ROOT / "tests" / "snapshots" / "headline_beylikova.json"


def _script():
    spec = importlib.util.spec_from_file_location("regen", ROOT / "scripts" /
                                                  "regenerate_snapshots.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _close(a, b, path=""):
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-6), path
    else:
        assert a == b, path


def test_headline_figures_match_the_snapshot(builtin_study, monkeypatch):
    mod = _script()
    monkeypatch.setattr(mod, "compute_results", lambda loaded: builtin_study)
    fresh = mod.headline("beylikova")
    saved = json.loads(SNAP.read_text(encoding="utf-8"))
    saved.pop("produced_by")
    _close(json.loads(json.dumps(fresh)), saved)
