"""The inventory: stock per SKU group, replenishment, stock-outs and substitution.

Stock is kept at real scale (units), per SKU group of the categories the plan has a
stock plan for; other categories never run out. Each day:

1. ``receive``: deliveries due today arrive (planned ones and replenishment orders),
   then orders owed to buyers (presale completions, group-deal joiners) ship first in
   line, first come first served.
2. ``fulfil`` (at checkout): each order asks for a SKU group of its category (by the
   groups' shares) and ``max(1, round(list value / price))`` items. Orders are served in
   a random queue; an order the group cannot serve takes the group of the category with
   most stock left with probability ``substitution``, else the sale is lost (its GMV is
   counted as lost) and a disappointed customer drops out with probability
   ``catalog.stockout_dropout`` (returned to checkout; the lifecycle stage applies it).
3. ``end_of_day``: orders owed ship from what is left, holding cost is charged on the
   closing stock, and every ``review_every_days`` the policy compares each group's
   inventory position (on hand + on order - owed - reserved by presale deposits; the
   plan's own deliveries are earmarked for events and count once they arrive) with
   its reorder point or level, and orders (capped by supplier capacity) for arrival
   ``lead_time_days`` later.

A category's policy figures (reorder point, quantity, level, capacity) and its stock
plan are split over its SKU groups by their shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import mesa
import numpy as np
from pydantic import Field, model_validator

from agents._config import Config, NonNegative, Positive
from agents.outcome import order_units
from agents.streams import (
    STOCK_DISAPPOINTED,
    STOCK_QUEUE,
    STOCK_SKU,
    STOCK_SKU_OWED,
    STOCK_SUBSTITUTE,
)

if TYPE_CHECKING:
    from agents._hooks import AddedOrders
    from agents.market import Market
    from agents.population import ShopperPopulation
    from agents.promotions import PromotionAgent

__all__ = ["DAY_FIELDS", "Delivery", "Inventory", "Reorder", "Replenishment", "StockPlan"]


class Delivery(Config):
    """A planned delivery: ``units`` arriving at the start of ``date``."""

    date: dt.date
    units: NonNegative

class Replenishment(Config):
    """How a category is reordered, checked every ``review_every_days`` days (1: daily,
    7: weekly) against the inventory position (on hand + on order - owed to buyers -
    reserved by presale deposits).

    * ``reorder_point``: when the position is at or below ``reorder_point``, order
      ``quantity`` (as many times as needed to rise above it).
    * ``order_up_to``: order up to ``level`` (when the position is at or below
      ``reorder_point``, if given; otherwise at every review below ``level``).

    Orders are capped by the category's supplier ``capacity`` and arrive its
    ``lead_time_days`` later.
    """

    policy: Literal["reorder_point", "order_up_to"]
    reorder_point: NonNegative | None = None
    quantity: Positive | None = None
    level: Positive | None = None
    review_every_days: int = Field(default=1, ge=1, le=365)

    @model_validator(mode="after")
    def _fields_of_policy(self) -> Replenishment:
        need = ("reorder_point", "quantity") if self.policy == "reorder_point" else ("level",)
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.policy} policy needs "
                             + " and ".join(f"'{f}'" for f in missing))
        if self.policy == "reorder_point" and self.level is not None:
            raise ValueError("'level' applies to an order_up_to policy, not reorder_point")
        if self.policy == "order_up_to" and self.quantity is not None:
            raise ValueError("'quantity' applies to a reorder_point policy, not order_up_to")
        return self

class StockPlan(Config):
    """The stock plan of one category (units at real scale): ``initial`` units on hand on
    the first day, planned ``deliveries`` (e.g. the pre-event stock) and the
    ``replenishment`` policy (None: no reorders)."""

    initial: NonNegative = 0.0
    deliveries: list[Delivery] = Field(default_factory=list)
    replenishment: Replenishment | None = None

#: What the inventory records per category and day (real scale): units asked for,
#: served from the group asked for, served by a substitute, lost, and lost orders and
#: GMV; deliveries arrived and ordered; owed orders shipped; closing stock (units, at
#: cost), units owed; holding cost.
DAY_FIELDS = ("demand_units", "served_units", "substituted_units", "lost_units",
              "lost_orders", "lost_gmv", "arrivals", "reorder_units", "backorders_shipped",
              "stock_units", "stock_value", "backlog_units", "holding_cost")


@dataclass(frozen=True)
class Reorder:
    """A replenishment order: placed on ``day``, arriving on ``arrival`` (day indices)."""

    day: int
    arrival: int
    category: str
    sku: str
    units: float


def _grouped_fit(group: np.ndarray, units: np.ndarray, priority: np.ndarray,
                 available: np.ndarray) -> np.ndarray:
    """Which requests fit: within each group, in order of ``priority``, requests are
    served while the running total stays within the group's ``available`` units."""
    ok = np.zeros(group.size, dtype=bool)
    if group.size == 0:
        return ok
    order = np.lexsort((priority, group))
    g, u = group[order], units[order]
    total = np.cumsum(u)
    start = np.r_[True, g[1:] != g[:-1]]
    before = (total - u)[start]
    within = total - np.repeat(before, np.diff(np.r_[np.flatnonzero(start), g.size]))
    ok[order] = within <= available[g] + 1e-9
    return ok


