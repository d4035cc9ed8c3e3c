"""The calibration script: its sample (the defaults as point 0, the rest within +-50%), kept on
resume, and bad input refused in one line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from simcoop.analysis import calibrate
from simcoop.sweeps.space import dimension


def test_the_sample_holds_the_defaults_first_and_is_kept_on_resume(tmp_path):
    names = ["behaviour.founding_trust", "behaviour.w_balance"]
    assert calibrate.write_sample(tmp_path, 6, names) == 7
    points = pd.read_parquet(tmp_path / calibrate.SAMPLE)
    assert list(points.columns) == names
    for name in names:
        default = dimension(name).default
        assert points.at[0, name] == default
        assert points[name].between(0.5 * default, 1.5 * default).all()
        assert points[name].nunique() == 7
    assert calibrate.write_sample(tmp_path, 50, names) == 7      # a re-run resumes the same points
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / calibrate.SAMPLE), points)


def test_bad_input_is_one_line_and_exit_code_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "simcoop.analysis.calibrate", "--n", "0", "--sweep",
                           str(tmp_path / "c")], capture_output=True, text=True)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "n=0" in done.stderr
    assert not (tmp_path / "c").exists()


def test_p1_filter_needs_every_year_of_the_period_within_the_band():
    """P1 beside the loss: a point passes only if the mean over its seeds is within 17-21,
    bounds included, in every year 2020-2025; one year outside, a missing or uncounted year
    fails it; the years around the period do not count."""
    years = range(2019, 2027)

    def runs(point, counts_by_seed):
        return [{"sample.id": point, "seed": s, "year": y, "n_recognised": counts[y - 2019]}
                for s, counts in enumerate(counts_by_seed) for y in years]

    inside = runs(0, [[0, 18, 18, 18, 18, 18, 18, 30], [0, 22, 22, 22, 22, 22, 22, 30]])  # means 20; 2019/2026 free
    one_year_out = runs(1, [[19, 19, 19, 19, 19, 19, 23, 19], [19, 19, 19, 19, 19, 19, 20, 19]])  # 2025: 21.5
    low = runs(2, [[16] * 8, [17.5] * 8])  # 16.75
    gap = [r for r in runs(3, [[19] * 8]) if r["year"] != 2023]
    bounds = runs(4, [[17, 17, 21, 21, 21, 21, 21, 17]])  # exactly 17 and 21: in the band
    by_mean = runs(5, [[0, 17, 17, 17, 17, 17, 17, 0], [0, 17, 17, 17, 17, 17, 17, 0],
                       [0, 30, 17, 17, 17, 17, 17, 0]])  # 2020: mean 21.33 (median 17)
    uncounted = runs(6, [[19, 19, 19, 19, float("nan"), 19, 19, 19]])  # 2022 not counted
    table = calibrate.p1_counts(pd.DataFrame(inside + one_year_out + low + gap + bounds + by_mean + uncounted))
    table = table.set_index("sample.id")
    assert table["p1_met"].tolist() == [True, False, False, False, True, False, False]
    assert table.loc[1, "p1_high"] == 21.5 and table.loc[2, "p1_low"] == 16.75
    assert table.loc[4, "p1_low"] == 17 and table.loc[4, "p1_high"] == 21
    assert calibrate.p1_counts(pd.DataFrame(columns=["sample.id", "year", "n_recognised"])).empty
