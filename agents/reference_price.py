"""Reference prices: shoppers judge a price against the prices they have seen.

Each shopper keeps a reference price index r (1 = list price); a visit moves it a share
``reference_adaptation`` toward the price index seen that day (list price less the price
offers open to the shopper; gifts and points do not count). The hazard scales by
``(price / r) ** -price_sensitivity``, so after frequent deep discounts (r < 1)
full-price buying drops and the same discount lifts less (reference-dependent demand,
Kalyanaram and Winer 1995).
"""

from __future__ import annotations

import numpy as np

from agents.population import ShopperPopulation

__all__ = ["ReferencePrice"]


class ReferencePrice:
    """The reference-price rule over ``pop.reference``.

    Args:
        pop: the shoppers (``reference``: their reference price index).
    """

    def __init__(self, pop: ShopperPopulation) -> None:
        self.adaptation = np.float32(pop.params.reference_adaptation)
        #: False while every reference is at list price: the rule then costs nothing
        self.moved = bool(np.abs(pop.reference - 1.0).max(initial=0.0) > 1e-4)

    def lift(self, pop: ShopperPopulation, lift: np.ndarray | float) -> np.ndarray | float:
        """``lift`` times ``r ** price_sensitivity`` ((price / r)^-e = price^-e x r^e)."""
        if not self.moved:
            return lift
        return lift * pop.reference ** pop.price_sensitivity

    def see(self, pop: ShopperPopulation, visitors: np.ndarray,
            share: np.ndarray | None) -> None:
        """Visitors' references move toward the price index they saw today.

        ``share``: the day's price saving per shopper and category (None: list prices).
        """
        if share is None and not self.moved:
            return
        seen = pop.prefs[visitors].sum(axis=1) if share is None else (
            pop.prefs[visitors] * (np.float32(1.0) - share[visitors])).sum(axis=1)
        ref = pop.reference[visitors]
        pop.reference[visitors] = ref + self.adaptation * (seen - ref)
        self.moved = bool(np.abs(pop.reference - 1.0).max(initial=0.0) > 1e-4)
        if not self.moved:
            pop.reference[:] = 1.0
