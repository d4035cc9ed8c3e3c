"""The pure maths, tested without a model: keys, trust, utility terms, policy, metrics."""

from __future__ import annotations

import numpy as np
import pytest

import simcoop

from simcoop.model import keys, metrics, policy, trust, utility
from simcoop.config import (
    BehaviourConfig,
    IgsConfig,
    IncentiveConfig,
    KeyConfig,
    RegionRuleConfig,
)
from simcoop.model.igs import economics

BEH = BehaviourConfig()
RNG = np.random.default_rng(42)


# ------------------------------------------------------------------ financial keys
@pytest.mark.parametrize("key", ["per_inhabitant", "per_budget", "mixed", "fixed_plus_per_inhabitant"])
@pytest.mark.parametrize("trial", range(5))
def test_every_key_raises_exactly_what_the_igs_needs(key, trial):
    n = int(RNG.integers(2, 15))
    pop, budget, need = RNG.uniform(2e3, 3e5, n), RNG.uniform(1e6, 9e8, n), float(RNG.uniform(1e4, 1e6))
    paid = keys.contributions(key, need, pop, budget, budget_weight=0.4, fixed_share=0.3)
    assert paid.sum() == pytest.approx(need, rel=1e-12)
    assert (paid >= 0).all()


def test_per_budget_shifts_cost_towards_richer_members():
    pop = np.array([20000.0, 20000.0, 60000.0])
    budget = pop * np.array([1200.0, 2400.0, 1500.0])  # the second is richer per inhabitant
    by_pop, by_budget = keys.per_inhabitant(1e5, pop), keys.per_budget(1e5, budget)
    assert by_budget[1] > by_pop[1]  # the rich member pays more
    assert by_budget[0] < by_pop[0]  # the poor member pays less
    rich_per_inh = by_budget / pop
    assert rich_per_inh[1] == rich_per_inh.max()


def test_mixed_key_runs_between_per_inhabitant_and_per_budget():
    pop, budget = np.array([1.0, 3.0]), np.array([5.0, 1.0])
    np.testing.assert_allclose(keys.mixed(10, pop, budget, 0.0), keys.per_inhabitant(10, pop))
    np.testing.assert_allclose(keys.mixed(10, pop, budget, 1.0), keys.per_budget(10, budget))


def test_a_fixed_fee_makes_small_members_pay_more_per_inhabitant():
    pop = np.array([5000.0, 100000.0])
    fee = keys.fixed_plus_per_inhabitant(1e5, pop, 0.5) / pop
    flat = keys.per_inhabitant(1e5, pop) / pop
    assert fee[0] > flat[0] and fee[1] < flat[1]


# ------------------------------------------------------------------ trust
def test_trust_comes_on_foot_and_leaves_on_horseback():
    start = np.array([0.5])
    gained = trust.update(start, +1.0, BEH.trust_gain, BEH.trust_loss) - start
    lost = start - trust.update(start, -1.0, BEH.trust_gain, BEH.trust_loss)
    assert 0 < gained[0] < lost[0]
    years_to_rebuild = 0
    t = trust.update(start, -1.0, BEH.trust_gain, BEH.trust_loss)
    while t[0] < start[0]:
        t = trust.update(t, +1.0, BEH.trust_gain, BEH.trust_loss)
        years_to_rebuild += 1
    assert years_to_rebuild > 3  # one bad year takes several good ones to repair


def test_trust_stays_between_zero_and_one():
    t = RNG.uniform(0, 1, 1000)
    for r in (-5.0, 5.0):
        u = trust.update(t, r, 0.9, 0.9)
        assert ((u >= 0) & (u <= 1)).all()


def test_erosion_and_turnover_move_trust_towards_the_baseline():
    """Untended trust and a new person at the table: one rule, a share of the way back to strangers' trust."""
    t = np.array([0.1, 0.9])
    moved = trust.towards_baseline(t, 0.3, 0.5)
    assert (abs(moved - 0.3) < abs(t - 0.3)).all()
    np.testing.assert_allclose(moved, [0.2, 0.6])
    assert np.array_equal(trust.towards_baseline(t, 0.3, 0.0), t)                # nothing moves
    np.testing.assert_allclose(trust.towards_baseline(t, 0.3, 1.0), [0.3, 0.3])   # all the way back
    assert np.array_equal(trust.towards_baseline(np.array([0.3]), 0.3, 0.7), [0.3])   # the baseline stays


