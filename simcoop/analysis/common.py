"""Shared plumbing of the analyses: writing tables and figures whole."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns


def write_table(df: pd.DataFrame, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def save_figure(fig: plt.Figure, path: Path, dpi: int = 120) -> Path:
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")
    fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)
    return path


def theme() -> None:
    sns.set_theme(style="whitegrid", context="paper", font_scale=1.2)


def last_years(yearly: pd.DataFrame, params: list[str], n: int = 5) -> pd.DataFrame:
    """Per run, the mean of each metric over its last n years (a steadier end state)."""
    end = yearly.groupby([*params, "seed"], observed=True)["year"].transform("max")
    recent = yearly[yearly["year"] > end - n]
    numeric = [c for c in recent.select_dtypes("number").columns if c not in (*params, "seed", "year")]
    return recent.groupby([*params, "seed"], observed=True)[numeric].mean().reset_index()
