"""Sensitivity analysis and scenario discovery, run through the sweep machinery.

    simcoop sensitivity morris n=10                      # Morris screening, 10 trajectories
    simcoop sensitivity sobol n=64 params=a,b,c          # Sobol indices of chosen parameters
    simcoop sensitivity prim n=500                       # PRIM on a Latin hypercube

Samples come from SALib and are written to the sweep folder first (`sample.parquet`,
`problem.json`); each run of the sweep reads its row (`sample.file`, `sample.id`), so a
killed analysis resumes like any sweep. Outputs per run: coverage of municipalities and
dominance index averaged over the last five years, and the breakup rate (dissolutions per
IGS-year). PRIM comes from the EMA Workbench's analysis module.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from omegaconf import DictConfig, OmegaConf
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import latin as latin_sample
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from simcoop.analysis.common import save_figure, theme, write_table
from simcoop.config import iter_params, validate
from simcoop.errors import ConfigError
from simcoop.experiments import load

GROUPS = ("attributes.", "key.", "incentive.", "igs.", "behaviour.")
EXCLUDED = {"attributes.seed", "incentive.network_start_year", "behaviour.election_first_year",
            "behaviour.election_interval"}  # labels and calendar, not behaviour or policy levels
OUTPUTS = ("coverage", "dominance", "breakup_rate")
METHODS = {"morris": 10, "sobol": 64, "prim": 500, "calibrate": 200}  # method: default size n
# the free behavioural parameters calibrated against P1 and P2 (docs/calibration.md)
CALIBRATED = ["behaviour.founding_trust", "behaviour.founding_cost", "behaviour.w_transaction",
              "behaviour.trust_reference", "behaviour.informal_networking", "behaviour.scale_population",
              "behaviour.inertia", "attributes.heritage_share"]
ACCEPT_SHARE = 0.05  # rejection ABC: the closest 5% of the sample form the accepted set
PRIM_QUANTILE = 0.8  # a run is a case of interest when its output is in the top 20% of the sample


def problem(names: list[str] | None = None) -> dict:
    """Numeric behavioural and policy parameters (all, or `names`), over +-50% of the
    default within the accepted range of the ODD table (the full accepted ranges include
    regimes, such as a logit temperature of 10, that are not plausible)."""
    params = dict(iter_params())
    if names:
        unknown = [n for n in names if n not in params]
        if unknown:
            raise ConfigError("params", unknown[0], "parameter names of the ODD table, e.g. behaviour.trust_gain")
    chosen, bounds, integer = [], [], []
    for name, f in params.items():
        if names and name not in names:
            continue
        if not name.startswith(GROUPS) or name in EXCLUDED or isinstance(f.default, (bool, str)):
            continue
        low, high = f.metadata["low"], f.metadata["high"]
        lo, hi = (max(low, 0.5 * f.default), min(high, 1.5 * f.default)) if f.default else (low, high)
        if hi <= lo:
            continue
        chosen.append(name)
        bounds.append([float(lo), float(hi)])
        integer.append(isinstance(f.default, int))
    return {"num_vars": len(chosen), "names": chosen, "bounds": bounds, "integer": integer}


def _salib(prob: dict) -> dict:
    return {k: prob[k] for k in ("num_vars", "names", "bounds")}


def write_sample(sweep_dir: Path, method: str, n: int, names: list[str] | None = None, seed: int = 0) -> int:
    """Draw the sample into the sweep folder (once: an existing sample is kept, so a re-run
    resumes the same sweep)."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    target = sweep_dir / "sample.parquet"
    if target.exists():
        return len(pd.read_parquet(target))
    prob = {**problem(names), "method": method, "n": n}
    if method == "calibrate" and not names:
        prob = {**problem(CALIBRATED), "method": method, "n": n}
    if method == "morris":
        x = morris_sample.sample(_salib(prob), n, seed=seed)
    elif method == "sobol":
        x = sobol_sample.sample(_salib(prob), n, calc_second_order=False, seed=seed)
    else:
        x = latin_sample.sample(_salib(prob), n, seed=seed)
    df = pd.DataFrame(x, columns=prob["names"])
    for name, is_int in zip(prob["names"], prob["integer"]):
        if is_int:
            df[name] = df[name].round().astype(int)
    (sweep_dir / "problem.json").write_text(json.dumps(prob, indent=1), encoding="utf-8")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, target)
    return len(df)


