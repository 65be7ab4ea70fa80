"""What a day's offers do to shoppers: the promised saving they respond to, and checkout.

``Offers`` combines the day's offers by the stacking rule into one saving share per
shopper and category, ``s``. Shoppers respond to the effective price ``1 - s`` (the
population's constant-elasticity response), and at checkout each order gets the saving
of the offers it really qualifies for:

* best single offer: the largest saving applies and is credited to its promotion;
* stacked: the savings add up to at most ``cap`` of the order's list value, credited in
  proportion.

Gifts and points are not price offers: they always come on top, they lift demand by the
value shoppers put on them, and their cost is loyalty cost, not discount cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy.special import ndtr

from agents._config import Config, Share

if TYPE_CHECKING:
    from agents.population import ShopperPopulation
    from agents.promotions.agent import PromotionAgent

#: The inventory's hook at checkout: ``(keep, value) -> keep`` without lost sales.
Fulfil = Callable[[np.ndarray, np.ndarray], np.ndarray]

__all__ = ["MAX_SHARE", "Basket", "Checkout", "Completions", "Fulfil", "Offer", "Offers",
           "Stacking", "expected_saving", "merge"]

#: The largest saving share shoppers respond to: the constant-elasticity response has
#: no finite value for a free item, so deeper offers respond as this deep.
MAX_SHARE = np.float32(0.95)
_TALLY = ("coupon_cost", "gift_cost", "points_cost", "deposits", "deposit_value",
          "flash_units")


class Stacking(Config):
    """How offers on the same order combine.

    ``best``: only the offer saving the most applies (best single offer). ``stack``: the
    savings add up, capped at ``cap`` (a share of the order's list value). Gifts and
    points are not price offers: they always come on top.
    """

    rule: Literal["best", "stack"] = "best"
    cap: Share = 0.5


def expected_saving(mean: np.ndarray, sigma: np.ndarray, threshold: float, amount: float,
                    top_up_range: float = 0.0, top_up_share: float = 0.0) -> np.ndarray:
    """Expected saving, as a share of list value, of ``amount`` off orders of at least
    ``threshold``, for shoppers with log-normal baskets (``mean``, log-sd ``sigma``).

    A basket within ``top_up_range`` (share of the threshold) below it is topped up to
    reach it with probability ``top_up_share``.
    """
    sigma = np.maximum(sigma, np.float32(1e-6))
    mean = np.maximum(mean, np.float32(1e-6))

    def above(x: float) -> np.ndarray:
        if x <= 0:
            return np.ones_like(mean)
        return ndtr(-(np.log(np.float32(x) / mean) + sigma**2 / 2) / sigma)

    reach = above(threshold)
    near = above(threshold * (1 - top_up_range)) - reach if top_up_share > 0 else 0.0
    p = reach + top_up_share * near
    return (amount / np.maximum(mean, max(threshold, amount)) * p).astype(np.float32)


@dataclass
class Offer:
    """One promotion's terms on one day.

    Attributes:
        agent: the promotion.
        share: promised saving as a share of list value: a number, or one per shopper.
        eligible: who may use it (bool per shopper), None for everyone.
    """

    agent: PromotionAgent
    share: float | np.ndarray
    eligible: np.ndarray | None

    def matrix(self, n: int) -> np.ndarray:
        """The promised share per shopper and category, shape ``(n, categories)``."""
        cats = self.agent.categories.astype(np.float32)
        share = np.broadcast_to(np.asarray(self.share, dtype=np.float32), (n,))
        if self.eligible is not None:
            share = share * self.eligible
        return share[:, None] * cats[None, :]

    def takes(self, buyers: np.ndarray, category: np.ndarray) -> np.ndarray:
        """Which orders (buyers, their categories) may use the offer."""
        ok = self.agent.categories[category]
        return ok if self.eligible is None else ok & self.eligible[buyers]


@dataclass
class Completions:
    """Presale orders completed on their final day (simulated scale); ``promotion`` is
    the index of each order's presale in the plan."""

    promotion: np.ndarray
    shoppers: np.ndarray
    channel: np.ndarray
    category: np.ndarray
    list_value: np.ndarray
    gmv: np.ndarray


def merge(a: Completions | None, b: Completions | None) -> Completions | None:
    """Two batches of added orders as one."""
    if a is None or b is None:
        return a if b is None else b
    return Completions(*(np.concatenate([x, y]) for x, y in zip(
        vars(a).values(), vars(b).values(), strict=True)))


@dataclass
class Checkout:
    """What a day's offers did to its orders (money at simulated scale).

    Attributes:
        gmv: paid value per order.
        keep: False for orders dropped: a flash sale sold out before the shopper came, or
            the order became a presale deposit instead.
        tally: day totals: ``coupon_cost``, ``gift_cost``, ``points_cost``, ``deposits``,
            ``deposit_value``, ``flash_units`` (and ``group_*`` with a group deal).
        per_promotion: ``(promotions, 3)`` orders, discount cost, loyalty cost.
        extra: orders the day's offers added (contacts who joined a group deal).
    """

    gmv: np.ndarray
    keep: np.ndarray
    tally: dict[str, float] = field(default_factory=dict)
    per_promotion: np.ndarray | None = None
    extra: Completions | None = None


def _none() -> np.ndarray:
    return np.zeros(0)


@dataclass
class Basket:
    """A day's orders while the offers work on them: what each kind's checkout step
    reads and changes (money at simulated scale; one entry per order unless said).

    Attributes:
        takes: per price offer, the orders that may use it.
        new: first orders (the buyer was no customer yet).
        deposit: orders that became presale deposits.
        savings: per order and price offer, its saving before stacking.
        credit: the same under the stacking rule (``combine``).
        keep: orders still placed.
        gmv: paid value.
        per_promo: ``(promotions, 3)`` orders, discount cost, loyalty cost.
    """

    day: int
    pop: ShopperPopulation
    buyers: np.ndarray
    channel: np.ndarray
    category: np.ndarray
    list_value: np.ndarray
    combine: Callable[[np.ndarray, np.ndarray], np.ndarray]
    takes: list[np.ndarray]
    new: np.ndarray
    deposit: np.ndarray
    per_promo: np.ndarray
    tally: dict[str, float] = field(default_factory=lambda: dict.fromkeys(_TALLY, 0.0))
    extra: Completions | None = None
    savings: np.ndarray = field(default_factory=_none)
    credit: np.ndarray = field(default_factory=_none)
    keep: np.ndarray = field(default_factory=_none)
    gmv: np.ndarray = field(default_factory=_none)


class Offers:
    """The day's offers as the shoppers meet them.

    Args:
        offers: the offers running today.
        n: number of shoppers.
        stacking: how price offers on one order combine.
        n_promotions: promotions in the plan (rows of ``Checkout.per_promotion``).
    """

    def __init__(self, offers: list[Offer], n: int, stacking: Stacking,
                 n_promotions: int) -> None:
        self.n_promotions = n_promotions
        self.price = [o for o in offers if not o.agent.promo.is_perk]
        self.perks = [o for o in offers if o.agent.promo.is_perk]
        self.stacking = stacking
        self.n = n
        self.price_share: np.ndarray | None = None  # (n, K) saving share of the price
        self.share: np.ndarray | None = None  # the same, plus what the perks are worth
        if self.price:
            s = self.price[0].matrix(n)
            for o in self.price[1:]:
                m = o.matrix(n)
                if stacking.rule == "best":
                    np.maximum(s, m, out=s)
                else:
                    s += m
            if stacking.rule == "stack":
                np.minimum(s, np.float32(stacking.cap), out=s)
            self.price_share = np.minimum(s, MAX_SHARE, out=s)
        if self.perks:
            s = np.zeros_like(self.perks[0].matrix(n)) if self.price_share is None \
                else self.price_share.copy()
            for o in self.perks:
                s += o.matrix(n)
            self.share = np.minimum(s, MAX_SHARE)
        else:
            self.share = self.price_share

    @property
    def any(self) -> bool:
        return self.share is not None

    def checkout(self, day: int, pop: ShopperPopulation, buyers: np.ndarray,
                 channel: np.ndarray, category: np.ndarray, list_value: np.ndarray,
                 fulfil: Fulfil | None = None) -> Checkout:
        """Apply the offers to the day's orders; ``list_value`` may grow (top-ups).

        Each kind takes its steps (see ``Promotion``) in this order, offer by offer:
        deposits, groups, top-ups (the richest threshold first), savings and their
        stacking, caps on what an offer may sell, stock, what was sold, the day's totals;
        then the perks on the orders kept. ``fulfil(keep, value)`` (the inventory) serves
        the orders still kept, each worth ``value``, and returns ``keep`` without the
        sales lost to stock-outs.
        """
        b = Basket(day, pop, buyers, channel, category, list_value, self._combine,
                   takes=[o.takes(buyers, category) for o in self.price],
                   new=~pop.customer[buyers], deposit=np.zeros(buyers.size, dtype=bool),
                   per_promo=np.zeros((self.n_promotions, 3)))
        price = list(enumerate(self.price))
        for j, o in price:
            o.agent.promo.reserve(o, j, b)
        for j, o in price:
            o.agent.promo.form(o, j, b)
        ranked = [(r, j, o) for j, o in price if (r := o.agent.promo.top_up_rank()) is not None]
        for _, j, o in sorted(ranked, key=lambda rjo: rjo[0]):
            o.agent.promo.top_up(o, j, b)
        b.savings = np.zeros((buyers.size, len(self.price)))
        for j, o in price:
            b.savings[:, j] = o.agent.promo.saving(b.takes[j] & ~b.deposit, list_value, b.new)
        b.credit, b.keep = self._combine(b.savings, list_value), ~b.deposit
        for j, o in price:
            o.agent.promo.cap(o, j, b)
        if fulfil is not None:  # stock: what cannot be served is lost
            b.keep = fulfil(b.keep, list_value - b.credit.sum(axis=1))
        for j, o in price:
            o.agent.promo.sold(o, j, b)
        b.credit[~b.keep] = 0.0
        b.gmv = list_value - b.credit.sum(axis=1)
        for j, o in price:
            b.per_promo[o.agent.index, 0] += (b.credit[:, j] > 0).sum()
            b.per_promo[o.agent.index, 1] += b.credit[:, j].sum()
            o.agent.promo.settle(o, j, b)
        for o in self.perks:
            cost = o.agent.promo.perk(o, o.takes(buyers, category) & b.keep, b)
            b.per_promo[o.agent.index, 0] += (cost > 0).sum()
            b.per_promo[o.agent.index, 2] += cost.sum()
        return Checkout(gmv=b.gmv, keep=b.keep, tally=b.tally, per_promotion=b.per_promo,
                        extra=b.extra)

    def _combine(self, savings: np.ndarray, list_value: np.ndarray) -> np.ndarray:
        """Credit per order and offer under the stacking rule."""
        credit = np.zeros_like(savings)
        if savings.shape[1] == 0 or savings.shape[0] == 0:
            return credit
        if self.stacking.rule == "best":
            best = savings.argmax(axis=1)
            rows = np.arange(savings.shape[0])
            credit[rows, best] = savings[rows, best]
            return credit
        total = savings.sum(axis=1)
        capped = np.minimum(total, self.stacking.cap * list_value)
        factor = np.divide(capped, total, out=np.zeros_like(total), where=total > 0)
        return savings * factor[:, None]
