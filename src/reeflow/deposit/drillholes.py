"""Drillhole tables: reading collar/survey/assay CSVs, column aliases, validation.

Column names from Leapfrog, Datamine and acQuire exports are mapped to canonical names by the
table in ``reeflow/data/deposit/column_aliases.csv`` (case, spaces, ``_`` and ``-`` ignored):

========== ==================================================================
collar     ``hole_id, x, y, z, max_depth_m`` (x east, y north, z elevation, m)
survey     ``hole_id, depth_m, azimuth_deg, dip_deg`` (dip negative downwards)
assay      ``hole_id, from_m, to_m, [domain], <grade columns>``
========== ==================================================================

Validation finds: duplicate collar IDs, holes without collars (assays or surveys whose hole is
missing from the collar table), surveys out of depth order or duplicated, azimuth/dip out of
range, intervals with ``to <= from``, overlapping intervals, gaps, intervals past the end of hole,
below-detection strings (``"<0.01"``) and other non-numeric assays. Each finding names the hole
and the depth. ``mode="strict"`` raises :class:`InputError` on any error; ``mode="lenient"``
excludes the offending rows and lists them in ``Drillholes.issues``.

Below-detection rule (stated): ``"<DL"`` is replaced by ``DL × below_detection_factor``
(default 0.5, the half-detection-limit convention, e.g. Sanford et al. 1993, *Ground Water*
31(6); a common practice, not a Code requirement).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from reeflow.core.data import read_csv
from reeflow.core.errors import InputError

__all__ = [
    "Drillholes",
    "column_aliases",
    "canonicalise_columns",
    "read_drillholes",
    "validate_drillholes",
    "parse_assay_values",
    "ISSUE_COLUMNS",
]

ISSUE_COLUMNS = ["severity", "kind", "table", "hole_id", "depth_m", "message", "action"]
#: errors quoted in the strict mode's one line (the rest are counted; lenient mode lists all)
_SHOWN = 5
_REQUIRED = {
    "collar": ("hole_id", "x", "y", "z"),
    "survey": ("hole_id", "depth_m", "azimuth_deg", "dip_deg"),
    "assay": ("hole_id", "from_m", "to_m"),
}
SYNTHETIC_NOTE = "SYNTHETIC drillholes (flagged synthetic in the files read)"
#: metres per unit of length accepted in files (international foot: 0.3048 m exactly, NIST SP 811)
LENGTH_UNITS = {"m": 1.0, "ft": 0.3048}
_BDL = re.compile(r"^\s*<\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Drillholes:
    """Validated drillhole tables (canonical column names; metres, degrees).

    ``grade_columns`` lists the assay columns treated as grades; ``issues`` lists every finding
    (see :data:`ISSUE_COLUMNS`); ``synthetic`` flags generated data.
    """

    collars: pd.DataFrame
    surveys: pd.DataFrame
    assays: pd.DataFrame
    grade_columns: tuple[str, ...]
    issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ISSUE_COLUMNS))
    synthetic: bool = False
    label: str = ""


@lru_cache(maxsize=1)
def column_aliases() -> pd.DataFrame:
    """The documented alias table (table, canonical, alias, typical_of, evidence)."""
    return read_csv("deposit", "column_aliases.csv")


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", str(name)).upper()


def canonicalise_columns(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rename the columns of ``df`` to canonical names for ``table`` (collar/survey/assay).

    Raises InputError naming the missing canonical column and the aliases accepted.
    """
    if table not in _REQUIRED:
        raise InputError("table", table, "collar, survey or assay",
                         "pass table='collar', 'survey' or 'assay'")
    al = column_aliases()
    al = al[al["table"] == table]
    lookup = {_key(a): c for a, c in zip(al["alias"], al["canonical"], strict=True)}
    lookup.update({_key(c): c for c in al["canonical"].unique()})
    rename: dict[str, str] = {}
    drop: list[str] = []
    for col in df.columns:
        canon = lookup.get(_key(col))
        if canon is None:
            continue
        twin = next((c for c, k in rename.items() if k == canon), None)
        if twin is None:
            rename[col] = canon
        elif not _same_column(df[twin], df[col]):  # the first was taken silently (fuzz round
            raise InputError(f"{table}.columns", [twin, col],  # 14: X and EAST, 1 km apart)
                             f"one column for '{canon}' (or two that agree)",
                             f"drop or rename one of {twin!r} and {col!r}: both name {canon}")
        else:
            drop.append(col)  # a second copy that agrees (LENGTH and EOH exported together)
    out = df.drop(columns=drop).rename(columns=rename)
    for req in _REQUIRED[table]:
        if req not in out.columns:
            accepted = ", ".join(al.loc[al["canonical"] == req, "alias"])
            raise InputError(f"{table}.columns", list(df.columns), f"a column for '{req}'",
                             f"name one column {req} or one of: {accepted}")
    out["hole_id"] = out["hole_id"].astype(str).str.strip()
    return out


