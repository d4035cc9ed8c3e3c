"""Trust dynamics: 'trust comes on foot and leaves on horseback' (digest, Mechanism 6)."""

from __future__ import annotations

import numpy as np

from simcoop.model import kernels


def update(trust: np.ndarray, realised_return: float | np.ndarray, gain: float, loss: float) -> np.ndarray:
    """Asymmetric update of trust values after a year's realised return.

    A positive return closes a fraction `gain` of the gap to 1 (slow, saturating); a
    negative return removes a fraction `loss` of the trust there is (fast).
    """
    trust = np.asarray(trust, dtype=float)
    r = np.broadcast_to(np.asarray(realised_return, dtype=float), trust.shape)
    return np.where(r >= 0, trust + gain * (1.0 - trust), trust * (1.0 - loss))


def towards_baseline(trust: np.ndarray, baseline: float, share: float) -> np.ndarray:
    """Moves trust a `share` of the way back to the baseline of strangers: untended trust drifts
    back (erosion), and a new person at the table loses part of the built-up trust (turnover)
    (digest Mechanism 6: cooperation depends on who sits at the table)."""
    return trust - share * (trust - baseline)


class PairTrust:
    """Trust between municipalities, stored only for the pairs whose trust was ever set.

    Reads like the dense n x n matrix it replaces (`t[rows, cols]`, `t[np.ix_(a, b)]`, and
    assignment to them): a pair never set holds `baseline` (strangers' trust), the diagonal
    1. Every update of the model (`towards_baseline`, `update`) leaves `baseline` exactly
    as it is, so touching the stored pairs only gives what the dense matrix gives, at
    memory and cost that grow with the pairs that have met, not with n^2 (10,000
    municipalities took 800 MB as a dense matrix). Pairs are kept as sorted keys
    row * n + col with their values; a read is a binary search."""

    def __init__(self, n: int, baseline: float):
        self.n, self.baseline = n, baseline
        self.keys = np.zeros(0, np.int64)
        self.values = np.zeros(0)

    def _positions(self, index) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rows, cols = index
        keys = np.asarray(rows, dtype=np.int64) * self.n + np.asarray(cols, dtype=np.int64)   # broadcasts as numpy does
        pos = self.keys.searchsorted(keys)
        found = self.keys.take(pos, mode="clip") == keys if len(self.keys) else np.zeros(keys.shape, bool)
        return keys, pos, found, keys % (self.n + 1) == 0   # the diagonal: row * n + row

    def __getitem__(self, index) -> np.ndarray:
        rows, cols = index
        keys = np.asarray(rows, dtype=np.int64) * self.n + np.asarray(cols, dtype=np.int64)   # broadcasts as numpy does
        return kernels.pair_lookup(self.keys, self.values, self.n, self.baseline, keys.ravel()).reshape(keys.shape)

    def __setitem__(self, index, values) -> None:
        keys, pos, found, diagonal = self._positions(index)
        keep = ~diagonal                     # the diagonal is 1 by definition
        if not found[keep].all():            # first time set: store the new pairs
            new = np.unique(keys[keep & ~found])
            at = self.keys.searchsorted(new)
            self.keys = np.insert(self.keys, at, new)
            self.values = np.insert(self.values, at, self.baseline)
            pos = self.keys.searchsorted(keys)
        # as numpy's fancy assignment: with a repeated pair, the last value wins
        self.values[pos[keep]] = np.broadcast_to(np.asarray(values, dtype=float), keys.shape)[keep]

    def erode(self, rate: float) -> None:
        """Untended trust drifts back towards the baseline (`towards_baseline`), on every stored pair."""
        self.values = towards_baseline(self.values, self.baseline, rate)

    def pairs(self) -> int:
        return len(self.keys)

    def dense(self) -> np.ndarray:
        """The full n x n matrix (for tests and small landscapes)."""
        out = np.full((self.n, self.n), self.baseline)
        out.flat[self.keys] = self.values
        np.fill_diagonal(out, 1.0)
        return out
