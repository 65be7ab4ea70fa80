"""The registry of random streams: unique names, distinct seeds, only registered draws."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from agents import streams
from agents.streams import FAMILIES, FLASH, REGISTRY, VISIT, Stream, Streams


def test_stream_names_are_unique_and_their_crc32_keys_do_not_collide() -> None:
    names = [*REGISTRY, *FAMILIES]
    assert len(names) == len(set(names))
    keys = [zlib.crc32(n.encode()) for n in names]
    assert len(keys) == len(set(keys))
    # a family member can never be a single stream: single names have no ':'
    assert not any(":" in n for n in REGISTRY)


def test_every_module_constant_is_registered_under_its_own_name() -> None:
    for value in vars(streams).values():
        if isinstance(value, Stream):
            assert REGISTRY[value.name] is value


def test_names_are_kept_as_before_because_they_seed_the_draws() -> None:
    # the seed of a stream is crc32(name): these strings must never change
    assert VISIT.key == zlib.crc32(b"visit")
    assert FLASH.of("week").name == "flash:week"


def test_registering_a_name_twice_fails() -> None:
    with pytest.raises(ValueError):
        streams._stream("visit", "someone_else")
    with pytest.raises(ValueError):
        streams._family("flash", "someone_else")


def test_unregistered_streams_are_refused() -> None:
    s = Streams(np.random.SeedSequence(1))
    with pytest.raises(KeyError):
        s.uniform("visit", 0, 3)  # a plain string: use the registered constant
    with pytest.raises(KeyError):
        s.uniform(Stream("visits", "demand"), 0, 3)
    with pytest.raises(KeyError):
        s.uniform("nosuchfamily:x", 0, 3)


def test_a_family_member_is_named_by_its_key() -> None:
    s = Streams(np.random.SeedSequence(7))
    assert FLASH.of("week").name == "flash:week"
    with pytest.raises(KeyError):
        s.uniform("flash:week", 3, 5)  # the name alone is refused: use FLASH.of("week")
    assert np.array_equal(s.uniform(FLASH.of("week"), 3, 5), s.uniform(FLASH.of("week"), 3, 5))


def test_streams_are_keyed_by_name_and_day_only() -> None:
    s = Streams(np.random.SeedSequence(7))
    a = s.uniform(VISIT, 4, 10)
    assert np.array_equal(a[:5], s.uniform(VISIT, 4, 5))
    assert not np.array_equal(a, s.uniform(VISIT, 5, 10))
    # the seed is exactly the old one: crc32 of the name, then day + 1
    seq = np.random.SeedSequence(7, spawn_key=(zlib.crc32(b"visit"), 5))
    assert np.array_equal(a, np.random.Generator(np.random.PCG64(seq)).random(
        10, dtype=np.float32))
