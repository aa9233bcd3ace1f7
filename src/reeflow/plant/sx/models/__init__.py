"""Registry of distribution models sharing one signature.

Every model module provides

- ``stage(l, q_aq, q_org, p, v, g)`` — a Numba kernel: from the aqueous flows ``l`` (mol/h per
  component) leaving a stage, its aqueous and organic volumetric flows (L/h) and its parameter
  row ``p``, write the equilibrium organic flows ``v`` (mol/h) and their Jacobian ``g = ∂v/∂l``;
- ``build_params(components, stage_sections, q_aq_L_per_h, q_org_L_per_h, params)`` → an
  ``(n_stages, n_params)`` array (validates ``params``, raises InputError/InfeasibleSpecError);
- ``EXTRA_COMPONENTS`` — non-element components the model balances (e.g. ``("H",)``);
- ``START_SWEEPS`` — successive-substitution sweeps of the shortcut start; ``FIRST_DT`` — the
  first pseudo-time step of the first attempt (``inf`` = Newton with line search);
- ``homotopy(p, lam)`` — parameter rows with the selectivity scaled by λ ∈ [0, 1] (the
  continuation fallback of :mod:`reeflow.plant.sx.steady`).
"""

from __future__ import annotations

from types import ModuleType

from reeflow.core.errors import InputError
from reeflow.plant.sx.models import constant_beta, constant_d, mass_action

__all__ = ["MODELS", "get_model"]

MODELS: dict[str, ModuleType] = {
    "constant_d": constant_d,
    "constant_beta": constant_beta,
    "mass_action": mass_action,
}


def get_model(name: str) -> ModuleType:
    """The model module registered as ``name``."""
    try:
        return MODELS[name]
    except (KeyError, TypeError):  # TypeError: an unhashable name such as a list
        raise InputError("model.name", name, f"one of {sorted(MODELS)}",
                         "pick a registered distribution model") from None
