"""Synthetic block models for tests and benchmarks (a fixture, not a deposit).

A smooth ellipsoidal orebody near surface with lognormal noise, written with the columns the deposit
package produces: ``x, y, z, dx, dy, dz, density_t_per_m3, tonnes, treo_frac, <oxide>_frac ...,
caf2_frac, baso4_frac, class``. Parameters: ``reeflow/data/mine/synthetic.yaml`` (all assumed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reeflow.mine._data import load_yaml

__all__ = ["synthetic_block_model", "synthetic_values"]


def synthetic_block_model(nx: int = 40, ny: int = 40, nz: int = 12, *,
                          block_size_m: tuple[float, float, float] = (10.0, 10.0, 5.0),
                          seed: int = 0) -> pd.DataFrame:
    """A regular block model of ``nx × ny × nz`` blocks (x fastest), top bench at z index nz-1."""
    p = load_yaml("synthetic.yaml")
    rng = np.random.default_rng(seed)
    bx, by, bz = block_size_m
    iz, iy, ix = (a.ravel() for a in np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx),
                                                 indexing="ij"))
    u = (ix + 0.5) / nx - 0.5
    w = (iy + 0.5) / ny - 0.5
    depth = (nz - 0.5 - iz) / nz  # 0 at surface, ~1 at the bottom
    r2 = (u / 0.25) ** 2 + (w / 0.3) ** 2 + ((depth - 0.45) / 0.35) ** 2
    noise = np.exp(rng.normal(0.0, p["noise_sigma_log"], ix.size))
    treo = p["treo_background_frac"] + p["treo_peak_frac"] * np.exp(-r2) * noise
    df = pd.DataFrame({"x": (ix + 0.5) * bx, "y": (iy + 0.5) * by, "z": (iz + 0.5) * bz,
                       "dx": bx, "dy": by, "dz": bz})
    df["density_t_per_m3"] = p["density_t_per_m3"]
    df["tonnes"] = df["density_t_per_m3"] * bx * by * bz
    df["treo_frac"] = treo
    for ox, share in p["treo_shares"].items():
        df[f"{ox}_frac"] = treo * share
    for sp, mult in p["byproduct_per_treo"].items():
        df[f"{sp}_frac"] = np.minimum(treo * mult, 0.5)
    df["class"] = np.where(r2 < 1.0, "indicated", "inferred")
    return df


def synthetic_values(nx: int, ny: int, nz: int, *, seed: int = 0) -> np.ndarray:
    """Integer block values (x fastest) of a large synthetic model for pit benchmarks.

    A Gaussian orebody (centre at 35 % depth) with lognormal noise: value = round(100 (6 g - 1)),
    so waste costs 100 and the best ore pays about 500; at 45° about 40 % of a 100³ model is mined.
    """
    rng = np.random.default_rng(seed)
    out = np.empty(nx * ny * nz, dtype=np.int64)
    u = (np.arange(nx) + 0.5) / nx - 0.5
    w = (np.arange(ny) + 0.5) / ny - 0.5
    plane = (u[None, :] / 0.25) ** 2 + (w[:, None] / 0.3) ** 2
    for k in range(nz):  # bench by bench keeps the memory flat
        depth = (nz - 0.5 - k) / nz
        grade = np.exp(-(plane + ((depth - 0.35) / 0.35) ** 2)) * np.exp(
            rng.normal(0.0, 0.3, plane.shape))
        out[k * nx * ny:(k + 1) * nx * ny] = np.round(100 * (6.0 * grade - 1.0)).ravel()
    return out
