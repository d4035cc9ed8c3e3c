"""The workshop dashboard in a real browser: load, change a control, step, see it change.

Needs Debian's chromium (.ci/run installs it); without it the test says so and skips.
A screenshot is kept in test-artifacts/dashboard.png.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "simcoop", "dashboard", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url, timeout=5).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the dashboard server did not answer within 120 s")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def image_sources(page) -> list[str]:
    return page.locator("img").evaluate_all("els => els.map(e => e.src)")


def test_dashboard_controls_step_and_redraw(dashboard_url):
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium): browser test not run")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1500})
        page.goto(dashboard_url, timeout=120_000)
        step = page.get_by_role("button", name="Step")
        expect(step).to_be_visible(timeout=120_000)
        status = page.locator("body")  # the Status panel writes the settings and the year in words
        expect(status).to_contain_text("key per_inhabitant", timeout=60_000)
        expect(page.locator("img")).to_have_count(4, timeout=60_000)  # the map and three plots
        before = image_sources(page)

        # change a control (the financial key), then reset the model with it
        page.locator(".v-select").filter(has_text="Financial key").click()
        page.locator(".v-list-item").filter(has_text="per_budget").first.click()
        page.get_by_role("button", name="Reset").click()
        expect(status).to_contain_text("key per_budget", timeout=60_000)

        for _ in range(3):
            step.click()
            time.sleep(1.0)
        expect(status).to_contain_text("Year 2018", timeout=60_000)
        deadline = time.time() + 60
        while time.time() < deadline:
            after = image_sources(page)
            if len(after) == len(before) and all(a != b for a, b in zip(after, before)):
                break
            time.sleep(0.5)
        assert len(after) == len(before)
        assert all(a != b for a, b in zip(after, before)), "the map and every plot redraw after stepping"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        browser.close()
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
