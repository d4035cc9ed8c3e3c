"""Sweeps on a real SLURM cluster: one node on this machine, from Debian's slurm-wlm and munge.

The module starts munged, slurmctld and slurmd with a generated key and slurm.conf in a
temporary folder (localhost, no cgroups, no accounting) and stops them afterwards. Needs
root and `apt-get install slurm-wlm munge` (.ci/run installs them); without them the tests
say so and skip. Where the packages are there but the cluster does not start, the tests
skip with the daemons' last log lines, and fail in CI (CI=true), where it must start.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas.testing as pdt
import pytest
from hydra.plugins.launcher import Launcher

from simcoop.sweeps import experiments
from simcoop.results import TABLES
from simcoop.sweeps.store import MARKER

PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "sinfo", "squeue", "scancel")
SBIN_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
GRID = ["key=per_inhabitant,per_budget", "seed=0,1", "data=synthetic", "data.n_municipalities=40",
        "end_year=2020"]  # 4 runs
RESOURCES = ["hydra.launcher.mem_gb=1", "hydra.launcher.timeout_min=10"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def slurm_conf(folder: Path, munge_socket: Path, host: str, cpus: int, memory_mb: int) -> str:
    """A single-node cluster: controller and node on this host, jobs as their user, no
    cgroups (proctrack/linuxproc, task/none), no accounting, state and logs in `folder`."""
    return f"""\
ClusterName=simcooptest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=simcoopnode NodeHostname={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=test Nodes=simcoopnode Default=YES MaxTime=INFINITE State=UP
"""


def memory_mb() -> int:
    """Most of this machine's memory (slurmd drains a node that has less than configured)."""
    total_kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                        if line.startswith("MemTotal")).split()[1])
    return int(total_kb / 1024 * 0.9)


