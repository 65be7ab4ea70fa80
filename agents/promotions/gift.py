"""``gift``: a gift with every order that reaches a threshold (a perk, loyalty cost)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from agents._config import NonNegative, Positive
from agents.promotions._families import AmountOff
from agents.promotions.registry import register

if TYPE_CHECKING:
    import numpy as np

    from agents.promotions._orders import Basket, Offer

__all__ = ["Gift"]


@register
class Gift(AmountOff):
    """A gift costing the shop ``gift_cost`` with every order of at least ``threshold``;
    shoppers value it at ``gift_value`` (default: its cost)."""

    kind: Literal["gift"] = "gift"
    threshold: NonNegative | None = None
    gift_cost: Positive | None = None
    gift_value: NonNegative | None = None
    needs = ("gift_cost",)
    may = ("gift_value", "threshold")
    defaults: ClassVar[dict[str, float]] = {"threshold": 0.0}
    is_perk = True
    colour = "#16a085"

    def _default(self, field: str) -> float:
        return self.get("gift_cost") if field == "gift_value" else super()._default(field)

    def terms(self) -> tuple[float, float]:
        return self.get("threshold"), self.get("gift_value")

    def perk(self, offer: Offer, takes: np.ndarray, b: Basket) -> np.ndarray:
        got = takes & (b.list_value >= self.get("threshold"))
        cost = got * self.get("gift_cost")
        b.tally["gift_cost"] += float(cost.sum())
        return cost
