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
