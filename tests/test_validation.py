"""Pattern-oriented validation on the embedded Flanders data (digest P1-P7), reduced to 5
seeds per scenario (formation runs). Current policy must reproduce P1's partial coverage, P2, P3 and
P7; the others are reported in docs/validation.md, holding or not."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

MUST_HOLD = {
    # the number of recognised IGS is held to the band (17 to 21 through 2020-2025) in
    # the published table (19.9 on 40 seeds, about 1 from the edge: docs/validation.md); 5 seeds
    # cannot hold it to the band, so here only that it is of the right order, besides coverage
    "P1": ["share of municipalities in an IGS in 2020"],
    "P2": None,
    "P3": ["centre-city excess agenda share, 2020 on (current policy)",
           "excess with the IGS's own staff minus current policy (paired by seed)"],
    "P7": None,
}


@pytest.fixture(scope="module")
def pattern_table(tmp_path_factory) -> pd.DataFrame:
    cwd = tmp_path_factory.mktemp("validation")
    proc = subprocess.run([sys.executable, "-m", "simcoop", "-m", "+experiment=validation_small"], cwd=cwd,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return pd.read_parquet(cwd / "sweeps" / "validation_small" / "analysis" / "validation_patterns.parquet")


def test_the_number_of_recognised_igs_is_of_the_right_order(pattern_table):
    """Real: 19 applications in 2019, all recognised (vlaanderen.be); the runs' mean within a few."""
    row = pattern_table[pattern_table["statistic"] == "number of recognised IGS in 2020"].iloc[0]
    assert 15 <= row["mean"] <= 24 and "17 to 21" in row["criterion"]


def test_every_pattern_is_reported(pattern_table):
    assert set(pattern_table["pattern"]) == {f"P{k}" for k in range(1, 8)}
    in_reality = pattern_table["statistic"].str.contains("real coverage")
    # P3's excess is undefined in a run where no centre city is ever in an IGS; such runs are
    # left out (docs/validation.md, P3); every other statistic counts every run
    p3 = pattern_table["pattern"] == "P3"
    assert (pattern_table.loc[~in_reality & ~p3, "n"] == 5).all()
    assert pattern_table.loc[p3, "n"].between(3, 5).all() and (pattern_table.loc[p3, "n"] == 5).any()
    assert pattern_table.loc[in_reality, "n"].tolist() == [1]   # P5's statistic on the real landscape


def test_p5_in_reality_depends_on_the_identity_proxy():
    """Only the streek (UiT region) shows P5 in the real landscape: it is the proxy the
    model's identity must contain for P5 to be a yardstick (docs/validation.md, P5)."""
    from simcoop.analysis.validation import identity_proxies_in_reality
    rho = identity_proxies_in_reality().set_index("proxy")["spearman"]
    assert rho["streek (UiT region) only"] > 0.4
    assert rho["arrondissement only"] < 0.2 and rho["housing IGS only"] < 0.2
    assert rho["defaults"] > 0.2


def test_heritage_cooperation_does_not_predict_where_igs_cultuur_are():
    """In reality a region's share in a known heritage cooperation does not rank the regions
    by IGS cultuur coverage, with the embedded list or with the additions of 2026-12-06
    (docs/validation.md, "Which regions cooperate"): the reason more heritage data cannot
    lift the model's region-coverage Spearman. The additions reach the west the partial list
    misses (CO7 in the Westhoek, Kusterfgoed on the coast)."""
    from simcoop.analysis.validation import heritage_lists_in_reality
    from simcoop.data import heritage_variant
    table = heritage_lists_in_reality().set_index("list")
    assert (table["spearman"].abs() < 0.3).all(), table
    assert (table["cooperations"].diff().dropna() > 0).all() and (table["municipalities"].diff().dropna() > 0).all()
    by_2016 = heritage_variant.additions()
    assert by_2016["coop_name"].str.contains("CO7").any() and by_2016["coop_name"].str.contains("Kusterfgoed").any()
    assert by_2016["source_url"].str.startswith("http").all()
    assert set(heritage_variant.additions(everything=True)["existed_by_2016"]) == {"yes", "no"}


@pytest.mark.parametrize("code", sorted(MUST_HOLD))
def test_baseline_reproduces_pattern(pattern_table, code):
    rows = pattern_table[pattern_table["pattern"] == code]
    if MUST_HOLD[code] is not None:
        rows = rows[rows["statistic"].isin(MUST_HOLD[code])]
        assert len(rows) == len(MUST_HOLD[code])
    failing = rows[~rows["holds"]]
    assert failing.empty, failing[["statistic", "mean", "ci_low", "ci_high", "criterion"]].to_string()
