"""Compiled kernels (numba) for the hot path: the economics and utility terms of member sets.

A 30-year run evaluates member sets about 1,900 times (newcomer votes, menus, the year's
accounts), each time on arrays of a few hundred entries, where the fixed cost of a numpy call
(1 to 5 microseconds) outweighs the arithmetic. These kernels do in one call what took about a
hundred numpy calls (`igs.economics_of_sets`, `evaluation.set_economics` and the segment
reductions of `evaluation.evaluate`).

Results are bit for bit those of the numpy expressions they replace (tests/test_kernels.py):
every value is computed with the same operations in the same order, and sums over a set use
`segment_sum`, which adds in the order of `np.add.reduceat`. Exponentials stay in numpy (its
`exp` may differ from the compiler's in the last bit on some CPUs). Compiled code is cached
on disk (`cache=True`: in `__pycache__` next to this file, or numba's user cache directory
when that is not writable), so sweep workers load it instead of compiling.

The rules are not written here: the kernels loop over sets, members and pairs and call, for
each, the scalar rules of `utility`, `keys`, `policy` and `regional_identity` (plain functions
of floats, registered with numba below). What is left here is numpy's order of summation and
plumbing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from numba import njit
from numba.core.caching import FunctionCache
from numba.extending import register_jitable

from simcoop.model import keys, policy, regional_identity, utility

RULE_MODULES = (utility, keys, policy, regional_identity)
# the source of the rule modules whose functions the kernels compile in
RULES_DIGEST = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in RULE_MODULES)).hexdigest()


class _RulesCache(FunctionCache):
    """numba's disk cache, keyed on the rule modules too. numba invalidates a cached function
    when its own file changes, not when a function it compiled in from another file does
    (numba's notes on caching): a rule changed in a rule module would otherwise
    leave the cached kernels computing the old one."""

    def _index_key(self, sig, codegen):
        return (*super()._index_key(sig, codegen), RULES_DIGEST)


def _jit(fn):
    """Compiled, cached on disk (`_RulesCache`). error_model="numpy": a division by zero gives
    inf or nan as in numpy instead of raising. Where numba finds no writable cache directory (a
    read-only install and no writable home) it refuses cache=True: then compile in each process.
    The same if numba no longer has the private hook `_RulesCache` overrides: a stale cache
    would silently run old rules, a missing one only costs compile time."""
    if not callable(getattr(FunctionCache, "_index_key", None)):
        return njit(error_model="numpy")(fn)
    try:
        compiled = njit(cache=True, error_model="numpy")(fn)
    except RuntimeError:
        return njit(error_model="numpy")(fn)
    if hasattr(compiled, "_cache"):   # not under NUMBA_DISABLE_JIT, where it is fn itself
        compiled._cache = _RulesCache(fn)
    return compiled


# The scalar rules the kernels call, for each set or member: registered with numba, so that
# compiled code calling them (the kernels, and the rules calling each other) compiles them in
# with the kernels' error model; from Python they stay the plain functions they are.
RULES = (keys.share, keys.mixed_share, keys.fixed_plus_share, policy.contiguous, policy.recognisable,
         policy.operating_grant, policy.network_money,
         utility.minimum, utility.maximum, utility.working_relationship, utility.expertise_gap, utility.net_money,
         utility.staff_time_cost, utility.transaction_cost, utility.dominance_cost, utility.identity_fit,
         utility.centre_role, utility.scale_term, utility.knowledge_term, utility.drawing_rights_kept, utility.project_money,
         utility.money_received, utility.staff_relief, utility.network_tasks, regional_identity.pair_affinity)
for _rule in RULES:
    register_jitable(error_model="numpy")(_rule)


KEY_CODES = {"per_inhabitant": 0, "per_budget": 1, "mixed": 2, "fixed_plus_per_inhabitant": 3}


@_jit
def _pairwise(a: np.ndarray, lo: int, n: int) -> float:
    """numpy's pairwise summation of a[lo:lo + n] (`pairwise_sum` in its loops): a plain loop
    below 8 entries, 8 partial sums up to 128, halves (a multiple of 8) above."""
    if n < 8:
        res = 0.0
        for k in range(n):
            res += a[lo + k]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        k = 8
        stop = n - n % 8
        while k < stop:
            r0 += a[lo + k]
            r1 += a[lo + k + 1]
            r2 += a[lo + k + 2]
            r3 += a[lo + k + 3]
            r4 += a[lo + k + 4]
            r5 += a[lo + k + 5]
            r6 += a[lo + k + 6]
            r7 += a[lo + k + 7]
            k += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while k < n:
            res += a[lo + k]
            k += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _pairwise(a, lo, n2) + _pairwise(a, lo + n2, n - n2)


@_jit
def segment_sum(a: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """`np.add.reduceat(a, ptr[:-1])` for non-empty segments, in numpy's order of addition
    (the first entry, plus the pairwise sum of the rest): a different order changes the last
    bits, and through the logit draws, now and then, a run's history."""
    out = np.empty(len(ptr) - 1)
    for s in range(len(ptr) - 1):
        out[s] = a[ptr[s]] + _pairwise(a, ptr[s] + 1, ptr[s + 1] - ptr[s] - 1)
    return out


@_jit
def segment_reduce(a: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """`np.add.reduce(a[ptr[s]:ptr[s + 1]])` for each segment: the pairwise sum of all its
    entries (`a[lo:hi].sum()`, `.mean()`), which differs from `reduceat`'s order in the last bits."""
    out = np.empty(len(ptr) - 1)
    for s in range(len(ptr) - 1):
        out[s] = _pairwise(a, ptr[s], ptr[s + 1] - ptr[s])
    return out


@_jit
def contributions(key: int, need: np.ndarray, pop: np.ndarray, budget: np.ndarray, ptr: np.ndarray,
                  budget_weight: float, fixed_share: float) -> np.ndarray:
    """The contributions of the members of many sets by key code (KEY_CODES): the rules of
    `keys` for each member, the weights summed per set in numpy's order."""
    pop_total = segment_sum(pop, ptr)
    budget_total = segment_sum(budget, ptr) if key == 1 or key == 2 else pop_total
    out = np.empty(len(pop))
    for s in range(len(ptr) - 1):
        n = ptr[s + 1] - ptr[s]
        for k in range(ptr[s], ptr[s + 1]):
            if key == 0:
                out[k] = keys.share(need[s], pop[k], pop_total[s], n)
            elif key == 1:
                out[k] = keys.share(need[s], budget[k], budget_total[s], n)
            elif key == 2:
                out[k] = keys.mixed_share(keys.share(need[s], pop[k], pop_total[s], n),
                                          keys.share(need[s], budget[k], budget_total[s], n), budget_weight)
            else:
                out[k] = keys.fixed_plus_share(need[s], pop[k], pop_total[s], n, fixed_share)
    return out


@_jit
def recognition(flat: np.ndarray, ptr: np.ndarray, population: np.ndarray, region: np.ndarray,
                nb_ptr: np.ndarray, nb_flat: np.ndarray, granted: np.ndarray, network: np.ndarray, open_now: bool,
                rule_in_force: bool, threshold: float, min_members: int, subsidy_minimum: float,
                subsidy_maximum: float, subsidy_per_inhabitant: float, network_bonus: float,
                coordinator_fte: float):
    """Recognition, Flemish subsidy, Flemish-funded coordinators and the operating grant (the
    co-funded part of the subsidy) of member sets for `evaluation.set_economics`, by
    `policy.recognisable`, `policy.operating_grant` and `policy.network_money`: a set not
    granted is recognised only while applications are open (`open_now`). Whether its members
    are one territory (`policy.contiguous`, over the borders `nb_ptr`, `nb_flat`) is searched
    only where the members rule decides: enough members and below the threshold."""
    n_sets = len(ptr) - 1
    pop = np.empty(len(flat))
    for k in range(len(flat)):
        pop[k] = population[flat[k]]
    total = segment_sum(pop, ptr)
    recognised = np.empty(n_sets, np.bool_)
    subsidy = np.zeros(n_sets)
    grant = np.zeros(n_sets)
    coordinators = np.zeros(n_sets)
    for s in range(n_sets):
        lo_region = region[flat[ptr[s]]]
        hi_region = lo_region
        for k in range(ptr[s], ptr[s + 1]):
            lo_region = min(lo_region, region[flat[k]])
            hi_region = max(hi_region, region[flat[k]])
        spans = lo_region != hi_region
        n = ptr[s + 1] - ptr[s]
        if granted[s] or not open_now:
            recognised[s] = granted[s]
        else:
            adjacent = (n >= min_members and total[s] < threshold
                        and policy.contiguous(flat, ptr[s], ptr[s + 1], nb_ptr, nb_flat))
            recognised[s] = policy.recognisable(total[s], n, adjacent, spans, threshold, min_members, rule_in_force)
        if recognised[s]:
            grant[s] = policy.operating_grant(total[s], subsidy_minimum, subsidy_maximum, subsidy_per_inhabitant)
            subsidy[s] = grant[s] + policy.network_money(total[s], network[s], network_bonus)
            coordinators[s] = coordinator_fte
    return recognised, subsidy, coordinators, grant


@_jit
def contiguous_sets(flat: np.ndarray, ptr: np.ndarray, nb_ptr: np.ndarray, nb_flat: np.ndarray) -> np.ndarray:
    """`policy.contiguous` of each member set (the yearly record of every IGS)."""
    out = np.empty(len(ptr) - 1, np.bool_)
    for s in range(len(ptr) - 1):
        out[s] = policy.contiguous(flat, ptr[s], ptr[s + 1], nb_ptr, nb_flat)
    return out


@_jit
def economics_of_sets(flat: np.ndarray, ptr: np.ndarray, population: np.ndarray, budget: np.ndarray,
                      staff: np.ndarray, centre: np.ndarray, subsidy: np.ndarray, coordinators: np.ndarray,
                      key: int, budget_weight: float, fixed_share: float, contribution_per_inhabitant: float,
                      least_need: np.ndarray, own_staff_share: float, staff_cost_per_fte: float, hosted_by_city: bool,
                      coordination_fte: float, programme_efficiency: float, programme_follows_agenda: float):
    """The economics of member sets: `igs.economics_of_sets`, same formulas in the same order
    (see its docstring for the why). Returns per set: total population, need, paid FTE, pool
    FTE, host, coordination FTE left to each member; per member: contributions, population
    share, agenda share, programme returned."""
    n_sets = len(ptr) - 1
    m = len(flat)
    pop = np.empty(m)
    bud = np.empty(m)
    for k in range(m):
        pop[k] = population[flat[k]]
        bud[k] = budget[flat[k]]
    total = segment_sum(pop, ptr)
    need = np.empty(n_sets)
    pool = np.empty(n_sets)
    paid = np.empty(n_sets)
    host = np.full(n_sets, -1, np.int64)
    for s in range(n_sets):
        need[s] = max(contribution_per_inhabitant * total[s], least_need[s])
        pool[s] = own_staff_share * (need[s] + subsidy[s]) / staff_cost_per_fte
        paid[s] = pool[s] + coordinators[s]
        if hosted_by_city:   # the largest centre city, the first of equals in member order
            largest = -1.0
            for k in range(ptr[s], ptr[s + 1]):
                if centre[flat[k]] and pop[k] > largest:
                    largest = pop[k]
                    host[s] = flat[k]
    contrib = contributions(key, need, pop, bud, ptr, budget_weight, fixed_share)
    pop_share = np.empty(m)
    weight = np.empty(m)
    for s in range(n_sets):
        neutral = coordinators[s] + (0.0 if host[s] >= 0 else pool[s])
        for k in range(ptr[s], ptr[s + 1]):
            pop_share[k] = pop[k] / total[s]
            weight[k] = (coordination_fte * staff[flat[k]] + neutral * pop_share[k]
                         + (pool[s] if flat[k] == host[s] else 0.0))
    weight_total = segment_sum(weight, ptr)
    agenda = np.empty(m)
    returned = np.empty(m)
    left = np.empty(n_sets)
    for s in range(n_sets):
        size = ptr[s + 1] - ptr[s]
        relief = 1.0 + paid[s] / (size * coordination_fte) if coordination_fte > 0 else 1.0
        left[s] = coordination_fte / relief
        pooled = programme_efficiency * (need[s] + subsidy[s])
        for k in range(ptr[s], ptr[s + 1]):
            agenda[k] = weight[k] / weight_total[s] if weight_total[s] > 0 else pop_share[k]
            returned[k] = pooled * (programme_follows_agenda * agenda[k]
                                    + (1 - programme_follows_agenda) * pop_share[k])
    return total, need, paid, pool, host, left, contrib, pop_share, agenda, returned


@_jit
def chooser_view(flat: np.ndarray, ptr: np.ndarray, chooser: np.ndarray, trust: np.ndarray,
                 affinity: np.ndarray, expertise: np.ndarray, region: np.ndarray, centre: np.ndarray,
                 agenda: np.ndarray, pop_share: np.ndarray):
    """What each set looks like to its chooser, the segment reductions of `evaluation.evaluate`:
    per set, the position of the chooser in flat, the sum and mean of its trust in the others
    (`trust`, `affinity`: per entry, the chooser's in that member), the best expertise among
    the others, the largest excess agenda share of another centre city (at least 0), the share
    of members in its own region and its mean affinity with the others."""
    n_sets = len(ptr) - 1
    m = len(flat)
    mine = np.full(n_sets, -1, np.int64)
    best_other = np.empty(n_sets)
    perceived = np.empty(n_sets)
    trust_other = np.empty(m)
    affinity_other = np.empty(m)
    same = np.empty(m)
    for s in range(n_sets):
        i = chooser[s]
        best = -np.inf
        excess = -np.inf
        for k in range(ptr[s], ptr[s + 1]):
            j = flat[k]
            me = j == i
            if me and mine[s] < 0:
                mine[s] = k
            trust_other[k] = 0.0 if me else trust[k]
            affinity_other[k] = 0.0 if me else affinity[k]
            same[k] = 1.0 if region[j] == region[i] else 0.0
            if not me:
                best = max(best, expertise[j])
                if centre[j]:
                    excess = max(excess, agenda[k] - pop_share[k])
        best_other[s] = best
        perceived[s] = max(0.0, excess)
    trust_sum = segment_sum(trust_other, ptr)
    same_sum = segment_sum(same, ptr)
    affinity_sum = segment_sum(affinity_other, ptr)
    mean_trust = np.empty(n_sets)
    same_region = np.empty(n_sets)
    mean_affinity = np.empty(n_sets)
    for s in range(n_sets):
        n = ptr[s + 1] - ptr[s]
        mean_trust[s] = trust_sum[s] / (n - 1)
        same_region[s] = same_sum[s] / n
        mean_affinity[s] = affinity_sum[s] / max(n - 1, 1)
    return mine, trust_sum, mean_trust, best_other, perceived, same_region, mean_affinity


@_jit
def pair_lookup(stored: np.ndarray, values: np.ndarray, n: int, baseline: float, keys: np.ndarray) -> np.ndarray:
    """`trust.PairTrust` reads: the value of each key row * n + col among the sorted stored keys,
    `baseline` for a pair never set, 1 on the diagonal (one binary search per key, in place of
    the ten numpy calls of a vectorised search)."""
    out = np.empty(len(keys))
    for k in range(len(keys)):
        if keys[k] % (n + 1) == 0:
            out[k] = 1.0
            continue
        pos = np.searchsorted(stored, keys[k])
        out[k] = values[pos] if pos < len(stored) and stored[pos] == keys[k] else baseline
    return out


@_jit
def affinity(i: np.ndarray, j: np.ndarray, arrondissement: np.ndarray, heritage_mask: np.ndarray,
             heritage_known: np.ndarray, housing: np.ndarray, heritage_base_rate: float, w_arrondissement: float,
             w_heritage: float, w_housing: float, uit_region: np.ndarray, w_uit_region: float) -> np.ndarray:
    """`attributes.Affinity` of pairs (i[k], j[k]), by `regional_identity.pair_affinity` for each."""
    out = np.empty(len(i))
    for k in range(len(i)):
        a, b = i[k], j[k]
        out[k] = regional_identity.pair_affinity(
            arrondissement[a], arrondissement[b], heritage_mask[a], heritage_mask[b], heritage_known[a],
            heritage_known[b], housing[a], housing[b], uit_region[a], uit_region[b], heritage_base_rate,
            w_arrondissement, w_heritage, w_housing, w_uit_region)
    return out


@_jit
def candidate_terms(chooser: np.ndarray, ptr: np.ndarray, mine: np.ndarray, mean_trust: np.ndarray,
                    best: np.ndarray, perceived: np.ndarray, same_region: np.ndarray, mean_affinity: np.ndarray,
                    scale_gain: np.ndarray, knowledge_gain: np.ndarray, network: np.ndarray, rights_at_stake: bool,
                    returned: np.ndarray, contributions: np.ndarray, coordination_left: np.ndarray,
                    expertise: np.ndarray, scale_factor: np.ndarray, population: np.ndarray,
                    culture_budget: np.ndarray, budget_pressure: np.ndarray, staff: np.ndarray,
                    workload: np.ndarray, centre: np.ndarray, beh: tuple, coordination_fte: float,
                    feasible_members: int, network_tasks_fte: float, drawing_rights_per_inhabitant: float,
                    recognised: np.ndarray, project_rate: float):
    """The utility terms of each candidate for its chooser, by the term functions of
    `simcoop.model.utility` (whose docstrings say why each term is so), as `evaluation.evaluate`
    combines them; the exponentials come in computed by numpy
    (`scale_gain`: the economies of scale before weighting, `knowledge_gain`: knowledge
    exchange before weighting). `beh` holds the weights (w_expertise, w_knowledge, w_money,
    w_staff, w_transaction, w_dominance, w_identity, w_regional_role, w_freedom,
    trust_reference, w_scale). Returns the terms scale, expertise, knowledge, money, staff,
    transaction, dominance, identity, role, and the realised money."""
    (w_expertise, w_knowledge, w_money, w_staff, w_transaction, w_dominance, w_identity, w_role, w_freedom,
     trust_reference, w_scale) = beh
    n_sets = len(chooser)
    out = np.empty((10, n_sets))
    for s in range(n_sets):
        i, k = chooser[s], mine[s]
        works = utility.working_relationship(mean_trust[s], trust_reference)
        rights = (utility.drawing_rights_kept(network[s], rights_at_stake, drawing_rights_per_inhabitant,
                                              population[i])
                  + utility.project_money(recognised[s], project_rate, population[i]))
        relief = utility.staff_relief(coordination_left[s], coordination_fte)
        tasks = utility.network_tasks(network[s], network_tasks_fte, relief)
        money = utility.money_received(works, returned[k], rights)
        out[0, s] = utility.scale_term(works, scale_gain[s], w_scale, scale_factor[i])
        out[1, s] = works * utility.expertise_gap(expertise[i], best[s], w_expertise)
        out[2, s] = utility.knowledge_term(works, knowledge_gain[s], w_knowledge, scale_factor[i])
        out[3, s] = utility.net_money(money, contributions[k], culture_budget[i], w_money, budget_pressure[i])
        out[4, s] = utility.staff_time_cost(coordination_left[s] + tasks, staff[i], workload[i], w_staff)
        out[5, s] = utility.transaction_cost(ptr[s + 1] - ptr[s], feasible_members, w_transaction)
        out[6, s] = utility.dominance_cost(perceived[s], w_dominance)
        out[7, s] = utility.identity_fit(mean_affinity[s], w_identity)
        out[8, s] = utility.centre_role(same_region[s] == 1.0, w_role, w_freedom) if centre[i] else 0.0
        out[9, s] = money - contributions[k]
    return out


@_jit
def vote_sets(before: np.ndarray, newcomer: int):
    """The member sets of a vote on a newcomer (`decisions.accepts_newcomer`): each member
    weighs the IGS with the newcomer (members, then the newcomer), then the IGS as it is.
    Returns the choosers, the sets flat and their offsets (index work only, no arithmetic)."""
    n = len(before)
    chooser = np.empty(2 * n, np.int64)
    flat = np.empty(n * (n + 1) + n * n, np.int64)
    ptr = np.empty(2 * n + 1, np.int64)
    k = 0
    for s in range(2 * n):
        chooser[s] = before[s % n]
        ptr[s] = k
        for j in range(n):
            flat[k] = before[j]
            k += 1
        if s < n:
            flat[k] = newcomer
            k += 1
    ptr[2 * n] = k
    return chooser, flat, ptr
