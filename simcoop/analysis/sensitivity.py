"""Sensitivity analysis and scenario discovery, run through the sweep machinery.

    simcoop sensitivity morris n=10                      # Morris screening, 10 trajectories
    simcoop sensitivity sobol n=64 params=a,b,c          # Sobol indices of chosen parameters
    simcoop sensitivity prim n=500                       # PRIM on a Latin hypercube
    simcoop sensitivity prim n=200 params=key,behaviour.trust_erosion seeds=3 \
        outcome=breakup_rate threshold=q0.9              # categorical levers, 3 seeds a point

Samples come from SALib and are written to the sweep folder first (`sample.parquet`, the
values each run takes; `design.parquet`, SALib's own numbers; `problem.json`); each run of
the sweep reads its row (`sample.file`, `sample.id`), so a killed analysis resumes like any
sweep. `params` are parameters of the ODD table or config groups (`simcoop.sweeps.space`): numeric
ones over +-50% of the default within the ODD range (`ranges=odd`: the whole range),
booleans, text with a fixed set of values and config groups as categories (SALib samples a
category's index; PRIM restricts sets of categories). `seeds=N` runs every point with seeds
0..N-1 and averages the outcomes. `outcome=` takes `simcoop.outcomes` specs (default:
coverage and dominance over the last five years, breakup rate); `threshold=` defines PRIM's
cases: `q0.8` (the default: above the 80% quantile) or a value, `case=low` for below it.
PRIM comes from EMA Workbench's analysis module (`simcoop.sweeps.ema`).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from omegaconf import OmegaConf
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import latin as latin_sample
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from simcoop import outcomes as outcome_specs
from simcoop.analysis.common import LANG, save_figure, theme, write_table
from simcoop.errors import ConfigError
from simcoop.sweeps.experiments import load
from simcoop.labels import count, label, percent
from simcoop.sweeps.space import dimensions, half_range, variable_parameters

OUTPUTS = ("coverage", "dominance", "breakup_rate")
METHODS = {"morris": 10, "sobol": 64, "prim": 500, "calibrate": 200}  # method: default size n
RANGES = ("pm50", "odd")
# the free behavioural parameters calibrated against P1 and P2 (docs/calibration.md)
CALIBRATED = ["behaviour.founding_trust", "behaviour.founding_cost", "behaviour.w_transaction",
              "behaviour.trust_reference", "behaviour.informal_networking", "behaviour.scale_population",
              "behaviour.inertia", "attributes.heritage_share"]
ACCEPT_SHARE = 0.05  # rejection ABC: the closest 5% of the sample form the accepted set
PRIM_QUANTILE = 0.8  # a run is a case of interest when its output is in the top 20% of the sample
MORRIS_TOP = 12  # parameters shown per outcome in the Morris figure (the table keeps all)


def problem(names: list[str] | None = None, ranges: str = "pm50") -> dict:
    """The sampled dimensions: numeric behavioural and policy parameters by default, or the
    parameters and config groups named (refused in one line if they cannot be sampled)."""
    if ranges not in RANGES:
        raise ConfigError("ranges", ranges, "one of " + ", ".join(RANGES) + " (+-50% of the default, or the ODD range)")
    if names and "seed" in names:
        raise ConfigError("params", "seed", "parameters of the ODD table or config groups (seeds=N sets the seeds)")
    dims = dimensions(names or None, variable_parameters())
    if ranges == "pm50":
        dims = [half_range(d) for d in dims]
    bounds = [[0.0, float(len(d.choices))] if d.choices else [d.low, d.high] for d in dims]
    return {"num_vars": len(dims), "names": [d.name for d in dims], "bounds": bounds,
            "kinds": [d.kind for d in dims], "choices": [list(d.choices) for d in dims],
            "integer": [d.kind == "integer" for d in dims]}


def _salib(prob: dict) -> dict:
    return {k: prob[k] for k in ("num_vars", "names", "bounds")}


def sample_values(prob: dict, design: np.ndarray) -> pd.DataFrame:
    """The parameter values of SALib's numbers: integers rounded, a category by its index
    (floor of a number in [0, k))."""
    df = pd.DataFrame(design, columns=prob["names"])
    for name, kind, choices in zip(prob["names"], prob["kinds"], prob["choices"]):
        if choices:
            index = np.minimum(np.floor(df[name]).astype(int), len(choices) - 1)
            df[name] = [choices[i] for i in index]
            if kind == "boolean":
                df[name] = df[name].astype(bool)
        elif kind == "integer":
            df[name] = df[name].round().astype(int)
    return df


def group_fields(prob: dict, overrides: list[str]) -> dict[str, dict[str, dict]]:
    """For each sampled config group, the field values each option sets on top of the
    sweep's own overrides (a run cannot change its Hydra defaults once composed)."""
    from simcoop.run import compose

    def flat(extra: list[str]) -> dict:
        cfg = OmegaConf.to_container(compose([*overrides, *extra]), resolve=True)
        cfg.pop("hydra", None)
        return pd.json_normalize(cfg, sep=".").iloc[0].to_dict()

    groups = [(n, c) for n, k, c in zip(prob["names"], prob["kinds"], prob["choices"]) if k == "categorical"
              and "." not in n]
    if not groups:
        return {}
    base = flat([])
    return {name: {option: {k: v for k, v in flat([f"{name}={option}"]).items() if base.get(k) != v}
                   for option in choices} for name, choices in groups}


