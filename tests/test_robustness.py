"""Bad input and faults: one clear line, exit code 2, and nothing (partial) written.

Every attempt of issue 13 is covered here or in tests/test_store.py, and each gives either
a correct result or one line with exit code 2 and nothing lost (Ctrl-C: one line with the
resume hint, exit code 130): concurrent writers and repeated sweep values (test_store),
resume after a data or version change (test_store), colliding sweep names and moved
sensitivity sweeps (test_store), two single runs into one folder (test_store), every
combination and the size of a sweep checked before it starts, read-only and unwritable
folders, a full disk, corrupted tables and truncated markers (named in one line, redone on
resume), Ctrl-C (test_store), stale temporary files, data out of bounds (population,
coordinates, two names for one region code, a region that falls apart), options that
would be ignored or mislabelled (data.path with synthetic data, a group option against
the scenario's, a seed given twice), names that leave the output folder, a missing
sample file, and `--help` on every subcommand.

Most cases go in-process through `simcoop.cli.check_overrides`, the function the command
line calls before Hydra starts (it composes every value with `simcoop.run.compose` and
loads the data a config names); a few representative ones run end to end as a user runs
them (`python -m simcoop ...` in an empty folder). Faults (no permission, a full disk, a
worker killed mid-sweep) are injected by monkeypatching or by SIGKILL.
"""

from __future__ import annotations

import copy
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import simcoop
from simcoop import cli, results
from simcoop.sweeps import experiments, store
from simcoop import config as schema
from simcoop.errors import DataError, SimcoopInputError
from simcoop.data.landscape import embedded_path
from simcoop.results import TABLES
from simcoop.sweeps.store import MARKER

SMALL = ["data=synthetic", "data.n_municipalities=30", "data.n_regions=3", "end_year=2019"]
RESULT_FILES = [f"{t}.parquet" for t in TABLES] + ["config.yaml"]


@pytest.fixture(scope="module", autouse=True)
def register_once():
    """compose() re-registers the schema and the experiment configs on every call (a tenth of a
    second each); the registry is global, so once is enough here and the 200 cases stay fast."""
    schema.register()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(schema, "register", lambda: None)
        yield


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{text[-3000:]}"
    return lines[0]


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module", autouse=True)
def end_to_end(tmp_path_factory):
    """The end-to-end cases, each `python -m simcoop ...` in an empty folder. Each process
    spends seconds importing, so all start with the module and run beside the in-process
    cases; end_to_end(case) waits for one and returns (its working folder, the finished process)."""
    started = {}

    def start(case: str, argv: list[str]) -> None:
        cwd = tmp_path_factory.mktemp(re.sub(r"\W", "_", case))
        started[case] = cwd, subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                              text=True)

    for case, (args, _) in E2E_CONFIG.items():
        start(case, [sys.executable, "-m", "simcoop", *args])
    data = damaged(tmp_path_factory.mktemp("latin1"), MUN, latin1_name)
    start("latin-1 data", [sys.executable, "-m", "simcoop", f"data.path={data}"])
    start("full disk", [sys.executable, "-c", FULL_DISK])
    done = {}

    def finished(case: str) -> tuple[Path, subprocess.CompletedProcess]:
        if case not in done:
            cwd, proc = started[case]
            out, err = proc.communicate(timeout=300)
            done[case] = cwd, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        return done[case]

    yield finished
    for _, proc in started.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


# ---------------------------------------------------------------- config values
def out_of_range(f) -> tuple[int | float, int | float]:
    """A value just below `low` and one above `high` of a field."""
    low, high = f.metadata["low"], f.metadata["high"]
    if isinstance(f.default, int):
        return int(low) - 1, int(high) + 1
    return low - max(1.0, abs(low)), high + max(1.0, abs(high))


