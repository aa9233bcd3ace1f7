"""A mock results dict for the report tests (schema: results.json); the fixture is in conftest.

Every number here is MOCK data made up for rendering tests — shaped like a Beylikova study but
NOT a model result and not a source for anything. Flows are built so that every unit balances
exactly (splits of the inlet), so the element-balance table has real closures to show.
"""

from __future__ import annotations

import numpy as np

_ELEMENTS = {"La": 60.0, "Ce": 75.0, "Pr": 5.5, "Nd": 12.0, "Sm": 0.8, "Y": 0.3, "Th": 3.0,
             "Ca": 900.0, "Ba": 700.0}

# unit -> list of (outlet stream, target unit or None = leaves the plant, split per element)
_DEFAULT = object()
_UNITS = [
    ("comminution", "grinding", [("ground_ore", "flotation", {})]),
    ("flotation", "flotation", [
        ("ree_concentrate", "bake_leach", {"REE": 0.7, "Th": 0.6, "Ca": 0.05, "Ba": 0.05}),
        ("fluorite_concentrate", None, {"REE": 0.05, "Th": 0.05, "Ca": 0.8, "Ba": 0.02}),
        ("barite_concentrate", None, {"REE": 0.03, "Th": 0.02, "Ca": 0.02, "Ba": 0.85}),
        ("tailings", None, _DEFAULT)]),
    ("bake_leach", "acid bake + water leach", [
        ("pregnant_liquor", "separation", {"REE": 0.93, "Th": 0.01, "Ca": 0.1, "Ba": 0.0}),
        ("thorium_residue", None, _DEFAULT)]),
    ("separation", "solvent extraction", [
        ("la_ce_liquor", "precipitation", {"La": 0.98, "Ce": 0.98}),
        ("prnd_liquor", "precipitation", {"Pr": 0.97, "Nd": 0.98}),
        ("sm_heavy_liquor", "precipitation", {"Sm": 0.95, "Y": 0.9}),
        ("raffinate", None, _DEFAULT)]),
    ("precipitation", "oxalate precipitation", [("oxalates", "calcination", {"ALL": 0.995}),
                                                ("barren", None, _DEFAULT)]),
    ("calcination", "calcination", [("oxide_products", None, {})]),
]
_REE = ("La", "Ce", "Pr", "Nd", "Sm", "Y")


def _split(el: str, spec: dict) -> float | None:
    if spec is _DEFAULT:
        return None
    for key in (el, "REE" if el in _REE else "", "ALL"):
        if key in spec:
            return spec[key]
    return 0.0 if spec else 1.0


def _flows() -> tuple[list, list]:
    """Element flows and per-unit balances through the mock flowsheet (exact splits)."""
    flows, balance = [], []
    inlet = {u: dict.fromkeys(_ELEMENTS, 0.0) for u, _, _ in _UNITS}
    for el, kg in _ELEMENTS.items():
        flows.append({"stream": "ore", "source_unit": None, "target_unit": "comminution",
                      "element": el, "kg_per_h": kg})
        inlet["comminution"][el] = kg
    for unit, _, outlets in _UNITS:
        for el, kg_in in inlet[unit].items():
            fracs = [_split(el, spec) for _, _, spec in outlets]
            rest = 1.0 - sum(f for f in fracs if f is not None)
            out = 0.0
            for (stream, target, _), f in zip(outlets, fracs, strict=True):
                kg = kg_in * (rest if f is None else f)
                out += kg
                flows.append({"stream": stream, "source_unit": unit, "target_unit": target,
                              "element": el, "kg_per_h": kg})
                if target is not None:
                    inlet[target][el] += kg
            rel = (out - kg_in) / kg_in if kg_in else 0.0
            balance.append({"unit": unit, "element": el, "in_kg_per_h": kg_in,
                            "out_kg_per_h": out, "rel_closure": rel})
    return flows, balance


