"""Maps for a room: SVG outlines of the Flemish municipalities and IGS colours that last.

The report and the dashboard draw the same geometry: one SVG path per municipality
(projected, rounded to whole units of a 1000-wide view, relative moves, so 285 paths
weigh a few hundred kB once) and the borders of the reference regions (the edges two
municipalities of different regions share, plus the outline of Flanders). Colours are
given per IGS *name*, so the same IGS keeps its colour on every map and in every year,
and chosen so that IGS next to each other never share one (greedy graph colouring).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np

from simcoop.data.landscape import embedded_path

WIDTH = 1000
NONE_COLOUR = "#ffffff"
# Light, distinct colours (ColorBrewer Set3 and Pastel1, then tab20's light half, without
# greys): dark text and white borders stay readable on all of them.
PALETTE = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
           "#bc80bd", "#ccebc5", "#ffed6f", "#fbb4ae", "#b3cde3", "#decbe4", "#fed9a6", "#e5d8bd",
           "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d",
           "#9edae5")


@dataclass(frozen=True)
class Geometry:
    """SVG paths of the municipalities (by NIS code), region borders, and the view size."""
    paths: dict[int, str]
    names: dict[int, str]
    region_borders: str
    width: int
    height: int
    centroids: dict[int, tuple[float, float]]

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width} {self.height}"


@lru_cache(maxsize=1)
def flanders_geometry() -> Geometry:
    """The embedded 2025 boundaries as SVG paths (cached: built once per process)."""
    geo = json.loads((embedded_path() / "flanders_municipalities_2025.geojson").read_text(encoding="utf-8"))
    coords = np.array([c for f in geo["features"] for p in f["geometry"]["coordinates"] for r in p for c in r])
    lon0, lat1 = coords[:, 0].min(), coords[:, 1].max()
    shrink = math.cos(math.radians(51.0))  # roughly equal distances at 51 degrees north
    scale = WIDTH / ((coords[:, 0].max() - lon0) * shrink)
    height = int(math.ceil((lat1 - coords[:, 1].min()) * scale))

    def project(ring: list) -> list[tuple[int, int]]:
        pts = [(round((x - lon0) * shrink * scale), round((lat1 - y) * scale)) for x, y in ring]
        return [pts[0]] + [b for a, b in zip(pts, pts[1:]) if a != b]

    paths, names, centroids, region_of_edge = {}, {}, {}, {}
    for feature in geo["features"]:
        props = feature["properties"]
        nis, region = int(props["nis"]), props["referentieregio_code"]
        parts, xs, ys = [], [], []
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                pts = project(ring)
                if len(pts) < 4:  # a ring smaller than one unit of the view: nothing to draw
                    continue
                parts.append(f"M{pts[0][0]} {pts[0][1]}l" + " ".join(
                    f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in zip(pts, pts[1:])) + "z")
                xs += [p[0] for p in pts]
                ys += [p[1] for p in pts]
                for a, b in zip(pts, pts[1:]):
                    region_of_edge.setdefault(frozenset((a, b)), []).append(region)
        paths[nis], names[nis] = "".join(parts), props["name"]
        centroids[nis] = (float(np.mean(xs)), float(np.mean(ys)))
    borders = [tuple(edge) for edge, regions in region_of_edge.items()
               if len(edge) == 2 and (len(regions) == 1 or len(set(regions)) > 1)]
    return Geometry(paths, names, _polylines(borders), WIDTH, height, centroids)


def _polylines(segments: list[tuple[tuple[int, int], tuple[int, int]]]) -> str:
    """Segments joined into as few polylines as possible, as one SVG path (relative moves)."""
    ends: dict[tuple[int, int], list[int]] = {}
    for k, (a, b) in enumerate(sorted(segments)):
        ends.setdefault(a, []).append(k)
        ends.setdefault(b, []).append(k)
    segments = sorted(segments)
    used = [False] * len(segments)
    out = []
    for start in range(len(segments)):
        if used[start]:
            continue
        used[start] = True
        line = list(segments[start])
        for forward in (True, False):
            while True:
                tip = line[-1] if forward else line[0]
                nxt = next((k for k in ends[tip] if not used[k]), None)
                if nxt is None:
                    break
                used[nxt] = True
                a, b = segments[nxt]
                point = b if a == tip else a
                line.append(point) if forward else line.insert(0, point)
        out.append(f"M{line[0][0]} {line[0][1]}l" + " ".join(
            f"{q[0] - p[0]} {q[1] - p[1]}" for p, q in zip(line, line[1:])))
    return "".join(out)


def igs_neighbours(member_of: dict[int, str | None], adjacency: Iterable[tuple[int, int]]) -> set[frozenset]:
    """Pairs of IGS (by name) that touch: a member of one borders a member of the other."""
    pairs = set()
    for a, b in adjacency:
        ga, gb = member_of.get(a), member_of.get(b)
        if ga and gb and ga != gb:
            pairs.add(frozenset((ga, gb)))
    return pairs


def assign_colours(names: Iterable[str], touching: set[frozenset], given: dict[str, str] | None = None
                   ) -> dict[str, str]:
    """A colour per IGS name: names already `given` keep theirs; every other name (in sorted
    order, so the result does not depend on the order of the maps) takes the first palette
    colour none of the IGS it touches has. Beyond the palette a colour may repeat, but never
    between touching IGS while a free one exists."""
    colours = dict(given or {})
    neighbours: dict[str, set[str]] = {}
    for pair in touching:
        a, b = tuple(pair)
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    for name in sorted(set(names) - set(colours)):
        taken = {colours[n] for n in neighbours.get(name, ()) if n in colours}
        free = [c for c in PALETTE if c not in taken and c not in colours.values()] or \
               [c for c in PALETTE if c not in taken] or list(PALETTE)
        colours[name] = free[0]
    return colours


@lru_cache(maxsize=1)
def adjacency_pairs() -> tuple[tuple[int, int], ...]:
    """Neighbouring municipalities (NIS codes) of the embedded data."""
    import pandas as pd

    adj = pd.read_csv(embedded_path() / "adjacency.csv")
    return tuple(zip(adj["nis_a"].astype(int).tolist(), adj["nis_b"].astype(int).tolist()))
