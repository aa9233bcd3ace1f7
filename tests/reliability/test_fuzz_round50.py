"""Fuzz round 50 (an independent helper wrote four unseen projects from public figures —
Mt Weld-, Fen-, Nolans- and Lofdal-like — and edge variants): what it found, mended."""

from __future__ import annotations

import pytest

from reeflow.core.errors import InputError
from reeflow.project import load_project


def _write(tmp_path, text):
    p = tmp_path / "project.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_a_recovered_byproduct_without_freight_is_refused_at_load(tmp_path):
    """validate passed and the study stopped in its opex: a plant that recovers fluorite from
    an ore that holds it ships an industrial mineral concentrate, whose freight is needed."""
    path = _write(tmp_path, "extends: builtin:ngualla\nore:\n  caf2_grade: 1 %\nplant:\n"
                  "  beneficiation:\n    fluorite_recovery: 50 %\n")
    with pytest.raises(InputError) as exc:
        load_project(path)
    msg = str(exc.value)
    assert "economics.freight.industrial mineral concentrate" in msg and "fluorite" in msg
    ok = _write(tmp_path, "extends: builtin:ngualla\nore:\n  caf2_grade: 1 %\nplant:\n"
                "  beneficiation:\n    fluorite_recovery: 50 %\neconomics:\n  freight:\n"
                "    industrial mineral concentrate: 40 USD/t\n")
    assert load_project(ok).project.economics.freight_usd_per_t[
        "industrial mineral concentrate"] == 40.0


@pytest.mark.parametrize("country", ["Norway", "Namibia"])
def test_a_project_in_a_country_without_listed_supply_loads(tmp_path, country):
    path = _write(tmp_path, f"extends: builtin:beylikova\nmarket:\n  home_country: {country}\n"
                  "  separation_at_home: false\n  separation_country: France\n")
    m = load_project(path).project.market
    assert (m.home_country, m.separation_country) == (country, "France")


def test_no_byproduct_break_even_where_none_is_shipped():
    """Ngualla ships no fluorite or barite (0 t/a rows in its revenue table): its break-evens
    name no by-product price (the summary had said "no by-product price makes NPV positive")."""
    from reeflow.chain import pipeline
    from reeflow.summary import basket_usd_per_kg_reo, breakevens

    out = pipeline.run_chain(load_project("builtin:ngualla"))
    rows = breakevens(out, 0.08, basket_usd_per_kg_reo(out))
    assert [r["what"] for r in rows] == ["NdPr oxide price", "rare-earth basket"]
    beylikova = pipeline.run_chain(load_project("builtin:beylikova"))
    assert "by-product prices" in [r["what"] for r in breakevens(beylikova, 0.08, 1.0)]


def test_output_large_beside_the_world_market_is_flagged():
    """2.2 Mt/a of REO (576 % of world mine output) was valued at the deck's prices without a
    word: the consistency check names the share and says the prices are an upper bound."""
    from types import SimpleNamespace

    from reeflow.consistency import CHECKS, price_taker

    assert price_taker in CHECKS
    big = price_taker(SimpleNamespace(years=[SimpleNamespace(reo_t=2.2e6)]))
    assert not big.ok and big.severity == "warning" and "upper bound" in big.detail
    small = price_taker(SimpleNamespace(years=[SimpleNamespace(reo_t=10_000.0)]))
    assert small.ok and "2.6%" in small.detail


def test_a_product_shipped_at_no_revenue_is_flagged():
    """238 kt/a of fluorite and barite concentrate were shipped at 0 USD/t (circuits, reagents
    and freight costed) without a word: a warning names them."""
    from types import SimpleNamespace

    import pandas as pd

    from reeflow.consistency import CHECKS, products_earn

    rev = pd.DataFrame({"product": ["NdPr oxide", "CaF2 concentrate", "BaSO4 concentrate"],
                        "t_per_a": [700.0, 120_000.0, 0.0], "usd_per_a": [5e7, 0.0, 0.0]})
    got = products_earn(SimpleNamespace(basis=SimpleNamespace(parts={"revenue": rev})))
    assert products_earn in CHECKS and not got.ok and got.severity == "warning"
    assert "CaF2 concentrate (120,000 t/a)" in got.detail and "BaSO4" not in got.detail
    out = pipeline_outcome("builtin:beylikova")
    assert products_earn(out).ok


def pipeline_outcome(case):
    from reeflow.chain import pipeline

    return pipeline.run_chain(load_project(case))
