"""Paper gates for the shortcut models (Kremser, Fenske, Xu, Underwood) and their guards."""

from __future__ import annotations

import math

import pytest

from reeflow.core.errors import InfeasibleSpecError, InputError
from reeflow.plant.sx import (
    fenske_min_stages,
    kremser_fraction_remaining,
    kremser_stages,
    underwood_min_scrub,
    xu_design,
)


def test_kremser_gate_d10_oa_third_999():
    # ree_separation.md §4.1: D = 10, O/A = 1/3, 99.9 % extracted -> N = 5.44
    assert kremser_stages(10.0, 1 / 3, 0.999) == pytest.approx(5.44, abs=0.005)


def test_kremser_inverse_round_trip_and_limits():
    n = kremser_stages(10.0, 1 / 3, 0.999)
    assert kremser_fraction_remaining(10.0, 1 / 3, n) == pytest.approx(0.001, rel=1e-10)
    assert kremser_fraction_remaining(2.0, 0.5, 1) == pytest.approx(1 / 2)  # N=1: 1/(1+E)
    assert kremser_fraction_remaining(1.0, 1.0, 4) == pytest.approx(1 / 5)  # E=1: 1/(N+1)


def test_kremser_e_below_one_cannot_reach_high_extraction():
    with pytest.raises(InfeasibleSpecError, match="E = D·O/A"):
        kremser_stages(1.0, 0.5, 0.9)


@pytest.mark.parametrize(("beta", "expected"), [(1.5, 45.4), (3.0, 16.8)])
def test_fenske_gates(beta, expected):
    assert fenske_min_stages(beta, 0.9999, 0.9999) == pytest.approx(expected, abs=0.05)


def test_fenske_beta_one_is_infeasible():
    with pytest.raises(InfeasibleSpecError, match="β"):
        fenske_min_stages(1.0, 0.99, 0.99)


def test_xu_worked_example_e1():
    # Zhang, Zhao & Schreiner 2016 via ree_separation.md §3.5 E1
    d = xu_design(2.0, 0.5, 0.999, 0.9999)
    assert d.controlling_section == "scrub"
    assert d.e_m_scrub == pytest.approx(math.sqrt(2))
    assert d.e_m == pytest.approx(0.773, abs=0.001)
    assert d.f_prime_a == pytest.approx(0.50045, abs=1e-5)
    assert d.w_mol_per_mol_feed == pytest.approx(1.2082, abs=1e-4)
    assert d.s_mol_per_mol_feed == pytest.approx(1.7087, abs=1e-4)
    assert d.s_mol_per_mol_feed - d.w_mol_per_mol_feed == pytest.approx(d.f_prime_a, abs=1e-14)
    assert d.n_extraction == pytest.approx(21.1, abs=0.05)
    assert d.m_scrub == pytest.approx(18.9, abs=0.05)
    assert d.w_mol_per_mol_feed / d.w_min_mol_per_mol_feed == pytest.approx(1.21, abs=0.005)


def test_xu_extraction_controlled_when_b_dominates():
    d = xu_design(2.0, 0.2, 0.99, 0.99)
    assert d.controlling_section == "extraction"
    assert d.e_m == pytest.approx(1 / math.sqrt(2))
    assert d.s_mol_per_mol_feed - d.w_mol_per_mol_feed == pytest.approx(d.f_prime_a)


def test_underwood_pure_product_limit():
    beta = 1.8
    w = underwood_min_scrub(beta, 0.4, 1 - 1e-12, 1 - 1e-12)
    assert w == pytest.approx(1 / (beta - 1), rel=1e-9)


def test_bad_purity_is_input_error():
    with pytest.raises(InputError, match="purity_a"):
        xu_design(2.0, 0.5, 1.2, 0.99)
    with pytest.raises(InfeasibleSpecError, match="exceed their feed"):
        xu_design(2.0, 0.5, 0.4, 0.99)