def _sx() -> dict:
    stages = 40
    x = np.linspace(0.03, 0.97, stages)  # Nd fraction in the aqueous, mock
    beta = 1.4
    y = beta * x / (1 + (beta - 1) * x)
    c_aq, c_org = 0.8, 0.5
    prnd = {"cut": "Pr|Nd", "n_extraction": 20, "n_scrub": 20, "n_strip": 6,
            "organic_flow_m3_per_h": 12.5, "beta": beta, "purity_nd_frac": 0.995,
            "profiles": {"Pr": (c_aq * (1 - x)).tolist(), "Nd": (c_aq * x).tolist()},
            "profiles_organic": {"Pr": (c_org * (1 - y)).tolist(), "Nd": (c_org * y).tolist()}}
    n = np.arange(1, 31)
    lace = {"cut": "La|Ce", "n_extraction": 14, "n_scrub": 16, "n_strip": 4,
            "organic_flow_m3_per_h": 30.0,
            "profiles": {"La": (0.9 * np.exp(-n / 12)).tolist(),
                         "Ce": (0.05 + 0.7 * n / 30).tolist()}}
    return {"sequence": ["LaCe|PrNdSm", "La|Ce", "PrNd|Sm", "Pr|Nd"],
            "cascades": [{"cut": "LaCe|PrNdSm", "n_extraction": 12, "n_scrub": 14, "n_strip": 5,
                          "organic_flow_m3_per_h": 40.0}, lace,
                         {"cut": "PrNd|Sm", "n_extraction": 10, "n_scrub": 8, "n_strip": 4,
                          "organic_flow_m3_per_h": 5.0}, prnd],
            "total_stages": 153, "organic_inventory_m3": 410.0,
            "reagents_kg_per_h": {"HCl": 820.0, "NaOH": 610.0, "P507 makeup": 0.9}}


def _economics() -> dict:
    years = list(range(0, 16))
    cash = []
    cum = 0.0
    for yr in years:
        capex = 320e6 if yr < 2 else 0.0
        rev = 0.0 if yr < 2 else 210e6
        opex = 0.0 if yr < 2 else 120e6
        roy, tax = 0.04 * rev, 0.2 * max(rev - opex, 0)
        net = rev - opex - capex - roy - tax
        cum += net
        cash.append({"year": yr, "revenue_usd": rev, "opex_usd": opex, "capex_usd": capex,
                     "tax_usd": tax, "royalty_usd": roy, "net_cash_flow_usd": net,
                     "cumulative_usd": cum})
    rng = np.random.default_rng(1)
    samples = rng.normal(150e6, 120e6, 2000)
    return {
        "npv_usd": {"8%": 180e6, "10%": 120e6}, "irr_frac": 0.142, "payback_years": 6.3,
        "capex_usd": 640e6, "opex_usd_per_a": 120e6, "unit_cost_usd_per_kg_reo": 11.9,
        "unit_cost_usd_per_kg_ndpr": 48.0, "cashflow": cash,
        "capex_breakdown": [{"item": "SX plant", "usd": 210e6}, {"item": "bake + leach",
                            "usd": 150e6}, {"item": "concentrator", "usd": 120e6},
                            {"item": "indirects", "usd": 90e6}, {"item": "contingency",
                            "usd": 70e6}],
        "opex_breakdown": [{"item": "reagents", "usd_per_a": 55e6},
                           {"item": "energy", "usd_per_a": 25e6},
                           {"item": "labour", "usd_per_a": 28e6},
                           {"item": "fixed", "usd_per_a": 12e6}],
        "tornado": [{"driver": "NdPr price", "low_npv_usd": -40e6, "high_npv_usd": 280e6,
                     "low_label": "-30 %", "high_label": "+30 %"},
                    {"driver": "head grade", "low_npv_usd": -90e6, "high_npv_usd": 400e6,
                     "low_label": "1.0 %", "high_label": "3.14 %"},
                    {"driver": "capex", "low_npv_usd": 190e6, "high_npv_usd": 50e6,
                     "low_label": "-20 %", "high_label": "+20 %"}],
        "monte_carlo": {"p10_usd": float(np.percentile(samples, 10)),
                        "p50_usd": float(np.percentile(samples, 50)),
                        "p90_usd": float(np.percentile(samples, 90)),
                        "prob_negative": float(np.mean(samples < 0)), "draws": 2000,
                        "npv_samples_usd": samples},
        "price_deck": {"name": "mock deck", "year": 2025, "source": "MOCK — test fixture"},
    }


