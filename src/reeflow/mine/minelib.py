"""MineLib instance readers (Espinoza, Goycoolea, Moreno & Newman 2013, "MineLib: a library of open
pit mining problems", Ann. Oper. Res. 206(1):93-114, doi 10.1007/s10479-012-1258-3).

``.prec``: ``<block> <n_pred> <pred_1> ... <pred_n>`` (ids from 0). ``.upit``: header lines
(``NAME:``, ``TYPE: UPIT``, ``NBLOCKS:``, ``OBJECTIVE_FUNCTION:``), then ``<block> <profit>`` lines,
then ``EOF``. ``.cpit`` adds ``NPERIODS``, ``NRESOURCE_SIDE_CONSTRAINTS``, ``DISCOUNT_RATE``,
``RESOURCE_CONSTRAINT_LIMITS`` (``r t L|G|I limit [upper]``) and ``RESOURCE_CONSTRAINT_COEFFICIENTS``
(``b r q``). ``.blocks``: ``id x y z <instance columns>``. Discount convention: period ``t = 0, 1,
...`` is discounted by ``(1 + α)^-t``. MineLib files are not shipped with the package (their licence
is unverified); only the published optima are (``reeflow/data/mine/minelib_upit_optima.csv``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from reeflow.core.data import read_csv
from reeflow.core.errors import InputError
from reeflow.core.io import check_input_file

__all__ = ["read_minelib_prec", "read_minelib_upit", "read_minelib_cpit", "read_minelib_blocks",
           "minelib_upit_optima", "MINELIB_BLOCK_COLUMNS", "minelib_sibling"]

#: Column names of the ``.blocks`` files of instances whose layout is published (mining.md §2.1)
MINELIB_BLOCK_COLUMNS = {
    "newman1": ["id", "x", "y", "z", "type", "grade", "tonnes", "min_caf", "value_extracc",
                "value_proc", "apriori_process"],
    "marvin": ["id", "x", "y", "z", "tonnes", "au", "cu", "proc_profit"],
}


#: Most periods and side resources of a CPIT instance (assumed: MineLib's instances have at
#: most tens of periods and two resources; the limits only stop a header allocating gigabytes).
MAX_PERIODS, MAX_RESOURCES = 1000, 100

#: Size cap of one MineLib file (assumed: a generous bound, not a MineLib figure; it refuses
#: devices, pipes and absurd files before they are read, as core.io does for every input).
MAX_MINELIB_BYTES = 2 * 1024**3
_F = TypeVar("_F", bound=Callable[..., Any])


def _existing(path: str | Path, kind: str) -> Path:
    if not Path(path).is_file():
        raise InputError(kind, str(path), f"an existing MineLib {kind} file", "check the path")
    return check_input_file(path, field=kind, max_bytes=MAX_MINELIB_BYTES)


def _one_line_errors(reader: _F) -> _F:
    """A malformed or non-UTF-8 MineLib file is one InputError naming it, not a traceback."""
    @functools.wraps(reader)
    def wrapper(path: str | Path, *args: Any, **kwargs: Any) -> Any:
        try:
            return reader(path, *args, **kwargs)
        except InputError:
            raise
        except (ValueError, IndexError, OverflowError, UnicodeDecodeError,
                pd.errors.ParserError) as exc:
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if isinstance(exc, IndexError):  # a line cut short: say so, not Python's words
                msg = "a line has fewer fields than the format needs (a truncated file?)"
            raise InputError(Path(path).name, str(path), f"a MineLib file ({reader.__name__})",
                             f"{msg[:120]}: check the file format") from None
    return wrapper  # type: ignore[return-value]


def minelib_sibling(path: str | Path, suffix: str) -> Path:
    """``newman1.cpit`` -> ``newman1.prec`` (same folder and stem); InputError if absent."""
    p = Path(path).with_suffix(suffix)
    if not p.is_file():
        raise InputError(f"{suffix} file", str(p), f"a MineLib {suffix} file beside "
                         f"{Path(path).name}", f"put {p.name} beside it or pass it explicitly")
    return p


@_one_line_errors
def read_minelib_prec(path: str | Path, n_blocks: int | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Precedence arcs ``(src, dst)``: block ``src`` needs predecessor ``dst``.

    MineLib lists every block once, with its predecessors or none (Espinoza et al. 2013,
    *Ann. Oper. Res.* 206:93, §3): with ``n_blocks`` (the model file's NBLOCKS) a file that
    misses a block, repeats one or names one out of range is refused, since a truncated
    file would otherwise free the blocks it lost from their precedences and overstate the
    pit."""
    src: list[int] = []
    dst: list[int] = []
    ids: list[int] = []
    name = Path(path).name
    with _existing(path, ".prec").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if not parts or parts[0].startswith("%"):
                continue
            if len(parts) < 2:
                raise InputError(name, line.strip()[:60], "<block> <n> <n predecessors>",
                                 "check the .prec file")
            b, n = int(parts[0]), int(parts[1])
            preds = parts[2:2 + n]
            if n < 0 or len(preds) != n:
                raise InputError(name, line.strip()[:60], "<block> <n> <n predecessors>",
                                 "check the .prec file")
            ids.append(b)
            src.extend([b] * n)
            dst.extend(int(p) for p in preds)
    if n_blocks is not None:
        _block_ids(ids, n_blocks, name)
        if dst and (min(dst) < 0 or max(dst) >= n_blocks):
            raise InputError(f"{name}.predecessors", f"ids in {min(dst)}..{max(dst)}",
                             f"block ids 0..{n_blocks - 1} (NBLOCKS = {n_blocks})",
                             "check the .prec file")
    return np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)


