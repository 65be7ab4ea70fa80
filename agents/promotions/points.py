"""``points``: loyalty points worth a share of the amount paid (a perk, loyalty cost)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from agents._config import Share
from agents.promotions._base import Promotion
from agents.promotions.registry import register

if TYPE_CHECKING:
    from agents.population import ShopperPopulation
    from agents.promotions._orders import Basket, Offer, Running

__all__ = ["Points"]


@register
class Points(Promotion):
    """Points worth ``points_rate`` x ``multiplier`` of the amount paid; a share
    ``redemption_rate`` of them is ever redeemed (the expected cost)."""

    kind: Literal["points"] = "points"
    multiplier: Annotated[float, Field(ge=1.0, le=10.0)] | None = None
    points_rate: Annotated[float, Field(gt=0.0, le=0.5)] | None = None
    redemption_rate: Share | None = None
    needs = ("points_rate",)
    defaults: ClassVar[dict[str, float]] = {"multiplier": 2.0, "redemption_rate": 0.6}
    is_perk = True
    colour = "#f1c40f"

    def promise(self, agent: Running, pop: ShopperPopulation) -> float | np.ndarray:
        return self.get("points_rate") * self.get("multiplier")

    def perk(self, offer: Offer, takes: np.ndarray, b: Basket) -> np.ndarray:
        cost = takes * b.gmv * (self.get("points_rate") * self.get("multiplier")
                                * self.get("redemption_rate"))
        b.tally["points_cost"] += float(cost.sum())
        return cost
