"""Extractant data (``reeflow/data/sx``): extraction order, separation factors, design defaults.

Only values the reference notes mark verified or secondary are shipped; each row carries its
source and evidence tag. Recalled ranges ([R] in ``ree_separation.md``) are absent on purpose:
a cut whose key pair has no shipped factor needs the user's value (``separation_factors=``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import pandas as pd

from reeflow.core.data import read_csv, read_yaml
from reeflow.core.errors import InputError
from reeflow.core.numeric import REAL_TYPES

__all__ = [
    "EXTRACTANTS",
    "extractant",
    "separation_factor_table",
    "design_default",
    "design_record",
    "key_beta",
    "relative_extractability",
]



@cache
def _yaml(name: str) -> dict[str, Any]:
    return read_yaml("sx", name)  # one copy for this module's lookups


@cache
def separation_factor_table() -> pd.DataFrame:
    """All shipped separation factors (one row per extractant, heavy, light, source)."""
    return read_csv("sx", "separation_factors.csv")


@cache
def _pair_rows() -> dict[tuple[str, str, str], pd.DataFrame]:
    """The shipped table's rows by (extractant, heavy, light), built once. Filtering the table
    took 3 ms a read; ``validate``'s factor check reads every cut of the train, and every
    what-if re-validates (40 ms to 0.8 ms a validation, the same factors)."""
    t = separation_factor_table()
    return {(str(k[0]), str(k[1]), str(k[2])): rows
            for k, rows in t.groupby(["extractant", "heavy", "light"], sort=False)}


EXTRACTANTS: tuple[str, ...] = tuple(_yaml("extractants.yaml"))


def _canonical(name: str) -> str:
    table = _yaml("extractants.yaml")
    for key, rec in table.items():
        if name.lower() == key.lower() or name.lower() in (a.lower() for a in rec.get("aliases", [])):
            return key
    raise InputError("extractant", name, f"one of {sorted(table)} or an alias",
                     "pick a shipped extractant system")


def extractant(name: str) -> dict[str, Any]:
    """Parameter record of an extractant system (values with source and evidence)."""
    return _yaml("extractants.yaml")[_canonical(name)]


def design_default(key: str) -> float:
    """A design default's value (see ``design_defaults.yaml`` for source and evidence)."""
    return float(_yaml("design_defaults.yaml")[key]["value"])


def design_record(key: str) -> dict[str, Any]:
    """A design default's whole record: value, range, bounds, source, evidence."""
    return dict(_yaml("design_defaults.yaml")[key])


def _vant_hoff(rows: pd.DataFrame, temperature_C: float | None) -> float:
    """Factor 10^(d·(1/T − 1/T_ref)) on β from the rows' van't Hoff slope d (K); 1 if none.

    ``log10 β(T) = log10 β(T_ref) + d·(1/T − 1/T_ref)`` with d = −ΔΔH/(ln 10·R) of the pair
    (difference of the elements' extraction enthalpies; Qi 2018 Table 2.15 data via
    difflow_ree, see separation_factors.csv). No slope → β at the reference temperature.
    """
    if temperature_C is None or "vant_hoff_K" not in rows:
        return 1.0
    d = pd.to_numeric(rows["vant_hoff_K"], errors="coerce").dropna()
    if d.empty:
        return 1.0
    t_ref = pd.to_numeric(rows.get("T_ref_C", pd.Series([25.0])), errors="coerce").dropna()
    t_ref_k = float(t_ref.iloc[0]) + 273.15 if not t_ref.empty else 298.15
    return float(10.0 ** (float(d.mean()) * (1.0 / (temperature_C + 273.15) - 1.0 / t_ref_k)))


def key_beta(
    extractant_name: str,
    heavy: str,
    light: str,
    *,
    policy: str = "low",
    overrides: Mapping[str, float] | None = None,
    temperature_C: float | None = None,  # noqa: N803
) -> float | None:
    """β = D_heavy/D_light from ``overrides`` ("Nd/Pr": 1.4) or the shipped table.

    ``policy`` picks from a range: "low" (conservative, default), "mid" or "high". Where several
    sources give a value, "low" takes the lowest low end. ``temperature_C`` moves a shipped
    value along its van't Hoff slope where the table has one (overrides are taken as given).
    None when nothing is known.
    """
    if policy not in ("low", "mid", "high"):
        raise InputError("beta_policy", policy, "low, mid or high",
                         "set beta_policy to low (conservative), mid or high")
    key = f"{heavy}/{light}"
    if overrides and key in overrides:
        val = overrides[key]
        if isinstance(val, bool) or not isinstance(val, REAL_TYPES) or not (
                math.isfinite(val) and val >= 1.0):
            raise InputError(f"separation_factors.{key}", val,
                             "a finite number >= 1 (β of the more extractable over the less)",
                             "give β as a number of 1 or more, e.g. 1.4; for β below 1, write "
                             "the pair the other way round")
        return float(val)
    rows = _pair_rows().get((_canonical(extractant_name), heavy, light))
    if rows is None:
        return None
    lo, hi = float(rows.beta_low.min()), float(rows.beta_high.max())
    pick = {"low": lo, "high": hi, "mid": 0.5 * (lo + hi)}
    return pick[policy] * _vant_hoff(rows, temperature_C)