class Inventory(mesa.Agent):
    """Stock of the categories with a stock plan.

    Args:
        model: the Mesa model.
        scenario: the market (catalog: prices, SKU groups, lead times, capacity).
        plans: the plan's stock plan per category (initial stock, deliveries, policies).
        n_days: days in the horizon.
    """

    def __init__(self, model: mesa.Model, scenario: Market, plans: dict[str, StockPlan],
                 n_days: int) -> None:
        super().__init__(model)
        cats = scenario.catalog.categories
        self.categories = list(cats)
        self.scale = scenario.population.scale
        self.dropout = scenario.catalog.stockout_dropout
        self.price = np.array([c.price for c in cats.values()])
        self.unit_cost = np.array([c.unit_cost for c in cats.values()])
        self.substitution = np.array([c.substitution for c in cats.values()], dtype=np.float32)
        n_cat = len(cats)
        self.tracked = np.array([name in plans for name in cats])
        sku_cat: list[int] = []
        share: list[float] = []
        self.sku_names: list[str] = []
        self.first = np.full(n_cat, -1, dtype=np.int64)
        for c, (name, cat) in enumerate(cats.items()):
            if name not in plans:
                continue
            groups = cat.skus or {name: 1.0}
            self.first[c] = len(sku_cat)
            sku_cat += [c] * len(groups)
            share += list(groups.values())
            self.sku_names += list(groups)
        self.sku_cat = np.array(sku_cat, dtype=np.int64)
        self.share = np.array(share)
        n_sku = self.sku_cat.size
        self.n_sku = np.bincount(self.sku_cat, minlength=n_cat)
        self.cum_share = [np.cumsum(self.share[self.sku_cat == c]) for c in range(n_cat)]
        per_sku = {k: np.array([getattr(cats[self.categories[c]], k) for c in self.sku_cat])
                   for k in ("lead_time_days", "holding_cost")}
        self.lead = per_sku["lead_time_days"].astype(np.int64)
        self.holding_rate = per_sku["holding_cost"].astype(float)
        capacity = np.array([cats[self.categories[c]].capacity or np.inf for c in self.sku_cat])
        self.capacity = capacity * self.share
        stock = [plans[self.categories[c]] for c in self.sku_cat]
        self.on_hand = np.array([p.initial for p in stock]) * self.share
        # replenishment orders due per day, and the plan's deliveries (earmarked for
        # events: they do not count in the inventory position before they arrive)
        self.due = np.zeros((n_days + int(self.lead.max(initial=0)) + 1, n_sku))
        self.planned = np.zeros((n_days, n_sku))
        for k, p in enumerate(stock):
            for d in p.deliveries:  # (one after the horizon does not arrive within it)
                if (day := scenario.horizon.day_of(d.date)) < n_days:
                    self.planned[day, k] += d.units * self.share[k]
        self.on_order = np.zeros(n_sku)
        self.policies = [p.replenishment for p in stock]
        self.orders: list[Reorder] = []
        # orders owed to buyers, first come first served: SKU group, units
        self._owed_sku = np.zeros(0, dtype=np.int64)
        self._owed_units = np.zeros(0)
        self.today = {k: np.zeros(n_cat) for k in DAY_FIELDS}

    # ------------------------------------------------------------------ helpers
    def units(self, category: np.ndarray, list_value: np.ndarray) -> np.ndarray:
        """Real units of orders (each simulated order stands for ``scale`` real ones)."""
        return order_units(list_value, self.price[category]) * self.scale

    def _pick_sku(self, category: np.ndarray, u: np.ndarray) -> np.ndarray:
        sku = np.zeros(category.size, dtype=np.int64)
        for c in np.unique(category):
            rows = category == c
            pos = np.searchsorted(self.cum_share[c], u[rows], side="right")
            sku[rows] = self.first[c] + np.minimum(pos, self.n_sku[c] - 1)
        return sku

    def _per_category(self, sku: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return np.bincount(self.sku_cat[sku], weights=weights, minlength=len(self.categories))

    def _ship_owed(self) -> None:
        if self._owed_sku.size == 0:
            return
        ok = _grouped_fit(self._owed_sku, self._owed_units,
                          np.arange(self._owed_sku.size, dtype=float), self.on_hand)
        shipped = np.bincount(self._owed_sku[ok], weights=self._owed_units[ok],
                              minlength=self.on_hand.size)
        self.on_hand -= shipped
        self.today["backorders_shipped"] += self._per_category(
            np.arange(shipped.size), shipped)
        self._owed_sku, self._owed_units = self._owed_sku[~ok], self._owed_units[~ok]

    # -------------------------------------------------------------------- a day
    def receive(self, day: int) -> None:
        """Start of ``day``: deliveries arrive, then orders owed to buyers ship."""
        for v in self.today.values():
            v[:] = 0.0
        self.on_order -= self.due[day]
        arriving = self.due[day] + self.planned[day]
        if arriving.any():
            self.on_hand += arriving
            self.today["arrivals"] = self._per_category(np.arange(arriving.size), arriving)
        self._ship_owed()

    def owe(self, day: int, pop: ShopperPopulation, orders: AddedOrders | None) -> None:
        """Orders already sold (presale completions, group-deal joiners) to ship as stock
        allows, first in line; they ship at once if it is there."""
        if orders is None or orders.shoppers.size == 0:
            return
        rows = np.flatnonzero(self.tracked[orders.category])
        if rows.size:
            cat = orders.category[rows]
            u = pop.streams.uniform(STOCK_SKU_OWED, day, pop.n)[orders.shoppers[rows]]
            self._owed_sku = np.concatenate([self._owed_sku, self._pick_sku(cat, u)])
            self._owed_units = np.concatenate([self._owed_units,
                                               self.units(cat, orders.list_value[rows])])
            self._ship_owed()

    def fulfil(self, day: int, pop: ShopperPopulation, buyers: np.ndarray,
               category: np.ndarray, list_value: np.ndarray, keep: np.ndarray,
               value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Serve the day's orders from stock.

        Args:
            buyers, category, list_value: the orders (simulated scale).
            keep: the orders still to serve (others are left alone).
            value: what each order would pay (its GMV): lost GMV if it cannot be served.

        Returns:
            ``keep`` without the lost sales, and the customers who leave disappointed
            (the lifecycle stage applies their departure).
        """
        rows = np.flatnonzero(keep & self.tracked[category])
        if rows.size == 0:
            return keep, np.zeros(0, dtype=np.int64)
        who, cat = buyers[rows], category[rows]
        s = pop.streams
        sku = self._pick_sku(cat, s.uniform(STOCK_SKU, day, pop.n)[who])
        units = self.units(cat, list_value[rows])
        asked = np.bincount(sku, weights=units, minlength=self.on_hand.size)
        short = (asked > self.on_hand + 1e-9).any()
        # the queue and the substitutes matter (and are drawn) only when a group runs short
        queue = s.uniform(STOCK_QUEUE, day, pop.n)[who] if short else \
            np.zeros(rows.size, dtype=np.float32)
        first = _grouped_fit(sku, units, queue, self.on_hand) if short else \
            np.ones(rows.size, dtype=bool)
        self.on_hand -= np.bincount(sku[first], weights=units[first],
                                    minlength=self.on_hand.size)
        tries = np.zeros(0, dtype=np.int64)
        if short:
            tries = np.flatnonzero(~first & (s.uniform(STOCK_SUBSTITUTE, day, pop.n)[who]
                                             < self.substitution[cat]))
        second = np.zeros(rows.size, dtype=bool)
        if tries.size:
            target = self._substitute(sku[tries])
            has = target >= 0
            tries, target = tries[has], target[has]
            fit = _grouped_fit(target, units[tries], queue[tries], self.on_hand)
            second[tries[fit]] = True
            self.on_hand -= np.bincount(target[fit], weights=units[tries[fit]],
                                        minlength=self.on_hand.size)
        lost = ~(first | second)
        t = self.today
        t["demand_units"] += self._per_category(sku, units)
        t["served_units"] += self._per_category(sku[first], units[first])
        t["substituted_units"] += self._per_category(sku[second], units[second])
        t["lost_units"] += self._per_category(sku[lost], units[lost])
        t["lost_orders"] += self._per_category(sku[lost], np.full(int(lost.sum()), self.scale))
        t["lost_gmv"] += self._per_category(sku[lost], value[rows[lost]] * self.scale)
        out = keep.copy()
        out[rows[lost]] = False
        return out, self._disappointed(day, pop, who[lost])

    def _disappointed(self, day: int, pop: ShopperPopulation, lost: np.ndarray) -> np.ndarray:
        """Of the buyers of lost sales, the customers who leave (``stockout_dropout``)."""
        gone = lost[pop.customer[lost] & pop.alive[lost]]
        if gone.size == 0 or self.dropout <= 0:
            return np.zeros(0, dtype=np.int64)
        u = pop.streams.uniform(STOCK_DISAPPOINTED, day, pop.n)[gone]
        return gone[u < self.dropout]

    def _substitute(self, sku: np.ndarray) -> np.ndarray:
        """For each SKU group, the other group of its category with most stock (-1: none)."""
        best = np.full(self.on_hand.size, -1, dtype=np.int64)
        for k in range(self.on_hand.size):
            c = self.sku_cat[k]
            others = [j for j in range(self.first[c], self.first[c] + self.n_sku[c]) if j != k]
            if others:
                j = max(others, key=lambda i: self.on_hand[i])
                best[k] = j if self.on_hand[j] > 0 else -1
        return best[sku]

    def end_of_day(self, day: int, presales: list[PromotionAgent]) -> None:
        """Ship what is owed, charge holding cost, review and place replenishment orders.

        ``presales``: the plan's presale promotions; their open deposits reserve stock
        (in expectation of completing).
        """
        self._ship_owed()
        t = self.today
        t["holding_cost"] = self._per_category(np.arange(self.on_hand.size),
                                               self.on_hand * self.holding_rate)
        t["stock_units"] = self._per_category(np.arange(self.on_hand.size), self.on_hand)
        t["stock_value"] = t["stock_units"] * self.unit_cost
        owed = np.bincount(self._owed_sku, weights=self._owed_units,
                           minlength=self.on_hand.size)
        t["backlog_units"] = self._per_category(np.arange(owed.size), owed)
        reserved = np.zeros(len(self.categories))
        for a in presales:
            cat, value = a.booked()
            keep = self.tracked[cat]
            reserved += np.bincount(cat[keep], weights=self.units(cat[keep], value[keep]),
                                    minlength=reserved.size) * (1 - a.promo.get("forfeit_share"))
        position = self.on_hand + self.on_order - owed - reserved[self.sku_cat] * self.share
        for k, policy in enumerate(self.policies):
            if policy is None or day % policy.review_every_days:
                continue
            share = self.share[k]
            if policy.policy == "reorder_point":
                low = policy.reorder_point * share  # type: ignore[operator]
                if position[k] > low:
                    continue
                step = policy.quantity * share  # type: ignore[operator]
                units = step * (np.floor((low - position[k]) / step) + 1)
            else:
                level = policy.level * share  # type: ignore[operator]
                trigger = level if policy.reorder_point is None else policy.reorder_point * share
                if position[k] > trigger or position[k] >= level:
                    continue
                units = level - position[k]
            units = float(min(units, self.capacity[k]))
            arrival = day + int(self.lead[k])
            self.due[arrival, k] += units
            self.on_order[k] += units
            t["reorder_units"][self.sku_cat[k]] += units
            self.orders.append(Reorder(day, arrival, self.categories[self.sku_cat[k]],
                                       self.sku_names[k], units))
