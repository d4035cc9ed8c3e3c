"""The documentation stays true to the code."""

from __future__ import annotations

from pathlib import Path

from simcoop.config import iter_params
from simcoop.docs import parameter_table, section_of
from simcoop.run import GROUPS, group_options

ROOT = Path(__file__).resolve().parents[1]


def test_odd_parameter_table_is_generated_from_the_schema():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert section_of(odd) == parameter_table(), "run: python -m simcoop.docs --write docs/ODD.md"


def test_every_parameter_has_unit_and_reason():
    for name, f in iter_params():
        assert f.metadata.get("unit"), name
        assert f.metadata.get("reason"), name
        numeric = isinstance(f.default, (int, float)) and not isinstance(f.default, bool)
        if numeric:
            assert f.metadata["low"] <= f.default <= f.metadata["high"], name


def test_readme_lists_every_config_option():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for group in GROUPS:
        for option in group_options(group):
            assert f"`{option}`" in readme, f"{group}/{option} missing from README.md"
