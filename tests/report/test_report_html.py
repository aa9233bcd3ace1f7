"""Invariant tests of the HTML report: offline, complete, robust to missing sections, escaped.

The input is REAL study output (the built-in case), with hostile text injected where a user's
text can reach the page.
"""

from __future__ import annotations

import copy
import re
from html import escape as html_escape

import plotly.offline
import pytest

from reeflow.core.io import RECORD_NAME
from reeflow.report import SECTIONS, render_report, write_report


def _hostile(results: dict) -> dict:
    r = copy.deepcopy(results)
    r["meta"]["project_name"] = "Beylikova (test) <study>"
    r["claims"][0]["claim"] = "<script>alert(1)</script>"
    r["assumptions"][0]["note"] = "no public figure <assumed>"
    return r


@pytest.fixture(scope="module")
def full_html(tmp_path_factory, builtin_results_dict) -> str:
    out = tmp_path_factory.mktemp("rep")
    path = write_report(_hostile(builtin_results_dict), out)
    assert path == out / "report.html"
    return path.read_text(encoding="utf-8")


def test_report_written_with_no_leftover_temp_files(results, tmp_path):
    path = write_report(results, tmp_path / "new" / "dir")
    assert path.is_file() and path.stat().st_size > 100_000
    assert sorted(p.name for p in path.parent.iterdir() if p.name != RECORD_NAME) == ["report.html"]


def test_report_is_offline_with_plotly_inlined_once(full_html):
    assert not re.search(r"<script[^>]*\bsrc\s*=", full_html, flags=re.I)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?https?:", full_html, flags=re.I)
    assert not re.search(r"(src|href|url)\s*[=(]\s*[\"']?(https?:)?//", full_html.split(
        "</head>")[1], flags=re.I)  # nothing in the page body fetches anything
    assert "cdn.plot.ly/plotly" not in full_html.split("<main>")[1]
    banner = plotly.offline.get_plotlyjs()[:300]
    assert full_html.count(banner) == 1


def test_every_section_heading_present(full_html):
    for anchor, title, _ in SECTIONS:
        assert f'id="{anchor}"><h2>{title}</h2>' in full_html
        assert f'href="#{anchor}"' in full_html


def test_full_study_renders_without_error_boxes(full_html):
    assert 'class="error"' not in full_html
    # one figure div per plotly figure, each with its own newPlot call
    assert full_html.count("Plotly.newPlot(") == full_html.count('class="plotly-graph-div"') >= 15


@pytest.mark.parametrize("results_in", [{}, {"meta": {}}, {"meta": None}],
                         ids=["empty", "meta-empty", "meta-none"])
def test_empty_results_render_not_run_everywhere(results_in, tmp_path):
    html = write_report(results_in, tmp_path).read_text(encoding="utf-8")
    assert 'class="error"' not in html
    assert html.count("not run in this study") >= len(SECTIONS) - 1
    assert "SYNTHETIC" not in html


@pytest.mark.parametrize("key", ["flowsheet", "products", "sx", "economics", "market",
                                 "resource", "mine", "claims", "assumptions", "kpis"])
def test_each_missing_section_says_not_run(results, key):
    del results[key]
    html = render_report(results)
    assert 'class="error"' not in html
    assert "not run in this study" in html


def test_partial_sections_render(results):
    econ = results["economics"]
    econ["tornado"] = None
    del econ["annual"]
    results["sx"] = {"sequence": ["La|Ce"], "cascades": [{"cut": "La|Ce"}]}
    results["resource"]["variograms"] = None
    results["mine"] = {"pit": {"tonnes": 1.0}}
    results["economics"]["irr_frac"] = float("nan")
    html = render_report(results)
    assert 'class="error"' not in html
    assert "Sensitivity (tornado): not run" in html


def test_claim_text_and_project_name_are_escaped(full_html):
    assert "<script>alert(1)</script>" not in full_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in full_html
    assert "Beylikova (test) &lt;study&gt;" in full_html
    assert "no public figure &lt;assumed&gt;" in full_html


def test_claim_status_colours(full_html):
    assert '<span class="badge b-bad">inconsistent</span>' in full_html
    assert '<span class="badge b-ok">consistent</span>' in full_html
    assert '<tr class="row-bad">' in full_html


def test_synthetic_banner_and_disclaimer_verbatim(full_html, builtin_results_dict):
    assert 'class="synthetic">⚠ SYNTHETIC' in full_html
    for label in builtin_results_dict["meta"]["synthetic_labels"]:
        assert html_escape(label) in full_html
    disclaimer = builtin_results_dict["resource"]["disclaimer"]
    assert html_escape(disclaimer) in full_html


def test_synthetic_flag_on_resource_alone_raises_banner(results):
    results["meta"]["synthetic_labels"] = []
    html = render_report(results)
    assert "resource: computed on synthetic data" in html
    results["resource"]["synthetic"] = False
    assert "⚠ SYNTHETIC" not in render_report(results)


def test_balance_failure_is_flagged(results):
    results["flowsheet"]["balance"][3]["rel_closure"] = 2.5e-6
    html = render_report(results)
    sec = html.split('id="balance"')[1].split("</section>")[0]
    assert '<span class="badge b-bad">fail</span>' in sec
    assert "1 above tolerance" in sec and "2.5e-06" in sec


