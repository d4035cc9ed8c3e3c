"""Merging and summarising a sweep: one tidy DataFrame, then means with 95% intervals.

    df = simcoop.sweeps.experiments.load("sweeps/keys")           # yearly rows of every run
    summary = simcoop.sweeps.experiments.summarise(df)            # per combination and year
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats

from simcoop.sweeps import query
from simcoop.errors import SimcoopInputError
from simcoop.results import TABLES, smallest_integer
from simcoop.run import GROUPS
from simcoop.atomic import temp_path
from simcoop.sweeps.store import MARKER, marked_runs, read_marker, verify
from simcoop.sweeps.store import flatten as _flatten

NOT_PARAMETERS = {"sweep_name", "experiment"}  # labels, not parameters
PROVENANCE = ("simcoop_version", "data_checksum")  # columns after seed: what made each run


def _run_parameters(marker: dict) -> dict[str, object]:
    """The run's overridden parameters, typed as in its config (groups by option name)."""
    flat = _flatten(marker["config"])
    params: dict[str, object] = {}
    for o in marker.get("overrides", []):
        key, _, raw = o.lstrip("+~").partition("=")
        if key in NOT_PARAMETERS or key.startswith("hydra"):
            continue
        params[key] = raw if key in GROUPS or key not in flat else flat[key]
    params["seed"] = marker["seed"]
    return params


def complete_runs(sweep_dir: str | Path) -> list[Path]:
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise SimcoopInputError(f"sweep error: {sweep_dir} is not a folder; accepted: a sweep folder "
                                "(hydra.sweep.dir of a multirun, e.g. sweeps/default)")
    return marked_runs(sweep_dir)


def run_table(runs: list[Path], markers: list[dict] | None = None) -> pd.DataFrame:
    """One row per run: its parameters (columns in order of first appearance, seed last),
    typed as pandas types a column of them (a parameter a run lacks is missing)."""
    markers = markers if markers is not None else [read_marker(run) for run in runs]
    rows = [_run_parameters(m) for m in markers]
    names = list(dict.fromkeys(k for row in rows for k in row if k != "seed")) + ["seed"]
    return pd.DataFrame(rows, columns=names)


def check_not_mixed(sweep_dir: str | Path, markers: list[dict]) -> None:
    """Refuse (one line) a sweep whose runs were made with several simcoop versions, or with
    different data under the same data config (a resume after the data files changed)."""
    versions = Counter(str(m.get("simcoop_version")) for m in markers)
    if len(versions) > 1:
        listed = " and ".join(f"{v} ({n} runs)" for v, n in sorted(versions.items()))
        raise SimcoopInputError(f"sweep error: {sweep_dir} mixes runs of simcoop {listed}; accepted: runs of one "
                                "version (a new sweep folder), or allow_mixed=True (simcoop collect --allow-mixed), "
                                "which keeps them apart in the simcoop_version column")
    checksums = defaultdict(set)
    for m in (m for m in markers if (m["config"].get("data") or {}).get("source") == "flanders"):  # files, not generated
        checksums[json.dumps(m["config"].get("data"), sort_keys=True)].add(str(m.get("data_checksum")))
    for found in checksums.values():
        if len(found) > 1:
            raise SimcoopInputError(f"sweep error: {sweep_dir} mixes runs made with different data files "
                                    f"(checksums {', '.join(sorted(c[:12] for c in found))}); accepted: runs of one "
                                    "data version (a new sweep folder), or allow_mixed=True (simcoop collect "
                                    "--allow-mixed), which keeps them apart in the data_checksum column")


