"""Shared fixtures: runs are cached per session so the suite stays fast."""

from __future__ import annotations

import functools

import pytest

import simcoop

SYNTHETIC = ["data=synthetic", "data.n_municipalities=60", "data.n_regions=4", "end_year=2030"]


@functools.lru_cache(maxsize=None)
def cached_run(overrides: tuple[str, ...], seed: int) -> simcoop.SimulationResult:
    return simcoop.simulate(list(overrides), seed=seed)


def replay_events(result: simcoop.SimulationResult) -> int:
    """Replay a run's event log from its first recorded year and check every later year's
    membership table against it (a municipality is in at most one IGS; a leave leaves the IGS
    it is in; a dissolved IGS keeps no member). Returns the number of events replayed."""
    first = int(result.yearly["year"].min())
    start = result.membership[(result.membership["year"] == first) & result.membership["igs_id"].notna()]
    member = {int(n): int(g) for n, g in zip(start["nis"], start["igs_id"])}
    events = result.events[result.events["year"] > first]
    for year in result.yearly["year"][result.yearly["year"] > first]:
        for e in events[events["year"] == year].itertuples():
            if e.event in ("found", "join"):
                assert int(e.nis) not in member, "a municipality is in at most one IGS"
                member[int(e.nis)] = int(e.igs_id)
            elif e.event == "leave":
                assert member.pop(int(e.nis)) == e.igs_id
            elif e.event == "dissolve":
                assert e.igs_id not in member.values()
        table = result.membership[(result.membership["year"] == year) & result.membership["igs_id"].notna()]
        assert member == {int(n): int(g) for n, g in zip(table["nis"], table["igs_id"])}, year
    return len(events)


@pytest.fixture(scope="session")
def run():
    """run(overrides, seed) -> SimulationResult, cached across tests."""
    return lambda overrides=(), seed=0: cached_run(tuple(overrides), seed)


@pytest.fixture(scope="session")
def flanders_baseline(run):
    return run(["start=empty", "end_year=2030"], 0)


@pytest.fixture
def figure_texts(monkeypatch):
    """Every text drawn on the figures saved while the test runs, {file name: [texts]}."""
    import re

    import matplotlib.figure
    import matplotlib.text

    seen: dict[str, list[str]] = {}
    original = matplotlib.figure.Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        name = re.sub(r"^\.(.*)\.tmp-\d+(\.\w+)$", r"\1\2", str(fname).split("/")[-1])  # save_figure's temp name
        seen[name] = [t.get_text() for t in self.findobj(matplotlib.text.Text) if t.get_text().strip()]
        return original(self, fname, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    return seen


def unreadable(texts: list[str]) -> list[str]:
    """Texts that show an internal name: a config path (igs.staff_hosted_by_city), a
    column, option or metric name (coverage_municipalities, forced_2028), or a raw Python
    value (True, False, nan, None) where a word belongs."""
    import re

    internal = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z_]+\.[a-z_]+\b")
    return [t for t in texts if internal.search(t) or t.strip() in ("True", "False", "nan", "None")]
