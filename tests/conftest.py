"""Shared fixtures: runs are cached per session so the suite stays fast."""

from __future__ import annotations

import functools

import pytest

import simcoop

SYNTHETIC = ["data=synthetic", "data.n_municipalities=60", "data.n_regions=4", "end_year=2030"]


@functools.lru_cache(maxsize=None)
def cached_run(overrides: tuple[str, ...], seed: int) -> simcoop.SimulationResult:
    return simcoop.simulate(list(overrides), seed=seed)


@pytest.fixture(scope="session")
def run():
    """run(overrides, seed) -> SimulationResult, cached across tests."""
    return lambda overrides=(), seed=0: cached_run(tuple(overrides), seed)


@pytest.fixture(scope="session")
def flanders_baseline(run):
    return run(["start=empty", "end_year=2030"], 0)