def write_sample(sweep_dir: Path, method: str, n: int, names: list[str] | None = None, seed: int = 0,
                 ranges: str = "pm50", overrides: list[str] | None = None) -> int:
    """Draw the sample into the sweep folder (once: an existing sample is kept, so a re-run
    resumes the same sweep)."""
    target = sweep_dir / "sample.parquet"
    if target.exists():
        return len(pd.read_parquet(target))
    prob = {**problem(names or (CALIBRATED if method == "calibrate" else None), ranges), "method": method, "n": n,
            "ranges": ranges}
    if method == "morris":
        x = morris_sample.sample(_salib(prob), n, seed=seed)
    elif method == "sobol":
        x = sobol_sample.sample(_salib(prob), n, calc_second_order=False, seed=seed)
    else:
        x = latin_sample.sample(_salib(prob), n, seed=seed)
    prob["groups"] = group_fields(prob, overrides or [])
    sweep_dir.mkdir(parents=True, exist_ok=True)
    (sweep_dir / "problem.json").write_text(json.dumps(prob, indent=1), encoding="utf-8")
    write_table(pd.DataFrame(x, columns=prob["names"]), sweep_dir / "design.parquet")
    write_table(sample_values(prob, x), target)  # last: its presence means the sample is complete
    return len(x)


def check_analysis(spec: dict[str, str]) -> dict:
    """The analysis options of the command line (outcome, threshold, case), checked."""
    chosen = spec.get("outcome")
    specs = chosen.split(",") if chosen else list(OUTPUTS)
    for s in specs:
        outcome_specs.parse(s)
    threshold = spec.get("threshold", f"q{PRIM_QUANTILE}")
    try:
        number = float(threshold[1:] if threshold.startswith("q") else threshold)
    except ValueError:
        number = math.nan
    if number != number or (threshold.startswith("q") and not 0 < number < 1):
        raise ConfigError("threshold", threshold, "a quantile q0.8 (0 < q < 1) or a value of the outcome, e.g. 0.05")
    case = spec.get("case", "high")
    if case not in ("high", "low"):
        raise ConfigError("case", case, "one of high, low (cases above or below the threshold)")
    return {"outcomes": specs, "threshold": threshold, "case": case}


