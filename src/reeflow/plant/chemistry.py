"""Species and balanced reactions of the bastnäsite–fluorite–barite flowsheet.

The sulphuric-acid route follows the Bayan Obo concentrated-H2SO4 bake as described by the IAEA
(2011), *Thorium fuel cycle / rare-earth processing*, via Zhang, Zhao & Schreiner (2016), *Rare Earth
Elements: Processing, Applications*, ch. 5 — bake, water leach, neutralisation (Fe, Th as hydroxides),
transfer to chloride, SX in chloride, oxalate precipitation and calcination — and the laboratory work on a
bastnäsite–fluorite–barite ore of Kul, Topkaya & Karakaya (2008), Hydrometallurgy
93:129–135 (H2SO4 bake + water leach, HF as by-product). Reactions (per REE ``Ln``; written
for every REE carried):

- bake:      2 LnFCO3 + 3 H2SO4 → Ln2(SO4)3 + 2 HF(g) + 2 CO2(g) + 2 H2O(g)
             CaF2 + H2SO4 → CaSO4 + 2 HF(g);  CaCO3 + H2SO4 → CaSO4 + CO2(g) + H2O(g)
             Fe2O3 + 3 H2SO4 → Fe2(SO4)3 + 3 H2O(g);  ThO2 + 2 H2SO4 → Th(SO4)2 + 2 H2O(g)
- neutralise: Fe2(SO4)3 + 3 MgO + 3 H2O → 2 Fe(OH)3 + 3 MgSO4;
             Th(SO4)2 + 2 MgO + 2 H2O → Th(OH)4 + 2 MgSO4;  H2SO4 + MgO → MgSO4 + H2O
- chloride:  Ln2(SO4)3 + 6 HCl → 2 LnCl3 + 3 H2SO4 (net of D2EHPA loading and HCl stripping)
- oxalate:   2 LnCl3 + 3 H2C2O4 → Ln2(C2O4)3 + 6 HCl
- calcine:   Ln2(C2O4)3 + (b/a) O2 → (2/a) LnaOb + 6 CO2   (LnaOb the reporting oxide)
"""

from __future__ import annotations

from functools import lru_cache

from reeflow.core.elements import OXIDES, REE, oxide_formula
from reeflow.core.errors import InputError
from reeflow.plant.reactions import Reaction
from reeflow.plant.stream import Components

__all__ = [
    "GANGUE_SPECIES",
    "bastnasite",
    "sulfate",
    "chloride",
    "oxalate",
    "hydroxide",
    "carbonate",
    "components_for",
    "ree_of",
    "bastnasite_per_reo",
    "bake_reactions",
    "impurity_reactions",
    "chloride_reaction",
    "oxalate_reaction",
    "calcination_reaction",
    "scrubber_reactions",
    "lime_neutralisation_reactions",
    "gypsum_dissolution",
    "carbonate_reaction",
    "carbonate_from_chloride_reaction",
    "acid_carbonate_reactions",
    "cerium_oxidation_reaction",
]

GANGUE_SPECIES: tuple[str, ...] = (
    "CaF2",
    "BaSO4",
    "SiO2",
    "Fe2O3",
    "CaCO3",
    "ThO2",
    "CaSO4",
    "Th(SO4)2",
    "Fe2(SO4)3",
    "Fe(OH)3",
    "Th(OH)4",
    "MgO",
    "MgSO4",
    "H2SO4",
    "HF",
    "CO2",
    "H2O",
    "HCl",
    "H2C2O4",
    "O2",
    "NaOH",
    "NaCl",
    # plant-engineering species (off-gas scrubbing, effluent treatment, alternative routes)
    "SO3",
    "Ca(OH)2",
    "CaSO4(H2O)2",
    "Mg(OH)2",
    "CaC2O4",
    "Na2CO3",
    "Na2SO4",
    "Ce(OH)4",
    "H2O2",
    "NaF",
    "CaCl2",
)


_REE_SET = frozenset(REE)


def bastnasite(ln: str) -> str:
    return f"{ln}FCO3"


def sulfate(ln: str) -> str:
    return f"{ln}2(SO4)3"


def chloride(ln: str) -> str:
    return f"{ln}Cl3"


def oxalate(ln: str) -> str:
    return f"{ln}2(C2O4)3"


