"""MineLib UPIT optima, matched exactly: newman1 from tests/data (shipped as a fixture), larger
instances from a local copy (REEFLOW_MINELIB_DIR, or ../shared/data/minelib); skipped without.

Each instance needs ``<name>.upit`` and ``<name>.prec`` in the directory (or in <name>/).
"""

import os
from pathlib import Path

import numpy as np
import pytest

from reeflow.mine import ultimate_pit
from reeflow.mine.minelib import minelib_upit_optima, read_minelib_prec, read_minelib_upit

OPTIMA = minelib_upit_optima()
SMALL = [i for i in OPTIMA.index if OPTIMA.loc[i, "n_blocks"] <= 200_000]


HERE = Path(__file__).resolve().parents[1]
ROOTS = [Path(os.environ["REEFLOW_MINELIB_DIR"])] if os.environ.get("REEFLOW_MINELIB_DIR") else []
ROOTS += [HERE / "data" / "minelib", HERE.parent.parent / "shared" / "data" / "minelib"]


def _files(name):
    for root in ROOTS:
        for d in (root, root / name):
            if (d / f"{name}.upit").is_file() and (d / f"{name}.prec").is_file():
                return d / f"{name}.upit", d / f"{name}.prec"
    pytest.skip(f"{name}.upit/.prec not found (set REEFLOW_MINELIB_DIR to a MineLib copy)")


@pytest.mark.parametrize("name", SMALL)
def test_minelib_upit_optimum(name):
    upit, prec = _files(name)
    v = read_minelib_upit(upit)
    src, dst = read_minelib_prec(prec)
    assert v.size == OPTIMA.loc[name, "n_blocks"]
    pit = ultimate_pit(v, src, dst, solver="pymineflow")
    assert round(pit.value) == OPTIMA.loc[name, "upit_optimum"]


def test_readers_on_a_tiny_instance(tmp_path):
    (tmp_path / "t.upit").write_text("NAME: t\nTYPE: UPIT\nNBLOCKS: 3\nOBJECTIVE_FUNCTION:\n"
                                     "0 -1\n1 -1\n2 5\nEOF\n")
    (tmp_path / "t.prec").write_text("0 0\n1 0\n2 2 0 1\n")
    v = read_minelib_upit(tmp_path / "t.upit")
    src, dst = read_minelib_prec(tmp_path / "t.prec")
    np.testing.assert_array_equal(src, [2, 2])
    pit = ultimate_pit(v, src, dst)
    assert pit.value == 3.0 and pit.n_blocks == 3
    assert OPTIMA.loc["newman1", "upit_optimum"] == 26_086_899
