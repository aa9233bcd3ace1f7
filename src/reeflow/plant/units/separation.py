"""Separation unit: REE chloride solution → product solutions by a recovery matrix.

Until a designed SX train is supplied, the matrix is a *placeholder* given in the project
(``plant.separation.recovery_frac``); :func:`reeflow.plant.sx_adapter.separation_from_train`
builds the same parameters from a cascade design, so the flowsheet does not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from reeflow.core.elements import molar_mass
from reeflow.core.errors import InputError
from reeflow.plant.chemistry import chloride, ree_of
from reeflow.plant.flowsheet import UnitResult
from reeflow.plant.stream import Components, Stream

__all__ = ["SeparationParams", "separate", "ree_mol_per_h", "reagent_draw_kg_per_h"]


@dataclass(frozen=True)
class SeparationParams:
    """``recovery_frac[product][element]`` = fraction of the element's feed to that product.

    Each element's fractions over products must sum to ≤ 1; the rest goes to ``losses``. Solution
    (HCl, water) is divided in proportion to the REE chloride mass.
    """

    ree: tuple[str, ...]
    recovery_frac: Mapping[str, Mapping[str, float]]
    source: str = "placeholder"
    reagents_kg_per_h: Mapping[str, float] = field(default_factory=dict)
    #: the REE feed (mol/h) the train's ``reagents_kg_per_h`` were designed for: the draw
    #: then scales with the REE a solve feeds (a year's feed, a what-if), as the train's flows
    #: do at its fixed ratios; None draws ``reagents_kg_per_h`` as they are
    design_ree_mol_per_h: float | None = None
    #: kg of water drawn with each kg of reagent (the reagent's use strength; see
    #: reeflow/data/plant/reagent_strengths.csv); empty = reagents as pure substances
    reagent_water_kg_per_kg: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for ln in self.ree:
            total = sum(p.get(ln, 0.0) for p in self.recovery_frac.values())
            if total > 1.0 + 1e-12:
                raise InputError(
                    f"plant.separation.recovery_frac.*.{ln}",
                    total,
                    "fractions over products summing to <= 1",
                    "reduce the recoveries of this element",
                )
        for prod, fr in self.recovery_frac.items():
            for ln, v in fr.items():
                if ln not in self.ree:
                    raise InputError(
                        f"plant.separation.recovery_frac.{prod}",
                        ln,
                        f"an element of {self.ree}",
                        "recover only elements of the plant's REE list; check the symbol's "
                        "spelling",
                    )
                if not 0.0 <= v <= 1.0:
                    raise InputError(f"plant.separation.recovery_frac.{prod}.{ln}", v, "0..1",
                                     "give each recovery as a fraction from 0 to 1, e.g. 0.95")


def ree_mol_per_h(feed: Stream) -> float:
    """The rare-earth elements of ``feed``, mol/h (every species, both phases): what scales a
    designed train's reagent draw here and its aqueous volume
    (:func:`reeflow.plant.drivers.sx_aqueous_m3_per_a`)."""
    c = feed.components
    idx = [c.elements.index(ln) for ln in ree_of(c) if ln in c.elements]
    return float(c.element_flows_mol(feed.flows_kg_per_h)[idx].sum()) * 1000.0


def reagent_draw_kg_per_h(params: SeparationParams, ree_mol: float) -> dict[str, float]:
    """The reagents the train draws at ``ree_mol`` mol/h of REE: its design draw times the feed
    over the design feed (the train's stages kept, its flows at fixed ratios: the
    saponification base and the scrub and strip acid are per mole of REE handled, Xu 1978
    mass balance of a saponified P507 cascade). The design draw as it is where no design feed
    is recorded. A fixed draw charged a 50 % ramp-up year and a year at twice the design grade
    the design basis's NaOH and HCl (unseen-project check, stop 40)."""
    design = params.design_ree_mol_per_h
    scale = ree_mol / design if design is not None and design > 0 else 1.0
    return {k: float(v) * scale for k, v in params.reagents_kg_per_h.items() if v > 0}


def separate(inlets: Mapping[str, Stream], params: SeparationParams) -> UnitResult:
    """Split REE chlorides into product solutions (and ``losses``) by the recovery matrix."""
    (feed,) = inlets.values()
    c = feed.components
    chl_idx = np.array([c.idx(chloride(ln)) for ln in ree_of(c)])
    ree_mass = feed.flows_kg_per_h[:, chl_idx].sum()
    outs: dict[str, Stream] = {}
    remaining = feed.flows_kg_per_h.copy()
    solution = np.ones(c.n, dtype=bool)
    solution[chl_idx] = False
    for prod, fr in params.recovery_frac.items():
        f = np.zeros(c.n)
        for ln, v in fr.items():
            f[c.idx(chloride(ln))] = v
        prod_ree = (feed.flows_kg_per_h * f).sum()
        f[solution] = prod_ree / ree_mass if ree_mass > 0 else 0.0
        arr = feed.flows_kg_per_h * f
        remaining -= arr
        outs[prod] = Stream(c, arr, feed.temperature_c)
    outs["losses"] = Stream(c, np.maximum(remaining, 0.0), feed.temperature_c)
    draw = reagent_draw_kg_per_h(params, ree_mol_per_h(feed))
    reagents = {k: c.stream({(k, "aq"): v}) for k, v in draw.items() if v > 0}
    water = sum(v * params.reagent_water_kg_per_kg.get(k, 0.0) for k, v in draw.items() if v > 0)
    if water > 0:  # dilution water of the reagent solutions, drawn as its own (unpriced) reagent
        reagents["H2O"] = c.stream({("H2O", "aq"): water})
    if reagents:
        outs["effluent"] = _neutralised_effluent(reagents, c)
    return UnitResult(outs, reagents=reagents, info={"source": params.source})


def _neutralised_effluent(reagents: Mapping[str, Stream], c: Components) -> Stream:
    """Saponification base and strip/scrub acid leave as NaCl + water (net NaOH + HCl → NaCl +
    H2O over the cascade: Na+ released on loading, H+ consumed on stripping), with the excess of
    either reagent alongside (Xu 1978 mass balance of a saponified P507 cascade)."""
    naoh = reagents["NaOH"].species_kg_per_h("NaOH") / molar_mass("NaOH") if "NaOH" in reagents else 0.0
    hcl = reagents["HCl"].species_kg_per_h("HCl") / molar_mass("HCl") if "HCl" in reagents else 0.0
    n = min(naoh, hcl)
    water = reagents["H2O"].total_kg_per_h if "H2O" in reagents else 0.0
    flows = {("NaCl", "aq"): n * molar_mass("NaCl"), ("H2O", "aq"): n * molar_mass("H2O") + water,
             ("NaOH", "aq"): (naoh - n) * molar_mass("NaOH"),
             ("HCl", "aq"): (hcl - n) * molar_mass("HCl")}
    return c.stream({k: v for k, v in flows.items() if v > 0})
