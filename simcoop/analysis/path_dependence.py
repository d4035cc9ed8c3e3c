"""Path dependence: same policy, different histories (digest Mechanism 9, P4, P7).

Divergence between two runs is the share of municipality pairs whose co-membership
(in the same IGS or not) differs in the end year. Hysteresis compares runs in which the
region rule was switched on and off again with runs in which it never was, seed by seed.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from simcoop.analysis.common import LANG, legend_outside, palette, readable, save_figure, theme, trajectories, \
    write_table
from simcoop.sweeps.experiments import complete_runs, load, parameters, summarise
from simcoop.labels import label
from simcoop.sweeps.store import read_marker


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
    written.append(write_table(summarise(yearly, TRAJECTORY_METRICS), out / "path_dependence_trajectories.parquet"))
    theme()
    known = {"region_rule": region_rule_labels(sweep_dir)} if "region_rule" in params else {}
    hue = "region_rule" if "region_rule" in params else None
    if not pairs.empty:
        figure = divergence_figure(readable(pairs, params, known=known), params, hue)
        written.append(save_figure(figure, out / "path_dependence_divergence.png"))
    written.append(save_figure(trajectories_figure(yearly, params, known), out / "path_dependence_trajectories.png"))
    if "region_rule" in params:
        written += _hysteresis(yearly, vectors, params, out, known, forced_rule(sweep_dir))
    return written


TRAJECTORY_METRICS = ["coverage_municipalities", "n_igs", "cross_region_igs"]
HYSTERESIS_METRICS = ["coverage_municipalities", "cross_region_igs"]


def region_rule_labels(sweep_dir: Path) -> dict[str, str]:
    """The label of each region-rule option as the runs applied it (an experiment may move
    the deadline: the small variant's `forced_2028` has its deadline in 2020)."""
    found: dict[str, str] = {}
    for run in complete_runs(sweep_dir):
        marker = read_marker(run)
        option = next((o.partition("=")[2] for o in marker.get("overrides", []) if o.startswith("region_rule=")), None)
        if option is None or option in found:
            continue
        rule = marker["config"]["region_rule"]
        if rule["mode"] == "free":
            found[option] = label("region_rule.free", LANG)
        elif rule.get("repeal_year"):
            found[option] = label("region_rule.forced_repealed", LANG).format(deadline=rule["deadline"],
                                                                              repeal=rule["repeal_year"])
        else:
            found[option] = label("region_rule.forced_by", LANG).format(deadline=rule["deadline"])
    return found


def rule_marks(rule: dict) -> list[tuple[int, str]]:
    """The deadline and the repeal of the region rule, as labelled years for `trajectories`."""
    return [(year, label(key, LANG)) for year, key in ((rule["deadline"], "deadline"), (rule["repeal_year"], "repeal"))
            if year]


def divergence_figure(shown: pd.DataFrame, params: list[str], hue: str | None) -> plt.Figure:
    """Jaccard distance between the runs of each combination (mean, 95% CI), bars on 0-1."""
    x = "attributes.heritage_share" if "attributes.heritage_share" in params else params[0]
    grid = sns.catplot(data=shown, x=x, y="jaccard_distance", hue=hue, kind="bar", errorbar=("ci", 95),
                       palette=palette(shown[hue].nunique()) if hue else None, height=3.5, aspect=1.3)
    grid.set_axis_labels(label(x, LANG), label("jaccard_distance", LANG))
    grid.set(ylim=(0, 1))
    if hue:
        grid.legend.set_title(label(hue, LANG))
        legend_outside(grid)
    grid.figure.suptitle(label("fig.divergence", LANG), y=1.03)
    return grid.figure


def forced_rule(sweep_dir: Path) -> dict:
    """The region rule (deadline, repeal_year, ...) of the sweep's forced runs."""
    forced = [r for r in complete_runs(sweep_dir) if read_marker(r)["config"]["region_rule"]["mode"] == "forced"]
    return read_marker((forced or complete_runs(sweep_dir))[0])["config"]["region_rule"]


def _hysteresis(yearly: pd.DataFrame, vectors: dict, params: list[str], out: Path,
                known: dict, rule: dict) -> list[Path]:
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
    return [write_table(gap, out / "path_dependence_hysteresis.parquet"),
            save_figure(hysteresis_figure(yearly, params, known, rule), out / "path_dependence_hysteresis.png")]


def trajectories_figure(yearly: pd.DataFrame, params: list[str], known: dict) -> plt.Figure:
    """Coverage, number of IGS and cross-region IGS over the years, per combination."""
    others = [p for p in params if p != "region_rule"]
    return trajectories(readable(yearly, params, known=known), TRAJECTORY_METRICS,
                        "region_rule" if "region_rule" in params else None, others[0] if others else None,
                        "Trajectories (mean over seeds, 95% CI)")


def hysteresis_figure(yearly: pd.DataFrame, params: list[str], known: dict, rule: dict) -> plt.Figure:
    """Coverage and cross-region IGS with the rule switched on and off again, against never."""
    others = [p for p in params if p != "region_rule"]
    return trajectories(readable(yearly, params, known=known), HYSTERESIS_METRICS, "region_rule",
                        others[0] if others else None,
                        "Region rule switched on and off again, against never switched on (mean, 95% CI)",
                        rule_marks(rule))
