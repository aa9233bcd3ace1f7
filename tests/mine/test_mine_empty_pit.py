"""An empty problem has the empty pit as its proven optimum (nested pits inside an empty pit)."""

import numpy as np

from reeflow.mine import ultimate_pit


def test_empty_problem_gives_empty_pit():
    res = ultimate_pit(np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert res.mask.size == 0 and res.value == 0.0
