"""Outreach: the shop's own messages to subscribed customers (e-mail, SMS, push).

* Delivery cap. A message channel sends at most ``max_messages_per_day`` messages per
  subscriber it may reach; what the budget would buy beyond that is not sent (and not
  paid for).
* Fatigue. Each subscriber keeps a fatigue stock per message channel,
  ``F <- fatigue_decay * F + messages``; it decays on the days the channel's adstock is
  still live.
* Unsubscribes. Messages above a shopper's ``fatigue_tolerance`` annoy: each excess unit
  of fatigue is a chance ``unsubscribe_rate`` to unsubscribe from that channel.
* Fatigue penalty. An over-messaged customer buys less on their own: their purchase
  rate scales by ``exp(-fatigue_penalty x excess fatigue)`` (a rate modifier of demand).
"""

from __future__ import annotations

import numpy as np

from agents.exposure import Reached
from agents.population import ShopperPopulation
from agents.streams import UNSUBSCRIBE

__all__ = ["Outreach"]


class Outreach:
    """Caps, fatigue and unsubscribes of the message channels.

    Args:
        pop: the shoppers (their ``fatigue`` and ``subscribed`` rows, one per message
            channel in ``pop.owned``).
    """

    def __init__(self, pop: ShopperPopulation) -> None:
        self.owned = pop.owned
        self.channels = [pop.channels[c] for c in pop.owned]
        #: message channels (rows of ``pop.fatigue``) with someone over tolerance today
        self.tired: list[int] = []
        self.unsubscribed_today = 0

    def deliver(self, exposures: np.ndarray, audience: list[np.ndarray | None]
                ) -> tuple[np.ndarray, np.ndarray]:
        """Exposures after the delivery cap, and the share of each channel's that is sent.

        Args:
            exposures: exposures bought per channel today (simulated scale).
            audience: per channel, who it may reach (``Exposure.audiences``).
        """
        sent = exposures.astype(np.float64, copy=True)
        share = np.ones(exposures.size)
        for c, ch in zip(self.owned, self.channels, strict=True):
            e = float(exposures[c])
            if e > 0:
                elig = audience[c]
                assert elig is not None  # message channels reach only customers
                cap = ch.max_messages_per_day * float(np.count_nonzero(elig))
                share[c] = min(e, cap) / e
                sent[c] = min(e, cap)
        return sent, share

    def tire(self, day: int, pop: ShopperPopulation, reached: Reached) -> int:
        """Fatigue from today's messages, then unsubscribes; returns how many left."""
        for o, (c, ch) in enumerate(zip(self.owned, self.channels, strict=True)):
            if c in reached.intensity:
                pop.fatigue[o] *= np.float32(ch.fatigue_decay)
                pop.fatigue[o] += reached.intensity[c]
            elif reached.quiet[c]:
                pop.fatigue[o] *= np.float32(ch.fatigue_decay)
        self.unsubscribed_today = 0
        # only channels with someone over tolerance do any work; streams are keyed by
        # day, so skipping a day's draws shifts no other random number
        self.tired = [o for o, ch in enumerate(self.channels)
                      if pop.fatigue[o].max(initial=0.0) > ch.fatigue_tolerance]
        if not self.tired:
            return 0
        u = pop.streams.generator(UNSUBSCRIBE, day).random((len(self.owned), pop.n),
                                                           dtype=np.float32)
        for o in self.tired:
            ch = self.channels[o]
            excess = np.maximum(pop.fatigue[o] - np.float32(ch.fatigue_tolerance), 0)
            leave = pop.subscribed[o] & (u[o] < ch.unsubscribe_rate * excess)
            self.unsubscribed_today += int(leave.sum())
            pop.subscribed[o] &= ~leave
        return self.unsubscribed_today

    def rate_multiplier(self, pop: ShopperPopulation) -> np.ndarray | float:
        """Each shopper's own purchase rate multiplier from message fatigue."""
        if not self.tired:
            return 1.0
        penalty = np.zeros(pop.n, dtype=np.float32)
        for o in self.tired:
            ch = self.channels[o]
            penalty += np.float32(ch.fatigue_penalty) * np.maximum(
                pop.fatigue[o] - np.float32(ch.fatigue_tolerance), 0)
        return np.exp(-penalty)
