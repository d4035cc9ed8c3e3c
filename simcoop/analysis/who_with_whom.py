"""Who cooperates with whom: simulated IGS partitions against the real IGS cultuur 2020-25.

Formation runs (2016 from an empty map) end in a partition of Flanders into IGS; this
module asks whether it is the *real* partition, statistic by statistic, and beside two
references computed the same way: random contiguous clusters (random_clusters.py) and the
model's agreement with itself from seed to seed. Statistics can be restricted to part of
Flanders, so a calibration on three provinces can be checked on the other two.

    python -m simcoop.analysis.who_with_whom sweeps/who_with_whom --write docs/validation.md

A partition is an integer label per municipality in landscape order, NONE (-1) outside
every IGS; non-members count as singletons in the pairwise statistics.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simcoop.data import realdata
from simcoop.analysis.common import write_table
from simcoop.analysis.partition_stats import (
    NORM, STATISTICS, adjusted_rand, agreement, compare, membership_auc, membership_frequency,
    pair_precision_recall, per_run, region_coverage, region_spearman, self_agreement, structure, summarise,
    with_singletons)
from simcoop.analysis.random_clusters import NONE, random_clusters
from simcoop.analysis.who_with_whom_report import Result, map_figure, section, write_section
from simcoop.errors import SimcoopInputError
from simcoop.sweeps.experiments import complete_runs, load, run_table
from simcoop.data.landscape import Landscape, embedded_path, load_landscape
from simcoop.sweeps.store import read_marker

__all__ = [  # the statistics of partition_stats, re-exported beside this module's own
    "NORM", "STATISTICS", "adjusted_rand", "agreement", "compare", "membership_auc", "membership_frequency",
    "pair_precision_recall", "per_run", "region_coverage", "region_spearman", "self_agreement", "structure",
    "summarise", "with_singletons", "Reality", "reality", "split", "comparison", "calibrate", "loss", "targets",
    "null_partitions", "partitions_by_seed", "from_sweep", "check_formation", "select", "evaluate", "analyse",
    "main", "Result"]

YEAR = 2025
IN_SAMPLE = ("Antwerpen", "Limburg", "Vlaams-Brabant")  # the rest (Oost-, West-Vlaanderen) is out of sample
SAMPLES = ("in", "out", "all")


@dataclass(frozen=True)
class Reality:
    """The map and the real partition on it (the 19 IGS cultuur recognised for 2020-25)."""
    land: Landscape
    labels: np.ndarray
    province: np.ndarray
    names: tuple[str, ...]

    @property
    def members(self) -> np.ndarray:
        """Who is in one of the real IGS (a mask in landscape order)."""
        return self.labels != NONE

    @property
    def sizes(self) -> np.ndarray:
        return np.bincount(self.labels[self.members])


def reality(land: Landscape | None = None) -> Reality:
    land = land or load_landscape()
    real = realdata.load(land, embedded_path())
    labels = np.full(land.n, NONE, dtype=np.int64)
    for k, g in enumerate(real.igs):
        labels[g.members] = k
    return Reality(land, labels, real.province, tuple(g.name for g in real.igs))


def split(province: np.ndarray, in_sample: tuple[str, ...] = IN_SAMPLE) -> dict[str, np.ndarray]:
    """Masks of the in-sample provinces, the others ('out') and all of Flanders."""
    unknown = sorted(set(in_sample) - set(province))
    if unknown:
        raise SimcoopInputError(f"split error: province {unknown[0]!r} is not accepted; accepted: one of "
                                f"{', '.join(sorted(set(province)))}")
    inside = np.isin(province, in_sample)
    return {"in": inside, "out": ~inside, "all": np.ones(len(province), dtype=bool)}


# --- sweeps ------------------------------------------------------------------------------------

def check_formation(sweep_dir: Path) -> None:
    """A run that starts from the real IGS (start=real_2025) says nothing about formation."""
    for run in complete_runs(sweep_dir):
        start = read_marker(run)["config"].get("start")
        start = start.get("name", start.get("mode")) if isinstance(start, dict) else start
        if start not in (None, "empty"):
            raise SimcoopInputError(f"who-with-whom error: start={start!r} is not accepted in {run}; accepted: "
                                    "start=empty (formation runs from an empty map)")


def from_sweep(sweep_dir: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """A sweep's membership rows and its varied parameters (those with more than one value)."""
    sweep_dir = Path(sweep_dir)
    runs = complete_runs(sweep_dir)
    if not runs:
        raise SimcoopInputError(f"who-with-whom error: {sweep_dir} holds no complete run")
    check_formation(sweep_dir)
    params = run_table(runs).drop(columns="seed")
    return load(sweep_dir, "membership"), [c for c in params.columns if params[c].nunique(dropna=False) > 1]


