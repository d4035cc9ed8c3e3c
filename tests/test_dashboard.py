"""The workshop dashboard in a real browser: sessions that do not see each other, a bad
seed, a changed setting, a click on a municipality, English on request.

Needs Debian's chromium (.ci/run installs it); without it the tests say so and skip.
Screenshots are kept in test-artifacts/.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from browser import ARTIFACTS, launch

STEP = "Eén jaar verder"


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
        deadline = time.time() + 240
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url, timeout=5).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the dashboard server did not answer within 240 s")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def open_page(browser, url: str, width: int = 1024, height: int = 768):
    """A new browser session (own cookies), with the page loaded."""
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(url, timeout=240_000)
    expect(page.get_by_role("button", name=STEP)).to_be_visible(timeout=240_000)
    expect(page.locator("path.municipality")).to_have_count(285, timeout=60_000)
    return page


def status(page) -> str:
    return page.locator(".simcoop-status").inner_text()


def step(page, times: int = 1) -> None:
    from playwright.sync_api import expect

    for _ in range(times):
        before = status(page)
        page.get_by_role("button", name=STEP).click()
        expect(page.locator(".simcoop-status")).not_to_have_text(before, timeout=60_000)


def test_the_small_projects_setting_reaches_the_run():
    """The facilitator's checkbox composes into the run's config (no browser needed)."""
    from simcoop.run import compose
    from simcoop.workshop.dashboard import Settings
    assert compose(Settings(small_projects=False).overrides()).incentive.small_projects is False
    assert compose(Settings().overrides()).incentive.small_projects is True


def test_two_sessions_do_not_see_each_others_run(dashboard_url, browser):
    first = open_page(browser, dashboard_url)
    assert "(start)" in status(first)
    step(first, 2)
    year_first = status(first)
    assert "(start)" not in year_first

    second = open_page(browser, dashboard_url)  # a participant joining later starts at the start
    assert "(start)" in status(second)
    step(second)
    time.sleep(1.0)
    assert status(first) == year_first, "a step in one session leaves the other alone"
    first_year = int(re.match(r"\d{4}", status(second)).group())
    assert int(re.match(r"\d{4}", year_first).group()) == first_year + 1


def test_bad_seed_and_changed_setting_get_a_message_on_screen(dashboard_url, browser):
    from playwright.sync_api import expect

    page = open_page(browser, dashboard_url)
    # the subsidy slider says what a facilitator cannot set: the floor of the decree of 2024
    expect(page.get_by_text("krijgt elk erkend IGS minstens € 100.000 per jaar")).to_be_visible(timeout=30_000)
    seed = page.get_by_label("simulatie (een geheel getal)")
    seed.fill("abc")
    expect(page.get_by_text("moet een geheel getal van 0 tot")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Herbegin")).to_be_disabled()
    assert "Traceback" not in page.locator("body").inner_text()

    seed.fill("7")
    expect(page.get_by_text("moet een geheel getal")).to_have_count(0, timeout=30_000)
    expect(page.get_by_text("druk op Herbegin")).to_be_visible(timeout=30_000)  # the seed differs from the run's
    step(page)
    page.get_by_role("button", name="Herbegin").click()
    expect(page.get_by_text("druk op Herbegin")).to_have_count(0, timeout=60_000)
    expect(page.locator(".simcoop-status")).to_contain_text("(start)", timeout=60_000)

    # the small projects line (decree of 2024) is a setting of its own, in the workshop's words
    box = page.get_by_text("kleine bovenlokale cultuurprojecten alleen in een IGS-gebied")
    box.click()
    expect(page.get_by_text("druk op Herbegin")).to_be_visible(timeout=30_000)
    box.click()   # back to the run's own setting: nothing pending
    expect(page.get_by_text("druk op Herbegin")).to_have_count(0, timeout=30_000)
    page.locator(".v-select").filter(has_text="verdeelsleutel").click()
    page.locator(".v-list-item").filter(has_text="volgens begroting").first.click()
    expect(page.get_by_text("druk op Herbegin")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "dashboard_pending_1024x768.png"), full_page=True)


def test_click_on_a_municipality_tells_what_the_run_means_for_it(dashboard_url, browser):
    from playwright.sync_api import expect

    page = open_page(browser, dashboard_url, 1920, 1080)
    step(page, 3)
    page.locator('path.municipality[data-nis="13011"]').click(force=True)  # Herentals
    expect(page.get_by_text(re.compile(r"Herentals is (lid van|nu in geen)"))).to_be_visible(timeout=30_000)
    title = page.locator('path.municipality[data-nis="13011"] title').text_content()
    assert title.startswith("Herentals: ")
    legend = page.locator(".simcoop-legend li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert legend >= 18
    width = page.locator(".simcoop-map svg").evaluate("e => e.getBoundingClientRect().width")
    assert width >= 1000, "the map uses a projector's width"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    page.screenshot(path=str(ARTIFACTS / "dashboard_1920x1080.png"), full_page=True)

    with page.expect_download(timeout=120_000) as download:
        page.get_by_text("Tabellen van deze simulatie (zip)").click()
    with zipfile.ZipFile(download.value.path()) as tables:
        assert sorted(tables.namelist()) == ["events.csv", "igs.csv", "membership.csv", "yearly.csv"]
        assert len(tables.read("yearly.csv").decode().splitlines()) == 1 + 1 + 3  # header, the real 2025, three years
    with page.expect_download(timeout=120_000) as download:
        page.get_by_text("Kaart als afbeelding (PNG)").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"\x89PNG"

    playing_from = status(page)
    page.get_by_role("button", name="Speel af").click()
    expect(page.locator(".simcoop-status")).not_to_have_text(playing_from, timeout=60_000)  # plays on its own
    page.get_by_role("button", name="Pauze").click()
    expect(page.get_by_role("button", name="Speel af")).to_be_visible(timeout=30_000)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="One year on")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"Herentals (is a member of|is not in an IGS)"))).to_be_visible(timeout=30_000)
    small = open_page(browser, dashboard_url)
    assert small.evaluate("document.documentElement.scrollWidth") <= 1024
    assert small.locator(".simcoop-map svg").evaluate("e => e.getBoundingClientRect().width") >= 600
    small.screenshot(path=str(ARTIFACTS / "dashboard_1024x768.png"), full_page=True)


@pytest.mark.parametrize("args, field", [(["--lang", "fr"], "--lang"), (["--port", "http"], "--port")])
def test_dashboard_refuses_bad_options_with_one_line(args, field):
    proc = subprocess.run([sys.executable, "-m", "simcoop", "dashboard", *args], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and f"{field}=" in proc.stderr and "accepted" in proc.stderr
