"""Shared plumbing of the analyses: writing tables and figures whole, the Student-t interval
of a mean, and the readable labels, palettes and legends every experiment figure uses
(figures for papers: English labels from `simcoop.labels`, PNG at 300 dpi plus a PDF
beside it)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns
from scipy import stats

from simcoop.labels import METRIC_FORMAT, has_label, label, number

LANG = "en"  # figures for papers
DPI = 300


def write_table(df: pd.DataFrame, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def interval(v: np.ndarray) -> tuple[float, float, float]:
    """Mean and Student-t 95% interval."""
    if len(v) == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(np.mean(v))
    if len(v) < 2:
        return (mean, mean, mean)
    half = float(stats.t.ppf(0.975, len(v) - 1) * np.std(v, ddof=1) / np.sqrt(len(v)))
    return (mean, mean - half, mean + half)


def save_figure(fig: plt.Figure, path: Path, dpi: int = DPI) -> Path:
    """The figure as PNG (300 dpi by default) at `path` and as PDF (vector) beside it; returns the PNG."""
    for target in (path.with_suffix(".pdf"), path):
        tmp = target.with_name(f".{target.stem}.tmp-{os.getpid()}{target.suffix}")
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
        os.replace(tmp, target)
    plt.close(fig)
    return path


def theme() -> None:
    sns.set_theme(style="whitegrid", context="paper", font_scale=1.2)


def last_years(yearly: pd.DataFrame, params: list[str], n: int = 5) -> pd.DataFrame:
    """Per run, the mean of each metric over its last n years (a steadier end state)."""
    end = yearly.groupby([*params, "seed"], observed=True)["year"].transform("max")
    recent = yearly[yearly["year"] > end - n]
    numeric = [c for c in recent.select_dtypes("number").columns if c not in (*params, "seed", "year")]
    return recent.groupby([*params, "seed"], observed=True)[numeric].mean().reset_index()


def level(value: object, lang: str = LANG) -> str:
    """A parameter value as people read it: a number with the language's separators and
    no trailing zeros, yes/no for booleans, text as it is."""
    if isinstance(value, bool):
        return label("yes" if value else "no", lang)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        decimals = next((d for d in range(4) if round(float(value), d) == float(value)), 3)
        return number(float(value), lang, decimals)
    return str(value)


def value_label(param: str, value: object, lang: str = LANG) -> str:
    """The label of one value of a swept parameter: an option's label (key.per_budget) if
    the table has one, else the value itself, readably formatted."""
    key = f"{param}.{value}"
    return label(key, lang) if isinstance(value, str) and has_label(key) else level(value, lang)


def readable(df: pd.DataFrame, params: list[str], lang: str = LANG,
             known: dict[str, dict[object, str]] | None = None) -> pd.DataFrame:
    """A copy with each parameter column's values replaced by their labels, as ordered
    categoricals (in the order of the values), so plots show labels, keep the order of
    numbers and treat them as categories. `known` gives labels worked out elsewhere
    (e.g. from the runs' configs) per parameter and value."""
    out = df.copy()
    for p in params:
        values = sorted(pd.unique(out[p].dropna()), key=lambda v: (isinstance(v, str), v))
        given = (known or {}).get(p, {})
        names = {v: given.get(v) or value_label(p, v.item() if hasattr(v, "item") else v, lang) for v in values}
        out[p] = pd.Categorical(out[p].map(names), categories=list(dict.fromkeys(names.values())), ordered=True)
    return out


def readable_table(df: pd.DataFrame, lang: str = LANG) -> pd.DataFrame:
    """A table as people read it: column names, index names and labelled row keys (metric
    names) through the label table, booleans as yes/no. A column without a label raises
    KeyError, so no column name reaches a reader."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].map(lambda v: level(bool(v), lang))
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = out.columns.set_levels([[label(str(v), lang) for v in lv] for lv in out.columns.levels])
    else:
        out.columns = [label(str(c), lang) for c in out.columns]
    out.columns.names = [None if n is None else label(str(n), lang) for n in out.columns.names]
    if not isinstance(out.index, (pd.RangeIndex, pd.MultiIndex)) and out.index.dtype == object \
            and all(isinstance(v, str) and has_label(v) for v in out.index):
        out.index = pd.Index([label(v, lang) for v in out.index])
    out.index.names = [None if n is None else label(str(n), lang) for n in df.index.names]
    return out


def palette(n: int) -> list:
    """A categorical palette that tells n discrete values apart (colour-blind safe up to 10)."""
    return sns.color_palette("colorblind" if n <= 10 else "tab20", n)


def legend_outside(obj: sns.axisgrid.Grid | plt.Axes) -> None:
    """Move the legend of a seaborn grid or of axes to the right of the data."""
    if isinstance(obj, sns.axisgrid.Grid):
        if obj.legend is not None:
            obj.figure.tight_layout()  # the panels take the room seaborn kept for the legend, which moves past them
            sns.move_legend(obj, "upper left", bbox_to_anchor=(1.0, 0.95), frameon=False)
    elif obj.get_legend() is not None:
        sns.move_legend(obj, "upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)


def trajectories(shown: pd.DataFrame, metrics: list[str], hue: str | None = None, style: str | None = None,
                 title: str = "", marks: list[tuple[int, str]] = ()) -> plt.Figure:
    """One panel per metric over the years (mean, 95% CI): y from zero (0-1 for shares),
    categorical colours, labelled dotted lines at `marks` (year, text), the legend outside.
    `shown` has readable parameter values (`readable`); its column names are labelled here."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.6), squeeze=False)
    axes = list(axes[0])
    for ax, metric in zip(axes, metrics):
        sns.lineplot(data=shown, x="year", y=metric, hue=hue, style=style, errorbar=("ci", 95), ax=ax,
                     palette=palette(shown[hue].nunique()) if hue else None, legend=ax is axes[-1])
        for year, text in marks:
            ax.axvline(year, color="grey", linestyle=":")
            ax.text(year, 0.98, f"{text} ", va="top", ha="right", rotation=90, fontsize=7, color="grey",
                    transform=ax.get_xaxis_transform())
        ax.set_ylabel("\n".join(textwrap.wrap(label(metric, LANG), 32)))
        ax.set_xlabel(label("year", LANG))
        share = METRIC_FORMAT.get(metric) == "percent"
        ax.set_ylim(0, 1.02 if share else max(1.0, float(shown[metric].max()) * 1.1))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=5, integer=True))
    if title:
        fig.suptitle(title)
    fig.tight_layout()  # before the legend moves out: the panels keep their width, the saved figure grows
    legend = axes[-1].get_legend()
    if legend is not None:  # seaborn titles the legend's sections with column names
        for text in [*legend.get_texts(), legend.get_title()]:
            if text.get_text() in (hue, style):
                text.set_text(label(text.get_text(), LANG))
        legend_outside(axes[-1])
    return fig
