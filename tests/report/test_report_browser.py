"""The report renders in a real browser with no network: every figure div gets drawn by the
inlined plotly.js. Needs headless Chromium (`apt-get install chromium`); skipped where absent."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from reeflow.report import write_report

_BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(b)), None)


@pytest.mark.skipif(_BROWSER is None, reason="headless Chromium not installed")
def test_every_figure_is_drawn_offline(tmp_path, builtin_results_dict):
    path = write_report(builtin_results_dict, tmp_path)
    n_divs = path.read_text(encoding="utf-8").count('class="plotly-graph-div"')
    cmd = [_BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
           "--virtual-time-budget=20000", "--proxy-server=127.0.0.1:9",  # any fetch would fail
           "--dump-dom", path.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    drawn = len(re.findall(r'class="plotly-graph-div js-plotly-plot"', dom))
    assert n_divs >= 15
    assert drawn == n_divs  # plotly.js ran (inlined) and drew each figure
    assert dom.count('class="main-svg"') >= n_divs
