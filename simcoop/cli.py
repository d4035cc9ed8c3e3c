"""The command line: a Hydra app over the same functions as `simcoop.simulate`.

    simcoop scenario=forced_regions_2028 key=per_budget seed=3 end_year=2040

Overrides are checked before Hydra starts, so a bad value stops with one line naming
the field and the accepted values (exit code 2) and nothing is written.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig

from simcoop import config as schema
from simcoop.errors import ConfigError, SimcoopInputError
from simcoop.landscape import load_landscape
from simcoop.plotting import summary_figure, summary_table
from simcoop.run import CONFIG_DIR, compose, run_config

# Hydra's own flags; those in VALUE_FLAGS take the next argument as their value.
VALUE_FLAGS = {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
               "--config-dir", "-cd", "--experimental-rerun", "--info", "-i"}
NO_CHECK_FLAGS = {"--help", "-h", "--hydra-help", "--version", "--shell-completion", "-sc"}


def user_overrides(argv: list[str]) -> list[str]:
    """The key=value overrides of a command line, without Hydra's flags and hydra.* keys."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in VALUE_FLAGS
            continue
        if arg.lstrip("+~").startswith("hydra"):
            continue
        out.append(arg)
    return out


def check_overrides(overrides: list[str]) -> None:
    """Compose every value a command line asks for (each sweep value once) and validate it."""
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError("override", " ".join(overrides), f"key=value pairs ({first})") from None
    base, sweeps = [], []
    for text, o in zip(overrides, parsed):
        if o.is_sweep_override():
            values = list(o.sweep_string_iterator())
            sweeps.append((o.key_or_group, values))
            base.append(f"{o.key_or_group}={values[0]}")
        else:
            base.append(text)
    check_data(compose(base))
    for key, values in sweeps:
        for v in values[1:]:
            check_data(compose([b if not b.startswith(f"{key}=") else f"{key}={v}" for b in base]))


def check_data(cfg: DictConfig) -> None:
    """Load and validate the data files a config names, before anything is written."""
    if cfg.data.source == "flanders":
        load_landscape(cfg.data.path or None)


@hydra.main(version_base=None, config_path=str(CONFIG_DIR), config_name="config")
def app(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    out = Path(HydraConfig.get().runtime.output_dir)
    try:
        result = run_config(cfg)
        result.write(out)
    except SimcoopInputError as exc:  # Hydra would print a traceback hint; we print one line
        print(f"simcoop: {exc}", file=sys.stderr)
        sys.exit(2)
    figure = summary_figure(result, out / "summary.png")
    print(summary_table(result).to_string())
    print(f"\nResults in {out}: yearly/membership/events/igs .parquet, config.yaml, {figure.name}")


def main() -> None:
    argv = sys.argv[1:]
    schema.register()
    if not NO_CHECK_FLAGS.intersection(argv):
        try:
            check_overrides(user_overrides(argv))
        except SimcoopInputError as exc:
            print(f"simcoop: {exc}", file=sys.stderr)
            sys.exit(2)
    app()
