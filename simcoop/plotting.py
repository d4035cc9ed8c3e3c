"""The run's summary figure: cooperation over time beside a map of the end year."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")  # files only: works on a machine without a screen
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from simcoop.results import SimulationResult  # noqa: E402


def summary_figure(result: SimulationResult, path: str | Path) -> Path:
    """Coverage and IGS count over time (left); municipalities by longitude and latitude,
    coloured by IGS in the end year, centre cities as stars (right)."""
    sns.set_theme(style="whitegrid", context="notebook")
    fig, (ax_time, ax_map) = plt.subplots(1, 2, figsize=(14, 5.5), gridspec_kw={"width_ratios": [1, 1.25]})

    yearly = result.yearly
    cover = yearly.melt(id_vars="year", value_vars=["coverage_municipalities", "coverage_population"],
                        var_name="share of", value_name="coverage")
    cover["share of"] = cover["share of"].map({"coverage_municipalities": "municipalities",
                                               "coverage_population": "inhabitants"})
    sns.lineplot(data=cover, x="year", y="coverage", hue="share of", ax=ax_time, marker="o")
    ax_time.set_ylim(0, 1)
    ax_time.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax_time.legend(title="share of", loc="lower right")
    ax_time.set_ylabel("share in an IGS cultuur")
    ax_count = ax_time.twinx()
    ax_count.step(yearly["year"], yearly["n_igs"], where="mid", color="black", linestyle="--", label="IGS")
    ax_count.set_ylabel("number of IGS (dashed)")
    ax_count.set_ylim(0, max(1, int(yearly["n_igs"].max()) + 2))
    ax_count.grid(False)
    ax_time.set_title("Cooperation over time")

    end = result.membership[result.membership["year"] == result.membership["year"].max()].copy()
    alone = end["igs_id"].isna()
    ax_map.scatter(end.loc[alone, "lon"], end.loc[alone, "lat"], s=18, color="lightgrey", label="no IGS")
    members = end.loc[~alone].assign(IGS=lambda d: d["igs_id"].astype(int)).sort_values("IGS")
    if not members.empty:
        members["IGS"] = members["IGS"].map(lambda k: f"IGS {k}")
        n_igs = members["IGS"].nunique()
        # husl has no greys, so no IGS is confused with the grey of 'no IGS'
        sns.scatterplot(data=members, x="lon", y="lat", hue="IGS", palette=sns.color_palette("husl", n_igs),
                        s=38, ax=ax_map, legend=n_igs <= 24)
    centres = end[end["centrumstad"]]
    ax_map.scatter(centres["lon"], centres["lat"], marker="*", s=160, facecolor="none", edgecolor="black",
                   linewidth=1.2, label="centrumstad")
    ax_map.set_aspect(1 / 0.63)  # roughly equal distances at 51 degrees north
    ax_map.set_xlabel("longitude")
    ax_map.set_ylabel("latitude")
    ax_map.set_title(f"IGS cultuur in {int(end['year'].iloc[0])}")
    ax_map.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, ncols=1, frameon=False)
    scenario = result.config.get("scenario_name", "")
    fig.suptitle(f"simcoop {result.version}: scenario {scenario}, seed {result.seed}")
    fig.tight_layout()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
    return path


def summary_table(result: SimulationResult) -> pd.DataFrame:
    """The printed summary: the first year, every fifth year and the last."""
    y = result.yearly
    first, last = int(y["year"].min()), int(y["year"].max())
    keep = y["year"].isin([first, last]) | (y["year"] % 5 == 0)
    cols = {"year": "year", "n_igs": "IGS", "n_recognised": "recognised", "coverage_municipalities": "cov_mun",
            "coverage_population": "cov_pop", "mean_members": "members", "dominance_mean": "dominance",
            "gini_net_benefit": "gini", "mean_trust_members": "trust", "foundings": "found", "joins": "join",
            "leaves": "leave", "dissolutions": "dissolve", "cross_region_igs": "cross_reg"}
    return y.loc[keep, list(cols)].rename(columns=cols).round(2).set_index("year")