def _bad_values() -> list[tuple[str, str]]:
    """(override, field) for every schema field: a wrong type, a value out of range (below
    `low` and above `high` on alternate fields; test_validate_rejects_both_ends_of_every_range
    checks both ends of each), an unknown choice. Strings without choices accept any text, so
    they have no wrong type."""
    cases = []
    for k, (name, f) in enumerate(schema.iter_params()):
        meta, default = f.metadata, f.default
        if isinstance(default, (bool, int, float)):
            cases.append((f"{name}=abc", name))
        if meta["low"] is not None:
            cases.append((f"{name}={out_of_range(f)[k % 2]}", name))
        if meta["choices"]:
            cases.append((f"{name}=nope", name))
    return cases


BAD_VALUES = _bad_values()
OTHER_BAD = [
    # unknown option of every config group
    *[(f"{group}=nope", group) for group in ("scenario", "key", "incentive", "region_rule", "behaviour", "data")],
    ("key=foo", "key"),
    # unknown field names, set or added
    ("no_such_field=1", "no_such_field"),
    ("behaviour.no_such_field=1", "behaviour.no_such_field"),
    ("+behaviour.no_such_field=1", "behaviour.no_such_field"),
    ("+no_such_field=1", "no_such_field"),
    # deleted field, unresolvable interpolation, cross-field rules, a bad value inside a sweep
    ("~seed", "seed"),
    ("seed=${no_such_field}", "seed"),
    ("end_year=2016", "end_year"),
    ("seed=1,2,x", "seed"),
    ("key=per_inhabitant,foo", "key"),
    ("behaviour.temperature=0.1,abc", "behaviour.temperature"),
]


def test_every_field_is_covered():
    cases = set(BAD_VALUES)
    for name, f in schema.iter_params():
        if isinstance(f.default, (bool, int, float)):
            assert (f"{name}=abc", name) in cases, name
        if f.metadata["low"] is not None:
            assert any(o.startswith(f"{name}=") and o != f"{name}=abc" for o, n in cases if n == name), name
        if f.metadata["choices"]:
            assert (f"{name}=nope", name) in cases, name
    assert len(cases) == len(BAD_VALUES) > 100


@pytest.mark.parametrize("override, field", BAD_VALUES + OTHER_BAD, ids=[o for o, _ in BAD_VALUES + OTHER_BAD])
def test_bad_config_value_is_one_line_naming_field_and_accepted(override, field, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SimcoopInputError) as err:
        cli.check_overrides(cli.user_overrides([override]))
    message = str(err.value)
    assert "\n" not in message, message
    assert re.search(rf"(^|\s){re.escape(field)}=", message), (field, message)
    assert "accepted" in message, message
    assert files_in(tmp_path) == []


def test_validate_rejects_both_ends_of_every_range():
    """The range check itself, on the composed defaults, for every field below `low` and above
    `high` (fast: no Hydra per case)."""
    defaults = schema.dataclasses.asdict(simcoop.run.to_sim_config(simcoop.run.compose([])))
    schema.validate(defaults)
    checked = 0
    for name, f in schema.iter_params():
        if f.metadata["low"] is None:
            continue
        *parents, leaf = name.split(".")
        for value in out_of_range(f):
            values = copy.deepcopy(defaults)
            node = values
            for part in parents:
                node = node[part]
            node[leaf] = value
            with pytest.raises(SimcoopInputError, match=rf"^config error: {re.escape(name)}=\S+ is not accepted; "
                               "accepted: .* to "):
                schema.validate(values)
            checked += 1
    assert checked > 130


