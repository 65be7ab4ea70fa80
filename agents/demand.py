"""Demand: who visits the shop and who buys today, and how price moves them.

* Own buying. An alive customer buys on their own at their BG/NBD rate lambda (drawn
  from Gamma(r, alpha) per shopper; Fader, Hardie and Lee 2005) times the day's demand
  multiplier; an aware non-customer at ``aware_purchase_factor`` times that; prospects
  and churned customers not at all. Rate modifiers scale it (message fatigue, a loyalty
  tier), and contacts add a first-order hazard (word of mouth).
* Arrivals. With ``arrivals`` > 0 (first orders a day at real scale, e.g. fitted to a
  shop's order log) every prospect (neither customer nor aware) gets an own first-order
  hazard ``demand x arrivals / scale / prospects``, the day's prospects sharing it, so
  that ``arrivals`` of them a day order for the first time (times the day's demand and
  price response) as long as prospects last. They are organic acquisitions; a prospect
  who visits without buying becomes aware and leaves the pool.
* Seasonality. A category's monthly multiplier scales the hazard of buying it, weighted
  by the shopper's category preferences.
* Price. With a saving s (a share of list price, from the day's offers: see
  ``agents.promotions``) on category k, a shopper's hazard for that category scales by
  ``(1 - s) ** -price_sensitivity``, so ``price_sensitivity`` is the own-price elasticity
  of orders (a constant-elasticity response). Member prices and points are a permanent
  price cut of the same form; reference prices (``agents.reference_price``) and orders
  owed to the future (``agents.pull_forward``) adjust it.
* Visits. A channel brings visits at hazard ``ctr * sat * (1 - exp(-A / sat))``: linear in
  adstock A (``ctr`` visits per exposure) for light exposure, saturating at ``ctr * sat``
  visits a day for heavy exposure; this is what gives every paid channel diminishing
  returns in spend. A channel visit ends in an order with the channel's conversion.
* Purchases. Hazards add; the day's purchase probability is ``1 - exp(-H)`` (at most one
  order a shopper a day), and a buyer is a visitor: one uniform decides both, the
  visit hazard being at least the purchase hazard (own buying converts at
  ``organic_conversion``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents._hooks import ContactHazard, DayOffers, Membership, RateModifier
from agents._numeric import one_minus_exp
from agents.market import Market
from agents.population import ShopperPopulation
from agents.pull_forward import PullForward
from agents.reference_price import ReferencePrice
from agents.streams import VISIT

__all__ = ["Demand", "Intent"]


@dataclass
class Intent:
    """The day's visitors and buyers, and the hazards behind them (for attribution).

    Attributes:
        visitors, buyers: shopper indices.
        base: own hazard per shopper, contacts' share and arrivals included, after price
            (float32).
        contacts: the contacts' first-order hazard before price (0.0: none).
        lift, lift_k: price and season multiplier per shopper and per (shopper, category).
        tier_price: share of the price each shopper pays as a member (None: no programme).
        conv: members' conversion multiplier (None: none).
        live: indices of channels whose adstock works today; ``ctr_sat`` their
            ``ctr * saturation``, ``response`` their ``1 - exp(-A / sat)`` per shopper.
        visit_hazard: each shopper's visit hazard; churned: churned customers.
    """

    visitors: np.ndarray
    buyers: np.ndarray
    base: np.ndarray
    contacts: np.ndarray | float
    lift: np.ndarray | float
    lift_k: np.ndarray | None
    tier_price: np.ndarray | None
    conv: np.ndarray | None
    live: np.ndarray
    ctr_sat: np.ndarray
    response: np.ndarray
    visit_hazard: np.ndarray
    churned: np.ndarray


class Demand:
    """The buying hazards of all shoppers and the day's draw of visitors and buyers.

    Args:
        pop: the shoppers.
        scenario: the scenario (channels' response, categories' seasonality).
        fatigue: scales the own rate (outreach fatigue).
        contacts: adds a first-order hazard (word of mouth); None: none.
        member: a programme's rate, price and conversion benefits (loyalty); None: none.
    """

    def __init__(self, pop: ShopperPopulation, scenario: Market, fatigue: RateModifier,
                 contacts: ContactHazard | None = None, member: Membership | None = None
                 ) -> None:
        self.fatigue, self.contacts, self.member = fatigue, contacts, member
        self.reference = ReferencePrice(pop)
        self.pull_forward = PullForward(pop)
        chans = pop.channels
        self._ctr_sat = np.array([ch.ctr * ch.saturation for ch in chans], dtype=np.float32)
        self._inv_sat = np.array([-1.0 / ch.saturation for ch in chans], dtype=np.float32)
        self._tmp = np.empty(pop.n, dtype=np.float32)
        cats = scenario.catalog.categories.values()
        # categories' seasonality: one row of multipliers per day (None: flat)
        self.season = None
        if any(c.seasonality for c in cats):
            months = [scenario.horizon.day(t).month - 1
                      for t in range(scenario.horizon.n_days)]
            self.season = np.array([[(c.seasonality or [1.0] * 12)[m] for c in cats]
                                    for m in months], dtype=np.float32)
        self._season_cache: tuple[bytes | None, np.ndarray] = (None, np.ones(1))
        self._arriving: np.ndarray | None = None  # today's prospects, with arrivals

    def run(self, day: int, pop: ShopperPopulation, demand: float, conversion: np.ndarray,
            live: np.ndarray, offers: DayOffers | None = None) -> Intent:
        """Draw the day's visitors and buyers.

        Args:
            day: day index.
            demand: the calendar's demand multiplier for the day.
            conversion: probability that a visit from each channel ends in an order.
            live: bool per channel, whose adstock works today (``Exposure.live``).
            offers: the day's offers (None: none run).
        """
        intent = self._own_hazard(day, pop, demand, offers)
        self._channel_hazards(day, pop, intent, conversion, np.flatnonzero(live))
        self.reference.see(pop, intent.visitors, None if offers is None else offers.price_share)
        return intent

    def _own_hazard(self, day: int, pop: ShopperPopulation, demand: float,
                    offers: DayOffers | None) -> Intent:
        """Own buying by state, contacts, price: everything but the channels."""
        p = pop.params
        lift, lift_k = self._price_lift(pop, None if offers is None else offers.share,
                                        None if self.season is None else self.season[day])
        churned = pop.customer & ~pop.alive
        # own buying rate by state: prospect 0, aware non-customer a share of lambda,
        # alive customer lambda, churned 0; code = aware + 2 customer + 4 churned
        code = pop.aware.view(np.uint8) + (pop.customer.view(np.uint8) << 1) \
            + (churned.view(np.uint8) << 2)
        table = np.zeros(8, dtype=np.float32)
        table[1], table[3] = p.aware_purchase_factor, 1.0
        base = np.take(table * np.float32(demand), code)
        base *= pop.lam
        base *= self.fatigue.rate_multiplier(pop)
        contacts: np.ndarray | float = 0.0
        if self.contacts is not None:  # contacts who are customers bring first orders
            contacts = self.contacts.hazard(pop)
            base += contacts
        self._arriving = None
        if p.arrivals > 0:
            self._arriving = self._arrivals(pop, base, demand)
        lift = self.reference.lift(pop, lift)
        tier_price = None
        if self.member is not None:  # member price and points: a permanent price cut
            base *= self.member.rate_multiplier(pop)
            tier_price = self.member.price_index(pop)
            lift = lift * (tier_price * (np.float32(1.0) - self.member.points_share(pop))) ** (
                -pop.price_sensitivity)
        base *= lift
        empty = np.zeros(0, dtype=np.int64)
        return Intent(empty, empty, base, contacts, lift, lift_k, tier_price, None, empty,
                      self._ctr_sat[:0], np.zeros((0, 0), dtype=np.float32), base, churned)

    @staticmethod
    def _arrivals(pop: ShopperPopulation, base: np.ndarray, demand: float) -> np.ndarray:
        """Add the prospects' own first-order hazard: ``arrivals`` (real scale) shared
        among today's prospects, so that they bring that many first orders a day.
        Returns the prospects: an arrival visits to buy (no visit without an order),
        so arrivals make no one aware who did not buy, and bring no more first orders
        than ``arrivals`` through the aware non-customers' own buying."""
        prospects = ~(pop.customer | pop.aware)
        count = np.count_nonzero(prospects)
        if count:
            p = pop.params
            base[prospects] += np.float32(demand * p.arrivals / p.scale / count)
        return prospects

    def _channel_hazards(self, day: int, pop: ShopperPopulation, intent: Intent,
                         conversion: np.ndarray, live: np.ndarray) -> None:
        """Channels' visits and orders on top of own buying; draw visitors and buyers."""
        base, lift = intent.base, intent.lift
        # response per live channel: 1 - exp(-A / sat); visit hazard = ctr * sat * response
        adstock = pop.adstock if live.size == len(pop.channels) else pop.adstock[live]
        response = np.multiply(adstock, -self._inv_sat[live, None])
        one_minus_exp(response, out=response)
        # einsum, not @: BLAS would start threads that spin against the other worker
        visits_ch = np.einsum("c,cn->n", self._ctr_sat[live], response)
        buys_ch = np.einsum("c,cn->n", self._ctr_sat[live] * conversion[live].astype(np.float32),
                            response)
        buys_ch[intent.churned] = 0.0  # a churned customer does not come back through an ad
        buys_ch *= lift
        conv = None if self.member is None else self.member.conversion_multiplier(pop)
        if conv is not None:  # priority shipping and service: members' visits convert more
            buys_ch *= conv
        hazard = base + buys_ch
        self.pull_forward.repay(pop, hazard)
        visit_hazard = base * np.float32(1.0 / pop.params.organic_conversion)
        if self._arriving is not None:  # an arriving prospect's visit is her order
            visit_hazard[self._arriving] = base[self._arriving]
        visit_hazard += visits_ch
        np.minimum(hazard, visit_hazard, out=hazard)
        u = pop.streams.uniform(VISIT, day, pop.n)
        intent.visitors = np.flatnonzero(u < one_minus_exp(visit_hazard, out=self._tmp))
        intent.buyers = np.flatnonzero(u < one_minus_exp(hazard, out=hazard))
        intent.conv, intent.live, intent.ctr_sat = conv, live, self._ctr_sat[live]
        intent.response, intent.visit_hazard = response, visit_hazard

    def _price_lift(self, pop: ShopperPopulation, share: np.ndarray | None,
                    season: np.ndarray | None = None
                    ) -> tuple[np.ndarray | float, np.ndarray | None]:
        """Hazard multiplier per shopper and per (shopper, category) (or per category)
        from today's offers and the categories' seasonality.

        ``share`` is the saving per shopper and category as a share of list price; the
        category's hazard scales by ``(1 - share) ** -price_sensitivity``, and by its
        seasonal multiplier ``season``.
        """
        if share is None:
            return (1.0, None) if season is None else (self._season_lift(pop, season), season)
        lift_k = np.power(np.float32(1.0) - share, -pop.price_sensitivity[:, None])
        if season is not None:
            lift_k *= season
        return (pop.prefs * lift_k).sum(axis=1), lift_k

    def _season_lift(self, pop: ShopperPopulation, row: np.ndarray) -> np.ndarray:
        """Each shopper's buying multiplier from the categories' seasonality ``row``."""
        key = row.tobytes()
        if self._season_cache[0] != key:
            self._season_cache = (key, np.einsum("nc,c->n", pop.prefs, row))
        return self._season_cache[1]
