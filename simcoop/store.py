"""The results store of a sweep: one folder per run, complete or absent, resumable.

A sweep folder (Hydra's ``hydra.sweep.dir``, by default ``sweeps/<sweep_name>``) holds one
sub-folder per run, named after the run's overrides. A run is complete when its marker
``_complete.json`` exists; the marker is written last and atomically, after every table.
Running the same sweep again skips complete runs, so a sweep killed half way resumes and
loses nothing; a finished run is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from simcoop.errors import SimcoopInputError
from simcoop.results import TABLES, SimulationResult

MARKER = "_complete.json"
SWEEP_INFO = "_sweep.json"


def run_dirname(override_dirname: str) -> str:
    """A safe, readable folder name for a run (hashed when too long for a file system)."""
    name = override_dirname.replace("/", "_").replace(os.sep, "_") or "defaults"
    if len(name) > 120:
        name = name[:100] + "_" + hashlib.sha1(name.encode()).hexdigest()[:12]
    return name


def is_complete(run_dir: Path) -> bool:
    return (run_dir / MARKER).is_file()


def read_marker(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / MARKER).read_text(encoding="utf-8"))


def _refuse_complete(run_dir: Path) -> None:
    if is_complete(run_dir):
        raise SimcoopInputError(f"store error: {run_dir} holds a finished run; accepted: a run folder without "
                                f"{MARKER} (a finished run is never overwritten)")


def clear_partial(run_dir: Path) -> None:
    """Remove what an interrupted run left behind (never a complete run: that raises)."""
    _refuse_complete(run_dir)
    for name in [f"{t}.parquet" for t in TABLES] + ["config.yaml"]:
        (run_dir / name).unlink(missing_ok=True)
    for tmp in run_dir.glob(".*.tmp*"):
        tmp.unlink(missing_ok=True)


def _output_error(folder: Path, exc: OSError) -> SimcoopInputError:
    return SimcoopInputError(f"output error: cannot write results to {folder}: {exc.strerror or exc}; "
                             "accepted: a writable folder with free space")


def finish(run_dir: Path, result: SimulationResult, overrides: list[str]) -> None:
    """Write the run's tables, then its marker: the marker's presence means all is there.

    A failure (disk full, no permission) leaves the run as if never started: no tables, no
    temporary files, no marker; a finished run is never touched.
    """
    clear_partial(run_dir)
    result.write(run_dir)  # all tables or none
    marker = {**result.metadata(), "overrides": overrides, "finished": time.time()}
    tmp = run_dir / f".{MARKER}.tmp-{os.getpid()}"
    try:
        tmp.write_text(json.dumps(marker, sort_keys=True), encoding="utf-8")
        os.replace(tmp, run_dir / MARKER)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
            clear_partial(run_dir)
        except OSError:
            pass
        raise _output_error(run_dir, exc) from None


def same_config(run_dir: Path, config: dict) -> bool:
    stored = read_marker(run_dir)["config"]
    return json.dumps(stored, sort_keys=True) == json.dumps(config, sort_keys=True)


# ---------------------------------------------------------------- progress
def count_jobs(task_overrides: list[str], sweeper_params: dict[str, str] | None) -> int:
    """How many runs a multirun command line (plus any hydra.sweeper.params) expands to."""
    merged = {o.split("=", 1)[0]: o for o in task_overrides}
    for key, value in (sweeper_params or {}).items():
        merged.setdefault(key, f"{key}={value}")
    total = 1
    for o in OverridesParser.create().parse_overrides(list(merged.values())):
        if o.is_sweep_override():
            total *= len(list(o.sweep_string_iterator()))
    return total


def progress_line(sweep_dir: Path) -> str | None:
    """'12/40 runs done (3 resumed), elapsed 1m20s, about 2m10s left' for a local sweep."""
    info_path = sweep_dir / SWEEP_INFO
    if not info_path.is_file():
        return None
    info = json.loads(info_path.read_text(encoding="utf-8"))
    start, total = info["started"], info["total"]
    finished = [read_marker(p.parent).get("finished", 0.0) for p in sweep_dir.glob(f"*/{MARKER}")]
    now_done = sum(1 for f in finished if f >= start)
    resumed = len(finished) - now_done
    elapsed = time.time() - start
    left = total - len(finished)
    eta = elapsed / now_done * left if now_done else math.nan
    return (f"[simcoop] {len(finished)}/{total} runs done"
            + (f" ({resumed} resumed)" if resumed else "")
            + f", elapsed {_duration(elapsed)}" + (f", about {_duration(eta)} left" if now_done and left else ""))


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class SweepCallback(Callback):
    """Hydra callback: notes the sweep's size and start, so each job can report progress."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        params = config.hydra.sweeper.get("params")
        params = OmegaConf.to_container(params, resolve=True) if params else {}
        total = count_jobs(list(config.hydra.overrides.task), {k: str(v) for k, v in params.items()})
        info = {"started": time.time(), "total": total}
        tmp = sweep_dir / f".{SWEEP_INFO}.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, sweep_dir / SWEEP_INFO)
        print(f"[simcoop] sweep of {total} runs into {sweep_dir}", file=sys.stderr)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """An experiment's sweep ends with its analysis: tidy data and figures."""
        if config.get("experiment") and config.experiment.get("name"):
            from simcoop.analysis import analyse

            written = analyse(Path(config.hydra.sweep.dir))
            print(f"[simcoop] {config.experiment.name}: {len(written)} files in "
                  f"{Path(config.hydra.sweep.dir) / 'analysis'}", file=sys.stderr)


def check_not_conflicting(run_dir: Path, config: dict) -> None:
    if is_complete(run_dir) and not same_config(run_dir, config):
        raise SimcoopInputError(f"store error: {run_dir} holds a finished run with a different config; "
                                "accepted: the same config, or a new sweep folder (hydra.sweep.dir=...)")
