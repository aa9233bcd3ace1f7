"""Shared fixtures of the mine tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

BAUXITE = Path(__file__).resolve().parents[3] / "shared" / "data" / "mineflow" / "bauxitemed.dat"

PRICES = {"la2o3": 1.0, "ceo2": 1.0, "pr6o11": 80.0, "nd2o3": 80.0, "caf2": 0.3, "baso4": 0.1}
RECOVERIES = {k: 0.7 for k in PRICES}
COSTS = {"mining_cost_usd_per_t": 3.0, "processing_cost_usd_per_t": 60.0}


@pytest.fixture(scope="session")
def bauxite_values() -> np.ndarray:
    """MineFlow bauxite block values (MIT; shared/data/mineflow), x fastest, 120×120×26."""
    if not BAUXITE.is_file():
        pytest.skip(f"MineFlow bauxite model not found at {BAUXITE}")
    return np.loadtxt(BAUXITE, dtype=np.int64)
