"""Flemish policy: recognition, subsidy, the region rule and the electoral calendar.

Pure functions of the configuration, the year and an IGS's members, so each rule can be
tested on its own; the model applies them where the year needs them (docs/ODD.md 1.3 and 3.6).
"""

from __future__ import annotations

import math
import numpy as np

from simcoop.config import BehaviourConfig, IncentiveConfig, RegionRuleConfig
# the recognition calendar, shared with the config's validation
from simcoop.periods import granted_until, is_renewal_year, period_end, recognition_open  # noqa: F401


def spans_regions(member_regions: np.ndarray) -> bool:
    return len(np.unique(member_regions)) > 1


def _repealed(rule: RegionRuleConfig, year: int) -> bool:
    return rule.repeal_year > 0 and year >= rule.repeal_year


def region_rule_in_force(rule: RegionRuleConfig, year: int) -> bool:
    """From the deadline (until a repeal, if any) every partnership must fit one region."""
    return rule.mode == "forced" and year >= rule.deadline and not _repealed(rule, year)


def cross_region_allowed(rule: RegionRuleConfig, year: int) -> bool:
    """Once the rule is announced (and until a repeal), nobody founds or joins across a border."""
    return rule.mode == "free" or year < rule.announce_year or _repealed(rule, year)


def home_region(member_regions: np.ndarray, member_population: np.ndarray) -> int:
    """The region holding most of the IGS's inhabitants (ties: the lowest region index)."""
    regions = np.asarray(member_regions)
    totals = np.bincount(regions, weights=member_population)
    return int(np.argmax(totals))


NO_NORM = float("inf")   # inhabitants no IGS reaches: the members' rule alone decides
NO_MEMBERS_RULE = 10**9  # municipalities no IGS has: the population norm alone decides


def recognition_norm(inc: IncentiveConfig, year: int, already_recognised: bool = False) -> tuple[float, int]:
    """(inhabitants, municipalities) an application in `year` must reach one of. The call for
    2020-2025 asked for at least four surrounding municipalities and no population; the
    amended decree asks for 85,000 inhabitants from the application of 2026 (`norm_from`), but
    an IGS of four adjacent municipalities stays recognisable in a transition to 2032
    (`transition_until`: a recognition granted now must end by then). The transition is for
    the IGS recognised for the current period (`already_recognised`: applying for a new
    recognition), not for IGS founded to apply, unless `transition_for_new`. So small rural
    IGS are recognised for 2020-2026, may go on to 2032, and must grow or merge after that."""
    if year < inc.norm_from:
        return NO_NORM, inc.min_members
    if granted_until(inc, year) <= inc.transition_until and (already_recognised or inc.transition_for_new):
        return inc.recognition_threshold, inc.min_members
    return inc.recognition_threshold, NO_MEMBERS_RULE


def contiguous(flat: np.ndarray, lo: int, hi: int, nb_ptr: np.ndarray, nb_flat: np.ndarray) -> bool:
    """Whether the members flat[lo:hi] form one territory: every member reached from the first
    across borders between members (`nb_flat[nb_ptr[i]:nb_ptr[i + 1]]`: the neighbours of i).
    The members rule asks for "vier aangrenzende gemeenten" (VVSG, 16-04-2024), and all 19
    real IGS of 2020-2025 are one territory on the 2025 map. A breadth-first search over the
    few members (each neighbour looked up among them), compiled with the kernels."""
    k = hi - lo
    reached = np.zeros(k, np.bool_)
    queue = np.empty(k, np.int64)
    if k == 0:
        return True
    reached[0] = True
    queue[0] = 0
    head, tail = 0, 1
    while head < tail:
        a = flat[lo + queue[head]]
        head += 1
        for e in range(nb_ptr[a], nb_ptr[a + 1]):
            for q in range(k):
                if not reached[q] and flat[lo + q] == nb_flat[e]:
                    reached[q] = True
                    queue[tail] = q
                    tail += 1
    return tail == k


def recognisable(total_population: float, n_members: int, adjacent: bool, spans: bool, threshold: float,
                 min_members: int, rule_in_force: bool) -> bool:
    """Recognition: at least the threshold in inhabitants, or at least `min_members` members
    that are one territory (`adjacent`, by `contiguous`; `recognition_norm` sets one of the two
    out of reach where only the other counts); one region once the rule holds. `spans`: the
    members come from more than one region. Plain arithmetic, compiled by
    `simcoop.model.kernels` for many member sets at once."""
    return ((total_population >= threshold or (n_members >= min_members and adjacent))
            and not (rule_in_force and spans))


