"""Sensitivity analysis (SALib) and scenario discovery (PRIM) through the sweep machinery."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
from SALib.sample import latin

from simcoop.sweeps.experiments import complete_runs, load
from simcoop.analysis.sensitivity import _prim, analyse, markdown, problem
from simcoop.sweeps.store import read_marker

SMALL = ["data=synthetic", "end_year=2022"]


def sensitivity(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simcoop", "sensitivity", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=1200)


def test_morris_screening_ranks_parameters_and_finds_an_inert_one(tmp_path):
    proc = sensitivity(tmp_path, "morris", "n=2", *SMALL)
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
    text = markdown(sweep)
    for output, group in table.groupby("output", sort=False):  # each output's leader is in its table
        leader = group.sort_values("mu_star", ascending=False).iloc[0]["parameter"]
        section = text.split(f"**{output}**")[1].split("**")[0]
        assert "| parameter | mu* | sigma |" in section and f"`{leader}`" in section, output


def test_sobol_indices_of_chosen_parameters(tmp_path):
    chosen = ["attributes.heritage_share", "incentive.recognition_threshold", "incentive.network_bonus_per_inhabitant"]
    proc = sensitivity(tmp_path, "sobol", "n=8", "params=" + ",".join(chosen), *SMALL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [sweep] = list((tmp_path / "sweeps").iterdir())
    table = pd.read_parquet(sweep / "analysis" / "sobol.parquet")
    assert len(pd.read_parquet(sweep / "sample.parquet")) == 8 * (len(chosen) + 2)
    assert set(table["parameter"]) == set(chosen) and set(table["index"]) == {"first order", "total"}
    inert = table[table["parameter"] == "incentive.network_bonus_per_inhabitant"]
    assert (inert["value"].abs() < 1e-12).all()  # no effect before 2027, so no variance explained
    rows = [line for line in markdown(sweep).splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == len(chosen) * table["output"].nunique()  # one row per output and parameter
    analyse(sweep)                                 # the same runs analysed again: the same intervals
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "analysis" / "sobol.parquet"), table)


def test_prim_boxes_on_a_latin_hypercube(tmp_path):
    proc = sensitivity(tmp_path, "prim", "n=40", "params=attributes.heritage_share,incentive.recognition_threshold,"
                       "behaviour.founding_trust,igs.own_staff_share", *SMALL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [sweep] = list((tmp_path / "sweeps").iterdir())
    trajectory = pd.read_parquet(sweep / "analysis" / "prim_trajectory.parquet")
    assert set(trajectory["output"]) == {"coverage", "breakup_rate", "dominance"}
    assert trajectory["coverage"].between(0, 1).all() and trajectory["density"].between(0, 1).all()
    boxes = pd.read_parquet(sweep / "analysis" / "prim_boxes.parquet")
    assert ((boxes["low"] >= boxes["sampled_low"] - 1e-9) & (boxes["high"] <= boxes["sampled_high"] + 1e-9)).all()
    text = markdown(sweep)
    assert text.count("| parameter | box | sampled |") == boxes.groupby(["output", "case"]).ngroups
    assert all(f"`{p}`" in text for p in boxes["parameter"])  # every restricted parameter is shown


def test_prim_finds_the_one_input_that_decides_the_outcome(tmp_path):
    """PRIM (the wrapper's box choice over EMA Workbench) on a Latin hypercube whose outcome is
    1 exactly when `b` > 0.6: the box restricts `b` from below near 0.6, keeps its top, and
    leaves `a` and `c` alone (the model sweep above need not yield any box at all)."""
    names = ["a", "b", "c"]
    prob = {"num_vars": 3, "names": names, "bounds": [[0.0, 1.0]] * 3,
            "analysis": {"outcomes": ["coverage"], "threshold": "0.5", "case": "high"}}
    design = latin.sample(prob, 200, seed=0)
    x = pd.DataFrame(design, columns=names)
    y = pd.DataFrame({"coverage": (x["b"] > 0.6).astype(float)})
    _prim(prob, x, y, tmp_path, design)
    boxes = pd.read_parquet(tmp_path / "prim_boxes.parquet")
    [box] = boxes.itertuples()  # one restricted parameter: b
    assert box.parameter == "b" and box.case == "coverage > 0.5"
    assert abs(box.low - 0.6) < 0.05 and box.sampled_low < 0.01
    assert box.high == box.sampled_high
    assert box.density == 1.0 and box.coverage >= 0.9


def test_prim_with_categorical_parameters_seeds_outcome_and_threshold(tmp_path):
    proc = sensitivity(tmp_path, "prim", "n=8", "params=key,behaviour.founding_trust,igs.staff_hosted_by_city",
                       "seeds=2", "outcome=n_igs:max,breakup_rate", "threshold=q0.7", *SMALL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [sweep] = list((tmp_path / "sweeps").iterdir())
    sample = pd.read_parquet(sweep / "sample.parquet")
    assert set(sample["key"]) <= {"per_inhabitant", "per_budget", "mixed", "fixed_plus_per_inhabitant"}
    assert sample["igs.staff_hosted_by_city"].dtype == bool
    yearly = load(sweep)
    assert yearly.groupby("sample.id", observed=True)["seed"].nunique().eq(2).all()  # two seeds per point
    for run in complete_runs(sweep):  # each run took its row's group option and values
        config = read_marker(run)["config"]
        row = sample.iloc[config["sample"]["id"]]
        assert config["key"]["name"] == row["key"]
        assert config["igs"]["staff_hosted_by_city"] == row["igs.staff_hosted_by_city"]
    trajectory = pd.read_parquet(sweep / "analysis" / "prim_trajectory.parquet")
    assert set(trajectory["output"]) == {"n_igs:max", "breakup_rate"}
    boxes = pd.read_parquet(sweep / "analysis" / "prim_boxes.parquet")
    assert boxes["case"].str.contains("top 30%").all()
    for r in boxes[boxes["parameter"] == "key"].itertuples():
        assert set(r.values.split(", ")) < set(sample["key"].unique()) | {"per_inhabitant", "per_budget", "mixed",
                                                                          "fixed_plus_per_inhabitant"}


def test_bad_sizes_names_and_options_give_one_line(tmp_path):
    for args, field in ((["morris", "n=1"], "n"), (["nonsense"], "method"), (["sobol", "params=behaviour.nope"], "params"),
                        (["prim", "params=data.path"], "params"), (["prim", "params=seed"], "params"),
                        (["prim", "outcome=nope"], "outcome"), (["prim", "threshold=q2"], "threshold"),
                        (["prim", "case=middle"], "case"), (["prim", "seeds=0"], "seeds"),
                        (["prim", "ranges=wide"], "ranges")):
        proc = sensitivity(tmp_path, *args)
        assert proc.returncode == 2 and field in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr


def test_calibration_accepts_the_closest_runs_and_rechecks_them(tmp_path):
    proc = sensitivity(tmp_path, "calibrate", "n=20", "data=synthetic", "end_year=2025")
    assert proc.returncode == 0, proc.stderr[-3000:]
    [sweep] = list((tmp_path / "sweeps").iterdir())
    runs = pd.read_parquet(sweep / "analysis" / "calibration_runs.parquet")
    assert len(runs) == 20 and runs["accepted"].sum() >= 1
    assert runs.loc[runs["accepted"], "distance"].max() <= runs.loc[~runs["accepted"], "distance"].min()
    check = pd.read_parquet(sweep / "analysis" / "calibration_check.parquet")
    assert "current defaults" in set(check["candidate"])
    assert check["mean_distance"].is_monotonic_increasing
    fitted = pd.read_parquet(sweep / "analysis" / "calibration_fitted.parquet")
    assert ((fitted["fitted"] >= fitted["sampled_low"]) & (fitted["fitted"] <= fitted["sampled_high"])).all()
