"""Shared fixtures for the economics tests (a uniquely named module, not conftest.py, so that
``from ... import`` never picks up another room's conftest): a Beylikova-like input set built
from public figures
(570 kt/a ore, 10,000 t/a REO with the §1.4 distribution, 70 kt fluorite, 72 kt barite) with
flowsheet-like reagent, power and equipment figures chosen for the test (not a design)."""

from functools import lru_cache
from pathlib import Path

import reeflow
from reeflow.economics import EconomicInputs, load_economics_params

#: The Beylikova case's economic parameters (the file the study passes as ``params``).
CASE_FISCAL = Path(reeflow.__file__).parent / "cases" / "beylikova" / "fiscal.yaml"


@lru_cache(maxsize=1)
def case_params():
    return load_economics_params(CASE_FISCAL)[0]

DIST = {"CeO2": 0.484, "La2O3": 0.397, "Nd2O3": 0.077, "Pr6O11": 0.035, "Sm2O3": 0.005,
        "Y2O3": 0.002}
SIZES = {"ore_t_per_h": 72.0, "mill_power_kw": 2500.0, "kiln_duty_kw": 8000.0,
         "leach_tank_volume_m3": 2000.0, "leach_tank_volume_m3_count": 8,
         "mixer_settler_volume_m3": 1500.0, "mixer_settler_volume_m3_count": 80,
         "thickener_area_m2": 1500.0, "filter_volume_m3": 20.0}


def make_inputs(**kw) -> EconomicInputs:
    prods = {k: 10_000 * v for k, v in DIST.items()}
    prods.update({"CaF2 concentrate": 70_000.0, "BaSO4 concentrate": 72_000.0})
    args = dict(ore_t_per_a=570_000.0, products_t_per_a=prods, mining_cost_usd_per_t_ore=3.0,
                reagents_t_per_a={"H2SO4": 60_000.0, "HCl": 8_000.0, "oxalic acid": 4_000.0,
                                  "NaOH": 3_000.0},
                power_mwh_per_a=120_000.0, equipment_sizes=SIZES, residue_t_per_a=300.0,
                residue_handling_usd_per_t=200.0)
    args.update(kw)
    return EconomicInputs(**args)


@lru_cache(maxsize=1)
def cached_inputs() -> EconomicInputs:
    return make_inputs()


@lru_cache(maxsize=1)
def cached_result():
    from reeflow.economics import evaluate
    return evaluate(cached_inputs(), params=case_params())
