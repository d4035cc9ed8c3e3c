"""Dominance: agenda weight of centre cities and spread of net benefit (digest P3)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from simcoop.analysis.common import LANG, last_years, legend_outside, palette, readable, save_figure, theme, \
    write_table
from simcoop.sweeps.experiments import load, parameters, summarise
from simcoop.labels import count, label

METRICS = ["centre_excess_mean", "dominance_mean", "gini_net_benefit"]
YEARS = 5  # the end state: each run's mean over its last five years


def analyse(sweep_dir: Path, out: Path) -> list[Path]:
    yearly = load(sweep_dir)
    params = parameters(yearly)
    per_run = last_years(yearly, params, YEARS)[[*params, "seed", *METRICS]]
    written = [write_table(per_run, out / "dominance_runs.parquet"),
               write_table(summarise(per_run, METRICS, by=params), out / "dominance_summary.parquet")]
    theme()
    for metric in METRICS:
        written.append(save_figure(figure(per_run, params, metric), out / f"dominance_{metric}.png"))
    return written


def figure(per_run: pd.DataFrame, params: list[str], metric: str) -> plt.Figure:
    """One metric per combination (points with 95% intervals, not joined: the levels are
    categories), own staff share across, hosted staff in colour, key and staff advantage in panels."""
    x = "igs.own_staff_share" if "igs.own_staff_share" in params else "key"
    hue = "igs.staff_hosted_by_city" if "igs.staff_hosted_by_city" in params else None
    col = "key" if x != "key" and "key" in params else None
    row = "attributes.centre_staff_factor" if "attributes.centre_staff_factor" in params else None
    shown = readable(per_run, params)
    grid = sns.catplot(data=shown, x=x, y=metric, hue=hue, col=col, row=row, kind="point",
                       errorbar=("ci", 95), dodge=0.3, linestyle="none", markers="o", capsize=0.1,
                       palette=palette(shown[hue].nunique()) if hue else None, height=3.2, aspect=1.2)
    grid.set_axis_labels(label(x, LANG), "\n".join(textwrap.wrap(label(metric, LANG), 30)))
    templates = {"row_template": f"{label(row, LANG)}: {{row_name}}" if row else "",
                 "col_template": f"{label(col, LANG)}: {{col_name}}" if col else ""}
    grid.set_titles(**{k: v for k, v in templates.items() if v}, size=9)
    low = min(0.0, float(per_run[metric].min()))
    grid.set(ylim=(low, max(1.0, float(per_run[metric].max()) * 1.1)))  # indices on their whole 0-1 range
    if hue:
        grid.legend.set_title(label(hue, LANG))
        legend_outside(grid)
    window = label("fig.last_years_ci", LANG).format(n=count(YEARS, LANG))
    grid.figure.suptitle(f"{label(metric, LANG).capitalize()}\n({window})", y=1.12)
    return grid.figure
