"""Lifecycle: from prospect to customer to churned, and the stage codes campaigns aim at.

* A visit makes a shopper aware; a first order makes them a customer, subscribed to the
  shop's messages, acquired by the source of that order (a channel, organic, or a
  referral).
* Dropout. After each repeat order an alive customer drops out for good with their
  BG/NBD probability p (drawn from Beta(a, b); Fader, Hardie and Lee 2005), scaled by any
  dropout modifier (a loyalty tier); the first order never triggers it. A customer
  disappointed by a stock-out may leave too (the inventory decides who, this stage
  applies it).
* Trailing spend is an exponential window of ``spend_window_days``.
* Stages (``STAGES``): prospect, aware; an alive customer is new (first order within
  ``new_days``), dormant (no order for ``dormant_after_days``), high value (trailing
  spend of at least ``high_value_spend``) or active; a customer who dropped out is churned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents._config import STAGES
from agents._hooks import DropoutModifier
from agents.population import ORGANIC, REFERRAL, ShopperPopulation
from agents.streams import DROPOUT

if TYPE_CHECKING:
    from agents.checkout import Orders

__all__ = ["STAGE", "Lifecycle"]

#: code of each lifecycle stage (index into ``STAGES``)
STAGE = {name: np.int8(i) for i, name in enumerate(STAGES)}


class Lifecycle:
    """The lifecycle of the shoppers of ``pop``.

    Args:
        pop: the shoppers (customers, dropout, order days, trailing spend).
    """

    def __init__(self, pop: ShopperPopulation) -> None:
        self.pop = pop
        self._spend_keep = np.float32(np.exp(-1.0 / pop.params.spend_window_days))

    def book(self, day: int, orders: Orders, visitors: np.ndarray,
             dropout: DropoutModifier | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The day's orders change the shoppers' lifecycle.

        Returns:
            per order, whether it is a first order (``new``) and whether it is a repeat
            order of an alive customer (``repeat``).
        """
        pop = self.pop
        pop.alive[orders.departed] = False  # disappointed by a stock-out
        buyers, order_channel = orders.buyers, orders.order_channel
        new = ~pop.customer[buyers]
        if new.any():  # a shopper with two orders today (a presale completion) is new once
            first_seen = np.zeros(buyers.size, dtype=bool)
            first_seen[np.unique(buyers, return_index=True)[1]] = True
            new &= first_seen
        repeat = pop.customer[buyers] & pop.alive[buyers]
        first = buyers[new]
        pop.customer[first] = True
        pop.alive[first] = True
        pop.aware[first] = True
        pop.first_day[first] = day
        pop.acquired_by[first] = np.where(order_channel[new] < len(pop.channels),
                                          order_channel[new], ORGANIC)
        pop.subscribed[:, first] = True
        u = pop.streams.uniform(DROPOUT, day, pop.n)[buyers]
        p_drop = pop.p_drop[buyers] if dropout is None else \
            pop.p_drop[buyers] * dropout.dropout_multiplier(buyers)
        pop.alive[buyers[repeat & (u < p_drop)]] = False
        pop.last_day[buyers] = day
        np.add.at(pop.n_orders, buyers, 1)
        pop.spend *= self._spend_keep
        np.add.at(pop.spend, buyers, orders.list_value.astype(np.float32))
        if orders.referrals is not None and orders.referrals[0].size:
            pop.acquired_by[orders.referrals[0]] = REFERRAL
        pop.aware[visitors] = True
        return new, repeat

    def stages(self, day: int) -> np.ndarray:
        """Lifecycle stage code (index into ``STAGES``) of every shopper at the end of ``day``."""
        pop = self.pop
        p = pop.params
        st = pop.aware.astype(np.int8)  # prospect 0, aware 1
        alive = np.flatnonzero(pop.customer & pop.alive)
        sub = np.full(alive.size, STAGE["active"], dtype=np.int8)
        sub[pop.spend[alive] >= p.high_value_spend] = STAGE["high_value"]
        sub[day - pop.last_day[alive] >= p.dormant_after_days] = STAGE["dormant"]
        sub[day - pop.first_day[alive] < p.new_days] = STAGE["new"]
        st[alive] = sub
        st[pop.customer & ~pop.alive] = STAGE["churned"]
        return st
