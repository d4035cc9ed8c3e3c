"""Mechanisms that bite: each lever acts through the mechanism the study describes, so it can
change an outcome. Pure rules first, then the paired-seed signs on a small lever sweep."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from simcoop.model import attributes, decisions, evaluation, igs, utility
from simcoop.data import realdata
from simcoop.analysis import levers, partition_stats
from simcoop.config import AttributesConfig, BehaviourConfig, IgsConfig, KeyConfig
from simcoop.data.landscape import embedded_path, load_landscape
from simcoop.model import CooperationModel
from simcoop.run import compose, to_sim_config

LAND = load_landscape()
REAL = realdata.load(LAND, embedded_path())


def _index(name: str) -> int:
    return int(np.flatnonzero(LAND.name == name)[0])


def test_per_budget_key_makes_rich_municipalities_pay_more_per_inhabitant():
    budget = attributes.budgets(LAND.population, REAL.income_per_inhabitant, LAND.centre, AttributesConfig())
    members = np.array([_index(n) for n in ("Sint-Martens-Latem", "Deinze", "Ronse", "Gent")])
    pop = LAND.population[members]
    per_budget = igs.economics(members, LAND.population, budget, np.ones(LAND.n), LAND.centre,
                               KeyConfig(name="per_budget"), IgsConfig(), 0.0)
    per_inh = igs.economics(members, LAND.population, budget, np.ones(LAND.n), LAND.centre,
                            KeyConfig(name="per_inhabitant"), IgsConfig(), 0.0)
    assert np.allclose(per_inh.contributions / pop, 1.0)
    latem, deinze, ronse, gent = per_budget.contributions / pop
    assert latem > deinze > ronse          # real income: the richer pays more per inhabitant
    assert gent > deinze                   # the centre city (centre functions) pays more too
    assert per_budget.contributions.sum() == pytest.approx(per_inh.contributions.sum())


def test_a_member_with_little_say_on_the_agenda_can_be_a_net_payer():
    pop = np.array([200000.0, 15000.0, 15000.0])
    staff = np.array([40.0, 1.0, 1.0])
    centre = np.array([True, False, False])
    e = igs.economics(np.arange(3), pop, pop * 1500, staff, centre, KeyConfig(), IgsConfig(), 0.9 * pop.sum())
    assert e.host == 0 and e.agenda_share[0] > e.population_share[0]
    assert (e.returned[1:] < e.contributions[1:]).all() and e.returned[0] > e.contributions[0]
    fair = igs.economics(np.arange(3), pop, pop * 1500, staff, centre, KeyConfig(),
                         IgsConfig(programme_follows_agenda=0.0), 0.9 * pop.sum())
    assert (fair.returned > fair.contributions).all()   # spread per inhabitant, everyone gains


def test_small_municipalities_prefer_an_igs_of_ideal_size():
    sizes = [utility.scale_benefit(p, 15000, 150000, 1.0, 300000, 0.5) for p in (100000, 300000, 900000)]
    assert sizes[1] > sizes[0] and sizes[1] > sizes[2]


def test_centre_cities_value_their_regional_role_and_their_freedom():
    assert utility.centre_role(True, 0.3, 0.4) == pytest.approx(-0.1)
    assert utility.centre_role(False, 0.3, 0.4) == pytest.approx(-0.4)


def test_a_centre_citys_neighbours_already_have_part_of_the_benefits_next_door():
    near = LAND.borders_centre
    gent, destelbergen, lochristi, poperinge, beveren, sint_niklaas, temse = (_index(n) for n in (
        "Gent", "Destelbergen", "Lochristi", "Poperinge", "Beveren-Kruibeke-Zwijndrecht", "Sint-Niklaas", "Temse"))
    assert near[destelbergen] and not near[gent]                 # a centre city is nobody's rand
    assert not near[poperinge]                                   # no centre city next door
    assert utility.centre_shadow(np.array([True, False]), 0.75) == pytest.approx([0.25, 1.0])
    # in the model: without Gent, Destelbergen's scale, expertise and exchange shrink by the
    # share; with Gent in the IGS, for a municipality with no centre city next door, or with
    # either of the two centre cities Beveren borders (Antwerpen, Sint-Niklaas), they do not
    # an oversized IGS without Gent (the non-centre municipalities of Oost-Vlaanderen, 1.1
    # million inhabitants): its scale term is a penalty, which the shadow leaves whole
    east = np.flatnonzero((REAL.province == "Oost-Vlaanderen") & ~LAND.centre)
    oversized = [destelbergen, *east[east != destelbergen]]
    sets = [(destelbergen, [destelbergen, lochristi]), (destelbergen, [destelbergen, gent, lochristi]),
            (poperinge, [poperinge, _index("Ieper")]), (beveren, [beveren, sint_niklaas, temse]),
            (destelbergen, oversized)]
    terms = {}
    for share in (0.0, 0.75):
        model = _model([f"behaviour.centre_function_share={share}"])
        cands = evaluation.Candidates.of([(i, np.array(m)) for i, m in sets])
        terms[share] = evaluation.evaluate(model, cands).terms
    for name in ("scale", "expertise", "knowledge"):
        shaded, full = getattr(terms[0.75], name), getattr(terms[0.0], name)
        assert shaded[0] == pytest.approx(0.25 * full[0]) and (shaded[1:4] == full[1:4]).all()
    assert terms[0.0].scale[4] < 0 and terms[0.75].scale[4] == terms[0.0].scale[4]        # the penalty stays
    assert terms[0.75].knowledge[4] == pytest.approx(0.25 * terms[0.0].knowledge[4])      # the benefits shrink
    assert (terms[0.75].money == terms[0.0].money).all()
    assert terms[0.0].scale[0] > 0 and terms[0.0].knowledge[0] > 0


def test_the_centre_citys_shadow_keeps_its_neighbours_out_of_igs_in_formation_runs():
    """Reality: 43% of a centre city's neighbours are in an IGS against 55% of the others
    (docs/validation.md). The lever turns the model's shadow towards that sign."""
    member_of = {share: [_model(["start=empty", "end_year=2025", f"seed={seed}",
                                 f"behaviour.centre_function_share={share}"]).run().member_of
                         for seed in range(3)] for share in (0.0, 0.75)}
    near = LAND.borders_centre
    shadow = {share: np.mean([partition_stats.centre_shadow(m >= 0, near, LAND.centre) for m in runs])
              for share, runs in member_of.items()}
    assert shadow[0.75] < shadow[0.0] - 0.1
    assert shadow[0.75] < 0


