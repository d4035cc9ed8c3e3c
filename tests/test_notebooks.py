"""The notebooks run top to bottom on the small variants, are stored without outputs, and
show people labels: no config path or column name on a figure (axis labels, titles, legends,
ticks) or as a table's column or row name."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import unreadable

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

# Run in the kernel after the parameters cell: every figure drawn, whether shown inline or
# saved, passes through FigureCanvasBase.print_figure; record the texts on it.
RECORD = """
import matplotlib.backend_bases as _bb, matplotlib.text as _mt
_FIGURE_TEXTS, _SAVED, _print_figure = [], [], _bb.FigureCanvasBase.print_figure
def _recording(self, filename, *args, **kwargs):
    _FIGURE_TEXTS.append([t.get_text() for t in self.figure.findobj(_mt.Text) if t.get_text().strip()])
    if isinstance(filename, (str, __import__("os").PathLike)):
        _SAVED.append(str(filename))
    return _print_figure(self, filename, *args, **kwargs)
_bb.FigureCanvasBase.print_figure = _recording
"""
REPORT = "import json as _json; print('FIGURE_TEXTS' + _json.dumps([_FIGURE_TEXTS, _SAVED]))"


def test_there_is_a_notebook_per_experiment_and_one_to_start():
    assert {p.stem for p in NOTEBOOKS} >= {"getting_started", "dominance", "path_dependence", "breakup_risk"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "strip outputs before committing"
    assert any("parameters" in c.metadata.get("tags", []) and 'SIZE = "small"' in c.source for c in book.cells)


def executed(path: Path, tmp_path: Path) -> tuple[nbformat.NotebookNode, list[list[str]], list[str]]:
    """The notebook run in tmp_path, the texts of every figure it drew, and the files it saved."""
    book = nbformat.read(path, as_version=4)
    at = next(k for k, c in enumerate(book.cells) if "parameters" in c.metadata.get("tags", []))
    book.cells.insert(at + 1, nbformat.v4.new_code_cell(RECORD))
    book.cells.append(nbformat.v4.new_code_cell(REPORT))
    NotebookClient(book, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for o in book.cells[-1].outputs if o.get("output_type") == "stream")
    figures, saved = json.loads(printed.split("FIGURE_TEXTS", 1)[1])
    return book, figures, saved


def table_headers(book: nbformat.NotebookNode) -> list[str]:
    """The column and row names of every table the notebook shows (pandas' HTML)."""
    pages = [o["data"]["text/html"] for c in book.cells if c.cell_type == "code" for o in c.outputs
             if "text/html" in o.get("data", {})]
    return [html.unescape(re.sub(r"<[^>]+>", "", th)).strip()
            for page in pages for th in re.findall(r"<th[^>]*>(.*?)</th>", page, flags=re.S)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_draws_and_shows_labels(path, tmp_path):
    book, figures, saved = executed(path, tmp_path)
    images = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, "every notebook draws at least one figure"
    assert figures and all(figures), "the figures' texts were recorded"
    bad = sorted({t for texts in figures for t in unreadable(texts)})
    assert not bad, f"figures show internal names: {bad}"
    headers = table_headers(book)
    assert headers, "every notebook shows a table"
    assert not unreadable(headers), f"tables show internal names: {sorted(set(unreadable(headers)))}"
    # figures for papers, through save_figure: PNG and PDF, beside the sweep's analysis
    folder = "figures" if path.stem == "getting_started" else "analysis"
    saved = [Path(f) for f in saved if Path(f).parent.name == folder]
    assert {f.suffix for f in saved} == {".png", ".pdf"}, saved
