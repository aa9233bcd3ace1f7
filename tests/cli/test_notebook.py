"""Notebook objects: top-level entry points, a short repr, KPI cards as HTML, DataFrames and the
report's plotly figures, on the real built-in study (session fixture)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

import reeflow


def test_top_level_entry_points_resolve_to_the_rooms_functions():
    from reeflow.mine import plan_mine
    from reeflow.study import run_study

    assert reeflow.run_study is run_study and reeflow.plan_mine is plan_mine
    for name in reeflow.ENTRY_POINTS:
        assert callable(getattr(reeflow, name)), name
    try:
        reeflow.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("unknown names must raise AttributeError")


def test_repr_is_one_short_line(builtin_study):
    for obj in (builtin_study, builtin_study.results):
        text = repr(obj)
        assert len(text) < 300 and "\n" not in text
        assert "Beylikova" in text and "MUSD" in text and "t/a" in text
    assert str(builtin_study.results) == repr(builtin_study.results)


def test_html_view_is_the_reports_kpi_cards(builtin_study):
    page = builtin_study._repr_html_()
    assert page.startswith('<div class="reeflow-results">') and 'class="kpi"' in page
    assert "NPV" in page and "REO production" in page
    assert "body{" not in page.replace(" ", "")  # the report's page CSS is not leaked
    assert ".reeflow-results .kpi" in page
    assert len(page) < 50_000


def test_tables_are_dataframes(builtin_study):
    tables = builtin_study.tables()
    assert {"kpis", "products", "annual", "schedule", "claims", "assumptions", "npv"} <= set(tables)
    assert all(isinstance(t, pd.DataFrame) and len(t) for t in tables.values())
    annual = tables["annual"]
    npv8 = builtin_study.results.economics.npv_usd["0.0800"]
    assert "cash_flow_usd" in annual and npv8 is not None
    assert tables["kpis"].loc["reo_t_per_a", "value"] == builtin_study.results.kpis.reo_t_per_a


def test_figures_are_the_reports_plotly_figures(builtin_study):
    figs = builtin_study.figures()
    assert {"flowsheet", "products", "cashflow", "tornado", "schedule"} <= set(figs)
    assert all(isinstance(f, go.Figure) for f in figs.values())
    assert figs["flowsheet"].data[0].type == "sankey"