def _parameter_column(values: pd.Series, lengths: np.ndarray) -> object:
    """A parameter repeated over each run's rows, compact: text as a categorical (one or two
    bytes a row instead of an eight-byte pointer), integers (seed, end_year, ...) as int32
    when they fit (not narrower: a parameter is a value users compute with, and int8
    arithmetic wraps around at 127), others (floats, booleans) as they are."""
    if values.dtype == object and values.map(lambda v: isinstance(v, str) or v != v).all():
        categories = sorted(values.dropna().unique())
        codes = pd.Categorical(values, categories=categories).codes
        return pd.Categorical.from_codes(np.repeat(codes, lengths), categories=categories)
    if pd.api.types.is_integer_dtype(values.dtype):
        values = values.astype("int64" if smallest_integer(values) == "int64" else "int32")
    return np.repeat(values.to_numpy(), lengths)


SORT_KEYS = ("year", "nis", "igs_id")  # within a run, after the parameters and seed


class _Column:
    """One column of a merged table, preallocated for every run's rows and filled run by
    run, so merging needs the result's memory plus one run (not two copies of it)."""

    def __init__(self, kind: pa.DataType, rows: int, nullable: bool):
        self.kind = kind
        if pa.types.is_dictionary(kind):
            self.values, self.categories = np.empty(rows, np.int32), {}
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
            self.values = np.zeros(rows, kind.to_pandas_dtype())
        else:
            self.values = np.empty(rows, object)
        self.missing = np.zeros(rows, bool) if nullable else None

    def _missing_value(self) -> object:
        if pa.types.is_dictionary(self.kind):
            return -1  # pandas' code for a missing category
        return {"f": np.nan, "O": None}.get(self.values.dtype.kind, 0)  # 0 under a nullable integer's mask

    def holds_nulls(self) -> bool:
        return self.missing is not None or self.values.dtype.kind in "fO" or pa.types.is_dictionary(self.kind)

    def fill(self, at: slice, data: pa.ChunkedArray) -> None:
        data = data.combine_chunks()
        if pa.types.is_null(data.type):  # all missing in this run (e.g. the reasons of a run without events)
            self.values[at] = self._missing_value()
            if self.missing is not None:
                self.missing[at] = True
            return
        if self.missing is not None:
            self.missing[at] = data.is_null().to_numpy(zero_copy_only=False)
            data = data.fill_null(0)
        if pa.types.is_dictionary(self.kind):
            # this run's codes as codes of the merged categories (first seen first); a
            # missing value (index -1) picks the appended -1, pandas' code for missing
            remap = np.array([self.categories.setdefault(v, len(self.categories))
                              for v in data.dictionary.to_pylist()] + [-1], np.int32)
            self.values[at] = remap[data.indices.fill_null(-1).to_numpy(zero_copy_only=False)]
        else:
            self.values[at] = data.to_numpy(zero_copy_only=False)

    def to_pandas(self) -> object:
        if pa.types.is_dictionary(self.kind):
            return pd.Categorical.from_codes(self.values, categories=list(self.categories))
        if self.missing is not None:
            return pd.arrays.IntegerArray(self.values, self.missing)
        return self.values


def _nullable_columns(schema: pa.Schema) -> set[str]:
    """Columns stored from pandas nullable integers (the pandas metadata names them)."""
    return {c["name"] for c in (schema.pandas_metadata or {"columns": []})["columns"]
            if str(c.get("numpy_type", "")).startswith(("Int", "UInt"))}


def _concat_runs(paths: list[Path], footers: list[pq.FileMetaData]) -> pd.DataFrame | None:
    """The runs' tables one after another, each sorted on its own by SORT_KEYS; None when
    the files differ in their columns or hold nulls a column's dtype has no room for (e.g.
    a sweep resumed across code versions), which `load` then merges the simple way."""
    schemas = [f.schema.to_arrow_schema() for f in footers]
    names = schemas[0].names
    if any(s.names != names for s in schemas):
        return None
    try:  # integer widths and categories may differ from run to run
        schema = pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    nullable = set().union(*map(_nullable_columns, schemas))
    rows = [f.num_rows for f in footers]
    columns = {f.name: _Column(f.type, sum(rows), f.name in nullable and pa.types.is_integer(f.type))
               for f in schema}
    keys = [(k, "ascending") for k in SORT_KEYS if k in names]
    offset = 0
    for path, n in zip(paths, rows):
        table = pq.read_table(path)
        table = table.sort_by(keys) if keys else table  # a stable sort
        for name, column in columns.items():
            if table.column(name).null_count and not column.holds_nulls():
                return None
            column.fill(slice(offset, offset + n), table.column(name))
        offset += n
    del table
    pa.default_memory_pool().release_unused()  # the runs' read buffers, back to the system
    df = pd.DataFrame(index=pd.RangeIndex(offset))
    for name in names:  # one column at a time: each is its own block, nothing is copied whole
        df[name] = columns.pop(name).to_pandas()
    return df


