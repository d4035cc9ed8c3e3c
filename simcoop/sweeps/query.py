"""A sweep's big tables without loading them whole: DuckDB views over the sweep, and one
merged parquet file written run by run in bounded memory.

A 10,000-run sweep of full-Flanders runs holds 85 million membership rows, about 8 GB as a
pandas DataFrame. Questions about it ("in what share of runs is Herentals in an IGS in
2035, per scenario?") go through DuckDB instead, which reads only the columns and rows a
query needs, under a memory limit:

    simcoop collect sweeps/big membership      # once the sweep is done (optional, faster queries)
    con = experiments.connect("sweeps/big")    # views yearly, membership, events, igs, runs
    con.sql("SELECT scenario, avg((igs_id IS NOT NULL)::INT) AS share FROM membership "
            "WHERE name = 'Herentals' AND year = 2035 GROUP BY scenario ORDER BY scenario").df()

A view reads the collected file (`collect`, written by `write_merged`) when it holds exactly
the sweep's complete runs, and the runs' own files otherwise (during a sweep, or after it
grew): the same rows either way, the collected file in seconds at 10,000 runs, the run
files in tens of seconds (10,000 files opened one by one).

Why DuckDB rather than pyarrow.dataset: a run's parameters live in its marker, not in its
folder name's structure (no hive partitioning), so they must be joined on, and DuckDB joins
and groups in SQL in bounded memory; the runs' files differ in integer widths (each run is
stored in the narrowest type that fits), which `read_parquet(union_by_name=true)` promotes
while a pyarrow dataset needs one schema given up front; and a pyarrow dataset leaves
grouping and joining to pandas, that is, to memory. DuckDB is one wheel with no
dependencies, and reads the files where they are (nothing is imported or duplicated).

The merged file is written run by run and in row groups, holding at most one row group
(ROW_GROUP_ROWS rows) and one run, or one group of runs with equal parameters, in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simcoop.errors import SimcoopInputError
from simcoop.results import TABLES

# DuckDB's own memory limit per connection (it spills to disk beyond it) and its threads.
MEMORY_LIMIT = "500MB"
# Rows per row group of a merged file: the writer's memory, and the unit a reader skips.
ROW_GROUP_ROWS = 500_000


RUNS_KEY = b"simcoop_runs"  # a merged file's key-value metadata: the fingerprint of the runs it holds


def fingerprint(runs: list[Path]) -> str:
    """Which runs a merged file holds: a hash of their folder names (a complete run is never
    rewritten, so its name stands for its contents)."""
    return hashlib.sha256("\n".join(sorted(r.name for r in runs)).encode()).hexdigest()


def collected_file(runs: list[Path], table: str) -> Path | None:
    """The sweep's `collected_<table>.parquet` when it holds exactly `runs`, else None (not
    collected, collected before runs were added, or by a version that kept no fingerprint)."""
    path = runs[0].parent / f"collected_{table}.parquet" if runs else None
    if path is None or not path.is_file():
        return None
    try:
        meta = pq.read_metadata(path).metadata or {}
    except (OSError, pa.ArrowInvalid):
        return None
    return path if meta.get(RUNS_KEY) == fingerprint(runs).encode() else None


def connect(runs: list[Path], params: pd.DataFrame, tables: tuple[str, ...] = TABLES,
            memory_limit: str = MEMORY_LIMIT, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table of `tables` over `runs` (folders
    holding `<table>.parquet`, in one sweep folder), each row prefixed with its run's
    `params` (one row per run, in the order of `runs`), and the view `runs` (the
    parameters, one row per run).

    A view reads the sweep's `collected_<table>.parquet` when that holds exactly these runs
    (one file, sorted, with statistics: 10,000 runs in seconds), else every run's file
    (reading 10,000 small files takes tens of seconds, and making the view reads each
    footer once to unify the runs' column types: ask only for the tables you query).
    Views read at query time: rows come in no particular order (ORDER BY for one), and a
    run finished after `connect` is not in them. Parameter names with a dot are quoted in
    SQL: "igs.staff_hosted_by_city".
    """
    con = duckdb.connect(config={"memory_limit": memory_limit, **({"threads": threads} if threads else {})})
    con.execute("SET enable_progress_bar = false")  # a library prints nothing of its own
    runs_df = params.reset_index(drop=True).assign(_folder=[str(r) for r in runs])
    con.register("_runs_df", runs_df)
    con.execute("CREATE TABLE _runs AS SELECT * FROM _runs_df")
    con.unregister("_runs_df")
    con.execute("CREATE VIEW runs AS SELECT * EXCLUDE (_folder) FROM _runs")
    for table in tables:
        collected = collected_file(runs, table)
        if collected is not None:
            con.read_parquet(str(collected)).create_view(table)
            continue
        files = [str(r / f"{table}.parquet") for r in runs]
        missing = next((f for f in files if not Path(f).is_file()), None)
        if missing:
            raise SimcoopInputError(f"sweep error: {missing} is missing; accepted: complete runs, each with "
                                    f"{', '.join(f'{t}.parquet' for t in TABLES)}")
        con.read_parquet(files, filename=True, union_by_name=True).create_view(f"_{table}_files")
        con.execute(f"CREATE VIEW {table} AS SELECT r.* EXCLUDE (_folder), t.* EXCLUDE (filename) "
                    f"FROM _{table}_files t JOIN _runs r ON t.filename = r._folder || '/{table}.parquet'")
    return con


