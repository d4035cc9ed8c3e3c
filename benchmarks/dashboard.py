"""How long a step takes in the workshop dashboard, as a participant sees it: from the click
on "Eén jaar verder" until the page shows the new year, in headless Chromium; beside it the
model's own step in this process (the reference the browser time is compared with).

    python benchmarks/dashboard.py [--steps 10]

Target (issue 12): under 0.5 s a step in the browser. Needs Debian's chromium.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGET_SECONDS = 0.5


def model_steps(n: int) -> list[float]:
    from simcoop.workshop.dashboard import Settings, new_session

    session = new_session(Settings())
    times = []
    for _ in range(n):
        t = time.perf_counter()
        session.model.step()
        times.append(time.perf_counter() - t)
    return times


def browser_steps(n: int) -> list[float]:
    from playwright.sync_api import expect, sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "simcoop", "dashboard", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://localhost:{port}"
        for _ in range(480):
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(url, timeout=240_000)
            step = page.get_by_role("button", name="Eén jaar verder")
            expect(step).to_be_visible(timeout=240_000)
            status = page.locator(".simcoop-status")
            times = []
            for _ in range(n):
                before = status.inner_text()
                t = time.perf_counter()
                step.click()
                expect(status).not_to_have_text(before, timeout=60_000)
                expect(step).to_be_enabled()
                times.append(time.perf_counter() - t)
            browser.close()
        return times
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    model = model_steps(args.steps)
    browser = browser_steps(args.steps)
    m, b = statistics.median(model), statistics.median(browser)
    print(f"model step (median of {args.steps}): {m:.3f} s")
    print(f"browser step, click to new year shown (median): {b:.3f} s; max {max(browser):.3f} s; "
          f"ratio to the model step {b / m:.1f}x; target < {TARGET_SECONDS} s: {'met' if b < TARGET_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    main()
