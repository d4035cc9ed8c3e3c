"""Compose a config with Hydra, check it, run the model, and tidy what it produced."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException, MissingConfigException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from simcoop import config as schema
from simcoop.errors import ConfigError
from simcoop.model import CooperationModel
from simcoop.params import split
from simcoop.results import SimulationResult, package_version
from simcoop.sample import apply_sample

CONFIG_DIR = Path(str(resources.files("simcoop.configs")))
GROUPS = ("data", "start", "key", "incentive", "region_rule", "behaviour", "scenario", "lever")


def group_options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def _node_fields(dotted: str) -> list[str]:
    """The accepted field names at the parent of a dotted key, from the schema."""
    node: object = schema.SimConfig()
    for part in dotted.split(".")[:-1]:
        node = getattr(node, part, None)
        if node is None:
            break
    if node is None:
        return [f.name for f in schema.dataclasses.fields(schema.SimConfig)]
    return [f.name for f in schema.dataclasses.fields(node)]


def _override_value(overrides: Iterable[str], key: str) -> str:
    for o in overrides:
        k, _, v = o.lstrip("+~").partition("=")
        if k == key:
            return v
    return "?"


def translate(exc: Exception, overrides: list[str]) -> ConfigError:
    """Turn Hydra/OmegaConf's multi-line errors into one ConfigError line."""
    if isinstance(exc, MissingConfigException) or "Could not find" in str(exc):
        for group in GROUPS:
            if f"'{group}/" in str(exc) or f"in '{group}'" in str(exc):
                return ConfigError(group, _override_value(overrides, group), "one of " + ", ".join(group_options(group)))
    cause = exc.__cause__ or exc
    full_key = getattr(cause, "full_key", None)
    if isinstance(cause, OmegaConfBaseException) and full_key:
        value = _override_value(overrides, full_key)
        if "not in struct" in str(cause) or "Key '" in str(cause) and "not" in str(cause):
            return ConfigError(full_key, value, "fields " + ", ".join(_node_fields(full_key)))
        expected = str(cause).splitlines()[0]
        for name, f in schema.iter_params():
            if name == full_key:
                low, high = f.metadata.get("low"), f.metadata.get("high")
                rng = f"{schema.fmt_number(low)} to {schema.fmt_number(high)} " if low is not None else ""
                expected = f"a {type(f.default).__name__} {rng}({f.metadata['unit']})"
        return ConfigError(full_key, value, expected)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    key = first.split("'")[1] if first.count("'") >= 2 else "override"
    return ConfigError(key, _override_value(overrides, key), f"a valid override ({first})")


def compose(overrides: Iterable[str] = ()) -> DictConfig:
    """The full config for these command-line style overrides, checked against the schema."""
    overrides = list(overrides)
    schema.register()
    hydra_was_up = GlobalHydra.instance().is_initialized()
    if hydra_was_up:  # e.g. called from inside a Hydra app: compose without re-initialising
        try:
            cfg = hydra_compose(config_name="config", overrides=overrides)
        except (HydraException, OmegaConfBaseException, ValueError) as exc:
            raise translate(exc, overrides) from None
    else:
        with initialize_config_dir(version_base=None, config_dir=str(CONFIG_DIR), job_name="simcoop"):
            try:
                cfg = hydra_compose(config_name="config", overrides=overrides)
            except (HydraException, OmegaConfBaseException, ValueError) as exc:
                raise translate(exc, overrides) from None
    schema.validate(cfg)
    return cfg


def to_sim_config(cfg: DictConfig) -> schema.SimConfig:
    plain = OmegaConf.to_container(cfg, resolve=True)
    plain.pop("hydra", None)
    typed = OmegaConf.merge(OmegaConf.structured(schema.SimConfig), plain)
    return OmegaConf.to_object(typed)


def run_config(cfg: DictConfig) -> SimulationResult:
    """Run one simulation for a composed, validated config."""
    cfg = apply_sample(cfg)
    schema.validate(cfg)
    sim = to_sim_config(cfg)
    model = CooperationModel(sim).run()
    return collect(model, OmegaConf.to_container(cfg, resolve=True))


