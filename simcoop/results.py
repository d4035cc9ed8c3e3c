"""Simulation results: tidy DataFrames, and files that carry their config, seed and version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from simcoop.atomic import publish, remove, temp_path
from simcoop.errors import SimcoopInputError

TABLES = ("yearly", "membership", "events", "igs")
META_KEY = b"simcoop"
# Tables whose float columns are stored as float32 (see `compact`).
FLOAT32_TABLES = ("membership", "igs")
# Integer columns with a fixed width whatever their values: years and NIS codes.
FIXED_INTEGERS = {"year": "int16", "nis": "int32", "host_nis": "int32"}
# zstd at level 15 is within 1% of level 19 on these tables and about 5x faster to write.
RUN_COMPRESSION_LEVEL = 15


def package_version() -> str:
    try:
        return metadata.version("simcoop")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@dataclass
class SimulationResult:
    """What one run produced. `yearly` has one row per year, `membership` one per
    municipality per year, `events` one per join, leave, founding or dissolution, `igs`
    one per IGS per year."""
    yearly: pd.DataFrame
    membership: pd.DataFrame
    events: pd.DataFrame
    igs: pd.DataFrame
    config: dict
    seed: int
    version: str
    data_checksum: str

    def metadata(self) -> dict[str, object]:
        return {"simcoop_version": self.version, "seed": self.seed, "data_checksum": self.data_checksum,
                "config": self.config}

    def write(self, folder: str | Path, also: Callable[[Path], object] | None = None) -> list[Path]:
        """Write every table as parquet plus config.yaml: all of them or none.

        The files are written into a private temporary folder beside `folder`, then `also`
        (e.g. the summary figure, a store's marker) adds its files there, and the whole
        folder is renamed into place: a failure or a kill part-way leaves no partial result,
        and of two processes writing the same folder at once exactly one lands, the other
        gets an error. Refuses to overwrite an existing result: results are never silently
        replaced.
        """
        folder = Path(folder)
        targets = [folder / f"{name}.parquet" for name in TABLES] + [folder / "config.yaml"]
        _refuse_existing(folder)
        staging = temp_path(folder)
        try:
            staging.mkdir(parents=True)
            meta = self.metadata()
            for name in TABLES:
                df = compact(getattr(self, name), float32=name in FLOAT32_TABLES)
                write_parquet(df, staging / f"{name}.parquet", meta)
            text = yaml.safe_dump(self.metadata(), sort_keys=False)
            (staging / "config.yaml").write_text(text, encoding="utf-8")
            if also is not None:
                also(staging)
            if not publish(staging, folder):
                _refuse_existing(folder)
                raise SimcoopInputError(f"output error: {folder} is not empty; choose a new output folder "
                                        "(results are never overwritten)")
        except OSError as exc:
            raise output_error(folder, exc) from None
        finally:
            remove(staging)
        return targets


def output_error(folder: Path, exc: OSError) -> SimcoopInputError:
    """The one line for a failed write (no permission, disk full, read-only file system)."""
    return SimcoopInputError(f"output error: cannot write results to {folder}: {exc.strerror or exc}; "
                             "accepted: a writable folder with free space")


def _refuse_existing(folder: Path) -> None:
    names = [f"{name}.parquet" for name in TABLES] + ["config.yaml"]
    existing = [n for n in names if (folder / n).exists()]
    if existing:
        raise SimcoopInputError(f"output error: {folder} already holds {', '.join(existing)}; "
                                "choose a new output folder (results are never overwritten)")


def read_metadata(path: str | Path) -> dict:
    """The config, seed, version and data checksum stored in a result parquet file."""
    return json.loads(pq.read_metadata(path).metadata[META_KEY])


# ---------------------------------------------------------------- compact storage
def smallest_integer(values: pd.Series) -> str:
    """The narrowest signed numpy integer type holding every value ("int8" ... "int64").

    Signed only: a difference of two counts must not wrap around as unsigned types do.
    """
    valid = values.dropna()
    lo, hi = (int(valid.min()), int(valid.max())) if len(valid) else (0, 0)
    for kind in ("int8", "int16", "int32"):
        info = np.iinfo(kind)
        if info.min <= lo and hi <= info.max:
            return kind
    return "int64"


def _is_nullable(dtype: object) -> bool:
    return isinstance(dtype, pd.api.extensions.ExtensionDtype) and not isinstance(dtype, pd.CategoricalDtype)


def compact_column(name: str, values: pd.Series, float32: bool) -> pd.Series:
    """One column in its compact dtype (see `compact`); other columns are returned as they are."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return values
    if pd.api.types.is_integer_dtype(dtype):
        kind = FIXED_INTEGERS.get(name) or smallest_integer(values)
        return values.astype(kind.capitalize() if _is_nullable(dtype) else kind)
    if pd.api.types.is_float_dtype(dtype) and float32 and not _is_nullable(dtype):
        return values.astype("float32")
    if dtype == object and values.map(lambda v: isinstance(v, str) or v is None or v != v).all():
        return values.astype("category")
    return values


def compact(df: pd.DataFrame, float32: bool) -> pd.DataFrame:
    """A result table in the dtypes it is stored in: same columns, same values, less room.

    - integers: the narrowest signed type that holds the table's values (nullable integers
      stay nullable), except `year` (int16) and NIS codes `nis`, `host_nis` (int32), which
      keep one type in every run;
    - strings (labels such as an event's reason): categoricals; existing categoricals and
      booleans are kept;
    - floats: float32 when `float32` is set, which `write` does for the `membership` and
      `igs` tables (FLOAT32_TABLES). Their floats are money amounts (contribution, subsidy),
      shares and indices in 0..1 or near it (agenda share, net benefit, identity,
      dominance, Gini, centre excess), FTE, populations summed over members (exact in
      float32 below 16.7 million) and centroid coordinates (float32: better than 1 m):
      7 significant digits are far more than the model's precision, and these two tables
      hold nearly all the rows. `yearly` keeps float64: it is one row per year (float32
      would save under 1 KB a run), and its shares are compared with thresholds in the
      validation and calibration, where float32 rounding (0.9 -> 0.8999999762) could flip
      a verdict.
    """
    return pd.DataFrame({name: compact_column(name, df[name], float32) for name in df.columns}, index=df.index)


def _pandas_metadata(schema: pa.Schema) -> bytes:
    """pandas' metadata for the columns whose dtype the parquet and arrow types do not
    restore by themselves (nullable integers); the full per-column list costs about 100
    bytes a column in every file and restores nothing more, as there is no index."""
    full = schema.pandas_metadata or {"columns": []}
    columns = [c for c in full["columns"] if c["numpy_type"].startswith(("Int", "UInt"))]
    return json.dumps({"index_columns": [], "column_indexes": [], "columns": columns,
                       "pandas_version": full.get("pandas_version")}, separators=(",", ":")).encode()


def write_parquet(df: pd.DataFrame, path: str | Path, metadata: dict | None = None,
                  compression_level: int = RUN_COMPRESSION_LEVEL, chunk_rows: int = 1_000_000) -> None:
    """Write a table as parquet: zstd, with dictionary encoding for categoricals only.

    Measured on full-Flanders runs: plain encoding plus zstd is 2x smaller than dictionary
    encoding for the numeric columns (zstd finds the repetition from one year to the next,
    which bit-packed dictionary indices hide), byte_stream_split makes the float columns
    larger, and column statistics cost about 60 bytes a column and serve no reader here.
    Categoricals are dictionary-encoded so that their categories (order and unused ones)
    come back as written. The arrow schema is stored only when a column needs it (a
    categorical); the config `metadata` is stored once per file, in the file's key-value
    metadata (the arrow schema would hold a second, base64 copy). Written in slices of
    `chunk_rows` rows, so a merged sweep is not copied whole into arrow memory.
    """
    first = pa.Table.from_pandas(df.iloc[:chunk_rows], preserve_index=False)
    pandas_meta = _pandas_metadata(first.schema)
    schema = first.schema.with_metadata({b"pandas": pandas_meta})
    categorical = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    with pq.ParquetWriter(path, schema, compression="zstd", compression_level=compression_level,
                          use_dictionary=categorical, write_statistics=False,
                          store_schema=bool(categorical)) as writer:
        writer.write_table(first.replace_schema_metadata(schema.metadata))
        del first
        for start in range(chunk_rows, len(df), chunk_rows):
            writer.write_table(pa.Table.from_pandas(df.iloc[start:start + chunk_rows], schema=schema,
                                                    preserve_index=False))
        extra = {b"pandas": pandas_meta}
        if metadata is not None:
            extra[META_KEY] = json.dumps(metadata, sort_keys=True).encode()
        writer.add_key_value_metadata(extra)
