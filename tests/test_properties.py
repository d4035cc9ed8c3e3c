"""Invariants of the model on random small synthetic landscapes (hypothesis).

Each example is a synthetic landscape (30-80 municipalities, 2-5 regions, 2016 to 2020-2026)
with behaviour, key, incentive and IGS parameters drawn within their schema ranges, and a
seed. The invariants are checked on the public results tables and, for membership, on the
model itself (`model.igs`, `model.by_index[i].igs`) after every `model.step()`.

Examples are derandomised (the same on every run, so CI is reproducible) and few, so the
file stays well under a minute; the table invariants share one parametrised test, so its
simulations are cached and run once for all of them.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simcoop
from simcoop import config as schema
from simcoop.model import CooperationModel
from simcoop.run import compose, to_sim_config

FIELDS = dict(schema.iter_params())
FEW = settings(max_examples=12, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def in_range(name: str, low: float | None = None, high: float | None = None) -> st.SearchStrategy[str]:
    """'name=value' with value drawn within the schema's range (optionally narrowed)."""
    f = FIELDS[name]
    lo = f.metadata["low"] if low is None else max(low, f.metadata["low"])
    hi = f.metadata["high"] if high is None else min(high, f.metadata["high"])
    if isinstance(f.default, bool):
        values = st.booleans().map(lambda b: str(b).lower())
    elif isinstance(f.default, int):
        values = st.integers(int(lo), int(hi)).map(str)
    else:
        values = st.floats(lo, hi, allow_nan=False).map(lambda x: repr(min(hi, max(lo, round(x, 4)))))
    return values.map(lambda v: f"{name}={v}")


PARAMETERS = [
    in_range("key.budget_weight"), in_range("key.fixed_share"),
    in_range("igs.contribution_per_inhabitant"), in_range("igs.own_staff_share"),
    in_range("igs.staff_hosted_by_city"), in_range("igs.feasible_members"),
    in_range("incentive.recognition_threshold", high=300_000), in_range("incentive.subsidy_per_inhabitant"),
    in_range("incentive.dissolve_after_unrecognised_years", high=6),
    in_range("behaviour.temperature", high=1.0), in_range("behaviour.founding_trust"),
    in_range("behaviour.founding_cost"), in_range("behaviour.inertia"), in_range("behaviour.w_money"),
    in_range("behaviour.trust_gain"), in_range("behaviour.trust_loss"),
    in_range("behaviour.turnover_probability"), in_range("behaviour.budget_shock_probability"),
    in_range("attributes.heritage_share"),
]


@st.composite
def worlds(draw, forced: bool = False) -> tuple[tuple[str, ...], int]:
    """(overrides, seed) of a small synthetic world."""
    n_regions = draw(st.integers(2, 5))
    end_year = draw(st.integers(2020, 2026))
    overrides = ["data=synthetic", f"data.n_municipalities={draw(st.integers(30, 80))}",
                 f"data.n_regions={n_regions}", f"data.n_centre_cities={draw(st.integers(0, n_regions + 1))}",
                 f"end_year={end_year}", f"key={draw(st.sampled_from(schema.KEYS))}"]
    overrides += [draw(p) for p in PARAMETERS]
    if forced:
        deadline = draw(st.integers(2017, end_year))
        overrides += ["region_rule=forced_2028", f"region_rule.deadline={deadline}",
                      f"region_rule.announce_year={draw(st.integers(2016, deadline))}"]
    return tuple(overrides), draw(st.integers(0, 2**32 - 1))


@functools.lru_cache(maxsize=64)
def simulate(overrides: tuple[str, ...], seed: int) -> simcoop.SimulationResult:
    return simcoop.simulate(list(overrides), seed=seed)


@functools.lru_cache(maxsize=64)
def landscape(overrides: tuple[str, ...], seed: int):
    """The run's landscape, as the model builds it (no step taken)."""
    return CooperationModel(to_sim_config(compose([*overrides, f"seed={seed}"]))).land


def members_of(result: simcoop.SimulationResult) -> pd.DataFrame:
    return result.membership.dropna(subset=["igs_id"])


