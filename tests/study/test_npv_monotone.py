"""Invariant: through the whole re-planned chain (pit, pushbacks, schedule, plant by year, DCF),
NPV rises with the NdPr price and falls with operating cost.

A grown horizon region once replaced a better schedule: at 90 % and 105 % of the NdPr price the
plan stripped 195-230 Mt of waste and NPV8 fell below its value at a lower price
(reeflow.mine.plan keeps the best schedule and splits the rings a grown region adds)."""

from __future__ import annotations

import pytest

from reeflow.chain import what_if
from reeflow.project import load_project


def _npvs(path: str, values: list[float]) -> list[float]:
    loaded = load_project(None)
    return [what_if(loaded, {path: v}).npv_usd() for v in values]


@pytest.mark.slow
def test_npv_rises_with_the_ndpr_price():
    npv = _npvs("economics.price_scale_ndpr", [0.8, 0.9, 1.0, 1.05, 1.1])
    assert all(b > a for a, b in zip(npv, npv[1:], strict=False)), npv


@pytest.mark.slow
def test_npv_falls_with_operating_cost():
    npv = _npvs("economics.opex_scale", [0.85, 0.95, 1.0, 1.1])
    assert all(b < a for a, b in zip(npv, npv[1:], strict=False)), npv
