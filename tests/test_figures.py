"""Figures for papers: every figure an experiment writes has readable labels (no config
paths or column names), a 300-dpi PNG and a PDF, and says what the runs did."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from PIL import Image

from simcoop.analysis import analyse
from conftest import unreadable


def small_sweep(tmp_path, name):
    d = tmp_path / name
    proc = subprocess.run([sys.executable, "-m", "simcoop", "-m", f"+experiment={name}_small",
                           f"hydra.sweep.dir={d}"], cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return d


@pytest.mark.parametrize("name", ["dominance", "path_dependence", "breakup_risk"])
def test_experiment_figures_have_readable_labels_300_dpi_and_pdf(tmp_path, name, figure_texts):
    d = small_sweep(tmp_path, name)
    written = analyse(d)  # again, in this process, so the figures' texts can be read
    pngs = [p for p in written if p.suffix == ".png"]
    assert pngs and len(figure_texts) >= 2 * len(pngs)  # a PNG and a PDF each
    for png in pngs:
        texts = figure_texts[png.name]
        assert texts and not unreadable(texts), (png.name, unreadable(texts))
        assert png.with_suffix(".pdf").read_bytes()[:4] == b"%PDF"
        dpi = Image.open(png).info["dpi"]
        assert round(dpi[0]) == 300, (png.name, dpi)
    if name == "path_dependence":
        # the small variant moves the deadline to 2020 and the repeal to 2022: the legend says so
        legend = " ".join(figure_texts["path_dependence_hysteresis.png"])
        assert "by 2020, repealed in 2022" in legend and "2028" not in legend
        assert "path_dependence_trajectories.png" in figure_texts


def test_breakup_probability_counts_what_it_estimates(tmp_path):
    d = small_sweep(tmp_path, "breakup_risk")
    probs = pd.read_parquet(d / "analysis" / "breakup_probability.parquet")
    within = probs["n_dissolved_within_horizon"]
    assert (within <= probs["n_dissolved"]).all()
    assert (probs.loc[within > 0, "p_breakup"] > 0).all()
    assert (probs.loc[within == 0, "p_breakup"] == 0).all()
    assert ((probs["ci_low"] <= probs["p_breakup"]) & (probs["p_breakup"] <= probs["ci_high"])).all()
    assert (probs["ci_high"] > 0).all()  # no dissolution seen is not a proof that none can happen

    # the IGS a run starts with (the 19 real ones) have no founding event; their breakup
    # probability is on the run's clock and counts exactly their dissolutions in the events
    from simcoop.analysis.breakup_risk import start_lifetimes
    from simcoop.sweeps import experiments

    yearly, events, igs = (experiments.load(d, t) for t in ("yearly", "events", "igs"))
    params = experiments.parameters(yearly)
    start = start_lifetimes(events, yearly, params, igs)
    runs = yearly.groupby([*params, "seed"], observed=True).ngroups
    assert len(start) == 19 * runs and (start["observed_from"] == 2025).all()
    real = start[["seed", *params, "igs_id"]]
    ended = events[(events["event"] == "dissolve") & (events["reason"] != "merger")]   # a merger is no breakup
    dissolved = ended.merge(real, on=["seed", *params, "igs_id"])
    assert start["dissolved"].sum() == len(dissolved)
    assert set(probs["igs"]) >= {"all", "at start"}
    assert (probs.loc[probs["igs"] == "at start", "n_igs"].groupby(probs["factor"]).sum() == 19 * runs).all()


def test_a_merger_is_censored_not_counted_as_a_breakup():
    """In the survival data an IGS absorbed in a merger leaves the risk set at its merger; one
    that dissolves has broken up."""
    from simcoop.analysis.breakup_risk import lifetimes

    events = pd.DataFrame({"seed": 0, "year": [2026, 2026, 2030, 2032], "igs_id": [1, 2, 1, 2],
                           "event": ["found", "found", "dissolve", "dissolve"], "nis": [11, 12, None, None],
                           "reason": ["initiative", "initiative", "unrecognised", "merger"]})
    yearly = pd.DataFrame({"seed": 0, "year": range(2025, 2039)})
    life = lifetimes(events, yearly, []).set_index("igs_id")
    assert life.loc[1, "dissolved"] == 1 and life.loc[1, "duration"] == 4 and life.loc[1, "ended_by"] == "unrecognised"
    assert life.loc[2, "dissolved"] == 0 and life.loc[2, "duration"] == 6    # censored at the merger, not at 2039