# ---------------------------------------------------------------- invariants of the tables
def one_igs_per_municipality(result, land) -> None:
    m = result.membership
    assert not m.duplicated(["year", "nis"]).any(), "a municipality has two rows (two IGS) in a year"
    years = range(result.config["start_year"], result.config["end_year"] + 1)
    for year, rows in m.groupby("year"):
        assert sorted(rows["nis"]) == sorted(land.nis.tolist()), f"{year}: not every municipality once"
    assert sorted(m["year"].unique()) == list(years)
    # the igs table agrees on how many members each IGS has
    counts = members_of(result).groupby(["year", "igs_id"]).size()
    igs = result.igs.set_index(["year", "igs_id"])["n_members"]
    pdt.assert_series_equal(counts.sort_index(), igs.sort_index().astype(counts.dtype), check_names=False,
                            check_index_type=False)


def contributions_sum_to_need(result, land) -> None:
    per_inhabitant = result.config["igs"]["contribution_per_inhabitant"]
    m = result.membership
    assert (m["contribution_eur"] >= 0).all(), "a negative contribution"
    assert (m.loc[m["igs_id"].isna(), "contribution_eur"] == 0).all(), "a non-member pays"
    paid = members_of(result).groupby(["year", "igs_id"])["contribution_eur"].sum().sort_index()
    need = (per_inhabitant * result.igs.set_index(["year", "igs_id"])["population"]).sort_index()
    assert list(paid.index) == list(need.index)
    np.testing.assert_allclose(paid.to_numpy(), need.to_numpy(), rtol=1e-6, atol=1e-6,
                               err_msg=f"key={result.config['key']['name']}: contributions do not sum to the need")


def population_is_conserved(result, land) -> None:
    total = land.population.sum()
    per_year = result.membership.groupby("year")["population"].sum()
    np.testing.assert_allclose(per_year.to_numpy(), total, rtol=1e-12)
    summed = members_of(result).groupby(["year", "igs_id"])["population"].sum().sort_index()
    stated = result.igs.set_index(["year", "igs_id"])["population"].sort_index()
    np.testing.assert_allclose(summed.to_numpy(), stated.to_numpy(), rtol=1e-12)
    covered = members_of(result).groupby("year")["population"].sum().reindex(per_year.index, fill_value=0)
    np.testing.assert_allclose(result.yearly.set_index("year")["coverage_population"].to_numpy(),
                               (covered / total).to_numpy(), rtol=1e-9)


def metrics_in_range(result, land) -> None:
    y, g, m = result.yearly, result.igs, result.membership
    none = y["n_igs"] == 0
    for col in ("coverage_municipalities", "coverage_population", "mean_trust_neighbours"):
        assert y[col].between(0, 1).all(), (col, y[col].tolist())
    for col in ("share_igs_above_norm", "share_igs_at_most_12_members", "dominance_mean", "dominance_max",
                "gini_net_benefit", "mean_trust_members"):
        assert (y.loc[~none, col].between(0, 1)).all(), (col, y[col].tolist())
        assert y.loc[none, col].isna().all(), (col, "defined without any IGS")
    assert y["centre_excess_mean"].dropna().between(0, 1).all()
    for col in ("n_igs", "n_recognised", "max_members", "joins", "leaves", "foundings", "dissolutions",
                "cross_region_igs", "budget_shocks"):
        assert (y[col] >= 0).all(), col
    assert (y["n_recognised"] <= y["n_igs"]).all() and (y["cross_region_igs"] <= y["n_igs"]).all()
    assert (y["budget_shocks"] <= land.n).all()
    assert (y.set_index("year")["n_igs"] == g.groupby("year").size().reindex(y["year"], fill_value=0)).all()
    assert (g["n_members"] >= 2).all(), "an IGS with fewer than two members"
    for col in ("dominance", "centre_excess", "gini_net_benefit"):
        assert g[col].between(0, 1).all(), (col, g[col].tolist())
    assert (g["population"] > 0).all() and (g["subsidy_eur"] >= 0).all() and (g["paid_fte"] >= 0).all()
    assert (g["age"] >= 0).all()
    assert m["agenda_share"].between(0, 1).all() and (m["subsidy_eur"] >= 0).all()


TABLE_INVARIANTS = (one_igs_per_municipality, contributions_sum_to_need, population_is_conserved, metrics_in_range)


