"""The one GSLIB / Geo-EAS reader, the one block-model reader (CSV or GSLIB) and the one block
grid (:class:`BlockGrid`), shared by the deposit and mine rooms.

Format (Deutsch & Journel 1998, *GSLIB: Geostatistical Software Library and User's Guide*,
2nd ed., Oxford University Press, §II.1): a title line, the number of variables ``nvar`` on the
second line, one variable name per line, then whitespace-separated rows of ``nvar`` numbers
(x fastest, then y, then z for gridded files). ``-999`` (or another flag) marks a missing value.

Validated at the boundary (each failure is one :class:`~reeflow.core.errors.InputError`): the
file is a regular file of at most :data:`~reeflow.core.io.MAX_INPUT_BYTES` bytes and UTF-8 text;
the declared variable count lies in ``1..MAX_GSLIB_VARIABLES`` (a corrupt or hostile header
declaring 10^8 variables is refused at once, before any name is read); the header has as many
names as declared (a name is its whole line, spaces included); every data row has ``nvar`` numbers.

:func:`read_block_model` reads a block model in either format (a CSV with a header row, ``#``
comment lines skipped, as ``reeflow resource --blocks-out`` writes it), renames the coordinate
aliases of common packages (XC/YC/ZC, EAST/NORTH/RL, XINC...) and requires x, y, z or ix, iy, iz
(i, j, k) columns.

:class:`BlockGrid` is the definition of a regular grid (origin, block size, counts, rotation) in
the GSLIB order: the deposit room estimates on it, the mine room places a block model's rows on it
(:class:`reeflow.mine.blockmodel.GridBlocks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.core.io import MAX_INPUT_BYTES, check_input_file, check_no_row_labels, read_csv

__all__ = ["read_gslib", "looks_like_gslib", "MAX_GSLIB_VARIABLES", "GSLIB_SUFFIXES",
           "read_block_model", "normalise_block_columns", "BLOCK_ALIASES", "BlockGrid"]

#: A GSLIB header declaring more variables than this is refused (no block model has more
#: columns; a corrupt or hostile header must not make the reader loop or allocate for it).
MAX_GSLIB_VARIABLES = 10_000
#: File name endings read as GSLIB by the block-model readers.
GSLIB_SUFFIXES = (".dat", ".gslib", ".gsl", ".out")
_HEAD_BYTES = 4096


def _numeric(line: str) -> bool:
    try:
        [float(v) for v in line.split()]
    except ValueError:
        return False
    return bool(line.split())


def looks_like_gslib(path: str | Path, *, field: str = "gslib") -> bool:
    """True when the file opens like GSLIB: a title, an integer variable count >= 1, then a name
    line that is not numbers (a one-value-a-line file has a number there). Reads at most a few
    KB of the (size-checked) file; the count's upper bound is checked by :func:`read_gslib`."""
    p = check_input_file(path, field=field)
    with open(p, "rb") as fh:
        head = fh.read(_HEAD_BYTES).decode("utf-8", errors="replace").splitlines()[:3]
    if len(head) < 3:
        return False
    try:
        nvar = int(head[1].split()[0])
    except (ValueError, IndexError):
        return False
    return nvar >= 1 and bool(head[2].strip()) and not _numeric(head[2])


def _header(fh: IO[str], field: str, path: Path) -> list[str]:
    fh.readline()
    try:
        nvar = int(fh.readline().split()[0])
    except (ValueError, IndexError):
        raise InputError(f"{field}.nvar", str(path), "an integer on line 2 (GSLIB: title, "
                         "nvar, names, data)", "check the file is GSLIB / Geo-EAS") from None
    if not 1 <= nvar <= MAX_GSLIB_VARIABLES:
        raise InputError(f"{field}.nvar", nvar, f"1 to {MAX_GSLIB_VARIABLES:,} variables",
                         "the header's second line is not a plausible variable count")
    names = []
    for i in range(nvar):
        line = fh.readline()
        if not line:
            raise InputError(f"{field}.names", f"{i} names before the end of the file",
                             f"{nvar} variable names (as declared)", "fix the header")
        names.append(line.strip() or f"var{i + 1}")  # a name may hold spaces (GSLIB's own
        #                                        cluster.dat: "Declustering Weight")
    return names


def _data(fh: IO[str], names: list[str], field: str, path: Path) -> pd.DataFrame:
    try:
        data = pd.read_csv(fh, sep=r"\s+", header=None, names=names, dtype=float)
    except pd.errors.EmptyDataError:
        raise InputError(f"{field}.data", str(path), "at least one data row after the header",
                         "the file has a header and no data") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{field}.data", str(path), f"{len(names)} numeric columns per row",
                         str(exc).splitlines()[0] if str(exc) else "fix the data rows") from None
    check_no_row_labels(data, f"{field}.data", str(path))
    if data.shape[1] != len(names) or data.isna().all(axis=None):
        raise InputError(f"{field}.columns", data.shape[1], f"{len(names)} columns",
                         "fix the header")
    return data


def read_gslib(path: str | Path, *, missing: float | None = -999.0, field: str = "gslib",
               max_bytes: int = MAX_INPUT_BYTES) -> pd.DataFrame:
    """Read a GSLIB / Geo-EAS file (see the module docstring) into a DataFrame of floats.

    Column names are kept as written. Values equal to ``missing`` become NaN (``None`` keeps
    them: a block value of -999 USD is a value). ``field`` names the input in errors.
    """
    p = check_input_file(path, field=field, max_bytes=max_bytes)
    try:
        with open(p, encoding="utf-8") as fh:
            data = _data(fh, _header(fh, field, p), field, p)
    except UnicodeDecodeError as exc:
        raise InputError(field, str(path), "UTF-8 text",
                         f"byte 0x{exc.object[exc.start]:02x} is not UTF-8: save the file as "
                         "UTF-8") from None
    return data.replace(missing, np.nan) if missing is not None else data


