"""The step cache's disk tier (reeflow.chain.cache.DiskTier): a second run reads the steps'
results instead of computing them and gets the same numbers; a key follows the files it names;
a damaged file is a miss; pruning removes only the tier's own files, least recently used first;
an unsafe folder is not used."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from reeflow.chain import cache as cache_mod
from reeflow.chain.cache import SUFFIX, DiskTier, StepCache, default_folder, pinned


def test_second_run_reads_the_steps_and_gets_the_same_numbers(tmp_path, monkeypatch):
    from reeflow.chain import pipeline, plant_steps
    from reeflow.project import load_project

    loaded = load_project("builtin:beylikova")
    monkeypatch.setattr(pipeline.CACHE, "store", {})
    with pipeline.CACHE.on_disk(tmp_path):
        first = pipeline.run_chain(loaded)
    files = list(tmp_path.glob(f"steps-*/*{SUFFIX}"))
    assert {f.name.split("-")[0] for f in files} >= {"design", "resource", "mine", "years"}

    def no_design(*_a, **_k):  # the second run must not compute the plant
        raise AssertionError("the plant design was computed, not read")

    monkeypatch.setattr(plant_steps, "design_plant", no_design)
    monkeypatch.setattr(pipeline.CACHE, "store", {})
    with pipeline.CACHE.on_disk(tmp_path):
        second = pipeline.run_chain(loaded)
    for rate, npv in first.annual.npv_usd.items():
        assert second.annual.npv_usd[rate] == npv  # bit for bit
    assert second.mine.schedule.equals(first.mine.schedule)
    assert pipeline.CACHE.disk is None  # the block's setting is undone


def test_a_key_follows_the_files_it_names(tmp_path):
    f = tmp_path / "collars.csv"
    f.write_text("hole,x\nA,1\n")
    key = f'{{"collar_file": "{f}", "seed": 1}}'
    before = pinned(key)
    assert before.startswith(key) and before != key
    time.sleep(0.01)
    f.write_text("hole,x\nA,2\n")  # same size, other content
    os.utime(f, ns=(time.time_ns(), time.time_ns()))
    assert pinned(key) != before
    assert pinned('{"seed": 1}') == '{"seed": 1}'  # no file named: the key as it is
    assert pinned(f'{{"collar_file":"{tmp_path / "gone.csv"}"}}').endswith("=missing")


def test_a_damaged_or_foreign_file_is_a_miss(tmp_path):
    tier = DiskTier(tmp_path)
    tier.save("mine", "k1", {"a": np.arange(3)})
    assert tier.load("mine", "k1")["a"].tolist() == [0, 1, 2]
    path = tier._path("mine", "k1")
    path.write_bytes(path.read_bytes()[:10])  # truncated
    assert tier.load("mine", "k1") is cache_mod._MISS
    tier.save("mine", "k2", 1)
    os.replace(tier._path("mine", "k2"), tier._path("mine", "k1"))  # another key's file
    assert tier.load("mine", "k1") is cache_mod._MISS

    calls = []
    c = StepCache()
    c.disk = tier
    assert c.get("mine", "k1", lambda: calls.append(1) or 7) == 7 and calls == [1]


def test_prune_removes_the_least_recently_used_and_nothing_else(tmp_path):
    tier = DiskTier(tmp_path)
    for i in range(4):
        tier.save("step", f"k{i}", bytes(1000 * (i + 1)))
        os.utime(tier._path("step", f"k{i}"), (1000 + i, 1000 + i))
    other = tier.folder / "notes.txt"
    other.write_text("mine")
    tier.load("step", "k0")  # read now: the most recently used
    sizes = {f"k{i}": tier._path("step", f"k{i}").stat().st_size for i in range(4)}
    tier.prune(max_bytes=sizes["k0"] + sizes["k3"])
    kept = {k for k in sizes if tier._path("step", k).exists()}
    assert kept == {"k0", "k3"} and other.read_text() == "mine"


def test_the_folder_is_used_only_when_it_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("REEFLOW_NO_CACHE", "0")
    monkeypatch.setenv("REEFLOW_CACHE_DIR", str(tmp_path / "c"))
    assert default_folder() == tmp_path / "c"
    os.chmod(tmp_path / "c", 0o777)
    assert default_folder() is None  # others could write pickles there
    monkeypatch.setenv("REEFLOW_NO_CACHE", "1")
    os.chmod(tmp_path / "c", 0o700)
    assert default_folder() is None


@pytest.mark.parametrize("outer", [True, False])
def test_an_inner_block_keeps_the_outer_setting(tmp_path, outer):
    c = StepCache()
    with c.on_disk(tmp_path if outer else None):
        with c.on_disk(None):
            assert (c.disk is not None) == outer
        assert (c.disk is not None) == outer
    assert c.disk is None


# --- fuzz round 40 (an independent tester of the disk tier) ---------------------------------
def test_a_reordered_mapping_is_another_key():
    """The order of ore.ree_distribution is the plant's order of elements: a reordered one
    got the other order's results from disk (sorted keys)."""
    from reeflow.chain.cache import step_key

    assert step_key({"La": 0.3, "Ce": 0.7}) != step_key({"Ce": 0.7, "La": 0.3})


