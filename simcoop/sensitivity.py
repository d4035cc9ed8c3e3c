"""Sensitivity analysis with SALib, run through the sweep machinery (parallel, resumable).

    simcoop sensitivity morris trajectories=10            # screening of every parameter
    simcoop sensitivity morris trajectories=4 end_year=2025 data=synthetic

The sample is written to the sweep folder first (`sample.parquet`, `problem.json`); each
run of the sweep reads its row (`sample.file`, `sample.id`), so a killed analysis resumes
like any sweep. Outputs per run: coverage of municipalities and dominance index averaged
over the last five years, and the breakup rate (dissolutions per IGS-year).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import seaborn as sns
from omegaconf import DictConfig, OmegaConf
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from simcoop.analysis.common import save_figure, theme, write_table
from simcoop.config import iter_params, validate
from simcoop.errors import ConfigError
from simcoop.experiments import load

GROUPS = ("attributes.", "key.", "incentive.", "igs.", "behaviour.")
EXCLUDED = {"attributes.seed", "incentive.network_start_year", "behaviour.election_first_year",
            "behaviour.election_interval"}  # labels and calendar, not behaviour or policy levels
OUTPUTS = ("coverage", "dominance", "breakup_rate")


def problem() -> dict:
    """Every numeric behavioural and policy parameter, over +-50% of its default within the
    accepted range of the ODD table (the full accepted ranges include regimes, such as a
    logit temperature of 10, that are not plausible)."""
    names, bounds, integer = [], [], []
    for name, f in iter_params():
        if not name.startswith(GROUPS) or name in EXCLUDED or isinstance(f.default, (bool, str)):
            continue
        low, high = f.metadata["low"], f.metadata["high"]
        lo, hi = (max(low, 0.5 * f.default), min(high, 1.5 * f.default)) if f.default else (low, high)
        if hi <= lo:
            continue
        names.append(name)
        bounds.append([float(lo), float(hi)])
        integer.append(isinstance(f.default, int))
    return {"num_vars": len(names), "names": names, "bounds": bounds, "integer": integer}


def write_sample(sweep_dir: Path, trajectories: int, seed: int = 0) -> int:
    """Draw the Morris sample into the sweep folder (once: an existing sample is kept)."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    target = sweep_dir / "sample.parquet"
    if target.exists():
        return len(pd.read_parquet(target))
    prob = problem()
    x = morris_sample.sample({k: prob[k] for k in ("num_vars", "names", "bounds")}, trajectories, seed=seed)
    df = pd.DataFrame(x, columns=prob["names"])
    for name, is_int in zip(prob["names"], prob["integer"]):
        if is_int:
            df[name] = df[name].round().astype(int)
    (sweep_dir / "problem.json").write_text(json.dumps(prob, indent=1), encoding="utf-8")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, target)
    return len(df)


def apply_sample(cfg: DictConfig) -> DictConfig:
    """Set the parameters of this run's sample row (no-op without a sample file)."""
    if not cfg.sample.file:
        return cfg
    sample = pd.read_parquet(cfg.sample.file)
    row = sample.iloc[[int(cfg.sample.id)]].to_dict("records")[0]  # keeps integer columns integer
    cfg = cfg.copy()
    for name, value in row.items():
        OmegaConf.update(cfg, name, value, merge=False)
    validate(cfg)
    return cfg


def run_outputs(yearly: pd.DataFrame, igs: pd.DataFrame) -> pd.DataFrame:
    """Per run (sample.id): the three outputs."""
    last = yearly[yearly["year"] > yearly["year"].max() - 5]
    out = last.groupby("sample.id")[["coverage_municipalities", "dominance_mean"]].mean()
    out.columns = ["coverage", "dominance"]
    igs_years = igs.groupby("sample.id").size()
    dissolutions = yearly.groupby("sample.id")["dissolutions"].sum()
    out["breakup_rate"] = (dissolutions / igs_years.reindex(dissolutions.index)).fillna(0.0)
    return out.fillna(0.0).sort_index()


def analyse_morris(sweep_dir: Path) -> list[Path]:
    prob = json.loads((sweep_dir / "problem.json").read_text(encoding="utf-8"))
    x = pd.read_parquet(sweep_dir / "sample.parquet")
    outputs = run_outputs(load(sweep_dir), load(sweep_dir, "igs"))
    if len(outputs) != len(x):
        raise RuntimeError(f"{len(outputs)} of {len(x)} runs complete: finish the sweep first")
    rows = []
    for name in OUTPUTS:
        res = morris_analyze.analyze({k: prob[k] for k in ("num_vars", "names", "bounds")}, x.to_numpy(float),
                                     outputs[name].to_numpy(float), seed=0)
        rows += [{"output": name, "parameter": p, "mu_star": m, "mu_star_conf": c, "sigma": s}
                 for p, m, c, s in zip(res["names"], res["mu_star"], res["mu_star_conf"], res["sigma"])]
    table = pd.DataFrame(rows).sort_values(["output", "mu_star"], ascending=[True, False])
    out = sweep_dir / "analysis"
    out.mkdir(exist_ok=True)
    written = [write_table(table, out / "morris.parquet")]
    theme()
    top = table.groupby("output").head(12)
    grid = sns.catplot(data=top, y="parameter", x="mu_star", col="output", kind="bar", sharey=False, sharex=False,
                       height=4.5, aspect=0.9, color="tab:blue")
    for ax, (_, group) in zip(grid.axes.flat, top.groupby("output", sort=False)):
        ax.scatter(group["sigma"], range(len(group)), color="black", marker="x", zorder=3, label="sigma")
    grid.set_axis_labels("mu* (x: sigma)", "")
    grid.figure.suptitle("Morris screening: the 12 most influential parameters per output", y=1.03)
    written.append(save_figure(grid.figure, out / "morris.png"))
    return written


def mu_star_ranking(sweep_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(Path(sweep_dir) / "analysis" / "morris.parquet")


def check_trajectories(value: str) -> int:
    if not value.isdigit() or not 2 <= int(value) <= 1000:
        raise ConfigError("trajectories", value, "a whole number of Morris trajectories, 2 to 1000")
    return int(value)

