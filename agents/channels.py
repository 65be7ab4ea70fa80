"""Channels: the traffic sources a planner buys or owns, one Mesa agent each.

A channel turns its planned daily budget into exposures and, once the day's orders are
known, into the spend it really cost. How depends on its pricing:

* ``cpm`` (social / short-video feed, KOL): ``rate`` per 1000 impressions.
* ``cpc`` (paid search): ``rate`` per visit bought; exposures = visits / ctr.
* ``per_message`` (e-mail, SMS, push): ``rate`` per message to subscribed customers.
* ``commission`` (affiliate): pays ``commission`` x attributed GMV only; ``rate`` is the
  effective CPM that sizes how much promotion the budget buys.
* ``content`` (organic search and content): the budget builds a content stock that decays
  slowly (``content_decay`` a day) and keeps bringing ``impressions_per_content`` a day.

A fixed ``fee_per_day`` is paid on each day the channel runs (a KOL's appearance fee);
a day whose budget cannot cover the fee does not run at all. A channel that also pays
commission keeps that share of its non-fee budget in reserve for it. Media is paid only
for exposures that found an audience (no messages are sent to nobody), and the day's
spend is capped at the day's plan, so spend never exceeds the plan.
"""

from __future__ import annotations

from typing import Annotated, Literal

import mesa
import numpy as np
from pydantic import Field, model_validator

from agents._config import CityTier, Config, NonNegative, Positive, Share

__all__ = ["Channel", "ChannelAgent"]


class Channel(Config):
    """A traffic source.

    ``pricing`` says what ``rate`` means: ``cpc`` currency per visit bought, ``cpm`` per
    1000 impressions, ``per_message`` per message sent, ``commission`` an effective CPM
    used only to size reach (the cost is ``commission`` x attributed GMV), ``content``
    currency per unit of content that keeps producing impressions as it slowly decays.
    """

    kind: Literal["search", "feed", "kol", "affiliate", "owned", "organic"]
    pricing: Literal["cpc", "cpm", "per_message", "commission", "content"]
    rate: Positive
    fee_per_day: NonNegative = 0.0
    commission: Share = 0.0
    ctr: Annotated[float, Field(gt=0.0, le=1.0)] = 0.02
    saturation: Positive = 2.0
    decay: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.5
    conversion: Share = 0.05
    audience: Literal["all", "prospects", "customers"] = "all"
    city_tier_affinity: dict[CityTier, NonNegative] = Field(default_factory=dict)
    content_decay: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.995
    impressions_per_content: NonNegative = 200.0
    fatigue_decay: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.85
    fatigue_tolerance: NonNegative = 1.0
    fatigue_penalty: NonNegative = 0.3
    unsubscribe_rate: Share = 0.02
    max_messages_per_day: Positive = 1.0

    @model_validator(mode="after")
    def _owned_reach_customers(self) -> Channel:
        if self.pricing == "commission" and self.commission <= 0:
            raise ValueError("a channel priced by commission needs a commission above 0")
        if self.pricing == "per_message" and self.audience != "customers":
            raise ValueError("per_message channels (e-mail, SMS, push) reach only customers: "
                             "set audience: customers")
        return self


class ChannelAgent(mesa.Agent):
    """One channel of the market.

    Args:
        model: the market model.
        name: the channel's name in the scenario.
        config: the channel's validated parameters.
        budgets: planned spend per day (currency), over the horizon.
    """

    def __init__(self, model: mesa.Model, name: str, config: Channel,
                 budgets: np.ndarray) -> None:
        super().__init__(model)
        self.name = name
        self.config = config
        self.budgets = budgets
        self.content_stock = 0.0
        self._fee = self._media = self._cap = 0.0

    def buy(self, day: int) -> float:
        """Spend the day's media budget; return the real-scale exposures it buys."""
        cfg, budget = self.config, float(self.budgets[day])
        if budget < cfg.fee_per_day:  # cannot pay the appearance fee: no stream today
            budget = 0.0
        fee = cfg.fee_per_day if budget > 0 else 0.0
        usable = budget - fee
        media = usable * (1.0 - cfg.commission)
        self._cap, self._fee = budget, fee
        self._media = 0.0 if cfg.pricing == "commission" else media
        match cfg.pricing:
            case "cpm":
                return media / cfg.rate * 1000.0
            case "cpc":
                return media / cfg.rate / cfg.ctr
            case "per_message":
                return media / cfg.rate
            case "commission":
                return usable / cfg.rate * 1000.0
            case "content":
                self.content_stock = self.content_stock * cfg.content_decay + media / cfg.rate
                return self.content_stock * cfg.impressions_per_content
        raise AssertionError(cfg.pricing)  # pragma: no cover - the schema allows no other

    def settle(self, attributed_gmv: float, delivered: float = 1.0) -> float:
        """The day's real spend, capped at the plan.

        Args:
            attributed_gmv: GMV attributed to the channel today (real scale).
            delivered: share of the bought exposures that reached an audience.
        """
        if self.config.pricing == "content":
            delivered = 1.0  # content is produced (and paid) whoever reads it today
        spend = self._fee + self._media * delivered + self.config.commission * attributed_gmv
        return min(self._cap, spend)
