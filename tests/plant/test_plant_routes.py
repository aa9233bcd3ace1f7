"""Alternative routes chosen in the project file (issue #11 item 10): mixed carbonate, cerium
rejection before SX, La/Ce rejection, full separation. Each route's flowsheet closes, stays within
solubility, reports its products, and each Beylikova route scenario runs the study end to end."""

from pathlib import Path

import pytest

from reeflow.chain.pipeline import with_overrides
from reeflow.core.errors import InputError
from reeflow.plant.params import ROUTES
from reeflow.plant.solubility import check_solubility
from reeflow.plant.summary import MIXED_SALE, ree_sales
from reeflow.project import CASES_DIR, load_project

SCENARIOS = CASES_DIR / "beylikova" / "scenarios"
LACE = {"LaCe": ["La", "Ce"], "NdPr": ["Pr", "Nd"], "SmY": ["Sm", "Y"]}


@pytest.mark.parametrize("route,extra", [
    ("full_separation", {}), ("mixed_carbonate", {}), ("cerium_rejection", {}),
    ("la_ce_rejection", {"plant.separation.products": LACE})])
def test_every_route_closes_and_stays_soluble(solve, route, extra):
    p, sol, s = solve({"plant.route": route, **extra})
    sol.check_balances(1e-9)  # every unit's element balance
    rep = check_solubility(sol)
    assert rep.ok, [(v.stream, v.salt, v.ratio) for v in rep.violations]
    assert 0.5 < s.kpis["overall_reo_recovery_frac"] < 1.0
    assert route in ROUTES


def test_mixed_carbonate_sells_the_contained_reo(solve):
    p, sol, s = solve({"plant.route": "mixed_carbonate"})
    assert "separation" not in sol.results and "sx_feed" not in sol.streams
    (row,) = [r for r in s.products if r["kind"] == "concentrate"]
    assert row["sale_name"] == MIXED_SALE
    assert sum(row["reo_distribution_frac"].values()) == pytest.approx(1.0, abs=1e-12)
    # no separation: the carbonate carries the head's REE distribution (oxide basis) unchanged
    for el, share in p.ore.ree_distribution.items():
        from reeflow.core.elements import oxide_formula

        assert row["reo_distribution_frac"][oxide_formula(el)] == pytest.approx(share, rel=0.02)
    assert s.kpis["reo_t_per_a"] == pytest.approx(row["reo_t_per_a"])
    t, purity, dist = ree_sales(s.products)
    assert t == {MIXED_SALE: pytest.approx(row["reo_t_per_a"])} and purity == {}
    assert dist == pytest.approx(row["reo_distribution_frac"])


def test_cerium_cake_paid_on_its_ceria_content(solve):
    p, sol, s = solve({"plant.route": "cerium_rejection"})
    cake = sol.streams["cerium_rejection.cerium_cake"]
    ce_in = sol.streams["purified_liquor"].element_kg_per_h()["Ce"]
    removal = p.plant.cerium_rejection.ce_removal_frac
    assert cake.element_kg_per_h()["Ce"] == pytest.approx(ce_in * removal, rel=1e-9)
    (row,) = [r for r in s.products if r["stream"] == "cerium_rejection.cerium_cake"]
    assert row["sale_name"] == "CeO2" and 0.7 < row["purity_frac"] < 1.0
    assert row["composition_frac"]["CeO2"] == row["purity_frac"]
    # the SX feed is Ce-depleted
    sx = sol.streams["sx_feed"].element_kg_per_h()
    assert sx["Ce"] / (sx["La"] + sx["Ce"]) < 0.2


def test_la_ce_group_split_between_stockpile_and_sale(solve):
    p, sol, s = solve({"plant.route": "la_ce_rejection", "plant.separation.products": LACE,
                              "plant.la_ce_rejection.stockpile_frac": {"La": 1.0, "Ce": 0.5}})
    carb = sol.streams["LaCe_carbonate"]
    pile = sol.streams["LaCe_disposition.stockpile"]
    sold = sol.streams["LaCe_disposition.sold"]
    assert pile.total_kg_per_h + sold.total_kg_per_h == pytest.approx(carb.total_kg_per_h)
    assert pile.element_kg_per_h()["La"] == pytest.approx(carb.element_kg_per_h()["La"])
    assert pile.element_kg_per_h()["Ce"] == pytest.approx(0.5 * carb.element_kg_per_h()["Ce"])
    assert "oxalate_LaCe" not in sol.results  # the rejected group is not oxalated nor calcined
    assert sum(r["reo_t_per_a"] for r in s.products if r["kind"] == "stockpile") > 0
    kinds = {r["kind"] for r in s.products}
    assert {"stockpile", "concentrate", "oxide"} <= kinds
    # the stockpile is neither sold nor a residue
    t, _, _ = ree_sales(s.products)
    # the sold carbonate and any mixed SX oxide group (sold as a mixed REO concentrate since
    # the mixed-product pricing) make the one mixed sale
    sold_reo = sum(r["reo_t_per_a"] for r in s.products if r["kind"] == "concentrate"
                   or r.get("sale_name") == MIXED_SALE)
    assert t[MIXED_SALE] == pytest.approx(sold_reo)