#: Coordinate column names of other packages and their reeflow names (upper-cased match)
BLOCK_ALIASES = {"XC": "x", "YC": "y", "ZC": "z", "EAST": "x", "NORTH": "y", "RL": "z",
                 "XINC": "dx", "YINC": "dy", "ZINC": "dz", "X": "x", "Y": "y", "Z": "z",
                 "XMORIG": "x", "YMORIG": "y", "ZMORIG": "z"}


def read_block_model(path: str | Path, *, missing: float | None = None,
                     field: str = "block_model", gslib: bool | None = None) -> pd.DataFrame:
    """Read a block model from CSV or GSLIB (``.dat``, ``.gslib``, ``.gsl``, ``.out``): the one
    block reader of every room (see the module docstring). GSLIB values equal to ``missing``
    become NaN (default None keeps them: a block value of -999 USD is a value); ``field`` names
    the input in errors; ``gslib`` forces the format (None: by the suffix)."""
    if gslib if gslib is not None else Path(path).suffix.lower() in GSLIB_SUFFIXES:
        df = read_gslib(path, missing=missing, field=field)
    else:
        df = read_csv(path, field=field, comment="#")
    return normalise_block_columns(df, field)


def normalise_block_columns(df: pd.DataFrame, field: str = "block_model") -> pd.DataFrame:
    """Rename coordinate aliases (:data:`BLOCK_ALIASES`) and require x, y, z or ix, iy, iz
    (i, j, k) columns."""
    df = df.rename(columns={c: BLOCK_ALIASES[str(c).upper()] for c in df.columns
                            if str(c).upper() in BLOCK_ALIASES and str(c) not in ("x", "y", "z")})
    has_xyz = all(c in df.columns for c in ("x", "y", "z"))
    has_ijk = any(all(c in df.columns for c in n) for n in (("ix", "iy", "iz"), ("i", "j", "k")))
    if not (has_xyz or has_ijk):
        raise InputError(f"{field}.columns", list(df.columns)[:12],
                         "x, y, z (or XC, YC, ZC) or ix, iy, iz",
                         "name the block coordinates (or grid indices) in the header")
    return df


@dataclass(frozen=True)
class BlockGrid:
    """Regular block grid: ``origin`` (m) is the outer corner of block (0, 0, 0) in world
    coordinates, ``block_size_m`` (m), ``counts`` (blocks along x, y, z), local axes rotated
    about the vertical by ``rotation_deg`` clockwise. Block centres:
    origin + R·((i+½)dx, (j+½)dy, (k+½)dz); block index (GSLIB order, x fastest)
    ``(k·ny + j)·nx + i``."""

    origin: tuple[float, float, float]
    block_size_m: tuple[float, float, float]
    counts: tuple[int, int, int]
    rotation_deg: float = 0.0

    def __post_init__(self) -> None:
        if any(not s > 0 for s in self.block_size_m):
            raise InputError("blocks.block_size_m", self.block_size_m, "three sizes > 0 m",
                             "give the block size along x, y and z in m")
        if any(int(c) < 1 for c in self.counts):
            raise InputError("blocks.counts", self.counts, "three counts >= 1",
                             "give at least one block along x, y and z")

    @property
    def n_blocks(self) -> int:
        return int(np.prod(self.counts))

    def rotation(self) -> np.ndarray:
        t = np.radians(self.rotation_deg)
        return np.array([[np.cos(t), np.sin(t), 0.0], [-np.sin(t), np.cos(t), 0.0],
                         [0.0, 0.0, 1.0]])

    def ijk(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """(n, 3) integer indices of blocks ``start:stop`` in GSLIB order."""
        return self.ijk_of(np.arange(start, self.n_blocks if stop is None else stop))

    def ijk_of(self, index: np.ndarray) -> np.ndarray:
        """(n, 3) integer indices of the blocks with GSLIB indices ``index``."""
        n = np.asarray(index, np.int64)
        nx, ny, _ = self.counts
        return np.stack([n % nx, (n // nx) % ny, n // (nx * ny)], axis=1)

    def centres(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """World coordinates (n, 3) of block centres ``start:stop`` (chunks keep memory low)."""
        return self.centres_of(np.arange(start, self.n_blocks if stop is None else stop))

    def centres_of(self, index: np.ndarray) -> np.ndarray:
        """World coordinates (n, 3) of the centres of the blocks with GSLIB indices ``index``."""
        return self.centres_at(self.ijk_of(index))

    def centres_at(self, ijk: np.ndarray) -> np.ndarray:
        """World coordinates (n, 3) of the centres of the blocks at grid indices ``ijk`` (n, 3)."""
        local = (np.asarray(ijk, float) + 0.5) * np.asarray(self.block_size_m)
        return local @ self.rotation().T + np.asarray(self.origin, float)

    def to_frame(self) -> pd.DataFrame:
        c = self.centres()
        dx, dy, dz = self.block_size_m
        ijk = self.ijk()
        return pd.DataFrame({"i": ijk[:, 0], "j": ijk[:, 1], "k": ijk[:, 2], "x": c[:, 0],
                             "y": c[:, 1], "z": c[:, 2], "dx": dx, "dy": dy, "dz": dz})