def _concat_simply(paths: list[Path]) -> pd.DataFrame:
    """The plain way (two copies in memory): for runs whose tables differ in their columns."""
    frames = []
    for p in paths:
        frame = pd.read_parquet(p)
        keys = [k for k in SORT_KEYS if k in frame.columns]
        frames.append(frame.sort_values(keys, kind="stable") if keys else frame)
    # a run without rows (e.g. no events) adds nothing and must not decide a column's type
    # (pandas deprecates ignoring such frames in concat)
    return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)


def _checked(table: str) -> str:
    if table not in TABLES:
        raise SimcoopInputError(f"sweep error: table={table!r} is not accepted; accepted: {', '.join(TABLES)}")
    return table


def _complete_runs(sweep_dir: str | Path) -> list[Path]:
    """The complete runs of a sweep, or a one-line error when there is none."""
    runs = complete_runs(sweep_dir)
    if not runs:
        raise SimcoopInputError(f"sweep error: {sweep_dir} holds no complete run; accepted: a sweep folder "
                                f"with runs that have {MARKER}")
    return runs


def _runs_in_order(sweep_dir: str | Path, table: str, allow_mixed: bool = False) -> tuple[pd.DataFrame, list[Path]]:
    """The runs' parameters sorted (stably, so runs with equal ones keep their folder order),
    then their provenance (version, data checksum), and their `table` files in that order.
    Every run is verified against its marker; runs of several versions or data refuse to mix
    unless `allow_mixed`."""
    _checked(table)
    runs = _complete_runs(sweep_dir)
    markers = [verify(run) for run in runs]
    if not allow_mixed:
        check_not_mixed(sweep_dir, markers)
    params = run_table(runs, markers)
    params = params.sort_values(list(params.columns), kind="stable")
    for column in PROVENANCE:
        params[column] = [markers[i].get(column) for i in params.index]
    return params, [runs[i] / f"{table}.parquet" for i in params.index]


