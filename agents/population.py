"""The shoppers: individuals stored as a vectorised population, one row per shopper.

Every trait and every piece of state is a numpy array indexed by shopper, drawn here at
the start of a run. The rules that change the state live in the stages of the day, one
module each, which read this state and write only their own part of it:

* ``agents.exposure``: adstock per channel and awareness;
* ``agents.outreach``: fatigue and subscriptions of owned (message) channels;
* ``agents.reference_price`` and ``agents.pull_forward``: reference prices and orders
  owed to the future (household stock);
* ``agents.lifecycle``: customers, dropout, first and last order days, trailing spend.

Traits (fixed for the run): segment, city tier, BG/NBD purchase rate lambda (drawn from
Gamma(r, alpha) per shopper) and dropout probability p (Beta(a, b)), basket mean and
log-sd, price sensitivity, category preferences (Dirichlet around the segment's weights).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Protocol

import numpy as np
from pydantic import Field, field_validator

from agents._config import (
    CITY_TIERS,
    CityTier,
    Config,
    NonNegative,
    Positive,
    Share,
    check_sums_to_one,
)
from agents.catalog import Catalog
from agents.channels import Channel
from agents.streams import TRAITS

if TYPE_CHECKING:
    from agents.streams import Streams

__all__ = ["EXISTING", "NEVER", "ORGANIC", "REFERRAL", "BasketParams", "BetaParams",
           "GammaParams", "Population", "Segment", "ShopperPopulation", "ShopperSource"]

class GammaParams(Config):
    """BG/NBD purchase rates: lambda ~ Gamma(shape ``r``, rate ``alpha``), per day.

    The mean purchase rate while alive is ``r / alpha`` orders per day.
    """

    r: Positive
    alpha: Positive



class BetaParams(Config):
    """BG/NBD dropout: p ~ Beta(``a``, ``b``), the chance to drop out after a repeat order."""

    a: Positive
    b: Positive



class BasketParams(Config):
    """Order value at list price.

    Each shopper's mean basket is drawn from a gamma with mean ``mean`` and shape ``shape``
    (heterogeneity across shoppers); each order varies around it with coefficient of
    variation ``cv`` (log-normal).
    """

    mean: Positive
    shape: Positive = 4.0
    cv: Annotated[float, Field(ge=0.0, le=3.0)] = 0.4



class Segment(Config):
    """A group of shoppers whose traits are drawn from the same distributions."""

    share: Share
    age_band: str = "all"
    spending_power: Literal["low", "mid", "high"] = "mid"
    interest: str = "general"
    city_tiers: dict[CityTier, NonNegative] = Field(
        default_factory=lambda: dict.fromkeys(CITY_TIERS, 0.25))
    purchase: GammaParams
    dropout: BetaParams
    basket: BasketParams
    price_sensitivity: Annotated[float, Field(ge=0.0, le=10.0)] = 2.5
    categories: dict[str, Positive] = Field(default_factory=dict)
    channel_affinity: dict[str, NonNegative] = Field(default_factory=dict)

    @field_validator("city_tiers")
    @classmethod
    def _tiers_sum(cls, v: dict[str, float]) -> dict[str, float]:
        return check_sums_to_one(v, "city tier shares")



class Population(Config):
    """The simulated shoppers. Each simulated shopper stands for ``scale`` real ones."""

    size: int = Field(ge=1, le=50_000_000)
    scale: Positive = 1.0
    initial_customer_share: Share = 0.3
    initial_aware_share: Share = 0.1
    history_days: int = Field(default=180, ge=0, le=3650)
    discovery_rate: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0005
    forget_rate: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.01
    aware_purchase_factor: Share = 0.1
    organic_conversion: Annotated[float, Field(gt=0.0, le=1.0)] = 0.25
    reference_adaptation: Share = 0.1
    pull_forward_share: Share = 0.1
    category_concentration: Positive = 5.0
    awareness_per_exposure: NonNegative = 0.3
    new_days: int = Field(default=30, ge=1)
    dormant_after_days: int = Field(default=90, ge=1)
    high_value_spend: Positive = 3000.0
    spend_window_days: int = Field(default=365, ge=7)
    segments: dict[str, Segment] = Field(min_length=1)

    @field_validator("segments")
    @classmethod
    def _shares_sum(cls, v: dict[str, Segment]) -> dict[str, Segment]:
        check_sums_to_one({k: s.share for k, s in v.items()}, "segment shares")
        return v


NEVER = -(10**6)  # day index meaning "has not happened"
ORGANIC, EXISTING, REFERRAL = -1, -2, -3  # acquisition sources besides channels


class ShopperSource(Protocol):
    """What the shoppers are drawn from: a scenario's population, catalog and channels."""

    @property
    def population(self) -> Population: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def channels(self) -> dict[str, Channel]: ...


