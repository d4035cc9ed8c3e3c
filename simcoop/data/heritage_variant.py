"""A data folder with the extra heritage cooperations appended to the partial list.

The embedded partial list (`heritage_cooperation_partial.csv`) misses most of West Flanders;
`heritage_cooperation_additions.csv` holds what a later search found (SOURCES.md). The model
reads one list, so testing what the additions change means running on a copy of the
embedded data with them appended (docs/validation.md, "Which regions cooperate"):

    python -m simcoop.data.heritage_variant /tmp/heritage_2016              # cooperations that existed by 2016
    python -m simcoop.data.heritage_variant /tmp/heritage_all --all         # every complete list, any period
    simcoop -m +experiment=who_with_whom data.path=/tmp/heritage_2016 sweep_name=heritage_2016
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pandas as pd

from simcoop.data.realdata import HERITAGE_FILE
from simcoop.data.landscape import embedded_path

ADDITIONS_FILE = "heritage_cooperation_additions.csv"


def additions(everything: bool = False, folder: Path | None = None) -> pd.DataFrame:
    """The additional rows with a complete member list; by default only cooperations that
    existed by 2016, the start of a formation run (prior cooperation must be prior)."""
    folder = folder or embedded_path()
    rows = pd.read_csv(folder / ADDITIONS_FILE, dtype=str, encoding="utf-8")
    rows = rows[~rows["list_complete"].str.startswith("subset")]
    return rows if everything else rows[rows["existed_by_2016"] == "yes"]


def write(out: Path, everything: bool = False, folder: Path | None = None) -> Path:
    """Copy the embedded data to `out` (which must not exist) with the additions appended."""
    folder = folder or embedded_path()
    if out.exists():
        raise FileExistsError(f"{out} exists; give a new folder")
    shutil.copytree(folder, out)
    listed = pd.read_csv(folder / HERITAGE_FILE, dtype=str, encoding="utf-8")
    extra = additions(everything, folder)[listed.columns]
    pd.concat([listed, extra], ignore_index=True).to_csv(out / HERITAGE_FILE, index=False)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="new folder for the data (must not exist)")
    parser.add_argument("--all", action="store_true", help="every complete list, also cooperations from 2017 on")
    args = parser.parse_args(argv)
    try:
        print(write(args.out, args.all))
    except FileExistsError as exc:
        raise SystemExit(f"heritage_variant: {exc}") from None


if __name__ == "__main__":
    main()
