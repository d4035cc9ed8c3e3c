"""Simulation results: tidy DataFrames, and files that carry their config, seed and version."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from simcoop.errors import SimcoopInputError

TABLES = ("yearly", "membership", "events", "igs")
META_KEY = b"simcoop"


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

    def write(self, folder: str | Path) -> list[Path]:
        """Write every table as parquet plus config.yaml; each file appears whole or not at all.

        Refuses to overwrite an existing result: results are never silently replaced.
        """
        folder = Path(folder)
        targets = [folder / f"{name}.parquet" for name in TABLES] + [folder / "config.yaml"]
        existing = [p.name for p in targets if p.exists()]
        if existing:
            raise SimcoopInputError(f"output error: {folder} already holds {', '.join(existing)}; "
                                    "choose a new output folder (results are never overwritten)")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            meta = json.dumps(self.metadata(), sort_keys=True).encode()
            for name in TABLES:
                table = pa.Table.from_pandas(getattr(self, name), preserve_index=False)
                table = table.replace_schema_metadata({**(table.schema.metadata or {}), META_KEY: meta})
                _atomic(folder / f"{name}.parquet", lambda tmp, t=table: pq.write_table(t, tmp))
            text = yaml.safe_dump(self.metadata(), sort_keys=False)
            _atomic(folder / "config.yaml", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        except OSError as exc:
            raise SimcoopInputError(f"output error: cannot write results to {folder}: {exc.strerror or exc}") from None
        return targets


def _atomic(target: Path, write) -> None:
    """Write to a temporary name in the same folder, then rename: no half-written file."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def read_metadata(path: str | Path) -> dict:
    """The config, seed, version and data checksum stored in a result parquet file."""
    return json.loads(pq.read_schema(path).metadata[META_KEY])
