"""A tiny hand-made market for the unit tests of the day's stages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import scenarios
from agents.population import ShopperPopulation
from agents.streams import Streams
from sim.schema import Scenario

#: the baseline market's channels, in order
SEARCH, SOCIAL, KOL, AFFILIATE, CRM, CONTENT = range(6)


def tiny_scenario(n: int = 40, **overrides: Any) -> Scenario:
    """The baseline scenario with ``n`` shoppers and dotted-path ``overrides``."""
    sc = scenarios.load("baseline").with_overrides({"population.size": n})
    return sc.with_overrides(overrides) if overrides else sc


def population(sc: Scenario, seed: int = 0, **state: Any) -> ShopperPopulation:
    """The shoppers of ``sc``, with traits or state set by hand: ``customer=True``,
    ``lam=0.1``, ``aware=array``, ... (each value broadcast into the array)."""
    pop = ShopperPopulation(sc, Streams(np.random.SeedSequence(seed)))
    for name, value in state.items():
        getattr(pop, name)[...] = value
    return pop


@pytest.fixture
def tiny() -> Scenario:
    return tiny_scenario()
