"""What a Monte Carlo draws: inputs named by project path, their marginals, correlations and
price paths by year.

Every input of a project with a stated ``range`` can be drawn; its marginal is the
``distribution`` its provenance names (triangular when none):

- ``triangular`` (low, the project's value, high) and ``pert`` (Beta-PERT with the same three
  points, shape 4): Vose (2008), *Risk Analysis*, 3rd ed., Wiley, §9.1.6 and §9.1.7;
- ``uniform`` (low, high);
- ``normal`` (mean = the value) and ``lognormal`` (median = the value): the range is read as the
  central 90 % interval (σ = (high − low) / 3.29, resp. ln(high / low) / 3.29), and draws are
  truncated to the bounds the project schema allows the field (a recovery stays in 0..1).

An integer field (e.g. ``economics.closure.aftercare_years``) draws a whole number (the
continuous draw rounded half to even). Shares of one distribution (``ore.ree_distribution.*``)
drawn together are renormalised to sum to one, as :func:`reeflow.chain.with_overrides` does.

Correlations (``risk.correlation``): Iman & Conover (1982), "A distribution-free approach to
inducing rank correlation among input variables", Commun. Statist. Simul. Comput. 11(3):311–334
— independent draws are re-ordered so that their rank correlation follows the target while each
marginal is kept exactly (van der Waerden scores); or a Gaussian copula (Nelsen 2006, *An
Introduction to Copulas*, 2nd ed., Springer, §2.10). A matrix that is not positive
semi-definite is an InputError naming its smallest eigenvalue.

Price paths (``risk.price_paths``): the drawn price multiplier sets the level; each year's price
is that level times exp(X_t − Var(X_t)/2), X a discretised Ornstein–Uhlenbeck process of the log
price from X_0 = 0 (Schwartz 1997, J. Finance 52(3):923–973, one-factor model), so the path has
mean one in every year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from reeflow.core.errors import InputError, did_you_mean

__all__ = ["InputSpec", "ranged_inputs", "unranged_input", "input_specs", "draw", "Draws", "MAX_DRAWS",
           "correlation_matrix", "iman_conover", "price_paths", "effective_row"]

#: Most draws one call may ask for.
MAX_DRAWS = 1_000_000
_Z90 = 2.0 * special.ndtri(0.95)  # width of the central 90 % interval in standard deviations
_PERT_SHAPE = 4.0


def rng_for(seed: int, stream: int = 0) -> np.random.Generator:
    """A generator for any integer seed (negative and huge ones map into numpy's range) and an
    independent stream number (draws, correlation scores and price paths use their own)."""
    return np.random.default_rng([int(seed) % 2**63, int(stream)])


@dataclass(frozen=True)
class InputSpec:
    """One drawn input: its project path, marginal and the bounds its field allows
    (canonical units)."""

    path: str
    kind: str
    low: float
    mode: float
    high: float
    integer: bool = False
    bound_low: float = -np.inf
    bound_high: float = np.inf

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF at probabilities ``u`` (0 < u < 1)."""
        u = np.asarray(u, float)
        lo, mo, hi = self.low, self.mode, self.high
        if hi <= lo:
            x = np.full(u.shape, lo)
        elif self.kind == "uniform":
            x = lo + u * (hi - lo)
        elif self.kind == "triangular":
            c = (mo - lo) / (hi - lo)
            x = np.where(u < c, lo + np.sqrt(u * (hi - lo) * (mo - lo)),
                         hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - mo)))
        elif self.kind == "pert":
            a = 1.0 + _PERT_SHAPE * (mo - lo) / (hi - lo)
            b = 1.0 + _PERT_SHAPE * (hi - mo) / (hi - lo)
            x = lo + (hi - lo) * special.betaincinv(a, b, u)
        else:
            x = self._truncated(u)
        return np.round(x) if self.integer else x

    def _truncated(self, u: np.ndarray) -> np.ndarray:
        """Normal / lognormal on the central-90 % reading of the range, truncated to bounds."""
        if self.kind == "normal":
            mu, sd = self.mode, (self.high - self.low) / _Z90
            z_lo = (self.bound_low - mu) / sd
            z_hi = (self.bound_high - mu) / sd
            p_lo, p_hi = special.ndtr(z_lo), special.ndtr(z_hi)
            return mu + sd * special.ndtri(p_lo + u * (p_hi - p_lo))
        if self.low <= 0 or self.mode <= 0:
            raise InputError(f"{self.path}.distribution", "lognormal",
                             "a positive value and range for a lognormal",
                             "use normal, triangular or pert for a quantity that can be 0")
        med, s = np.log(self.mode), np.log(self.high / self.low) / _Z90
        b_lo = np.log(self.bound_low) if self.bound_low > 0 else -np.inf
        b_hi = np.log(self.bound_high) if np.isfinite(self.bound_high) else np.inf
        p_lo, p_hi = special.ndtr((b_lo - med) / s), special.ndtr((b_hi - med) / s)
        return np.exp(med + s * special.ndtri(p_lo + u * (p_hi - p_lo)))

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "distribution": self.kind, "low": self.low,
                "mode": self.mode, "high": self.high, "integer": self.integer}


