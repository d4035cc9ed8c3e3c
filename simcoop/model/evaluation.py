"""The utility of many candidate memberships at once: the vectorised core of the model.

A candidate is a municipality (the chooser) and a member set it would belong to: staying
in its IGS, joining another, founding one with partners, or, at the end of the year, a
member taking stock of what its IGS brought. All candidates of a moment are evaluated in
one pass of numpy instead of thousands of small computations; the formulas are those of
`simcoop.model.utility` (one term per mechanism of the digest) and `simcoop.model.igs.economics_of_sets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simcoop.model import kernels, policy, utility
from simcoop.model.attributes import expertise_from_staff
from simcoop.model.igs import SetEconomics, economics_of_sets

if TYPE_CHECKING:
    from simcoop.model.model import CooperationModel


@dataclass
class Candidates:
    """Ragged member sets, stored flat: set s is flat[ptr[s]:ptr[s + 1]], weighed by chooser[s]
    (who is in the set)."""
    chooser: np.ndarray
    flat: np.ndarray
    ptr: np.ndarray
    igs_id: np.ndarray | None = None   # the existing IGS a set is (stay, join), -1 for a new one

    @classmethod
    def of(cls, pairs: list[tuple[int, np.ndarray]], igs_id: int = -1) -> Candidates:
        """From (chooser, members) pairs; for the few evaluations outside the yearly batch."""
        sizes = [len(m) for _, m in pairs]
        return cls(chooser=np.array([c for c, _ in pairs], dtype=np.int64),
                   flat=np.concatenate([np.asarray(m, dtype=np.int64) for _, m in pairs]) if pairs
                   else np.zeros(0, np.int64),
                   ptr=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
                   igs_id=np.full(len(pairs), igs_id, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.chooser)


@dataclass
class Evaluation:
    """The utility terms of every candidate for its chooser, with the sets' economics."""
    terms: utility.Terms        # each term an array, one value per candidate
    mean_trust: np.ndarray      # the chooser's mean trust in the other members
    realised_money: np.ndarray  # EUR/year: programme received, drawing rights kept and project money, minus contribution
    recognised: np.ndarray      # per candidate set, by Flanders this year
    economics: SetEconomics


def existing_with(ids: set[int], igs_id: np.ndarray | None, n_sets: int) -> np.ndarray:
    """Whether each set is an existing IGS whose id is in `ids` (e.g. those running a network)."""
    if igs_id is None or not ids or not len(igs_id):
        return np.zeros(n_sets, dtype=bool)
    # a lookup table by id (np.isin sorts both arrays at every call: a tenth of a run's time)
    wanted = np.fromiter(ids, dtype=np.int64, count=len(ids))
    table = np.zeros(max(int(igs_id.max()), int(wanted.max())) + 2, dtype=bool)   # a new set's -1: the last, False
    table[wanted] = True
    return table[igs_id]


def centre_outside(chooser: np.ndarray, flat: np.ndarray, seg: np.ndarray, centres_next_door: np.ndarray,
                   borders_centre: np.ndarray, n: int) -> np.ndarray:
    """Per candidate set: its chooser borders a centre city and none of the centre cities it
    borders is in the set (`centres_next_door`: sorted keys i * n + c, `Landscape`)."""
    keys = chooser[seg] * n + flat
    at = np.minimum(np.searchsorted(centres_next_door, keys), max(len(centres_next_door) - 1, 0))
    with_city = np.zeros(len(chooser), dtype=bool)
    if len(centres_next_door):
        with_city[seg[centres_next_door[at] == keys]] = True
    return borders_centre[chooser] & ~with_city


def set_economics(model: CooperationModel, flat: np.ndarray, ptr: np.ndarray, network: np.ndarray,
                  granted: np.ndarray) -> tuple[np.ndarray, SetEconomics]:
    """Recognition and economics of member sets as Flemish policy treats them this year
    (`granted`: an existing IGS recognised for the current period stays recognised)."""
    cfg, inc = model.cfg, model.cfg.incentive
    # compiled (kernels.recognition): policy's scalar rules (recognisable, operating_grant, network_money) per set
    recognised, grant, coordinators, operating = kernels.recognition(
        flat, ptr, model.population, model.region, model.nb_ptr, model.nb_flat, granted, network,
        policy.recognition_open(inc, model.year),
        policy.region_rule_in_force(cfg.region_rule, model.year), *policy.recognition_norm(inc, model.year),
        *policy.subsidy_rule(inc, model.year), inc.network_bonus_per_inhabitant, inc.coordinator_fte)
    econ = economics_of_sets(flat, ptr, model.population, model.budget, model.staff, model.centre, cfg.key,
                             cfg.igs, grant, coordinators, policy.cofunding_share(inc, model.year) * operating)
    return recognised, econ