def bastnasite_per_reo(ln: str) -> float:
    """kg of bastnäsite ``LnFCO3`` carrying 1 kg of the element's reporting oxide."""
    from reeflow.core.elements import atomic_mass, molar_mass, oxide_factor

    return molar_mass(bastnasite(ln)) / atomic_mass(ln) / oxide_factor(ln)


def ree_of(components: Components) -> tuple[str, ...]:
    """The rare earths a flowsheet's components carry (in the order they were declared)."""
    return tuple(s[: -len("FCO3")] for s in components.species
                 if s.endswith("FCO3") and s[: -len("FCO3")] in _REE_SET)


def hydroxide(ln: str) -> str:
    return f"{ln}(OH)3"


def carbonate(ln: str) -> str:
    return f"{ln}2(CO3)3"


@lru_cache(maxsize=32)
def components_for(ree: tuple[str, ...]) -> Components:
    """Components of the flowsheet carrying the REE in ``ree`` through every form."""
    species: list[str] = []
    for ln in ree:
        species += [bastnasite(ln), sulfate(ln), chloride(ln), oxalate(ln), oxide_formula(ln),
                    hydroxide(ln), carbonate(ln)]
    return Components(tuple(species) + GANGUE_SPECIES)


@lru_cache(maxsize=256)
def bake_reactions(ree: tuple[str, ...]) -> dict[str, Reaction]:
    """Sulphation reactions of the concentrated-H2SO4 bake, keyed by the mineral attacked."""
    rx = {
        bastnasite(ln): Reaction(
            f"bake_{ln}",
            (
                (bastnasite(ln), "s", -2),
                ("H2SO4", "aq", -3),
                (sulfate(ln), "s", 1),
                ("HF", "g", 2),
                ("CO2", "g", 2),
                ("H2O", "g", 2),
            ),
        )
        for ln in ree
    }
    rx["CaF2"] = Reaction(
        "bake_CaF2", (("CaF2", "s", -1), ("H2SO4", "aq", -1), ("CaSO4", "s", 1), ("HF", "g", 2))
    )
    rx["CaCO3"] = Reaction(
        "bake_CaCO3",
        (
            ("CaCO3", "s", -1),
            ("H2SO4", "aq", -1),
            ("CaSO4", "s", 1),
            ("CO2", "g", 1),
            ("H2O", "g", 1),
        ),
    )
    rx["Fe2O3"] = Reaction(
        "bake_Fe2O3",
        (("Fe2O3", "s", -1), ("H2SO4", "aq", -3), ("Fe2(SO4)3", "s", 1), ("H2O", "g", 3)),
    )
    rx["ThO2"] = Reaction(
        "bake_ThO2", (("ThO2", "s", -1), ("H2SO4", "aq", -2), ("Th(SO4)2", "s", 1), ("H2O", "g", 2))
    )
    return rx


@lru_cache(maxsize=256)
def impurity_reactions() -> dict[str, Reaction]:
    """MgO neutralisation of free acid and hydrolysis of Fe(III) and Th(IV) sulphates."""
    return {
        "Fe2(SO4)3": Reaction(
            "neut_Fe",
            (
                ("Fe2(SO4)3", "aq", -1),
                ("MgO", "s", -3),
                ("H2O", "aq", -3),
                ("Fe(OH)3", "s", 2),
                ("MgSO4", "aq", 3),
            ),
        ),
        "Th(SO4)2": Reaction(
            "neut_Th",
            (
                ("Th(SO4)2", "aq", -1),
                ("MgO", "s", -2),
                ("H2O", "aq", -2),
                ("Th(OH)4", "s", 1),
                ("MgSO4", "aq", 2),
            ),
        ),
        "H2SO4": Reaction(
            "neut_acid",
            (("H2SO4", "aq", -1), ("MgO", "s", -1), ("MgSO4", "aq", 1), ("H2O", "aq", 1)),
        ),
    }


@lru_cache(maxsize=256)
def chloride_reaction(ln: str) -> Reaction:
    return Reaction(
        f"chloride_{ln}",
        ((sulfate(ln), "aq", -1), ("HCl", "aq", -6), (chloride(ln), "aq", 2), ("H2SO4", "aq", 3)),
    )