def simulate(overrides: Iterable[str] = (), seed: int | None = None,
             params: Mapping[str, Any] | None = None) -> SimulationResult:
    """Run simcoop from Python, with the CLI's override strings, a mapping of parameters, or both:

        simulate(["scenario=regions_by_2028", "key=per_budget"], seed=3)
        simulate(params={"key": "per_budget", "incentive.subsidy_per_inhabitant": 1.5}, seed=3)

    In `params` a config group (`key`, `scenario`, ...) takes one of its options and a
    parameter of the ODD table a value of its type; they apply after `overrides`. Bad input
    raises ConfigError (one line naming the field and what is accepted) before anything runs.
    `seed` defaults to the config's (0); give it once (a seed in `overrides` or `params` that
    differs from the argument is an error, not silently replaced)."""
    if isinstance(overrides, (str, Mapping)):
        raise ConfigError("overrides", overrides, "a list of key=value strings, e.g. ['key=per_budget'] "
                          "(a mapping goes to params=)")
    choices, values = split(params or {})
    given = [o.partition("=")[2] for o in overrides if o.partition("=")[0].lstrip("+~") == "seed"]
    if seed is not None and any(g != str(seed) for g in given):
        raise ConfigError("seed", given[0], f"{seed}, as the seed argument says (give the seed once)")
    if seed is not None:
        if "seed" in values and values["seed"] != seed:
            raise ConfigError("seed", seed, f"the seed once: params also sets seed={values['seed']}")
        values["seed"] = split({"seed": seed})[1]["seed"]
    cfg = compose([*overrides, *choices])
    for name, value in values.items():  # after the groups, as fields after groups on the command line
        OmegaConf.update(cfg, name, value, merge=False)
    return run_config(cfg)


def collect(model: CooperationModel, config: dict) -> SimulationResult:
    """Tidy the DataCollector's records into compact DataFrames."""
    dc, land = model.datacollector, model.land
    yearly = dc.get_model_vars_dataframe().reset_index(drop=True)
    yearly["year"] = yearly["year"].astype("int16")
    membership = model.membership_frame()
    lookup = pd.DataFrame({
        "nis": land.nis.astype("int32"),
        "name": pd.Categorical(land.name),
        "referentieregio": pd.Categorical(np.array(land.region_names)[land.region]),
        "centrumstad": land.centre,
        "population": land.population.astype("int64"),
        "lon": land.lon, "lat": land.lat,
    })
    membership = membership.astype({"year": "int16", "nis": "int32"})
    membership["igs_id"] = membership["igs_id"].astype("Int32").mask(membership["igs_id"] < 0)
    membership = membership.merge(lookup, on="nis", how="left")
    # explicit dtypes, so that a run without any IGS stores the same column types as the others
    igs = dc.get_table_dataframe("igs").astype({"year": "int16", "igs_id": "int32", "n_members": "int16",
                                                 "host_nis": "Int32", "recognised": bool, "spans_regions": bool,
                                                 "contiguous": bool,
                                                 "network": bool, "age": "int16", "igs_name": str})
    igs["igs_name"] = pd.Categorical(igs["igs_name"])
    names = igs[["year", "igs_id", "igs_name"]].astype({"igs_id": "Int32"})
    membership = membership.merge(names, on=["year", "igs_id"], how="left")
    membership = membership[["year", "nis", "name", "referentieregio", "centrumstad", "population", "lon", "lat",
                             "igs_id", "igs_name", "contribution_eur", "subsidy_eur", "net_benefit", "agenda_share",
                             "balance_eur", "budget_shock", "identity"]].sort_values(["year", "nis"], kind="stable").reset_index(drop=True)
    events = dc.get_table_dataframe("events").astype({"year": "int16", "igs_id": "int32", "nis": "Int32"})
    events["event"] = pd.Categorical(events["event"], categories=["found", "join", "leave", "dissolve"])
    config.pop("hydra", None)
    return SimulationResult(yearly=yearly, membership=membership, events=events, igs=igs, config=config,
                            seed=int(config["seed"]), version=package_version(), data_checksum=land.checksum)
