"""The study chain: deposit → mine → plant (+SX) → economics → market → claims, typed in and out.

:func:`run_chain` runs it on a validated project; :func:`what_if` runs the same chain with changed
inputs; :func:`build_results` files the outcome in the typed results (results.json schema).
"""

from reeflow.chain.pipeline import ChainOutcome, run_chain, what_if, with_overrides

__all__ = ["ChainOutcome", "run_chain", "what_if", "with_overrides"]
