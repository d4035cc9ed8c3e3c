"""Pattern-oriented validation: does the model reproduce the digest's patterns P1-P7?

Each pattern is a statistic computed per run (or per seed, paired across scenarios), its
mean with a 95% confidence interval across seeds, and a criterion stated before looking.
`python -m simcoop.analysis.validation SWEEP_DIR --write docs/validation.md` puts the
table into the documentation.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from simcoop.analysis.common import interval, write_table
from simcoop.analysis.who_with_whom import reality
from simcoop.config import AttributesConfig
from simcoop.data import heritage_variant, realdata
from simcoop.data.landscape import embedded_path, load_landscape
from simcoop.model.attributes import affinity_of, identity_of
from simcoop.sweeps.experiments import load

START, END = "<!-- patterns:start -->", "<!-- patterns:end -->"
P5_YEARS = (2020, 2025)   # the period of the real IGS cultuur P5 is also computed on


@dataclass
class Pattern:
    code: str
    statement: str
    statistic: str
    values: pd.Series  # one value per run or per seed
    criterion: str
    holds: bool

    def row(self) -> dict:
        v = self.values.dropna().to_numpy(dtype=float)
        mean, low, high = interval(v)
        return {"pattern": self.code, "statement": self.statement, "statistic": self.statistic,
                "n": len(v), "mean": mean, "ci_low": low, "ci_high": high, "criterion": self.criterion,
                "holds": bool(self.holds)}


def _at(yearly: pd.DataFrame, scenario: str, year: int, metric: str) -> pd.Series:
    rows = yearly[(yearly["scenario"] == scenario) & (yearly["year"] == year)]
    return rows.set_index("seed")[metric]


def _paired(a: pd.Series, b: pd.Series) -> pd.Series:
    """a - b per seed, for seeds present in both."""
    return (a - b).dropna()


# the band: 17 to 21 recognised IGS through the period 2020-2025 (real: 19 throughout)
P1_YEARS, P1_BAND = (2020, 2025), (17.0, 21.0)


def p1_yearly_means(yearly: pd.DataFrame) -> pd.Series:
    """Mean number of recognised IGS per year of P1's period, over the runs given."""
    period = yearly[yearly["year"].between(*P1_YEARS)]
    return period.groupby("year")["n_recognised"].mean()


def p1_met(yearly_means: pd.Series) -> bool:
    """P1's count: every year of the period present and counted, each yearly mean within the band."""
    years = P1_YEARS[1] - P1_YEARS[0] + 1
    return bool(len(yearly_means) == years and yearly_means.notna().all()
                and P1_BAND[0] <= yearly_means.min() and yearly_means.max() <= P1_BAND[1])


