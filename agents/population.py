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
Gamma(r, alpha) per shopper) and dropout probability p (Beta(a, b)), basket mean (from
the segment's basket model, or p / nu with nu ~ Gamma(q, gamma) under a Gamma-Gamma
``spend`` model) and log-sd, price sensitivity, category preferences (Dirichlet around
the segment's weights).

The shoppers on day 0. With a customer table (``population.customers``), its customers
come first (rows 0..k-1, ``ids`` naming them), their traits and state drawn from their
own history (``agents.customers``: BG/NBD posterior, Gamma-Gamma posterior, orders per
category); the other ``size - k`` shoppers are drawn from the segments as without a
table: a share ``initial_customer_share`` are customers with a made-up history of up to
``history_days``, a share ``initial_aware_share`` know the shop, the rest are prospects.
Prospects can also arrive on their own (``arrivals``, in ``agents.demand``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Protocol

import numpy as np
from pydantic import Field, field_validator

from agents._config import (
    CITY_TIERS,
    MAX_DAYS,
    CityTier,
    Config,
    NonNegative,
    Positive,
    Share,
    check_sums_to_one,
)
from agents.catalog import Catalog
from agents.channels import Channel
from agents.customers import (
    CustomerTable,
    History,
    Seeded,
    SegmentModels,
    draw_basket_mean,
    seed_customers,
)
from agents.streams import CUSTOMERS, TRAITS

if TYPE_CHECKING:
    from agents.streams import Streams

__all__ = ["EXISTING", "NEVER", "ORGANIC", "REFERRAL", "BasketParams", "BetaParams",
           "GammaParams", "Population", "Segment", "ShopperPopulation", "ShopperSource",
           "SpendParams"]

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



class SpendParams(Config):
    """Gamma-Gamma spend per order (Fader, Hardie and Lee 2005, "RFM and CLV").

    A shopper's order values are Gamma(shape ``p``, rate nu) with her own
    nu ~ Gamma(shape ``q``, rate ``gamma``): her mean basket is p / nu (currency; the
    mean over shoppers is ``p gamma / (q - 1)`` for q > 1). It replaces the basket
    model: the mean basket is p / nu instead of a draw around ``basket.mean``, and each
    order's value is Gamma with shape ``p`` around it instead of log-normal with
    ``basket.cv`` (the population carries p per shopper as ``basket_shape`` for
    checkout). A table customer's nu is drawn from its posterior given her repeat
    orders (``agents.customers``).
    """

    p: Positive
    q: Positive
    gamma: Positive



class Segment(Config):
    """A group of shoppers whose traits are drawn from the same distributions.

    ``purchase`` and ``dropout`` are the BG/NBD rates (per day), ``basket`` the order
    value; ``spend`` (optional) a Gamma-Gamma model of order value that replaces
    ``basket`` (``SpendParams``), as fitted by ``calibrate``.
    """

    share: Share
    age_band: str = "all"
    spending_power: Literal["low", "mid", "high"] = "mid"
    interest: str = "general"
    city_tiers: dict[CityTier, NonNegative] = Field(
        default_factory=lambda: dict.fromkeys(CITY_TIERS, 0.25))
    purchase: GammaParams
    dropout: BetaParams
    basket: BasketParams
    spend: SpendParams | None = None
    price_sensitivity: Annotated[float, Field(ge=0.0, le=10.0)] = 2.5
    categories: dict[str, Positive] = Field(default_factory=dict)
    channel_affinity: dict[str, NonNegative] = Field(default_factory=dict)

    @field_validator("city_tiers")
    @classmethod
    def _tiers_sum(cls, v: dict[str, float]) -> dict[str, float]:
        return check_sums_to_one(v, "city tier shares")



class Population(Config):
    """The simulated shoppers. Each simulated shopper stands for ``scale`` real ones.

    Attributes (besides the traits' and stages' parameters):
        size: simulated shoppers, the table's customers (``round(k / scale)`` of its k
            rows) included.
        arrivals: first orders a day from prospects, at real scale (before the day's
            demand multiplier and price response); 0: prospects buy only through
            channels and word of mouth.
        customers: the shop's own customers to start from (None: all drawn from the
            segments).
    """

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
    new_days: int = Field(default=30, ge=1, le=MAX_DAYS)
    dormant_after_days: int = Field(default=90, ge=1, le=MAX_DAYS)
    high_value_spend: Positive = 3000.0
    spend_window_days: int = Field(default=365, ge=7, le=MAX_DAYS)
    arrivals: NonNegative = 0.0
    customers: CustomerTable | None = None
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

    @property
    def customer_history(self) -> History | None:
        """The checked rows of ``population.customers`` (None: no table)."""


class ShopperPopulation:
    """All shoppers of one run: their traits and state.

    Args:
        scenario: the validated scenario (traits come from its segments).
        streams: the run's random streams.

    Attributes (some):
        ids: the customer table's ids of rows 0..k-1 (str), the table shoppers in
            population order; None without a table.
        n_orders: orders placed: a table customer's purchase days before day 0, plus
            every order of the run (a drawn customer's made-up history counts none).
        basket_shape: shape of the Gamma distribution of each order's value around the
            basket mean, the segment's ``spend.p`` (float32); 0 where the segment has no
            spend model: orders are then log-normal with ``basket_sigma``.
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
        g, gc = streams.generator(TRAITS), streams.generator(CUSTOMERS)
        history, weights = scenario.customer_history, self._category_weights(scenario)
        head = None if history is None else seed_customers(
            history, _segment_models(pop, weights), pop.scale, gc)
        k = 0 if head is None else head.size
        self.ids = None if head is None else head.ids

        # the shoppers after the table's (all of them without one), drawn as always
        rest = g.choice(len(seg_cfg), size=n - k, p=[s.share for s in seg_cfg]).astype(np.int8)
        self.segment = _join(None if head is None else head.segment, rest)
        self.city_tier = np.zeros(n, dtype=np.int8)
        self.lam = np.zeros(n, dtype=np.float32)
        self.p_drop = np.zeros(n, dtype=np.float32)
        self.basket_mean = np.zeros(n, dtype=np.float32)
        for s, seg in enumerate(seg_cfg):
            idx = k + np.flatnonzero(rest == s)
            tiers = np.array([seg.city_tiers.get(t, 0.0) for t in CITY_TIERS])
            self.city_tier[idx] = g.choice(len(CITY_TIERS), size=idx.size, p=tiers / tiers.sum())
            self.lam[idx] = g.gamma(seg.purchase.r, 1.0 / seg.purchase.alpha, size=idx.size)
            self.p_drop[idx] = g.beta(seg.dropout.a, seg.dropout.b, size=idx.size)
            self.basket_mean[idx] = g.gamma(seg.basket.shape, seg.basket.mean / seg.basket.shape,
                                            size=idx.size)
        for s, seg in enumerate(seg_cfg):  # a spend model replaces the basket's mean
            if seg.spend is not None:
                idx = k + np.flatnonzero(rest == s)
                self.basket_mean[idx] = draw_basket_mean(gc, seg.spend.p, seg.spend.q,
                                                         seg.spend.gamma, np.zeros(idx.size))
        if head is not None:
            for name in ("city_tier", "lam", "p_drop", "basket_mean"):
                getattr(self, name)[:k] = getattr(head, name)
        self.basket_shape = np.array([0.0 if s.spend is None else s.spend.p for s in seg_cfg],
                                     dtype=np.float32)[self.segment]
        self.basket_sigma = np.sqrt(np.log1p(np.array([s.basket.cv**2 for s in seg_cfg])))[
            self.segment].astype(np.float32)
        self.price_sensitivity = np.array([s.price_sensitivity for s in seg_cfg],
                                          dtype=np.float32)[self.segment]
        self.prefs = self._draw_preferences(scenario, g, weights, rest, head)
        self._draw_state(scenario, g, head)

    @staticmethod
    def _category_weights(scenario: ShopperSource) -> np.ndarray:
        """Each segment's category weights (a row each, summing to 1)."""
        cats = scenario.catalog.categories
        rows = [np.array([c.weight * (seg.categories.get(k, 0.0) if seg.categories else 1.0)
                          for k, c in cats.items()])
                for seg in scenario.population.segments.values()]
        return np.array([w / w.sum() for w in rows])

    def _draw_preferences(self, scenario: ShopperSource, g: np.random.Generator,
                          weights: np.ndarray, rest: np.ndarray, head: Seeded | None
                          ) -> np.ndarray:
        """Category preferences per shopper: Dirichlet around the segment's weights."""
        conc = scenario.population.category_concentration
        k = self.n - rest.size
        prefs = np.zeros((self.n, weights.shape[1]), dtype=np.float32)
        for s, w in enumerate(weights):
            idx = k + np.flatnonzero(rest == s)
            draws = np.zeros((idx.size, w.size))
            pos = w > 0
            draws[:, pos] = g.gamma(conc * w[pos], size=(idx.size, int(pos.sum())))
            prefs[idx] = draws / np.maximum(draws.sum(axis=1, keepdims=True), 1e-12)
        if head is not None:
            prefs[:k] = head.prefs
        return prefs

    def _draw_state(self, scenario: ShopperSource, g: np.random.Generator,
                    head: Seeded | None) -> None:
        """The state on day 0: the table's customers where they stand; the others
        customers with a history before the horizon, aware or prospects."""
        pop, n = scenario.population, self.n
        k = 0 if head is None else head.size
        r, yes = n - k, np.ones(k, dtype=bool)
        customer = g.random(r) < pop.initial_customer_share
        aware = customer | (g.random(r) < pop.initial_aware_share)
        hist = pop.history_days
        last = -1 - np.floor(g.random(r) * hist).astype(np.int32)
        first = last - np.floor(g.random(r) * hist).astype(np.int32)
        # an established customer's trailing spend starts at its expected value
        spend = np.where(customer, self.lam[k:] * self.basket_mean[k:] * pop.spend_window_days,
                         0.0).astype(np.float32)
        h = head
        self.customer = _join(None if h is None else yes, customer)
        self.aware = _join(None if h is None else yes, aware)
        self.alive = _join(None if h is None else h.alive, customer)
        self.last_day = _join(None if h is None else h.last_day,
                              np.where(customer, last, NEVER).astype(np.int32))
        self.first_day = _join(None if h is None else h.first_day,
                               np.where(customer, first, NEVER).astype(np.int32))
        self.n_orders = _join(None if h is None else h.n_orders, np.zeros(r, dtype=np.int32))
        # how a customer came: a channel index, or ORGANIC, REFERRAL, EXISTING (before day 0)
        self.acquired_by = np.where(self.customer, EXISTING, ORGANIC).astype(np.int8)
        self.spend = _join(None if h is None else h.spend, spend)
        self.adstock = np.zeros((len(self.channels), n), dtype=np.float32)
        self.fatigue = np.zeros((len(self.owned), n), dtype=np.float32)
        self.subscribed = np.repeat(self.customer[None, :], len(self.owned), axis=0)
        self.reference = np.ones(n, dtype=np.float32)  # reference price index (1 = list)
        self.owed = np.zeros(n, dtype=np.float32)  # orders borrowed from the future


def _join(head: np.ndarray | None, rest: np.ndarray) -> np.ndarray:
    """The table shoppers' values followed by the others' (a copy of ``rest`` alone)."""
    return rest.copy() if head is None else np.concatenate([head.astype(rest.dtype), rest])


def _segment_models(pop: Population, weights: np.ndarray) -> SegmentModels:
    """The segments' models as ``agents.customers`` reads them (segment order)."""
    segs = list(pop.segments.values())
    nan = (np.nan, np.nan, np.nan)
    return SegmentModels(
        bgnbd=np.array([(s.purchase.r, s.purchase.alpha, s.dropout.a, s.dropout.b)
                        for s in segs]),
        basket=np.array([(s.basket.shape, s.basket.mean) for s in segs]),
        spend=np.array([nan if s.spend is None else (s.spend.p, s.spend.q, s.spend.gamma)
                        for s in segs]),
        tiers=np.array([[s.city_tiers.get(t, 0.0) for t in CITY_TIERS] for s in segs]),
        prefs=pop.category_concentration * weights)