def write_analysis_options(sweep_dir: Path, options: dict) -> None:
    """Record the analysis options beside the sample (they may change between re-runs)."""
    path = sweep_dir / "problem.json"
    prob = json.loads(path.read_text(encoding="utf-8"))
    prob["analysis"] = options
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(prob, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def run_outputs(yearly: pd.DataFrame, igs: pd.DataFrame, specs: list[str] = OUTPUTS) -> pd.DataFrame:
    """Per sample point (sample.id): the outcomes, averaged over the point's seeds (an
    outcome a run lacks, such as dominance without any IGS, counts as 0)."""
    per_run = outcome_specs.compute(yearly, igs, list(specs), by=["sample.id", "seed"])
    return per_run.fillna(0.0).groupby("sample.id")[list(specs)].mean().sort_index()


def _inputs(sweep_dir: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    prob = json.loads((sweep_dir / "problem.json").read_text(encoding="utf-8"))
    prob.setdefault("analysis", {"outcomes": list(OUTPUTS), "threshold": f"q{PRIM_QUANTILE}", "case": "high"})
    x = pd.read_parquet(sweep_dir / "sample.parquet")
    y = run_outputs(load(sweep_dir), load(sweep_dir, "igs"), prob["analysis"]["outcomes"])
    if len(y) != len(x):
        raise RuntimeError(f"{len(y)} of {len(x)} sample points complete: finish the sweep first (run the same command)")
    return prob, x, y


def design(sweep_dir: Path, x: pd.DataFrame) -> np.ndarray:
    """SALib's numbers of the sample (older sweeps without design.parquet: the values)."""
    path = sweep_dir / "design.parquet"
    return pd.read_parquet(path).to_numpy(float) if path.exists() else x.to_numpy(float)


def analyse(sweep_dir: Path) -> list[Path]:
    """Indices (Morris, Sobol) or boxes (PRIM) as tidy tables and a figure."""
    prob, x, y = _inputs(sweep_dir)
    out = sweep_dir / "analysis"
    out.mkdir(exist_ok=True)
    theme()
    if prob["method"] == "calibrate":
        return _calibrate(prob, x, calibration_distance(load(sweep_dir)), out, base_overrides(sweep_dir))
    return {"morris": _morris, "sobol": _sobol, "prim": _prim}[prob["method"]](prob, x, y, out, design(sweep_dir, x))


def calibration_distance(yearly: pd.DataFrame) -> pd.DataFrame:
    """Distance of each run to patterns P1 and P2 (0 = all targets met):

    - P1: recognised IGS, mean over 2020-2025 (the 19 recognised for 2020-2025), relative
      error to 19; coverage of municipalities in 2020 outside 0.2-0.9 is penalised;
    - P2: share of IGS >= 85,000 inhabitants below 0.75, and share with <= 12 members
      below 0.9, each scaled by its tolerance.
    Squared terms are summed."""
    period = yearly[yearly["year"].between(2020, 2025)].groupby("sample.id")
    y2020 = yearly[yearly["year"] == 2020].set_index("sample.id")
    terms = pd.DataFrame({
        "p1_recognised": (period["n_recognised"].mean() - 19) / 19,
        "p1_coverage": (0.2 - y2020["coverage_municipalities"]).clip(lower=0) / 0.2
        + (y2020["coverage_municipalities"] - 0.9).clip(lower=0) / 0.1,
        "p2_above_norm": (0.75 - y2020["share_igs_above_norm"].fillna(0)).clip(lower=0) / 0.25,
        "p2_at_most_12": (0.9 - y2020["share_igs_at_most_12_members"].fillna(0)).clip(lower=0) / 0.1,
    })
    terms["distance"] = (terms**2).sum(axis=1)
    terms["recognised_2020_2025"] = period["n_recognised"].mean()
    return terms.sort_index()


def base_overrides(sweep_dir: Path) -> list[str]:
    """The command-line overrides every run of the sweep shares (not its sample row)."""
    from simcoop.sweeps.experiments import complete_runs
    from simcoop.sweeps.store import read_marker

    marker = read_marker(complete_runs(sweep_dir)[0])
    return [o for o in marker["overrides"] if not o.startswith(("sample.", "sweep_name="))]


def recheck(overrides: list[str], seeds: range) -> float:
    """Mean distance of one parameter set over fresh seeds (a single run's distance is noisy)."""
    from simcoop.run import simulate

    yearly = pd.concat([simulate(overrides, seed=s).yearly.assign(**{"sample.id": s}) for s in seeds])
    return float(calibration_distance(yearly)["distance"].mean())


def _calibrate(prob: dict, x: pd.DataFrame, dist: pd.DataFrame, out: Path, base: list[str],
               seeds: range = range(1, 6)) -> list[Path]:
    """Rejection ABC on the Latin hypercube, then each accepted set re-run over fresh seeds;
    the fitted values are the accepted set with the smallest mean distance, compared with
    the current defaults over the same seeds."""
    runs = x.assign(**{c: dist[c].to_numpy() for c in dist.columns}).rename_axis("sample.id").reset_index()
    cutoff = float(runs["distance"].quantile(ACCEPT_SHARE))
    runs["accepted"] = runs["distance"] <= cutoff
    checks = [{"candidate": "current defaults", "mean_distance": recheck(base, seeds)}]
    for _, row in runs[runs["accepted"]].iterrows():
        overrides = [*base, *(f"{p}={row[p]}" for p in prob["names"])]
        checks.append({"candidate": f"sample {int(row['sample.id'])}", "sample.id": int(row["sample.id"]),
                       "mean_distance": recheck(overrides, seeds)})
    check = pd.DataFrame(checks).sort_values("mean_distance", kind="stable").reset_index(drop=True)
    best_id = check.dropna(subset=["sample.id"]).iloc[0]["sample.id"]
    best = runs.loc[runs["sample.id"] == best_id].iloc[0]
    fitted = pd.DataFrame({"parameter": prob["names"], "fitted": [best[p] for p in prob["names"]],
                           "accepted_median": [runs.loc[runs["accepted"], p].median() for p in prob["names"]],
                           "accepted_low": [runs.loc[runs["accepted"], p].min() for p in prob["names"]],
                           "accepted_high": [runs.loc[runs["accepted"], p].max() for p in prob["names"]],
                           "sampled_low": [b[0] for b in prob["bounds"]],
                           "sampled_high": [b[1] for b in prob["bounds"]]})
    long = runs.melt(id_vars=["sample.id", "distance", "accepted"], value_vars=prob["names"],
                     var_name="parameter", value_name="value")
    long["parameter"] = long["parameter"].map(lambda p: label(p, LANG))
    long["accepted"] = long["accepted"].map(lambda a: label("yes" if a else "no", LANG))
    grid = sns.relplot(data=long, x="value", y="distance", hue="accepted", col="parameter", col_wrap=4,
                       facet_kws={"sharex": False}, height=2.6, s=18, palette="colorblind")
    grid.set(yscale="symlog")
    grid.set_titles(col_template="{col_name}", size=8)
    grid.set_axis_labels(label("sa.value", LANG), label("sa.distance", LANG))
    grid.legend.set_title(label("sa.accepted", LANG))
    grid.figure.suptitle(label("sa.calibration_title", LANG).format(share=percent(ACCEPT_SHARE, LANG)), y=1.02)
    return [write_table(runs, out / "calibration_runs.parquet"), write_table(fitted, out / "calibration_fitted.parquet"),
            write_table(check, out / "calibration_check.parquet"), save_figure(grid.figure, out / "calibration.png")]


def _outcome_label(spec: str) -> str:
    return outcome_specs.parse(spec).label(LANG)


# the bootstrap of the confidence intervals; not 0: SALib's sobol.analyze ignores a seed of 0
# (`if seed:`) and its intervals then change from one analysis of the same runs to the next
BOOTSTRAP_SEED = 1


def _morris(prob: dict, x: pd.DataFrame, y: pd.DataFrame, out: Path, design_x: np.ndarray) -> list[Path]:
    rows = []
    for name in prob["analysis"]["outcomes"]:
        res = morris_analyze.analyze(_salib(prob), design_x, y[name].to_numpy(float), seed=BOOTSTRAP_SEED)
        rows += [{"output": name, "parameter": p, "mu_star": m, "mu_star_conf": c, "sigma": s}
                 for p, m, c, s in zip(res["names"], res["mu_star"], res["mu_star_conf"], res["sigma"])]
    table = pd.DataFrame(rows).sort_values(["output", "mu_star"], ascending=[True, False])
    top = table.groupby("output").head(MORRIS_TOP)
    shown = top.assign(parameter=top["parameter"].map(lambda p: label(p, LANG)),
                       output=top["output"].map(_outcome_label))
    grid = sns.catplot(data=shown, y="parameter", x="mu_star", col="output", col_wrap=min(3, shown["output"].nunique()),
                       kind="bar", sharey=False, sharex=False, height=4.5, aspect=1.1, color="tab:blue")
    for ax, (_, group) in zip(grid.axes.flat, shown.groupby("output", sort=False)):
        ax.scatter(group["sigma"], range(len(group)), color="black", marker="x", zorder=3)
    grid.set_axis_labels(label("sa.mu_star", LANG), "")
    grid.set_titles(col_template="{col_name}")
    grid.figure.suptitle(label("sa.morris_title", LANG).format(n=count(MORRIS_TOP, LANG)), y=1.03)
    return [write_table(table, out / "morris.parquet"), save_figure(grid.figure, out / "morris.png")]


def _sobol(prob: dict, x: pd.DataFrame, y: pd.DataFrame, out: Path, design_x: np.ndarray) -> list[Path]:
    rows = []
    for name in prob["analysis"]["outcomes"]:
        res = sobol_analyze.analyze(_salib(prob), y[name].to_numpy(float), calc_second_order=False,
                                    seed=BOOTSTRAP_SEED)
        for k, p in enumerate(prob["names"]):
            rows += [{"output": name, "parameter": p, "index": "first order", "value": res["S1"][k],
                      "conf": res["S1_conf"][k]},
                     {"output": name, "parameter": p, "index": "total", "value": res["ST"][k],
                      "conf": res["ST_conf"][k]}]
    table = pd.DataFrame(rows)
    shown = table.assign(parameter=table["parameter"].map(lambda p: label(p, LANG)),
                         output=table["output"].map(_outcome_label),
                         index=table["index"].map(lambda i: label(f"sa.{i}", LANG)))
    grid = sns.catplot(data=shown, y="parameter", x="value", hue="index", col="output",
                       col_wrap=min(3, shown["output"].nunique()), kind="bar", height=4, aspect=1.1, errorbar=None,
                       palette="colorblind")
    order = [label(p, LANG) for p in prob["names"]]
    for ax, (_, group) in zip(grid.axes.flat, shown.groupby("output", sort=False)):
        for offset, (_, g) in zip((-0.2, 0.2), group.groupby("index", sort=False)):
            ax.errorbar(g["value"], [order.index(p) + offset for p in g["parameter"]], xerr=g["conf"],
                        fmt="none", color="black", capsize=2)
    grid.set_axis_labels(label("sa.sobol", LANG), "")
    grid.set_titles(col_template="{col_name}")
    grid.legend.set_title(label("sa.index", LANG))
    grid.figure.suptitle(label("sa.sobol_title", LANG), y=1.03)
    return [write_table(table, out / "sobol.parquet"), save_figure(grid.figure, out / "sobol.png")]


def cases(values: pd.Series, analysis: dict) -> tuple[np.ndarray, str]:
    """The runs of interest for PRIM, and their description."""
    threshold = analysis["threshold"]
    if threshold.startswith("q"):
        q = float(threshold[1:])
        level = float(values.quantile(q if analysis["case"] == "high" else 1 - q))
        share = f" ({'top' if analysis['case'] == 'high' else 'bottom'} {1 - q:.0%})"
    else:
        level, share = float(threshold), ""
    above = analysis["case"] == "high"
    chosen = (values > level) if above else (values < level)
    return chosen.to_numpy(), f"{values.name} {'>' if above else '<'} {level:.3g}{share}"


def prim_inputs(prob: dict, x: pd.DataFrame) -> pd.DataFrame:
    """The sample as PRIM wants it: numbers as floats, categories (and booleans) as categoricals."""
    out = pd.DataFrame(index=x.index)
    for name, choices in zip(prob["names"], prob.get("choices", [[]] * len(prob["names"]))):
        out[name] = pd.Categorical(x[name], categories=choices) if choices else x[name].astype(float)
    return out


BOX_COLUMNS = ["output", "case", "box", "parameter", "low", "high", "values", "sampled_low", "sampled_high",
               "coverage", "density"]


def _prim(prob: dict, x: pd.DataFrame, y: pd.DataFrame, out: Path, design_x: np.ndarray) -> list[Path]:
    from simcoop.sweeps.ema import prim

    inputs = prim_inputs(prob, x)
    boxes, trajectories = [], []
    for name in prob["analysis"]["outcomes"]:
        chosen_cases, case = cases(y[name], prob["analysis"])
        if not chosen_cases.any():
            raise ConfigError("threshold", prob["analysis"]["threshold"], f"a threshold some runs pass ({case}: none)")
        finder = prim.Prim(inputs, chosen_cases, threshold=0.5, peel_alpha=0.1)
        box = finder.find_box()
        traj = box.peeling_trajectory.assign(output=name)
        trajectories.append(traj)
        # the classic trade-off: the densest box that still covers at least half the cases
        eligible = traj[traj["coverage"] >= 0.5]
        chosen = int(eligible["density"].idxmax()) if len(eligible) else int(traj.index[0])
        lims, initial = box.box_lims[chosen], box.box_lims[0]
        for p in inputs.columns:
            if (lims[p] != initial[p]).any():
                categorical = isinstance(inputs[p].dtype, pd.CategoricalDtype)
                boxes.append({"output": name, "case": case, "box": chosen, "parameter": p,
                              "low": np.nan if categorical else float(lims[p].iloc[0]),
                              "high": np.nan if categorical else float(lims[p].iloc[1]),
                              "values": ", ".join(sorted(map(str, lims[p].iloc[0]))) if categorical else "",
                              "sampled_low": np.nan if categorical else float(initial[p].iloc[0]),
                              "sampled_high": np.nan if categorical else float(initial[p].iloc[1]),
                              "coverage": float(traj.loc[chosen, "coverage"]),
                              "density": float(traj.loc[chosen, "density"])})
    # no output may have a box that restricts anything (its densest box is the whole space):
    # the table keeps its columns then
    box_table = pd.DataFrame(boxes, columns=BOX_COLUMNS)
    traj_table = pd.concat(trajectories, ignore_index=True)
    panels = traj_table["output"].nunique()
    fig, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 4.2), squeeze=False)
    for ax, (name, traj) in zip(axes[0], traj_table.groupby("output", sort=False)):
        points = ax.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis")
        ax.set_xlabel(label("sa.coverage", LANG))
        ax.set_ylabel(label("sa.density", LANG))
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_title(label("sa.prim_title", LANG).format(outcome=_outcome_label(name)), fontsize=9)
        fig.colorbar(points, ax=ax, label=label("sa.res_dim", LANG))
    fig.tight_layout()
    return [write_table(box_table, out / "prim_boxes.parquet"),
            write_table(traj_table.drop(columns=[c for c in ("id",) if c in traj_table]), out / "prim_trajectory.parquet"),
            save_figure(fig, out / "prim_trajectory.png")]