def run_outputs(yearly: pd.DataFrame, igs: pd.DataFrame) -> pd.DataFrame:
    """Per run (sample.id): the three outputs."""
    last = yearly[yearly["year"] > yearly["year"].max() - 5]
    out = last.groupby("sample.id")[["coverage_municipalities", "dominance_mean"]].mean()
    out.columns = ["coverage", "dominance"]
    igs_years = igs.groupby("sample.id").size()
    dissolutions = yearly.groupby("sample.id")["dissolutions"].sum()
    out["breakup_rate"] = (dissolutions / igs_years.reindex(dissolutions.index)).fillna(0.0)
    return out.fillna(0.0).sort_index()


def _inputs(sweep_dir: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    prob = json.loads((sweep_dir / "problem.json").read_text(encoding="utf-8"))
    x = pd.read_parquet(sweep_dir / "sample.parquet")
    y = run_outputs(load(sweep_dir), load(sweep_dir, "igs"))
    if len(y) != len(x):
        raise RuntimeError(f"{len(y)} of {len(x)} runs complete: finish the sweep first (run the same command)")
    return prob, x, y


def analyse(sweep_dir: Path) -> list[Path]:
    """Indices (Morris, Sobol) or boxes (PRIM) as tidy tables and a figure."""
    prob, x, y = _inputs(sweep_dir)
    out = sweep_dir / "analysis"
    out.mkdir(exist_ok=True)
    theme()
    if prob["method"] == "calibrate":
        return _calibrate(prob, x, calibration_distance(load(sweep_dir)), out, base_overrides(sweep_dir))
    return {"morris": _morris, "sobol": _sobol, "prim": _prim}[prob["method"]](prob, x, y, out)


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
    from simcoop.experiments import complete_runs
    from simcoop.store import read_marker

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
    grid = sns.relplot(data=long, x="value", y="distance", hue="accepted", col="parameter", col_wrap=4,
                       facet_kws={"sharex": False}, height=2.6, s=18)
    grid.set(yscale="symlog")
    grid.figure.suptitle(f"Calibration against P1 and P2: distance per run (accepted: closest "
                         f"{ACCEPT_SHARE:.0%})", y=1.02)
    return [write_table(runs, out / "calibration_runs.parquet"), write_table(fitted, out / "calibration_fitted.parquet"),
            write_table(check, out / "calibration_check.parquet"), save_figure(grid.figure, out / "calibration.png")]


def _morris(prob: dict, x: pd.DataFrame, y: pd.DataFrame, out: Path) -> list[Path]:
    rows = []
    for name in OUTPUTS:
        res = morris_analyze.analyze(_salib(prob), x.to_numpy(float), y[name].to_numpy(float), seed=0)
        rows += [{"output": name, "parameter": p, "mu_star": m, "mu_star_conf": c, "sigma": s}
                 for p, m, c, s in zip(res["names"], res["mu_star"], res["mu_star_conf"], res["sigma"])]
    table = pd.DataFrame(rows).sort_values(["output", "mu_star"], ascending=[True, False])
    top = table.groupby("output").head(12)
    grid = sns.catplot(data=top, y="parameter", x="mu_star", col="output", kind="bar", sharey=False, sharex=False,
                       height=4.5, aspect=0.9, color="tab:blue")
    for ax, (_, group) in zip(grid.axes.flat, top.groupby("output", sort=False)):
        ax.scatter(group["sigma"], range(len(group)), color="black", marker="x", zorder=3)
    grid.set_axis_labels("mu* (x: sigma)", "")
    grid.figure.suptitle("Morris screening: the 12 most influential parameters per output", y=1.03)
    return [write_table(table, out / "morris.parquet"), save_figure(grid.figure, out / "morris.png")]


def _sobol(prob: dict, x: pd.DataFrame, y: pd.DataFrame, out: Path) -> list[Path]:
    rows = []
    for name in OUTPUTS:
        res = sobol_analyze.analyze(_salib(prob), y[name].to_numpy(float), calc_second_order=False, seed=0)
        for k, p in enumerate(prob["names"]):
            rows += [{"output": name, "parameter": p, "index": "first order", "value": res["S1"][k],
                      "conf": res["S1_conf"][k]},
                     {"output": name, "parameter": p, "index": "total", "value": res["ST"][k],
                      "conf": res["ST_conf"][k]}]
    table = pd.DataFrame(rows)
    grid = sns.catplot(data=table, y="parameter", x="value", hue="index", col="output", kind="bar",
                       height=4, aspect=0.9, errorbar=None)
    for ax, (_, group) in zip(grid.axes.flat, table.groupby("output", sort=False)):
        for offset, (_, g) in zip((-0.2, 0.2), group.groupby("index", sort=True)):
            ax.errorbar(g["value"], [prob["names"].index(p) + offset for p in g["parameter"]], xerr=g["conf"],
                        fmt="none", color="black", capsize=2)
    grid.set_axis_labels("Sobol index (95% CI)", "")
    grid.figure.suptitle("Sobol indices: first order and total", y=1.03)
    return [write_table(table, out / "sobol.parquet"), save_figure(grid.figure, out / "sobol.png")]


def _prim(prob: dict, x: pd.DataFrame, y: pd.DataFrame, out: Path) -> list[Path]:
    from ema_workbench.analysis import prim

    boxes, trajectories = [], []
    for name in ("breakup_rate", "dominance"):
        threshold = float(y[name].quantile(PRIM_QUANTILE))
        cases = (y[name] > threshold).to_numpy()
        finder = prim.Prim(x.astype(float), cases, threshold=0.5, peel_alpha=0.1)
        box = finder.find_box()
        traj = box.peeling_trajectory.assign(output=name)
        trajectories.append(traj)
        # the classic trade-off: the densest box that still covers at least half the cases
        eligible = traj[traj["coverage"] >= 0.5]
        chosen = int(eligible["density"].idxmax()) if len(eligible) else int(traj.index[0])
        lims = box.box_lims[chosen]
        initial = box.box_lims[0]
        for p in x.columns:
            if (lims[p] != initial[p]).any():
                boxes.append({"output": name, "case": f"{name} > {threshold:.3g} (top {1 - PRIM_QUANTILE:.0%})",
                              "box": chosen, "parameter": p, "low": float(lims[p].iloc[0]),
                              "high": float(lims[p].iloc[1]), "sampled_low": float(initial[p].iloc[0]),
                              "sampled_high": float(initial[p].iloc[1]),
                              "coverage": float(traj.loc[chosen, "coverage"]),
                              "density": float(traj.loc[chosen, "density"])})
    box_table, traj_table = pd.DataFrame(boxes), pd.concat(trajectories, ignore_index=True)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (name, traj) in zip(axes, traj_table.groupby("output", sort=False)):
        points = ax.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis")
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_title(f"PRIM peeling trajectory: high {name}")
        fig.colorbar(points, ax=ax, label="restricted dimensions")
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


DOC_START, DOC_END = "<!-- sensitivity:start -->", "<!-- sensitivity:end -->"


def markdown(sweep_dir: Path) -> str:
    """The analysis of a finished sensitivity sweep as Markdown tables (for the docs)."""
    method = json.loads((sweep_dir / "problem.json").read_text(encoding="utf-8"))["method"]
    out = sweep_dir / "analysis"
    lines = [f"### {method.capitalize()} (`{sweep_dir.name}`, {len(pd.read_parquet(sweep_dir / 'sample.parquet'))} runs)",
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
            lines += [f"| `{r.parameter}` | {r.low:.3g} - {r.high:.3g} | {r.sampled_low:.3g} - {r.sampled_high:.3g} |"
                      for r in g.itertuples()]
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
        print("usage: python -m simcoop.sensitivity --write docs/validation.md SWEEP_DIR [SWEEP_DIR ...]",
              file=sys.stderr)
        sys.exit(2)
