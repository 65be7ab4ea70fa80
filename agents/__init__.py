"""What lives in the market: one module per mechanism, each with its own configuration."""

from agents.channels import ChannelAgent
from agents.population import NEVER, DayOutcome, ShopperPopulation

__all__ = ["NEVER", "ChannelAgent", "DayOutcome", "ShopperPopulation"]
