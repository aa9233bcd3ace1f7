"""The Monte Carlo fast path: the study chain reduced to arrays, evaluated for many draws at once.

The chain (:func:`reeflow.chain.run_chain`) is rebuilt from rigorous probes of itself
(:mod:`reeflow.risk.probe`), each stage in the form its model has:

1. **What is built once** (design-basis plant, SX train, capex, closure, fixed opex, the block
   valuation): a separable response surface over the drawn plant and economics inputs
   (:mod:`reeflow.risk.surrogate`), fitted on one-at-a-time rigorous scans.
2. **The plant each year**: the plant is linear in its feed at fixed parameters (its units are;
   a concentrate-grade target adds a nonlinearity of 1e-3 relative over a schedule's range of
   feeds, measured), so each year's quantities are ``c + ρ ⊙ (b + J·x_y − c₀)`` — ``J, b`` the
   tangent of the base plant at the base plan's mean feed, ``c`` the constant draw of the plant
   (the SX train's reagents and mixer power, sized once), ``ρ`` how the draw's plant parameters
   scale each quantity at the design feed (from the scans).
3. **The mine plan**: the library plan worth most under the draw's block valuation
   (:mod:`reeflow.risk.plans`).
4. **The money of each year**: the economics room's yearly revenue and opex are affine in the
   year's quantities at fixed prices (probed, :func:`reeflow.risk.probe.money_probe`); the
   price and cost multipliers (:class:`reeflow.economics.annual.Scales`) and price paths act on
   them exactly as the room applies them.
5. **The cash flow**: :func:`reeflow.economics.dcf.annual_cash_flows`, NPV, IRR and payback —
   the room's own vectorised functions over all draws of a plan at once.

So a draw and :func:`reeflow.chain.what_if` with the same inputs answer the same question with
the same model; their difference is the error of stages 1–3, measured against the rigorous chain
(tests/risk) and stated with the results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from reeflow.risk.plans import Plan
from reeflow.risk.probe import QuantityLayout
from reeflow.risk.surrogate import Surrogate

__all__ = ["SCALE_INPUTS", "classify", "FastModel", "evaluate_chunk", "OUTPUTS"]

#: Inputs the economics applies as exact multipliers (:class:`Scales` field order).
SCALE_INPUTS = {"economics.price_scale_ndpr": 0, "economics.price_scale_other": 1,
                "economics.price_scale_byproduct": 2, "economics.capex_scale": 3,
                "economics.opex_scale": 4}
_GROUP_OF_PATH = {"economics.price_scale_ndpr": 0, "economics.price_scale_other": 1,
                  "economics.price_scale_byproduct": 2}
#: Per-draw outputs of the fast path (arrays of one entry per draw).
OUTPUTS = ("npv_usd", "irr_frac", "payback_years", "mine_life_years", "reo_t_per_a",
           "reo_total_t", "ndpr_oxide_t_per_a", "capex_usd", "plan", "feasible")


def classify(path: str) -> str:
    """How the fast path treats a drawn input: ``scale`` (an exact multiplier), ``plant``
    (reaches the plant design: full scans), ``basis`` (reaches the design-basis economics only)
    or ``structural`` (changes what the fast path takes from the base: the rigorous chain runs
    every draw)."""
    if path in SCALE_INPUTS:
        return "scale"
    if path == "ore.throughput" or path.split(".")[0] not in ("ore", "plant", "economics"):
        return "structural"
    return "basis" if path.startswith("economics.") else "plant"


@dataclass
class FastModel:
    """Everything a worker needs to evaluate draws (small: a few MB, shipped once)."""

    inputs: tuple[str, ...]
    scanned: tuple[str, ...]
    base_scales: np.ndarray
    layout: QuantityLayout
    surrogate: Surrogate
    c0: np.ndarray
    share_columns: tuple[int, ...]
    share_rest: float
    product_q: np.ndarray
    product_groups: np.ndarray
    purity_names: tuple[str | None, ...]
    marketing: float
    species: tuple[str, ...]
    species_groups: np.ndarray
    royalty_frac: float
    valuation_rate: float
    schedule: Any
    fiscal: Any
    rate: float
    closure_from_capex: bool
    path_groups: tuple[int, ...]
    plans: list[Plan]
    plan_variable: list[np.ndarray]
    rf_terms: tuple[np.ndarray, float, float] = (np.zeros(0), 0.0, 0.0)
    rf_base: float = 1.0
    plan_ree: list[np.ndarray] = field(default_factory=list)
    selection: str = "nearest"
    feature_scale: np.ndarray = field(default_factory=lambda: np.ones(2))
    metric: str = "rf"
    species_ree: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    meta: dict[str, Any] = field(default_factory=dict)
    #: the block valuation's royalty base: on revenue, or on revenue less processing (then the
    #: mine's objective is (1 - royalty) x the processed margin, less mining)
    royalty_base: str = "revenue"
    #: life × nameplate ore of the design basis: the residue-storage closure is scaled by a
    #: plan's ore over it, as the chain's :func:`reeflow.economics.annual.closure_usd` does
    design_ore_t: float = float("nan")

    # ------------------------------------------------------------------ per-draw pieces
    def effective(self, values: np.ndarray) -> np.ndarray:
        """Drawn values with REE shares drawn together renormalised to sum to one."""
        X = np.array(values, float, copy=True)
        if self.share_columns:
            cols = list(self.share_columns)
            X[:, cols] = X[:, cols] / (X[:, cols].sum(axis=1, keepdims=True) + self.share_rest)
        return X

    def scales(self, X: np.ndarray) -> np.ndarray:
        """(n, 5) multipliers: ndpr, other, byproduct price; capex; opex."""
        S = np.repeat(self.base_scales[None, :], X.shape[0], axis=0)
        for j, path in enumerate(self.inputs):
            if path in SCALE_INPUTS:
                S[:, SCALE_INPUTS[path]] = X[:, j]
        return S

    def design(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Design-stage outputs (n, n_z) and feasibility of each draw."""
        cols = [self.inputs.index(p) for p in self.scanned]
        Z = self.surrogate(X[:, cols]) if cols else \
            np.repeat(self.surrogate.base[None, :], X.shape[0], axis=0)
        ok = self.surrogate.feasible(X[:, cols]) if cols else np.ones(X.shape[0], bool)
        return Z, ok

    def z(self, Z: np.ndarray, prefix: str) -> np.ndarray:
        """Columns of ``Z`` whose names start with ``prefix`` (in name order)."""
        idx = [i for i, n in enumerate(self.surrogate.names) if n.startswith(prefix)]
        return Z[:, idx]

    def col(self, Z: np.ndarray, name: str) -> np.ndarray:
        return Z[:, self.surrogate.column(name)]

    def capex(self, Z: np.ndarray) -> np.ndarray:
        """Capital estimate at unit scale: the factor times the sum of the areas' direct costs
        (each area follows its own drivers, so the areas are interpolated one by one), else
        the interpolated total."""
        areas = self.z(Z, "direct:")
        if areas.shape[1] and "capex_factor" in self.surrogate.names and \
                np.isfinite(self.surrogate.base[self.surrogate.column("capex_factor")]):
            return self.col(Z, "capex_factor") * areas.sum(axis=1)
        return self.col(Z, "capex")

    def grade(self, Z: np.ndarray) -> np.ndarray:
        """The deposit's REE grade relative to the base (1 unless a drawn input reaches it)."""
        if "deposit_grade" in self.surrogate.names:
            return self.col(Z, "deposit_grade")
        return np.ones(Z.shape[0])

    def nsr_per_t(self, Z: np.ndarray, S: np.ndarray) -> np.ndarray:
        """(n, species) net revenue per tonne of each valued species contained in ore: the
        block valuation's (price × (1 − royalty) − processing cost per kg recovered) ×
        recovery × 1000, the REE species scaled by the deposit's grade factor (block values
        are linear in grade × price)."""
        return self.revenue_per_t(Z, S) - self.charge_per_t(Z, S)

    def _per_t(self, Z: np.ndarray, per_kg: np.ndarray) -> np.ndarray:
        out = 1000.0 * self.z(Z, "vrec:") * per_kg
        if self.species_ree.size:
            out = out * np.where(self.species_ree[None, :], self.grade(Z)[:, None], 1.0)
        return out

    @property
    def _on_margin(self) -> bool:
        return self.royalty_base == "revenue_less_processing"

    @property
    def _kept(self) -> float:
        """The share of the processed margin a royalty on the margin leaves (1 otherwise: a
        royalty on revenue is taken in :meth:`revenue_per_t`)."""
        return 1.0 - self.royalty_frac if self._on_margin else 1.0

    def revenue_per_t(self, Z: np.ndarray, S: np.ndarray) -> np.ndarray:
        """(n, species) the revenue after royalty per tonne of each species contained (before
        it where the royalty is on the margin: :meth:`plan_values` takes it there)."""
        price = self.z(Z, "vprice:") * (S[:, :3] @ self.species_groups.T)
        return self._per_t(Z, price * (1.0 if self._on_margin else 1.0 - self.royalty_frac))

    def charge_per_t(self, Z: np.ndarray, S: np.ndarray) -> np.ndarray:
        """(n, species) the processing cost that follows each species, per tonne contained
        (the valuation's cost per kg recovered, at the draw's opex scale; its marketing part,
        1 % of revenue in the built-in cases, does not follow the drawn prices: about 2–3 % of
        the charge at twice the NdPr price)."""
        return self._per_t(Z, self.z(Z, "vcost:") * S[:, 4:5])

    def _value_and_cost(self, Z: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The base plan's revenue after royalty by species (n, species), and its whole cost
        (processing per tonne and per unit of product, and mining; n): prices scaled by a
        revenue factor f scale the first by f and leave the second, so their ratio is f
        times the base's (the plan library's ladder relies on it)."""
        contained, ore, moved = self.rf_terms
        keep = self._kept
        cost = (ore * self.col(Z, "vproc") * keep + moved * self.col(Z, "vmine")) * S[:, 4] \
            + keep * (self.charge_per_t(Z, S) @ contained)
        return keep * self.revenue_per_t(Z, S) * contained[None, :], cost

    def plan_values(self, Z: np.ndarray, S: np.ndarray) -> np.ndarray:
        """(n, K) the mine's objective of every library plan under each draw's valuation."""
        nsr = self.nsr_per_t(Z, S)
        proc = self.col(Z, "vproc") * S[:, 4]
        mine = self.col(Z, "vmine") * S[:, 4]
        out = np.full((Z.shape[0], len(self.plans)), -np.inf)
        for k, plan in enumerate(self.plans):
            if plan.ok:
                contained, ore, moved = plan.objective_terms(self.valuation_rate)
                out[:, k] = self._kept * (nsr @ contained - ore * proc) - moved * mine \
                    - S[:, 4] * plan.rehandle_term(self.valuation_rate)
        return out

    def equivalent_rf(self, Z: np.ndarray, S: np.ndarray) -> np.ndarray:
        """Each draw's revenue-to-cost ratio on the base plan relative to the base valuation's:
        the revenue factor at which the base valuation has the draw's ratio."""
        value, cost = self._value_and_cost(Z, S)
        return np.asarray(value.sum(axis=1) / cost / self.rf_base)

    def features(self, Z: np.ndarray, S: np.ndarray) -> np.ndarray:
        """(n, 2) what the mine plan depends on, per draw: the log ratios of the REE and of the
        by-product value of the base plan's ore to its processing and mining cost, under the
        draw's valuation (grade factor included)."""
        value, cost = self._value_and_cost(Z, S)
        ree = self.species_ree if self.species_ree.size else np.ones(value.shape[1], bool)
        v_ree = value[:, ree].sum(axis=1)
        v_byp = value[:, ~ree].sum(axis=1)
        tiny = 1e-12 * np.maximum(np.abs(cost), 1.0)
        return np.column_stack([np.log(np.maximum(v_ree, tiny) / cost),
                                np.log(np.maximum(v_byp, tiny) / cost)])

    def metric_space(self, F: np.ndarray) -> np.ndarray:
        """Where valuations are compared: ``metric == "rf"``, the log of the total value-to-cost
        ratio (one axis: the equivalent revenue factor); ``"split"``, REE and by-product ratios
        each standardised over the draws."""
        F = np.atleast_2d(np.asarray(F, float))
        if self.metric == "rf":
            return np.logaddexp(F[:, 0], F[:, 1])[:, None]
        return F / self.feature_scale

    def choose(self, Z: np.ndarray, S: np.ndarray, realisation: np.ndarray) -> np.ndarray:
        """The library plan each draw runs on, among its realisation's plans:

        - ``selection == "nearest"`` (default, the chain's model): the plan planned for the
          valuation nearest the draw's in :meth:`features` (standardised) — what the chain's
          mine step plans for a valuation like the draw's;
        - ``"value"``: the plan worth most under the draw's own block valuation (discounted
          value of the ore fed less processing and mining). Not the chain's model: on the
          built-in case a small high-grade library plan is worth up to 70 % of capex more than
          the plan the chain's mine step makes (its pit maximises undiscounted value and is
          then scheduled over the horizon), so this choice answers another question.

        -1 when no plan of its realisation sends ore to the plant (the chain refuses it too)."""
        if self.selection == "value":
            value = self.plan_values(Z, S)
            real = np.array([p.realisation for p in self.plans])
            value = np.where(real[None, :] == np.asarray(realisation)[:, None], value, -np.inf)
            best = np.argmax(value, axis=1)
            return np.where(np.isfinite(value[np.arange(len(best)), best]), best, -1)
        F = self.metric_space(self.features(Z, S))
        lib = self.metric_space(np.array([p.features if len(p.features) == 2 else (np.nan,) * 2
                                          for p in self.plans], float))
        real = np.array([p.realisation for p in self.plans])
        dist = np.sqrt(((F[:, None, :] - lib[None, :, :]) ** 2).sum(axis=2))
        dist = np.where(np.isfinite(dist), dist, np.inf)
        dist = np.where(real[None, :] == np.asarray(realisation)[:, None], dist, np.inf)
        best = np.argmin(dist, axis=1)
        ok = np.isfinite(dist[np.arange(len(best)), best]) & \
            np.array([p.ok for p in self.plans] or [False])[best]
        return np.where(ok, best, -1)

    # ------------------------------------------------------------------ the cash flow
    def _money(self, Z: np.ndarray, S: np.ndarray, paths: np.ndarray, plan: Plan,
               V: np.ndarray, W: np.ndarray | None) -> dict[str, np.ndarray]:
        """Yearly quantities and money (n, years) of draws on one plan (``W``: the part of
        the plan's yearly quantities that follows the REE in its feed, scaled by the deposit's
        grade factor; None holds the plan's feed as it is)."""
        n, years = Z.shape[0], plan.years
        c = self.z(Z, "c:")
        rho = self.z(Z, "rho:")
        scale = self.grade(Z) / plan.grade_factor - 1.0
        var = V[None, :, :] if W is None or not W.size else \
            V[None, :, :] + scale[:, None, None] * W[None, :, :]
        Q = c[:, None, :] + rho[:, None, :] * var
        U = np.concatenate([Q, np.broadcast_to(plan.ore_t[None, :, None], (n, years, 1)),
                            np.broadcast_to(plan.mined_t[None, :, None], (n, years, 1))],
                           axis=2)
        r = self.z(Z, "r:")
        w = self.z(Z, "w:")
        purity = np.ones((n, len(self.purity_names)))
        for j, name in enumerate(self.purity_names):
            if name is not None:
                purity[:, j] = self.col(Z, f"purity:{name}") / self.surrogate.base[
                    self.surrogate.column(f"purity:{name}")]
        level = S[:, None, :3] * self._paths(paths, years)  # (n, years, 3)
        r_prod = r[:, self.product_q] * purity  # (n, P) USD per t at unit scales
        sold = Q[:, :, self.product_q]  # (n, years, P)
        group_scale = np.einsum("nyg,pg->nyp", level, self.product_groups)
        revenue = np.einsum("nyp,np,nyp->ny", sold, r_prod, group_scale)
        opex = S[:, 4][:, None]
        variable = opex * (self.col(Z, "V0")[:, None] + np.einsum("nyu,nu->ny", U, w)
                           + self.marketing * revenue)
        fixed = np.broadcast_to((opex[:, 0] * self.col(Z, "F"))[:, None], (n, years))
        mining = opex * self.col(Z, "mu")[:, None] * plan.mined_t[None, :]
        if plan.rehandle_usd is not None:  # the DCF charges it with mining, a variable cost
            # (annual.py: the "mining (contract)" row); the probe's V0 + U.w has none of it
            mining = mining + opex * plan.rehandle_usd[None, :]
            variable = variable + opex * plan.rehandle_usd[None, :]
        return {"Q": Q, "revenue": revenue, "variable": variable, "fixed": fixed,
                "mining": mining}

    def _paths(self, paths: np.ndarray, years: int) -> np.ndarray:
        """(n, years, 3) price-path multipliers of the ndpr/other/byproduct groups."""
        n = paths.shape[0]
        out = np.ones((n, years, 3))
        if paths.size:
            H = paths.shape[2]
            take = np.minimum(np.arange(years), H - 1)
            for j, g in enumerate(self.path_groups):
                out[:, :, g] = paths[:, j, take]
        return out

    def cash_flow(self, Z: np.ndarray, S: np.ndarray, paths: np.ndarray, k: int, *,
                  held: bool = False) -> dict[str, np.ndarray]:
        """The DCF of draws on plan ``k`` (the economics room's vectorised functions)."""
        from reeflow.economics import dcf
        from reeflow.economics.annual import charged_fixed, scheduled_closure_usd

        plan = self.plans[k]
        W = None if held or not self.plan_ree else self.plan_ree[k]
        m = self._money(Z, S, paths, plan, self.plan_variable[k], W)
        sched = replace(self.schedule, life_years=plan.years)
        T, start = sched.n_years, sched.first_production

        def line(v: np.ndarray) -> np.ndarray:
            out = np.zeros((v.shape[0], T))
            out[:, start:start + plan.years] = v
            return out

        capex = self.capex(Z) * S[:, 3]
        closure = None if self.closure_from_capex else self.col(Z, "closure")
        if closure is not None:
            closure = scheduled_closure_usd(closure, self.col(Z, "closure_storage"),
                                            float(np.sum(plan.ore_t)), self.design_ore_t)
        # the final partial year pays its fixed costs for the share it runs, as the chain's
        # cash flow does (economics.annual.charged_fixed)
        fixed = charged_fixed(m["fixed"], np.asarray(plan.ore_t, float))
        cf = dcf.annual_cash_flows(line(m["revenue"]), line(m["variable"]), line(fixed),
                                   capex, schedule=sched, fiscal=self.fiscal,
                                   opex_mining_usd=line(m["mining"]), closure_usd=closure)
        net = cf["net_cash_flow"]
        reo = m["Q"][:, :, self.layout.index("reo_t")]
        ndpr = m["Q"][:, :, self.layout.index("ndpr_oxide_t")]
        return {"npv_usd": dcf.npv(net, self.rate), "irr_frac": dcf.irr(net),
                # from the start of construction, as the chain's payback_years (it counted
                # from first production here: 8.7 against 10.7 years, fuzz round 21)
                "payback_years": dcf.payback_years(net, 0),
                "mine_life_years": np.full(net.shape[0], float(plan.years)),
                "reo_t_per_a": reo.mean(axis=1), "reo_total_t": reo.sum(axis=1),
                "ndpr_oxide_t_per_a": ndpr.mean(axis=1), "capex_usd": capex,
                "reo_by_year": reo, "net_cash_flow": net}

    def evaluate(self, values: np.ndarray, paths: np.ndarray, realisation: np.ndarray,
                 *, horizon: int | None = None, plan: int | None = None
                 ) -> dict[str, np.ndarray]:
        """Outputs (:data:`OUTPUTS`, ``reo_by_year`` (n, horizon)) of the draws ``values``
        (n, len(inputs)), price paths (n, paths, years) and realisations (n,); ``plan`` holds
        every draw on one library plan, its feed included, as the chain does with its mine
        step held (a check of everything but the re-plan)."""
        X = self.effective(np.atleast_2d(values))
        n = X.shape[0]
        S = self.scales(X)
        Z, ok = self.design(X)
        chosen = self.choose(Z, S, realisation) if plan is None else np.full(n, int(plan))
        ok &= chosen >= 0
        H = int(horizon or max((p.years for p in self.plans), default=1))
        out = {k: np.full(n, np.nan) for k in OUTPUTS}
        out["plan"] = chosen.astype(float)
        out["feasible"] = ok.astype(float)
        out["reo_by_year"] = np.full((n, H), np.nan)
        for k in np.unique(chosen[ok]):
            idx = np.flatnonzero(ok & (chosen == k))
            res = self.cash_flow(Z[idx], S[idx], paths[idx], int(k), held=plan is not None)
            for key in OUTPUTS[:-2]:
                out[key][idx] = res[key]
            yrs = min(res["reo_by_year"].shape[1], H)
            out["reo_by_year"][idx, :yrs] = res["reo_by_year"][:, :yrs]
        return out


def evaluate_chunk(model: FastModel, values: np.ndarray, paths: np.ndarray,
                   realisation: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
    """A picklable entry point for workers (one chunk of draws)."""
    return model.evaluate(values, paths, realisation, horizon=horizon)


_ = (Mapping, Sequence)  # typing only
