"""Big sweeps without loading them whole: collect streamed run by run, and DuckDB queries."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pyarrow.parquet as pq
import pytest

import simcoop
from simcoop.sweeps import experiments, query, store
from simcoop.errors import SimcoopInputError
from simcoop.results import TABLES

FLANDERS = ["start=empty", "end_year=2018"]
SCENARIOS = ("current_policy", "regions_by_2028")


@pytest.fixture(scope="module")
def flanders_sweep(tmp_path_factory) -> Path:
    """Two scenarios x two seeds of Flanders runs, stored as a sweep does, plus a copy of one
    run under another folder name (two runs with equal parameters, as a resumed sweep with a
    renamed folder could hold)."""
    d = tmp_path_factory.mktemp("flanders")
    for scenario in SCENARIOS:
        for seed in (0, 1):
            overrides = [f"scenario={scenario}", *FLANDERS]
            store.finish(d / f"scenario={scenario},seed={seed}", simcoop.simulate(overrides, seed=seed),
                         [*overrides, f"seed={seed}"])
    shutil.copytree(d / "scenario=current_policy,seed=1", d / "scenario=current_policy,seed=1,copy")
    return d


def as_plain(df: pd.DataFrame) -> pd.DataFrame:
    """Values only: categoricals as objects, integers (nullable or not) as floats with NaN, and
    every missing value as NaN (a missing category reads as None from one path, NaN from the other)."""
    out = df.astype({c: object for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
    out = out.astype({c: float for c in out.columns if pd.api.types.is_integer_dtype(out[c].dtype)})
    objects = out.select_dtypes(include="object").columns
    out[objects] = out[objects].where(out[objects].notna(), np.nan)
    return out


@pytest.mark.parametrize("table", TABLES)
def test_collect_streams_the_rows_and_dtypes_load_gives(flanders_sweep, table):
    path = experiments.collect(flanders_sweep, table)
    pdt.assert_frame_equal(pd.read_parquet(path), experiments.load(flanders_sweep, table))


def test_a_merge_in_many_row_groups_reads_back_the_same(flanders_sweep, tmp_path):
    """Row groups of a few runs each (each with its own category dictionaries) come back as
    one frame with the categories `load` gives, and no row group holds much more than asked."""
    params, paths = experiments._runs_in_order(flanders_sweep, "membership")
    typed = pd.DataFrame({n: experiments._parameter_column(params[n].reset_index(drop=True), np.ones(len(params), int))
                          for n in params.columns})
    target = tmp_path / "merged.parquet"
    run_rows = pq.read_metadata(paths[0]).num_rows
    query.write_merged(paths, typed, experiments.SORT_KEYS, target, row_group_rows=run_rows)
    meta = pq.read_metadata(target)
    # a row group as soon as a run (or runs with equal parameters, merged together) fills it
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [run_rows, 2 * run_rows, run_rows,
                                                                                 run_rows]
    assert meta.row_group(0).column(0).statistics is not None  # readers can skip row groups
    pdt.assert_frame_equal(pd.read_parquet(target), experiments.load(flanders_sweep, "membership"))


@pytest.mark.parametrize("source", ["run files", "collected file"])
@pytest.mark.parametrize("table", TABLES)
def test_the_lazy_path_holds_the_rows_of_load(flanders_sweep, tmp_path, table, source):
    d = tmp_path / "sweep"
    shutil.copytree(flanders_sweep, d, ignore=shutil.ignore_patterns("collected_*"))
    if source == "collected file":
        experiments.collect(d, table)
    assert (query.collected_file(experiments.complete_runs(d), table) is not None) == (source == "collected file")
    eager = experiments.load(d, table)
    lazy = experiments.load(d, table, lazy=True)
    assert lazy.columns == list(eager.columns)
    keys = experiments.parameters(eager) + ["seed"] + [k for k in experiments.SORT_KEYS if k in eager.columns]
    got = lazy.df().sort_values(keys, kind="stable").reset_index(drop=True)
    want = eager.sort_values(keys, kind="stable").reset_index(drop=True)
    # runs with equal parameters (the copied run) tie on every key: compare as sets of rows
    got, want = (as_plain(f).sort_values(list(f.columns)).reset_index(drop=True) for f in (got, want))
    pdt.assert_frame_equal(got, want, check_dtype=False, rtol=1e-6)


def test_queries_use_the_collected_file_only_while_it_holds_every_complete_run(flanders_sweep, tmp_path):
    d = tmp_path / "sweep"
    shutil.copytree(flanders_sweep, d, ignore=shutil.ignore_patterns("collected_*"))
    experiments.collect(d, "yearly")
    moved = d / "scenario=current_policy,seed=0" / "yearly.parquet"
    moved.rename(tmp_path / "yearly.parquet")  # the run files are not read while the collected file is current
    count = "SELECT count(*) FROM yearly"
    assert experiments.connect(d, ("yearly",)).sql(count).fetchall() == [(5 * 3,)]
    shutil.copytree(d / "scenario=regions_by_2028,seed=1", d / "scenario=regions_by_2028,seed=1,again")
    with pytest.raises(SimcoopInputError, match="yearly.parquet is missing"):  # a run more: the run files again
        experiments.connect(d, ("yearly",))
    (tmp_path / "yearly.parquet").rename(moved)
    assert experiments.connect(d, ("yearly",)).sql(count).fetchall() == [(6 * 3,)]


def test_share_of_runs_with_herentals_in_an_igs_per_scenario(flanders_sweep):
    """The issue's question in SQL, against the same answer computed in pandas."""
    con = experiments.connect(flanders_sweep)
    got = con.sql("SELECT scenario, avg((igs_id IS NOT NULL)::INT) AS share, count(*) AS runs FROM membership "
                  "WHERE name = 'Herentals' AND year = 2018 GROUP BY scenario ORDER BY scenario").df()
    m = experiments.load(flanders_sweep, "membership")
    herentals = m[(m["name"] == "Herentals") & (m["year"] == 2018)]
    want = herentals.groupby("scenario", observed=True)["igs_id"].agg(lambda s: s.notna().mean())
    assert got["scenario"].tolist() == list(SCENARIOS) and got["runs"].tolist() == [3, 2]
    np.testing.assert_allclose(got["share"], want.loc[list(SCENARIOS)].to_numpy())
    runs = con.sql("SELECT scenario, seed FROM runs ORDER BY ALL").fetchall()
    assert runs == [("current_policy", 0), ("current_policy", 1), ("current_policy", 1), ("regions_by_2028", 0),
                    ("regions_by_2028", 1)]


def test_incomplete_runs_are_not_queried(flanders_sweep, tmp_path):
    d = tmp_path / "sweep"
    shutil.copytree(flanders_sweep, d)
    (d / "scenario=regions_by_2028,seed=1" / store.MARKER).unlink()  # as if killed before its marker
    assert experiments.connect(d).sql("SELECT count(*) FROM runs").fetchall() == [(4,)]
    assert experiments.load(d, "yearly", lazy=True).aggregate("count(*)").fetchall() == [(4 * 3,)]


def test_bad_sweeps_and_tables_get_one_line_errors(flanders_sweep, tmp_path):
    with pytest.raises(SimcoopInputError, match=r"holds no complete run; accepted: a sweep folder"):
        experiments.connect(tmp_path)
    with pytest.raises(SimcoopInputError, match=r"table='people' is not accepted; accepted: yearly, membership"):
        experiments.load(flanders_sweep, "people", lazy=True)
    with pytest.raises(SimcoopInputError, match=r"is not a folder"):
        experiments.collect(tmp_path / "missing", "membership")
