"""What the mechanisms read of a scenario: the market they run in.

``sim.Scenario`` assembles the mechanisms' configurations and has all of these; the
mechanisms depend only on this protocol, so that ``agents`` imports nothing above it.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from agents.catalog import Catalog
from agents.channels import Channel
from agents.population import Population

__all__ = ["Dated", "Market"]


class Dated(Protocol):
    """The simulated period: day indices and their calendar dates."""

    @property
    def n_days(self) -> int: ...

    def day(self, index: int) -> dt.date: ...

    def day_of(self, date: dt.date) -> int: ...


class Market(Protocol):
    """The shoppers, the catalog, the channels and the horizon of a scenario."""

    @property
    def population(self) -> Population: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def channels(self) -> dict[str, Channel]: ...

    @property
    def horizon(self) -> Dated: ...
