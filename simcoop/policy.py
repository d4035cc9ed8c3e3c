"""Flemish policy: recognition, subsidy, the region rule and the electoral calendar.

Pure functions of the configuration, the year and an IGS's members, so each rule can be
tested on its own; the model applies them at the start of every year.
"""

from __future__ import annotations

import numpy as np

from simcoop.config import BehaviourConfig, IncentiveConfig, RegionRuleConfig


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


def is_recognised(total_population: float | np.ndarray, spans: bool | np.ndarray, inc: IncentiveConfig,
                  rule: RegionRuleConfig, year: int) -> bool | np.ndarray:
    """Recognition: at least the threshold in inhabitants; one region once the rule holds.
    `spans` says whether the members come from more than one region (per set for arrays)."""
    recognised = np.asarray(total_population) >= inc.recognition_threshold
    if region_rule_in_force(rule, year):
        recognised = recognised & ~np.asarray(spans, dtype=bool)
    return recognised


def subsidy(total_population: float | np.ndarray, recognised: bool | np.ndarray, inc: IncentiveConfig,
            year: int) -> float | np.ndarray:
    """Flemish money for a recognised IGS (EUR/year): per inhabitant, a floor, and the
    leisure-participation network bonus from its start year."""
    pop = np.asarray(total_population, dtype=float)
    base = np.maximum(inc.subsidy_minimum, inc.subsidy_per_inhabitant * pop)
    bonus = inc.network_bonus_per_inhabitant * pop if year >= inc.network_start_year else 0.0
    return np.where(recognised, base + bonus, 0.0)


def is_election_year(beh: BehaviourConfig, year: int) -> bool:
    return year >= beh.election_first_year and (year - beh.election_first_year) % beh.election_interval == 0


def is_legislature_start(beh: BehaviourConfig, year: int) -> bool:
    """The year after a local election: new councils, the moment to convince partners."""
    return is_election_year(beh, year - 1)


def gate_probability(political_will: float | np.ndarray, beh: BehaviourConfig, year: int) -> float | np.ndarray:
    """Probability that the council turns an administrative wish into a decision."""
    boost = beh.election_boost if is_legislature_start(beh, year) else 1.0
    return np.minimum(1.0, np.asarray(political_will) * boost)
