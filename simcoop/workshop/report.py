"""A self-contained HTML report comparing scenarios, for policy workshops (Dutch or English).

    simcoop compare scenario=current_policy,no_region_rule,per_budget_key seeds=20 lang=nl

runs the combinations through the sweep machinery (parallel, resumable), then writes one
HTML file that opens offline (no library, nothing fetched): the key figures in the end
year per combination (mean, the range of single runs, the difference from the baseline
with its interval), the trajectories, an SVG map per combination (names on hover,
reference-region borders, IGS named and coloured the same on every map), and a search
box that answers "what does this mean for my municipality?".
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns

from simcoop.workshop.comparison import (KEY_FIGURES, Combination, combination_keys, combinations, end_values,
                                fixed_settings, key_figures, varying)
from simcoop.sweeps.experiments import load
from simcoop.labels import LANGS, METRIC_FORMAT, fmt, fmt_difference, has_label, label, percent
from simcoop.workshop.lookup import history_lines, municipality_view
from simcoop.analysis.maps import NONE_COLOUR, adjacency_pairs, assign_colours, flanders_geometry, igs_neighbours
from simcoop.analysis.naming import field_label, igs_names, with_igs_names
from simcoop.results import package_version

TRAJECTORIES = ("n_igs", "coverage_municipalities", "dominance_mean", "mean_trust_members")
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 18px; margin: 1.5em 2vw; color: #222; }
h1 { font-size: 1.8em; } h2 { font-size: 1.4em; margin-top: 1.6em; }
.note { color: #444; font-size: 0.9em; max-width: 70em; }
.wide { overflow-x: auto; max-width: 100%; }
table.figures { border-collapse: collapse; }
table.figures th, table.figures td { border: 1px solid #bbb; padding: 6px 10px; vertical-align: top; }
table.figures td { text-align: right; } table.figures th { background: #f3f3f3; }
table.figures th.row { text-align: left; font-weight: normal; max-width: 16em; }
table.figures td.diff { background: #f7f7fb; }
.small { font-size: 0.8em; color: #555; display: block; }
img.figure { width: 100%; max-width: 1600px; height: auto; }
.maps { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 820px), 1fr)); gap: 1.5em; }
.map svg { width: 100%; height: auto; display: block; }
.map use { stroke: #fff; stroke-width: 0.8; } .map use:hover { stroke: #000; stroke-width: 2.5; }
.map h3 { font-size: 1.2em; margin: 0.3em 0; }
.legend { list-style: none; padding: 0; columns: 14em auto; font-size: 18px; }
.legend li { margin: 2px 0; break-inside: avoid; }
.swatch { display: inline-block; width: 1.1em; height: 1.1em; border: 1px solid #666; vertical-align: -0.2em;
          margin-right: 0.4em; }
.city { font-size: 13px; font-weight: bold; fill: #000; paint-order: stroke; stroke: #fff; stroke-width: 3px;
        pointer-events: none; }
#search { font-size: 1.2em; padding: 0.3em; width: min(24em, 90%); }
.card { border: 1px solid #bbb; border-radius: 6px; padding: 0.6em 1em; margin: 0.8em 0; }
.card table { border-collapse: collapse; width: 100%; } .card td, .card th { text-align: left; padding: 4px 8px;
  border-top: 1px solid #ddd; vertical-align: top; }
"""
SCRIPT = """
const DATA = JSON.parse(document.getElementById('lookup-data').textContent);
const box = document.getElementById('search'), out = document.getElementById('lookup');
function esc(s) { const d = document.createElement('div'); d.textContent = s; return d.innerHTML; }
function norm(s) { return s.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase(); }
function show() {
  const q = norm(box.value.trim());
  if (!q) { out.innerHTML = ''; return; }
  const hits = DATA.municipalities.filter(m => norm(m.name).startsWith(q))
    .concat(DATA.municipalities.filter(m => !norm(m.name).startsWith(q) && norm(m.name).includes(q))).slice(0, 4);
  if (!hits.length) { out.innerHTML = '<p>' + esc(DATA.text.not_found) + '</p>'; return; }
  out.innerHTML = hits.map(m => {
    const rows = DATA.combinations.map((c, k) => {
      const v = m.cards[k];
      const lines = [v.in, v.usual, v.partners ? DATA.text.partners + ': ' + v.partners : '', v.money]
        .concat(v.left).filter(Boolean).map(esc).join('<br>');
      const hist = (v.history.length ? v.history : [DATA.text.no_history]).map(esc).join('<br>');
      return '<tr><th>' + esc(c) + '</th><td>' + lines + '</td><td><span class="small">' +
        esc(DATA.text.history) + '</span>' + hist + '</td></tr>';
    }).join('');
    return '<div class="card"><h3>' + esc(m.name) + ' <span class="small">' + esc(m.region) + '</span></h3>' +
      '<table>' + rows + '</table></div>';
  }).join('');
}
box.addEventListener('input', show);
"""