def _market() -> dict:
    def rows(data):
        total = sum(data.values())
        return [{"country": c, "t": t, "share": t / total} for c, t in data.items()]
    before = {"China": 270000, "United States": 45000, "Myanmar": 31000, "Australia": 13000,
              "Thailand": 13000, "India": 2900, "Russia": 2500, "Vietnam": 300, "Brazil": 20}
    after = dict(before, **{"Türkiye": 10000})
    hhi = lambda d: sum((100 * r["share"]) ** 2 for r in rows(d))  # noqa: E731
    return {"stages": [{"stage": "mining", "before": rows(before), "after": rows(after),
                        "hhi_before": hhi(before), "hhi_after": hhi(after)},
                       {"stage": "separation", "before": rows({"China": 90, "Malaysia": 5,
                                                               "Other": 5}),
                        "after": rows({"China": 85, "Malaysia": 5, "Other": 5, "Türkiye": 5}),
                        "hhi_before": 8150.0, "hhi_after": 7300.0}],
            "flags": [{"product": "CeO2", "project_t_per_a": 4800, "world_t_per_a": 150000,
                       "share": 0.032, "note": "large against a surplus market"}],
            "sources": ["MOCK: USGS MCS 2026 (test fixture)", "MOCK: IEA 2025 (test fixture)"]}


def _resource() -> dict:
    cut = np.linspace(0.0, 0.03, 13)
    gt = []
    for cls, scale in (("Indicated", 1.0), ("Inferred", 2.5)):
        for c in cut:
            gt.append({"class": cls, "cutoff_frac": c, "tonnes": scale * 5e8 * np.exp(-c / 0.012),
                       "grade_frac": c + 0.012})
    lag = np.linspace(10, 300, 15)
    model = 0.05 + 0.95 * (1.5 * np.minimum(lag / 220, 1) - 0.5 * np.minimum(lag / 220, 1) ** 3)
    return {"synthetic": True,
            "statement": [{"class": "Indicated", "tonnes": 2.1e8, "treo_frac": 0.019,
                           "contained_treo_t": 3.99e6},
                          {"class": "Inferred", "tonnes": 4.4e8, "treo_frac": 0.016,
                           "contained_treo_t": 7.04e6}],
            "grade_tonnage": gt,
            "variograms": [{"variable": "TREO", "lag_m": lag.tolist(),
                            "gamma": (model * (1 + 0.08 * np.sin(lag))).tolist(),
                            "model_gamma": model.tolist(), "model_name": "spherical, a = 220 m"}],
            "disclaimer": "MOCK disclaimer: synthetic data — not a Mineral Resource under JORC.\n"
                          "Second line kept verbatim."}


def _mine() -> dict:
    nested = [{"revenue_factor": rf, "tonnes": 1e8 * rf ** 2, "ore_tonnes": 3e7 * rf ** 1.5,
               "grade_frac": 0.02 - 0.004 * rf, "value_usd": 2e9 * rf - 8e8 * rf ** 3}
              for rf in np.linspace(0.3, 1.5, 9)]
    sched = [{"year": y, "ore_t": 570000.0, "waste_t": 1.8e6 - 60000 * y,
              "treo_frac": 0.021 - 0.0004 * y, "la_frac": 0.006} for y in range(1, 16)]
    return {"pit": {"tonnes": 1.0e8, "ore_tonnes": 3.0e7, "value_usd": 1.2e9, "n_blocks": 48210},
            "nested": nested, "schedule": sched}


