"""Names people recognise: of IGS (real name, or after the largest member) and of scenarios.

No internal name reaches a screen: a scenario without an entry in `labels.py` is
described by how its config differs from the defaults, and a swept override by its
label and value.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from simcoop.labels import has_label, label, override_label, value_text

RUN_KEYS_NOT_SHOWN = {"seed", "sweep_name", "scenario_name", "experiment.name", "sample.file", "sample.id",
                      "data.path", "hydra"}


def igs_names(membership: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """One row per IGS and year (and `by` columns, e.g. the run): its name.

    The real name when the results carry one (`igs_name`). Otherwise the IGS is named after
    its largest member in its last year, the same name in every year of the run (so it
    keeps its name and colour while members come and go); an IGS dissolved before the end
    says until when ("IGS Mol (tot 2024)"), so names within a run are unique."""
    keys = [*(by or []), "year", "igs_id"]
    members = membership[membership["igs_id"].notna()]
    if "igs_name" in members.columns and members["igs_name"].notna().any():
        named = members.dropna(subset=["igs_name"]).drop_duplicates(keys)
        return named[keys].assign(igs_name=named["igs_name"].astype(str).to_numpy()).reset_index(drop=True)
    run = [*(by or [])]
    years = members[keys].drop_duplicates()
    run_end = membership.groupby(run, observed=True)["year"].max().rename("run_end") if run else \
        pd.Series({"_": membership["year"].max()}, name="run_end")
    top = members.sort_values(["year", "population"], ascending=[True, False], kind="stable").drop_duplicates(keys)
    last = top.drop_duplicates([*run, "igs_id"], keep="last")
    last = last.join(run_end, on=run) if run else last.assign(run_end=run_end.iloc[0])
    names = [label("igs.named_after").format(name=n) + ("" if y >= end else " " + label("igs.until").format(year=y))
             for n, y, end in zip(last["name"].astype(str), last["year"], last["run_end"])]
    last = last[[*run, "igs_id"]].assign(igs_name=names)
    return years.merge(last, on=[*run, "igs_id"], how="left").sort_values(keys).reset_index(drop=True)


def with_igs_names(membership: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """The membership rows with an `igs_name` column (None outside an IGS)."""
    if "igs_name" in membership.columns and membership["igs_name"].notna().any():
        return membership.assign(igs_name=membership["igs_name"].astype(object).where(membership["igs_id"].notna(),
                                                                                        None))
    keys = [*(by or []), "year", "igs_id"]
    names = igs_names(membership, by)
    out = membership.drop(columns=["igs_name"], errors="ignore").merge(names, on=keys, how="left")
    out["igs_name"] = out["igs_name"].astype(object).where(out["igs_name"].notna(), None)
    return out


def _flat(d: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
    return out


def field_label(key: str, value: object, lang: str) -> str:
    """An override in words, also for choice fields (key.name=per_budget -> 'verdeelsleutel:
    volgens begroting') and, as a last resort, for a field the table lacks (its name in words)."""
    group = key.rsplit(".", 1)[0]
    if "." in key and isinstance(value, str) and has_label(f"{group}.{value}") and has_label(group):
        return f"{label(group, lang)}: {label(f'{group}.{value}', lang)}"
    text = override_label(key, value, lang)
    if text is None:
        text = f"{key.rsplit('.', 1)[-1].replace('_', ' ')}: {value_text(value, lang)}"
    return text


@lru_cache(maxsize=64)
def scenario_differences(name: str) -> tuple[tuple[str, object], ...]:
    """The fields a scenario sets differently from the default config."""
    from omegaconf import OmegaConf

    from simcoop.run import compose

    def flat(overrides: list[str]) -> dict[str, object]:
        return _flat(OmegaConf.to_container(compose(overrides), resolve=True))

    base, scen = flat([]), flat([f"scenario={name}"])
    return tuple((k, v) for k, v in scen.items() if k not in RUN_KEYS_NOT_SHOWN and base.get(k) != v)


def scenario_label(name: str, lang: str = "nl") -> str:
    """A scenario's readable name: from the table, else what it changes ('verdeelsleutel:
    volgens begroting, regioregel: ...'), else 'standaardinstellingen'."""
    if has_label(f"scenario.{name}"):
        return label(f"scenario.{name}", lang)
    diffs = scenario_differences(name)
    if not diffs:
        return label("scenario.defaults", lang)
    text = "; ".join(field_label(k, v, lang) for k, v in diffs)
    return text[0].upper() + text[1:]


def combination_label(params: dict[str, object], lang: str = "nl") -> str:
    """A readable label for one combination of overrides (scenario first)."""
    parts = [scenario_label(str(params["scenario"]), lang)] if "scenario" in params else []
    parts += [field_label(k, v, lang) for k, v in params.items() if k != "scenario" and k not in RUN_KEYS_NOT_SHOWN]
    text = ", ".join(parts) or label("scenario.defaults", lang)
    return text[0].upper() + text[1:]