def test_consistency_checks_are_shown_and_a_warning_is_flagged(results, full_html):
    """The cross-room checks were computed on every study but shown nowhere: a warning (an
    approximation the reader must know about) now stands out in its own section."""
    sec = full_html.split('id="checks"')[1].split("</section>")[0]
    assert "SX train meets its product specs at every year" in sec
    assert sec.count('<span class="badge b-ok">pass</span>') >= 9
    results["consistency"] = [
        {"name": "schedule drives the cash flow", "ok": True, "severity": "error",
         "detail": "20 years"},
        {"name": "Inferred share", "ok": False, "severity": "warning", "detail": "95 % <b>"}]
    html = render_report(results)
    sec = html.split('id="checks"')[1].split("</section>")[0]
    assert "1 pass, 1 flagged" in sec and '<span class="badge b-warn">warning</span>' in sec
    assert "95 % &lt;b&gt;" in sec and 'class="row-bad"' in sec
    assert '<a href="#checks">Cross-room checks:</a> <span class="badge b-ok">pass</span> 1 ' \
           '<span class="badge b-warn">warning</span> 1' in html


def test_balance_pass_on_the_study(full_html):
    sec = full_html.split('id="balance"')[1].split("</section>")[0]
    assert '<span class="badge b-ok">pass</span>' in sec
    assert "0 above tolerance" in sec


def test_broken_section_shows_error_box_not_crash(results):
    bad = copy.deepcopy(results)
    bad["products"] = [{"name": "x", "t_per_a": "lots"}]  # wrong type deep inside a section
    html = render_report(bad)
    assert "<h2>Economics</h2>" in html  # the rest of the page still renders
    assert html.count('class="error"') <= 1


def test_mine_extras_render(results):
    mine = results["mine"]
    mine["schedule_stats"] = {"npv_usd": 2.5e8, "gap_to_lp_frac": 0.004, "status": "optimal"}
    results["market"]["notes"] = ["Magnet stage <unchanged>"]
    results["economics"]["estimate_class"] = "AACE class 4"
    html = render_report(results)
    assert 'class="error"' not in html
    assert "Schedule optimisation" in html and "0.400 %" in html and "US$ 250 M" in html
    assert "Magnet stage &lt;unchanged&gt;" in html
    assert "AACE class 4" in html


def test_synthetic_labels_marked_in_their_sections(full_html):
    mine = full_html.split('id="mine"')[1].split("</section>")[0]
    res = full_html.split('id="resource"')[1].split("</section>")[0]
    econ = full_html.split('id="economics"')[1].split("</section>")[0]
    assert "SYNTHETIC</span> mine:" in mine
    assert "SYNTHETIC</span> resource:" in res
    assert "SYNTHETIC" not in econ


def test_summary_reports_claims_and_balance(full_html):
    summary = full_html.split('id="summary"')[1].split("</section>")[0]
    assert "Public claims:" in summary and "b-bad\">inconsistent</span>" in summary
    assert 'Element balances: <span class="badge b-ok">pass</span>' in summary


def test_mine_gap_and_pit_life_shown_as_cards(full_html, builtin_results_dict):
    """Issue #17: the schedule's bound, gap and the pit's life are on the page, not only in a
    collapsed table, and a pit that outlives the horizon says so."""
    m = builtin_results_dict["mine"]
    mine = full_html.split('id="mine"')[1].split("</section>")[0]
    assert "Gap to bound" in mine and "Pit life" in mine
    assert m["schedule_bound_usd"] >= m["schedule_npv_usd"]
    if m["horizon_covers_pit"] is False:
        assert "outlives the horizon" in mine


def test_kpi_cards_say_separated_only_where_an_oxide_is_separated(builtin_results_dict):
    """A mixed-carbonate plant's cards read "separated oxides" (fuzz round 13)."""
    import copy

    from reeflow.report.sections import _kpi_cards

    r = builtin_results_dict
    cards = {c[0]: c[2] for c in _kpi_cards(r["kpis"], r["economics"], r["summary"],
                                             r["products"])}
    assert cards["REO production"] == "separated oxides"
    mixed = copy.deepcopy(r["products"])
    for p in mixed:
        if p.get("kind") == "oxide":
            p["kind"] = "concentrate"
    cards = {c[0]: c[2] for c in _kpi_cards(r["kpis"], r["economics"], r["summary"], mixed)}
    assert cards["REO production"] == "contained in the mixed product"
    assert "not separated" in cards["NdPr oxide"]


def test_the_deposits_findings_are_listed_in_the_report(builtin_results_dict):
    """The deposit's data findings reached only `reeflow resource` (fuzz round 14)."""
    import copy

    from reeflow.report.sections_econ import resource_section

    r = copy.deepcopy(builtin_results_dict)
    r["resource"]["findings"] = [{"severity": "warning", "kind": "gap", "table": "assays",
                                  "hole_id": "DH019", "depth_m": 50.0,
                                  "message": "gap from 50.0 to 56.0 m", "action": "left out"}]
    r["resource"]["findings_total"] = 3
    html = resource_section(r)
    assert "Data findings (3, the first 1 listed)" in html
    assert "gap from 50.0 to 56.0 m" in html and "DH019" in html


def test_inherited_claims_are_labelled_as_the_other_case_s():
    """Fuzz round 17: another case's claims, inherited through extends, read as the project's
    own."""
    from reeflow.report.sections import claims_section

    row = {"id": "N3", "claim": "12,700 t/a REO", "outlet": "ASX", "date": "2017",
           "quantity": "reo_t_per_a", "claimed": 12700, "model": 3000,
           "status": "inconsistent", "reason": "model below", "written_for": "Ngualla"}
    html = claims_section({"claims": [row]})
    assert "These are the public claims of Ngualla" in html and "claims_file: null" in html
    assert "public claims of" not in claims_section({"claims": [{**row, "written_for": None}]})
