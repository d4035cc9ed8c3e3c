"""What people see of the who-with-whom comparison: its section of docs/validation.md and
the map of real against simulated membership. Texts come from simcoop/labels.py."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from collections import Counter

from matplotlib.collections import LineCollection, PolyCollection

from simcoop.analysis.common import save_figure
from simcoop.labels import count, has_label, label, number
from simcoop.data.landscape import Landscape
from simcoop.analysis.plotting import flanders_outlines

START, END = "<!-- who-with-whom:start -->", "<!-- who-with-whom:end -->"
DECIMALS = {"adjusted_rand": 3, "pair_precision": 2, "pair_recall": 2, "membership_auc": 2,
            "region_coverage_spearman": 2, "centre_shadow": 2, "size_bias": 2, "coverage_municipalities": 2,
            "coverage_population": 2}
TARGET_DECIMALS = {"ari_above_null": 3, "region_spearman": 2, "centres": 1}
WHOLE = ("centres_in_igs", "igs_below_norm", "igs_across_regions", "igs_not_contiguous", "n_igs", "max_members")
GREY = (0.85, 0.85, 0.85)


@dataclass(frozen=True)
class Result:
    """One comparison as reported: where it came from and its tables."""
    sweep: str
    year: int
    table: pd.DataFrame          # partition_stats.compare
    targets: pd.DataFrame        # who_with_whom.targets
    scores: pd.DataFrame | None  # who_with_whom.calibrate's scores, None without calibration
    inside: tuple[str, ...]
    outside: tuple[str, ...]


def statistic_label(stat: str, lang: str) -> str:
    return label(f"ww.{stat}", lang) if has_label(f"ww.{stat}") else label(stat, lang)


def _value(stat: str, mean: float, low: float, high: float, n: float, lang: str) -> str:
    """mean [low, high]; only the value when there is no interval (fewer than 2 runs)."""
    if mean != mean:
        return "-"
    d = DECIMALS.get(stat, 1)
    text = number(mean, lang, d)
    return text if low != low or n < 2 else f"{text} [{number(low, lang, d)}, {number(high, lang, d)}]"


def _real(stat: str, value: float, lang: str) -> str:
    if value != value:
        return "-"
    return count(value, lang) if stat in WHOLE else number(value, lang, DECIMALS.get(stat, 1))


def markdown_table(table: pd.DataFrame, lang: str = "en") -> str:
    heads = [label(k, lang) for k in ("ww.statistic", "ww.sample", "ww.real", "ww.model", "ww.null", "ww.self")]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for r in table.itertuples():
        cells = [statistic_label(r.statistic, lang), label(f"ww.sample.{r.sample}", lang),
                 _real(r.statistic, r.real, lang)]
        cells += [_value(r.statistic, *(getattr(r, f"{s}_{c}") for c in ("mean", "low", "high", "n")), lang)
                  for s in ("model", "null", "self")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_targets(targets: pd.DataFrame, lang: str = "en") -> str:
    lines = [f"| {label('ww.target', lang)} | {label('ww.value', lang)} | {label('ww.met', lang)} |", "|---|---|---|"]
    for r in targets.itertuples():
        d = TARGET_DECIMALS[r.target]
        value = number(r.value, lang, d)
        if r.bound == r.bound:
            value += f" ({'>' if r.value > r.bound else '<='} {number(r.bound, lang, d)})"
        lines.append(f"| {label(f'ww.target.{r.target}', lang)} | {value} | {label('yes' if r.met else 'no', lang)} |")
    return "\n".join(lines)


def markdown_scores(scores: pd.DataFrame, lang: str = "en", top: int = 5) -> str:
    params = [c for c in scores.columns if c not in ("seeds", "loss") and not c.startswith("in_")]
    heads = [f"`{p}`" for p in params] + [label("ww.seeds", lang), label("ww.loss", lang)]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    whole = {p for p in params if scores[p].dtype.kind in "iu"}   # a row of mixed types comes as floats
    for _, r in scores.head(top).iterrows():
        lines.append("| " + " | ".join([str(int(r[p])) if p in whole else str(r[p]) for p in params]
                                       + [count(r["seeds"], lang),
                                                                       number(r["loss"], lang, 3)]) + " |")
    return "\n".join(lines)


def section(result: Result, figure: str | None, lang: str = "en") -> str:
    """The generated block (between the markers) for the documentation."""
    seeds = int(result.table["model_n"].max())
    split = split_text(result.inside, result.outside, lang)
    parts = [f"_From `{result.sweep}`: {seeds} runs, IGS membership in {result.year}, against the 19 real IGS "
             f"cultuur of 2020-25. {split}. Mean [95% interval]: Student-t interval of the mean over runs; for "
             "the AUC, the AUC of the membership frequency over all runs with a percentile bootstrap interval "
             "(1,000 resamples of the runs). Model against itself: disjoint pairs of runs (the AUC: each run "
             "against the frequency over the others)._", "",
             markdown_table(result.table, lang), "", markdown_targets(result.targets, lang)]
    if result.scores is not None:
        parts += ["", f"Calibration on the in-sample provinces ({len(result.scores)} parameter points, best first; "
                      "the table above is the best point's):", "", markdown_scores(result.scores, lang)]
    if figure:
        parts += ["", f"![{label('ww.map_real', lang)} / {label('ww.map_frequency', lang)}]({figure})"]
    return "\n".join(parts)


def split_text(inside: tuple[str, ...], outside: tuple[str, ...], lang: str) -> str:
    text = label("ww.map_split", lang).format(inside=", ".join(inside), outside=", ".join(outside))
    return text[0].upper() + text[1:]


def write_section(doc: Path, result: Result, figure: Path) -> None:
    """Replace the block between the markers in doc (or append it), all or nothing."""
    text = doc.read_text(encoding="utf-8") if doc.is_file() else ""
    block = f"{START}\n{section(result, os.path.relpath(figure, doc.parent))}\n{END}"
    if START in text and END in text.split(START, 1)[1]:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    tmp = doc.with_name(f".{doc.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, doc)


def _segments(rings: list) -> Counter:
    return Counter(tuple(sorted((tuple(a), tuple(b)))) for ring in rings for a, b in zip(ring[:-1], ring[1:]))


def outer_borders(rings: list) -> list:
    """The segments of a group of polygons that border no other polygon of the group (the
    embedded boundaries share their vertices, so an inner border appears twice)."""
    return [list(seg) for seg, k in _segments(rings).items() if k == 1]


def shared_border(rings_a: list, rings_b: list) -> list:
    """The segments where two groups of polygons meet (the line between the halves of a split)."""
    return [list(seg) for seg in set(_segments(rings_a)) & set(_segments(rings_b))]


def map_figure(path: Path, land: Landscape, real: np.ndarray, frequency: np.ndarray, year: int,
               inside: tuple[str, ...], outside: tuple[str, ...], in_sample: np.ndarray, lang: str = "en") -> Path:
    """Left: the real IGS, one colour each (grey: none). Right: the share of runs in which
    each municipality is in an IGS in `year`, with the real IGS' borders. Centre cities
    starred; a dashed line between the in-sample and out-of-sample provinces."""
    codes, rings = flanders_outlines()
    index = {int(c): i for i, c in enumerate(land.nis)}
    at = [index[c] for c in codes]
    groups = np.unique(real[real >= 0])
    hues = sns.color_palette("husl", max(1, len(groups)))
    step = 7 if len(hues) % 7 else 5  # neighbours in the list (often neighbours on the map) far apart in hue
    palette = {g: hues[(k * step) % len(hues)] for k, g in enumerate(groups)}
    sns.set_theme(style="white", context="paper")
    fig, (ax_real, ax_sim) = plt.subplots(1, 2, figsize=(13, 3.8), layout="constrained")
    ax_real.add_collection(PolyCollection(rings, facecolors=[palette.get(real[i], GREY) for i in at],
                                          edgecolors="white", linewidths=0.3))
    sim = ax_sim.add_collection(PolyCollection(rings, array=frequency[at], cmap="Blues", clim=(0, 1),
                                               edgecolors="white", linewidths=0.2))
    borders = [seg for g in groups for seg in outer_borders([rings[k] for k, i in enumerate(at) if real[i] == g])]
    ax_sim.add_collection(LineCollection(borders, colors="#d62728", linewidths=1.0))
    ax_real.add_collection(LineCollection(borders, colors="0.25", linewidths=0.6))
    fig.colorbar(sim, ax=ax_sim, shrink=0.8, label=label("ww.map_frequency", lang))
    split = shared_border([r for r, i in zip(rings, at) if in_sample[i]], [r for r, i in zip(rings, at) if not in_sample[i]])
    for ax in (ax_real, ax_sim):
        ax.add_collection(LineCollection(split, colors="black", linewidths=1.2, linestyles="--"))
    for ax, title in ((ax_real, label("ww.map_real", lang)),
                      (ax_sim, f"{label('ww.model', lang)} {year} ({label('ww.map_outline', lang)})")):
        ax.scatter(land.lon[land.centre], land.lat[land.centre], marker="*", s=90, facecolor="none",
                   edgecolor="black", linewidth=0.9)
        ax.autoscale_view()
        ax.set_aspect(1 / 0.63)  # roughly equal distances at 51 degrees north
        ax.set_axis_off()
        ax.set_title(title)
    fig.suptitle(f"{split_text(inside, outside, lang)} ({label('ww.map_split_line', lang)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(fig, path, dpi=300)