def partitions_by_seed(membership: pd.DataFrame, land: Landscape, year: int = YEAR) -> dict[int, np.ndarray]:
    """The partition of each run (by seed) in `year`, in landscape order."""
    rows = membership[membership["year"] == year]
    if rows.empty:
        years = sorted(membership["year"].unique())
        raise SimcoopInputError(f"who-with-whom error: year={year} is not accepted; accepted: one of the "
                                f"simulated years {years[0]}-{years[-1]}" if years else "the runs hold no year")
    index = pd.Series(np.arange(land.n), index=land.nis)
    out = {}
    for seed, run in rows.groupby("seed", sort=True):
        at = index.reindex(run["nis"].to_numpy())
        if at.isna().any() or len(run) != land.n:
            raise SimcoopInputError("who-with-whom error: the runs are not on the Flanders map; accepted: "
                                    "data=flanders (the 285 municipalities of 2025)")
        labels = np.full(land.n, NONE, dtype=np.int64)
        labels[at.to_numpy(int)] = run["igs_id"].astype("Int64").fillna(NONE).to_numpy(int)
        out[int(seed)] = labels
    return out


def null_partitions(truth: Reality, n: int, size_mode: str = "real") -> list[np.ndarray]:
    """n random-cluster partitions (seeds 0..n-1) with the real sizes and coverage."""
    covered = int(truth.members.sum())
    return [random_clusters(truth.land, truth.sizes, covered, seed, size_mode) for seed in range(n)]


def comparison(source: str | Path | pd.DataFrame, year: int = YEAR, truth: Reality | None = None,
               in_sample: tuple[str, ...] = IN_SAMPLE, n_null: int | None = None) -> pd.DataFrame:
    """Model against reality for one parameter point: a sweep folder, or membership rows
    with a `seed` column (one run per seed). One row per statistic and sample (see
    partition_stats.compare); the null has as many draws as there are seeds unless n_null."""
    if isinstance(source, pd.DataFrame):
        membership = source
    else:
        membership, params = from_sweep(source)
        if params:
            raise SimcoopInputError(f"who-with-whom error: the sweep varies {', '.join(params)}; accepted: one "
                                    "parameter point x seeds (the command line calibrates a sweep of several points)")
    truth = truth or reality()
    model = list(partitions_by_seed(membership, truth.land, year).values())
    null = null_partitions(truth, n_null or len(model))
    return compare(truth.labels, model, null, truth.land, split(truth.province, in_sample))


def select(membership: pd.DataFrame, point: dict[str, object]) -> pd.DataFrame:
    """The rows of one parameter point."""
    keep = np.ones(len(membership), dtype=bool)
    for p, v in point.items():
        keep &= (membership[p] == v).to_numpy()
    return membership[keep]


# --- calibration on the in-sample provinces ---------------------------------------------------

LOSS_TERMS = ("adjusted_rand", "region_coverage_spearman", "centres_in_igs", "coverage_population")


def loss(model: pd.Series, real: dict[str, float], centres: int) -> float:
    """The calibration loss, from in-sample statistics only (`model`: means over seeds):
    (1 - ARI) + (1 - Spearman of region coverage) / 2 + |centre cities in an IGS, model -
    real| / centre cities in the sample + |share of inhabitants covered, model - real|.
    Each term is 0 when the model matches reality; an undefined Spearman counts as 0."""
    rho = model["region_coverage_spearman"]
    return float((1 - model["adjusted_rand"]) + (1 - (rho if rho == rho else 0.0)) / 2
                 + abs(model["centres_in_igs"] - real["centres_in_igs"]) / max(1, centres)
                 + abs(model["coverage_population"] - real["coverage_population"]))