# ------------------------------------------------------------------ metrics
def test_gini_matches_the_textbook_for_non_negative_values():
    assert metrics.gini(np.array([1.0, 1.0, 1.0])) == 0.0
    assert metrics.gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)  # (n-1)/n
    assert metrics.gini(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(0.25)


def test_gini_stays_in_unit_interval_with_negative_values():
    for _ in range(50):
        g = metrics.gini(RNG.normal(0, 1, int(RNG.integers(2, 20))))
        assert 0 <= g <= 1


def test_dominance_index_runs_from_population_weights_to_capture():
    pop = np.array([0.5, 0.25, 0.25])
    assert metrics.dominance_index(pop, pop) == 0.0
    assert metrics.dominance_index(np.array([1.0, 0, 0]), np.array([0, 0.5, 0.5])) == 1.0
    assert metrics.centre_excess(np.array([0.7, 0.3]), np.array([0.5, 0.5]), np.array([True, False])) \
        == pytest.approx(0.2)
    assert metrics.centre_excess(np.array([0.7, 0.3]), np.array([0.5, 0.5]), np.array([False, False])) == 0.0


# ------------------------------------------------------------------ policy
def test_no_subsidy_below_the_recognition_threshold():
    inc, rule = IncentiveConfig(), RegionRuleConfig()
    regions = np.array([0, 0])
    assert not policy.is_recognised(84999, 5, True, policy.spans_regions(regions), inc, rule, 2032)
    assert policy.subsidy(84999, False, inc, 2032) == 0.0
    assert policy.is_recognised(85000, 2, True, policy.spans_regions(regions), inc, rule, 2032)
    assert policy.subsidy(200000, True, inc, 2032) == pytest.approx(180000)


def test_the_norm_of_each_application():
    """cultuurbovenlokaal.be, call for 2020-2025: at least four surrounding municipalities, no
    population. VVSG 16-04-2024: applications in 2026, 85,000 inhabitants from 2027, or four
    adjacent municipalities in a transition to 2032 for the IGS already recognised (VVSG
    15-06-2023: 'een overgangsperiode'); after it, 85,000 alone."""
    inc, rule = IncentiveConfig(), RegionRuleConfig()
    assert policy.is_recognised(40000, 4, True, False, inc, rule, 2019)        # a small rural IGS of four
    assert not policy.is_recognised(300000, 3, True, False, inc, rule, 2019)   # three large ones are not an IGS
    assert policy.is_recognised(40000, 4, True, False, inc, rule, 2026, already_recognised=True)   # the transition keeps it
    assert not policy.is_recognised(40000, 4, True, False, inc, rule, 2026)    # ... not a new one founded to apply
    assert policy.is_recognised(40000, 4, True, False, IncentiveConfig(transition_for_new=True), rule, 2026)
    assert policy.is_recognised(300000, 3, True, False, inc, rule, 2026)       # the norm admits three large ones
    assert not policy.is_recognised(40000, 3, True, False, inc, rule, 2026)
    assert not policy.is_recognised(40000, 4, True, False, inc, rule, 2032, already_recognised=True)   # after it: grow or merge
    # "four adjacent municipalities": four in two pieces are not recognised on their number, and
    # never were; 85,000 inhabitants are, in one piece or not
    assert not policy.is_recognised(40000, 4, False, False, inc, rule, 2019)
    assert not policy.is_recognised(40000, 6, False, False, inc, rule, 2026, already_recognised=True)
    assert policy.is_recognised(90000, 6, False, False, inc, rule, 2026)
    assert policy.recognition_norm(inc, 2032) == (85000.0, policy.NO_MEMBERS_RULE)
    assert policy.recognition_norm(IncentiveConfig(norm_from=2016, transition_until=2015), 2019) \
        == (85000.0, policy.NO_MEMBERS_RULE)


def test_recognition_is_applied_for_per_period():
    inc = IncentiveConfig()
    # before the first period (the earlier decree) at any time; then only in the last year of a
    # period, for the next one: the first period ran to 2026 (VVSG: new recognition from 2027)
    assert [y for y in range(2016, 2040) if policy.recognition_open(inc, y)] == [2016, 2017, 2018, 2019, 2026,
                                                                               2032, 2038]
    assert [policy.granted_until(inc, y) for y in (2017, 2019, 2026, 2032)] == [2019, 2026, 2032, 2038]
    six = IncentiveConfig(first_period_years=6)   # equal periods: 2020-2025, 2026-2031, ...
    assert [y for y in range(2020, 2040) if policy.is_renewal_year(six, y)] == [2025, 2031, 2037]


def test_subsidy_floor_and_network_bonus():
    inc = IncentiveConfig(subsidy_minimum=100000, network_bonus_per_inhabitant=0.2)
    assert policy.subsidy(90000, True, inc, 2027) == 100000  # floor above 0.90 x 90,000
    assert policy.subsidy(90000, True, inc, 2027, network=True) == pytest.approx(100000 + 18000)


def test_the_subsidy_of_each_decree():
    """Decree of 2018 (cultuurbovenlokaal.be): at most EUR 100,000 a year in 2020-2025; decree of
    2024 (cultuuroptil.be): EUR 0.90 per inhabitant with a floor of EUR 100,000, no cap. Large
    IGS got the same as middling ones, then more."""
    inc = IncentiveConfig()
    assert [policy.subsidy(p, True, inc, 2022) for p in (50000, 200000, 400000)] == \
        pytest.approx([45000, 100000, 100000])
    assert policy.subsidy(400000, True, inc, 2025) == 100000
    # like the norm, from the application of 2026, whose decisions are about the next period
    assert [policy.subsidy(p, True, inc, 2026) for p in (50000, 200000, 400000)] == \
        pytest.approx([100000, 180000, 360000])
    assert policy.subsidy(400000, True, inc, 2017) == 100000   # formation years: the first call's decree
    # the members put in at least the subsidy to 2025, and 75% of it from 2026
    assert [policy.cofunding_share(inc, y) for y in (2017, 2025, 2026)] == [1.0, 1.0, 0.75]


def test_the_model_pays_each_year_by_its_decree():
    """From the real 2025 landscape: in 2025 no recognised IGS gets more than EUR 100,000 (large
    ones hit the cap), from 2026 none gets less, and the large ones get EUR 0.90 per inhabitant."""
    res = simcoop.simulate(["end_year=2026", "incentive.networks=false"], seed=0)
    igs = res.igs[res.igs["recognised"]]
    first, second = igs[igs["year"] == 2025], igs[igs["year"] == 2026]
    assert first["subsidy_eur"].max() == pytest.approx(100000)
    assert (first.loc[first["population"] > 111112, "subsidy_eur"] == 100000).all()
    assert second["subsidy_eur"].min() == pytest.approx(100000)
    large = second[second["population"] > 111112]
    assert len(large) and np.allclose(large["subsidy_eur"], 0.9 * large["population"])
    # a small IGS at the floor (IJzervallei, about 35,000 inhabitants) puts in 75% of it
    small = second[second["population"] < 75000]
    paid = res.membership[res.membership["year"] == 2026].groupby("igs_id")["contribution_eur"].sum()
    assert len(small) and np.allclose(paid.loc[small["igs_id"]], 75000)


def test_a_small_igs_at_the_floor_puts_in_three_quarters_of_it():
    """Decree of 2024: the members fund at least 75% of the subsidy, so an IGS of 40,000
    inhabitants paid the EUR 100,000 floor puts in EUR 75,000, not EUR 1 per inhabitant."""
    pop = np.array([10000.0, 10000.0, 10000.0, 10000.0])
    e = economics(np.arange(4), pop, pop * 1500, np.ones(4), np.zeros(4, bool), KeyConfig(), IgsConfig(),
                  100000.0, recognised=True, least_need=75000.0)
    assert e.need == pytest.approx(75000) and e.contributions.sum() == pytest.approx(75000)
    large = economics(np.arange(4), pop * 10, pop * 15000, np.ones(4), np.zeros(4, bool), KeyConfig(), IgsConfig(),
                      360000.0, recognised=True, least_need=270000.0)
    assert large.need == pytest.approx(400000)   # EUR 1 per inhabitant is more than 75% of 0.90


@pytest.mark.parametrize("overrides", [["incentive=none"], ["lever=subsidy_0"]])
def test_no_subsidy_means_no_flemish_money_under_any_decree(overrides):
    """The counterfactual and the lever pay nothing (no rate and no floor), in the formation years
    and from 2026."""
    early = simcoop.simulate(["start=empty", "start_year=2016", "end_year=2021", *overrides], seed=1)
    late = simcoop.simulate(["end_year=2027", *overrides], seed=1)
    for res in (early, late):
        assert res.yearly["n_recognised"].max() > 0 and res.yearly["subsidy_total_eur"].max() == 0.0


def test_region_rule_from_announcement_to_deadline_to_repeal():
    rule = RegionRuleConfig(mode="forced", announce_year=2023, deadline=2028, repeal_year=2032)
    inc, two_regions = IncentiveConfig(), np.array([0, 1])
    assert policy.cross_region_allowed(rule, 2022) and not policy.cross_region_allowed(rule, 2023)
    assert policy.is_recognised(1e5, 4, True, policy.spans_regions(two_regions), inc, rule, 2027)
    assert not policy.is_recognised(1e5, 4, True, policy.spans_regions(two_regions), inc, rule, 2028)
    assert policy.region_rule_in_force(rule, 2031) and not policy.region_rule_in_force(rule, 2032)
    assert policy.cross_region_allowed(rule, 2032)
    free = RegionRuleConfig(mode="free")
    assert policy.is_recognised(1e5, 4, True, policy.spans_regions(two_regions), inc, free, 2040) and policy.cross_region_allowed(free, 2040)


def test_home_region_holds_most_inhabitants():
    assert policy.home_region(np.array([0, 1, 1]), np.array([100000.0, 30000.0, 40000.0])) == 0
    assert policy.home_region(np.array([2, 1, 1]), np.array([50000.0, 30000.0, 40000.0])) == 1


def test_elections_and_the_political_gate():
    assert [y for y in range(2016, 2037) if policy.is_election_year(BEH, y)] == [2018, 2024, 2030, 2036]
    assert [y for y in range(2016, 2037) if policy.is_legislature_start(BEH, y)] == [2019, 2025, 2031]
    assert policy.gate_probability(0.3, BEH, 2025) == pytest.approx(0.3 * BEH.election_boost)
    assert policy.gate_probability(0.3, BEH, 2026) == pytest.approx(0.3)
    assert policy.gate_probability(0.9, BEH, 2025) == 1.0


# ------------------------------------------------------------------ utility terms
def test_scale_benefit_has_diminishing_returns_and_nothing_alone():
    s = [utility.scale_benefit(p, 20000, 150000, 1.0) for p in (20000, 100000, 180000, 260000)]
    assert s[0] == 0.0
    steps = np.diff(s)
    assert (steps > 0).all() and (np.diff(steps) < 0).all()


def test_transaction_cost_grows_with_members_and_reaches_the_weight_at_the_feasible_size():
    costs = [utility.transaction_cost(n, 12, 0.4) for n in range(2, 16)]
    assert (np.diff(costs) < 0).all()
    assert utility.transaction_cost(12, 12, 0.4) == pytest.approx(-0.4)


def test_staff_time_weighs_more_on_a_loaded_municipality_with_few_staff():
    small_loaded = utility.staff_time_cost(0.1, own_staff=1.0, workload=0.9, weight=2.0)
    large_free = utility.staff_time_cost(0.1, own_staff=20.0, workload=0.3, weight=2.0)
    assert small_loaded < large_free < 0


def test_trust_conditions_benefits_and_founding():
    assert utility.working_relationship(0.25, 0.5) == 0.5
    assert utility.working_relationship(0.9, 0.5) == 1.0
    assert utility.knowledge_sharing(1.6, 2.0, 1.0) > utility.knowledge_sharing(
        0.4, 2.0, 1.0)
    assert utility.founding_cost(0.7, 1.0) > utility.founding_cost(0.3, 1.0)  # less negative


def test_inertia_grows_with_tenure_until_maturity():
    values = [utility.inertia(t, 6, 0.3) for t in (0, 3, 6, 12)]
    assert values[0] < values[1] < values[2] == values[3] == pytest.approx(0.3)


def test_total_is_material_plus_identity_inertia_and_founding():
    t = utility.Terms(scale=0.5, money=-0.1, transaction=-0.2, identity=0.3, inertia=0.2, founding=-0.4)
    assert t.material == pytest.approx(0.2)
    assert t.total == pytest.approx(0.3)


# ------------------------------------------------------------------ IGS economics (P3)
def _igs(cfg: IgsConfig, coordinator_fte: float = 0.0):
    pop = np.array([80000.0, 15000.0, 12000.0, 10000.0])
    staff = np.array([24.0, 2.0, 1.8, 1.5])
    centre = np.array([True, False, False, False])
    return economics(np.arange(4), pop, pop * 1500, staff, centre, KeyConfig(), cfg,
                     subsidy=0.9 * pop.sum(), coordinator_fte=coordinator_fte, recognised=True)


def test_economics_conserves_money():
    e = _igs(IgsConfig())
    assert e.contributions.sum() == pytest.approx(e.need)
    assert e.subsidy_shares.sum() == pytest.approx(e.subsidy)
    assert e.agenda_share.sum() == pytest.approx(1.0)


def test_centre_city_dominates_when_it_hosts_the_staff_and_less_with_own_staff():
    hosted = _igs(IgsConfig(staff_hosted_by_city=True))
    assert hosted.host == 0 and hosted.centre_excess > 0.1
    own = [_igs(IgsConfig(staff_hosted_by_city=False, own_staff_share=s)).centre_excess for s in (0.1, 0.5, 0.9)]
    assert own[0] > own[1] > own[2] and own[0] < hosted.centre_excess


def test_flemish_coordinators_relieve_members_and_dilute_dominance():
    base, helped = _igs(IgsConfig()), _igs(IgsConfig(), coordinator_fte=2.0)
    assert (helped.coordination_fte < base.coordination_fte).all()
    assert helped.centre_excess < base.centre_excess