# ---------------------------------------------------------------- merging run by run
def _run_schemas(paths: list[Path]) -> tuple[list[pa.Schema], set[str]]:
    """The distinct arrow schemas of the runs' files (without their metadata), and the
    columns stored from pandas nullable integers in any of them; footers are read one at a
    time and not kept (10,000 footers with their config copies are hundreds of MB)."""
    distinct: list[pa.Schema] = []
    nullable: set[str] = set()
    for path in paths:
        schema = pq.read_schema(path)
        meta = schema.pandas_metadata or {"columns": []}
        nullable |= {c["name"] for c in meta["columns"] if str(c.get("numpy_type", "")).startswith(("Int", "UInt"))}
        schema = schema.remove_metadata()
        if not any(schema.equals(s) for s in distinct):
            distinct.append(schema)
    return distinct, nullable


def _pandas_metadata(schema: pa.Schema, params: pd.DataFrame, nullable: set[str]) -> bytes:
    """pandas' metadata for the merged file, so that it reads back with the dtypes `load`
    gives: nullable integers where any run stored one, categoricals, compact widths."""
    columns: dict[str, object] = {name: params[name].iloc[:0] for name in params.columns}
    for field in schema:
        if field.name in columns:
            continue
        if field.name in nullable and pa.types.is_integer(field.type):
            columns[field.name] = pd.array([], dtype=str(field.type.to_pandas_dtype().__name__).capitalize())
        else:
            columns[field.name] = pa.array([], field.type).to_pandas()
    return pa.Schema.from_pandas(pd.DataFrame(columns), preserve_index=False).metadata[b"pandas"]


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A run's table in the merged schema: columns in its order (missing ones as nulls),
    integers widened, dictionaries with the merged index type."""
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names
               else pa.nulls(len(table), f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def _groups(params: pd.DataFrame) -> np.ndarray:
    """Consecutive runs with the same parameters (the rows of `params` are sorted) share a
    group: their rows are interleaved by the sort keys, as `load` does."""
    if params.empty:
        return np.zeros(0, int)
    return params.groupby(list(params.columns), sort=False, observed=True, dropna=False).ngroup().to_numpy()


def merged_chunks(paths: list[Path], params: pd.DataFrame, sort_keys: tuple[str, ...],
                  schema: pa.Schema) -> Iterator[pa.Table]:
    """The runs' tables (in `schema`, the runs' schemas unified) one group of equal
    parameters at a time, in the order `load` gives: each prefixed with its parameters
    (typed as in `params`), rows sorted by `sort_keys`."""
    keys = [(k, "ascending") for k in sort_keys if k in schema.names]
    param_table = pa.Table.from_pandas(params.reset_index(drop=True), preserve_index=False)
    groups = _groups(params)
    start = 0
    while start < len(paths):
        stop = start + 1
        while stop < len(paths) and groups[stop] == groups[start]:
            stop += 1
        tables, lengths = [], []
        for path in paths[start:stop]:
            t = _conform(pq.read_table(path), schema)
            tables.append(t.sort_by(keys) if keys else t)  # a stable sort
            lengths.append(len(t))
        table = pa.concat_tables(tables).unify_dictionaries()
        if stop - start > 1 and keys:
            table = table.sort_by(keys)
        prefix = param_table.take(np.repeat(np.arange(start, stop), lengths))
        yield pa.Table.from_arrays(prefix.columns + table.columns, names=prefix.column_names + table.column_names)
        start = stop


def _combined(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables).unify_dictionaries().combine_chunks()


def write_merged(paths: list[Path], params: pd.DataFrame, sort_keys: tuple[str, ...], target: Path,
                 row_group_rows: int = ROW_GROUP_ROWS) -> None:
    """Write the merged runs (see `merged_chunks`; each path is `<run>/<table>.parquet`) to
    one parquet file in row groups of about `row_group_rows` rows: zstd, dictionary encoding
    for categoricals, column statistics on (a reader skips row groups by parameter, seed and
    year: the file is sorted by them), and the runs' `fingerprint` (`collected_file`)."""
    distinct, nullable = _run_schemas(paths)
    schema = pa.unify_schemas(distinct, promote_options="permissive")
    writer: pq.ParquetWriter | None = None
    metadata = {RUNS_KEY: fingerprint([p.parent for p in paths]).encode()}
    buffered: list[pa.Table] = []

    def flush() -> None:
        nonlocal writer
        chunk = _combined(buffered)
        buffered.clear()
        if writer is None:
            metadata[b"pandas"] = _pandas_metadata(chunk.schema, params, nullable)
            dictionaries = [f.name for f in chunk.schema if pa.types.is_dictionary(f.type)]
            writer = pq.ParquetWriter(target, chunk.schema.with_metadata(metadata), compression="zstd",
                                      compression_level=3, use_dictionary=dictionaries, write_statistics=True)
        writer.write_table(chunk.replace_schema_metadata(metadata), row_group_size=len(chunk))

    try:
        rows = 0
        for chunk in merged_chunks(paths, params, sort_keys, schema):
            buffered.append(chunk)
            rows += len(chunk)
            if rows >= row_group_rows:
                flush()
                rows = 0
            elif len(buffered) >= 256:  # thousands of small runs (yearly): one table, not thousands of arrays
                buffered[:] = [_combined(buffered)]
        if buffered:
            flush()
    finally:
        if writer is not None:
            writer.close()
