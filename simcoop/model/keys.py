"""Financial keys: how members split what the IGS needs. Pure functions.

Every key returns contributions that sum exactly to `need` (a conservation law the tests
check): a key only decides who pays, never how much is raised.
"""

from __future__ import annotations

import numpy as np


def _split(need: float, weights: np.ndarray) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    total = weights.sum()
    if total <= 0:
        return np.full(len(weights), need / len(weights))
    return need * weights / total


def per_inhabitant(need: float, population: np.ndarray) -> np.ndarray:
    """The transparent default: 'used almost everywhere' (digest, Mechanism 1)."""
    return _split(need, population)


def per_budget(need: float, budget: np.ndarray) -> np.ndarray:
    """'x % of your budget': rich municipalities and centre cities pay more."""
    return _split(need, budget)


def mixed(need: float, population: np.ndarray, budget: np.ndarray, budget_weight: float) -> np.ndarray:
    """A blend: budget_weight of the need per budget, the rest per inhabitant."""
    return (1 - budget_weight) * per_inhabitant(need, population) + budget_weight * per_budget(need, budget)


def fixed_plus_per_inhabitant(need: float, population: np.ndarray, fixed_share: float) -> np.ndarray:
    """An equal fee for fixed_share of the need, the rest per inhabitant."""
    n = len(population)
    return np.full(n, fixed_share * need / n) + per_inhabitant((1 - fixed_share) * need, population)


def contributions(key: str, need: float, population: np.ndarray, budget: np.ndarray,
                  budget_weight: float = 0.5, fixed_share: float = 0.3) -> np.ndarray:
    """Dispatch on the configured key name (see config.KEYS)."""
    if key == "per_inhabitant":
        return per_inhabitant(need, population)
    if key == "per_budget":
        return per_budget(need, budget)
    if key == "mixed":
        return mixed(need, population, budget, budget_weight)
    if key == "fixed_plus_per_inhabitant":
        return fixed_plus_per_inhabitant(need, population, fixed_share)
    raise ValueError(f"unknown financial key {key!r}")


def contributions_of_sets(key: str, need: np.ndarray, population: np.ndarray, budget: np.ndarray,
                          seg: np.ndarray, starts: np.ndarray, sizes: np.ndarray, budget_weight: float = 0.5,
                          fixed_share: float = 0.3) -> np.ndarray:
    """The same keys for many member sets at once: `need` per set, `population` and
    `budget` per member (flat, set after set), `seg` the set of each member, `starts`
    where each set begins and `sizes` its number of members. Each set's contributions
    sum to its need."""
    def split(set_need: np.ndarray, weights: np.ndarray) -> np.ndarray:
        total = np.add.reduceat(weights, starts)
        ok = total > 0
        return np.where(ok[seg], set_need[seg] * weights / np.where(ok, total, 1.0)[seg], (set_need / sizes)[seg])

    if key == "per_inhabitant":
        return split(need, population)
    if key == "per_budget":
        return split(need, budget)
    if key == "mixed":
        return (1 - budget_weight) * split(need, population) + budget_weight * split(need, budget)
    if key == "fixed_plus_per_inhabitant":
        return (fixed_share * need / sizes)[seg] + split((1 - fixed_share) * need, population)
    raise ValueError(f"unknown financial key {key!r}")
