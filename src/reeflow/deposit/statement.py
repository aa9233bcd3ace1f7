"""A JORC-style resource statement an analyst can read: cut-off and its basis, tonnes, grades
and contained oxide per class rounded as public reports round them, a Table 1 summary, and a
Competent Person block saying that none has signed.

Presentation rules (practice, not Code text — JORC Code 2012 guidance asks that estimates be
rounded to reflect their uncertainty and that the basis of the cut-off and of reasonable
prospects for eventual economic extraction (RPEEE) be disclosed; reference notes
``mining.md`` §1.1–1.3): tonnes and contained oxide to 2 significant figures in t / kt / Mt,
grades to 2 significant figures, classes Measured, Indicated, Measured + Indicated, Inferred
and Total, and the note that totals may not add because of rounding. RPEEE: when the caller
hands a boolean mask of an optimised pit shell run at a stated price (revenue) factor above 1,
only blocks inside it are reported, and the basis says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reeflow.core.errors import InputError
from reeflow.deposit.resource import DISCLAIMER, resource_statement, round_sig

__all__ = [
    "ResourceStatement",
    "jorc_statement",
    "format_tonnes",
    "format_grade",
    "grade_label",
    "COMPETENT_PERSON",
]

COMPETENT_PERSON = (
    "Competent Person: NONE. No Competent Person (as the JORC Code 2012 defines one: a member of "
    "the AusIMM, the AIG or a Recognised Professional Organisation with experience relevant to "
    "the style of mineralisation) has reviewed the data, the geological interpretation, the "
    "estimate or the reasonable prospects for eventual economic extraction, and none has "
    "signed a consent to its form and context. This statement is a calculation, not a Mineral "
    "Resource.")

_ROWS = ("Measured", "Indicated", "Measured+Indicated", "Inferred", "Total")


def format_tonnes(t: float, sig: int = 2) -> str:
    """``6527307`` -> ``'6.5 Mt'``; kt and t below a million and a thousand tonnes."""
    if t is None or not np.isfinite(t):
        return "—"
    if t == 0:
        return "0 t"
    v = float(round_sig(t, sig))
    for unit, f in (("Mt", 1e6), ("kt", 1e3), ("t", 1.0)):
        if abs(v) >= f or unit == "t":
            x = v / f
            dec = max(0, sig - 1 - int(np.floor(np.log10(abs(x)))))
            return f"{x:,.{dec}f} {unit}"
    return f"{v:g} t"  # pragma: no cover


def format_grade(frac: float, sig: int = 2) -> str:
    """Mass fraction -> percent to ``sig`` significant figures (``0.018`` -> ``'1.8 %'``,
    ``0.002`` -> ``'0.20 %'``)."""
    if frac is None or not np.isfinite(frac):
        return "—"
    if frac == 0:
        return "0 %"
    x = float(round_sig(frac * 100.0, sig))
    dec = max(0, sig - 1 - int(np.floor(np.log10(abs(x)))))
    return f"{x:.{dec}f} %"


@dataclass(frozen=True)
class ResourceStatement:
    """The statement: ``table`` (rounded, for reading), ``raw`` (unrounded sums), the cut-off
    and its basis, the RPEEE basis, a Table 1 summary and the Competent Person block."""

    table: pd.DataFrame
    raw: pd.DataFrame
    cutoff_frac: float
    cutoff_basis: str
    rpeee_basis: str
    primary: str
    label: str
    synthetic: bool
    table1: pd.DataFrame
    competent_person: str = COMPETENT_PERSON
    disclaimer: str = DISCLAIMER
    notes: tuple[str, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """The statement as plain text (what ``reeflow resource`` prints)."""
        head = [("SYNTHETIC DATA — " if self.synthetic else "") + "Resource statement",
                self.label,
                f"Cut-off: {format_grade(self.cutoff_frac, 3)} {grade_label(self.primary)} "
                f"({self.cutoff_basis})",
                f"Reasonable prospects for eventual economic extraction: {self.rpeee_basis}", ""]
        body = self.table.to_string(index=False)
        t1 = self.table1
        filled = t1[t1["status"] == "filled by software"]
        lines = [f"  - {r.item}: {r.entry}" for r in filled.itertuples()]
        cp = int((t1["support"] == "cp").sum())
        tail = ["", *self.notes, "", "JORC Table 1 summary (sections 1 and 3):", *lines,
                f"  - {cp} further items need a Competent Person's judgement (not filled).", "",
                self.competent_person, "", self.disclaimer]
        return "\n".join([*head, body, *tail])

    def to_dict(self) -> dict:
        """JSON-ready."""
        return {"label": self.label, "synthetic": self.synthetic,
                "cutoff_frac": self.cutoff_frac, "cutoff_basis": self.cutoff_basis,
                "rpeee_basis": self.rpeee_basis, "primary": self.primary,
                "table": self.table.to_dict(orient="records"),
                "raw": self.raw.replace({np.nan: None}).to_dict(orient="records"),
                "table1": self.table1.to_dict(orient="records"),
                "competent_person": self.competent_person, "disclaimer": self.disclaimer,
                "notes": list(self.notes)}


_SYMBOLS = {"H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P",
            "S", "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
            "Ga", "Ge", "As", "Se", "Br", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Ru", "Rh", "Pd",
            "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm",
            "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re",
            "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Th", "U"}


def grade_label(name: str) -> str:
    """``'caf2'`` -> ``'CaF2'``, ``'cu'`` -> ``'Cu'``; names that are not formulas (``'treo'``)
    in capitals."""
    out, i, s = [], 0, name.lower()
    while i < len(s):
        two, one = s[i:i + 2].capitalize(), s[i].upper()
        if two in _SYMBOLS and len(two) == 2:
            out.append(two)
            i += 2
        elif one in _SYMBOLS:
            out.append(one)
            i += 1
        elif s[i].isdigit():
            out.append(s[i])
            i += 1
        else:
            return name.upper()
    return "".join(out)


def _reading_table(raw: pd.DataFrame, primary: str, grades: tuple[str, ...],
                   sig: int) -> pd.DataFrame:
    r = raw.set_index("class").reindex(list(_ROWS))
    out = pd.DataFrame({"Class": [c.replace("+", " + ") for c in _ROWS],
                        "Tonnes": [format_tonnes(t, sig) for t in r["tonnes"]]})
    for g in grades:
        out[f"{grade_label(g.removesuffix('_frac'))} %"] = [format_grade(v, sig) for v in r[g]]
    out[f"Contained {grade_label(primary)}"] = [format_tonnes(t, sig) for t in r["contained_t"]]
    return out


def jorc_statement(block_model: pd.DataFrame, *, cutoff_frac: float, cutoff_basis: str,
                   primary: str = "treo", grade_columns: tuple[str, ...] | None = None,
                   rpeee_mask: np.ndarray | None = None, revenue_factor: float | None = None,
                   table1: pd.DataFrame | None = None, label: str = "",
                   synthetic: bool = False, sig: int = 2) -> ResourceStatement:
    """Statement of ``block_model`` (``tonnes``, ``class``, ``<grade>_frac`` columns) at
    ``cutoff_frac`` of ``<primary>_frac``; with ``rpeee_mask`` (a boolean per block: the
    blocks inside an optimised pit shell run at ``revenue_factor`` > 1) only those blocks."""
    from reeflow.deposit.resource import table1_checklist

    col = f"{primary}_frac"
    if col not in block_model.columns:
        raise InputError("statement.primary", primary, f"a column {col}",
                         "set deposit.primary to a grade estimated in the block model, e.g. treo")
    grades = tuple(grade_columns or [c for c in block_model.columns if c.endswith("_frac")])
    if col not in grades:
        grades = (col, *grades)
    if rpeee_mask is not None:
        if revenue_factor is None or not 1.0 <= revenue_factor <= 3.0:
            raise InputError("statement.revenue_factor", revenue_factor,
                             "the price factor of the pit shell, 1 to 3",
                             "state the revenue factor the shell was run at (> 1)")
        mask = np.asarray(rpeee_mask, bool)
        inside = float(block_model["tonnes"].to_numpy(float)[mask].sum()) if mask.shape == (
            len(block_model),) else np.nan
        rpeee = (f"only blocks inside an optimised pit shell run at a revenue factor of "
                 f"{revenue_factor:.2f} ({format_tonnes(inside, sig)} of estimated material "
                 "inside the shell)")
    else:
        rpeee = ("NOT assessed: no pit shell was given; every estimated block above the cut-off "
                 "is reported")
    raw = resource_statement(block_model, cutoff_frac=cutoff_frac, grade_column=col,
                             grade_columns=grades, rpeee_mask=rpeee_mask, sig_tonnes=sig,
                             sig_grade=sig, label=label)
    notes = ("Tonnes are dry metric tonnes; grades are mass percent; contained "
             f"{grade_label(primary)} is tonnes x grade.",
             "Totals may not add because of rounding. Inferred tonnes and grades are "
             "approximate and must not be converted to Ore Reserves.")
    return ResourceStatement(_reading_table(raw, primary, grades, sig), raw, float(cutoff_frac),
                             cutoff_basis, rpeee, primary, label, synthetic,
                             table1 if table1 is not None else table1_checklist(),
                             notes=notes)
