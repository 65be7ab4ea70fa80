"""``coupon``: a new-user coupon, an amount off a shopper's first order."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from agents._config import NonNegative, Positive
from agents.promotions._families import AmountOff
from agents.promotions.registry import register

if TYPE_CHECKING:
    from agents.population import ShopperPopulation
    from agents.promotions._orders import Basket, Offer, Running

__all__ = ["Coupon"]


@register
class Coupon(AmountOff):
    """``reduction`` off a shopper's first order (of at least ``threshold``, default 0)."""

    kind: Literal["coupon"] = "coupon"
    reduction: Positive | None = None
    threshold: NonNegative | None = None
    needs = ("reduction",)
    defaults: ClassVar[dict[str, float]] = {"threshold": 0.0}
    depth_field = "reduction"
    colour = "#8e44ad"

    def terms(self) -> tuple[float, float]:
        return self.get("threshold"), self.get("reduction")

    def narrow(self, agent: Running, day: int, pop: ShopperPopulation,
               eligible: np.ndarray | None) -> np.ndarray | None:
        return ~pop.customer if eligible is None else eligible & ~pop.customer

    def saving(self, takes: np.ndarray, list_value: np.ndarray, new: np.ndarray
               ) -> np.ndarray:
        return super().saving(takes & new, list_value, new)

    def settle(self, offer: Offer, j: int, b: Basket) -> None:
        b.tally["coupon_cost"] += float(b.credit[:, j].sum())
