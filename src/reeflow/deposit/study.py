"""Resource study orchestration: drillholes → composites → variogram → kriged blocks → statement.

Thin orchestration over the model functions (no geostatistics here). Steps and their stated
simplifications:

1. composites of the stated length honouring the VEIN/HOST domains; TREO top-cut at a percentile;
2. omnidirectional experimental variogram of vein TREO, spherical + nugget fit;
3. block share of the domain = share of its sub-cells whose nearest composite is in it (a
   stated simplification: no wireframes); tonnes are scaled by that share;
4. ordinary block kriging of VEIN blocks from VEIN composites, all grades from one search;
5. density by regression on TREO, CaF₂ and BaSO₄; tonnes = volume × density;
6. classification by the criteria table; cut-off from RPEEE inputs when given;
7. statement, grade–tonnage, leave-one-out cross-validation, Table 1 checklist.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from reeflow.core.errors import InputError
from reeflow.deposit.blockmodel import (
    BlockGrid,
    DensityRegression,
    density_regression,
    grid_covering,
)
from reeflow.deposit.composite import composite, top_cut
from reeflow.deposit.drillholes import Drillholes
from reeflow.deposit.kriging import SearchParams, idw, krige
from reeflow.deposit.models import VariogramModel
from reeflow.deposit.resource import (
    DISCLAIMER,
    basket_price_usd_per_kg,
    classify_blocks,
    grade_tonnage,
    resource_statement,
    rpeee_cutoff_frac,
    table1_checklist,
)
from reeflow.deposit.sgs import normal_score, sgs
from reeflow.deposit.synthetic import OXIDE_COLUMNS, synthetic_beylikova, synthetic_parameters
from reeflow.deposit.variography import (
    anisotropy_search,
    cross_validate,
    directional_variograms,
    experimental_variogram,
    fit_variogram,
)

__all__ = ["ResourceResult", "study_defaults", "estimate_resource", "beylikova_resource",
           "swath_table"]

GRADE_PCT = ("treo_pct", *OXIDE_COLUMNS, "tho2_pct", "caf2_pct", "baso4_pct")


@lru_cache(maxsize=1)
def study_defaults() -> pd.DataFrame:
    """Study defaults (key, value, unit, source, evidence) indexed by key."""
    path = resources.files("reeflow.data.deposit").joinpath("study_defaults.csv")
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#").set_index("key")


def _d(key: str) -> float:
    return float(study_defaults().at[key, "value"])


@dataclass(frozen=True)
class ResourceResult:
    """Everything a report or the mine side needs; DataFrames for every figure."""

    statement: pd.DataFrame
    block_model: pd.DataFrame
    grid: BlockGrid
    grade_tonnage: pd.DataFrame
    composites: pd.DataFrame
    variogram_experimental: pd.DataFrame
    variogram_model: VariogramModel
    cross_validation: pd.DataFrame
    cross_validation_stats: dict
    density: DensityRegression
    topcuts: pd.DataFrame
    issues: pd.DataFrame
    table1: pd.DataFrame
    cutoff_frac: float
    cutoff_basis: str
    label: str
    disclaimer: str = DISCLAIMER
    parameters: dict = field(default_factory=dict)

    def variogram_table(self) -> pd.DataFrame:
        """Experimental variogram with the fitted model at the same lags (for a figure)."""
        t = self.variogram_experimental.copy()
        t["model_gamma"] = self.variogram_model.gamma_iso(t["lag_m"].to_numpy())
        return t

    def directional_variograms(self, *, lag_m: float = 10.0, n_lags: int = 12,
                               azimuths_deg=(0.0, 45.0, 90.0, 135.0)) -> pd.DataFrame:
        """Horizontal directional variograms of vein TREO (long table, for a figure) with the
        anisotropy-search summary in ``attrs["search"]``."""
        vein = self.composites[(self.composites["domain"] == "VEIN")].dropna(
            subset=["treo_pct"])
        xyz, z = vein[["x", "y", "z"]].to_numpy(), vein["treo_pct"].to_numpy() / 100.0
        out = directional_variograms(xyz, z, lag_m=lag_m, n_lags=n_lags,
                                     azimuths_deg=azimuths_deg)
        out.attrs["search"] = anisotropy_search(xyz, z, lag_m=lag_m, n_lags=n_lags,
                                                azimuths_deg=azimuths_deg)
        return out

    def simulate_treo(self, *, n_realisations: int = 10, seed: int = 0,
                      batch: int = 64) -> np.ndarray:
        """Equally probable TREO realisations (mass fraction) at the block centres,
        shape (n_realisations, n_blocks), by SGS of vein-composite normal scores.

        Stated simplifications: point support at block centres (no change of support), the
        normal-score variogram takes the fitted TREO model's shape rescaled to unit sill, and
        batches of ``batch`` nodes are not conditioned on each other (see :func:`sgs`)."""
        vein = self.composites[(self.composites["domain"] == "VEIN")].dropna(
            subset=["treo_pct"])
        y, ns = normal_score(vein["treo_pct"].to_numpy() / 100.0)
        m = self.variogram_model
        scale = 1.0 / m.sill
        unit = VariogramModel(m.nugget * scale, tuple(
            replace(st, sill=st.sill * scale) for st in m.structures))
        sims = sgs(vein[["x", "y", "z"]].to_numpy(), y,
                   self.block_model[["x", "y", "z"]].to_numpy(), unit,
                   self.parameters["search"], n_realisations=n_realisations, seed=seed,
                   batch=batch)
        return ns.back(sims)

    def swaths(self, axis: str = "x", width_m: float = 50.0) -> pd.DataFrame:
        """Swath-plot table of TREO: block estimates vs vein composites."""
        return swath_table(self.block_model, self.composites[self.composites["domain"]
                                                             == "VEIN"], axis=axis,
                           width_m=width_m)


def _search() -> SearchParams:
    return SearchParams((_d("search_major_m"), _d("search_semi_m"), _d("search_minor_m")),
                        (_strike(), _dip_plunge(), 90.0), min_samples=int(_d("min_samples")),
                        max_samples=int(_d("max_samples")),
                        max_per_hole=int(_d("max_per_hole")))


def _strike() -> float:
    return float(synthetic_parameters().at["strike_deg", "value"])


def _dip_plunge() -> float:
    return 0.0


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and not np.isfinite(v))


def _cutoff(cutoff_frac, prices_usd_per_kg, recovery_frac, cost_usd_per_t_ore, shares):
    """Cut-off and its basis: given, or break-even from prices/recovery/cost, or the stated
    placeholder when any RPEEE input is missing (None or NaN) — the basis says which."""
    if cutoff_frac is not None:
        return float(cutoff_frac), "cut-off given by the user"
    if prices_usd_per_kg is None:
        return _d("cutoff_treo_frac"), "assumed placeholder (no prices passed)"
    lacking = [n for n, v in (("recovery_frac", recovery_frac),
                              ("cost_usd_per_t_ore", cost_usd_per_t_ore)) if _missing(v)]
    if lacking:
        return _d("cutoff_treo_frac"), ("assumed placeholder (RPEEE input missing: "
                                         + ", ".join(lacking) + ")")
    basket = basket_price_usd_per_kg(prices_usd_per_kg, shares)
    c = rpeee_cutoff_frac(basket_price_usd_per_kg=basket, recovery_frac=recovery_frac,
                          cost_usd_per_t_ore=cost_usd_per_t_ore)
    return c, (f"break-even: cost {cost_usd_per_t_ore:.4g} USD/t / (basket {basket:.2f} USD/kg "
               f"TREO x recovery {recovery_frac:.3g})")


def _capped_composites(dh: Drillholes) -> tuple[pd.DataFrame, pd.DataFrame]:
    comps = composite(dh, length_m=_d("composite_length_m"))
    raw_treo = comps["treo_pct"].to_numpy()
    comps, caps = top_cut(comps, {"treo_pct": {"rule": "percentile",
                                               "percentile": _d("topcut_percentile")}})
    # individual REE oxides are scaled with their capped TREO so that they still sum to it
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(raw_treo > 0, comps["treo_pct"].to_numpy() / raw_treo, 1.0)
    for c in OXIDE_COLUMNS:
        comps[c] = comps[c] * scale
    return comps, caps


def _domain_fraction(comps: pd.DataFrame, centres: np.ndarray, grid: BlockGrid, domain: str,
                     ndisc: int = 2) -> np.ndarray:
    """Share of each block in ``domain``: the fraction of its ndisc³ sub-cell centres whose
    nearest composite is in the domain (a stated simplification standing in for wireframes;
    it plays the role of a sub-block / partial-block percentage)."""
    from reeflow.deposit.kriging import discretisation_offsets
    off = discretisation_offsets(grid.block_size_m, (ndisc,) * 3, rotation_deg=grid.rotation_deg)
    tree = cKDTree(comps[["x", "y", "z"]].to_numpy())
    in_dom = comps["domain"].to_numpy() == domain
    frac = np.zeros(len(centres))
    for o in off:
        frac += in_dom[tree.query(centres + o, workers=-1)[1]]
    return frac / len(off)


def _estimate_blocks(comps: pd.DataFrame, vein: pd.DataFrame, model: VariogramModel,
                     size: tuple[float, float, float], max_blocks: int, domain: str,
                     ) -> tuple[pd.DataFrame, BlockGrid, SearchParams]:
    xyz = vein[["x", "y", "z"]].to_numpy()
    grid = grid_covering(xyz, size, rotation_deg=_strike(), max_blocks=max_blocks)
    bm = grid.to_frame()
    bm["domain_frac"] = _domain_fraction(comps, bm[["x", "y", "z"]].to_numpy(), grid, domain)
    bm = bm[bm["domain_frac"] > 0].reset_index(drop=True)
    sp = _search()
    vals = vein[list(GRADE_PCT)].to_numpy() / 100.0
    nd = int(_d("ndisc"))
    r = krige(xyz, vals, bm[["x", "y", "z"]].to_numpy(), model, sp,
              sample_hole=vein["hole_id"].to_numpy(), block_size_m=size, ndisc=(nd, nd, nd),
              rotation_deg=_strike())
    for j, c in enumerate(GRADE_PCT):
        bm[c.replace("_pct", "_frac")] = r["est"][:, j]
    for k in ("kvar", "slope", "mean_dist_m", "n_samples", "n_holes"):
        bm[k] = r[k]
    bm = bm[np.isfinite(bm["treo_frac"])].reset_index(drop=True)
    bm["treo_idw_frac"] = idw(xyz, vals[:, 0], bm[["x", "y", "z"]].to_numpy(), sp)[:, 0]
    bm["treo_nn_frac"] = vals[cKDTree(xyz).query(bm[["x", "y", "z"]].to_numpy())[1], 0]
    return bm, grid, sp


def estimate_resource(dh: Drillholes, *, cutoff_frac: float | None = None,
                      prices_usd_per_kg: dict[str, float] | None = None,
                      recovery_frac: float | None = None,
                      cost_usd_per_t_ore: float | None = None,
                      block_size_m: tuple[float, float, float] | None = None,
                      max_blocks: int = 200_000, domain: str = "VEIN") -> ResourceResult:
    """Run the study steps on drillholes with ``GRADE_PCT`` assay columns (percent) and a
    ``density_t_per_m3`` column (measured on a subset)."""
    missing = [c for c in GRADE_PCT if c not in dh.assays.columns]
    if missing:
        raise InputError("assays.columns", missing, "all of " + ", ".join(GRADE_PCT), "")
    comps, caps = _capped_composites(dh)
    vein = comps[(comps["domain"] == domain)].dropna(subset=list(GRADE_PCT))
    if len(vein) < 10:
        raise InputError("composites", len(vein), f">= 10 composites in domain {domain}", "")
    xyz = vein[["x", "y", "z"]].to_numpy()
    exp = experimental_variogram(xyz, vein["treo_pct"].to_numpy() / 100, lag_m=10.0,
                                 n_lags=12)
    model = fit_variogram(exp, kinds=("spherical",), angles_deg=(_strike(), 0.0, 90.0))
    size = block_size_m or (_d("block_dx_m"), _d("block_dy_m"), _d("block_dz_m"))
    bm, grid, sp = _estimate_blocks(comps, vein, model, size, max_blocks, domain)
    dens = density_regression(comps, density_column="density_t_per_m3",
                              grade_columns=("treo_pct", "caf2_pct", "baso4_pct"))
    bm["density_t_per_m3"] = dens.predict(pd.DataFrame(
        {c: bm[c.replace("_pct", "_frac")] * 100 for c in ("treo_pct", "caf2_pct", "baso4_pct")}))
    bm["tonnes"] = bm["dx"] * bm["dy"] * bm["dz"] * bm["density_t_per_m3"] * bm["domain_frac"]
    bm["class"] = classify_blocks(bm, sill=model.sill)
    shares = {c.replace("_pct", ""): float(synthetic_parameters().at[k, "value"]) / 100
              for c, k in OXIDE_COLUMNS.items()}
    shares = {k: v / sum(shares.values()) for k, v in shares.items()}
    cut, basis = _cutoff(cutoff_frac, prices_usd_per_kg, recovery_frac, cost_usd_per_t_ore,
                         shares)
    gcols = tuple(c.replace("_pct", "_frac") for c in GRADE_PCT)
    label = dh.label if dh.synthetic else (dh.label or "user drillholes")
    st = resource_statement(bm, cutoff_frac=cut, grade_columns=gcols, label=label)
    st.insert(0, "data", "SYNTHETIC" if dh.synthetic else "user data")
    bm.attrs["label"] = label
    gt = grade_tonnage(bm, np.round(np.arange(0.0, 0.0401, 0.0025), 6))
    cv_df, cv_stats = cross_validate(xyz, vein["treo_pct"].to_numpy() / 100, model, sp,
                                     hole=vein["hole_id"].to_numpy(), leave="sample")
    facts = _table1_facts(dh, comps, sp, cut, basis, dens)
    check = {"ok_mean_treo_frac": float(bm["treo_frac"].mean()),
             "idw_mean_treo_frac": float(bm["treo_idw_frac"].mean()),
             "nn_mean_treo_frac": float(bm["treo_nn_frac"].mean())}
    return ResourceResult(st, bm, grid, gt, comps, exp, model, cv_df, cv_stats, dens, caps,
                          dh.issues, table1_checklist(facts), cut, basis, label,
                          parameters={"search": sp, "block_size_m": size,
                                      "global_mean_check": check})


def _table1_facts(dh: Drillholes, comps: pd.DataFrame, sp: SearchParams, cut: float,
                  basis: str, dens: DensityRegression) -> dict[str, str]:
    return {"Database integrity": f"{len(dh.issues)} findings; "
            f"{int((dh.issues['severity'] == 'error').sum())} errors excluded",
            "Data spacing and distribution": f"{len(dh.collars)} holes, "
            f"{len(comps)} composites of {_d('composite_length_m')} m",
            "Estimation and modelling techniques": "ordinary block kriging, moving "
            f"neighbourhood {sp.ranges_m} m, {sp.min_samples}-{sp.max_samples} samples",
            "Cut-off parameters": f"{cut * 100:.2f} % TREO ({basis})",
            "Bulk density": f"regression on grade, n={dens.n}, R2={dens.r2:.2f}",
            "Classification": "criteria table (spacing, holes, samples, slope, KV)"}


@lru_cache(maxsize=8)
def _synthetic_cached(seed: int, spacing_m: float) -> Drillholes:
    return synthetic_beylikova(seed=seed, spacing_m=spacing_m)


def _synthetic_copy(seed: int, spacing_m: float) -> Drillholes:
    """The generated data set, cached per (seed, spacing); callers get copies of the tables."""
    d = _synthetic_cached(int(seed), spacing_m)
    return replace(d, collars=d.collars.copy(), surveys=d.surveys.copy(),
                   assays=d.assays.copy(), issues=d.issues.copy())


def beylikova_resource(*, seed: int = 2025, cutoff_frac: float | None = None,
                       prices_usd_per_kg: dict[str, float] | None = None,
                       recovery_frac: float | None = None,
                       cost_usd_per_t_ore: float | None = None,
                       spacing_m: float | None = None,
                       block_size_m: tuple[float, float, float] | None = None,
                       ) -> ResourceResult:
    """The built-in SYNTHETIC Beylikova-like study (small model; a few seconds).

    Prices (USD/kg oxide keyed ``la2o3``, ``ceo2``, ``pr6o11``, ``nd2o3``, ``sm2o3``, ``y2o3``),
    recovery (fraction) and cost (USD/t ore) come from the economics side; without them the
    cut-off is the stated placeholder in ``study_defaults.csv``.
    """
    dh = _synthetic_copy(seed, float(spacing_m or _d("drill_spacing_m")))
    return estimate_resource(dh, cutoff_frac=cutoff_frac, prices_usd_per_kg=prices_usd_per_kg,
                             recovery_frac=recovery_frac, cost_usd_per_t_ore=cost_usd_per_t_ore,
                             block_size_m=block_size_m)


def swath_table(bm: pd.DataFrame, comps: pd.DataFrame, *, axis: str = "x", width_m: float = 50.0,
                grade: str = "treo") -> pd.DataFrame:
    """Swath plot data: mean block estimate vs mean composite grade per slab along ``axis``."""
    if axis not in ("x", "y", "z"):
        raise InputError("swath.axis", axis, "x, y or z", "")
    lo = min(bm[axis].min(), comps[axis].min())
    b = np.floor((bm[axis] - lo) / width_m)
    c = np.floor((comps[axis] - lo) / width_m)
    est = bm.groupby(b)[f"{grade}_frac"].mean().rename("estimate_frac")
    dat = (comps.groupby(c)[f"{grade}_pct"].mean() / 100).rename("composite_frac")
    n = comps.groupby(c)[f"{grade}_pct"].size().rename("n_composites")
    out = pd.concat([est, dat, n], axis=1).reset_index(names="slab")
    out["centre_m"] = lo + (out["slab"] + 0.5) * width_m
    return out
