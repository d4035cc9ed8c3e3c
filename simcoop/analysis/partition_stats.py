"""Statistics of IGS partitions: one partition against another on a subset of municipalities,
and many partitions (seeds) summarised with 95% intervals.

A partition is an integer label per municipality in landscape order, NONE (-1) outside
every IGS; non-members count as singletons in the pairwise statistics. Used by
who_with_whom.py (model against the real IGS cultuur) and its tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import adjusted_rand_score, roc_auc_score
from sklearn.metrics.cluster import pair_confusion_matrix

from simcoop.analysis.common import interval
from simcoop.analysis.random_clusters import NONE
from simcoop.data.landscape import Landscape
from simcoop.model import kernels

NORM = 85_000
PAIRWISE = ("adjusted_rand", "pair_precision", "pair_recall", "membership_auc", "region_coverage_spearman")
STRUCTURE = ("centres_in_igs", "centre_shadow", "size_bias", "igs_below_norm", "igs_across_regions",
             "igs_not_contiguous", "n_igs", "mean_members", "max_members", "coverage_municipalities",
             "coverage_population")
STATISTICS = PAIRWISE + STRUCTURE
N_BOOT = 1000


# --- statistics of one partition against another, on a subset of municipalities -------------

def with_singletons(labels: np.ndarray) -> np.ndarray:
    """Each non-member becomes a one-member group of its own."""
    out = np.asarray(labels, dtype=np.int64).copy()
    none = out == NONE
    out[none] = out.max(initial=0) + 1 + np.arange(none.sum())
    return out


def adjusted_rand(real: np.ndarray, sim: np.ndarray, subset: np.ndarray) -> float:
    return float(adjusted_rand_score(with_singletons(real)[subset], with_singletons(sim)[subset]))


def pair_precision_recall(real: np.ndarray, sim: np.ndarray, subset: np.ndarray) -> tuple[float, float]:
    """Of the simulated 'same IGS' pairs within the subset, the share that are real
    (precision); of the real ones, the share simulated (recall). NaN without such pairs."""
    c = pair_confusion_matrix(with_singletons(real)[subset], with_singletons(sim)[subset])
    both, sim_pairs, real_pairs = c[1, 1], c[0, 1] + c[1, 1], c[1, 0] + c[1, 1]
    return (float(both / sim_pairs) if sim_pairs else np.nan, float(both / real_pairs) if real_pairs else np.nan)


def membership_frequency(partitions: list[np.ndarray]) -> np.ndarray:
    """Per municipality, the share of partitions in which it is in an IGS."""
    return np.mean([p != NONE for p in partitions], axis=0)


def membership_auc(real: np.ndarray, frequency: np.ndarray, subset: np.ndarray) -> float:
    """How well the frequency ranks real members above non-members (ROC AUC); NaN when the
    subset holds only members or only non-members."""
    member = real[subset] != NONE
    if member.all() or not member.any():
        return np.nan
    return float(roc_auc_score(member, frequency[subset]))


def region_coverage(labels: np.ndarray, land: Landscape, subset: np.ndarray) -> pd.Series:
    """Share of each reference region's municipalities (within the subset) in an IGS."""
    df = pd.DataFrame({"region": land.region[subset], "member": labels[subset] != NONE})
    return df.groupby("region")["member"].mean()


def region_spearman(real: np.ndarray, sim: np.ndarray, land: Landscape, subset: np.ndarray) -> float:
    """Spearman correlation of simulated and real coverage over the reference regions; NaN
    if either is the same in every region (no ranking to compare)."""
    a, b = region_coverage(real, land, subset), region_coverage(sim, land, subset)
    if len(a) < 3 or np.ptp(a.to_numpy()) == 0 or np.ptp(b.to_numpy()) == 0:
        return np.nan
    return float(stats.spearmanr(a.to_numpy(), b.to_numpy()).statistic)


def igs_in(labels: np.ndarray, land: Landscape, subset: np.ndarray) -> list[np.ndarray]:
    """The IGS (all their members) that belong to the subset: those whose most populous
    member lies in it, so each IGS belongs to exactly one half of a split."""
    out = []
    for g in np.unique(labels[labels != NONE]):
        members = np.flatnonzero(labels == g)
        if subset[members[np.argmax(land.population[members])]]:
            out.append(members)
    return out