def ranged_inputs(loaded: Any) -> dict[str, tuple[float, float, float]]:
    """Project paths with a stated numeric range: path → (low, value, high), canonical units."""
    from reeflow.core.projectfile import value_at

    out = {}
    for path, pv in loaded.provenance.items():
        if pv.range is None:
            continue
        lo, hi = pv.range
        value = value_at(loaded.project, path)
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (lo, hi, value)):
            out[path] = (float(lo), float(value), float(hi))
    return out


def unranged_input(loaded: Any, listed_in: str, path: str,
                   ranged: Mapping[str, Any]) -> InputError:
    """The error for a path listed in ``listed_in`` (``economics.sensitivity_inputs``,
    ``risk.inputs``) without a stated range. Where the path holds a value, the error names that
    path, as the user wrote it (typically a plain value written over a case's ranged record in
    a file that ``extends`` it); otherwise it names the list and the ranged paths."""
    from reeflow.core.projectfile import value_at

    try:
        value = value_at(loaded.project, path)
    except Exception:  # noqa: BLE001 - not a path of the project: a typo in the list
        value = None
    from pydantic import BaseModel

    if value is None or isinstance(value, Mapping | BaseModel):  # a section: no value to range
        # the list goes in the fix (longer lines kept whole): in "allowed" it was cut in the
        # middle of a name at 600 characters (fuzz round 20)
        names = sorted(ranged)
        hint = did_you_mean(path, names, fallback=False, n=2)
        hint = f"{hint} " if hint else ""
        return InputError(listed_in, path, "a project path with a stated range",
                          f"{hint}the ranged paths are {', '.join(names)}; or add range: "
                          "[low, high] to that input in the project file")
    return InputError(path, value, f"a value with a range, since {listed_in} lists it",
                      f"write {path.rsplit('.', 1)[-1]}: {{value: ..., range: [low, high]}}, "
                      f"or remove {path} from {listed_in}")


def _field_bounds(path: str) -> tuple[float, float]:
    """Bounds the project schema puts on the field at ``path`` (from its Q metadata)."""
    from reeflow.core.projectfile import field_info
    from reeflow.project import Project

    cls: Any = Project
    info: Any = None
    parts = path.split(".")
    for i, part in enumerate(parts):
        info = field_info(cls, part)
        if info is None:
            break
        ann = info.annotation
        nxt = [a for a in (ann, *getattr(ann, "__args__", ())) if isinstance(a, type)
               and hasattr(a, "model_fields")]
        if nxt:
            cls = nxt[0]
        elif i == len(parts) - 2:  # a mapping of quantities (ore.ree_distribution.Ce)
            value_type = getattr(ann, "__args__", (None,))[-1]
            return _bounds(_extra_of(getattr(value_type, "__metadata__", ())))
    extra: Any = getattr(info, "json_schema_extra", None) if info is not None else None
    return _bounds(extra if isinstance(extra, dict) else {})


def _extra_of(meta: Sequence[Any]) -> dict[str, Any]:
    for m in meta:
        extra = getattr(m, "json_schema_extra", None)
        if isinstance(extra, dict):
            return extra
    return {}


def _bounds(extra: Mapping[str, Any]) -> tuple[float, float]:
    lo = max(float(extra.get("x-ge", -np.inf)), float(extra.get("x-gt", -np.inf)))
    hi = min(float(extra.get("x-le", np.inf)), float(extra.get("x-lt", np.inf)))
    return lo, hi