def _png(fig: plt.Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _e(text: object) -> str:
    return html.escape(str(text))


def figures_table(table: pd.DataFrame, combos: list[Combination], lang: str, start: int, end: int) -> str:
    """The key figures: a column per combination (mean, and the range of single runs) and,
    beside each but the first, its difference from the first with a 95% interval."""
    head = [f'<th>{_e(label("report.indicator", lang))}</th>']
    for k, c in enumerate(combos):
        head.append(f"<th>{_e(c.label)}</th>")
        if k:
            head.append(f'<th>{_e(label("report.difference", lang))}</th>')
    rows = []
    cells = table.set_index(["combo", "metric"])
    for m in KEY_FIGURES:
        name = label(m, lang).format(start=start, end=end)
        explain = f'<span class="small">{_e(label("explain." + m, lang))}</span>' if has_label("explain." + m) else ""
        row = [f'<th class="row">{_e(name)}{explain}</th>']
        for k, c in enumerate(combos):
            v = cells.loc[(c.key, m)]
            usually = label("report.usually", lang).format(low=fmt(m, v["p10"], lang), high=fmt(m, v["p90"], lang))
            row.append(f'<td><b>{_e(fmt(m, v["mean"], lang))}</b><span class="small">{_e(usually)}</span></td>')
            if k:
                interval = ""
                if v["diff_low"] == v["diff_low"]:
                    low = fmt_difference(m, v["diff_low"], lang)
                    low = low.split(" ")[0] if METRIC_FORMAT.get(m) == "percent" else low  # the unit once
                    interval = f'{percent(0.95, lang)}: {low} … {fmt_difference(m, v["diff_high"], lang)}'
                    if v["diff_low"] <= 0 <= v["diff_high"] and v["diff_low"] != v["diff_high"]:
                        interval += f' ({label("report.not_sure", lang)})'
                row.append(f'<td class="diff">{_e(fmt_difference(m, v["diff"], lang))}'
                           f'<span class="small">{_e(interval)}</span></td>')
        rows.append("<tr>" + "".join(row) + "</tr>")
    return (f'<div class="wide"><table class="figures"><thead><tr>{"".join(head)}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _axis_formatter(metric: str, lang: str) -> matplotlib.ticker.Formatter:
    return matplotlib.ticker.FuncFormatter(lambda x, _: fmt(metric, x, lang) if x == x else "")


def trajectories_figure(yearly: pd.DataFrame, combos: list[Combination], lang: str) -> str:
    """Means over the runs with the band where 8 in 10 single runs lie; whole years."""
    sns.set_theme(style="whitegrid", context="talk")
    scenario = label("scenario", lang)
    names = {c.key: c.label for c in combos}
    data = yearly.assign(**{scenario: combination_keys(yearly, varying(yearly)).map(names)}).dropna(subset=[scenario])
    fig, axes = plt.subplots(2, 2, figsize=(16, 10), sharex=True)
    for ax, metric in zip(axes.flat, TRAJECTORIES):
        sns.lineplot(data=data, x="year", y=metric, hue=scenario, hue_order=[c.label for c in combos],
                     errorbar=("pi", 80), ax=ax, legend=ax is axes.flat[0])
        ax.set_title(label(metric, lang), fontsize=17)
        ax.set_ylabel("")
        ax.set_xlabel(label("year", lang))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{int(round(x))}"))
        ax.yaxis.set_major_formatter(_axis_formatter(metric, lang))
    handles, texts = axes.flat[0].get_legend_handles_labels()
    axes.flat[0].get_legend().remove()
    fig.legend(handles, texts, loc="lower center", ncols=min(2, len(texts)), fontsize=16, frameon=False,
               bbox_to_anchor=(0.5, -0.02 - 0.035 * ((len(texts) + 1) // 2)))
    fig.tight_layout()
    return _png(fig)


def svg_defs() -> str:
    """The municipalities' outlines and the region borders, once per report (maps <use> them)."""
    geo = flanders_geometry()
    paths = "".join(f'<path id="m{nis}" d="{d}"/>' for nis, d in geo.paths.items())
    return (f'<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>{paths}'
            f'<path id="regions" d="{geo.region_borders}" fill="none" stroke="#222" stroke-width="2.2" '
            f'stroke-linejoin="round"/></defs></svg>')


def svg_map(end: pd.DataFrame, colours: dict[str, str], lang: str) -> str:
    """One map: every municipality filled with its IGS's colour, its name and IGS on hover,
    the reference-region borders on top, the centre cities named."""
    geo = flanders_geometry()
    shapes, cities = [], []
    for row in end.itertuples():
        igs = row.igs_name if isinstance(row.igs_name, str) else None
        title = f"{row.name}: {igs or label('none', lang)}"
        fill = colours.get(igs, NONE_COLOUR) if igs else NONE_COLOUR
        shapes.append(f'<use href="#m{int(row.nis)}" fill="{fill}"><title>{_e(title)}</title></use>')
        if row.centrumstad and int(row.nis) in geo.centroids:
            x, y = geo.centroids[int(row.nis)]
            cities.append(f'<text class="city" x="{x:.0f}" y="{y:.0f}" text-anchor="middle">{_e(row.name)}</text>')
    return (f'<svg viewBox="{geo.viewbox}" role="img">{"".join(shapes)}<use href="#regions"/>'
            f'{"".join(cities)}</svg>')


def legend(end: pd.DataFrame, colours: dict[str, str], lang: str) -> str:
    igs = end.dropna(subset=["igs_name"]).groupby("igs_name").size().sort_index()
    items = [f'<li><span class="swatch" style="background:{colours[n]}"></span>{_e(n)} '
             f'<span class="small" style="display:inline">({k})</span></li>' for n, k in igs.items()]
    items.append(f'<li><span class="swatch" style="background:{NONE_COLOUR}"></span>{_e(label("none", lang))}</li>')
    items.append(f'<li><span class="swatch" style="background:none;border:none;border-top:3px solid #222;'
                 f'height:0"></span>{_e(label("report.legend_region", lang))}</li>')
    return f'<ul class="legend">{"".join(items)}</ul>'


def write_report(sweep_dir: str | Path, lang: str = "nl", path: str | Path | None = None,
                 order: list[dict[str, object]] | None = None, labels: list[str] | None = None) -> Path:
    """Build the report from a finished comparison sweep; returns the HTML file's path.

    `order`: the combinations as given on the command line (the first is the baseline);
    `labels`: one label per combination instead of the generated ones."""
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r} is not accepted; accepted: one of {', '.join(LANGS)}")
    sweep_dir = Path(sweep_dir)
    yearly = load(sweep_dir)
    combos = combinations(yearly, lang, order, labels)
    names = varying(yearly)
    start, end_year = int(yearly["year"].min()), int(yearly["year"].max())
    runs = yearly.groupby(combination_keys(yearly, names), observed=True)["seed"].nunique().min()
    table = key_figures(end_values(yearly, combos), combos)

    membership = load(sweep_dir, "membership")
    membership = membership.assign(combo=combination_keys(membership, names))
    events = load(sweep_dir, "events")
    events = events.assign(combo=combination_keys(events, names))
    membership = with_igs_names(membership, by=["combo", "seed"])
    end = membership[membership["year"] == end_year]
    map_seed = int(yearly["seed"].min())
    shown = {c.key: end[(end["combo"] == c.key) & (end["seed"] == map_seed)].sort_values("nis") for c in combos}
    touching = set()
    for frame in shown.values():
        touching |= igs_neighbours(dict(zip(frame["nis"].astype(int), frame["igs_name"])), adjacency_pairs())
    colours = assign_colours({n for f in shown.values() for n in f["igs_name"].dropna()}, touching)
    maps = "".join(f'<div class="map"><h3>{_e(c.label)}</h3>{svg_map(shown[c.key], colours, lang)}'
                   f'{legend(shown[c.key], colours, lang)}</div>' for c in combos)

    cards = {}
    first_year = membership[membership["year"] == start]
    for c in combos:
        view = municipality_view(end[end["combo"] == c.key], events[events["combo"] == c.key], lang, end_year)
        run = membership[(membership["combo"] == c.key) & (membership["seed"] == map_seed)]
        hist = history_lines(events[(events["combo"] == c.key) & (events["seed"] == map_seed)],
                             igs_names(run), first_year[(first_year["combo"] == c.key)
                                                        & (first_year["seed"] == map_seed)], lang)
        for nis, card in view.items():
            cards.setdefault(nis, []).append({**card, "history": hist.get(nis, [])})
    towns = end[end["seed"] == map_seed].drop_duplicates("nis").sort_values("name")
    data = {"combinations": [c.label for c in combos],
            "municipalities": [{"name": str(r.name), "region": str(r.referentieregio), "cards": cards[int(r.nis)]}
                               for r in towns.itertuples()],
            "text": {k: label(f"report.{k}", lang) for k in ("not_found", "partners", "no_history")}
            | {"history": label("report.history", lang).format(run=map_seed + 1)}}
    common = fixed_settings(yearly)
    common_text = "; ".join(field_label(k, v, lang) for k, v in common.items())

    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")

    def p(text: str, cls: str = "") -> str:
        return f'<p class="{cls}">{_e(text)}</p>' if cls else f"<p>{_e(text)}</p>"

    body = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(label("report.title", lang))}</title><style>{STYLE}</style></head><body>
{svg_defs()}
<h1>{_e(label("report.title", lang))}</h1>
{p(label("report.intro", lang).format(runs=runs, n=len(towns), start=start, end=end_year))}
{p(label("report.common", lang).format(settings=common_text)) if common_text else ""}
{p(label("explain.runs", lang), "note")}
<h2>{_e(label("report.lookup", lang))}</h2>
<label for="search">{_e(label("report.search", lang))}: </label>
<input id="search" type="search" list="towns" autocomplete="off" placeholder="{_e(label("report.search_hint", lang))}">
<datalist id="towns">{"".join(f'<option value="{_e(r.name)}">' for r in towns.itertuples())}</datalist>
<div id="lookup" aria-live="polite"></div>
<h2>{_e(label("report.table", lang).format(end=end_year))}</h2>
{p(label("report.reference", lang).format(label=combos[0].label))}
{figures_table(table, combos, lang, start, end_year)}
{p(label("explain.spread", lang), "note")}
<h2>{_e(label("report.trajectories", lang))}</h2>
<img class="figure" alt="{_e(label("report.trajectories", lang))}" src="{trajectories_figure(yearly, combos, lang)}">
{p(label("report.trajectories_note", lang), "note")}
<h2>{_e(label("report.maps", lang).format(end=end_year))}</h2>
{p(label("report.maps_note", lang).format(run=map_seed + 1), "note")}
<div class="maps">{maps}</div>
<hr>{p(label("report.footer", lang).format(version=package_version(), today=date.today(), sweep=sweep_dir), "note")}
<script type="application/json" id="lookup-data">{payload}</script>
<script>{SCRIPT}</script>
</body></html>
"""
    path = Path(path) if path else sweep_dir / f"report_{lang}.html"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