def test_cross_field_rules_for_synthetic_landscapes(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for extra, field in (("data.n_regions=31", "data.n_regions"), ("data.n_centre_cities=31", "data.n_centre_cities")):
        with pytest.raises(SimcoopInputError, match=rf"^config error: {re.escape(field)}=31 .*accepted: at most"):
            cli.check_overrides(["data=synthetic", "data.n_municipalities=30", extra])
    cli.check_overrides(["data=synthetic", "data.n_municipalities=30", "data.n_regions=30"])  # the edge is fine


def test_a_region_rule_deadline_before_its_announcement_is_rejected(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SimcoopInputError, match=r"^config error: region_rule.deadline=2020 .*accepted: a year from "
                       r"region_rule.announce_year=2023"):
        cli.check_overrides(["region_rule=forced_2028", "region_rule.deadline=2020"])
    cli.check_overrides(["region_rule=forced_2028", "region_rule.deadline=2023"])
    cli.check_overrides(["region_rule=free", "region_rule.deadline=2020"])  # a free rule has no deadline to keep


def test_validate_rejects_a_wrong_type_given_as_a_plain_dict():
    """validate() is also called on plain dicts (sensitivity samples): a string is an error, not a crash."""
    values = simcoop.run.to_sim_config(simcoop.run.compose([]))
    plain = schema.dataclasses.asdict(values)
    plain["behaviour"]["temperature"] = "abc"
    with pytest.raises(SimcoopInputError, match=r"behaviour.temperature='abc' .*accepted: a float"):
        schema.validate(plain)


E2E_CONFIG = {
    "key": (["key=foo"], "key"),
    "wrong type": (["behaviour.temperature=abc"], "behaviour.temperature"),
    "below range": (["data=synthetic", "data.n_municipalities=3"], "data.n_municipalities"),
    "added field": (["+behaviour.no_such_field=1"], "behaviour.no_such_field"),
    "in a sweep": (["-m", "seed=0,1", "region_rule.mode=sometimes"], "region_rule.mode"),
}


@pytest.mark.parametrize("case", list(E2E_CONFIG))
def test_bad_config_end_to_end_exit_2_one_line_nothing_written(end_to_end, case):
    cwd, proc = end_to_end(case)
    field = E2E_CONFIG[case][1]
    assert proc.returncode == 2, proc.stderr[-3000:]
    line = one_line(proc.stderr)
    assert line.startswith("simcoop: config error:") and f"{field}=" in line and "accepted" in line, line
    assert files_in(cwd) == []  # no outputs/, no sweeps/, nothing


# ---------------------------------------------------------------- data files
def damaged(tmp_path: Path, file: str, damage) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(embedded_path(), folder)
    damage(folder / file)
    return folder


def edit(change):
    def apply(path: Path) -> None:
        change(pd.read_csv(path)).to_csv(path, index=False)
    return apply


def latin1_name(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("Aartselaar", "Aärtselaar")
    path.write_bytes(text.encode("latin-1"))  # 0xe4: not valid UTF-8


MUN, ADJ = "municipalities.csv", "adjacency.csv"
DATA_CASES = {
    "missing column": (MUN, edit(lambda d: d.drop(columns="referentieregio_code")),
                       [MUN, "referentieregio_code", "missing column"]),
    "missing adjacency column": (ADJ, edit(lambda d: d.drop(columns="nis_a")), [ADJ, "nis_a", "missing column"]),
    "duplicate nis": (MUN, edit(lambda d: d.assign(nis=d["nis"].where(d.index != 20, d["nis"][7]))),
                      [MUN, "row 21", "nis", "duplicate"]),
    "nan population": (MUN, edit(lambda d: d.assign(population=d["population"].where(d.index != 4))),
                       [MUN, "row 5", "population", "NaN"]),
    "nan adjacency": (ADJ, edit(lambda d: d.assign(nis_b=d["nis_b"].where(d.index != 2))), [ADJ, "row 3", "nis_b", "NaN"]),
    "negative population": (MUN, edit(lambda d: d.assign(population=d["population"].where(d.index != 0, -1))),
                            [MUN, "row 1", "population", "not positive"]),
    "infinite population": (MUN, edit(lambda d: d.assign(population=d["population"].astype(float)
                                                           .where(d.index != 3, float("inf")))),
                            [MUN, "row 4", "population", "not finite"]),
    "fractional nis": (MUN, edit(lambda d: d.assign(nis=d["nis"].astype(float).where(d.index != 3, 11001.5))),
                       [MUN, "row 4", "nis", "not a NIS code"]),
    "unknown code in adjacency": (ADJ, edit(lambda d: d.assign(nis_a=d["nis_a"].where(d.index != 30, 77777))),
                                  [ADJ, "row 31", "nis_a", "unknown NIS code 77777"]),
    "empty municipalities": (MUN, lambda p: p.write_bytes(b""), [MUN, "empty"]),
    "empty adjacency": (ADJ, lambda p: p.write_bytes(b""), [ADJ, "empty"]),
    "header only": (ADJ, lambda p: p.write_text("nis_a,nis_b,shared_border_m\n"), [ADJ, "no rows"]),
    "utf-16": (MUN, lambda p: p.write_bytes(p.read_text(encoding="utf-8").encode("utf-16")), [MUN, "UTF-8"]),
    "latin-1": (MUN, latin1_name, [MUN, "row 1", "UTF-8", "0xe4"]),
    "not csv": (ADJ, lambda p: p.write_bytes(bytes(range(256)) * 4), [ADJ]),
}


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_bad_data_is_one_line_naming_file_and_field(tmp_path, monkeypatch, case):
    file, damage, expected = DATA_CASES[case]
    folder = damaged(tmp_path, file, damage)
    before = files_in(tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as err:
        cli.check_overrides([f"data.path={folder}"])
    message = str(err.value)
    assert "\n" not in message and message.startswith("data error: "), message
    for part in expected:
        assert part in message, (part, message)
    assert files_in(tmp_path) == before  # nothing written next to the data or in the cwd


def test_bad_data_end_to_end_exit_2_one_line_nothing_written(end_to_end):
    cwd, proc = end_to_end("latin-1 data")
    assert proc.returncode == 2, proc.stderr[-3000:]
    line = one_line(proc.stderr)
    assert line.startswith("simcoop: data error: municipalities.csv row 1") and "UTF-8" in line, line
    assert files_in(cwd) == []


def test_a_missing_data_folder_is_one_line():
    with pytest.raises(DataError, match=r"^data error: municipalities.csv: file not found .*data.path"):
        cli.check_overrides(["data.path=/no/such/folder"])


# ---------------------------------------------------------------- faults while writing
@pytest.fixture(scope="module")
def result() -> simcoop.SimulationResult:
    return simcoop.simulate(SMALL, seed=1)


def digest(folder: Path) -> dict[str, str]:
    """Name -> sha256 of every file under folder (to prove nothing changed)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def parquet_writer() -> tuple[object, str]:
    """Where SimulationResult.write gets its parquet writer from: simcoop.results.write_parquet
    where it exists, else pyarrow's pq.write_table (both take the table, then the path)."""
    return (results, "write_parquet") if hasattr(results, "write_parquet") else (pq, "write_table")


def no_space_on(call: int, monkeypatch) -> list[int]:
    """The parquet writer fails with ENOSPC on its `call`-th use, after writing some bytes."""
    owner, name = parquet_writer()
    real, calls = getattr(owner, name), []

    def write(table, where, *args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            Path(where).write_bytes(b"PAR1 half a table")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(table, where, *args, **kwargs)

    monkeypatch.setattr(owner, name, write)
    return calls


def unwritable(folder: Path, monkeypatch) -> None:
    """Make folder's contents unwritable: chmod 0o500, or, where that does not stop writes (root),
    make every rename into place fail with EACCES as chmod would."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o500)
    probe = folder / ".probe"
    try:
        probe.write_text("x")
    except PermissionError:
        return
    probe.unlink()
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).parent == folder or folder in Path(dst).parents:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def assert_no_partial_result(folder: Path) -> None:
    left = files_in(folder) if folder.exists() else []
    assert left == [], f"partial result left behind: {left}"


def test_simulation_result_write_on_a_full_disk_leaves_no_partial_result(result, tmp_path, monkeypatch):
    calls = no_space_on(3, monkeypatch)
    with pytest.raises(SimcoopInputError) as err:
        result.write(tmp_path / "run")
    assert len(calls) == 3  # two tables were written before the disk filled up
    assert "accepted: a writable folder" in str(err.value)
    assert_no_partial_result(tmp_path / "run")


def test_simulation_result_write_on_a_full_disk_is_one_line_and_leaves_no_temp_file(result, tmp_path, monkeypatch):
    no_space_on(3, monkeypatch)
    with pytest.raises(SimcoopInputError) as err:
        result.write(tmp_path / "run")
    line = str(err.value)
    assert "\n" not in line and "No space left on device" in line and str(tmp_path / "run") in line
    assert not list((tmp_path / "run").glob(".*tmp*"))  # the half-written temporary file is gone


def test_write_to_an_unwritable_folder_is_one_line_and_leaves_nothing(result, tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    try:
        unwritable(folder, monkeypatch)
        with pytest.raises(SimcoopInputError) as err:
            result.write(folder / "run")
        assert "\n" not in str(err.value) and "Permission denied" in str(err.value), str(err.value)
        assert_no_partial_result(folder / "run")
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("fault", ["third table", "marker", "unwritable"])
def test_store_finish_failure_leaves_no_partial_run_and_complete_runs_intact(result, tmp_path, monkeypatch, fault):
    done = tmp_path / "sweep" / "seed=0"
    done.mkdir(parents=True)
    store.finish(done, result, ["seed=0"])
    before = digest(done)
    assert store.is_complete(done) and set(before) == {*RESULT_FILES, MARKER}

    run_dir = tmp_path / "sweep" / "seed=1"
    run_dir.mkdir()
    if fault == "third table":
        no_space_on(3, monkeypatch)
    elif fault == "marker":
        real = Path.write_text

        def write_text(self, data, *args, **kwargs):
            if self.name.startswith(f".{MARKER}.tmp"):
                real(self, data[:10], *args, **kwargs)
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(self, data, *args, **kwargs)

        monkeypatch.setattr(Path, "write_text", write_text)
    else:  # the run is renamed into the sweep folder whole: that folder is where writes must fail
        unwritable(run_dir.parent, monkeypatch)
    try:
        with pytest.raises(SimcoopInputError) as err:
            store.finish(run_dir, result, ["seed=1"])
        line = str(err.value)
        assert "\n" not in line and line.startswith("output error:") and str(run_dir) in line, line
        assert_no_partial_result(run_dir)  # no tables, no temporary files, no marker
        assert not store.is_complete(run_dir)
        # the finished run is untouched, and the store refuses to redo it even under the fault
        with pytest.raises(SimcoopInputError, match="finished run"):
            store.finish(done, result, ["seed=0"])
        with pytest.raises(SimcoopInputError, match="never overwritten"):
            result.write(done)
        assert digest(done) == before
        assert experiments.complete_runs(tmp_path / "sweep") == [done]
    finally:
        run_dir.parent.chmod(0o700)
    monkeypatch.undo()
    store.finish(run_dir, result, ["seed=1"])  # once the fault is gone the run completes normally
    assert store.is_complete(run_dir) and set(digest(run_dir)) == {*RESULT_FILES, MARKER}


FULL_DISK = textwrap.dedent(f"""
    import errno, sys
    import pyarrow.parquet as pq
    import simcoop.results as results
    owner, name = (results, "write_parquet") if hasattr(results, "write_parquet") else (pq, "write_table")
    real, calls = getattr(owner, name), []
    def write(table, where, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            open(where, "wb").write(b"PAR1 half")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(table, where, *args, **kwargs)
    setattr(owner, name, write)
    from simcoop.cli import main
    sys.argv = ["simcoop", *{SMALL!r}, "hydra.run.dir=run"]
    main()
""")


def test_full_disk_end_to_end_exit_2_one_line_nothing_written(end_to_end):
    cwd, proc = end_to_end("full disk")
    assert proc.returncode == 2, proc.stderr[-3000:]
    line = one_line(proc.stderr)
    assert line.startswith("simcoop: output error:") and "No space left on device" in line, line
    assert files_in(cwd) == []


# ---------------------------------------------------------------- a worker killed mid-sweep
KILL_GRID = ["key=per_inhabitant,per_budget", "seed=0,1,2,3", "data=synthetic", "data.n_municipalities=30",
             "data.n_regions=3", "end_year=2020", "hydra.launcher.n_jobs=2"]


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every descendant process (psutil, else /proc)."""
    try:
        import psutil
    except ImportError:
        out, todo = [], [pid]
        while todo:
            parent = todo.pop()
            for children in Path(f"/proc/{parent}/task").glob("*/children"):
                for child in map(int, children.read_text().split()):
                    cmd = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    out.append((child, cmd))
                    todo.append(child)
        return out
    try:
        return [(p.pid, " ".join(p.cmdline())) for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(")")[-1].split()[0] == "Z")


def finished_runs(sweep_dir: Path) -> dict[str, tuple[str, dict[str, int]]]:
    """Per complete run: its marker text and the mtime of each of its files."""
    return {p.parent.name: (p.read_text(), {f.name: f.stat().st_mtime_ns for f in p.parent.iterdir()})
            for p in sweep_dir.glob(f"*/{MARKER}")}


def test_a_sweep_with_a_killed_worker_resumes_without_rewriting_or_partial_results(tmp_path):
    d = tmp_path / "sweep"
    args = [sys.executable, "-m", "simcoop", "-m", *KILL_GRID, f"hydra.sweep.dir={d}"]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.time() + 240
        while not list(d.glob(f"*/{MARKER}")) and time.time() < deadline and proc.poll() is None:
            time.sleep(0.02)
        workers = [(pid, cmd) for pid, cmd in descendants(proc.pid) if "resource_tracker" not in cmd]
        assert proc.poll() is None and workers, "the sweep must still be running, with workers"
        victim = workers[-1][0]
        os.kill(victim, signal.SIGKILL)  # one worker, not the sweep
        family = [pid for pid, _ in descendants(proc.pid)]
        _, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0 and "TerminatedWorkerError" in err, err[-2000:]
    end = time.time() + 60  # joblib takes its other workers down; wait until none writes anymore
    while any(alive(pid) for pid in family) and time.time() < end:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in family)

    before = finished_runs(d)
    assert 1 <= len(before) < 8, "the kill must land part way"
    # whatever the killed worker left behind is not a result: each complete run is read once
    df = experiments.load(d)
    assert df.groupby(["key", "seed"], observed=True).ngroups == len(before)
    assert not df.duplicated(["key", "seed", "year"]).any()

    out = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"8/8 runs done ({len(before)} resumed)" in out.stderr
    after = finished_runs(d)
    assert len(after) == 8
    for name, (marker, mtimes) in before.items():
        assert after[name] == (marker, mtimes), f"{name} was rewritten"
    for run_dir in (p for p in d.iterdir() if p.is_dir() and p.name != store.LOCKS):
        assert sorted(p.name for p in run_dir.iterdir()) == sorted([*RESULT_FILES, MARKER]), run_dir.name
    df = experiments.load(d)
    assert len(df) == 8 * 5 and not df.duplicated(["key", "seed", "year"]).any()  # 2016-2020, once each
    assert sorted(df.groupby(["key", "seed"], observed=True).groups) == [(k, s) for k in ("per_budget", "per_inhabitant")
                                                          for s in range(4)]
    # a run redone after the kill holds the same rows as the same run made in one go
    redone = sorted(set(after) - set(before))[0]
    marker = json.loads(after[redone][0])
    fresh = simcoop.simulate([o for o in marker["overrides"] if not o.startswith("seed=")], seed=marker["seed"])
    pd.testing.assert_frame_equal(pd.read_parquet(d / redone / "yearly.parquet"), fresh.yearly,
                                  check_dtype=False)  # stored compactly (narrower integers)


# ---------------------------------------------------------------- issue 13: combinations, conflicts, bounds
COMBINATION_CASES = [
    # a combination that no single value shows: 2025 -> 2020
    (["start=empty", "start_year=2016,2025", "end_year=2030,2020"], "end_year", "or a later year"),
    (["seed=range(30000000)"], "seed", "at most 100,000 runs"),
    (["key=per_inhabitant,per_budget", "seed=range(60000)"], "seed", "this one has 120,000"),
    (["scenario=regions_by_2028", "region_rule=free"], "region_rule", "forced_2028 with scenario="),
    (["scenario=current_policy,per_budget_key", "key=mixed"], "key", "per_budget with scenario=per_budget_key"),
    (["data=synthetic", "data.path=/some/folder"], "data.path", "empty with data=synthetic"),
    (["scenario_name=../../escaped"], "scenario_name", "a plain folder name"),
    (["sweep_name=a/b"], "sweep_name", "a plain folder name"),
    (["sample.file=/no/such.parquet", "sample.id=0"], "sample.file", "an existing sample parquet file"),
]


@pytest.mark.parametrize("overrides, field, accepted", COMBINATION_CASES, ids=[" ".join(c[0]) for c in COMBINATION_CASES])
def test_every_combination_and_option_conflict_is_one_line(overrides, field, accepted, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    started = time.time()
    with pytest.raises(SimcoopInputError) as err:
        cli.check_overrides(overrides)
    message = str(err.value)
    assert "\n" not in message and f"{field}=" in message and accepted in message, message
    assert files_in(tmp_path) == []
    assert time.time() - started < 60  # an absurd sweep is refused by counting, not by listing it


def test_the_scenario_check_reads_the_scenario_files_and_leaves_free_groups_alone():
    cli.check_overrides(["scenario=regions_by_2028", "region_rule=forced_2028"])  # agrees: fine
    cli.check_overrides(["scenario=current_policy", "region_rule=forced_2028"])  # the scenario leaves it to the user
    groups = cli.config_groups()
    assert {"scenario", "region_rule", "key", "data"} <= set(groups) and "hydra" not in groups


def test_a_sample_file_out_of_rows_is_one_line(tmp_path):
    pd.DataFrame({"behaviour.trust_gain": [0.1, 0.2]}).to_parquet(tmp_path / "sample.parquet")
    with pytest.raises(SimcoopInputError, match=r"sample.id=5 .*accepted: a row of sample.parquet, 0 to 1"):
        cli.check_overrides([f"sample.file={tmp_path / 'sample.parquet'}", "sample.id=5"])
    cli.check_overrides([f"sample.file={tmp_path / 'sample.parquet'}", "sample.id=1"])


def test_a_seed_given_twice_to_simulate_must_agree():
    with pytest.raises(SimcoopInputError, match=r"^config error: seed='5' .*accepted: 3"):
        simcoop.simulate(["seed=5", *SMALL], seed=3)


BOUND_CASES = {
    "population 1e20": (MUN, edit(lambda d: d.assign(population=d["population"].astype(float).where(d.index != 3, 1e20))),
                        [MUN, "row 4", "population", "out of range", "100,000,000"]),
    "lat 999": (MUN, edit(lambda d: d.assign(lat=d["lat"].where(d.index != 5, 999))),
                [MUN, "row 6", "lat", "out of range", "-90 to 90"]),
    "lon -200": (MUN, edit(lambda d: d.assign(lon=d["lon"].where(d.index != 0, -200))), [MUN, "row 1", "lon"]),
    "two names for one region code": (MUN, edit(lambda d: d.assign(referentieregio=d["referentieregio"].where(
        d.index != 40, "Typo"))), [MUN, "referentieregio", "one name per referentieregio_code", "'Typo'"]),
}
DATA_CASES.update(BOUND_CASES)


@pytest.mark.parametrize("case", list(BOUND_CASES))
def test_data_out_of_bounds_is_one_line(tmp_path, monkeypatch, case):
    test_bad_data_is_one_line_naming_file_and_field(tmp_path, monkeypatch, case)


def test_a_region_that_falls_apart_gives_one_warning_line(tmp_path, caplog):
    def move_first_to_last_region(d: pd.DataFrame) -> pd.DataFrame:
        d.loc[0, ["referentieregio_code", "referentieregio"]] = d.iloc[-1][["referentieregio_code",
                                                                             "referentieregio"]].tolist()
        return d

    folder = damaged(tmp_path, MUN, edit(move_first_to_last_region))
    with caplog.at_level("WARNING", logger="simcoop"):
        simcoop.data.landscape.load_landscape(folder)
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith("data warning: municipalities.csv: reference region") and "falls apart" in line
    caplog.clear()
    with caplog.at_level("WARNING", logger="simcoop"):
        simcoop.data.landscape.load_landscape()  # the embedded data: Voeren is an exclave, not a broken region
    assert caplog.records == []


# ---------------------------------------------------------------- issue 13: I/O failures, help, stale files
def main_exit(argv: list[str], capsys) -> tuple[int, str]:
    """cli.main in-process: (exit code, stderr)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "argv", ["simcoop", *argv])
        with pytest.raises(SystemExit) as exited:
            cli.main()
    return exited.value.code, capsys.readouterr().err


@pytest.mark.parametrize("blocked, argv", [
    ("sweeps", ["-m", "seed=0,1", *SMALL]),
    ("outputs", SMALL),
])
def test_an_unusable_output_folder_is_one_line_before_anything_runs(blocked, argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / blocked).write_text("a file where a folder should be")  # as root, chmod would not stop writes
    code, err = main_exit(argv, capsys)
    line = one_line(err)
    assert code == 2 and line.startswith("simcoop: output error: cannot write results to") and blocked in line, line
    assert files_in(tmp_path) == [blocked]


def test_collect_into_an_unwritable_folder_is_one_line(result, tmp_path, monkeypatch, capsys):
    d = tmp_path / "sweep"
    store.finish(d / "seed=1", result, ["seed=1", *SMALL])
    before = digest(d)
    try:
        unwritable(d, monkeypatch)
        with pytest.raises(SystemExit) as exited:
            cli.collect_command([str(d)])
        line = one_line(capsys.readouterr().err)
        assert exited.value.code == 2 and "output error" in line and str(d) in line, line
    finally:
        d.chmod(0o700)
    assert digest(d) == before


def test_collect_removes_what_a_killed_collect_left_behind(result, tmp_path):
    from simcoop import atomic

    d = tmp_path / "sweep"
    store.finish(d / "seed=1", result, ["seed=1", *SMALL])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = atomic.temp_path(d / "collected_yearly.parquet").name.rsplit("-", 2)[0] + f"-{dead.stdout.strip()}-ab12"
    (d / stale).write_bytes(b"half a merge")
    mine = atomic.temp_path(d / "collected_igs.parquet")  # a live process's file is left alone
    mine.write_bytes(b"in progress")
    cli.collect_command([str(d)])
    assert not (d / stale).exists() and mine.exists()
    assert (d / "collected_yearly.parquet").is_file()


@pytest.mark.parametrize("command", ["collect", "analyse", "compare", "dashboard", "sensitivity"])
def test_every_subcommand_answers_help(command, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "argv", ["simcoop", command, "--help"])
        with pytest.raises(SystemExit) as exited:
            cli.main()
    out = capsys.readouterr()
    assert exited.value.code == 0 and out.out.startswith(f"simcoop {command}") and out.err == "", out
    assert "is not a folder" not in out.out and files_in(tmp_path) == []


def test_an_interrupted_write_leaves_no_folder_and_stale_temporary_folders_are_removed(result, tmp_path, monkeypatch):
    from simcoop import atomic

    owner, name = parquet_writer()
    real, calls = getattr(owner, name), []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, interrupted)
    with pytest.raises(KeyboardInterrupt):
        result.write(tmp_path / "run")
    assert files_in(tmp_path) == []  # no half folder, no temporary folder
    monkeypatch.undo()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    killed = tmp_path / (atomic.temp_path(tmp_path / "run").name.rsplit("-", 2)[0] + f"-{dead.stdout.strip()}-ab12")
    killed.mkdir()
    (killed / "yearly.parquet").write_bytes(b"half")
    assert atomic.remove_stale(tmp_path) == [killed] and files_in(tmp_path) == []