def input_specs(loaded: Any, inputs: Sequence[str] | None = None) -> list[InputSpec]:
    """The drawn inputs of a project: ``inputs`` (project paths), else the project's
    ``risk.inputs``, else every input with a stated range — each with its marginal."""
    from reeflow.core.projectfile import value_at

    ranged = ranged_inputs(loaded)
    listed = loaded.project.risk.inputs
    names = list(inputs) if inputs is not None else list(ranged if listed is None else listed)
    if len(set(names)) != len(names):
        raise InputError("risk.inputs", names, "each input once", "remove the repeated path")
    specs = []
    for name in names:
        if name not in ranged:
            raise unranged_input(loaded, "risk.inputs", name, ranged)
        lo, mode, hi = ranged[name]
        kind = loaded.provenance[name].distribution or "triangular"
        value = value_at(loaded.project, name)
        b_lo, b_hi = _field_bounds(name)
        _check_symmetric(name, kind, lo, mode, hi)
        specs.append(InputSpec(name, kind, lo, min(max(mode, lo), hi), hi,
                               integer=isinstance(value, int) and not isinstance(value, bool),
                               bound_low=b_lo, bound_high=b_hi))
    return specs


#: How far (share of the range's width, on the log scale for a lognormal) the project's value
#: may sit from the middle of its range for a normal or lognormal: the range is read as the
#: distribution's central 90 % interval, which is centred on the mean (median) by definition
_CENTRE_TOL = 0.1


def _check_symmetric(name: str, kind: str, lo: float, mode: float, hi: float) -> None:
    """A normal (lognormal) reads the range as its central 90 % interval around the value: a
    value far from the range's (geometric) middle cannot be that, and its draws would leave the
    range on one side (a value of 1.0 in [0.69, 1.0] drew half its values above 1.0)."""
    if kind not in ("normal", "lognormal") or hi <= lo:
        return
    if kind == "normal":
        off = abs(mode - 0.5 * (lo + hi)) / (hi - lo)
    elif lo > 0 and mode > 0:
        off = abs(np.log(mode) - 0.5 * (np.log(lo) + np.log(hi))) / np.log(hi / lo)
    else:
        return  # the lognormal's own check names a non-positive value or range
    if off > _CENTRE_TOL:
        mid = 0.5 * (lo + hi) if kind == "normal" else float(np.sqrt(lo * hi))
        raise InputError(f"{name}.distribution", kind,
                         f"a {kind} whose range is centred on the value (the range is read "
                         f"as its central 90 % interval; here the value {mode:g} is off the "
                         f"middle {mid:g} of [{lo:g}, {hi:g}])",
                         "use triangular or pert for a skewed range, or centre the range "
                         "on the value")


def check_risk_section(loaded: Any) -> int:
    """What ``reeflow risk`` would refuse in a project's ``risk`` section and ranges, without
    drawing: the drawn inputs and their marginals, the correlation pairs (``reeflow validate``
    calls it). Returns the number of drawn inputs."""
    specs = input_specs(loaded)
    for spec in specs:
        spec.ppf(np.array([0.05, 0.5, 0.95]))
    correlation_matrix(specs, loaded.project.risk.correlation.pairs)
    return len(specs)


@dataclass(frozen=True)
class Draws:
    """The drawn inputs (one row per draw, one column per input, canonical units), the price
    paths (draw × path input × production year) and the realisation of each draw."""

    names: tuple[str, ...]
    values: np.ndarray
    path_names: tuple[str, ...]
    paths: np.ndarray
    realisation: np.ndarray

    @property
    def n(self) -> int:
        return int(self.values.shape[0])

    def rows(self, start: int = 0, stop: int | None = None) -> list[dict[str, float]]:
        return [dict(zip(self.names, map(float, r), strict=True))
                for r in self.values[start:stop]]


def correlation_matrix(specs: Sequence[InputSpec], pairs: Sequence[Any]) -> np.ndarray:
    """The target correlation matrix of the drawn inputs from the stated pairs (others 0);
    InputError if a pair names an input not drawn or the matrix is not positive semi-definite."""
    names = [s.path for s in specs]
    pos = {n: i for i, n in enumerate(names)}
    R = np.eye(len(names))
    seen: set[frozenset[str]] = set()
    for pair in pairs:
        a, b = pair.inputs
        if frozenset((a, b)) in seen:
            raise InputError("risk.correlation.pairs", [a, b], "each pair of inputs once",
                             "remove the repeated pair (the order of the two inputs does not "
                             "matter)")
        seen.add(frozenset((a, b)))
        for x in (a, b):
            if x not in pos:
                raise InputError("risk.correlation.pairs", x, f"a drawn input ({names})",
                                 "draw the input or remove the pair")
        R[pos[a], pos[b]] = R[pos[b], pos[a]] = float(pair.rho)
    w = np.linalg.eigvalsh(R)
    if w.min() < -1e-10:
        raise InputError("risk.correlation.pairs", f"smallest eigenvalue {w.min():.4g}",
                         "a positive semi-definite correlation matrix",
                         "the stated correlations are mutually inconsistent; reduce them")
    return R


