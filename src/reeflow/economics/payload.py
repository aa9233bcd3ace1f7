"""One JSON-ready dict for the study's ``results["economics"]``: the evaluation plus its
sensitivity (tornado, spider), Monte Carlo and price-deck note, in the keys the report reads
(``npv_usd``, ``cash_flows``, ``capex``/``opex`` records, ``tornado`` records,
``monte_carlo`` {draws, p10_usd, p50_usd, p90_usd, prob_negative, npv_samples_usd},
``price_deck`` {name, year, source})."""

from __future__ import annotations

from typing import Any

from reeflow.core.jsonio import to_jsonable as jsonable
from reeflow.economics.montecarlo import monte_carlo
from reeflow.economics.sensitivity import spider, tornado
from reeflow.economics.study import EconomicResult

__all__ = ["economics_payload"]


def economics_payload(result: EconomicResult, *, rate: float | None = None,
                      mc_draws: int = 10_000, seed: int = 0, samples_kept: int = 2_000
                      ) -> dict[str, Any]:
    """The evaluation, tornado and spider at ``rate`` (default: 8 % if listed, else the first
    rate) and a seeded Monte Carlo of ``mc_draws`` (0 = skip); NaN -> None."""
    rates = list(result.npv_usd)
    r = rate if rate is not None else (0.08 if 0.08 in rates else rates[0])
    out = result.to_dict()
    out["capex_breakdown"] = out.pop("capex")
    out["opex_breakdown"] = out.pop("opex")
    out["tornado"] = tornado(result.base, rate=r, basis=result.basis).to_dict(orient="records")
    out["spider"] = spider(result.base, rate=r, basis=result.basis).to_dict(orient="records")
    out["sensitivity_rate_frac"] = r
    if mc_draws:
        mc = monte_carlo(result.base, n=mc_draws, seed=seed, rate=r, basis=result.basis)
        s = dict(mc.summary)
        step = max(1, mc_draws // samples_kept)
        out["monte_carlo"] = {
            "draws": s["n"], "seed": seed, "p10_usd": s["p10_usd"], "p50_usd": s["p50_usd"],
            "p90_usd": s["p90_usd"], "mean_usd": s["mean_usd"],
            "prob_negative": s["prob_npv_negative"],
            "converged": bool(mc.convergence["converged"].iloc[-1]),
            "npv_samples_usd": mc.npv_usd[::step].tolist(),
            "distributions": {k: {"kind": "triangular"} for k in mc.draws.columns},
        }
    out["price_deck"] = {"name": result.deck, "year": result.currency_year,
                         "source": "; ".join(sorted(set(result.revenue["source"])))}
    return jsonable(out)
