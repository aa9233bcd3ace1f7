"""Market-concentration and criticality measures: pure functions of shares and tonnages.

- Herfindahl–Hirschman index, HHI = Σ_i (100 · s_i)², on the 0–10,000 scale with s_i the fraction of
  supplier i (U.S. DOJ/FTC Horizontal Merger Guidelines 2010, §5.3; thresholds 1,500 / 2,500).
- Top-n share (the IEA's headline metric: "top-3 refining share"), IEA Global Critical Minerals
  Outlook 2024.
- Reserve life = reserves / annual mine production (USGS MCS convention; years at the current rate).
- EU supply risk (Blengini et al. 2017, *Methodology for establishing the EU list of critical raw
  materials*, JRC, EUR 28654 EN, doi:10.2760/73303, Eq. for SR):
  ``SR = [HHI_WGI,t(GS) · IR/2 + HHI_WGI,t(EU) · (1 − IR/2)] · (1 − EoL_RIR) · SI_SR`` with
  ``HHI_WGI,t = Σ_c S_c² · WGI_c · t_c`` (S_c fractions, WGI_c rescaled to 0–10, higher = worse).
  The structure is as quoted in the reeflow reference notes (secondary, [S]); the WGI rescaling
  and the t_c values are the caller's inputs — reeflow ships no WGI, EU-sourcing, EoL-RIR or
  substitution data, so the supply risk of rare earths is *not* computed from package data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.market.data import parameters

__all__ = [
    "shares_frac",
    "hhi",
    "hhi_range",
    "top_n_share",
    "top_n",
    "reserve_life_a",
    "hhi_wgi",
    "eu_supply_risk",
    "hhi_class",
]

_ArrayLike: TypeAlias = Sequence[float] | np.ndarray | pd.Series | Mapping[str, float]


def _as_array(x: _ArrayLike, field: str) -> np.ndarray:
    if isinstance(x, Mapping):
        x = list(x.values())
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1:
        raise InputError(field, x, "a 1-D sequence of numbers", "pass one value per supplier")
    return arr


def _check_fractions(s: np.ndarray, field: str, max_sum: float = 1.0 + 1e-9) -> None:
    if not np.all(np.isfinite(s)) or np.any(s < 0) or np.any(s > 1 + 1e-12):
        raise InputError(field, s.tolist(), "fractions in [0, 1] without NaN",
                         "pass shares as fractions of the world total (0.69, not 69)")
    if s.sum() > max_sum:
        raise InputError(field, float(s.sum()), f"shares summing to <= {max_sum:.6g}",
                         "shares of distinct suppliers cannot exceed the world total "
                         "(beyond the rounding of a rounded world total)")


def shares_frac(tonnage_t: pd.Series, *, total_t: float | None = None) -> pd.Series:
    """Share of each supplier in the total: ``tonnage_t / total_t`` (total defaults to the sum).

    NaN tonnages (missing data) stay NaN and are left out of the default total.
    """
    t = pd.Series(tonnage_t, dtype=float)
    if (t.dropna() < 0).any():
        raise InputError("tonnage_t", t[t < 0].to_dict(), ">= 0 t", "tonnages cannot be negative")
    total = float(t.sum(skipna=True)) if total_t is None else float(total_t)
    if not np.isfinite(total) or total <= 0:
        raise InputError("total_t", total_t, "> 0 t", "the world total must be positive")
    return t / total


def hhi(shares: _ArrayLike, *, max_sum: float = 1.0 + 1e-9) -> float:
    """Herfindahl–Hirschman index on the 0–10,000 scale: Σ (100 · s_i)², s_i as fractions.

    DOJ/FTC Horizontal Merger Guidelines (2010), §5.3. ``max_sum`` allows shares of a *rounded*
    world total (USGS rounds it to two significant digits) to add up to slightly more than 1.
    """
    s = _as_array(shares, "shares")
    _check_fractions(s, "shares", max_sum)
    return float(np.sum((100.0 * s) ** 2))


def hhi_range(named_shares: _ArrayLike, unattributed_frac: float = 0.0, *,
              max_sum: float = 1.0 + 1e-9) -> tuple[float, float]:
    """HHI bounds when part of the market is not attributed to named suppliers.

    Lower bound: the unattributed part is spread over infinitely many small suppliers
    (contributes 0). Upper bound: it is one supplier (adds (100·u)²). Both on 0–10,000.
    """
    low = hhi(named_shares, max_sum=max_sum)
    u = float(unattributed_frac)
    if not np.isfinite(u) or u < 0 or u > 1:
        raise InputError("unattributed_frac", unattributed_frac, "[0, 1]",
                         "pass the world share not attributed to a named supplier")
    return low, low + (100.0 * u) ** 2


def top_n(shares: pd.Series, n: int = 3) -> pd.Series:
    """The ``n`` largest shares (NaN dropped), largest first."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError("n", n, "an integer >= 1", "ask for the top 1, 3, ...")
    return pd.Series(shares, dtype=float).dropna().sort_values(ascending=False).head(n)


