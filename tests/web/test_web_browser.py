"""The app in a real browser: Playwright drives the system Chromium (``apt-get install
chromium``; Playwright's own browser download is not used). A user creates two studies (one
from the editor with a changed input), watches them finish, opens a report, compares the two,
designs an SX cut and moves the market slider. Screenshots go to REEFLOW_WEB_SHOTS (default:
the test's temporary folder)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from web_helpers import FAST_YAML, Server

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip("playwright.sync_api")


def _chromium() -> str | None:
    for name in (os.environ.get("REEFLOW_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        pytest.skip("no system Chromium (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


def test_user_journey(browser, tmp_path):
    shots = Path(os.environ.get("REEFLOW_WEB_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    srv = Server(tmp_path / "data", workers=1).start()
    errors: list[str] = []
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.set_default_timeout(60_000)

        # 1. the editor: import the fast case, change one input, run it
        page.goto(srv.url + "/editor")
        page.fill("textarea[name=yaml_text]", FAST_YAML)
        page.click("text=Load into the form")
        page.wait_for_selector("#editor-msg.ok")
        field = page.locator('input[name="v:economics.opex_scale"]')
        field.fill("1.05")
        field.press("Tab")
        page.wait_for_selector('.frow.over input[name="v:economics.opex_scale"]')
        assert "Valid" in page.inner_text("#editor-msg")
        page.screenshot(path=str(shots / "editor.png"))
        page.click("#run-btn")
        page.wait_for_url("**/studies/*")
        first = page.url.rsplit("/", 1)[1]

        # 2. a second study from the same YAML without the change (studies page shows both)
        page.goto(srv.url + "/editor")
        page.fill("textarea[name=yaml_text]", FAST_YAML)
        page.click("text=Load into the form")
        page.wait_for_selector("#editor-msg.ok")
        page.click("#run-btn")
        page.wait_for_url("**/studies/*")
        second = page.url.rsplit("/", 1)[1]
        assert second != first

        # 3. watch them finish on the studies page (live status, no reload by the test)
        page.goto(srv.url + "/")
        page.wait_for_selector(f"#cell-{first}")
        page.screenshot(path=str(shots / "studies-running.png"))
        for sid in (first, second):
            page.wait_for_selector(f"#cell-{sid}.st-done", timeout=400_000)
        # the live rows carry the results too: ticking works without a reload
        assert page.locator(f"input[name=ids][value='{first}']").is_enabled()
        assert "MUSD" in page.inner_text(f"#row-{first}")
        page.screenshot(path=str(shots / "studies-done.png"))

        # 4. open a report
        page.click(f"a[href='/studies/{first}']")
        frame = page.frame_locator("iframe.report")
        frame.locator("text=Executive summary").first.wait_for()
        page.screenshot(path=str(shots / "report.png"))
        assert page.locator("a[href$='/results']").count() == 1

        # 5. compare the two
        page.goto(srv.url + "/")
        page.check(f"input[name=ids][value='{first}']")
        page.check(f"input[name=ids][value='{second}']")
        page.click("#compare-btn")
        page.wait_for_selector(".plot[data-rendered='1']")
        assert page.locator("table.diff").inner_text().count("economics.opex_scale") == 1
        page.screenshot(path=str(shots / "compare.png"), full_page=True)

        # 6. the SX designer
        page.goto(srv.url + "/sx")
        page.click("#sx-run")
        page.wait_for_selector("#mccabe[data-rendered='1']")
        page.wait_for_selector("#profiles[data-rendered='1']")
        assert "sections:" in page.inner_text("#cascade-yaml")
        with page.expect_download() as dl:
            page.click("text=Download cascade.yaml")
        assert dl.value.suggested_filename == "cascade.yaml"
        page.screenshot(path=str(shots / "sx.png"), full_page=True)

        # 7. the market dashboard: move the slider
        page.goto(srv.url + "/market")
        page.wait_for_selector("#hhi[data-rendered='1']")
        before = page.inner_text("#market-out table")
        page.locator("#reo").fill("60000")
        t0 = time.monotonic()
        while page.inner_text("#market-out table") == before and time.monotonic() - t0 < 20:
            time.sleep(0.2)
        assert page.inner_text("#market-out table") != before
        page.screenshot(path=str(shots / "market.png"), full_page=True)
    finally:
        srv.stop()
    assert errors == [], errors
