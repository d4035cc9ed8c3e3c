"""Calibrate the behavioural defaults on who cooperates with whom, in sample only.

A Latin hypercube over the fitted parameters (+-50% of their defaults, within the ODD
ranges), with the current defaults as point 0, is run as formation runs (start=empty,
2016-2025; the who_with_whom experiment) for several seeds per point through the sweep
store (parallel, resumable). Each point is scored by the who-with-whom loss on the fitting
provinces (Antwerpen, Limburg, Vlaams-Brabant; `who_with_whom.loss`); Oost- and
West-Vlaanderen play no part in the choice and are reported for the best point only.
Pattern P1 (17 to 21 recognised IGS in every year 2020-2025, all of Flanders) is a filter
beside the loss, as in pattern-oriented modelling: the report ranks all points and, apart,
the points that pass the filter, so the trade-off between the two is in view.

    python -m simcoop.analysis.calibrate                       # 24 points + defaults x 4 seeds
    python -m simcoop.analysis.calibrate --n 48 --seeds 6 --write docs/calibration.md
    python -m simcoop.analysis.calibrate --score-only sweeps/calibrate

The script does not change the defaults: it reports the best point and how far the
defaults are from it; adopting values is a decision recorded in docs/calibration.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.sample import latin as latin_sample

from simcoop.analysis import who_with_whom
from simcoop.analysis.common import write_table
from simcoop.analysis.validation import P1_BAND, P1_YEARS, p1_met, p1_yearly_means
from simcoop.errors import SimcoopInputError
from simcoop.analysis.sensitivity import problem, sample_values
from simcoop.sweeps.experiments import load
from simcoop.sweeps.space import dimension

# the behavioural parameters the formation of IGS is most sensitive to (Morris screening of
# docs/validation.md) and the weights of the reworked mechanisms
FITTED = ["behaviour.founding_trust", "behaviour.trust_heritage", "behaviour.founding_cost",
          "attributes.heritage_share", "behaviour.w_scale", "behaviour.w_money", "behaviour.w_staff",
          "behaviour.w_identity", "behaviour.informal_networking", "behaviour.trust_erosion",
          "behaviour.centre_scale_factor", "behaviour.w_freedom"]
START, END = "<!-- calibration:start -->", "<!-- calibration:end -->"
SAMPLE = "sample.parquet"


def write_sample(sweep_dir: Path, n: int, names: list[str], seed: int = 0) -> int:
    """The points (row 0: the current defaults, then a Latin hypercube of n), written once:
    an existing sample is kept, so a re-run resumes the same calibration."""
    target = sweep_dir / SAMPLE
    if target.exists():
        return len(pd.read_parquet(target))
    prob = problem(names)
    design = latin_sample.sample({k: prob[k] for k in ("num_vars", "names", "bounds")}, n, seed=seed)
    defaults = pd.DataFrame([{d: dimension(d).default for d in prob["names"]}])
    points = pd.concat([defaults, sample_values(prob, design)], ignore_index=True)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    write_table(points, target)
    return len(points)


def run(sweep_dir: Path, points: int, seeds: int) -> None:
    """The formation runs of every point and seed, through the CLI's sweep store."""
    command = [sys.executable, "-m", "simcoop", "-m", "+experiment=who_with_whom",
               f"sample.file={(sweep_dir / SAMPLE).resolve()}",
               f"sample.id=range({points})", f"seed=range({seeds})", f"sweep_name={sweep_dir.name}",
               f"hydra.sweep.dir={sweep_dir}"]
    done = subprocess.run(command, check=False)
    if done.returncode != 0:
        raise SimcoopInputError(f"calibration error: the sweep stopped (exit code {done.returncode}); run the same "
                                "command again to resume")


def p1_counts(yearly: pd.DataFrame, key: str = "sample.id") -> pd.DataFrame:
    """Per point: the lowest and highest yearly mean of recognised IGS in P1's period (means
    over the point's seeds) and whether P1's count is met (`validation.p1_met`)."""
    rows = []
    for point, runs in yearly.groupby(key, observed=True, sort=True):
        means = p1_yearly_means(runs)
        rows.append({key: point, "p1_low": means.min(), "p1_high": means.max(), "p1_met": p1_met(means)})
    return pd.DataFrame(rows, columns=[key, "p1_low", "p1_high", "p1_met"])