@pytest.mark.parametrize("unsafe", ["world-writable", "link"])
def test_an_unsafe_steps_folder_is_not_used(tmp_path, unsafe):
    from reeflow.chain.cache import code_fingerprint

    root = tmp_path / "c"
    root.mkdir(mode=0o700)
    folder = root / f"steps-{code_fingerprint()[:16]}"
    if unsafe == "link":
        other = tmp_path / "elsewhere"
        other.mkdir(mode=0o700)
        os.symlink(other, folder)
    else:
        folder.mkdir()
        os.chmod(folder, 0o777)
    tier = DiskTier(root)
    assert not tier.usable
    tier.save("mine", "k", 42)
    assert tier.load("mine", "k") is cache_mod._MISS
    assert not [f for f in tier.folder.iterdir()]


def test_one_entry_gone_does_not_stop_the_pruning(tmp_path):
    tier = DiskTier(tmp_path)
    for i in range(3):
        tier.save("step", f"k{i}", bytes(10_000))
    os.symlink("/nonexistent/x", tier.folder / f"dangling{SUFFIX}")
    tier.prune(max_bytes=1)
    assert not [f for f in tier.folder.glob(f"step-*{SUFFIX}")]


def test_seen_keeps_what_it_read(tmp_path):
    tier = DiskTier(tmp_path)
    tier.save("design", "k", {"stages": 12})
    c = StepCache()
    c.disk = tier
    assert c.seen("design", "k") and not c.seen("design", "other")
    c.disk = None  # the chain then finds it in memory
    assert c.get("design", "k", lambda: None) == {"stages": 12}


def test_pint_keeps_no_pickles_in_a_folder_others_can_write(tmp_path, monkeypatch):
    from reeflow.core import units

    root = tmp_path / "c"
    root.mkdir()
    os.chmod(root, 0o777)
    monkeypatch.delenv("REEFLOW_NO_CACHE")
    monkeypatch.setenv("REEFLOW_CACHE_DIR", str(root))
    assert units._cache_folder() is None
    os.chmod(root, 0o700)
    assert units._cache_folder() is not None


# --- the final read's review of the disk tier ------------------------------------------------
def test_a_step_file_is_read_only_if_it_is_a_private_plain_file(tmp_path):
    """A link (swapped in after the folder was checked) or a file others may write is never
    unpickled."""
    from reeflow.core.io import read_private

    tier = DiskTier(tmp_path)
    tier.save("mine", "k", 7)
    path = tier._path("mine", "k")
    assert read_private(path) is not None and tier.load("mine", "k") == 7
    os.chmod(path, 0o666)
    assert read_private(path) is None and tier.load("mine", "k") is cache_mod._MISS
    os.chmod(path, 0o600)
    target = tmp_path / "elsewhere"
    os.replace(path, target)
    os.symlink(target, path)
    assert read_private(path) is None and tier.load("mine", "k") is cache_mod._MISS
    assert read_private(tmp_path / "no\0file") is None


def test_the_cache_never_fails_a_study(tmp_path, monkeypatch):
    """A fingerprint that cannot be read turns the tier off; a pruning that fails is skipped."""
    def unreadable():
        raise OSError("a package file vanished")

    cache_mod.code_fingerprint.cache_clear()
    monkeypatch.setattr(cache_mod, "code_fingerprint", unreadable)
    c = StepCache()
    with c.on_disk(tmp_path) as tier:
        assert tier is None and c.get("s", "k", lambda: 3) == 3
    monkeypatch.undo()

    def broken(self, max_bytes=0):
        raise RuntimeError("prune failed")

    monkeypatch.setattr(DiskTier, "prune", broken)
    with c.on_disk(tmp_path) as tier:
        assert tier is not None
    assert pinned('{"a_file": "x\\u0000y"}').endswith("=missing")


