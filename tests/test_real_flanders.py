"""The real Flemish landscape: data loaded and validated, the run that starts from the real
IGS cultuur of 2025, and the region rule applied to them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simcoop.model import policy
from simcoop.data import realdata
from simcoop.config import IncentiveConfig
from simcoop.errors import ConfigError, DataError
from simcoop.data.landscape import embedded_path, load_landscape
from simcoop.model import CooperationModel
from simcoop.run import compose, to_sim_config

LAND = load_landscape()
REAL = realdata.load(LAND, embedded_path())


def test_real_igs_on_the_2025_map_follow_the_merger_rule():
    assert len(REAL.igs) == 19
    by_name = {LAND.name[i]: g.name for g in REAL.igs for i in g.members}
    # Borsbeek (Zuidrand) merged into Antwerpen but is a small part of it: Antwerpen is no member
    assert "Antwerpen" not in by_name
    # Tessenderlo's larger part of Tessenderlo-Ham was in de Merode; Aarschot and Diest left
    assert by_name["Tessenderlo-Ham"] == "Cultuurregio de Merode"
    assert "Aarschot" not in by_name and "Diest" not in by_name
    centres = sorted(n for n in by_name if LAND.centre[list(LAND.name).index(n)])
    assert centres == ["Genk", "Kortrijk", "Roeselare", "Sint-Niklaas"]
    members = np.concatenate([g.members for g in REAL.igs])
    assert len(members) == len(set(members.tolist()))   # one IGS per municipality


def test_real_igs_show_their_display_name_in_the_order_of_their_key(tmp_path):
    """People see the IGS's name, not the researcher's note in the data key; the order (and so
    the IGS ids of a run) follows the key, so a display name changes no result."""
    names = [g.name for g in REAL.igs]
    assert "ECRU" in names and "Cultuurnetwerk Kempen (Stuifzand)" in names
    assert not any(note in n for n in names for note in ("listed as", "now ", "OP/TIL"))
    for name in ("municipalities.csv", "adjacency.csv", realdata.PREDECESSORS_FILE):
        (tmp_path / name).write_bytes((embedded_path() / name).read_bytes())
    table = pd.read_csv(embedded_path() / realdata.IGS_FILE, dtype=str, keep_default_na=False)

    def loaded(t: pd.DataFrame) -> tuple[realdata.RealIGS, ...]:
        t.to_csv(tmp_path / realdata.IGS_FILE, index=False)
        return realdata.load(load_landscape(tmp_path), tmp_path).igs
    without = loaded(table.drop(columns="display_name"))        # no display name: the key is shown
    assert "ECRU (listed as Midden-Limburg by OP/TIL)" in [g.name for g in without]
    renamed = loaded(table.assign(display_name=table["display_name"].replace({"BIE": "Zuid-BIE", "ECRU": ""})))
    assert renamed[0].name == "Zuid-BIE" and np.array_equal(renamed[0].members, REAL.igs[0].members)
    assert "ECRU (listed as Midden-Limburg by OP/TIL)" in [g.name for g in renamed]   # empty: the key
    for shown, keyed in zip(REAL.igs, without):   # the same IGS at each place, whatever is shown
        assert np.array_equal(shown.members, keyed.members)


def test_fiscal_capacity_is_real_and_complete():
    income = pd.Series(REAL.income_per_inhabitant, index=LAND.name)
    assert income.notna().all()
    assert income["Sint-Martens-Latem"] > 1.3 * income.median() > income["Antwerpen"]


def test_bad_fiscal_file_gives_a_one_line_error(tmp_path):
    for name in ("municipalities.csv", "adjacency.csv"):
        (tmp_path / name).write_bytes((embedded_path() / name).read_bytes())
    lines = (embedded_path() / realdata.FISCAL_FILE).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")
    row[header.index("inhabitants")] = "-5"
    lines[3] = ",".join(row)
    (tmp_path / realdata.FISCAL_FILE).write_text("\n".join(lines), encoding="utf-8")
    land = load_landscape(tmp_path)
    with pytest.raises(DataError, match=r"fiscal_income_2022.csv row 3, field inhabitants") as exc:
        realdata.load(land, tmp_path)
    assert "\n" not in str(exc.value)


def test_uit_regions_cover_every_municipality_and_mergers_keep_every_part_s_region():
    table = pd.read_csv(embedded_path() / realdata.UIT_REGIONS_FILE)
    assert (REAL.uit_regions != 0).all()           # every municipality of 2025 is in a streek
    names = sorted(set(table["uit_region"]))
    index = {int(c): i for i, c in enumerate(LAND.nis)}
    for nis, rows in table.groupby("nis_2025"):
        expected = sum(1 << names.index(r) for r in set(rows["uit_region"]))
        assert REAL.uit_regions[index[int(nis)]] == expected
    by_name = dict(zip(LAND.name, REAL.uit_regions))
    assert by_name["Sint-Niklaas"] == by_name["Temse"] != by_name["Kortrijk"]
    assert bin(by_name["Deinze"]).count("1") == 2  # Deinze (Leiestreek) and Nevele (Meetjesland)
    for merged in ("Hasselt", "Lochristi", "Tielt"):   # 2025 mergers across two streken
        assert bin(by_name[merged]).count("1") == 2, merged


def test_an_unknown_streek_is_neutral_on_a_synthetic_landscape():
    """No UiT regions in the data: the streek weight is not lost, the known components are
    re-weighted to the full total (as for the heritage list), so identity keeps its scale."""
    from simcoop.config import AttributesConfig
    from simcoop.data.landscape import synthetic_landscape
    from simcoop.model.attributes import affinity_of
    land = synthetic_landscape(np.random.default_rng(0), 120, 8, 4, 23000.0)
    real = realdata.synthetic(land, np.random.default_rng(1))
    assert (real.uit_regions == 0).all()
    w = AttributesConfig()
    rows = np.repeat(np.arange(land.n), [len(nb) for nb in land.neighbours])
    cols = np.concatenate(land.neighbours)
    values = affinity_of(land, real, w)(rows, cols)
    full = w.affinity_arrondissement + w.affinity_heritage + w.affinity_housing + w.affinity_uit_region
    same_region = land.region[rows] == land.region[cols]   # synthetic arrondissements are the regions
    # known: arrondissement and housing (none here); unknown: heritage and streek
    expected = w.affinity_arrondissement * full / (w.affinity_arrondissement + w.affinity_housing)
    assert same_region.any() and (~same_region).any()
    assert np.allclose(values[same_region], expected) and np.allclose(values[~same_region], 0.0)


@pytest.mark.parametrize("column,value,message", [
    ("nis_2025", "99999", r"uit_regions_2019.csv row 2, field nis_2025: unknown NIS code 99999"),
    ("uit_region", "", r"uit_regions_2019.csv row 2, field uit_region: empty; expected a region name"),
])
def test_bad_uit_regions_file_gives_a_one_line_error(tmp_path, column, value, message):
    for name in ("municipalities.csv", "adjacency.csv"):
        (tmp_path / name).write_bytes((embedded_path() / name).read_bytes())
    table = pd.read_csv(embedded_path() / realdata.UIT_REGIONS_FILE, dtype=str)
    table.loc[1, column] = value
    table.to_csv(tmp_path / realdata.UIT_REGIONS_FILE, index=False)
    with pytest.raises(DataError, match=message) as exc:
        realdata.load(load_landscape(tmp_path), tmp_path)
    assert "\n" not in str(exc.value)


def test_a_heritage_list_too_long_for_the_affinity_mask_is_refused(tmp_path):
    """Affinity holds the known cooperations as bits of one int64: more would be lost silently."""
    for name in ("municipalities.csv", "adjacency.csv"):
        (tmp_path / name).write_bytes((embedded_path() / name).read_bytes())
    nis = pd.read_csv(embedded_path() / "municipalities.csv")["nis"].to_numpy()
    pairs = [(f"cell {k}", n) for k in range(64) for n in nis[2 * k:2 * k + 2]]
    pd.DataFrame({"coop_type": "erfgoedcel", "coop_name": [c for c, _ in pairs], "nis_2025": [n for _, n in pairs]}
                 ).to_csv(tmp_path / realdata.HERITAGE_FILE, index=False)
    with pytest.raises(DataError, match=r"heritage_cooperation_partial.csv, field coop_name: 64 .* at most 63"):
        realdata.load(load_landscape(tmp_path), tmp_path)


def _model(overrides: list[str]) -> CooperationModel:
    return CooperationModel(to_sim_config(compose(overrides)))


def test_real_start_reproduces_the_real_membership_in_its_first_year(run):
    r = run(["end_year=2027"], 0)
    first = r.membership[r.membership["year"] == 2025].set_index("nis")
    expected = {int(LAND.nis[i]): g.name for g in REAL.igs for i in g.members}
    assert first["igs_name"].dropna().astype(str).to_dict() == expected
    assert r.yearly["year"].tolist() == [2025, 2026, 2027]
    assert r.yearly.loc[0, "n_recognised"] == 19     # the four below 85,000 are recognised for the period


def test_a_one_year_run_records_the_real_start_and_one_simulated_year(run):
    """end_year is inclusive: end_year = start_year runs the first policy year alone."""
    r = run(["end_year=2026"], 0)
    assert r.yearly["year"].tolist() == [2025, 2026]
    assert set(r.membership["year"]) == {2025, 2026}
    with pytest.raises(ConfigError, match="end_year=2025.*start_year=2026 or a later year"):
        run(["end_year=2025"], 0)


def test_region_rule_expels_exactly_the_members_outside_their_home_region():
    model = _model(["region_rule.deadline=2026", "end_year=2027"])
    model.step()
    events = model.datacollector.get_table_dataframe("events")
    expelled = set(events.loc[events["reason"] == "region_rule", "nis"].astype(int))
    expected = set()
    for g in REAL.igs:
        regions = LAND.region[g.members]
        if len(set(regions)) > 1:
            home = policy.home_region(regions, LAND.population[g.members])
            expected |= {int(LAND.nis[i]) for i in g.members[regions != home]}
    assert expected and expelled == expected


def test_real_start_needs_flemish_data():
    with pytest.raises(ConfigError, match="start='real_2025'"):
        compose(["data=synthetic", "start=real_2025"])
    assert compose(["data=synthetic"]).start.mode == "empty"


def test_recognition_runs_to_the_end_of_its_period():
    inc = IncentiveConfig()
    assert [policy.period_end(inc, y) for y in (2020, 2025, 2026, 2027, 2032, 2033)] == [2026, 2026, 2026, 2032,
                                                                                          2032, 2038]
    assert [y for y in range(2020, 2040) if policy.is_renewal_year(inc, y)] == [2026, 2032, 2038]
    # the real IGS are recognised to 2026; in 2026 those below the norm are recognised again,
    # to 2032, only with four or more municipalities (the transition); in seed 0 Lo-Reninge
    # leaves IJzervallei in the renewal year, which then has three and must grow
    model = _model(["end_year=2038"])
    small = [g for g in model.igs.values() if model.population[g.members].sum() < 85000]
    assert len(small) == 4 and all(g.recognised for g in small)
    assert all(model.recognised_until[g.igs_id] == 2026 for g in small)
    model.step()   # 2026: the application for 2027-2032
    still = [g for g in small if g.igs_id in model.igs and model.population[g.members].sum() < 85000]
    assert all(model.recognised_until[g.igs_id] == 2026 for g in still if len(g.members) < 4)
    assert all(model.recognised_until[g.igs_id] in (2026, 2032) for g in still)   # 2026: voted not to apply
    assert any(model.recognised_until[g.igs_id] == 2032 for g in still if len(g.members) >= 4)


def test_calendar_settings_that_would_be_rounded_are_refused():
    """A norm that starts outside an application year, or a transition that ends inside a
    period, would silently move to the next one: a one-line error instead."""
    with pytest.raises(ConfigError, match=r"incentive\.norm_from=2027 .*application year"):
        compose(["incentive.norm_from=2027"])
    with pytest.raises(ConfigError, match=r"incentive\.transition_until=2031 .*2032, 2038"):
        compose(["incentive.transition_until=2031"])
    with pytest.raises(ConfigError, match=r"incentive\.norm_from=2026 .*2025, 2031, 2037"):
        compose(["incentive.first_period_years=6"])
    off = to_sim_config(compose(["incentive.transition_until=2025"])).incentive   # before the norm: no transition
    assert policy.recognition_norm(off, 2026) == (85000.0, policy.NO_MEMBERS_RULE)


def test_network_rounds_and_drawing_rights_follow_the_calendar():
    inc = IncentiveConfig()
    assert [y for y in range(2020, 2036) if policy.is_network_round(inc, y)] == [2026, 2029, 2032, 2035]
    assert not policy.drawing_rights_at_stake(inc, 2032) and policy.drawing_rights_at_stake(inc, 2033)
    off = IncentiveConfig(networks=False)
    assert not any(policy.is_network_round(off, y) for y in range(2020, 2040))
    assert policy.subsidy(200000, True, inc, 2033, network=True) == pytest.approx(200000 * (0.9 + 0.2))


def test_the_small_projects_line_pays_what_is_asked_until_its_budget_is_shared():
    """cultuuroptil.be (2024): from 2027 only organisations in an IGS area may apply. They draw
    what they ask for (EUR 0.42 per inhabitant) until the budget, shared over all covered
    inhabitants, is less; the line never pays out more than its budget."""
    inc = IncentiveConfig()
    assert policy.small_projects_rate(inc, 2025, 3e6) == 0.0            # the temporary line is open to all
    assert policy.small_projects_rate(inc, 2026, 1e6) == pytest.approx(0.42)
    assert policy.small_projects_rate(inc, 2026, 6.5e6) == pytest.approx(1.3e6 / 6.5e6)
    for covered in (1e5, 1e6, 3.1e6, 3.2e6, 6.8e6):
        assert policy.small_projects_rate(inc, 2030, covered) * covered <= inc.small_projects_budget + 1e-6
    assert policy.small_projects_rate(IncentiveConfig(small_projects=False), 2030, 3e6) == 0.0


def test_only_members_of_a_recognised_igs_draw_on_the_small_projects_line():
    """Each member's realised money, and its money term, rise by the line's rate times its
    inhabitants exactly when its set is recognised: a pair of neighbours outside any IGS (below
    the 85,000 norm of the 2026 application) gets nothing."""
    from simcoop.model.evaluation import Candidates, evaluate
    model = CooperationModel(to_sim_config(compose(["end_year=2026"])))
    model.step()
    groups = list(model.igs.values())
    outside = np.flatnonzero(model.member_of < 0)
    a = int(outside[0])
    b = int(next(j for j in model.land.neighbours[a] if model.member_of[j] < 0))
    pairs = [(int(i), np.array(g.members)) for g in groups for i in g.members] + [(a, np.array([a, b]))]
    cand = Candidates.of(pairs)
    cand.igs_id = np.array([g.igs_id for g in groups for _ in g.members] + [-1], dtype=np.int64)
    rate = model.project_rate
    assert 0.0 < rate <= 0.42
    with_line = evaluate(model, cand)
    model.project_rate = 0.0
    without = evaluate(model, cand)
    expected = np.where(with_line.recognised, rate * model.population[cand.chooser], 0.0)
    assert np.allclose(with_line.realised_money - without.realised_money, expected)
    w_money = model.cfg.behaviour.w_money
    assert np.allclose(with_line.terms.money - without.terms.money,
                       w_money * expected / model.culture_budget[cand.chooser])
    assert with_line.recognised[:-1].any() and not with_line.recognised[-1]


def test_the_small_projects_line_draws_municipalities_into_igs():
    """The lever bites: with a line worth EUR 5 per inhabitant, staying out costs more, so more
    municipalities are in an IGS in 2027 than without the line, seed by seed on average."""
    def coverage(extra: list[str], seed: int) -> float:
        model = CooperationModel(to_sim_config(compose(["end_year=2027", f"seed={seed}", *extra])))
        model.run()
        return float((model.member_of >= 0).mean())
    rich = ["incentive.small_projects_demand_per_inhabitant=5", "incentive.small_projects_budget=1e8"]
    diff = [coverage(rich, s) - coverage(["incentive.small_projects=false"], s) for s in range(3)]
    assert np.mean(diff) > 0.02


def _model_at_2026(overrides: list[str]) -> CooperationModel:
    model = CooperationModel(to_sim_config(compose(overrides)))
    model.step()   # 2026: the first network round
    return model


def test_an_igs_applies_for_a_network_only_if_its_members_gain():
    """Seed 004: an IGS *can* apply. Its median member weighs the network's money against its
    tasks: with tasks and no money none applies, with money and no tasks every IGS that takes up
    the call does."""
    costly = _model_at_2026(["end_year=2026", "incentive.network_uptake=1", "incentive.network_tasks_fte=1",
                             "incentive.network_bonus_per_inhabitant=0"])
    paying = _model_at_2026(["end_year=2026", "incentive.network_uptake=1", "incentive.network_tasks_fte=0",
                             "incentive.network_bonus_per_inhabitant=2"])
    assert not any(g.network_from for g in costly.igs.values())
    # the round opens the year, before the decisions: IGS founded later in 2026 wait for 2029
    recognised = [g for g in paying.igs.values() if g.recognised and g.founded < 2026]
    assert recognised and all(g.network_from == 2027 for g in recognised)


def test_networks_draw_from_their_own_stream():
    """Common random numbers: switching networks off changes no other draw of a run, so the
    year before any network starts (2026) is the same with and without them."""
    paying = ["incentive.network_tasks_fte=0", "incentive.network_bonus_per_inhabitant=2"]  # so that IGS apply
    on = _model_at_2026(["end_year=2026", "incentive.network_uptake=1", *paying])
    off = _model_at_2026(["end_year=2026", "incentive.networks=false", *paying])
    assert any(g.network_from for g in on.igs.values())
    assert np.array_equal(on.member_of, off.member_of)
    assert np.array_equal(on.trust[np.arange(LAND.n), np.arange(LAND.n)[::-1]],
                          off.trust[np.arange(LAND.n), np.arange(LAND.n)[::-1]])
    assert on.rng.random() == off.rng.random()


def _at_the_2032_application(overrides: list[str]) -> CooperationModel:
    """The real landscape of 2025 as it would stand at the application of 2032 (every IGS
    granted to 2032, the transition over), with the regions free so that only the norm bites."""
    model = CooperationModel(to_sim_config(compose(["region_rule=free", *overrides])))
    model.year = 2032
    model.recognised_until = {k: 2032 for k in model.igs}
    model.granted_ids = set(model.igs)
    return model


def _by_name(model: CooperationModel, name: str):
    return next(g for g in model.igs.values() if g.name == name)


def test_two_small_igs_merge_to_reach_the_norm_after_the_transition():
    """VVSG 16-04-2024: after the transition an IGS below 85,000 must grow. IJzervallei (four
    members, about 35,000 inhabitants) and Viertoren (four, about 57,000) in the Westhoek cannot
    be renewed alone in 2032 but can together; their members gain from merging, so they merge:
    Viertoren, the larger, keeps its name; nobody left by choice and no IGS broke up."""
    model = _at_the_2032_application([])
    ijzer, vier = _by_name(model, "Cultuuroverleg IJzervallei"), _by_name(model, "Viertoren")
    both = [*ijzer.members, *vier.members]
    assert not model.renewable(ijzer.members) and not model.renewable(vier.members) and model.renewable(both)
    model.merge_to_renew()
    assert ijzer.igs_id not in model.igs and sorted(model.igs[vier.igs_id].members) == sorted(both)
    assert (model.member_of[both] == vier.igs_id).all()
    assert model.counts["mergers"] >= 1
    assert model.counts["voluntary_leaves"] == model.counts["breakups_recognised"] == model.counts["dissolutions"] == 0
    assert model.counts["leaves"] == model.counts["joins"] == 0          # a merger is not churn
    # the application is granted: the merged IGS is recognised for the next period
    model.settle_accounts()
    assert model.recognised_until[vier.igs_id] == 2038


def test_a_merger_needs_the_members_of_both_sides(monkeypatch):
    """Neteland (about 69,000 inhabitants) cannot be renewed alone in 2032; its members would
    gain from merging with Stuifzand or de Merode next door, but theirs would lose, so there is
    no merger. Were one side's gain enough (the larger of the two medians deciding), it would
    merge."""
    from simcoop.model import decisions
    model = _at_the_2032_application([])
    neteland = _by_name(model, "Neteland")
    alone = sorted(neteland.members)
    assert not model.renewable(neteland.members)
    model.merge_to_renew()
    assert sorted(model.igs[neteland.igs_id].members) == alone
    one_side = _at_the_2032_application([])
    monkeypatch.setattr(decisions, "min", max, raising=False)   # merger_gain's min of the two medians
    one_side.merge_to_renew()
    merged = [g for g in one_side.igs.values() if set(alone) < set(g.members)]
    assert merged, "with one side's gain deciding, Neteland merges"


def test_a_merger_keeps_the_network_either_igs_ran():
    """A leisure-participation network goes on in the merged IGS, whichever of the two ran it."""
    model = _at_the_2032_application([])
    ijzer, vier = _by_name(model, "Cultuuroverleg IJzervallei"), _by_name(model, "Viertoren")
    ijzer.network = True
    model.networked_ids.add(ijzer.igs_id)
    model.merge_to_renew()
    assert ijzer.igs_id not in model.igs and model.igs[vier.igs_id].network
    assert model.networked_ids >= {vier.igs_id} and ijzer.igs_id not in model.networked_ids


def test_mergers_replay_from_the_event_log():
    """From the real start to the 2032 application, the merger's leaves, dissolution and joins
    are in the event log, and replaying it gives the membership table."""
    import simcoop
    from conftest import replay_events
    result = simcoop.simulate(["end_year=2032"], seed=0)
    assert result.yearly["mergers"].sum() >= 1
    assert (result.events["reason"] == "merger").any()
    assert replay_events(result) > 10


def test_a_merger_needs_the_members_to_gain_and_can_be_switched_off():
    """The members vote: when one more member costs every member dearly (the transaction cost),
    the Westhoek pair does not merge; with `igs.mergers` false no IGS ever does."""
    for overrides in (["behaviour.w_transaction=10", "igs.feasible_members=2"], ["igs.mergers=false"]):
        model = _at_the_2032_application(overrides)
        before = {k: sorted(g.members) for k, g in model.igs.items()}
        model.merge_to_renew()
        assert {k: sorted(g.members) for k, g in model.igs.items()} == before, overrides
        assert model.counts["mergers"] == 0
