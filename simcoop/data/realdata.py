"""The real Flemish landscape beyond the map: IGS cultuur of 2020-2025, fiscal capacity,
known heritage partnerships, arrondissements, housing IGS and the UiT regions (streken).

Each file is optional for a custom `data.path` (the model falls back to derived values
and says so in docs/ODD.md), but is validated like the main files when present: one-line
errors name the file, row and field. Synthetic landscapes get stand-ins from the run's RNG.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simcoop.errors import DataError
from simcoop.data.landscape import MUNICIPALITIES, Landscape, _codes, _first_bad, _numeric

IGS_FILE = "igs_cultuur_2020_2025.csv"
FISCAL_FILE = "fiscal_income_2022.csv"
HERITAGE_FILE = "heritage_cooperation_partial.csv"
MAX_HERITAGE_GROUPS = 63
HOUSING_FILE = "igs_wonen.csv"
UIT_REGIONS_FILE = "uit_regions_2019.csv"
INVESTMENT_FILE = "municipal_investment_bbc.csv"
MERGER_FILE = "merger_2025.csv"
PREDECESSORS_FILE = "municipalities_2024.csv"
# Aarschot and Diest left Cultuurregio de Merode around 2022 (confidence notes in IGS_FILE)
KNOWN_LEAVERS = {("Cultuurregio de Merode", "Aarschot"), ("Cultuurregio de Merode", "Diest")}
RECOGNISED_SINCE = 2020   # the 19 IGS were recognised at the end of 2019 for 2020-2025
OPTIONAL_FILES = (IGS_FILE, FISCAL_FILE, HERITAGE_FILE, HOUSING_FILE, INVESTMENT_FILE, MERGER_FILE, PREDECESSORS_FILE,
                  UIT_REGIONS_FILE)


@dataclass(frozen=True)
class RealIGS:
    name: str
    members: np.ndarray       # indices into the landscape
    since: int                # first year of cooperation known


@dataclass(frozen=True)
class RealData:
    """What the data says beyond population and borders (index i = landscape index i)."""
    income_per_inhabitant: np.ndarray   # EUR, Statbel net taxable income 2022 / inhabitants
    municipal_tax: np.ndarray           # EUR/year, yield of the municipal income-tax surcharge
    province: np.ndarray                # str
    arrondissement: np.ndarray          # int code, -1 unknown
    heritage_groups: tuple[np.ndarray, ...]  # known erfgoedcel/IOED member sets (indices)
    heritage_known: np.ndarray          # bool: the municipality appears in the partial list
    housing_igs: np.ndarray             # int code of its housing IGS, -1 none
    uit_regions: np.ndarray             # int64 bit mask of its UiT regions (streken), 0 unknown
    igs: tuple[RealIGS, ...]            # the real IGS cultuur on this map (empty if unknown)
    fiscal_from_data: bool              # False: income derived (no fiscal file)


def _read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    name = path.name
    try:
        df = pd.read_csv(path, encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError(name, None, None, "not UTF-8 text; save the file as UTF-8") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, ValueError) as exc:
        raise DataError(name, None, None, f"cannot be parsed as CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(name, None, missing[0], f"missing column; required columns: {', '.join(required)}")
    return df


def _index_of(land: Landscape, df: pd.DataFrame, file: str, col: str, known_only: bool = False) -> np.ndarray:
    """Landscape index per row (-1 for codes not on the map when known_only)."""
    codes = _codes(df, file, col)
    index = {int(c): i for i, c in enumerate(land.nis)}
    idx = np.array([index.get(int(c), -1) for c in codes], dtype=np.int64)
    if not known_only and (idx < 0).any():
        row = _first_bad(df, pd.Series(idx < 0))
        raise DataError(file, row, col, f"unknown NIS code {codes[row - 1]}; must be a nis in {MUNICIPALITIES}")
    return idx


def fiscal(land: Landscape, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Income per inhabitant and municipal surcharge yield (EUR/year), one per municipality."""
    df = _read(folder / FISCAL_FILE, ("nis", "inhabitants", "total_net_taxable_income_eur",
                                      "municipal_and_agglomeration_tax_eur"))
    idx = _index_of(land, df, FISCAL_FILE, "nis")
    inhabitants = _numeric(df, FISCAL_FILE, "inhabitants")
    income = _numeric(df, FISCAL_FILE, "total_net_taxable_income_eur")
    tax = _numeric(df, FISCAL_FILE, "municipal_and_agglomeration_tax_eur")
    for col, values, ok in (("inhabitants", inhabitants, inhabitants > 0), ("total_net_taxable_income_eur", income,
                            income > 0), ("municipal_and_agglomeration_tax_eur", tax, tax >= 0)):
        if not ok.all():
            row = _first_bad(df, pd.Series(~ok))
            raise DataError(FISCAL_FILE, row, col, f"{values[row - 1]:g} is out of range; expected a positive amount")
    per_inh = np.full(land.n, np.nan)
    per_inh[idx] = income / inhabitants
    surcharge = np.full(land.n, np.nan)
    surcharge[idx] = tax
    if np.isnan(per_inh).any():
        raise DataError(FISCAL_FILE, None, "nis", f"no row for {land.name[np.isnan(per_inh)][0]}; "
                        f"expected one row per municipality of {MUNICIPALITIES}")
    return per_inh, surcharge