@_one_line_errors
def read_minelib_upit(path: str | Path) -> np.ndarray:
    """Block profits of a ``.upit`` file, indexed by block id."""
    ids, vals, n = [], [], None
    in_obj = False
    with _existing(path, ".upit").open(encoding="utf-8") as fh:
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
                vals.append(_finite(v, f"{Path(path).name}.OBJECTIVE_FUNCTION", s))
    if n is None or len(ids) != n:
        raise InputError(str(path), f"{len(ids)} profits", f"NBLOCKS = {n}", "check the .upit file")
    if n < 1:  # as a block CSV with no block is refused (fuzz round 35)
        raise InputError(f"{Path(path).name}.NBLOCKS", n, ">= 1 block",
                         "give the model's blocks and their profits")
    out = np.empty(n)
    out[_block_ids(ids, n, Path(path).name)] = vals
    return out


def _finite(text: str, where: str, line: list[str] | str) -> float:
    """``text`` as a finite number, else an InputError naming the section and its line (a
    ``nan`` limit was taken and its constraint dropped, fuzz round 35)."""
    v = float(text)
    if not np.isfinite(v):
        shown = " ".join(line) if isinstance(line, list) else line
        raise InputError(where, shown[:60], "finite numbers",
                         "replace nan or inf by the number it stands for")
    return v


def _limit(text: str, where: str, line: list[str], kind: str, k: int) -> float:
    """A limit of a RESOURCE_CONSTRAINT_LIMITS line: a number, ``inf`` for no upper limit
    (L, or the second value of I) and ``-inf`` for no lower one (G, or the first of I); a
    nan or a wrong-signed infinity is refused."""
    v = float(text)
    upper = kind == "L" or (kind == "I" and k == 1)
    if v != v or (np.isinf(v) and (v > 0) != upper):
        raise InputError(where, " ".join(line)[:60], "numbers (inf for no upper limit, -inf "
                         "for no lower one)", "replace nan by the limit it stands for")
    return v


def _block_ids(ids: list[int], n: int, where: str) -> np.ndarray:
    """The block ids of a section, checked to be 0..n-1, each once (a repeated or negative id
    would leave a block's value unset or wrap to the end)."""
    a = np.asarray(ids, dtype=np.int64)
    if a.size != n or (n and (a.min() < 0 or a.max() >= n
                              or np.bincount(a, minlength=n).max() > 1)):
        raise InputError(f"{where}.block ids", f"{a.size} ids in {a.min(initial=0)}.."
                         f"{a.max(initial=0)}", f"each of 0..{n - 1} once (NBLOCKS = {n})",
                         "check the block ids of the file")
    return a


def _sections(path: Path) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    """Header ``KEY: value`` pairs and the lines of each data section of a MineLib model file."""
    header: dict[str, str] = {}
    data: dict[str, list[list[str]]] = {}
    current = None
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            s = line.strip()
            if not s or s.startswith("%"):
                continue
            if s.upper().startswith("EOF"):
                break
            if ":" in s and s.split(":")[0].replace("_", "").isalpha():
                key, _, rest = s.partition(":")
                key = key.strip().upper()
                if rest.strip():
                    header[key] = rest.strip()
                else:
                    current = key
                    data[current] = []
                continue
            if current is None:
                raise InputError(str(path), s[:60], "MineLib 'KEY: value' header lines",
                                 "check the file format")
            data[current].append(s.split())
    return header, data


def _int_field(header: dict[str, str], key: str, path: Path) -> int:
    try:
        return int(header[key])
    except (KeyError, ValueError):
        raise InputError(f"{path.name}.{key}", header.get(key), "an integer header field",
                         "check the MineLib header") from None