def test_route_validation(base):
    with pytest.raises(InputError, match="la_ce_rejection.group"):
        with_overrides(base, {"plant.route": "la_ce_rejection"})  # no LaCe group in products
    with pytest.raises(InputError, match="stockpile_frac"):
        with_overrides(base, {"plant.route": "la_ce_rejection", "plant.separation.products": LACE,
                              "plant.la_ce_rejection.stockpile_frac": {"Nd": 1.0}})
    with pytest.raises(InputError):
        with_overrides(base, {"plant.route": "magnet_metal"})


def test_ree_sales_weights_purity_over_rows_sharing_a_sale_name():
    rows = [{"kind": "oxide", "sale_name": "CeO2", "t_per_a": 100.0, "purity_frac": 0.99},
            {"kind": "oxide", "sale_name": "CeO2", "t_per_a": 300.0, "purity_frac": 0.8},
            {"kind": "stockpile", "reo_t_per_a": 50.0}]
    t, purity, dist = ree_sales(rows)
    assert t == {"CeO2": 400.0} and dist == {}
    assert purity["CeO2"] == pytest.approx((99.0 + 240.0) / 400.0)


@pytest.mark.parametrize("name", ["full_separation", "mixed_carbonate", "cerium_rejection",
                                  "la_ce_rejection"])
def test_route_scenarios_load(name):
    loaded = load_project(SCENARIOS / f"route_{name}.yaml")
    assert loaded.project.plant.route == name


@pytest.mark.slow
@pytest.mark.parametrize("name,sold", [
    ("mixed_carbonate", MIXED_SALE), ("cerium_rejection", "CeO2"),
    ("la_ce_rejection", MIXED_SALE)])
def test_route_scenario_runs_the_study_end_to_end(name, sold):
    from reeflow.chain import run_chain

    out = run_chain(load_project(SCENARIOS / f"route_{name}.yaml"))
    assert sold in out.inputs.products_t_per_a
    assert out.annual.opex_missing == ()
    assert out.annual.capex_usd > 0 and len(out.years) > 0
    sizes = out.inputs.equipment_sizes
    if name == "mixed_carbonate":
        assert not any(k.startswith(("sx.", "chloride_conversion.")) for k in sizes)
        assert out.inputs.sx_aqueous_m3_per_a == 0.0
        assert dict(out.inputs.concentrate_reo_distribution)
    else:
        assert sizes["sx.mixer_settler_volume_m3"] > 0


def test_scenario_files_are_where_the_case_keeps_them():
    assert Path(SCENARIOS).is_dir()
    assert sorted(p.name for p in SCENARIOS.glob("route_*.yaml")) == [
        f"route_{r}.yaml" for r in sorted(ROUTES)]


def test_a_mixed_oxide_group_is_paid_on_every_oxide_it_contains():
    """A Sm–Gd–Dy–Y oxide was sold as its main oxide (Y2O3) and paid on it alone: its Dy2O3 and
    Gd2O3 earned nothing (validation round 8). It is now a mixed REO concentrate, paid on the
    deck value of each contained oxide at that class's payability, as a mixed carbonate is."""
    from reeflow.economics import load_deck
    from reeflow.economics.prices import payability, price_of_mixed_concentrate
    from reeflow.plant.summary import _sale_basis

    comp = {"Y2O3": 0.5, "Dy2O3": 0.2, "Gd2O3": 0.2, "Sm2O3": 0.09, "CaO": 0.01}
    ree = ("Sm", "Gd", "Dy", "Y")
    assert _sale_basis(["Sm", "Gd", "Dy", "Y"], "Y2O3", comp, ree) == (
        MIXED_SALE, pytest.approx(0.99))
    assert _sale_basis(["Pr", "Nd"], "Nd2O3", {"Nd2O3": 0.7, "Pr6O11": 0.29}, ree)[0] == \
        "NdPr oxide"
    assert _sale_basis(["Dy"], "Dy2O3", {"Dy2O3": 0.999}, ree) == ("Dy2O3", 0.999)
    dist = {ox: v / 0.99 for ox, v in comp.items() if ox != "CaO"}
    rows = [{"kind": "oxide", "sale_name": MIXED_SALE, "t_per_a": 100.0, "purity_frac": 0.99,
             "reo_t_per_a": 99.0, "reo_distribution_frac": dist},
            {"kind": "oxide", "sale_name": "NdPr oxide", "t_per_a": 50.0, "purity_frac": 0.995,
             "reo_t_per_a": 49.75}]
    t, purity, mixed = ree_sales(rows)
    assert t == {MIXED_SALE: 99.0, "NdPr oxide": 50.0} and MIXED_SALE not in purity
    assert mixed == pytest.approx(dist)
    deck = load_deck("usgs_2025")
    usd = t[MIXED_SALE] * 1e3 * price_of_mixed_concentrate(deck, mixed) * payability(MIXED_SALE)
    dy = 99.0 * 1e3 * dist["Dy2O3"] * deck.price("Dy2O3") * 0.65
    assert usd > dy > 0  # the Dy2O3 is paid
