"""The terms of a municipality's yearly utility of membership. Pure functions.

Each term rests on one mechanism of the domain digest (see docs/ODD.md, Submodels).
Being alone is worth 0; a term is positive when it favours membership. The terms with an
exponential (scale, knowledge) and those of the menu (inertia, founding) take numpy arrays
(one value per candidate membership) as well as scalars. The others take floats and are
plain arithmetic that numba compiles: `simcoop.model.kernels` calls them for every
candidate, so each formula is written once, here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


def minimum(a: float, b: float) -> float:
    """np.minimum of two floats: nan if either is nan (Python's min would pick the other)."""
    return a if a < b or a != a else b


def maximum(a: float, b: float) -> float:
    """np.maximum of two floats: nan if either is nan."""
    return a if a > b or a != a else b


def scale_benefit(igs_population, own_population, scale_population: float, weight,
                  max_population: float = np.inf, oversize: float = 0.0):
    """Economies of scale with diminishing returns, counted as the gain over going alone;
    beyond the ideal scale (about 300,000 inhabitants) the burden of a large IGS weighs
    (digest Mechanisms 3 and 4: small municipalities prefer a small IGS)."""
    def f(p):
        p = np.asarray(p, dtype=float)
        return 1.0 - np.exp(-p / scale_population) - oversize * np.maximum(0.0, p / max_population - 1.0)
    return weight * (f(igs_population) - f(np.minimum(own_population, max_population)))


def scale_term(works: float, gain: float, weight: float, scale_factor: float) -> float:
    """The economies of scale (`scale_benefit` before weighting) as far as partners work together
    (digest Mechanisms 2, 6); a centre city's by its scale factor, it has them in-house (seed 001 4.2.5)."""
    return works * ((weight * scale_factor) * gain)


def expertise_gap(own_expertise: float, best_available: float, weight: float) -> float:
    """The expertise the IGS brings that the municipality lacks (0 when it has more)."""
    return weight * maximum(0.0, best_available - own_expertise)


def knowledge_sharing(summed_trust_in_partners, saturation: float, weight: float):
    """Knowledge exchange: everyone gains, each partner as much as it is trusted (saturating
    in the sum of trust over the partners)."""
    return weight * (1.0 - np.exp(-np.asarray(summed_trust_in_partners, dtype=float) / saturation))


def knowledge_term(works: float, gain: float, weight: float, scale_factor: float) -> float:
    """Knowledge exchange (`knowledge_sharing` before weighting) as far as partners work together
    (digest Mechanisms 2, 6); less for a centre city, its problems are 'larger, often other'
    (seed 001 4.2.1)."""
    return works * (weight * gain) * minimum(1.0, scale_factor)


def working_relationship(mean_trust: float, trust_reference: float) -> float:
    """The share of the benefits of cooperation that materialise: all of them once partners
    trust each other at trust_reference, proportionally less below ('cooperation is personal';
    the informal trust the formal structure needs)."""
    return minimum(1.0, mean_trust / trust_reference)


def drawing_rights_kept(networked: bool, at_stake: bool, per_inhabitant: float, population: float) -> float:
    """The local drawing rights a member keeps once they are at stake: only in an IGS running a
    network (seed 004: local networks must join a supra-local one by 2033 to keep them)."""
    return per_inhabitant * population if networked and at_stake else 0.0


def project_money(recognised: bool, rate: float, population: float) -> float:
    """What the small supra-local projects line brings the municipality's organisations: only in
    the area of a recognised IGS (cultuuroptil.be, 2024), `rate` per inhabitant
    (`policy.small_projects_rate`)."""
    return rate * population if recognised else 0.0


def money_received(works: float, returned: float, rights: float) -> float:
    """The programme coming back as far as partners work together (digest Mechanisms 2, 6:
    efficiency gains believed, not guaranteed), plus what comes by right of being in the IGS
    (drawing rights kept, small projects)."""
    return works * returned + rights


def net_money(returned: float, contribution: float, culture_budget: float, weight: float,
              pressure: float = 1.0) -> float:
    """What comes back minus what is paid, as a share of the culture budget ('for every cent
    contributed one counts on a return'). Under budget pressure the contribution weighs more."""
    return weight * (returned - pressure * contribution) / culture_budget


def staff_time_cost(coordination_fte: float, own_staff: float, workload: float, weight: float) -> float:
    """Coordination on top of the workload: heavier for a loaded municipality with few staff."""
    return -weight * coordination_fte / own_staff * (0.5 + workload)


def staff_relief(coordination_left: float, coordination_fte: float) -> float:
    """The share of its work a member still does once the IGS's paid staff relieves it: coordination
    left over coordination needed, 1 without coordination (digest Mechanism 3: staff time)."""
    return coordination_left / coordination_fte if coordination_fte > 0 else 1.0


def network_tasks(networked: bool, tasks_fte: float, relief: float) -> float:
    """The tasks a network brings each member (seed 004), relieved by the IGS's paid staff as
    coordination is (`staff_relief`)."""
    return (tasks_fte if networked else 0.0) * relief


def transaction_cost(n_members: int, feasible_members: int, weight: float) -> float:
    """Grows convexly with the number of members; equals -weight at the feasible maximum."""
    q = (n_members - 1) / (feasible_members - 1)
    return -weight * (q * q)


def dominance_cost(perceived_excess: float, weight: float) -> float:
    """Fear of dependence on a centre city whose agenda share exceeds its population share."""
    return -weight * perceived_excess


def identity_fit(mean_affinity: float, weight: float) -> float:
    """A shared regional identity helps: the mean affinity (from data: arrondissement, streek,
    heritage cooperation, housing IGS) between a municipality and its partners."""
    return weight * mean_affinity


def centre_role(within_own_region: bool, role_weight: float, freedom_weight: float) -> float:
    """A centre city joins for its regional role (an IGS within its own reference region) but
    values staying free to cooperate with other centre cities (seed 001, 4.1.5)."""
    return role_weight * (1.0 if within_own_region else 0.0) - freedom_weight


def centre_shadow(city_outside, share: float):
    """The part of an IGS's benefits (scale, expertise, exchange) a municipality does not
    already get next door: a neighbour of a centre city uses the city's regional offer
    ('we gratefully use much of what is in that city', seed 001, 4.1.5), so an IGS without
    that city brings it less; with the city in it, the IGS is where that offer is shared."""
    return 1.0 - share * np.asarray(city_outside, dtype=float)


def inertia(tenure_years, maturity_years: float, weight: float):
    """Status-quo bias that grows with tenure towards a mature partnership."""
    return weight * (0.5 + 0.5 * np.minimum(1.0, np.asarray(tenure_years) / maturity_years))


def founding_cost(mean_trust: float, weight: float) -> float:
    """Starting from nothing is hard; trusted (e.g. heritage-cell) partners make it easier."""
    return -weight * (1.0 - mean_trust)


@dataclass
class Terms:
    """A municipality's utility of one membership option, term by term."""
    scale: float = 0.0
    expertise: float = 0.0
    knowledge: float = 0.0
    money: float = 0.0
    staff: float = 0.0
    transaction: float = 0.0
    dominance: float = 0.0
    identity: float = 0.0
    role: float = 0.0
    inertia: float = 0.0
    founding: float = 0.0

    @property
    def material(self) -> float:
        """The realised return a member experiences; drives trust."""
        return (self.scale + self.expertise + self.knowledge + self.money + self.staff
                + self.transaction + self.dominance)

    @property
    def total(self) -> float:
        return self.material + self.identity + self.role + self.inertia + self.founding

    def as_dict(self) -> dict[str, float]:
        return asdict(self)
