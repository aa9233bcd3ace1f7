"""Project economics: price decks, capex/opex, DCF, sensitivity, Monte Carlo, validation.

Public API (import from ``reeflow.economics``):

* study hook: :func:`evaluate`, :class:`EconomicInputs`, :class:`EconomicResult`;
  parameters :class:`EconomicsParams`, :func:`load_economics_params`
* prices: :func:`load_deck`, :func:`deck_names`, :class:`PriceDeck`, :func:`payability`
* cost index: :func:`cepci`, :class:`CostIndex`
* DCF: :mod:`reeflow.economics.dcf` (npv, irr, payback_years, project_cash_flows, Schedule,
  FiscalTerms)
* capex: :func:`capex_by_area` (Towler & Sinnott factored estimate by area, the answer),
  :func:`factored_capex` (NETL/PrOMMiS accounts, legacy cross-check), :func:`purchased_cost`;
  equipment is sized by the plant room (:func:`reeflow.plant.sizing.equipment_sizes`, the one
  sizing path) under the size keys of :func:`size_keys`
* opex: :func:`opex_table`, :class:`OpexDrivers`, :func:`reagent_costs`
* residues: :class:`ResidueStream`, :func:`storage_costs`, :func:`default_storage_class`
* benchmark: :func:`benchmark`, :func:`load_peers`, :data:`FIGURES`
* risk: :func:`tornado`, :func:`spider`, :func:`monte_carlo`, :func:`correlated_draws`,
  :func:`run_whole_chain`
* validation: :func:`recompute_study`, :func:`validation_table`
* report payload: :func:`economics_payload` (evaluation + tornado + spider + Monte Carlo)

Example (the study hook)::

    from reeflow.economics import EconomicInputs, evaluate, economics_payload
    params, provenance = load_economics_params("cases/<case>/fiscal.yaml")
    inputs = EconomicInputs(
        ore_t_per_a=570_000, mining_cost_usd_per_t_ore=...,          # no sourced default
        products_t_per_a={"CeO2": 4840, "La2O3": 3970, "Nd2O3": 770, "Pr6O11": 350,
                          "Fluorite concentrate": 70_000, "Barite concentrate": 72_000},
        reagents_t_per_a={"H2SO4": ..., "HCl": ..., "H2C2O4": ..., "MgO": ...},
        power_mwh_per_a=..., equipment_sizes={"ore_t_per_h": 72, "mill_power_kw": ...},
        residue_t_per_a=..., residue_handling_usd_per_t=...)        # no sourced default
    result = evaluate(inputs, params=params)            # deck: params.price_deck or deck=...
    results["economics"] = economics_payload(result)   # + tornado, spider, Monte Carlo
"""

from reeflow.economics import dcf
from reeflow.economics.benchmark import FIGURES, benchmark, load_peers
from reeflow.economics.capex import (
    CapexByArea,
    CapexEstimate,
    InstalledItem,
    capex_by_area,
    equipment_costs,
    factored_capex,
    size_keys,
)
from reeflow.economics.cost_index import CostIndex, cepci
from reeflow.economics.equipment import purchased_cost
from reeflow.economics.inputs import EconomicInputs
from reeflow.economics.montecarlo import (
    Distribution,
    MonteCarloResult,
    correlated_draws,
    default_distributions,
    monte_carlo,
    run_whole_chain,
)
from reeflow.economics.opex import OpexDrivers, opex_table, reagent_costs
from reeflow.economics.params import (
    DebtParams,
    EconomicsParams,
    FiscalParams,
    load_economics_params,
)
from reeflow.economics.payload import economics_payload
from reeflow.economics.prices import PriceDeck, deck_names, load_deck, payability
from reeflow.economics.residue_storage import ResidueStream, default_storage_class, storage_costs
from reeflow.economics.sensitivity import risk_ranges, spider, tornado
from reeflow.economics.study import (
    EconomicResult,
    build_base,
    evaluate,
)
from reeflow.economics.validation import recompute_study, validation_table

__all__ = [
    "dcf", "CapexEstimate", "equipment_costs", "factored_capex", "CostIndex", "cepci",
    "reagent_costs", "PriceDeck", "deck_names", "load_deck", "payability", "EconomicInputs",
    "EconomicResult", "build_base", "evaluate", "Distribution",
    "MonteCarloResult", "correlated_draws", "default_distributions", "monte_carlo",
    "run_whole_chain", "risk_ranges", "spider", "tornado", "recompute_study", "validation_table",
    "economics_payload",
    "CapexByArea", "InstalledItem", "capex_by_area", "purchased_cost", "OpexDrivers",
    "opex_table", "EconomicsParams", "FiscalParams", "DebtParams", "load_economics_params",
    "ResidueStream", "default_storage_class", "storage_costs", "FIGURES", "benchmark",
    "load_peers", "size_keys",
]
