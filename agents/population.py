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

from typing import TYPE_CHECKING

import numpy as np

from agents.streams import TRAITS
from sim.schema import CITY_TIERS, Scenario

if TYPE_CHECKING:
    from agents.streams import Streams

__all__ = ["EXISTING", "NEVER", "ORGANIC", "REFERRAL", "ShopperPopulation"]

NEVER = -(10**6)  # day index meaning "has not happened"
ORGANIC, EXISTING, REFERRAL = -1, -2, -3  # acquisition sources besides channels


class ShopperPopulation:
    """All shoppers of one run: their traits and state.

    Args:
        scenario: the validated scenario (traits come from its segments).
        streams: the run's random streams.
    """

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
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

    def _draw_preferences(self, scenario: Scenario, g: np.random.Generator) -> np.ndarray:
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

    def _draw_state(self, scenario: Scenario, g: np.random.Generator) -> None:
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