def is_recognised(total_population: float, n_members: int, adjacent: bool, spans: bool, inc: IncentiveConfig,
                  rule: RegionRuleConfig, year: int, already_recognised: bool = False) -> bool:
    """`recognisable` under the norm of `year` (for an IGS recognised for the current period if
    `already_recognised`) and the configured region rule."""
    threshold, min_members = recognition_norm(inc, year, already_recognised)
    return recognisable(total_population, n_members, adjacent, spans, threshold, min_members,
                        region_rule_in_force(rule, year))


def operating_grant(total_population: float, minimum: float, maximum: float, per_inhabitant: float) -> float:
    """The decree's operating grant for a recognised IGS (EUR/year): per inhabitant between a
    floor and a cap; the part the members co-fund. Compiled by `simcoop.model.kernels`, like
    `recognisable`."""
    return min(maximum, max(minimum, per_inhabitant * total_population))


def network_money(total_population: float, network: bool, network_bonus: float) -> float:
    """What a leisure-participation network brings on top of the operating grant (EUR/year;
    seed 004), with rules of its own."""
    return network_bonus * total_population if network else 0.0


def subsidy_amount(total_population: float, network: bool, minimum: float, maximum: float,
                   per_inhabitant: float, network_bonus: float) -> float:
    """Flemish money for a recognised IGS (EUR/year): the operating grant plus a network's money."""
    return (operating_grant(total_population, minimum, maximum, per_inhabitant)
            + network_money(total_population, network, network_bonus))


def subsidy_rule(inc: IncentiveConfig, year: int) -> tuple[float, float, float]:
    """The floor, cap and rate per inhabitant of the decree that pays for what is decided in
    `year`: the decree of 2018 (2020-2025, and the formation years before, whose IGS are those
    founded for its first call), the decree of 2024 from the application of `norm_from` (2026)
    on. An application year already counts under the period applied for: what members decide
    then is whether to go on into it, under its money."""
    if year >= inc.norm_from:
        return inc.subsidy_minimum, math.inf, inc.subsidy_per_inhabitant
    return 0.0, inc.subsidy_cap_first_period, inc.subsidy_per_inhabitant


def cofunding_share(inc: IncentiveConfig, year: int) -> float:
    """The least share of its Flemish grant the members of a recognised IGS must put in
    together, under the decree in force in `year` (as `subsidy_rule`)."""
    return inc.cofunding_share if year >= inc.norm_from else inc.cofunding_share_first_period


def subsidy(total_population: float, recognised: bool, inc: IncentiveConfig, year: int,
            network: bool = False) -> float:
    """`subsidy_amount` under the configured incentives of `year`; 0 for an IGS not recognised."""
    if not recognised:
        return 0.0
    return subsidy_amount(total_population, network, *subsidy_rule(inc, year), inc.network_bonus_per_inhabitant)


def is_network_round(inc: IncentiveConfig, year: int) -> bool:
    """An application round for supra-local leisure-participation networks (2026, 2029, ...)."""
    return (inc.networks and year >= inc.network_first_round
            and (year - inc.network_first_round) % inc.network_round_interval == 0)


def small_projects_rate(inc: IncentiveConfig, year: int, covered_population: float) -> float:
    """What the small supra-local projects line brings the organisations of an IGS area (EUR per
    inhabitant per year): what they ask for, until the line's budget shared over all covered
    inhabitants is less (cultuuroptil.be, 2024: only organisations in an IGS area may apply)."""
    if not (inc.small_projects and year >= inc.small_projects_from):
        return 0.0
    if covered_population <= 0.0:
        return inc.small_projects_demand_per_inhabitant
    return min(inc.small_projects_demand_per_inhabitant, inc.small_projects_budget / covered_population)


def drawing_rights_at_stake(inc: IncentiveConfig, year: int) -> bool:
    """From 2033 a local network outside a supra-local one loses its drawing rights (seed 004)."""
    return inc.networks and year >= inc.network_deadline


def is_election_year(beh: BehaviourConfig, year: int) -> bool:
    return year >= beh.election_first_year and (year - beh.election_first_year) % beh.election_interval == 0


def is_legislature_start(beh: BehaviourConfig, year: int) -> bool:
    """The year after a local election: new councils, the moment to convince partners."""
    return is_election_year(beh, year - 1)


def gate_probability(political_will: float | np.ndarray, beh: BehaviourConfig, year: int) -> float | np.ndarray:
    """Probability that the council turns an administrative wish into a decision."""
    boost = beh.election_boost if is_legislature_start(beh, year) else 1.0
    return np.minimum(1.0, np.asarray(political_will) * boost)
