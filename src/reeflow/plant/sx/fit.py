"""Fit distribution-model parameters to batch shake-out data (SX engine, issue "Fit").

Three fits, one per distribution model of the SX engine (registry :data:`FITS`, entry point
:func:`fit_shakeout`), all least squares in log10 D with t-based confidence intervals:
``mass_action`` (log10 Kex per element, slopes fixed at 3 or fitted), ``constant_d`` (one D per
element, Kremser basis) and ``constant_beta`` (relative extractabilities alpha, Xu's basis, with
one free level per test absorbing pH, extractant and loading).

Model (cation exchange with a dimeric acidic extractant, unsaponified; Peppard et al. 1957
*J. Inorg. Nucl. Chem.* 4:334; Zhang, Zhao & Schreiner 2016 *Hydrometallurgy of Rare Earths*,
Sec. 4 "slope analysis"; notes `ree_separation.md` Sec. 2a)::

    RE3+ + 3 (HA)2(o)  <=>  RE(HA2)3(o) + 3 H+
    log10 D_j = log10 Kex_j + a_j * log10 [(HA)2]_free + b_j * pH

with the stoichiometric slopes a_j = b_j = 3 for trivalent ions, and the free dimer from the
monomer balance ``C_HA = 2 [(HA)2]_free + n_HA * sum_j [M_j]_org`` (n_HA = 6 for RE(HA2)3).
D_j = [M_j]_org / [M_j]_aq at equilibrium, pH on the concentration scale (pH = -log10 [H+] when
an acidity column is given; no activity correction).

The residuals are taken in log10 D (the quantity of a slope analysis). Given the measured
organic loading the model is linear in its parameters; it is solved with
``scipy.optimize.least_squares`` (trust-region reflective) so that fixed and free slopes share
one code path. Confidence intervals: covariance ``s^2 (J^T J)^-1`` with
``s^2 = SSR / (n - p)`` and Student-t quantiles with ``n - p`` degrees of freedom (Bates & Watts
1988 *Nonlinear Regression Analysis and Its Applications*, Wiley, Sec. 2.3).

CSV format (one row per shake-out test; lines starting with ``#`` are comments):

==========================  ==================================================================
column                      meaning
==========================  ==================================================================
``pH``                      equilibrium aqueous pH (give this **or** ``H_mol_per_L``)
``H_mol_per_L``             equilibrium free acidity [H+] in mol/L (pH = -log10 of it)
``extractant_mol_per_L``    total extractant in the organic, as monomer HA, mol/L
``<El>_aq_mol_per_L``       equilibrium aqueous concentration of element El, mol/L
``<El>_org_mol_per_L``      equilibrium organic concentration of element El, mol/L
``test_id``                 optional label, carried into the residual table
==========================  ==================================================================

Every element needs both its ``_aq_`` and ``_org_`` column. A blank cell means "not measured"
(that point is left out); zero or negative concentrations are rejected (below detection: leave
blank), and so are concentrations above 55.5 mol/L, the molarity of pure water, which no
dissolved component can exceed (:mod:`reeflow.plant.sx.bounds`). Every line has one cell per
header column: a line with more or fewer is refused by its line number in the file (the
header's line counts; comment and blank lines too), not read with its cells shifted or missing.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from reeflow.core.errors import InputError
from reeflow.plant.sx.bounds import check_concentration, check_extractant

__all__ = [
    "ShakeoutData",
    "ShakeoutFit",
    "free_dimer_mol_per_L",
    "log10_distribution",
    "read_shakeout_csv",
    "check_cell_counts",
    "parse_shakeout_frame",
    "FITS",
    "fit_shakeout",
    "fit_mass_action",
    "fit_constant_d",
    "fit_constant_beta",
    "synthesize_shakeout",
]

ELEMENT_SYMBOLS: frozenset[str] = frozenset(
    ["La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu",
     "Y", "Sc", "Fe", "Al", "Ca", "Th", "U", "Mg", "Mn", "Zn"]
)
_CONC_RE = re.compile(r"^([A-Z][a-z]?)_(aq|org)_mol_per_L$")
_KNOWN = {"pH", "H_mol_per_L", "extractant_mol_per_L", "test_id"}
DEFAULT_SLOPE = 3.0  # stoichiometric slope for M3+ with (HA)2 (module docstring)
DEFAULT_N_HA_PER_METAL = 6.0  # monomers bound per metal in RE(HA2)3


# ----------------------------------------------------------------------------- model (pure)


def free_dimer_mol_per_L(
    extractant_mol_per_L: np.ndarray,
    org_total_mol_per_L: np.ndarray,
    *,
    n_ha_per_metal: float = DEFAULT_N_HA_PER_METAL,
) -> np.ndarray:
    """Free dimer [(HA)2] (mol/L) from the monomer balance C_HA = 2 [(HA)2] + n_HA sum [M]_org.

    Source: dimer stoichiometry RE(HA2)3 (notes `ree_separation.md` Sec. 2a). Values <= 0 mean
    the organic is loaded beyond capacity.
    """
    ext = np.asarray(extractant_mol_per_L)
    return 0.5 * (ext - n_ha_per_metal * np.asarray(org_total_mol_per_L))


def log10_distribution(
    log10_kex: np.ndarray,
    pH: np.ndarray,
    free_dimer: np.ndarray,
    *,
    slope_extractant: np.ndarray | float = DEFAULT_SLOPE,
    slope_pH: np.ndarray | float = DEFAULT_SLOPE,
) -> np.ndarray:
    """log10 D = log10 Kex + a log10 [(HA)2]_free + b pH (Peppard et al. 1957; module docstring).

    Arrays broadcast; ``free_dimer`` in mol/L, must be > 0.
    """
    return (
        np.asarray(log10_kex)
        + np.asarray(slope_extractant) * np.log10(free_dimer)
        + np.asarray(slope_pH) * np.asarray(pH)
    )


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ShakeoutData:
    """Validated shake-out data: one row per test, concentrations in mol/L."""

    ph: np.ndarray
    extractant_mol_per_l: np.ndarray
    aq_mol_per_l: pd.DataFrame  # rows = tests, columns = elements (NaN = not measured)
    org_mol_per_l: pd.DataFrame
    test_id: tuple[str, ...]
    source: str = "<frame>"

    @property
    def elements(self) -> tuple[str, ...]:
        return tuple(self.aq_mol_per_l.columns)


def read_shakeout_csv(path: str | Path) -> ShakeoutData:
    """Read and validate a shake-out CSV (format in the module docstring)."""
    from reeflow.core.io import read_text  # size-capped, regular file, UTF-8 (BOM dropped)

    p = Path(path)
    if not p.is_file():
        raise InputError("shakeout.path", str(p), "an existing CSV file", "check the path")
    text = read_text(p, field="shakeout.path")
    check_cell_counts(text, p.name)
    try:
        # only an empty cell is "not measured": pandas' default missing markers (nan, NA, null,
        # n/a ...) were read as blank without a word (fuzz round 34); they are refused as text
        frame = pd.read_csv(io.StringIO(text), comment="#", skipinitialspace=True, dtype=str,
                            keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            f"{p.name}", "unparseable", "comma-separated values with one header row", str(exc)
        ) from None
    return parse_shakeout_frame(frame, source=p.name)


def _without_comment(line: str) -> str:
    """``line`` up to its first ``#`` outside double quotes (as ``pd.read_csv(comment="#")``)."""
    quoted = False
    for k, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            return line[:k]
    return line


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(line number in the file, cells) of each record of ``text``; comment and blank lines
    are skipped, as pandas skips them, but counted, as the user counts lines."""
    lines = [_without_comment(ln) + "\n" for ln in re.split(r"\r\n|\r|\n", text)]
    reader = csv.reader(lines, skipinitialspace=True)
    out = []
    for cells in reader:
        if cells and not (len(cells) == 1 and not cells[0].strip()):
            out.append((reader.line_num, cells))
    return out


def _check_header_names(header: list[str], source: str) -> None:
    """No column named twice: pandas renamed the second ``pH`` to ``pH.1`` and the refusal
    named a column the file does not have (fuzz round 34)."""
    names = [c.strip() for c in header]
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise InputError(f"{source}: header", twice, "each column named once",
                         "remove or rename the repeated column")


def check_cell_counts(text: str, source: str) -> None:
    """Every line of a CSV ``text`` has as many cells as its header, else InputError naming
    the line (header = line 1, as an editor counts) and the cells found and expected. A ragged
    line was read with its cells shifted into the wrong columns (one cell more: the header's
    columns moved right; fewer: the last columns read as blank). When every data line has the
    same count and the header another, the header is named."""
    try:
        parsed = _records(text)
    except csv.Error:  # malformed beyond cell counts: pandas reports it
        return
    if len(parsed) < 2:
        return
    _check_header_names(parsed[0][1], source)
    records = [(line, len(cells)) for line, cells in parsed]
    (head_line, expected), rows = records[0], records[1:]
    counts = {n for _, n in rows}
    if len(rows) > 1 and len(counts) == 1 and expected not in counts:
        raise InputError(f"{source}: line {head_line} (the header)", f"{expected} cells",
                         f"{counts.pop()} cells, as every data line has",
                         "give every column one name in the header (a trailing separator "
                         "adds an empty cell)")
    for k, (line, n) in enumerate(rows, start=1):
        if n != expected:
            raise InputError(
                f"{source}: line {line} (data row {k})", f"{n} cells",
                f"{expected} cells, one per header column (line {head_line})",
                "give every line one cell per column; leave a cell empty for 'not measured' "
                "(e.g. 2.0,1.0,,) and do not add or drop a separator")


def _numeric_column(frame: pd.DataFrame, col: str, source: str, *, allow_blank: bool,
                    concentration: bool = False, extractant: bool = False) -> np.ndarray:
    """The column ``col`` as floats (NaN = blank); ``concentration``: each value is also held
    to the physical ceiling of :func:`reeflow.plant.sx.bounds.check_concentration`, and
    ``extractant`` to that of :func:`~reeflow.plant.sx.bounds.check_extractant`."""
    out = np.full(len(frame), np.nan)
    for i, raw in enumerate(frame[col].tolist()):
        cell = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw)
        cell = cell.strip()
        if cell == "":
            if allow_blank:
                continue
            raise InputError(
                f"{source}: row {i + 1}, column {col}", raw, "a number", "fill in the value"
            )
        try:
            out[i] = float(cell)
        except ValueError:
            raise InputError(
                f"{source}: row {i + 1}, column {col}", cell, "a number", "fix the cell"
            ) from None
        if not math.isfinite(out[i]):
            raise InputError(f"{source}: row {i + 1}, column {col}", cell, "a finite number",
                             "replace the cell by a finite number (not inf or nan)")
        if concentration:
            check_concentration(float(out[i]), f"{source}: row {i + 1}, column {col}")
        if extractant:
            check_extractant(float(out[i]), f"{source}: row {i + 1}, column {col}")
    return out


def _check_columns(frame: pd.DataFrame, source: str) -> list[str]:
    cols = [str(c).strip() for c in frame.columns]
    frame.columns = cols
    unknown = [c for c in cols if c not in _KNOWN and not _CONC_RE.match(c)]
    if unknown:
        raise InputError(
            f"{source}: column {unknown[0]}", unknown[0],
            "pH | H_mol_per_L | extractant_mol_per_L | test_id | <El>_aq_mol_per_L | "
            "<El>_org_mol_per_L", "rename the column (units are part of the name)",
        )
    has_ph, has_h = "pH" in cols, "H_mol_per_L" in cols
    if has_ph == has_h:
        raise InputError(
            f"{source}: columns", "both" if has_ph else "neither",
            "exactly one of pH or H_mol_per_L", "give the equilibrium pH or the acidity",
        )
    if "extractant_mol_per_L" not in cols:
        raise InputError(f"{source}: columns", "no extractant_mol_per_L",
                         "an extractant_mol_per_L column", "add total extractant (monomer) mol/L")
    elements: list[str] = []
    for c in cols:
        m = _CONC_RE.match(c)
        if m and m.group(1) not in elements:
            elements.append(m.group(1))
    for el in elements:
        if el not in ELEMENT_SYMBOLS:
            raise InputError(f"{source}: column {el}_*", el, "an element symbol, e.g. Nd",
                             "check the column name")
    for el in elements:
        for phase in ("aq", "org"):
            if f"{el}_{phase}_mol_per_L" not in cols:
                raise InputError(f"{source}: columns", f"no {el}_{phase}_mol_per_L",
                                 "both _aq_ and _org_ columns per element", "add the column")
    if not elements:
        raise InputError(f"{source}: columns", "no element columns",
                         "at least one <El>_aq_mol_per_L/<El>_org_mol_per_L pair",
                         "add a column pair per element, e.g. Nd_aq_mol_per_L and Nd_org_mol_per_L")
    return elements


def parse_shakeout_frame(frame: pd.DataFrame, *, source: str = "<frame>") -> ShakeoutData:
    """Validate a raw (string or numeric) DataFrame in the CSV layout; see module docstring."""
    frame = frame.copy()
    elements = _check_columns(frame, source)
    if len(frame) == 0:
        raise InputError(f"{source}", "0 rows", "at least one data row",
                         "add data rows below the header")
    if "pH" in frame.columns:
        pH = _numeric_column(frame, "pH", source, allow_blank=False)
        bad = np.flatnonzero((pH < -2.0) | (pH > 14.0))
        if bad.size:
            raise InputError(f"{source}: row {bad[0] + 1}, column pH", pH[bad[0]], "-2 .. 14",
                             "correct the pH cell to a value from -2 to 14")
    else:
        h = _numeric_column(frame, "H_mol_per_L", source, allow_blank=False,
                            concentration=True)
        bad = np.flatnonzero(h <= 0.0)
        if bad.size:
            raise InputError(f"{source}: row {bad[0] + 1}, column H_mol_per_L", h[bad[0]],
                             "> 0 mol/L", "give the free acidity [H+]")
        pH = -np.log10(h)
    ext = _numeric_column(frame, "extractant_mol_per_L", source, allow_blank=False,
                          concentration=True, extractant=True)
    bad = np.flatnonzero(ext <= 0.0)
    if bad.size:
        raise InputError(f"{source}: row {bad[0] + 1}, column extractant_mol_per_L",
                         ext[bad[0]], "> 0 mol/L",
                         "give the extractant concentration above 0 mol/L")
    aq: dict[str, np.ndarray] = {}
    org: dict[str, np.ndarray] = {}
    for el in elements:
        for phase, store in (("aq", aq), ("org", org)):
            col = f"{el}_{phase}_mol_per_L"
            vals = _numeric_column(frame, col, source, allow_blank=True, concentration=True)
            bad = np.flatnonzero(vals <= 0.0)
            if bad.size:
                raise InputError(f"{source}: row {bad[0] + 1}, column {col}", vals[bad[0]],
                                 "> 0 mol/L or blank", "leave below-detection cells blank")
            store[el] = vals
    aq_df, org_df = pd.DataFrame(aq), pd.DataFrame(org)
    free = free_dimer_mol_per_L(ext, org_df.fillna(0.0).sum(axis=1).to_numpy())
    bad = np.flatnonzero(free <= 0.0)
    if bad.size:
        raise InputError(
            f"{source}: row {bad[0] + 1}, column extractant_mol_per_L", ext[bad[0]],
            f"> {DEFAULT_N_HA_PER_METAL:g} x total organic metal "
            f"({DEFAULT_N_HA_PER_METAL * org_df.fillna(0.0).sum(axis=1).iloc[bad[0]]:.4g} mol/L)",
            "organic loaded beyond RE(HA2)3 capacity: check units or the extractant value",
        )
    ids = (tuple(str(s).strip() for s in frame["test_id"]) if "test_id" in frame.columns
           else tuple(str(i + 1) for i in range(len(frame))))
    seen: dict[str, int] = {}
    for i, t in enumerate(ids):
        if t in seen:
            raise InputError(f"{source}: row {i + 1}, column test_id", t,
                             f"unique labels (row {seen[t] + 1} has the same)", "rename the test")
        seen[t] = i
    return ShakeoutData(pH, ext, aq_df, org_df, ids, source)


# ----------------------------------------------------------------------------- fit


@dataclass(frozen=True)
class ShakeoutFit:
    """Result of :func:`fit_mass_action`.

    ``parameters``: one row per parameter (name, element, kind, estimate, std_error, ci_low,
    ci_high); ``residuals``: one row per data point (test_id, element, pH, log10_free_dimer,
    log10_D_measured, log10_D_fitted, residual); ``goodness``: n_points, n_params, dof,
    ssr, rmse_log10, r_squared, rmse by element.
    """

    parameters: pd.DataFrame
    residuals: pd.DataFrame
    goodness: dict[str, Any]
    covariance: np.ndarray
    confidence: float
    slope_mode: dict[str, str] = field(default_factory=dict)
    model: str = "mass_action"

    def log10_kex(self) -> dict[str, float]:
        p = self.parameters[self.parameters["kind"] == "log10_Kex"]
        return dict(zip(p["element"], p["estimate"].astype(float), strict=True))

    def separation_factor(self, heavy: str, light: str) -> dict[str, float]:
        """beta = D_heavy/D_light with its CI: the Kex ratio (mass action, equal slopes), the D
        ratio (constant D) or the alpha ratio (constant beta)."""
        kind = _LOG_KIND[self.model]
        p = self.parameters.reset_index(drop=True)
        idx = {e: i for i, (k, e) in enumerate(zip(p["kind"], p["element"], strict=True))
               if k == kind}
        ref = self.slope_mode.get("reference")
        vec = np.zeros(len(p))
        for el, sign in ((heavy, 1.0), (light, -1.0)):
            if el in idx:
                vec[idx[el]] += sign
            elif el != ref:
                raise InputError("element", el, f"one of {sorted(idx) + ([ref] if ref else [])}",
                                 "name an element fitted from the shake-out data")
        d = float(vec @ p["estimate"].to_numpy())
        var = float(vec @ self.covariance @ vec)
        t = stats.t.ppf(0.5 + self.confidence / 2, self.goodness["dof"])
        half = t * math.sqrt(max(var, 0.0))
        return {"beta": 10.0**d, "ci_low": 10.0 ** (d - half), "ci_high": 10.0 ** (d + half)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "confidence": self.confidence,
            "slopes": self.slope_mode,
            "parameters": self.parameters.to_dict(orient="records"),
            "goodness": self.goodness,
            "residuals": self.residuals.to_dict(orient="records"),
        }


def _points(data: ShakeoutData, n_ha_per_metal: float) -> pd.DataFrame:
    free = free_dimer_mol_per_L(
        data.extractant_mol_per_l, data.org_mol_per_l.fillna(0.0).sum(axis=1).to_numpy(),
        n_ha_per_metal=n_ha_per_metal,
    )
    if np.any(free <= 0.0):
        i = int(np.flatnonzero(free <= 0.0)[0])
        raise InputError(f"{data.source}: row {i + 1}, column extractant_mol_per_L",
                         float(data.extractant_mol_per_l[i]),
                         f"> n_ha_per_metal ({n_ha_per_metal:g}) x total organic metal",
                         "organic loaded beyond capacity: check n_ha_per_metal or the data")
    rows = []
    for el in data.elements:
        aq, org = data.aq_mol_per_l[el].to_numpy(), data.org_mol_per_l[el].to_numpy()
        for k in np.flatnonzero(np.isfinite(aq) & np.isfinite(org)).tolist():
            rows.append((data.test_id[k], el, data.ph[k], math.log10(free[k]),
                         math.log10(org[k] / aq[k])))
    return pd.DataFrame(rows, columns=["test_id", "element", "pH", "log10_free_dimer",
                                       "log10_D_measured"])


_SLOPE_KINDS = {"pH": "slope_pH", "extractant": "slope_extractant"}
_LOG_KIND = {"mass_action": "log10_Kex", "constant_d": "log10_D", "constant_beta": "log10_alpha"}
_SLOPE_MODES = ("fixed", "shared", "per_element")


def _design(pts: pd.DataFrame, elements: tuple[str, ...], modes: dict[str, str],
            fixed: dict[str, float]) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]]]:
    """Design matrix X, offset y0 (fixed-slope part) and parameter labels (kind, element)."""
    el_idx = pts["element"].map({e: k for k, e in enumerate(elements)}).to_numpy()
    xvar = {"pH": pts["pH"].to_numpy(), "extractant": pts["log10_free_dimer"].to_numpy()}
    cols = [np.eye(len(elements))[el_idx]]
    labels = [("log10_Kex", e) for e in elements]
    offset = np.zeros(len(pts))
    for var, mode in modes.items():
        if mode == "fixed":
            offset += fixed[var] * xvar[var]
        elif mode == "shared":
            cols.append(xvar[var][:, None])
            labels.append((_SLOPE_KINDS[var], "*"))
        else:
            cols.append(np.eye(len(elements))[el_idx] * xvar[var][:, None])
            labels += [(_SLOPE_KINDS[var], e) for e in elements]
    return np.hstack(cols), offset, labels


def fit_mass_action(
    data: ShakeoutData,
    *,
    slope_pH: str = "fixed",
    slope_extractant: str = "fixed",
    fixed_slope_pH: float = DEFAULT_SLOPE,
    fixed_slope_extractant: float = DEFAULT_SLOPE,
    n_ha_per_metal: float = DEFAULT_N_HA_PER_METAL,
    confidence: float = 0.95,
) -> ShakeoutFit:
    """Fit log10 Kex per element (and free slopes) by least squares in log10 D.

    ``slope_pH`` / ``slope_extractant``: "fixed" (at ``fixed_slope_*``, default 3 = M3+ with
    (HA)2), "shared" (one slope for all elements) or "per_element". Raises InputError when a
    parameter is not identifiable (too few points, or no spread in pH / extractant).
    """
    modes = {"pH": slope_pH, "extractant": slope_extractant}
    for name, mode in modes.items():
        if mode not in _SLOPE_MODES:
            raise InputError(f"slope_{name}", mode, " | ".join(_SLOPE_MODES),
                             "use fixed, shared or per_element")
    pts = _points(data, n_ha_per_metal)
    fixed = {"pH": fixed_slope_pH, "extractant": fixed_slope_extractant}
    X, offset, labels = _design(pts, data.elements, modes, fixed)
    slope_mode = {k: (f"fixed={fixed[k]:g}" if m == "fixed" else m) for k, m in modes.items()}
    return _least_squares(pts, X, offset, labels, confidence, "mass_action", slope_mode)


def fit_constant_d(data: ShakeoutData, *, confidence: float = 0.95) -> ShakeoutFit:
    """Model (a): one log10 D per element (Kremser basis), the mean of the measured log10 D.

    Meaningful only for tests at one set of conditions (pH, extractant); the residuals show
    how far that holds.
    """
    pts = _points(data, DEFAULT_N_HA_PER_METAL)
    el_idx = pts["element"].map({e: k for k, e in enumerate(data.elements)}).to_numpy()
    X = np.eye(len(data.elements))[el_idx]
    labels = [("log10_D", e) for e in data.elements]
    return _least_squares(pts, X, np.zeros(len(pts)), labels, confidence, "constant_d", {})


def fit_constant_beta(
    data: ShakeoutData, *, reference: str | None = None, confidence: float = 0.95
) -> ShakeoutFit:
    """Model (b): constant relative extractabilities, log10 D_ij = level_i + log10 alpha_j.

    ``level_i`` (one per test) absorbs pH, extractant and loading, so alpha_j/alpha_k = beta_jk
    is estimated from within-test D ratios only (Xu's constant-beta basis; Zhang, Zhao &
    Schreiner 2016 ch. 4). alpha of ``reference`` (default: the first element) is 1.
    """
    els = data.elements
    ref = els[0] if reference is None else reference
    if ref not in els:
        raise InputError("reference", ref, f"one of {list(els)}", "name an element in the data")
    pts = _points(data, DEFAULT_N_HA_PER_METAL)
    tests = list(dict.fromkeys(pts["test_id"]))
    t_idx = pts["test_id"].map({t: k for k, t in enumerate(tests)}).to_numpy()
    others = [e for e in els if e != ref]
    el_idx = pts["element"].map({e: k for k, e in enumerate(others)}).fillna(-1).to_numpy(int)
    A = np.zeros((len(pts), len(others)))
    rows = np.flatnonzero(el_idx >= 0)
    A[rows, el_idx[rows]] = 1.0
    X = np.hstack([A, np.eye(len(tests))[t_idx]])
    labels = [("log10_alpha", e) for e in others] + [("test_level", t) for t in tests]
    return _least_squares(pts, X, np.zeros(len(pts)), labels, confidence, "constant_beta",
                          {"reference": ref})


#: Registry of shake-out fits, one per distribution model of the SX engine.
FITS = {"mass_action": fit_mass_action, "constant_d": fit_constant_d,
        "constant_beta": fit_constant_beta}


def fit_shakeout(data: ShakeoutData, *, model: str = "mass_action", **options: Any) -> ShakeoutFit:
    """Fit distribution model ``model`` (a key of :data:`FITS`) to shake-out ``data``."""
    if model not in FITS:
        raise InputError("model", model, " | ".join(FITS), "pick a registered model")
    return FITS[model](data, **options)


def _least_squares(pts, X, offset, labels, confidence, model, slope_mode) -> ShakeoutFit:
    if not 0.0 < confidence < 1.0:
        raise InputError("confidence", confidence, "0 < confidence < 1", "e.g. 0.95")
    y = pts["log10_D_measured"].to_numpy()
    n, p = X.shape
    if n <= p:
        raise InputError("shakeout.rows", n, f"more data points than parameters ({p})",
                         "add tests or fix slopes (slope_* = 'fixed')")
    if np.linalg.matrix_rank(X) < p:
        raise InputError("shakeout.design", "rank-deficient",
                         "spread in pH (and extractant) for every fitted slope; >= 2 elements "
                         "per test for constant_beta", "vary the conditions or fix the slope")
    x0 = np.linalg.lstsq(X, y - offset, rcond=None)[0]
    sol = optimize.least_squares(lambda b: X @ b + offset - y, x0, jac=lambda b: X,
                                 method="trf", x_scale="jac", xtol=1e-15, ftol=1e-15, gtol=1e-15)
    return _summarise(sol.x, X, y, offset, labels, pts, confidence, model, slope_mode)


def _summarise(beta, X, y, offset, labels, pts, confidence, model, slope_mode) -> ShakeoutFit:
    n, p = X.shape
    fitted = X @ beta + offset
    resid = y - fitted
    ssr = float(resid @ resid)
    dof = n - p
    s2 = ssr / dof
    cov = s2 * np.linalg.inv(X.T @ X)
    se = np.sqrt(np.diag(cov))
    t = stats.t.ppf(0.5 + confidence / 2.0, dof)
    params = pd.DataFrame({
        "name": [f"{k}[{e}]" for k, e in labels],
        "element": [e for _, e in labels],
        "kind": [k for k, _ in labels],
        "estimate": beta, "std_error": se, "ci_low": beta - t * se, "ci_high": beta + t * se,
    })
    res = pts.assign(log10_D_fitted=fitted, residual=resid)
    sst = float(((y - y.mean()) ** 2).sum())
    by_el = res.groupby("element")["residual"].apply(lambda r: float(np.sqrt((r**2).mean())))
    goodness = {
        "n_points": int(n), "n_params": int(p), "dof": int(dof), "ssr": ssr,
        "rmse_log10": math.sqrt(ssr / n), "residual_sd_log10": math.sqrt(s2),
        "r_squared": 1.0 - ssr / sst if sst > 0 else float("nan"),
        "rmse_log10_by_element": by_el.to_dict(),
    }
    return ShakeoutFit(params, res, goodness, cov, confidence, slope_mode, model)


# ----------------------------------------------------------------------------- synthetic data


def synthesize_shakeout(
    log10_kex: dict[str, float],
    *,
    pH: np.ndarray,
    extractant_mol_per_L: np.ndarray,
    aq_mol_per_L: float = 1e-3,
    noise_sd_log10: float = 0.0,
    seed: int = 0,
    slope: float = DEFAULT_SLOPE,
    n_ha_per_metal: float = DEFAULT_N_HA_PER_METAL,
) -> pd.DataFrame:
    """Shake-out table in the CSV layout generated with the mass-action law (for tests/examples).

    For each test the aqueous equilibrium concentration of every element is ``aq_mol_per_L``;
    the organic follows from D and the free dimer, solved exactly from the monomer balance
    (monotone cubic, brentq). Noise: the *aqueous* concentration reported is multiplied by
    10**N(0, noise_sd_log10) (analytical error of the assay), so log10 D carries that error.
    """
    rng = np.random.default_rng(seed)
    pH = np.asarray(pH, float)
    ext = np.broadcast_to(np.asarray(extractant_mol_per_L, float), pH.shape)
    els = list(log10_kex)
    kex = np.array([10.0 ** log10_kex[e] for e in els])
    rows = []
    for k, (ph, c) in enumerate(zip(pH, ext, strict=True)):
        coef = kex * 10.0 ** (slope * ph) * aq_mol_per_L  # org_j = coef_j * x**slope

        def balance(x, coef=coef, c=c):
            return 2.0 * x + n_ha_per_metal * coef.sum() * x**slope - c

        x = optimize.brentq(balance, 0.0, c / 2.0, xtol=1e-300, rtol=1e-14)
        org = coef * x**slope
        aq_meas = aq_mol_per_L * 10.0 ** rng.normal(0.0, noise_sd_log10, len(els))
        row = {"test_id": f"T{k + 1}", "pH": ph, "extractant_mol_per_L": c}
        for j, e in enumerate(els):
            row[f"{e}_aq_mol_per_L"] = aq_meas[j]
            row[f"{e}_org_mol_per_L"] = org[j]
        rows.append(row)
    return pd.DataFrame(rows)
