"""The documentation stays true to the code."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

from simcoop.config import SimConfig, iter_params
from simcoop.docs import parameter_table, section_of
from simcoop.run import GROUPS, compose, group_options, to_sim_config

ROOT = Path(__file__).resolve().parents[1]


def test_odd_parameter_table_is_generated_from_the_schema():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert section_of(odd) == parameter_table(), "run: python -m simcoop.docs --write docs/ODD.md"


def test_the_tables_defaults_are_those_a_composed_run_uses():
    """The ODD's table shows the schema; the CLI composes configs/config.yaml: they must agree."""
    assert to_sim_config(compose([])) == SimConfig()


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


def _backticked(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def _table_rows(text: str, first_cell: str) -> dict[str, str]:
    """{first cell: rest of the row} of the Markdown table rows whose first cell matches."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(first_cell, cells[0]):
            rows[cells[0]] = " | ".join(cells[1:])
    return rows


def _code_strings() -> set[str]:
    """Every quoted string literal of the package (event reasons, for instance)."""
    found = set()
    for path in (ROOT / "simcoop").rglob("*.py"):
        found |= set(re.findall(r"[\"']([a-z_]+)[\"']", path.read_text(encoding="utf-8")))
    return found


def test_readme_and_odd_name_only_columns_that_exist(run):
    """Every column the README's outputs table and the ODD's observation section name in
    backticks exists in the tables a run returns (new columns need no doc change)."""
    result = run(["data=synthetic", "end_year=2020"], 0)
    tables = {name: getattr(result, name) for name in ("yearly", "membership", "events", "igs")}
    events = set(tables["events"]["event"].cat.categories) | _code_strings()  # event kinds and reasons
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = _table_rows(readme, r"`(yearly|membership|events|igs)\.parquet`")
    assert len(rows) == 4
    for cell, rest in rows.items():
        name = cell.strip("`").removesuffix(".parquet")
        contents = rest.split(" | ", 1)[1]
        named = [t for t in _backticked(contents) if not t.startswith("docs/")]
        assert named, name
        allowed = set(tables[name].columns) | (events if name == "events" else set())
        assert not set(named) - allowed, (name, set(named) - allowed)
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    observation = odd.split("### 3.7")[1].split("### 3.8")[0]
    yearly_rows = _table_rows(observation, r"`.*`")
    yearly_names = {t for cell in yearly_rows for t in _backticked(cell)}
    assert yearly_names and not yearly_names - set(tables["yearly"].columns), yearly_names - set(tables["yearly"].columns)
    for name in ("membership", "igs", "events"):
        paragraph = observation.split(f"**{name}**")[1].split("\n\n")[0]
        allowed = set(tables[name].columns) | (events if name == "events" else set())
        named = set(_backticked(paragraph))
        assert named and not named - allowed, (name, named - allowed)


def test_paths_named_in_the_docs_exist():
    """Files and folders the README and the ODD point to (simcoop/..., docs/..., configs/...) exist."""
    for doc in ("README.md", "docs/ODD.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        for path in re.findall(r"\b((?:simcoop|docs|configs|experiments|notebooks|benchmarks|tests)"
                               r"/[\w./-]*\w)", text):
            if "<" in path or "*" in path or re.search(r"https?://\S*" + re.escape(path), text):
                continue   # a placeholder, a pattern, or part of a web address
            assert (ROOT / path).exists(), f"{doc} names {path}, which does not exist"


def test_commands_the_readme_shows_are_installed():
    """The tools the README's code blocks call (jupyter nbconvert for the notebooks) are in the venv."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", readme, re.S))
    assert "jupyter nbconvert" in blocks
    import nbconvert  # noqa: F401  (installed by the test extra)
    assert shutil.which("jupyter", path=str(Path(sys.executable).parent)), "jupyter missing from the venv"
    assert "papermill" not in readme or importlib.util.find_spec("papermill"), "README names papermill"


def test_readme_tree_lists_every_module_where_it_is():
    """The README's map of the package names each module and sub-package at its place, and
    only those: the tree a newcomer reads is the tree on disk."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("simcoop/ "):text.index("\nconfigs/ ")].splitlines()[1:]
    listed, parents = set(), []
    for line in block:
        name = line.strip().split()[0] if line.strip() else ""
        if not (name.endswith(".py") or name.endswith("/")):
            continue   # a continuation line of a description
        depth = (len(line) - len(line.lstrip())) // 2
        parents = parents[:depth - 1] + [name.rstrip("/")]
        listed.add("/".join(parents))
    package = ROOT / "simcoop"
    on_disk = {str(p.relative_to(package).with_suffix("")) for p in package.rglob("*.py")
               if p.name not in ("__init__.py", "__main__.py") and "__pycache__" not in p.parts}
    on_disk |= {str(p.relative_to(package)) for p in package.iterdir() if (p / "__init__.py").exists()}
    on_disk |= {"workshop/vue"}
    listed = {p.removesuffix(".py") for p in listed}
    assert listed == on_disk, (sorted(listed - on_disk), sorted(on_disk - listed))


def test_imports_the_docs_show_work():
    """Every `import` line in a code example of the README or docs/ runs as written."""
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "experiments" / "README.md"]
    lines = {line.strip() for doc in docs
             for block in re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
             for line in block.splitlines()
             if re.match(r"\s*(from simcoop\S* import |import simcoop)", line)}
    assert lines, "the README shows how to import simcoop"
    for line in sorted(lines):
        code = line.split("#")[0].strip()
        exec(compile(code, line, "exec"), {})
