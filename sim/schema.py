"""The scenario and the strategy: what assembles the mechanisms' configurations.

A *scenario* describes a market (horizon, shoppers, catalog, channels, calendar, word of
mouth) and carries a default *strategy* (what the planner does: budget, channel shares,
phasing, flighting, promotions, loyalty, referrals, stock). Each part is the pydantic model
of the mechanism that reads it, in that mechanism's module; this module puts them together
and checks their cross-references (a promotion's categories exist, a referral programme has
word of mouth to spread by, ...). Everything is plain YAML checked with ``extra="forbid"``;
engine code trusts what passes. The optimiser's ``levers`` are not part of it
(``optimize.levers``).

Units: money in the scenario's currency, time in days, rates per day, shares as
fractions of 1.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from agents._config import (
    Config,
    DateRange,
    NonNegative,
    Share,
    TargetStage,
    check_distinct,
    check_sums_to_one,
    unknown,
)
from agents.catalog import Catalog
from agents.channels import Channel
from agents.customers import History
from agents.inventory import StockPlan
from agents.loyalty import Loyalty
from agents.population import Population
from agents.promotions import AnyPromotion, Stacking
from agents.word_of_mouth import Referral, WordOfMouthConfig
from sim.calendar import Calendar, Horizon, Phase
from sim.customer_table import input_error_in, read_customer_table
from sim.errors import InputError, one_sentence

__all__ = ["Scenario", "Strategy", "outside_plan", "strategy_problems"]


class Strategy(Config):
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
        return check_sums_to_one(v, "channel shares") if v else v

    @field_validator("phasing")
    @classmethod
    def _phasing_sum(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        return check_sums_to_one(v, "phase shares") if v else v

    @model_validator(mode="after")
    def _budget_needs_shares(self) -> Strategy:
        if self.budget > 0 and not self.shares:
            raise ValueError("a positive budget needs 'shares' saying which channels get it")
        return self

    @field_validator("promotions")
    @classmethod
    def _distinct_promotions(cls, v: list[AnyPromotion]) -> list[AnyPromotion]:
        check_distinct([p.name for p in v], "promotions")
        return v


def strategy_problems(strategy: Strategy, scenario: Scenario, *, within_plan: bool = True
                      ) -> list[tuple[str, str]]:
    """Check a strategy against a scenario: the channels, categories, segments and tiers it
    names exist, no delivery comes before the horizon starts, what spreads by word of mouth
    has it, and (``within_plan``) its dates reach the planned horizon, so no budget or offer
    falls outside it. Files are held to the last; a scenario shortened from Python
    (``with_overrides``) is not, since cutting a plan short is a what-if of its own.

    Returns:
        ``(field path, message)`` pairs, empty when the strategy fits the scenario.
    """
    channels, categories = list(scenario.channels), list(scenario.catalog.categories)
    problems: list[tuple[str, str]] = []
    for field, names in (("shares", strategy.shares), ("flighting", strategy.flighting),
                         ("audiences", strategy.audiences)):
        problems += [(f"{field}.{name}", unknown(name, channels, "channel"))
                     for name in names if name not in channels]
    for i, promo in enumerate(strategy.promotions):
        problems += [(f"promotions.{i}.{f}", m)
                     for f, m in _promotion_problems(promo, strategy, scenario)]
    if strategy.referral is not None and scenario.word_of_mouth is None:
        problems.append(("referral", "a referral programme spreads by word of mouth: add "
                                     "word_of_mouth to the scenario"))
    problems += [(f"stock.{name}", unknown(name, categories, "category"))
                 for name in strategy.stock if name not in categories]
    first = scenario.horizon.start
    problems += [(f"stock.{name}.deliveries.{i}.date",
                  f"{d.date} is before the horizon starts ({first}); stock already there "
                  "belongs in 'initial'")
                 for name, plan in strategy.stock.items()
                 for i, d in enumerate(plan.deliveries) if d.date < first]
    return problems + (outside_plan(strategy, scenario.horizon) if within_plan else [])


def _promotion_problems(promo: AnyPromotion, strategy: Strategy, scenario: Scenario
                        ) -> list[tuple[str, str]]:
    """A promotion's targets that the scenario (or the plan's loyalty tiers) lacks, and
    a contact-recruiting kind without word of mouth; field paths within the promotion."""
    problems: list[tuple[str, str]] = []
    for key, targets, known, what in (
            ("categories", promo.categories, list(scenario.catalog.categories), "category"),
            ("segments", promo.segments, list(scenario.population.segments), "segment")):
        if targets != "all":
            problems += [(key, unknown(n, known, what)) for n in targets if n not in known]
    if promo.tiers != "all":
        if strategy.loyalty is None:
            problems.append(("tiers", "targeting loyalty tiers needs a loyalty programme "
                                      "(loyalty:)"))
        else:
            tiers = [t.name for t in strategy.loyalty.tiers]
            problems += [("tiers", unknown(n, tiers, "tier"))
                         for n in promo.tiers if n not in tiers]
    if promo.recruits_contacts and scenario.word_of_mouth is None:
        problems.append(("kind", f"a {promo.kind} promotion recruits contacts: add "
                                 "word_of_mouth to the scenario"))
    return problems


def outside_plan(strategy: Strategy, horizon: Horizon) -> list[tuple[str, str]]:
    """Flights, promotions and deliveries dated wholly outside the planned horizon: budget
    that could never be spent, offers that never run, stock that never arrives."""
    first, last = horizon.start, horizon.day(horizon.planned_days - 1)
    span = f"the horizon runs from {first} to {last}"
    problems = [(f"flighting.{name}.{i}", f"{r.start} to {r.end} is outside the plan, so "
                 f"its budget could not be spent: {span}")
                for name, ranges in strategy.flighting.items()
                for i, r in enumerate(ranges) if r.end < first or r.start > last]
    for i, promo in enumerate(strategy.promotions):
        due = promo.due_date()
        if (promo.end < first or promo.start > last) and not (due and first <= due <= last):
            problems.append((f"promotions.{i}", f"'{promo.name}' runs from {promo.start} to "
                             f"{promo.end}, outside the plan: {span}"))
    problems += [(f"stock.{name}.deliveries.{i}.date", f"{d.date} is after the horizon ends "
                  f"({last}); a delivery must arrive within the plan")
                 for name, plan in strategy.stock.items()
                 for i, d in enumerate(plan.deliveries) if d.date > last]
    return problems


class Scenario(Config):
    """A market and its default strategy. Load one with ``scenarios.load``.

    A scenario whose population names a customer table (``population.customers``) reads
    and checks it when it is validated; the rows travel with the scenario (also to
    worker processes) as ``customer_history``.
    """

    name: str
    description: str = ""
    currency: str = "CNY"
    seed: int = Field(default=0, ge=0)
    # replications the commands run when --seeds is not given; the scenario.yaml a command
    # writes records the count it ran, so running that file again gives the same numbers
    seeds: int | None = Field(default=None, ge=1, le=10_000)
    horizon: Horizon
    population: Population
    catalog: Catalog
    channels: dict[str, Channel] = Field(default_factory=dict)
    calendar: Calendar = Field(default_factory=Calendar)
    strategy: Strategy = Field(default_factory=Strategy)
    word_of_mouth: WordOfMouthConfig | None = None
    _history: History | None = PrivateAttr(default=None)

    @property
    def customer_history(self) -> History | None:
        """The rows of ``population.customers``, read and checked (None: no table)."""
        return self._history

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        channels, categories = list(self.channels), list(self.catalog.categories)
        problems = [(f"strategy.{f}", m) for f, m in strategy_problems(
            self.strategy, self, within_plan=False)]
        for seg_name, seg in self.population.segments.items():
            for cat in seg.categories:
                if cat not in categories:
                    problems.append((f"population.segments.{seg_name}.categories.{cat}",
                                     unknown(cat, categories, "category")))
            for ch in seg.channel_affinity:
                if ch not in channels:
                    problems.append((f"population.segments.{seg_name}.channel_affinity.{ch}",
                                     unknown(ch, channels, "channel")))
        if problems:
            field, msg = problems[0]
            raise ValueError(f"@{field}@ {msg}")
        return self

    @model_validator(mode="after")
    def _customer_table(self) -> Scenario:
        """Read and check the customer table (an ``InputError`` naming the table) and
        that the population holds the share of it its scale simulates."""
        pop = self.population
        if pop.customers is None:
            return self
        hist = read_customer_table(pop.customers.file, list(pop.segments),
                                   list(self.catalog.categories))
        used = hist.used(pop.scale)
        if used > hist.size:
            raise ValueError(f"@population.scale@ must be at least 1 with a customer table "
                             f"(got {pop.scale:g}): each of the {hist.size} rows of "
                             f"{hist.source} is one real customer, and a simulated shopper "
                             "stands for at least one")
        if pop.size < used:
            raise ValueError(f"@population.size@ must be at least {used} (got {pop.size}): "
                             f"the customer table {hist.source} holds {hist.size} customers, "
                             f"{used} of them simulated at scale {pop.scale:g}")
        self._history = hist
        return self

    def with_overrides(self, overrides: dict[str, Any]) -> Self:
        """Return a copy with dotted-path fields replaced, validated again.

        Example: ``sc.with_overrides({"population.size": 20_000, "horizon.days": 30})``.
        """
        data = self.model_dump(mode="python", exclude_none=True)
        for key, value in overrides.items():
            _set_dotted(data, key, value)
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            raise input_error_in(exc) or one_sentence(exc, type(self), "overrides") from None

    def with_first_days(self, days: int) -> Self:
        """Return a copy that simulates only the first ``days`` of the horizon, each day
        spending what the whole plan gives it (``horizon.run_days``; ``--days``)."""
        return self.with_overrides({"horizon.run_days": days})

    def with_population(self, size: int) -> Self:
        """Return a copy simulated with ``size`` shoppers standing for the same real market.

        ``scale`` is adjusted so that ``size x scale`` (the real number of shoppers) is
        unchanged: a smaller population is a coarser, faster view of the same market. With
        a customer table, each run then simulates ``round(k / scale)`` of its k customers
        (a sample drawn per seed), so ``size`` must be at least that and at most the real
        number of shoppers.
        """
        real = self.population.size * self.population.scale
        return self.with_overrides({"population.size": size, "population.scale": real / size})

    def with_strategy(self, strategy: Strategy | None) -> Self:
        """Return a copy whose default strategy is ``strategy`` (None keeps the current one)."""
        if strategy is None:
            return self
        return type(self).model_validate({**self.model_dump(), "strategy": strategy.model_dump()})


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node and isinstance(node[part], dict | list):
            node = node[part]
        else:
            raise InputError("overrides", dotted,
                             f"'{'.'.join(parts[: i + 1])}' is not a section of the scenario")
    last = parts[-1]
    if isinstance(node, list) and last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
        # horizon length can be given as days or as end: an override of one replaces the other
        horizon = data.get("horizon")
        if node is horizon and isinstance(horizon, dict) and last in ("days", "end"):
            horizon.pop("end" if last == "days" else "days", None)
