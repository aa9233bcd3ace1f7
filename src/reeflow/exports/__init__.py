"""Exports of a study beside report.html: ``results.xlsx`` (every PEA modeller lives in Excel)
and ``report.pdf`` (the report printed by headless Chromium, where one is installed).

Public API::

    xlsx_bytes(results: dict) -> bytes           # the workbook, in memory
    SHEETS                                       # sheet names, in order
    pdf_bytes(html: str, *, timeout_s=120) -> bytes | None   # None: no Chromium (fallback)
    find_chromium() -> str | None
"""

from reeflow.exports.pdf import PDF_FALLBACK, find_chromium, pdf_bytes
from reeflow.exports.xlsx import SHEETS, xlsx_bytes

__all__ = ["xlsx_bytes", "SHEETS", "pdf_bytes", "find_chromium", "PDF_FALLBACK"]
