"""On-demand benchmark of storage: bytes per run, and memory to merge a 1,000-run sweep.

    python benchmarks/storage.py             # 8 real runs: about 1 minute on 2 cores
    python benchmarks/storage.py --runs 16   # more runs for a steadier average

Prints, with the targets of the performance issue:
1. the average size of a full-Flanders 30-year run (2016-2045) in the results store: every
   file of the run folder (four parquet tables, config.yaml, _complete.json), measured on
   real runs made through the store (`simcoop -m seed='range(N)' end_year=2045`), and the
   same times 1,000 (target: at most 50 MB);
2. peak memory (maximum resident set size) of `simcoop collect` of each table of a
   1,000-run sweep, each in a child process (target: under 1 GB). The 1,000 runs are copies
   of the real run folders, renamed seed=0..999 with their markers adjusted (the seed and
   its override), which is all `experiments.load` reads besides the tables. The 8 runs take
   about 30 s (2026-11 model speed), the copies and the four merges about 35 s.
MB are 10^6 bytes. Benchmarks are never part of the test suite.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simcoop.results import TABLES
from simcoop.store import MARKER

TARGET_MB = 50.0
TARGET_MERGE_MB = 1000.0
SWEEP_RUNS = 1000


def real_sweep(folder: Path, runs: int) -> list[Path]:
    """Run `runs` full-Flanders 30-year runs through the store; their run folders."""
    subprocess.run([sys.executable, "-m", "simcoop", "-m", f"seed=range({runs})", "end_year=2045",
                    f"hydra.sweep.dir={folder}"], check=True, capture_output=True, cwd=folder.parent)
    done = sorted(p.parent for p in folder.glob(f"*/{MARKER}"))
    assert len(done) == runs, f"{len(done)} of {runs} runs finished"
    return done


def file_sizes(run_dir: Path) -> dict[str, tuple[int, int]]:
    """Each file of a run folder: (bytes, bytes the file system allocates for it)."""
    return {p.name: (p.stat().st_size, p.stat().st_blocks * 512) for p in run_dir.iterdir() if p.is_file()}


def renamed_copy(source: Path, target: Path, seed: int) -> None:
    """A copy of a run folder posing as the run with another seed (marker adjusted)."""
    shutil.copytree(source, target)
    marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    marker["seed"] = marker["config"]["seed"] = seed
    marker["overrides"] = [f"seed={seed}" if o.startswith("seed=") else o for o in marker["overrides"]]
    (target / MARKER).write_text(json.dumps(marker, sort_keys=True), encoding="utf-8")


def synthetic_sweep(runs: list[Path], folder: Path, n: int = SWEEP_RUNS) -> Path:
    folder.mkdir(parents=True)
    for seed in range(n):
        renamed_copy(runs[seed % len(runs)], folder / f"end_year=2045,seed={seed}", seed)
    return folder


MEASURE = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-c", "import sys; from simcoop import experiments; "
                "experiments.collect(sys.argv[1], sys.argv[2])", *sys.argv[1:]], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def merge_peak_mb(sweep: Path, table: str) -> tuple[float, float]:
    """Peak resident memory (MB) and seconds of `experiments.collect(sweep, table)`: run in a
    child of a small wrapper process, whose RUSAGE_CHILDREN then holds that child alone."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MEASURE, str(sweep), table], check=True, capture_output=True,
                         text=True)
    return int(out.stdout.split()[-1]) * 1024 / 1e6, time.perf_counter() - t


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 8
    folder = Path(tempfile.mkdtemp(prefix="simcoop-storage-"))
    try:
        print(f"simcoop storage benchmark ({runs} real full-Flanders runs of 2016-2045)\n")
        t = time.perf_counter()
        run_dirs = real_sweep(folder / "sweep", runs)
        sizes = [file_sizes(r) for r in run_dirs]
        per_run = sum(b for s in sizes for b, _ in s.values()) / runs
        on_disk = sum(d for s in sizes for _, d in s.values()) / runs
        per_file = {name: sum(s[name][0] for s in sizes) / runs / 1e3 for name in sizes[0]}
        print(f"1. bytes per run: {per_run / 1e3:.1f} KB, so {per_run * SWEEP_RUNS / 1e6:.1f} MB for "
              f"{SWEEP_RUNS:,} runs   (target <= {TARGET_MB:.0f} MB)   [runs took {time.perf_counter() - t:.0f} s]")
        print("   per file (KB): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(per_file.items())) +
              f"; on disk (4 KB blocks) {on_disk / 1e3:.1f} KB a run")

        sweep = synthetic_sweep(run_dirs, folder / "sweep1000")
        peaks = {table: merge_peak_mb(sweep, table) for table in TABLES}
        worst = max(mb for mb, _ in peaks.values())
        rows = ", ".join(f"{t} {mb:.0f} MB in {s:.0f} s" for t, (mb, s) in peaks.items())
        print(f"2. merging {SWEEP_RUNS:,} runs (collect, peak memory per table): {rows}; largest "
              f"{worst:.0f} MB   (target < {TARGET_MERGE_MB:.0f} MB)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