def _same_column(a: pd.Series, b: pd.Series) -> bool:
    """Whether two columns hold the same cells (as text, blanks equal; numbers compared as
    numbers where both parse)."""
    x, y = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
    if x.notna().equals(a.notna()) and y.notna().equals(b.notna()):
        return bool(np.allclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-12, atol=0.0,
                                equal_nan=True))
    return a.astype(str).str.strip().fillna("").equals(b.astype(str).str.strip().fillna(""))


def parse_assay_values(values: pd.Series, *, column: str, below_detection_factor: float = 0.5,
                       ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse an assay column: numbers, ``"<DL"`` strings and blanks.

    Returns ``(value, below_dl_mask, bad_mask)``: below-detection entries become
    ``DL * below_detection_factor``; blanks stay NaN ("no data" is missing, not 0); anything else
    non-numeric is flagged in ``bad_mask`` and left NaN, and so is a negative or infinite value
    (a grade is a finite amount >= 0; a negative code for "below detection" must be written
    ``"<DL"``).
    """
    if pd.api.types.is_numeric_dtype(values):
        v = values.astype(float)
        bad = v.notna() & ~v.between(0.0, np.inf, inclusive="left")
        return v.where(~bad), pd.Series(False, index=values.index), bad
    text = values.astype("string").str.strip()
    num = pd.to_numeric(text, errors="coerce").astype(float)
    dl = text.str.extract(_BDL, expand=False).astype(float)
    below = dl.notna()
    num = num.where(~below, dl * below_detection_factor)
    blank = text.isna() | (text == "") | text.str.upper().isin(["NA", "NAN", "-", "NS", "NR"])
    bad = (num.isna() & ~blank.fillna(True).astype(bool)) | (num.notna() & ~num.between(
        0.0, np.inf, inclusive="left"))
    return num.where(~bad), below.fillna(False).astype(bool), bad.astype(bool)


#: Largest collar coordinate and deepest hole accepted, in the files' length unit (assumed:
#: sanity limits beyond any projected coordinate system and any drillhole, ~12 km deep).
MAX_COORDINATE = 1e9
MAX_HOLE_DEPTH = 1e5

#: Longest finding message (characters): a pasted 5 kB cell or hole ID is cut in the middle, so
#: the strict-mode error line (up to 20 findings) stays readable.
MAX_MESSAGE_CHARS = 160


def with_finding(issues: pd.DataFrame, *, severity: str, kind: str, table: str, message: str,
                 action: str, hole_id: str = "", depth_m: float = np.nan) -> pd.DataFrame:
    """``issues`` (the :data:`ISSUE_COLUMNS` table of a deposit's findings) with one more row:
    for the steps after validation that add a finding (an estimate clipped, grades filled)."""
    row = dict(zip(ISSUE_COLUMNS, (severity, kind, table, hole_id, depth_m, message, action),
                   strict=True))
    return pd.concat([issues, pd.DataFrame([row])], ignore_index=True)


def _show(value: object) -> str:
    """A cell as a finding quotes it: text in quotes, a number plainly (not ``np.float64(…)``),
    a missing cell as "blank" (fuzz round 14)."""
    if isinstance(value, str):
        return repr(value) if value.strip() else "blank"
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return repr(value)
    return "blank" if np.isnan(x) else f"{x:.10g}"


def _issue(rows: list, severity: str, kind: str, table: str, hole: str, depth: float,
           message: str, action: str) -> None:
    if len(message) > MAX_MESSAGE_CHARS:
        half = MAX_MESSAGE_CHARS // 2 - 2
        message = f"{message[:half]} … {message[-half:]}"
    rows.append((severity, kind, table, hole, float(depth) if depth is not None else np.nan,
                 message, action))


def _check_collars(c: pd.DataFrame, rows: list) -> pd.Series:
    bad = pd.Series(False, index=c.index)
    dup = c["hole_id"].duplicated(keep="first")
    for i in c.index[dup]:
        _issue(rows, "error", "duplicate_id", "collar", c.at[i, "hole_id"], 0.0,
               f"hole {c.at[i, 'hole_id']}: collar ID appears more than once",
               "excluded the later duplicate")
    bad |= dup
    for col in ("x", "y", "z", "max_depth_m"):
        v = pd.to_numeric(c[col], errors="coerce")
        nonnum = v.isna() | ~np.isfinite(v)
        if col == "max_depth_m":
            nonnum |= (v <= 0) | (v > MAX_HOLE_DEPTH)
            allowed = f" in (0, {MAX_HOLE_DEPTH:g}]"
        else:
            nonnum |= v.abs() > MAX_COORDINATE
            allowed = f" of magnitude <= {MAX_COORDINATE:g}"
        for i in c.index[nonnum & ~bad]:
            _issue(rows, "error", "bad_collar", "collar", c.at[i, "hole_id"], 0.0,
                   f"hole {c.at[i, 'hole_id']}: collar {col}={_show(c.at[i, col])} is not a valid "
                   f"number{allowed}", "excluded the hole")
        bad |= nonnum
    return bad


def _check_surveys(s: pd.DataFrame, holes: set, rows: list,
                   raw: pd.DataFrame | None = None, *, unit: str = "m") -> pd.Series:
    """``raw``: the survey cells as written, quoted in the messages (a text azimuth read as
    blank before); ``unit``: the depths' unit (the file's; converted after the checks)."""
    raw = s if raw is None else raw
    bad = pd.Series(False, index=s.index)
    for i in s.index[~s["hole_id"].isin(holes)]:
        _issue(rows, "error", "no_collar", "survey", s.at[i, "hole_id"], s.at[i, "depth_m"],
               f"hole {s.at[i, 'hole_id']}: survey at {_show(s.at[i, 'depth_m'])} {unit} has no "
               "collar",
               "excluded the survey row")
        bad[i] = True
    az, dip = s["azimuth_deg"].astype(float), s["dip_deg"].astype(float)
    depth = s["depth_m"].astype(float)
    rng = ~az.between(0.0, 360.0) | ~dip.between(-90.0, 90.0) | ~depth.between(0.0, np.inf,
                                                                                  inclusive="left")
    for i in s.index[rng & ~bad]:
        wrong = [f"{name} {_show(raw.at[i, col])} (allowed {allowed})"
                 for name, col, ok, allowed in (
                     ("azimuth", "azimuth_deg", 0.0 <= az[i] <= 360.0, "0-360"),
                     ("dip", "dip_deg", -90.0 <= dip[i] <= 90.0, "-90..90"),
                     ("depth", "depth_m", bool(np.isfinite(depth[i]) and depth[i] >= 0.0),
                      "a finite number >= 0")) if not ok]
        _issue(rows, "error", "bad_survey", "survey", s.at[i, "hole_id"], s.at[i, "depth_m"],
               f"hole {s.at[i, 'hole_id']}: survey at {_show(raw.at[i, 'depth_m'])} {unit} has "
               + " and ".join(wrong), "excluded the survey row")
    bad |= rng
    for hole, g in s[~bad].groupby("hole_id", sort=False):
        d = g["depth_m"].to_numpy(float)
        order_bad = np.r_[False, np.diff(d) <= 0]
        for i, flag in zip(g.index, order_bad, strict=True):
            if flag:
                _issue(rows, "error", "survey_order", "survey", hole, s.at[i, "depth_m"],
                       f"hole {hole}: survey at {_show(s.at[i, 'depth_m'])} {unit} is out of depth order or "
                       "repeats a depth", "excluded the survey row (sort the file to keep it)")
                bad[i] = True
    return bad


def _note_upward(s: pd.DataFrame, rows: list, dip_positive_down: bool) -> None:
    """One warning when holes point upward (a dip above 0 in reeflow's negative-down
    convention, after ``dip_positive_down`` was applied; collar-only holes included): their
    samples lie above the collar, which a surface-drilled deposit's do not; a dip sign written
    the other way round put the ore 35-85 m in the air without a word (fuzz round 14).
    Underground holes drilled upward are real, so the data are kept; but when every hole
    points upward (two or more) the dip sign is the likelier cause, and the strict mode stops:
    all-upward holes stated a 73 Mt resource in the air with exit 0 (fuzz round 17)."""
    up = s.loc[s["dip_deg"] > 0.0, "hole_id"].drop_duplicates()
    if up.empty:
        return
    holes = int(s["hole_id"].nunique())
    first = str(up.iloc[0])
    flip = "false" if dip_positive_down else "true"
    way = "negative" if dip_positive_down else "positive"
    every = len(up) == holes >= 2
    hint = f"if the file writes dips {way} down, set deposit.drillholes.dip_positive_down: {flip}"
    if every:  # the strict mode's one line quotes the message: the hints go in it
        _issue(rows, "error", "upward_hole", "survey", first, np.nan,
               f"every hole points upward ({holes} holes): if dips are written {way} down, "
               f"set deposit.drillholes.dip_positive_down: {flip}; if drilled upward, mode: "
               "lenient", "kept (lenient mode: holes drilled upward underground)")
        return
    _issue(rows, "warning", "upward_hole", "survey", first, np.nan,
           f"{len(up)} of {holes} holes point upward (a dip above 0; the first: hole {first}): "
           "their samples lie above the collar", f"kept; {hint}")


#: a collar this far (m) from the median collar elevation, and beyond 10 robust standard
#: deviations of them, is flagged (the floor keeps a hilly deposit's relief from being flagged)
COLLAR_Z_FLOOR_M = 100.0


def _note_collar_elevations(c: pd.DataFrame, rows: list) -> None:
    """A warning for each collar whose elevation stands far from the others' (median ± max(10
    robust standard deviations, 100 m)); the hole is kept. One collar written in feet among
    metres (3,311 against 999–1,020 m) stretched the block model 2.3 km upward without a word,
    and the study then stopped at the mine's block limit (fuzz round 14)."""
    if len(c) < 5:
        return
    z = c["z"].to_numpy(float)
    med = float(np.median(z))
    sigma = 1.4826 * float(np.median(np.abs(z - med)))
    limit = max(10.0 * sigma, COLLAR_Z_FLOOR_M)
    for i in c.index[np.abs(z - med) > limit]:
        _issue(rows, "warning", "collar_elevation", "collar", c.at[i, "hole_id"], 0.0,
               f"hole {c.at[i, 'hole_id']}: collar z={c.at[i, 'z']:.6g} m is "
               f"{abs(c.at[i, 'z'] - med):,.0f} m from the median collar elevation, "
               f"{med:,.6g} m (flagged beyond {limit:,.0f} m)",
               "kept; check its unit (feet among metres?) and datum")


