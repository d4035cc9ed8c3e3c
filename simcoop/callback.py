"""The Hydra callback of every sweep: checks the sweep's size, combinations and store before
any run, notes its start so each job can report progress, and ends an experiment's sweep
with its analysis. It sits above the store and the analyses (it calls both), beside the CLI.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from simcoop.atomic import remove_stale, temp_path
from simcoop.errors import SimcoopInputError
from simcoop.results import output_error
from simcoop.sweeps.store import SWEEP_INFO, check_resume, check_size, merged_overrides


def _workers(config: DictConfig) -> int | None:
    """Parallel workers of a local joblib sweep (n_jobs=-1: every core)."""
    n = config.hydra.launcher.get("n_jobs") if "launcher" in config.hydra else None
    if not isinstance(n, int):
        return None
    return max(1, (os.cpu_count() or 1) + 1 + n) if n < 0 else n


class SweepCallback(Callback):
    """Hydra callback: checks the sweep's size and store before any run, and notes its
    size and start, so each job can report progress."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        params = config.hydra.sweeper.get("params")
        params = OmegaConf.to_container(params, resolve=True) if params else {}
        try:
            params = {k: str(v) for k, v in params.items()}
            total = check_size(list(config.hydra.overrides.task), params)
            if params:  # an experiment's grid: validate every combination, as the command line was
                from simcoop.cli import check_overrides, user_overrides  # the CLI imports Hydra's app: lazily

                check_overrides(user_overrides(merged_overrides(list(config.hydra.overrides.task), params)))
            sweep_dir.mkdir(parents=True, exist_ok=True)
            remove_stale(sweep_dir)
            check_resume(sweep_dir)
            info = {"started": time.time(), "total": total, "workers": _workers(config)}
            tmp = temp_path(sweep_dir / SWEEP_INFO)
            tmp.write_text(json.dumps(info), encoding="utf-8")
            os.replace(tmp, sweep_dir / SWEEP_INFO)
        except SimcoopInputError as exc:
            print(f"simcoop: {exc}", file=sys.stderr)
            sys.exit(2)
        except OSError as exc:
            print(f"simcoop: {output_error(sweep_dir, exc)}", file=sys.stderr)
            sys.exit(2)
        print(f"[simcoop] sweep of {total} runs into {sweep_dir}", file=sys.stderr)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """An experiment's sweep ends with its analysis: tidy data and figures."""
        if config.get("experiment") and config.experiment.get("name"):
            from simcoop.analysis import analyse

            written = analyse(Path(config.hydra.sweep.dir))
            print(f"[simcoop] {config.experiment.name}: {len(written)} files in "
                  f"{Path(config.hydra.sweep.dir) / 'analysis'}", file=sys.stderr)
