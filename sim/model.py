"""``MarketModel``: the market as a Mesa model, stepped one day at a time."""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from agents.channels import ChannelAgent
from agents.inventory import Inventory
from agents.loyalty import LoyaltyProgramme
from agents.population import ShopperPopulation
from agents.promotions import Completions, Offers, PromotionAgent, merge
from agents.streams import Streams
from agents.word_of_mouth import WordOfMouth
from sim._malloc import tune as tune_malloc
from sim.calendar import build_calendar
from sim.ledger import Ledger
from sim.plan import daily_budgets, promotion_days
from sim.schema import STAGES, Scenario, Strategy

__all__ = ["MarketModel"]


def _months(dates: list) -> tuple[list[str], np.ndarray]:
    """The months of the horizon ("2026-03", ...) and each day's index among them."""
    keys = [f"{d.year}-{d.month:02d}" for d in dates]
    months = list(dict.fromkeys(keys))
    return months, np.array([months.index(k) for k in keys], dtype=np.int64)


class MarketModel(mesa.Model):
    """One simulated market under one strategy and one seed.

    Channels, promotions and the loyalty programme are Mesa agents; shoppers are a
    vectorised population. Each ``step()`` is one day: calendar -> channels buy
    exposures -> shoppers are exposed (adstock, awareness, fatigue) -> promotions make the
    day's offers and presales fall due -> deliveries arrive -> shoppers visit and buy
    (price response, checkout, stock: substitution or a lost sale) -> inventory
    (holding cost, reorders) -> loyalty (points, tiers, reviews) -> channels settle
    their spend -> ledger.

    Args:
        scenario: the validated scenario.
        strategy: the plan to run; None runs the scenario's own strategy.
        seed: the run's seed: an int or one replication's ``SeedSequence``.
    """

    def __init__(self, scenario: Scenario, strategy: Strategy | None = None,
                 seed: int | np.random.SeedSequence | None = None) -> None:
        tune_malloc()
        seed_seq = seed if isinstance(seed, np.random.SeedSequence) else \
            np.random.SeedSequence(scenario.seed if seed is None else seed)
        super().__init__(rng=np.random.default_rng(seed_seq))
        self.scenario = scenario
        self.strategy = scenario.strategy if strategy is None else strategy
        self.streams = Streams(seed_seq)
        self.calendar = build_calendar(scenario)
        n_days = self.calendar.n_days
        budgets = daily_budgets(scenario, self.strategy, self.calendar)
        self.channels = [ChannelAgent(self, name, cfg, budgets[:, c])
                         for c, (name, cfg) in enumerate(scenario.channels.items())]
        cats, segs = list(scenario.catalog.categories), list(scenario.population.segments)
        self.promotions = [
            PromotionAgent(self, i, promo, promotion_days(scenario, promo, n_days), cats, segs,
                           scenario.population.scale)
            for i, promo in enumerate(self.strategy.promotions)]
        self._conversion = np.array([c.conversion for c in scenario.channels.values()])
        names = list(scenario.channels)
        self._audiences = {names.index(ch): [STAGES.index(s) for s in stages]
                           for ch, stages in self.strategy.audiences.items()}
        self.population = ShopperPopulation(scenario, self.streams)
        self.loyalty = None if self.strategy.loyalty is None else LoyaltyProgramme(
            self, self.strategy.loyalty, self.population)
        self.word_of_mouth = None if scenario.word_of_mouth is None else WordOfMouth(
            self, scenario.word_of_mouth, self.population, self.strategy.referral)
        self.inventory = Inventory(self, scenario, self.strategy, n_days) \
            if self.strategy.stock else None
        self._presales = [a for a in self.promotions if a.kind == "presale"]
        self.ledger = Ledger(n_days, list(scenario.channels), segs,
                             [p.name for p in self.strategy.promotions],
                             scenario.population.scale,
                             [] if self.loyalty is None else self.loyalty.names,
                             *_months(self.calendar.dates), cats)
        self.day = 0

    def step(self) -> None:
        """Simulate one day."""
        t, scale = self.day, self.scenario.population.scale
        demand = float(self.calendar.demand[t])
        exposures = np.array([ch.buy(t) for ch in self.channels])
        self.population.expose(t, exposures / scale, self._audiences)
        conversion = np.minimum(1.0, self._conversion * demand)
        offers, completions, forfeits = self._promotions_today(t)
        inventory = self.inventory
        if inventory is not None:
            inventory.receive(t)
            inventory.owe(t, self.population, completions)
        out = self.population.shop(t, demand, conversion, offers, completions, self.loyalty,
                                   self.word_of_mouth, inventory)
        if inventory is not None:
            inventory.end_of_day(t, self._presales)
        if self.loyalty is not None:
            out.tally |= self.loyalty.end_of_day(t, self.population)
        out.tally["forfeits"], out.tally["forfeited_deposits"] = forfeits
        if completions is not None:  # credit the presale orders to their promotions
            if out.per_promotion is None:
                out.per_promotion = np.zeros((len(self.promotions), 3))
            np.add.at(out.per_promotion[:, 0], completions.promotion, 1)
            np.add.at(out.per_promotion[:, 1], completions.promotion,
                      completions.list_value - completions.gmv)
        self.last_outcome = out
        attributed = np.bincount(out.order_channel, weights=out.gmv,
                                 minlength=len(self.channels) + 1)[:-1] * scale
        spend = np.array([ch.settle(float(g), float(d)) for ch, g, d in zip(
            self.channels, attributed, self.population.delivered, strict=True)])
        delivered = exposures * self.population.delivered
        self.ledger.record(t, out, spend, delivered, self.population, self.loyalty,
                           None if inventory is None else inventory.today)
        self.day += 1
        self.running = self.day < self.calendar.n_days

    def _promotions_today(self, t: int) -> tuple[Offers | None, Completions | None,
                                                 tuple[float, float]]:
        """Today's offers, the presale orders due today, and the deposits forfeited today
        (number, value)."""
        if not self.promotions:
            return None, None, (0.0, 0.0)
        pop = self.population
        stages = pop.stages(t) if any(a.needs_stages() for a in self.promotions
                                      if a.days[t]) else None
        tiers = None if self.loyalty is None else self.loyalty.tier
        today = [o for a in self.promotions
                 if (o := a.offer(t, pop, stages, tiers)) is not None]
        offers = Offers(today, pop.n, self.strategy.stacking, len(self.promotions)) \
            if today else None
        completions, lost, lost_value = None, 0, 0.0
        for a in self.promotions:
            if a.kind == "presale":
                done, value, count = a.complete(t, pop)
                lost, lost_value = lost + count, lost_value + value
                if done.shoppers.size:
                    completions = merge(completions, done)
        return offers, completions, (float(lost), lost_value)

    def run(self, on_day: Callable[[int], None] | None = None) -> MarketModel:
        """Step to the end of the horizon, calling ``on_day(day)`` after each day."""
        while self.running:
            self.step()
            if on_day is not None:
                on_day(self.day)
        return self
