"""The vectorised core gives what one-at-a-time computation gives.

Decisions are evaluated in batches (simcoop.model.evaluation, decisions.menus) and re-evaluated
only for municipalities whose options a move may have changed. These tests check the
three things that could go wrong: a set's result depending on the other sets of its batch,
a key or an economics formula differing between one set and many, and a stale menu being
used after a move.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simcoop
from simcoop.model import decisions, kernels, keys, trust
from simcoop.config import IgsConfig, KeyConfig
from simcoop.model.evaluation import Candidates, evaluate
from simcoop.model.igs import economics, economics_of_sets
from simcoop.model import CooperationModel
from simcoop.run import compose, to_sim_config

SYNTHETIC = ["data=synthetic", "data.n_municipalities=80", "data.n_regions=4", "end_year=2024"]


def _model_after(years: int, overrides=SYNTHETIC, seed: int = 0) -> CooperationModel:
    model = CooperationModel(to_sim_config(compose([*overrides, f"seed={seed}"])))
    for _ in range(years):
        model.step()
    return model


@pytest.mark.parametrize("key", ["per_inhabitant", "per_budget", "mixed", "fixed_plus_per_inhabitant"])
def test_keys_for_many_sets_equal_the_key_for_each_set(key):
    rng = np.random.default_rng(1)
    sizes = np.array([2, 5, 1, 12, 3])
    pop = rng.uniform(1e3, 2e5, sizes.sum())
    budget = pop * rng.uniform(1000, 2000, sizes.sum())
    need = rng.uniform(1e4, 1e6, len(sizes))
    ptr = np.concatenate([[0], np.cumsum(sizes)])
    many = kernels.contributions(kernels.KEY_CODES[key], need, pop, budget, ptr, 0.4, 0.3)
    for s in range(len(sizes)):
        one = keys.contributions(key, need[s], pop[ptr[s]:ptr[s + 1]], budget[ptr[s]:ptr[s + 1]], 0.4, 0.3)
        np.testing.assert_allclose(many[ptr[s]:ptr[s + 1]], one, rtol=1e-12)
        assert many[ptr[s]:ptr[s + 1]].sum() == pytest.approx(need[s], rel=1e-12)


def test_economics_of_many_sets_equal_each_set_alone():
    rng = np.random.default_rng(2)
    n = 40
    pop = rng.uniform(2e3, 1e5, n)
    staff = rng.uniform(0.5, 20, n)
    centre = rng.random(n) < 0.2
    sets = [rng.choice(n, size=k, replace=False) for k in (2, 7, 12, 3, 9)]
    flat = np.concatenate(sets)
    ptr = np.concatenate([[0], np.cumsum([len(s) for s in sets])])
    subsidy = rng.uniform(0, 1e5, len(sets))
    coordinators = rng.uniform(0, 2, len(sets))
    cfg = IgsConfig(staff_hosted_by_city=True)
    many = economics_of_sets(flat, ptr, pop, pop * 1500, staff, centre, KeyConfig(), cfg, subsidy, coordinators)
    for s, members in enumerate(sets):
        one = economics(members, pop, pop * 1500, staff, centre, KeyConfig(), cfg, subsidy[s], coordinators[s])
        part = slice(ptr[s], ptr[s + 1])
        np.testing.assert_allclose(many.agenda_share[part], one.agenda_share, rtol=1e-12)
        np.testing.assert_allclose(many.contributions[part], one.contributions, rtol=1e-12)
        assert many.host[s] == one.host
        assert many.paid_fte[s] == pytest.approx(one.paid_fte)


def test_a_candidate_is_evaluated_the_same_alone_or_in_a_batch():
    model = _model_after(4)
    rng = np.random.default_rng(3)
    n = model.land.n
    pairs = []
    for _ in range(60):
        members = rng.choice(n, size=int(rng.integers(2, 14)), replace=False)
        pairs.append((int(members[rng.integers(len(members))]), members))
    batch = evaluate(model, Candidates.of(pairs)).terms
    for k, pair in enumerate(pairs):
        alone = evaluate(model, Candidates.of([pair])).terms
        for name, value in alone.as_dict().items():
            in_batch = np.broadcast_to(getattr(batch, name), len(pairs))[k]
            assert in_batch == pytest.approx(np.ravel(value)[0], rel=1e-12, abs=1e-15), name


def test_menus_in_one_batch_equal_menus_one_by_one():
    model = _model_after(5, [*SYNTHETIC[:-1], "end_year=2030", "scenario=regions_by_2028"])
    everyone = decisions.menus(model, np.arange(model.land.n))
    for i in range(model.land.n):
        alone = decisions.menus(model, np.array([i]))[i]
        np.testing.assert_array_equal(alone.kinds, everyone[i].kinds)
        np.testing.assert_array_equal(alone.igs_ids, everyone[i].igs_ids)
        np.testing.assert_allclose(alone.utilities, everyone[i].utilities, rtol=1e-12)
        np.testing.assert_allclose(alone.cdf, everyone[i].cdf, rtol=1e-12)
    kinds = np.concatenate([m.kinds for m in everyone.values()])
    assert {decisions.STAY, decisions.LEAVE, decisions.JOIN, decisions.FOUND} <= set(kinds.tolist())


def test_a_menu_offers_only_reachable_igs_in_order_and_never_the_own():
    model = _model_after(5)
    for i in range(model.land.n):
        menu = decisions.menus(model, np.array([i]))[i]
        assert menu.kinds[0] == decisions.STAY
        joins = menu.igs_ids[menu.kinds == decisions.JOIN]
        assert (np.diff(joins) > 0).all() and model.member_of[i] not in joins
        for g in joins:
            members = np.array(model.igs[int(g)].members)
            assert np.isin(members, model.land.neighbours[i]).any()   # a member next door
        assert np.isclose(menu.cdf[-1], 1.0) and (np.diff(menu.cdf) >= 0).all()


def test_a_move_makes_stale_those_involved_and_their_neighbours_only():
    """An IGS in pieces (members far apart) still has every member's menu rebuilt after a move:
    the members are marked themselves, not only as someone's neighbour."""
    model = _model_after(0)
    far = [0, next(j for j in range(model.land.n) if j not in model.land.neighbours[0] and j != 0)]
    model._stale[:] = False
    model._moved(far)
    expected = np.zeros(model.land.n, bool)
    expected[far] = True
    for i in far:
        expected[model.land.neighbours[i]] = True
    assert np.array_equal(model._stale, expected)


