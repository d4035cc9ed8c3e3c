"""The utility of many candidate memberships at once: the vectorised core of the model.

A candidate is a municipality (the chooser) and a member set it would belong to: staying
in its IGS, joining another, founding one with partners, or, at the end of the year, a
member taking stock of what its IGS brought. All candidates of a moment are evaluated in
one pass of numpy instead of thousands of small computations; the formulas are those of
`simcoop.utility` (one term per mechanism of the digest) and `simcoop.igs.economics_of_sets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simcoop import policy, utility
from simcoop.attributes import expertise_from_staff
from simcoop.igs import SetEconomics, economics_of_sets

if TYPE_CHECKING:
    from simcoop.model import CooperationModel


@dataclass
class Candidates:
    """Ragged member sets, stored flat: set s is flat[ptr[s]:ptr[s + 1]], weighed by chooser[s]
    (who is in the set)."""
    chooser: np.ndarray
    flat: np.ndarray
    ptr: np.ndarray

    @classmethod
    def of(cls, pairs: list[tuple[int, np.ndarray]]) -> Candidates:
        """From (chooser, members) pairs; for the few evaluations outside the yearly batch."""
        sizes = [len(m) for _, m in pairs]
        return cls(chooser=np.array([c for c, _ in pairs], dtype=np.int64),
                   flat=np.concatenate([np.asarray(m, dtype=np.int64) for _, m in pairs]) if pairs
                   else np.zeros(0, np.int64),
                   ptr=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64))

    def __len__(self) -> int:
        return len(self.chooser)


@dataclass
class Evaluation:
    """The utility terms of every candidate for its chooser, with the sets' economics."""
    terms: utility.Terms        # each term an array, one value per candidate
    mean_trust: np.ndarray      # the chooser's mean trust in the other members
    recognised: np.ndarray      # per candidate set, by Flanders this year
    economics: SetEconomics


def set_economics(model: CooperationModel, flat: np.ndarray, ptr: np.ndarray) -> tuple[np.ndarray, SetEconomics]:
    """Recognition and economics of member sets as Flemish policy treats them this year."""
    cfg, inc = model.cfg, model.cfg.incentive
    starts = ptr[:-1]
    regions = model.region[flat]
    spans = np.minimum.reduceat(regions, starts) != np.maximum.reduceat(regions, starts)
    population = np.add.reduceat(model.population[flat], starts)
    recognised = policy.is_recognised(population, spans, inc, cfg.region_rule, model.year)
    grant = policy.subsidy(population, recognised, inc, model.year)
    coordinators = np.where(recognised, inc.coordinator_fte, 0.0)
    econ = economics_of_sets(flat, ptr, model.population, model.budget, model.staff, model.centre, cfg.key,
                             cfg.igs, grant, coordinators)
    return recognised, econ


def evaluate(model: CooperationModel, cand: Candidates) -> Evaluation:
    """Utility terms of each candidate membership for its chooser (being alone is worth 0)."""
    beh, cfg = model.cfg.behaviour, model.cfg
    flat, ptr, i = cand.flat, cand.ptr, cand.chooser
    recognised, econ = set_economics(model, flat, ptr)
    seg, starts = econ.seg, ptr[:-1]
    n = ptr[1:] - starts
    me = flat == i[seg]                       # the chooser's own entry in its set
    mine = np.flatnonzero(me)                 # one per set, in set order
    others = ~me
    trust_sum = np.add.reduceat(np.where(others, model.trust[i[seg], flat], 0.0), starts)
    mean_trust = trust_sum / (n - 1)
    best = np.maximum(np.maximum.reduceat(np.where(others, model.expertise[flat], -np.inf), starts),
                      expertise_from_staff(econ.paid_fte))
    # benefits materialise only as far as partners trust each other (digest Mechanisms 6, 10)
    works = utility.working_relationship(mean_trust, beh.trust_reference)
    # the largest excess agenda share of a centre city other than oneself (digest Mechanism 5)
    excess = np.where(model.centre[flat] & others, econ.agenda_share - econ.population_share, -np.inf)
    perceived = np.maximum(0.0, np.maximum.reduceat(excess, starts))
    same_region = np.add.reduceat((model.region[flat] == model.region[i][seg]).astype(float), starts) / n
    terms = utility.Terms(
        scale=works * utility.scale_benefit(econ.population, model.population[i], beh.scale_population,
                                            beh.w_scale * model.scale_factor[i]),
        expertise=works * utility.expertise_gap(model.expertise[i], best, beh.w_expertise),
        knowledge=works * utility.knowledge_sharing(trust_sum, beh.knowledge_partners, beh.w_knowledge),
        money=utility.net_money(econ.returned[mine], econ.contributions[mine], model.culture_budget[i],
                                beh.w_money, model.budget_pressure[i]),
        staff=utility.staff_time_cost(econ.coordination_fte, model.staff[i], model.workload[i], beh.w_staff),
        transaction=utility.transaction_cost(n, cfg.igs.feasible_members, beh.w_transaction),
        dominance=utility.dominance_cost(perceived, beh.w_dominance),
        identity=utility.identity_fit(model.identity[i], same_region, beh.w_identity),
    )
    return Evaluation(terms=terms, mean_trust=mean_trust, recognised=recognised, economics=econ)
