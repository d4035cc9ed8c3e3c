"""Compact result files: dtypes, round trips, metadata, and merging a sweep of them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import simcoop
from simcoop.sweeps import experiments, store
from simcoop.results import (FIXED_INTEGERS, FLOAT32_TABLES, TABLES, compact, read_metadata, smallest_integer,
                             write_parquet)

SMALL = ["data=synthetic", "data.n_municipalities=60", "end_year=2022"]


@pytest.fixture(scope="module")
def results() -> dict[tuple[str, int], simcoop.SimulationResult]:
    return {(key, seed): simcoop.simulate([f"key={key}", *SMALL], seed=seed)
            for key in ("per_inhabitant", "per_budget") for seed in (0, 1)}


@pytest.fixture(scope="module")
def written(results, tmp_path_factory) -> tuple[simcoop.SimulationResult, Path]:
    result = results[("per_inhabitant", 0)]
    folder = tmp_path_factory.mktemp("run") / "run"
    result.write(folder)
    return result, folder


def as_plain(df: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as their values, for comparing frames whatever their dtypes."""
    return df.astype({c: object for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})


@pytest.mark.parametrize("table", TABLES)
def test_a_written_table_reads_back_with_the_same_values(written, table):
    result, folder = written
    before, after = getattr(result, table), pd.read_parquet(folder / f"{table}.parquet")
    assert list(after.columns) == list(before.columns) and len(after) == len(before) > 0
    floats = [c for c in before.columns if pd.api.types.is_float_dtype(before[c].dtype)]
    for c in floats:
        assert after[c].dtype == ("float32" if table in FLOAT32_TABLES else "float64"), c
        np.testing.assert_allclose(after[c].to_numpy(float), before[c].to_numpy(float), rtol=1e-6, err_msg=c)
    rest = [c for c in before.columns if c not in floats]
    pdt.assert_frame_equal(as_plain(after[rest]), as_plain(before[rest]), check_dtype=False)


def test_every_file_carries_the_config_seed_and_version(written):
    result, folder = written
    for table in TABLES:
        meta = read_metadata(folder / f"{table}.parquet")
        assert meta == json.loads(json.dumps(result.metadata())), table
        assert meta["seed"] == 0 and meta["config"]["data"]["n_municipalities"] == 60
        assert meta["simcoop_version"] == simcoop.results.package_version()


@pytest.mark.parametrize("table", TABLES)
def test_integer_columns_are_the_narrowest_that_fit(written, table):
    result, folder = written
    before, after = getattr(result, table), pd.read_parquet(folder / f"{table}.parquet")
    ints = [c for c in before.columns if pd.api.types.is_integer_dtype(before[c].dtype)]
    assert ints
    for c in ints:
        kind = FIXED_INTEGERS.get(c) or smallest_integer(before[c])
        nullable = isinstance(before[c].dtype, pd.api.extensions.ExtensionDtype)
        assert str(after[c].dtype) == (kind.capitalize() if nullable else kind), c
        assert after[c].isna().sum() == before[c].isna().sum(), c
    assert after["year"].dtype == "int16"
    if "nis" in after:
        assert after["nis"].dtype in ("int32", "Int32")


def test_smallest_integer_edges():
    assert smallest_integer(pd.Series([0, 127, -128])) == "int8"
    assert smallest_integer(pd.Series([128])) == "int16"
    assert smallest_integer(pd.Series([-129])) == "int16"
    assert smallest_integer(pd.Series([40_000])) == "int32"
    assert smallest_integer(pd.Series([2**31])) == "int64"
    assert smallest_integer(pd.Series([200, None], dtype="Int64")) == "int16"
    assert smallest_integer(pd.Series([], dtype="int64")) == "int8"


def test_labels_come_back_as_categoricals_with_their_categories(written):
    _, folder = written
    events = pd.read_parquet(folder / "events.parquet")
    assert list(events["event"].cat.categories) == ["found", "join", "leave", "dissolve"]  # order and unused kept
    assert isinstance(events["reason"].dtype, pd.CategoricalDtype)
    membership = pd.read_parquet(folder / "membership.parquet")
    for c in ("name", "referentieregio"):
        assert isinstance(membership[c].dtype, pd.CategoricalDtype), c


def test_compact_files_are_much_smaller(written, tmp_path):
    result, folder = written
    for table in TABLES:  # as they were written before compaction: dtypes as simulated, snappy, config in schema
        t = pa.Table.from_pandas(getattr(result, table), preserve_index=False)
        t = t.replace_schema_metadata({**t.schema.metadata, b"simcoop": json.dumps(result.metadata()).encode()})
        pq.write_table(t, tmp_path / f"{table}.parquet")
    size = sum((folder / f"{t}.parquet").stat().st_size for t in TABLES)
    before = sum((tmp_path / f"{t}.parquet").stat().st_size for t in TABLES)
    assert size < 0.6 * before, (size, before)


def test_compact_keeps_columns_index_and_is_idempotent(written):
    result, _ = written
    m = compact(result.membership, float32=True)
    assert list(m.columns) == list(result.membership.columns) and m.index.equals(result.membership.index)
    pdt.assert_frame_equal(compact(m, float32=True), m)


