"""Plausibility of the built-in study's headline KPIs against published peers (issue #11 item 8).

The figures benchmarked are over the life of mine (``economics.kpis``: the cash flow's years);
the design basis's (``economics.kpis_design_basis``) are checked where a reason names them.

Each figure of ``economics.benchmark`` must sit inside the band of its verified peers, or carry a
stated reason — and the facts the reason states are checked here against the study's own output,
so a reason that stops being true fails. Where no verified peer band exists (reagents, energy,
residue), the figure is checked against the nearest published figure of the same scope, cited
with its source and verification status.

Peer figures used below (never invented; each with its source):
- ``peer_benchmarks.csv`` (economics room): Pensana Longonjo+Saltend FEED 2021, Arafura Nolans
  2022, Peak Ngualla BFS 2017, Mkango Songwe Hill DFS 2022, Rainbow Phalaborwa 2024 (capex, opex);
  Lynas LAMP cracking acid 1.6 t per t of ~40 % REO concentrate (4.0 t/t REO) and Lynas residues
  WLP 2.85 + NUF 7.93 + FGD 2.63 = 13.41 t/t REO — both NOT verified at source (as that file says).
- Mountain Pass cradle-to-gate energy 70.88 MJ/kg REO (life-cycle assessment, R. Pell, Camborne
  School of Mines, "Responsible sourcing of rare earth elements", workshop slides, Figure 4, as
  stored at slideplayer.com/16540843 — a secondary source; an LCA figure that includes the energy
  embodied in reagents, so an upper bound for site energy).
- NdPr oxide per TREO of the peers, from the capacities in ``peer_benchmarks.csv`` sources:
  Nolans 4,440 / 13,343 t/a; Ngualla 2,420 / ~9,960 t/a; Phalaborwa ~1,900 / 6,009 t/a (magnet
  REO, an upper bound on NdPr).
"""

from __future__ import annotations

import pytest

HEADLINE = ("capex_usd_per_t_a_reo", "opex_usd_per_kg_reo", "opex_usd_per_kg_ndpr",
            "reagents_t_per_t_reo", "energy_gj_per_t_reo", "residue_t_per_t_reo")
LYNAS_CRACKING_ACID_T_PER_T_REO = 1.6 / 0.40
LYNAS_RESIDUE_T_PER_T_REO = 2.85 + 7.93 + 2.63
MOUNTAIN_PASS_LCA_GJ_PER_T_REO = 70.88
PEER_NDPR_SHARE = {"Nolans": 4440 / 13343, "Ngualla": 2420 / 9960, "Phalaborwa": 1900 / 6009}


@pytest.fixture(scope="module")
def econ(builtin_results_dict):
    return builtin_results_dict["economics"]


@pytest.fixture(scope="module")
def bench(econ):
    return {row["figure"]: row for row in econ["benchmark"]}


def _opex(econ, item):
    return next(r for r in econ["opex_breakdown"] if r["item"] == item)


@pytest.mark.parametrize("figure", [
    *HEADLINE, "separation_capex_usd_per_t_a_reo"])
def test_each_figure_in_band_or_reasoned(bench, figure):
    row = bench[figure]
    assert row["value"] is not None and row["value"] > 0, figure
    if row["within_band"] is True:
        return
    assert isinstance(row["reason"], str) and len(row["reason"]) > 40, figure


def test_capex_per_t_a_is_over_the_sized_capacity_and_its_reason_is_true(
        econ, bench, builtin_results_dict):
    """The plant is sized for the mine plan's heaviest year, so the capex per t/a REO is over
    that year's REO; inside the band of mine-to-oxide peers on both bases (it read below the
    band while the plan fed 3.7 % TREO, until the SX reagents followed the REE, stop 40), and
    its stated reason stays true: the plan's grade and richest year, the ore end sized for
    570 kt/a of ore, the design basis's plant inside the band. Every area the route needs is
    sized (the figure is not low by missing areas)."""
    row = bench["capex_usd_per_t_a_reo"]
    areas = econ["capex_estimate"]["areas"]
    assert all(a["complete"] for a in areas), [(a["area"], a["missing"]) for a in areas]
    sx = [e for e in econ["capex_estimate"]["equipment"]
          if e["size_key"] == "sx.mixer_settler_volume_m3"]
    assert sx and sx[0]["units"] == builtin_results_dict["sx"]["total_stages"]
    peak = max(y["reo_t"] for y in builtin_results_dict["plant"]["by_year"])
    assert econ["kpis"]["capex_usd_per_t_a_reo"] == pytest.approx(econ["capex_usd"] / peak,
                                                                  rel=1e-9)
    assert row["position"] == "within"
    grade = builtin_results_dict["summary"]["target"]["schedule_grade_frac"]
    assert grade > 0.018
    assert f"{peak / 1000:.1f} kt/a in the mine plan's richest year" in row["reason"]
    assert f"the plan feeds {grade * 100:.1f} % TREO" in row["reason"]
    ore_end = sum(a["direct_usd"] for a in areas if a["area"] in (
        "crushing", "grinding", "flotation_ree", "flotation_fluorite", "flotation_barite"))
    assert ore_end == pytest.approx(31e6, rel=0.05)
    # the design-basis plant (sized for the deposit's grade) over its own REO: inside the band
    db = econ["kpis_design_basis"]
    design = db["capex_usd_per_t_a_reo"]
    assert design == pytest.approx(70_000, rel=0.03)
    assert row["band_min"] <= design <= row["band_max"]
    assert row["design_basis_value"] == pytest.approx(design, rel=1e-9)
    assert design * db["reo_t_per_a"] == pytest.approx(450e6, rel=0.01)
    assert "capex 450 MUSD" in row["reason"] and "70k USD per t/a, also inside" in row["reason"]


