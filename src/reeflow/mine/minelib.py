"""MineLib instance readers (Espinoza, Goycoolea, Moreno & Newman 2013, "MineLib: a library of open
pit mining problems", Ann. Oper. Res. 206(1):93-114, doi 10.1007/s10479-012-1258-3).

``.prec``: ``<block> <n_pred> <pred_1> ... <pred_n>`` (ids from 0). ``.upit``: header lines
(``NAME:``, ``TYPE: UPIT``, ``NBLOCKS:``, ``OBJECTIVE_FUNCTION:``), then ``<block> <profit>`` lines,
then ``EOF``. MineLib files are not shipped (their licence is unverified); only the published
optima are (``reeflow/data/mine/minelib_upit_optima.csv``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError

__all__ = ["read_minelib_prec", "read_minelib_upit", "minelib_upit_optima"]


def read_minelib_prec(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Precedence arcs ``(src, dst)``: block ``src`` needs predecessor ``dst``."""
    src, dst = [], []
    with Path(path).open() as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2 or parts[0].startswith("%"):
                continue
            b, n = int(parts[0]), int(parts[1])
            preds = parts[2:2 + n]
            if len(preds) != n:
                raise InputError(str(path), line.strip()[:60], "<block> <n> <n predecessors>",
                                 "check the .prec file")
            src.extend([b] * n)
            dst.extend(int(p) for p in preds)
    return np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)


def read_minelib_upit(path: str | Path) -> np.ndarray:
    """Block profits of a ``.upit`` file, indexed by block id."""
    ids, vals, n = [], [], None
    in_obj = False
    with Path(path).open() as fh:
        for line in fh:
            s = line.strip()
            if s.upper().startswith("NBLOCKS"):
                n = int(s.split(":")[1])
            elif s.upper().startswith("OBJECTIVE_FUNCTION"):
                in_obj = True
            elif s.upper().startswith("EOF"):
                break
            elif in_obj and s:
                b, v = s.split()[:2]
                ids.append(int(b))
                vals.append(float(v))
    if n is None or len(ids) != n:
        raise InputError(str(path), f"{len(ids)} profits", f"NBLOCKS = {n}", "check the .upit file")
    out = np.empty(n)
    out[np.asarray(ids)] = vals
    return out


def minelib_upit_optima() -> pd.DataFrame:
    """Published UPIT optima of the MineLib instances (with source and evidence)."""
    ref = resources.files("reeflow.data").joinpath("mine", "minelib_upit_optima.csv")
    with resources.as_file(ref) as p:
        return pd.read_csv(p).set_index("instance")
