"""The IGS cultuur as a first-class object, and the pure maths of its economics."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simcoop import keys, metrics
from simcoop.config import IgsConfig, KeyConfig


@dataclass(frozen=True)
class Economics:
    """One year's money, staff and agenda of an IGS (or of a membership being considered)."""
    members: np.ndarray            # municipality indices
    population: float              # inhabitants, total
    need: float                    # EUR/year raised from members
    recognised: bool               # by Flanders, this year
    contributions: np.ndarray      # EUR/year per member, sums to need
    subsidy: float                 # EUR/year from Flanders
    subsidy_shares: np.ndarray     # EUR/year per member, shared per inhabitant
    returned: np.ndarray           # EUR/year of pooled budget that comes back to each member
    paid_fte: float                # IGS staff paid from the pool plus Flemish coordinators
    host: int                      # index of the city employing the staff, -1 if own staff
    coordination_fte: np.ndarray   # FTE each member still spends on coordination
    agenda_share: np.ndarray
    population_share: np.ndarray
    dominance: float               # metrics.dominance_index
    centre_excess: float           # metrics.centre_excess

    @property
    def pooled_budget(self) -> float:
        return self.need + self.subsidy


def economics(members: np.ndarray, population: np.ndarray, budget: np.ndarray, staff: np.ndarray,
              centre: np.ndarray, key: KeyConfig, cfg: IgsConfig, subsidy: float,
              coordinator_fte: float = 0.0, recognised: bool = False) -> Economics:
    """Who pays what, who gets what, and who sets the agenda.

    The pooled budget (contributions plus subsidy) comes back to members per inhabitant,
    discounted by the programme's efficiency. Agenda weight follows staff time: each member brings coordination_fte of each of its
    culture staff; the IGS's paid staff adds to the host city's weight when the city employs
    them, and is neutral (spread by population) when the IGS employs its own.
    """
    members = np.asarray(members, dtype=np.int64)
    pop = population[members]
    total = float(pop.sum())
    need = cfg.contribution_per_inhabitant * total
    contrib = keys.contributions(key.name, need, pop, budget[members], key.budget_weight, key.fixed_share)
    pop_share = pop / total
    pool_fte = cfg.own_staff_share * (need + subsidy) / cfg.staff_cost_per_fte
    paid = pool_fte + coordinator_fte
    is_centre = centre[members]
    host = -1
    if cfg.staff_hosted_by_city and is_centre.any():
        host = int(members[is_centre][np.argmax(pop[is_centre])])
    brought = cfg.coordination_fte * staff[members]
    # Flemish-funded coordinators always work for the IGS as a whole (neutral)
    neutral = coordinator_fte + (0.0 if host >= 0 else pool_fte)
    weight = brought + neutral * pop_share
    if host >= 0:
        weight = weight + pool_fte * (members == host)
    agenda = weight / weight.sum() if weight.sum() > 0 else pop_share
    n = len(members)
    relief = 1.0 + paid / (n * cfg.coordination_fte) if cfg.coordination_fte > 0 else 1.0
    coordination = np.full(n, cfg.coordination_fte / relief)
    return Economics(
        members=members, population=total, need=need, recognised=recognised, contributions=contrib, subsidy=subsidy,
        subsidy_shares=subsidy * pop_share,
        returned=cfg.programme_efficiency * (need + subsidy) * pop_share, paid_fte=paid, host=host, coordination_fte=coordination,
        agenda_share=agenda, population_share=pop_share,
        dominance=metrics.dominance_index(agenda, pop_share),
        centre_excess=metrics.centre_excess(agenda, pop_share, is_centre),
    )


@dataclass
class IGS:
    """An intermunicipal cooperation on culture: members, money, staff, age, recognition."""
    igs_id: int
    founded: int                                  # year
    members: list[int]                            # municipality indices
    joined: dict[int, int] = field(default_factory=dict)  # index -> year joined
    recognised: bool = False
    unrecognised_years: int = 0
    economics: Economics | None = None

    def __post_init__(self) -> None:
        for m in self.members:
            self.joined.setdefault(m, self.founded)

    def age(self, year: int) -> int:
        return year - self.founded

    def add(self, idx: int, year: int) -> None:
        self.members.append(idx)
        self.joined[idx] = year

    def remove(self, idx: int) -> None:
        self.members.remove(idx)
        self.joined.pop(idx, None)

    @property
    def host(self) -> int:
        return self.economics.host if self.economics is not None else -1

    @property
    def paid_fte(self) -> float:
        return self.economics.paid_fte if self.economics is not None else 0.0
