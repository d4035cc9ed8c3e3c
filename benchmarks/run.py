"""On-demand benchmarks: speed as ratios against references measured in the same run.

    python benchmarks/run.py            # about 6 minutes on 2 cores
    python benchmarks/run.py --quick    # smaller sizes, for a smoke check

A "30-year Flanders run" is the default start (the real IGS cultuur of 2025) simulated for
30 years, 2026-2055 (`end_year=2055`): what a sweep of policy scenarios runs. Prints, with
the targets of the performance issue:
1. a 30-year Flanders run against a bare Mesa model with the same agents and steps
   (AgentSet.shuffle_do of a step that updates one float from the model's RNG);
2. sweep throughput (runs per second) of 30-year Flanders runs through the joblib launcher
   with 1 and 2 workers: steady state (runs finished per second between the first and the
   last run, from the store's completion markers; what a sweep of thousands of runs sees)
   and wall clock (including the start-up of Hydra and the worker processes);
3. time per year on synthetic landscapes of growing size, and the fitted exponent;
4. peak memory (maximum resident set) of a run of 10,000 synthetic municipalities, in a
   child process of its own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa
import numpy as np

from simcoop.model import CooperationModel
from simcoop.run import compose, to_sim_config


class BareAgent(mesa.Agent):
    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.value = 0.0

    def step(self) -> None:
        self.value += self.model.rng.random()


class BareModel(mesa.Model):
    def __init__(self, n: int, seed: int = 0):
        super().__init__(seed=seed)
        for _ in range(n):
            BareAgent(self)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


FIRST_YEAR = 2026   # the default start: the real 2025 landscape, simulated from 2026


def model_vs_bare(years: int = 30, repeats: int = 3) -> tuple[float, float]:
    cfg = to_sim_config(compose([f"end_year={FIRST_YEAR + years - 1}"]))
    simcoop_s = best_of(lambda: CooperationModel(cfg).run(), repeats)

    def bare() -> None:
        m = BareModel(285)
        for _ in range(years):
            m.step()
    return simcoop_s, best_of(bare, repeats)


def sweep_throughput(workers: int, runs: int, years: int = 30) -> tuple[float, float]:
    """(steady-state, wall-clock) runs per second of a sweep of 30-year Flanders runs."""
    folder = Path(tempfile.mkdtemp(prefix="simcoop-bench-"))
    try:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "simcoop", "-m", f"seed=range({runs})", f"end_year={FIRST_YEAR + years - 1}",
                        f"hydra.launcher.n_jobs={workers}", f"hydra.sweep.dir={folder / 'sweep'}"],
                       check=True, capture_output=True, cwd=folder)
        wall = runs / (time.perf_counter() - t)
        done = sorted(json.loads(m.read_text())["finished"] for m in (folder / "sweep").glob("*/_complete.json"))
        return (len(done) - 1) / (done[-1] - done[0]), wall
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def synthetic(n: int, years: int) -> list[str]:
    """A synthetic landscape of n municipalities (regions of 20), formation run from 2016."""
    return ["data=synthetic", f"data.n_municipalities={n}", f"data.n_regions={max(1, n // 20)}",
            f"data.n_centre_cities={max(1, n // 22)}", f"end_year={2016 + years - 1}"]


def seconds_per_year(n: int, years: int = 3) -> float:
    model = CooperationModel(to_sim_config(compose(synthetic(n, years))))
    t = time.perf_counter()
    model.run()
    return (time.perf_counter() - t) / years


MEMORY_CHILD = """
import resource, sys
from simcoop.model import CooperationModel
from simcoop.run import compose, to_sim_config
CooperationModel(to_sim_config(compose(sys.argv[1:]))).run()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_memory_mb(n: int, years: int) -> float:
    """Peak resident memory (MB) of a process that imports simcoop and runs n municipalities."""
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, *synthetic(n, years)], check=True,
                         capture_output=True, text=True)
    return int(out.stdout.split()[-1]) / 1024   # ru_maxrss is in KiB on Linux


def main() -> None:
    quick = "--quick" in sys.argv
    print("simcoop benchmarks (ratios against references measured in this run)\n")

    years = 10 if quick else 30
    model_s, bare_s = model_vs_bare(years=years, repeats=1 if quick else 3)
    print(f"1. Flanders, {years} years ({FIRST_YEAR}-{FIRST_YEAR + years - 1} from the real 2025 start): "
          f"simcoop {model_s:.2f} s, bare Mesa {bare_s * 1000:.1f} ms, ratio {model_s / bare_s:.0f}x   "
          f"(target <= 20x)", flush=True)

    runs = 8 if quick else 60
    (one, one_wall), (two, two_wall) = sweep_throughput(1, runs, years), sweep_throughput(2, runs, years)
    print(f"2. sweep of {runs} runs of {years} years: steady state {one:.2f} runs/s with 1 worker, {two:.2f} with 2 "
          f"(speed-up {two / one:.2f}x; target 5.6 runs/s with 2 workers, 10,000 runs in 30 min: "
          f"{10_000 / two / 60:.0f} min now); wall clock with start-up {one_wall:.2f} and {two_wall:.2f} runs/s",
          flush=True)

    sizes = [300, 1000] if quick else [300, 1000, 3000, 10000]
    per_year = [seconds_per_year(n) for n in sizes]
    exponent = float(np.polyfit(np.log(sizes), np.log(per_year), 1)[0])
    rows = ", ".join(f"{n}: {s:.2f} s" for n, s in zip(sizes, per_year))
    print(f"3. time per year by size ({rows}); fitted exponent {exponent:.2f}   (target < 1.1)", flush=True)

    n, years = (3000, 5) if quick else (10_000, 10)
    print(f"4. peak memory of a run of {n:,} synthetic municipalities over {years} years (child process, "
          f"importing simcoop included): {peak_memory_mb(n, years):.0f} MB   (target < 1 GB)")


if __name__ == "__main__":
    main()
