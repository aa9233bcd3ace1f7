"""3-D mine view: the figure builds from a plan's scene and drillholes, stays light (caps honoured
and stated), and — where a Chromium and Playwright are installed — renders in a browser."""

import shutil
import time

import numpy as np
import pandas as pd
import pytest

from reeflow.mine import BlockEconomics, MineParams, Product, plan_mine, synthetic_block_model
from reeflow.report.figures_3d import CAPS, figure_json_bytes, mine_3d_figure

ECON = BlockEconomics((Product("REO", "treo_frac", 0.6, 8000.0),
                       Product("fluorite", "caf2_frac", 0.5, 300.0)), 3.0, 60.0)


@pytest.fixture(scope="module")
def plan():
    df = synthetic_block_model(30, 30, 10, seed=3)
    return plan_mine(df, ECON, MineParams(), plant_capacity_t_per_a=150_000.0, horizon_years=6,
                     discount_rate=0.08)


def _holes(n_holes=12, n_samples=40, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(n_holes):
        x0, y0 = rng.uniform(0, 300, 2)
        for s in range(n_samples):
            rows.append({"hole_id": f"H{h:02d}", "x": x0 + 0.2 * s, "y": y0, "z": 50 - s,
                         "treo_pct": rng.uniform(0, 3)})
    return pd.DataFrame(rows)


def test_figure_builds_with_all_parts(plan):
    scene = plan.scene(max_blocks=500)
    fig = mine_3d_figure(scene, _holes())
    names = [t.name for t in fig.data]
    assert names[0] == "drillholes" and "blocks above cut-off" in names and "final pit" in names
    assert sum(n.startswith("pushback") for n in names) == len(scene["pushbacks"]) >= 1
    blocks = next(t for t in fig.data if t.name == "blocks above cut-off")
    assert len(blocks.x) == scene["blocks_shown"] <= 500
    if scene["blocks_selected"] > 500:
        assert "blocks shown" in fig.layout.title.text  # the cap is stated
    assert figure_json_bytes(fig) < 3_000_000


def test_drillholes_decimated_to_cap_and_stated():
    holes = _holes(n_holes=10, n_samples=300)
    fig = mine_3d_figure(None, holes, max_samples=1000)
    tr = fig.data[0]
    kept = sum(x is not None for x in tr.x)
    assert kept <= 1000 + 10 and "decimated" in fig.layout.title.text
    assert tr.text[0] == "H00"


def test_pit_floor_lies_at_or_below_the_top(plan):
    scene = plan.scene()
    z = np.asarray([[np.nan if v is None else v for v in r] for r in scene["pit"]["z"]], float)
    top = plan.blocks["z_m"].max() + 2.5 + 1e-6
    assert np.nanmax(z) <= top and np.nanmin(z) < top - 5  # the pit goes down somewhere
    assert CAPS["max_blocks"] == scene["caps"]["max_blocks"]


def _chromium():
    return shutil.which("chromium") or (("/usr/bin/chromium") if shutil.os.path.exists(
        "/usr/bin/chromium") else None) or shutil.which("chromium-browser")


@pytest.mark.slow
def test_renders_in_a_browser(plan, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("no chromium on this machine")
    sync_api = pytest.importorskip("playwright.sync_api")
    fig = mine_3d_figure(plan.scene(), _holes())
    page_file = tmp_path / "view.html"
    fig.write_html(page_file, include_plotlyjs=True, full_html=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True,
                                    args=["--use-gl=swiftshader", "--enable-webgl"])
        page = browser.new_page()
        t0 = time.perf_counter()
        page.goto(page_file.as_uri())
        page.wait_for_function("() => { const d = document.querySelector('.js-plotly-plot');"
                               " return d && d._fullData && d._fullData.length > 0; }",
                               timeout=20_000)
        elapsed = time.perf_counter() - t0
        n = page.evaluate("document.querySelector('.js-plotly-plot')._fullData.length")
        browser.close()
    assert n == len(fig.data) and elapsed < 10.0
