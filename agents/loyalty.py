"""The loyalty programme: tiers, member prices, points and their liability (a Mesa agent).

Every customer is a member from the first order. A member's tier follows their trailing
basis (spend, or orders, over ``population.spend_window_days``): reaching the next
threshold upgrades at once; every ``review_every_days`` tiers are set from the basis
again, which is when a member who spent less moves down.

What a tier does, each day:

* price: members pay ``price`` x the price after offers (the member price stacks with
  promotions); their hazard scales by ``price ** -price_sensitivity`` like any price cut,
  and the difference is part of ``discount_cost`` (booked as ``tier_discount``);
* ``purchase`` and ``dropout`` multiply the member's BG/NBD purchase rate and dropout
  probability, ``conversion`` the chance that a visit from a channel ends in an order
  (priority shipping, better service);
* goal gradient: a member within ``goal_range`` below the next threshold buys
  ``1 + goal_gradient`` times as often, until they reach it or the review resets them;
* points: each order earns ``points_per_currency`` x ``points_multiplier`` points per
  currency paid; a member holding ``redeem_min_points`` or more pays up to
  ``redeem_max_share`` of the order with points. Points are a liability at
  ``point_value`` each until redeemed; the value redeemed is loyalty cost. Shoppers
  value the points they earn, which lifts buying like a cashback of the same value;
* a birthday gift (``birthday_gift``, the shop's cost) on each member's birthday.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import mesa
import numpy as np
from pydantic import Field, model_validator

from agents._config import MAX_DAYS, Config, NonNegative, Positive, Share, check_distinct
from agents.streams import BIRTHDAY

if TYPE_CHECKING:
    from agents.population import ShopperPopulation

__all__ = ["Loyalty", "LoyaltyProgramme", "Tier"]


class Tier(Config):
    """One tier of a loyalty programme and what it gives its members.

    ``threshold`` is the trailing spend (or order count) that earns the tier; ``price``
    the share of list price members pay (0.95 = 5% off); ``points_multiplier`` scales
    the points earned; ``purchase`` and ``dropout`` multiply the BG/NBD purchase rate
    and dropout probability of its members (a sense of status), ``conversion`` the
    chance that their channel visits end in an order (priority shipping and service);
    ``birthday_gift`` is what a member's birthday gift costs the shop.
    """

    name: str
    threshold: NonNegative
    price: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    points_multiplier: NonNegative = 1.0
    purchase: Positive = 1.0
    dropout: NonNegative = 1.0
    conversion: Positive = 1.0
    birthday_gift: NonNegative = 0.0

class Loyalty(Config):
    """A tiered loyalty programme; every customer is a member from the first order.

    Tiers are earned by trailing ``basis`` (spend in currency, or orders) over the
    population's ``spend_window_days``: an upgrade comes at once, a downgrade only at a
    review every ``review_every_days``. Members earn ``points_per_currency`` points per
    currency paid (times their tier's multiplier), each worth ``point_value`` when
    redeemed; a member holding at least ``redeem_min_points`` pays up to
    ``redeem_max_share`` of an order with points. Members within ``goal_range`` (a share
    of the next threshold) below it buy ``1 + goal_gradient`` times as often.
    """

    basis: Literal["spend", "orders"] = "spend"
    review_every_days: int = Field(default=90, ge=1, le=MAX_DAYS)
    points_per_currency: NonNegative = 1.0
    point_value: NonNegative = 0.01
    redeem_min_points: NonNegative = 500.0
    redeem_max_share: Share = 0.3
    goal_gradient: NonNegative = 0.0
    goal_range: Share = 0.2
    tiers: list[Tier] = Field(min_length=1)

    @model_validator(mode="after")
    def _tiers_in_order(self) -> Loyalty:
        if self.tiers[0].threshold != 0:
            raise ValueError("the first tier is where every member starts: its threshold "
                             "must be 0")
        for lo, hi in zip(self.tiers, self.tiers[1:], strict=False):
            if hi.threshold <= lo.threshold:
                raise ValueError(f"tier thresholds must rise: '{hi.name}' "
                                 f"({hi.threshold:g}) is not above '{lo.name}' "
                                 f"({lo.threshold:g})")
        check_distinct([t.name for t in self.tiers], "tiers")
        return self


class LoyaltyProgramme(mesa.Agent):
    """The shop's tiered programme and every member's tier and points.

    Args:
        model: the market model.
        config: the validated programme.
        pop: the shoppers (initial customers get the tier their history earns).
    """

    def __init__(self, model: mesa.Model, config: Loyalty, pop: ShopperPopulation) -> None:
        super().__init__(model)
        self.config = c = config
        self.names = [t.name for t in c.tiers]
        self.thresholds = np.array([t.threshold for t in c.tiers])
        self.price = np.array([t.price for t in c.tiers], dtype=np.float32)
        self.points_rate = np.array([c.points_per_currency * t.points_multiplier
                                     for t in c.tiers])
        self.purchase = np.array([t.purchase for t in c.tiers], dtype=np.float32)
        self.dropout = np.array([t.dropout for t in c.tiers], dtype=np.float32)
        self.conversion = np.array([t.conversion for t in c.tiers], dtype=np.float32)
        self.gift = np.array([t.birthday_gift for t in c.tiers])
        n = pop.n
        self._keep = np.float32(np.exp(-1.0 / pop.params.spend_window_days))
        # trailing orders, an exponential window like the population's trailing spend
        self.order_basis = np.where(pop.customer, pop.lam * pop.params.spend_window_days,
                                    0.0).astype(np.float32)
        self.tier = np.where(pop.customer, self._tier_of(self.basis(pop)), 0).astype(np.int8)
        self.points = np.zeros(n)
        g = pop.streams.generator(BIRTHDAY)
        self.birthday = g.integers(0, 365, size=n).astype(np.int16)
        # day of the year (0-364) of each simulated day, worked out once
        dates = model.calendar.dates  # type: ignore[attr-defined]
        self._day_of_year = np.array([(d.timetuple().tm_yday - 1) % 365 for d in dates])

    # ------------------------------------------------------------------ state
    def basis(self, pop: ShopperPopulation) -> np.ndarray:
        return pop.spend if self.config.basis == "spend" else self.order_basis

    def _tier_of(self, basis: np.ndarray) -> np.ndarray:
        return (np.searchsorted(self.thresholds, basis, side="right") - 1).astype(np.int8)

    def counts(self, pop: ShopperPopulation) -> np.ndarray:
        """Members per tier (simulated scale): customers who have not churned."""
        return np.bincount(self.tier[pop.customer & pop.alive], minlength=len(self.names))

    @property
    def liability(self) -> float:
        """Value of the points not yet redeemed (simulated scale)."""
        return float(self.points.sum() * self.config.point_value)

    # ---------------------------------------------------------------- effects
    def price_index(self, pop: ShopperPopulation) -> np.ndarray:
        """Share of the (post-offer) price each shopper pays: their tier's, 1 for others."""
        return np.where(pop.customer, self.price[self.tier], np.float32(1.0))

    def points_share(self, pop: ShopperPopulation) -> np.ndarray:
        """What the points a member earns are worth, as a share of what they pay."""
        return np.where(pop.customer, self.points_rate[self.tier] * self.config.point_value,
                        0.0).astype(np.float32)

    def rate_multiplier(self, pop: ShopperPopulation) -> np.ndarray:
        """Multiplier of each shopper's own purchase rate: tier and goal gradient."""
        mult = np.where(pop.customer, self.purchase[self.tier], np.float32(1.0))
        c = self.config
        if c.goal_gradient > 0 and len(self.names) > 1:
            nxt = np.minimum(self.tier.astype(np.int64) + 1, len(self.names) - 1)
            target = self.thresholds[nxt]
            basis = self.basis(pop)
            near = pop.customer & (self.tier < len(self.names) - 1) & (
                basis >= target * (1 - c.goal_range)) & (basis < target)
            mult = mult * np.where(near, np.float32(1 + c.goal_gradient), np.float32(1.0))
        return mult.astype(np.float32)

    def conversion_multiplier(self, pop: ShopperPopulation) -> np.ndarray | None:
        """Multiplier of the chance a member's channel visit ends in an order (priority
        shipping and service); None when no tier changes it."""
        if (self.conversion == 1.0).all():
            return None
        return np.where(pop.customer, self.conversion[self.tier], np.float32(1.0))

    def dropout_multiplier(self, buyers: np.ndarray) -> np.ndarray:
        return self.dropout[self.tier[buyers]]

    # ----------------------------------------------------------------- orders
    def after_orders(self, pop: ShopperPopulation, buyers: np.ndarray, gmv: np.ndarray
                     ) -> dict[str, float]:
        """Points earned and redeemed on the day's orders, then upgrades.

        Call after the population booked the orders (trailing spend updated).
        """
        c = self.config
        members = pop.customer[buyers]
        b, paid = buyers[members], gmv[members]
        self.order_basis *= self._keep
        np.add.at(self.order_basis, b, 1.0)
        earned = paid * self.points_rate[self.tier[b]]
        np.add.at(self.points, b, earned)
        redeemed = np.zeros(b.size)
        if c.point_value > 0:
            # each buyer redeems once a day at most, on their first order of the day
            first = np.zeros(b.size, dtype=bool)
            first[np.unique(b, return_index=True)[1]] = True
            can = first & (self.points[b] >= c.redeem_min_points)
            value = np.minimum(self.points[b] * c.point_value, c.redeem_max_share * paid)
            redeemed = np.where(can, value, 0.0)
            np.subtract.at(self.points, b, redeemed / c.point_value)
        up = self._tier_of(self.basis(pop)[b])
        self.tier[b] = np.maximum(self.tier[b], up)  # upgrades come at once
        return {"points_issued": float(earned.sum() * c.point_value),
                "points_redeemed": float(redeemed.sum())}

    def end_of_day(self, day: int, pop: ShopperPopulation) -> dict[str, float]:
        """Reviews (tiers follow the basis, down as well as up) and birthday gifts."""
        if (day + 1) % self.config.review_every_days == 0:
            self.tier = np.where(pop.customer, self._tier_of(self.basis(pop)), 0).astype(np.int8)
        gift = 0.0
        if self.gift.any():
            today = pop.customer & pop.alive & (self.birthday == self._day_of_year[day])
            gift = float(self.gift[self.tier[today]].sum())
        return {"birthday_gifts": gift}