@pytest.mark.parametrize("overrides,seed", [(SYNTHETIC, 2), (SYNTHETIC, 1),
                                             (["start=empty", "end_year=2022"], 0), (["end_year=2029"], 1),
                                             (["end_year=2030", "scenario=regions_by_2028"], 2)])
def test_reusing_menus_between_moves_changes_nothing(monkeypatch, overrides, seed):
    """The lazy decide phase (menus reused until a move may change them) gives the same
    history as recomputing every menu at every municipality's turn."""
    lazy = simcoop.simulate(overrides, seed=seed)
    original = CooperationModel._moved

    def everything_stale(self, involved):
        original(self, involved)
        self._stale[:] = True
    monkeypatch.setattr(CooperationModel, "_moved", everything_stale)
    fresh = simcoop.simulate(overrides, seed=seed)
    assert len(lazy.events) > 20, "the history must contain moves for the test to mean something"
    for table in ("yearly", "membership", "events", "igs"):
        pd.testing.assert_frame_equal(getattr(lazy, table), getattr(fresh, table))


def test_trust_between_municipalities_that_never_met_stays_at_its_initial_value():
    """Turnover updates only pairs that have met; that is exact only if every other pair
    still holds trust_initial."""
    model = _model_after(8, [*SYNTHETIC[:-1], "end_year=2030", "behaviour.turnover_probability=0.3"])
    n = model.land.n
    met = np.zeros((n, n), dtype=bool)
    for i, others in enumerate(model.met):
        met[i, list(others)] = True
    np.fill_diagonal(met, True)
    assert (met == met.T).all()
    trust = model.trust.dense()
    assert (trust[~met] == model.cfg.behaviour.trust_initial).all()
    assert (trust[met & ~np.eye(n, dtype=bool)] != model.cfg.behaviour.trust_initial).mean() > 0.5


