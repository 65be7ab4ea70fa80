"""Array helpers shared by the stages of the day (private)."""

from __future__ import annotations

import numpy as np

__all__ = ["choose", "one_minus_exp"]


def one_minus_exp(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``1 - exp(-x)`` elementwise. Inlined ``exp`` rather than ``-expm1(-x)``: numpy's
    float32 exp is vectorised and ~6x faster, and the absolute error (~1e-7) is far
    below anything a probability compared with a uniform draw can resolve."""
    out = np.negative(x, out=out)
    np.exp(out, out=out)
    return np.subtract(np.float32(1.0), out, out=out)


def choose(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise categorical choice: column index per row with probability ∝ weights."""
    if weights.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(weights, axis=1)
    target = u * cum[:, -1]
    return np.minimum((cum <= target[:, None]).sum(axis=1), weights.shape[1] - 1)
