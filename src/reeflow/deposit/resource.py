"""Classification, RPEEE cut-off, JORC-2012-style statement, grade–tonnage, Table 1 checklist.

- Classification: a block takes the highest class whose every criterion it meets (mean
  sample distance, number of holes and samples, slope of regression, kriging variance / sill).
  The thresholds are the user's (defaults in ``data/deposit/classification_defaults.csv``,
  evidence *assumed*): JORC 2012 leaves the basis to the Competent Person (Table 1 §3).
- RPEEE cut-off: break-even grade g_c = cost / (price × recovery × payability × RF)
  (Lane 1988, *The Economic Definition of Ore*, ch. 3, break-even cut-off; revenue factor RF > 1
  per common RPEEE practice, not Code text). Prices and recoveries come from the caller
  (the economics side owns them).
- Statement: tonnes, grades and contained TREO by class above the cut-off, rounded to
  significant figures (JORC 2012 guidance: estimates are not precise; round to reflect
  uncertainty — practice, not exact Code text), with totals and the "totals may not add" note.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from reeflow.core.data import read_csv
from reeflow.core.errors import InputError

__all__ = [
    "CLASSES",
    "UNCLASSIFIED",
    "DISCLAIMER",
    "criteria_table",
    "classification_defaults",
    "classify_blocks",
    "basket_price_usd_per_kg",
    "rpeee_cutoff_frac",
    "round_sig",
    "resource_statement",
    "grade_tonnage",
    "table1_checklist",
]

CLASSES = ("Measured", "Indicated", "Inferred")
UNCLASSIFIED = "unclassified"
DISCLAIMER = (
    "Software does not make a resource estimate compliant with the JORC Code (2012) or any other "
    "reporting code. This table is a calculation from the data and parameters stated; it becomes "
    "a Mineral Resource only when a Competent Person has reviewed the data, geology, estimation "
    "and reasonable prospects for eventual economic extraction, and takes responsibility for it. "
    "It is not a Public Report.")


@lru_cache(maxsize=1)
def classification_defaults() -> pd.DataFrame:
    """Default criteria table indexed by class (user-owned heuristics, evidence assumed)."""
    return read_csv("deposit", "classification_defaults.csv").set_index("class")


def criteria_table(classification=None) -> pd.DataFrame:
    """Criteria by class: the defaults, with every class given in ``classification`` (a
    :class:`~reeflow.deposit.params.Classification`) replacing its row."""
    crit = classification_defaults().copy()
    if classification is None:
        return crit
    names = {"max_mean_distance": "max_mean_distance_m", "min_holes": "min_holes",
             "min_samples": "min_samples", "min_slope": "min_slope",
             "max_kvar_ratio": "max_kvar_ratio"}
    for cls in CLASSES:
        given = getattr(classification, cls, None)
        if given is None:
            continue
        for k, col in names.items():
            v = getattr(given, k)
            crit.loc[cls, col] = np.nan if v is None else float(v)
        crit.loc[cls, "source"] = "user (project file)"
        crit.loc[cls, "evidence"] = "assumed"
    return crit


def classify_blocks(est: pd.DataFrame, *, sill: float, criteria: pd.DataFrame | None = None,
                    ) -> np.ndarray:
    """Class label per block (``"unclassified"`` when no class's criteria are all met), from
    columns ``mean_dist_m``, ``n_holes``, ``n_samples``, ``slope``, ``kvar``. Missing criteria
    (NaN) are not applied."""
    crit = classification_defaults() if criteria is None else criteria
    label = np.full(len(est), UNCLASSIFIED, dtype=object)
    for cls in reversed([c for c in CLASSES if c in crit.index]):
        r = crit.loc[cls]
        ok = np.isfinite(est["kvar"].to_numpy(float))
        checks = (("max_mean_distance_m", "mean_dist_m", np.less_equal),
                  ("min_holes", "n_holes", np.greater_equal),
                  ("min_samples", "n_samples", np.greater_equal),
                  ("min_slope", "slope", np.greater_equal))
        for key, col, op in checks:
            if key in r and pd.notna(r[key]):
                ok &= op(est[col].to_numpy(float), float(r[key]))
        if "max_kvar_ratio" in r and pd.notna(r["max_kvar_ratio"]):
            ok &= est["kvar"].to_numpy(float) / sill <= float(r["max_kvar_ratio"])
        label[ok] = cls
    return label


def basket_price_usd_per_kg(prices_usd_per_kg: dict[str, float],
                            shares_frac: dict[str, float]) -> float:
    """Value of 1 kg TREO: Σ share_i × price_i over oxides; oxides without a price count 0
    (stated: unpriced oxides are not paid for)."""
    tot = sum(shares_frac.values())
    if not 0.98 <= tot <= 1.02:
        raise InputError("shares_frac", tot, "shares summing to 1 (±2 %)", "normalise shares")
    for k, v in prices_usd_per_kg.items():
        if not v >= 0:
            raise InputError(f"prices_usd_per_kg.{k}", v, ">= 0 USD/kg",
                             "give every price as 0 or more USD/kg")
    return float(sum(s * prices_usd_per_kg.get(k, 0.0) for k, s in shares_frac.items()) / tot)


def rpeee_cutoff_frac(*, basket_price_usd_per_kg: float, recovery_frac: float,
                      cost_usd_per_t_ore: float, payability_frac: float = 1.0,
                      revenue_factor: float = 1.0) -> float:
    """Break-even TREO cut-off (mass fraction): cost / (1000 kg/t · price · recovery ·
    payability · RF)."""
    for name, v, lo, hi in (("recovery_frac", recovery_frac, 0, 1),
                            ("payability_frac", payability_frac, 0, 1),
                            ("revenue_factor", revenue_factor, 0, 10)):
        if not lo < v <= hi:
            raise InputError(name, v, f"in ({lo}, {hi}]",
                             "give recovery_frac and payability_frac as fractions (e.g. 0.85), "
                             "revenue_factor up to 10")
    if not basket_price_usd_per_kg > 0 or not cost_usd_per_t_ore >= 0:
        raise InputError("rpeee", (basket_price_usd_per_kg, cost_usd_per_t_ore),
                         "price > 0 USD/kg and cost >= 0 USD/t",
                         "price the basket above 0 USD/kg and give an ore cost of 0 or more USD/t")
    return cost_usd_per_t_ore / (1000.0 * basket_price_usd_per_kg * recovery_frac
                                 * payability_frac * revenue_factor)


def round_sig(x: np.ndarray | float, sig: int) -> np.ndarray:
    """Round to ``sig`` significant figures (NaN and 0 pass through)."""
    a = np.asarray(x, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(a != 0, np.floor(np.log10(np.abs(a))), 0)
    f = 10.0 ** (sig - 1 - mag)
    return np.where(np.isfinite(a) & (a != 0), np.round(a * f) / f, a)


def _summary(bm: pd.DataFrame, grade_cols: tuple[str, ...], mask: np.ndarray) -> dict:
    t = bm["tonnes"].to_numpy(float)[mask]
    out = {"tonnes": float(t.sum())}
    for c in grade_cols:
        g = bm[c].to_numpy(float)[mask]
        out[c] = float((t * g).sum() / t.sum()) if t.sum() > 0 else np.nan
    return out


def resource_statement(bm: pd.DataFrame, *, cutoff_frac: float, grade_column: str = "treo_frac",
                       grade_columns: tuple[str, ...] = ("treo_frac",),
                       class_column: str = "class", sig_tonnes: int = 2,
                       sig_grade: int = 2, label: str = "",
                       rpeee_mask: np.ndarray | None = None) -> pd.DataFrame:
    """Statement by class above ``cutoff_frac`` of ``grade_column`` (and, when given, inside
    ``rpeee_mask``: a boolean per block, e.g. the blocks of an RPEEE pit shell).

    Unrounded columns (``tonnes``, grades as fractions, ``contained_t``) satisfy
    contained = tonnes × grade exactly; ``*_rounded`` columns are for reporting
    (tonnes and contained to ``sig_tonnes``, grades in % to ``sig_grade`` significant figures).
    ``attrs`` carry the cut-off, the disclaimer, the label and a rounding note. A cut-off of
    1 (a break-even above 100 %: no grade pays) reports nothing but pure blocks.
    """
    if grade_column not in grade_columns:
        grade_columns = (grade_column, *grade_columns)
    if not np.isfinite(cutoff_frac) or not 0.0 <= cutoff_frac <= 1.0:
        raise InputError("cutoff_frac", cutoff_frac, "a grade in [0, 1] (mass fraction)",
                         "e.g. 0.01 for 1 %")
    above = bm[grade_column].to_numpy(float) >= cutoff_frac
    if rpeee_mask is not None:
        mask = np.asarray(rpeee_mask, bool).reshape(-1)
        if mask.shape != (len(bm),):
            raise InputError("rpeee_mask", mask.shape, f"one boolean per block ({len(bm)})",
                             "pass the pit-shell mask in block-model row order")
        above &= mask
    rows = []
    for cls in CLASSES:
        m = above & (bm[class_column].to_numpy() == cls)
        rows.append({"class": cls, **_summary(bm, grade_columns, m)})
    m = above & np.isin(bm[class_column].to_numpy(), ["Measured", "Indicated"])
    rows.append({"class": "Measured+Indicated", **_summary(bm, grade_columns, m)})
    rows.append({"class": "Total", **_summary(bm, grade_columns, above & np.isin(
        bm[class_column].to_numpy(), CLASSES))})
    st = pd.DataFrame(rows)
    st["contained_t"] = st["tonnes"] * st[grade_column].fillna(0.0)
    st["tonnes_rounded"] = round_sig(st["tonnes"], sig_tonnes)
    for c in grade_columns:
        st[c.replace("_frac", "_pct_rounded")] = round_sig(st[c] * 100.0, sig_grade)
    st["contained_t_rounded"] = round_sig(st["contained_t"], sig_tonnes)
    st.attrs.update({"cutoff_frac": cutoff_frac, "grade_column": grade_column,
                     "disclaimer": DISCLAIMER, "label": label,
                     "note": "Totals may not add because of rounding. Inferred tonnes and grades "
                             "are approximate."})
    return st


def grade_tonnage(bm: pd.DataFrame, cutoffs_frac: np.ndarray, *,
                  grade_column: str = "treo_frac", class_column: str | None = "class",
                  ) -> pd.DataFrame:
    """Tonnes, mean grade and contained metal above each cut-off, per class and for all
    classified blocks (long DataFrame; tonnes are non-increasing in the cut-off)."""
    g = bm[grade_column].to_numpy(float)
    t = bm["tonnes"].to_numpy(float)
    groups = {"All": np.isfinite(g)}
    if class_column is not None:
        for cls in CLASSES:
            groups[cls] = bm[class_column].to_numpy() == cls
    rows = []
    for name, m in groups.items():
        for c in np.asarray(cutoffs_frac, float):
            sel = m & (g >= c)
            tt = float(t[sel].sum())
            mt = float((t[sel] * g[sel]).sum())
            rows.append({"class": name, "cutoff_frac": c, "tonnes": tt,
                         "grade_frac": mt / tt if tt > 0 else np.nan, "contained_t": mt})
    return pd.DataFrame(rows)


def table1_checklist(facts: dict[str, str] | None = None) -> pd.DataFrame:
    """JORC 2012 Table 1 (sections 1 and 3) checklist: which items the software fills (with the
    facts given, keyed by item), which the data can support, which need a Competent Person."""
    t = read_csv("deposit", "table1_checklist.csv")
    facts = facts or {}
    status = {"software": "filled by software", "data": "supported if the data include it",
              "cp": "needs a Competent Person"}
    t["status"] = t["support"].map(status)
    t["entry"] = [facts.get(i, "" if s == "cp" else "not supplied")
                  for i, s in zip(t["item"], t["support"], strict=True)]
    return t
