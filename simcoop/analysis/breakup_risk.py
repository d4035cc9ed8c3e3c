"""Breakup risk: survival of IGS (Kaplan-Meier, lifelines) against trust erosion, budget
shocks, the financial key and elections (digest Mechanisms 6 and 8, pattern P6)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

from simcoop.analysis.common import LANG, legend_outside, palette, readable, save_figure, theme, value_label, \
    write_table
from simcoop.sweeps.experiments import load, parameters
from simcoop.labels import label

GROUPS = {"all": "breakup.all", "ever recognised": "breakup.ever_recognised",
          "at start": "breakup.at_start"}  # the `igs` column of probabilities
HORIZON = 6  # years: "partnerships start falling apart after 3-4 years" (digest, Mechanism 6)


def lifetimes(events: pd.DataFrame, yearly: pd.DataFrame, params: list[str],
              igs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per IGS per run: founding year, duration in years, dissolved (1) or censored (0),
    how it ended, and (given the igs table) whether it was ever recognised by Flanders."""
    run = [*params, "seed"]
    founded = events[events["event"] == "found"].groupby([*run, "igs_id"], observed=True)["year"].min()
    df = _until_dissolved(founded.rename("founded").reset_index(), "founded", events, yearly, run)
    reasons = events[events["event"] == "dissolve"].groupby([*run, "igs_id"], observed=True)["reason"].first()
    df = df.merge(reasons.rename("ended_by").reset_index(), on=[*run, "igs_id"], how="left")
    if igs is not None:
        ever = igs.groupby([*run, "igs_id"], observed=True)["recognised"].any().rename("ever_recognised")
        df = df.merge(ever.reset_index(), on=[*run, "igs_id"], how="left")
        df["ever_recognised"] = df["ever_recognised"].astype("boolean").fillna(False).astype(bool)
    return df


def start_lifetimes(events: pd.DataFrame, yearly: pd.DataFrame, params: list[str],
                    igs: pd.DataFrame) -> pd.DataFrame:
    """One row per IGS of the starting landscape (the real IGS of 2025) per run, on the clock
    of the run: duration from the first recorded year to its dissolution or the run's end.
    Their founding lies before the run, so they have no place on the curves of IGS founded
    in it; the question they answer is the workshop's: how many of today's IGS break up
    within the horizon, and under which policy."""
    run = [*params, "seed"]
    first = igs.groupby(run, observed=True)["year"].transform("min")
    start = igs[igs["year"] == first][[*run, "igs_id", "year"]].rename(columns={"year": "observed_from"})
    founded = events.loc[events["event"] == "found", [*run, "igs_id"]].drop_duplicates().assign(in_run=True)
    start = start.merge(founded, on=[*run, "igs_id"], how="left")
    start = start[start["in_run"].isna()].drop(columns="in_run")   # a formation run starts with none
    return _until_dissolved(start, "observed_from", events, yearly, run)


def _until_dissolved(df: pd.DataFrame, since: str, events: pd.DataFrame, yearly: pd.DataFrame,
                     run: list[str]) -> pd.DataFrame:
    """Each IGS's years from `since` to its dissolution (dissolved 1) or to the end of its run
    or its merger into another IGS (censored, 0; a merger is no breakup): the survival data of
    both clocks."""
    dissolve = events[events["event"] == "dissolve"]
    merger = dissolve["reason"] == "merger"
    ended = dissolve[~merger].groupby([*run, "igs_id"], observed=True)["year"].min()
    merged = dissolve[merger].groupby([*run, "igs_id"], observed=True)["year"].min()
    last_year = yearly.groupby(run, observed=True)["year"].max().rename("last_year")
    df = df.merge(ended.rename("dissolved_year").reset_index(), on=[*run, "igs_id"], how="left")
    df = df.merge(merged.rename("merged_year").reset_index(), on=[*run, "igs_id"], how="left")
    df = df.merge(last_year.reset_index(), on=run)
    df["dissolved"] = df["dissolved_year"].notna().astype(int)
    censored = df["merged_year"].fillna(df["last_year"] + 1)
    df["duration"] = np.where(df["dissolved"] == 1, df["dissolved_year"], censored) - df[since]
    return df.drop(columns="merged_year")