@_one_line_errors
def read_minelib_cpit(path: str | Path, prec: str | Path | None = None):
    """A :class:`~reeflow.mine.cpit.CpitInstance` from a ``.cpit`` file (``.prec`` beside it
    unless given)."""
    from reeflow.mine.cpit import CpitInstance

    p = _existing(path, ".cpit")
    header, data = _sections(p)
    kind = header.get("TYPE", "CPIT").strip().upper()
    if kind != "CPIT":
        raise InputError(f"{p.name}.TYPE", kind, "CPIT in a .cpit file",
                         "a UPIT model is read by reeflow pit, a PCPSP one is not supported")
    n = _int_field(header, "NBLOCKS", p)
    T = _int_field(header, "NPERIODS", p)
    R = _int_field(header, "NRESOURCE_SIDE_CONSTRAINTS", p)
    rate = float(header.get("DISCOUNT_RATE", "nan"))
    if not (1 <= T <= MAX_PERIODS and n >= 1 and 0 <= R <= MAX_RESOURCES):
        raise InputError(f"{p.name}.NPERIODS/NBLOCKS/NRESOURCE_SIDE_CONSTRAINTS", (T, n, R),
                         f"1..{MAX_PERIODS} periods, >= 1 block, 0..{MAX_RESOURCES} resources",
                         "check the header")
    obj = data.get("OBJECTIVE_FUNCTION", [])
    _fields(data, p.name, {"OBJECTIVE_FUNCTION": (2, "b profit"),
                           "RESOURCE_CONSTRAINT_COEFFICIENTS": (3, "b r coefficient")})
    if len(obj) != n:
        raise InputError(f"{p.name}.OBJECTIVE_FUNCTION", f"{len(obj)} lines",
                         f"NBLOCKS = {n}", "check the file")
    lo, hi = np.full((R, T), -np.inf), np.full((R, T), np.inf)
    limits = data.get("RESOURCE_CONSTRAINT_LIMITS", [])
    seen = {(int(row[0]), int(row[1])) for row in limits if len(row) >= 4}
    if len(limits) != R * T or len(seen) != R * T:
        raise InputError(f"{p.name}.RESOURCE_CONSTRAINT_LIMITS", f"{len(limits)} lines",
                         f"one limit per resource and period ({R} x {T} = {R * T}: "
                         "NRESOURCE_SIDE_CONSTRAINTS x NPERIODS)",
                         "check the header counts against the limits section")
    for row in limits:
        r, t, kind = int(row[0]), int(row[1]), row[2].upper()
        if not (0 <= r < R and 0 <= t < T) or kind not in ("L", "G", "I"):
            raise InputError(f"{p.name}.RESOURCE_CONSTRAINT_LIMITS", " ".join(row),
                             f"r < {R}, t < {T}, type L|G|I", "check the limits section")
        vals = [_limit(v, f"{p.name}.RESOURCE_CONSTRAINT_LIMITS", row, kind, k)
                for k, v in enumerate(row[3:])]
        if kind == "L":
            hi[r, t] = vals[0]
        elif kind == "G":
            lo[r, t] = vals[0]
        else:
            lo[r, t], hi[r, t] = vals[0], vals[1]
    profit = np.zeros(n)
    profit[_block_ids([int(r[0]) for r in obj], n, p.name)] = [
        _finite(r[1], f"{p.name}.OBJECTIVE_FUNCTION", r) for r in obj]
    coef = np.zeros((n, R))
    for row in data.get("RESOURCE_CONSTRAINT_COEFFICIENTS", []):
        b, r = int(row[0]), int(row[1])
        if not (0 <= b < n and 0 <= r < R):
            raise InputError(f"{p.name}.RESOURCE_CONSTRAINT_COEFFICIENTS", " ".join(row)[:60],
                             f"block < {n}, resource < {R}", "check the coefficients section")
        coef[b, r] = _finite(row[2], f"{p.name}.RESOURCE_CONSTRAINT_COEFFICIENTS", row)
    src, dst = read_minelib_prec(prec if prec is not None else minelib_sibling(p, ".prec"),
                                 n)
    return CpitInstance(name=header.get("NAME", p.stem), profit=profit, coef=coef, limit_lo=lo,
                        limit_hi=hi, discount_rate=rate, src=src, dst=dst)


def _fields(data: dict[str, list[list[str]]], name: str,
            expected: dict[str, tuple[int, str]]) -> None:
    """Each line of a section has its CPIT field count: a 4-field coefficient line (PCPSP's
    ``b d r q``) was read as ``b r q`` with its destination as the resource and the value lost
    (fuzz round 15)."""
    for section, (count, layout) in expected.items():
        for row in data.get(section, []):
            if len(row) != count:
                raise InputError(f"{name}.{section}", " ".join(row)[:60],
                                 f"{count} fields per line ({layout}) in a CPIT file",
                                 "write one value per line as shown; a line per destination is "
                                 "the PCPSP format, which reeflow does not read")


@_one_line_errors
def read_minelib_blocks(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A ``.blocks`` file as a DataFrame: ``id, x, y, z`` then the instance's columns (named from
    :data:`MINELIB_BLOCK_COLUMNS` for known instances, else ``c4, c5, ...``)."""
    p = _existing(path, ".blocks")
    df = pd.read_csv(p, sep=r"\s+", header=None, comment="%")
    names = columns or MINELIB_BLOCK_COLUMNS.get(p.stem.lower())
    if names is None or len(names) != df.shape[1]:
        names = ["id", "x", "y", "z", *[f"c{i}" for i in range(4, df.shape[1])]]
    df.columns = names
    return df.sort_values("id").reset_index(drop=True)


def minelib_upit_optima() -> pd.DataFrame:
    """Published UPIT optima of the MineLib instances (with source and evidence)."""
    return read_csv("mine", "minelib_upit_optima.csv", comment=None).set_index("instance")
