"""Sweeps through Hydra's launchers: the results store, resuming, merging, determinism."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from simcoop.sweeps import experiments
from simcoop.sweeps.store import MARKER

GRID = ["key=per_inhabitant,per_budget", "igs.staff_hosted_by_city=true,false", "seed=0,1",
        "data=synthetic", "data.n_municipalities=40", "end_year=2020"]


def sweep(sweep_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "simcoop", "-m", *args, f"hydra.sweep.dir={sweep_dir}"],
                          cwd=sweep_dir.parent, capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def markers(sweep_dir: Path) -> dict[str, float]:
    return {p.parent.name: json.loads(p.read_text())["finished"] for p in sweep_dir.glob(f"*/{MARKER}")}


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("joblib") / "sweep"
    sweep(d, *GRID)
    return d


def test_joblib_sweep_runs_every_combination(joblib_sweep):
    df = experiments.load(joblib_sweep)
    assert len(markers(joblib_sweep)) == 8
    assert experiments.parameters(df) == ["key", "igs.staff_hosted_by_city", "data", "data.n_municipalities",
                                          "end_year"]
    combos = df.groupby(["key", "igs.staff_hosted_by_city", "seed"], observed=True).size()
    assert len(combos) == 8 and (combos == 5).all()  # 2016-2020
    assert not df.duplicated(["key", "igs.staff_hosted_by_city", "seed", "year"]).any()
    assert (joblib_sweep / "_sweep.json").is_file()


def test_submitit_local_gives_the_same_rows_as_joblib(joblib_sweep, tmp_path):
    d = tmp_path / "submitit"
    sweep(d, *GRID, "hydra/launcher=submitit_local")
    pdt.assert_frame_equal(experiments.load(d), experiments.load(joblib_sweep))


def test_one_worker_and_two_workers_give_identical_results(joblib_sweep, tmp_path):
    one = tmp_path / "one"
    sweep(one, *GRID, "hydra.launcher.n_jobs=1")
    pdt.assert_frame_equal(experiments.load(one), experiments.load(joblib_sweep))
    for table in ("membership", "events", "igs"):
        pdt.assert_frame_equal(experiments.load(one, table), experiments.load(joblib_sweep, table))


def test_a_killed_sweep_resumes_and_loses_nothing(joblib_sweep, tmp_path):
    d = tmp_path / "killed"
    args = [sys.executable, "-m", "simcoop", "-m", *GRID, "hydra.launcher.n_jobs=1", f"hydra.sweep.dir={d}"]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 300
    while len(markers(d)) < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, mid-sweep
    proc.wait()
    before = markers(d)
    assert 3 <= len(before) < 8, "the kill must land part way"
    # whatever the kill left half-written is not a result
    assert len(experiments.complete_runs(d)) == len(before)

    out = sweep(d, *GRID, "hydra.launcher.n_jobs=1")
    after = markers(d)
    assert len(after) == 8
    assert all(after[name] == t for name, t in before.items()), "finished runs are never redone"
    assert f"8/8 runs done ({len(before)} resumed)" in out.stderr
    pdt.assert_frame_equal(experiments.load(d), experiments.load(joblib_sweep))


def test_collect_writes_one_tidy_parquet_and_summaries_have_intervals(joblib_sweep, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "simcoop", "collect", str(joblib_sweep)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "8 of 8 runs complete" in proc.stdout
    merged = pd.read_parquet(joblib_sweep / "collected_yearly.parquet")
    pdt.assert_frame_equal(merged, experiments.load(joblib_sweep))
    summary = experiments.summarise(merged, ["coverage_municipalities", "n_igs"])
    assert (summary["n"] == 2).all()  # two seeds per combination and year
    assert ((summary["ci_low"] <= summary["mean"]) & (summary["mean"] <= summary["ci_high"])).all()
    assert len(summary) == 4 * 5 * 2  # combinations x years x metrics


def test_a_finished_run_with_another_config_is_not_overwritten(joblib_sweep, tmp_path):
    d = tmp_path / "conflict"
    sweep(d, "seed=0", "data=synthetic", "data.n_municipalities=40", "end_year=2018")
    run_dir = next(d.glob(f"*/{MARKER}")).parent
    before = (run_dir / "yearly.parquet").read_bytes()
    # the same overrides again, but the stored run says it was made with another config (as an
    # earlier code version with other defaults would have): the store refuses to touch it
    marker = json.loads((run_dir / MARKER).read_text())
    marker["config"]["behaviour"]["temperature"] = 0.5
    (run_dir / MARKER).write_text(json.dumps(marker))
    proc = sweep(d, "seed=0", "data=synthetic", "data.n_municipalities=40", "end_year=2018", check=False)
    assert proc.returncode != 0
    assert "different config" in proc.stderr
    assert (run_dir / "yearly.parquet").read_bytes() == before


@pytest.mark.parametrize("name, files", [
    ("dominance", ["dominance_runs.parquet", "dominance_summary.parquet", "dominance_centre_excess_mean.png"]),
    ("path_dependence", ["path_dependence_divergence.parquet", "path_dependence_hysteresis.parquet",
                         "path_dependence_divergence.png", "path_dependence_hysteresis.png"]),
    ("breakup_risk", ["breakup_lifetimes.parquet", "breakup_probability.parquet", "breakup_survival.png"]),
])
def test_each_experiment_small_variant_writes_data_and_figures(tmp_path, name, files):
    d = tmp_path / name
    sweep(d, f"+experiment={name}_small")
    assert len(markers(d)) == 8
    for f in files:
        assert (d / "analysis" / f).stat().st_size > 0, f
    for png in (d / "analysis").glob("*.png"):
        assert png.read_bytes()[:4] == b"\x89PNG"


def test_slurm_launcher_config_resolves(tmp_path):
    """The cluster path: hydra/launcher=slurm selects submitit's SLURM launcher with our defaults."""
    proc = subprocess.run([sys.executable, "-m", "simcoop", "hydra/launcher=slurm", "--cfg", "hydra"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "hydra_submitit_launcher.submitit_launcher.SlurmLauncher" in proc.stdout
    assert "mem_gb: 2" in proc.stdout and "array_parallelism: 256" in proc.stdout
