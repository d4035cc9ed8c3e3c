"""The run's summary figure: cooperation over time beside a map of the end year."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns
from matplotlib.collections import PolyCollection

from simcoop.labels import fmt, has_label, label
from simcoop.data.landscape import embedded_path
from simcoop.analysis.maps import NONE_COLOUR, adjacency_pairs, assign_colours, igs_neighbours
from simcoop.analysis.naming import with_igs_names
from simcoop.results import SimulationResult


@lru_cache(maxsize=1)
def flanders_outlines() -> tuple[tuple[int, ...], tuple]:
    """(NIS code per ring, rings of lon/lat) from the embedded simplified boundaries."""
    geo = json.loads((embedded_path() / "flanders_municipalities_2025.geojson").read_text(encoding="utf-8"))
    codes, rings = [], []
    for feature in geo["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            codes.append(int(feature["properties"]["nis"]))
            rings.append(polygon[0])  # outer ring; holes are not drawn
    return tuple(codes), tuple(rings)


def draw_map(ax: plt.Axes, end: pd.DataFrame, legend: bool = True, lang: str = "en") -> dict[str, str]:
    """Municipalities coloured by IGS (white: none), centre cities starred; returns the colours.

    IGS are named (real name, or after their largest member) and coloured by name so that
    neighbouring IGS differ (maps.assign_colours). Draws the real boundaries when every NIS
    code is a Flemish municipality, else (synthetic landscapes) a scatter at the
    municipalities' coordinates."""
    end = with_igs_names(end) if "name" in end.columns and "population" in end.columns else \
        end.assign(igs_name=[None if pd.isna(g) else f"IGS {int(g)}" for g in end["igs_id"]])
    member_of = {int(n): g for n, g in zip(end["nis"], end["igs_name"])}
    colours = assign_colours({g for g in member_of.values() if g}, igs_neighbours(member_of, adjacency_pairs()))
    colour = {n: colours[g] if g else NONE_COLOUR for n, g in member_of.items()}
    codes, rings = flanders_outlines()
    if set(colour) <= set(codes):
        keep = [k for k, c in enumerate(codes) if c in colour]
        ax.add_collection(PolyCollection([rings[k] for k in keep], facecolors=[colour[codes[k]] for k in keep],
                                         edgecolors="#999999", linewidths=0.3))
        ax.autoscale_view()
    else:
        ax.scatter(end["lon"], end["lat"], s=30, c=[colour[int(n)] for n in end["nis"]], edgecolors="#999999")
    centres = end[end["centrumstad"]]
    ax.scatter(centres["lon"], centres["lat"], marker="*", s=110, facecolor="none", edgecolor="black",
               linewidth=1.0)
    ax.set_aspect(1 / 0.63)  # roughly equal distances at 51 degrees north
    ax.set_axis_off()
    if legend:
        handles = [plt.Line2D([], [], marker="s", markersize=10, linestyle="", color=c, markeredgecolor="#555555",
                              label=n) for n, c in sorted(colours.items())]
        handles.append(plt.Line2D([], [], marker="s", markersize=10, linestyle="", color=NONE_COLOUR,
                                  markeredgecolor="#555555", label=label("none", lang)))
        handles.append(plt.Line2D([], [], marker="*", markersize=10, linestyle="", markerfacecolor="none",
                                  color="black", label=label("centrumstad", lang)))
        ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9, frameon=False,
                  ncols=2 if len(handles) > 18 else 1)
    return colours


def draw_named_map(ax: plt.Axes, fills: dict[int, str], legend: dict[str, str], none_label: str) -> None:
    """Municipalities (by NIS code) filled with given colours, and a legend of IGS names in a
    size readable from the back of a room (the dashboard's PNG export)."""
    codes, rings = flanders_outlines()
    keep = [k for k, c in enumerate(codes) if c in fills]
    ax.add_collection(PolyCollection([rings[k] for k in keep], facecolors=[fills[codes[k]] for k in keep],
                                     edgecolors="#888888", linewidths=0.4))
    ax.autoscale_view()
    ax.set_aspect(1 / 0.63)
    ax.set_axis_off()
    handles = [plt.Line2D([], [], marker="s", markersize=14, linestyle="", color=c, markeredgecolor="#555555",
                          label=n) for n, c in legend.items()]
    handles.append(plt.Line2D([], [], marker="s", markersize=14, linestyle="", color="#ffffff",
                              markeredgecolor="#555555", label=none_label))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=13, frameon=False,
              ncols=4)


def summary_figure(result: SimulationResult, path: str | Path, lang: str = "en") -> Path:
    """Coverage and IGS count over time (left); municipalities by longitude and latitude,
    coloured by IGS in the end year, centre cities as stars (right); text in `lang`."""
    sns.set_theme(style="whitegrid", context="notebook")
    fig, (ax_time, ax_map) = plt.subplots(1, 2, figsize=(14, 5.5), gridspec_kw={"width_ratios": [1, 1.25]})

    yearly = result.yearly
    cover = yearly.melt(id_vars="year", value_vars=["coverage_municipalities", "coverage_population"],
                        var_name="share of", value_name="coverage")
    cover["share of"] = cover["share of"].map(lambda m: label(m, lang))
    sns.lineplot(data=cover, x="year", y="coverage", hue="share of", ax=ax_time, marker="o")
    ax_time.set_ylim(0, 1)
    ax_time.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax_time.legend(title=None, loc="lower right")
    ax_time.set_xlabel(label("year", lang))
    ax_time.set_ylabel(label("share_in_igs", lang))
    ax_count = ax_time.twinx()
    ax_count.step(yearly["year"], yearly["n_igs"], where="mid", color="black", linestyle="--", label="IGS")
    ax_count.set_ylabel(label("fig.dashed", lang).format(label=label("n_igs", lang)))
    ax_count.set_ylim(0, max(1, int(yearly["n_igs"].max()) + 2))
    ax_count.grid(False)
    ax_time.set_title(label("fig.over_time", lang))

    end = result.membership[result.membership["year"] == result.membership["year"].max()]
    draw_map(ax_map, end, lang=lang)
    ax_map.set_title(label("map_title", lang).format(year=int(end["year"].iloc[0])))
    scenario = result.config.get("scenario_name", "")
    shown = label(f"scenario.{scenario}", lang) if has_label(f"scenario.{scenario}") else scenario
    fig.suptitle(label("fig.run_title", lang).format(version=result.version, scenario=shown, seed=result.seed))
    fig.tight_layout()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
    return path


SUMMARY = ("n_igs", "n_recognised", "coverage_municipalities", "coverage_population", "mean_members",
           "dominance_mean", "gini_net_benefit", "mean_trust_members", "foundings", "joins", "leaves",
           "dissolutions", "cross_region_igs")


def summary_table(result: SimulationResult, lang: str = "en") -> pd.DataFrame:
    """The printed summary: one row per indicator (its label), one column for the first year,
    every fifth year and the last, each value in its format (shares as percentages)."""
    y = result.yearly
    first, last = int(y["year"].min()), int(y["year"].max())
    shown = y[y["year"].isin([first, last]) | (y["year"] % 5 == 0)].set_index("year")
    table = pd.DataFrame({int(year): [fmt(m, row[m], lang) for m in SUMMARY] for year, row in shown.iterrows()},
                         index=[label(m, lang) for m in SUMMARY])
    return table.rename_axis(label("year", lang), axis=1)
