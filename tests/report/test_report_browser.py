"""The report renders in a real browser with no network: every figure div gets drawn by the
inlined plotly.js and the page logs no JavaScript error. Needs headless Chromium (`apt-get
install chromium`); skipped where absent."""

from __future__ import annotations

import re
import subprocess

import pytest

from reeflow.exports import find_chromium
from reeflow.exports.pdf import chromium_command
from reeflow.report import write_report

_BROWSER = find_chromium()


def _open(path, *extra):
    cmd = chromium_command(_BROWSER, "--enable-logging=stderr", "--v=0",
                           f"--user-data-dir={path.parent / 'profile'}", *extra, path.as_uri())
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=True)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(_BROWSER is None, reason="headless Chromium not installed")
def test_every_figure_is_drawn_offline_without_console_errors(tmp_path, builtin_results_dict):
    path = write_report(builtin_results_dict, tmp_path)
    html = path.read_text(encoding="utf-8")
    n_divs = html.count('class="plotly-graph-div"')
    assert html.count("* plotly.js v") == 1  # one plotly.js copy, inlined
    done = _open(path, "--dump-dom")
    dom = done.stdout
    drawn = len(re.findall(r'class="plotly-graph-div js-plotly-plot"', dom))
    assert n_divs >= 15
    assert drawn == n_divs  # plotly.js ran (inlined) and drew each figure
    assert dom.count('class="main-svg"') >= n_divs
    errors = [line for line in _console(done.stderr)
              if re.search(r"error|uncaught|failed", line, re.IGNORECASE)]
    assert errors == []
    assert "could not be rendered" not in dom


@pytest.mark.skipif(_BROWSER is None, reason="headless Chromium not installed")
def test_console_errors_would_be_seen(tmp_path):
    """The check above can fail: a page with a script error shows it in the log."""
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>",
                    encoding="utf-8")
    done = _open(page, "--dump-dom")
    assert any("Uncaught" in line for line in _console(done.stderr))
