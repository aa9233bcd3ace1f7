"""EU supply risk of rare earths at one stage, from reeflow's shares plus caller-supplied inputs.

Method: Blengini, G.A. et al. (2017), *Methodology for establishing the EU list of critical raw
materials — Guidelines*, JRC, EUR 28654 EN, doi:10.2760/73303 (supply-risk equation; used for the
EU CRM lists). reeflow has the global-supply shares (USGS MCS mining, IEA separation) but **not** the
other inputs — World Governance Indicators rescaled to 0–10, EU sourcing shares, import reliance,
end-of-life recycling input rate, substitution index, trade parameters — and does not invent them.
:func:`eu_supply_risk_for_stage` therefore computes SR only when the caller supplies them and
otherwise reports which inputs are missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from reeflow.core.errors import InputError
from reeflow.market.concentration import eu_supply_risk, hhi_wgi
from reeflow.market.data import normalise_country, parameters
from reeflow.market.supply import stage_table

__all__ = ["EU_SR_INPUTS", "eu_supply_risk_for_stage"]

#: Inputs of the EU supply-risk equation that reeflow does not ship (caller must supply them).
EU_SR_INPUTS: tuple[str, ...] = (
    "wgi_scaled", "import_reliance_frac", "eol_rir_frac", "substitution_index_sr",
    "eu_sourcing_shares",
)


def _by_country(mapping: Mapping[str, float], field: str) -> dict[str, float]:
    return {normalise_country(k, field=field, group=True): float(v) for k, v in mapping.items()}


def eu_supply_risk_for_stage(stage: str, year: int, *, wgi_scaled: Mapping[str, float] | None = None,
                             import_reliance_frac: float | None = None,
                             eol_rir_frac: float | None = None,
                             substitution_index_sr: float | None = None,
                             eu_sourcing_shares: Mapping[str, float] | None = None,
                             trade_param: Mapping[str, float] | None = None) -> dict[str, Any]:
    """EU supply risk (Blengini et al. 2017) of ``stage`` (mining or separation) in ``year``.

    Global supply (GS) shares are reeflow's named-country shares of the stage; the unattributed
    remainder is left out (lower bound of HHI_WGI). ``wgi_scaled`` must cover every named country
    of GS and EU sourcing. Returns ``{"supply_risk": float | None, "missing_inputs": [...],
    "hhi_wgi_global": ..., "hhi_wgi_eu": ..., "critical_if_ei_at_least": 2.8, "reason": str}``.
    """
    if stage not in ("mining", "separation"):
        raise InputError("stage", stage, "'mining' or 'separation'",
                         "the EU assesses extraction and processing")
    given = {"wgi_scaled": wgi_scaled, "import_reliance_frac": import_reliance_frac,
             "eol_rir_frac": eol_rir_frac, "substitution_index_sr": substitution_index_sr,
             "eu_sourcing_shares": eu_sourcing_shares}
    missing = [k for k in EU_SR_INPUTS if given[k] is None]
    eu = parameters()["eu_criticality"]
    out: dict[str, Any] = {"stage": stage, "year": int(year), "supply_risk": None,
                           "missing_inputs": missing, "hhi_wgi_global": None, "hhi_wgi_eu": None,
                           "critical_if_sr_at_least": eu["supply_risk_threshold"],
                           "critical_if_ei_at_least": eu["economic_importance_threshold"],
                           "method": "Blengini et al. 2017, JRC EUR 28654 EN, doi:10.2760/73303"}
    if missing:
        out["reason"] = ("not computed: reeflow ships no data for " + ", ".join(missing)
                         + " (pass them from the JRC/EU CRM assessment)")
        return out
    table = stage_table(stage, year)
    named = table[table["kind"] == "country"]["share_frac"]
    named = named[named > 0]
    assert wgi_scaled is not None and eu_sourcing_shares is not None  # not missing (above)
    assert import_reliance_frac is not None and eol_rir_frac is not None
    assert substitution_index_sr is not None
    wgi = _by_country(wgi_scaled, "wgi_scaled")
    trade = _by_country(trade_param or {}, "trade_param")
    eu_shares = _by_country(eu_sourcing_shares, "eu_sourcing_shares")
    need = (set(named.index) | set(eu_shares)) - set(wgi)
    if need:
        raise InputError("wgi_scaled", sorted(wgi), f"a WGI for each of {sorted(need)}",
                         "add the missing countries' rescaled WGI (0-10)")

    def part(shares: Mapping[str, float]) -> float:
        names = list(shares)
        return hhi_wgi(np.array([shares[n] for n in names]), [wgi[n] for n in names],
                       trade_param=[trade.get(n, 1.0) for n in names])

    gs = part(named.to_dict())
    eu_part = part(eu_shares)
    out.update(hhi_wgi_global=gs, hhi_wgi_eu=eu_part,
               supply_risk=eu_supply_risk(gs, eu_part, import_reliance_frac=import_reliance_frac,
                                          eol_rir_frac=eol_rir_frac,
                                          substitution_index_sr=substitution_index_sr),
               reason="computed from reeflow shares and caller-supplied EU inputs")
    return out
