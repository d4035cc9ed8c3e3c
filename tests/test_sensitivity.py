"""Morris screening through the sweep machinery (SALib)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from simcoop.sensitivity import problem


def test_morris_screening_ranks_parameters_and_finds_an_inert_one(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "simcoop", "sensitivity", "morris", "trajectories=2",
                           "data=synthetic", "end_year=2022"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [sweep] = list((tmp_path / "sweeps").iterdir())
    table = pd.read_parquet(sweep / "analysis" / "morris.parquet")
    names = problem()["names"]
    assert len(names) > 40  # every numeric behavioural and policy parameter
    assert set(table["parameter"]) == set(names)
    assert set(table["output"]) == {"coverage", "dominance", "breakup_rate"}
    assert (table["mu_star"] >= 0).all()
    # the leisure-participation network starts in 2027: before then its bonus cannot matter
    inert = table[table["parameter"] == "incentive.network_bonus_per_inhabitant"]
    assert (inert["mu_star"] == 0).all()
    for output, group in table.groupby("output"):
        assert (group["mu_star"] > 0).sum() >= 5, output
    assert (sweep / "analysis" / "morris.png").stat().st_size > 0
    assert len(pd.read_parquet(sweep / "sample.parquet")) == 2 * (len(names) + 1)


def test_bad_trajectories_give_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "simcoop", "sensitivity", "morris", "trajectories=1"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "trajectories" in proc.stderr and proc.stderr.strip().count("\n") == 0