def breakup_probability(life: pd.DataFrame, factor: str, horizon: int = HORIZON) -> pd.DataFrame:
    """P(dissolved within `horizon` years) per level of a factor, with its 95% interval.

    `n_dissolved` counts every dissolution, `n_dissolved_within_horizon` those the
    probability is about (a dissolution after the horizon does not count in it). With no
    dissolution within the horizon, the Kaplan-Meier interval collapses to [0, 0]; the upper
    bound is then the exact binomial (Clopper-Pearson) one over the IGS observed for the
    whole horizon, 1 - 0.025^(1/n)."""
    rows = []
    for level, group in life.groupby(factor, observed=True):
        km = KaplanMeierFitter().fit(group["duration"], group["dissolved"])
        surv = km.survival_function_at_times(horizon).iloc[0]
        ci = km.confidence_interval_survival_function_
        at = ci[ci.index <= horizon].iloc[-1]
        within = int(((group["dissolved"] == 1) & (group["duration"] <= horizon)).sum())
        low, high = 1 - at.iloc[1], 1 - at.iloc[0]
        if within == 0:
            observed = int(((group["duration"] >= horizon) | (group["dissolved"] == 1)).sum())
            low, high = 0.0, (1 - 0.025 ** (1 / observed)) if observed else 1.0
        rows.append({"factor": factor, "level": str(level), "n_igs": len(group),
                     "n_dissolved": int(group["dissolved"].sum()), "n_dissolved_within_horizon": within,
                     "horizon_years": horizon, "p_breakup": 1 - surv, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def election_clustering(yearly: pd.DataFrame) -> pd.DataFrame:
    """Dissolutions and leaves per year, in the first year of a legislature and otherwise."""
    return (yearly.groupby("legislature_start")[["dissolutions", "leaves"]].mean()
            .rename_axis("legislature_start").reset_index())


def analyse(sweep_dir: Path, out: Path) -> list[Path]:
    yearly = load(sweep_dir)
    params = parameters(yearly)
    events, igs = load(sweep_dir, "events"), load(sweep_dir, "igs")
    life = lifetimes(events, yearly, params, igs)
    # all IGS, and the established ones (ever recognised): most dissolutions are of small IGS
    # that never reach the recognition threshold, a different story from a partnership breaking up
    established = life[life["ever_recognised"]]
    # the IGS the run starts with (the real ones of 2025), on the run's clock
    at_start = start_lifetimes(events, yearly, params, igs)
    probs = pd.concat([breakup_probability(life, f).assign(igs="all") for f in params]
                      + [breakup_probability(established, f).assign(igs="ever recognised") for f in params
                         if len(established)]
                      + [breakup_probability(at_start, f).assign(igs="at start") for f in params
                         if len(at_start)], ignore_index=True)
    written = [write_table(life, out / "breakup_lifetimes.parquet"),
               write_table(probs, out / "breakup_probability.parquet"),
               write_table(election_clustering(yearly), out / "breakup_elections.parquet")]
    theme()
    written.append(save_figure(survival_figure(life, params), out / "breakup_survival.png"))
    written.append(save_figure(probability_figure(probs), out / "breakup_probability.png"))
    return written


def probability_figure(probs: pd.DataFrame) -> plt.Figure:
    """P(dissolved within the horizon) per level of each factor, all IGS and the ever
    recognised ones in colour: points with their 95% intervals, not joined (the levels are
    categories), y on 0-1."""
    factors = list(dict.fromkeys(probs["factor"]))
    groups = list(dict.fromkeys(probs["igs"]))
    colours = dict(zip(groups, palette(len(groups))))
    fig, axes = plt.subplots(1, len(factors), figsize=(3.8 * len(factors), 3.4), sharey=True, squeeze=False)
    for ax, factor in zip(axes[0], factors):
        rows = probs[probs["factor"] == factor]
        levels = list(dict.fromkeys(rows["level"]))
        for k, which in enumerate(groups):
            g = rows[rows["igs"] == which]
            x = [levels.index(v) + 0.2 * (k - (len(groups) - 1) / 2) for v in g["level"]]
            p = g["p_breakup"].to_numpy()
            ax.errorbar(x, p, yerr=[p - g["ci_low"].to_numpy(), g["ci_high"].to_numpy() - p],
                        fmt="o", capsize=3, color=colours[which], label=label(GROUPS[which], LANG))
        ax.set_xticks(range(len(levels)), ["\n".join(textwrap.wrap(value_label(factor, level_value(v)), 12))
                                           for v in levels])
        ax.set_xlim(-0.5, len(levels) - 0.5)
        ax.set_xlabel(label(factor, LANG), fontsize=9)
        ax.set_ylim(0, 1)
    axes[0][0].set_ylabel(label("p_breakup_within", LANG).format(years=int(probs["horizon_years"].iloc[0])))
    axes[0][-1].legend(title=label("igs", LANG))
    legend_outside(axes[0][-1])
    fig.suptitle(label("fig.breakup_probability", LANG))
    fig.tight_layout()
    return fig


def level_value(level: str) -> object:
    """A level stored as text back as the number it was, so it is shown in the language's format."""
    try:
        return float(level)
    except ValueError:
        return level


def survival_figure(life: pd.DataFrame, params: list[str]) -> plt.Figure:
    """Kaplan-Meier survival with 95% bands, one panel per swept factor, a colour per level."""
    n = len(params)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.8), sharey=True, squeeze=False)
    for ax, factor in zip(axes[0], params):
        shown = readable(life, [factor])
        colours = palette(shown[factor].nunique())
        for colour, (level, group) in zip(colours, shown.groupby(factor, observed=True)):
            KaplanMeierFitter(label=str(level)).fit(group["duration"], group["dissolved"]).plot_survival_function(
                ax=ax, ci_show=True, color=colour)
        ax.set_title(label(factor, LANG), fontsize=9)
        ax.set_xlabel(label("years_since_founding", LANG))
        ax.set_ylim(0, 1.02)
        ax.axvline(HORIZON, color="grey", linestyle=":")
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, frameon=False)  # below the data
    axes[0][0].set_ylabel(label("share_surviving", LANG))
    fig.suptitle(label("fig.survival", LANG))
    fig.tight_layout()
    return fig