def _check_intervals(a: pd.DataFrame, depth: pd.Series, rows: list, *,
                     unit: str = "m") -> pd.Series:
    """The mask of bad assay intervals (no collar, inverted, past the end of the hole,
    overlapping), each listed in ``rows``; gaps are warnings. Depths in ``unit``."""
    bad = pd.Series(False, index=a.index)
    orphan = ~a["hole_id"].isin(depth.index)
    for hole, first in a.loc[orphan].groupby("hole_id", sort=False)["from_m"]:
        _issue(rows, "error", "no_collar", "assay", hole, first.iloc[0],  # one per hole
               f"hole {hole}: {len(first)} interval(s) have no valid collar (missing, or "
               "excluded: see the collar and survey findings)", "excluded the intervals")
    bad |= orphan
    f, t = a["from_m"].astype(float), a["to_m"].astype(float)
    inv = ~(t > f) | f.lt(0) | f.isna() | t.isna()
    for i in a.index[inv & ~bad]:
        why = ("starts above the collar (depths are measured down the hole from 0)"
               if f[i] < 0 else "has to <= from" if t[i] <= f[i] else "has a blank depth")
        _issue(rows, "error", "bad_interval", "assay", a.at[i, "hole_id"], a.at[i, "from_m"],
               f"hole {a.at[i, 'hole_id']}: interval from {_show(a.at[i, 'from_m'])} to "
               f"{_show(a.at[i, 'to_m'])} {unit} {why}", "excluded the interval")
    bad |= inv
    eoh = a["hole_id"].map(depth).astype(float)
    past = (t > eoh + 1e-6) & ~bad
    for i in a.index[past]:
        _issue(rows, "error", "past_eoh", "assay", a.at[i, "hole_id"], a.at[i, "to_m"],
               f"hole {a.at[i, 'hole_id']}: interval ends at {_show(a.at[i, 'to_m'])} {unit}, "
               f"past the end of hole {_show(eoh[i])} {unit}", "excluded the interval")
    bad |= past
    ok = a[~bad].sort_values(["hole_id", "from_m"], kind="stable")
    # vectorised screen: only holes with an overlap or a gap need the sequential pass below
    fr_, to_ = ok["from_m"].to_numpy(float), ok["to_m"].to_numpy(float)
    same = np.r_[False, ok["hole_id"].to_numpy()[1:] == ok["hole_id"].to_numpy()[:-1]]
    prev = np.r_[0.0, to_[:-1]]
    flagged = same & (np.abs(fr_ - prev) > 1e-9)
    ok = ok[ok["hole_id"].isin(set(ok["hole_id"].to_numpy()[flagged]))]
    prev_hole, prev_to = None, 0.0
    for i, hole, fr, to in zip(ok.index, ok["hole_id"], ok["from_m"].astype(float),
                               ok["to_m"].astype(float), strict=True):
        if hole == prev_hole and fr < prev_to - 1e-9:
            _issue(rows, "error", "overlap", "assay", hole, fr,
                   f"hole {hole}: interval {_show(fr)}-{_show(to)} {unit} overlaps the previous "
                   f"one ending at {_show(prev_to)} {unit}", "excluded the later interval")
            bad[i] = True
            continue
        if hole == prev_hole and fr > prev_to + 1e-9:
            _issue(rows, "warning", "gap", "assay", hole, prev_to,
                   f"hole {hole}: gap from {_show(prev_to)} to {_show(fr)} {unit} (not sampled)",
                   "kept; composites weight by sampled length only")
        prev_hole, prev_to = hole, to
    return bad


