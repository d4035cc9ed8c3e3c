"""The numbers of a comparison: combinations of a sweep, key figures in the end year, spread
of single runs and differences from the baseline.

Every combination of the parameters that vary in a sweep (scenarios and any swept
override) is its own column; runs are never pooled across combinations.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simcoop.errors import ConfigError
from simcoop.sweeps.experiments import parameters
from simcoop.analysis.naming import combination_label

# the key figures of the report, in this order
KEY_FIGURES = ("n_igs", "coverage_municipalities", "coverage_population", "mean_members", "n_recognised",
               "cross_region_igs", "dissolutions_total", "dominance_mean", "gini_net_benefit",
               "mean_trust_members", "subsidy_total_eur")
REFERENCE_SCENARIOS = ("current_policy", "baseline")


@dataclass(frozen=True)
class Combination:
    key: str                    # internal: the varying parameters' values joined
    params: dict[str, object]   # the varying parameters and their values
    label: str                  # what people read


def _norm(value: object) -> str:
    """A value as text that matches however it was written ('1.5' and 1.50 agree)."""
    try:
        return repr(float(value)) if not isinstance(value, bool) else str(value)
    except (TypeError, ValueError):
        return str(value)


def varying(df: pd.DataFrame) -> list[str]:
    """The parameters (other than seed) that take more than one value in a loaded sweep."""
    return [p for p in parameters(df) if df[p].astype(str).nunique(dropna=False) > 1]


def fixed_settings(df: pd.DataFrame) -> dict[str, object]:
    """The parameters set on the command line that are the same in every run."""
    return {p: df[p].iloc[0] for p in parameters(df) if p not in varying(df) and p not in ("end_year",)}


def combination_keys(df: pd.DataFrame, names: list[str]) -> pd.Series:
    if not names:
        return pd.Series("all", index=df.index)
    unique = df[names].drop_duplicates()
    unique = unique.assign(_key=["|".join(_norm(v) for v in row) for row in unique.itertuples(index=False)])
    return pd.Series(df[names].merge(unique, on=names, how="left")["_key"].to_numpy(), index=df.index)


def combinations(yearly: pd.DataFrame, lang: str, order: list[dict[str, object]] | None = None,
                 labels: list[str] | None = None) -> list[Combination]:
    """The combinations in the report's order: `order` (as on the command line) when given,
    else the reference scenario first; each with its label (given, or generated).

    Refuses (ConfigError) when given labels do not match the combinations in number, or
    when two combinations would read the same."""
    names = varying(yearly)
    rows = yearly[names].drop_duplicates() if names else pd.DataFrame(index=[0])
    found = [{n: row[n] for n in names} for _, row in rows.iterrows()]
    key = {id(p): "|".join(_norm(p[n]) for n in names) if names else "all" for p in found}
    if order:
        rank = {"|".join(_norm(o.get(n)) for n in names): i for i, o in enumerate(order)}
        found.sort(key=lambda p: rank.get(key[id(p)], len(rank)))
    else:
        found.sort(key=lambda p: (str(p.get("scenario")) not in REFERENCE_SCENARIOS,
                                  [_norm(p[n]) for n in names]))
    if labels is not None and len(labels) != len(found):
        raise ConfigError("labels", ",".join(labels), f"{len(found)} labels separated by commas, one per "
                          "combination in the order of the command line")
    texts = labels or [combination_label(p, lang) for p in found]
    if len(set(texts)) < len(texts):
        double = next(t for t in texts if texts.count(t) > 1)
        raise ConfigError("labels", double, "a different label for every combination (give them with "
                          "labels=a,b,...)")
    return [Combination(key[id(p)], p, t) for p, t in zip(found, texts)]


def end_values(yearly: pd.DataFrame, combos: list[Combination]) -> pd.DataFrame:
    """One row per run: its combination, seed and the key figures in the end year
    (dissolutions_total: IGS dissolved over the whole period, per run)."""
    df = yearly.assign(combo=combination_keys(yearly, varying(yearly)))
    df = df[df["combo"].isin([c.key for c in combos])]
    end = df[df["year"] == df["year"].max()].set_index(["combo", "seed"])
    out = end[[m for m in KEY_FIGURES if m in end.columns and m != "dissolutions_total"]].astype(float)
    out["dissolutions_total"] = df.groupby(["combo", "seed"], observed=True)["dissolutions"].sum()
    return out.reset_index()


def key_figures(values: pd.DataFrame, combos: list[Combination]) -> pd.DataFrame:
    """Per combination and figure: runs, mean, 10% and 90% of single runs, and the difference
    of the mean from the first combination with its 95% interval (Welch)."""
    rows = []
    reference = values[values["combo"] == combos[0].key]
    for c in combos:
        mine = values[values["combo"] == c.key]
        for m in KEY_FIGURES:
            x = mine[m].dropna().to_numpy(float)
            ref = reference[m].dropna().to_numpy(float)
            row = {"combo": c.key, "metric": m, "n": len(x), "mean": x.mean() if len(x) else np.nan,
                   "p10": np.quantile(x, 0.1) if len(x) else np.nan, "p90": np.quantile(x, 0.9) if len(x) else np.nan,
                   "diff": np.nan, "diff_low": np.nan, "diff_high": np.nan}
            if c is not combos[0] and len(x) and len(ref):
                row["diff"] = x.mean() - ref.mean()
                if len(x) > 1 and len(ref) > 1 and (x.std() > 0 or ref.std() > 0):
                    with warnings.catch_warnings():  # near-identical runs: scipy warns, the interval is fine
                        warnings.simplefilter("ignore", RuntimeWarning)
                        ci = stats.ttest_ind(x, ref, equal_var=False).confidence_interval(0.95)
                    row["diff_low"], row["diff_high"] = ci.low, ci.high
                elif len(x) > 1 and len(ref) > 1:
                    row["diff_low"] = row["diff_high"] = row["diff"]
            rows.append(row)
    return pd.DataFrame(rows)