def patterns(yearly: pd.DataFrame, membership: pd.DataFrame, events: pd.DataFrame,
             igs: pd.DataFrame) -> list[Pattern]:
    base = "current_policy"
    out = []

    recognised = _at(yearly, base, 2020, "n_recognised")
    yearly_means = p1_yearly_means(yearly[yearly["scenario"] == base])
    low, high = float(yearly_means.min()), float(yearly_means.max())
    out.append(Pattern("P1", "around 19 recognised IGS cultuur (2019-2020)", "number of recognised IGS in 2020",
                       recognised, f"mean within {P1_BAND[0]:.0f} to {P1_BAND[1]:.0f} in every year "
                       f"{P1_YEARS[0]}-{P1_YEARS[1]} (yearly means {low:.1f} to {high:.1f})", p1_met(yearly_means)))
    cover = _at(yearly, base, 2020, "coverage_municipalities")
    _, c_lo, c_hi = interval(cover.to_numpy(float))
    out.append(Pattern("P1", "cooperation grows but does not cover all municipalities",
                       "share of municipalities in an IGS in 2020", cover, "95% CI within 0.2 to 0.9",
                       bool(0.2 <= c_lo and c_hi <= 0.9)))

    above = _at(yearly, base, 2020, "share_igs_above_norm")
    out.append(Pattern("P2", "most IGS above the 85,000-inhabitant norm", "share of IGS >= 85,000 in 2020", above,
                       "mean >= 0.75", bool(above.mean() >= 0.75)))
    small = _at(yearly, base, 2020, "share_igs_at_most_12_members")
    out.append(Pattern("P2", "few IGS beyond 10-12 members", "share of IGS with <= 12 members in 2020", small,
                       "mean >= 0.9", bool(small.mean() >= 0.9)))

    recent = yearly[yearly["year"] >= 2020]
    excess = recent.groupby(["scenario", "seed"], observed=True)["centre_excess_mean"].mean()
    base_excess = excess.loc[base].dropna()   # undefined in a run where no centre city is ever in an IGS
    _, lo, _ = interval(base_excess.to_numpy(float))
    out.append(Pattern("P3", "a centre city's agenda share exceeds its population share",
                       "centre-city excess agenda share, 2020 on (current policy)", base_excess, "95% CI above 0",
                       bool(lo > 0)))
    for scenario, label in (("own_igs_staff", "excess with the IGS's own staff minus current policy (paired by seed)"),
                            ("regional_coordinators", "excess with 1 FTE Flemish coordinator minus current policy "
                                                      "(paired by seed)")):
        if scenario in excess.index.get_level_values(0):
            diff = _paired(excess.loc[scenario], base_excess)
            _, _, hi = interval(diff.to_numpy(float))
            out.append(Pattern("P3", "dominance falls as the IGS's own staff grows", label, diff,
                               "95% CI below 0", bool(hi < 0)))

    if "no_heritage_cells" in set(yearly["scenario"]):
        early = 2018
        diff = _paired(_at(yearly, base, early, "coverage_municipalities"),
                       _at(yearly, "no_heritage_cells", early, "coverage_municipalities"))
        _, lo, _ = interval(diff.to_numpy(float))
        out.append(Pattern("P4", "prior cooperation (heritage cells) makes IGS form earlier",
                           f"coverage in {early}: with minus without heritage cells (paired)", diff,
                           "95% CI above 0", bool(lo > 0)))

    m = membership[membership["scenario"] == base]
    # the years of the real landscape it is compared with (the IGS cultuur of 2020-25)
    in_window = m[m["year"].between(*P5_YEARS)]
    m = in_window if len(in_window) else m
    per_region = m.groupby(["seed", "referentieregio"], observed=True).agg(
        identity=("identity", "mean"), coverage=("igs_id", lambda s: s.notna().mean()))
    rho = per_region.groupby("seed").apply(lambda d: stats.spearmanr(d["identity"], d["coverage"])[0])
    _, lo, _ = interval(rho.dropna().to_numpy(float))
    out.append(Pattern("P5", "regions with a weak shared identity cooperate less",
                       f"Spearman correlation of regional identity and coverage {P5_YEARS[0]}-{P5_YEARS[1]} "
                       "(current policy)", rho,
                       "95% CI above 0", bool(lo > 0)))
    real_rho = p5_in_reality(m)
    if real_rho is not None:
        out.append(Pattern("P5", "the same statistic in reality (the yardstick the model is held to)",
                           "Spearman of the runs' regional identity and real coverage by the 19 IGS cultuur "
                           "2020-25 (one value)", pd.Series([real_rho]), "> 0", bool(real_rho > 0)))

    g = igs[igs["scenario"] == base]
    established = g[g["recognised"]].groupby(["seed"])["igs_id"].unique()
    dissolved = events[(events["scenario"] == base) & (events["event"] == "dissolve")
                       & (events["reason"] != "merger")]   # a merger is no breakup
    share = pd.Series({seed: np.isin(ids, dissolved.loc[dissolved["seed"] == seed, "igs_id"]).mean()
                       for seed, ids in established.items()})
    out.append(Pattern("P6", "some partnerships break up after a few years",
                       "share of recognised IGS that dissolve by the end year (current policy)", share,
                       "mean > 0", bool(share.mean() > 0)))
    y = yearly[yearly["scenario"] == base]
    # the share of a run's leaves that fall in a legislature's first years over the share of its
    # years that are such years (1: no clustering); defined for every run with a leave, also
    # when all leaves fall in those years (a ratio of yearly rates would then divide by 0)
    by_seed = y.groupby("seed")
    ratio = ((y["leaves"] * y["legislature_start"]).groupby(y["seed"]).sum() / by_seed["leaves"].sum()
             / by_seed["legislature_start"].mean()).replace([np.inf, -np.inf], np.nan).dropna()
    out.append(Pattern("P6", "breakups cluster around elections",
                       "share of leaves in a legislature's first years / share of those years (current policy)",
                       ratio, "mean > 1", bool(len(ratio) and ratio.mean() > 1)))

    if "regions_by_2028" in set(yearly["scenario"]):
        cross = _at(yearly, "regions_by_2028", 2028, "cross_region_igs")
        before = _at(yearly, "regions_by_2028", 2027, "cross_region_igs")
        out.append(Pattern("P7", "aligning to the reference regions cuts cross-border IGS",
                           "cross-region IGS in 2028 under the rule (2027: "
                           f"{before.mean():.1f})", cross, "all 0 and some before",
                           bool((cross == 0).all() and before.mean() > 0)))
        drop = _paired(_at(yearly, "regions_by_2028", 2028, "coverage_municipalities")
                       - _at(yearly, "regions_by_2028", 2027, "coverage_municipalities"),
                       _at(yearly, base, 2028, "coverage_municipalities")
                       - _at(yearly, base, 2027, "coverage_municipalities"))
        _, _, hi = interval(drop.to_numpy(float))
        out.append(Pattern("P7", "forced borders temporarily lower cooperation",
                           "change in coverage 2027-2028, rule minus current policy (paired)", drop,
                           "95% CI below 0", bool(hi < 0)))
    return out


