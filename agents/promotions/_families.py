"""Families of kinds that share their saving: a share off the price, an amount off an order.

Not registered: a kind subclasses a family and is registered itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents._config import Share
from agents.promotions._base import Promotion
from agents.promotions._orders import expected_saving

if TYPE_CHECKING:
    from agents.population import ShopperPopulation
    from agents.promotions._orders import Running

__all__ = ["AmountOff", "DiscountOff"]


class DiscountOff(Promotion):
    """``discount`` (a share) off the list price of every order that may use it."""

    discount: Share | None = None
    depth_field = "discount"

    def promise(self, agent: Running, pop: ShopperPopulation) -> float | np.ndarray:
        return self.get("discount")

    def saving(self, takes: np.ndarray, list_value: np.ndarray, new: np.ndarray
               ) -> np.ndarray:
        return np.where(takes, list_value * self.get("discount"), 0.0)


class AmountOff(Promotion):
    """An amount off each order that reaches a threshold (``terms``).

    Shoppers respond to its *expected* share: the amount over their typical basket times
    the chance that a basket qualifies (their log-normal basket size).
    """

    def terms(self) -> tuple[float, float]:
        """(threshold, amount) in currency: the amount comes off an order of at least
        the threshold."""
        raise NotImplementedError

    def top_up_terms(self) -> tuple[float, float]:
        """(top_up_range, top_up_share) the expected share allows for (none by default)."""
        return 0.0, 0.0

    def promise(self, agent: Running, pop: ShopperPopulation) -> float | np.ndarray:
        threshold, amount = self.terms()
        return expected_saving(pop.basket_mean, pop.basket_sigma, threshold, amount,
                               *self.top_up_terms())

    def saving(self, takes: np.ndarray, list_value: np.ndarray, new: np.ndarray
               ) -> np.ndarray:
        threshold, amount = self.terms()
        return np.where(takes & (list_value >= threshold), np.minimum(amount, list_value),
                        0.0)