def heritage(land: Landscape, folder: Path) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Known heritage cooperations (erfgoedcel or IOED, any period) with two or more members
    on this map, and who appears in the partial list at all."""
    df = _read(folder / HERITAGE_FILE, ("coop_type", "coop_name", "nis_2025"))
    idx = _index_of(land, df, HERITAGE_FILE, "nis_2025")
    groups = []
    for _, rows in df.assign(idx=idx).groupby(["coop_type", "coop_name"], sort=True):
        members = np.unique(rows["idx"].to_numpy())
        if len(members) >= 2:
            groups.append(members)
    if len(groups) > MAX_HERITAGE_GROUPS:   # affinity keeps them as bits of one int64 per municipality
        raise DataError(HERITAGE_FILE, None, "coop_name", f"{len(groups)} cooperations with two or more members; "
                        f"at most {MAX_HERITAGE_GROUPS} are accepted")
    known = np.zeros(land.n, dtype=bool)
    known[idx] = True
    return tuple(groups), known


def housing(land: Landscape, folder: Path) -> np.ndarray:
    df = _read(folder / HOUSING_FILE, ("igs_code", "igs_name", "nis"))
    idx = _index_of(land, df, HOUSING_FILE, "nis")
    code = np.full(land.n, -1, dtype=np.int64)
    has = (df["igs_code"].astype(str).str.startswith("igs") & (df["igs_name"].astype(str) != "Geen IGS")).to_numpy()
    code[idx[has]] = df.loc[has, "igs_code"].astype(str).str[3:].astype(int).to_numpy()
    return code


def uit_regions(land: Landscape, folder: Path) -> np.ndarray:
    """Bit mask of the UiT regions (toeristische streken, SOURCES.md) of each municipality;
    a merged municipality keeps every region of its parts."""
    df = _read(folder / UIT_REGIONS_FILE, ("nis_2025", "uit_region"))
    idx = _index_of(land, df, UIT_REGIONS_FILE, "nis_2025")
    names = df["uit_region"].astype(str).str.strip()
    empty = (names == "") | df["uit_region"].isna()
    if empty.any():
        raise DataError(UIT_REGIONS_FILE, _first_bad(df, empty), "uit_region", "empty; expected a region name")
    regions = sorted(set(names))
    if len(regions) > 63:
        raise DataError(UIT_REGIONS_FILE, None, "uit_region", f"{len(regions)} regions; at most 63 are supported")
    bit = {r: k for k, r in enumerate(regions)}
    mask = np.zeros(land.n, dtype=np.int64)
    for i, r in zip(idx, names):
        mask[i] |= np.int64(1) << np.int64(bit[r])
    return mask


def real_igs(land: Landscape, folder: Path) -> tuple[RealIGS, ...]:
    """The real IGS cultuur on the 2025 map.

    Members known to have left (Aarschot, Diest) are dropped. A merged municipality is placed
    in the IGS whose member predecessors held most of its 2020 inhabitants, and only if they
    held at least half of them: a merger takes over its predecessors' memberships, but a
    small member predecessor does not make its larger partner a member (Borsbeek, in
    Zuidrand, does not put Antwerpen in it).
    """
    df = _read(folder / IGS_FILE, ("igs_name", "nis_2024", "municipality_2024", "nis_2025"))
    _index_of(land, df, IGS_FILE, "nis_2025")
    df = df[[(g, m) not in KNOWN_LEAVERS for g, m in zip(df["igs_name"], df["municipality_2024"])]]
    pre = _read(folder / PREDECESSORS_FILE, ("nis", "population", "nis_2025"))
    pre_pop = dict(zip(_codes(pre, PREDECESSORS_FILE, "nis"), _numeric(pre, PREDECESSORS_FILE, "population")))
    index = {int(c): i for i, c in enumerate(land.nis)}
    share: dict[tuple[int, str], float] = {}
    for g, old, new in zip(df["igs_name"], df["nis_2024"], df["nis_2025"]):
        i = index[int(new)]
        share[(i, g)] = share.get((i, g), 0.0) + pre_pop.get(int(old), 0.0) / land.population[i]
    best: dict[int, tuple[float, str]] = {}
    for (i, g), s in share.items():
        if s >= 0.5 - 1e-9 and s > best.get(i, (0.0, ""))[0]:
            best[i] = (s, g)
    names = sorted({g for _, g in best.values()})
    # the name people see: `display_name` where the file has one (the key igs_name may carry a
    # researcher's note, e.g. "ECRU (listed as Midden-Limburg by OP/TIL)"); the order stays that of the key
    shown = dict(zip(df["igs_name"], df["display_name"])) if "display_name" in df else {}
    return tuple(RealIGS(_shown_name(shown, g), np.array(sorted(i for i, (_, h) in best.items() if h == g),
                                                         dtype=np.int64), RECOGNISED_SINCE) for g in names)


def _shown_name(shown: dict[str, object], key: str) -> str:
    name = shown.get(key)
    return key if name is None or pd.isna(name) or not str(name).strip() else str(name).strip()


def validate_investment(land: Landscape, folder: Path) -> None:
    """Investment spending is lumpy and not used by the model; checked so a broken copy is
    noticed (SOURCES.md)."""
    df = _read(folder / INVESTMENT_FILE, ("nis", "invest_exp_per_inh_2024"))
    _index_of(land, df, INVESTMENT_FILE, "nis")
    _numeric(df.dropna(subset=["invest_exp_per_inh_2024"]), INVESTMENT_FILE, "invest_exp_per_inh_2024")


def checksum(folder: Path, map_checksum: str) -> str:
    """sha256 over the map's checksum and every optional file present in `folder`."""
    h = hashlib.sha256(map_checksum.encode())
    for name in OPTIONAL_FILES:
        if (folder / name).is_file():
            h.update(name.encode() + (folder / name).read_bytes())
    return h.hexdigest()