def evaluate(model: CooperationModel, cand: Candidates, network: np.ndarray | None = None,
             granted_ids: set[int] | None = None) -> Evaluation:
    """Utility terms of each candidate membership for its chooser (being alone is worth 0).
    `network`: per candidate, whether its IGS runs a network (default: the networks granted;
    given, to weigh an application). `granted_ids`: the IGS recognised without applying
    (default: those granted for this period; given, to weigh the next one)."""
    beh, cfg = model.cfg.behaviour, model.cfg
    flat, ptr, i = cand.flat, cand.ptr, cand.chooser
    if network is None:
        network = existing_with(model.networked_ids, cand.igs_id, len(i))
    granted = existing_with(model.granted_ids if granted_ids is None else granted_ids, cand.igs_id, len(i))
    recognised, econ = set_economics(model, flat, ptr, network, granted)
    seg = econ.seg
    # compiled (kernels.chooser_view): the segment reductions over the other members
    mine, trust_sum, mean_trust, best_other, perceived, same_region, affinity = kernels.chooser_view(
        flat, ptr, i, model.trust[i[seg], flat], model.affinity(i[seg], flat), model.expertise, model.region,
        model.centre, econ.agenda_share, econ.population_share)
    best = np.maximum(best_other, expertise_from_staff(econ.paid_fte))
    # the exponentials in numpy, before weighting; the terms compiled (kernels.candidate_terms),
    # with the formulas of the term functions of `utility`:
    # benefits materialise only as far as partners trust each other (digest Mechanisms 6, 10);
    # perceived dominance is the largest excess agenda share of a centre city other than oneself
    # (digest Mechanism 5); a network brings tasks, and from 2033 keeps the local drawing rights
    # (seed 004); a recognised IGS's area opens the small projects line (cultuuroptil.be, 2024);
    # the IGS's paid staff relieves members of network tasks as it does of coordination;
    # a centre city's problems are 'larger, often other' ones: it gains less from exchange too
    scale_gain = utility.scale_benefit(econ.population, model.population[i], beh.scale_population, 1.0,
                                       beh.scale_max_population, beh.oversize)
    knowledge_gain = utility.knowledge_sharing(trust_sum, beh.knowledge_partners, 1.0)
    weights = (beh.w_expertise, beh.w_knowledge, beh.w_money, beh.w_staff, beh.w_transaction, beh.w_dominance,
               beh.w_identity, beh.w_regional_role, beh.w_freedom, beh.trust_reference, beh.w_scale)
    inc = cfg.incentive
    out = kernels.candidate_terms(
        i, ptr, mine, mean_trust, best, perceived, same_region, affinity, scale_gain, knowledge_gain, network,
        bool(policy.drawing_rights_at_stake(inc, model.year)), econ.returned, econ.contributions, econ.coordination_fte,
        model.expertise, model.scale_factor, model.population, model.culture_budget, model.budget_pressure,
        model.staff, model.workload, model.centre, tuple(float(w) for w in weights), float(cfg.igs.coordination_fte),
        int(cfg.igs.feasible_members), float(inc.network_tasks_fte), float(inc.drawing_rights_per_inhabitant),
        recognised, float(model.project_rate))
    if beh.centre_function_share > 0:
        # a centre city's neighbours already have part of the benefits next door, unless the
        # city is in the IGS with them (seed 001, 4.1.5); a penalty (an oversized IGS) stays whole
        land = model.land
        outside = centre_outside(i, flat, seg, land.centres_next_door, land.borders_centre, land.n)
        out[:3] = np.where(out[:3] > 0, out[:3] * utility.centre_shadow(outside, beh.centre_function_share), out[:3])
    terms = utility.Terms(scale=out[0], expertise=out[1], knowledge=out[2], money=out[3], staff=out[4],
                          transaction=out[5], dominance=out[6], identity=out[7], role=out[8])
    realised = out[9]
    return Evaluation(terms=terms, mean_trust=mean_trust, realised_money=realised, recognised=recognised,
                      economics=econ)
