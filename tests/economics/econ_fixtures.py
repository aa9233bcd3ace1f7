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


# ---------------------------------------------------------------------------------------------
# A Beylikova-like reference input for the engineering economics (capex by area, complete opex,
# residue storage, benchmark). Built from the built-in study's output on main (plant flows,
# products, reagents, the plant's legacy equipment sizes, 88 SX stages) plus the stated ratios
# below where the plant does not yet supply a size or a driver. A TEST STAND-IN until the plant
# reports these keys - not a design and not shipped as data.
# ---------------------------------------------------------------------------------------------
HOURS = 8000.0
_STUDY_PRODUCTS = {"La2O3": 2555.2, "CeO2": 3120.9, "NdPr oxide": 721.6, "Sm2O3": 39.4,
                   "CaF2 concentrate": 113_953.0, "BaSO4 concentrate": 88_095.0}
_STUDY_PURITY = {"La2O3": 0.9992, "CeO2": 0.9974, "NdPr oxide": 0.9911, "Sm2O3": 0.7139,
                 "CaF2 concentrate": 0.97, "BaSO4 concentrate": 0.90}
BEYLIKOVA_LIKE_SIZES = {
    # plant legacy keys (plant/sizing.py on main)
    "kiln_duty_kw": 1905.8, "calciner_duty_kw": 633.7, "leach_tank_volume_m3": 42.2,
    "process_tank_volume_m3": 70.2, "agitator_power_kw": 22.5, "pump_flow_m3_per_h": 69.9,
    "thickener_area_m2": 14.9, "filter_volume_m3": 5.6,
    # SX design: 1,412 m3 of mixer-settlers over 88 stages, 1,212 m3 organic
    "sx.mixer_settler_volume_m3": 1412.0, "sx.mixer_settler_volume_m3_count": 88,
    "sx.organic_inventory_m3": 1212.0,
    # stand-in sizes (ratios stated): crushing at 75 % utilisation; flotation 30 min rougher +
    # cleaners at 30 % solids in 20 m3 cells; concentrate/tailings thickeners 0.2 / 0.1 m2 per
    # t/d; off-gas 20,000 m3/h; D2EHPA conversion 10 stages of 10 m3; tank farm 24 h of SX flows
    # plus 30 % of the organic; oxalate and raffinate tanks 2-4 h; brine evaporator at
    # 60 kg/(m2 h); salt crystalliser for 38.5 kt/a.
    "crushing.crusher_feed_t_per_h": 95.0, "crushing.conveyor_length_m": 300.0,
    "grinding.mill_feed_t_per_h": 71.25,
    "flotation_ree.cell_volume_m3": 160.0, "flotation_ree.cell_volume_m3_count": 8,
    "flotation_fluorite.cell_volume_m3": 200.0, "flotation_fluorite.cell_volume_m3_count": 10,
    "flotation_fluorite.thickener_area_m2": 68.0,
    "flotation_barite.cell_volume_m3": 100.0, "flotation_barite.cell_volume_m3_count": 5,
    "flotation_barite.thickener_area_m2": 53.0,
    "flotation_ree.thickener_area_m2": 102.0,
    "bake.scrubber_gas_m3_per_h": 20_000.0,
    "chloride_conversion.mixer_settler_volume_m3": 100.0,
    "chloride_conversion.mixer_settler_volume_m3_count": 10,
    "sx.tank_volume_m3": 840.0, "sx.tank_volume_m3_count": 8,
    "precipitation.tank_volume_m3": 14.0, "precipitation.tank_volume_m3_count": 4,
    "effluent.tank_volume_m3": 90.0, "effluent.evaporator_area_m2": 225.0,
    "effluent.crystallizer_t_per_d": 115.0,
    "utilities.cooling_water_l_per_s": 200.0, "utilities.water_treatment_m3_per_h": 50.0,
    "utilities.tank_volume_m3": 500.0, "utilities.tank_volume_m3_count": 4,
}


def beylikova_like_inputs(**kw) -> EconomicInputs:
    from reeflow.economics import ResidueStream

    residues = (
        ResidueStream("leach residue (Th, BaSO4, gypsum)", 24_809.0, "norm_store", 113.4),
        ResidueStream("neutralisation cake (Fe/Th hydroxides)", 391.0, "norm_store", 375.3),
        ResidueStream("off-gas scrubber sludge (CaF2, CaSO4)", 14_200.0, "lined", None),
        ResidueStream("raffinate neutralisation gypsum", 7_000.0, "lined", None),
        ResidueStream("salt from brine crystallisation", 38_500.0, "lined", None),
        ResidueStream("flotation tailings (~3 Bq/g)", 340_500.0, "lined", 3.0, "tailings"),
    )
    args = dict(
        ore_t_per_a=570_000.0, products_t_per_a=_STUDY_PRODUCTS,
        product_purity_frac=_STUDY_PURITY, mining_cost_usd_per_t_ore=5.0,
        reagents_t_per_a={"H2SO4": 21_931.0, "MgO": 269.7, "HCl": 25_221.0, "NaOH": 26_384.0,
                          "H2C2O4": 6_216.0, "CaO": 8_500.0, "limestone": 5_800.0},
        reagent_price_overrides_usd_per_t={"MgO": 661.0},
        power_mwh_per_a=40_000.0, equipment_sizes=BEYLIKOVA_LIKE_SIZES,
        organic_fill_usd_per_m3=4800.0, operating_hours_per_a=HOURS,
        fuel_gj_per_a={"natural gas": 169_000.0}, water_m3_per_a=182_000.0,
        flotation_feed_t_per_a={"ree": 570_000.0, "fluorite": 545_000.0, "barite": 430_000.0},
        mill_energy_mwh_per_a=757.0 * HOURS / 1000.0, sx_aqueous_m3_per_a=15.0 * HOURS,
        residue_streams=residues, brine_handling="evaporation_crystallisation",
        brine_m3_per_a=13.4 * HOURS)
    args.update(kw)
    return EconomicInputs(**args)
