"""Fields the data lacks, derived from population and region with seeded heterogeneity.

Every derivation here is an assumption (see docs/ODD.md, "Initialization"): the Flemish
data gives population, region and the centre-city flag, nothing on budgets or staff.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcoop.config import AttributesConfig, BehaviourConfig
from simcoop.landscape import Landscape


@dataclass
class Attributes:
    budget: np.ndarray          # EUR/year, total municipal budget
    culture_budget: np.ndarray  # EUR/year
    staff: np.ndarray           # FTE culture staff
    expertise: np.ndarray       # 0..1
    workload: np.ndarray        # 0..1, higher = less time free for partnerships
    identity: np.ndarray        # 0..1, attachment to the shared regional identity
    region_identity: np.ndarray  # 0..1 per region
    political_will: np.ndarray  # 0..1, probability the council backs a change
    admin_support: np.ndarray   # 0..1, officials' keenness
    heritage_cell: np.ndarray   # int, -1 = none


def _spread(rng: np.random.Generator, sigma: float, n: int) -> np.ndarray:
    """Mean-one lognormal multipliers."""
    return np.exp(rng.normal(-sigma**2 / 2, sigma, n)) if sigma > 0 else np.ones(n)


def _beta_with_mean(rng: np.random.Generator, mean: float, n: int, concentration: float = 8.0) -> np.ndarray:
    return rng.beta(mean * concentration, (1 - mean) * concentration, n)


def expertise_from_staff(staff: np.ndarray) -> np.ndarray:
    """Specialised expertise saturates with culture staff (6 FTE -> 0.63)."""
    return 1.0 - np.exp(-staff / 6.0)


def workload_from_population(population: np.ndarray) -> np.ndarray:
    """Small municipalities: 'no one free to set up or follow a partnership'."""
    return np.clip(0.85 - 0.12 * np.log(population / 10000.0), 0.05, 1.0)


def heritage_cells(rng: np.random.Generator, land: Landscape, share: float, cell_population: float) -> np.ndarray:
    """Grow prior heritage cells: contiguous, within one region, up to the 85,000 norm.

    Cells start at random municipalities and grow over same-region neighbours until the
    target population is reached; growth stops once `share` of municipalities is covered.
    """
    cell = np.full(land.n, -1, dtype=np.int64)
    target = share * land.n
    next_id = 0
    for start in rng.permutation(land.n):
        if (cell >= 0).sum() >= target:
            break
        if cell[start] >= 0:
            continue
        members = [int(start)]
        cell[start] = next_id
        pop = land.population[start]
        frontier = [int(j) for j in rng.permutation(land.neighbours[start])]
        while frontier and pop < cell_population:
            j = frontier.pop(0)
            if cell[j] >= 0 or land.region[j] != land.region[start]:
                continue
            cell[j] = next_id
            members.append(j)
            pop += land.population[j]
            frontier.extend(int(k) for k in rng.permutation(land.neighbours[j]))
        if len(members) < 2:
            cell[start] = -1
        else:
            next_id += 1
    return cell


def derive(land: Landscape, cfg: AttributesConfig, beh: BehaviourConfig, rng: np.random.Generator) -> Attributes:
    n, sig = land.n, cfg.heterogeneity
    centre_budget = np.where(land.centre, cfg.centre_budget_factor, 1.0)
    centre_staff = np.where(land.centre, cfg.centre_staff_factor, 1.0)
    budget = land.population * cfg.budget_per_inhabitant * centre_budget * _spread(rng, sig, n)
    culture_budget = budget * cfg.culture_budget_share * _spread(rng, sig, n)
    staff = np.maximum(0.5, land.population / 10000.0 * cfg.staff_per_10k) * centre_staff * _spread(rng, sig, n)
    expertise = expertise_from_staff(staff)
    workload = np.clip(workload_from_population(land.population) * _spread(rng, sig / 2, n), 0.0, 1.0)
    region_identity = rng.beta(4.0, 3.0, len(land.region_names))
    identity = np.clip(region_identity[land.region] + rng.normal(0.0, 0.1, n), 0.0, 1.0)
    political_will = _beta_with_mean(rng, beh.political_will_mean, n)
    admin_support = _beta_with_mean(rng, beh.admin_support_mean, n)
    cell = heritage_cells(rng, land, cfg.heritage_share, cfg.heritage_cell_population)
    return Attributes(budget, culture_budget, staff, expertise, workload, identity,
                      region_identity, political_will, admin_support, cell)
