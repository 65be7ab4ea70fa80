"""Promotions: each offer is a Mesa agent; ``Offers`` is what a day's offers do to shoppers.

On a day it runs, a ``PromotionAgent`` makes an ``Offer``: who may use it (targeting by
segment and lifecycle stage), on which categories, and the saving it promises as a share
of the list price, per shopper. Offers that save an amount per order (fixed, threshold,
coupon, presale, gift) promise their *expected* share: the amount over the shopper's
typical basket times the chance that a basket qualifies, which is where the shopper's
log-normal basket size enters.

``Offers`` combines the day's offers by the stacking rule into one saving share per
shopper and category, ``s``. Shoppers respond to the effective price ``1 - s`` (the
population's constant-elasticity response), and at checkout each order gets the saving
of the offers it really qualifies for:

* best single offer: the largest saving applies and is credited to its promotion;
* stacked: the savings add up to at most ``cap`` of the order's list value, credited in
  proportion.

Gifts and points are not price offers: they always come on top, they lift demand by the
value shoppers put on them, and their cost is loyalty cost, not discount cost. Presale
buyers pay a deposit instead of an order and complete it (or forfeit it) on the final
day; a flash sale sells at most its units, and a shopper who finds them gone buys at the
ordinary price only if they would have bought without the flash price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import ndtr

from agents._config import STAGES

if TYPE_CHECKING:
    from agents.population import ShopperPopulation
    from sim.schema import Promotion, Stacking

#: The inventory's hook at checkout: ``(keep, value) -> keep`` without lost sales.
Fulfil = Callable[[np.ndarray, np.ndarray], np.ndarray]

__all__ = ["PERKS", "Checkout", "Completions", "Offer", "Offers", "PromotionAgent",
           "expected_saving", "merge"]

#: Offers that are not a price: they add to what a shopper gets, not to what they pay.
PERKS = ("gift", "points")
#: The largest saving share shoppers respond to: the constant-elasticity response has
#: no finite value for a free item, so deeper offers respond as this deep.
MAX_SHARE = np.float32(0.95)
_MEMBERS = [STAGES.index(s) for s in ("new", "active", "high_value", "dormant")]


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
        credit: saving per order and price offer (columns follow ``Offers.price``).
        tally: day totals: ``coupon_cost``, ``gift_cost``, ``points_cost``, ``deposits``,
            ``deposit_value``, ``flash_units``.
        per_promotion: ``(promotions, 3)`` orders, discount cost, loyalty cost.
        extra: orders the day's offers added (contacts who joined a group deal).
    """

    gmv: np.ndarray
    keep: np.ndarray
    tally: dict[str, float] = field(default_factory=dict)
    per_promotion: np.ndarray | None = None
    extra: Completions | None = None


