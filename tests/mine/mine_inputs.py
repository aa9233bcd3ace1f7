"""Test inputs of the mine tests (products, costs, capacities): test values, not a price deck."""

from reeflow.mine import BlockEconomics, MineParams, Product

PRODUCTS = (
    Product("REO", "treo_frac", recovery_frac=0.6, price_usd_per_t=8000.0),
    Product("fluorite", "caf2_frac", recovery_frac=0.5, price_usd_per_t=300.0,
            conversion_t_per_t=1 / 0.97, selling_cost_usd_per_t=20.0),
    Product("barite", "baso4_frac", recovery_frac=0.5, price_usd_per_t=150.0,
            conversion_t_per_t=1 / 0.9),
)
ECON = BlockEconomics(PRODUCTS, mining_cost_usd_per_t=3.0, processing_cost_usd_per_t=60.0,
                      royalty_frac=0.0375)
CAPACITY = {"plant_capacity_t_per_a": 570_000.0, "ramp_up_frac": (0.6, 0.85),
            "horizon_years": 12, "discount_rate": 0.08}


def params(**kw) -> MineParams:
    return MineParams(**kw)
