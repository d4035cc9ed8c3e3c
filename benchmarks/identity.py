"""Same config and seed, same results: a check to run before and after an optimisation.

    python benchmarks/identity.py save FOLDER      # before: every result table to FOLDER
    python benchmarks/identity.py compare FOLDER   # after: table by table against FOLDER

Runs several configurations (the real 2025 start, an empty start over 30 years, synthetic
landscapes, scenarios and keys), two or three seeds each, and keeps the four tables of
each run (yearly, membership, events, igs) in memory precision (float64, not the store's
compact float32). `compare` reports every table that is not exactly equal, and the largest
difference of its float columns (so a change of summation order shows as 1e-16, not as
a different history). Exit code 1 when anything differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from simcoop.run import simulate

CONFIGS: dict[str, list[str]] = {
    "real": [],
    "empty_30y": ["start=empty", "start_year=2016", "end_year=2045"],
    "real_2055": ["end_year=2055"],
    "synthetic": ["data=synthetic"],
    "synthetic_600": ["data=synthetic", "data.n_municipalities=600", "data.n_regions=30",
                      "data.n_centre_cities=27", "end_year=2035"],
    "per_budget_key": ["scenario=per_budget_key"],
    "strong_incentives": ["scenario=strong_incentives", "start=empty", "start_year=2016", "end_year=2040"],
}
SEEDS = (0, 1, 2)
TABLES = ("yearly", "membership", "events", "igs")


def runs():
    for name, overrides in CONFIGS.items():
        for seed in SEEDS[:2] if name in ("real_2055", "synthetic_600") else SEEDS:
            yield f"{name}-seed{seed}", simulate(overrides, seed=seed)


def save(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for tag, result in runs():
        for table in TABLES:
            getattr(result, table).to_parquet(folder / f"{tag}-{table}.parquet")
        print(tag, "saved", flush=True)


def difference(old: pd.DataFrame, new: pd.DataFrame) -> str | None:
    """None when equal; otherwise what differs (shape, columns, or the largest float gap)."""
    if old.shape != new.shape or list(old.columns) != list(new.columns):
        return f"shape {old.shape} -> {new.shape}"
    if old.equals(new):
        return None
    worst = []
    for c in old.columns:
        a, b = old[c], new[c]
        if a.equals(b):
            continue
        if pd.api.types.is_float_dtype(a) and pd.api.types.is_float_dtype(b):
            gap = np.nanmax(np.abs(a.to_numpy(float) - b.to_numpy(float)))
            same_nan = (a.isna() == b.isna()).all()
            worst.append(f"{c} max |diff| {gap:.3g}" + ("" if same_nan else " (NaN differ)"))
        else:
            worst.append(f"{c} differs")
    return "; ".join(worst) or None


def compare(folder: Path) -> int:
    bad = 0
    for tag, result in runs():
        for table in TABLES:
            diff = difference(pd.read_parquet(folder / f"{tag}-{table}.parquet"), getattr(result, table))
            if diff:
                bad += 1
                print(f"{tag} {table}: {diff}", flush=True)
        print(tag, "compared", flush=True)
    print("identical" if not bad else f"{bad} tables differ")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("save", "compare"):
        sys.exit("usage: python benchmarks/identity.py save|compare FOLDER")
    sys.exit(save(Path(sys.argv[2])) if sys.argv[1] == "save" else compare(Path(sys.argv[2])))
