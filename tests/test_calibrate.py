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
