"""A self-contained HTML report comparing scenarios, for policy workshops (Dutch or English).

    simcoop compare scenario=baseline,forced_regions_2028,per_budget_key seeds=20 lang=nl

runs the scenarios through the sweep machinery (parallel, resumable), then writes one HTML
file with every figure embedded, so it opens offline: a side-by-side table of the key
indicators in the end year with 95% intervals, the trajectories over time, and a map of
Flanders per scenario coloured by IGS.
"""

from __future__ import annotations

import base64
import html
import io
import os
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from simcoop.experiments import load, summarise
from simcoop.plotting import draw_map
from simcoop.results import package_version

LANGS = ("en", "nl")

TEXT = {
    "en": {
        "title": "simcoop: comparing scenarios for cooperation on culture",
        "intro": "Each scenario was simulated {seeds} times with different random seeds on the 285 Flemish "
                 "municipalities, from {start} to {end}. The table shows the situation in {end}: the mean over "
                 "the runs and, between brackets, the 95% confidence interval of that mean.",
        "table": "Key figures in {end}",
        "trajectories": "How cooperation develops",
        "trajectories_note": "Lines are means over the runs; bands are 95% confidence intervals.",
        "maps": "Who cooperates with whom in {end} (run with seed {seed})",
        "maps_note": "Each area is a municipality, coloured by its intercommunal cooperation (IGS); grey: none. "
                     "Stars are centre cities.",
        "scenario": "scenario", "indicator": "indicator", "year": "year", "none": "no IGS",
        "centre": "centre city", "footer": "Made with simcoop {version} on {today}. Config and seeds: {sweep}.",
        "scenarios": {
            "baseline": "Baseline (policy of 2020, free regions)",
            "forced_regions_2028": "Reference regions compulsory by 2028",
            "forced_regions_2030": "Reference regions compulsory by 2030",
            "per_budget_key": "Contribution per budget instead of per inhabitant",
            "strong_incentives": "Stronger Flemish subsidies",
            "regional_coordinators": "Flemish-funded regional coordinators",
            "networking_support": "Support for networking (more trust)",
        },
        "metrics": {
            "n_igs": "number of IGS",
            "coverage_municipalities": "share of municipalities in an IGS",
            "coverage_population": "share of inhabitants in an IGS",
            "mean_members": "members per IGS",
            "dominance_mean": "dominance: agenda departing from population shares (0-1)",
            "gini_net_benefit": "inequality of benefits among partners (Gini, 0-1)",
            "mean_trust_members": "trust between partners (0-1)",
            "cross_region_igs": "IGS crossing a region border",
            "dissolutions_total": "IGS dissolved so far",
        },
    },
    "nl": {
        "title": "simcoop: scenario's voor intergemeentelijke samenwerking rond cultuur vergeleken",
        "intro": "Elk scenario werd {seeds} keer gesimuleerd met verschillende toevalsgetallen voor de 285 "
                 "Vlaamse gemeenten, van {start} tot {end}. De tabel toont de toestand in {end}: het gemiddelde "
                 "over de simulaties en, tussen haakjes, het 95%-betrouwbaarheidsinterval van dat gemiddelde.",
        "table": "Kerncijfers in {end}",
        "trajectories": "Hoe de samenwerking evolueert",
        "trajectories_note": "Lijnen zijn gemiddelden over de simulaties; banden zijn 95%-betrouwbaarheidsintervallen.",
        "maps": "Wie werkt samen met wie in {end} (simulatie met seed {seed})",
        "maps_note": "Elk vlak is een gemeente, gekleurd volgens haar intergemeentelijk samenwerkingsverband "
                     "(IGS); grijs: geen. Sterren zijn centrumsteden.",
        "scenario": "scenario", "indicator": "indicator", "year": "jaar", "none": "geen IGS",
        "centre": "centrumstad", "footer": "Gemaakt met simcoop {version} op {today}. Configuratie en seeds: {sweep}.",
        "scenarios": {
            "baseline": "Basis (beleid van 2020, vrije regio's)",
            "forced_regions_2028": "Referentieregio's verplicht tegen 2028",
            "forced_regions_2030": "Referentieregio's verplicht tegen 2030",
            "per_budget_key": "Bijdrage volgens begroting in plaats van per inwoner",
            "strong_incentives": "Sterkere Vlaamse subsidies",
            "regional_coordinators": "Regiocoördinatoren betaald door Vlaanderen",
            "networking_support": "Ondersteuning van netwerking (meer vertrouwen)",
        },
        "metrics": {
            "n_igs": "aantal IGS",
            "coverage_municipalities": "aandeel gemeenten in een IGS",
            "coverage_population": "aandeel inwoners in een IGS",
            "mean_members": "leden per IGS",
            "dominance_mean": "dominantie: agenda wijkt af van het inwonersaandeel (0-1)",
            "gini_net_benefit": "ongelijkheid van de baten tussen partners (Gini, 0-1)",
            "mean_trust_members": "vertrouwen tussen partners (0-1)",
            "cross_region_igs": "IGS over een regiogrens heen",
            "dissolutions_total": "opgeheven IGS tot nu",
        },
    },
}

