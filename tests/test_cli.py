"""The command line end to end, as a user runs it: files written, or one-line errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simcoop.data.landscape import embedded_path
from simcoop.results import read_metadata


def simcoop_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simcoop", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_cli_runs_the_issue_example_and_writes_its_files(tmp_path):
    out = tmp_path / "run"
    proc = simcoop_cli("scenario=regions_by_2028", "key=per_budget", "seed=3", "end_year=2040",
                       f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("yearly.parquet", "membership.parquet", "events.parquet", "igs.parquet", "config.yaml",
                 "summary.png"):
        assert (out / name).stat().st_size > 0, name
    yearly = pd.read_parquet(out / "yearly.parquet")
    assert yearly["year"].tolist() == list(range(2025, 2041))   # the real 2025 landscape, then 2026-2040
    meta = read_metadata(out / "membership.parquet")
    assert meta["seed"] == 3 and meta["config"]["key"]["name"] == "per_budget"
    assert meta["config"]["region_rule"]["mode"] == "forced" and meta["config"]["end_year"] == 2040
    assert meta["simcoop_version"] and len(meta["data_checksum"]) == 64
    # the printed summary table speaks the label table's language, not column names
    assert "share of municipalities in an IGS" in proc.stdout and "%" in proc.stdout
    assert not {"coverage_municipalities", "n_igs", "cov_mun"} & set(proc.stdout.split())
    assert (out / "summary.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("override, field", [
    ("key=nonsense", "key"),
    ("behaviour.temperature=-1", "behaviour.temperature"),
    ("behaviour.temperature=warm", "behaviour.temperature"),
    ("behaviour.no_such_field=1", "behaviour.no_such_field"),
    ("scenario=utopia", "scenario"),
    ("region_rule.mode=sometimes", "region_rule.mode"),
    ("end_year=2000", "end_year"),
    ("seed=-1", "seed"),
    ("seed=1,2,x", "seed"),
    ("seed=range(0,5000000000)", "seed"),  # checked by its ends, not listed
])
def test_bad_config_gives_one_line_error_and_writes_nothing(tmp_path, override, field):
    out = tmp_path / "run"
    proc = simcoop_cli(override, f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert field in lines[0] and "accepted" in lines[0]
    assert not out.exists() and not (tmp_path / "outputs").exists()


def test_bad_data_gives_one_line_error_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(embedded_path(), data)
    mun = pd.read_csv(data / "municipalities.csv")
    mun.loc[4, "population"] = -10
    mun.to_csv(data / "municipalities.csv", index=False)
    out = tmp_path / "run"
    proc = simcoop_cli(f"data.path={data}", f"hydra.run.dir={out}", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "municipalities.csv" in lines[0] and "row 5" in lines[0] and "population" in lines[0]
    assert not out.exists()


def test_results_are_never_overwritten(tmp_path, run):
    from conftest import SYNTHETIC

    from simcoop.errors import SimcoopInputError

    result = run(SYNTHETIC, 0)
    result.write(tmp_path)
    before = (tmp_path / "yearly.parquet").read_bytes()
    with pytest.raises(SimcoopInputError, match="never overwritten"):
        result.write(tmp_path)
    assert (tmp_path / "yearly.parquet").read_bytes() == before
    assert not list(tmp_path.glob(".*tmp*"))