def load(land: Landscape, folder: Path) -> RealData:
    """Everything available in `folder` beside municipalities.csv and adjacency.csv."""
    mun = pd.read_csv(folder / MUNICIPALITIES, encoding="utf-8")
    province = mun["province"].astype(str).to_numpy() if "province" in mun else np.full(land.n, "")
    if "arrondissement" in mun:
        arr = pd.Categorical(mun["arrondissement"].astype(str)).codes.astype(np.int64)
    else:
        arr = np.full(land.n, -1, dtype=np.int64)
    if (folder / FISCAL_FILE).is_file():
        income, tax = fiscal(land, folder)
        from_data = True
    else:
        income, tax, from_data = np.full(land.n, np.nan), np.zeros(land.n), False
    groups, known = heritage(land, folder) if (folder / HERITAGE_FILE).is_file() else ((), np.zeros(land.n, bool))
    housing_code = housing(land, folder) if (folder / HOUSING_FILE).is_file() else np.full(land.n, -1, np.int64)
    streken = uit_regions(land, folder) if (folder / UIT_REGIONS_FILE).is_file() else np.zeros(land.n, np.int64)
    igs = real_igs(land, folder) if (folder / IGS_FILE).is_file() and (folder / PREDECESSORS_FILE).is_file() else ()
    if (folder / INVESTMENT_FILE).is_file():
        validate_investment(land, folder)
    return RealData(income, tax, province, arr, groups, known, housing_code, streken, igs, from_data)


def synthetic(land: Landscape, rng: np.random.Generator) -> RealData:
    """Stand-ins for an abstract landscape: lognormal incomes around the Flemish mean
    (EUR 23,272 per inhabitant, SOURCES.md), regions as arrondissements, nothing known."""
    income = 23272.0 * np.exp(rng.normal(-0.02, 0.2, land.n))
    return RealData(income, np.zeros(land.n), np.full(land.n, ""), land.region.astype(np.int64), (),
                    np.zeros(land.n, bool), np.full(land.n, -1, np.int64), np.zeros(land.n, np.int64), (), False)
