"""Tiny seed inputs of the deposit and mine commands for test_fuzz.py (``resource``, ``krige``,
``pit``, ``schedule``): small enough that one command runs in well under a second once warm.

The drillholes are six holes of the Babbitt example (examples/babbitt/data, NRRI/TR-2003/21 via
PyGSLIB, MIT; see examples/babbitt/README.md); the block models and MineLib instances are made
here (a regular 8 x 6 x 4 grid whose grades fall off from a centre; test values, not data).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
BABBITT = ROOT / "examples" / "babbitt"
HOLES = ("B1-416", "B1-415", "B1-200", "B1-190", "B1-188", "B1-198")
SHAPE = (8, 6, 4)  # nx, ny, nz: 192 blocks


@cache
def drillholes() -> dict[str, bytes]:
    """collar.csv, survey.csv, assay.csv of six neighbouring Babbitt holes (142 assays)."""
    out = {}
    for kind in ("collar", "survey", "assay"):
        df = pd.read_csv(BABBITT / "data" / f"{kind}_BABBITT.csv")
        out[f"{kind}.csv"] = df[df["BHID"].isin(HOLES)].to_csv(index=False).encode()
    return out


def krige_model() -> str:
    return (BABBITT / "krige_model.yaml").read_text(encoding="utf-8")


RESOURCE_PROJECT = """\
name: tiny drillhole project (fuzz seed)
deposit:
  drillholes:
    collar_file: collar.csv
    survey_file: survey.csv
    assay_file: assay.csv
    length_unit: ft
    dip_positive_down: true
    mode: strict
  primary: cu
  grades:
    cu: {column: CU, unit: "%"}
    ni: {column: NI, unit: "%"}
  composite_length: 20 ft
  topcut_quantile: 99.5 %
  block_size: {x: 60 m, y: 60 m, z: 20 m}
  ndisc: {x: 2, y: 2, z: 2}
  density: {method: fixed, fixed: 2.9 t/m**3}
  cutoff: {basis: given, grade: 0.33 %}
"""


@cache
def blocks() -> pd.DataFrame:
    """A full 8 x 6 x 4 grid of 20 x 20 x 10 m blocks: indices, centroids, sizes, tonnes, Cu and
    Ni grades (a high-grade core near the top centre) and a block value in USD."""
    nx, ny, nz = SHAPE
    iz, iy, ix = (a.ravel() for a in np.meshgrid(range(nz), range(ny), range(nx), indexing="ij"))
    r = np.hypot(ix - 3.5, iy - 2.5) + 0.7 * (nz - 1 - iz)
    cu = np.round(0.012 * np.exp(-r / 2.0), 6)
    df = pd.DataFrame({"ix": ix, "iy": iy, "iz": iz, "x": 1000 + 20.0 * ix + 10,
                       "y": 2000 + 20.0 * iy + 10, "z": 300 + 10.0 * iz + 5, "dx": 20.0,
                       "dy": 20.0, "dz": 10.0, "tonnes": 10_400.0, "cu_frac": cu,
                       "ni_frac": np.round(cu / 4, 6),
                       "class": np.where(r < 2, "Indicated", "Inferred")})
    df["value_usd"] = np.round(df["tonnes"] * (cu * 2750 * 0.9 - 8.18 - 1.5), 2)
    return df


def blocks_csv() -> bytes:
    """The block model as ``reeflow resource --blocks-out`` writes it: '#' lines, then CSV."""
    buf = io.StringIO()
    buf.write("# tiny block model (fuzz seed)\n# origin=(1000, 2000, 300) block_size_m=(20, 20, 10)\n")
    blocks().to_csv(buf, index=False)
    return buf.getvalue().encode()


def blocks_gslib() -> bytes:
    """The numeric columns as GSLIB (title, nvar, names, data)."""
    df = blocks().drop(columns=["class"])
    lines = ["tiny block model (fuzz seed)", str(df.shape[1]), *df.columns]
    lines += [" ".join(f"{v:g}" for v in row) for row in df.itertuples(index=False)]
    return ("\n".join(lines) + "\n").encode()


def blocks_values() -> bytes:
    """One value a line (MineFlow), x fastest: pass --grid 8 6 4."""
    return ("\n".join(f"{v:g}" for v in blocks()["value_usd"]) + "\n").encode()


def economics() -> str:
    return (ROOT / "examples" / "mine" / "babbitt_economics.yaml").read_text(encoding="utf-8")


MINE_PROJECT = """\
name: tiny mine plan (fuzz seed)
mine:
  block_model: blocks.csv
  missing: waste
  n_benches: 2
  mining_cost_usd_per_t_moved: 1.5 USD/t
  plant_capacity_t_per_a: 200 kt/a
  horizon_years: 3
  discount_rate: 8 %
  schedule_time_limit_s: 2 s
  pushback_candidates: [1, 2]
  valuation:
    processing_cost_usd_per_t: 8.18 USD/t
    products:
      - {name: copper, grade_column: cu_frac, recovery_frac: 90 %, price_usd_per_t: 2750 USD/t}
      - {name: nickel, grade_column: ni_frac, recovery_frac: 60 %, price_usd_per_t: 12320 USD/t}
