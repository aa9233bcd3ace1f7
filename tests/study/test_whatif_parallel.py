"""What-ifs on worker processes give the numbers the chain gives in this process, bit for bit
(reeflow.chain.parallel), and a component set survives the trip to a worker."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from reeflow.chain import run_chain, what_if
from reeflow.chain.parallel import what_if_many
from reeflow.core.errors import InputError
from reeflow.plant.stream import Components
from reeflow.project import load_project
from reeflow.sensitivity import CachedRunner, QuestionRecorder


def test_a_component_set_equals_its_pickled_copy():
    c = Components(("LaFCO3", "H2O", "La2(SO4)3"))
    copy = pickle.loads(pickle.dumps(c))
    assert c == copy and hash(c) == hash(copy)
    assert c != Components(("H2O", "LaFCO3"))


def test_questions_that_redesign_the_plant_are_submitted_first():
    from reeflow.chain.parallel import _runs_first

    qs = [{"economics.capex_scale": 0.7}, {"economics.price_scale_ndpr": 0.8, "ore.treo_grade":
          0.01}, {"plant.leach.ree_dissolution": 0.8}, {}, {"deposit.seed": 3}]
    assert sorted(range(len(qs)), key=lambda i: _runs_first(qs[i])) == [1, 2, 4, 0, 3]


@pytest.mark.slow
def test_workers_answer_what_ifs_bit_for_bit_as_this_process(monkeypatch):
    # the plant question, last here, is submitted first: each answer must still be its own
    import reeflow.chain.parallel as parallel

    monkeypatch.setattr(parallel, "memory_workers", lambda: 2)  # workers, whatever the machine
    loaded = load_project(None)
    run_chain(loaded)
    questions = [{"economics.price_scale_ndpr": 0.9}, {"economics.opex_scale": 1.1},
                 {"plant.leach.ree_dissolution": 0.8}]
    far = what_if_many(loaded, questions, workers=2)
    for q, o in zip(questions, far, strict=True):
        here = what_if(loaded, q)
        assert o is not here  # computed in a worker (here's is this process's own run)
        assert o.npv_usd() == here.npv_usd()
        np.testing.assert_array_equal(o.mine.schedule["ore_t"].to_numpy(),
                                      here.mine.schedule["ore_t"].to_numpy())
        assert o.annual.npv_usd == here.annual.npv_usd


def test_a_refused_question_raises_in_this_process_or_answers_none():
    loaded = load_project(None)
    bad = {"ore.treo_grade": "200 %"}
    with pytest.raises(InputError):
        what_if_many(loaded, [bad], workers=1)
    assert what_if_many(loaded, [bad], workers=1, refused=None) == [None]
    with pytest.raises(InputError):
        what_if_many(loaded, [bad], workers=0)


def test_prefetched_answers_count_as_runs_not_hits():
    loaded = load_project(None)
    base = run_chain(loaded)
    runner = CachedRunner()
    runner.seed(loaded, base)
    recorder = QuestionRecorder(base)
    asked = [{"economics.capex_scale": 0.7}, {"economics.capex_scale": 0.7},
             {"economics.capex_scale": 1.5}, {}]
    for q in asked:
        assert recorder(loaded, q) is base
    assert recorder.questions == asked
    assert runner.prefetch(loaded, recorder.questions, workers=1) == 2
    for q in asked:
        runner(loaded, q)
    assert (runner.runs, runner.hits) == (2, 2)  # as if asked without the prefetch


def test_a_failed_worker_pool_falls_back_to_this_process(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    import reeflow.chain.parallel as parallel

    def broken(*_a, **_k):
        raise BrokenProcessPool("a worker died")

    loaded = load_project(None)
    base = run_chain(loaded)
    monkeypatch.setattr(parallel, "what_if_many", broken)
    runner = CachedRunner()
    runner.seed(loaded, base)
    with pytest.warns(RuntimeWarning, match="what-if workers failed"):
        n = runner.prefetch(loaded, [{"economics.capex_scale": 0.7},
                                     {"economics.capex_scale": 1.5}], workers=2)
    assert n == 0
    assert runner(loaded, {"economics.capex_scale": 0.7}).npv_usd() > base.npv_usd()
    assert (runner.runs, runner.hits) == (1, 0)


def test_workers_are_capped_by_the_memory_available():
    from reeflow.chain.parallel import WORKER_BYTES, memory_workers

    assert memory_workers(0) == 1
    assert memory_workers(5 * WORKER_BYTES + 1) == 5
    assert memory_workers() >= 1


def test_a_worker_returns_any_failure_of_the_chain_as_none(monkeypatch, tmp_path):
    """The caller then asks again in its own process, which answers or raises as it would
    without workers (an infeasible spec, a solver that did not converge, a refused input)."""
    import reeflow.chain.parallel as parallel
    import reeflow.chain.pipeline as pipeline
    from reeflow.core.errors import InfeasibleSpecError

    def infeasible(*_a, **_k):
        raise InfeasibleSpecError("no grade meets the target")

    monkeypatch.setattr(pipeline, "what_if", infeasible)
    monkeypatch.setitem(parallel._WARM, "token", None)  # this process is no worker: restored
    monkeypatch.setitem(parallel._WARM, "base", None)
    path = tmp_path / "shared.pickle"
    path.write_bytes(pickle.dumps(("token-test", load_project(None), {}, None)))
    assert parallel._task_from(str(path), "token-test", {"ore.treo_grade": 0.05}) is None


def test_a_failing_question_leaves_the_other_prefetched_answers_in_place(monkeypatch):
    """An infeasible what-if is not a failure of the workers: the prefetch keeps every other
    answer, warns nothing, and the question is asked (and raises) when its caller asks it."""
    import warnings

    import reeflow.chain.pipeline as pipeline
    from reeflow.core.errors import InfeasibleSpecError

    loaded = load_project(None)
    base = run_chain(loaded)
    real = pipeline.what_if

    def sometimes(lp, overrides):
        if overrides.get("economics.capex_scale") == 1.5:
            raise InfeasibleSpecError("no design at this capex")
        return real(lp, overrides)

    monkeypatch.setattr(pipeline, "what_if", sometimes)
    runner = CachedRunner()
    runner.seed(loaded, base)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        n = runner.prefetch(loaded, [{"economics.capex_scale": 0.7},
                                     {"economics.capex_scale": 1.5}], workers=1)
    assert n == 1
    assert runner(loaded, {"economics.capex_scale": 0.7}).npv_usd() > base.npv_usd()
    assert (runner.runs, runner.hits) == (1, 0)


@pytest.mark.slow
def test_a_pool_started_before_the_chain_answers_as_this_process(tmp_path):
    """The study starts its workers before the base chain (WhatIfPool); they read the chain's
    step cache when the questions come, and answer bit for bit as this process would. The
    pool's private folder is gone once it is closed."""
    from reeflow.chain.parallel import WhatIfPool

    loaded = load_project(None)
    questions = [{"economics.price_scale_ndpr": 0.9}, {"economics.capex_scale": 1.2}]
    with WhatIfPool(2) as pool:
        run_chain(loaded)
        far = pool.ask(loaded, questions)
        folder = pool._dir
    for q, o in zip(questions, far, strict=True):
        assert o.npv_usd() == what_if(loaded, q).npv_usd()
    import os

    assert not os.path.exists(folder)


