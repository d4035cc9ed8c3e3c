"""Scalar outcomes of a run: what sensitivity analysis, PRIM and EMA Workbench need from
the four tables, without writing pandas.

An outcome is named by a spec string `METRIC[:STAT]`:

- METRIC: a column of the yearly table (`coverage_municipalities`, `n_igs`, ...), or one
  of the derived outcomes in `DERIVED` (`breakup_rate`, and `coverage` / `dominance`, the
  sensitivity analysis' names for a five-year mean);
- STAT: `end` (the end year; the default), or `mean`, `max`, `min`, `sum` over all years,
  or over the last N years with N appended (`mean5`).

    >>> from simcoop import outcomes
    >>> outcomes.scalars(result, ["coverage_municipalities", "dominance_mean:mean5", "breakup_rate"])
    {'coverage_municipalities': 0.61, 'dominance_mean:mean5': 0.12, 'breakup_rate': 0.02}
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from simcoop.errors import ConfigError
from simcoop.labels import label

STATS = ("end", "mean", "max", "min", "sum")
# derived outcomes: name -> (yearly column, statistic) or None for breakup_rate (needs the igs table)
DERIVED: dict[str, tuple[str, str] | None] = {
    "coverage": ("coverage_municipalities", "mean5"),
    "dominance": ("dominance_mean", "mean5"),
    "breakup_rate": None,  # dissolutions per IGS-year over the whole run
}
_SPEC = re.compile(r"^(?P<metric>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<stat>[a-z]+)(?P<n>[1-9][0-9]*)?)?$")


@dataclass(frozen=True)
class Outcome:
    """A scalar per run: `stat` of the yearly `metric`, over the last `years` years (None: all)."""
    spec: str
    metric: str
    stat: str = "end"
    years: int | None = None

    def label(self, lang: str = "en") -> str:
        """The readable name, e.g. 'dominance (...) (mean over the last 5 years)'."""
        if self.stat == "rate":
            return label("breakup_rate", lang)
        if self.stat == "end":
            return f"{label(self.metric, lang)} ({label('stat.end', lang)})"
        window = label("stat.window", lang).format(n=self.years) if self.years else label("stat.all", lang)
        return f"{label(self.metric, lang)} ({label(f'stat.{self.stat}', lang)} {window})"


def parse(spec: str, columns: list[str] | None = None) -> Outcome:
    """The Outcome of a spec string; ConfigError (one line) for an unknown metric or statistic.
    `columns` (the yearly table's) are the metrics accepted; default: those of the schema's model."""
    if columns is None:
        from simcoop.model import YEARLY_METRICS

        columns = list(YEARLY_METRICS)
    numeric = [c for c in columns if c not in ("year", "legislature_start")]
    accepted = ("METRIC[:STAT] with METRIC one of " + ", ".join([*DERIVED, *numeric])
                + "; STAT one of " + ", ".join(STATS) + ", optionally with a number of last years (mean5)")
    match = _SPEC.match(spec) if isinstance(spec, str) else None
    if not match:
        raise ConfigError("outcome", spec, accepted)
    metric, stat, n = match["metric"], match["stat"] or "end", match["n"]
    if metric in DERIVED:
        if match["stat"]:
            raise ConfigError("outcome", spec, f"{metric} without :STAT (it is {_derived_text(metric)})")
        if DERIVED[metric] is None:
            return Outcome(spec, metric, "rate")
        base = parse(f"{DERIVED[metric][0]}:{DERIVED[metric][1]}", columns)
        return Outcome(spec, base.metric, base.stat, base.years)
    if metric not in numeric or stat not in STATS or (stat == "end" and n):
        raise ConfigError("outcome", spec, accepted)
    return Outcome(spec, metric, stat, int(n) if n else None)


def _derived_text(name: str) -> str:
    return "dissolutions per IGS-year" if DERIVED[name] is None else ":".join(DERIVED[name])


def compute(yearly: pd.DataFrame, igs: pd.DataFrame | None, specs: list[str],
            by: list[str] | None = None) -> pd.DataFrame:
    """One row per run (the `by` columns identify a run in a merged sweep; none for one
    run), one column per spec."""
    parsed = [parse(s, list(yearly.columns)) for s in specs]
    keys = list(by) if by else ["_run"]
    df = yearly if by else yearly.assign(_run=0)
    end = df.groupby(keys, observed=True)["year"].transform("max")
    out = {}
    for o in parsed:
        if o.stat == "rate":
            if igs is None:
                raise ConfigError("outcome", o.spec, "an outcome of the yearly table (breakup_rate needs the igs table)")
            igs_years = (igs if by else igs.assign(_run=0)).groupby(keys, observed=True).size()
            dissolutions = df.groupby(keys, observed=True)["dissolutions"].sum()
            out[o.spec] = (dissolutions / igs_years.reindex(dissolutions.index)).fillna(0.0)
        elif o.stat == "end":  # the end year's value (missing stays missing, unlike groupby.last)
            out[o.spec] = df[df["year"] == end].groupby(keys, observed=True)[o.metric].first()
        else:
            rows = df[df["year"] > end - o.years] if o.years else df
            out[o.spec] = rows.groupby(keys, observed=True)[o.metric].agg(o.stat)
    table = pd.DataFrame(out)
    return table.reset_index() if by else table.reset_index(drop=True)


def scalars(result, specs: list[str]) -> dict[str, float]:
    """The outcomes of one SimulationResult as {spec: value}."""
    row = compute(result.yearly, result.igs, list(specs)).iloc[0]
    return {s: float(row[s]) for s in specs}
