"""results.xlsx (opened by an independent reader, openpyxl) and report.pdf (headless Chromium,
with the documented fallback)."""

from __future__ import annotations

import io

import pytest

from reeflow.exports import SHEETS, find_chromium, pdf_bytes, xlsx_bytes


@pytest.fixture(scope="module")
def workbook(builtin_results_dict):
    openpyxl = pytest.importorskip("openpyxl")
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(builtin_results_dict)), read_only=True)


def test_xlsx_opens_with_every_sheet(workbook):
    assert workbook.sheetnames == list(SHEETS)
    assert len(workbook.sheetnames) >= 4


def _table(ws):
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    return [dict(zip(head, r, strict=False)) for r in rows[1:]]


def test_xlsx_cash_flow_is_the_results(workbook, builtin_results_dict):
    annual = builtin_results_dict["economics"]["annual"]
    rows = _table(workbook["cash flow"])
    assert len(rows) == len(annual)
    for r, a in zip(rows, annual, strict=True):
        assert r["year"] == a["year"]
        assert r["cash_flow_usd"] == pytest.approx(a["cash_flow_usd"], rel=1e-12)


def test_xlsx_summary_claims_and_assumptions(workbook, builtin_results_dict):
    summary = _table(workbook["summary"])
    assert any(str(r["item"]).startswith("verdict:") for r in summary)
    assert any(r["item"] == "economics.npv_pre_tax_usd @ 8%" for r in summary)
    claims = _table(workbook["claims"])
    assert {r["id"] for r in claims} == {c["id"] for c in builtin_results_dict["claims"]}
    assumptions = _table(workbook["assumptions"])
    assert len(assumptions) == len(builtin_results_dict["assumptions"])
    assert any(r["source"] for r in assumptions)


def test_missing_is_blank_not_zero():
    import openpyxl

    data = {"economics": {"annual": [{"year": 1, "revenue_usd": None,
                                      "cash_flow_usd": float("nan")}]}}
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(data)), read_only=True)
    row = _table(wb["cash flow"])[0]
    assert row["revenue_usd"] is None and row["cash_flow_usd"] is None
    assert list(wb["schedule"].iter_rows(values_only=True))[0][0] == "not run in this study"


@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium not installed")
def test_pdf_is_printed_by_chromium():
    pdf = pdf_bytes("<html><body><h1>reeflow</h1><p>print test</p></body></html>")
    assert pdf is not None and pdf.startswith(b"%PDF")


def test_pdf_fallback_without_a_browser(tmp_path):
    assert pdf_bytes("<html></html>", browser=str(tmp_path / "no-such-browser")) is None
