"""The parts under the pages: vendored scripts (hashes, licences, no CDN), the migration and
the tables agree, the progress estimate, the input key, the CLI entry."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest

from reeflow.web import tasks

WEB = Path(__file__).resolve().parents[2] / "src" / "reeflow" / "web"


def test_vendored_scripts_match_their_record():
    vendor = WEB / "static" / "vendor"
    table = (vendor / "README.md").read_text(encoding="utf-8")
    for name in ("htmx.min.js", "plotly-basic.min.js"):
        digest = hashlib.sha256((vendor / name).read_bytes()).hexdigest()
        assert digest in table, name
    assert "Zero-Clause BSD" in (vendor / "htmx.LICENSE.txt").read_text()
    assert "MIT License" in (vendor / "plotly.LICENSE.txt").read_text()
    total = sum(p.stat().st_size for p in vendor.iterdir())
    assert total < 2_000_000  # the basic plotly bundle, not the 4.6 MB full one


def test_templates_load_nothing_from_elsewhere():
    for tpl in (WEB / "templates").glob("*.html"):
        text = tpl.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//', text), tpl.name
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, tpl.name
        assert not re.search(r"<script(?![^>]*(src=|application/json))", text), tpl.name


def test_migration_matches_the_tables(tmp_path):
    import sqlalchemy as sa

    from reeflow.web.db import make_engine, metadata, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    assert migrate(engine) == "0001"
    insp = sa.inspect(engine)
    for table in metadata.sorted_tables:
        cols = {c["name"] for c in insp.get_columns(table.name)}
        assert cols == {c.name for c in table.columns}, table.name


def test_progress_estimate_is_monotone_and_below_one():
    now = [0.0]
    est = tasks.ProgressEstimate(clock=lambda: now[0])
    seen = []
    for name, _share in tasks.CHAIN_STEPS:
        now[0] += 1.0
        est.on_step(name)
        seen.append(est.fraction())
    for _ in range(200):
        now[0] += 5.0
        seen.append(est.fraction())
    assert seen == sorted(seen) and seen[0] >= 0 and seen[-1] < 1.0
    assert est.label() == tasks.FINAL_STEP


def test_the_studys_what_if_step_starts_the_tail_at_once():
    from reeflow.study import WHAT_IF_STEP

    assert tasks.FINAL_STEP == WHAT_IF_STEP  # one name for the step the study announces
    now = [0.0]
    est = tasks.ProgressEstimate(clock=lambda: now[0])
    for name, _share in tasks.CHAIN_STEPS:
        now[0] += 1.0
        est.on_step(name)
    chain = est.fraction()
    now[0] += 0.1
    est.on_step(WHAT_IF_STEP)
    now[0] += 1.0
    assert est.label() == tasks.FINAL_STEP and est.fraction() > chain


def test_input_key_depends_on_inputs_and_seed():
    from reeflow.project import load_project, load_project_text
    from reeflow.web.inputs import canonical_inputs, input_key

    a = input_key(canonical_inputs(load_project("builtin:beylikova")))
    b = input_key(canonical_inputs(load_project_text("extends: builtin:beylikova\n")))
    c = input_key(canonical_inputs(load_project_text(
        "extends: builtin:beylikova\neconomics:\n  seed: 1\n")))
    d = input_key(canonical_inputs(load_project_text(
        "extends: builtin:beylikova\nore:\n  treo_grade: {value: 1.8 %, evidence: assumed}\n")))
    assert a == b and a != c and a[0] != d[0]  # provenance is an input too
    assert len(a[0]) == 64


def test_task_function_is_plain():
    """The job is a module-level function of a picklable spec (what Dask would run)."""
    import pickle

    fn = tasks.resolve_task("reeflow.web.tasks:run_study_task")
    assert pickle.loads(pickle.dumps(fn)) is fn
    assert pickle.loads(pickle.dumps({"project": "builtin:beylikova"}))


def test_reeflow_help_stays_fast_and_lists_serve():
    import subprocess
    import sys

    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "reeflow.cli", "--help"],
                         capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(WEB.parents[1])})
    assert "serve" in out.stdout
    assert "fastapi" not in out.stderr and "sqlalchemy" not in out.stderr
    assert time.perf_counter() - t < 60


@pytest.mark.parametrize("path", ["/", "/editor", "/sx", "/market", "/compare"])
def test_pages_render(idle_client, path):
    r = idle_client.get(path)
    assert r.status_code == 200 and "<main>" in r.text
