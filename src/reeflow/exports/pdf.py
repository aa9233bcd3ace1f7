"""``report.pdf``: the HTML report printed by headless Chromium.

Chromium's own print engine lays the page out (``--print-to-pdf``) after plotly.js has drawn
every figure (``--virtual-time-budget``); the page needs no network (plotly.js is inlined) and
the browser is pointed at an unreachable proxy so nothing could be fetched anyway. The browser
is found as ``$REEFLOW_CHROMIUM``, else ``chromium``, ``chromium-browser``, ``google-chrome`` on
the PATH (Debian/Ubuntu: ``apt-get install chromium``).

Fallback (documented, :data:`PDF_FALLBACK`): where no Chromium is installed, or it fails,
:func:`pdf_bytes` returns None, the study writes no ``report.pdf`` and says so; print
``report.html`` from any browser instead — the page carries print styles (no sticky menu,
tables unscrolled, one section per page break where it fits).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["find_chromium", "pdf_bytes", "PDF_FALLBACK", "chromium_command"]

PDF_FALLBACK = ("no report.pdf: headless Chromium was not found (install it, e.g. `apt-get "
                "install chromium`, or set REEFLOW_CHROMIUM); print report.html from a browser "
                "instead")

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or None."""
    env = os.environ.get("REEFLOW_CHROMIUM")
    if env:
        return env if Path(env).is_file() else shutil.which(env)
    return next((p for p in (shutil.which(n) for n in _NAMES) if p), None)


def chromium_command(browser: str, *extra: str, budget_ms: int = 30000) -> list[str]:
    """The headless, offline command line used to print or inspect a page."""
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-extensions", "--no-first-run", "--proxy-server=127.0.0.1:9",
            f"--virtual-time-budget={budget_ms}", *extra]


def pdf_bytes(html: str, *, timeout_s: float = 180.0, browser: str | None = None) -> bytes | None:
    """``html`` printed to PDF by headless Chromium; None when no browser is available or the
    print fails (the caller states :data:`PDF_FALLBACK`)."""
    exe = browser or find_chromium()
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="reeflow-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = chromium_command(exe, "--no-pdf-header-footer", f"--print-to-pdf={out}",
                               f"--user-data-dir={Path(tmp) / 'profile'}", page.as_uri())
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if not out.is_file() or out.stat().st_size < 1000:
            return None
        data = out.read_bytes()
    return data if data.startswith(b"%PDF") else None
