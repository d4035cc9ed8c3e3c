"""On-demand benchmark of storage: bytes per run, and merging and querying a 10,000-run sweep.

    python benchmarks/storage.py                      # 8 real runs, 10,000 copies: about 30 minutes on 2 busy cores
    python benchmarks/storage.py --runs 16            # more real runs for a steadier average
    python benchmarks/storage.py --sweep-runs 1000    # a smaller sweep for the merge and the query

Prints, with the targets of the performance and storage issues:
1. the average size of a full-Flanders 30-year run (2026-2055 from the real 2025 start) in the results store: every
   file of the run folder (four parquet tables, config.yaml, _complete.json), measured on
   real runs made through the store (`simcoop -m scenario=baseline,forced_regions_2028
   seed='range(N/2)' end_year=2055`), and the same times 1,000 (target: at most 50 MB);
2. peak memory (maximum resident set size) and time of `simcoop collect` of each table of
   a 10,000-run sweep, each in a child process (target: under 1 GB). The 10,000 runs are
   copies of the real run folders (5,000 per scenario, each a copy of a real run of its
   scenario), renamed seed=0..4999 with their markers adjusted (the seed and its
   override), which is all `experiments` reads besides the tables;
3. peak memory and time of the question "share of runs in which Herentals is in an IGS in
   2035, per scenario" on that sweep through `experiments.connect` (DuckDB), in a child
   process (target: seconds, under 1 GB): over the run files (asked before collecting), and
   over the collected membership file (asked after).
MB are 10^6 bytes. Benchmarks are never part of the test suite.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq

from simcoop.results import TABLES
from simcoop.sweeps.store import MARKER

TARGET_MB = 50.0
TARGET_MERGE_MB = 1000.0
SIZE_RUNS = 1000  # bytes per run are reported for a sweep of this many runs
SWEEP_RUNS = 10_000
SCENARIOS = ("baseline", "forced_regions_2028")
QUESTION = ("SELECT scenario, avg((igs_id IS NOT NULL)::INT) AS share, count(*) AS runs FROM membership "
            "WHERE name = 'Herentals' AND year = 2035 GROUP BY scenario ORDER BY scenario")


def real_sweep(folder: Path, runs: int) -> list[Path]:
    """Run `runs` full-Flanders 30-year runs through the store, half of them per scenario;
    their run folders."""
    subprocess.run([sys.executable, "-m", "simcoop", "-m", f"scenario={','.join(SCENARIOS)}",
                    f"seed=range({runs // len(SCENARIOS)})", "end_year=2055", f"hydra.sweep.dir={folder}"],
                   check=True, capture_output=True, cwd=folder.parent)
    done = sorted(p.parent for p in folder.glob(f"*/{MARKER}"))
    assert len(done) == runs // len(SCENARIOS) * len(SCENARIOS), f"{len(done)} of {runs} runs finished"
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


def synthetic_sweep(runs: list[Path], folder: Path, n: int) -> Path:
    """`n` runs, half per scenario, each a copy of a real run of its scenario."""
    folder.mkdir(parents=True)
    for scenario in SCENARIOS:
        sources = [r for r in runs if f"scenario={scenario}," in r.name]
        for seed in range(n // len(SCENARIOS)):
            renamed_copy(sources[seed % len(sources)], folder / f"end_year=2055,scenario={scenario},seed={seed}", seed)
    return folder


MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
out = subprocess.run([sys.executable, "-c", sys.argv[1], *sys.argv[2:]], check=True, capture_output=True, text=True)
print(out.stdout)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t)
"""
COLLECT = "import sys; from simcoop.sweeps import experiments; experiments.collect(sys.argv[1], sys.argv[2])"
ASK = ("import sys, time; from simcoop.sweeps import experiments; t = time.perf_counter(); "
       "df = experiments.connect(sys.argv[1], ('membership',)).sql(sys.argv[2]).df(); "
       "print(df.to_string(index=False)); print('took', time.perf_counter() - t)")