def connect(sweep_dir: str | Path, tables: tuple[str, ...] = TABLES,
            memory_limit: str = query.MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to a sweep for questions too big for memory: a view per table of
    `tables` (each run's rows with its parameters and seed, like `load`) and `runs` (one row
    per complete run). See `simcoop.sweeps.query`."""
    runs = _complete_runs(sweep_dir)
    markers = [read_marker(run) for run in runs]
    params = run_table(runs, markers)
    for column in PROVENANCE:   # as `load` has them, after seed
        params[column] = [m.get(column) for m in markers]
    return query.connect(runs, params, tuple(map(_checked, tables)), memory_limit)


def load(sweep_dir: str | Path, table: str = "yearly", lazy: bool = False,
         allow_mixed: bool = False) -> pd.DataFrame | duckdb.DuckDBPyRelation:
    """Every complete run of a sweep in one tidy DataFrame.

    Columns: each overridden parameter (those that vary and those fixed on the command
    line), seed, then the table's own columns (for `yearly`: year and every metric).
    Rows are sorted by parameters, seed and year, so the result does not depend on the
    order or the number of workers the runs finished in. Incomplete runs are left out.
    After seed come `simcoop_version` and `data_checksum`: what made each run.

    Every complete run is verified first (each file against the checksum in its marker): a
    damaged run stops the load with one line naming it (re-running the sweep redoes it).
    Runs made with several simcoop versions, or with changed data files, are refused
    unless `allow_mixed` (the two columns then tell them apart).

    The columns keep the compact dtypes the runs are stored in (`results.compact`), and
    text parameters are categoricals. Memory: the runs are put in order by their
    parameters first and each run's rows sorted on its own, then the tables are copied run
    by run into preallocated columns; a 1,000-run membership merge of full-Flanders
    30-year runs stays under 1 GB (benchmarks/storage.py).

    `lazy=True` returns a DuckDB relation over the run files instead (nothing is read until
    it is queried; `.filter(...)`, `.aggregate(...)`, `.df()`), for sweeps whose table would
    not fit in memory: see `connect` and `simcoop.sweeps.query`.
    """
    if lazy:
        return connect(sweep_dir, (table,)).sql(f"SELECT * FROM {table}")
    params, paths = _runs_in_order(sweep_dir, table, allow_mixed)
    names = list(params.columns)
    footers = [pq.read_metadata(p) for p in paths]  # row counts and schemas; tables are read one by one
    df = _concat_runs(paths, footers)
    if df is None:
        df = _concat_simply(paths)
    lengths = np.array([f.num_rows for f in footers])
    for i, name in enumerate(names):
        df.insert(i, name, _parameter_column(params[name].reset_index(drop=True), lengths))
    if params.duplicated().any():  # two runs with the same parameters: interleave their rows as before
        df = df.sort_values(names + [k for k in SORT_KEYS if k in df.columns], kind="stable")
        df = df.reset_index(drop=True)
    return df


def parameters(df: pd.DataFrame) -> list[str]:
    """The parameter columns of a loaded sweep (those before seed), without seed."""
    cols = list(df.columns)
    return cols[: cols.index("seed")]


def summarise(df: pd.DataFrame, metrics: list[str] | None = None, by: list[str] | None = None) -> pd.DataFrame:
    """Mean and 95% confidence interval (Student t) across seeds, per combination and year.

    Long format: the `by` columns (default: every parameter and year), metric, n, mean,
    sd, ci_low, ci_high.
    """
    by = by if by is not None else parameters(df) + (["year"] if "year" in df.columns else [])
    if metrics is None:
        metrics = [c for c in df.select_dtypes("number").columns if c not in by and c != "seed"]
    long = df.melt(id_vars=by, value_vars=metrics, var_name="metric", value_name="value")
    grouped = long.groupby([*by, "metric"], sort=True, observed=True, dropna=False)["value"]
    out = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    half = stats.t.ppf(0.975, np.maximum(out["n"] - 1, 1)) * out["sd"] / np.sqrt(out["n"])
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    return out


def collect(sweep_dir: str | Path, table: str = "yearly", allow_mixed: bool = False) -> Path:
    """Write the merged sweep as one parquet file in the sweep folder (atomically): the rows
    and dtypes `load` gives, streamed run by run in row groups, so memory stays bounded
    whatever the sweep's size (`simcoop.sweeps.query.write_merged`); every run verified
    first, see `load`."""
    params, paths = _runs_in_order(sweep_dir, table, allow_mixed)
    typed = pd.DataFrame({name: _parameter_column(params[name].reset_index(drop=True), np.ones(len(params), int))
                          for name in params.columns})
    target = Path(sweep_dir) / f"collected_{table}.parquet"
    tmp = temp_path(target)
    try:
        query.write_merged(paths, typed, SORT_KEYS, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def sweep_info(sweep_dir: str | Path) -> dict:
    """Runs complete, and the size recorded when the sweep started (if it did)."""
    sweep_dir = Path(sweep_dir)
    info_path = sweep_dir / "_sweep.json"
    info = json.loads(info_path.read_text()) if info_path.is_file() else {}
    return {"complete": len(complete_runs(sweep_dir)), "total": info.get("total")}