def _products() -> list[dict]:
    return [
        {"name": "La2O3", "kind": "oxide", "t_per_a": 3900.0, "purity_frac": 0.999,
         "recovery_frac": 0.61, "price_usd_per_kg": 0.6, "revenue_usd_per_a": 2.34e6,
         "activity_bq_per_g": None, "classification": None},
        {"name": "CeO2", "kind": "oxide", "t_per_a": 4800.0, "purity_frac": 0.995,
         "recovery_frac": 0.6, "price_usd_per_kg": 1.0, "revenue_usd_per_a": 4.8e6,
         "activity_bq_per_g": None, "classification": None},
        {"name": "NdPr oxide", "kind": "oxide", "t_per_a": 1100.0, "purity_frac": 0.995,
         "recovery_frac": 0.6, "price_usd_per_kg": 60.0, "revenue_usd_per_a": 66e6,
         "activity_bq_per_g": None, "classification": None},
        {"name": "fluorite concentrate", "kind": "byproduct", "t_per_a": 70000.0,
         "purity_frac": 0.97, "recovery_frac": 0.8, "price_usd_per_kg": 0.35,
         "revenue_usd_per_a": 24.5e6, "activity_bq_per_g": None, "classification": None},
        {"name": "thorium residue", "kind": "residue", "t_per_a": 5200.0, "purity_frac": None,
         "recovery_frac": None, "price_usd_per_kg": None, "revenue_usd_per_a": None,
         "activity_bq_per_g": 38.0, "classification": "NORM, above exemption"},
    ]


def make_results() -> dict:
    """The full mock results dict (all sections)."""
    flows, balance = _flows()
    products = _products()
    return {
        "meta": {"project_name": "Beylikova (mock) <study>", "generated_utc": "2026-11-24T18:00",
                 "reeflow_version": "0.1.0", "runtime_s": 3.2,
                 "synthetic_labels": ["resource: synthetic block model", "mine: synthetic pits"]},
        "assumptions": [
            {"path": "plant.ore_t_per_a", "value": 570000.0, "unit": "t/a",
             "source": "MOCK source", "evidence": "published", "range": None, "note": None},
            {"path": "deposit.grade_frac", "value": 0.018, "unit": "frac", "source": "MOCK",
             "evidence": "published", "range": [0.01, 0.0314], "note": "range carried"},
            {"path": "plant.flotation.recovery", "value": 0.7, "unit": "frac", "source": None,
             "evidence": "assumed", "range": None, "note": "no public figure <assumed>"},
        ],
        "flowsheet": {
            "units": [{"name": u, "kind": k, "params": {}, "power_kw": 100.0 * (i + 1)}
                      for i, (u, k, _) in enumerate(_UNITS)],
            "streams": [{"name": "ore", "source_unit": None, "target_unit": "comminution",
                         "temperature_c": 25.0, "total_kg_per_h": 65000.0,
                         "species_kg_per_h": {"CeO2": {"s": 92.0}}}],
            "element_flows": flows, "balance": balance,
            "recycles": [{"tear_stream": "raffinate_recycle", "iterations": 7,
                          "residual": 3.1e-11}],
        },
        "products": products,
        "sx": _sx(),
        "economics": _economics(),
        "market": _market(),
        "resource": _resource(),
        "mine": _mine(),
        "claims": [
            {"id": "C1", "claim": "570 kt/a ore gives 10,000 t/a REO <script>alert(1)</script>",
             "outlet": "MOCK outlet", "date": "2025-01-01", "quantity": "REO t/a",
             "claimed": 10000.0, "model": 6300.0, "status": "inconsistent",
             "reason": "needs grade × recovery = 1.75 %"},
            {"id": "C2", "claim": "70 kt fluorite", "outlet": "MOCK", "date": "2024-12-01",
             "quantity": "t/a", "claimed": 70000.0, "model": 70000.0, "status": "consistent",
             "reason": "within 5 %"},
            {"id": "C3", "claim": "694 Mt", "outlet": "MOCK", "date": "2024-11-01",
             "quantity": "t", "claimed": "694 Mt", "model": None, "status": "unverifiable",
             "reason": "no code-compliant resource"},
        ],
        "kpis": {"reo_t_per_a": 9800.0, "ndpr_oxide_t_per_a": 1100.0,
                 "overall_reo_recovery_frac": 0.6, "thorium_t_per_a": 240.0},
    }
