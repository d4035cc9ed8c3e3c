"""The workshop report (simcoop compare): a column per combination, numbers that match the
runs, maps of every municipality, the municipality lookup, one-line refusals, and the page
in a real browser at a projector's and a small laptop's size.

The browser part needs Debian's chromium (.ci/run installs it) and skips without it;
screenshots are kept in test-artifacts/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from browser import ARTIFACTS, launch
from simcoop.workshop.comparison import combinations, end_values, key_figures
from simcoop.sweeps.experiments import load
from simcoop.analysis.maps import assign_colours, flanders_geometry

END_YEAR = "2029"


def simcoop_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simcoop", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """A comparison of one scenario at two subsidy levels (the case that used to be pooled)."""
    cwd = tmp_path_factory.mktemp("compare")
    proc = simcoop_cli("compare", "scenario=current_policy", "incentive.subsidy_per_inhabitant=0.9,1.5", "seeds=2",
                       "lang=nl", f"end_year={END_YEAR}", cwd=cwd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [report] = cwd.glob("sweeps/*/report_nl.html")
    return report


def lookup_data(text: str) -> dict:
    raw = re.search(r'<script type="application/json" id="lookup-data">(.*?)</script>', text, re.S).group(1)
    return json.loads(raw.replace("<\\/", "</"))


def test_every_combination_gets_its_own_readable_column(compared):
    text = compared.read_text(encoding="utf-8")
    data = lookup_data(text)
    assert len(data["combinations"]) == 2 and len(set(data["combinations"])) == 2
    assert all("Vlaamse subsidie per inwoner" in c for c in data["combinations"])
    assert any("0,9" in c for c in data["combinations"]) and any("1,5" in c for c in data["combinations"])
    visible = re.sub(r"<script.*?</script>|<style>.*?</style>|<[^>]+>", " ", text, flags=re.S)
    visible = visible.split("Gemaakt met simcoop")[0]  # the footer names the sweep folder, for researchers
    assert "subsidy_per_inhabitant" not in visible and "incentive." not in visible
    assert "verschil met basis" in visible and "meestal" in visible
    assert not re.search(r"\d\.\d\d(?!\d)", visible), "Dutch numbers use a comma"
    assert "http://" not in text and "https://" not in text and " src=\"http" not in text  # opens offline


def test_key_figures_are_those_of_each_combination_not_pooled(compared):
    sweep = compared.parent
    yearly = load(sweep)
    combos = combinations(yearly, "nl")
    table = key_figures(end_values(yearly, combos), combos).set_index(["combo", "metric"])
    end = yearly[yearly["year"] == yearly["year"].max()]
    for c in combos:
        subsidy = c.params["incentive.subsidy_per_inhabitant"]
        runs = end[end["incentive.subsidy_per_inhabitant"] == subsidy]
        assert len(runs) == 2  # two seeds each, never the four runs together
        assert table.loc[(c.key, "n_igs"), "mean"] == pytest.approx(runs["n_igs"].mean())
        per_run = yearly[yearly["incentive.subsidy_per_inhabitant"] == subsidy].groupby("seed")["dissolutions"].sum()
        assert table.loc[(c.key, "dissolutions_total"), "mean"] == pytest.approx(per_run.mean())
    first, second = combos
    assert table.loc[(second.key, "n_igs"), "diff"] == pytest.approx(
        table.loc[(second.key, "n_igs"), "mean"] - table.loc[(first.key, "n_igs"), "mean"])


def test_each_map_draws_every_municipality_once(compared):
    text = compared.read_text(encoding="utf-8")
    maps = re.findall(r'<div class="map">(.*?)</div>', text, re.S)
    assert len(maps) == 2
    for m in maps:
        codes = re.findall(r'<use href="#m(\d+)"', m)
        assert len(codes) == len(set(codes)) == 285
    assert text.count('<path id="m') == 285  # the outlines are in the file once


def test_municipality_lookup_has_a_card_per_combination(compared):
    data = lookup_data(compared.read_text(encoding="utf-8"))
    [herentals] = [m for m in data["municipalities"] if m["name"] == "Herentals"]
    assert len(herentals["cards"]) == 2
    for card in herentals["cards"]:
        assert re.fullmatch(r"in een IGS in [0-2] van de 2 simulaties", card["in"])
        assert isinstance(card["history"], list)


def test_neighbouring_igs_get_different_colours_and_keep_them():
    touching = {frozenset(("IGS A", "IGS B")), frozenset(("IGS B", "IGS C")), frozenset(("IGS A", "IGS C"))}
    colours = assign_colours({"IGS A", "IGS B", "IGS C"}, touching)
    assert len({colours["IGS A"], colours["IGS B"], colours["IGS C"]}) == 3
    later = assign_colours({"IGS A", "IGS D"}, {frozenset(("IGS A", "IGS D"))}, colours)
    assert later["IGS A"] == colours["IGS A"] and later["IGS D"] != colours["IGS A"]


def test_geometry_has_every_municipality_and_region_borders():
    geo = flanders_geometry()
    assert len(geo.paths) == 285 and all(d.startswith("M") for d in geo.paths.values())
    assert geo.region_borders.count("M") > 15


@pytest.mark.parametrize("args, field", [
    (("scenario=current_policy,per_budget_key", "labels=Alleen één"), "labels"),
    (("scenario=current_policy", "seed=3"), "seed"),
    (("scenario=current_policy", "lang=fr"), "lang"),
    (("scenario=nope",), "scenario"),
])
def test_compare_refuses_with_one_line(tmp_path, args, field):
    proc = simcoop_cli("compare", *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and f"{field}=" in proc.stderr and "accepted" in proc.stderr
    assert not (tmp_path / "sweeps").exists()


def test_report_in_a_browser_fits_the_screen_and_finds_herentals(compared):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        for width, height in ((1024, 768), (1920, 1080)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(compared.as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= width, "no horizontal scroll"
            sizes = page.locator(".legend li").evaluate_all(
                "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
            assert sizes and min(sizes) >= 16, "legends readable from the back of a room"
            maps = page.locator(".map svg").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
            assert min(maps) >= 0.8 * min(width, 1920) / (1 if width < 1700 else 2) - 100
            page.fill("#search", "Herentals")
            card = page.locator(".card").first
            expect(card).to_contain_text("Herentals")
            expect(card).to_contain_text("in een IGS in")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(ARTIFACTS / f"report_{width}x{height}.png"), full_page=True)
            page.close()
        browser.close()


def test_igs_are_named_by_their_real_name_else_by_their_largest_member():
    import pandas as pd

    from simcoop.analysis.naming import with_igs_names

    rows = pd.DataFrame({"year": [2026] * 4, "nis": [1, 2, 3, 4], "name": ["Herentals", "Geel", "Olen", "Mol"],
                         "population": [28000, 41000, 12000, 37000],
                         "igs_id": pd.array([0, 0, None, 1], dtype="Int32")})
    named = with_igs_names(rows)
    assert named["igs_name"].tolist() == ["IGS Geel", "IGS Geel", None, "IGS Mol"]
    real = with_igs_names(rows.assign(igs_name=["Kempens Karakter", "Kempens Karakter", None, "Mol Cultuur"]))
    assert real["igs_name"].tolist() == ["Kempens Karakter", "Kempens Karakter", None, "Mol Cultuur"]
    # a year later Olen joins IGS Geel and Mol's IGS is gone: names last through the run
    later = rows.assign(year=2027, igs_id=pd.array([0, 0, 0, None], dtype="Int32"))
    named = with_igs_names(pd.concat([rows, later], ignore_index=True))
    assert named["igs_name"].tolist() == ["IGS Geel", "IGS Geel", None, "IGS Mol (tot 2026)",
                                          "IGS Geel", "IGS Geel", "IGS Geel", None]


def test_history_says_when_and_why_in_plain_words():
    import pandas as pd

    from simcoop.workshop.lookup import history_lines

    names = pd.DataFrame({"year": [2026, 2026], "igs_id": [3, 5], "igs_name": ["Kempens Karakter", "IGS Geel"]})
    first = pd.DataFrame({"year": [2026, 2026], "nis": [13011, 13008], "igs_id": pd.array([3, None], dtype="Int64"),
                          "igs_name": ["Kempens Karakter", None]})
    events = pd.DataFrame({"year": [2031, 2032], "event": ["leave", "join"], "igs_id": [3, 5],
                           "nis": pd.array([13011, 13011], dtype="Int32"), "reason": ["region_rule", "choice"]})
    lines = history_lines(events, names, first, "nl")[13011]
    assert lines == ["2026: was lid van Kempens Karakter bij de start",
                     "2031: verliet Kempens Karakter door de regioregel",
                     "2032: trad toe tot IGS Geel uit eigen keuze"]
