"""Checkout: the day's buyers become orders.

Each buyer's order gets its source by last-touch attribution (``agents.attribution``), a
category (drawn by the shopper's preferences times the day's price and season lift on
each category) and a basket: log-normal list value with the shopper's basket mean and
the segment's coefficient of variation (mean-preserving: ``exp(sigma z - sigma^2 / 2)``),
or, for a segment with a Gamma-Gamma spend model, Gamma with its shape ``p`` around the
shopper's mean.

Then, in this order: the day's offers apply to the orders they qualify for (via
``Offers.checkout``: threshold top-ups, presale deposits instead of orders, flash-sale
units, stacking) and stock serves them (a lost sale is dropped; the customers it
disappoints are returned, for the lifecycle stage to apply); a referral programme takes
the friend's reward off a referred first order and credits the referrer; members pay
their tier's share of the price; presale orders completing today and orders the offers
added (group-deal joiners) join the day's orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaincinv, ndtri

from agents._hooks import AddedOrders, DayOffers, ReferralProgramme, Stock
from agents._numeric import choose
from agents.attribution import order_sources
from agents.demand import Intent
from agents.market import Market
from agents.population import ShopperPopulation
from agents.streams import BASKET, CATEGORY

__all__ = ["Checkout", "Orders"]


@dataclass
class Orders:
    """The day's orders (money at simulated scale), one row each.

    ``order_channel`` is a channel index, or ``n_channels`` for orders no channel brought
    (organic). The first ``n_own`` rows are the day's own orders, the rest were added
    (presale completions, group-deal joiners).

    Attributes:
        offer_gmv: own orders' GMV after the day's offers (None: no offers ran).
        extra: orders the offers added, to be owed by stock.
        departed: customers who leave, disappointed by a stock-out.
        referrals: (friends, their referrers) of today's referred first orders (None: no
            referral programme).
    """

    buyers: np.ndarray
    order_channel: np.ndarray
    category: np.ndarray
    list_value: np.ndarray
    gmv: np.ndarray
    cogs: np.ndarray
    n_own: int
    tally: dict[str, float] = field(default_factory=dict)
    per_promotion: np.ndarray | None = None
    offer_gmv: np.ndarray | None = None
    extra: AddedOrders | None = None
    departed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    referrals: tuple[np.ndarray, np.ndarray] | None = None


class _Fulfilment:
    """Stock as ``Offers.checkout`` calls it, ``(keep, value) -> keep``, keeping the
    customers a stock-out disappoints."""

    def __init__(self, stock: Stock, day: int, pop: ShopperPopulation, buyers: np.ndarray,
                 category: np.ndarray, list_value: np.ndarray) -> None:
        self.stock, self.day, self.pop = stock, day, pop
        self.buyers, self.category, self.list_value = buyers, category, list_value
        self.departed = np.zeros(0, dtype=np.int64)

    def __call__(self, keep: np.ndarray, value: np.ndarray) -> np.ndarray:
        keep, self.departed = self.stock.fulfil(self.day, self.pop, self.buyers,
                                                self.category, self.list_value, keep, value)
        return keep


class Checkout:
    """Turns the day's buyers into priced, served orders.

    Args:
        scenario: the scenario (the categories' unit cost over price).
        referrals: a referral programme (word of mouth with rewards); None: none.
        stock: the inventory serving the orders; None: stock never runs out.
    """

    def __init__(self, scenario: Market, referrals: ReferralProgramme | None = None,
                 stock: Stock | None = None) -> None:
        cats = scenario.catalog.categories.values()
        self.cost_ratio = np.array([c.unit_cost / c.price for c in cats])
        self.referrals, self.stock = referrals, stock

    def run(self, day: int, pop: ShopperPopulation, intent: Intent, conversion: np.ndarray,
            offers: DayOffers | None = None, completions: AddedOrders | None = None
            ) -> Orders:
        """The day's orders from ``intent``'s buyers, priced and served, plus the presale
        orders in ``completions``."""
        buyers = intent.buyers
        order_channel, by_word = order_sources(day, pop, intent, conversion,
                                               self.referrals is not None)
        weights = pop.prefs[buyers]
        if intent.lift_k is not None:
            lift_k = intent.lift_k
            weights = weights * (lift_k[buyers] if lift_k.ndim == 2 else lift_k)
        category = choose(weights, pop.streams.uniform(CATEGORY, day, pop.n)[buyers])
        ub = np.clip(pop.streams.uniform(BASKET, day, pop.n)[buyers], 1e-7, 1 - 1e-7)
        list_value = self._baskets(pop, buyers, ub)
        orders, placed = self._priced(day, pop, buyers, order_channel, category,
                                      list_value.astype(np.float64), offers)
        if by_word is not None:
            self._reward_referrals(day, pop, orders, by_word[placed])
        if intent.tier_price is not None:  # members pay their tier's share of the price
            paid = intent.tier_price[orders.buyers].astype(np.float64)
            orders.tally["tier_discount"] = float((orders.gmv * (1.0 - paid)).sum())
            orders.gmv = orders.gmv * paid
        self._add(orders, [b for b in (completions, orders.extra) if b is not None])
        orders.cogs = orders.list_value * self.cost_ratio[orders.category]
        return orders

    @staticmethod
    def _baskets(pop: ShopperPopulation, buyers: np.ndarray, ub: np.ndarray) -> np.ndarray:
        """Each buyer's list value from the uniform ``ub``: log-normal around the shopper's
        basket mean, or Gamma with the segment's shape under a spend model."""
        mean, sigma = pop.basket_mean[buyers], pop.basket_sigma[buyers]
        value = mean * np.exp(sigma * ndtri(ub) - 0.5 * sigma**2)
        shape = pop.basket_shape[buyers]
        gamma = shape > 0
        if gamma.any():  # Gamma(p) with mean m: its quantile is m gammaincinv(p, u) / p
            p = shape[gamma].astype(np.float64)
            value[gamma] = mean[gamma] * gammaincinv(p, ub[gamma]) / p
        return np.asarray(value)

    def _priced(self, day: int, pop: ShopperPopulation, buyers: np.ndarray,
                order_channel: np.ndarray, category: np.ndarray, list_value: np.ndarray,
                offers: DayOffers | None) -> tuple[Orders, np.ndarray]:
        """Apply the day's offers and serve from stock; drop the orders not placed.
        Returns the orders placed, and which of the buyers placed one."""
        fulfil = None if self.stock is None else _Fulfilment(
            self.stock, day, pop, buyers, category, list_value)
        keep = np.ones(buyers.size, dtype=bool)
        tally: dict[str, float] = {}
        per_promotion = extra = None
        if offers is None:
            gmv = list_value.copy()
            if fulfil is not None:
                keep = fulfil(keep, list_value)
        else:
            chk = offers.checkout(day, pop, buyers, order_channel, category, list_value,
                                  fulfil)
            tally, per_promotion, extra = chk.tally, chk.per_promotion, chk.extra
            keep, gmv = chk.keep, chk.gmv
        orders = Orders(buyers[keep], order_channel[keep], category[keep], list_value[keep],
                        gmv[keep], np.zeros(0), int(keep.sum()), tally, per_promotion,
                        extra=extra)
        orders.offer_gmv = None if offers is None else orders.gmv
        if fulfil is not None:
            orders.departed = fulfil.departed
        return orders, keep

    def _reward_referrals(self, day: int, pop: ShopperPopulation, orders: Orders,
                          by_word: np.ndarray) -> None:
        """First orders word of mouth brought (``by_word``, per order): find each
        friend's referrer, take the friend's reward off the order, credit the referrer's."""
        assert self.referrals is not None and self.referrals.referral is not None
        ref = self.referrals.referral
        buyers = orders.buyers
        referred = by_word & ~pop.customer[buyers]
        idx = np.flatnonzero(referred)
        friends = buyers[idx]
        referrer = self.referrals.referrers(pop, friends, day, orders.departed) \
            if idx.size else idx
        ok = referrer >= 0
        idx, friends, referrer = idx[ok], friends[ok], referrer[ok]
        off = np.minimum(ref.reward_friend, orders.gmv[idx])
        gmv = orders.gmv.copy()
        gmv[idx] -= off
        orders.gmv, orders.referrals = gmv, (friends, referrer)
        orders.tally["referrals"] = float(idx.size)
        orders.tally["referral_discount"] = float(off.sum())
        orders.tally["referral_credit"] = float(idx.size * ref.reward_referrer)

    @staticmethod
    def _add(orders: Orders, batches: list[AddedOrders]) -> None:
        """Append presale completions and orders the offers added to the day's orders."""
        if not batches or sum(b.shoppers.size for b in batches) == 0:
            return
        orders.buyers = np.concatenate([orders.buyers, *(b.shoppers for b in batches)])
        orders.order_channel = np.concatenate([orders.order_channel,
                                               *(b.channel for b in batches)])
        orders.category = np.concatenate([orders.category, *(b.category for b in batches)])
        orders.list_value = np.concatenate([orders.list_value,
                                            *(b.list_value for b in batches)])
        orders.gmv = np.concatenate([orders.gmv, *(b.gmv for b in batches)])
        orders.tally["presale_orders"] = float(
            sum(b.shoppers.size for b in batches) - orders.tally.get("group_orders", 0.0))
