"""Annual quantities of a solved plant that drive operating-cost lines the flowsheet does not draw
as reagents: flotation feed per circuit (flotation reagents), ball-mill energy (grinding media),
aqueous volume through the solvent-extraction circuits (extractant and diluent losses) and the
brine sent to treatment.

SX aqueous volume. Every cut of the SX train is designed per mol of its feed: the reflux ratios
``s`` (organic) and ``w`` (scrub) in mol per mol of feed (Xu 1978 shortcut, :mod:`reeflow.plant.sx`)
become volume flows with the cut's feed rate and the solution concentrations of the design
(feed = F / c_feed, scrub acid = 3 w F / c_scrub, strip acid = 3 (s − w) F (1 + excess) /
c_strip: ``flows_L_per_h`` of each cut). The aqueous that leaves a cut's stages — its raffinate
(feed + scrub) and its strip liquor — carries the entrained and dissolved organic, so the driver
is Σ over cuts of (feed + scrub + strip), plus the aqueous of the D2EHPA sulphate-to-chloride
transfer (sulphate feed + strip liquor, :func:`reeflow.plant.sizing.conversion_circuit`), which
loses organic the same way. The saponification liquor is not counted: its stages are not part of
the designed cuts. At another year's feed the cut flows scale with the SX feed (mol of REE), as
the train's split fractions are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reeflow.plant.flowsheet import FlowsheetSolution
from reeflow.plant.units.separation import ree_mol_per_h

__all__ = ["train_aqueous_m3_per_h", "train_feed_mol_per_h", "sx_aqueous_m3_per_a",
           "economic_drivers"]


def train_aqueous_m3_per_h(train: Mapping[str, Any]) -> float:
    """Aqueous volume through the cuts of a designed SX train at its design feed, m³/h."""
    return sum((c["flows_L_per_h"]["feed"] + c["flows_L_per_h"]["scrub_acid"]
                + c["flows_L_per_h"]["strip_acid"]) for c in train["cuts"]) / 1000.0


def train_feed_mol_per_h(train: Mapping[str, Any]) -> float:
    """REE fed to the train (mol/h): the products of its first cut, which splits the whole feed."""
    first = train["cuts"][0]["products_mol_per_h"]
    return sum(first["organic"].values()) + sum(first["aqueous"].values())


def sx_aqueous_m3_per_a(sol: FlowsheetSolution, train: Mapping[str, Any] | None,
                        operating_hours_per_a: float) -> float | None:
    """Aqueous volume through the SX train and the D2EHPA transfer, m³/a.

    The train's cut flows are scaled by the REE in this solution's SX feed over the train's
    design feed (1 at the design basis). 0 for a route without solvent extraction (a true zero);
    None (missing) when the flowsheet separates without a designed train (placeholder splits)."""
    from reeflow.plant.sizing import conversion_circuit

    m3_h = 0.0
    if "separation" in sol.results:
        if not train:
            return None
        design = train_feed_mol_per_h(train)
        scale = ree_mol_per_h(sol.streams["sx_feed"]) / design if design > 0 else 0.0
        m3_h += train_aqueous_m3_per_h(train) * scale
    cc = conversion_circuit(sol)
    if cc is not None:
        m3_h += cc["aqueous_m3_per_h"] + cc["strip_m3_per_h"]
    return m3_h * operating_hours_per_a


def economic_drivers(sol: FlowsheetSolution, kpis: Mapping[str, float],
                     operating_hours_per_a: float,
                     train: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Annual opex drivers of a solved plant (t/a, MWh/a, m³/a; None where the route has none).

    ``kpis``: the plant summary's KPIs (ore and concentrate tonnages). Flotation feed is given
    for the circuits the plant runs only (a by-product circuit exists where the project
    recovers that mineral, :func:`reeflow.plant.sizing.flotation_circuits`)."""
    from reeflow.plant.sizing import flotation_circuits

    hours = operating_hours_per_a
    ore = kpis["ore_t_per_a"]
    ree_conc = kpis["concentrate_t_per_a"]
    mill_kw = sum(r.power_kw for u, r in sol.results.items() if sol.kinds[u] == "comminution")
    if "brine_treatment" in sol.results:
        brine: float | None = sum(s.species_kg_per_h("H2O") for s in sol.inflows("brine_treatment"))
    elif "separation.effluent" in sol.streams:
        brine = sol.streams["separation.effluent"].species_kg_per_h("H2O")
    else:
        brine = None
    every = {"ree": ore, "fluorite": ore - ree_conc,
             "barite": ore - ree_conc - kpis["fluorite_concentrate_t_per_a"]}
    return {
        "flotation_feed_t_per_a": {c: every[c] for c in flotation_circuits(sol)},
        "mill_energy_mwh_per_a": mill_kw * hours / 1000.0,
        "sx_aqueous_m3_per_a": sx_aqueous_m3_per_a(sol, train, hours),
        "brine_m3_per_a": None if brine is None else brine * hours / 1000.0,
    }
