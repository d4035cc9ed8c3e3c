"""No figure text is written in the code: titles and axis labels come from the label table
(`simcoop.labels`), so every figure speaks Dutch or English as asked and the two cannot drift.

The package's source is scanned with `ast`: the text arguments of matplotlib/seaborn calls
that put words on a figure must not contain words of their own (a literal or the literal
parts of an f-string); text inside `label(...)`, format specs (`{x:.0%}`) and column keys
(`df["year"]`) is allowed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import simcoop

PACKAGE = Path(simcoop.__file__).parent
# calls whose text arguments (positional or keyword) end up on a figure
TEXT_CALLS = {"set_title", "suptitle", "set_xlabel", "set_ylabel", "supxlabel", "supylabel", "set_titles",
              "set_axis_labels"}
# keywords that put text on a figure whatever the call (ax.legend(title=...), grid.set(xlabel=...))
TEXT_KEYWORDS = {"title", "xlabel", "ylabel", "row_template", "col_template", "template"}
WORD = re.compile(r"[^\W\d_]{2,}")  # two or more letters (any alphabet)
PLACEHOLDER = re.compile(r"\{[^{}]*\}")  # '{col_name}' in a seaborn template


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _literal_words(node: ast.AST) -> list[str]:
    """The words in the string literals of an expression, outside label(...) and format specs."""
    if isinstance(node, ast.Call) and _callee(node) == "label":
        return []
    if isinstance(node, ast.FormattedValue):
        return _literal_words(node.value)  # not node.format_spec: '.0%' or '.3f' are no words
    if isinstance(node, ast.Subscript):
        return _literal_words(node.value)  # not the key: end["year"] reads a column, shows no word
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return WORD.findall(PLACEHOLDER.sub("", node.value))
    return [w for child in ast.iter_child_nodes(node) for w in _literal_words(child)]


def hard_coded_texts(source: str, filename: str = "<source>") -> list[str]:
    """'file:line: call: words' for each text argument of a figure call that carries its own words."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        args = [(name, a) for a in node.args] if name in TEXT_CALLS else []
        args += [(f"{name}({k.arg}=)", k.value) for k in node.keywords
                 if k.arg in TEXT_KEYWORDS or (name in TEXT_CALLS and k.arg is not None and "label" in k.arg)]
        for what, arg in args:
            words = _literal_words(arg)
            if words:
                found.append(f"{filename}:{arg.lineno}: {what}: {' '.join(words)}")
    return found


def test_no_figure_title_or_axis_label_is_hard_coded():
    found = [hit for path in sorted(PACKAGE.rglob("*.py"))
             for hit in hard_coded_texts(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))]
    assert not found, "figure text written in the code instead of simcoop.labels:\n" + "\n".join(found)


def test_the_scan_flags_literals_and_fstrings_but_not_labels():
    flagged = hard_coded_texts(
        'ax.set_title("Cooperation over time")\n'
        'fig.suptitle(f"simcoop {v}: scenario {s}, seed {n}")\n'
        'grid.figure.suptitle(f"{label(m, LANG).capitalize()}\\n(mean of the last 5 years, 95% CI)", y=1.12)\n'
        'ax.legend(title="Aandeel in een IGS")\n'
        'grid.set(ylabel="jaar")\n'
        'grid.set_titles(col_template="scenario: {col_name}")\n')
    assert [hit.split(":")[1] for hit in flagged] == ["1", "2", "3", "4", "5", "6"], flagged
    assert "mean of the last years CI" in flagged[2]
    allowed = hard_coded_texts(
        'ax.set_title("")\n'
        'ax.set_ylabel("\\n".join(textwrap.wrap(label(metric, LANG), 32)))\n'
        'fig.suptitle(label("fig.run_title", lang).format(version=v, seed=s))\n'
        'ax.set_title(f"{label(k, LANG)}: {share:.0%} {int(end[\'year\'].iloc[0])}", fontsize=9)\n'
        'grid.set_titles(col_template="{col_name}", size=8)\n'
        'ax.set_title(title)\n'
        'ax.legend(title=None)\n'
        'ax.plot(x, y, label="IGS")\n')  # legend entries are not in this test's scope
    assert allowed == []
