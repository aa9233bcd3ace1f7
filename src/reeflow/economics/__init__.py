"""Project economics: price decks, capex/opex, DCF, sensitivity, Monte Carlo, validation.

Public API (import from ``reeflow.economics``):

* study hook: :func:`evaluate`, :class:`EconomicInputs`, :class:`EconomicResult`,
  :func:`beylikova_defaults`
* prices: :func:`load_deck`, :func:`deck_names`, :class:`PriceDeck`, :func:`payability`
* cost index: :func:`cepci`, :class:`CostIndex`
* DCF: :mod:`reeflow.economics.dcf` (npv, irr, payback_years, project_cash_flows, Schedule,
  FiscalTerms)
* capex/opex: :func:`factored_capex`, :func:`reagent_costs`; sizing helpers
  :func:`tank_volume_m3`, :func:`mixer_settler_volume_m3`, :func:`organic_inventory_m3`
* risk: :func:`tornado`, :func:`spider`, :func:`monte_carlo`, :func:`correlated_draws`,
  :func:`run_whole_chain`
* validation: :func:`recompute_study`, :func:`validation_table`
* report payload: :func:`economics_payload` (evaluation + tornado + spider + Monte Carlo)
"""

from reeflow.economics import dcf
from reeflow.economics.capex import CapexEstimate, equipment_costs, factored_capex
from reeflow.economics.cost_index import CostIndex, cepci
from reeflow.economics.montecarlo import (
    Distribution,
    MonteCarloResult,
    correlated_draws,
    default_distributions,
    monte_carlo,
    run_whole_chain,
)
from reeflow.economics.opex import reagent_costs
from reeflow.economics.payload import economics_payload
from reeflow.economics.prices import PriceDeck, deck_names, load_deck, payability
from reeflow.economics.sensitivity import risk_ranges, spider, tornado
from reeflow.economics.sizing import mixer_settler_volume_m3, organic_inventory_m3, tank_volume_m3
from reeflow.economics.study import (
    EconomicInputs,
    EconomicResult,
    beylikova_defaults,
    build_base,
    evaluate,
)
from reeflow.economics.validation import recompute_study, validation_table

__all__ = [
    "dcf", "CapexEstimate", "equipment_costs", "factored_capex", "CostIndex", "cepci",
    "reagent_costs", "PriceDeck", "deck_names", "load_deck", "payability", "EconomicInputs",
    "EconomicResult", "beylikova_defaults", "build_base", "evaluate", "Distribution",
    "MonteCarloResult", "correlated_draws", "default_distributions", "monte_carlo",
    "run_whole_chain", "risk_ranges", "spider", "tornado", "recompute_study", "validation_table",
    "economics_payload", "tank_volume_m3", "mixer_settler_volume_m3", "organic_inventory_m3",
]
