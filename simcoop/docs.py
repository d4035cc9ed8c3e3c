"""Print the parameter table of docs/ODD.md from the schema: `python -m simcoop.docs`.

The table is generated, not hand-written, so defaults, units, ranges and reasons in the
documentation are the ones the code uses (a test checks docs/ODD.md holds this table).
"""

from __future__ import annotations

from simcoop.config import iter_params


def parameter_table() -> str:
    lines = ["| parameter | default | unit | range | reason |", "|---|---|---|---|---|"]
    for name, f in iter_params():
        m = f.metadata
        if m.get("choices"):
            rng = " / ".join(m["choices"])
        elif m.get("low") is not None:
            rng = f"{m['low']:g} - {m['high']:g}"
        else:
            rng = "-"
        default = f"{f.default:g}" if isinstance(f.default, float) else str(f.default)
        lines.append(f"| `{name}` | {default if default != '' else '(embedded)'} | {m['unit']} | {rng} | {m['reason']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(parameter_table())
