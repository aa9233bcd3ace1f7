"""Element, oxide and radionuclide data, and formula arithmetic.

Data live in ``reeflow/data/core/*.csv`` with a source and an evidence tag on every row:

- atomic masses: IUPAC CIAAW, *Standard atomic weights of the elements 2021*, Prohaska et al.,
  Pure Appl. Chem. 94 (2022) 573–600, Table 1;
- reporting oxides: USGS Mineral Commodity Summaries 2026, rare earths (price series);
- 232Th half-life: NNDC/ENSDF, 1.40(1)e10 a; NORM exemption level 1 Bq/g: IAEA RS-G-1.7 (2004), Table 2.

Element ↔ oxide factors are derived from the atomic masses:
``oxide_factor(el) = M(oxide) / (n_metal · M(el))`` (e.g. Nd → 1.1664, La → 1.1728).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pandas as pd

from reeflow.core.data import read_csv
from reeflow.core.errors import InputError

__all__ = [
    "ELEMENTS",
    "OXIDES",
    "REE",
    "LREE",
    "HREE",
    "SC",
    "atomic_mass",
    "molar_mass",
    "parse_formula",
    "oxide_formula",
    "oxide_factor",
    "treo_from_tree",
    "specific_activity_bq_per_g",
    "norm_exemption_bq_per_g",
]

#: The 15 lanthanides in atomic-number order, then yttrium (scandium is kept apart as ``SC``).
REE: tuple[str, ...] = (
    "La",
    "Ce",
    "Pr",
    "Nd",
    "Pm",
    "Sm",
    "Eu",
    "Gd",
    "Tb",
    "Dy",
    "Ho",
    "Er",
    "Tm",
    "Yb",
    "Lu",
    "Y",
)
#: Light REE (La–Eu) as used in separation practice; heavy REE (Gd–Lu + Y).
LREE: tuple[str, ...] = REE[:7]
HREE: tuple[str, ...] = REE[7:]
SC = "Sc"


ELEMENTS: pd.DataFrame = read_csv("core", "elements.csv").set_index("symbol")
OXIDES: pd.DataFrame = read_csv("core", "oxides.csv").set_index("element")
_RADIONUCLIDES = read_csv("core", "radionuclides.csv").set_index("nuclide")
_REGULATORY = read_csv("core", "regulatory.csv").set_index("key")

_TOKEN = re.compile(r"([A-Z][a-z]?|\(|\)|\d+(?:\.\d+)?|·|\*)")


_MASS: dict[str, float] = {str(k): float(v) for k, v in ELEMENTS["atomic_mass_g_per_mol"].items()}


def atomic_mass(symbol: str) -> float:
    """Standard atomic weight of ``symbol`` in g/mol (IUPAC CIAAW 2021)."""
    try:
        return _MASS[symbol]
    except KeyError:
        raise InputError(
            "element",
            symbol,
            "a symbol in reeflow's element table",
            f"use one of {', '.join(ELEMENTS.index)}",
        ) from None


@lru_cache(maxsize=4096)
def parse_formula(formula: str) -> tuple[tuple[str, float], ...]:
    """Element counts of a formula such as ``"La2(SO4)3"`` or ``"Ln2(C2O4)3·10H2O"``.

    Returns a tuple of (symbol, count) pairs sorted by symbol.
    """
    counts: dict[str, float] = {}
    for part in re.split(r"[·*]", formula):
        lead = re.match(r"^(\d+)(?=[A-Z(])", part)
        mult = float(lead.group(1)) if lead else 1.0
        body = part[lead.end() :] if lead else part
        for sym, n in _parse_group(body, formula).items():
            counts[sym] = counts.get(sym, 0.0) + mult * n
    return tuple(sorted(counts.items()))


def _parse_group(body: str, formula: str) -> dict[str, float]:
    stack: list[dict[str, float]] = [{}]
    tokens = _TOKEN.findall(body)
    if "".join(tokens) != body:
        raise InputError(
            "formula",
            formula,
            "a chemical formula like 'La2(SO4)3'",
            "check element symbols and brackets",
        )
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        mult = float(nxt) if re.fullmatch(r"\d+(?:\.\d+)?", nxt) else 1.0
        step = 2 if mult != 1.0 or nxt == "1" else 1
        if tok == "(":
            stack.append({})
            i += 1
            continue
        if tok == ")":
            group = stack.pop()
            for s, n in group.items():
                stack[-1][s] = stack[-1].get(s, 0.0) + n * mult
        elif re.fullmatch(r"[A-Z][a-z]?", tok):
            atomic_mass(tok)  # validates the symbol
            stack[-1][tok] = stack[-1].get(tok, 0.0) + mult
        else:
            raise InputError("formula", formula, "a chemical formula", "misplaced number")
        i += step
    if len(stack) != 1:
        raise InputError("formula", formula, "balanced brackets", "close every '('")
    return stack[0]


@lru_cache(maxsize=4096)
def molar_mass(formula: str) -> float:
    """Molar mass of ``formula`` in g/mol from IUPAC atomic weights."""
    return math.fsum(n * atomic_mass(s) for s, n in parse_formula(formula))


@lru_cache(maxsize=256)
def oxide_formula(symbol: str) -> str:
    """Reporting oxide of an element, e.g. ``"Pr"`` → ``"Pr6O11"``."""
    try:
        return str(OXIDES.at[symbol, "oxide"])
    except KeyError:
        raise InputError(
            "element",
            symbol,
            f"one of {', '.join(OXIDES.index)}",
            "no reporting oxide is defined for this element",
        ) from None


@lru_cache(maxsize=256)
def oxide_factor(symbol: str) -> float:
    """Oxide mass per element mass, e.g. Nd → M(Nd2O3)/(2·M(Nd)) = 1.1664."""
    formula = oxide_formula(symbol)  # raises InputError for an element without an oxide
    n_metal = float(OXIDES.at[symbol, "n_metal"])
    return molar_mass(formula) / (n_metal * atomic_mass(symbol))


def treo_from_tree(tree_by_element: dict[str, float]) -> float:
    """Total REO from element masses (any mass unit), each converted by its oxide factor."""
    return math.fsum(m * oxide_factor(el) for el, m in tree_by_element.items())


@lru_cache(maxsize=256)
def specific_activity_bq_per_g(nuclide: str = "Th-232") -> float:
    """Specific activity A = ln2·N_A / (t½·M) of a pure nuclide in Bq per g of element.

    Half-life from NNDC/ENSDF; the element's standard atomic weight stands in for the nuclide
    mass (natural Th is ~100 % 232Th). For 232Th: ≈ 4.07e3 Bq/g.
    """
    if nuclide not in _RADIONUCLIDES.index:
        raise InputError("nuclide", nuclide, f"one of {', '.join(_RADIONUCLIDES.index)}",
                         "pass one of the listed nuclides, e.g. 'Th-232'")
    half_life_s = float(_RADIONUCLIDES.at[nuclide, "half_life_a"]) * 365.25 * 86400.0
    n_a = float(_REGULATORY.at["avogadro_per_mol", "value"])
    return math.log(2.0) * n_a / (half_life_s * atomic_mass(nuclide.split("-")[0]))


@lru_cache(maxsize=256)
def norm_exemption_bq_per_g() -> float:
    """Activity concentration below which NORM is exempt (1 Bq/g per chain member; IAEA RS-G-1.7)."""
    return float(_REGULATORY.at["exemption_th232_chain_bq_per_g", "value"])
