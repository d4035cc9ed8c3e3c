"""The landscape: municipalities, their reference regions and who borders whom.

Two sources: the embedded Flanders data (a copy of shared/data/flanders with its
SOURCES.md), validated on load, and a synthetic generator for tests and abstract
experiments. Both give the same :class:`Landscape`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from simcoop.errors import DataError

MUNICIPALITIES = "municipalities.csv"
ADJACENCY = "adjacency.csv"
REQUIRED = {
    MUNICIPALITIES: ("nis", "name", "population", "referentieregio_code", "referentieregio",
                     "centrumstad", "lon", "lat"),
    ADJACENCY: ("nis_a", "nis_b"),
}


@dataclass(frozen=True)
class Landscape:
    """Static geography; index i is the same municipality in every array."""
    nis: np.ndarray            # int codes
    name: np.ndarray           # str
    population: np.ndarray     # float, inhabitants
    region: np.ndarray         # int index into region_names
    region_names: tuple[str, ...]
    centre: np.ndarray         # bool, centrumstad
    lon: np.ndarray
    lat: np.ndarray
    neighbours: tuple[np.ndarray, ...]  # per municipality, indices of adjacent ones
    checksum: str              # sha256 of the source files, or of the generator's inputs

    @property
    def n(self) -> int:
        return len(self.nis)

    def adjacency_matrix(self) -> np.ndarray:
        adj = np.zeros((self.n, self.n), dtype=bool)
        for i, nb in enumerate(self.neighbours):
            adj[i, nb] = True
        return adj

    @cached_property
    def borders(self) -> tuple[np.ndarray, np.ndarray]:
        """The neighbour lists as offsets and one flat array (the neighbours of i are
        flat[ptr[i]:ptr[i + 1]]), the form compiled code and ragged gathers read."""
        ptr = np.concatenate([[0], np.cumsum([len(nb) for nb in self.neighbours])]).astype(np.int64)
        return ptr, np.concatenate([*self.neighbours, np.zeros(0, np.int64)]).astype(np.int64)

    @cached_property
    def centres_next_door(self) -> np.ndarray:
        """The pairs (i, c) of a municipality i that is not a centre city and a centre city c
        it borders, as sorted keys i * n + c: the 'randgemeenten' of seed 001, 4.1.5, whose
        regional functions come from the city next door (a few border two)."""
        keys = [i * self.n + int(c) for i, nb in enumerate(self.neighbours) if not self.centre[i]
                for c in nb if self.centre[c]]
        return np.array(sorted(keys), dtype=np.int64)

    @cached_property
    def borders_centre(self) -> np.ndarray:
        """Per municipality: it is not a centre city and borders one (computed once per map,
        like `centres_next_door`: the model and every analysed run read it)."""
        near = np.zeros(self.n, dtype=bool)
        near[self.centres_next_door // self.n] = True
        return near


def embedded_path() -> Path:
    return Path(str(resources.files("simcoop.data") / "flanders"))


def _read_csv(path: Path) -> pd.DataFrame:
    name = path.name
    if not path.is_file():
        raise DataError(name, None, None, f"file not found in {path.parent}; data.path must be a folder "
                        f"with {MUNICIPALITIES} and {ADJACENCY}")
    try:
        df = pd.read_csv(path, encoding="utf-8")
    except UnicodeDecodeError:
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
            at, row = "", None
        except UnicodeDecodeError as exc:
            at, row = f" (byte 0x{raw[exc.start]:02x})", raw[:exc.start].count(b"\n") or None
        raise DataError(name, row, None, f"not UTF-8 text{at}; save the file as UTF-8") from None
    except pd.errors.EmptyDataError:
        raise DataError(name, None, None, "the file is empty; expected a header and rows") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(name, None, None, f"cannot be parsed as CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in REQUIRED[name] if c not in df.columns]
    if missing:
        raise DataError(name, None, missing[0], f"missing column; required columns: {', '.join(REQUIRED[name])}")
    if df.empty:
        raise DataError(name, None, None, "no rows; expected at least one")
    return df


def _first_bad(df: pd.DataFrame, mask: pd.Series) -> int:
    """1-based data row (header not counted) of the first True in mask."""
    return int(np.flatnonzero(mask.to_numpy())[0]) + 1


def _numeric(df: pd.DataFrame, file: str, col: str) -> np.ndarray:
    values = pd.to_numeric(df[col], errors="coerce")
    bad = values.isna()
    if bad.any():
        row = _first_bad(df, bad)
        raw = df[col].iloc[row - 1]
        problem = "missing value (NaN)" if pd.isna(raw) else f"{raw!r} is not a number"
        raise DataError(file, row, col, problem + "; expected a number")
    infinite = ~np.isfinite(values.to_numpy(dtype=float))
    if infinite.any():
        row = _first_bad(df, pd.Series(infinite))
        raise DataError(file, row, col, f"{_show(df[col].iloc[row - 1])} is not finite; expected a finite number")
    return values.to_numpy(dtype=float)


def _show(raw: object) -> str:
    """A cell for a message: numpy scalars as plain Python values."""
    return repr(raw.item() if hasattr(raw, "item") else raw)


def _codes(df: pd.DataFrame, file: str, col: str) -> np.ndarray:
    """A column of NIS codes: whole positive numbers (read as int64 without rounding)."""
    values = _numeric(df, file, col)
    bad = (values != np.round(values)) | (values <= 0) | (values >= 2**53)
    if bad.any():
        row = _first_bad(df, pd.Series(bad))
        raise DataError(file, row, col, f"{_show(df[col].iloc[row - 1])} is not a NIS code; "
                        "expected a whole positive number")
    return values.astype(np.int64)


def _checksum(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def load_landscape(folder: str | Path | None = None) -> Landscape:
    """Load and validate municipalities.csv and adjacency.csv from folder (default: embedded)."""
    folder = Path(folder) if folder else embedded_path()
    mun = _read_csv(folder / MUNICIPALITIES)
    adj = _read_csv(folder / ADJACENCY)

    nis = _codes(mun, MUNICIPALITIES, "nis")
    dup = pd.Series(nis).duplicated()
    if dup.any():
        row = _first_bad(mun, dup)
        raise DataError(MUNICIPALITIES, row, "nis", f"duplicate NIS code {nis[row - 1]}; codes must be unique")
    population = _numeric(mun, MUNICIPALITIES, "population")
    if (population <= 0).any():
        row = _first_bad(mun, pd.Series(population <= 0))
        raise DataError(MUNICIPALITIES, row, "population",
                        f"{population[row - 1]:g} is not positive; expected inhabitants > 0")
    _within(mun, "population", population, 1, MAX_POPULATION, "inhabitants")
    lon = _within(mun, "lon", _numeric(mun, MUNICIPALITIES, "lon"), -180, 180, "degrees of longitude (WGS84)")
    lat = _within(mun, "lat", _numeric(mun, MUNICIPALITIES, "lat"), -90, 90, "degrees of latitude (WGS84)")
    for col in ("name", "referentieregio_code", "referentieregio", "centrumstad"):
        bad = mun[col].isna()
        if bad.any():
            raise DataError(MUNICIPALITIES, _first_bad(mun, bad), col, "missing value (NaN)")
    centre_raw = mun["centrumstad"].astype(str).str.strip().str.lower()
    bad = ~centre_raw.isin(["true", "false", "1", "0"])
    if bad.any():
        row = _first_bad(mun, bad)
        raise DataError(MUNICIPALITIES, row, "centrumstad",
                        f"{mun['centrumstad'].iloc[row - 1]!r}; accepted: True, False")
    centre = centre_raw.isin(["true", "1"]).to_numpy()

    codes = sorted(mun["referentieregio_code"].astype(str).unique())
    code_index = {c: k for k, c in enumerate(codes)}
    region = mun["referentieregio_code"].astype(str).map(code_index).to_numpy(dtype=np.int64)
    names_by_code = dict(zip(mun["referentieregio_code"].astype(str), mun["referentieregio"].astype(str)))
    _one_name_per_code(mun)

    index = {int(c): i for i, c in enumerate(nis)}
    a = _codes(adj, ADJACENCY, "nis_a")
    b = _codes(adj, ADJACENCY, "nis_b")
    for col, codes_col in (("nis_a", a), ("nis_b", b)):
        unknown = pd.Series([c not in index for c in codes_col])
        if unknown.any():
            row = _first_bad(adj, unknown)
            raise DataError(ADJACENCY, row, col,
                            f"unknown NIS code {codes_col[row - 1]}; must be a nis in {MUNICIPALITIES}")
    nb: list[set[int]] = [set() for _ in nis]
    for x, y in zip(a, b):
        i, j = index[int(x)], index[int(y)]
        if i != j:
            nb[i].add(j)
            nb[j].add(i)
    land = Landscape(
        nis=nis, name=mun["name"].astype(str).to_numpy(), population=population, region=region,
        region_names=tuple(names_by_code[c] for c in codes), centre=centre, lon=lon, lat=lat,
        neighbours=tuple(np.array(sorted(s), dtype=np.int64) for s in nb),
        checksum=_checksum([folder / MUNICIPALITIES, folder / ADJACENCY]),
    )
    _warn_disconnected_regions(land)
    return land


# Far above any municipality (the largest cities hold a few million), far below where
# sums over members would lose precision or integer columns overflow.
MAX_POPULATION = 100_000_000


def _within(df: pd.DataFrame, col: str, values: np.ndarray, low: float, high: float, unit: str) -> np.ndarray:
    bad = (values < low) | (values > high)
    if bad.any():
        row = _first_bad(df, pd.Series(bad))
        raise DataError(MUNICIPALITIES, row, col, f"{_show(df[col].iloc[row - 1])} is out of range; expected "
                        f"{low:,} to {high:,} {unit}")
    return values


def _one_name_per_code(mun: pd.DataFrame) -> None:
    """A reference-region code names one region: a second name for it is a typo or a merge."""
    codes, names = mun["referentieregio_code"].astype(str), mun["referentieregio"].astype(str)
    first = codes.map({c: n for c, n in zip(codes[::-1], names[::-1])})  # the first name given to each code
    bad = names != first
    if bad.any():
        row = _first_bad(mun, bad)
        raise DataError(MUNICIPALITIES, row, "referentieregio", f"{names.iloc[row - 1]!r} for code "
                        f"{codes.iloc[row - 1]!r}, which row {_first_bad(mun, codes == codes.iloc[row - 1])} names "
                        f"{first.iloc[row - 1]!r}; expected one name per referentieregio_code")


_warned: set[str] = set()


def _warn_disconnected_regions(land: Landscape) -> None:
    """One warning line per data set when a reference region falls apart in adjacency.csv
    (a partnership that must stay within it could not reach all of it). Exclaves without
    any neighbour (Voeren in the embedded data) are geography, not an error, and are left out."""
    if land.checksum in _warned:
        return
    _warned.add(land.checksum)
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    adjacency = land.adjacency_matrix()
    for r, name in enumerate(land.region_names):
        members = np.flatnonzero((land.region == r) & np.array([len(nb) > 0 for nb in land.neighbours]))
        parts, _ = connected_components(csr_matrix(adjacency[np.ix_(members, members)]), directed=False)
        if parts > 1:
            logging.getLogger("simcoop").warning(
                f"data warning: {MUNICIPALITIES}: reference region {name!r} falls apart into {parts} parts in "
                f"{ADJACENCY}; partnerships within it cannot join all its municipalities")


def synthetic_landscape(rng: np.random.Generator, n: int, n_regions: int, n_centres: int,
                        mean_population: float) -> Landscape:
    """Random points in a Flanders-sized box, Delaunay adjacency, Voronoi-like regions.

    Planar by construction (Delaunay), regions contiguous in practice (nearest region seed);
    the largest municipality of each region becomes a centre city, round-robin.
    """
    lon = rng.uniform(2.5, 5.9, n)
    lat = rng.uniform(50.7, 51.5, n)
    # lognormal with the requested mean (sigma 0.8 mimics Flanders' skew)
    sigma = 0.8
    population = np.maximum(500.0, rng.lognormal(np.log(mean_population) - sigma**2 / 2, sigma, n)).round()
    seeds = rng.choice(n, size=n_regions, replace=False)
    d2 = (lon[:, None] - lon[seeds][None, :]) ** 2 + (lat[:, None] - lat[seeds][None, :]) ** 2
    region = d2.argmin(axis=1).astype(np.int64)
    centre = np.zeros(n, dtype=bool)
    order = np.argsort(-population, kind="stable")
    taken_per_region = np.zeros(n_regions, dtype=int)
    for rnd in range(n):  # round-robin over regions: the k-th largest of each region
        for i in order:
            if centre.sum() == n_centres:
                break
            if not centre[i] and taken_per_region[region[i]] == rnd:
                centre[i] = True
                taken_per_region[region[i]] += 1
        if centre.sum() == n_centres:
            break
    population[centre] *= 5  # centre cities are bigger (Flanders: 13 cities hold ~1/4)
    nb: list[set[int]] = [set() for _ in range(n)]
    if n >= 3:
        from matplotlib.tri import Triangulation   # here: importing matplotlib costs every run a second
        for e0, e1 in Triangulation(lon, lat).edges:
            nb[e0].add(int(e1))
            nb[e1].add(int(e0))
    else:
        for i in range(n):
            nb[i].update(j for j in range(n) if j != i)
    h = hashlib.sha256(np.concatenate([lon, lat, population]).tobytes()).hexdigest()
    return Landscape(
        nis=np.arange(1, n + 1, dtype=np.int64), name=np.array([f"M{i + 1}" for i in range(n)]),
        population=population, region=region,
        region_names=tuple(f"Region {k + 1}" for k in range(n_regions)), centre=centre,
        lon=lon, lat=lat, neighbours=tuple(np.array(sorted(s), dtype=np.int64) for s in nb),
        checksum=h,
    )
