"""Variogram / covariance models: a small registry of structures, nested models with nugget.

Structures (unit sill, practical range ``a``; Deutsch & Journel 1998, *GSLIB*, 2nd ed., §II.3,
eq. II.14–II.16; Chilès & Delfiner 2012, *Geostatistics*, §2.5):

- spherical:   γ(h) = 1.5 h/a − 0.5 (h/a)³ for h < a, 1 beyond;
- exponential: γ(h) = 1 − exp(−3h/a)   (practical range a);
- gaussian:    γ(h) = 1 − exp(−3(h/a)²) (practical range a).

Covariance C(h) = C(0) − γ(h), C(0) = nugget + Σ sills. Geometric anisotropy: the lag is
rotated into (major, semi-major, minor) axes and divided by the three ranges. Angles: azimuth of
the major axis clockwise from north, plunge of the major axis (positive downwards), rake about the
major axis — a GSLIB-like convention stated here, not a copy of any one package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from reeflow.core.errors import InputError

__all__ = [
    "vec3",
    "STRUCTURES",
    "Structure",
    "VariogramModel",
    "rotation_matrix",
    "anisotropy_matrix",
]


def _sph(r: np.ndarray) -> np.ndarray:
    r = np.minimum(r, 1.0)
    return 1.5 * r - 0.5 * r**3


def _exp(r: np.ndarray) -> np.ndarray:
    return 1.0 - np.exp(-3.0 * r)


def _gau(r: np.ndarray) -> np.ndarray:
    return 1.0 - np.exp(-3.0 * r * r)


#: name -> (integer code used by the compiled kernel, unit-sill γ(h/a) in NumPy)
STRUCTURES: dict[str, tuple[int, Callable[[np.ndarray], np.ndarray]]] = {
    "spherical": (0, _sph),
    "exponential": (1, _exp),
    "gaussian": (2, _gau),
}


def vec3(values, field: str = "vector") -> tuple[float, float, float]:
    """Three floats from any sequence of three numbers (InputError otherwise)."""
    try:
        a = [float(v) for v in values]
    except (TypeError, ValueError):
        raise InputError(field, values, "three numbers",
                         "write a list of exactly three numbers, e.g. [0, 0, 0]") from None
    if len(a) != 3:
        raise InputError(field, values, "three numbers",
                         "write a list of exactly three numbers, e.g. [0, 0, 0]")
    return (a[0], a[1], a[2])


def rotation_matrix(angles_deg: tuple[float, float, float]) -> np.ndarray:
    """Rows: unit vectors (east, north, up) of the major, semi-major and minor axes."""
    az, pl, rk = np.radians(np.asarray(angles_deg, float))
    u = np.array([np.sin(az) * np.cos(pl), np.cos(az) * np.cos(pl), -np.sin(pl)])
    v0 = np.array([np.cos(az), -np.sin(az), 0.0])
    w0 = np.cross(v0, u)
    v = np.cos(rk) * v0 + np.sin(rk) * w0
    w = -np.sin(rk) * v0 + np.cos(rk) * w0
    return np.vstack([u, v, w])


def anisotropy_matrix(ranges_m: tuple[float, float, float],
                      angles_deg: tuple[float, float, float]) -> np.ndarray:
    """Matrix M with |M·h| = anisotropic reduced lag (1 at the range along each axis)."""
    r = np.asarray(ranges_m, float)
    if r.shape != (3,) or not np.all(r > 0):
        raise InputError("ranges_m", tuple(r), "three ranges > 0 m (major, semi, minor)",
                         "give three ranges above 0 m (major, semi, minor), e.g. [200, 100, 20]")
    return rotation_matrix(angles_deg) / r[:, None]


@dataclass(frozen=True)
class Structure:
    """One nested structure: ``kind`` in :data:`STRUCTURES`, partial sill, ranges (m), angles."""

    kind: str
    sill: float
    ranges_m: tuple[float, float, float]
    angles_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        if self.kind not in STRUCTURES:
            raise InputError("structure.kind", self.kind, ", ".join(STRUCTURES),
                             "set the structure kind to one of the listed variogram models")
        if not self.sill >= 0:
            raise InputError("structure.sill", self.sill, ">= 0",
                             "set the structure's sill (its share of the variance) to 0 or more")
        anisotropy_matrix(self.ranges_m, self.angles_deg)


@dataclass(frozen=True)
class VariogramModel:
    """Nugget plus nested structures (sills in squared grade units)."""

    nugget: float
    structures: tuple[Structure, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.nugget >= 0:
            raise InputError("variogram.nugget", self.nugget, ">= 0", "set the nugget to 0 or more")
        if not self.structures and self.nugget <= 0:
            raise InputError("variogram.structures", (), "at least one structure or a nugget",
                             "add at least one structure, or a nugget above 0")

    @property
    def sill(self) -> float:
        """Total sill C(0)."""
        return self.nugget + sum(s.sill for s in self.structures)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(codes int64 (ns,), sills (ns,), matrices (ns, 3, 3)) for the compiled kernel."""
        codes = np.array([STRUCTURES[s.kind][0] for s in self.structures], np.int64)
        sills = np.array([s.sill for s in self.structures], float)
        mats = np.array([anisotropy_matrix(s.ranges_m, s.angles_deg) for s in self.structures],
                        float).reshape(-1, 3, 3)
        return codes, sills, mats

    def gamma(self, lag_xyz: np.ndarray) -> np.ndarray:
        """γ for lag vectors (..., 3); zero lag gives 0 (nugget only at h > 0)."""
        lag = np.asarray(lag_xyz, float)
        g = np.where(np.linalg.norm(lag, axis=-1) > 1e-10, self.nugget, 0.0)
        for s in self.structures:
            r = np.linalg.norm(lag @ anisotropy_matrix(s.ranges_m, s.angles_deg).T, axis=-1)
            g = g + s.sill * STRUCTURES[s.kind][1](r)
        return g

    def gamma_iso(self, h_m: np.ndarray, axis: int = 0) -> np.ndarray:
        """γ(h) along one principal axis (0 major, 1 semi-major, 2 minor) of each structure."""
        h = np.asarray(h_m, float)
        g = np.where(h > 1e-10, self.nugget, 0.0)
        for s in self.structures:
            g = g + s.sill * STRUCTURES[s.kind][1](h / s.ranges_m[axis])
        return g

    def covariance(self, lag_xyz: np.ndarray) -> np.ndarray:
        """C(h) = C(0) − γ(h)."""
        return self.sill - self.gamma(lag_xyz)

    def to_dict(self) -> dict:
        return {"nugget": self.nugget, "structures": [
            {"kind": s.kind, "sill": s.sill, "ranges_m": list(s.ranges_m),
             "angles_deg": list(s.angles_deg)} for s in self.structures]}

    @classmethod
    def from_dict(cls, d: dict) -> VariogramModel:
        try:
            return cls(float(d.get("nugget", 0.0)), tuple(
                Structure(s["kind"], float(s["sill"]), vec3(s["ranges_m"], "ranges_m"),
                          vec3(s.get("angles_deg", (0, 0, 0)), "angles_deg"))
                for s in d.get("structures", [])))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError("variogram", d, "{nugget, structures: [{kind, sill, ranges_m, "
                             "angles_deg}]}", f"check the model file ({exc})") from None