def test_identity_comes_from_data():
    aff = attributes.affinity_of(LAND, REAL, AttributesConfig())
    waas = [_index(n) for n in ("Sint-Niklaas", "Temse")]          # same arrondissement, Erfgoedcel Waasland
    far = [_index(n) for n in ("Sint-Niklaas", "Genk")]
    assert aff(np.array([waas[0]]), np.array([waas[1]]))[0] > aff(np.array([far[0]]), np.array([far[1]]))[0]
    # a pair with a municipality absent from the partial heritage list is scored on what the data
    # has (arrondissement, housing IGS, streek), re-weighted to the same scale: the list's absence
    # neither counts as a shared cooperation (the listed pairs' base rate) nor as none
    unknown = np.flatnonzero(~REAL.heritage_known)
    pairs = [(a, b) for a in unknown for b in LAND.neighbours[a]]
    streek = (aff.uit_region[:, None] & aff.uit_region[None, :]) != 0

    def pair(arr: bool, streek_: bool) -> tuple[int, int]:
        return next((a, b) for a, b in pairs if (aff.arrondissement[a] == aff.arrondissement[b]) == arr
                    and streek[a, b] == streek_ and aff.housing[a] != aff.housing[b])
    w = AttributesConfig()
    scale = (w.affinity_arrondissement + w.affinity_housing + w.affinity_uit_region + w.affinity_heritage) / (
        w.affinity_arrondissement + w.affinity_housing + w.affinity_uit_region)
    for arr, streek_, expected in [(True, False, w.affinity_arrondissement), (False, True, w.affinity_uit_region),
                                   (True, True, w.affinity_arrondissement + w.affinity_uit_region)]:
        a, b = pair(arr, streek_)
        assert aff(np.array([a]), np.array([b]))[0] == pytest.approx(expected * scale)
    a, b = pair(False, False)
    assert aff(np.array([a]), np.array([b]))[0] == 0.0
    # the regions the list misses are no longer lifted above those it covers
    listed = np.bincount(LAND.region, weights=REAL.heritage_known) / np.bincount(LAND.region)
    identity = attributes.derive(LAND, REAL, AttributesConfig(), BehaviourConfig(),
                                 np.random.default_rng(0)).region_identity
    assert stats.spearmanr(listed, identity)[0] > -0.15   # -0.25 with the base rate


def _model(overrides: list[str]) -> CooperationModel:
    return CooperationModel(to_sim_config(compose(overrides)))


