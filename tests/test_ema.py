"""The EMA Workbench adapter: a study of simcoop in a few lines, with EMA's own evaluators,
PRIM and feature scoring."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simcoop.sweeps import ema
from simcoop.config import iter_params
from simcoop.errors import ConfigError
from simcoop.run import simulate

TINY = ["data=synthetic", "data.n_municipalities=30", "data.n_regions=3", "end_year=2021"]
OUTCOMES = ["coverage_municipalities", "breakup_rate", "n_igs:max"]


def tiny_model(**kwargs):
    kwargs.setdefault("uncertainties", {"behaviour.founding_trust": (0.2, 0.7), "behaviour.trust_erosion": None})
    kwargs.setdefault("levers", ["key"])
    return ema.model(outcomes=OUTCOMES, overrides=TINY, **kwargs)


@pytest.fixture(scope="module")
def study():
    model = tiny_model()
    np.random.seed(1)  # EMA's Latin hypercube draws from numpy's global generator
    experiments, outcomes = ema.perform_experiments(model, scenarios=5, policies=2)
    return model, experiments, outcomes


def test_uncertainties_levers_and_seed_come_from_the_schema_and_the_config_groups():
    ranges = dict(iter_params())
    model = ema.model(overrides=TINY)
    names = {p.name for p in model.uncertainties}
    assert "behaviour.trust_erosion" in names and "behaviour.temperature" in names and "seed" not in names
    erosion = model.uncertainties["behaviour.trust_erosion"]
    meta = ranges["behaviour.trust_erosion"].metadata
    assert (erosion.lower_bound, erosion.upper_bound) == (meta["low"], meta["high"])  # the ODD range
    assert {p.name for p in model.levers} == {"key", "incentive", "region_rule", "behaviour"}
    assert set(model.levers["key"].categories.keys()) == set(meta_choices("key.name"))
    assert [(c.name, c.value) for c in model.constants] == [("seed", 0)]  # every experiment carries its seed


def meta_choices(name: str) -> tuple:
    return dict(iter_params())[name].metadata["choices"]


def test_perform_experiments_then_prim_and_feature_scoring(study):
    model, experiments, outcomes = study
    assert len(experiments) == 10 and set(outcomes) == set(OUTCOMES)
    assert experiments["behaviour.founding_trust"].between(0.2, 0.7).all()
    assert set(experiments["key"]) <= set(meta_choices("key.name"))
    # each experiment's outcomes are those of simcoop.simulate with its parameters and seed 0
    row = experiments.iloc[3]
    again = simulate(TINY, seed=0, params={"key": row["key"], "behaviour.founding_trust": row["behaviour.founding_trust"],
                                           "behaviour.trust_erosion": row["behaviour.trust_erosion"]})
    assert outcomes["coverage_municipalities"][3] == again.yearly["coverage_municipalities"].iloc[-1]
    x = ema.inputs(experiments, model)
    assert list(x.columns) == ["behaviour.founding_trust", "behaviour.trust_erosion", "key"]
    cases = outcomes["coverage_municipalities"] >= np.median(outcomes["coverage_municipalities"])
    box = ema.prim.Prim(x, cases, threshold=0.5).find_box()
    assert box.peeling_trajectory["coverage"].between(0, 1).all() and len(box.box_lims) >= 1
    scores = ema.feature_scoring.get_feature_scores_all(x, outcomes)
    assert set(scores.index) == set(x.columns) and set(scores.columns) == set(OUTCOMES)


def test_multiprocessing_evaluator_gives_the_sequential_results(study):
    model, experiments, outcomes = study
    scenarios = [ema.Scenario(**experiments.iloc[i][["behaviour.founding_trust", "behaviour.trust_erosion"]].to_dict())
                 for i in (0, 1)]
    policy = [ema.Policy("p", key=experiments.iloc[0]["key"])]
    with ema.MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        _, parallel = evaluator.perform_experiments(scenarios=scenarios, policies=policy)
    with ema.SequentialEvaluator(model) as evaluator:
        _, sequential = evaluator.perform_experiments(scenarios=scenarios, policies=policy)
    for name in OUTCOMES:
        np.testing.assert_array_equal(parallel[name], sequential[name])


def test_several_seeds_are_replications():
    model = tiny_model(uncertainties={"behaviour.founding_trust": None}, levers=[], seeds=[3, 4])
    experiments, outcomes = ema.perform_experiments(model, scenarios=2)
    assert outcomes["n_igs:max"].shape == (2,)  # one value per experiment: the mean over the seeds
    trust = experiments.iloc[0]["behaviour.founding_trust"]
    runs = [simulate(TINY, seed=seed, params={"behaviour.founding_trust": trust}) for seed in (3, 4)]
    assert outcomes["n_igs:max"][0] == pytest.approx(np.mean([r.yearly["n_igs"].max() for r in runs]))


@pytest.mark.parametrize("kwargs, field", [
    ({"uncertainties": ["behaviour.nope"]}, "params"),
    ({"uncertainties": ["data.path"]}, "params"),
    ({"uncertainties": {"behaviour.trust_gain": (0.5, 2.0)}}, "behaviour.trust_gain"),
    ({"uncertainties": {"key.name": ["per_budget", "nope"]}}, "key.name"),
    ({"levers": ["key"], "uncertainties": ["key"]}, "levers"),
    ({"outcomes": ["nope"]}, "outcome"),
    ({"overrides": ["end_year=1"]}, "end_year"),
    ({"seeds": 0}, "seeds"),
])
def test_bad_specifications_are_refused_in_one_line(kwargs, field):
    with pytest.raises(ConfigError) as info:
        ema.model(**kwargs)
    assert info.value.field == field and "\n" not in str(info.value)


def test_importing_the_adapter_prints_no_ipyparallel_warning():
    proc = subprocess.run([sys.executable, "-W", "default", "-c", "import simcoop.sweeps.ema"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and "ipyparallel" not in proc.stderr, proc.stderr


def test_inputs_are_the_parameters_prim_needs(study):
    model, experiments, _ = study
    x = ema.inputs(experiments, model)
    assert isinstance(x, pd.DataFrame) and not {"scenario", "policy", "model"} & set(x.columns)
