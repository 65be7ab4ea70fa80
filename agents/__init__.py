"""What lives in the market: the shopper population, the channels and the promotions.

The names below load on first use: the mechanisms' configuration models (``_schema``,
``promotions``) are what ``sim.schema`` assembles, so importing them must not pull in
the agents that read the assembled schema.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agents.channels import ChannelAgent
    from agents.population import NEVER, DayOutcome, ShopperPopulation

__all__ = ["NEVER", "ChannelAgent", "DayOutcome", "ShopperPopulation"]
_HOME = {"NEVER": "agents.population", "ChannelAgent": "agents.channels",
         "DayOutcome": "agents.population", "ShopperPopulation": "agents.population"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'agents' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
