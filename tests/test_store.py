"""The results store under concurrency, resume after changed inputs, moved sweeps, damage.

Each case runs the command line as a user does (`python -m simcoop ...`); the store's
promises: a run folder is written whole or not at all and claimed by one writer, a run is
complete only when its files match the checksums in its marker, and a sweep never mixes
runs made from other data or another simcoop version without being told to.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simcoop.sweeps import experiments, store
from simcoop.data.landscape import embedded_path
from simcoop.results import TABLES, package_version, read_metadata
from simcoop.sweeps.store import MARKER

SMALL = ["data=synthetic", "data.n_municipalities=30", "data.n_regions=3", "end_year=2018"]
RUN_FILES = sorted([f"{t}.parquet" for t in TABLES] + ["config.yaml", MARKER])


def simcoop(*args: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simcoop", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "simcoop", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{text[-3000:]}"
    return lines[0]


def run_folders(sweep_dir: Path) -> list[Path]:
    return sorted(p for p in sweep_dir.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "analysis")


def assert_every_run_whole(sweep_dir: Path) -> None:
    for run in run_folders(sweep_dir):
        assert sorted(p.name for p in run.iterdir()) == RUN_FILES, run.name
        store.verify(run)


# ---------------------------------------------------------------- concurrency
def test_two_sweeps_into_one_store_at_once_lose_nothing(tmp_path):
    """Several trials of two identical sweeps started together into one sweep folder: both
    end well, every run is whole and verified, each run was computed once, collect works."""
    grid = ["-m", "seed=0,1,2,3", *SMALL, "hydra.launcher.n_jobs=2"]
    for trial in range(3):
        d = tmp_path / f"trial{trial}"
        procs = [start(*grid, f"hydra.sweep.dir={d}", cwd=tmp_path) for _ in range(2)]
        outs = [p.communicate(timeout=600) for p in procs]
        for p, (_, err) in zip(procs, outs):
            assert p.returncode == 0, err[-3000:]
        assert len(run_folders(d)) == 4
        assert_every_run_whole(d)
        finished = [json.loads((r / MARKER).read_text())["finished"] for r in run_folders(d)]
        assert len(set(finished)) == 4
        proc = simcoop("collect", str(d), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        merged = pd.read_parquet(d / "collected_yearly.parquet")
        assert len(merged) == 4 * 3 and not merged.duplicated(["seed", "year"]).any()


def test_repeated_and_equal_values_make_one_run_each(tmp_path):
    """seed=0,0,0 and 0.1 = 0.10 = 1e-1 name the same runs: counted once, written once, no error."""
    d = tmp_path / "sweep"
    proc = simcoop("-m", "seed=0,0,0", "behaviour.temperature=0.1,0.10,1e-1", *SMALL, "hydra.launcher.n_jobs=2",
                   f"hydra.sweep.dir={d}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "sweep of 1 runs" in proc.stderr
    assert len(run_folders(d)) == 1
    assert_every_run_whole(d)
    again = simcoop("-m", "seed=0,0", "behaviour.temperature=0.1,1e-1", *SMALL, f"hydra.sweep.dir={d}", cwd=tmp_path)
    assert again.returncode == 0 and "all 1 runs already complete" in again.stderr, again.stderr[-2000:]


def test_two_single_runs_into_one_folder_exactly_one_lands(tmp_path):
    """Same hydra.run.dir, different configs, started together: one writes, the other stops
    with one line, and the folder holds the results of the one that said it succeeded."""
    out = tmp_path / "run"
    procs = [start(*SMALL, f"seed={seed}", f"hydra.run.dir={out}", cwd=tmp_path) for seed in (1, 2)]
    outs = [p.communicate(timeout=600) for p in procs]
    ok = [seed for seed, p in zip((1, 2), procs) if p.returncode == 0]
    failed = [(p, err) for p, (_, err) in zip(procs, outs) if p.returncode != 0]
    assert len(ok) == 1 and len(failed) == 1, [err[-2000:] for _, err in outs]
    p, err = failed[0]
    assert p.returncode == 2 and "never overwritten" in one_line(err)
    assert all(read_metadata(out / f"{t}.parquet")["seed"] == ok[0] for t in TABLES)
    assert sorted(x.name for x in out.iterdir()) == sorted([f"{t}.parquet" for t in TABLES] + ["config.yaml",
                                                                                              "summary.png"])
    assert not [x for x in tmp_path.iterdir() if ".tmp-" in x.name]  # no temporary folder left behind


def test_single_runs_get_a_folder_per_process(tmp_path):
    procs = [start(*SMALL, "seed=1", cwd=tmp_path) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
    assert len(list((tmp_path / "outputs" / "current_policy").iterdir())) == 2


# ---------------------------------------------------------------- resume with changed inputs
@pytest.fixture(scope="module")
def data_sweep(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """Seeds 0-1 on a copy of the Flanders data, two years."""
    tmp = tmp_path_factory.mktemp("data_sweep")
    data = tmp / "data"
    shutil.copytree(embedded_path(), data)
    d = tmp / "sweep"
    args = [f"data.path={data}", "start=empty", "end_year=2017", f"hydra.sweep.dir={d}"]
    proc = simcoop("-m", "seed=0,1", *args, cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tmp, data, args


def test_resume_after_the_data_changed_is_refused_in_one_line(data_sweep):
    tmp, data, args = data_sweep
    d = tmp / "sweep"
    before = {r.name: (r / MARKER).read_text() for r in run_folders(d)}
    mun = pd.read_csv(data / "municipalities.csv")
    mun.loc[mun["name"] == "Antwerpen", "population"] *= 2
    mun.to_csv(data / "municipalities.csv", index=False)
    proc = simcoop("-m", "seed=0,1,2,3", *args, cwd=tmp)
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert "other data" in line and "--allow-mixed" in line, line
    assert {r.name: (r / MARKER).read_text() for r in run_folders(d)} == before  # nothing added, nothing touched

    proc = simcoop("-m", "seed=0,1,2,3", *args, "--allow-mixed", cwd=tmp)  # told to: runs are added
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(run_folders(d)) == 4
    with pytest.raises(Exception, match="mixes runs made with different data"):
        experiments.load(d)
    df = experiments.load(d, "membership", allow_mixed=True)
    antwerpen = df[df["name"] == "Antwerpen"].groupby("data_checksum", observed=True)["population"].first()
    assert len(antwerpen) == 2 and antwerpen.max() == 2 * antwerpen.min()
    proc = simcoop("collect", str(d), cwd=tmp)
    assert proc.returncode == 2 and "mixes runs" in one_line(proc.stderr)


def test_resume_with_another_version_is_refused_and_load_will_not_mix(tmp_path):
    d = tmp_path / "sweep"
    proc = simcoop("-m", "seed=0,1", *SMALL, f"hydra.sweep.dir={d}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    old = run_folders(d)[0]
    marker = json.loads((old / MARKER).read_text())
    marker["simcoop_version"] = marker["identity"]["simcoop_version"] = "0.0.1"
    (old / MARKER).write_text(json.dumps(marker))
    proc = simcoop("-m", "seed=0,1,2", *SMALL, f"hydra.sweep.dir={d}", cwd=tmp_path)
    assert proc.returncode == 2 and "simcoop 0.0.1" in one_line(proc.stderr)
    assert len(run_folders(d)) == 2
    with pytest.raises(Exception, match=r"mixes runs of simcoop 0.0.1 \(1 runs\)"):
        experiments.load(d)
    df = experiments.load(d, allow_mixed=True)
    assert set(df["simcoop_version"]) == {"0.0.1", package_version()}


# ---------------------------------------------------------------- damage
def test_a_damaged_run_is_named_by_load_and_collect_and_redone_on_resume(tmp_path):
    d = tmp_path / "sweep"
    args = ["-m", "seed=0,1,2", *SMALL, f"hydra.sweep.dir={d}"]
    assert simcoop(*args, cwd=tmp_path).returncode == 0
    corrupted, truncated, _ = run_folders(d)
    data = (corrupted / "membership.parquet").read_bytes()
    (corrupted / "membership.parquet").write_bytes(data[:100] + b"garbage" + data[107:])
    (truncated / MARKER).write_text((truncated / MARKER).read_text()[:50])
    with pytest.raises(store.DamagedRun, match=str(corrupted.name).replace("(", r"\(").replace(")", r"\)")):
        experiments.load(d, "membership")
    proc = simcoop("collect", str(d), cwd=tmp_path)
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert "is damaged" in line and (corrupted.name in line or truncated.name in line), line

    proc = simcoop(*args, cwd=tmp_path)  # resume: both redone, the good run kept
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr.count("redoing") == 2
    assert_every_run_whole(d)
    assert len(experiments.load(d)) == 3 * 3


# ---------------------------------------------------------------- sensitivity sweeps: names and moves
SA = ["sensitivity", "morris", "n=2", "params=behaviour.trust_gain", *SMALL]


def test_a_moved_sensitivity_sweep_resumes_without_redoing_anything(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    proc = simcoop(*SA, cwd=first)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [sweep] = (first / "sweeps").iterdir()
    assert sweep.name.startswith("sa_morris_n2") and (sweep / "sample.parquet").is_file()
    shutil.copytree(first, second)
    shutil.rmtree(first)  # moved
    before = {r.name: (r / MARKER).read_text() for r in run_folders(second / "sweeps" / sweep.name)}
    proc = simcoop(*SA, cwd=second)
    assert proc.returncode == 0, proc.stderr[-3000:]
    moved = second / "sweeps" / sweep.name
    assert {r.name: (r / MARKER).read_text() for r in run_folders(moved)} == before  # nothing re-run
    df = experiments.load(moved)
    assert len(df) == len(before) * 3 and not df.duplicated(["sample.id", "year"]).any()


def test_sweep_names_differ_in_everything_that_defines_the_sweep():
    base = {"method": "morris", "n": 2, "params": None, "overrides": ["end_year=2017"]}
    names = {store.sweep_name("sa_morris", ["n2", "end_year=2017"], base),
             store.sweep_name("sa_morris", ["n2", "end_year=2017"], {**base, "overrides": ["end_year=2018"]}),
             store.sweep_name("sa_morris", ["n2", "end_year=2017"], {**base, "n": 4})}
    assert len(names) == 3
    long = store.sweep_name("compare", ["a" * 60], base)
    assert len(long) < 70 and "/" not in long
    assert store.canonical_overrides(["behaviour.temperature=0.10"]) == \
        store.canonical_overrides(["behaviour.temperature=1e-1"])


# ---------------------------------------------------------------- Ctrl-C and progress
def test_ctrl_c_stops_a_sweep_with_one_line_and_the_resume_hint(tmp_path):
    d = tmp_path / "sweep"
    args = ["-m", "seed=range(40)", *SMALL, "end_year=2025", "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={d}"]
    proc = start(*args, cwd=tmp_path)
    deadline = time.time() + 300
    while not list(d.glob(f"*/{MARKER}")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    last = err.strip().splitlines()[-1]
    assert "interrupted" in last and "/40 runs complete" in last and "run the same command to resume" in last
    done = len([r for r in run_folders(d) if store.is_complete(r)])
    assert 1 <= done < 40