def not_started(why: str) -> None:
    message = f"SLURM could not be started on this machine: {why}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def slurm(tmp_path_factory) -> Iterator[dict[str, str]]:
    """The environment (SLURM_CONF) of a running single-node cluster, torn down afterwards."""
    missing = [p for p in PROGRAMS if not shutil.which(p, path=SBIN_PATH)]
    if missing:
        pytest.skip(f"SLURM is not installed ({', '.join(missing)} missing; apt-get install slurm-wlm munge, "
                    "as .ci/run does): SLURM tests not run")
    if os.geteuid() != 0:
        pytest.skip("SLURM tests need root (slurmd starts jobs as their user): not run")
    folder = tmp_path_factory.mktemp("slurm")
    for sub in ("munge", "state", "spool"):
        (folder / sub).mkdir()
    key = folder / "munge" / "munge.key"
    key.write_bytes(secrets.token_bytes(1024))
    key.chmod(0o400)
    munge_socket = folder / "munge" / "munge.sock"
    conf = folder / "slurm.conf"
    conf.write_text(slurm_conf(folder, munge_socket, socket.gethostname().split(".")[0], os.cpu_count() or 1,
                               memory_mb()))
    env = {**os.environ, "SLURM_CONF": str(conf), "PATH": SBIN_PATH}
    commands = {
        "munged": ["munged", "-F", "--force", f"--key-file={key}", f"--socket={munge_socket}",
                   f"--pid-file={folder}/munge/munged.pid", f"--log-file={folder}/munge/munged.log",
                   f"--seed-file={folder}/munge/seed"],
        "slurmctld": ["slurmctld", "-D", "-f", str(conf)],
        "slurmd": ["slurmd", "-D", "-N", "simcoopnode", "-f", str(conf)],
    }
    started: list[subprocess.Popen] = []

    def idle() -> bool:
        out = subprocess.run(["sinfo", "-h", "-o", "%T"], env=env, capture_output=True, text=True)
        return out.stdout.strip() == "idle"

    try:
        for name, command in commands.items():
            with open(folder / f"{name}.out", "w") as log:
                started.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True))
            if name == "munged" and not wait_for(munge_socket.exists, 10):
                not_started("munged made no socket: " + (folder / "munged.out").read_text()[-500:])
        if not wait_for(idle, 60):
            logs = "; ".join(f"{n}: " + (folder / f"{n}.out").read_text().strip()[-300:] for n in commands)
            not_started(f"the node did not become idle within 60 s ({logs})")
        yield env
    finally:
        subprocess.run(["scancel", "--quiet", "--user", "root"], env=env, capture_output=True)
        for proc in reversed(started):  # only the daemons this fixture started
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def sweep(sweep_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run([sys.executable, "-m", "simcoop", "-m", *args, f"hydra.sweep.dir={sweep_dir}"],
                          cwd=sweep_dir.parent, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def finished(sweep_dir: Path) -> dict[str, float]:
    return {p.parent.name: json.loads(p.read_text())["finished"] for p in sweep_dir.glob(f"*/{MARKER}")}


def array_tasks(sweep_dir: Path) -> list[str]:
    """The SLURM array tasks submitit ran for a sweep (one folder each, with their result)."""
    return sorted(p.parent.name for p in (sweep_dir / ".submitit").glob("*_*/*_result.pkl"))


def assert_same_store(sweep_dir: Path, reference: Path) -> None:
    for table in TABLES:
        pdt.assert_frame_equal(experiments.load(sweep_dir, table), experiments.load(reference, table))


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("joblib") / "sweep"
    sweep(d, *GRID)
    return d


def test_a_sweep_on_slurm_stores_the_rows_of_a_local_sweep(slurm, joblib_sweep, tmp_path):
    d = tmp_path / "slurm"
    sweep(d, *GRID, "hydra/launcher=slurm", *RESOURCES, env=slurm)
    assert len(finished(d)) == 4
    tasks = array_tasks(d)
    assert len(tasks) == 4 and len({t.split("_")[0] for t in tasks}) == 1, tasks  # one array job, a task a run
    assert_same_store(d, joblib_sweep)


def test_batched_slurm_runs_several_runs_per_job_and_resumes(slurm, joblib_sweep, tmp_path):
    d = tmp_path / "batched"
    args = [*GRID, "hydra/launcher=slurm_batched", "hydra.launcher.runs_per_job=3", *RESOURCES]
    out = sweep(d, *args, env=slurm)
    assert "4 runs in 2 array tasks of up to 3 runs" in out
    assert len(array_tasks(d)) == 2  # 3 runs and 1 run
    assert_same_store(d, joblib_sweep)

    # resuming on the cluster: the same command again redoes only what is not complete
    before = finished(d)
    lost = sorted(before)[0]
    (d / lost / MARKER).unlink()  # as if its job had been killed before the marker
    sweep(d, *args, env=slurm)
    after = finished(d)
    assert sorted(after) == sorted(before)
    assert all(after[name] == t for name, t in before.items() if name != lost), "finished runs are never redone"
    assert after[lost] > before[lost]
    assert len(array_tasks(d)) == 4
    assert_same_store(d, joblib_sweep)


def test_a_bad_runs_per_job_stops_before_anything_is_written(tmp_path):
    d = tmp_path / "bad"
    proc = subprocess.run([sys.executable, "-m", "simcoop", "-m", *GRID, "hydra/launcher=slurm_batched",
                           "hydra.launcher.runs_per_job=0", f"hydra.sweep.dir={d}"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("simcoop: config error: hydra.launcher.runs_per_job='0' is not accepted; "
                                   "accepted: a whole number >= 1")
    assert not d.exists()


def test_batched_launcher_config_resolves(tmp_path):
    """hydra/launcher=slurm_batched selects simcoop's launcher with submitit's SLURM options."""
    proc = subprocess.run([sys.executable, "-m", "simcoop", "hydra/launcher=slurm_batched",
                           "hydra.launcher.runs_per_job=50", "hydra.launcher.partition=cpu", "--cfg", "hydra"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "_target_: hydra_plugins.simcoop_launcher.batched.BatchedSlurmLauncher" in proc.stdout
    for line in ("runs_per_job: 50", "partition: cpu", "mem_gb: 2", "array_parallelism: 256", "timeout_min: 60"):
        assert line in proc.stdout, line


def test_the_launcher_loads_the_way_hydras_plugin_scan_loads_it():
    """In a normal (non-editable) install Hydra finds the launcher by executing its module
    outside sys.modules; a module that needs to be in sys.modules (string annotations in a
    dataclass) would break every simcoop command there."""
    spec = importlib.util.find_spec("hydra_plugins.simcoop_launcher.batched")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert issubclass(module.BatchedSlurmLauncher, Launcher)
    assert module.BatchedSlurmQueueConf().runs_per_job == 20