def test_an_igs_founded_within_a_period_waits_for_the_next_application_year():
    """From the real start, 2026 is the application year for 2027-2032; an IGS founded later
    waits for the 2032 application (for 2033-2038), so the number of recognised IGS cannot
    grow within 2027-2032 (P9)."""
    model = _model(["end_year=2032"]).run()
    later = [g for g in model.igs.values() if g.founded > 2026]
    assert all(model.recognised_until.get(g.igs_id, 0) in (0, 2038) for g in later)
    counts = model.datacollector.get_model_vars_dataframe().set_index("year")["n_recognised"]
    assert (counts.loc[2027:2031] <= counts.loc[2027]).all()
    assert (counts >= 15).all()


def test_the_per_budget_key_lowers_what_rich_members_get_back_per_euro_and_weighs_on_staying():
    runs = {key: _model([f"key={key}", "end_year=2028", "behaviour.turnover_probability=0"]).run()
            for key in ("per_inhabitant", "per_budget")}
    rich = REAL.income_per_inhabitant >= np.quantile(REAL.income_per_inhabitant, 2 / 3)
    ratio = {}
    for key, model in runs.items():
        both = rich & (runs["per_inhabitant"].member_of >= 0) & (runs["per_budget"].member_of >= 0)
        ratio[key] = np.median(model.balance[both] / model.paid[both])
    assert ratio["per_budget"] < ratio["per_inhabitant"]
    # the running balance per euro paid enters the stay option: a member that got back less
    # than it paid values staying less than one that got back more
    model = runs["per_inhabitant"]
    member = int(np.flatnonzero(model.member_of >= 0)[0])
    stay = {}
    for balance in (-0.3, 0.3):
        model.balance[member], model.paid[member] = balance * 1e5, 1e5
        menu = decisions.menus(model, np.array([member]))[member]
        stay[balance] = menu.utilities[menu.kinds == decisions.STAY][0]
    assert stay[0.3] - stay[-0.3] == pytest.approx(0.6 * model.cfg.behaviour.w_balance)


def test_an_igs_whose_members_lost_out_does_not_renew_at_the_end_of_its_period():
    model = _model(["end_year=2032"])
    model.year = 2032                                   # the end of the period 2027-2032
    losing, doing_well = [g for g in model.igs.values() if len(g.members) >= 4][:2]
    for g, ratio in ((losing, -2.0), (doing_well, 0.5)):
        model.balance[g.members], model.paid[g.members] = ratio * 1e5, 1e5
    model.renew_or_disband()
    assert losing.igs_id not in model.igs and doing_well.igs_id in model.igs
    assert model.counts["breakups_recognised"] == 1


def test_a_partner_invited_to_split_off_weighs_its_balance_as_in_its_own_menu():
    """An invitation to found is judged against what staying is worth in the partner's own
    menu (terms, inertia and its balance per euro paid), not against the terms alone."""
    model = _model(["end_year=2032"])
    model.year = 2032                                   # a renewal year: splits are possible
    g = next(g for g in model.igs.values() if len(g.members) >= 4)
    founder, partner = g.members[:2]
    menu = decisions.menus(model, np.array([partner]))[partner]
    stay = menu.utilities[menu.kinds == decisions.STAY][0]
    ev = evaluation.evaluate(model, evaluation.Candidates.of([(partner, np.array(g.members))], igs_id=g.igs_id))
    assert decisions.value_of_staying(model, np.array([partner]), ev.terms.total)[0] == pytest.approx(stay)
    model.political_will[:] = 1.0                       # the council always follows
    accepted = {}
    for ratio in (-50.0, 50.0):                         # lost or gained 50 EUR per EUR paid
        model.balance[partner], model.paid[partner] = ratio * 1e5, 1e5
        accepted[ratio] = decisions.accepts_founding(model, np.array([partner]), np.array([founder, partner]))
    assert accepted == {-50.0: [partner], 50.0: []}


def _founding_triples(model: CooperationModel, wanted):
    """(founder, partner, other) among neighbours for which `wanted(value of the three, value
    of founder and partner alone)` holds (`decisions.wants_to_found` of each set)."""
    for f in range(model.land.n):
        for a, b in itertools.permutations([int(j) for j in model.land.neighbours[f]], 2):
            three, two = np.array([f, a, b]), np.array([f, a])
            if wanted(decisions.wants_to_found(model, three, three), decisions.wants_to_found(model, two, two)):
                return f, a, b
    raise AssertionError("no such triple on the map")