def peak(code: str, *args: str) -> tuple[float, float, str]:
    """Peak resident memory (MB), seconds and output of `python -c code args...`: run in a
    child of a small wrapper process, whose RUSAGE_CHILDREN then holds that child alone."""
    out = subprocess.run([sys.executable, "-c", MEASURE, code, *args], check=True, capture_output=True, text=True)
    *printed, last = out.stdout.strip().splitlines()
    kb, seconds = last.split()
    return int(kb) * 1024 / 1e6, float(seconds), "\n".join(printed).strip()


def ask(sweep: Path) -> tuple[float, float, float, str]:
    """The Herentals question through `experiments.connect`: peak MB, seconds in all,
    seconds of the query (connect and SQL), and the answer as text."""
    mb, seconds, printed = peak(ASK, str(sweep), QUESTION)
    *table, took = printed.splitlines()
    return mb, seconds, float(took.split()[1]), "\n".join(table)


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 8
    n = int(sys.argv[sys.argv.index("--sweep-runs") + 1]) if "--sweep-runs" in sys.argv else SWEEP_RUNS
    folder = Path(tempfile.mkdtemp(prefix="simcoop-storage-"))
    try:
        print(f"simcoop storage benchmark ({runs} real full-Flanders runs of 2026-2055)\n")
        t = time.perf_counter()
        run_dirs = real_sweep(folder / "sweep", runs)
        sizes = [file_sizes(r) for r in run_dirs]
        per_run = sum(b for s in sizes for b, _ in s.values()) / len(sizes)
        on_disk = sum(d for s in sizes for _, d in s.values()) / len(sizes)
        per_file = {name: sum(s[name][0] for s in sizes) / len(sizes) / 1e3 for name in sizes[0]}
        print(f"1. bytes per run: {per_run / 1e3:.1f} KB, so {per_run * SIZE_RUNS / 1e6:.1f} MB for "
              f"{SIZE_RUNS:,} runs   (target <= {TARGET_MB:.0f} MB)   [runs took {time.perf_counter() - t:.0f} s]")
        print("   per file (KB): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(per_file.items())) +
              f"; on disk (4 KB blocks) {on_disk / 1e3:.1f} KB a run")

        t = time.perf_counter()
        sweep = synthetic_sweep(run_dirs, folder / "big", n)
        print(f"   ({n:,} copies made in {time.perf_counter() - t:.0f} s)")
        before = ask(sweep)  # nothing collected yet: DuckDB over the run files
        peaks = {table: peak(COLLECT, str(sweep), table) for table in TABLES}
        worst = max(mb for mb, _, _ in peaks.values())
        rows = ", ".join(f"{t} {mb:.0f} MB in {s:.0f} s" for t, (mb, s, _) in peaks.items())
        print(f"2. collect of {n:,} runs (peak memory and time per table): {rows}; largest "
              f"{worst:.0f} MB   (target < {TARGET_MERGE_MB:.0f} MB)")
        collected = sweep / "collected_membership.parquet"
        print(f"   collected membership: {pq.read_metadata(collected).num_rows:,} rows in "
              f"{pq.read_metadata(collected).num_row_groups} row groups, {collected.stat().st_size / 1e6:.0f} MB")
        after = ask(sweep)  # the collected file
        print(f"3. share of runs with Herentals in an IGS in 2035, per scenario, on {n:,} runs "
              f"(experiments.connect, DuckDB; target: seconds, < {TARGET_MERGE_MB:.0f} MB):")
        for label, (mb, seconds, took, table) in (("over the collected file", after), ("over the run files", before)):
            print(f"   {label}: {took:.1f} s ({seconds:.1f} s with starting Python and importing simcoop), "
                  f"peak {mb:.0f} MB")
        assert after[3] == before[3], (after[3], before[3])
        print(textwrap.indent(after[3], "   "))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
