"""The IGS cultuur as a first-class object, and the pure maths of its economics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcoop.model import kernels, metrics
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


@dataclass(slots=True)
class SetEconomics:
    """The economics of many member sets at once (see `economics_of_sets`).

    Sets are ragged, so members are stored flat: set s is flat[ptr[s]:ptr[s + 1]]. Per-set
    arrays have one value per set, per-member arrays one per entry of flat.
    """
    flat: np.ndarray               # member indices, set after set
    ptr: np.ndarray                # offsets into flat, one more than there are sets
    seg: np.ndarray                # per member: its set
    population: np.ndarray         # per set: inhabitants
    need: np.ndarray               # per set: EUR/year raised from members
    subsidy: np.ndarray            # per set: EUR/year from Flanders
    paid_fte: np.ndarray           # per set: pooled staff plus Flemish coordinators
    pool_fte: np.ndarray           # per set: staff paid from the pool
    host: np.ndarray               # per set: index of the city employing the staff, -1 if own staff
    coordination_fte: np.ndarray   # per set: FTE each member still spends on coordination
    contributions: np.ndarray      # per member: EUR/year, sums to need within a set
    population_share: np.ndarray   # per member
    agenda_share: np.ndarray       # per member: sums to 1 within a set
    returned: np.ndarray           # per member: EUR/year of programme it would get if partners work well together


def economics_of_sets(flat: np.ndarray, ptr: np.ndarray, population: np.ndarray, budget: np.ndarray,
                      staff: np.ndarray, centre: np.ndarray, key: KeyConfig, cfg: IgsConfig,
                      subsidy: np.ndarray, coordinator_fte: np.ndarray,
                      least_need: np.ndarray | None = None) -> SetEconomics:
    """Who pays what, who gets what, and who sets the agenda, for many member sets at once.

    The pooled budget (contributions plus subsidy), discounted by the programme's
    efficiency, comes back as activities: a share `programme_follows_agenda` where the
    agenda is set, the rest per inhabitant, so a member with little say can pay more than
    it gets back (digest Mechanisms 1 and 5). Agenda weight follows staff time: each member
    brings coordination_fte of each of its culture staff; the IGS's paid staff adds to the
    host city's weight when the city employs them (the largest centre city in the set), and
    is neutral (spread by population) when the IGS employs its own. Flemish-funded
    coordinators always work for the IGS as a whole. The members put in at least `least_need`
    (the decree's co-funding of the operating grant; it binds for a small IGS paid the floor).
    Sets must not be empty.
    """
    flat = np.asarray(flat, dtype=np.int64)
    ptr = np.asarray(ptr, dtype=np.int64)
    subsidy = np.asarray(subsidy, dtype=float)
    least_need = np.zeros(len(ptr) - 1) if least_need is None else np.asarray(least_need, dtype=float)
    # compiled: about 40 numpy calls on a few hundred entries, in numpy's order of addition
    total, need, paid, pool_fte, host, left, contrib, pop_share, agenda, returned = kernels.economics_of_sets(
        flat, ptr, population, budget, staff, centre, subsidy, np.asarray(coordinator_fte, dtype=float),
        kernels.KEY_CODES[key.name], key.budget_weight, key.fixed_share, cfg.contribution_per_inhabitant, least_need,
        cfg.own_staff_share, cfg.staff_cost_per_fte, cfg.staff_hosted_by_city, cfg.coordination_fte,
        cfg.programme_efficiency, cfg.programme_follows_agenda)
    sizes = ptr[1:] - ptr[:-1]
    return SetEconomics(
        flat=flat, ptr=ptr, seg=np.repeat(np.arange(len(sizes)), sizes), population=total, need=need,
        subsidy=subsidy, paid_fte=paid, pool_fte=pool_fte, host=host, coordination_fte=left,
        contributions=contrib, population_share=pop_share, agenda_share=agenda, returned=returned,
    )


def economics(members: np.ndarray, population: np.ndarray, budget: np.ndarray, staff: np.ndarray,
              centre: np.ndarray, key: KeyConfig, cfg: IgsConfig, subsidy: float,
              coordinator_fte: float = 0.0, recognised: bool = False, least_need: float = 0.0) -> Economics:
    """The economics of one member set (see `economics_of_sets`)."""
    members = np.asarray(members, dtype=np.int64)
    s = economics_of_sets(members, np.array([0, len(members)]), population, budget, staff, centre, key, cfg,
                          np.array([float(subsidy)]), np.array([float(coordinator_fte)]), np.array([float(least_need)]))
    return Economics(
        members=members, population=float(s.population[0]), need=float(s.need[0]), recognised=recognised,
        contributions=s.contributions, subsidy=float(subsidy), subsidy_shares=subsidy * s.population_share,
        returned=s.returned, paid_fte=float(s.paid_fte[0]), host=int(s.host[0]),
        coordination_fte=np.full(len(members), s.coordination_fte[0]), agenda_share=s.agenda_share,
        population_share=s.population_share,
        dominance=metrics.dominance_index(s.agenda_share, s.population_share),
        centre_excess=metrics.centre_excess(s.agenda_share, s.population_share, centre[members]),
    )


@dataclass
class IGS:
    """An intermunicipal cooperation on culture: members, money, staff, age, recognition."""
    igs_id: int
    founded: int                                  # year
    members: list[int]                            # municipality indices (the year each joined: model.joined_year)
    name: str = ""                                # the real name, or "IGS <founder>"
    recognised: bool = False
    unrecognised_years: int = 0
    network: bool = False                         # runs a supra-local leisure-participation network
    network_from: int = 0                         # year its network starts (granted in the round before)
    economics: Economics | None = None

    def age(self, year: int) -> int:
        return year - self.founded

    def add(self, idx: int) -> None:
        self.members.append(idx)

    def remove(self, idx: int) -> None:
        self.members.remove(idx)

    @property
    def host(self) -> int:
        return self.economics.host if self.economics is not None else -1

    @property
    def paid_fte(self) -> float:
        return self.economics.paid_fte if self.economics is not None else 0.0