class DenseTrust:
    """The n x n trust matrix the model used before trust.PairTrust: every pair stored."""

    def __init__(self, n: int, baseline: float):
        self.baseline, self.matrix = baseline, np.full((n, n), baseline)
        np.fill_diagonal(self.matrix, 1.0)

    def __getitem__(self, index):
        return self.matrix[index]

    def __setitem__(self, index, values):
        self.matrix[index] = values
        np.fill_diagonal(self.matrix, 1.0)

    def erode(self, rate: float) -> None:
        self.matrix = trust.towards_baseline(self.matrix, self.baseline, rate)
        np.fill_diagonal(self.matrix, 1.0)


@pytest.mark.parametrize("overrides,seed", [([*SYNTHETIC[:-1], "end_year=2030", "behaviour.turnover_probability=0.3"], 3),
                                             (["end_year=2031", "scenario=regions_by_2028"], 1)])
def test_trust_stored_for_pairs_that_met_gives_the_history_of_the_dense_matrix(monkeypatch, overrides, seed):
    """trust.PairTrust stores only pairs whose trust was set and erodes only those: the same
    history, table by table, as the full n x n matrix eroded as a whole."""
    sparse = simcoop.simulate(overrides, seed=seed)
    monkeypatch.setattr(trust, "PairTrust", DenseTrust)
    dense = simcoop.simulate(overrides, seed=seed)
    assert len(sparse.events) > 20 and sparse.yearly["mean_trust_members"].notna().all()
    for table in ("yearly", "membership", "events", "igs"):
        pd.testing.assert_frame_equal(getattr(sparse, table), getattr(dense, table), check_exact=True)


def test_pair_trust_reads_and_writes_as_a_dense_matrix():
    rng = np.random.default_rng(5)
    n = 30
    sparse, dense = trust.PairTrust(n, 0.3), DenseTrust(n, 0.3)
    for _ in range(200):
        a, b = rng.integers(0, n, rng.integers(1, 6)), rng.integers(0, n, rng.integers(1, 6))
        index = np.ix_(a, b) if rng.random() < 0.5 else (a[:min(len(a), len(b))], b[:min(len(a), len(b))])
        values = rng.random(np.broadcast_shapes(*(np.shape(x) for x in index)))
        sparse[index], dense[index] = values, values
        if rng.random() < 0.2:
            sparse.erode(0.1), dense.erode(0.1)
        rows, cols = rng.integers(0, n, 50), rng.integers(0, n, 50)
        np.testing.assert_array_equal(sparse[rows, cols], dense[rows, cols])
    np.testing.assert_array_equal(sparse.dense(), dense.matrix)
    assert 0 < sparse.pairs() < n * n


def test_mean_trust_of_all_igs_at_once_equals_each_igs_matrix():
    model = CooperationModel(to_sim_config(compose(["seed=2"])))   # the real IGS of 2025
    for _ in range(3):
        model.step()
    groups = [np.array(g.members, dtype=np.int64) for g in model.igs.values()] + [np.array([0], np.int64)]
    bounds = np.concatenate([[0], np.cumsum([len(m) for m in groups])]).astype(np.int64)
    got = model.mean_pair_trust(np.concatenate(groups), bounds)
    want = [model.trust[np.ix_(m, m)][~np.eye(len(m), dtype=bool)].mean() for m in groups[:-1]]
    assert len(want) > 10 and len(set(want)) > 1
    assert np.array_equal(got[:-1], want) and np.isnan(got[-1])   # bit for bit; a lone member has no pairs
