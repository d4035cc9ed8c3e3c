"""The parameter table of docs/ODD.md, generated from the schema.

`python -m simcoop.docs` prints it; `python -m simcoop.docs --write docs/ODD.md` replaces
the table between the markers in that file. The table is generated, not hand-written, so
the defaults, units, ranges and reasons in the documentation are the ones the code uses
(tests/test_docs.py checks docs/ODD.md holds the current table).
"""

from __future__ import annotations

import sys
from pathlib import Path

from simcoop.config import fmt_number as _fmt
from simcoop.config import iter_params

START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


def parameter_table() -> str:
    lines = ["| parameter | default | unit | range | reason |", "|---|---|---|---|---|"]
    for name, f in iter_params():
        m = f.metadata
        if m.get("choices"):
            rng = " / ".join(m["choices"])
        elif m.get("low") is not None:
            rng = f"{_fmt(m['low'])} - {_fmt(m['high'])}"
        else:
            rng = "-"
        default = _fmt(f.default) if f.default != "" else "(embedded)"
        lines.append(f"| `{name}` | {default} | {m['unit']} | {rng} | {m['reason']} |")
    return "\n".join(lines)


def section_of(text: str) -> str:
    """The text between the parameter markers of a document."""
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def write_into(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(f"{head}{START}\n{parameter_table()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        write_into(Path(sys.argv[2]))
    else:
        print(parameter_table())
