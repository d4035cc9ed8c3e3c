"""The embedded data, its validation, and the synthetic generator."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from simcoop.errors import DataError
from simcoop.data.landscape import embedded_path, load_landscape, synthetic_landscape


def test_embedded_flanders_data():
    land = load_landscape()
    assert land.n == 285
    assert len(land.region_names) == 15
    assert land.centre.sum() == 13
    assert {"Antwerpen", "Gent", "Leuven", "Hasselt"} <= set(land.name[land.centre])
    assert land.population.sum() == 6_629_143  # Vlaams Gewest, 1 January 2020 (SOURCES.md)
    adj = land.adjacency_matrix()
    assert (adj == adj.T).all() and not adj.diagonal().any()
    assert adj.sum() == 2 * 754
    assert len(land.checksum) == 64


def corrupt(tmp_path, file: str, change) -> str:
    folder = tmp_path / "data"
    shutil.copytree(embedded_path(), folder)
    df = pd.read_csv(folder / file)
    change(df).to_csv(folder / file, index=False)
    return str(folder)


@pytest.mark.parametrize("file, change, expected", [
    ("municipalities.csv", lambda d: d.drop(columns="population"), ["municipalities.csv", "population", "missing"]),
    ("municipalities.csv", lambda d: d.assign(nis=d["nis"].where(d.index != 9, d["nis"][3])),
     ["municipalities.csv", "row 10", "nis", "duplicate"]),
    ("municipalities.csv", lambda d: d.assign(population=d["population"].where(d.index != 6)),
     ["municipalities.csv", "row 7", "population", "NaN"]),
    ("municipalities.csv", lambda d: d.assign(population=d["population"].where(d.index != 2, -40)),
     ["municipalities.csv", "row 3", "population", "not positive"]),
    ("municipalities.csv", lambda d: d.assign(centrumstad=d["centrumstad"].astype(str).where(d.index != 0, "maybe")),
     ["municipalities.csv", "row 1", "centrumstad", "accepted"]),
    ("adjacency.csv", lambda d: d.assign(nis_b=d["nis_b"].where(d.index != 11, 99999)),
     ["adjacency.csv", "row 12", "nis_b", "unknown NIS code 99999"]),
])
def test_bad_data_gives_one_line_naming_file_row_and_field(tmp_path, file, change, expected):
    with pytest.raises(DataError) as err:
        load_landscape(corrupt(tmp_path, file, change))
    message = str(err.value)
    assert "\n" not in message
    for part in expected:
        assert part in message, (part, message)


def test_empty_and_non_utf8_files(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(embedded_path(), folder)
    (folder / "adjacency.csv").write_text("")
    with pytest.raises(DataError, match="adjacency.csv: the file is empty"):
        load_landscape(folder)
    shutil.copy(embedded_path() / "adjacency.csv", folder / "adjacency.csv")
    text = (folder / "municipalities.csv").read_text(encoding="utf-8")
    (folder / "municipalities.csv").write_bytes(text.encode("utf-16"))
    with pytest.raises(DataError, match="municipalities.csv.*UTF-8"):
        load_landscape(folder)


def test_synthetic_landscape_is_planar_seeded_and_connected():
    a = synthetic_landscape(np.random.default_rng(3), 200, 5, 6, 23000)
    b = synthetic_landscape(np.random.default_rng(3), 200, 5, 6, 23000)
    assert a.checksum == b.checksum and (a.population == b.population).all()
    assert a.n == 200 and a.centre.sum() == 6 and len(np.unique(a.region)) == 5
    adj = a.adjacency_matrix()
    assert (adj == adj.T).all() and adj.any(axis=1).all()
    assert adj.sum() // 2 <= 3 * a.n - 6  # a planar graph has at most 3n - 6 edges
    # every region holds at least one centre city when there are at least as many centres
    assert set(a.region[a.centre]) == set(range(5))