def relative_extractability(
    extractant_name: str,
    elements: Sequence[str],
    key_pairs: Sequence[tuple[str, str]],
    *,
    policy: str = "low",
    overrides: Mapping[str, float] | None = None,
    temperature_C: float | None = None,  # noqa: N803
) -> dict[str, float]:
    """α per element (α_A/α_B = β_AB) along the extractant's order, light to heavy.

    Every pair in ``key_pairs`` (heavy, light) must have a factor (shipped or in ``overrides``),
    else InputError names it. A non-key adjacent pair without a factor gets β = 1: the heavier
    element is treated as no more extractable than its lighter neighbour, the least favourable
    assumption for the group cuts it takes part in. Elements outside the order raise InputError.
    """
    _check_overrides(overrides)
    full = list(extractant(extractant_name)["order"]["value"])
    order = [e for e in full if e in elements]
    missing_el = [e for e in elements if e not in order]
    if missing_el:
        raise InputError("elements", missing_el, f"elements in the {extractant_name} order",
                         "drop them or extend the extractant's order in data/sx/extractants.yaml")
    keys = {(h, lt) for h, lt in key_pairs}
    alpha = {order[0]: 1.0}
    need: list[str] = []
    for light, heavy in zip(order[:-1], order[1:], strict=True):
        b = key_beta(extractant_name, heavy, light, policy=policy, overrides=overrides,
                     temperature_C=temperature_C)
        if b is None:  # chain the adjacent factors of the full order between them
            steps = full[full.index(light): full.index(heavy) + 1]
            chain = [key_beta(extractant_name, h, lo, policy=policy, overrides=overrides,
                              temperature_C=temperature_C)
                     for lo, h in zip(steps[:-1], steps[1:], strict=True)]
            b = math.prod(x for x in chain if x is not None) if all(x is not None for x in chain) \
                else None
        if b is None and (heavy, light) in keys:
            need.append(f"{heavy}/{light}")
        alpha[heavy] = alpha[light] * (b if b is not None else 1.0)
    _refuse_unused_overrides(overrides, order, extractant_name)
    if need:
        raise InputError(
            "separation_factors", need,
            f"a verified separation factor for every key pair ({extractant_name})",
            f"give separation_factors: {{{need[0]}: β}} from your own measurements; reeflow "
            "ships only verified factors (data/sx/separation_factors.csv)")
    if any(not math.isfinite(a) for a in alpha.values()):
        raise InputError("separation_factors", alpha, "finite",
                         "give finite separation_factors: an inf or nan factor leaves the "
                         "extractability undefined")
    return alpha


def _refuse_unused_overrides(overrides: Mapping[str, Any] | None, order: Sequence[str],
                             extractant_name: str) -> None:
    """A factor of two fed elements that no adjacent pair reads is a mistake: written the
    other way round ('La/Ce') or of a non-adjacent pair ('Nd/La'); it gave the default α
    without a word (fuzz round 18). A factor of an element not fed here is harmless."""
    if not overrides:
        return
    adjacent = [f"{h}/{lt}" for lt, h in zip(order[:-1], order[1:], strict=True)]
    for key, val in overrides.items():
        heavy, light = str(key).split("/")
        if heavy not in order or light not in order or key in adjacent:
            continue
        inverse = f"{light}/{heavy}"
        fix = (f"write it as '{inverse}': the more extractable element first in the "
               f"{extractant_name} order" if inverse in adjacent else
               f"give the factor of each adjacent pair of the fed elements: "
               f"{', '.join(adjacent)}")
        raise InputError(f"separation_factors.{key}", val, "a factor of adjacent fed elements, "
                         "the more extractable first", fix)


def _check_overrides(overrides: Mapping[str, Any] | None) -> None:
    """Keys "Heavy/Light" of element symbols, values finite numbers >= 1 (the more extractable
    first, as the project file's bound; one check for the API, ``sx train`` and the study)."""
    if overrides is None:
        return
    if not isinstance(overrides, Mapping):
        raise InputError("separation_factors", overrides, "a mapping {'Nd/Pr': 1.4, ...}",
                         "write separation_factors as a mapping, e.g. {'Nd/Pr': 1.4}")
    for key, val in overrides.items():
        parts = str(key).split("/")
        if len(parts) != 2 or not all(p[:1].isupper() and p.isalpha() and len(p) <= 2
                                      for p in parts):
            raise InputError(f"separation_factors.{key}", val, "keys 'Heavy/Light', e.g. 'Nd/Pr'",
                             "write the more extractable element first")
        if isinstance(val, bool) or not isinstance(val, REAL_TYPES) or not (
                math.isfinite(val) and val > 0):
            raise InputError(f"separation_factors.{key}", val, "a finite number > 0",
                             "give the separation factor as a finite number above 0, e.g. 1.4")