def centre_shadow(member: np.ndarray, borders_centre: np.ndarray, centre: np.ndarray) -> float:
    """Coverage of a centre city's neighbours minus coverage of the other municipalities
    (centre cities left out): negative when the city's shadow keeps its neighbours out."""
    near, far = borders_centre & ~centre, ~borders_centre & ~centre
    if not near.any() or not far.any():
        return np.nan
    return float(member[near].mean() - member[far].mean())


def size_bias(member: np.ndarray, population: np.ndarray) -> float:
    """Pearson correlation of membership with log population: positive when the larger
    municipalities are the members (in reality it is about 0)."""
    if member.all() or not member.any():
        return np.nan
    return float(np.corrcoef(member.astype(float), np.log(population))[0, 1])


def in_pieces(groups: list[np.ndarray], land: Landscape) -> int:
    """How many of the member sets are not one territory on the map (all 19 real IGS are):
    the model's own test of the members rule, `policy.contiguous`."""
    if not groups:
        return 0
    ptr = np.concatenate([[0], np.cumsum([len(g) for g in groups])]).astype(np.int64)
    flat = np.concatenate(groups).astype(np.int64)
    return int((~kernels.contiguous_sets(flat, ptr, *land.borders)).sum())


def structure(labels: np.ndarray, land: Landscape, subset: np.ndarray, norm: float = NORM) -> dict[str, float]:
    """Counts of one partition within a subset: centre cities that are members, the centre
    cities' shadow over their neighbours' membership, the size bias of membership, IGS below
    the norm, spanning reference regions or in pieces, the member-count distribution, coverage."""
    groups = igs_in(labels, land, subset)
    counts = np.array([len(g) for g in groups])
    member = labels[subset] != NONE
    return {
        "centres_in_igs": float((land.centre[subset] & member).sum()),
        "centre_shadow": centre_shadow(member, land.borders_centre[subset], land.centre[subset]),
        "size_bias": size_bias(member, land.population[subset]),
        "igs_below_norm": float(sum(land.population[g].sum() < norm for g in groups)),
        "igs_across_regions": float(sum(len(np.unique(land.region[g])) > 1 for g in groups)),
        "igs_not_contiguous": float(in_pieces(groups, land)),
        "n_igs": float(len(groups)),
        "mean_members": float(counts.mean()) if len(counts) else np.nan,
        "max_members": float(counts.max()) if len(counts) else np.nan,
        "coverage_municipalities": float(member.mean()),
        "coverage_population": float(land.population[subset][member].sum() / land.population[subset].sum()),
    }


def agreement(reference: np.ndarray, other: np.ndarray, land: Landscape, subset: np.ndarray) -> dict[str, float]:
    """The pairwise statistics of `other` taking `reference` as the truth (AUC is not a
    statistic of one partition: see membership_auc)."""
    precision, recall = pair_precision_recall(reference, other, subset)
    return {"adjusted_rand": adjusted_rand(reference, other, subset), "pair_precision": precision,
            "pair_recall": recall, "region_coverage_spearman": region_spearman(reference, other, land, subset)}


# --- many partitions: per-run values and their intervals ---------------------------------------

