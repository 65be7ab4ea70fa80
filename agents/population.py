"""The shoppers: individuals stored as a vectorised population, one row per shopper.

Every trait and every piece of state is a numpy array indexed by shopper. A day's step
for all shoppers is array operations; the only Python loops run over channels or
categories, never over people.

The behavioural model, in the order a day is stepped:

* Exposure. A channel's exposures are spread over its eligible audience in proportion
  to affinity (segment x city tier). Each shopper keeps a geometric adstock per channel,
  ``A <- decay * A + (1 - decay) * exposures``, so a burst keeps working after it ends.
* Visits. A channel brings visits at hazard ``ctr * sat * (1 - exp(-A / sat))``: linear in
  exposure (``ctr`` visits per exposure) for light exposure, saturating at ``ctr * sat``
  visits a day for heavy exposure; this is what gives every paid channel diminishing
  returns in spend.
* Purchases. An alive customer buys on their own at BG/NBD rate lambda (drawn from
  Gamma(r, alpha) per shopper) times the day's demand multiplier; an aware
  non-customer at ``aware_purchase_factor`` times that; a channel visit ends in an order
  with the channel's conversion quality. Hazards add; the day's purchase probability is
  ``1 - exp(-H)`` (at most one order a shopper a day).
* Price. With a saving s (a share of list price, from the day's offers: see
  ``agents.promotions``) on category k, a shopper's hazard for that category scales by
  ``(1 - s) ** -price_sensitivity``, so ``price_sensitivity`` is the own-price elasticity
  of orders (a constant-elasticity response).
* Reference price. Each shopper keeps a reference price index r (1 = list price); a
  visit moves it a share ``reference_adaptation`` toward the price index seen that day
  (list price less the price offers open to the shopper; gifts and points do not count).
  The hazard scales by ``(price / r) ** -price_sensitivity``, so after frequent deep
  discounts (r < 1) full-price buying drops and the same discount lifts less.
* Pull-forward. An order that saved a share s of its list value was placed under a price
  lift L = (1 - s)^-e and is incremental with probability 1 - 1/L; a share
  ``pull_forward_share`` of that is borrowed from the shopper's future
  (household stock): it is owed, and the shopper's hazard is held back until the owed
  orders are repaid in expectation, which makes the post-promotion dip.
* Dropout. After each repeat order an alive customer drops out for good with their
  BG/NBD probability p (drawn from Beta(a, b)); the first order never triggers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from agents.promotions import merge
from agents.streams import AWARENESS, BASKET, CATEGORY, CHANNEL, DROPOUT, TRAITS, UNSUBSCRIBE, VISIT
from sim.schema import CITY_TIERS, STAGES, Scenario

if TYPE_CHECKING:
    from agents.inventory import Inventory
    from agents.loyalty import LoyaltyProgramme
    from agents.promotions import Completions, Offers
    from agents.streams import Streams
    from agents.word_of_mouth import WordOfMouth

__all__ = ["EXISTING", "NEVER", "ORGANIC", "REFERRAL", "DayOutcome", "ShopperPopulation"]

NEVER = -(10**6)  # day index meaning "has not happened"
ORGANIC, EXISTING, REFERRAL = -1, -2, -3  # acquisition sources besides channels
_STAGE = {name: np.int8(i) for i, name in enumerate(STAGES)}
_QUIET = 1e-4  # adstock below this share of its last level is dropped (saves work)


@dataclass
class DayOutcome:
    """What one day of shopping produced, at simulated (not real) scale.

    Per-buyer arrays are aligned with ``buyers``; ``order_channel`` is a channel index,
    or ``n_channels`` for orders no channel brought (organic).
    """

    buyers: np.ndarray
    visitors: np.ndarray
    channel_visits: np.ndarray
    reach: np.ndarray
    order_channel: np.ndarray
    category: np.ndarray
    list_value: np.ndarray
    gmv: np.ndarray
    cogs: np.ndarray
    new: np.ndarray
    repeat: np.ndarray
    tally: dict[str, float] = field(default_factory=dict)
    per_promotion: np.ndarray | None = None


class ShopperPopulation:
    """All shoppers of one run.

    Args:
        scenario: the validated scenario (traits come from its segments).
        streams: the run's random streams.
    """

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        pop, cat = scenario.population, scenario.catalog
        self.streams = streams
        self.n = n = pop.size
        self.params = pop
        seg_cfg = list(pop.segments.values())
        self.segment_names = list(pop.segments)
        self.category_names = list(cat.categories)
        self.channel_names = list(scenario.channels)
        chans = list(scenario.channels.values())
        g = streams.generator(TRAITS)

        self.segment = g.choice(len(seg_cfg), size=n, p=[s.share for s in seg_cfg]).astype(np.int8)
        self.city_tier = np.zeros(n, dtype=np.int8)
        self.lam = np.zeros(n, dtype=np.float32)
        self.p_drop = np.zeros(n, dtype=np.float32)
        self.basket_mean = np.zeros(n, dtype=np.float32)
        for s, seg in enumerate(seg_cfg):
            idx = np.flatnonzero(self.segment == s)
            tiers = np.array([seg.city_tiers.get(t, 0.0) for t in CITY_TIERS])
            self.city_tier[idx] = g.choice(len(CITY_TIERS), size=idx.size, p=tiers / tiers.sum())
            self.lam[idx] = g.gamma(seg.purchase.r, 1.0 / seg.purchase.alpha, size=idx.size)
            self.p_drop[idx] = g.beta(seg.dropout.a, seg.dropout.b, size=idx.size)
            self.basket_mean[idx] = g.gamma(seg.basket.shape, seg.basket.mean / seg.basket.shape,
                                            size=idx.size)
        self.basket_sigma = np.sqrt(np.log1p(np.array([s.basket.cv**2 for s in seg_cfg])))[
            self.segment].astype(np.float32)
        self.price_sensitivity = np.array([s.price_sensitivity for s in seg_cfg],
                                          dtype=np.float32)[self.segment]
        self.prefs = self._draw_preferences(scenario, g)
        self.price = np.array([c.price for c in cat.categories.values()])
        self.cost_ratio = np.array([c.unit_cost / c.price for c in cat.categories.values()])

        seg_aff = np.array([[s.channel_affinity.get(c, 1.0) for s in seg_cfg]
                            for c in self.channel_names], dtype=np.float32).reshape(
                                len(chans), len(seg_cfg))
        tier_aff = np.array([[ch.city_tier_affinity.get(t, 1.0) for t in CITY_TIERS]
                             for ch in chans], dtype=np.float32).reshape(
                                 len(chans), len(CITY_TIERS))
        self.affinity = seg_aff[:, self.segment] * tier_aff[:, self.city_tier]
        # affinity depends only on (segment, city tier): reach is summed over these groups
        self._group = self.segment.astype(np.int64) * len(CITY_TIERS) + self.city_tier
        n_groups = len(seg_cfg) * len(CITY_TIERS)
        self._group_size = np.bincount(self._group, minlength=n_groups).astype(np.float64)
        self._group_affinity = (seg_aff[:, :, None] * tier_aff[:, None, :]).reshape(
            len(chans), n_groups).astype(np.float64)
        self.channels = chans
        self.audience = [ch.audience for ch in chans]
        self.owned = [c for c, ch in enumerate(chans) if ch.pricing == "per_message"]
        self._affinity_total = self.affinity.sum(axis=1, dtype=np.float64)
        self._ctr_sat = np.array([ch.ctr * ch.saturation for ch in chans], dtype=np.float32)
        self._inv_sat = np.array([-1.0 / ch.saturation for ch in chans], dtype=np.float32)
        self._tmp = np.empty(n, dtype=np.float32)
        # categories' seasonality: one row of multipliers per day (None: flat)
        self.season = None
        if any(c.seasonality for c in cat.categories.values()):
            months = [scenario.horizon.day(t).month - 1
                      for t in range(scenario.horizon.n_days)]
            self.season = np.array([[(c.seasonality or [1.0] * 12)[m]
                                     for c in cat.categories.values()] for m in months],
                                   dtype=np.float32)
        self._season_cache: tuple[bytes | None, np.ndarray] = (None, np.ones(1))

        # state
        self.customer = g.random(n) < pop.initial_customer_share
        self.aware = self.customer | (g.random(n) < pop.initial_aware_share)
        self.alive = self.customer.copy()
        hist = pop.history_days
        last = -1 - np.floor(g.random(n) * hist).astype(np.int32)
        first = last - np.floor(g.random(n) * hist).astype(np.int32)
        self.last_day = np.where(self.customer, last, NEVER).astype(np.int32)
        self.first_day = np.where(self.customer, first, NEVER).astype(np.int32)
        self.n_orders = np.zeros(n, dtype=np.int32)
        # how a customer came: a channel index, or ORGANIC, REFERRAL, EXISTING (before day 0)
        self.acquired_by = np.where(self.customer, EXISTING, ORGANIC).astype(np.int8)
        self._spend_keep = np.float32(np.exp(-1.0 / pop.spend_window_days))
        # an established customer's trailing spend starts at its expected value
        self.spend = np.where(self.customer, self.lam * self.basket_mean * pop.spend_window_days,
                              0.0).astype(np.float32)
        self.adstock = np.zeros((len(chans), n), dtype=np.float32)
        self._live = np.zeros(len(chans), dtype=bool)
        self._quiet_days = np.zeros(len(chans), dtype=np.int64)
        self.fatigue = np.zeros((len(self.owned), n), dtype=np.float32)
        self.subscribed = np.repeat(self.customer[None, :], len(self.owned), axis=0)
        self.unsubscribed_today = 0
        self._tired: list[int] = []
        self.reference = np.ones(n, dtype=np.float32)
        self.owed = np.zeros(n, dtype=np.float32)
        self._reference_moved = False
        self._owed_any = False
        self._exposed = np.zeros(n, dtype=np.float32)
        self._in_stage: dict[int, np.ndarray] = {}
        #: the day's referrals: (friends, their referrers), shopper indices
        self.last_referrals = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    def _draw_preferences(self, scenario: Scenario, g: np.random.Generator) -> np.ndarray:
        """Category preferences per shopper: Dirichlet around the segment's weights."""
        cats = scenario.catalog.categories
        conc = scenario.population.category_concentration
        prefs = np.zeros((self.n, len(cats)), dtype=np.float32)
        for s, seg in enumerate(scenario.population.segments.values()):
            idx = np.flatnonzero(self.segment == s)
            w = np.array([c.weight * (seg.categories.get(k, 0.0) if seg.categories else 1.0)
                          for k, c in cats.items()])
            w = w / w.sum()
            draws = np.zeros((idx.size, len(cats)))
            pos = w > 0
            draws[:, pos] = g.gamma(conc * w[pos], size=(idx.size, int(pos.sum())))
            prefs[idx] = draws / np.maximum(draws.sum(axis=1, keepdims=True), 1e-12)
        return prefs

    # ----------------------------------------------------------------- exposure
    def _eligible(self, c: int) -> np.ndarray | None:
        aud = self.audience[c]
        mask: np.ndarray | None = None
        if aud == "prospects":
            mask = ~self.customer
        elif aud == "customers":
            mask = self.customer & self.alive
            if c in self.owned:
                mask = mask & self.subscribed[self.owned.index(c)]
        if c in self._in_stage:  # a campaign aimed at lifecycle stages (e.g. win-back)
            mask = self._in_stage[c] if mask is None else mask & self._in_stage[c]
        return mask

    def expose(self, day: int, exposures: np.ndarray,
               stages: dict[int, list[int]] | None = None) -> None:
        """Spread each channel's exposures (simulated scale) and update adstock and awareness.

        Args:
            day: day index.
            exposures: exposures bought per channel today, divided by ``population.scale``.
            stages: per channel index, the lifecycle stage codes its exposures may reach
                (channels not named reach their whole audience).
        """
        self._exposed[:] = 0.0
        self._in_stage = {}
        if stages:
            today = self.stages(day)
            self._in_stage = {c: np.isin(today, codes) for c, codes in stages.items()
                              if exposures[c] > 0}
        self.reach = np.zeros(len(self.channels))
        self.delivered = np.ones(len(self.channels))
        tmp = self._tmp
        for c, ch in enumerate(self.channels):
            e = float(exposures[c])
            elig = self._eligible(c) if e > 0 else None
            total = self._affinity_total[c] if elig is None else \
                float(np.dot(self.affinity[c], elig.astype(np.float32)))
            if e > 0 and c in self.owned:
                assert elig is not None  # message channels reach only customers
                # at most `max_messages_per_day` per subscriber: the rest is not sent
                cap = ch.max_messages_per_day * float(np.count_nonzero(elig))
                self.delivered[c] = min(e, cap) / e
                e = min(e, cap)
            if e > 0 and total <= 0:
                self.delivered[c] = 0.0
            if e > 0 and total > 0:
                # intensity = expected exposures per shopper today, in proportion to affinity
                np.multiply(self.affinity[c], np.float32(e / total), out=tmp)
                if elig is not None:
                    tmp *= elig
                self.adstock[c] *= np.float32(ch.decay)
                self.adstock[c] += np.float32(1.0 - ch.decay) * tmp
                self._exposed += tmp
                sizes = self._group_size if elig is None else np.bincount(
                    self._group, weights=elig, minlength=self._group_size.size)
                per_shopper = self._group_affinity[c] * (e / total)
                self.reach[c] = float(sizes @ -np.expm1(-per_shopper))
                if c in self.owned:
                    o = self.owned.index(c)
                    self.fatigue[o] *= np.float32(ch.fatigue_decay)
                    self.fatigue[o] += tmp
                self._live[c], self._quiet_days[c] = True, 0
            elif self._live[c]:
                self.adstock[c] *= np.float32(ch.decay)
                self._quiet_days[c] += 1
                if ch.decay ** self._quiet_days[c] < _QUIET:
                    self.adstock[c] = 0.0
                    self._live[c] = False
                if c in self.owned:
                    self.fatigue[self.owned.index(c)] *= np.float32(ch.fatigue_decay)
        self._update_awareness(day)
        self._unsubscribe(day)

    def _update_awareness(self, day: int) -> None:
        # Prospects learn of the shop by chance (discovery) or through exposures; aware
        # non-customers forget at a constant rate, so without marketing awareness settles
        # at learn / (learn + forget).
        p = self.params
        u = self.streams.uniform(AWARENESS, day, self.n)
        learn = _one_minus_exp(np.float32(p.discovery_rate)
                               + np.float32(p.awareness_per_exposure) * self._exposed)
        forget = self.aware & ~self.customer & (u < p.forget_rate)
        self.aware |= ~self.aware & (u < learn)
        self.aware &= ~forget

    def _unsubscribe(self, day: int) -> None:
        # Messages above a shopper's tolerance annoy: each excess unit of fatigue is a
        # chance to unsubscribe from that channel.
        self.unsubscribed_today = 0
        # only channels with someone over tolerance do any work; streams are keyed by
        # day, so skipping a day's draws shifts no other random number
        self._tired = [o for o, c in enumerate(self.owned)
                       if self.fatigue[o].max(initial=0.0) > self.channels[c].fatigue_tolerance]
        if not self._tired:
            return
        u = self.streams.generator(UNSUBSCRIBE, day).random((len(self.owned), self.n),
                                                              dtype=np.float32)
        for o in self._tired:
            ch = self.channels[self.owned[o]]
            excess = np.maximum(self.fatigue[o] - np.float32(ch.fatigue_tolerance), 0)
            leave = self.subscribed[o] & (u[o] < ch.unsubscribe_rate * excess)
            self.unsubscribed_today += int(leave.sum())
            self.subscribed[o] &= ~leave

    def _fatigue_multiplier(self) -> np.ndarray | float:
        if not self._tired:
            return 1.0
        penalty = np.zeros(self.n, dtype=np.float32)
        for o in self._tired:
            ch = self.channels[self.owned[o]]
            penalty += np.float32(ch.fatigue_penalty) * np.maximum(
                self.fatigue[o] - np.float32(ch.fatigue_tolerance), 0)
        return np.exp(-penalty)

    # ------------------------------------------------------------------ buying
    def _price_lift(self, share: np.ndarray | None, season: np.ndarray | None = None
                    ) -> tuple[np.ndarray | float, np.ndarray | None]:
        """Hazard multiplier per shopper and per (shopper, category) (or per category)
        from today's offers and the categories' seasonality.

        ``share`` is the saving per shopper and category as a share of list price; the
        category's hazard scales by ``(1 - share) ** -price_sensitivity``, and by its
        seasonal multiplier ``season``.
        """
        if share is None:
            return (1.0, None) if season is None else (self._season_lift(season), season)
        lift_k = np.power(np.float32(1.0) - share, -self.price_sensitivity[:, None])
        if season is not None:
            lift_k *= season
        return (self.prefs * lift_k).sum(axis=1), lift_k

    def _season_lift(self, row: np.ndarray) -> np.ndarray:
        """Each shopper's buying multiplier from the categories' seasonality ``row``."""
        key = row.tobytes()
        if self._season_cache[0] != key:
            self._season_cache = (key, np.einsum("nc,c->n", self.prefs, row))
        return self._season_cache[1]

    def shop(self, day: int, demand: float, conversion: np.ndarray,
             offers: Offers | None = None, completions: Completions | None = None,
             loyalty: LoyaltyProgramme | None = None,
             word_of_mouth: WordOfMouth | None = None,
             inventory: Inventory | None = None) -> DayOutcome:
        """One day of visits and purchases, then lifecycle updates.

        Args:
            day: day index.
            demand: the calendar's demand multiplier for the day.
            conversion: probability that a visit from each channel ends in an order.
            offers: the day's promotions (None: none run).
            completions: presale orders completed today, added to the day's orders.
            loyalty: the loyalty programme (None: none runs).
            word_of_mouth: customers' influence on their contacts (None: none).
            inventory: stock that serves the day's orders (None: stock never runs out).
        """
        p = self.params
        offers = offers if offers is not None and offers.any else None
        lift, lift_k = self._price_lift(None if offers is None else offers.share,
                                        None if self.season is None else self.season[day])
        churned = self.customer & ~self.alive
        # own buying rate by state: prospect 0, aware non-customer a share of lambda,
        # alive customer lambda (less fatigue), churned 0; code = aware + 2 customer + 4 churned
        code = self.aware.view(np.uint8) + (self.customer.view(np.uint8) << 1) \
            + (churned.view(np.uint8) << 2)
        table = np.zeros(8, dtype=np.float32)
        table[1], table[3] = p.aware_purchase_factor, 1.0
        base = np.take(table * np.float32(demand), code)
        base *= self.lam
        base *= self._fatigue_multiplier()
        wom: np.ndarray | float = 0.0
        if word_of_mouth is not None:  # contacts who are customers bring first orders
            wom = word_of_mouth.hazard(self)
            base += wom
        if self._reference_moved:  # (price / r)^-e = price^-e x r^e
            lift = lift * self.reference ** self.price_sensitivity
        tier_price = None
        if loyalty is not None:  # member price and points: a permanent price cut
            base *= loyalty.rate_multiplier(self)
            tier_price = loyalty.price_index(self)
            lift = lift * (tier_price * (np.float32(1.0) - loyalty.points_share(self))) ** (
                -self.price_sensitivity)
        base *= lift
        live = np.flatnonzero(self._live)
        # response per live channel: 1 - exp(-A / sat); visit hazard = ctr * sat * response
        adstock = self.adstock if live.size == len(self.channels) else self.adstock[live]
        response = np.multiply(adstock, -self._inv_sat[live, None])
        _one_minus_exp(response, out=response)
        # einsum, not @: BLAS would start threads that spin against the other worker
        visits_ch = np.einsum("c,cn->n", self._ctr_sat[live], response)
        buys_ch = np.einsum("c,cn->n", self._ctr_sat[live] * conversion[live].astype(np.float32),
                            response)
        buys_ch[churned] = 0.0  # a churned customer does not come back through an ad
        buys_ch *= lift
        conv = None if loyalty is None else loyalty.conversion_multiplier(self)
        if conv is not None:  # priority shipping and service: members' visits convert more
            buys_ch *= conv
        hazard = base + buys_ch
        if self._owed_any:
            self._repay(hazard)
        visit_hazard = base * np.float32(1.0 / p.organic_conversion)
        visit_hazard += visits_ch
        np.minimum(hazard, visit_hazard, out=hazard)
        u = self.streams.uniform(VISIT, day, self.n)
        visitors = np.flatnonzero(u < _one_minus_exp(visit_hazard, out=self._tmp))
        buyers = np.flatnonzero(u < _one_minus_exp(hazard, out=hazard))
        can_buy = ~churned

        # visits split over their sources in proportion to each source's visit hazard
        channel_visits = np.zeros(len(self.channels))
        if live.size:
            channel_visits[live] = self._ctr_sat[live] * (
                response[:, visitors] / visit_hazard[visitors]).sum(axis=1, dtype=np.float64)

        # last-touch attribution: the source of the order in proportion to its hazard
        lift_b = lift[buyers] if isinstance(lift, np.ndarray) else lift
        # (with a referral programme, word of mouth is its own source, next to organic)
        split = word_of_mouth is not None and word_of_mouth.referral is not None
        first = 2 if split else 1
        comps = np.empty((buyers.size, live.size + first))
        comps[:, 0] = base[buyers]
        if split and isinstance(wom, np.ndarray):
            comps[:, 1] = wom[buyers] * lift_b
            comps[:, 0] -= comps[:, 1]
        elif split:
            comps[:, 1] = 0.0
        comps[:, first:] = (response[:, buyers] * (self._ctr_sat[live] * conversion[live]
                                                   )[:, None] * (lift_b * can_buy[buyers])).T
        if conv is not None:
            comps[:, first:] *= conv[buyers][:, None]
        pick = _choose(comps, self.streams.uniform(CHANNEL, day, self.n)[buyers])
        sources = np.concatenate([np.full(first, len(self.channels)), live])
        order_channel = sources[pick]
        by_word = (pick == 1) if split else None

        weights = self.prefs[buyers]
        if lift_k is not None:
            weights = weights * (lift_k[buyers] if lift_k.ndim == 2 else lift_k)
        category = _choose(weights, self.streams.uniform(CATEGORY, day, self.n)[buyers])
        ub = np.clip(self.streams.uniform(BASKET, day, self.n)[buyers], 1e-7, 1 - 1e-7)
        sigma = self.basket_sigma[buyers]
        list_value = self.basket_mean[buyers] * np.exp(sigma * ndtri(ub) - 0.5 * sigma**2)
        list_value = list_value.astype(np.float64)
        tally: dict[str, float] = {}
        per_promotion = None
        fulfil = None if inventory is None else partial(
            inventory.fulfil, day, self, buyers, category, list_value)
        if offers is None:
            gmv = list_value.copy()
            if fulfil is not None:
                keep = fulfil(np.ones(buyers.size, dtype=bool), list_value)
                buyers, order_channel, category = buyers[keep], order_channel[keep], \
                    category[keep]
                list_value, gmv = list_value[keep], gmv[keep]
        else:
            chk = offers.checkout(day, self, buyers, order_channel, category, list_value,
                                  fulfil)
            tally, per_promotion = chk.tally, chk.per_promotion
            if inventory is not None:
                inventory.owe(day, self, chk.extra)
            completions = merge(completions, chk.extra)  # joiners of group deals
            keep = chk.keep
            buyers, order_channel, category = buyers[keep], order_channel[keep], category[keep]
            list_value, gmv = list_value[keep], chk.gmv[keep]
        if offers is not None and p.pull_forward_share > 0:
            # an order that saved a share s was incremental with probability 1 - 1/L,
            # L = (1 - s)^-e its price lift; a share of that is borrowed from the future
            kept = (gmv / np.maximum(list_value, 1e-9)).astype(np.float32)
            borrowed = np.float32(p.pull_forward_share) * np.maximum(
                np.float32(1.0) - kept ** self.price_sensitivity[buyers], 0)
            self.owed[buyers] += borrowed * self.customer[buyers]
            self._owed_any = bool(self._owed_any or borrowed.any())
        if by_word is not None and word_of_mouth is not None:
            keep_w = np.ones(by_word.size, dtype=bool) if offers is None else chk.keep
            referred = by_word[keep_w] & ~self.customer[buyers]
            gmv = self._referral_rewards(day, buyers, referred, gmv, word_of_mouth, tally)
        if tier_price is not None:  # members pay their tier's share of the price
            paid = tier_price[buyers].astype(np.float64)
            tally["tier_discount"] = float((gmv * (1.0 - paid)).sum())
            gmv = gmv * paid
        if completions is not None and completions.shoppers.size:
            buyers = np.concatenate([buyers, completions.shoppers])
            order_channel = np.concatenate([order_channel, completions.channel])
            category = np.concatenate([category, completions.category])
            list_value = np.concatenate([list_value, completions.list_value])
            gmv = np.concatenate([gmv, completions.gmv])
            tally["presale_orders"] = float(
                completions.shoppers.size - tally.get("group_orders", 0.0))
        cogs = list_value * self.cost_ratio[category]

        new, repeat = self._after_orders(day, buyers, order_channel, list_value, loyalty)
        if by_word is not None and self.last_referrals[0].size:
            self.acquired_by[self.last_referrals[0]] = REFERRAL
        if loyalty is not None:
            tally |= loyalty.after_orders(self, buyers, gmv)
        self.aware[visitors] = True
        price_share = None if offers is None else offers.price_share
        if price_share is not None or self._reference_moved:
            self._update_reference(visitors, price_share)
        return DayOutcome(buyers=buyers, visitors=visitors, channel_visits=channel_visits,
                          reach=self.reach, order_channel=order_channel, category=category,
                          list_value=list_value, gmv=gmv, cogs=cogs, new=new, repeat=repeat,
                          tally=tally, per_promotion=per_promotion)

    def _referral_rewards(self, day: int, buyers: np.ndarray, referred: np.ndarray,
                          gmv: np.ndarray, word_of_mouth: WordOfMouth,
                          tally: dict[str, float]) -> np.ndarray:
        """First orders word of mouth brought: find each friend's referrer, take the
        friend's reward off the order, credit the referrer's. Returns the new GMV."""
        ref = word_of_mouth.referral
        assert ref is not None
        idx = np.flatnonzero(referred)
        friends = buyers[idx]
        referrer = word_of_mouth.referrers(self, friends, day) if idx.size else idx
        ok = referrer >= 0
        idx, friends, referrer = idx[ok], friends[ok], referrer[ok]
        off = np.minimum(ref.reward_friend, gmv[idx])
        gmv = gmv.copy()
        gmv[idx] -= off
        self.last_referrals = (friends, referrer)
        tally["referrals"] = float(idx.size)
        tally["referral_discount"] = float(off.sum())
        tally["referral_credit"] = float(idx.size * ref.reward_referrer)
        return gmv

    def _repay(self, hazard: np.ndarray) -> None:
        # Owed orders hold the hazard back until repaid in expectation: a shopper owing
        # more than today's expected orders does not buy today.
        held = np.minimum(self.owed, hazard)
        hazard -= held
        self.owed -= held
        self._owed_any = bool(self.owed.max(initial=0.0) > 1e-6)
        if not self._owed_any:
            self.owed[:] = 0.0

    def _update_reference(self, visitors: np.ndarray, share: np.ndarray | None) -> None:
        # the price index a visitor saw: list price less the price offers open to them
        seen = self.prefs[visitors].sum(axis=1) if share is None else (
            self.prefs[visitors] * (np.float32(1.0) - share[visitors])).sum(axis=1)
        ref = self.reference[visitors]
        self.reference[visitors] = ref + np.float32(self.params.reference_adaptation) * (seen - ref)
        self._reference_moved = bool(np.abs(self.reference - 1.0).max(initial=0.0) > 1e-4)
        if not self._reference_moved:
            self.reference[:] = 1.0

    def _after_orders(self, day: int, buyers: np.ndarray, order_channel: np.ndarray,
                      list_value: np.ndarray, loyalty: LoyaltyProgramme | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Lifecycle after the day's orders: first orders, BG/NBD dropout, trailing spend."""
        new = ~self.customer[buyers]
        if new.any():  # a shopper with two orders today (a presale completion) is new once
            first_seen = np.zeros(buyers.size, dtype=bool)
            first_seen[np.unique(buyers, return_index=True)[1]] = True
            new &= first_seen
        repeat = self.customer[buyers] & self.alive[buyers]
        first = buyers[new]
        self.customer[first] = True
        self.alive[first] = True
        self.aware[first] = True
        self.first_day[first] = day
        self.acquired_by[first] = np.where(order_channel[new] < len(self.channels),
                                           order_channel[new], ORGANIC)
        self.subscribed[:, first] = True
        u = self.streams.uniform(DROPOUT, day, self.n)[buyers]
        p_drop = self.p_drop[buyers] if loyalty is None else \
            self.p_drop[buyers] * loyalty.dropout_multiplier(buyers)
        self.alive[buyers[repeat & (u < p_drop)]] = False
        self.last_day[buyers] = day
        np.add.at(self.n_orders, buyers, 1)
        self.spend *= self._spend_keep
        np.add.at(self.spend, buyers, list_value.astype(np.float32))
        return new, repeat

    def stages(self, day: int) -> np.ndarray:
        """Lifecycle stage code (index into ``STAGES``) of every shopper at the end of ``day``."""
        p = self.params
        st = self.aware.astype(np.int8)  # prospect 0, aware 1
        alive = np.flatnonzero(self.customer & self.alive)
        sub = np.full(alive.size, _STAGE["active"], dtype=np.int8)
        sub[self.spend[alive] >= p.high_value_spend] = _STAGE["high_value"]
        sub[day - self.last_day[alive] >= p.dormant_after_days] = _STAGE["dormant"]
        sub[day - self.first_day[alive] < p.new_days] = _STAGE["new"]
        st[alive] = sub
        st[self.customer & ~self.alive] = _STAGE["churned"]
        return st


def _one_minus_exp(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``1 - exp(-x)`` elementwise. Inlined ``exp`` rather than ``-expm1(-x)``: numpy's
    float32 exp is vectorised and ~6x faster, and the absolute error (~1e-7) is far
    below anything a probability compared with a uniform draw can resolve."""
    out = np.negative(x, out=out)
    np.exp(out, out=out)
    return np.subtract(np.float32(1.0), out, out=out)


def _choose(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise categorical choice: column index per row with probability ∝ weights."""
    if weights.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(weights, axis=1)
    target = u * cum[:, -1]
    return np.minimum((cum <= target[:, None]).sum(axis=1), weights.shape[1] - 1)