def _check_unsurveyed(c: pd.DataFrame, s: pd.DataFrame, rows: list,
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Holes without survey rows take the collar azimuth/dip (one station at 0 m) when the
    collar table has them; otherwise they are an error and are dropped."""
    has = set(s["hole_id"])
    missing = c[~c["hole_id"].isin(has)]
    if missing.empty:
        return c, s
    if {"azimuth_deg", "dip_deg"} <= set(c.columns):
        ok = missing[pd.to_numeric(missing["azimuth_deg"], errors="coerce").notna()
                     & pd.to_numeric(missing["dip_deg"], errors="coerce").notna()]
        add = pd.DataFrame({"hole_id": ok["hole_id"], "depth_m": 0.0,
                            "azimuth_deg": ok["azimuth_deg"].astype(float),
                            "dip_deg": ok["dip_deg"].astype(float)})
        s = pd.concat([s, add], ignore_index=True)
        missing = missing[~missing["hole_id"].isin(ok["hole_id"])]
    for hole in missing["hole_id"]:
        _issue(rows, "error", "no_survey", "collar", hole, 0.0,
               f"hole {hole}: no survey rows and no collar azimuth/dip",
               "excluded the hole (add a survey row at 0 m)")
    return c[~c["hole_id"].isin(missing["hole_id"])].copy(), s


def _derive_depths(c: pd.DataFrame, s: pd.DataFrame, a: pd.DataFrame, rows: list,
                   ) -> pd.DataFrame:
    """Collars without a total-depth column: the deepest assay ``to`` of each hole (else the
    deepest survey station), recorded as one warning."""
    if "max_depth_m" in c.columns:
        return c
    to = pd.to_numeric(a["to_m"], errors="coerce").groupby(a["hole_id"]).max()
    sv = pd.to_numeric(s["depth_m"], errors="coerce").groupby(s["hole_id"]).max()
    c = c.copy()
    c["max_depth_m"] = c["hole_id"].map(to).fillna(c["hole_id"].map(sv))
    _issue(rows, "warning", "derived_depth", "collar", "(all)", 0.0,
           "the collar table has no total-depth column: each hole's depth is taken as its "
           "deepest assay interval (or survey station)", "derived max_depth_m")
    return c


def _parse_assays(a: pd.DataFrame, grade_columns: tuple[str, ...],
                  below_detection_factor: float, rows: list, *, unit: str = "m") -> pd.Series:
    """Parse each grade column of ``a`` in place (:func:`parse_assay_values`), listing values
    below detection, non-numeric values and blank cells in ``rows``; the mask of intervals
    with a bad value (excluded)."""
    bad_any = pd.Series(False, index=a.index)
    for col in grade_columns:
        v, below, bad = parse_assay_values(a[col], column=col,
                                           below_detection_factor=below_detection_factor)
        for i in a.index[below]:
            _issue(rows, "warning", "below_detection", "assay", a.at[i, "hole_id"],
                   a.at[i, "from_m"], f"hole {a.at[i, 'hole_id']} at {_show(a.at[i, 'from_m'])} "
                   f"{unit}: "
                   f"{col}={_show(a.at[i, col])} below detection",
                   f"replaced by {below_detection_factor} x detection limit")
        for i in a.index[bad]:
            _issue(rows, "error", "non_numeric", "assay", a.at[i, "hole_id"], a.at[i, "from_m"],
                   f"hole {a.at[i, 'hole_id']} at {_show(a.at[i, 'from_m'])} {unit}: {col}="
                   f"{_show(a.at[i, col])} is not a number >= 0 (below detection: '<0.01')",
                   "excluded the interval")
        blank = v.isna().to_numpy() & ~np.asarray(bad, bool)
        if blank.any() and not col.startswith("density"):  # density is measured on a subset
            first = a.index[blank][0]
            hole, depth = a.at[first, "hole_id"], float(a.at[first, "from_m"])
            _issue(rows, "warning", "not_assayed", "assay", hole, depth,
                   f"{int(blank.sum())} of {len(a)} intervals have no {col} value (a blank, NA "
                   f"or NS cell; the first: hole {hole} at {depth:g} {unit})",
                   f"left out of the {col} composites and estimate; assay them, or write the "
                   "detection limit as '<DL' if below it")
        a[col] = v
        bad_any |= bad
    return bad_any


def _strict_error(errors: pd.DataFrame, files: Mapping[str, str] | None) -> InputError:
    """Strict mode's one line: the count, the files they are in, the first few errors each
    prefixed with its file."""
    where = dict(files or {})
    head = errors.head(_SHOWN)
    lines = "; ".join(f"{where[t]}: {m}" if t in where else m
                      for t, m in zip(head["table"], head["message"], strict=True))
    more = f" (+{len(errors) - _SHOWN} more)" if len(errors) > _SHOWN else ""
    named = ", ".join(where[t] for t in dict.fromkeys(errors["table"]) if t in where)
    return InputError("deposit.drillholes", f"{len(errors)} data errors"
                      + (f" in {named}" if named else ""), "clean drillhole tables",
                      f"{lines}{more}; or set deposit.drillholes.mode: lenient to exclude them "
                      "and list each in the findings")


def validate_drillholes(collars: pd.DataFrame, surveys: pd.DataFrame, assays: pd.DataFrame, *,
                        grade_columns: tuple[str, ...] | None = None, mode: str = "strict",
                        below_detection_factor: float = 0.5, synthetic: bool = False,
                        label: str = "", length_unit: str = "m",
                        dip_positive_down: bool = False,
                        files: Mapping[str, str] | None = None) -> Drillholes:
    """Validate canonical drillhole tables and return :class:`Drillholes`.

    ``files``: the file each table came from (``{"assay": "assays.csv"}``), named in the
    strict mode's error.

    ``mode``: ``"strict"`` raises InputError listing every error (hole and depth);
    ``"lenient"`` excludes offending rows and records them in ``issues``.
    ``length_unit`` (``"m"`` or ``"ft"``): unit of coordinates and depths in the tables; they are
    converted to metres here, once. ``dip_positive_down``: the files give dips positive
    downwards (e.g. 90 = vertical down); reeflow's convention is negative downwards.
    """
    if mode not in ("strict", "lenient"):
        raise InputError("mode", mode, "'strict' or 'lenient'",
                         "set deposit.drillholes.mode to strict (stop on bad rows) or lenient "
                         "(skip them)")
    if length_unit not in LENGTH_UNITS:
        raise InputError("length_unit", length_unit, " or ".join(LENGTH_UNITS),
                         "state the unit of the coordinates and depths in the files")
    f = LENGTH_UNITS[length_unit]
    # a fresh index: a row longer than its header makes pandas index by the first column, and
    # the checks below address rows by index label
    c = canonicalise_columns(collars, "collar").reset_index(drop=True)
    s = canonicalise_columns(surveys, "survey").reset_index(drop=True)
    a = canonicalise_columns(assays, "assay").reset_index(drop=True)
    rows: list = []
    c = _derive_depths(c, s, a, rows)
    cbad = _check_collars(c, rows)
    c = c[~cbad].copy()
    # depths are checked in the file's unit, so a finding quotes the depth the user wrote
    # (a file in feet was quoted in metres with float noise, fuzz round 15); converted after
    eoh = c.set_index("hole_id")["max_depth_m"].astype(float)
    c[["x", "y", "z", "max_depth_m"]] = c[["x", "y", "z", "max_depth_m"]].astype(float) * f
    _note_collar_elevations(c, rows)
    c, s = _checked_surveys(c, s, rows, length_unit, dip_positive_down)
    if grade_columns is None:
        skip = {"hole_id", "from_m", "to_m", "domain"}
        grade_columns = tuple(col for col in a.columns if col not in skip)
    a = _checked_assays(a, eoh[eoh.index.isin(c["hole_id"])], rows, length_unit, grade_columns,
                        below_detection_factor)
    issues = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    # the depth column is in metres like the tables; collar findings carry no depth
    issues["depth_m"] = issues["depth_m"].astype(float) * np.where(issues["table"] == "collar",
                                                                   1.0, f)
    errors = issues[issues["severity"] == "error"]
    if mode == "strict" and len(errors):
        raise _strict_error(errors, files)
    a = a.sort_values(["hole_id", "from_m"], kind="stable").reset_index(drop=True)
    s = s.sort_values(["hole_id", "depth_m"], kind="stable").reset_index(drop=True)
    return Drillholes(c.reset_index(drop=True), s, a, tuple(grade_columns), issues,
                      synthetic, label)


def _checked_surveys(c: pd.DataFrame, s: pd.DataFrame, rows: list, unit: str,
                     dip_positive_down: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The collars and the surveys left after the survey checks, depths checked in the file's
    ``unit`` and then converted to metres, dips in reeflow's negative-down convention."""
    raw = s[["depth_m", "azimuth_deg", "dip_deg"]].copy()
    for col in ("depth_m", "azimuth_deg", "dip_deg"):
        s[col] = pd.to_numeric(s[col], errors="coerce")
    if dip_positive_down:
        s["dip_deg"] = -s["dip_deg"]
        if "dip_deg" in c.columns:
            c["dip_deg"] = -pd.to_numeric(c["dip_deg"], errors="coerce")
    s = s[~_check_surveys(s, set(c["hole_id"]), rows, raw, unit=unit)].copy()
    c, s = _check_unsurveyed(c, s, rows)
    s["depth_m"] = s["depth_m"] * LENGTH_UNITS[unit]
    _note_upward(s, rows, dip_positive_down)
    return c, s


def _checked_assays(a: pd.DataFrame, eoh: pd.Series, rows: list, unit: str,
                    grade_columns: tuple[str, ...], below_detection_factor: float
                    ) -> pd.DataFrame:
    """The assay intervals left after the interval and value checks (depths and the holes'
    ends ``eoh`` in the file's ``unit``), depths then converted to metres."""
    for col in ("from_m", "to_m"):
        a[col] = pd.to_numeric(a[col], errors="coerce")
    a = a[~_check_intervals(a, eoh, rows, unit=unit)].copy()
    a = a[~_parse_assays(a, grade_columns, below_detection_factor, rows, unit=unit)]
    a[["from_m", "to_m"]] = a[["from_m", "to_m"]].astype(float) * LENGTH_UNITS[unit]
    if "domain" not in a.columns:
        a["domain"] = "ALL"
    a["domain"] = a["domain"].astype(str)
    return a


def _read_csv(path: str | Path, table: str, field: str | None = None) -> pd.DataFrame:
    """A drillhole table through the one size-capped, UTF-8-checked CSV reader; ``field``
    names the table where the user gave it (``deposit.drillholes.survey_file``)."""
    from reeflow.core.io import read_csv

    df = read_csv(path, field=field or f"{table}_csv", dtype={0: str}, keep_default_na=False,
                  na_values=[""])
    # rows with every cell blank (the trailing ",,,," lines a spreadsheet export leaves) are
    # not data: they were refused as "hole nan: collar x=nan" (fuzz round 14)
    return df.dropna(how="all").reset_index(drop=True) if len(df.columns) else df


def read_drillholes(collar_csv: str | Path, survey_csv: str | Path, assay_csv: str | Path, *,
                    grade_columns: tuple[str, ...] | None = None, mode: str = "strict",
                    below_detection_factor: float = 0.5, length_unit: str = "m",
                    dip_positive_down: bool = False,
                    fields: tuple[str, str, str] | None = None) -> Drillholes:
    """Read and validate collar, survey and assay CSV files (see module docstring and
    :func:`validate_drillholes` for ``length_unit`` and ``dip_positive_down``)."""
    names = fields or (None, None, None)
    c = _read_csv(collar_csv, "collar", names[0])
    s = _read_csv(survey_csv, "survey", names[1])
    a = _read_csv(assay_csv, "assay", names[2])
    synthetic = bool("synthetic" in a.columns
                     and a["synthetic"].astype(str).str.upper().eq("TRUE").any())
    if "synthetic" in a.columns:
        a = a.drop(columns="synthetic")
    return validate_drillholes(c, s, a, grade_columns=grade_columns, mode=mode,
                               below_detection_factor=below_detection_factor,
                               synthetic=synthetic,
                               label=SYNTHETIC_NOTE if synthetic
                               else f"drillholes from {Path(collar_csv).name}",
                               length_unit=length_unit, dip_positive_down=dip_positive_down,
                               files={"collar": Path(collar_csv).name,
                                      "survey": Path(survey_csv).name,
                                      "assay": Path(assay_csv).name})