@pytest.mark.slow
def test_a_warm_study_equals_the_cold_one_and_computes_no_step(tmp_path, monkeypatch):
    """compute_results with the disk tier, twice (memory cleared between): the second reads
    every expensive step (the base chain's and the what-ifs') and its results are the first's
    but for the run times; the what-ifs then run in the study's own process."""
    from reeflow.chain import pipeline
    from reeflow.project import load_project
    from reeflow.study import _READ_STEPS, compute_results

    monkeypatch.delenv("REEFLOW_NO_CACHE")
    monkeypatch.setenv("REEFLOW_CACHE_DIR", str(tmp_path / "c"))
    loaded = load_project("builtin:beylikova")
    monkeypatch.setattr(pipeline.CACHE, "store", {})
    cold = compute_results(loaded, workers=1, cache=True).to_dict()
    monkeypatch.setattr(pipeline.CACHE, "store", {})
    before = dict(pipeline.CACHE.computed)
    read: list[str] = []
    load = DiskTier.load

    def counted(self, step, key):
        read.append(step)
        return load(self, step, key)

    monkeypatch.setattr(DiskTier, "load", counted)
    warm = compute_results(loaded, workers=2, cache=True).to_dict()
    assert all(pipeline.CACHE.computed.get(s, 0) == before.get(s, 0) for s in _READ_STEPS)
    # nothing at all is computed again: the cash flows, the market, the SX train's yearly
    # ratings are read too; the resource only for the base (a what-if whose plan is read
    # never reads its block model)
    again = {s: n - before.get(s, 0) for s, n in pipeline.CACHE.computed.items()}
    assert {s for s, n in again.items() if n} <= {"outcome"}  # the in-memory assembly only
    assert read.count("resource") == 1 and read.count("annual") >= 10
    for r in (cold, warm):
        for k in ("runtime_s", "phase_times_s", "generated_utc"):
            r["meta"].pop(k)
    assert warm == cold


def test_an_outcome_travels_without_its_resource(tmp_path, monkeypatch):
    """A chain outcome pickles (a worker sends it back) with its resource step's inputs, not
    the block model; read again, the resource is the step cache's, the same numbers."""
    import pickle

    from reeflow.chain import pipeline
    from reeflow.project import load_project

    loaded = load_project("builtin:beylikova")
    monkeypatch.setattr(pipeline.CACHE, "store", {})
    with pipeline.CACHE.on_disk(tmp_path):
        out = pipeline.run_chain(loaded)
        tonnes = out.resource.block_model["tonnes"].to_numpy()
        sent = pickle.dumps(out)
        assert b"ResourceResult" not in sent  # the class of the resource step's result
        monkeypatch.setattr(pipeline.CACHE, "store", {})
        back = pickle.loads(sent)
        assert np.array_equal(back.resource.block_model["tonnes"].to_numpy(), tonnes)


def test_the_cash_flow_is_keyed_by_figures_and_schedule(monkeypatch):
    """A project that differs only in its text (its name) reads the cash flow of the other; one
    whose schedule differs (a shorter life) computes its own. The resource step keeps its
    place in the step times where the cached plan does not read it."""
    from reeflow.chain import pipeline
    from reeflow.project import load_project

    loaded = load_project("builtin:beylikova")
    monkeypatch.setattr(pipeline.CACHE, "store", {})
    base = pipeline.run_chain(loaded)
    n = pipeline.CACHE.computed.get("annual", 0)
    renamed = pipeline.run_chain(pipeline.with_overrides(loaded, {"name": "another name"}))
    assert pipeline.CACHE.computed.get("annual", 0) == n
    assert renamed.annual is base.annual
    assert "resource" in renamed.times_s and renamed.times_s["resource"] < 0.01
    longer = pipeline.with_overrides(loaded, {"economics.schedule.life_years": 19})
    pipeline.run_chain(longer)
    assert pipeline.CACHE.computed.get("annual", 0) == n + 1


def test_plan_is_cached_tells_a_read_plan_from_one_to_compute(tmp_path, monkeypatch):
    """The study starts its workers early unless the design and the mine plan will be read: an
    opex change keeps the design but re-plans the mine."""
    from reeflow.chain import pipeline
    from reeflow.project import load_project

    loaded = load_project("builtin:beylikova")
    monkeypatch.setattr(pipeline.CACHE, "store", {})
    with pipeline.CACHE.on_disk(tmp_path):
        assert not pipeline.plan_is_cached(loaded.project)
        pipeline.run_chain(loaded)
        monkeypatch.setattr(pipeline.CACHE, "store", {})
        assert pipeline.plan_is_cached(loaded.project)
        dearer = pipeline.with_overrides(loaded, {"economics.opex_scale": 1.1}).project
        assert not pipeline.plan_is_cached(dearer)