def per_run(real: np.ndarray, partitions: list[np.ndarray], land: Landscape,
            masks: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per partition, sample and statistic: agreement with the real partition and
    the partition's own structure."""
    rows = []
    for run, p in enumerate(partitions):
        for sample, mask in masks.items():
            for stat, value in {**agreement(real, p, land, mask), **structure(p, land, mask)}.items():
                rows.append((run, sample, stat, value))
    return pd.DataFrame(rows, columns=["run", "sample", "statistic", "value"])


def self_agreement(partitions: list[np.ndarray], land: Landscape, masks: dict[str, np.ndarray]) -> pd.DataFrame:
    """The model against itself: the pairwise statistics of disjoint pairs of seeds (first
    against second, so the values are independent), and the AUC of each seed's membership
    predicted by the frequency over the other seeds (leave one out)."""
    rows = []
    for k in range(len(partitions) // 2):
        a, b = partitions[2 * k], partitions[2 * k + 1]
        for sample, mask in masks.items():
            rows += [(k, sample, stat, v) for stat, v in agreement(a, b, land, mask).items()]
    if len(partitions) >= 2:
        for k, p in enumerate(partitions):
            others = membership_frequency(partitions[:k] + partitions[k + 1:])
            rows += [(k, sample, "membership_auc", membership_auc(p, others, mask)) for sample, mask in masks.items()]
    return pd.DataFrame(rows, columns=["run", "sample", "statistic", "value"])


def bootstrap_auc(real: np.ndarray, partitions: list[np.ndarray], subset: np.ndarray, n_boot: int = N_BOOT,
                  seed: int = 0) -> tuple[float, float, float, int]:
    """AUC of the membership frequency over all partitions, with a percentile bootstrap 95%
    interval over partitions (resampled with replacement). The resamples' AUCs come from one
    vectorised Mann-Whitney U (AUC = U / (members x non-members), the same number as
    roc_auc_score, which is too slow to call a thousand times)."""
    point = membership_auc(real, membership_frequency(partitions), subset)
    if point != point:
        return (point, np.nan, np.nan, len(partitions))
    member = np.array([p[subset] != NONE for p in partitions], dtype=float)
    rng = np.random.default_rng(seed)
    freq = member[rng.integers(len(partitions), size=(n_boot, len(partitions)))].mean(axis=1)
    y = real[subset] != NONE
    u = stats.mannwhitneyu(freq[:, y], freq[:, ~y], axis=1, method="asymptotic").statistic
    low, high = np.percentile(u / (y.sum() * (~y).sum()), [2.5, 97.5])
    return (point, float(low), float(high), len(partitions))


def summarise(values: pd.DataFrame) -> pd.DataFrame:
    """Mean and Student-t 95% interval of the mean, per sample and statistic."""
    rows = []
    for (sample, stat), v in values.groupby(["sample", "statistic"], sort=False):
        x = v["value"].dropna().to_numpy(float)
        mean, low, high = interval(x)
        rows.append((sample, stat, mean, low, high, len(x)))
    return pd.DataFrame(rows, columns=["sample", "statistic", "mean", "low", "high", "n"])


def compare(real: np.ndarray, model: list[np.ndarray], null: list[np.ndarray], land: Landscape,
            masks: dict[str, np.ndarray]) -> pd.DataFrame:
    """The tidy comparison: per statistic and sample, the real value (where it is a
    property of one partition), the model's, the null's and the model's self-agreement,
    each as mean [95% interval] with its n. Intervals are Student-t intervals of the mean
    over runs, except the AUC's (percentile bootstrap over runs: the frequency is one
    number per ensemble)."""
    parts = {"model": summarise(per_run(real, model, land, masks)), "null": summarise(per_run(real, null, land, masks)),
             "self": summarise(self_agreement(model, land, masks))}
    auc = pd.DataFrame([("model", s, *bootstrap_auc(real, model, m)) for s, m in masks.items()]
                       + [("null", s, *bootstrap_auc(real, null, m)) for s, m in masks.items()],
                       columns=["source", "sample", "mean", "low", "high", "n"]).assign(statistic="membership_auc")
    out = pd.DataFrame([(stat, sample) for stat in STATISTICS for sample in masks], columns=["statistic", "sample"])
    truth = [(stat, s, v) for s, m in masks.items() for stat, v in structure(real, land, m).items()]
    out = out.merge(pd.DataFrame(truth, columns=["statistic", "sample", "real"]), how="left")
    for source, table in parts.items():
        if source != "self":
            table = pd.concat([table[table["statistic"] != "membership_auc"],
                               auc[auc["source"] == source].drop(columns="source")])
        cols = {c: f"{source}_{c}" for c in ("mean", "low", "high", "n")}
        out = out.merge(table.rename(columns=cols), how="left", on=["statistic", "sample"])
    out["interval"] = np.where(out["statistic"] == "membership_auc", "bootstrap (model, null); t (self)", "t")
    return out