def test_nobody_is_held_to_a_founding_smaller_than_it_agreed_to():
    """A partner says yes to the invited set; if another declines, the partners left weigh the
    smaller set again, and it forms only with those who still gain (before, the yes to an IGS
    with, say, a centre city bound a partner to the rump without it). The initiator goes on."""
    model = _model(["start=empty", "start_year=2016", "end_year=2025"])
    model.political_will[:] = 1.0                       # councils follow their officials
    # the partner gains only with the third, who declines
    f, a, b = _founding_triples(model, lambda three, two: three[1] and not three[2] and not two[1])
    assert decisions.accepts_founding(model, np.array([a, b]), np.array([f, a, b])) == []
    # the control: all three gain, so all found
    f, a, b = _founding_triples(model, lambda three, two: three.all())
    assert decisions.accepts_founding(model, np.array([a, b]), np.array([f, a, b])) == [a, b]
    # and a partner who gains from the pair as well founds it when the third declines
    f, a, b = _founding_triples(model, lambda three, two: three[0] and three[1] and not three[2] and two.all())
    assert decisions.accepts_founding(model, np.array([a, b]), np.array([f, a, b])) == [a]


def test_the_partners_left_are_the_ones_who_still_gain_in_invitation_order():
    """Three invited, the middle one declines: the two others weigh the set without it, and
    each answer goes with its own partner (not with the invitation list, which would keep the
    one who declined)."""
    model = _model(["start=empty", "start_year=2016", "end_year=2025"])
    model.political_will[:] = 1.0
    for f in range(model.land.n):
        for a, b, c in itertools.permutations([int(j) for j in model.land.neighbours[f]], 3):
            full = np.array([f, a, b, c])
            w = decisions.wants_to_found(model, full, full)
            if w[1] and not w[2] and w[3]:
                rest = np.array([f, a, c])
                kept = decisions.wants_to_found(model, np.array([a, c]), rest)
                # the first drops out, the last still gains, and still does once alone with the founder
                if not kept[0] and kept[1] and decisions.wants_to_found(model, np.array([c]), np.array([f, c]))[0]:
                    assert decisions.accepts_founding(model, np.array([a, b, c]), full) == [c]
                    return
    raise AssertionError("no such founding on the map")


def test_leaving_costs_within_a_period_and_is_free_at_its_end():
    model = _model(["end_year=2032"])
    member = int(np.flatnonzero(model.member_of >= 0)[0])
    model.year = 2028   # within 2027-2032
    costly = decisions.menus(model, np.array([member]))[member]
    assert costly.utilities[costly.kinds == decisions.LEAVE][0] == pytest.approx(-model.cfg.behaviour.exit_cost)
    for last_year in (2026, 2032):   # the end of the first period and of the next
        model.year = last_year
        free = decisions.menus(model, np.array([member]))[member]
        assert free.utilities[free.kinds == decisions.LEAVE][0] == 0.0


def test_untended_trust_decays_outside_igs():
    model = _model(["start=empty", "end_year=2024", "behaviour.turnover_probability=0"])
    groups = [g for g in REAL.heritage_groups if len(g) >= 3]
    pairs = np.array([(a, b) for g in groups for a in g for b in g if a < b])
    before = model.trust[pairs[:, 0], pairs[:, 1]].copy()
    model.cfg.behaviour.political_will_mean = 0.0
    model.political_will[:] = 0.0                     # nobody acts: no IGS can tend the ties
    for _ in range(8):
        model.step()
    after = model.trust[pairs[:, 0], pairs[:, 1]]
    assert (after < before - 0.05).mean() > 0.9


@pytest.fixture(scope="module")
def lever_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("levers")
    subprocess.run([sys.executable, "-m", "simcoop", "-m", "+experiment=levers_small",
                    f"hydra.sweep.dir={root}/levers_small", "hydra.launcher.n_jobs=2"],
                   check=True, cwd=root, capture_output=True, text=True)
    return levers.lever_table(levers.per_run(root / "levers_small"))


@pytest.mark.parametrize("lever,outcome,sign", [
    ("key per budget vs per inhabitant", "rich_pays", +1),        # the rich pay more
    ("trust loss 3 x gain vs = gain", "trust", -1),              # trust leaves on horseback
    ("no region rule vs by 2031", "cross_region", +1),
    ("IGS's own staff vs hosted", "dominance", -1),
])
def test_lever_moves_its_outcome_in_the_direction_of_the_study(lever_runs, lever, outcome, sign):
    row = lever_runs[lever_runs["lever"] == lever].set_index("outcome").loc[outcome]
    assert row["linked"] and row["holds"], row
    assert (row["ci_low"] > 0) if sign > 0 else (row["ci_high"] < 0), row
