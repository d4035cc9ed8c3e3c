"""Trust dynamics: 'trust comes on foot and leaves on horseback' (digest, Mechanism 6)."""

from __future__ import annotations

import numpy as np


def update(trust: np.ndarray, realised_return: float | np.ndarray, gain: float, loss: float) -> np.ndarray:
    """Asymmetric update of trust values after a year's realised return.

    A positive return closes a fraction `gain` of the gap to 1 (slow, saturating); a
    negative return removes a fraction `loss` of the trust there is (fast).
    """
    trust = np.asarray(trust, dtype=float)
    r = np.broadcast_to(np.asarray(realised_return, dtype=float), trust.shape)
    return np.where(r >= 0, trust + gain * (1.0 - trust), trust * (1.0 - loss))


def erode(trust: np.ndarray, baseline: float, rate: float) -> np.ndarray:
    """Untended trust drifts back towards the baseline of strangers."""
    return trust - rate * (trust - baseline)


def turnover(trust: np.ndarray, baseline: float, drop: float) -> np.ndarray:
    """A new person at the table: part of the built-up trust is gone."""
    return trust - drop * (trust - baseline)