"""


def _pyramid() -> tuple[list[int], list[list[int]]]:
    """Blocks of a 3 x 3 x 2 grid (z down): ids and, per block, its predecessors (the 3 x 3
    neighbourhood above)."""
    ids, preds = [], []
    for k in range(2):
        for j in range(3):
            for i in range(3):
                ids.append((k * 3 + j) * 3 + i)
                preds.append([] if k == 0 else [(jj * 3 + ii) for jj in range(max(j - 1, 0),
                              min(j + 2, 3)) for ii in range(max(i - 1, 0), min(i + 2, 3))])
    return ids, preds


def minelib_prec() -> bytes:
    ids, preds = _pyramid()
    return "".join(f"{b} {len(p)} {' '.join(map(str, p))}\n".replace("  ", " ")
                   for b, p in zip(ids, preds, strict=True)).encode()


def _profits() -> list[float]:
    return [-2.0] * 9 + [-3.0, -3.0, -3.0, -3.0, 40.0, -3.0, -3.0, 12.0, -3.0]


def minelib_upit() -> bytes:
    p = _profits()
    lines = ["NAME: tiny", "TYPE: UPIT", f"NBLOCKS: {len(p)}", "OBJECTIVE_FUNCTION:"]
    lines += [f"{b} {v:g}" for b, v in enumerate(p)] + ["EOF"]
    return ("\n".join(lines) + "\n").encode()


def minelib_cpit() -> bytes:
    p = _profits()
    lines = ["NAME: tiny", "TYPE: CPIT", f"NBLOCKS: {len(p)}", "NPERIODS: 3",
             "NRESOURCE_SIDE_CONSTRAINTS: 1", "DISCOUNT_RATE: 0.08",
             "RESOURCE_CONSTRAINT_LIMITS:"] + [f"0 {t} L 6" for t in range(3)]
    lines += ["OBJECTIVE_FUNCTION:"] + [f"{b} {v:g}" for b, v in enumerate(p)]
    lines += ["RESOURCE_CONSTRAINT_COEFFICIENTS:"] + [f"{b} 0 1" for b in range(len(p))]
    return ("\n".join(lines + ["EOF"]) + "\n").encode()


def _krige_blocks() -> pd.DataFrame:
    """24 blocks of 60 x 60 x 20 m among the six holes (m; the holes' feet converted)."""
    iz, iy, ix = (a.ravel() for a in np.meshgrid(range(2), range(4), range(3), indexing="ij"))
    return pd.DataFrame({"x": 697535.6 + 60.0 * ix, "y": 126868.8 + 60.0 * iy,
                         "z": 401.4 + 20.0 * iz, "dx": 60.0, "dy": 60.0, "dz": 20.0})


def krige_blocks_csv() -> bytes:
    return _krige_blocks().to_csv(index=False).encode()


def krige_blocks_gslib() -> bytes:
    df = _krige_blocks()
    lines = ["krige blocks (fuzz seed)", str(df.shape[1]), *df.columns]
    lines += [" ".join(f"{v:g}" for v in row) for row in df.itertuples(index=False)]
    return ("\n".join(lines) + "\n").encode()
