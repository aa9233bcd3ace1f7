"""A separable response surface of the design stage, fitted on rigorous one-at-a-time scans.

What is built once (the design-basis plant, SX train, capex, fixed opex, block valuation) is
evaluated rigorously at a few values of each drawn input (its low end, the project value and its
high end; a midpoint where two of them coincide), the others at the project's values — the same
points a tornado diagram uses (Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*,
§1.2). Each output is then interpolated along each input with a monotone piecewise-cubic
(Fritsch & Carlson 1980, SIAM J. Numer. Anal. 17(2):238–246; linear beyond the end nodes) and the
inputs' effects combined

- multiplicatively, ``z = z₀ Π_i z_i(θ_i) / z₀``, for an output that is positive at every node
  (exact when an output is a product of one-input factors, as a plant's flows are of its
  recoveries: a flow ∝ r_beneficiation × r_leach);
- additively, ``z = z₀ + Σ_i (z_i(θ_i) − z₀)``, otherwise.

Interactions beyond those forms are the surrogate's error; it is measured against the rigorous
chain at joint draws (:func:`reeflow.risk.fast.validate`) and stated with the results.
An input whose scan hits a failure of the chain (e.g. an SX design outside the mixer-settler
window) is bisected to the last value that works; draws beyond it are reported as infeasible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.interpolate import PchipInterpolator

__all__ = ["Axis", "Surrogate", "scan_nodes"]


def scan_nodes(low: float, mode: float, high: float, *, integer: bool = False) -> list[float]:
    """Values at which an input is scanned: low, project value and high end (a midpoint added
    where two coincide; whole numbers for an integer input)."""
    nodes = sorted({float(low), float(mode), float(high)})
    if len(nodes) == 2:
        nodes = [nodes[0], 0.5 * (nodes[0] + nodes[1]), nodes[1]]
    if integer:
        nodes = sorted({float(round(v)) for v in nodes})
    return nodes


@dataclass(frozen=True)
class Axis:
    """The outputs at the scanned values of one input (the others at the project's values).

    ``nodes``: (m,) increasing; ``values``: (m, n_outputs); ``feasible``: the interval of values
    at which the chain runs (draws outside it are infeasible)."""

    path: str
    nodes: np.ndarray
    values: np.ndarray
    feasible: tuple[float, float]

    def at(self, x: np.ndarray) -> np.ndarray:
        """Outputs along the axis at ``x`` (n,) → (n, n_outputs): PCHIP inside, linear outside."""
        x = np.asarray(x, float)
        if self.nodes.size == 1:
            return np.repeat(self.values[:1], x.size, axis=0)
        lo, hi = self.nodes[0], self.nodes[-1]
        inside = np.clip(x, lo, hi)
        out = PchipInterpolator(self.nodes, self.values, axis=0)(inside)
        left = (self.values[1] - self.values[0]) / (self.nodes[1] - self.nodes[0])
        right = (self.values[-1] - self.values[-2]) / (self.nodes[-1] - self.nodes[-2])
        out += np.minimum(x - lo, 0.0)[:, None] * left[None, :]
        out += np.maximum(x - hi, 0.0)[:, None] * right[None, :]
        return out


@dataclass(frozen=True)
class Surrogate:
    """Outputs ``names`` as a separable function of the scanned inputs (see the module)."""

    names: tuple[str, ...]
    base: np.ndarray
    axes: tuple[Axis, ...]
    multiplicative: np.ndarray

    @classmethod
    def fit(cls, names: Sequence[str], base: np.ndarray, axes: Sequence[Axis]) -> Surrogate:
        base = np.asarray(base, float)
        mult = np.isfinite(base) & (base > 0)
        for ax in axes:
            mult &= np.all(np.isfinite(ax.values) & (ax.values > 0), axis=0)
        return cls(tuple(names), base, tuple(axes), mult)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Outputs (n, n_outputs) at inputs ``X`` (n, len(axes)), columns in axis order."""
        X = np.atleast_2d(np.asarray(X, float))
        n = X.shape[0]
        ratio = np.ones((n, self.base.size))
        delta = np.zeros((n, self.base.size))
        with np.errstate(divide="ignore", invalid="ignore"):
            for j, ax in enumerate(self.axes):
                v = ax.at(X[:, j])
                ratio *= np.where(self.multiplicative, v / self.base, 1.0)
                delta += np.where(self.multiplicative, 0.0, v - self.base)
        return np.where(self.multiplicative, self.base * ratio, self.base + delta)

    def feasible(self, X: np.ndarray) -> np.ndarray:
        """True where every input lies inside its axis' feasible interval."""
        X = np.atleast_2d(np.asarray(X, float))
        ok = np.ones(X.shape[0], dtype=bool)
        for j, ax in enumerate(self.axes):
            lo, hi = ax.feasible
            ok &= (X[:, j] >= lo - 1e-12 * max(abs(lo), 1.0)) & \
                  (X[:, j] <= hi + 1e-12 * max(abs(hi), 1.0))
        return ok

    def column(self, name: str) -> int:
        return self.names.index(name)
