"""Ore Reserve statement: Measured and Indicated ore inside the designed pit, modifying factors applied.

JORC Code 2012 (Joint Ore Reserves Committee, *Australasian Code for Reporting of Exploration
Results, Mineral Resources and Ore Reserves*), Clauses 29-32 as summarised in
shared/reference/mining.md §1.1: an Ore Reserve is the economically mineable part of a Measured
and/or Indicated Mineral Resource, including dilution and allowing for losses, after the Modifying
Factors; **Proved** comes from Measured only, **Probable** from Indicated (and from Measured where
the Modifying Factors are uncertain); **Inferred is never converted** — it is reported beside the
reserve as a separate inventory inside the pit. Figures are rounded to reflect that they are
estimates (two significant figures here, as the resource statement of :mod:`reeflow.deposit`).

Reserve tonnes are plant feed: in-situ ore ``T`` becomes ``T (1 − ore loss)(1 + dilution)`` at
grade ``g / (1 + dilution)`` (dilution at zero grade), so contained oxide is ``T g (1 − ore loss)``
and never exceeds the resource's. This is a model output, not a Public Report: a Competent Person
must take responsibility before any figure is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError

__all__ = ["ReserveStatement", "reserve_statement", "DISCLAIMER"]

DISCLAIMER = ("Prepared with reeflow; not a Public Report under the JORC Code unless a Competent "
              "Person takes responsibility for it.")


def _round_sig(x, sig: int) -> np.ndarray:
    from reeflow.deposit import round_sig

    return round_sig(x, sig)


@dataclass(frozen=True)
class ReserveStatement:
    """``table``: Proved, Probable and Total rows (unrounded and ``*_rounded`` columns);
    ``inferred_in_pit``: the Inferred inventory inside the pit (not a reserve); ``basis``: the
    pit, the cut-off rule and the modifying factors used."""

    table: pd.DataFrame
    inferred_in_pit: dict[str, Any]
    basis: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"statement": self.table.replace({np.nan: None}).to_dict(orient="records"),
                "inferred_in_pit": self.inferred_in_pit, "basis": self.basis,
                "disclaimer": DISCLAIMER}


def _row(name: str, source: str, m: np.ndarray, tonnes: np.ndarray,
         grades: dict[str, np.ndarray], dilution: float, loss: float) -> dict[str, Any]:
    insitu = float(tonnes[m].sum())
    kept = tonnes[m] * (1.0 - loss)
    feed = float(kept.sum() * (1.0 + dilution))
    row: dict[str, Any] = {"class": name, "from": source, "in_situ_t": insitu, "tonnes": feed}
    for c, g in grades.items():
        contained = float((kept * g[m]).sum())
        row[c] = contained / feed if feed > 0 else np.nan
        row[f"contained_{c[:-5]}_t"] = contained
    return row


def reserve_statement(tonnes: np.ndarray, grades: dict[str, np.ndarray],
                      block_class: np.ndarray, in_pit: np.ndarray, is_ore: np.ndarray, *,
                      dilution_frac: float, ore_loss_frac: float,
                      measured_to_probable: bool = False, sig_tonnes: int = 2,
                      sig_grade: int = 2, basis: dict[str, Any] | None = None
                      ) -> ReserveStatement:
    """Proved/Probable reserve of the ore blocks inside the pit (see the module docstring).

    ``tonnes`` in-situ t per block; ``grades`` ``<attr>_frac`` → in-situ mass fractions;
    ``block_class`` the resource class of each block (Measured/Indicated/Inferred, any case);
    ``in_pit`` the designed pit; ``is_ore`` the economic ore decision (break-even cut-off with
    Inferred valued as waste). ``measured_to_probable`` reports Measured as Probable (uncertain
    modifying factors).
    """
    for key, v in (("dilution_frac", dilution_frac), ("ore_loss_frac", ore_loss_frac)):
        if not 0.0 <= v < 1.0:
            raise InputError(key, v, "0 <= f < 1", "a fraction of the ore tonnes")
    t = np.asarray(tonnes, float)
    cls = pd.Series(np.asarray(block_class)).astype(str).str.strip().str.lower().to_numpy()
    ore = np.asarray(in_pit, bool) & np.asarray(is_ore, bool)
    meas, ind, inf = ore & (cls == "measured"), ore & (cls == "indicated"), cls == "inferred"
    g = {c: np.asarray(v, float) for c, v in grades.items()}
    if measured_to_probable:
        rows = [_row("Proved", "Measured", np.zeros_like(meas), t, g, dilution_frac,
                     ore_loss_frac),
                _row("Probable", "Measured+Indicated", meas | ind, t, g, dilution_frac,
                     ore_loss_frac)]
    else:
        rows = [_row("Proved", "Measured", meas, t, g, dilution_frac, ore_loss_frac),
                _row("Probable", "Indicated", ind, t, g, dilution_frac, ore_loss_frac)]
    rows.append(_row("Total", "Measured+Indicated", meas | ind, t, g, dilution_frac,
                     ore_loss_frac))
    table = pd.DataFrame(rows)
    table["tonnes_rounded"] = _round_sig(table["tonnes"], sig_tonnes)
    for c in g:
        table[c.replace("_frac", "_pct_rounded")] = _round_sig(table[c] * 100.0, sig_grade)
        key = f"contained_{c[:-5]}_t"
        table[f"{key}_rounded"] = _round_sig(table[key], sig_tonnes)
    pit = np.asarray(in_pit, bool)
    inf_m = pit & inf
    inf_t = float(t[inf_m].sum())
    inferred = {"tonnes": inf_t, "note": "Inferred inside the pit: not converted to Ore Reserve "
                "(JORC 2012); scheduled only as a separate inventory",
                **{c: (float((t[inf_m] * v[inf_m]).sum() / inf_t) if inf_t > 0 else None)
                   for c, v in g.items()}}
    return ReserveStatement(table=table, inferred_in_pit=inferred,
                            basis={**(basis or {}), "dilution_frac": dilution_frac,
                                   "ore_loss_frac": ore_loss_frac,
                                   "measured_to_probable": measured_to_probable,
                                   "rounding": f"tonnes and contained to {sig_tonnes}, grades "
                                               f"(%) to {sig_grade} significant figures; totals "
                                               "may not add"})
