"""What the mechanisms read of a scenario: the market they run in.

``sim.Scenario`` assembles the mechanisms' configurations and has all of these; the
mechanisms depend only on this protocol, so that ``agents`` imports nothing above it.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from agents.population import ShopperSource

__all__ = ["Dated", "Market"]


class Dated(Protocol):
    """The simulated period: day indices and their calendar dates."""

    @property
    def n_days(self) -> int: ...

    def day(self, index: int) -> dt.date: ...

    def day_of(self, date: dt.date) -> int: ...


class Market(ShopperSource, Protocol):
    """The shoppers, the catalog, the channels and the horizon of a scenario."""

    @property
    def horizon(self) -> Dated: ...
