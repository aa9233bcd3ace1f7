"""Unconditional Gaussian random fields on a regular grid by circulant embedding.

The covariance of the model is sampled on a periodic grid at least one range larger than the
target grid on every axis (minimum-image lags), its FFT gives the eigenvalues of the embedding
circulant matrix, and one complex FFT of scaled complex white noise gives two independent
realisations (real and imaginary parts; the real part is returned). Exact in distribution when
all eigenvalues are non-negative (Dietrich & Newsam 1997, *SIAM J. Sci. Comput.* 18(4):
1088–1107, §2; Wood & Chan 1994, *J. Comput. Graph. Stat.* 3(4):409–432); for compactly
supported models (spherical) an embedding one range larger suffices. Negative eigenvalues, if
any, are set to 0 and their relative size is returned so the caller can judge the error. The
nugget is added as independent white noise.

Used to make fields with KNOWN parameters (variography recovery tests, synthetic data).
"""

from __future__ import annotations

import numpy as np

from reeflow.core.errors import InputError
from reeflow.deposit.models import VariogramModel

__all__ = ["simulate_grid", "MAX_EMBEDDING_NODES"]

#: Refused above this many embedding nodes (complex FFT memory ~16 bytes each, ×3 working).
MAX_EMBEDDING_NODES = 40_000_000


def _smooth(n: int) -> int:
    """Smallest 5-smooth integer >= n (fast FFT sizes)."""
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def simulate_grid(model: VariogramModel, shape: tuple[int, int, int],
                  spacing_m: tuple[float, float, float], *, seed: int = 0,
                  ) -> tuple[np.ndarray, float]:
    """One realisation (shape nx, ny, nz; node (i, j, k) at (i dx, j dy, k dz)) of a zero-mean
    Gaussian field with covariance ``model``; returns (field, relative size of the largest
    negative eigenvalue that was clipped, 0 when the embedding is exact)."""
    shape_a = np.asarray(shape, int)
    d = np.asarray(spacing_m, float)
    if shape_a.shape != (3,) or np.any(shape_a < 1) or d.shape != (3,) or np.any(d <= 0):
        raise InputError("simulate_grid", (shape, spacing_m), "3 counts >= 1 and 3 spacings > 0",
                         "pass shape as three node counts >= 1 and spacing_m as three spacings > 0 "
                         "m")
    rmax = max((max(s.ranges_m) for s in model.structures), default=0.0)
    m = [_smooth(int(n) + int(np.ceil(rmax / s)) + 1) for n, s in zip(shape_a, d, strict=True)]
    if int(np.prod(m)) > MAX_EMBEDDING_NODES:
        raise InputError("simulate_grid.shape", tuple(int(v) for v in shape_a),
                         f"an embedding of at most {MAX_EMBEDDING_NODES:,} nodes "
                         f"({int(np.prod(m)):,} needed)", "use a coarser or smaller grid")
    ax = [np.where(np.arange(k) <= k // 2, np.arange(k), np.arange(k) - k) * s
          for k, s in zip(m, d, strict=True)]
    lag = np.stack(np.meshgrid(*ax, indexing="ij"), axis=-1).reshape(-1, 3)
    cov = np.zeros(len(lag))
    for st in model.structures:
        sub = VariogramModel(0.0, (st,))
        cov += st.sill - sub.gamma(lag)
    lam = np.fft.fftn(cov.reshape(m)).real
    neg = float(max(0.0, -lam.min()) / lam.max()) if lam.max() > 0 else 0.0
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    f = np.fft.fftn(np.sqrt(np.maximum(lam, 0.0) / np.prod(m)) * noise).real
    out = np.ascontiguousarray(f[:shape_a[0], :shape_a[1], :shape_a[2]])
    if model.nugget > 0:
        out += np.sqrt(model.nugget) * rng.standard_normal(out.shape)
    return out, neg
