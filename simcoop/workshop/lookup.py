"""'What does this scenario mean for my municipality?': per municipality and combination,
in how many runs it is in an IGS, in which, with whom, what it pays and receives, why it
left, and its history in one run, as ready-to-read text (Dutch or English).
"""

from __future__ import annotations

import pandas as pd

from simcoop.labels import count, euro, fmt_difference, has_label, label

TOP_PARTNERS = 5


def reason_text(reason: object, lang: str) -> str:
    key = f"reason.{reason}"
    return label(key, lang) if has_label(key) else str(reason).replace("_", " ")


def history_lines(events: pd.DataFrame, names: pd.DataFrame, first: pd.DataFrame, lang: str) -> dict[int, list[str]]:
    """Each municipality's joins and leaves in one run, as sentences
    ('2031: verliet IGS Kempen door de regioregel'); `names` maps (year, igs_id) to a name,
    `first` is the first year's membership (an IGS held at the start has no join event)."""
    named = names.sort_values("year")

    def igs_at(igs_id: int, year: int) -> str:
        rows = named[named["igs_id"] == igs_id]
        before = rows[rows["year"] <= year]
        pick = before.iloc[-1] if len(before) else (rows.iloc[0] if len(rows) else None)
        return pick["igs_name"] if pick is not None else label("none", lang)

    out: dict[int, list[str]] = {}
    start_year = int(first["year"].min()) if len(first) else None
    joined_first = set(events[(events["year"] == start_year) & events["event"].isin(["found", "join"])]["nis"]
                       .dropna().astype(int))
    for row in first[first["igs_id"].notna()].itertuples():
        if int(row.nis) not in joined_first:
            out.setdefault(int(row.nis), []).append(
                label("history.start", lang).format(year=start_year, igs=row.igs_name))
    moves = events[events["event"].isin(["found", "join", "leave"]) & events["nis"].notna()]
    for row in moves.sort_values("year", kind="stable").itertuples():
        text = label(f"history.{row.event}", lang).format(year=int(row.year), igs=igs_at(int(row.igs_id), int(row.year)),
                                                         reason=reason_text(row.reason, lang))
        out.setdefault(int(row.nis), []).append(text.strip())
    return out


def municipality_view(end: pd.DataFrame, events: pd.DataFrame, lang: str, end_year: int) -> dict[int, dict]:
    """For one combination: per NIS code, the text of its card.

    `end`: the end year's membership of every run of the combination, with `seed` and
    `igs_name`; `events`: the combination's events of every run (with `seed`)."""
    runs = end["seed"].nunique()
    members = end[end["igs_id"].notna()]
    in_igs = members.groupby("nis")["seed"].nunique()
    usual = (members.groupby(["nis", "igs_name"]).size().rename("k").reset_index()
             .sort_values(["nis", "k", "igs_name"], ascending=[True, False, True]).drop_duplicates("nis")
             .set_index("nis"))
    pairs = members[["seed", "igs_id", "nis"]].merge(members[["seed", "igs_id", "nis", "name"]],
                                                     on=["seed", "igs_id"], suffixes=("", "_partner"))
    pairs = pairs[pairs["nis"] != pairs["nis_partner"]]
    partners = (pairs.groupby(["nis", "name"], observed=True).size().rename("k").reset_index()
                .sort_values(["nis", "k", "name"], ascending=[True, False, True]).groupby("nis").head(TOP_PARTNERS))
    money = members.assign(net=members["subsidy_eur"] - members["contribution_eur"]).groupby("nis")[
        ["contribution_eur", "subsidy_eur", "net"]].mean()
    leaves = events[(events["event"] == "leave") & events["nis"].notna()]
    left = leaves.groupby(["nis", "reason"], observed=True)["seed"].nunique().rename("k").reset_index()

    view: dict[int, dict] = {}
    for nis in end["nis"].unique():
        nis = int(nis)
        k = int(in_igs.get(nis, 0))
        card = {"in": label("report.in_igs", lang).format(k=k, n=runs)}
        if nis in usual.index:
            card["usual"] = label("report.usual_igs", lang).format(igs=usual.at[nis, "igs_name"])
        mine = partners[partners["nis"] == nis]
        card["partners"] = ", ".join(label("report.partner_count", lang).format(name=r.name, k=int(r.k), n=runs)
                                     for r in mine.itertuples())
        if nis in money.index:
            m = money.loc[nis]
            card["money"] = label("report.money", lang).format(
                end=end_year, contribution=euro(m["contribution_eur"], lang), subsidy=euro(m["subsidy_eur"], lang),
                net=fmt_difference("net_eur", m["net"], lang))
        card["left"] = [label("report.left_reasons", lang).format(reason=reason_text(r.reason, lang), k=count(r.k, lang),
                                                                  n=runs)
                        for r in left[left["nis"] == nis].itertuples()]
        view[nis] = card
    return view
