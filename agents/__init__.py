"""What lives in the market: one module per mechanism, each with its own configuration; the
shoppers' state, the stages of a day and the random streams they draw from."""

from agents.channels import ChannelAgent
from agents.outcome import DayOutcome
from agents.population import NEVER, ShopperPopulation

__all__ = ["NEVER", "ChannelAgent", "DayOutcome", "ShopperPopulation"]
