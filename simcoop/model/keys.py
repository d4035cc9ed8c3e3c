"""Financial keys: how members split what the IGS needs. Pure functions.

Every key returns contributions that sum exactly to `need` (a conservation law the tests
check): a key only decides who pays, never how much is raised.

Each key's rule for one member is a function of floats (`share`, `mixed_share`,
`fixed_plus_share`) that numba compiles: `simcoop.model.kernels.contributions` applies them
to many member sets at once, the functions of one set below apply them member by member.
"""

from __future__ import annotations

import numpy as np

def share(need: float, weight: float, total_weight: float, n_members: int) -> float:
    """A member's part of `need` in proportion to its weight among the members' (equal parts
    when the weights sum to 0 or less)."""
    return need * weight / total_weight if total_weight > 0 else need / n_members


def mixed_share(by_population: float, by_budget: float, budget_weight: float) -> float:
    """A blend: budget_weight of the need per budget, the rest per inhabitant."""
    return (1 - budget_weight) * by_population + budget_weight * by_budget


def fixed_plus_share(need: float, population: float, total_population: float, n_members: int,
                     fixed_share: float) -> float:
    """An equal fee for fixed_share of the need, the rest per inhabitant."""
    return fixed_share * need / n_members + share((1 - fixed_share) * need, population, total_population, n_members)


def _split(need: float, weights: np.ndarray) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    total = weights.sum()
    return np.array([share(need, w, total, len(weights)) for w in weights])


def per_inhabitant(need: float, population: np.ndarray) -> np.ndarray:
    """The transparent default: 'used almost everywhere' (digest, Mechanism 1)."""
    return _split(need, population)


def per_budget(need: float, budget: np.ndarray) -> np.ndarray:
    """'x % of your budget': rich municipalities and centre cities pay more."""
    return _split(need, budget)


def mixed(need: float, population: np.ndarray, budget: np.ndarray, budget_weight: float) -> np.ndarray:
    """`mixed_share` of each member."""
    return mixed_share(per_inhabitant(need, population), per_budget(need, budget), budget_weight)


def fixed_plus_per_inhabitant(need: float, population: np.ndarray, fixed_share: float) -> np.ndarray:
    """`fixed_plus_share` of each member."""
    population = np.asarray(population, dtype=float)
    total = population.sum()
    return np.array([fixed_plus_share(need, p, total, len(population), fixed_share) for p in population])


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