def score(sweep_dir: Path) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Each point's in-sample loss and terms, P1's counts and its parameter values (best
    first, the defaults marked), and the comparisons in and out of sample of the best point,
    of the best point that passes P1 and of the defaults (does the choice generalise?)."""
    membership, params = who_with_whom.from_sweep(sweep_dir)
    scores, best = who_with_whom.calibrate(membership, params)
    points = pd.read_parquet(sweep_dir / SAMPLE).rename_axis("sample.id").reset_index()
    scores = scores.merge(p1_counts(load(sweep_dir, "yearly")), on="sample.id", how="left")
    scores["p1_met"] = scores["p1_met"].astype("boolean").fillna(False).astype(bool)  # no count: not met
    scores = scores.merge(points, on="sample.id", how="left")
    scores.insert(1, "defaults", scores["sample.id"] == 0)
    chosen = {"best point": best}
    passing = scores[scores["p1_met"]]
    if len(passing):
        chosen["best point that passes P1"] = who_with_whom.comparison(
            who_with_whom.select(membership, {"sample.id": passing["sample.id"].iloc[0]}))
    chosen["point 0 (the defaults)"] = who_with_whom.comparison(who_with_whom.select(membership, {"sample.id": 0}))
    return scores, chosen


def ranking(rows: pd.DataFrame) -> list[str]:
    """Rows of scores as a Markdown table (rank = position among all points)."""
    lines = ["| rank | point | loss | ARI in | region Spearman in | centre cities in | inhabitants covered in "
             "| recognised IGS 2020-25 (P1) |", "|---|---|---|---|---|---|---|---|"]
    for rank, r in rows.iterrows():
        point = "defaults" if r["defaults"] else str(int(r["sample.id"]))
        lines.append(f"| {rank + 1} | {point} | {r['loss']:.3f} | {r['in_adjusted_rand']:.3f} | "
                     f"{r['in_region_coverage_spearman']:.2f} | {r['in_centres_in_igs']:.1f} | "
                     f"{r['in_coverage_population']:.2f} | {r['p1_low']:.1f} - {r['p1_high']:.1f} |")
    return lines


def markdown(scores: pd.DataFrame, chosen: dict[str, pd.DataFrame], sweep_dir: Path, top: int = 5) -> str:
    names = [c for c in scores.columns if "." in c and c != "sample.id"]
    seeds = int(scores["seeds"].max())
    shown = pd.concat([scores.head(top), scores[scores["defaults"]]]).drop_duplicates("sample.id")
    lines = [f"_From `{sweep_dir}`: {len(scores)} points (point 0: the defaults) x {seeds} formation runs, "
             f"scored on Antwerpen, Limburg and Vlaams-Brabant only._", "",
             f"The {top} best points by in-sample loss, and the defaults:", ""] + ranking(shown)
    passing = scores[scores["p1_met"]]
    lines += ["", f"The points that pass P1 ({len(passing)} of {len(scores)}: {P1_BAND[0]:.0f} to "
              f"{P1_BAND[1]:.0f} recognised IGS in every year {P1_YEARS[0]}-{P1_YEARS[1]}, all of Flanders), "
              "by in-sample loss:", ""]
    lines += ranking(passing.head(top)) if len(passing) else ["(none)"]
    first, default = scores.iloc[0], scores[scores["defaults"]].iloc[0]
    kept = passing.iloc[0] if len(passing) else None
    lines += ["", "| parameter | point 0 (the defaults) | best point | best point that passes P1 | "
              f"best {top}: low - high |", "|---|---|---|---|---|"]
    for p in names:
        head = scores.head(top)[p]
        within = f"{kept[p]:.4g}" if kept is not None else "-"
        lines.append(f"| `{p}` | {default[p]:.4g} | {first[p]:.4g} | {within} | {head.min():.4g} - {head.max():.4g} |")
    tables = {name: c.set_index(["statistic", "sample"]) for name, c in chosen.items()}
    lines += ["", "Out of sample (Oost- and West-Vlaanderen: not in the loss; P1's count includes them):", "",
              f"| statistic | {' | '.join(tables)} | random contiguous clusters |",
              "|---" * (len(tables) + 2) + "|"]
    for stat in ("adjusted_rand", "region_coverage_spearman", "centres_in_igs", "coverage_population"):
        cells = [f"{r['model_mean']:.3f} [{r['model_low']:.3f}, {r['model_high']:.3f}]"
                 for r in (t.loc[(stat, "out")] for t in tables.values())]
        null = next(iter(tables.values())).loc[(stat, "out"), "null_mean"]
        lines.append(f"| {stat} | {' | '.join(cells)} | {null:.3f} |")
    return "\n".join(lines)


def write_into(doc: Path, text: str) -> None:
    """Replace the block between the markers of doc (all or nothing)."""
    old = doc.read_text(encoding="utf-8")
    if START not in old or END not in old:
        raise SimcoopInputError(f"calibration error: {doc} has no {START} ... {END} block; accepted: a document "
                                "with both markers")
    head, rest = old.split(START, 1)
    tmp = doc.with_name(f".{doc.name}.tmp-{os.getpid()}")
    tmp.write_text(f"{head}{START}\n{text}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")
    os.replace(tmp, doc)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simcoop.analysis.calibrate", description=__doc__.split("\n")[0])
    parser.add_argument("--sweep", default="sweeps/calibrate", help="the sweep folder (default sweeps/calibrate)")
    parser.add_argument("--n", type=int, default=24, help="points of the Latin hypercube besides the defaults")
    parser.add_argument("--seeds", type=int, default=4, help="formation runs per point")
    parser.add_argument("--params", help="comma-separated parameters (default: the FITTED list)")
    parser.add_argument("--score-only", action="store_true", help="score the finished sweep, run nothing")
    parser.add_argument("--write", metavar="DOC", help="replace the calibration block of DOC")
    args = parser.parse_args(argv)
    sweep_dir = Path(args.sweep)
    try:
        if args.n < 1 or args.seeds < 1:
            raise SimcoopInputError(f"calibration error: n={args.n}, seeds={args.seeds} is not accepted; accepted: "
                                    "whole numbers of at least 1")
        if not args.score_only:
            names = args.params.split(",") if args.params else FITTED
            run(sweep_dir, write_sample(sweep_dir, args.n, names), args.seeds)
        scores, chosen = score(sweep_dir)
        write_table(scores, sweep_dir / "calibration_scores.parquet")
        text = markdown(scores, chosen, sweep_dir)
        print(text)
        if args.write:
            write_into(Path(args.write), text)
    except SimcoopInputError as exc:
        print(f"simcoop: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
