"""Attribution: which source brought each visit and each order.

* Visits are split over their sources in proportion to each source's visit hazard
  (a channel's ``ctr * sat * response`` against the shopper's whole visit hazard); the
  rest is organic.
* Orders go to one source, last touch: each buyer's order is credited to one source drawn
  with probability proportional to that source's purchase hazard (own buying, which is
  organic; each live channel's; with a referral programme, word of mouth is a source of
  its own next to organic). The expected orders credited to each source therefore equal
  the orders its hazard brings.
"""

from __future__ import annotations

import numpy as np

from agents._numeric import choose
from agents.demand import Intent
from agents.population import ShopperPopulation
from agents.streams import CHANNEL

__all__ = ["order_sources", "visits_by_channel"]


def visits_by_channel(intent: Intent, n_channels: int) -> np.ndarray:
    """Expected visits each channel brought today (simulated scale)."""
    visits = np.zeros(n_channels)
    live, v = intent.live, intent.visitors
    if live.size:
        visits[live] = intent.ctr_sat * (
            intent.response[:, v] / intent.visit_hazard[v]).sum(axis=1, dtype=np.float64)
    return visits


def order_sources(day: int, pop: ShopperPopulation, intent: Intent, conversion: np.ndarray,
                  word_of_mouth: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """The source of each buyer's order: a channel index, or ``len(pop.channels)`` for
    organic; and (``word_of_mouth``: referral programme) which orders word of mouth brought.
    """
    buyers, live, lift = intent.buyers, intent.live, intent.lift
    lift_b = lift[buyers] if isinstance(lift, np.ndarray) else lift
    first = 2 if word_of_mouth else 1
    comps = np.empty((buyers.size, live.size + first))
    comps[:, 0] = intent.base[buyers]
    if word_of_mouth and isinstance(intent.contacts, np.ndarray):
        comps[:, 1] = intent.contacts[buyers] * lift_b
        comps[:, 0] -= comps[:, 1]
    elif word_of_mouth:
        comps[:, 1] = 0.0
    can_buy = ~intent.churned[buyers]
    comps[:, first:] = (intent.response[:, buyers] * (intent.ctr_sat * conversion[live]
                                                      )[:, None] * (lift_b * can_buy)).T
    if intent.conv is not None:
        comps[:, first:] *= intent.conv[buyers][:, None]
    pick = choose(comps, pop.streams.uniform(CHANNEL, day, pop.n)[buyers])
    sources = np.concatenate([np.full(first, len(pop.channels)), live])
    return sources[pick], (pick == 1) if word_of_mouth else None
