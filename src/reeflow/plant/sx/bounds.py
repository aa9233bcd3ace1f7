"""Physical upper bounds on what an SX input file may state, each with its basis.

These are ceilings no real input can reach (a value above one is a typo or a unit slip, such
as mol/m3 written as mol/L, or g/h as kg/h), not plausibility windows: the plausible design
windows are data (``data/sx/design_defaults.yaml`` ``bounds``).

``MAX_CONCENTRATION_MOL_PER_L`` (55.5 mol/L), any component (H+, a rare earth, the
extractant) of a liquid phase of a shake-out test or a cascade feed:

- aqueous phase: pure water is 1000 g/L / 18.015 g/mol = 55.5 mol/L (55.3 mol/L at 25 degC
  from its density 0.99705 g/cm3, CRC Handbook of Chemistry and Physics, "Properties of water
  in the range 0-100 degC"). Every dissolved ion binds water: H+ is carried as H3O+ (or a
  larger hydrate), a rare-earth ion holds 8-9 waters in its first shell (Habenschuss &
  Spedding 1979, J. Chem. Phys. 70:2797 and 70:3758, X-ray diffraction of aqueous RECl3), so
  no ion can outnumber the water of a litre of solution, which is less than a litre of pure
  water holds. The most concentrated mineral acids stay far below it: concentrated HCl
  (37 % w/w, 1.18 g/cm3) is 1184 x 0.37 / 36.46 = 12.0 mol/L and concentrated HNO3 (70 % w/w,
  1.41 g/cm3) 1413 x 0.70 / 63.01 = 15.7 mol/L (densities: CRC Handbook, "Concentrative
  properties of aqueous solutions").
- organic phase: an extractant (molar mass 290-325 g/mol for Cyanex 272, P507 and D2EHPA)
  in a diluent of density below 1 g/cm3: neat D2EHPA is 970 g/L / 322.4 g/mol = 3.0 mol/L of
  monomer, and its acid H (one per monomer) and rare-earth loading (one RE per three or six
  monomers) are less still. The aqueous ceiling is therefore a wide, certain one here too.

``MAX_EXTRACTANT_MOL_PER_L`` (6.5 mol/L), the total extractant of an organic phase as monomer
(a shake-out test's column, a mass-action model's ``extractant_mol_per_L``): the extractant
undiluted. The acidic extractants of rare-earth SX are organophosphorus acids (neat D2EHPA
970 g/L / 322.4 g/mol = 3.0 mol/L; neat Cyanex 272 916 g/L / 290.4 g/mol = 3.15 mol/L) and
carboxylic acids of eight or more carbons (naphthenic acids, Versatic 10 at 172 g/mol); the
lightest of these, the C8 acids, are 6.3 mol/L neat (octanoic acid 910 g/L and 2-ethylhexanoic
acid 903 g/L, both 144.2 g/mol; densities: CRC Handbook of Chemistry and Physics, "Physical
constants of organic compounds"). Lighter acids dissolve in the aqueous phase and are not
extractants. A value above the ceiling is a unit slip (g/L or mmol/L written as mol/L).

``MAX_FEED_KG_PER_H`` (4.4e6 kg/h), the rare-earth feed of one separation train (or cut):
one hundred times the world's entire rare-earth mine production. USGS (2026), Mineral
Commodity Summaries 2026, Rare Earths, world mine production 2025 (estimated): 390,000 t REO
(shipped in ``reeflow/data/market``; 2024 revised: 380,000 t). 100 x 390,000 t/a =
3.9e10 kg/a, / 8766 h/a (365.25 d x 24 h) = 4.45e6 kg/h of oxide; the elements weigh less
than their oxides (La is 85 % of La2O3), so a feed of elements above 4.4e6 kg/h is above
100 x the world's output on any basis. A plant that size does not exist; the value is a typo
(``La: 1e9`` kg/h is 8.8 Gt/a and ran for 70 s before this bound).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from reeflow.core.errors import InputError

__all__ = ["MAX_CONCENTRATION_MOL_PER_L", "MAX_EXTRACTANT_MOL_PER_L", "MAX_FEED_KG_PER_H",
           "check_concentration", "check_extractant", "check_feed_rate"]

#: Ceiling of any component's concentration in a liquid phase (module docstring).
MAX_CONCENTRATION_MOL_PER_L = 55.5
#: Ceiling of an organic phase's total extractant as monomer, mol/L (module docstring).
MAX_EXTRACTANT_MOL_PER_L = 6.5
#: Ceiling of a train's (or cut's) total rare-earth feed, kg/h (module docstring).
MAX_FEED_KG_PER_H = 4.4e6

_CONC_ALLOWED = (f"<= {MAX_CONCENTRATION_MOL_PER_L:g} mol/L (the molarity of pure water; no "
                 "dissolved component can exceed it)")


def check_concentration(value: float, field: str) -> None:
    """InputError naming ``field`` when ``value`` (mol/L) is above the physical ceiling."""
    if value > MAX_CONCENTRATION_MOL_PER_L:
        raise InputError(field, value, _CONC_ALLOWED,
                         "check the unit: the value must be in mol/L (mmol/L and mol/m3 "
                         "are 1000 times smaller)")


def check_extractant(value: float, field: str) -> None:
    """InputError naming ``field`` when ``value`` (mol/L of extractant as monomer) is above
    the undiluted extractant's concentration (module docstring)."""
    if value > MAX_EXTRACTANT_MOL_PER_L:
        raise InputError(field, value, f"<= {MAX_EXTRACTANT_MOL_PER_L:g} mol/L (an undiluted "
                         "acidic extractant: D2EHPA 3.0, Cyanex 272 3.15, C8 carboxylic acids "
                         "6.3 mol/L)", "check the unit: the value must be mol/L of extractant "
                         "as monomer (real organics hold about 0.5-1.5 mol/L)")


def check_feed_rate(feed_kg_per_h: Mapping[str, float], key: str) -> None:
    """InputError naming ``key.<element>`` (one element above the ceiling) or ``key`` (their
    total above it) when the feed, in kg/h of each element (a ``feed_mol_per_h`` converted
    by the caller), exceeds :data:`MAX_FEED_KG_PER_H`."""
    allowed = (f"<= {MAX_FEED_KG_PER_H:.2g} kg/h in all (100 x the world's rare-earth mine "
               "production, USGS Mineral Commodity Summaries 2026: 390,000 t REO in 2025)")
    fix = "check the unit and the magnitude of the feed (1 t/a is 0.114 kg/h)"
    for element, kg in feed_kg_per_h.items():
        if kg > MAX_FEED_KG_PER_H:
            raise InputError(f"{key}.{element}", f"{kg:.4g} kg/h", allowed, fix)
    total = math.fsum(feed_kg_per_h.values())
    if total > MAX_FEED_KG_PER_H:
        raise InputError(key, f"{total:.4g} kg/h in all", allowed, fix)