TRAJECTORIES = ("n_igs", "coverage_municipalities", "dominance_mean", "mean_trust_members")


def _png(fig: plt.Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _label(t: dict, scenario: str) -> str:
    return t["scenarios"].get(scenario, scenario)


def end_year_table(yearly: pd.DataFrame, t: dict) -> pd.DataFrame:
    """Scenario x indicator: 'mean [low, high]' in the end year."""
    yearly = yearly.assign(dissolutions_total=yearly.groupby(["scenario", "seed"], observed=True)["dissolutions"].cumsum())
    end = yearly[yearly["year"] == yearly["year"].max()]
    s = summarise(end, list(t["metrics"]), by=["scenario"])
    s["cell"] = [f"{m:.2f} [{lo:.2f}, {hi:.2f}]" if pd.notna(m) else "-"
                 for m, lo, hi in zip(s["mean"], s["ci_low"], s["ci_high"])]
    table = s.pivot(index="metric", columns="scenario", values="cell").reindex(list(t["metrics"]))
    table.index = [t["metrics"][m] for m in table.index]
    table.columns = [_label(t, c) for c in table.columns]
    return table.rename_axis(t["indicator"]).reset_index()


def trajectories_figure(yearly: pd.DataFrame, t: dict) -> str:
    sns.set_theme(style="whitegrid", context="notebook")
    data = yearly.assign(**{t["scenario"]: yearly["scenario"].map(lambda s: _label(t, s))})
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True)
    for ax, metric in zip(axes.flat, TRAJECTORIES):
        sns.lineplot(data=data, x="year", y=metric, hue=t["scenario"], errorbar=("ci", 95), ax=ax,
                     legend=ax is axes.flat[0])
        ax.set_ylabel(t["metrics"][metric])
        ax.set_xlabel(t["year"])
    axes.flat[0].legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return _png(fig)


def map_figure(membership: pd.DataFrame, scenario: str, t: dict) -> str:
    end = membership[membership["year"] == membership["year"].max()]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    draw_map(ax, end, legend=False)
    ax.set_title(_label(t, scenario), fontsize=10)
    return _png(fig)


def write_report(sweep_dir: str | Path, lang: str = "en", path: str | Path | None = None) -> Path:
    """Build the report from a finished comparison sweep; returns the HTML file's path."""
    t = TEXT[lang]
    sweep_dir = Path(sweep_dir)
    yearly = load(sweep_dir)
    membership = load(sweep_dir, "membership")
    scenarios = list(dict.fromkeys(yearly["scenario"]))
    seeds = yearly.groupby("scenario", observed=True)["seed"].nunique().min()
    start, end = int(yearly["year"].min()), int(yearly["year"].max())
    map_seed = int(yearly["seed"].min())
    table = end_year_table(yearly, t)
    maps = "".join(
        f'<img alt="{html.escape(_label(t, s))}" src="'
        f'{map_figure(membership[(membership["scenario"] == s) & (membership["seed"] == map_seed)], s, t)}">'
        for s in scenarios)
    body = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(t["title"])}</title>
<style>
body {{ font-family: sans-serif; max-width: 1200px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.maps img {{ width: 49%; }} .note {{ color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>{html.escape(t["title"])}</h1>
<p>{html.escape(t["intro"].format(seeds=seeds, start=start, end=end))}</p>
<h2>{html.escape(t["table"].format(end=end))}</h2>
{table.to_html(escape=True, index=False)}
<h2>{html.escape(t["trajectories"])}</h2>
<img alt="trajectories" style="width:100%" src="{trajectories_figure(yearly, t)}">
<p class="note">{html.escape(t["trajectories_note"])}</p>
<h2>{html.escape(t["maps"].format(end=end, seed=map_seed))}</h2>
<div class="maps">{maps}</div>
<p class="note">{html.escape(t["maps_note"])}</p>
<hr><p class="note">{html.escape(t["footer"].format(version=package_version(), today=date.today(),
                                                       sweep=sweep_dir))}</p>
</body></html>
"""
    path = Path(path) if path else sweep_dir / f"report_{lang}.html"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, path)
    return path
