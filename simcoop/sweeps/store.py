"""The results store of a sweep: one folder per run, complete or absent, resumable.

A sweep folder (Hydra's ``hydra.sweep.dir``, by default ``sweeps/<sweep_name>``) holds one
sub-folder per run, named after the run's overrides (canonical values: 0.1, 0.10 and 1e-1
name the same run). A run is written into a private temporary folder, sealed with its
marker ``_complete.json`` (which lists every file with its size and sha256, and the run's
identity: its resolved config, the data checksum, the simcoop version and the sample
checksum), and renamed into place in one step. A run counts as complete only when its
marker verifies; a damaged run is named in one line and redone on resume.

Writers claim a run with an exclusive lock (``.locks/<run>.lock``, flock), so two sweeps
into one store, or one sweep that lists a value twice, compute each run once; where the
file system has no locks, the atomic rename still lets exactly one writer land.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import math
import os
import re
import time
from pathlib import Path
from typing import Any, Iterator

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, RangeSweep

from simcoop.atomic import discard, file_digest, remove_stale, temp_path
from simcoop.errors import SimcoopInputError
from simcoop.results import SimulationResult, output_error, package_version

MARKER = "_complete.json"
SWEEP_INFO = "_sweep.json"
LOCKS = ".locks"
ALLOW_MIXED_ENV = "SIMCOOP_ALLOW_MIXED"  # set by `simcoop --allow-mixed`, read by every worker
MAX_RUNS = 100_000  # a sweep larger than this is refused before it starts (split it)


class DamagedRun(SimcoopInputError):
    """A run folder whose marker or files do not verify."""

    def __init__(self, run_dir: Path, problem: str):
        self.run_dir, self.problem = run_dir, problem
        super().__init__(f"store error: run {run_dir} is damaged ({problem}); run the sweep's command again "
                         "to redo it")


# ---------------------------------------------------------------- names
def run_dirname(override_dirname: str) -> str:
    """A safe, readable folder name for a run (hashed when too long for a file system)."""
    name = override_dirname.replace("/", "_").replace(os.sep, "_") or "defaults"
    if len(name) > 120:
        name = name[:100] + "_" + hashlib.sha1(name.encode()).hexdigest()[:12]
    return name


def canonical_overrides(overrides: list[str]) -> list[str]:
    """Overrides as Hydra names them in run folders (0.10 and 1e-1 are 0.1), sorted."""
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    return sorted(canonical(o) for o in parsed)


def canonical(o: Override) -> str:
    """One parsed override as key=value, with Hydra's string form of the value (of each
    value, in order, for a sweep such as a=0.9,1.5)."""
    if o.is_sweep_override():
        return f"{o.get_key_element()}=" + ",".join(o.sweep_string_iterator())
    return f"{o.get_key_element()}={o.get_value_element_as_str()}"


def sweep_name(prefix: str, readable: list[str], defining: dict[str, Any]) -> str:
    """A sweep folder name that cannot collide: a readable part (at most 40 characters of
    `readable`) plus a short hash of everything in `defining` (method, size, sample
    parameters, every override in canonical form), so two sweeps that differ in anything
    that defines them get two folders."""
    label = re.sub(r"[^A-Za-z0-9_.-]+", "-", "_".join(readable)).strip("-_.")[:40].rstrip("-_.")
    digest = hashlib.sha256(json.dumps(defining, sort_keys=True, default=str).encode()).hexdigest()[:10]
    return "_".join(p for p in (prefix, label, digest) if p)


# ---------------------------------------------------------------- markers and verification
def write_marker(folder: Path, fields: dict[str, Any]) -> None:
    """Seal a run folder: list each file with its size and sha256, then write the marker
    (atomically). Written last, into the run's temporary folder, before it is renamed."""
    files = {p.name: {"bytes": p.stat().st_size, "sha256": file_digest(p)}
             for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith((".", "_"))}
    tmp = temp_path(folder / MARKER)
    tmp.write_text(json.dumps({**fields, "files": files}, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def read_marker(run_dir: Path) -> dict[str, Any]:
    """The marker of a run folder (DamagedRun if it is not readable JSON)."""
    try:
        marker = json.loads((run_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DamagedRun(run_dir, f"{MARKER} unreadable: {getattr(exc, 'strerror', None) or exc}") from None
    if not isinstance(marker, dict) or not isinstance(marker.get("files"), dict) or "config" not in marker:
        raise DamagedRun(run_dir, f"{MARKER} lists no files with checksums")
    return marker


def marked_runs(sweep_dir: Path) -> list[Path]:
    """Run folders of a sweep that hold a marker (not the hidden temporary ones), sorted."""
    return sorted(p.parent for p in sweep_dir.glob(f"*/{MARKER}") if not p.parent.name.startswith("."))


def verify(run_dir: Path) -> dict[str, Any]:
    """The marker of a complete run, after checking every file it lists (size and sha256)."""
    marker = read_marker(run_dir)
    for name, info in marker["files"].items():
        path = run_dir / name
        if not path.is_file():
            raise DamagedRun(run_dir, f"{name} is missing")
        if path.stat().st_size != info.get("bytes") or file_digest(path) != info.get("sha256"):
            raise DamagedRun(run_dir, f"{name} does not match its checksum")
    return marker


def is_complete(run_dir: Path) -> bool:
    """True when the run's marker exists and every file it lists verifies."""
    if not (run_dir / MARKER).is_file():
        return False
    try:
        verify(run_dir)
    except DamagedRun:
        return False
    return True


def _refuse_complete(run_dir: Path) -> None:
    if is_complete(run_dir):
        raise SimcoopInputError(f"store error: {run_dir} holds a finished run; accepted: a run folder without "
                                f"{MARKER} (a finished run is never overwritten)")


# ---------------------------------------------------------------- identity
def flatten(d: dict, prefix: str = "") -> dict[str, object]:
    """A nested config as dotted keys: {"behaviour.temperature": 0.1, ...}."""
    out: dict[str, object] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def same_fixed_fields(stored: dict, base: dict, swept: list[str]) -> bool:
    """Whether a stored run's config agrees with `base` on every field no sweep varies."""
    flat = flatten(stored)
    return all(flat.get(k) == v for k, v in flatten(base).items()
               if not any(k == s or k.startswith(s + ".") for s in swept))


def config_digest(config: dict) -> str:
    """The canonical form of a resolved config (numbers as numbers: 0.1 = 0.10 = 1e-1)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


@functools.lru_cache(maxsize=32)
def _data_checksum(folder: str, stamp: tuple) -> str:
    from simcoop.data.landscape import embedded_path, load_landscape
    from simcoop.data.realdata import checksum

    path = Path(folder) if folder else embedded_path()
    return checksum(path, load_landscape(path).checksum)   # the checksum a run records


def data_checksum(data: dict) -> str | None:
    """The checksum of the data files a config reads (None for a synthetic landscape, which
    its config defines): the map and every optional file of `simcoop.data.realdata`."""
    if data.get("source") != "flanders":
        return None
    from simcoop.data.landscape import ADJACENCY, MUNICIPALITIES, embedded_path
    from simcoop.data.realdata import OPTIONAL_FILES

    folder = Path(data.get("path") or embedded_path())
    stamp = tuple((p.stat().st_mtime_ns, p.stat().st_size) if p.is_file() else None
                  for p in (folder / name for name in (MUNICIPALITIES, ADJACENCY, *OPTIONAL_FILES)))
    return _data_checksum(str(data.get("path") or ""), stamp)


@functools.lru_cache(maxsize=8)
def _sample_checksum(path: str, stamp: tuple) -> str:
    return file_digest(Path(path))


def sample_checksum(path: Path | None) -> str | None:
    if path is None:
        return None
    st = path.stat()
    return _sample_checksum(str(path), (st.st_mtime_ns, st.st_size))


def identity(config: dict, data: str | None, sample: str | None) -> dict[str, Any]:
    """What makes a run the run it is: config, data, code version and sample."""
    return {"config": config_digest(config), "data_checksum": data, "simcoop_version": package_version(),
            "sample_checksum": sample}


def allow_mixed() -> bool:
    return os.environ.get(ALLOW_MIXED_ENV) == "1"


def check_same_run(run_dir: Path, marker: dict, expected: dict) -> None:
    """Refuse (one line) when a finished run was made from another config, or, unless mixing
    is allowed, with other data or another simcoop version."""
    stored = marker.get("identity") or {}
    if config_digest(marker["config"]) != expected["config"]:
        raise SimcoopInputError(f"store error: {run_dir} holds a finished run with a different config; "
                                "accepted: the same config, or a new sweep folder (hydra.sweep.dir=...)")
    if allow_mixed():
        return
    for key, what in (("simcoop_version", "simcoop version"), ("data_checksum", "data checksum"),
                      ("sample_checksum", "sample checksum")):
        now, then = expected.get(key), stored.get(key, marker.get(key))
        if now is not None and then != now:
            raise SimcoopInputError(f"store error: {run_dir} was made with {what} {str(then)[:12]}, now "
                                    f"{str(now)[:12]}; accepted: the same inputs, a new sweep folder, or "
                                    "--allow-mixed to add runs anyway (load() then needs allow_mixed=True)")


def check_resume(sweep_dir: Path) -> None:
    """Before a sweep starts: refuse to add runs to a store whose finished runs were made
    with another simcoop version or other data (unless --allow-mixed)."""
    if allow_mixed():
        return
    version = package_version()
    for run_dir in marked_runs(sweep_dir):
        try:
            marker = read_marker(run_dir)
        except DamagedRun:
            continue  # redone when its turn comes
        stored = marker.get("identity") or {}
        then = stored.get("simcoop_version", marker.get("simcoop_version"))
        if then != version:
            raise SimcoopInputError(f"store error: {sweep_dir} holds runs made with simcoop {then}, now "
                                    f"{version}; accepted: the same version, a new sweep folder (sweep_name=...), "
                                    "or --allow-mixed to add runs anyway")
        data = marker["config"].get("data", {})
        now = data_checksum(data)
        if now is not None and now != marker.get("data_checksum"):
            where = data.get("path") or "the embedded data"
            raise SimcoopInputError(f"store error: {sweep_dir} holds runs made with other data (the files in "
                                    f"{where} changed since: checksum {str(marker.get('data_checksum'))[:12]}, now "
                                    f"{now[:12]}); accepted: the same data, a new sweep folder (sweep_name=...), "
                                    "or --allow-mixed to add runs anyway")


# ---------------------------------------------------------------- claiming and writing a run
@contextlib.contextmanager
def claim(run_dir: Path) -> Iterator[None]:
    """Hold the run's exclusive lock (waiting while another process holds it). Where the file
    system offers no locks, go on: the atomic rename in `finish` still keeps runs whole."""
    locks = run_dir.parent / LOCKS
    try:
        locks.mkdir(exist_ok=True)
        fd = os.open(locks / f"{run_dir.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise output_error(run_dir.parent, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                raise
        yield
    finally:
        os.close(fd)  # releases the lock


def finish(run_dir: Path, result: SimulationResult, overrides: list[str], ident: dict | None = None,
           started: float | None = None) -> None:
    """Write the run's tables and marker into a temporary folder, then rename it into place.

    A failure (disk full, no permission) or a kill leaves the run as if never started; a
    finished run is never touched. Leftovers of an interrupted or damaged run are removed
    first (call this holding the run's `claim`).
    """
    _refuse_complete(run_dir)
    try:
        if run_dir.exists() and any(run_dir.iterdir()):
            discard(run_dir)
        remove_stale(run_dir.parent)
    except OSError as exc:
        raise output_error(run_dir, exc) from None
    fields = {**result.metadata(), "overrides": overrides, "identity": ident, "started": started,
              "finished": time.time()}
    result.write(run_dir, also=lambda staging: write_marker(staging, fields))


# ---------------------------------------------------------------- size and progress
def sweep_values(o: Override) -> list[str]:
    """The distinct values of one sweep override, in canonical form (a range is not listed:
    use `sweep_size`)."""
    values = []
    for v in o.sweep_string_iterator():
        one = OverridesParser.create().parse_override(f"{o.get_key_element()}={v}")
        values.append(one.get_value_element_as_str())
    return list(dict.fromkeys(values))


def sweep_size(o: Override) -> int:
    """How many distinct runs one override adds as a factor (ranges counted, not listed)."""
    if not o.is_sweep_override():
        return 1
    if isinstance(o.value(), RangeSweep):
        r = o.value()
        step = r.step or 1
        return max(0, -(-(r.stop - r.start) // step))
    return len(sweep_values(o))


def count_jobs(task_overrides: list[str], sweeper_params: dict[str, Any] | None) -> int:
    """How many distinct runs a multirun command line (plus any hydra.sweeper.params) expands to."""
    return math.prod(sweep_size(o) for o in _merged(task_overrides, sweeper_params))


def merged_overrides(task_overrides: list[str], sweeper_params: dict[str, Any] | None) -> list[str]:
    """The command line's overrides plus an experiment's hydra.sweeper.params (the command line wins)."""
    merged = {o.split("=", 1)[0]: o for o in task_overrides}
    for key, value in (sweeper_params or {}).items():
        merged.setdefault(key, f"{key}={value}")
    return list(merged.values())


def _merged(task_overrides: list[str], sweeper_params: dict[str, Any] | None) -> list[Override]:
    return OverridesParser.create().parse_overrides(merged_overrides(task_overrides, sweeper_params))


def check_size(task_overrides: list[str], sweeper_params: dict[str, Any] | None = None,
               limit: int = MAX_RUNS) -> int:
    """The sweep's number of runs; one line (ConfigError) if it is larger than `limit`."""
    from simcoop.errors import ConfigError

    total = count_jobs(task_overrides, sweeper_params)
    if total > limit:
        biggest = max(_merged(task_overrides, sweeper_params), key=sweep_size)
        raise ConfigError(biggest.get_key_element(), (biggest.input_line or "").partition("=")[2],
                          f"a sweep of at most {limit:,} runs (this one has {total:,}); split it into several sweeps")
    return total


def progress_line(sweep_dir: Path) -> str | None:
    """'12/40 runs done (3 resumed), elapsed 1m20s, about 2m10s left' for a local sweep.

    The time left comes from the runs finished in this session only, so start-up time and
    runs skipped as already complete do not distort it: the pace between the first and the
    last of them once three have finished (that includes each job's overhead), before that
    their own durations spread over the workers."""
    info_path = sweep_dir / SWEEP_INFO
    if not info_path.is_file():
        return None
    info = json.loads(info_path.read_text(encoding="utf-8"))
    start, total = info["started"], info["total"]
    markers = [m for m in (_quiet_marker(p) for p in marked_runs(sweep_dir)) if m]
    now = sorted(m["finished"] for m in markers if m.get("finished", 0.0) >= start)
    resumed = len(markers) - len(now)
    left = max(0, total - len(markers))
    return (f"[simcoop] {len(markers)}/{total} runs done"
            + (f" ({resumed} resumed)" if resumed else "")
            + f", elapsed {_duration(time.time() - start)}"
            + (f", about {_duration(eta)} left" if left and (eta := _time_left(now, markers, start, left, info))
               else ""))


def _time_left(finished: list[float], markers: list[dict], start: float, left: int, info: dict) -> float | None:
    if len(finished) >= 3 and finished[-1] > finished[0]:
        return (finished[-1] - finished[0]) / (len(finished) - 1) * left
    durations = [m["finished"] - m["started"] for m in markers if m.get("started") and m["finished"] >= start]
    if not durations:
        return None
    return sum(durations) / len(durations) * left / max(1, min(info.get("workers") or 1, left))


def _quiet_marker(run_dir: Path) -> dict | None:
    try:
        return read_marker(run_dir)
    except DamagedRun:
        return None


def count_complete(sweep_dir: Path) -> int:
    """Runs whose marker is readable (for messages; `verify` checks the files)."""
    return sum(1 for p in marked_runs(sweep_dir) if _quiet_marker(p))


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
