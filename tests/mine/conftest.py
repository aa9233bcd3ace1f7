"""Shared fixtures of the mine tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

BAUXITE = Path(__file__).resolve().parents[3] / "shared" / "data" / "mineflow" / "bauxitemed.dat"


@pytest.fixture(scope="session")
def bauxite_values() -> np.ndarray:
    """MineFlow bauxite block values (MIT; shared/data/mineflow), x fastest, 120×120×26."""
    if not BAUXITE.is_file():
        pytest.skip(f"MineFlow bauxite model not found at {BAUXITE}")
    return np.loadtxt(BAUXITE, dtype=np.int64)
