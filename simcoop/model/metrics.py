"""Indicators computed from arrays: pure functions, testable without a model."""

from __future__ import annotations

import numpy as np


def gini(values: np.ndarray) -> float:
    """Gini coefficient, extended to negative values: sum|xi-xj| / (2 n^2 mean|x|).

    Equals the usual Gini for non-negative values and stays in [0, 1] for any values
    (net benefits can be negative). 0 for fewer than two values or all zeros.
    """
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return 0.0
    denom = 2.0 * x.size**2 * np.abs(x).mean()
    if denom == 0:
        return 0.0
    return float(np.abs(x[:, None] - x[None, :]).sum() / denom)


def dominance_index(agenda_share: np.ndarray, population_share: np.ndarray) -> float:
    """How far the agenda departs from population weights: half the L1 distance, in [0, 1]."""
    return float(0.5 * np.abs(np.asarray(agenda_share) - np.asarray(population_share)).sum())


def centre_excess(agenda_share: np.ndarray, population_share: np.ndarray, centre: np.ndarray) -> float:
    """The largest excess of a centre city's agenda share over its population share (0 if none)."""
    centre = np.asarray(centre, dtype=bool)
    if not centre.any():
        return 0.0
    return float(max(0.0, (np.asarray(agenda_share)[centre] - np.asarray(population_share)[centre]).max()))