def top_n_share(shares: _ArrayLike, n: int = 3, *, max_sum: float = 1.0 + 1e-9) -> float:
    """Combined share of the ``n`` largest suppliers (IEA headline concentration metric)."""
    s = _as_array(shares, "shares")
    _check_fractions(s, "shares", max_sum)
    return float(top_n(pd.Series(s), n).sum())


def reserve_life_a(reserves_t: _ArrayLike | float,
                   production_t_per_a: _ArrayLike | float) -> np.ndarray | float:
    """Reserve life in years, reserves / production, element-wise.

    NaN where either input is missing; +inf where production is zero and reserves are positive;
    NaN where both are zero.
    """
    r = np.asarray(reserves_t, dtype=float)
    p = np.asarray(production_t_per_a, dtype=float)
    if np.any(r[np.isfinite(r)] < 0) or np.any(p[np.isfinite(p)] < 0):
        raise InputError("reserve_life", (r.tolist(), p.tolist()), ">= 0",
                         "reserves and production cannot be negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        life = np.where(p > 0, r / np.where(p > 0, p, 1.0), np.where(r > 0, np.inf, np.nan))
    life = np.where(np.isnan(r) | np.isnan(p), np.nan, life)
    return float(life) if life.ndim == 0 else life


def hhi_wgi(shares: _ArrayLike, wgi_scaled: _ArrayLike, *,
            trade_param: _ArrayLike | None = None) -> float:
    """Governance-weighted concentration ``Σ_c S_c² · WGI_c · t_c`` (Blengini et al. 2017).

    ``shares`` as fractions, ``wgi_scaled`` on 0–10 (higher = worse governance), ``trade_param``
    default 1 for every country. Result on 0–10.
    """
    s = _as_array(shares, "shares")
    _check_fractions(s, "shares")
    w = _as_array(wgi_scaled, "wgi_scaled")
    t = np.ones_like(s) if trade_param is None else _as_array(trade_param, "trade_param")
    if w.shape != s.shape or t.shape != s.shape:
        raise InputError("wgi_scaled", (len(s), len(w), len(t)), "one value per country",
                         "pass shares, WGI and trade parameters of equal length")
    if np.any(~np.isfinite(w)) or np.any(w < 0) or np.any(w > 10):
        raise InputError("wgi_scaled", w.tolist(), "[0, 10]", "rescale the WGI to 0-10")
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise InputError("trade_param", t.tolist(), ">= 0", "t_c is 1 by default")
    return float(np.sum(s**2 * w * t))


def _frac(x: float, field: str) -> float:
    x = float(x)
    if not np.isfinite(x) or x < 0 or x > 1:
        raise InputError(field, x, "a fraction in [0, 1]", "pass e.g. 0.8, not 80")
    return x


def eu_supply_risk(hhi_wgi_global: float, hhi_wgi_eu: float, *, import_reliance_frac: float,
                   eol_rir_frac: float, substitution_index_sr: float) -> float:
    """EU supply risk SR of one stage (Blengini et al. 2017, JRC EUR 28654 EN).

    ``SR = [HHI_GS · IR/2 + HHI_EU · (1 − IR/2)] · (1 − EoL_RIR) · SI_SR``; the EU takes the higher
    SR of extraction and processing. A material is critical when SR ≥ 1.0 and EI ≥ 2.8 (thresholds
    in ``parameters.yaml``).
    """
    ir = _frac(import_reliance_frac, "import_reliance_frac")
    eol = _frac(eol_rir_frac, "eol_rir_frac")
    si = _frac(substitution_index_sr, "substitution_index_sr")
    for name, v in (("hhi_wgi_global", hhi_wgi_global), ("hhi_wgi_eu", hhi_wgi_eu)):
        if not np.isfinite(v) or v < 0:
            raise InputError(name, v, ">= 0 (0-10 scale)", "compute it with hhi_wgi()")
    return float((hhi_wgi_global * ir / 2 + hhi_wgi_eu * (1 - ir / 2)) * (1 - eol) * si)


def hhi_class(value: float, *, guidelines: str = "doj_ftc_2010") -> str:
    """Class of an HHI: unconcentrated / moderately / highly concentrated.

    Thresholds from ``parameters.yaml`` (``hhi_thresholds``): DOJ/FTC Horizontal Merger Guidelines
    2010 §5.3 (1,500 / 2,500) by default, or ``"doj_ftc_1992"`` (1,000 / 1,800).
    """
    table = parameters()["hhi_thresholds"]
    if guidelines not in table:
        raise InputError("guidelines", guidelines, f"one of {sorted(table)}",
                         "name a guideline set in parameters.yaml")
    unconcentrated_below = float(table[guidelines]["unconcentrated_below"])
    highly_concentrated_above = float(table[guidelines]["highly_concentrated_above"])
    if not np.isfinite(value) or value < 0 or value > 10000 + 1e-6:
        raise InputError("hhi", value, "[0, 10000]", "pass an HHI on the 0-10,000 scale")
    if value < unconcentrated_below:
        return "unconcentrated"
    if value > highly_concentrated_above:
        return "highly concentrated"
    return "moderately concentrated"
