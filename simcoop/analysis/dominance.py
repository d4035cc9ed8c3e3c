"""Dominance: agenda weight of centre cities and spread of net benefit (digest P3)."""

from __future__ import annotations

from pathlib import Path

import seaborn as sns

from simcoop.analysis.common import last_years, save_figure, theme, write_table
from simcoop.experiments import load, parameters, summarise

METRICS = ["centre_excess_mean", "dominance_mean", "gini_net_benefit"]
LABELS = {"centre_excess_mean": "centre city's agenda share\nabove its population share",
          "dominance_mean": "dominance index", "gini_net_benefit": "Gini of net benefit"}


def analyse(sweep_dir: Path, out: Path) -> list[Path]:
    yearly = load(sweep_dir)
    params = parameters(yearly)
    per_run = last_years(yearly, params)[[*params, "seed", *METRICS]]
    written = [write_table(per_run, out / "dominance_runs.parquet"),
               write_table(summarise(per_run, METRICS, by=params), out / "dominance_summary.parquet")]
    theme()
    x = "igs.own_staff_share" if "igs.own_staff_share" in params else "key"
    hue = "igs.staff_hosted_by_city" if "igs.staff_hosted_by_city" in params else None
    col = "key" if x != "key" and "key" in params else None
    row = "attributes.centre_staff_factor" if "attributes.centre_staff_factor" in params else None
    for metric in METRICS:
        grid = sns.catplot(data=per_run, x=x, y=metric, hue=hue, col=col, row=row, kind="point",
                           errorbar=("ci", 95), dodge=0.2, height=3.2, aspect=1.2)
        grid.set_axis_labels(x, LABELS[metric])
        grid.set_titles(row_template="centre staff x{row_name}", col_template="key {col_name}")
        grid.figure.suptitle(f"Dominance experiment: {LABELS[metric].splitlines()[0]} (mean, 95% CI)", y=1.02)
        written.append(save_figure(grid.figure, out / f"dominance_{metric}.png"))
    return written
