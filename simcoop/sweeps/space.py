"""The parameter space other tools sample: which parameters can vary, of what kind, over
what range. Built from the schema (`simcoop.config`: unit, low, high, choices) and the
config groups (configs/), so a new parameter or option is available without code here.

A dimension is a parameter of the ODD table (real, integer, boolean or categorical) or a
config group (categorical over its options). Text without a fixed set of values (a data
folder, a label) cannot be sampled and is refused with one line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

from simcoop.config import fmt_number
from simcoop.errors import ConfigError
from simcoop.params import check_value, fields, group_options, groups, kind

# parameters that describe the world and the model's behaviour or policy (the default set
# of uncertainties); the rest are run settings (years, seed, data, labels)
VARIABLE_PREFIXES = ("attributes.", "key.", "incentive.", "igs.", "behaviour.")
NOT_VARIABLE = {"attributes.seed", "behaviour.election_first_year", "behaviour.election_interval",
                "incentive.period_start", "incentive.first_period_years", "incentive.period_years",
                "incentive.norm_from", "incentive.transition_until", "incentive.network_first_round",
                "incentive.network_round_interval", "incentive.network_deadline",
                "incentive.small_projects_from"}  # seeds and the calendar, not behaviour or policy levels
NOT_LEVERS = {"data", "scenario", "start", "lever"}  # the world, bundles of other settings, the initial state


@dataclass(frozen=True)
class Dimension:
    name: str
    kind: str  # real, integer, boolean, categorical
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()
    default: Any = None

    @property
    def is_group(self) -> bool:
        return self.name in groups()


def dimension(name: str) -> Dimension:
    """The dimension of a parameter or config group over its full accepted (ODD) range."""
    if name in groups():
        options = group_options(name)
        if len(options) < 2:
            raise ConfigError("params", name, "a config group with at least two options")
        return Dimension(name, "categorical", choices=tuple(options))
    known = fields()
    if name not in known:
        raise ConfigError("params", name, "parameter names of the ODD table (docs/ODD.md) or config groups ("
                          + ", ".join(groups()) + "), e.g. behaviour.trust_gain")
    f = known[name]
    k = kind(f)
    if k == "text" or name.startswith(("sample.", "experiment.")):
        raise ConfigError("params", name, "a parameter with a range or a set of values (text such as "
                          f"{name} cannot be sampled)")
    if k == "boolean":
        return Dimension(name, "boolean", choices=(False, True), default=f.default)
    if k == "categorical":
        return Dimension(name, "categorical", choices=tuple(f.metadata["choices"]), default=f.default)
    return Dimension(name, k, float(f.metadata["low"]), float(f.metadata["high"]), default=f.default)


def narrow(dim: Dimension, spec: Any) -> Dimension:
    """A dimension restricted to (low, high) or to a subset of its choices, within what the
    schema accepts."""
    if dim.kind in ("real", "integer"):
        if not (isinstance(spec, (tuple, list)) and len(spec) == 2):
            raise ConfigError(dim.name, spec, f"a (low, high) pair within {fmt_number(dim.low)} to "
                              f"{fmt_number(dim.high)}")
        low, high = (check_value(dim.name, v) for v in spec)
        if not low < high:
            raise ConfigError(dim.name, spec, "a (low, high) pair with low < high")
        return replace(dim, low=float(low), high=float(high))
    chosen = tuple(spec) if isinstance(spec, (tuple, list)) else ()
    if len(chosen) < 2 or any(c not in dim.choices for c in chosen):
        raise ConfigError(dim.name, spec, "a list of at least two of " + ", ".join(map(str, dim.choices)))
    return replace(dim, choices=chosen)


def half_range(dim: Dimension) -> Dimension:
    """+-50% of the default, within the accepted range (the full accepted ranges include
    regimes, such as a logit temperature of 10, that are not plausible). Categorical
    dimensions keep all their values."""
    if dim.kind not in ("real", "integer") or not dim.default:
        return dim
    low, high = max(dim.low, 0.5 * dim.default), min(dim.high, 1.5 * dim.default)
    return replace(dim, low=low, high=high) if high > low else dim


def variable_parameters(numeric_only: bool = True) -> list[str]:
    """The default uncertainties: every behavioural and policy parameter (numeric ones only
    unless told), without labels and calendar settings."""
    names = []
    for name, f in fields().items():
        if not name.startswith(VARIABLE_PREFIXES) or name in NOT_VARIABLE:
            continue
        if kind(f) in ("real", "integer") or (not numeric_only and kind(f) in ("boolean", "categorical")):
            names.append(name)
    return names


def default_levers() -> list[str]:
    """The config groups that are policy levers (not the world, the initial state or scenario bundles)."""
    return [g for g in groups() if g not in NOT_LEVERS]


def dimensions(spec: Iterable[str] | Mapping[str, Any] | None, default: list[str]) -> list[Dimension]:
    """Dimensions from names (full range) or {name: (low, high) | [choices] | None}."""
    if spec is None:
        spec = default
    if isinstance(spec, str):
        raise ConfigError("params", spec, "a list of names or a mapping of names to ranges")
    items = spec.items() if isinstance(spec, Mapping) else ((name, None) for name in spec)
    out = []
    for name, narrowing in items:
        dim = dimension(name)
        out.append(dim if narrowing is None else narrow(dim, narrowing))
    if len({d.name for d in out}) != len(out):
        raise ConfigError("params", ",".join(d.name for d in out), "each name once")
    return out
