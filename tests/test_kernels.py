"""The compiled kernels give bit for bit what the numpy expressions they replaced give.

Identity matters, not closeness: a sum added in another order differs in the last bits,
and through the logit draws a run's history can change. Each kernel of
simcoop.model.kernels is compared with `==` against the numpy code it replaced (kept here as
the reference, written out independently of the scalar rules of utility, keys, policy and
regional_identity that the kernels call) on random member sets whose lengths cover each branch
of numpy's pairwise summation (1, 7, 8, 9, 17, 130 entries and more). Where a kernel computes a
rule, the rule called from Python gives the kernel's values exactly too.
"""

from __future__ import annotations

import numpy as np
import pytest

from simcoop.config import IgsConfig, KeyConfig
from simcoop.model import kernels

LENGTHS = (1, 7, 8, 9, 17, 130, 2, 3, 16, 129, 257, 300)


def _sets(rng: np.random.Generator, n: int, lengths=LENGTHS, min_length: int = 1):
    """Random member sets (no repeats within a set) over n municipalities, in shuffled order."""
    lengths = [max(k, min_length) for k in rng.permutation(lengths)]
    sets = [rng.choice(n, size=k, replace=False) for k in lengths]
    return np.concatenate(sets).astype(np.int64), np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _landscape(rng: np.random.Generator, n: int = 400) -> dict[str, np.ndarray]:
    return {"population": rng.uniform(800, 3e5, n), "budget": rng.uniform(1e6, 5e8, n),
            "staff": rng.uniform(0.2, 30, n), "centre": rng.random(n) < 0.15,
            "region": rng.integers(0, 6, n), "expertise": rng.uniform(0, 1, n)}


@pytest.mark.parametrize("seed", range(5))
def test_segment_sum_adds_in_numpys_order(seed):
    rng = np.random.default_rng(seed)
    lengths = rng.permutation([*LENGTHS, *rng.integers(1, 400, 20)])
    ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    # magnitudes over ten orders, so that a different order of addition shows in the last bits
    a = rng.standard_normal(ptr[-1]) * 10.0 ** rng.integers(-5, 5, ptr[-1])
    got = kernels.segment_sum(a, ptr)
    assert np.array_equal(got, np.add.reduceat(a, ptr[:-1]))
    # the check can fail: a plain left-to-right loop differs somewhere
    plain = np.array([sum(a[ptr[s]:ptr[s + 1]].tolist()) for s in range(len(lengths))])
    assert not np.array_equal(plain, got)


@pytest.mark.parametrize("seed", range(3))
def test_segment_reduce_sums_as_numpys_reduce(seed):
    """`.sum()` / `.mean()` of each segment, which adds in another order than `reduceat`."""
    rng = np.random.default_rng(seed)
    lengths = rng.permutation([*LENGTHS, 0, *rng.integers(1, 400, 20)])
    ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    a = rng.standard_normal(ptr[-1]) * 10.0 ** rng.integers(-5, 5, ptr[-1])
    got = kernels.segment_reduce(a, ptr)
    assert np.array_equal(got, [a[ptr[s]:ptr[s + 1]].sum() for s in range(len(lengths))])
    assert not np.array_equal(got[lengths > 0], kernels.segment_sum(a, ptr[np.r_[lengths > 0, True]]))


def _contributions_reference(key: str, need, population, budget, seg, starts, sizes, budget_weight: float,
                             fixed_share: float) -> np.ndarray:
    """The keys of simcoop.model.keys for many member sets, as numpy computed them before the kernel."""
    def split(set_need: np.ndarray, weights: np.ndarray) -> np.ndarray:
        total = np.add.reduceat(weights, starts)
        ok = total > 0
        return np.where(ok[seg], set_need[seg] * weights / np.where(ok, total, 1.0)[seg], (set_need / sizes)[seg])

    if key == "per_inhabitant":
        return split(need, population)
    if key == "per_budget":
        return split(need, budget)
    if key == "mixed":
        return (1 - budget_weight) * split(need, population) + budget_weight * split(need, budget)
    return (fixed_share * need / sizes)[seg] + split((1 - fixed_share) * need, population)