def _root(R: np.ndarray) -> np.ndarray:
    """A square root P of R (R = P Pᵀ) that exists for singular PSD matrices too."""
    w, V = np.linalg.eigh(R)
    return V * np.sqrt(np.clip(w, 0.0, None))


def iman_conover(x: np.ndarray, R: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Re-order each column of ``x`` (n × k) so that the rank correlation follows ``R`` while
    every column keeps its values (Iman & Conover 1982, §3: van der Waerden scores, T = S Q⁻ᵀ Pᵀ
    with E = Q Qᵀ the scores' own correlation and R = P Pᵀ)."""
    n, k = x.shape
    if k < 2 or np.allclose(R, np.eye(k)):
        return x
    scores = special.ndtri(np.arange(1, n + 1) / (n + 1.0))
    S = np.column_stack([rng.permutation(scores) for _ in range(k)])
    E = np.corrcoef(S, rowvar=False)
    Q = np.linalg.cholesky(E + 1e-12 * np.eye(k))
    T = S @ np.linalg.inv(Q).T @ _root(R).T
    out = np.empty_like(x)
    for j in range(k):
        ranks = np.argsort(np.argsort(T[:, j], kind="stable"), kind="stable")
        out[:, j] = np.sort(x[:, j], kind="stable")[ranks]
    return out


def price_paths(n: int, params: Mapping[str, Any], years: int, *, seed: int) -> np.ndarray:
    """Multipliers (n × len(params) × years) with mean one in every year: log-price OU."""
    out = np.ones((n, len(params), max(int(years), 1)))
    for j, (_, pp) in enumerate(sorted(params.items())):
        rng = rng_for(seed, 3 + j)
        sigma, kappa = float(pp.volatility_frac), float(pp.mean_reversion_per_a)
        phi = np.exp(-kappa)
        step = sigma * (np.sqrt((1.0 - phi**2) / (2.0 * kappa)) if kappa > 0 else 1.0)
        x = np.zeros(n)
        var = 0.0
        for t in range(out.shape[2]):
            x = phi * x + step * rng.standard_normal(n)
            var = phi**2 * var + step**2
            out[:, j, t] = np.exp(x - 0.5 * var)
    return out


def draw(loaded: Any, n: int, *, seed: int, inputs: Sequence[str] | None = None,
         realisations: int | None = None) -> Draws:
    """``n`` draws of the project's drawn inputs (correlated as the project states), their
    price paths by production year and the deposit realisation each runs on (draw i on
    realisation i mod R; -1 = the kriged estimate)."""
    if not (isinstance(n, (int, np.integer)) and not isinstance(n, bool) and 1 <= n <= MAX_DRAWS):
        raise InputError("--draws", n, f"an integer 1..{MAX_DRAWS}",
                         f"give a whole number of draws from 1 to {MAX_DRAWS}, e.g. --draws 1000")
    risk = loaded.project.risk
    specs = input_specs(loaded, inputs)
    u = rng_for(seed, 0).random((n, len(specs)))
    R = correlation_matrix(specs, risk.correlation.pairs)
    if risk.correlation.method == "gaussian_copula" and not np.allclose(R, np.eye(len(specs))):
        z = special.ndtri(np.clip(u, 1e-15, 1 - 1e-15)) @ _root(R).T
        u = np.clip(special.ndtr(z), 1e-15, 1 - 1e-15)
        x = np.column_stack([s.ppf(u[:, j]) for j, s in enumerate(specs)])
    else:
        x = np.column_stack([s.ppf(u[:, j]) for j, s in enumerate(specs)]) if specs \
            else np.zeros((n, 0))
        x = iman_conover(x, R, rng_for(seed, 1))
    years = int(loaded.project.economics.schedule.life_years)
    paths = price_paths(n, risk.price_paths, years, seed=seed)
    n_real = int(risk.realisations if realisations is None else realisations)
    real = np.arange(n) % n_real if n_real > 0 else np.full(n, -1)
    return Draws(tuple(s.path for s in specs), x, tuple(sorted(risk.price_paths)), paths, real)


def effective_row(loaded: Any, row: Mapping[str, float]) -> dict[str, float]:
    """The overrides a draw makes (project path → canonical value): shares of one distribution
    drawn together are renormalised to sum to one (a share of TREO cannot change alone)."""
    out = dict(row)
    dist = {k: v for k, v in out.items() if k.startswith("ore.ree_distribution.")}
    if dist:
        base = {f"ore.ree_distribution.{el}": v
                for el, v in loaded.project.ore.ree_distribution.items()}
        base.update(dist)
        total = sum(base.values())
        out.update({k: v / total for k, v in base.items()})
    return out