@lru_cache(maxsize=256)
def oxalate_reaction(ln: str) -> Reaction:
    return Reaction(
        f"oxalate_{ln}",
        ((chloride(ln), "aq", -2), ("H2C2O4", "aq", -3), (oxalate(ln), "s", 1), ("HCl", "aq", 6)),
    )


@lru_cache(maxsize=256)
def calcination_reaction(ln: str) -> Reaction:
    ox = oxide_formula(ln)
    a = float(OXIDES.at[ln, "n_metal"])
    b = float(OXIDES.at[ln, "n_oxygen"])
    return Reaction(
        f"calcine_{ln}",
        ((oxalate(ln), "s", -1), ("O2", "g", -b / a), (ox, "s", 2.0 / a), ("CO2", "g", 6)),
    )


# -- plant engineering: off-gas scrubbing, effluent neutralisation, alternative routes -----------

@lru_cache(maxsize=256)
def scrubber_reactions(reagent: str) -> dict[str, Reaction]:
    """Acid-gas absorption by the scrubber liquor, keyed by the gas species absorbed.

    ``reagent`` is ``"Ca(OH)2"`` (hydrated-lime slurry: fluoride to CaF2, sulphate to gypsum — the
    Bayan Obo practice of scrubbing the bake off-gas with lime, IAEA 2011 via Zhang, Zhao & Schreiner
    2016, ch. 5) or ``"NaOH"`` (caustic: NaF and Na2SO4 in solution).
    """
    if reagent == "Ca(OH)2":
        return {
            "HF": Reaction("scrub_HF_lime", (("HF", "g", -2), ("Ca(OH)2", "s", -1),
                                             ("CaF2", "s", 1), ("H2O", "aq", 2))),
            "H2SO4": Reaction("scrub_H2SO4_lime", (("H2SO4", "g", -1), ("Ca(OH)2", "s", -1),
                                                   ("CaSO4(H2O)2", "s", 1))),
            "SO3": Reaction("scrub_SO3_lime", (("SO3", "g", -1), ("Ca(OH)2", "s", -1),
                                               ("H2O", "aq", -1), ("CaSO4(H2O)2", "s", 1))),
        }
    if reagent == "NaOH":
        return {
            "HF": Reaction("scrub_HF_caustic", (("HF", "g", -1), ("NaOH", "aq", -1),
                                                ("NaF", "aq", 1), ("H2O", "aq", 1))),
            "H2SO4": Reaction("scrub_H2SO4_caustic", (("H2SO4", "g", -1), ("NaOH", "aq", -2),
                                                      ("Na2SO4", "aq", 1), ("H2O", "aq", 2))),
            "SO3": Reaction("scrub_SO3_caustic", (("SO3", "g", -1), ("NaOH", "aq", -2),
                                                  ("Na2SO4", "aq", 1), ("H2O", "aq", 1))),
        }
    raise InputError("offgas.reagent", reagent, "'Ca(OH)2' or 'NaOH'", "choose lime or caustic")


@lru_cache(maxsize=256)
def lime_neutralisation_reactions(ree: tuple[str, ...]) -> dict[str, Reaction]:
    """Hydrated-lime neutralisation of an acidic sulphate/chloride effluent, keyed by the species
    neutralised: free acid to gypsum, Mg/Fe/Th/REE sulphates to hydroxides + gypsum, oxalic acid
    to calcium oxalate, HCl to CaCl2 (lime treatment of acidic sulphate waters: Aubé & Zinck 2003,
    "Lime treatment of acid mine drainage in Canada", Brazil–Canada Seminar on Mine Rehabilitation)."""
    g = "CaSO4(H2O)2"
    rx = {
        "H2SO4": Reaction("lime_H2SO4", (("H2SO4", "aq", -1), ("Ca(OH)2", "s", -1), (g, "s", 1))),
        "MgSO4": Reaction("lime_MgSO4", (("MgSO4", "aq", -1), ("Ca(OH)2", "s", -1),
                                         ("H2O", "aq", -2), ("Mg(OH)2", "s", 1), (g, "s", 1))),
        "Fe2(SO4)3": Reaction("lime_Fe", (("Fe2(SO4)3", "aq", -1), ("Ca(OH)2", "s", -3),
                                          ("H2O", "aq", -6), ("Fe(OH)3", "s", 2), (g, "s", 3))),
        "Th(SO4)2": Reaction("lime_Th", (("Th(SO4)2", "aq", -1), ("Ca(OH)2", "s", -2),
                                         ("H2O", "aq", -4), ("Th(OH)4", "s", 1), (g, "s", 2))),
        "H2C2O4": Reaction("lime_oxalic", (("H2C2O4", "aq", -1), ("Ca(OH)2", "s", -1),
                                           ("CaC2O4", "s", 1), ("H2O", "aq", 2))),
        "HCl": Reaction("lime_HCl", (("HCl", "aq", -2), ("Ca(OH)2", "s", -1),
                                     ("CaCl2", "aq", 1), ("H2O", "aq", 2))),
    }
    for ln in ree:
        rx[sulfate(ln)] = Reaction(f"lime_{ln}", ((sulfate(ln), "aq", -1), ("Ca(OH)2", "s", -3),
                                                  ("H2O", "aq", -6), (hydroxide(ln), "s", 2),
                                                  (g, "s", 3)))
    return rx


