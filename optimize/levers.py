"""Levers: what the optimiser may change in a scenario's plan, and within which bounds.

A scenario file's ``levers`` section is the optimiser's: the engine never reads it.
``ScenarioWithLevers`` is a ``sim.Scenario`` that also carries it, checked against the plan
it changes (``scenarios.load`` returns one); ``levers_of`` reads it, defaulting to the
channel shares.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from agents._config import SHARE_TOLERANCE, Config, NonNegative, Positive, Share, unknown
from agents.promotions import depth_fields
from sim import Scenario, Strategy
from sim.calendar import Phase

__all__ = ["Bounds", "Levers", "LoyaltyLevers", "ScenarioWithLevers", "ShareLever",
           "StockLever", "TimingLever", "lever_problems", "levers_of"]


class Bounds(Config):
    """A number the optimiser may choose between ``min`` and ``max`` (on a grid of
    ``step`` when given)."""

    min: NonNegative
    max: NonNegative
    step: Positive | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.max < self.min:
            raise ValueError(f"max ({self.max:g}) is below min ({self.min:g})")
        return self


class ShareLever(Config):
    """Channel budget shares, searched on the simplex.

    ``channels`` (default: those the scenario's plan funds) share the budget; each may be
    held between ``min`` and ``max``.
    """

    channels: list[str] | None = None
    min: dict[str, Share] = Field(default_factory=dict)
    max: dict[str, Share] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _feasible(self) -> ShareLever:
        if sum(self.min.values()) > 1 + SHARE_TOLERANCE:
            raise ValueError(f"the minimum shares add up to {sum(self.min.values()):.6g}, "
                             "above 1")
        for name, low in self.min.items():
            if low > self.max.get(name, 1.0):
                raise ValueError(f"min share of '{name}' ({low:g}) is above its max")
        return self


class TimingLever(Config):
    """When a promotion runs: it starts between ``earliest`` and ``latest`` and lasts
    ``min_days`` to ``max_days`` days."""

    earliest: dt.date
    latest: dt.date
    min_days: int = Field(default=1, ge=1, le=3660)
    max_days: int = Field(default=1, ge=1, le=3660)

    @model_validator(mode="after")
    def _ordered(self) -> TimingLever:
        if self.latest < self.earliest:
            raise ValueError(f"latest ({self.latest}) is before earliest ({self.earliest})")
        if self.max_days < self.min_days:
            raise ValueError(f"max_days ({self.max_days}) is below min_days ({self.min_days})")
        return self


class LoyaltyLevers(Config):
    """Loyalty programme levers: tier ``thresholds`` and member ``price`` per tier name,
    and the ``points_per_currency`` rate."""

    thresholds: dict[str, Bounds] = Field(default_factory=dict)
    price: dict[str, Bounds] = Field(default_factory=dict)
    points_per_currency: Bounds | None = None


class StockLever(Config):
    """A category's stock plan as levers: units on hand at the start (``initial``), the
    units of its planned deliveries (``deliveries``: all of them scaled together), and
    its replenishment policy's ``reorder_point`` and order-up-to ``level``."""

    initial: Bounds | None = None
    deliveries: Bounds | None = None
    reorder_point: Bounds | None = None
    level: Bounds | None = None


class Levers(Config):
    """What the optimiser may change in the scenario's plan, and within which bounds.

    Attributes:
        shares: channel budget shares (a simplex, optionally bounded per channel).
        budget: the total budget.
        phasing: the phases whose budget shares are searched (a simplex over them).
        depth: per promotion (by name), its depth: ``discount`` for percent, flash-sale
            and member-day offers, ``reduction`` (currency) for fixed, threshold and
            coupon offers.
        timing: per promotion (by name), when it starts and how long it lasts.
        loyalty: tier thresholds, member prices and the points rate of the plan's
            loyalty programme.
        referral: the referral programme's rewards (``reward_referrer``,
            ``reward_friend``).
        stock: per category (by name), its stock plan: initial units and planned
            deliveries.
    """

    shares: ShareLever | None = None
    budget: Bounds | None = None
    phasing: list[Phase] | None = None
    depth: dict[str, Bounds] = Field(default_factory=dict)
    timing: dict[str, TimingLever] = Field(default_factory=dict)
    loyalty: LoyaltyLevers | None = None
    referral: dict[Literal["reward_referrer", "reward_friend"], Bounds] = Field(
        default_factory=dict)
    stock: dict[str, StockLever] = Field(default_factory=dict)


Problems = list[tuple[str, str]]  # (field path, message) pairs


def lever_problems(levers: Levers, strategy: Strategy, channels: list[str]) -> Problems:
    """Check levers against the plan they change: what they name must exist in it.

    Returns:
        ``(field path, message)`` pairs, empty when the levers fit the plan.
    """
    problems: Problems = []
    if levers.shares is not None:
        shares = levers.shares
        named = [*(shares.channels or []), *shares.min, *shares.max]
        problems += [("levers.shares", unknown(n, channels, "channel"))
                     for n in named if n not in channels]
    problems += _promotion_problems(levers, strategy)
    for name, lever in levers.stock.items():
        problems += _stock_problems(name, lever, strategy)
    if levers.referral and strategy.referral is None:
        problems.append(("levers.referral", "the plan has no referral programme to change; "
                                            "add strategy.referral"))
    if levers.loyalty is not None:
        problems += _loyalty_problems(levers.loyalty, strategy)
    return problems


def _promotion_problems(levers: Levers, strategy: Strategy) -> Problems:
    """Depth and timing levers name promotions of the plan; a depth fits its kind."""
    promos = {p.name: p for p in strategy.promotions}
    problems: Problems = []
    for key in ("depth", "timing"):
        for name in getattr(levers, key):
            if name not in promos:
                problems.append((f"levers.{key}.{name}",
                                 unknown(name, list(promos), "promotion")))
            elif key == "depth" and promos[name].depth_field is None:
                problems.append((f"levers.depth.{name}",
                                 f"a {promos[name].kind} promotion has no depth to search; "
                                 f"depth applies to {', '.join(depth_fields())} promotions"))
            elif key == "depth" and promos[name].depth_field == "discount" and \
                    levers.depth[name].max > 1:
                problems.append((f"levers.depth.{name}.max",
                                 "a discount is a share of the list price: at most 1"))
    return problems


def _stock_problems(name: str, lever: StockLever, strategy: Strategy) -> Problems:
    """A stock lever changes a category's stock plan: what it scales must be there."""
    if name not in strategy.stock:
        return [(f"levers.stock.{name}", unknown(name, list(strategy.stock),
                                                 "category with a stock plan"))]
    plan = strategy.stock[name]
    if lever.deliveries is not None and not plan.deliveries:
        return [(f"levers.stock.{name}.deliveries",
                 "the plan has no deliveries for this category to scale; add "
                 "strategy.stock.<category>.deliveries")]
    rule = plan.replenishment
    problems: Problems = []
    for key in ("reorder_point", "level"):
        if getattr(lever, key) is None:
            continue
        if rule is None:
            problems.append((f"levers.stock.{name}.{key}",
                             "the plan has no replenishment policy for this "
                             "category; add strategy.stock.<category>.replenishment"))
        elif key == "level" and rule.policy != "order_up_to":
            problems.append((f"levers.stock.{name}.level",
                             "a level applies to an order_up_to policy; this "
                             "category's is reorder_point"))
    return problems


def _loyalty_problems(lever: LoyaltyLevers, strategy: Strategy) -> Problems:
    """Loyalty levers name tiers of the plan's programme, within what a tier allows."""
    if strategy.loyalty is None:
        return [("levers.loyalty", "the plan has no loyalty programme to "
                                   "change; add strategy.loyalty")]
    tiers = [t.name for t in strategy.loyalty.tiers]
    problems: Problems = []
    for key in ("thresholds", "price"):
        for name, b in getattr(lever, key).items():
            if name not in tiers:
                problems.append((f"levers.loyalty.{key}.{name}",
                                 unknown(name, tiers, "tier")))
            elif key == "thresholds" and name == tiers[0]:
                problems.append((f"levers.loyalty.thresholds.{name}",
                                 "the first tier's threshold is 0 by definition"))
            elif key == "price" and not 0 < b.min <= b.max <= 1:
                problems.append((f"levers.loyalty.price.{name}",
                                 "a member price is a share of list price: above 0, "
                                 "at most 1"))
    return problems


class ScenarioWithLevers(Scenario):
    """A scenario together with its ``levers`` section (None: the channel shares)."""

    levers: Levers | None = None

    @model_validator(mode="after")
    def _levers_fit_the_plan(self) -> ScenarioWithLevers:
        if self.levers is not None:
            problems = lever_problems(self.levers, self.strategy, list(self.channels))
            if problems:
                field, msg = problems[0]
                raise ValueError(f"@{field}@ {msg}")
        return self


def levers_of(scenario: Scenario) -> Levers:
    """The scenario's levers; without a ``levers`` section, the channel shares."""
    levers = getattr(scenario, "levers", None)
    return levers if levers is not None else Levers.model_validate({"shares": {}})
