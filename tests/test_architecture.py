"""The package's layers (pyproject.toml, [tool.importlinter]) hold, and no module imports
itself through others at run time: the tree shows where the model ends and the experiment
machinery begins, and a newcomer can read it bottom-up."""

from __future__ import annotations

from pathlib import Path

import grimp
from importlinter.cli import lint_imports


def test_layers_hold():
    """Lower layers never import higher ones (the model knows nothing of sweeps or figures)."""
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    assert lint_imports(config_filename=str(pyproject), no_cache=True) == 0


def strongly_connected(graph: grimp.ImportGraph, modules: set[str]) -> list[set[str]]:
    """Tarjan's components of the module import graph: a component of two or more is a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        on_stack.add(m)
        for n in graph.find_modules_directly_imported_by(m) & modules:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on_stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            component = set()
            while True:
                n = stack.pop()
                on_stack.discard(n)
                component.add(n)
                if n == m:
                    break
            found.append(component)

    for m in sorted(modules):
        if m not in index:
            visit(m)
    return found


def test_no_import_cycles():
    graph = grimp.build_graph("simcoop", exclude_type_checking_imports=True)
    # a package's __init__ re-exporting its own modules is not a cycle between modules
    modules = {m for m in graph.modules if not graph.find_children(m)}
    cycles = [sorted(c) for c in strongly_connected(graph, modules) if len(c) > 1]
    assert cycles == []


def test_cycle_finder_finds_a_cycle():
    """The cycle test can fail: a graph with a -> b -> a is reported."""
    graph = grimp.ImportGraph()
    for m in ("x.a", "x.b", "x.c"):
        graph.add_module(m)
    graph.add_import(importer="x.a", imported="x.b")
    graph.add_import(importer="x.b", imported="x.a")
    graph.add_import(importer="x.b", imported="x.c")
    assert [sorted(c) for c in strongly_connected(graph, set(graph.modules)) if len(c) > 1] == [["x.a", "x.b"]]
