"""Merging and summarising a sweep: one tidy DataFrame, then means with 95% intervals.

    df = simcoop.experiments.load("sweeps/keys")           # yearly rows of every run
    summary = simcoop.experiments.summarise(df)            # per combination and year
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from simcoop.errors import SimcoopInputError
from simcoop.results import TABLES
from simcoop.run import GROUPS
from simcoop.store import MARKER, read_marker

NOT_PARAMETERS = {"sweep_name", "experiment"}  # labels, not parameters


def _flatten(d: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


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
    return sorted(p.parent for p in sweep_dir.glob(f"*/{MARKER}"))


def load(sweep_dir: str | Path, table: str = "yearly") -> pd.DataFrame:
    """Every complete run of a sweep in one tidy DataFrame.

    Columns: each overridden parameter (those that vary and those fixed on the command
    line), seed, then the table's own columns (for `yearly`: year and every metric).
    Rows are sorted by parameters, seed and year, so the result does not depend on the
    order or the number of workers the runs finished in. Incomplete runs are left out.
    """
    if table not in TABLES:
        raise SimcoopInputError(f"sweep error: table={table!r} is not accepted; accepted: {', '.join(TABLES)}")
    frames, names = [], []
    for run in complete_runs(sweep_dir):
        params = _run_parameters(read_marker(run))
        names += [k for k in params if k not in names]
        frames.append(pd.read_parquet(run / f"{table}.parquet").assign(**params))
    if not frames:
        raise SimcoopInputError(f"sweep error: {sweep_dir} holds no complete run; accepted: a sweep folder "
                                f"with runs that have {MARKER}")
    names = [n for n in names if n != "seed"] + ["seed"]
    merged = pd.concat(frames, ignore_index=True)
    merged = merged[names + [c for c in merged.columns if c not in names]]
    order = names + [c for c in ("year", "nis", "igs_id") if c in merged.columns]
    return merged.sort_values(order, kind="stable").reset_index(drop=True)


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


def collect(sweep_dir: str | Path, table: str = "yearly") -> Path:
    """Write the merged sweep as one parquet file in the sweep folder (atomically)."""
    df = load(sweep_dir, table)
    target = Path(sweep_dir) / f"collected_{table}.parquet"
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, target)
    return target


def sweep_info(sweep_dir: str | Path) -> dict:
    """Runs complete, and the size recorded when the sweep started (if it did)."""
    sweep_dir = Path(sweep_dir)
    info_path = sweep_dir / "_sweep.json"
    info = json.loads(info_path.read_text()) if info_path.is_file() else {}
    return {"complete": len(complete_runs(sweep_dir)), "total": info.get("total")}
