"""Peer benchmark: the data file (sources, bases), bands, positions, reasons, unverified peers,
escalation, and the KPIs evaluate() computes."""

import math

import pytest
from econ_fixtures import beylikova_like_inputs, case_params

from reeflow.core.errors import InputError
from reeflow.economics import FIGURES, benchmark, evaluate, load_peers

PEERS = ("Lynas", "Pensana", "Nolans", "Songwe", "Phalaborwa", "Ngualla")


def test_peer_file_has_sources_dates_and_bases():
    df = load_peers(currency_year=2025)
    assert {p for p in PEERS if df["project"].str.contains(p).any()} == set(PEERS)
    for col in ("source", "date", "currency_year", "scope", "study_class", "basis", "verified"):
        assert df[col].notna().all(), col
    assert set(df["verified"]) <= {"yes", "secondary", "no"}
    assert set(df["evidence"]) <= {"published", "derived"}
    # escalation of money only, by CEPCI
    ng = df[(df["project"].str.contains("Ngualla")) & (df["figure"] == "opex_usd_per_kg_ndpr")]
    assert float(ng["value_usd"].iloc[0]) == pytest.approx(34.20 * 815.59 / 567.5)
    res = df[df["figure"] == "residue_t_per_t_reo"]
    assert float(res["value_usd"].iloc[0]) == float(res["value"].iloc[0])


def test_band_position_and_reason():
    peers = load_peers(currency_year=2025)
    t = benchmark({"opex_usd_per_kg_ndpr": 145.0, "capex_usd_per_t_a_reo": 60_000.0},
                  peers, reasons={"opex_usd_per_kg_ndpr": "low NdPr share"}).set_index("figure")
    sel = peers[(peers["figure"] == "opex_usd_per_kg_ndpr")]
    assert t.loc["opex_usd_per_kg_ndpr", "band_max"] == pytest.approx(sel["value_usd"].max())
    assert t.loc["opex_usd_per_kg_ndpr", "position"] == "above"
    assert not t.loc["opex_usd_per_kg_ndpr", "within_band"]
    assert t.loc["opex_usd_per_kg_ndpr", "reason"] == "low NdPr share"
    assert t.loc["capex_usd_per_t_a_reo", "within_band"]
    assert 0 <= t.loc["capex_usd_per_t_a_reo", "position_frac"] <= 1
    assert len(t.loc["capex_usd_per_t_a_reo", "peers_in_band"]) >= 4


def test_unverified_peers_do_not_set_the_band_unless_asked():
    t = benchmark({"residue_t_per_t_reo": 13.0}).iloc[0]
    assert t["position"] == "no band" and t["within_band"] is None
    assert t["unverified_peers"] and "Lynas" in t["unverified_peers"][0]
    u = benchmark({"residue_t_per_t_reo": 13.0}, include_unverified=True).iloc[0]
    assert u["within_band"] is False and u["position"] == "below"  # 13.0 < 13.41


def test_scope_matters():
    sep = benchmark({"separation_capex_usd_per_t_a_reo": 20_000.0}).iloc[0]
    assert sep["within_band"] and all(("Lynas" in p or "Saltend" in p)
                                      for p in sep["peers_in_band"])
    wide = benchmark({"separation_capex_usd_per_t_a_reo": 20_000.0},
                     scopes={"separation_capex_usd_per_t_a_reo": ("mine_to_oxide",)}).iloc[0]
    assert wide["position"] == "no band"


def test_not_computed_and_unknown():
    t = benchmark({"energy_gj_per_t_reo": math.nan}).iloc[0]
    assert t["position"] == "not computed" and t["within_band"] is None
    with pytest.raises(InputError, match="npv"):
        benchmark({"npv": 1.0})


def test_evaluate_carries_kpis_and_benchmark():
    r = evaluate(beylikova_like_inputs(), params=case_params())
    assert set(FIGURES) <= set(r.kpis)
    k = r.kpis
    assert k["capex_usd_per_t_a_reo"] == pytest.approx(r.capex_usd / k["reo_t_per_a"])
    assert k["opex_usd_per_kg_reo"] == pytest.approx(r.opex_usd_per_a / k["reo_t_per_a"] / 1e3)
    assert k["energy_gj_per_t_reo"] == pytest.approx((40_000 * 3.6 + 169_000) / k["reo_t_per_a"])
    residue = 24_809 + 391 + 14_200 + 7_000 + 38_500  # tailings excluded (Lynas basis)
    assert k["residue_t_per_t_reo"] == pytest.approx(residue / k["reo_t_per_a"])
    b = r.benchmark.set_index("figure")
    assert b.loc["opex_usd_per_kg_ndpr", "reason"]  # the case states why
    assert r.to_dict()["benchmark"][0]["figure"] in FIGURES


def test_a_plant_that_separates_no_oxide_says_so_beside_the_separating_peers():
    """A mixed-carbonate plant read 3.6k USD per t/a REO against the separating peers'
    45.5k-78.8k band with only its parent case's text beside it (fuzz round 13)."""
    from reeflow.economics.benchmark import route_reasons

    mixed = route_reasons({"capex_usd_per_t_a_reo": "case text", "opex_usd_per_kg_reo": "o"},
                          ["mixed REO concentrate", "CaF2 concentrate"])
    # the capex is banded against the mixed-concentrate peer instead (route_scopes): no
    # claim that its band's peers separate
    assert mixed["capex_usd_per_t_a_reo"] == "case text"
    assert mixed["opex_usd_per_kg_reo"].startswith("This plant separates no oxide")
    assert mixed["opex_usd_per_kg_reo"].endswith(" o")
    assert "reagents_t_per_t_reo" not in mixed
    separated = route_reasons({"capex_usd_per_t_a_reo": "case text"},
                              ["NdPr oxide", "mixed REO concentrate", "CaF2 concentrate"])
    assert separated == {"capex_usd_per_t_a_reo": "case text"}


def test_a_mixed_plant_capex_is_banded_against_the_mixed_concentrate_peer():
    """Songwe Hill (mine to mixed carbonate) sat in the separating peers' band beside a reason
    saying the band's peers separate; a mixed plant's capex is now banded against it alone."""
    from reeflow.economics.benchmark import benchmark, route_scopes

    mixed = ["mixed REO concentrate", "CaF2 concentrate"]
    assert route_scopes(["NdPr oxide", *mixed]) == {}
    row = benchmark({"capex_usd_per_t_a_reo": 8_000.0}, scopes=route_scopes(mixed)).iloc[0]
    assert [p.split(" (")[0] for p in row["peers_in_band"]] == ["Mkango Songwe Hill"]
    assert row["position"] == "below"


@pytest.mark.slow
def test_the_mixed_carbonate_scenario_states_its_own_capex_figures():
    """The scenario's reason quotes the capex, its REO basis and the figure: they must be the
    model's."""
    from reeflow.chain import run_chain
    from reeflow.project import load_project

    out = run_chain(load_project("builtin:beylikova/scenarios/route_mixed_carbonate"))
    row = out.annual.benchmark.set_index("figure").loc["capex_usd_per_t_a_reo"]
    per_t = out.annual.kpis["capex_usd_per_t_a_reo"]
    reason = row["reason"]
    assert reason.startswith("The band is the one published mine-to-mixed-carbonate peer")
    assert f"{per_t / 1000:.1f}k USD per t/a" in reason
    assert f"{out.basis.capex_usd / 1e6:.0f} MUSD over the " \
           f"{out.basis.capex_usd / per_t / 1000:.1f} kt/a REO" in reason
