"""Shortcut cascade models as pure functions: Kremser, Fenske, Underwood and Xu Guangxian.

Sources
-------
- Kremser (single solute, constant D and flows): Kremser, *Natl. Petrol. News* 22 (1930) 42;
  counter-current SX form as given in ``ree_separation.md`` §4.1 (ree-book ch. 3):
  ``(x_in − y_in/D)/(x_out − y_in/D) = (E^(N+1) − 1)/(E − 1)``, ``E = D·O/A``.
- Fenske (total reflux): Fenske, *Ind. Eng. Chem.* 24 (1932) 482;
  ``N_min = ln{[x_P/(1−x_P)]·[(1−x_R)/x_R]} / ln β``.
- Xu Guangxian's theory of counter-current extraction (串级萃取理论), as stated in Zhang, Zhao &
  Schreiner, *Separation Hydrometallurgy of Rare Earth Elements*, Springer 2016, ch. 4
  (via ``ree_separation.md`` §3): optimum extraction ratios ``E_M = 1/√β`` (extraction section
  controls) or ``E'_M = √β'`` (scrub section controls); controlling-section criterion
  ``f'_B > √β/(√β+1)``; stage equations ``n = lg b / lg(β E_M)``, ``m + 1 = lg a / lg(β'/E'_M)``
  (aqueous feed, feed stage counted with the scrub section).
- Minimum reflux: Underwood, *Chem. Eng. Prog.* 44 (1948) 603 applied to Xu's constant-flow,
  constant-β cascade (the binary-distillation analogue, q = 1 for an aqueous feed):
  ``W_min = f'_A [P_A/f_A − β(1 − P_A)/(1 − f_A)]/(β − 1)``, ``S_min = W_min + f'_A``.

Basis of the Xu functions: 1 mol of rare earths fed; A = more extractable (organic product),
B = less extractable (aqueous product); S = RE in the loaded organic, W = RE refluxed by the
scrub acid, both in mol per mol of feed, with ``S − W = f'_A`` exactly.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.core.numeric import REAL_TYPES

__all__ = [
    "kremser_stages",
    "kremser_fraction_remaining",
    "fenske_min_stages",
    "XuDesign",
    "xu_design",
    "xu_product_split",
    "underwood_min_scrub",
]


def _check_open01(field: str, value: float) -> None:
    if isinstance(value, bool) or not (isinstance(value, REAL_TYPES) and 0.0 < value < 1.0):
        raise InputError(field, value, "0 < value < 1", "give a fraction, e.g. 0.999")


def _check_pos(field: str, value: float) -> None:
    if isinstance(value, bool) or not (isinstance(value, REAL_TYPES) and value > 0.0
                                       and math.isfinite(value)):
        raise InputError(field, value, "> 0 and finite", "give a positive number")


def kremser_stages(
    distribution_ratio: float,
    o_to_a: float,
    fraction_extracted: float,
    *,
    y_in_over_x_in: float = 0.0,
) -> float:
    """Ideal stages N for a counter-current extraction (Kremser 1930; ree-book ch. 3).

    ``distribution_ratio`` D = y/x (organic/aqueous concentration), ``o_to_a`` organic/aqueous
    volumetric flow ratio, ``fraction_extracted`` = 1 − x_out/x_in, ``y_in_over_x_in`` the
    entering organic concentration relative to the feed. Gate: D = 10, O/A = 1/3, 99.9 % →
    N = 5.44. Raises InfeasibleSpecError when the extraction factor E = D·O/A cannot reach
    the spec with any number of stages.
    """
    _check_pos("distribution_ratio", distribution_ratio)
    _check_pos("o_to_a", o_to_a)
    _check_open01("fraction_extracted", fraction_extracted)
    e = distribution_ratio * o_to_a
    x_star = y_in_over_x_in / distribution_ratio  # aqueous in equilibrium with entering organic
    x_out = 1.0 - fraction_extracted
    if x_out <= x_star:
        raise InfeasibleSpecError(
            f"raffinate x_out/x_in = {x_out:.3g} is below the equilibrium with the entering "
            f"organic ({x_star:.3g}); no number of stages can reach it"
        )
    ratio = (1.0 - x_star) / (x_out - x_star)
    if abs(e - 1.0) < 1e-12:
        return ratio - 1.0
    arg = ratio * (1.0 - 1.0 / e) + 1.0 / e
    if arg <= 0.0:
        limit = 1.0 - (1.0 - x_star) * (1.0 - e) - x_star
        raise InfeasibleSpecError(
            f"extraction factor E = D·O/A = {e:.4g} < 1 limits extraction to "
            f"{limit:.4g} with infinite stages; asked {fraction_extracted}. Raise O/A or D"
        )
    return math.log(arg) / math.log(e)


def kremser_fraction_remaining(
    distribution_ratio: float, o_to_a: float, n_stages: float
) -> float:
    """x_out/x_in after ``n_stages`` ideal counter-current stages with solute-free organic.

    ``(E − 1)/(E^(N+1) − 1)`` (Kremser 1930); ``1/(N + 1)`` at E = 1.
    """
    _check_pos("distribution_ratio", distribution_ratio)
    _check_pos("o_to_a", o_to_a)
    if isinstance(n_stages, bool) or not (isinstance(n_stages, REAL_TYPES) and math.isfinite(n_stages)
                                          and n_stages >= 0):
        raise InputError("n_stages", n_stages, "a finite number of stages >= 0",
                         "give the number of ideal stages, e.g. 5")
    e = distribution_ratio * o_to_a
    if abs(e - 1.0) < 1e-12:
        return 1.0 / (n_stages + 1.0)
    return (e - 1.0) / (e ** (n_stages + 1.0) - 1.0)


def fenske_min_stages(beta: float, purity_top: float, purity_bottom: float) -> float:
    """Minimum stages at total reflux (Fenske 1932) for a binary with separation factor β.

    ``purity_top`` = fraction of A in the organic product, ``purity_bottom`` = fraction of B in
    the aqueous product. Gates: β 1.5, 99.99 %/99.99 % → 45.4; β 3 → 16.8.
    """
    _check_open01("purity_top", purity_top)
    _check_open01("purity_bottom", purity_bottom)
    _check_pos("beta", beta)
    if not beta > 1.0:
        raise InfeasibleSpecError(
            f"separation factor β = {beta} ≤ 1: no number of stages separates the pair"
        )
    s = (purity_top / (1.0 - purity_top)) * (purity_bottom / (1.0 - purity_bottom))
    return math.log(s) / math.log(beta)


def xu_product_split(f_a: float, purity_a: float, purity_b: float) -> tuple[float, float]:
    """Fractions (f'_A, f'_B) of the feed leaving in the organic and aqueous products.

    Mass balance: ``f'_A = (P_B − f_B)/(P_A + P_B − 1)`` (ree_separation.md §3.1).
    """
    _check_open01("f_a", f_a)
    _check_open01("purity_a", purity_a)
    _check_open01("purity_b", purity_b)
    if purity_a <= f_a or purity_b <= 1.0 - f_a:
        raise InfeasibleSpecError(
            f"product purities (organic product A {purity_a}, raffinate B {purity_b}: "
            f"purity_organic, purity_aqueous) must exceed their feed fractions (A {f_a:.4g}, "
            f"B {1 - f_a:.4g}): raise the purity, or split a feed with more of each group"
        )
    fpa = (purity_b - (1.0 - f_a)) / (purity_a + purity_b - 1.0)
    return fpa, 1.0 - fpa


def underwood_min_scrub(beta: float, f_a: float, purity_a: float, purity_b: float) -> float:
    """Minimum scrub reflux W_min (mol per mol feed) for an aqueous feed (Underwood 1948).

    ``W_min = f'_A [P_A/f_A − β(1 − P_A)/(1 − f_A)]/(β − 1)``; for pure products → 1/(β − 1).
    """
    if not beta > 1.0:
        raise InfeasibleSpecError(f"separation factor β = {beta} ≤ 1: no reflux separates")
    fpa, _ = xu_product_split(f_a, purity_a, purity_b)
    return fpa * (purity_a / f_a - beta * (1.0 - purity_a) / (1.0 - f_a)) / (beta - 1.0)


@dataclass(frozen=True)
class XuDesign:
    """Xu's static design of a two-outlet cascade (aqueous feed), per mol of RE fed."""

    beta: float
    beta_scrub: float
    f_a: float
    purity_a: float
    purity_b: float
    f_prime_a: float
    f_prime_b: float
    controlling_section: str  # "extraction" or "scrub"
    e_m: float  # mixed extraction ratio, extraction section
    e_m_scrub: float  # mixed extraction ratio, scrub section
    s_mol_per_mol_feed: float  # RE in the loaded organic
    w_mol_per_mol_feed: float  # RE refluxed by the scrub acid
    w_min_mol_per_mol_feed: float
    a_factor: float  # purification factor, organic outlet
    b_factor: float  # purification factor, aqueous outlet
    n_extraction: float  # n = lg b / lg(β E_M)
    m_scrub: float  # m = lg a / lg(β'/E'_M) − 1 (feed stage counted once)
    recovery_a: float
    recovery_b: float

    def to_dict(self) -> dict:
        return asdict(self)


