"""Parameters given as a mapping (the Python API's and other tools' way) instead of
Hydra override strings.

`{"key": "per_budget", "incentive.subsidy_per_inhabitant": 1.5}`: a config group takes the
name of one of its options, a parameter of the ODD table a value of its type. Values are
checked here, before anything runs, with the same one-line errors as the command line;
numpy scalars (what samplers such as EMA Workbench and SALib produce) are accepted.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from simcoop.config import _accepted, iter_params
from simcoop.errors import ConfigError

CONFIG_DIR = Path(str(resources.files("simcoop.configs")))


def groups() -> list[str]:
    """The config groups: the sub-folders of configs/ (hydra/ is Hydra's own)."""
    return sorted(d.name for d in CONFIG_DIR.iterdir()
                  if d.is_dir() and d.name != "hydra" and any(d.glob("*.yaml")))


def group_options(group: str) -> list[str]:
    """The options of a config group: the YAML files of its folder in configs/."""
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def fields() -> dict[str, dataclasses.Field]:
    """Every parameter of the schema by dotted name."""
    return dict(iter_params())


def kind(f: dataclasses.Field) -> str:
    """'boolean', 'integer', 'real', 'categorical' (text with choices) or 'text'."""
    if isinstance(f.default, bool):
        return "boolean"
    if isinstance(f.default, int):
        return "integer"
    if isinstance(f.default, float):
        return "real"
    return "categorical" if f.metadata.get("choices") else "text"


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones (np.float64 is a float already, np.int64 is no int)."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def check_value(name: str, value: Any) -> Any:
    """The value as the parameter's Python type, or ConfigError naming what is accepted."""
    f = fields()[name]
    value, k = _plain(value), kind(f)
    if k == "boolean":
        if not isinstance(value, bool):
            raise ConfigError(name, value, "true or false")
        return value
    if k in ("integer", "real"):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
            raise ConfigError(name, value, _accepted(f))
        if k == "integer":
            if float(value) != int(value):
                raise ConfigError(name, value, _accepted(f))
            value = int(value)
        else:
            value = float(value)
        low, high = f.metadata.get("low"), f.metadata.get("high")
        if low is not None and not low <= value <= high:
            raise ConfigError(name, value, _accepted(f))
        return value
    if not isinstance(value, str):
        raise ConfigError(name, value, _accepted(f) if k == "categorical" else "text")
    if k == "categorical" and value not in f.metadata["choices"]:
        raise ConfigError(name, value, _accepted(f))
    return value


def split(params: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """Group choices as override strings (`key=per_budget`), and checked field values."""
    if not isinstance(params, Mapping):
        raise ConfigError("params", params, "a mapping of parameter names to values, e.g. "
                          "{'key': 'per_budget', 'incentive.subsidy_per_inhabitant': 1.5}")
    known = fields()
    choices, values = [], {}
    for name, value in params.items():
        if name in groups():
            value = _plain(value)
            if not isinstance(value, str) or value not in group_options(name):
                raise ConfigError(name, value, "one of " + ", ".join(group_options(name)))
            choices.append(f"{name}={value}")
        elif name in known:
            values[name] = check_value(name, value)
        else:
            raise ConfigError(name, value, "a config group (" + ", ".join(groups()) + ") or a parameter of "
                              "the ODD table (docs/ODD.md), e.g. behaviour.trust_gain")
    return choices, values