def check_size(method: str, value: str) -> int:
    if method not in METHODS:
        raise ConfigError("method", method, "one of " + ", ".join(METHODS))
    low = 2 if method == "morris" else 4
    if not value.isdigit() or not low <= int(value) <= 100000:
        raise ConfigError("n", value, f"a whole number, {low} to 100000 ({method}: "
                                      f"{'trajectories' if method == 'morris' else 'base sample size'})")
    return int(value)


def _box_text(r) -> str:
    return getattr(r, "values", "") or f"{r.low:.3g} - {r.high:.3g}"


def _sampled_text(r) -> str:
    return "all values" if getattr(r, "values", "") else f"{r.sampled_low:.3g} - {r.sampled_high:.3g}"


DOC_START, DOC_END = "<!-- sensitivity:start -->", "<!-- sensitivity:end -->"


def markdown(sweep_dir: Path) -> str:
    """The analysis of a finished sensitivity sweep as Markdown tables (for the docs)."""
    method = json.loads((sweep_dir / "problem.json").read_text(encoding="utf-8"))["method"]
    out = sweep_dir / "analysis"
    lines = [f"### {method.capitalize()} (`{sweep_dir.name}`, {len(pd.read_parquet(sweep_dir / 'sample.parquet'))} sample points)",
             ""]
    if method == "morris":
        t = pd.read_parquet(out / "morris.parquet")
        for name, g in t.groupby("output", sort=False):
            lines += [f"**{name}**: the ten largest mu* (with 95% CI) and sigma", "",
                      "| parameter | mu* | sigma |", "|---|---|---|"]
            lines += [f"| `{r.parameter}` | {r.mu_star:.3g} +- {r.mu_star_conf:.2g} | {r.sigma:.3g} |"
                      for r in g.head(10).itertuples()]
            lines.append("")
    elif method == "sobol":
        t = pd.read_parquet(out / "sobol.parquet")
        wide = t.pivot_table(index=["output", "parameter"], columns="index", values=["value", "conf"])
        lines += ["| output | parameter | first order | total |", "|---|---|---|---|"]
        for (o, p), r in wide.sort_values(("value", "total"), ascending=False).sort_index(level=0,
                                                                                        sort_remaining=False).iterrows():
            lines.append(f"| {o} | `{p}` | {r[('value', 'first order')]:.3f} +- {r[('conf', 'first order')]:.3f} | "
                         f"{r[('value', 'total')]:.3f} +- {r[('conf', 'total')]:.3f} |")
        lines.append("")
    elif method == "prim":
        t = pd.read_parquet(out / "prim_boxes.parquet")
        for (o, case), g in t.groupby(["output", "case"], sort=False):
            first = g.iloc[0]
            lines += [f"**{case}**: box {int(first['box'])}, coverage {first['coverage']:.2f}, density "
                      f"{first['density']:.2f}", "", "| parameter | box | sampled |", "|---|---|---|"]
            lines += [f"| `{r.parameter}` | {_box_text(r)} | {_sampled_text(r)} |" for r in g.itertuples()]
            lines.append("")
    return "\n".join(lines)


def write_docs(doc: Path, sweep_dirs: list[Path]) -> None:
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(DOC_START, 1)
    tail = rest.split(DOC_END, 1)[1]
    body = "\n".join(markdown(d) for d in sweep_dirs)
    doc.write_text(f"{head}{DOC_START}\n{body}\n{DOC_END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    import sys

    if len(sys.argv) >= 4 and sys.argv[1] == "--write":
        write_docs(Path(sys.argv[2]), [Path(a) for a in sys.argv[3:]])
    else:
        print("usage: python -m simcoop.analysis.sensitivity --write docs/validation.md SWEEP_DIR [SWEEP_DIR ...]",
              file=sys.stderr)
        sys.exit(2)
