"""Equipment sizes for the capex estimate from flows and residence times (pure geometry).

Volume of a continuously stirred vessel: V = Q * tau / fill (Levenspiel, *Chemical Reaction
Engineering*, 3rd ed., Wiley 1999, ch. 5: space time tau = V/Q). Mixer-settler: per stage a
mixer of volume (Q_aq + Q_org) * tau_mix and a settler of area (Q_aq + Q_org) / q_specific and
depth h (Ritcey & Ashbrook, *Solvent Extraction*, Part II, Elsevier 1979, settler design by
specific flow). Organic inventory: the organic share of the settler volume plus the mixer
organic hold-up, times the number of stages, plus tank allowance. Every design parameter is an
argument (no defaults): the flowsheet or the project file states them.
"""

from __future__ import annotations

import math

from reeflow.core.errors import InputError

__all__ = ["tank_volume_m3", "mixer_settler_volume_m3", "organic_inventory_m3"]


def _pos(field: str, v: float, *, upper: float | None = None) -> float:
    if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
        raise InputError(field, v, "> 0", "give a positive number")
    if upper is not None and v > upper:
        raise InputError(field, v, f"<= {upper}", "give a fraction")
    return float(v)


def tank_volume_m3(flow_m3_per_h: float, residence_h: float, fill_frac: float) -> float:
    """Working volume / fill fraction: V = Q * tau / fill (m3)."""
    return (_pos("flow_m3_per_h", flow_m3_per_h) * _pos("residence_h", residence_h)
            / _pos("fill_frac", fill_frac, upper=1.0))


def mixer_settler_volume_m3(stages: int, aqueous_m3_per_h: float, organic_m3_per_h: float, *,
                            mixer_residence_min: float, settler_specific_flow_m3_per_h_m2: float,
                            settler_depth_m: float) -> float:
    """Total mixer + settler volume of a cascade of ``stages`` identical stages (m3)."""
    if not (isinstance(stages, int) and stages >= 1):
        raise InputError("stages", stages, "an integer >= 1", "give the number of stages")
    q = _pos("aqueous_m3_per_h", aqueous_m3_per_h) + _pos("organic_m3_per_h", organic_m3_per_h)
    mixer = q * _pos("mixer_residence_min", mixer_residence_min) / 60.0
    area = q / _pos("settler_specific_flow_m3_per_h_m2", settler_specific_flow_m3_per_h_m2)
    settler = area * _pos("settler_depth_m", settler_depth_m)
    return stages * (mixer + settler)


def organic_inventory_m3(stages: int, aqueous_m3_per_h: float, organic_m3_per_h: float, *,
                         mixer_residence_min: float, settler_specific_flow_m3_per_h_m2: float,
                         organic_layer_depth_m: float, tank_allowance_frac: float) -> float:
    """Organic held in a cascade: mixer organic hold-up + settler organic layer, per stage,
    times stages, plus a fractional allowance for tanks and pipes (m3)."""
    if not (isinstance(stages, int) and stages >= 1):
        raise InputError("stages", stages, "an integer >= 1", "give the number of stages")
    qa = _pos("aqueous_m3_per_h", aqueous_m3_per_h)
    qo = _pos("organic_m3_per_h", organic_m3_per_h)
    mixer_org = qo * _pos("mixer_residence_min", mixer_residence_min) / 60.0
    area = (qa + qo) / _pos("settler_specific_flow_m3_per_h_m2",
                            settler_specific_flow_m3_per_h_m2)
    layer = area * _pos("organic_layer_depth_m", organic_layer_depth_m)
    if not (0 <= tank_allowance_frac <= 2):
        raise InputError("tank_allowance_frac", tank_allowance_frac, "[0, 2]", "give a fraction")
    return stages * (mixer_org + layer) * (1.0 + tank_allowance_frac)