def xu_design(
    beta: float,
    f_a: float,
    purity_a: float,
    purity_b: float,
    *,
    beta_scrub: float | None = None,
    reflux_factor: float = 1.0,
) -> XuDesign:
    """Xu Guangxian's optimum design (Zhang, Zhao & Schreiner 2016 ch. 4; notes §3.2–3.4).

    ``beta`` = D_A/D_B in the extraction section, ``beta_scrub`` β' in the scrub section
    (defaults to β), ``f_a`` feed fraction of A, ``purity_a`` A in the organic product,
    ``purity_b`` B in the aqueous product. ``reflux_factor`` scales the optimum W (1 = Xu's
    optimum; S follows from S − W = f'_A). Worked example (E1): β = 2, f_A = 0.5, 99.9 %/99.99 %
    → scrub-controlled, E'_M = √2, W = 1.2082, S = 1.7087, n = 21.1, m = 18.9.
    """
    bs = beta if beta_scrub is None else beta_scrub
    if not (beta > 1.0 and bs > 1.0):
        raise InfeasibleSpecError(
            f"separation factors β = {beta}, β' = {bs} must exceed 1 to separate the pair"
        )
    _check_pos("reflux_factor", reflux_factor)
    fpa, fpb = xu_product_split(f_a, purity_a, purity_b)
    rb, rbs = math.sqrt(beta), math.sqrt(bs)
    if fpb > rb / (rb + 1.0):
        section = "extraction"
        s_opt = fpb / (rb - 1.0)
        w = (s_opt - fpa) * reflux_factor
    else:
        section = "scrub"
        w = fpa / (rbs - 1.0) * reflux_factor
    s = w + fpa
    w_min = underwood_min_scrub(beta, f_a, purity_a, purity_b)
    e_m = s / (1.0 + w)
    e_ms = s / w if w > 0 else math.inf
    a = (purity_a / (1.0 - purity_a)) / (f_a / (1.0 - f_a))
    b = (purity_b / (1.0 - purity_b)) / ((1.0 - f_a) / f_a)
    n = math.log10(b) / math.log10(beta * e_m) if beta * e_m > 1.0 else math.inf
    m = math.log10(a) / math.log10(bs / e_ms) - 1.0 if bs / e_ms > 1.0 else math.inf
    return XuDesign(
        beta=beta, beta_scrub=bs, f_a=f_a, purity_a=purity_a, purity_b=purity_b,
        f_prime_a=fpa, f_prime_b=fpb, controlling_section=section, e_m=e_m, e_m_scrub=e_ms,
        s_mol_per_mol_feed=s, w_mol_per_mol_feed=w, w_min_mol_per_mol_feed=w_min,
        a_factor=a, b_factor=b, n_extraction=n, m_scrub=m,
        recovery_a=fpa * purity_a / f_a, recovery_b=fpb * purity_b / (1.0 - f_a),
    )
