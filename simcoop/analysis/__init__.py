"""Analyses of the three experiments: tidy data and seaborn figures in <sweep>/analysis/.

`analyse(sweep_dir)` reads which experiment a sweep ran from its runs' configs and calls
that experiment's module; the Hydra callback calls it when a multirun ends, and
`simcoop analyse SWEEP_DIR` does it again by hand.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from simcoop.errors import SimcoopInputError
from simcoop.sweeps.experiments import complete_runs
from simcoop.sweeps.store import read_marker

EXPERIMENTS = ("dominance", "path_dependence", "breakup_risk", "validation", "levers", "who_with_whom")


def experiment_of(sweep_dir: str | Path) -> str:
    runs = complete_runs(sweep_dir)
    if not runs:
        raise SimcoopInputError(f"analysis error: {sweep_dir} holds no complete run")
    return read_marker(runs[0])["config"].get("experiment", {}).get("name", "")


def analyse(sweep_dir: str | Path) -> list[Path]:
    """Write the experiment's data and figures; returns the files written."""
    name = experiment_of(sweep_dir)
    if name not in EXPERIMENTS:
        raise SimcoopInputError(f"analysis error: {sweep_dir} is not an experiment sweep (experiment.name="
                                f"{name!r}); accepted: one of {', '.join(EXPERIMENTS)}")
    out = Path(sweep_dir) / "analysis"
    out.mkdir(exist_ok=True)
    module = importlib.import_module(f"simcoop.analysis.{name}")
    return module.analyse(Path(sweep_dir), out)
