"""What lives in the market: the shopper population and the channels."""

from agents.channels import ChannelAgent
from agents.population import NEVER, DayOutcome, ShopperPopulation

__all__ = ["NEVER", "ChannelAgent", "DayOutcome", "ShopperPopulation"]