@FEW
@given(world=worlds())
def test_result_tables_hold_the_invariants(world):
    """Every table invariant on the same simulation; a failure names each invariant broken."""
    overrides, seed = world
    result, land = simulate(overrides, seed), landscape(overrides, seed)
    broken = []
    for invariant in TABLE_INVARIANTS:
        try:
            invariant(result, land)
        except AssertionError as exc:
            broken.append(f"{invariant.__name__}: {str(exc).splitlines()[0] if str(exc) else 'failed'}")
    assert not broken, "; ".join(broken)


def test_each_table_invariant_can_fail(run):
    """The checks are not vacuous: each one catches a damaged copy of a real result."""
    from conftest import SYNTHETIC

    result, land = run(SYNTHETIC, 0), landscape(tuple(SYNTHETIC), 0)
    for invariant in TABLE_INVARIANTS:
        invariant(result, land)

    def damaged(table: str, change) -> simcoop.SimulationResult:
        return dataclasses.replace(result, **{table: change(getattr(result, table).copy())})

    a_member = members_of(result).iloc[[0]]
    cases = [
        (one_igs_per_municipality, damaged("membership", lambda m: pd.concat([m, a_member], ignore_index=True))),
        (contributions_sum_to_need, damaged("membership", lambda m: m.assign(contribution_eur=m["contribution_eur"]
                                                                                * 1.001))),
        (population_is_conserved, damaged("igs", lambda g: g.assign(population=g["population"] + 1))),
        (metrics_in_range, damaged("yearly", lambda y: y.assign(gini_net_benefit=y["gini_net_benefit"] + 1.5))),
        (metrics_in_range, damaged("igs", lambda g: g.assign(n_members=g["n_members"].where(g.index != 0, 1)))),
    ]
    for invariant, broken in cases:
        with pytest.raises(AssertionError):
            invariant(broken, land)


# ---------------------------------------------------------------- invariants of the model
@settings(FEW, max_examples=8)
@given(world=worlds())
def test_model_igs_are_disjoint_and_agree_with_the_agents_every_year(world):
    overrides, seed = world
    model = CooperationModel(to_sim_config(compose([*overrides, f"seed={seed}"])))
    end = model.cfg.end_year
    steps = 0
    while model.year <= end:
        model.step()
        steps += 1
        members = [i for g in model.igs.values() for i in g.members]
        assert len(members) == len(set(members)), f"{model.year - 1}: a municipality in two IGS"
        for igs_id, g in model.igs.items():
            assert g.igs_id == igs_id and len(g.members) >= 2
            for i in g.members:
                assert model.by_index[i].igs is g, f"member {i} of IGS {igs_id} does not know it"
        for agent in model.by_index:
            if agent.igs is not None:
                assert agent.igs.igs_id in model.igs and model.igs[agent.igs.igs_id] is agent.igs
                assert agent.idx in agent.igs.members, f"{agent.idx} thinks it is in IGS {agent.igs.igs_id}"
        assert len(model.by_index) == model.land.n
    assert steps == end - model.cfg.start_year + 1


@settings(FEW, max_examples=10)
@given(world=worlds(forced=True))
def test_no_igs_spans_two_regions_from_the_deadline_on(world):
    overrides, seed = world
    result = simulate(overrides, seed)
    deadline = result.config["region_rule"]["deadline"]
    assert result.config["region_rule"]["mode"] == "forced" and deadline <= result.config["end_year"]
    after = result.igs[result.igs["year"] >= deadline]
    assert not after["spans_regions"].any(), after[after["spans_regions"]]
    m = members_of(result)
    regions = m[m["year"] >= deadline].groupby(["year", "igs_id"])["referentieregio"].nunique()
    assert (regions <= 1).all(), regions[regions > 1]
    assert (result.yearly.loc[result.yearly["year"] >= deadline, "cross_region_igs"] == 0).all()


@settings(FEW, max_examples=3)
@given(world=worlds())
def test_same_overrides_and_seed_give_identical_tables(world):
    overrides, seed = world
    a = simcoop.simulate(list(overrides), seed=seed)
    b = simcoop.simulate(list(overrides), seed=seed)
    for table in ("yearly", "membership", "events", "igs"):
        pdt.assert_frame_equal(getattr(a, table), getattr(b, table), obj=table)
    assert a.config == b.config and a.data_checksum == b.data_checksum
