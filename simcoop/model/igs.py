"""The IGS cultuur as a first-class object, and the pure maths of its economics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcoop.model import keys, metrics
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
                      subsidy: np.ndarray, coordinator_fte: np.ndarray) -> SetEconomics:
    """Who pays what, who gets what, and who sets the agenda, for many member sets at once.

    The pooled budget (contributions plus subsidy), discounted by the programme's
    efficiency, comes back as activities: a share `programme_follows_agenda` where the
    agenda is set, the rest per inhabitant, so a member with little say can pay more than
    it gets back (digest Mechanisms 1 and 5). Agenda weight follows staff time: each member
    brings coordination_fte of each of its culture staff; the IGS's paid staff adds to the
    host city's weight when the city employs them (the largest centre city in the set), and
    is neutral (spread by population) when the IGS employs its own. Flemish-funded
    coordinators always work for the IGS as a whole. Sets must not be empty.
    """
    flat = np.asarray(flat, dtype=np.int64)
    ptr = np.asarray(ptr, dtype=np.int64)
    starts = ptr[:-1]
    sizes = ptr[1:] - starts
    seg = np.repeat(np.arange(len(sizes)), sizes)
    pop = population[flat]
    total = np.add.reduceat(pop, starts)
    need = cfg.contribution_per_inhabitant * total
    contrib = keys.contributions_of_sets(key.name, need, pop, budget[flat], seg, starts, sizes, key.budget_weight,
                                         key.fixed_share)
    pop_share = pop / total[seg]
    pool_fte = cfg.own_staff_share * (need + subsidy) / cfg.staff_cost_per_fte
    paid = pool_fte + coordinator_fte
    is_centre = centre[flat]
    host = np.full(len(sizes), -1, dtype=np.int64)
    if cfg.staff_hosted_by_city and is_centre.any():
        centre_pop = np.where(is_centre, pop, -1.0)
        largest = np.maximum.reduceat(centre_pop, starts)
        hits = np.flatnonzero(is_centre & (centre_pop == largest[seg]))
        sets, first = np.unique(seg[hits], return_index=True)  # the first of equals, in member order
        host[sets] = flat[hits[first]]
    brought = cfg.coordination_fte * staff[flat]
    neutral = coordinator_fte + np.where(host >= 0, 0.0, pool_fte)
    weight = brought + neutral[seg] * pop_share + np.where(flat == host[seg], pool_fte[seg], 0.0)
    weight_total = np.add.reduceat(weight, starts)
    positive = weight_total > 0
    agenda = np.where(positive[seg], weight / np.where(positive, weight_total, 1.0)[seg], pop_share)
    relief = 1.0 + paid / (sizes * cfg.coordination_fte) if cfg.coordination_fte > 0 else np.ones(len(sizes))
    return SetEconomics(
        flat=flat, ptr=ptr, seg=seg, population=total, need=need, subsidy=np.asarray(subsidy, dtype=float),
        paid_fte=paid, pool_fte=pool_fte, host=host, coordination_fte=cfg.coordination_fte / relief,
        contributions=contrib, population_share=pop_share, agenda_share=agenda,
        returned=cfg.programme_efficiency * (need + subsidy)[seg]
        * (cfg.programme_follows_agenda * agenda + (1 - cfg.programme_follows_agenda) * pop_share),
    )


def economics(members: np.ndarray, population: np.ndarray, budget: np.ndarray, staff: np.ndarray,
              centre: np.ndarray, key: KeyConfig, cfg: IgsConfig, subsidy: float,
              coordinator_fte: float = 0.0, recognised: bool = False) -> Economics:
    """The economics of one member set (see `economics_of_sets`)."""
    members = np.asarray(members, dtype=np.int64)
    s = economics_of_sets(members, np.array([0, len(members)]), population, budget, staff, centre, key, cfg,
                          np.array([float(subsidy)]), np.array([float(coordinator_fte)]))
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
