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

Asked to (``record``), the checkout also keeps which promotions each order used (the
order log reads it): those whose saving it got under the stacking rule, the perks it
got, and the promotion that added it (a group deal's joiners).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from agents._config import Config, Share
from agents.promotions._orders import Basket, Completions

if TYPE_CHECKING:
    from agents.population import ShopperPopulation
    from agents.promotions._orders import Offer

#: The inventory's hook at checkout: ``(keep, value) -> keep`` without lost sales.
Fulfil = Callable[[np.ndarray, np.ndarray], np.ndarray]

__all__ = ["MAX_SHARE", "Checkout", "Fulfil", "Offers", "Stacking"]

#: The largest saving share shoppers respond to: the constant-elasticity response has
#: no finite value for a free item, so deeper offers respond as this deep.
MAX_SHARE = np.float32(0.95)


class Stacking(Config):
    """How offers on the same order combine.

    ``best``: only the offer saving the most applies (best single offer). ``stack``: the
    savings add up, capped at ``cap`` (a share of the order's list value). Gifts and
    points are not price offers: they always come on top.
    """

    rule: Literal["best", "stack"] = "best"
    cap: Share = 0.5


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


class Offers:
    """The day's offers as the shoppers meet them.

    Args:
        offers: the offers running today.
        n: number of shoppers.
        stacking: how price offers on one order combine.
        n_promotions: promotions in the plan (rows of ``Checkout.per_promotion``).
        record: also record which promotions each order used (``used``).

    Attributes:
        used: with ``record``, after ``checkout``: bool ``(orders, promotions)``, for each
            order kept, then each order in ``Checkout.extra``, the promotions it used
            (None: not recorded).
    """

    def __init__(self, offers: list[Offer], n: int, stacking: Stacking,
                 n_promotions: int, record: bool = False) -> None:
        self.n_promotions = n_promotions
        self.record = record
        self.used: np.ndarray | None = None
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
        perks: list[tuple[int, np.ndarray]] = []  # recorded: which orders got each perk
        for o in self.perks:
            cost = o.agent.promo.perk(o, o.takes(buyers, category) & b.keep, b)
            b.per_promo[o.agent.index, 0] += (cost > 0).sum()
            b.per_promo[o.agent.index, 2] += cost.sum()
            if self.record:
                perks.append((o.agent.index, cost > 0))
        if self.record:
            self.used = self._used(b, perks)
        return Checkout(gmv=b.gmv, keep=b.keep, tally=b.tally, per_promotion=b.per_promo,
                        extra=b.extra)

    def _used(self, b: Basket, perks: list[tuple[int, np.ndarray]]) -> np.ndarray:
        """Per order kept, then per order the offers added, the promotions it used: as
        ``per_promotion`` counts them (a saving credited, a perk given, an order added)."""
        used = np.zeros((int(b.keep.sum()), self.n_promotions), dtype=bool)
        for j, o in enumerate(self.price):
            used[:, o.agent.index] |= b.credit[b.keep, j] > 0
        for index, got in perks:
            used[:, index] |= got[b.keep]
        if b.extra is None:
            return used
        return np.concatenate([used, np.eye(self.n_promotions, dtype=bool)[b.extra.promotion]])

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