def test_separation_capex_inside_the_band(econ, bench):
    """Inside the Saltend-LAMP band over the capacity the SX is sized for, with the SX section
    costed per stage by Turton's mixer-settler correlation in SS316 and Towler's fluids
    installation factor (~3.7)."""
    assert bench["separation_capex_usd_per_t_a_reo"]["position"] == "within"
    (ms,) = [e for e in econ["capex_estimate"]["equipment"]
             if e["size_key"] == "sx.mixer_settler_volume_m3"]
    assert ms["correlation"] == "turton_mixer_settler"
    assert ms["material"] == "stainless steel 316"
    assert 3.5 <= ms["installation_factor"] <= 3.9


def test_opex_per_kg_reo_reason_is_true(econ, bench, builtin_results_dict):
    """Above the band (Nolans, Ngualla, Phalaborwa) over the life of mine and on the design
    basis; the reason: 570 kt/a of ore (by-product circuits, ~200 kt/a of industrial-mineral
    concentrates, a 670-person site) spreads over the plan's REO, and the SX separates a basket
    88 % La+Ce at about 2.6 t NaOH per t REO; on the design basis (6.4 kt/a REO) 16.8 USD/kg.
    The figures are those the case's reason states (`fiscal.yaml`, benchmark_reasons)."""
    row = bench["opex_usd_per_kg_reo"]
    assert row["position"] == "above"
    grade = builtin_results_dict["summary"]["target"]["schedule_grade_frac"]
    lom, design = econ["kpis"], econ["kpis_design_basis"]
    # the reason the report prints states these figures
    assert f"fed {grade * 100:.1f} % TREO" in row["reason"]
    assert f"{lom['reo_t_per_a'] / 1000:.1f} kt/a REO on average" in row["reason"]
    assert design["reo_t_per_a"] == pytest.approx(6_400, rel=0.01)
    assert row["design_basis_value"] == design["opex_usd_per_kg_reo"]
    assert design["opex_usd_per_kg_reo"] == pytest.approx(16.8, abs=0.05)
    assert f"costs {design['opex_usd_per_kg_reo']:.1f} USD/kg REO" in row["reason"]
    assert min(design["opex_usd_per_kg_reo"], row["value"]) > row["band_max"] > row["band_min"]
    shares = builtin_results_dict["products"]
    la_ce = sum(p["t_per_a"] for p in shares if p.get("name") in ("La", "Ce")) / \
        sum(p["t_per_a"] for p in shares if p.get("kind") == "oxide")
    assert "88 % La+Ce" in row["reason"] and la_ce == pytest.approx(0.88, abs=0.01)
    naoh = builtin_results_dict["reagents_t_per_a"]["NaOH"] / design["reo_t_per_a"]
    assert "2.6 t NaOH" in row["reason"] and round(naoh, 1) == 2.6
    rev = {r["product"]: r for r in econ["revenue"]}
    minerals = rev["CaF2 concentrate"]["t_per_a"] + rev["BaSO4 concentrate"]["t_per_a"]
    assert minerals == pytest.approx(200_000, rel=0.10)
    assert _opex(econ, "labour")["quantity"] == 670
    # the life-of-mine figure is the cash flow's: its opex over its REO
    annual = [r for r in econ["annual"] if (r.get("reo_t") or 0) > 0]
    opex = sum(r["opex_usd"] for r in annual)
    reo_kg = sum(r["reo_t"] for r in annual) * 1000.0
    assert lom["opex_usd_per_kg_reo"] == pytest.approx(opex / reo_kg, rel=0.02)


