"""Municipal attributes: from real data where it exists, derived with seeded heterogeneity
where it does not.

Budgets follow real fiscal capacity (Statbel income per inhabitant) where the data has it;
staff, expertise, workload and political will are derived from population (assumptions,
docs/ODD.md "Initialization"). Regional identity is not drawn at random: it is the affinity
between two municipalities from data (same arrondissement, a known shared heritage
cooperation, a shared housing IGS, the same UiT region or streek), see `affinity`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcoop.config import AttributesConfig, BehaviourConfig
from simcoop.data.landscape import Landscape
from simcoop.data.realdata import RealData
from simcoop.model import kernels


@dataclass
class Attributes:
    budget: np.ndarray          # EUR/year, total municipal budget
    culture_budget: np.ndarray  # EUR/year
    staff: np.ndarray           # FTE culture staff
    expertise: np.ndarray       # 0..1
    workload: np.ndarray        # 0..1, higher = less time free for partnerships
    identity: np.ndarray        # 0..1, mean affinity with its neighbours (shared regional identity)
    region_identity: np.ndarray  # 0..1 per region: mean identity of its municipalities
    political_will: np.ndarray  # 0..1, probability the council backs a change
    admin_support: np.ndarray   # 0..1, officials' keenness
    heritage_cell: np.ndarray   # int, -1 = none (random cells among municipalities the data does not cover)
    affinity: Affinity


@dataclass(frozen=True)
class Affinity:
    """Shared regional identity between two municipalities, from data (digest Mechanism 7).

    affinity(i, j) = w_arr [same arrondissement] + w_hous [same housing IGS] + w_streek [same
    UiT region] + w_her H(i, j), where H is 1 for a known shared erfgoedcel/IOED and 0 when
    both are in the partial list without sharing one. Missing data is neutral: when either is
    absent from the heritage list (absent means unknown, not a non-member) H is not guessed,
    and when either has no known UiT region the streek term is dropped; the known components
    are then re-weighted to the full total (w_arr + w_hous + w_streek + w_her). (Imputing the
    base rate observed among listed neighbours, 0.72, inflated the regions the list misses
    and gave P5 the wrong sign.)"""
    arrondissement: np.ndarray   # int code, -1 unknown
    heritage_mask: np.ndarray    # int64 bit mask of known heritage cooperations
    heritage_known: np.ndarray   # bool
    housing: np.ndarray          # int code, -1 none
    heritage_base_rate: float
    w_arrondissement: float
    w_heritage: float
    w_housing: float
    uit_region: np.ndarray       # int64 bit mask of UiT regions (streken), 0 unknown
    w_uit_region: float

    def __call__(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        i, j = np.broadcast_arrays(np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64))
        return kernels.affinity(i.ravel(), j.ravel(), self.arrondissement, self.heritage_mask, self.heritage_known,
                                self.housing, self.heritage_base_rate, self.w_arrondissement, self.w_heritage,
                                self.w_housing, self.uit_region, self.w_uit_region).reshape(i.shape)


def affinity_of(land: Landscape, real: RealData, cfg: AttributesConfig) -> Affinity:
    mask = np.zeros(land.n, dtype=np.int64)
    for bit, members in enumerate(real.heritage_groups):   # at most 63 (realdata.MAX_HERITAGE_GROUPS)
        mask[members] |= np.int64(1) << np.int64(bit)
    rows = np.repeat(np.arange(land.n), [len(nb) for nb in land.neighbours])
    cols = np.concatenate([*land.neighbours, np.zeros(0, np.int64)]).astype(np.int64)
    both = real.heritage_known[rows] & real.heritage_known[cols]
    base = float(((mask[rows] & mask[cols]) != 0)[both].mean()) if both.any() else 0.0
    return Affinity(real.arrondissement, mask, real.heritage_known, real.housing_igs, base,
                    cfg.affinity_arrondissement, cfg.affinity_heritage, cfg.affinity_housing, real.uit_regions,
                    cfg.affinity_uit_region)


def identity_of(aff: Affinity, neighbours: list[np.ndarray]) -> np.ndarray:
    """A municipality's shared regional identity: its mean affinity with its neighbours."""
    return np.array([aff(np.full(len(nb), i), nb).mean() if len(nb) else 0.0 for i, nb in enumerate(neighbours)])


def budgets(population: np.ndarray, income_per_inhabitant: np.ndarray, centre: np.ndarray,
            cfg: AttributesConfig) -> np.ndarray:
    """Municipal budget (EUR/year): per inhabitant, partly scaled by real income per
    inhabitant relative to the Flemish mean (own taxes), times the centre-function factor."""
    mean_income = np.sum(income_per_inhabitant * population) / population.sum()
    fiscal = (1 - cfg.fiscal_weight) + cfg.fiscal_weight * income_per_inhabitant / mean_income
    return population * cfg.budget_per_inhabitant * fiscal * np.where(centre, cfg.centre_budget_factor, 1.0)


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


def heritage_cells(rng: np.random.Generator, land: Landscape, share: float, cell_population: float,
                   eligible: np.ndarray | None = None) -> np.ndarray:
    """Grow prior heritage cells: contiguous, within one region, up to the 85,000 norm.

    Cells start at random eligible municipalities (default: all; with real data, those the
    partial heritage list does not cover, or all when the list is switched off) and grow
    over eligible same-region neighbours until the target population is reached; growth
    stops once `share` of the eligible municipalities is covered.
    """
    eligible = np.ones(land.n, dtype=bool) if eligible is None else eligible
    cell = np.where(eligible, -1, -2).astype(np.int64)   # -2: not eligible
    target = share * eligible.sum()
    next_id = 0
    for start in rng.permutation(land.n):
        if cell[start] == -2:
            continue
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
            if cell[j] != -1 or land.region[j] != land.region[start]:
                continue
            cell[j] = next_id
            members.append(j)
            pop += land.population[j]
            frontier.extend(int(k) for k in rng.permutation(land.neighbours[j]))
        if len(members) < 2:
            cell[start] = -1
        else:
            next_id += 1
    return np.where(cell == -2, -1, cell)


def derive(land: Landscape, real: RealData, cfg: AttributesConfig, beh: BehaviourConfig,
           rng: np.random.Generator) -> Attributes:
    n, sig = land.n, cfg.heterogeneity
    centre_staff = np.where(land.centre, cfg.centre_staff_factor, 1.0)
    income = real.income_per_inhabitant
    if np.isnan(income).any():  # no fiscal data: a seeded spread around the mean instead
        income = 23272.0 * _spread(rng, sig, n)
    budget = budgets(land.population, income, land.centre, cfg)
    culture_budget = budget * cfg.culture_budget_share * _spread(rng, sig, n)
    staff = np.maximum(0.5, land.population / 10000.0 * cfg.staff_per_10k) * centre_staff * _spread(rng, sig, n)
    expertise = expertise_from_staff(staff)
    workload = np.clip(workload_from_population(land.population) * _spread(rng, sig / 2, n), 0.0, 1.0)
    political_will = _beta_with_mean(rng, beh.political_will_mean, n)
    admin_support = _beta_with_mean(rng, beh.admin_support_mean, n)
    cell = heritage_cells(rng, land, cfg.heritage_share, cfg.heritage_cell_population,
                          ~real.heritage_known if cfg.known_heritage else None)
    aff = affinity_of(land, real, cfg)
    identity = identity_of(aff, land.neighbours)
    region_identity = np.bincount(land.region, weights=identity) / np.bincount(land.region)
    return Attributes(budget, culture_budget, staff, expertise, workload, identity,
                      region_identity, political_will, admin_support, cell, aff)
