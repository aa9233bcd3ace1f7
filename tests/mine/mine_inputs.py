"""Test inputs of the mine tests (prices, recoveries, costs): test values, not a price deck."""

PRICES = {"la2o3": 1.0, "ceo2": 1.0, "pr6o11": 80.0, "nd2o3": 80.0, "caf2": 0.3, "baso4": 0.1}
RECOVERIES = {k: 0.7 for k in PRICES}
COSTS = {"mining_cost_usd_per_t": 3.0, "processing_cost_usd_per_t": 60.0}