# ---------------------------------------------------------------- merging a sweep
def reference_load(sweep_dir: Path, table: str) -> pd.DataFrame:
    """experiments.load as it was before compaction: concatenate, then sort everything."""
    frames, names = [], []
    for run in experiments.complete_runs(sweep_dir):
        params = experiments._run_parameters(store.read_marker(run))
        names += [k for k in params if k not in names]
        frames.append(pd.read_parquet(run / f"{table}.parquet").assign(**params))
    names = [n for n in names if n != "seed"] + ["seed"]
    merged = pd.concat(frames, ignore_index=True)
    merged = merged[names + [c for c in merged.columns if c not in names]]
    order = names + [c for c in ("year", "nis", "igs_id") if c in merged.columns]
    return merged.sort_values(order, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def sweeps(results, tmp_path_factory) -> tuple[Path, Path]:
    """The same four runs in a store of compact files, and in one of files as written before."""
    new, old = tmp_path_factory.mktemp("compact"), tmp_path_factory.mktemp("uncompacted")
    for (key, seed), result in reversed(list(results.items())):  # finishing order must not matter
        name = f"key={key},seed={seed}"
        store.finish(new / name, result, [f"key={key}", f"seed={seed}", *SMALL])
        shutil.copytree(new / name, old / name)
        for table in TABLES:
            (old / name / f"{table}.parquet").unlink()
            getattr(result, table).to_parquet(old / name / f"{table}.parquet", index=False)
        marker = store.read_marker(old / name)
        store.write_marker(old / name, {k: v for k, v in marker.items() if k != "files"})  # sealed as written
    return new, old


@pytest.mark.parametrize("table", TABLES)
def test_load_gives_the_rows_it_gave_before_compaction(sweeps, table):
    new, old = sweeps
    merged = experiments.load(new, table).drop(columns=list(experiments.PROVENANCE))
    before = reference_load(old, table)
    assert list(merged.columns) == list(before.columns) and len(merged) == len(before) > 0
    pdt.assert_frame_equal(as_plain(merged), as_plain(before), check_dtype=False, rtol=1e-6)
    # and files written before compaction still merge, to the same rows
    old_merged = experiments.load(old, table).drop(columns=list(experiments.PROVENANCE))
    pdt.assert_frame_equal(as_plain(old_merged), as_plain(before), check_dtype=False)


def test_load_keeps_compact_dtypes_and_text_parameters_become_categoricals(sweeps):
    new, _ = sweeps
    m = experiments.load(new, "membership")
    assert list(m["key"].cat.categories) == ["per_budget", "per_inhabitant"]
    assert m["seed"].dtype == "int32" and m["end_year"].dtype == "int32"
    assert m["net_benefit"].dtype == "float32" and m["year"].dtype == "int16"
    assert str(m["igs_id"].dtype).startswith("Int") and m["igs_id"].isna().any()
    assert isinstance(m["name"].dtype, pd.CategoricalDtype)
    summary = experiments.summarise(experiments.load(new), ["coverage_municipalities", "n_igs"])
    assert (summary["n"] == 2).all() and len(summary) == 2 * 7 * 2  # keys x years x metrics


def events_run(folder: Path, seed: int, frame: pd.DataFrame) -> None:
    """A hand-made run folder holding only an events table and its marker."""
    folder.mkdir(parents=True)
    write_parquet(compact(frame, float32=False), folder / "events.parquet", {"seed": seed})
    store.write_marker(folder, {"config": {"seed": seed}, "seed": seed, "overrides": [f"seed={seed}"]})


def test_load_merges_runs_whose_integer_widths_and_categories_differ(tmp_path):
    events_run(tmp_path / "seed=1", 1, pd.DataFrame({
        "year": [2017, 2016], "event": pd.Categorical(["join", "found"], categories=["found", "join"]),
        "igs_id": [300, 5], "nis": pd.array([None, 11001], dtype="Int32"), "reason": ["switch", "initiative"]}))
    events_run(tmp_path / "seed=0", 0, pd.DataFrame({
        "year": [2016], "event": pd.Categorical(["found"], categories=["found", "join"]),
        "igs_id": [1], "nis": pd.array([12002], dtype="Int32"), "reason": ["choice"]}))
    events_run(tmp_path / "seed=2", 2, pd.DataFrame({  # a run without events
        "year": pd.Series([], dtype="int16"), "event": pd.Categorical([], categories=["found", "join"]),
        "igs_id": pd.Series([], dtype="int64"), "nis": pd.array([], dtype="Int32"), "reason": pd.Series([], dtype=object)}))
    df = experiments.load(tmp_path, "events")
    assert df["seed"].tolist() == [0, 1, 1] and df["year"].tolist() == [2016, 2016, 2017]
    assert df["igs_id"].dtype == "int16" and df["igs_id"].tolist() == [1, 5, 300]  # int8 and int16 runs
    assert df["nis"].dtype == "Int32" and df["nis"].isna().tolist() == [False, False, True]
    assert df["reason"].tolist() == ["choice", "initiative", "switch"]
    assert set(df["reason"].cat.categories) == {"choice", "initiative", "switch"}
    assert list(df["event"].cat.categories) == ["found", "join"]
    # collect streams the same rows and dtypes run by run
    pdt.assert_frame_equal(pd.read_parquet(experiments.collect(tmp_path, "events")), df)
    # DuckDB promotes the int8 and int16 runs to one type (a first-file schema would not hold 300)
    lazy = experiments.load(tmp_path, "events", lazy=True).order("seed, year").df()
    assert lazy["igs_id"].tolist() == [1, 5, 300] and lazy["reason"].tolist() == ["choice", "initiative", "switch"]


def test_collect_writes_what_load_gives(sweeps, tmp_path):
    new, _ = sweeps
    path = experiments.collect(new, "membership")
    pdt.assert_frame_equal(pd.read_parquet(path), experiments.load(new, "membership"))
    events = experiments.load(new, "events")
    write_parquet(events, tmp_path / "sliced.parquet", chunk_rows=7)  # several slices, one file
    pdt.assert_frame_equal(pd.read_parquet(tmp_path / "sliced.parquet"), events)