def test_a_pool_is_refused_a_bad_size_and_leaves_nothing_behind(tmp_path, monkeypatch):
    import tempfile

    from reeflow.chain.parallel import WhatIfPool

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(InputError, match="workers"):
        WhatIfPool(0)
    assert not list(tmp_path.iterdir())


def test_a_pool_that_cannot_start_reports_it_to_the_caller(monkeypatch):
    """A failure while the workers start (no fork server, too many open files) is raised by
    ask(), where the study's prefetch warns once and answers in its own process, not printed
    from the starting thread."""
    from concurrent.futures import ProcessPoolExecutor

    from reeflow.chain.parallel import WhatIfPool

    def refuse(self, *_a, **_k):
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(ProcessPoolExecutor, "submit", refuse)
    pool = WhatIfPool(2)
    try:
        with pytest.raises(OSError, match="Too many open files"):
            pool.ask(load_project(None), [{"economics.capex_scale": 0.7}])
    finally:
        monkeypatch.undo()
        pool.close()


def test_a_killed_study_s_pool_folder_is_swept_by_the_next(tmp_path):
    """A study killed with -9 cannot remove its pool's folder (tens of MB while it asks);
    the next pool removes folders whose lock no process holds, and only those."""
    from reeflow.chain.parallel import _hold, sweep_stale

    dead, alive, other = (tmp_path / f"reeflow-whatif-{n}" for n in ("dead", "alive", "other"))
    for d in (dead, alive, other):
        d.mkdir()
        (d / "x.pickle").write_bytes(b"0" * 10)
    (dead / "lock").write_bytes(b"")  # its pool is gone: nobody holds the lock
    young = tmp_path / "reeflow-whatif-young"  # a pool starting: folder made, lock not yet held
    young.mkdir()
    (young / "lock").write_bytes(b"")
    import os
    import time

    for d in (dead, alive, other):
        os.utime(d, (time.time() - 3600, time.time() - 3600))
    held = _hold(str(alive))
    try:
        sweep_stale(str(tmp_path))
        assert not dead.exists() and alive.exists() and other.exists() and young.exists()
    finally:
        os.close(held)
