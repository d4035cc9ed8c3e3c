"""The null model of who cooperates with whom: random contiguous clusters.

A model that knows nothing but geography and the reference regions: clusters grown over
borders inside one reference region, with sizes drawn from the real IGS (or grown until
they reach the population norm), until about as many municipalities are covered as in
reality. The model has to beat this to claim it explains *who* cooperates, not just *how
many*.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from simcoop.errors import SimcoopInputError
from simcoop.data.landscape import Landscape

NONE = -1  # label of a municipality outside every IGS
SIZE_MODES = ("real", "norm")


def random_clusters(land: Landscape, sizes: np.ndarray, covered: int, seed: int,
                    size_mode: Literal["real", "norm"] = "real", norm: float = 85_000) -> np.ndarray:
    """One random partition: a label per municipality (NONE outside every cluster).

    Repeatedly picks an uncovered municipality at random and grows a cluster from it by
    adding a random uncovered neighbour in the same reference region, until the cluster has
    the size drawn from `sizes` (size_mode "real") or reaches `norm` inhabitants (size_mode
    "norm", at most max(sizes) members), trimmed so the total stays at `covered`. A start
    that cannot grow to 2 members is dropped. Deterministic per seed.
    """
    if size_mode not in SIZE_MODES:
        raise SimcoopInputError(f"null model error: size_mode={size_mode!r} is not accepted; "
                                f"accepted: one of {', '.join(SIZE_MODES)}")
    sizes = np.asarray(sizes, dtype=np.int64)
    if len(sizes) == 0 or (sizes < 2).any():
        raise SimcoopInputError("null model error: sizes must be a non-empty list of cluster sizes >= 2")
    rng = np.random.default_rng(seed)
    labels = np.full(land.n, NONE, dtype=np.int64)
    cap = int(sizes.max())
    candidates = list(range(land.n))  # possible starts, in index order for determinism
    n_covered, next_label = 0, 0
    while covered - n_covered >= 2 and candidates:
        start = candidates.pop(int(rng.integers(len(candidates))))
        if labels[start] != NONE:
            continue
        if size_mode == "real":
            target, target_pop = min(int(rng.choice(sizes)), covered - n_covered), np.inf
        else:
            target, target_pop = min(cap, covered - n_covered), norm
        members = _grow(land, labels, start, target, target_pop, rng)
        if len(members) < 2:
            continue
        labels[members] = next_label
        next_label += 1
        n_covered += len(members)
    return labels


def _grow(land: Landscape, labels: np.ndarray, start: int, target: int, target_pop: float,
          rng: np.random.Generator) -> list[int]:
    """A connected set of uncovered municipalities of start's region, grown at random."""
    members, pop = [start], float(land.population[start])
    inside = {start}
    while len(members) < target and pop < target_pop:
        frontier = sorted({int(j) for i in members for j in land.neighbours[i]
                           if j not in inside and labels[j] == NONE and land.region[j] == land.region[start]})
        if not frontier:
            break
        pick = frontier[int(rng.integers(len(frontier)))]
        members.append(pick)
        inside.add(pick)
        pop += float(land.population[pick])
    return members
