"""Results are identical whatever the backend and the number of workers."""

from __future__ import annotations

import numpy as np
import pytest

from reeflow.risk.backends import ProcessRunner, SerialRunner, make_runner
from reeflow.risk.engine import evaluate


def _same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k], equal_nan=True), k


def test_local_workers_give_identical_results(small_model):
    model, d = small_model
    serial = evaluate(model, d, SerialRunner())
    two = evaluate(model, d, ProcessRunner(2), min_parallel=0)
    _same(serial, two)
    assert np.isfinite(serial["npv_usd"]).all()


@pytest.mark.slow
def test_dask_cluster_gives_identical_results(small_model):
    distributed = pytest.importorskip("distributed")
    model, d = small_model
    serial = evaluate(model, d, SerialRunner())
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        runner = make_runner(scheduler=cluster.scheduler_address)
        try:
            assert runner.describe()["backend"] == "dask"
            _same(serial, evaluate(model, d, runner))
        finally:
            runner.close()


def test_bad_scheduler_and_workers_are_input_errors():
    from reeflow.core.errors import InputError

    with pytest.raises(InputError):
        make_runner(workers=0)
    pytest.importorskip("distributed")
    from reeflow.risk.backends import DaskRunner

    with pytest.raises(InputError, match="scheduler"):
        DaskRunner("tcp://127.0.0.1:1", timeout_s=2)


def test_progress_bar_only_on_a_terminal():
    import io

    from reeflow.risk.backends import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    pipe, tty = io.StringIO(), Tty()
    for stream in (pipe, tty):
        bar = Progress("draws", 4, stream=stream)
        for _ in range(4):
            bar.advance()
    assert pipe.getvalue() == ""
    assert "draws [" in tty.getvalue() and "4/4" in tty.getvalue()
    off = Tty()
    Progress("draws", 2, enabled=False, stream=off).advance()
    assert off.getvalue() == ""


def test_price_paths_multiply_the_group_revenue(small_model):
    from dataclasses import replace

    model, d = small_model
    j = model.inputs.index("economics.price_scale_ndpr")
    X = d.values[:50].copy()
    flat = np.ones((50, 1, 20))
    with_path = replace(model, path_groups=(0,))
    base = model.evaluate(X, d.paths[:50], d.realisation[:50], plan=0)
    same = with_path.evaluate(X, flat, d.realisation[:50], plan=0)
    np.testing.assert_array_equal(base["npv_usd"], same["npv_usd"])
    # a path of 1.1 every year is the NdPr multiplier times 1.1 (on the plan held)
    up = with_path.evaluate(X, 1.1 * flat, d.realisation[:50], plan=0)
    X2 = X.copy()
    X2[:, j] *= 1.1
    scaled = model.evaluate(X2, d.paths[:50], d.realisation[:50], plan=0)
    np.testing.assert_allclose(up["npv_usd"], scaled["npv_usd"], rtol=1e-9)