def _per_region(identity: np.ndarray, covered: np.ndarray, region: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"identity": identity, "covered": covered, "region": region}).groupby("region").mean()


def region_rho(identity: np.ndarray, covered: np.ndarray, region: np.ndarray) -> float:
    """P5's statistic: Spearman, over regions, of mean identity and the share covered."""
    per_region = _per_region(identity, covered, region)
    return float(stats.spearmanr(per_region["identity"], per_region["covered"])[0])


def region_rho_p(identity: np.ndarray, covered: np.ndarray, region: np.ndarray, n: int = 9999) -> float:
    """One-sided permutation p-value of `region_rho` (regions' identities shuffled): with 15
    regions a correlation of 0.36 is weak evidence, and this says how weak."""
    per_region = _per_region(identity, covered, region)
    test = stats.permutation_test((per_region["identity"].to_numpy(),),
                                  lambda x: stats.spearmanr(x, per_region["covered"])[0],
                                  permutation_type="pairings", n_resamples=n, alternative="greater", random_state=0)
    return float(test.pvalue)


def p5_in_reality(membership: pd.DataFrame) -> float | None:
    """P5's statistic with the runs' identity (from data, the same in every run) and the real
    IGS cultuur of 2020-25; None when the runs are not on the embedded Flanders map."""
    land = load_landscape()
    one = membership[(membership["seed"] == membership["seed"].min())
                     & (membership["year"] == membership["year"].max())]
    identity = pd.Series(one["identity"].to_numpy(float), index=one["nis"].to_numpy()).groupby(level=0).first()
    if set(identity.index) != set(land.nis.tolist()):
        return None
    return region_rho(identity.reindex(land.nis).to_numpy(), reality(land).members, land.region)


