"""What lives in the market: the shopper population, the channels and the stages of a day."""

from agents.channels import ChannelAgent
from agents.outcome import DayOutcome
from agents.population import NEVER, ShopperPopulation

__all__ = ["NEVER", "ChannelAgent", "DayOutcome", "ShopperPopulation"]
