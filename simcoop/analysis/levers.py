"""The lever table: does each design-card lever change the outcomes the study links it to?

For every lever, the runs with the lever and the reference runs share their seeds, so the
difference is taken seed by seed (paired) and summarised as a mean with a 95% t-interval.
Each lever states beforehand the outcome the study links it to and the expected sign; the
table says whether the interval excludes 0 in that direction.

    simcoop -m +experiment=levers
    python -m simcoop.analysis.levers sweeps/levers --write docs/validation.md
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from simcoop.data import realdata
from simcoop.analysis.common import write_table
from simcoop.sweeps.experiments import load
from simcoop.data.landscape import embedded_path, load_landscape

START, END = "<!-- levers:start -->", "<!-- levers:end -->"
OUTCOMES = {
    "coverage": "share of municipalities in an IGS, end year",
    "trust": "trust between partners, mean over years",
    "rich_pays": "contribution per inhabitant, members among the richest third of municipalities minus "
                 "the poorest third, end year (EUR)",
    "voluntary_leaves": "voluntary leaves, whole run",
    "breakups": "breakups of recognised IGS, whole run",
    "dominance": "centre city's excess agenda share, mean over years",
    "income_corr": "correlation of membership with income per inhabitant, end year",
    "cross_region": "IGS spanning reference regions, end year",
}


@dataclass(frozen=True)
class Lever:
    name: str          # the design-card lever
    option: str        # lever=OPTION in the sweep
    reference: str     # the option it is compared with
    outcome: str       # the outcome the study links it to (a key of OUTCOMES)
    sign: int          # expected sign of option minus reference
    why: str
    direct: str = ""   # the mechanism's first effect, when the linked outcome is further downstream
    direct_sign: int = 0


LEVERS = (
    Lever("key per budget vs per inhabitant", "key_per_budget", "none", "income_corr", -1,
          "rich municipalities pay more, so fewer of them join (Mechanism 1)", "rich_pays", +1),
    Lever("subsidy EUR 0 vs 0.90", "subsidy_0", "none", "coverage", -1, "carrots, not sticks (levers 1, 9)"),
    Lever("subsidy EUR 1.80 vs 0.90", "subsidy_1_80", "none", "coverage", +1, "carrots, not sticks (levers 1, 9)"),
    Lever("norm 60,000 vs 85,000", "norm_60000", "none", "coverage", +1, "smaller IGS can be recognised"),
    Lever("norm 110,000 vs 85,000", "norm_110000", "none", "coverage", -1, "fewer IGS reach recognition"),
    Lever("no region rule vs by 2031", "no_region_rule", "none", "cross_region", +1,
          "the rule cuts cross-border IGS (P7)"),
    Lever("IGS's own staff vs hosted", "own_staff", "none", "dominance", -1,
          "own staff lowers the city's weight (Mechanism 5, P3)"),
    Lever("trust loss 3 x gain vs = gain", "trust_loss_3x", "trust_loss_equal", "breakups", +1,
          "trust leaves on horseback (Mechanism 6, P6)", "trust", -1),
    Lever("identity weight 0 vs default", "no_identity", "none", "coverage", -1,
          "shared identity helps (Mechanism 7, P5)"),
    Lever("budget shocks doubled vs off", "budget_shocks_doubled", "no_budget_shocks", "voluntary_leaves", +1,
          "breakups cluster around budget pressure (P6)"),
    Lever("networks on vs off", "none", "no_networks", "coverage", +1,
          "drawing rights are a cost of staying out (seed 004)"),
    Lever("small projects only in IGS areas vs not tied to them", "none", "no_small_projects", "coverage", +1,
          "only organisations in an IGS area may apply: a cost of staying out (cultuuroptil.be, 2024)"),
)


def per_run(sweep_dir: str | Path) -> pd.DataFrame:
    """One row per run (lever option, seed) with every outcome."""
    yearly = load(sweep_dir)
    membership = load(sweep_dir, "membership")
    land = load_landscape()
    income = pd.Series(realdata.load(land, embedded_path()).income_per_inhabitant, index=land.nis)
    keys = ["lever", "seed"]
    first = yearly.groupby(keys, observed=True)["year"].transform("min")
    later = yearly[yearly["year"] > first]          # the initial (real 2025) year is not simulated
    end = yearly[yearly["year"] == yearly["year"].max()].set_index(keys)
    runs = pd.DataFrame({
        "coverage": end["coverage_municipalities"],
        "cross_region": end["cross_region_igs"],
        "voluntary_leaves": later.groupby(keys, observed=True)["voluntary_leaves"].sum(),
        "breakups": later.groupby(keys, observed=True)["breakups_recognised"].sum(),
        "dominance": later.groupby(keys, observed=True)["centre_excess_mean"].mean(),
        "trust": later.groupby(keys, observed=True)["mean_trust_members"].mean(),
    })
    m = membership[membership["year"] == membership["year"].max()]
    members = m[m["igs_id"].notna()].assign(income=lambda d: income.loc[d["nis"]].to_numpy(),
                                            pays=lambda d: d["contribution_eur"] / d["population"])
    # thirds of all municipalities by income (data), so that a run's value does not depend on
    # which other runs share the sweep
    tercile = income.rank(pct=True).loc[members["nis"]].to_numpy()
    runs["rich_pays"] = (members[tercile > 2 / 3].groupby(keys, observed=True)["pays"].mean()
                         - members[tercile <= 1 / 3].groupby(keys, observed=True)["pays"].mean())
    runs["income_corr"] = m.groupby(keys, observed=True).apply(
        lambda g: stats.spearmanr(g["igs_id"].notna(), income.loc[g["nis"]].to_numpy()).statistic,
        include_groups=False)
    return runs.reset_index()


def interval(v: np.ndarray) -> tuple[float, float, float]:
    v = v[~np.isnan(v)]
    if len(v) < 2:
        return (float(v.mean()) if len(v) else np.nan, np.nan, np.nan)
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return float(v.mean()), float(v.mean() - half), float(v.mean() + half)


def lever_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Paired differences (option minus reference, same seed) for every lever the sweep holds,
    on every outcome; `holds` for the outcome the study links the lever to."""
    wide = runs.set_index(["lever", "seed"])
    options = set(runs["lever"].astype(str))
    rows = []
    for lever in LEVERS:
        if not {lever.option, lever.reference} <= options:
            continue
        diff = wide.loc[lever.option] - wide.loc[lever.reference]
        for outcome in OUTCOMES:
            mean, low, high = interval(diff[outcome].dropna().to_numpy(dtype=float))
            linked = outcome in (lever.outcome, lever.direct)
            sign = lever.sign if outcome == lever.outcome else lever.direct_sign
            holds = bool(linked and ((sign > 0 and low > 0) or (sign < 0 and high < 0)))
            rows.append({"lever": lever.name, "outcome": outcome, "linked": linked, "expected": sign,
                         "n": int(diff[outcome].notna().sum()), "mean": mean, "ci_low": low, "ci_high": high,
                         "holds": holds, "why": lever.why})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The linked outcome of each lever first, then the other outcomes in one compact column."""
    lines = ["| lever | outcome the study links it to | expected | paired difference (95% CI) | holds | "
             "other outcomes whose interval excludes 0 |", "|---|---|---|---|---|---|"]
    for name, rows in table.groupby("lever", sort=False):
        others = rows[~rows["linked"] & ((rows["ci_low"] > 0) | (rows["ci_high"] < 0))]
        side = "; ".join(f"{OUTCOMES[r.outcome]}: {r.mean:+.3g} [{r.ci_low:+.3g}, {r.ci_high:+.3g}]"
                         for r in others.itertuples()) or "none"
        for k, linked in enumerate(rows[rows["linked"]].itertuples()):
            lines.append(f"| {name if k == 0 else ''} | {OUTCOMES[linked.outcome]} | "
                         f"{'+' if linked.expected > 0 else '-'} | "
                         f"{linked.mean:+.3g} [{linked.ci_low:+.3g}, {linked.ci_high:+.3g}] | "
                         f"{'yes' if linked.holds else '**no**'} | {side if k == 0 else ''} |")
    return "\n".join(lines)


def analyse(sweep_dir: Path, out: Path) -> list[Path]:
    runs = per_run(sweep_dir)
    table = lever_table(runs)
    return [write_table(runs, out / "lever_runs.parquet"), write_table(table, out / "lever_table.parquet")]


def write_into(doc: Path, table: pd.DataFrame, sweep_dir: str, seeds: int) -> None:
    block = f"{START}\n_From `{sweep_dir}` ({seeds} paired seeds per lever)._\n\n{markdown(table)}\n{END}"
    text = doc.read_text(encoding="utf-8")
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n## Levers\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m simcoop.analysis.levers SWEEP_DIR [--write docs/validation.md]")
        return
    runs = per_run(argv[0])
    table = lever_table(runs)
    print(markdown(table))
    if "--write" in argv:
        write_into(Path(argv[argv.index("--write") + 1]), table, argv[0], int(runs["seed"].nunique()))


if __name__ == "__main__":
    main(sys.argv[1:])