class PromotionAgent(mesa.Agent):
    """One promotion of the plan.

    Args:
        model: the market model.
        index: position in the plan's ``promotions``.
        promo: the validated promotion.
        days: bool per day, the days it runs (see ``sim.plan.promotion_days``).
        category_names: the scenario's categories.
        segment_names: the scenario's segments.
        scale: real shoppers per simulated shopper (flash-sale units are real).
    """

    def __init__(self, model: mesa.Model, index: int, promo: Promotion, days: np.ndarray,
                 category_names: list[str], segment_names: list[str], scale: float) -> None:
        super().__init__(model)
        self.index = index
        self.promo = promo
        self.kind = promo.kind
        self.days = days
        self.categories = np.array([promo.categories == "all" or c in promo.categories
                                    for c in category_names], dtype=bool)
        self._segments = None if promo.segments == "all" else np.array(
            [segment_names.index(s) for s in promo.segments])
        self._stages = None if promo.stages == "all" else np.array(
            [STAGES.index(s) for s in promo.stages])
        if promo.kind == "member_day" and self._stages is None:
            self._stages = np.array(_MEMBERS)
        loyalty = model.strategy.loyalty  # type: ignore[attr-defined]
        self._tiers = None if promo.tiers == "all" or loyalty is None else np.array(
            [[t.name for t in loyalty.tiers].index(n) for n in promo.tiers])
        self._final = None
        if promo.final_day is not None:
            final = model.scenario.horizon.day_of(promo.final_day)  # type: ignore[attr-defined]
            self._final = final if 0 <= final < days.size else None
        self._unit_limit = (promo.units or 0) / scale
        self.units_left = 0.0
        self._refilled = -1
        self._book: list[tuple[np.ndarray, ...]] = []  # presale deposits not yet due
        self._deposit_room = np.inf if promo.max_deposits is None else \
            promo.max_deposits / scale
        self._share: np.ndarray | None = None

    # --------------------------------------------------------------- the offer
    def needs_stages(self) -> bool:
        return self._stages is not None

    def offer(self, day: int, pop: ShopperPopulation, stages: np.ndarray | None,
              tiers: np.ndarray | None = None) -> Offer | None:
        """Today's terms, or None when the promotion does not run or promises nothing.

        ``stages``: each shopper's lifecycle stage code; ``tiers``: their loyalty tier
        (members only count: pass the programme's tier array, non-customers excluded).
        """
        if not self.days[day] or day == self._final:
            return None
        p = self.promo
        if self.kind == "flash_sale":
            if self._refilled != day:  # each day of the sale has its units
                self.units_left, self._refilled = self._unit_limit, day
            if self.units_left < 1:
                return None
        eligible = self._targets(pop, stages, tiers)
        share: float | np.ndarray
        if self.kind in ("percent", "member_day", "flash_sale"):
            share = float(p.discount or 0.0)
        elif self.kind == "group_buy":
            share = self._group_share(pop)
        elif self.kind == "points":
            share = p.get("points_rate") * p.get("multiplier")
        else:
            share = self._expected_share(pop)
        if self.kind == "coupon":  # first order only
            eligible = ~pop.customer if eligible is None else eligible & ~pop.customer
        if self.kind == "flash_sale":  # around during the sale's hours
            around = pop.streams.uniform(f"flash:{p.name}", day, pop.n) < p.get("hours") / 24
            eligible = around if eligible is None else eligible & around
        if np.max(share) <= 0:
            return None
        return Offer(self, share, eligible)

    def _expected_share(self, pop: ShopperPopulation) -> np.ndarray:
        """Per shopper, the expected saving share of an amount-off offer (baskets do not
        change over a run, so it is worked out once)."""
        if self._share is None:
            p = self.promo
            threshold, amount = self._terms()
            top_up = self.kind == "threshold"
            self._share = expected_saving(pop.basket_mean, pop.basket_sigma, threshold, amount,
                                          p.get("top_up_range") if top_up else 0.0,
                                          p.get("top_up_share") if top_up else 0.0)
            if self.kind == "presale":
                self._share *= np.float32(p.get("uptake"))
        return self._share

    def _group_share(self, pop: ShopperPopulation) -> np.ndarray:
        """Expected saving share of a group deal per shopper: discount x uptake x the
        chance that at least ``group_size - 1`` of their contacts join."""
        if self._share is None:
            from scipy.stats import binom

            p = self.promo
            wom = self.model.word_of_mouth  # type: ignore[attr-defined]
            degree = np.full(pop.n, wom.config.mean_degree) if wom.degree is None \
                else wom.degree.astype(np.int64)
            complete = binom.sf((p.group_size or 2) - 2, degree, p.get("join_rate"))
            self._share = (float(p.discount or 0.0) * p.get("uptake") * complete
                           ).astype(np.float32)
        return self._share

    def form_groups(self, day: int, pop: ShopperPopulation, buyers: np.ndarray,
                    takes: np.ndarray, category: np.ndarray) -> tuple[np.ndarray, Completions]:
        """Group deals: qualifying buyers start a group with probability ``uptake``, each
        contact joins with probability ``join_rate``; a group with ``group_size``
        participants completes.

        Returns:
            which orders are starters of a completed deal, and the joiners' orders.
        """
        p = self.promo
        k = p.group_size or 2
        u = pop.streams.uniform(f"group:{p.name}", day, pop.n)[buyers]
        start = np.flatnonzero(takes & (u < p.get("uptake")))
        starters = buyers[start]
        g = pop.streams.generator(f"group_join:{p.name}", day)
        wom = self.model.word_of_mouth  # type: ignore[attr-defined]
        if wom.owner is None:  # full mixing: mean_degree contacts drawn at random
            deg = wom.config.mean_degree
            who = np.repeat(np.arange(starters.size), deg)
            contact = g.integers(0, pop.n, size=who.size)
        else:
            pos = np.full(pop.n, -1, dtype=np.int64)
            pos[starters] = np.arange(starters.size)
            link = pos[wom.owner] >= 0
            who, contact = pos[wom.owner[link]], wom.contact[link].astype(np.int64)
        joins = (g.random(who.size) < p.get("join_rate")) & (contact != starters[who])
        who, contact = who[joins], contact[joins]
        order = np.lexsort((g.random(who.size), who))  # joiners in random order per group
        who, contact = who[order], contact[order]
        rank = np.arange(who.size) - np.searchsorted(who, who)  # 0, 1, ... within a group
        count = np.bincount(who, minlength=starters.size)
        done = count >= k - 1
        member = done[who] & (rank < k - 1)
        joiner, of = contact[member], who[member]
        self.last_groups = (starters, done, joiner, starters[of])
        complete = np.zeros(buyers.size, dtype=bool)
        complete[start[done]] = True
        # the joiners' own orders: the starter's category, their own basket, group price
        ub = np.clip(pop.streams.uniform(f"group_basket:{p.name}", day, pop.n)[joiner],
                     1e-7, 1 - 1e-7)
        from scipy.special import ndtri

        sigma = pop.basket_sigma[joiner]
        list_value = (pop.basket_mean[joiner] * np.exp(sigma * ndtri(ub) - 0.5 * sigma**2)
                      ).astype(np.float64)
        gmv = list_value * (1.0 - float(p.discount or 0.0))
        cats = category[start][of]
        extra = Completions(np.full(joiner.size, self.index), joiner,
                            np.full(joiner.size, len(pop.channels)), cats, list_value, gmv)
        return complete, extra

    def _terms(self) -> tuple[float, float]:
        """(threshold, amount) of an offer that saves an amount per qualifying order."""
        p = self.promo
        if self.kind == "presale":
            m, deposit = p.get("multiplier"), p.get("deposit")
            return m * deposit, (m - 1) * deposit
        if self.kind == "gift":
            return p.get("threshold"), p.get("gift_value")
        if self.kind == "fixed":
            return 0.0, p.get("reduction")
        return p.get("threshold"), p.get("reduction")

    def _targets(self, pop: ShopperPopulation, stages: np.ndarray | None,
                 tiers: np.ndarray | None = None) -> np.ndarray | None:
        mask = None
        if self._tiers is not None:
            assert tiers is not None
            mask = pop.customer & np.isin(tiers, self._tiers)
        if self._segments is not None:
            in_segment = np.isin(pop.segment, self._segments)
            mask = in_segment if mask is None else mask & in_segment
        if self._stages is not None:
            assert stages is not None
            in_stage = np.isin(stages, self._stages)
            mask = in_stage if mask is None else mask & in_stage
        return mask

    # ------------------------------------------------------------------ orders
    def saving(self, offer: Offer, takes: np.ndarray, list_value: np.ndarray,
               new: np.ndarray) -> np.ndarray:
        """Saving (currency) of each order from this price offer, 0 where it does not apply."""
        p = self.promo
        if self.kind in ("percent", "member_day", "flash_sale", "group_buy"):
            return np.where(takes, list_value * float(p.discount or 0.0), 0.0)
        threshold, amount = self._terms()
        ok = takes & (list_value >= threshold)
        if self.kind == "coupon":
            ok &= new
        return np.where(ok, np.minimum(amount, list_value), 0.0)

    def top_up(self, day: int, pop: ShopperPopulation, buyers: np.ndarray, takes: np.ndarray,
               list_value: np.ndarray) -> None:
        """Baskets just below a threshold offer's threshold top up to it (in place)."""
        p = self.promo
        threshold = p.get("threshold")
        u = pop.streams.uniform(f"topup:{p.name}", day, pop.n)[buyers]
        near = takes & (list_value >= threshold * (1 - p.get("top_up_range"))) & (
            list_value < threshold)
        list_value[near & (u < p.get("top_up_share"))] = threshold

    def take_deposits(self, day: int, pop: ShopperPopulation, buyers: np.ndarray,
                      takes: np.ndarray, channel: np.ndarray, category: np.ndarray,
                      list_value: np.ndarray) -> np.ndarray:
        """Presale: qualifying buyers pay a deposit instead of ordering; return who did."""
        p = self.promo
        u = pop.streams.uniform(f"presale:{p.name}", day, pop.n)[buyers]
        threshold, _ = self._terms()
        dep = takes & (list_value >= threshold) & (u < p.get("uptake"))
        taken = np.flatnonzero(dep)
        if taken.size > self._deposit_room:  # sized to stock: the first ones get in
            late = taken[np.argsort(u[taken], kind="stable")][int(self._deposit_room):]
            dep[late] = False
        self._deposit_room -= int(dep.sum())
        if dep.any():
            self._book.append((buyers[dep], channel[dep], category[dep], list_value[dep]))
        return dep

    def booked(self) -> tuple[np.ndarray, np.ndarray]:
        """Presale: the category and list value of each deposit not yet due."""
        if not self._book:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return (np.concatenate([b[2] for b in self._book]).astype(np.int64),
                np.concatenate([b[3] for b in self._book]))

    def complete(self, day: int, pop: ShopperPopulation) -> tuple[Completions, float, int]:
        """Presale final day: deposits become orders or are forfeited.

        Returns:
            the completed orders, the forfeited deposits (currency) and their number.
        """
        p = self.promo
        if day != self._final or not self._book:
            empty = np.zeros(0, dtype=np.int64)
            return Completions(empty, empty, empty, empty, np.zeros(0), np.zeros(0)), 0.0, 0
        shoppers, channel, category, list_value = (
            np.concatenate(a) for a in zip(*self._book, strict=True))
        self._book = []
        u = pop.streams.generator(f"forfeit:{p.name}", day).random(shoppers.size)
        done = u >= p.get("forfeit_share")
        deposit, m = p.get("deposit"), p.get("multiplier")
        lv = list_value[done]
        gmv = lv - (m - 1) * deposit
        lost = int((~done).sum())
        return (Completions(np.full(lv.size, self.index), shoppers[done], channel[done],
                            category[done], lv, gmv), lost * deposit, lost)


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
        self.price = [o for o in offers if o.agent.kind not in PERKS]
        self.perks = [o for o in offers if o.agent.kind in PERKS]
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

        ``fulfil(keep, value)`` (the inventory) serves the orders still kept, each worth
        ``value``, from stock and returns ``keep`` without the sales lost to stock-outs.
        """
        new = ~pop.customer[buyers]
        deposit = np.zeros(buyers.size, dtype=bool)
        takes = [o.takes(buyers, category) for o in self.price]
        tally = dict.fromkeys(("coupon_cost", "gift_cost", "points_cost", "deposits",
                               "deposit_value", "flash_units"), 0.0)
        per_promo = np.zeros((self.n_promotions, 3))
        for o, t in zip(self.price, takes, strict=True):
            if o.agent.kind == "presale":
                dep = o.agent.take_deposits(day, pop, buyers, t & ~deposit, channel, category,
                                            list_value)
                deposit |= dep
                tally["deposits"] += float(dep.sum())
                tally["deposit_value"] += float(dep.sum()) * o.agent.promo.get("deposit")
        extra: Completions | None = None
        for j, (o, t) in enumerate(zip(self.price, takes, strict=True)):
            if o.agent.kind == "group_buy":
                complete, joined = o.agent.form_groups(day, pop, buyers, t & ~deposit,
                                                       category)
                takes[j] = complete  # only starters of a completed deal save
                extra = merge(extra, joined)
                done = o.agent.last_groups[1]
                tally["group_deals"] = tally.get("group_deals", 0.0) + float(done.sum())
                tally["group_failed"] = tally.get("group_failed", 0.0) + float((~done).sum())
                tally["group_orders"] = tally.get("group_orders", 0.0) + float(
                    joined.shoppers.size)
                per_promo[o.agent.index, 0] += joined.shoppers.size
                per_promo[o.agent.index, 1] += float((joined.list_value - joined.gmv).sum())
        # threshold offers: the richest first, so a basket tops up to the best reachable one
        thresholds = [(o, t) for o, t in zip(self.price, takes, strict=True)
                      if o.agent.kind == "threshold"]
        for o, t in sorted(thresholds, key=lambda ot: -ot[0].agent.promo.get("reduction")
                           / ot[0].agent.promo.get("threshold")):
            o.agent.top_up(day, pop, buyers, t & ~deposit, list_value)
        savings = np.zeros((buyers.size, len(self.price)))
        for j, (o, t) in enumerate(zip(self.price, takes, strict=True)):
            if o.agent.kind != "presale":
                savings[:, j] = o.agent.saving(o, t & ~deposit, list_value, new)
        credit = self._combine(savings, list_value)
        keep = ~deposit
        for j, o in enumerate(self.price):  # flash sales: no more than the units left
            if o.agent.kind != "flash_sale":
                continue
            users = np.flatnonzero((credit[:, j] > 0) & keep)
            if users.size > o.agent.units_left:
                u = pop.streams.uniform(f"flash_order:{o.agent.promo.name}", day, pop.n)
                late = users[np.argsort(u[buyers[users]], kind="stable")][
                    int(o.agent.units_left):]
                savings[late, j] = 0.0
                # a shopper who came for the flash price buys anyway only with
                # probability 1 / lift (as if no other offer ran)
                lift = (1.0 - float(o.agent.promo.discount or 0.0)) ** \
                    -pop.price_sensitivity[buyers[late]]
                gone = pop.streams.uniform(f"flash_gone:{o.agent.promo.name}", day,
                                           pop.n)[buyers[late]] >= 1.0 / lift
                keep[late[gone]] = False
                credit = self._combine(savings, list_value)
        if fulfil is not None:  # stock: what cannot be served is lost
            keep = fulfil(keep, list_value - credit.sum(axis=1))
        for j, o in enumerate(self.price):
            if o.agent.kind == "flash_sale":
                sold = int(np.count_nonzero((credit[:, j] > 0) & keep))
                o.agent.units_left -= sold
                tally["flash_units"] += sold
        credit[~keep] = 0.0
        total = credit.sum(axis=1)
        gmv = list_value - total
        for j, o in enumerate(self.price):
            used = credit[:, j] > 0
            per_promo[o.agent.index, 0] += used.sum()
            per_promo[o.agent.index, 1] += credit[:, j].sum()
            if o.agent.kind == "coupon":
                tally["coupon_cost"] += float(credit[:, j].sum())
        for o in self.perks:
            t = o.takes(buyers, category) & keep
            p = o.agent.promo
            if o.agent.kind == "gift":
                got = t & (list_value >= p.get("threshold"))
                cost = got * p.get("gift_cost")
                tally["gift_cost"] += float(cost.sum())
            else:
                cost = t * gmv * (p.get("points_rate") * p.get("multiplier")
                                  * p.get("redemption_rate"))
                tally["points_cost"] += float(cost.sum())
            per_promo[o.agent.index, 0] += (cost > 0).sum()
            per_promo[o.agent.index, 2] += cost.sum()
        return Checkout(gmv=gmv, keep=keep, tally=tally,
                        per_promotion=per_promo, extra=extra)

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