def test_opex_per_kg_ndpr_reason_is_true(econ, bench):
    """Above the band; the reason: NdPr is ~11 % of Beylikova's TREO against far more at the
    peers, so the same cost per kg REO weighs 2-3x more per kg NdPr."""
    k = econ["kpis"]
    assert bench["opex_usd_per_kg_ndpr"]["position"] == "above"
    share = k["ndpr_oxide_t_per_a"] / k["reo_t_per_a"]
    assert 0.10 <= share <= 0.12
    assert k["opex_usd_per_kg_ndpr"] == pytest.approx(k["opex_usd_per_kg_reo"] / share,
                                                      rel=1e-9)
    for peer, s in PEER_NDPR_SHARE.items():
        assert s >= 2 * share, peer
    # the share multiplies a cost per kg REO that is itself above its band (the reason says
    # so): the two gaps together
    top = bench["opex_usd_per_kg_ndpr"]["band_max"]
    assert bench["opex_usd_per_kg_reo"]["position"] == "above"
    assert "itself above its band" in bench["opex_usd_per_kg_ndpr"]["reason"]
    assert k["opex_usd_per_kg_ndpr"] >= 1.5 * top


def test_reagents_against_lynas_cracking_acid(econ, builtin_results_dict):
    """No verified band. The reason: the only peer figure is Lynas's cracking acid alone (4.0 t/t
    REO, unverified); Beylikova adds HCl, NaOH, oxalic acid, lime and flotation reagents. The
    bake acid per t REO is of the same order as Lynas's, and the slate holds the named reagents."""
    k = econ["kpis_design_basis"]  # the design basis's reagent slate and REO
    acid = builtin_results_dict["reagents_t_per_a"]["H2SO4"] / k["reo_t_per_a"]
    assert 0.5 <= acid / LYNAS_CRACKING_ACID_T_PER_T_REO <= 2.0
    assert k["reagents_t_per_t_reo"] > 2 * acid
    items = {r["item"] for r in econ["opex_breakdown"]}
    for named in ("reagent: HCl", "reagent: NaOH", "reagent: H2C2O4", "reagent: Ca(OH)2"):
        assert named in items
    assert any(i.startswith("flotation reagent:") for i in items)
    # the 28 % target; the model lands at 27.2 % because the thorium that reports to the
    # concentrate is added after the gangue pull that meets the grade (a known defect, reported)
    assert builtin_results_dict["kpis"]["concentrate_treo_frac"] == pytest.approx(0.28, rel=0.05)


def test_energy_below_the_cradle_to_gate_energy_of_mountain_pass(econ, builtin_results_dict):
    """No peer band. Site energy (electricity at 3.6 GJ/MWh + fuel) per t REO must lie below the
    cradle-to-gate LCA energy of Mountain Pass (70.88 GJ/t REO, which also counts the energy
    embodied in reagents), and above the fuel the bake alone needs."""
    e = builtin_results_dict["energy"]  # the design basis's energy balance
    design = econ["kpis_design_basis"]
    for gj in (econ["kpis"]["energy_gj_per_t_reo"], design["energy_gj_per_t_reo"]):
        assert gj < MOUNTAIN_PASS_LCA_GJ_PER_T_REO
    bake_fuel = sum(u["fuel_kw"] for u in e["units"] if u["kind"] == "bake")
    assert design["energy_gj_per_t_reo"] > \
        bake_fuel * 3.6e-3 * e["operating_hours_per_a"] / design["reo_t_per_a"]
    # electricity is not comminution alone (issue #11: it was 0.76 MW of comminution only)
    assert e["comminution_share_of_electricity"] < 0.6


def test_residue_counts_what_its_reason_says_and_sits_near_lynas(econ, builtin_results_dict):
    """No verified band. The reason: the figure counts leach residue, neutralisation cake,
    scrubber sludge, raffinate gypsum and crystallised salt, not flotation tailings, as the
    (unverified) Lynas 13.4 t/t REO does."""
    rows = {r["stream"]: r["dry_t_per_a"] for r in builtin_results_dict["residues"]["rows"]}
    for s in ("leach.residue", "neutralisation.cake", "offgas_scrubber.sludge",
              "effluent_neutralisation.cake", "brine_treatment.salt"):
        assert rows.get(s, 0.0) > 0, s
    counted = sum(v for s, v in rows.items() if "tailings" not in s)
    k = econ["kpis_design_basis"]  # the design basis's residue table
    assert k["residue_t_per_t_reo"] == pytest.approx(counted / k["reo_t_per_a"], rel=1e-9)
    for v in (k["residue_t_per_t_reo"], econ["kpis"]["residue_t_per_t_reo"]):
        assert 0.5 <= v / LYNAS_RESIDUE_T_PER_T_REO <= 2.0
    # over the life of mine the same streams, summed over the years the plant was solved at
    # (over the plant's REO made; the figure is over the REO products sold: within 1 %)
    by_year = builtin_results_dict["plant"]["by_year"]
    lom = sum(y["chemical_residue_t"] for y in by_year) / sum(y["reo_t"] for y in by_year)
    assert econ["kpis"]["residue_t_per_t_reo"] == pytest.approx(lom, rel=0.01)


def test_no_opex_line_is_missing(econ):
    """Every opex driver is supplied (extractant and diluent make-up included)."""
    assert econ["opex_missing"] == []
    ext = _opex(econ, "extractant and diluent make-up")
    assert ext["quantity"] > 0 and ext["usd_per_a"] > 0
