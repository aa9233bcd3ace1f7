"""Cross-check: the closed-form destinations of a fixed mining schedule (a fractional knapsack per
year, reeflow.mine.schedule._fixed_mining) against HiGHS solving the same LP, on random panel sets
and on every greedy start of the cut-off ladder (objective to 1e-9 relative; same feasibility)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reeflow.mine.panels import Panels
from reeflow.mine.schedule import (
    ScheduleSpec,
    _build,
    _cutoffs,
    _default_order,
    _fixed_lp,
    _fixed_mining,
    _greedy_shares,
)


def _panels(rng: np.random.Generator, n_push: int, n_bench: int, bins: int) -> Panels:
    rows = [(p, b) for p in range(n_push) for b in range(n_bench)]
    n = len(rows)
    tonnes = rng.uniform(50.0, 200.0, n)
    panels = pd.DataFrame({"pushback": [p for p, _ in rows], "bench": [n_bench - 1 - b
                                                                       for _, b in rows],
                           "tonnes": tonnes, "mining_usd": -2.0 * tonnes})
    panel = np.repeat(np.arange(n), bins)
    feed = tonnes[panel] * rng.uniform(0.0, 1.0 / bins, panel.size)
    feed[rng.random(panel.size) < 0.05] = 0.0  # a parcel without feed
    margin = feed * rng.normal(20.0, 40.0, panel.size)
    parcels = pd.DataFrame({"panel": panel, "code": np.tile(np.arange(bins), n),
                            "feed_t": feed, "margin_usd": margin})
    src, dst = [], []
    for i, (p, b) in enumerate(rows):
        if b > 0:  # the bench above in the same pushback
            src.append(i), dst.append(i - 1)
        if p > 0:  # the same bench of the pushback inside
            src.append(i), dst.append(rows.index((p - 1, b)))
    return Panels(panels=panels, parcels=parcels, src=np.array(src, np.int64),
                  dst=np.array(dst, np.int64), block_panel=np.arange(n),
                  block_parcel=np.arange(n), attributes=(), products=())


@pytest.mark.parametrize("seed", range(12))
def test_closed_form_equals_highs_on_every_start(seed):
    rng = np.random.default_rng(seed)
    pan = _panels(rng, int(rng.integers(1, 4)), int(rng.integers(2, 7)), int(rng.integers(1, 4)))
    years = int(rng.integers(2, 8))
    cap = float(pan.parcels["feed_t"].sum()) / years * rng.uniform(0.3, 1.5)
    mining = None if seed % 3 else float(pan.panels["tonnes"].sum()) / years * 1.2
    spec = ScheduleSpec(plant_t_per_a=(cap * 0.5,) + (cap,) * (years - 1),
                        discount_rate=0.08, mining_t_per_a=mining)
    model, L, _ = _build(pan, spec)
    checked = 0
    for cut in _cutoffs(pan):
        X = _greedy_shares(pan, spec, _default_order(pan), cut)
        X = np.where(X > 1.0 - 1e-9, 1.0, X)
        Y = (X > 1e-9).astype(float)
        x_lp, v_lp = _fixed_lp(model, L, X=X, Y=Y)
        x_cf, v_cf = _fixed_mining(model, L, pan, spec, X, Y)
        assert (x_lp is None) == (x_cf is None)
        if x_lp is not None:
            assert v_cf == pytest.approx(v_lp, rel=1e-9, abs=1e-9)
            rows = model.matrix @ x_cf
            assert np.all(rows <= model.row_hi + 1e-9) and np.all(rows >= model.row_lo - 1e-9)
            checked += 1
    assert checked >= 1


def test_a_broken_precedence_is_infeasible_as_in_the_lp():
    rng = np.random.default_rng(0)
    pan = _panels(rng, 1, 3, 1)
    spec = ScheduleSpec(plant_t_per_a=(1e6, 1e6), discount_rate=0.1)
    model, L, _ = _build(pan, spec)
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])  # the bottom bench before the top ones
    Y = (X > 0).astype(float)
    assert _fixed_lp(model, L, X=X, Y=Y)[0] is None
    assert _fixed_mining(model, L, pan, spec, X, Y)[0] is None