PROXIES = {"streek (UiT region)": "affinity_uit_region", "arrondissement": "affinity_arrondissement",
           "shared heritage cooperation": "affinity_heritage", "housing IGS": "affinity_housing"}


def identity_proxies_in_reality() -> pd.DataFrame:
    """Does each identity proxy, alone and combined as in the defaults, show P5 in the real
    landscape? (A proxy that does not is no yardstick for the model.)"""
    land = load_landscape()
    real, covered = realdata.load(land, embedded_path()), reality(land).members
    defaults = AttributesConfig()
    rows = []
    for name, weights in [("defaults", {}), *[(f"{k} only", {w: 1.0 for w in [v]}) for k, v in PROXIES.items()]]:
        cfg = defaults if not weights else AttributesConfig(**{**{v: 0.0 for v in PROXIES.values()}, **weights})
        identity = identity_of(affinity_of(land, real, cfg), land.neighbours)
        rows.append({"proxy": name, "spearman": region_rho(identity, covered, land.region),
                     "p_one_sided": region_rho_p(identity, covered, land.region)})
    return pd.DataFrame(rows)


def heritage_lists_in_reality() -> pd.DataFrame:
    """Does prior heritage cooperation predict where the real IGS cultuur are? Per list, the
    Spearman over the reference regions of the share of municipalities in a known heritage
    cooperation (two or more members) and real coverage. The model's formation runs lean on
    that share (P4), so if it does not predict reality, neither can they (docs/validation.md)."""
    land = load_landscape()
    covered = reality(land).members
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, folder in [("embedded partial list", embedded_path()),
                             ("+ additions that existed by 2016", heritage_variant.write(Path(tmp) / "by_2016")),
                             ("+ all additions", heritage_variant.write(Path(tmp) / "all", everything=True))]:
            groups, _ = realdata.heritage(land, folder)
            listed = np.zeros(land.n)
            for members in groups:
                listed[members] = 1.0
            rows.append({"list": name, "cooperations": len(groups), "municipalities": int(listed.sum()),
                         "spearman": region_rho(listed, covered, land.region),
                         "p_one_sided": region_rho_p(listed, covered, land.region)})
    return pd.DataFrame(rows)


def pattern_table(sweep_dir: str | Path) -> pd.DataFrame:
    yearly = load(sweep_dir)
    rows = [p.row() for p in patterns(yearly, load(sweep_dir, "membership"), load(sweep_dir, "events"),
                                      load(sweep_dir, "igs"))]
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    lines = ["| pattern | statement | statistic | n | mean [95% CI] | criterion | holds |",
             "|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.pattern} | {r.statement} | {r.statistic} | {r.n} | "
                     f"{r.mean:.3g} [{r.ci_low:.3g}, {r.ci_high:.3g}] | {r.criterion} | "
                     f"{'yes' if r.holds else '**no**'} |")
    return "\n".join(lines)


def analyse(sweep_dir: Path, out: Path) -> list[Path]:
    table = pattern_table(sweep_dir)
    md = out / "validation_patterns.md"
    md.write_text(markdown(table) + "\n", encoding="utf-8")
    return [write_table(table, out / "validation_patterns.parquet"), md]


def write_into(doc: Path, table: pd.DataFrame, sweep_dir: str) -> None:
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    seeds = table["n"].max()
    block = f"{START}\n_From `{sweep_dir}` ({seeds} seeds per scenario)._\n\n{markdown(table)}\n{END}"
    doc.write_text(head + block + tail, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--identity-proxies"]:
        print(identity_proxies_in_reality().to_string(index=False, float_format="%.3f"))
    elif sys.argv[1:] == ["--heritage-lists"]:
        print(heritage_lists_in_reality().to_string(index=False, float_format="%.3f"))
    elif len(sys.argv) == 4 and sys.argv[2] == "--write":
        write_into(Path(sys.argv[3]), pattern_table(sys.argv[1]), sys.argv[1])
    else:
        print(markdown(pattern_table(sys.argv[1])))
