"""The separable response surface: exact where its form holds, linear beyond the nodes."""

from __future__ import annotations

import numpy as np
import pytest

from reeflow.risk.surrogate import Axis, Surrogate, scan_nodes


def _axis(path, nodes, f, feasible=None):
    nodes = np.asarray(nodes, float)
    values = np.vstack([f(x) for x in nodes])
    return Axis(path, nodes, values, feasible or (nodes[0], nodes[-1]))


def test_scan_nodes_add_a_midpoint_and_round_integers():
    assert scan_nodes(0.75, 0.9, 0.9) == [0.75, 0.825, 0.9]
    assert scan_nodes(2.0, 3.0, 7.0) == [2.0, 3.0, 7.0]
    assert scan_nodes(30, 100, 300, integer=True) == [30.0, 100.0, 300.0]
    assert scan_nodes(1, 1, 2, integer=True) == [1.0, 2.0]


def test_products_of_one_input_factors_are_exact():
    # a flow proportional to recovery r_b times r_l (both linear): exact in the multiplicative form
    def out(rb, rl):
        return np.array([10.0 * rb * rl, 5.0 + rb])

    base = out(0.7, 0.9)
    a = _axis("rb", [0.3, 0.5, 0.7], lambda x: out(x, 0.9))
    b = _axis("rl", [0.75, 0.825, 0.9], lambda x: out(0.7, x))
    s = Surrogate.fit(["flow", "other"], base, [a, b])
    X = np.array([[0.42, 0.8], [0.33, 0.76], [0.7, 0.9]])
    got = s(X)
    want = np.vstack([out(*x) for x in X])
    np.testing.assert_allclose(got[:, 0], want[:, 0], rtol=1e-12)
    # 5 + rb does not depend on rl: the multiplicative form is exact there too
    np.testing.assert_allclose(got[:, 1], want[:, 1], rtol=1e-12)


def test_outputs_with_a_sign_change_combine_additively():
    def out(x, y):
        return np.array([x - 1.0 + 2.0 * y])

    s = Surrogate.fit(["v"], out(1.0, 0.0), [_axis("x", [0.0, 1.0, 2.0], lambda x: out(x, 0.0)),
                                            _axis("y", [-1.0, 0.0, 1.0], lambda y: out(1.0, y))])
    assert not s.multiplicative[0]
    np.testing.assert_allclose(s(np.array([[0.5, 0.7], [1.8, -0.3]]))[:, 0],
                               [0.5 - 1 + 1.4, 1.8 - 1 - 0.6], rtol=1e-12)


def test_linear_extrapolation_beyond_the_nodes():
    ax = _axis("x", [0.0, 1.0, 2.0], lambda x: np.array([3.0 * x + 1.0]))
    np.testing.assert_allclose(ax.at(np.array([-1.0, 3.0]))[:, 0], [-2.0, 10.0])


def test_monotone_between_nodes_no_overshoot():
    # a step (an SX stage count changing) must not overshoot between nodes
    ax = _axis("x", [0.0, 1.0, 2.0], lambda x: np.array([0.0 if x < 1.5 else 1.0]))
    y = ax.at(np.linspace(0, 2, 41))[:, 0]
    assert y.min() >= -1e-12 and y.max() <= 1.0 + 1e-12
    assert np.all(np.diff(y) >= -1e-12)


def test_feasible_interval():
    ax = _axis("x", [0.0, 1.0], lambda x: np.array([1.0]), feasible=(0.0, 0.6))
    s = Surrogate.fit(["v"], np.array([1.0]), [ax])
    assert s.feasible(np.array([[0.5], [0.7]])).tolist() == [True, False]


def test_single_node_axis_is_constant():
    ax = Axis("x", np.array([1.0]), np.array([[2.0]]), (1.0, 1.0))
    assert ax.at(np.array([0.0, 5.0]))[:, 0].tolist() == pytest.approx([2.0, 2.0])
