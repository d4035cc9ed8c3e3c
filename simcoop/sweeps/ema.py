"""simcoop as an EMA Workbench model: uncertainties from the ODD ranges, config groups as
levers, scalar outcomes of your choice; run it with EMA's own evaluators and analyse it
with EMA's PRIM or feature scoring.

    from simcoop.sweeps import ema   # first: it silences EMA's ipyparallel warning

    model = ema.model(uncertainties=["behaviour.trust_erosion", "behaviour.budget_shock_probability"],
                      levers=["key"], outcomes=["breakup_rate", "coverage_municipalities"],
                      overrides=["end_year=2030"])
    with ema.MultiprocessingEvaluator(model) as evaluator:   # or ema.SequentialEvaluator
        experiments, outcomes = evaluator.perform_experiments(scenarios=50, policies=2)
    x = ema.inputs(experiments, model)
    box = ema.prim.Prim(x, outcomes["breakup_rate"] > 0.05, threshold=0.5).find_box()
    ema.feature_scoring.get_feature_scores_all(x, outcomes)

EMA Workbench, its evaluators, PRIM and feature scoring are re-exported here
(`ema.perform_experiments`, `ema.SequentialEvaluator`, `ema.MultiprocessingEvaluator`,
`ema.prim`, `ema.feature_scoring`), so importing simcoop.sweeps.ema first is all it takes.

Uncertainties are parameters of the ODD table (all behavioural and policy ones by default)
over their accepted range, or narrowed with {name: (low, high)}; levers are config groups
(`key`, `incentive`, `region_rule`, `behaviour` by default) or parameters. Outcomes are
`simcoop.outcomes` specs. Every experiment carries its seed: a constant (`seeds=1`, the
default, seed 0), or several replications (`seeds=5` or a list of seeds: a ReplicatorModel
whose outcomes are the mean over the seeds, so they go straight into PRIM).
"""

from __future__ import annotations

import warnings
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

# EMA Workbench warns on import that its optional ipyparallel evaluator is unavailable;
# simcoop uses the sequential and multiprocessing evaluators, so the warning says nothing.
warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)

from ema_workbench import (BooleanParameter, CategoricalParameter, Constant, IntegerParameter,  # noqa: E402,F401
                           Model, MultiprocessingEvaluator, RealParameter, ReplicatorModel, ScalarOutcome,
                           Policy, Scenario, SequentialEvaluator, perform_experiments)
from ema_workbench.analysis import feature_scoring, prim  # noqa: E402,F401  (re-exported for users)

from simcoop import outcomes as outcome_specs  # noqa: E402
from simcoop.errors import ConfigError  # noqa: E402
from simcoop.run import compose, simulate  # noqa: E402
from simcoop.sweeps.space import Dimension, default_levers, dimensions, variable_parameters  # noqa: E402

DEFAULT_OUTCOMES = ("coverage", "dominance", "breakup_rate")


class Simulation:
    """The model function EMA calls with one experiment's parameters as keywords (a
    top-level class, so the multiprocessing evaluator can pickle it)."""

    def __init__(self, overrides: Sequence[str], outcomes: Sequence[str]):
        self.overrides, self.outcomes = list(overrides), list(outcomes)

    def __call__(self, **experiment: Any) -> dict[str, float]:
        result = simulate(self.overrides, params=experiment)
        return outcome_specs.scalars(result, self.outcomes)


def parameter(dim: Dimension) -> RealParameter | IntegerParameter | BooleanParameter | CategoricalParameter:
    """The EMA parameter of a dimension (EMA's name is simcoop's name)."""
    if dim.kind == "real":
        return RealParameter(dim.name, dim.low, dim.high)
    if dim.kind == "integer":
        return IntegerParameter(dim.name, int(dim.low), int(dim.high))
    if dim.kind == "boolean":
        return BooleanParameter(dim.name)
    return CategoricalParameter(dim.name, list(dim.choices))


def model(uncertainties: Iterable[str] | Mapping[str, Any] | None = None,
          levers: Iterable[str] | Mapping[str, Any] | None = None,
          outcomes: Sequence[str] = DEFAULT_OUTCOMES, overrides: Sequence[str] = (),
          seeds: int | Sequence[int] = 1, name: str = "simcoop") -> Model | ReplicatorModel:
    """An EMA Model (or ReplicatorModel for several seeds) of simcoop; bad names, ranges or
    outcomes raise ConfigError (one line) here, not in the middle of the experiments."""
    uncertain = dimensions(uncertainties, variable_parameters())
    lever_dims = dimensions(levers, default_levers())
    both = {d.name for d in uncertain} & {d.name for d in lever_dims}
    if both:
        raise ConfigError("levers", sorted(both)[0], "a name that is not also an uncertainty")
    specs = [outcome_specs.parse(s).spec for s in outcomes]
    if isinstance(seeds, int):
        if seeds < 1:
            raise ConfigError("seeds", seeds, "a number of seeds >= 1 or a list of seeds")
        seeds = list(range(seeds))
    seeds = [int(s) for s in seeds]
    sampled_seed = "seed" in {d.name for d in [*uncertain, *lever_dims]}
    if sampled_seed and seeds != [0]:
        raise ConfigError("seeds", seeds, "the default when seed is itself an uncertainty or lever")
    compose(list(overrides))  # the fixed overrides are checked once, here
    function = Simulation(overrides, specs)
    if len(seeds) > 1:
        ema_model = ReplicatorModel(name, function=function)
        ema_model.replications = [{"seed": s} for s in seeds]
    else:
        ema_model = Model(name, function=function)
        if not sampled_seed:
            ema_model.constants = [Constant("seed", seeds[0])]
    ema_model.uncertainties = [parameter(d) for d in uncertain]
    ema_model.levers = [parameter(d) for d in lever_dims]
    reduce = np.mean if len(seeds) > 1 else None  # replications: the mean over the seeds
    ema_model.outcomes = [ScalarOutcome(s, function=reduce) for s in specs]
    return ema_model


def inputs(experiments: pd.DataFrame, ema_model: Model) -> pd.DataFrame:
    """The uncertainty and lever columns of EMA's experiments table, as PRIM and feature
    scoring want them (without EMA's scenario, policy and model columns)."""
    names = [p.name for p in [*ema_model.uncertainties, *ema_model.levers]]
    return experiments[names]