@pytest.mark.parametrize("key", ["per_inhabitant", "per_budget", "mixed", "fixed_plus_per_inhabitant"])
def test_contributions_equal_the_numpy_keys(key):
    rng = np.random.default_rng(1)
    flat, ptr = _sets(rng, 400)
    land = _landscape(rng)
    pop, budget = land["population"][flat], land["budget"][flat]
    budget[ptr[3]:ptr[4]] = 0.0    # a set whose weights sum to 0: shared equally
    sizes = np.diff(ptr)
    need = rng.uniform(1e4, 1e7, len(sizes))
    ref = _contributions_reference(key, need, pop, budget, np.repeat(np.arange(len(sizes)), sizes), ptr[:-1],
                                   sizes, 0.4, 0.3)
    got = kernels.contributions(kernels.KEY_CODES[key], need, pop, budget, ptr, 0.4, 0.3)
    assert np.array_equal(got, ref)


def _economics_reference(flat, ptr, population, budget, staff, centre, key: KeyConfig, cfg: IgsConfig, subsidy,
                         coordinator_fte, cofunding=0.0):
    """igs.economics_of_sets as it was in numpy, before the kernel."""
    starts = ptr[:-1]
    sizes = ptr[1:] - starts
    seg = np.repeat(np.arange(len(sizes)), sizes)
    pop = population[flat]
    total = np.add.reduceat(pop, starts)
    need = np.maximum(cfg.contribution_per_inhabitant * total, cofunding * subsidy)   # least need: a share
    contrib = _contributions_reference(key.name, need, pop, budget[flat], seg, starts, sizes, key.budget_weight,
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
        sets, first = np.unique(seg[hits], return_index=True)
        host[sets] = flat[hits[first]]
    brought = cfg.coordination_fte * staff[flat]
    neutral = coordinator_fte + np.where(host >= 0, 0.0, pool_fte)
    weight = brought + neutral[seg] * pop_share + np.where(flat == host[seg], pool_fte[seg], 0.0)
    weight_total = np.add.reduceat(weight, starts)
    positive = weight_total > 0
    agenda = np.where(positive[seg], weight / np.where(positive, weight_total, 1.0)[seg], pop_share)
    relief = 1.0 + paid / (sizes * cfg.coordination_fte) if cfg.coordination_fte > 0 else np.ones(len(sizes))
    returned = cfg.programme_efficiency * (need + subsidy)[seg] * (
        cfg.programme_follows_agenda * agenda + (1 - cfg.programme_follows_agenda) * pop_share)
    return (total, need, paid, pool_fte, host, cfg.coordination_fte / relief, contrib, pop_share, agenda, returned)


@pytest.mark.parametrize("key", ["per_inhabitant", "mixed", "fixed_plus_per_inhabitant"])
@pytest.mark.parametrize("cfg", [IgsConfig(staff_hosted_by_city=True), IgsConfig(staff_hosted_by_city=False),
                                 IgsConfig(coordination_fte=0.0)], ids=["hosted", "own_staff", "no_coordination"])
@pytest.mark.parametrize("cofunding", [0.0, 0.75])
def test_economics_of_sets_equal_the_numpy_formulas(key, cfg, cofunding):
    rng = np.random.default_rng(2)
    land = _landscape(rng)
    flat, ptr = _sets(rng, 400)
    land["staff"][flat[ptr[2]:ptr[3]]] = 0.0        # a set without staff: agenda by population
    land["population"][flat[ptr[5] + 1]] = land["population"][flat[ptr[5]]]   # equal centre cities
    land["centre"][flat[ptr[5]:ptr[5] + 2]] = True
    subsidy = np.where(rng.random(len(ptr) - 1) < 0.5, rng.uniform(0, 1e6, len(ptr) - 1), 0.0)
    coordinators = np.where(subsidy > 0, 1.5, 0.0)
    ref = _economics_reference(flat, ptr, land["population"], land["budget"], land["staff"], land["centre"],
                               KeyConfig(name=key), cfg, subsidy, coordinators, cofunding)
    got = kernels.economics_of_sets(
        flat, ptr, land["population"], land["budget"], land["staff"], land["centre"], subsidy, coordinators,
        kernels.KEY_CODES[key], KeyConfig().budget_weight, KeyConfig().fixed_share, cfg.contribution_per_inhabitant,
        cofunding * subsidy, cfg.own_staff_share, cfg.staff_cost_per_fte, cfg.staff_hosted_by_city, cfg.coordination_fte,
        cfg.programme_efficiency, cfg.programme_follows_agenda)
    for name, r, g in zip(["total", "need", "paid", "pool", "host", "left", "contributions", "population_share",
                           "agenda", "returned"], ref, got):
        assert np.array_equal(g, r), name
    binds = got[1] > cfg.contribution_per_inhabitant * got[0]   # co-funding above the contributions
    assert binds.any() == (cofunding > 0)
    if cfg.staff_hosted_by_city:
        assert (got[4] >= 0).any()


def _grid(side: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A side x side grid of municipalities bordering left, right, up and down: the borders
    as the model stores them (nb_ptr, nb_flat) and as an adjacency matrix."""
    n = side * side
    adjacency = np.zeros((n, n), dtype=bool)
    for i in range(n):
        r, c = divmod(i, side)
        for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= rr < side and 0 <= cc < side:
                adjacency[i, rr * side + cc] = True
    nb = [np.flatnonzero(row) for row in adjacency]
    nb_ptr = np.concatenate([[0], np.cumsum([len(x) for x in nb])]).astype(np.int64)
    return nb_ptr, np.concatenate(nb).astype(np.int64), adjacency


def _grown_sets(rng: np.random.Generator, adjacency: np.ndarray, lengths) -> list[np.ndarray]:
    """One territory each: grown from a random municipality by random bordering ones, in
    shuffled order (so the search cannot rely on the order of growth)."""
    out = []
    for k in lengths:
        members = [int(rng.integers(len(adjacency)))]
        while len(members) < k:
            frontier = np.setdiff1d(np.flatnonzero(adjacency[members].any(axis=0)), members)
            members.append(int(rng.choice(frontier)))
        out.append(rng.permutation(members))
    return out


def test_contiguity_is_that_of_the_graph():
    """policy.contiguous, compiled and from Python, against scipy's connected components, on
    random sets (mostly in pieces) and grown ones (one territory) of a grid."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components
    from simcoop.model import policy
    rng = np.random.default_rng(5)
    nb_ptr, nb_flat, adjacency = _grid()
    flat, ptr = _sets(rng, len(adjacency), lengths=(1, 2, 3, 4, 5, 8, 2, 3, 4))
    sets = [flat[ptr[s]:ptr[s + 1]] for s in range(len(ptr) - 1)] + _grown_sets(rng, adjacency, (2, 4, 7, 13, 40))
    # a pair of neighbours with a third far away: in pieces although two touch
    sets.append(np.array([0, 1, 399]))
    expected = [connected_components(csr_matrix(adjacency[np.ix_(m, m)]), directed=False)[0] == 1 for m in sets]
    assert any(expected) and not all(expected)
    flat = np.concatenate(sets).astype(np.int64)
    ptr = np.concatenate([[0], np.cumsum([len(m) for m in sets])]).astype(np.int64)
    compiled = kernels.recognition(flat, ptr, np.ones(400), np.zeros(400, np.int64), nb_ptr, nb_flat,
                                   np.zeros(len(sets), bool), np.zeros(len(sets), bool), True, False,
                                   policy.NO_NORM, 1, 0.0, np.inf, 0.0, 0.0, 0.0)[0]
    assert compiled.tolist() == expected
    assert [policy.contiguous(flat, ptr[s], ptr[s + 1], nb_ptr, nb_flat) for s in range(len(sets))] == expected


# the 2019 call's members rule; closed (granted only); the transition (norm or members); the norm
# alone under the region rule
@pytest.mark.parametrize("year", [2019, 2025, 2026, 2032])
def test_recognition_equals_the_numpy_rules(year):
    """The reference is the numpy form of policy's rules (at least four members before
    `norm_from`; then the threshold or four members while the grant ends by
    `transition_until`, the threshold alone after; one region under the rule; per inhabitant
    with the decree's cap before `norm_from` and floor from it, plus the network bonus), as
    policy.is_recognised and policy.subsidy compute them."""
    from simcoop.config import IncentiveConfig, RegionRuleConfig
    from simcoop.model import policy
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components
    rng = np.random.default_rng(3)
    land = _landscape(rng)
    nb_ptr, nb_flat, adjacency = _grid()
    flat, ptr = _sets(rng, 400)
    # as many sets again that are one territory, of the same lengths
    grown = _grown_sets(rng, adjacency, np.diff(ptr))
    flat = np.concatenate([flat, *grown]).astype(np.int64)
    ptr = np.concatenate([ptr, ptr[-1] + np.cumsum([len(m) for m in grown])]).astype(np.int64)
    n_sets = len(ptr) - 1
    one_piece = np.array([connected_components(csr_matrix(adjacency[np.ix_(m, m)]), directed=False)[0] == 1
                          for m in np.split(flat, ptr[1:-1])])
    granted, network = rng.random(n_sets) < 0.3, rng.random(n_sets) < 0.5
    regions = land["region"][flat]
    spans = np.minimum.reduceat(regions, ptr[:-1]) != np.maximum.reduceat(regions, ptr[:-1])
    population = np.add.reduceat(land["population"][flat], ptr[:-1])
    n_members = np.diff(ptr)
    # some sets above the threshold, some below; the transition open to new sets too, so that the
    # members rule is exercised in 2026 (by default it is for the IGS already recognised only,
    # whose renewal the model checks with policy.is_recognised)
    inc = IncentiveConfig(recognition_threshold=float(np.median(population)), transition_for_new=True)
    rule = RegionRuleConfig(mode="forced")
    # the numpy expressions of evaluation.set_economics before the kernel
    open_now = policy.recognition_open(inc, year)
    members_rule = (n_members >= inc.min_members) & one_piece   # four adjacent municipalities
    if year < inc.norm_from:
        ok = members_rule
    elif policy.granted_until(inc, year) <= inc.transition_until and inc.transition_for_new:
        ok = (population >= inc.recognition_threshold) | members_rule
    else:
        ok = population >= inc.recognition_threshold
    if policy.region_rule_in_force(rule, year):
        ok = ok & ~spans
    recognised = granted | (open_now & ok)
    if year >= inc.norm_from:
        floor, cap, rate = inc.subsidy_minimum, np.inf, inc.subsidy_per_inhabitant
    else:
        floor, cap, rate = 0.0, inc.subsidy_cap_first_period, inc.subsidy_per_inhabitant
    grant = np.where(recognised, np.minimum(cap, np.maximum(floor, rate * population))
                     + np.where(network, inc.network_bonus_per_inhabitant * population, 0.0), 0.0)
    got = kernels.recognition(flat, ptr, land["population"], land["region"], nb_ptr, nb_flat, granted, network, open_now,
                              policy.region_rule_in_force(rule, year), *policy.recognition_norm(inc, year),
                              *policy.subsidy_rule(inc, year), inc.network_bonus_per_inhabitant, inc.coordinator_fte)
    assert np.array_equal(got[0], recognised)
    assert np.array_equal(got[1], grant)
    assert np.array_equal(got[2], np.where(recognised, inc.coordinator_fte, 0.0))
    # the operating grant (the co-funded part): the same without the network's money
    assert np.array_equal(got[3], np.where(recognised, np.minimum(cap, np.maximum(floor, rate * population)), 0.0))
    assert recognised.any() and not recognised.all()
    base = rate * population   # the decree's bound binds for some set
    assert (recognised & ((base > cap) if year < inc.norm_from else (base < floor))).any()
    if year == 2019:   # the members rule, not the population, decides: sets below the threshold of
        # four or more in one piece are recognised, sets in pieces or of fewer are not
        small = ~granted & (population < inc.recognition_threshold) & (n_members >= 4)
        assert recognised[small & one_piece].all() and (small & one_piece).any()
        assert not recognised[small & ~one_piece].any() and (small & ~one_piece).any()
        assert (~granted & (n_members < 4)).any()
    if year == 2026:   # the members rule still decides: below the threshold, four adjacent members
        # pass, fewer or in pieces do not
        small = ~granted & (population < inc.recognition_threshold)
        assert recognised[small & (n_members >= 4) & one_piece].all() and (small & (n_members >= 4) & one_piece).any()
        assert not recognised[small & ~one_piece].any() and (small & (n_members >= 4) & ~one_piece).any()
        assert not recognised[small & (n_members < 4)].any() and (small & (n_members < 4)).any()
    if year == 2032:   # the region rule bites: some set above the threshold spans regions
        assert (~granted & (population >= inc.recognition_threshold) & spans).any()


def test_chooser_view_equals_the_numpy_reductions():
    rng = np.random.default_rng(4)
    land = _landscape(rng)
    flat, ptr = _sets(rng, 400, min_length=2)
    n_sets = len(ptr) - 1
    sizes = np.diff(ptr)
    seg = np.repeat(np.arange(n_sets), sizes)
    i = flat[ptr[:-1] + rng.integers(0, sizes)]          # the chooser, somewhere in its set
    trust, affinity = rng.uniform(0, 1, len(flat)), rng.uniform(0, 1, len(flat))
    agenda, pop_share = rng.uniform(0, 0.5, len(flat)), rng.uniform(0, 0.5, len(flat))
    # the numpy expressions of evaluation.evaluate
    starts, me = ptr[:-1], flat == i[seg]
    others = ~me
    trust_sum = np.add.reduceat(np.where(others, trust, 0.0), starts)
    excess = np.where(land["centre"][flat] & others, agenda - pop_share, -np.inf)
    ref = (np.flatnonzero(me), trust_sum, trust_sum / (sizes - 1),
           np.maximum.reduceat(np.where(others, land["expertise"][flat], -np.inf), starts),
           np.maximum(0.0, np.maximum.reduceat(excess, starts)),
           np.add.reduceat((land["region"][flat] == land["region"][i][seg]).astype(float), starts) / sizes,
           np.add.reduceat(np.where(others, affinity, 0.0), starts) / np.maximum(sizes - 1, 1))
    got = kernels.chooser_view(flat, ptr, i, trust, affinity, land["expertise"], land["region"], land["centre"],
                               agenda, pop_share)
    for name, r, g in zip(["mine", "trust_sum", "mean_trust", "best_other", "perceived", "same_region",
                           "affinity"], ref, got):
        assert np.array_equal(g, r), name


def test_pair_lookup_equals_the_vectorised_search():
    from simcoop.model.trust import PairTrust
    rng = np.random.default_rng(5)
    n = 50
    t = PairTrust(n, 0.3)
    rows, cols = rng.integers(0, n, 400), rng.integers(0, n, 400)
    t[rows, cols] = rng.uniform(0, 1, 400)
    a, b = rng.integers(0, n, 3000), rng.integers(0, n, 3000)
    b[:50] = a[:50]                                   # the diagonal reads 1
    # the numpy expressions PairTrust read with before the kernel
    keys, pos, found, diagonal = t._positions((a, b))
    ref = np.where(found, t.values.take(pos, mode="clip"), t.baseline)
    ref[diagonal] = 1.0
    assert np.array_equal(t[a, b], ref)
    assert np.array_equal(t[np.ix_(a[:30], b[:40])], t.dense()[np.ix_(a[:30], b[:40])])
    assert np.array_equal(PairTrust(n, 0.3)[a, b], np.where(a == b, 1.0, 0.3))    # nothing stored yet


def _affinity_by_the_rule(aff, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """regional_identity.pair_affinity called from Python, pair by pair."""
    from simcoop.model.regional_identity import pair_affinity
    return np.array([pair_affinity(aff.arrondissement[a], aff.arrondissement[b], aff.heritage_mask[a],
                                   aff.heritage_mask[b], aff.heritage_known[a], aff.heritage_known[b],
                                   aff.housing[a], aff.housing[b], aff.uit_region[a], aff.uit_region[b],
                                   aff.heritage_base_rate, aff.w_arrondissement, aff.w_heritage, aff.w_housing,
                                   aff.w_uit_region) for a, b in zip(i.tolist(), j.tolist())])


def test_affinity_equals_the_numpy_terms():
    from simcoop.model.attributes import Affinity
    rng = np.random.default_rng(6)
    n = 300
    aff = Affinity(rng.integers(-1, 8, n), rng.integers(0, 2 ** 20, n) * (rng.random(n) < 0.5),
                   rng.random(n) < 0.6, rng.integers(-1, 5, n), 0.37, 0.4, 0.35, 0.25,
                   rng.integers(0, 8, n) * (rng.random(n) < 0.9), 0.3)
    i, j = rng.integers(0, n, 5000), rng.integers(0, n, 5000)
    # the numpy expressions of Affinity.__call__ before the kernel: the data-backed components,
    # shared heritage where both are listed, else the data-backed part scaled to the full weight;
    # a pair with an unknown streek (mask 0) has the known components scaled to the full weight
    same_arr = (aff.arrondissement[i] == aff.arrondissement[j]) & (aff.arrondissement[i] >= 0)
    known = aff.heritage_known[i] & aff.heritage_known[j]
    shared = (aff.heritage_mask[i] & aff.heritage_mask[j]) != 0
    same_housing = (aff.housing[i] == aff.housing[j]) & (aff.housing[i] >= 0)
    same_streek = (aff.uit_region[i] & aff.uit_region[j]) != 0
    streek_known = (aff.uit_region[i] != 0) & (aff.uit_region[j] != 0)
    w_streek = np.where(streek_known, aff.w_uit_region, 0.0)
    missing = np.where(streek_known, 0.0, aff.w_uit_region)
    data = aff.w_arrondissement * same_arr + aff.w_housing * same_housing + w_streek * same_streek
    observed = aff.w_arrondissement + aff.w_housing + w_streek
    listed = data + aff.w_heritage * shared
    listed = np.where(missing > 0, listed * (observed + aff.w_heritage + missing) / (observed + aff.w_heritage), listed)
    ref = np.where(known, listed, data * (observed + aff.w_heritage + missing) / observed)
    assert np.array_equal(aff(i, j), ref)
    assert np.array_equal(_affinity_by_the_rule(aff, i, j), ref)   # the kernel computes the rule, no more
    assert len(np.unique(ref)) > 4
    assert (~streek_known & known).any() and (~streek_known & ~known).any()   # both unknown-streek branches
    # missing data is neutral: a pair sharing every known component has the full affinity
    full = aff.w_arrondissement + aff.w_heritage + aff.w_housing + aff.w_uit_region
    alike = same_arr & same_housing & np.where(known, shared, True) & np.where(streek_known, same_streek, True)
    assert alike.any() and np.allclose(ref[alike], full)
    # heritage the only component: a pair with an unlisted municipality gets the base rate
    only = Affinity(aff.arrondissement, aff.heritage_mask, aff.heritage_known, aff.housing, 0.37, 0.0, 0.35, 0.0,
                    aff.uit_region, 0.0)
    assert np.array_equal(only(i, j), np.where(known, 0.35 * shared, 0.35 * 0.37))
    assert np.array_equal(_affinity_by_the_rule(only, i, j), only(i, j))


@pytest.mark.parametrize("coordination,at_stake", [(0.1, True), (0.0, True), (0.1, False)],
                         ids=["rights_at_stake", "no_coordination", "rights_not_at_stake"])
def test_candidate_terms_equal_the_numpy_terms(coordination, at_stake):
    from simcoop.config import BehaviourConfig
    from simcoop.model import utility
    rng = np.random.default_rng(7)
    land = _landscape(rng)
    n = len(land["population"])
    flat, ptr = _sets(rng, n)
    n_sets, sizes = len(ptr) - 1, np.diff(ptr)
    i = flat[ptr[:-1] + rng.integers(0, sizes)]
    mine = ptr[:-1] + rng.integers(0, sizes)
    mean_trust = rng.uniform(0, 1, n_sets)
    mean_trust[0] = np.nan                             # a set of one: 0 / 0, as in numpy
    best, perceived = rng.uniform(0, 1, n_sets), np.maximum(0.0, rng.uniform(-0.2, 0.3, n_sets))
    same_region = np.where(rng.random(n_sets) < 0.5, 1.0, rng.uniform(0, 1, n_sets))
    affinity, trust_sum = rng.uniform(0, 1, n_sets), rng.uniform(0, 5, n_sets)
    set_pop = rng.uniform(1e4, 8e5, n_sets)
    network = rng.random(n_sets) < 0.5
    returned, contributions = rng.uniform(0, 1e5, len(flat)), rng.uniform(0, 1e5, len(flat))
    left = rng.uniform(0, 0.1, n_sets)
    scale_factor, culture_budget = rng.uniform(0.3, 1.5, n), rng.uniform(1e5, 1e7, n)
    pressure, workload = rng.uniform(0.8, 1.5, n), rng.uniform(0.05, 1, n)
    beh, feasible, tasks_fte, rights_per = BehaviourConfig(), 12, 0.05, 0.5
    recognised, project_rate = rng.random(n_sets) < 0.5, 0.42
    # the numpy expressions of evaluation.evaluate with the term functions of utility, as they
    # were before the kernel (written out: the kernel calls the scalar forms of those functions)
    works = np.minimum(1.0, mean_trust / beh.trust_reference)
    rights = (np.where(network & at_stake, rights_per * land["population"][i], 0.0)
              + np.where(recognised, project_rate * land["population"][i], 0.0))
    tasks = np.where(network, tasks_fte, 0.0) * (left / coordination if coordination > 0 else 1.0)
    money = works * returned[mine] + rights
    ref = [works * utility.scale_benefit(set_pop, land["population"][i], beh.scale_population,
                                         beh.w_scale * scale_factor[i], beh.scale_max_population, beh.oversize),
           works * (beh.w_expertise * np.maximum(0.0, best - land["expertise"][i])),
           works * utility.knowledge_sharing(trust_sum, beh.knowledge_partners, beh.w_knowledge)
           * np.minimum(1.0, scale_factor[i]),
           beh.w_money * (money - pressure[i] * contributions[mine]) / culture_budget[i],
           -beh.w_staff * (left + tasks) / land["staff"][i] * (0.5 + workload[i]),
           -beh.w_transaction * ((sizes - 1) / (feasible - 1)) ** 2,
           -beh.w_dominance * perceived,
           beh.w_identity * affinity,
           np.where(land["centre"][i], beh.w_regional_role * (same_region == 1.0) - beh.w_freedom, 0.0),
           money - contributions[mine]]
    got = kernels.candidate_terms(
        i, ptr, mine, mean_trust, best, perceived, same_region, affinity,
        utility.scale_benefit(set_pop, land["population"][i], beh.scale_population, 1.0, beh.scale_max_population,
                              beh.oversize),
        utility.knowledge_sharing(trust_sum, beh.knowledge_partners, 1.0), network, at_stake, returned, contributions,
        left, land["expertise"], scale_factor, land["population"], culture_budget, pressure, land["staff"],
        workload, land["centre"],
        (beh.w_expertise, beh.w_knowledge, beh.w_money, beh.w_staff, beh.w_transaction, beh.w_dominance,
         beh.w_identity, beh.w_regional_role, beh.w_freedom, beh.trust_reference, beh.w_scale),
        coordination, feasible, tasks_fte, rights_per, recognised, project_rate)
    for name, r, g in zip(["scale", "expertise", "knowledge", "money", "staff", "transaction", "dominance",
                           "identity", "role", "realised"], ref, got):
        assert np.array_equal(g, r, equal_nan=True), name
    assert np.isnan(got[0][0]) and not np.isnan(got[0][1:]).any()
    assert network.any() and not network.all() and recognised.any() and not recognised.all()
    # the scalar rules of utility, called from Python one candidate at a time, give the kernel's
    # terms exactly: the kernel computes the rules and nothing of its own
    scale_gain = utility.scale_benefit(set_pop, land["population"][i], beh.scale_population, 1.0,
                                       beh.scale_max_population, beh.oversize)
    knowledge_gain = utility.knowledge_sharing(trust_sum, beh.knowledge_partners, 1.0)
    by_rules = {0: [], 2: [], 4: [], 9: []}
    for s in range(n_sets):
        c, k = i[s], mine[s]
        works = utility.working_relationship(mean_trust[s], beh.trust_reference)
        rights = (utility.drawing_rights_kept(network[s], at_stake, rights_per, land["population"][c])
                  + utility.project_money(recognised[s], project_rate, land["population"][c]))
        tasks = utility.network_tasks(network[s], tasks_fte, utility.staff_relief(left[s], coordination))
        by_rules[0].append(utility.scale_term(works, scale_gain[s], beh.w_scale, scale_factor[c]))
        by_rules[2].append(utility.knowledge_term(works, knowledge_gain[s], beh.w_knowledge, scale_factor[c]))
        by_rules[4].append(utility.staff_time_cost(left[s] + tasks, land["staff"][c], workload[c], beh.w_staff))
        by_rules[9].append(utility.money_received(works, returned[k], rights) - contributions[k])
    for row, values in by_rules.items():
        assert np.array_equal(np.array(values), got[row], equal_nan=True), row


def test_the_rules_the_kernels_call_are_in_the_modules_their_cache_key_covers():
    """numba would not notice a change of a rule compiled into a cached kernel from another
    file; the cache key carries the source of RULE_MODULES, so every rule must live there."""
    modules = {m.__name__ for m in kernels.RULE_MODULES}
    assert {f.__module__ for f in kernels.RULES} <= modules
    assert modules == {"simcoop.model.utility", "simcoop.model.keys", "simcoop.model.policy",
                       "simcoop.model.regional_identity"}


def test_a_changed_rule_module_misses_the_disk_cache(monkeypatch):
    """A kernel cached under the rules' present source loads; under another source (a rule
    changed since) it is not found, so numba compiles it anew instead of using the old rule."""
    kernel = kernels.contributions
    if not isinstance(kernel._cache, kernels._RulesCache):
        pytest.skip("no writable numba cache directory here: nothing is cached")
    kernel(0, np.array([1.0]), np.array([2.0, 3.0]), np.array([1.0, 1.0]), np.array([0, 2]), 0.4, 0.3)
    sig = kernel.signatures[0]
    assert kernel._cache.load_overload(sig, kernel.targetctx) is not None
    monkeypatch.setattr(kernels, "RULES_DIGEST", "0" * 64)
    assert kernel._cache.load_overload(sig, kernel.targetctx) is None


def test_kernels_compile_where_no_cache_directory_is_writable(monkeypatch):
    """A read-only install without a writable home: numba refuses cache=True at import;
    kernels._jit then compiles without a cache instead of failing."""
    from numba import njit
    from numba.core import caching
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])   # no writable cache directory

    def twice(a):
        return 2.0 * a

    with pytest.raises(RuntimeError, match="cannot cache"):
        njit(cache=True)(twice)
    assert kernels._jit(twice)(1.5) == 3.0


@pytest.mark.parametrize("n", [1, 2, 7, 13])
def test_vote_sets_equal_the_numpy_construction(n):
    before = np.random.default_rng(n).choice(300, size=n, replace=False).astype(np.int64)
    after = np.append(before, 299 - n)
    chooser, flat, ptr = kernels.vote_sets(before, 299 - n)
    assert np.array_equal(chooser, np.concatenate([before, before]))
    assert np.array_equal(flat, np.concatenate([np.tile(after, n), np.tile(before, n)]))
    assert np.array_equal(ptr, np.concatenate([np.arange(n + 1) * (n + 1), n * (n + 1) + np.arange(1, n + 1) * n]))