@lru_cache(maxsize=256)
def gypsum_dissolution() -> Reaction:
    """CaSO4·2H2O(s) → CaSO4(aq) + 2 H2O: the gypsum that stays dissolved at its solubility."""
    return Reaction("gypsum_dissolution", (("CaSO4(H2O)2", "s", -1), ("CaSO4", "aq", 1),
                                           ("H2O", "aq", 2)))


@lru_cache(maxsize=256)
def carbonate_reaction(ln: str) -> Reaction:
    """Ln2(SO4)3 + 3 Na2CO3 → Ln2(CO3)3↓ + 3 Na2SO4 (mixed rare-earth carbonate precipitation)."""
    return Reaction(f"carbonate_{ln}", ((sulfate(ln), "aq", -1), ("Na2CO3", "s", -3),
                                        (carbonate(ln), "s", 1), ("Na2SO4", "aq", 3)))


@lru_cache(maxsize=256)
def carbonate_from_chloride_reaction(ln: str) -> Reaction:
    """2 LnCl3 + 3 Na2CO3 → Ln2(CO3)3↓ + 6 NaCl: the chloride analogue of
    :func:`carbonate_reaction`, for a product solution of the SX train precipitated with soda ash
    instead of oxalic acid (a bulk carbonate, not a calcined oxide)."""
    return Reaction(f"carbonate_chloride_{ln}", ((chloride(ln), "aq", -2), ("Na2CO3", "s", -3),
                                                 (carbonate(ln), "s", 1), ("NaCl", "aq", 6)))


@lru_cache(maxsize=1)
def acid_carbonate_reactions() -> dict[str, Reaction]:
    """Free acid neutralised by soda ash ahead of the carbonate precipitation, keyed by acid:
    H2SO4 + Na2CO3 → Na2SO4 + H2O + CO2↑;  2 HCl + Na2CO3 → 2 NaCl + H2O + CO2↑."""
    return {
        "H2SO4": Reaction("soda_H2SO4", (("H2SO4", "aq", -1), ("Na2CO3", "s", -1),
                                         ("Na2SO4", "aq", 1), ("H2O", "aq", 1), ("CO2", "g", 1))),
        "HCl": Reaction("soda_HCl", (("HCl", "aq", -2), ("Na2CO3", "s", -1), ("NaCl", "aq", 2),
                                     ("H2O", "aq", 1), ("CO2", "g", 1))),
    }


@lru_cache(maxsize=256)
def cerium_oxidation_reaction() -> Reaction:
    """Ce2(SO4)3 + H2O2 + 3 MgO + 3 H2O → 2 Ce(OH)4↓ + 3 MgSO4: oxidative precipitation of Ce(IV)
    with hydrogen peroxide at pH 3–5 (Moldoveanu & Papangelakis 2024, Hydrometallurgy 231:106417;
    MgO as the base, as in the neutralisation step)."""
    return Reaction("cerium_oxidation", (("Ce2(SO4)3", "aq", -1), ("H2O2", "aq", -1),
                                         ("MgO", "s", -3), ("H2O", "aq", -3),
                                         ("Ce(OH)4", "s", 2), ("MgSO4", "aq", 3)))
