"""World rare-earth market: USGS/IEA supply data, concentration (HHI, top-n, reserve life, EU supply
risk) and the project scenario (shares and HHI before and after, per stage)."""

from reeflow.market.concentration import (
    eu_supply_risk,
    hhi,
    hhi_class,
    hhi_range,
    hhi_wgi,
    reserve_life_a,
    shares_frac,
    top_n_share,
)
from reeflow.market.criticality import eu_supply_risk_for_stage
from reeflow.market.data import (
    compare_vintages,
    country_values,
    demand_multiples,
    iea_demand_table,
    iea_shares_table,
    production_table,
    reserves_table,
)
from reeflow.market.scenario import MarketResult, market_scenario
from reeflow.market.supply import (
    add_supply,
    concentration_table,
    reserve_life_table,
    stage_table,
    summarise,
)

__all__ = [
    "eu_supply_risk", "eu_supply_risk_for_stage", "hhi", "hhi_class", "hhi_range", "hhi_wgi",
    "reserve_life_a", "shares_frac",
    "top_n_share", "compare_vintages", "demand_multiples", "country_values",
    "iea_demand_table", "iea_shares_table",
    "production_table", "reserves_table", "MarketResult", "market_scenario", "add_supply",
    "concentration_table", "reserve_life_table", "stage_table", "summarise",
]
