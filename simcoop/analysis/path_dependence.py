"""Path dependence: same policy, different histories (digest Mechanism 9, P4, P7).

Divergence between two runs is the share of municipality pairs whose co-membership
(in the same IGS or not) differs in the end year. Hysteresis compares runs in which the
region rule was switched on and off again with runs in which it never was, seed by seed.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from simcoop.analysis.common import save_figure, theme, write_table
from simcoop.experiments import complete_runs, load, parameters, summarise
from simcoop.store import read_marker


def co_membership(igs_ids: np.ndarray) -> np.ndarray:
    """Upper-triangle vector: 1 where municipalities i < j are in the same IGS."""
    ids = np.where(pd.isna(igs_ids), -1, igs_ids).astype(int)
    same = (ids[:, None] == ids[None, :]) & (ids[:, None] >= 0)
    return same[np.triu_indices(len(ids), k=1)]


def divergence(a: np.ndarray, b: np.ndarray) -> float:
    """Share of municipality pairs whose co-membership differs between two runs."""
    return float(np.mean(a != b))


def jaccard_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Among pairs that cooperate in either run, the share that cooperate in only one:
    0 = the same partnerships, 1 = none in common (most pairs never cooperate, which makes
    `divergence` small; this measure ignores them)."""
    either = a | b
    return float((a != b).sum() / either.sum()) if either.any() else 0.0


def analyse(sweep_dir: Path, out: Path) -> list[Path]:
    membership = load(sweep_dir, "membership")
    params = parameters(membership)
    end = membership[membership["year"] == membership.groupby([*params, "seed"], observed=True)["year"].transform("max")]
    vectors = {key: co_membership(g.sort_values("nis")["igs_id"].to_numpy())
               for key, g in end.groupby([*params, "seed"], observed=True)}

    by_combo: dict[tuple, list[tuple]] = {}
    for key in vectors:
        by_combo.setdefault(key[: len(params)], []).append(key)
    rows = [{**dict(zip(params, combo)), "seed_a": ka[-1], "seed_b": kb[-1],
             "divergence": divergence(vectors[ka], vectors[kb]),
             "jaccard_distance": jaccard_distance(vectors[ka], vectors[kb])}
            for combo, keys in by_combo.items() for ka, kb in combinations(keys, 2)]
    pairs = pd.DataFrame(rows)
    written = [write_table(pairs, out / "path_dependence_divergence.parquet")]

    yearly = load(sweep_dir)
    written.append(write_table(summarise(yearly, ["coverage_municipalities", "n_igs", "cross_region_igs"]),
                               out / "path_dependence_trajectories.parquet"))
    theme()
    if not pairs.empty:
        hue = "region_rule" if "region_rule" in params else None
        x = "attributes.heritage_share" if "attributes.heritage_share" in params else params[0]
        grid = sns.catplot(data=pairs, x=x, y="jaccard_distance", hue=hue, kind="bar", errorbar=("ci", 95),
                           height=3.5, aspect=1.3)
        grid.set_axis_labels("prior heritage-cell share", "partnerships not shared\n(Jaccard distance)")
        grid.figure.suptitle("Same policy, different histories: divergence between runs", y=1.03)
        written.append(save_figure(grid.figure, out / "path_dependence_divergence.png"))

    if "region_rule" in params:
        written += _hysteresis(sweep_dir, yearly, vectors, params, out)
    return written


def _hysteresis(sweep_dir: Path, yearly: pd.DataFrame, vectors: dict, params: list[str], out: Path) -> list[Path]:
    rule = read_marker(complete_runs(sweep_dir)[0])["config"]["region_rule"]
    others = [p for p in params if p != "region_rule"]
    rows = []
    for key, vec in vectors.items():
        combo = dict(zip([*params, "seed"], key))
        if combo["region_rule"] == "free":
            continue
        twin = tuple(("free" if p == "region_rule" else combo[p]) for p in [*params, "seed"])
        if twin in vectors:
            rows.append({**{p: combo[p] for p in others}, "seed": combo["seed"],
                         "divergence_from_never_forced": divergence(vec, vectors[twin]),
                         "jaccard_from_never_forced": jaccard_distance(vec, vectors[twin])})
    gap = pd.DataFrame(rows)
    written = [write_table(gap, out / "path_dependence_hysteresis.parquet")]

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, metric, label in zip(axes, ["coverage_municipalities", "cross_region_igs"],
                                 ["share of municipalities in an IGS", "IGS spanning two regions"]):
        sns.lineplot(data=yearly, x="year", y=metric, hue="region_rule", style=others[0] if others else None,
                     errorbar=("ci", 95), ax=ax)
        for year, text in ((rule["deadline"], "deadline"), (rule["repeal_year"], "repeal")):
            if year:
                ax.axvline(year, color="grey", linestyle=":")
                ax.text(year, ax.get_ylim()[1], f" {text}", va="top", fontsize=8, color="grey")
        ax.set_ylabel(label)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.legend(fontsize=7)
    fig.suptitle("Region rule switched on and off again, against never switched on (mean, 95% CI)")
    fig.tight_layout()
    written.append(save_figure(fig, out / "path_dependence_hysteresis.png"))
    return written
