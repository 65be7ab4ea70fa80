"""``MarketModel``: the market as a Mesa model, stepped one day at a time."""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np
import pandas as pd

from agents._config import STAGES
from agents.attribution import visits_by_channel
from agents.channels import ChannelAgent
from agents.checkout import Checkout, Orders
from agents.demand import Demand, Intent
from agents.exposure import Exposure, Reached
from agents.inventory import Inventory
from agents.lifecycle import Lifecycle
from agents.loyalty import LoyaltyProgramme
from agents.outcome import DayOutcome
from agents.outreach import Outreach
from agents.population import ShopperPopulation
from agents.promotions import Completions, Offers, PromotionAgent, merge
from agents.streams import Streams
from agents.word_of_mouth import WordOfMouth
from sim._malloc import tune as tune_malloc
from sim.calendar import build_calendar
from sim.ledger import Ledger
from sim.order_log import OrderLog, promotions_used
from sim.plan import daily_budgets, promotion_days
from sim.schema import Scenario, Strategy

__all__ = ["MarketModel"]


def _months(dates: list) -> tuple[list[str], np.ndarray]:
    """The months of the horizon ("2026-03", ...) and each day's index among them."""
    keys = [f"{d.year}-{d.month:02d}" for d in dates]
    months = list(dict.fromkeys(keys))
    return months, np.array([months.index(k) for k in keys], dtype=np.int64)


