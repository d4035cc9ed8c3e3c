"""Many short runs per SLURM job: submitit's SLURM launcher, with runs batched per array task.

hydra-submitit-launcher 1.2 submits one array task per run. A simcoop run takes seconds, so
a 10,000-run sweep would be 10,000 tasks: most clusters cap an array at 1,001 tasks
(MaxArraySize) and charge each task a scheduling and start-up cost larger than the run.
`hydra/launcher=slurm_batched` runs `runs_per_job` runs one after another in each array
task (10,000 runs at 50 a job: 200 tasks); everything else (resources, partition, account,
array_parallelism, the job folder) is the upstream launcher's. A run that raises an error
does not stop the others of its task: Hydra records each run's outcome separately.
"""

# No `from __future__ import annotations`: Hydra's plugin scan runs this module outside
# sys.modules, where dataclasses cannot resolve string annotations.
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from hydra.core.config_store import ConfigStore
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn
from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf, SlurmQueueConf
from hydra_plugins.hydra_submitit_launcher.submitit_launcher import SlurmLauncher
from omegaconf import OmegaConf

from simcoop.errors import ConfigError

log = logging.getLogger(__name__)

SCHEMA = "simcoop_slurm_batched"  # the schema of configs/hydra/launcher/slurm_batched.yaml
RUNS_PER_JOB = "hydra.launcher.runs_per_job"


def checked_runs_per_job(value: object) -> int:
    """runs_per_job as a whole number >= 1, or a one-line ConfigError."""
    try:
        n = int(str(value))
    except ValueError:
        n = 0
    if n < 1:
        raise ConfigError(RUNS_PER_JOB, value, "a whole number >= 1")
    return n


def check_command_line(argv: list[str]) -> None:
    """Check hydra.launcher.runs_per_job on the command line before Hydra starts (Hydra would
    only meet a bad value after the sweep folder is made, and report it with a traceback hint)."""
    for arg in argv:
        key, _, value = arg.partition("=")
        if key == RUNS_PER_JOB:
            checked_runs_per_job(value)


@dataclass
class BatchedSlurmQueueConf(SlurmQueueConf):
    """submitit's SLURM options plus the number of runs each array task runs in turn."""
    _target_: str = "hydra_plugins.simcoop_launcher.batched.BatchedSlurmLauncher"
    runs_per_job: int = 20


class BatchedSlurmLauncher(SlurmLauncher):
    """One SLURM array task per `runs_per_job` runs (the last task takes what is left)."""

    def __init__(self, runs_per_job: int = 20, **params: Any) -> None:
        super().__init__(**params)
        self.runs_per_job = checked_runs_per_job(runs_per_job)

    def _executor(self) -> Any:
        """submitit's SLURM executor with the config's resources, as the upstream launcher sets it."""
        import submitit  # lazy, as upstream: plugin discovery stays fast

        init_keys = {"submitit_folder", "max_num_timeout"}
        executor = submitit.AutoExecutor(cluster="slurm", folder=self.params["submitit_folder"],
                                         slurm_max_num_timeout=self.params.get("max_num_timeout", 0))
        shared = set(OmegaConf.structured(BaseQueueConf).keys())
        executor.update_parameters(**{k if k in shared else f"slurm_{k}": v
                                      for k, v in self.params.items() if k not in init_keys})
        return executor

    def run_batch(self, batch: list[tuple]) -> list[JobReturn]:
        """Inside one array task: the batch's runs one after another."""
        return [self(*job) for job in batch]

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        assert self.config is not None
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        state = Singleton.get_state()
        jobs = [(list(o), "hydra.sweep.dir", initial_job_idx + i, f"job_id_for_{initial_job_idx + i}", state)
                for i, o in enumerate(job_overrides)]
        n = self.runs_per_job
        batches = [jobs[i:i + n] for i in range(0, len(jobs), n)]
        log.info(f"Submitit 'slurm' sweep of {len(jobs)} runs in {len(batches)} array tasks of up to {n} "
                 f"runs into {self.config.hydra.sweep.dir}")
        submitted = self._executor().map_array(self.run_batch, batches)
        return [ret for job in submitted for ret in job.results()[0]]


# at import: Hydra's plugin scan imports this module before it composes the config
ConfigStore.instance().store(group="hydra/launcher", name=SCHEMA, node=BatchedSlurmQueueConf, provider="simcoop")


def register() -> None:
    """Let Hydra instantiate the launcher. Hydra finds it by scanning `hydra_plugins` when
    simcoop is installed normally, but not in an editable install (`pip install -e`, whose
    import hook pkgutil cannot list), so the CLI calls this."""
    from hydra.core.plugins import Plugins

    Plugins.instance().register(BatchedSlurmLauncher)
