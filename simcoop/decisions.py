"""How a municipality weighs its options each year: utilities, logit choice, political gate.

`evaluate` assembles the utility terms of simcoop.utility for one municipality and one
(hypothetical) member set; `logit_probabilities` turns utilities into choice probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simcoop import policy, utility
from simcoop.attributes import expertise_from_staff
from simcoop.igs import IGS, Economics, economics

if TYPE_CHECKING:
    from simcoop.model import CooperationModel


@dataclass
class Option:
    kind: str                  # "stay", "leave", "join", "found"
    igs: IGS | None            # the IGS joined or stayed in
    members: np.ndarray | None  # the member set after the move (with the chooser)
    utility: float


def logit_probabilities(utilities: np.ndarray, temperature: float) -> np.ndarray:
    """Multinomial logit: P(k) proportional to exp(U_k / T), computed stably."""
    u = np.asarray(utilities, dtype=float) / temperature
    p = np.exp(u - u.max())
    return p / p.sum()


def igs_economics(model: CooperationModel, members: np.ndarray) -> Economics:
    """Economics of a member set as Flemish policy would treat it this year."""
    cfg = model.cfg
    pop = float(model.population[members].sum())
    recognised = policy.is_recognised(pop, model.region[members], cfg.incentive, cfg.region_rule, model.year)
    grant = policy.subsidy(pop, recognised, cfg.incentive, model.year)
    coordinators = cfg.incentive.coordinator_fte if recognised else 0.0
    return economics(members, model.population, model.budget, model.staff, model.centre,
                     cfg.key, cfg.igs, grant, coordinators, recognised)


def evaluate(model: CooperationModel, i: int, members: np.ndarray, econ: Economics | None = None) -> utility.Terms:
    """Utility terms for municipality i in the member set `members` (which includes i)."""
    beh, cfg = model.cfg.behaviour, model.cfg
    econ = econ if econ is not None else igs_economics(model, members)
    k = int(np.flatnonzero(econ.members == i)[0])
    others = econ.members[econ.members != i]
    agent = model.by_index[i]
    best = max(float(model.expertise[others].max()), float(expertise_from_staff(econ.paid_fte)))
    # benefits materialise only as far as partners trust each other (digest Mechanisms 6, 10)
    works = utility.working_relationship(float(model.trust[i, others].mean()), beh.trust_reference)
    return utility.Terms(
        scale=works * utility.scale_benefit(econ.population, model.population[i], beh.scale_population,
                                            beh.w_scale * agent.scale_factor),
        expertise=works * utility.expertise_gap(model.expertise[i], best, beh.w_expertise),
        knowledge=works * utility.knowledge_sharing(model.trust[i, others], beh.knowledge_partners, beh.w_knowledge),
        money=utility.net_money(econ.returned[k], econ.contributions[k], model.culture_budget[i], beh.w_money,
                                model.budget_pressure[i]),
        staff=utility.staff_time_cost(econ.coordination_fte[k], model.staff[i], model.workload[i], beh.w_staff),
        transaction=utility.transaction_cost(len(econ.members), cfg.igs.feasible_members, beh.w_transaction),
        dominance=utility.dominance_cost(agent.perceived_dominance(econ), beh.w_dominance),
        identity=utility.identity_fit(model.identity[i], float((model.region[econ.members] == model.region[i]).mean()),
                                      beh.w_identity),
    )


def options(model: CooperationModel, i: int) -> list[Option]:
    """Stay, leave, join a reachable IGS, or found one with trusted unaffiliated neighbours."""
    beh = model.cfg.behaviour
    agent = model.by_index[i]
    current = agent.igs
    opts: list[Option] = []
    if current is not None:
        members = np.array(current.members)
        terms = evaluate(model, i, members)
        tenure = model.year - current.joined[i]
        opts.append(Option("stay", current, members, terms.total + utility.inertia(tenure, beh.maturity_years,
                                                                                 beh.inertia)))
        opts.append(Option("leave", None, None, 0.0))
    else:
        opts.append(Option("stay", None, None, utility.inertia(0, beh.maturity_years, beh.inertia)))
    for g in model.reachable_igs(i):
        if g is current:
            continue
        members = np.array(g.members + [i])
        opts.append(Option("join", g, members, evaluate(model, i, members).total))
    partners = model.founding_partners(i)
    if len(partners):
        members = np.concatenate([[i], partners])
        terms = evaluate(model, i, members)
        terms.founding = utility.founding_cost(float(model.trust[i, partners].mean()), beh.founding_cost)
        opts.append(Option("found", None, members, terms.total))
    return opts


def accepts_newcomer(model: CooperationModel, g: IGS, newcomer: int) -> bool:
    """The members vote: the median member must not lose material utility."""
    before = np.array(g.members)
    after = np.array(g.members + [newcomer])
    econ_before, econ_after = igs_economics(model, before), igs_economics(model, after)
    delta = [evaluate(model, j, after, econ_after).material - evaluate(model, j, before, econ_before).material
             for j in g.members]
    return float(np.median(delta)) >= 0.0


def accepts_founding(model: CooperationModel, j: int, members: np.ndarray) -> bool:
    """An invited neighbour joins a new IGS if it beats staying alone and its council agrees."""
    beh = model.cfg.behaviour
    others = members[members != j]
    terms = evaluate(model, j, members)
    terms.founding = utility.founding_cost(float(model.trust[j, others].mean()), beh.founding_cost)
    if terms.total <= utility.inertia(0, beh.maturity_years, beh.inertia):
        return False
    return bool(model.rng.random() < policy.gate_probability(model.political_will[j], beh, model.year))