class MarketModel(mesa.Model):
    """One simulated market under one strategy and one seed.

    Channels, promotions, the loyalty programme, word of mouth and the inventory are Mesa
    agents; shoppers are a vectorised population (``agents.population``: traits and
    state). Each ``step()`` is one day, one stage per mechanism of ``agents``:
    calendar -> exposure (``agents.exposure``) and outreach (``agents.outreach``) ->
    the day's offers (``agents.promotions``) and deliveries -> demand and price response
    (``agents.demand``) -> checkout and attribution (``agents.checkout``,
    ``agents.attribution``) -> inventory -> lifecycle (``agents.lifecycle``) -> loyalty
    -> ledger. A stage returns what it decided; mechanisms that change buying plug into
    demand and checkout through the protocols of ``agents._hooks``.

    Args:
        scenario: the validated scenario.
        strategy: the plan to run; None runs the scenario's own strategy.
        seed: the run's seed: an int or one replication's ``SeedSequence``.
        orders: also keep every order in ``order_log`` (``sim.order_log.OrderLog``; None
            without); it changes no number.
    """

    def __init__(self, scenario: Scenario, strategy: Strategy | None = None,
                 seed: int | np.random.SeedSequence | None = None, *,
                 orders: bool = False) -> None:
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
        self.population = pop = ShopperPopulation(scenario, self.streams)
        self.exposure = Exposure(pop)
        self.outreach = Outreach(pop)
        self.lifecycle = Lifecycle(pop)
        self.loyalty = None if self.strategy.loyalty is None else LoyaltyProgramme(
            self, self.strategy.loyalty, self.population)
        self.word_of_mouth = None if scenario.word_of_mouth is None else WordOfMouth(
            self, scenario.word_of_mouth, self.population, self.strategy.referral)
        self.inventory = Inventory(self, scenario, self.strategy.stock, n_days) \
            if self.strategy.stock else None
        self._presales = [a for a in self.promotions if a.promo.takes_deposits]
        self.demand = Demand(pop, scenario, fatigue=self.outreach,
                             contacts=self.word_of_mouth, member=self.loyalty)
        wom = self.word_of_mouth
        self.checkout = Checkout(scenario, wom if wom is not None and wom.referral is not None
                                 else None, self.inventory)
        self.ledger = Ledger(n_days, list(scenario.channels), segs,
                             [p.name for p in self.strategy.promotions],
                             scenario.population.scale,
                             [] if self.loyalty is None else self.loyalty.names,
                             *_months(self.calendar.dates), cats)
        self.order_log = OrderLog(names, cats, [p.name for p in self.strategy.promotions], [
            c.price for c in scenario.catalog.categories.values()]) if orders else None
        self.day = 0

    def step(self) -> None:
        """Simulate one day, one stage per mechanism, in this order."""
        t, pop, inventory, loyalty = self.day, self.population, self.inventory, self.loyalty
        # calendar: the day's demand multiplier, and with it the channels' conversion
        demand = float(self.calendar.demand[t])
        conversion = np.minimum(1.0, self._conversion * demand)
        # exposure and outreach: channels buy; messages are capped per subscriber; the
        # exposures reach their audiences (adstock, awareness); messages tire (fatigue,
        # unsubscribes)
        exposures = np.array([ch.buy(t) for ch in self.channels])
        bought = exposures / self.scenario.population.scale
        audience = self.exposure.audiences(pop, bought, self._audiences, self.lifecycle.stages(
            t) if self._audiences else None)
        sent, share_sent = self.outreach.deliver(bought, audience)
        reached = self.exposure.expose(t, pop, sent, audience)
        unsubscribes = self.outreach.tire(t, pop, reached)
        # offers: the day's promotions (their targets as the day's awareness left them),
        # presale orders falling due; deliveries arrive, owed orders ship
        offers, completions, forfeits = self._promotions_today(t)
        if inventory is not None:
            inventory.receive(t)
            inventory.owe(t, pop, completions)
        # demand and price response: who visits and who buys
        intent = self.demand.run(t, pop, demand, conversion, self.exposure.live, offers)
        # checkout and attribution: sources, baskets, offers, stock, referral rewards,
        # member prices; orders under offers borrow from the shopper's future
        orders = self.checkout.run(t, pop, intent, conversion, offers, completions)
        if orders.offer_gmv is not None:
            self.demand.pull_forward.borrow(pop, orders.buyers[:orders.n_own],
                                            orders.list_value[:orders.n_own], orders.offer_gmv)
        # inventory: orders the offers added are owed; holding cost, reorders
        if inventory is not None:
            inventory.owe(t, pop, orders.extra)
            inventory.end_of_day(t, self._presales)
        # lifecycle (word of mouth's referred first orders included): first orders,
        # dropout, trailing spend; then loyalty: points, tiers, reviews, birthdays
        new, repeat = self.lifecycle.book(t, orders, intent.visitors, loyalty)
        if loyalty is not None:
            orders.tally |= loyalty.after_orders(pop, orders.buyers, orders.gmv)
            orders.tally |= loyalty.end_of_day(t, pop)
        # ledger: channels settle their spend, the day is booked
        out = self._outcome(t, orders, intent, reached, new, repeat, unsubscribes)
        if self.order_log is not None:  # the order log: each order and its promotions
            out.promotions = promotions_used(len(self.promotions), orders, completions,
                                             None if offers is None else offers.used)
            self.order_log.add(t, out)
        self._book(t, out, completions, forfeits, exposures, share_sent * reached.found)
        self.day += 1
        self.running = self.day < self.calendar.n_days

    def _outcome(self, t: int, orders: Orders, intent: Intent, reached: Reached,
                 new: np.ndarray, repeat: np.ndarray, unsubscribes: int) -> DayOutcome:
        """The day's record, as the ledger books it."""
        return DayOutcome(
            buyers=orders.buyers, visitors=intent.visitors,
            channel_visits=visits_by_channel(intent, len(self.channels)), reach=reached.reach,
            order_channel=orders.order_channel, category=orders.category,
            list_value=orders.list_value, gmv=orders.gmv, cogs=orders.cogs, new=new,
            repeat=repeat, stages=self.lifecycle.stages(t), unsubscribes=unsubscribes,
            tally=orders.tally, per_promotion=orders.per_promotion, referrals=orders.referrals)

    def _book(self, t: int, out: DayOutcome, completions: Completions | None,
              forfeits: tuple[float, float], exposures: np.ndarray,
              delivered: np.ndarray) -> None:
        """Credit presale orders to their promotions, settle spend, book the day.

        ``delivered``: per channel, the share of the bought exposures that was delivered.
        """
        out.tally["forfeits"], out.tally["forfeited_deposits"] = forfeits
        if completions is not None:  # credit the presale orders to their promotions
            if out.per_promotion is None:
                out.per_promotion = np.zeros((len(self.promotions), 3))
            np.add.at(out.per_promotion[:, 0], completions.promotion, 1)
            np.add.at(out.per_promotion[:, 1], completions.promotion,
                      completions.list_value - completions.gmv)
        self.last_outcome = out
        attributed = np.bincount(out.order_channel, weights=out.gmv,
                                 minlength=len(self.channels) + 1)[:-1] \
            * self.scenario.population.scale
        spend = np.array([ch.settle(float(g), float(d)) for ch, g, d in zip(
            self.channels, attributed, delivered, strict=True)])
        self.ledger.record(t, out, spend, exposures * delivered, self.population, self.loyalty,
                           None if self.inventory is None else self.inventory.today)

    def _promotions_today(self, t: int) -> tuple[Offers | None, Completions | None,
                                                 tuple[float, float]]:
        """Today's offers, the presale orders due today, and the deposits forfeited today
        (number, value)."""
        if not self.promotions:
            return None, None, (0.0, 0.0)
        pop = self.population
        stages = self.lifecycle.stages(t) if any(a.needs_stages() for a in self.promotions
                                      if a.days[t]) else None
        tiers = None if self.loyalty is None else self.loyalty.tier
        today = [o for a in self.promotions
                 if (o := a.offer(t, pop, stages, tiers)) is not None]
        offers = Offers(today, pop.n, self.strategy.stacking, len(self.promotions),
                        record=self.order_log is not None) if today else None
        if offers is not None and not offers.any:
            offers = None
        completions, lost, lost_value = None, 0, 0.0
        for a in self.promotions:
            if a.promo.takes_deposits:
                done, value, count = a.complete(t, pop)
                lost, lost_value = lost + count, lost_value + value
                if done.shoppers.size:
                    completions = merge(completions, done)
        return offers, completions, (float(lost), lost_value)

    def orders_frame(self, replication: int = 0) -> pd.DataFrame | None:
        """The orders simulated so far, one row each (``sim.order_log.COLUMNS``;
        ``replication``: the ``seed`` column); None unless built with ``orders=True``.
        Calibrated customers keep the shop's own ids (``population.ids``, when the
        population has them)."""
        if self.order_log is None:
            return None
        return self.order_log.frame(self.calendar.dates, replication,
                                    getattr(self.population, "ids", None))

    def run(self, on_day: Callable[[int], None] | None = None) -> MarketModel:
        """Step to the end of the horizon, calling ``on_day(day)`` after each day."""
        while self.running:
            self.step()
            if on_day is not None:
                on_day(self.day)
        return self
