"""Random streams: one per mechanism, so that strategies share their randomness.

A run is identified by one ``numpy.random.SeedSequence`` (replications come from
``SeedSequence(seed).spawn(n)``). Each mechanism (visits, baskets, dropout, ...) draws
from its own child sequence keyed by the stream's name and the day. Two strategies
run on the same seed therefore see the same uniform number for shopper *i*, mechanism
*m* and day *t* (common random numbers), whatever else differs between them, and a
mechanism that draws more or less on one day does not shift any other draw.

Every stream is registered here, once, with the mechanism that owns it, so that a new
mechanism cannot silently draw from another's stream: ``Streams`` accepts only
registered streams. A stream's name is hashed (crc32) into its seed, so a name must
never change: renaming one changes every number it draws. Per-promotion streams are
families (``FLASH.of("double11")`` is the stream ``"flash:double11"``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

__all__ = ["FAMILIES", "REGISTRY", "Stream", "StreamFamily", "Streams", "replication_seeds"]


@dataclass(frozen=True)
class Stream:
    """A registered random stream.

    Attributes:
        name: the string hashed into the stream's seed (never rename it).
        owner: the mechanism (module of ``agents``) that draws from it.
    """

    name: str
    owner: str

    @property
    def key(self) -> int:
        """The stream's part of the seed's spawn key."""
        return zlib.crc32(self.name.encode())


@dataclass(frozen=True)
class StreamFamily:
    """Streams of one mechanism, one per named instance (a promotion): ``prefix:key``."""

    prefix: str
    owner: str

    def of(self, key: str) -> Stream:
        """The family's stream for instance ``key`` (e.g. a promotion's name)."""
        return Stream(f"{self.prefix}:{key}", self.owner)


#: Every single stream by name, and every family by prefix.
REGISTRY: dict[str, Stream] = {}
FAMILIES: dict[str, StreamFamily] = {}


def _stream(name: str, owner: str) -> Stream:
    if name in REGISTRY or name in FAMILIES or ":" in name:
        raise ValueError(f"random stream {name!r} is already registered or not a plain name")
    REGISTRY[name] = s = Stream(name, owner)
    return s


def _family(prefix: str, owner: str) -> StreamFamily:
    if prefix in REGISTRY or prefix in FAMILIES or ":" in prefix:
        raise ValueError(f"random stream family {prefix!r} is already registered")
    FAMILIES[prefix] = f = StreamFamily(prefix, owner)
    return f


# population: traits and initial state, drawn once
TRAITS = _stream("traits", "population")
# customers: the table customers' posterior traits (sample, BG/NBD, Gamma-Gamma, tiers,
# preferences) and the Gamma-Gamma prior of the other shoppers, drawn once
CUSTOMERS = _stream("customers", "customers")
# exposure: prospects learn of the shop, aware non-customers forget
AWARENESS = _stream("awareness", "exposure")
# outreach: unsubscribes of tired subscribers (one row per owned channel)
UNSUBSCRIBE = _stream("unsubscribe", "outreach")
# demand: who visits and who buys (one uniform for both)
VISIT = _stream("visit", "demand")
# checkout: last-touch source, category and basket size of each order
CHANNEL = _stream("channel", "checkout")
CATEGORY = _stream("category", "checkout")
BASKET = _stream("basket", "checkout")
# lifecycle: BG/NBD dropout after a repeat order
DROPOUT = _stream("dropout", "lifecycle")
# inventory
STOCK_SKU_OWED = _stream("stock_sku_owed", "inventory")
STOCK_SKU = _stream("stock_sku", "inventory")
STOCK_QUEUE = _stream("stock_queue", "inventory")
STOCK_SUBSTITUTE = _stream("stock_substitute", "inventory")
STOCK_DISAPPOINTED = _stream("stock_disappointed", "inventory")
# word of mouth: the social graph (once) and who referred a friend
GRAPH = _stream("graph", "word_of_mouth")
REFERRER = _stream("referrer", "word_of_mouth")
# loyalty: members' birthdays (once)
BIRTHDAY = _stream("birthday", "loyalty")
# promotions: one stream per promotion and mechanism
FLASH = _family("flash", "promotions")
FLASH_ORDER = _family("flash_order", "promotions")
FLASH_GONE = _family("flash_gone", "promotions")
GROUP = _family("group", "promotions")
GROUP_JOIN = _family("group_join", "promotions")
GROUP_BASKET = _family("group_basket", "promotions")
TOPUP = _family("topup", "promotions")
PRESALE = _family("presale", "promotions")
FORFEIT = _family("forfeit", "promotions")


def _resolve(stream: Stream) -> Stream:
    """``stream`` itself, if it is registered (alone or as a member of a family)."""
    if not isinstance(stream, Stream):  # e.g. a name typed as a string
        raise KeyError(f"random stream {stream!r}: draw from a stream registered in "
                       "agents.streams, not a name")
    if stream.name in REGISTRY and REGISTRY[stream.name] == stream:
        return stream
    prefix = stream.name.partition(":")[0]
    if ":" in stream.name and FAMILIES.get(prefix) == StreamFamily(prefix, stream.owner):
        return stream
    raise KeyError(f"random stream {stream.name!r} is not registered in agents.streams")


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

    def generator(self, stream: Stream, day: int | None = None) -> np.random.Generator:
        """A generator for ``stream`` (on ``day``, if given), stable across processes."""
        crc = _resolve(stream).key
        key = (crc,) if day is None else (crc, day + 1)
        seq = np.random.SeedSequence(self.seed_seq.entropy,
                                     spawn_key=(*self.seed_seq.spawn_key, *key))
        return np.random.Generator(np.random.PCG64(seq))

    def uniform(self, stream: Stream, day: int, n: int) -> np.ndarray:
        """``n`` float32 uniforms in [0, 1), one per shopper, from ``stream`` on ``day``."""
        return self.generator(stream, day).random(n, dtype=np.float32)
