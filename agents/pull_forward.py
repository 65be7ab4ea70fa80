"""Pull-forward: a promotion borrows orders from the shopper's future (household stock).

An order that saved a share s of its list value was placed under a price lift
L = (1 - s)^-e and is incremental with probability 1 - 1/L; a share
``pull_forward_share`` of that is borrowed from the shopper's future: it is owed, and
the shopper's hazard is held back until the owed orders are repaid in expectation, which
makes the post-promotion dip (stockpiling, Van Heerde, Leeflang and Wittink 2000).
"""

from __future__ import annotations

import numpy as np

from agents.population import ShopperPopulation

__all__ = ["PullForward"]


class PullForward:
    """The pull-forward rule over ``pop.owed`` (orders owed, per shopper).

    Args:
        pop: the shoppers.
    """

    def __init__(self, pop: ShopperPopulation) -> None:
        self.share = np.float32(pop.params.pull_forward_share)
        self._on = pop.params.pull_forward_share > 0
        #: False while nobody owes anything: repaying then costs nothing
        self.owing = bool(pop.owed.max(initial=0.0) > 1e-6)

    def repay(self, pop: ShopperPopulation, hazard: np.ndarray) -> None:
        """Hold back today's hazard (in place) by what each shopper owes, up to all of it:
        a shopper owing more than today's expected orders does not buy today."""
        if not self.owing:
            return
        held = np.minimum(pop.owed, hazard)
        hazard -= held
        pop.owed -= held
        self.owing = bool(pop.owed.max(initial=0.0) > 1e-6)
        if not self.owing:
            pop.owed[:] = 0.0

    def borrow(self, pop: ShopperPopulation, buyers: np.ndarray, list_value: np.ndarray,
               gmv: np.ndarray) -> None:
        """Customers' orders placed under offers borrow from their future.

        Args:
            buyers, list_value: the orders (simulated scale).
            gmv: what each order paid after the day's offers (before member prices).
        """
        if not self._on:
            return
        kept = (gmv / np.maximum(list_value, 1e-9)).astype(np.float32)
        borrowed = self.share * np.maximum(
            np.float32(1.0) - kept ** pop.price_sensitivity[buyers], 0)
        pop.owed[buyers] += borrowed * pop.customer[buyers]
        self.owing = bool(self.owing or borrowed.any())