def calibrate(membership: pd.DataFrame, params: list[str], year: int = YEAR, truth: Reality | None = None,
              in_sample: tuple[str, ...] = IN_SAMPLE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score each parameter point on the in-sample provinces (see `loss`); returns the
    scores (one row per point, best first) and the full comparison of the best point, whose
    out-of-sample rows played no part in choosing it."""
    if not params:
        raise SimcoopInputError("calibration error: the sweep varies no parameter; accepted: a sweep of several "
                                "parameter points x seeds (e.g. sample.id=0,1,2 seed='range(20)')")
    truth = truth or reality()
    inside = {"in": split(truth.province, in_sample)["in"]}
    real = structure(truth.labels, truth.land, inside["in"])
    centres = int(truth.land.centre[inside["in"]].sum())
    scores = []
    for point, rows in membership.groupby(params, observed=True, sort=True):
        model = list(partitions_by_seed(rows, truth.land, year).values())
        means = summarise(per_run(truth.labels, model, truth.land, inside)).set_index("statistic")["mean"]
        point = point if isinstance(point, tuple) else (point,)
        scores.append({**dict(zip(params, point)), "seeds": len(model), "loss": loss(means, real, centres),
                       **{f"in_{k}": means[k] for k in LOSS_TERMS}})
    table = pd.DataFrame(scores).sort_values("loss", kind="stable").reset_index(drop=True)
    best = select(membership, {p: table.at[0, p] for p in params})
    return table, comparison(best, year, truth, in_sample)


# --- targets of issue 10 ------------------------------------------------------------------------

def targets(table: pd.DataFrame) -> pd.DataFrame:
    """The three targets: out of sample, ARI interval above the null's and region-coverage
    Spearman >= 0.5; 2 to 6 centre cities in an IGS (all of Flanders)."""
    t = table.set_index(["statistic", "sample"])
    ari, rho, centres = (t.loc[("adjusted_rand", "out")], t.loc[("region_coverage_spearman", "out")],
                         t.loc[("centres_in_igs", "all")])
    return pd.DataFrame([
        ("ari_above_null", ari["model_low"], ari["null_high"], bool(ari["model_low"] > ari["null_high"])),
        ("region_spearman", rho["model_mean"], 0.5, bool(rho["model_mean"] >= 0.5)),
        ("centres", centres["model_mean"], np.nan, bool(2 <= centres["model_mean"] <= 6)),
    ], columns=["target", "value", "bound", "met"])


def analyse(sweep_dir: Path, out: Path, year: int = YEAR) -> list[Path]:
    """The experiment's analysis in <sweep>/analysis/: the comparison table (and, for several
    parameter points, the calibration scores), its Markdown section and the map."""
    result, truth, frequency = evaluate(sweep_dir, year)
    written = [write_table(result.table, out / "who_with_whom.parquet"),
               write_table(result.targets, out / "who_with_whom_targets.parquet")]
    if result.scores is not None:
        written.append(write_table(result.scores, out / "who_with_whom_calibration.parquet"))
    figure = draw(out / "who_with_whom_map.png", result, truth, frequency)
    md = out / "who_with_whom.md"
    md.write_text(section(result, figure.name) + "\n", encoding="utf-8")
    return [*written, figure, md]


def draw(path: Path, result: Result, truth: Reality, frequency: np.ndarray) -> Path:
    in_sample = split(truth.province, result.inside)["in"]
    return map_figure(path, truth.land, truth.labels, frequency, result.year, result.inside, result.outside, in_sample)


def evaluate(sweep_dir: str | Path, year: int = YEAR,
             in_sample: tuple[str, ...] = IN_SAMPLE) -> tuple[Result, Reality, np.ndarray]:
    """Comparison (after calibration when the sweep has several parameter points), the
    reality it was computed against and the chosen point's membership frequency."""
    membership, params = from_sweep(sweep_dir)
    truth = reality()
    if params:
        scores, table = calibrate(membership, params, year, truth, in_sample)
        membership = select(membership, {p: scores.at[0, p] for p in params})
    else:
        scores, table = None, comparison(membership, year, truth, in_sample)
    frequency = membership_frequency(list(partitions_by_seed(membership, truth.land, year).values()))
    outside = tuple(sorted(set(truth.province) - set(in_sample)))
    return Result(str(sweep_dir), year, table, targets(table), scores, in_sample, outside), truth, frequency


def main(argv: list[str] | None = None) -> None:
    """python -m simcoop.analysis.who_with_whom SWEEP_DIR [--year Y] [--write DOC] [--figure PNG]"""
    parser = argparse.ArgumentParser(prog="python -m simcoop.analysis.who_with_whom",
                                     description="Compare a sweep's IGS partitions with the real IGS cultuur.")
    parser.add_argument("sweep_dir")
    parser.add_argument("--year", type=int, default=YEAR)
    parser.add_argument("--write", metavar="DOC", help="replace (or append) the who-with-whom section of DOC")
    parser.add_argument("--figure", metavar="PNG", help="the map (default: figures/who_with_whom_map.png "
                                                        "beside DOC)")
    args = parser.parse_args(argv)
    try:
        result, truth, frequency = evaluate(args.sweep_dir, args.year)
        if args.write:
            doc = Path(args.write)
            figure = Path(args.figure) if args.figure else doc.parent / "figures" / "who_with_whom_map.png"
            draw(figure, result, truth, frequency)
            write_section(doc, result, figure)
            print(f"wrote {doc} and {figure}")
        else:
            if args.figure:
                draw(Path(args.figure), result, truth, frequency)
            print(section(result, None))
    except SimcoopInputError as exc:
        print(f"simcoop: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
