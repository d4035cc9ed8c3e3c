"""The Python API for other tools: parameters as a mapping, scalar outcomes of a run."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simcoop
from simcoop import outcomes
from simcoop.errors import ConfigError

SMALL = ["data=synthetic", "end_year=2022"]


def test_params_mapping_gives_the_same_run_as_override_strings(run):
    by_strings = run([*SMALL, "key=per_budget", "incentive.subsidy_per_inhabitant=1.5"], 2)
    by_mapping = simcoop.simulate(SMALL, seed=2, params={"key": "per_budget",
                                                         "incentive.subsidy_per_inhabitant": 1.5})
    assert by_mapping.config == by_strings.config
    pd.testing.assert_frame_equal(by_mapping.yearly, by_strings.yearly)


def test_params_accept_numpy_scalars_as_samplers_produce_them():
    result = simcoop.simulate(params={"data": "synthetic", "end_year": np.int64(2019), "seed": np.int64(4),
                                      "behaviour.trust_gain": np.float64(0.2), "igs.staff_hosted_by_city": np.bool_(False)})
    assert result.seed == 4 and result.config["end_year"] == 2019
    assert result.config["behaviour"]["trust_gain"] == 0.2 and result.config["igs"]["staff_hosted_by_city"] is False


@pytest.mark.parametrize("params, field, accepted", [
    ({"key": "foo"}, "key", "one of fixed_plus_per_inhabitant"),
    ({"key": {"name": "per_budget"}}, "key", "one of"),
    ({"k": ""}, "k", "a config group"),
    ({"key.name": 3}, "key.name", "one of per_inhabitant"),
    ({"behaviour.trust_gain": "0.1"}, "behaviour.trust_gain", "0 to 1"),
    ({"behaviour.trust_gain": 2.0}, "behaviour.trust_gain", "0 to 1"),
    ({"end_year": 2030.5}, "end_year", "int"),
    ({"igs.staff_hosted_by_city": 1}, "igs.staff_hosted_by_city", "true or false"),
])
def test_bad_params_give_one_line_naming_the_field(params, field, accepted):
    with pytest.raises(ConfigError) as info:
        simcoop.simulate(params=params)
    message = str(info.value)
    assert info.value.field == field and accepted in message and "\n" not in message


def test_overrides_given_as_text_or_mapping_are_refused_with_a_pointer():
    for wrong in ("key=per_budget", {"key": "per_budget"}):
        with pytest.raises(ConfigError, match="params="):
            simcoop.simulate(wrong)


def test_seed_given_twice_differently_is_refused():
    with pytest.raises(ConfigError, match="seed"):
        simcoop.simulate(params={"seed": 1}, seed=2)


def test_scalar_outcomes_match_the_yearly_table(run):
    result = run(["data=synthetic", "end_year=2030"], 1)
    y = result.yearly
    got = outcomes.scalars(result, ["coverage_municipalities", "dominance_mean:mean5", "n_igs:max",
                                    "dissolutions:sum", "breakup_rate", "coverage"])
    assert got["coverage_municipalities"] == y["coverage_municipalities"].iloc[-1]
    assert got["dominance_mean:mean5"] == pytest.approx(y["dominance_mean"].tail(5).mean())
    assert got["coverage"] == pytest.approx(y["coverage_municipalities"].tail(5).mean())
    assert got["n_igs:max"] == y["n_igs"].max() and got["dissolutions:sum"] == y["dissolutions"].sum()
    assert got["breakup_rate"] == pytest.approx(y["dissolutions"].sum() / len(result.igs))


def test_outcomes_per_run_of_a_merged_sweep_equal_those_of_each_run(run):
    results = [run(["data=synthetic", "end_year=2024"], s) for s in (0, 1)]
    yearly = pd.concat([r.yearly.assign(seed=r.seed) for r in results])
    igs = pd.concat([r.igs.assign(seed=r.seed) for r in results])
    table = outcomes.compute(yearly, igs, ["n_igs", "breakup_rate"], by=["seed"]).set_index("seed")
    for r in results:
        assert table.loc[r.seed].to_dict() == pytest.approx(outcomes.scalars(r, ["n_igs", "breakup_rate"]))


@pytest.mark.parametrize("spec", ["nope", "coverage:mean", "n_igs:avg", "n_igs:end5", "year", 3])
def test_unknown_outcomes_are_refused_in_one_line(spec):
    with pytest.raises(ConfigError) as info:
        outcomes.parse(spec)
    assert info.value.field == "outcome" and "\n" not in str(info.value)


def test_outcome_labels_are_readable_in_both_languages():
    for spec in ["coverage_municipalities", "dominance_mean:mean5", "n_igs:max", "breakup_rate", "coverage"]:
        for lang in ("nl", "en"):
            text = outcomes.parse(spec).label(lang)
            assert "_" not in text and "{" not in text, text


def test_running_a_config_does_not_import_the_analysis():
    """run.py composes and runs; sensitivity analysis sits on top of it, not under it."""
    tree = ast.parse((Path(simcoop.__file__).parent / "run.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {"simcoop.analysis.sensitivity", "simcoop.analysis", "simcoop.sweeps.ema"} & imported
