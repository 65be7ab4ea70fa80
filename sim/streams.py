"""Random streams: one per mechanism, so that strategies share their randomness.

A run is identified by one ``numpy.random.SeedSequence`` (replications come from
``SeedSequence(seed).spawn(n)``). Each mechanism (visits, baskets, dropout, ...) draws
from its own child sequence keyed by the mechanism's name and the day. Two strategies
run on the same seed therefore see the same uniform number for shopper *i*, mechanism
*m* and day *t* (common random numbers), whatever else differs between them, and a
mechanism that draws more or less on one day does not shift any other draw.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["Streams", "replication_seeds"]


def replication_seeds(seed: int, n: int) -> list[np.random.SeedSequence]:
    """The child seed sequences of ``n`` replications of root ``seed``."""
    return np.random.SeedSequence(seed).spawn(n)


class Streams:
    """Per-mechanism random generators derived from one run's seed sequence.

    Args:
        seed_seq: the run's seed sequence (one replication).
    """

    def __init__(self, seed_seq: np.random.SeedSequence) -> None:
        self.seed_seq = seed_seq

    def generator(self, mechanism: str, day: int | None = None) -> np.random.Generator:
        """A generator for ``mechanism`` (on ``day``, if given), stable across processes."""
        key = (zlib.crc32(mechanism.encode()),) if day is None else (
            zlib.crc32(mechanism.encode()), day + 1)
        seq = np.random.SeedSequence(self.seed_seq.entropy,
                                     spawn_key=(*self.seed_seq.spawn_key, *key))
        return np.random.Generator(np.random.PCG64(seq))

    def uniform(self, mechanism: str, day: int, n: int) -> np.ndarray:
        """``n`` float32 uniforms in [0, 1), one per shopper, for ``mechanism`` on ``day``."""
        return self.generator(mechanism, day).random(n, dtype=np.float32)