class ShopperPopulation:
    """All shoppers of one run: their traits and state.

    Args:
        scenario: the validated scenario (traits come from its segments).
        streams: the run's random streams.
    """

    def __init__(self, scenario: ShopperSource, streams: Streams) -> None:
        pop, cat = scenario.population, scenario.catalog
        self.streams = streams
        self.n = n = pop.size
        self.params = pop
        seg_cfg = list(pop.segments.values())
        self.segment_names = list(pop.segments)
        self.category_names = list(cat.categories)
        self.channel_names = list(scenario.channels)
        self.channels = list(scenario.channels.values())
        #: channels that message subscribers (a row of ``fatigue`` and ``subscribed`` each)
        self.owned = [c for c, ch in enumerate(self.channels) if ch.pricing == "per_message"]
        g = streams.generator(TRAITS)

        self.segment = g.choice(len(seg_cfg), size=n, p=[s.share for s in seg_cfg]).astype(np.int8)
        self.city_tier = np.zeros(n, dtype=np.int8)
        self.lam = np.zeros(n, dtype=np.float32)
        self.p_drop = np.zeros(n, dtype=np.float32)
        self.basket_mean = np.zeros(n, dtype=np.float32)
        for s, seg in enumerate(seg_cfg):
            idx = np.flatnonzero(self.segment == s)
            tiers = np.array([seg.city_tiers.get(t, 0.0) for t in CITY_TIERS])
            self.city_tier[idx] = g.choice(len(CITY_TIERS), size=idx.size, p=tiers / tiers.sum())
            self.lam[idx] = g.gamma(seg.purchase.r, 1.0 / seg.purchase.alpha, size=idx.size)
            self.p_drop[idx] = g.beta(seg.dropout.a, seg.dropout.b, size=idx.size)
            self.basket_mean[idx] = g.gamma(seg.basket.shape, seg.basket.mean / seg.basket.shape,
                                            size=idx.size)
        self.basket_sigma = np.sqrt(np.log1p(np.array([s.basket.cv**2 for s in seg_cfg])))[
            self.segment].astype(np.float32)
        self.price_sensitivity = np.array([s.price_sensitivity for s in seg_cfg],
                                          dtype=np.float32)[self.segment]
        self.prefs = self._draw_preferences(scenario, g)
        self._draw_state(scenario, g)

    def _draw_preferences(self, scenario: ShopperSource, g: np.random.Generator) -> np.ndarray:
        """Category preferences per shopper: Dirichlet around the segment's weights."""
        cats = scenario.catalog.categories
        conc = scenario.population.category_concentration
        prefs = np.zeros((self.n, len(cats)), dtype=np.float32)
        for s, seg in enumerate(scenario.population.segments.values()):
            idx = np.flatnonzero(self.segment == s)
            w = np.array([c.weight * (seg.categories.get(k, 0.0) if seg.categories else 1.0)
                          for k, c in cats.items()])
            w = w / w.sum()
            draws = np.zeros((idx.size, len(cats)))
            pos = w > 0
            draws[:, pos] = g.gamma(conc * w[pos], size=(idx.size, int(pos.sum())))
            prefs[idx] = draws / np.maximum(draws.sum(axis=1, keepdims=True), 1e-12)
        return prefs

    def _draw_state(self, scenario: ShopperSource, g: np.random.Generator) -> None:
        """The state on day 0: customers with a history before the horizon, awareness."""
        pop, n = scenario.population, self.n
        self.customer = g.random(n) < pop.initial_customer_share
        self.aware = self.customer | (g.random(n) < pop.initial_aware_share)
        self.alive = self.customer.copy()
        hist = pop.history_days
        last = -1 - np.floor(g.random(n) * hist).astype(np.int32)
        first = last - np.floor(g.random(n) * hist).astype(np.int32)
        self.last_day = np.where(self.customer, last, NEVER).astype(np.int32)
        self.first_day = np.where(self.customer, first, NEVER).astype(np.int32)
        self.n_orders = np.zeros(n, dtype=np.int32)
        # how a customer came: a channel index, or ORGANIC, REFERRAL, EXISTING (before day 0)
        self.acquired_by = np.where(self.customer, EXISTING, ORGANIC).astype(np.int8)
        # an established customer's trailing spend starts at its expected value
        self.spend = np.where(self.customer, self.lam * self.basket_mean * pop.spend_window_days,
                              0.0).astype(np.float32)
        self.adstock = np.zeros((len(self.channels), n), dtype=np.float32)
        self.fatigue = np.zeros((len(self.owned), n), dtype=np.float32)
        self.subscribed = np.repeat(self.customer[None, :], len(self.owned), axis=0)
        self.reference = np.ones(n, dtype=np.float32)  # reference price index (1 = list)
        self.owed = np.zeros(n, dtype=np.float32)  # orders borrowed from the future
