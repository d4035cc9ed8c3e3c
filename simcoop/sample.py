"""One run of a sensitivity sweep takes its parameter values from a row of a sample file.

This lives on the config-composition side (not in `simcoop.analysis.sensitivity`) so that running a
config never imports the analysis code. A sample column is either a parameter of the schema
(set as it is) or a config group (`key`, `scenario`, ...): a group's option is stored as the
field values it sets (`groups` in `problem.json` beside the sample), worked out when the
sample was drawn, because a composed config cannot change its Hydra defaults afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from simcoop.config import validate


def group_fields(sample_file: Path) -> dict[str, dict[str, dict[str, object]]]:
    """{group: {option: {field: value}}} of the sample's group columns (none if no groups)."""
    problem = sample_file.with_name("problem.json")
    if not problem.is_file():
        return {}
    return json.loads(problem.read_text(encoding="utf-8")).get("groups", {})


def apply_sample(cfg: DictConfig) -> DictConfig:
    """Set the parameters of this run's sample row (no-op without a sample file)."""
    if not cfg.sample.file:
        return cfg
    sample = pd.read_parquet(cfg.sample.file)
    row = sample.iloc[[int(cfg.sample.id)]].to_dict("records")[0]  # keeps integer columns integer
    groups = group_fields(Path(cfg.sample.file))
    cfg = cfg.copy()
    for name, value in row.items():
        if name in groups:
            for field, field_value in groups[name][str(value)].items():
                OmegaConf.update(cfg, field, field_value, merge=False)
    for name, value in row.items():  # parameters after groups, as on the command line
        if name not in groups:
            OmegaConf.update(cfg, name, value.item() if hasattr(value, "item") else value, merge=False)
    validate(cfg)
    return cfg
