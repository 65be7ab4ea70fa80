"""The scenario and strategy schema.

A *scenario* describes a market (horizon, shoppers, catalog, channels, calendar) and
carries a default *strategy* (what the planner does: budget, channel shares, phasing,
flighting, promotions). Both are plain YAML checked here by pydantic models with
``extra="forbid"``; engine code trusts what passes.

Units: money in the scenario's currency, time in days, rates per day, shares as
fractions of 1.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from agents._schema import (
    STAGES,
    WEEKDAYS,
    DateRange,
    NonNegative,
    Positive,
    Share,
    TargetStage,
    Weekday,
    _Model,
)
from agents.promotions import AnyPromotion, Promotion, Stacking, kinds
from agents.promotions.registry import DEPTH_FIELD, depth_fields

__all__ = [
    "CITY_TIERS",
    "DEPTH_FIELD",
    "PHASES",
    "STAGES",
    "WEEKDAYS",
    "BasketParams",
    "BetaParams",
    "Bounds",
    "Calendar",
    "Catalog",
    "Category",
    "Channel",
    "DateRange",
    "Delivery",
    "Event",
    "EventPhase",
    "GammaParams",
    "Horizon",
    "Levers",
    "Loyalty",
    "LoyaltyLevers",
    "Population",
    "Promotion",
    "PromotionKind",
    "Referral",
    "Replenishment",
    "Scenario",
    "Segment",
    "ShareLever",
    "Stacking",
    "StockLever",
    "StockPlan",
    "Strategy",
    "TargetStage",
    "Tier",
    "TimingLever",
    "Weekday",
    "WordOfMouthConfig",
    "lever_problems",
    "strategy_problems",
]

CityTier = Literal["tier1", "tier2", "tier3", "tier4"]
Phase = Literal["normal", "warmup", "burst", "hangover"]
CITY_TIERS: tuple[CityTier, ...] = ("tier1", "tier2", "tier3", "tier4")
PHASES: tuple[Phase, ...] = ("normal", "warmup", "burst", "hangover")
SHARE_TOLERANCE = 1e-6


def _check_sums_to_one(values: dict[str, float], what: str) -> dict[str, float]:
    total = sum(values.values())
    if not math.isclose(total, 1.0, abs_tol=SHARE_TOLERANCE):
        raise ValueError(f"{what} must add up to 1, they add up to {total:.6g}")
    return values


class Horizon(_Model):
    """The simulated period: ``start`` and either ``days`` or an inclusive ``end``."""

    start: dt.date
    days: int | None = Field(default=None, ge=1, le=3660)
    end: dt.date | None = None

    @model_validator(mode="after")
    def _one_length(self) -> Horizon:
        if (self.days is None) == (self.end is None):
            raise ValueError("give exactly one of 'days' or 'end'")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @property
    def n_days(self) -> int:
        """Number of simulated days."""
        if self.days is not None:
            return self.days
        assert self.end is not None
        return (self.end - self.start).days + 1

    def day_of(self, date: dt.date) -> int:
        """Day index (0-based, may fall outside the horizon) of a calendar date."""
        return (date - self.start).days

    def day(self, index: int) -> dt.date:
        """Calendar date of a day index (the inverse of ``day_of``)."""
        return self.start + dt.timedelta(days=index)


class GammaParams(_Model):
    """BG/NBD purchase rates: lambda ~ Gamma(shape ``r``, rate ``alpha``), per day.

    The mean purchase rate while alive is ``r / alpha`` orders per day.
    """

    r: Positive
    alpha: Positive


class BetaParams(_Model):
    """BG/NBD dropout: p ~ Beta(``a``, ``b``), the chance to drop out after a repeat order."""

    a: Positive
    b: Positive


class BasketParams(_Model):
    """Order value at list price.

    Each shopper's mean basket is drawn from a gamma with mean ``mean`` and shape ``shape``
    (heterogeneity across shoppers); each order varies around it with coefficient of
    variation ``cv`` (log-normal).
    """

    mean: Positive
    shape: Positive = 4.0
    cv: Annotated[float, Field(ge=0.0, le=3.0)] = 0.4


class Segment(_Model):
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
        return _check_sums_to_one(v, "city tier shares")


class Population(_Model):
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
        _check_sums_to_one({k: s.share for k, s in v.items()}, "segment shares")
        return v


class Category(_Model):
    """A product category: average list price and unit cost per item, its weight in
    baskets, and how it is supplied.

    Attributes:
        price, unit_cost: average list price and unit cost of one item.
        weight: the category's weight in baskets.
        seasonality: 12 demand multipliers, January to December (default: flat). They
            scale the category's share of each shopper's buying.
        skus: SKU groups and their shares of the category's orders (default: one group).
            A shopper who finds their group sold out takes another group of the category
            (the one with most stock left) with probability ``substitution``.
        lead_time_days: days from a replenishment order to its arrival.
        capacity: most units the supplier delivers per order (default: no limit).
        holding_cost: carrying cost per unit on hand per day (currency).
    """

    price: Positive
    unit_cost: NonNegative
    weight: Positive = 1.0
    seasonality: Annotated[list[NonNegative], Field(min_length=12, max_length=12)] | None = None
    skus: dict[str, Share] | None = None
    substitution: Share = 0.5
    lead_time_days: int = Field(default=14, ge=1, le=365)
    capacity: Positive | None = None
    holding_cost: NonNegative = 0.0

    @field_validator("skus")
    @classmethod
    def _sku_shares(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        return _check_sums_to_one(v, "the shares of SKU groups") if v else None

    @model_validator(mode="after")
    def _cost_below_price(self) -> Category:
        if self.unit_cost >= self.price:
            raise ValueError(
                f"unit_cost ({self.unit_cost:g}) must be below price ({self.price:g})"
            )
        return self


class Catalog(_Model):
    """The categories the shop sells. ``stockout_dropout``: the chance that a customer
    who finds nothing in stock (no substitute either) drops out (churns)."""

    categories: dict[str, Category] = Field(min_length=1)
    stockout_dropout: Share = 0.05


class Channel(_Model):
    """A traffic source.

    ``pricing`` says what ``rate`` means: ``cpc`` currency per visit bought, ``cpm`` per
    1000 impressions, ``per_message`` per message sent, ``commission`` an effective CPM
    used only to size reach (the cost is ``commission`` x attributed GMV), ``content``
    currency per unit of content that keeps producing impressions as it slowly decays.
    """

    kind: Literal["search", "feed", "kol", "affiliate", "owned", "organic"]
    pricing: Literal["cpc", "cpm", "per_message", "commission", "content"]
    rate: Positive
    fee_per_day: NonNegative = 0.0
    commission: Share = 0.0
    ctr: Annotated[float, Field(gt=0.0, le=1.0)] = 0.02
    saturation: Positive = 2.0
    decay: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.5
    conversion: Share = 0.05
    audience: Literal["all", "prospects", "customers"] = "all"
    city_tier_affinity: dict[CityTier, NonNegative] = Field(default_factory=dict)
    content_decay: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.995
    impressions_per_content: NonNegative = 200.0
    fatigue_decay: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.85
    fatigue_tolerance: NonNegative = 1.0
    fatigue_penalty: NonNegative = 0.3
    unsubscribe_rate: Share = 0.02
    max_messages_per_day: Positive = 1.0

    @model_validator(mode="after")
    def _owned_reach_customers(self) -> Channel:
        if self.pricing == "commission" and self.commission <= 0:
            raise ValueError("a channel priced by commission needs a commission above 0")
        if self.pricing == "per_message" and self.audience != "customers":
            raise ValueError("per_message channels (e-mail, SMS, push) reach only customers: "
                             "set audience: customers")
        return self


class EventPhase(DateRange):
    phase: Literal["warmup", "burst", "hangover"]
    demand: Positive = 1.0


class Event(_Model):
    """A big sale event: phases with a demand multiplier each."""

    name: str
    phases: list[EventPhase] = Field(min_length=1)


class Calendar(_Model):
    """Demand seasonality: ``weekly`` (Monday first) and ``monthly`` multipliers, events."""

    weekly: list[Positive] = Field(default_factory=lambda: [1.0] * 7, min_length=7, max_length=7)
    monthly: list[Positive] = Field(
        default_factory=lambda: [1.0] * 12, min_length=12, max_length=12
    )
    events: list[Event] = Field(default_factory=list)


#: The promotion kinds (see ``agents.promotions``), as a literal.
PromotionKind = Literal[tuple(kinds())]  # type: ignore[valid-type]


class Tier(_Model):
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


class Loyalty(_Model):
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
    review_every_days: int = Field(default=90, ge=1)
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
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError("tier names must differ")
        return self


class Referral(_Model):
    """A referral programme ("invite a friend, both get a reward").

    Word of mouth (the scenario's ``word_of_mouth``) is ``1 + boost`` times as strong
    while it runs. A first order that word of mouth brought is a referral: one of the
    friend's contacts who is a customer referred them. The friend gets ``reward_friend``
    off that order (at most its value: discount cost), the referrer a credit of
    ``reward_referrer`` (loyalty cost).
    """

    reward_referrer: NonNegative = 20.0
    reward_friend: NonNegative = 20.0
    boost: NonNegative = 0.5


class Delivery(_Model):
    """A planned delivery: ``units`` arriving at the start of ``date``."""

    date: dt.date
    units: NonNegative


class Replenishment(_Model):
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


class StockPlan(_Model):
    """The stock plan of one category (units at real scale): ``initial`` units on hand on
    the first day, planned ``deliveries`` (e.g. the pre-event stock) and the
    ``replenishment`` policy (None: no reorders)."""

    initial: NonNegative = 0.0
    deliveries: list[Delivery] = Field(default_factory=list)
    replenishment: Replenishment | None = None


class Strategy(_Model):
    """The planner's plan: what is spent where and when, and which offers run.

    Attributes:
        budget: total marketing budget over the horizon (currency).
        shares: share of the budget per channel; channels not named get nothing.
        phasing: share of the budget per campaign phase (normal, warmup, burst, hangover);
            omitted means spend evenly over the days.
        flighting: days on which a channel is active (e.g. KOL live-stream days);
            omitted means every day.
        promotions: offers (discounts, coupons, presales, flash sales, gifts, ...).
        stacking: how offers on the same order combine (best single offer by default).
        loyalty: the loyalty programme the shop runs (None: none).
        audiences: per channel, the lifecycle stages its exposures go to, e.g.
            ``{crm: [dormant]}`` for a win-back campaign (default: its whole audience).
        referral: a referral programme (needs the scenario's ``word_of_mouth``).
        stock: the stock plan per category; categories without one never run out.
    """

    budget: NonNegative = 0.0
    shares: dict[str, Share] = Field(default_factory=dict)
    phasing: dict[Phase, Share] | None = None
    flighting: dict[str, list[DateRange]] = Field(default_factory=dict)
    promotions: list[AnyPromotion] = Field(default_factory=list)
    stacking: Stacking = Field(default_factory=Stacking)
    loyalty: Loyalty | None = None
    audiences: dict[str, list[TargetStage]] = Field(default_factory=dict)
    referral: Referral | None = None
    stock: dict[str, StockPlan] = Field(default_factory=dict)

    @field_validator("shares")
    @classmethod
    def _shares_sum(cls, v: dict[str, float]) -> dict[str, float]:
        return _check_sums_to_one(v, "channel shares") if v else v

    @field_validator("phasing")
    @classmethod
    def _phasing_sum(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        return _check_sums_to_one(v, "phase shares") if v else v

    @model_validator(mode="after")
    def _budget_needs_shares(self) -> Strategy:
        if self.budget > 0 and not self.shares:
            raise ValueError("a positive budget needs 'shares' saying which channels get it")
        return self


def _unknown(name: str, known: list[str], what: str) -> str:
    import difflib

    hint = difflib.get_close_matches(name, known, n=1)
    did = f"; did you mean '{hint[0]}'?" if hint else "."
    return f"unknown {what} '{name}'{did} Allowed: {', '.join(known)}"


def strategy_problems(strategy: Strategy, channels: list[str], categories: list[str],
                      segments: list[str], start: dt.date | None = None
                      ) -> list[tuple[str, str]]:
    """Check a strategy against a scenario's channels, categories, segments and the day
    its horizon starts.

    Returns:
        ``(field path, message)`` pairs, empty when the strategy fits the scenario.
    """
    problems: list[tuple[str, str]] = []
    for field, names in (("shares", strategy.shares), ("flighting", strategy.flighting),
                         ("audiences", strategy.audiences)):
        for name in names:
            if name not in channels:
                problems.append((f"{field}.{name}", _unknown(name, channels, "channel")))
    for i, promo in enumerate(strategy.promotions):
        for key, targets, known, what in (("categories", promo.categories, categories,
                                           "category"),
                                          ("segments", promo.segments, segments, "segment")):
            if targets != "all":
                problems += [(f"promotions.{i}.{key}", _unknown(n, known, what))
                             for n in targets if n not in known]
        if promo.tiers != "all":
            if strategy.loyalty is None:
                problems.append((f"promotions.{i}.tiers", "targeting loyalty tiers needs a "
                                                          "loyalty programme (loyalty:)"))
            else:
                tiers = [t.name for t in strategy.loyalty.tiers]
                problems += [(f"promotions.{i}.tiers", _unknown(n, tiers, "tier"))
                             for n in promo.tiers if n not in tiers]
    problems += [(f"stock.{name}", _unknown(name, categories, "category"))
                 for name in strategy.stock if name not in categories]
    if start is not None:
        problems += [(f"stock.{name}.deliveries.{i}.date",
                      f"{d.date} is before the horizon starts ({start}); stock already "
                      "there belongs in 'initial'")
                     for name, plan in strategy.stock.items()
                     for i, d in enumerate(plan.deliveries) if d.date < start]
    return problems


class Bounds(_Model):
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


class ShareLever(_Model):
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


class TimingLever(_Model):
    """When a promotion runs: it starts between ``earliest`` and ``latest`` and lasts
    ``min_days`` to ``max_days`` days."""

    earliest: dt.date
    latest: dt.date
    min_days: int = Field(default=1, ge=1)
    max_days: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> TimingLever:
        if self.latest < self.earliest:
            raise ValueError(f"latest ({self.latest}) is before earliest ({self.earliest})")
        if self.max_days < self.min_days:
            raise ValueError(f"max_days ({self.max_days}) is below min_days ({self.min_days})")
        return self


class LoyaltyLevers(_Model):
    """Loyalty programme levers: tier ``thresholds`` and member ``price`` per tier name,
    and the ``points_per_currency`` rate."""

    thresholds: dict[str, Bounds] = Field(default_factory=dict)
    price: dict[str, Bounds] = Field(default_factory=dict)
    points_per_currency: Bounds | None = None


class StockLever(_Model):
    """A category's stock plan as levers: units on hand at the start (``initial``), the
    units of its planned deliveries (``deliveries``: all of them scaled together), and
    its replenishment policy's ``reorder_point`` and order-up-to ``level``."""

    initial: Bounds | None = None
    deliveries: Bounds | None = None
    reorder_point: Bounds | None = None
    level: Bounds | None = None


class Levers(_Model):
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


def lever_problems(levers: Levers, strategy: Strategy, channels: list[str]
                   ) -> list[tuple[str, str]]:
    """Check levers against the plan they change: channels and promotions must exist."""
    problems: list[tuple[str, str]] = []
    if levers.shares is not None:
        named = [*(levers.shares.channels or []), *levers.shares.min, *levers.shares.max]
        problems += [("levers.shares", _unknown(n, channels, "channel"))
                     for n in named if n not in channels]
    promos = {p.name: p for p in strategy.promotions}
    for key in ("depth", "timing"):
        for name in getattr(levers, key):
            if name not in promos:
                problems.append((f"levers.{key}.{name}",
                                 _unknown(name, list(promos), "promotion")))
            elif key == "depth" and promos[name].depth_field is None:
                problems.append((f"levers.depth.{name}",
                                 f"a {promos[name].kind} promotion has no depth to search; "
                                 f"depth applies to {', '.join(depth_fields())} promotions"))
            elif key == "depth" and promos[name].depth_field == "discount" and \
                    levers.depth[name].max > 1:
                problems.append((f"levers.depth.{name}.max",
                                 "a discount is a share of the list price: at most 1"))
    for name, lever in levers.stock.items():
        if name not in strategy.stock:
            problems.append((f"levers.stock.{name}", _unknown(name, list(strategy.stock),
                                                             "category with a stock plan")))
        elif lever.deliveries is not None and not strategy.stock[name].deliveries:
            problems.append((f"levers.stock.{name}.deliveries",
                             "the plan has no deliveries for this category to scale; add "
                             "strategy.stock.<category>.deliveries"))
        else:
            rule = strategy.stock[name].replenishment
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
    if levers.referral and strategy.referral is None:
        problems.append(("levers.referral", "the plan has no referral programme to change; "
                                            "add strategy.referral"))
    if levers.loyalty is not None:
        if strategy.loyalty is None:
            return [*problems, ("levers.loyalty", "the plan has no loyalty programme to "
                                                  "change; add strategy.loyalty")]
        tiers = [t.name for t in strategy.loyalty.tiers]
        for key in ("thresholds", "price"):
            for name, b in getattr(levers.loyalty, key).items():
                if name not in tiers:
                    problems.append((f"levers.loyalty.{key}.{name}",
                                     _unknown(name, tiers, "tier")))
                elif key == "thresholds" and name == tiers[0]:
                    problems.append((f"levers.loyalty.thresholds.{name}",
                                     "the first tier's threshold is 0 by definition"))
                elif key == "price" and not 0 < b.min <= b.max <= 1:
                    problems.append((f"levers.loyalty.price.{name}",
                                     "a member price is a share of list price: above 0, "
                                     "at most 1"))
    return problems


class WordOfMouthConfig(_Model):
    """Word of mouth among shoppers: a non-customer adopts (places a first order) at a
    daily hazard ``buzz`` x the share of their contacts who are customers (alive).

    ``graph``: ``mixed`` (everyone is everyone's contact: the share is the market's),
    ``random`` (``mean_degree`` random contacts each) or ``small_world`` (a ring of
    ``mean_degree`` neighbours with a share ``rewire`` of links moved at random).
    """

    graph: Literal["mixed", "random", "small_world"] = "mixed"
    mean_degree: int = Field(default=10, ge=2, le=200)
    rewire: Share = 0.1
    buzz: NonNegative = 0.0


class Scenario(_Model):
    """A market and its default strategy. Load one with ``scenarios.load``."""

    name: str
    description: str = ""
    currency: str = "CNY"
    seed: int = Field(default=0, ge=0)
    horizon: Horizon
    population: Population
    catalog: Catalog
    channels: dict[str, Channel] = Field(default_factory=dict)
    calendar: Calendar = Field(default_factory=Calendar)
    strategy: Strategy = Field(default_factory=Strategy)
    levers: Levers | None = None
    word_of_mouth: WordOfMouthConfig | None = None

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        channels, categories = list(self.channels), list(self.catalog.categories)
        problems = [(f"strategy.{f}", m) for f, m in strategy_problems(
            self.strategy, channels, categories, list(self.population.segments),
            self.horizon.start)]
        if self.levers is not None:
            problems += lever_problems(self.levers, self.strategy, channels)
        if self.word_of_mouth is None:
            problems += [(f"strategy.promotions.{i}", f"a {p.kind} promotion recruits "
                          "contacts: add word_of_mouth to the scenario")
                         for i, p in enumerate(self.strategy.promotions)
                         if p.recruits_contacts]
        if self.strategy.referral is not None and self.word_of_mouth is None:
            problems.append(("strategy.referral", "a referral programme spreads by word of "
                                                  "mouth: add word_of_mouth to the scenario"))
        for seg_name, seg in self.population.segments.items():
            for cat in seg.categories:
                if cat not in categories:
                    problems.append((f"population.segments.{seg_name}.categories.{cat}",
                                     _unknown(cat, categories, "category")))
            for ch in seg.channel_affinity:
                if ch not in channels:
                    problems.append((f"population.segments.{seg_name}.channel_affinity.{ch}",
                                     _unknown(ch, channels, "channel")))
        if problems:
            field, msg = problems[0]
            raise ValueError(f"@{field}@ {msg}")
        return self

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """Return a copy with dotted-path fields replaced, validated again.

        Example: ``sc.with_overrides({"population.size": 20_000, "horizon.days": 30})``.
        """
        from sim._io import apply_overrides

        return apply_overrides(self, overrides)

    def with_population(self, size: int) -> Scenario:
        """Return a copy simulated with ``size`` shoppers standing for the same real market.

        ``scale`` is adjusted so that ``size x scale`` (the real number of shoppers) is
        unchanged: a smaller population is a coarser, faster view of the same market.
        """
        real = self.population.size * self.population.scale
        return self.with_overrides({"population.size": size, "population.scale": real / size})

    def with_strategy(self, strategy: Strategy | None) -> Scenario:
        """Return a copy whose default strategy is ``strategy`` (None keeps the current one)."""
        if strategy is None:
            return self
        return self.model_validate({**self.model_dump(), "strategy": strategy.model_dump()})
